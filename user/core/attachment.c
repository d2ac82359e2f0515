// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <bpf/bpf.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attachment.h"
#include "filter.h"
#include "escape.h"
#include "cgroup.h"
#include "util.h"
#include "vec.h"

int bg_att_get(const struct bg_state *st, uint64_t cgid, struct bg_attachment *out)
{
	__u64 key = cgid;

	if (bpf_map_lookup_elem(st->map[BG_MAP_ATTACHMENTS], &key, out))
		return -errno;
	return 0;
}

/* One batch call per chunk: a thousand attachments read one by one cost
 * two syscalls each, and attach, detach and status all list them. */
static int att_list_batch(int fd, struct bg_attachment **out, unsigned *n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	size_t cap = 256, list_cap = 0, keys_cap = 0;
	unsigned cnt = 0;
	struct bg_attachment *list = NULL;
	__u64 *keys = NULL, batch = 0;
	bool first = true;
	int ret = 0;

	if (BG_VEC_RESERVE(list, list_cap, cap) || BG_VEC_RESERVE(keys, keys_cap, cap))
		ret = -ENOMEM;
	while (!ret) {
		__u32 count = cap - cnt;

		ret = bpf_map_lookup_batch(fd, first ? NULL : &batch, &batch, keys + cnt, list + cnt, &count, &o);
		if (ret && errno != ENOENT && errno != ENOSPC) {
			ret = -errno;
			break;
		}
		cnt += count;
		first = false;
		if (ret && errno == ENOENT) {
			ret = 0;
			break;
		}
		if (cap - cnt < 64 || (ret && errno == ENOSPC)) {
			cap *= 2;
			if (BG_VEC_RESERVE(list, list_cap, cap) || BG_VEC_RESERVE(keys, keys_cap, cap)) {
				ret = -ENOMEM;
				break;
			}
		}
		ret = 0;
	}
	free(keys);
	if (ret) {
		free(list);
		return ret;
	}
	*out = list;
	*n = cnt;
	return 0;
}

int bg_att_list(const struct bg_state *st, struct bg_attachment **out, unsigned *n)
{
	int fd = st->map[BG_MAP_ATTACHMENTS];
	struct bg_attachment *list = NULL;
	__u64 key, next, *prev = NULL;
	unsigned cnt = 0;
	size_t cap = 0;

	if (att_list_batch(fd, out, n) == 0)
		return 0;
	/* Kernels or maps without batch ops: one key at a time. */
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		if (BG_VEC_RESERVE(list, cap, cnt + 1)) {
			free(list);
			return -ENOMEM;
		}
		if (bpf_map_lookup_elem(fd, &next, &list[cnt]) == 0)
			cnt++;
		key = next;
		prev = &key;
	}
	*out = list ? list : calloc(1, sizeof(*list));
	*n = cnt;
	return *out ? 0 : -ENOMEM;
}

/* ------------------------------------------------------------------ */
/* bg_slotrefs (bpfguard.h): the records counted per slot, kept here by
 * the only two functions that write records.  Counts may only err high
 * (a slot kept a little longer, never one emptied while a cgroup uses
 * it): raised before a record is written, lowered after one is removed.
 * bg_slot_refs_recount() puts them right from the records when a count
 * that high would refuse an attach. */

static bool judged(const struct bg_attachment *a)
{
	return !(a->flags & BG_ATT_F_SECCOMP);
}

static int ref_add(const struct bg_state *st, __u32 idx, int delta)
{
	struct bg_slotref r = {};
	int fd = st->map[BG_MAP_SLOTREFS];

	if (idx >= BG_SLOTREF__COUNT)
		return 0; /* a slot number out of range counts nowhere */
	if (bpf_map_lookup_elem(fd, &idx, &r))
		return -errno;
	if (delta < 0 && r.refs < (__u32)-delta)
		r.refs = 0;
	else
		r.refs += (__u32)delta;
	return bpf_map_update_elem(fd, &idx, &r, BPF_ANY) ? -errno : 0;
}

int bg_att_put(const struct bg_state *st, const struct bg_attachment *a)
{
	__u64 key = a->cgid;
	struct bg_attachment old;
	bool had = bpf_map_lookup_elem(st->map[BG_MAP_ATTACHMENTS], &key, &old) == 0;
	int ret = 0;

	/* up first */
	if (!had || old.slot != a->slot)
		ret = ref_add(st, a->slot, 1);
	if (!ret && !had)
		ret = ref_add(st, BG_SLOTREF_TOTAL, 1);
	if (!ret && judged(a) && !(had && judged(&old)))
		ret = ref_add(st, BG_SLOTREF_JUDGED, 1);
	if (ret)
		return ret; /* the record is not written; a count left high is harmless */
	if (bpf_map_update_elem(st->map[BG_MAP_ATTACHMENTS], &key, a, BPF_ANY))
		return -errno;
	/* then down: best effort, a count left high only keeps a slot */
	if (had && old.slot != a->slot)
		ref_add(st, old.slot, -1);
	if (had && judged(&old) && !judged(a))
		ref_add(st, BG_SLOTREF_JUDGED, -1);
	return 0;
}

int bg_att_del(const struct bg_state *st, uint64_t cgid)
{
	__u64 key = cgid;
	struct bg_attachment old;
	bool had = bpf_map_lookup_elem(st->map[BG_MAP_ATTACHMENTS], &key, &old) == 0;

	if (bpf_map_delete_elem(st->map[BG_MAP_ATTACHMENTS], &key))
		return -errno;
	if (had) {
		ref_add(st, old.slot, -1);
		ref_add(st, BG_SLOTREF_TOTAL, -1);
		if (judged(&old))
			ref_add(st, BG_SLOTREF_JUDGED, -1);
	}
	return 0;
}

/* All BG_SLOTREF__COUNT counts, in one batch call where the kernel has it. */
static int refs_read(const struct bg_state *st, __u32 out[BG_SLOTREF__COUNT])
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	__u32 keys[BG_SLOTREF__COUNT], count = BG_SLOTREF__COUNT, batch = 0;
	struct bg_slotref v[BG_SLOTREF__COUNT];
	int fd = st->map[BG_MAP_SLOTREFS];

	if ((bpf_map_lookup_batch(fd, NULL, &batch, keys, v, &count, &o) == 0 || errno == ENOENT) &&
	    count == BG_SLOTREF__COUNT) {
		for (__u32 i = 0; i < count; i++)
			out[keys[i]] = v[i].refs;
		return 0;
	}
	for (__u32 i = 0; i < BG_SLOTREF__COUNT; i++) {
		if (bpf_map_lookup_elem(fd, &i, &v[0]))
			return -errno;
		out[i] = v[0].refs;
	}
	return 0;
}

int bg_slot_refs_recount(const struct bg_state *st)
{
	struct bg_attachment *list;
	__u32 c[BG_SLOTREF__COUNT] = {};
	unsigned n;
	int ret = bg_att_list(st, &list, &n);

	if (ret)
		return ret;
	for (unsigned i = 0; i < n; i++) {
		if (list[i].slot < BG_MAX_POLICIES)
			c[list[i].slot]++;
		c[BG_SLOTREF_JUDGED] += judged(&list[i]);
	}
	c[BG_SLOTREF_TOTAL] = n;
	free(list);
	for (__u32 i = 0; i < BG_SLOTREF__COUNT; i++) {
		struct bg_slotref r = { .refs = c[i] };

		if (bpf_map_update_elem(st->map[BG_MAP_SLOTREFS], &i, &r, BPF_ANY))
			return -errno;
	}
	return 0;
}

int bg_slot_refs(const struct bg_state *st, unsigned refs[BG_MAX_POLICIES], unsigned *natt)
{
	__u32 c[BG_SLOTREF__COUNT];
	int ret = refs_read(st, c);

	memset(refs, 0, BG_MAX_POLICIES * sizeof(refs[0]));
	if (ret)
		return ret;
	for (unsigned i = 0; i < BG_MAX_POLICIES; i++)
		refs[i] = c[i];
	if (natt)
		*natt = c[BG_SLOTREF_TOTAL];
	return 0;
}

int bg_slot_unused(const unsigned refs[BG_MAX_POLICIES])
{
	for (int s = 0; s < BG_MAX_POLICIES; s++)
		if (!refs[s])
			return s;
	return -ENOSPC;
}

int bg_slot_write(const struct bg_state *st, uint32_t slot, const struct bg_bpf_policy *bp)
{
	static __u32 generation;
	struct bg_policy_slot *copy;
	int ret;

	ret = bg_slot_clear(st, slot);
	for (unsigned i = 0; !ret && i < bp->nargrules; i++) {
		struct bg_argrules_key key = bp->argrules[i].key;

		key.slot = slot;
		ret = bg_map_write(st->map[BG_MAP_ARGRULES], &key, &bp->argrules[i].val, "argrules");
	}
	/* The slot value is 8 KiB: keep it off the stack. */
	copy = ret ? NULL : malloc(sizeof(*copy));
	if (!ret && !copy)
		ret = -ENOMEM;
	if (!ret) {
		*copy = bp->slot;
		copy->generation = ++generation;
		ret = bg_map_write(st->map[BG_MAP_POLICIES], &slot, copy, "slot");
	}
	free(copy);
	return ret;
}

static bool argrules_in_slot(const void *key, const void *ctx)
{
	return ((const struct bg_argrules_key *)key)->slot == *(const uint32_t *)ctx;
}

bool bg_slot_holds(const struct bg_state *st, uint32_t slot, const struct bg_bpf_policy *bp)
{
	struct bg_policy_slot *cur = malloc(sizeof(*cur));
	struct bg_argrules *rv;
	bool same = false;
	unsigned n;
	void *keys;
	int ret;

	if (!cur)
		return false;
	if (bpf_map_lookup_elem(st->map[BG_MAP_POLICIES], &slot, cur))
		goto out;
	/* generation only tells writes apart; everything else is the policy */
	cur->generation = bp->slot.generation;
	if (memcmp(cur, &bp->slot, sizeof(*cur)))
		goto out;
	ret = bg_map_collect_keys(st->map[BG_MAP_ARGRULES], sizeof(struct bg_argrules_key), argrules_in_slot,
				  &slot, &keys, &n);
	free(keys);
	if (ret || n != bp->nargrules)
		goto out;
	rv = malloc(sizeof(*rv));
	if (!rv)
		goto out;
	same = true;
	for (unsigned i = 0; same && i < bp->nargrules; i++) {
		struct bg_argrules_key key = bp->argrules[i].key;

		key.slot = slot;
		same = bpf_map_lookup_elem(st->map[BG_MAP_ARGRULES], &key, rv) == 0 &&
		       !memcmp(rv, &bp->argrules[i].val, sizeof(*rv));
	}
	free(rv);
out:
	free(cur);
	return same;
}

int bg_slot_read(const struct bg_state *st, uint32_t slot, struct bg_bpf_policy *out)
{
	struct bg_argrules_key *keys = NULL;
	unsigned n = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(st->map[BG_MAP_POLICIES], &slot, &out->slot))
		return -errno;
	ret = bg_map_collect_keys(st->map[BG_MAP_ARGRULES], sizeof(struct bg_argrules_key), argrules_in_slot,
				  &slot, (void **)&keys, &n);
	if (ret)
		return ret;
	if (n && !(out->argrules = calloc(n, sizeof(*out->argrules)))) {
		free(keys);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < n; i++) {
		struct bg_bpf_argrules *a = &out->argrules[out->nargrules];

		a->key = keys[i];
		if (bpf_map_lookup_elem(st->map[BG_MAP_ARGRULES], &keys[i], &a->val) == 0)
			out->nargrules++; /* gone meanwhile (a detach): skipped */
	}
	free(keys);
	return 0;
}

int bg_slot_clear(const struct bg_state *st, uint32_t slot)
{
	struct bg_policy_slot *zero = calloc(1, sizeof(*zero));
	int ret = bg_map_delete_matching(st->map[BG_MAP_ARGRULES], sizeof(struct bg_argrules_key),
					 argrules_in_slot, &slot, "clear-argrules");

	if (!zero)
		return -ENOMEM;
	if (!ret)
		ret = bg_map_write(st->map[BG_MAP_POLICIES], &slot, zero, "clear-slot");
	free(zero);
	return ret;
}

struct reconcile_ctx {
	const struct bg_state *st;
	/* per walk depth: owner (0 = unguarded), slot and BG_CG_F_* flags */
	uint64_t owner_at[BG_CGROUP_MAX_DEPTH + 2];
	uint32_t slot_at[BG_CGROUP_MAX_DEPTH + 2];
	uint32_t flags_at[BG_CGROUP_MAX_DEPTH + 2];
	uint32_t epoch_at[BG_CGROUP_MAX_DEPTH + 2]; /* the owner's epoch (escape guard tags) */
	struct bg_filter_bits *bits; /* the policy slots' fast-path bitmaps, read once */
	int guarded;
	int err;
};

/* An attachment keeps its epoch across re-attach and policy replacement
 * (its tasks' tags stay valid); a new attachment gets a fresh one. */
static uint32_t owner_epoch(const struct bg_state *st, uint64_t owner)
{
	struct bg_cgroup cur;
	__u64 key = owner;

	if (bpf_map_lookup_elem(st->map[BG_MAP_CGROUPS], &key, &cur) == 0 && cur.owner == owner && cur.epoch)
		return cur.epoch;
	return bg_escape_new_epoch();
}

static int reconcile_visit(const char *abs, uint64_t id, int depth, void *vctx)
{
	struct reconcile_ctx *c = vctx;
	struct bg_attachment a;
	__u64 key = id;
	int ret;

	if (bg_att_get(c->st, id, &a) == 0) {
		c->owner_at[depth + 1] = id;
		c->slot_at[depth + 1] = a.slot;
		c->flags_at[depth + 1] = bg_att_cgflags(&a);
		c->epoch_at[depth + 1] = owner_epoch(c->st, id);
	} else {
		c->owner_at[depth + 1] = c->owner_at[depth];
		c->slot_at[depth + 1] = c->slot_at[depth];
		c->flags_at[depth + 1] = c->flags_at[depth];
		c->epoch_at[depth + 1] = c->epoch_at[depth];
	}
	if (c->owner_at[depth + 1]) {
		struct bg_cgroup val = { .slot = c->slot_at[depth + 1], .owner = c->owner_at[depth + 1],
					 .flags = c->flags_at[depth + 1], .epoch = c->epoch_at[depth + 1] };

		/* entry before filter bit: see bg_cgroup_mkdir in guard.bpf.c.
		 * Both checked: an entry without its filter bit is skipped by
		 * sys_enter, i.e. unguarded. */
		ret = bg_map_write(c->st->map[BG_MAP_CGROUPS], &key, &val, "cgentry");
		if (!ret && !(val.flags & BG_CG_F_SECCOMP))
			ret = bg_filter_mark(c->st, id, val.slot, c->bits);
		if (ret) {
			c->err = ret;
			return ret;
		}
		/* the tasks already here are guarded from now on, wherever
		 * they go (escape.bpf.c) */
		ret = bg_escape_tag_cgroup(c->st, abs, val.owner, val.epoch);
		if (ret < 0) {
			c->err = ret;
			return ret;
		}
		c->guarded++;
	} else {
		ret = bg_map_remove(c->st->map[BG_MAP_CGROUPS], &key, "cgentry-del");
		if (ret) {
			c->err = ret;
			return ret;
		}
	}
	return 0;
}

/* Nearest attached strict ancestor of abs, walking up to the mount. */
static void ancestor_owner(const struct bg_state *st, const char *abs,
			   uint64_t *owner, uint32_t *slot, uint32_t *flags)
{
	char mnt[PATH_MAX], p[PATH_MAX];
	size_t mlen;

	*owner = 0;
	*slot = 0;
	*flags = 0;
	if (bg_cgroup2_mount(mnt, sizeof(mnt)) < 0)
		return;
	mlen = strlen(mnt);
	bg_strlcpy(p, abs, sizeof(p));
	while (strlen(p) > mlen) {
		struct bg_attachment a;
		struct stat sb;
		char *slash = strrchr(p, '/');

		if (!slash)
			return;
		*slash = '\0';
		if (strlen(p) < mlen)
			return;
		if (stat(p, &sb) == 0 && bg_att_get(st, sb.st_ino, &a) == 0) {
			*owner = sb.st_ino;
			*slot = a.slot;
			*flags = bg_att_cgflags(&a);
			return;
		}
	}
}

int bg_reconcile(const struct bg_state *st, const char *abs, uint64_t id)
{
	struct reconcile_ctx c = { .st = st, .bits = bg_filter_bits_new() };
	int ret;

	(void)id;
	ancestor_owner(st, abs, &c.owner_at[0], &c.slot_at[0], &c.flags_at[0]);
	if (c.owner_at[0])
		c.epoch_at[0] = owner_epoch(st, c.owner_at[0]);
	ret = bg_cgroup_walk(abs, reconcile_visit, &c);
	bg_filter_bits_free(c.bits);
	if (ret)
		return ret < 0 ? ret : -EIO;
	return c.guarded;
}

/* Collect-then-delete keeps get_next_key iteration well defined.  With
 * judged_only, just the entries sys_enter judges (not seccomp's). */
struct owned {
	uint64_t owner;
	bool judged_only;
	__u64 *ids;
	unsigned n, max;
};

static void owned_one(const void *key, const void *val, void *ctx)
{
	const struct bg_cgroup *v = val;
	struct owned *o = ctx;

	if ((o->owner == 0 || v->owner == o->owner) && o->n < o->max && !(o->judged_only && (v->flags & BG_CG_F_SECCOMP)))
		o->ids[o->n++] = *(const __u64 *)key;
}

static unsigned collect_owned(const struct bg_state *st, uint64_t owner, __u64 *ids, unsigned max,
			      bool judged_only)
{
	struct owned o = { .owner = owner, .judged_only = judged_only, .ids = ids, .max = max };

	bg_map_for_each(st->map[BG_MAP_CGROUPS], sizeof(__u64), sizeof(struct bg_cgroup), owned_one, &o);
	return o.n;
}

int bg_sweep_owner(const struct bg_state *st, uint64_t owner)
{
	__u64 *ids = calloc(BG_MAX_CGROUPS, sizeof(*ids));
	unsigned n;
	int ret = 0;

	if (!ids)
		return -ENOMEM;
	n = collect_owned(st, owner, ids, BG_MAX_CGROUPS, false);
	for (unsigned i = 0; i < n; i++) {
		int r = bg_map_remove(st->map[BG_MAP_CGROUPS], &ids[i], "sweep");

		if (r && !ret)
			ret = r;
	}
	free(ids);
	return ret;
}

static void owner_one(const void *key, const void *val, void *ctx)
{
	struct owned *o = ctx;

	(void)key;
	if (o->n < o->max)
		o->ids[o->n++] = ((const struct bg_cgroup *)val)->owner;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

int bg_guarded_owners(const struct bg_state *st, __u64 **owners, unsigned *n)
{
	struct owned o = { .max = BG_MAX_CGROUPS };

	*owners = NULL;
	*n = 0;
	if (!(o.ids = calloc(BG_MAX_CGROUPS, sizeof(*o.ids))))
		return -ENOMEM;
	bg_map_for_each(st->map[BG_MAP_CGROUPS], sizeof(__u64), sizeof(struct bg_cgroup), owner_one, &o);
	qsort(o.ids, o.n, sizeof(*o.ids), cmp_u64);
	*owners = o.ids;
	*n = o.n;
	return 0;
}

unsigned bg_guarded_in(const __u64 *owners, unsigned n, uint64_t owner)
{
	unsigned lo = 0, hi = n, first;

	while (lo < hi) { /* first >= owner */
		unsigned m = lo + (hi - lo) / 2;

		if (owners[m] < owner)
			lo = m + 1;
		else
			hi = m;
	}
	first = lo;
	while (lo < n && owners[lo] == owner)
		lo++;
	return lo - first;
}

unsigned bg_guarded_count(const struct bg_state *st, uint64_t owner)
{
	__u64 *ids = calloc(BG_MAX_CGROUPS, sizeof(*ids));
	unsigned n;

	if (!ids)
		return 0;
	n = collect_owned(st, owner, ids, BG_MAX_CGROUPS, false);
	free(ids);
	return n;
}

static bool counter_of_owner(const void *key, const void *ctx)
{
	return ((const struct bg_counter_key *)key)->owner == *(const uint64_t *)ctx;
}

void bg_counters_drop(const struct bg_state *st, uint64_t owner)
{
	/* best effort: a counter left behind only shows in status */
	bg_map_delete_matching(st->map[BG_MAP_COUNTERS], sizeof(struct bg_counter_key), counter_of_owner, &owner,
			       NULL);
}

unsigned bg_att_count_judged(const struct bg_state *st)
{
	__u32 c[BG_SLOTREF__COUNT];

	if (refs_read(st, c))
		return 1; /* unknown: keep the programs up */
	return c[BG_SLOTREF_JUDGED];
}

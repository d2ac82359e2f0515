// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * filter.c - keeping bg_cgfilter exact (filter.h).
 *
 * The slots are written through st->filter, an mmap of the array, because
 * the fast path needs the tag to change as one atomic word and the map
 * update syscall copies values with memcpy.  The protocol is the one
 * bpfguard.h states at struct bg_filter_ent, shared with cgroup_mkdir in
 * guard.bpf.c:
 *   - take a slot: compare-and-swap its current value for BUSY (a slot
 *     that is BUSY belongs to cgroup_mkdir: we make it EXACT instead);
 *   - fill the bitmap; swap BUSY for the tag (if someone made it EXACT
 *     meanwhile, it stays EXACT);
 *   - EXACT may replace anything at any time; 0 only where no guarded id
 *     hashes, and the rebuild re-checks after clearing (cgroup_mkdir may
 *     have made a new guarded cgroup meanwhile).
 * A tag serves only the cgroup it names, so every race ends in the exact
 * path or the right bitmap, never in another cgroup's answer.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "map_helpers.h"
#include "testhooks.h"

#define WORDS (BG_MAX_SYSCALLS / 64)

void bg_filter_allow_bits(const struct bg_policy_slot *pol, __u64 allow[WORDS])
{
	for (int w = 0; w < WORDS; w++)
		allow[w] = bg_filter_allow_word(pol->sys[BG_ABI_X86_64], w);
}

/* Bitmaps of the policy slots one operation needs, read once each (a
 * policy slot is 8 KiB; a subtree of 10,000 cgroups shares one). */
struct bg_filter_bits {
	bool have[BG_MAX_POLICIES];
	__u64 allow[BG_MAX_POLICIES][WORDS];
};

struct bg_filter_bits *bg_filter_bits_new(void)
{
	return calloc(1, sizeof(struct bg_filter_bits));
}

void bg_filter_bits_free(struct bg_filter_bits *c)
{
	free(c);
}

static int slot_bits(const struct bg_state *st, uint32_t slot, struct bg_filter_bits *c, const __u64 **out)
{
	struct bg_policy_slot *pol;

	if (slot >= BG_MAX_POLICIES)
		return -EINVAL;
	if (!c->have[slot]) {
		pol = malloc(sizeof(*pol));
		if (!pol)
			return -ENOMEM;
		if (bpf_map_lookup_elem(st->map[BG_MAP_POLICIES], &slot, pol)) {
			int e = -errno;

			free(pol);
			return e;
		}
		bg_filter_allow_bits(pol, c->allow[slot]);
		free(pol);
		c->have[slot] = true;
	}
	*out = c->allow[slot];
	return 0;
}

static uint64_t tag_of(struct bg_filter_ent *e)
{
	return __atomic_load_n(&e->tag, __ATOMIC_ACQUIRE);
}

static void make_exact(struct bg_filter_ent *e)
{
	__atomic_exchange_n(&e->tag, BG_FILTER_EXACT, __ATOMIC_SEQ_CST);
}

static bool swap(struct bg_filter_ent *e, __u64 from, __u64 to)
{
	return __atomic_compare_exchange_n(&e->tag, &from, to, false, __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE);
}

/* Makes e serve cgroup id with bitmap allow.  Only called where no other
 * guarded id hashes to e (as far as the caller knows: one that appears
 * meanwhile finds the tag is not its own and takes the exact path). */
static void install(struct bg_filter_ent *e, uint64_t id, const __u64 *allow)
{
	uint64_t cur = tag_of(e);

	if (!BG_FILTER_TAGGABLE(id)) {
		make_exact(e);
		return;
	}
	if (cur == BG_FILTER_TAG(id) && !memcmp(e->allow, allow, sizeof(e->allow)))
		return; /* already right: no window at all */
	/* cgroup_mkdir is filling it: never write under it */
	if (cur == BG_FILTER_BUSY || !swap(e, cur, BG_FILTER_BUSY)) {
		make_exact(e);
		return;
	}
	for (int w = 0; w < WORDS; w++)
		__atomic_store_n(&e->allow[w], allow[w], __ATOMIC_RELAXED);
	/* release: a reader that sees the tag sees the bitmap (x86 keeps
	 * stores in order; the fence keeps the compiler from moving them) */
	swap(e, BG_FILTER_BUSY, BG_FILTER_TAG(id));
}

/* Marks that left a slot shared (EXACT): the only ones a later rebuild
 * can improve on (bg_filter_marked_shared). */
static unsigned long shared_marks;

unsigned long bg_filter_marked_shared(void)
{
	return shared_marks;
}

int bg_filter_mark(const struct bg_state *st, uint64_t id, uint32_t slot, struct bg_filter_bits *bits)
{
	struct bg_filter_bits *c = bits;
	struct bg_filter_ent *e;
	const __u64 *allow = NULL;
	uint64_t cur;
	int ret = bg_fault("filter");

	if (ret)
		return ret;
	if (!st->filter)
		return -EBADF;
	e = &st->filter[id & (BG_FILTER_SLOTS - 1)];
	cur = tag_of(e);
	if (cur != 0 && cur != BG_FILTER_TAG(id)) {
		shared_marks++;
		make_exact(e); /* shared with another guarded id, or a stale EXACT */
		return 0;
	}
	if (!c)
		c = bg_filter_bits_new();
	/* without the bitmap the exact path is still right */
	if (!c || slot_bits(st, slot, c, &allow))
		make_exact(e);
	else
		install(e, id, allow);
	if (c != bits)
		bg_filter_bits_free(c);
	return 0;
}

struct want {
	uint16_t n[BG_FILTER_SLOTS]; /* guarded ids hashing here (saturating) */
	uint64_t id[BG_FILTER_SLOTS];
	uint32_t slot[BG_FILTER_SLOTS];
	uint64_t *all;               /* every guarded id, for the re-check */
	unsigned nall;
};

static void want_one(const void *key, const void *val, void *ctx)
{
	const struct bg_cgroup *cg = val;
	struct want *w = ctx;
	uint64_t id = *(const uint64_t *)key;
	uint32_t h = id & (BG_FILTER_SLOTS - 1);

	if (cg->flags & BG_CG_F_SECCOMP)
		return; /* seccomp judges it; sys_enter leaves it alone */
	if (w->n[h] < UINT16_MAX)
		w->n[h]++;
	w->id[h] = id;
	w->slot[h] = cg->slot;
	if (w->nall < BG_MAX_CGROUPS)
		w->all[w->nall++] = id;
}

static int scan(const struct bg_state *st, struct want *w)
{
	memset(w->n, 0, sizeof(w->n));
	w->nall = 0;
	return bg_map_for_each(st->map[BG_MAP_CGROUPS], sizeof(uint64_t), sizeof(struct bg_cgroup), want_one, w);
}

int bg_filter_rebuild(const struct bg_state *st)
{
	struct want *w = calloc(1, sizeof(*w));
	struct bg_filter_bits *c = bg_filter_bits_new();
	int ret = -ENOMEM;

	if (!w || !c || !(w->all = calloc(BG_MAX_CGROUPS, sizeof(*w->all))))
		goto out;
	ret = -EBADF;
	if (!st->filter)
		goto out;
	if ((ret = scan(st, w)))
		goto out;
	for (uint32_t h = 0; h < BG_FILTER_SLOTS; h++) {
		struct bg_filter_ent *e = &st->filter[h];
		uint64_t cur = tag_of(e);
		const __u64 *allow = NULL;

		if (w->n[h] == 0) {
			/* Free it, unless cgroup_mkdir is filling it (its
			 * cgroup is guarded: the re-check below keeps it). */
			if (cur != 0 && cur != BG_FILTER_BUSY)
				swap(e, cur, 0);
		} else if (w->n[h] == 1 && slot_bits(st, w->slot[h], c, &allow) == 0) {
			install(e, w->id[h], allow);
		} else if (cur != BG_FILTER_EXACT) {
			make_exact(e);
		}
	}
	/* A cgroup the kernel made guarded meanwhile (cgroup_mkdir inherits)
	 * was not in our scan: an entry inserted before our clear must not
	 * stay behind a 0, nor behind another cgroup's tag we installed (that
	 * cgroup's rmdir would free the slot under it): re-scan.  The exact
	 * path is right for it whatever else the slot holds. */
	if ((ret = scan(st, w)))
		goto out;
	for (unsigned i = 0; i < w->nall && !ret; i++) {
		struct bg_filter_ent *e = &st->filter[w->all[i] & (BG_FILTER_SLOTS - 1)];
		uint64_t cur = tag_of(e);

		if ((ret = bg_fault("filter")))
			break;
		if (cur == 0)
			swap(e, 0, BG_FILTER_EXACT);
		else if ((cur & 1) && cur != BG_FILTER_TAG(w->all[i]))
			make_exact(e);
	}
out:
	if (w)
		free(w->all);
	free(w);
	free(c);
	return ret;
}

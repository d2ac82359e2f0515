// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * status.c - the model of `bpfguard status` (status.h): attachments, the
 * mechanisms in force, exact denial counters and event statistics, read
 * from the pinned maps.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vec.h"
#include "attachment.h"
#include "cghooks.h"
#include "cgroup.h"
#include "escape.h"
#include "exec_allow.h"
#include "lsm.h"
#include "status.h"
#include "util.h"

static int by_count_desc(const void *a, const void *b)
{
	const struct bg_status_counter *x = a, *y = b;

	return x->n < y->n ? 1 : x->n > y->n ? -1 : 0;
}

/* Exact counters of one attachment, merged over its cgroups. */
static void collect_counters(const struct bg_state *st, struct bg_status_att *sa)
{
	struct bg_counter_key key, next, *prev = NULL;
	struct bg_status_counter *list = NULL;
	unsigned cnt = 0;
	size_t cap = 0;

	sa->denials_total = 0;
	while (bpf_map_get_next_key(st->map[BG_MAP_COUNTERS], prev, &next) == 0) {
		__u64 v;

		key = next;
		prev = &key;
		if (next.owner != sa->a.cgid || bpf_map_lookup_elem(st->map[BG_MAP_COUNTERS], &next, &v))
			continue;
		sa->denials_total += v;
		unsigned i;

		for (i = 0; i < cnt; i++)
			if (list[i].key.nr == next.nr && list[i].key.abi == next.abi &&
			    list[i].key.verdict == next.verdict && list[i].key.effect == next.effect)
				break;
		if (i == cnt) {
			if (BG_VEC_RESERVE(list, cap, cnt + 1))
				break;
			list[cnt] = (struct bg_status_counter){ .key = next };
			list[cnt].key.cgid = 0;
			cnt++;
		}
		list[i].n += v;
	}
	if (cnt)
		qsort(list, cnt, sizeof(*list), by_count_desc);
	sa->counters = list;
	sa->ncounters = cnt;
}

static void read_rules(const struct bg_state *st, struct bg_status_att *sa)
{
	struct bg_bpf_policy bp;

	if (bg_slot_read(st, sa->a.slot, &bp))
		return;
	bg_rule_mechs(&bp.slot, bp.argrules, bp.nargrules, &sa->rules, &sa->nrules);
	bg_bpf_policy_free(&bp);
}

static void read_att(const struct bg_state *st, const char *mnt, const __u64 *owners, unsigned nown,
		     struct bg_status_att *sa)
{
	const struct bg_attachment *a = &sa->a;
	struct stat sb;

	if (mnt) {
		sa->have_path = true;
		snprintf(sa->cgroup_path, sizeof(sa->cgroup_path), "%s%s", mnt, strcmp(a->path, "/") ? a->path : "");
		sa->cgroup_exists = stat(sa->cgroup_path, &sb) == 0 && sb.st_ino == a->cgid;
	}
	bg_cghooks_summary_slot(a->slot, sa->cghooks, sizeof(sa->cghooks));
	bg_exec_summary_slot(a->slot, sa->executables, sizeof(sa->executables));
	bg_cghooks_counts(a->cgid, sa->hook_denied, sa->hook_recorded);
	sa->guarded = bg_guarded_in(owners, nown, a->cgid);
	collect_counters(st, sa);
	read_rules(st, sa);
}

int bg_status_read(struct bg_status *s, struct bg_diag *d)
{
	struct bg_attachment *list = NULL;
	__u64 *owners = NULL;
	unsigned nown = 0;
	char mnt[PATH_MAX];
	bool have_mnt;
	struct bg_state st;
	unsigned n = 0;
	int ret;

	*s = (struct bg_status){};
	s->sys_enter_attached = bg_state_links_present();
	s->lsm_attached = bg_lsm_links_present();
	s->escape_attached = bg_escape_present();
	bg_exec_gate_status(&s->gate);
	ret = bg_state_open(&st, false, d);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return -1;
	s->have_state = true;
	if (bg_att_list(&st, &list, &n)) {
		bg_state_close(&st);
		bg_diag_set(d, "cannot list attachments");
		return -1;
	}
	if (n && !(s->att = calloc(n, sizeof(*s->att)))) {
		free(list);
		bg_state_close(&st);
		bg_diag_set(d, "out of memory");
		return -1;
	}
	have_mnt = bg_cgroup2_mount(mnt, sizeof(mnt)) == 0;
	/* one walk of bg_cgroups for every attachment's count */
	if (bg_guarded_owners(&st, &owners, &nown)) {
		free(list);
		bg_state_close(&st);
		bg_diag_set(d, "out of memory");
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		s->att[i].a = list[i];
		read_att(&st, have_mnt ? mnt : NULL, owners, nown, &s->att[i]);
	}
	s->natt = n;
	free(list);
	for (unsigned k = 0; k < BG_STAT__COUNT; k++)
		s->stat[k] = bg_state_stat(&st, k);
	s->cgroups_guarded = nown;
	free(owners);
	bg_state_close(&st);
	return 0;
}

void bg_status_free(struct bg_status *s)
{
	for (unsigned i = 0; i < s->natt; i++) {
		free(s->att[i].counters);
		free(s->att[i].rules);
	}
	free(s->att);
	*s = (struct bg_status){};
}

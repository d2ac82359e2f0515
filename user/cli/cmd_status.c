// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * status: what is attached where, how it is enforced, what it denied.
 * Reads the pinned maps only; never changes anything.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attachment.h"
#include "escape.h"
#include "cghooks.h"
#include "exec_allow.h"
#include "cgroup.h"
#include "commands.h"
#include "loader.h"
#include "lsm.h"
#include "mechanism.h"
#include "policy.h"
#include "syscalls.h"
#include "textsafe.h"
#include "util.h"

struct counter {
	struct bg_counter_key key;
	unsigned long long n;
};

static int by_count_desc(const void *a, const void *b)
{
	const struct counter *x = a, *y = b;

	return x->n < y->n ? 1 : x->n > y->n ? -1 : 0;
}

/* Exact counters of one attachment, merged over its cgroups. */
static struct counter *collect_counters(const struct bg_state *st, uint64_t owner,
					unsigned *n, unsigned long long *total)
{
	struct bg_counter_key key, next, *prev = NULL;
	struct counter *list = NULL;
	unsigned cnt = 0, cap = 0;

	*total = 0;
	while (bpf_map_get_next_key(st->map[BG_MAP_COUNTERS], prev, &next) == 0) {
		__u64 v;

		key = next;
		prev = &key;
		if (next.owner != owner || bpf_map_lookup_elem(st->map[BG_MAP_COUNTERS], &next, &v))
			continue;
		*total += v;
		unsigned i;

		for (i = 0; i < cnt; i++)
			if (list[i].key.nr == next.nr && list[i].key.abi == next.abi &&
			    list[i].key.verdict == next.verdict && list[i].key.effect == next.effect)
				break;
		if (i == cnt) {
			if (cnt == cap) {
				struct counter *g = realloc(list, (cap ? cap * 2 : 32) * sizeof(*g));

				if (!g)
					break;
				list = g;
				cap = cap ? cap * 2 : 32;
			}
			list[cnt] = (struct counter){ .key = next };
			list[cnt].key.cgid = 0;
			cnt++;
		}
		list[i].n += v;
	}
	if (cnt)
		qsort(list, cnt, sizeof(*list), by_count_desc);
	*n = cnt;
	return list;
}

/* "kill 340, audit 2" from the attach-time tally. */
static void mech_line(const struct bg_attachment *a, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned m = 1; m < ARRAY_SIZE(a->nrules_by_mech) && used < len; m++)
		if (a->nrules_by_mech[m])
			used += snprintf(buf + used, len - used, "%s%s %u", used ? ", " : "",
					 bg_mech_name(m), a->nrules_by_mech[m]);
	if (!buf[0])
		snprintf(buf, len, "none (everything allowed)");
}

static struct json_object *attachment_json(const struct bg_state *st, const struct bg_attachment *a)
{
	struct json_object *o = json_object_new_object(), *mech = json_object_new_object();
	struct json_object *den = json_object_new_array();
	unsigned long long total;
	struct counter *cs;
	unsigned n;
	char mnt[PATH_MAX], abs[PATH_MAX * 2];
	struct stat sb;

	/* cgroup and policy names are bytes others chose (textsafe.h) */
	bg_json_add_str(o, "cgroup", a->path);
	if (bg_cgroup2_mount(mnt, sizeof(mnt)) == 0) {
		snprintf(abs, sizeof(abs), "%s%s", mnt, strcmp(a->path, "/") ? a->path : "");
		bg_json_add_str(o, "cgroup_path", abs);
		json_object_object_add(o, "cgroup_exists",
				       json_object_new_boolean(stat(abs, &sb) == 0 && sb.st_ino == a->cgid));
	}
	json_object_object_add(o, "cgroup_id", json_object_new_uint64(a->cgid));
	bg_json_add_str(o, "policy", a->policy);
	bg_json_add_str(o, "policy_source", a->source);
	json_object_object_add(o, "mode", json_object_new_string(bg_mode_name((int)a->mode)));
	json_object_object_add(o, "fallback", json_object_new_string(bg_fallback_name((int)a->fallback)));
	for (unsigned m = 0; m < ARRAY_SIZE(a->nrules_by_mech); m++)
		if (a->nrules_by_mech[m])
			json_object_object_add(mech, m ? bg_mech_name(m) : "allowed",
					       json_object_new_int((int)a->nrules_by_mech[m]));
	json_object_object_add(o, "mechanisms", mech);
	{
		unsigned long long denied[BG_HOOK__COUNT] = {}, recorded[BG_HOOK__COUNT] = {};
		struct json_object *hooks = json_object_new_object();
		char line[512];

		bg_cghooks_summary_slot(a->slot, line, sizeof(line));
		json_object_object_add(o, "cgroup_hooks", json_object_new_string(line));
		bg_exec_summary_slot(a->slot, line, sizeof(line));
		json_object_object_add(o, "executables", json_object_new_string(line));
		json_object_object_add(o, "syscalls_by", json_object_new_string(
			(a->flags & BG_ATT_F_SECCOMP) ? "seccomp (bpfguard run)" : "sys_enter"));
		bg_cghooks_counts(a->cgid, denied, recorded);
		for (unsigned h = 1; h < BG_HOOK__COUNT; h++) {
			struct json_object *c;

			if (!denied[h] && !recorded[h])
				continue;
			c = json_object_new_object();
			json_object_object_add(c, "denied", json_object_new_uint64(denied[h]));
			json_object_object_add(c, "recorded", json_object_new_uint64(recorded[h]));
			json_object_object_add(hooks, bg_hook_name(h), c);
		}
		json_object_object_add(o, "hook_decisions", hooks);
	}
	json_object_object_add(o, "guarded_cgroups", json_object_new_int((int)bg_guarded_count(st, a->cgid)));
	cs = collect_counters(st, a->cgid, &n, &total);
	for (unsigned i = 0; i < n; i++) {
		struct json_object *d = json_object_new_object();
		const char *name = cs[i].key.abi < BG_NR_TABLES ? bg_syscall_name(cs[i].key.abi, (int)cs[i].key.nr) : NULL;

		json_object_object_add(d, "syscall", name ? json_object_new_string(name) : NULL);
		json_object_object_add(d, "nr", json_object_new_int((int)cs[i].key.nr));
		json_object_object_add(d, "abi", json_object_new_string(bg_abi_name(cs[i].key.abi)));
		json_object_object_add(d, "action", json_object_new_string(bg_verdict_name(cs[i].key.verdict)));
		json_object_object_add(d, "effect", json_object_new_string(bg_effect_name(cs[i].key.effect)));
		json_object_object_add(d, "count", json_object_new_uint64(cs[i].n));
		json_object_array_add(den, d);
	}
	free(cs);
	json_object_object_add(o, "denials_total", json_object_new_uint64(total));
	json_object_object_add(o, "denials", den);
	return o;
}

static void print_text(const struct bg_state *st, const struct bg_attachment *list, unsigned n)
{
	if (!n)
		printf("no cgroups attached\n");
	for (unsigned i = 0; i < n; i++) {
		const struct bg_attachment *a = &list[i];
		unsigned long long total;
		struct counter *cs;
		unsigned nc;
		char mech[256], epath[BG_ESC_MAX], epol[BG_ESC_MAX];

		mech_line(a, mech, sizeof(mech));
		cs = collect_counters(st, a->cgid, &nc, &total);
		/* escaped: a cgroup name must not reach the terminal raw */
		printf("%s (id %llu): policy %s, mode %s, %u cgroup(s) guarded\n", bg_esc(a->path, epath),
		       (unsigned long long)a->cgid, bg_esc(a->policy, epol), bg_mode_name((int)a->mode),
		       bg_guarded_count(st, a->cgid));
		printf("  mechanisms: %s (fallback %s)\n", mech, bg_fallback_name((int)a->fallback));
		{
			unsigned long long denied[BG_HOOK__COUNT] = {}, recorded[BG_HOOK__COUNT] = {};
			char line[512];

			bg_cghooks_summary_slot(a->slot, line, sizeof(line));
			if (line[0])
				printf("  cgroup hooks: %s\n", line);
			bg_exec_summary_slot(a->slot, line, sizeof(line));
			if (line[0])
				printf("  executables: %s\n", line);
			if (a->flags & BG_ATT_F_SECCOMP)
				printf("  syscalls judged by the seccomp filter of bpfguard run (no sys_enter program)\n");
			bg_cghooks_counts(a->cgid, denied, recorded);
			for (unsigned h = 1; h < BG_HOOK__COUNT; h++)
				if (denied[h] || recorded[h])
					printf("    %-20s denied %llu, recorded %llu\n", bg_hook_name(h), denied[h], recorded[h]);
		}
		printf("  denials: %llu\n", total);
		for (unsigned k = 0; k < nc && k < 20; k++) {
			const char *name = cs[k].key.abi < BG_NR_TABLES ?
				bg_syscall_name(cs[k].key.abi, (int)cs[k].key.nr) : NULL;

			printf("    %-20s %-6s %-6s %-8s %llu\n", name ? name : "?", bg_abi_name(cs[k].key.abi),
			       bg_verdict_name(cs[k].key.verdict), bg_effect_name(cs[k].key.effect), cs[k].n);
		}
		free(cs);
	}
	printf("events: %llu sent, %llu lost (ring buffer full), %llu rate-limited\n",
	       bg_state_stat(st, BG_STAT_EVENTS), bg_state_stat(st, BG_STAT_LOST),
	       bg_state_stat(st, BG_STAT_SUPPRESSED));
	printf("sys_enter program: %s; BPF LSM deny programs: %s\n",
	       bg_state_links_present() ? "attached" : "not attached",
	       bg_lsm_links_present() ? "attached" : "not attached");
	printf("escape guard: %s; %llu guarded tasks killed for leaving their subtree\n",
	       bg_escape_present() ? "attached" : "not attached", bg_state_stat(st, BG_STAT_ESCAPES));
	printf("cgroups guarded: %u of %d (bg_cgroups)\n", bg_guarded_count(st, 0), BG_MAX_CGROUPS);
	if (bg_state_stat(st, BG_STAT_CGROUP_FULL))
		printf("warning: %llu cgroups were created under guarded ones while bg_cgroups was full; "
		       "tasks entering them are killed (docs/threat-model.md)\n", bg_state_stat(st, BG_STAT_CGROUP_FULL));
	if (bg_state_stat(st, BG_STAT_LSM_MISSED))
		printf("warning: %llu LSM-denied calls reached no hook and ran (see docs/enforcement.md)\n",
		       bg_state_stat(st, BG_STAT_LSM_MISSED));
}

int cmd_status(int argc, char **argv)
{
	struct bg_attachment *list = NULL;
	struct bg_state st;
	struct bg_diag diag = {};
	unsigned n = 0;
	int json = 0, ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j")) {
			json = 1;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("Usage: bpfguard status [--json]\n  attachments, the mechanism in force for each, exact denial counters, event statistics\n");
			return BG_EXIT_OK;
		} else {
			bg_err("status: unknown argument '%s'; usage: bpfguard status [--json]", argv[i]);
			return BG_EXIT_USAGE;
		}
	}
	ret = bg_state_open(&st, false, &diag);
	if (ret && ret != -ENOENT) {
		bg_diag_print(&diag);
		return BG_EXIT_FAIL;
	}
	if (!ret && bg_att_list(&st, &list, &n)) {
		bg_state_close(&st);
		bg_err("cannot list attachments");
		return BG_EXIT_FAIL;
	}
	if (json) {
		struct json_object *o = json_object_new_object(), *arr = json_object_new_array();

		for (unsigned i = 0; i < n; i++)
			json_object_array_add(arr, attachment_json(&st, &list[i]));
		json_object_object_add(o, "attachments", arr);
		json_object_object_add(o, "sys_enter_attached", json_object_new_boolean(bg_state_links_present()));
		json_object_object_add(o, "events_sent", json_object_new_uint64(ret ? 0 : bg_state_stat(&st, BG_STAT_EVENTS)));
		json_object_object_add(o, "events_lost", json_object_new_uint64(ret ? 0 : bg_state_stat(&st, BG_STAT_LOST)));
		json_object_object_add(o, "events_rate_limited", json_object_new_uint64(ret ? 0 : bg_state_stat(&st, BG_STAT_SUPPRESSED)));
		json_object_object_add(o, "counter_overflow", json_object_new_uint64(ret ? 0 : bg_state_stat(&st, BG_STAT_COUNTER_FULL)));
		json_object_object_add(o, "lsm_attached", json_object_new_boolean(bg_lsm_links_present()));
		json_object_object_add(o, "lsm_missed", json_object_new_uint64(ret ? 0 : bg_state_stat(&st, BG_STAT_LSM_MISSED)));
		json_object_object_add(o, "lsm_mark_failed", json_object_new_uint64(ret ? 0 : bg_state_stat(&st, BG_STAT_MARK_FAILED)));
		json_object_object_add(o, "inherited_cgroups", json_object_new_uint64(ret ? 0 : bg_state_stat(&st, BG_STAT_INHERITED)));
		json_object_object_add(o, "escape_guard_attached", json_object_new_boolean(bg_escape_present()));
		json_object_object_add(o, "escapes_killed", json_object_new_uint64(ret ? 0 : bg_state_stat(&st, BG_STAT_ESCAPES)));
		json_object_object_add(o, "cgroups_guarded", json_object_new_uint64(ret ? 0 : bg_guarded_count(&st, 0)));
		json_object_object_add(o, "cgroups_capacity", json_object_new_uint64(BG_MAX_CGROUPS));
		json_object_object_add(o, "cgroups_created_while_full", json_object_new_uint64(ret ? 0 : bg_state_stat(&st, BG_STAT_CGROUP_FULL)));
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else if (ret == -ENOENT) {
		printf("no cgroups attached (no bpfguard state in %s)\n", BG_BPFFS);
	} else {
		print_text(&st, list, n);
	}
	free(list);
	if (!ret)
		bg_state_close(&st);
	return 0;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * status: what is attached where, how it is enforced, what it denied.
 * The model is read by core/status.c (pinned maps only, nothing
 * changes); this file parses the arguments and renders it.
 */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "cghooks.h"
#include "exec_allow.h"
#include "commands.h"
#include "policy.h"
#include "mechanism.h"
#include "status.h"
#include "syscalls.h"
#include "textsafe.h"
#include "util.h"

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

static const char *counter_syscall(const struct bg_status_counter *c)
{
	return c->key.abi < BG_NR_TABLES ? bg_syscall_name(c->key.abi, (int)c->key.nr) : NULL;
}

static struct json_object *attachment_json(const struct bg_status_att *sa)
{
	const struct bg_attachment *a = &sa->a;
	struct json_object *o = json_object_new_object(), *mech = json_object_new_object();
	struct json_object *den = json_object_new_array(), *hooks = json_object_new_object();

	/* cgroup and policy names are bytes others chose (textsafe.h) */
	bg_json_add_str(o, "cgroup", a->path);
	if (sa->have_path) {
		bg_json_add_str(o, "cgroup_path", sa->cgroup_path);
		json_object_object_add(o, "cgroup_exists", json_object_new_boolean(sa->cgroup_exists));
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
		struct json_object *rules = json_object_new_array();

		for (unsigned i = 0; i < sa->nrules; i++)
			json_object_array_add(rules, bg_rule_mech_json(&sa->rules[i]));
		json_object_object_add(o, "rules", rules);
	}
	json_object_object_add(o, "cgroup_hooks", json_object_new_string(sa->cghooks));
	json_object_object_add(o, "executables", json_object_new_string(sa->executables));
	if (sa->executables[0])
		json_object_object_add(o, "exec_mechanism", json_object_new_string(bg_exec_mechanism_slot(a->slot)));
	json_object_object_add(o, "syscalls_by", json_object_new_string(
		(a->flags & BG_ATT_F_SECCOMP) ? "seccomp (bpfguard run)" : "sys_enter"));
	for (unsigned h = 1; h < BG_HOOK__COUNT; h++) {
		struct json_object *c;

		if (!sa->hook_denied[h] && !sa->hook_recorded[h])
			continue;
		c = json_object_new_object();
		json_object_object_add(c, "denied", json_object_new_uint64(sa->hook_denied[h]));
		json_object_object_add(c, "recorded", json_object_new_uint64(sa->hook_recorded[h]));
		json_object_object_add(hooks, bg_hook_name(h), c);
	}
	json_object_object_add(o, "hook_decisions", hooks);
	json_object_object_add(o, "guarded_cgroups", json_object_new_int((int)sa->guarded));
	for (unsigned i = 0; i < sa->ncounters; i++) {
		const struct bg_status_counter *c = &sa->counters[i];
		struct json_object *d = json_object_new_object();
		const char *name = counter_syscall(c);

		json_object_object_add(d, "syscall", name ? json_object_new_string(name) : NULL);
		json_object_object_add(d, "nr", json_object_new_int((int)c->key.nr));
		json_object_object_add(d, "abi", json_object_new_string(bg_abi_name(c->key.abi)));
		json_object_object_add(d, "action", json_object_new_string(bg_verdict_name(c->key.verdict)));
		json_object_object_add(d, "effect", json_object_new_string(bg_effect_name(c->key.effect)));
		json_object_object_add(d, "count", json_object_new_uint64(c->n));
		json_object_array_add(den, d);
	}
	json_object_object_add(o, "denials_total", json_object_new_uint64(sa->denials_total));
	json_object_object_add(o, "denials", den);
	return o;
}

static struct json_object *gate_json(const struct bg_gate_status *g)
{
	struct json_object *o = json_object_new_object(), *why = json_object_new_object();

	json_object_object_add(o, "running", json_object_new_boolean(g->running));
	json_object_object_add(o, "answering", json_object_new_boolean(g->worker));
	json_object_object_add(o, "pid", json_object_new_int(g->pid));
	json_object_object_add(o, "worker_pid", json_object_new_int(g->worker_pid));
	json_object_object_add(o, "stall_bound_ms", json_object_new_int(BG_GATE_STALL_MS + BG_GATE_CHECK_MS));
	json_object_object_add(o, "file_systems_marked", json_object_new_int((int)g->c.marks));
	json_object_object_add(o, "file_systems_unmarked", json_object_new_int((int)g->c.mark_failed));
	json_object_object_add(o, "events", json_object_new_uint64(g->c.events));
	json_object_object_add(o, "allowed", json_object_new_uint64(g->c.allowed));
	json_object_object_add(o, "denied", json_object_new_uint64(g->c.denied));
	json_object_object_add(o, "cache_hits", json_object_new_uint64(g->c.cache_hits));
	json_object_object_add(o, "unguarded", json_object_new_uint64(g->c.unguarded));
	json_object_object_add(o, "audit", json_object_new_uint64(g->c.audit));
	json_object_object_add(o, "interpreters", json_object_new_uint64(g->c.interp));
	json_object_object_add(o, "unknown_task", json_object_new_uint64(g->c.unknown));
	json_object_object_add(o, "restarts", json_object_new_uint64(g->c.restarts));
	json_object_object_add(o, "stalls", json_object_new_uint64(g->c.stalls));
	for (uint32_t w = 1; w < ARRAY_SIZE(g->c.deny_why); w++)
		if (g->c.deny_why[w])
			json_object_object_add(why, bg_exec_why_name(w, true), json_object_new_uint64(g->c.deny_why[w]));
	json_object_object_add(o, "denied_by_why", why);
	return o;
}

static void print_json(const struct bg_status *s)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array();

	for (unsigned i = 0; i < s->natt; i++)
		json_object_array_add(arr, attachment_json(&s->att[i]));
	json_object_object_add(o, "attachments", arr);
	json_object_object_add(o, "sys_enter_attached", json_object_new_boolean(s->sys_enter_attached));
	json_object_object_add(o, "events_sent", json_object_new_uint64(s->stat[BG_STAT_EVENTS]));
	json_object_object_add(o, "events_lost", json_object_new_uint64(s->stat[BG_STAT_LOST]));
	json_object_object_add(o, "events_rate_limited", json_object_new_uint64(s->stat[BG_STAT_SUPPRESSED]));
	json_object_object_add(o, "counter_overflow", json_object_new_uint64(s->stat[BG_STAT_COUNTER_FULL]));
	json_object_object_add(o, "lsm_attached", json_object_new_boolean(s->lsm_attached));
	json_object_object_add(o, "lsm_missed", json_object_new_uint64(s->stat[BG_STAT_LSM_MISSED]));
	json_object_object_add(o, "lsm_mark_failed", json_object_new_uint64(s->stat[BG_STAT_MARK_FAILED]));
	json_object_object_add(o, "hook_missed_killed", json_object_new_uint64(s->stat[BG_STAT_HOOK_MISSED]));
	json_object_object_add(o, "inherited_cgroups", json_object_new_uint64(s->stat[BG_STAT_INHERITED]));
	json_object_object_add(o, "escape_guard_attached", json_object_new_boolean(s->escape_attached));
	json_object_object_add(o, "escapes_killed", json_object_new_uint64(s->stat[BG_STAT_ESCAPES]));
	json_object_object_add(o, "cgroups_guarded", json_object_new_uint64(s->cgroups_guarded));
	json_object_object_add(o, "cgroups_capacity", json_object_new_uint64(BG_MAX_CGROUPS));
	json_object_object_add(o, "cgroups_created_while_full", json_object_new_uint64(s->stat[BG_STAT_CGROUP_FULL]));
	json_object_object_add(o, "exec_gate", gate_json(&s->gate));
	bg_json_print(o);
	json_object_put(o);
}

/* Rule by rule, the mechanism the kernel enforces it with (the default
 * is the `mechanisms` tally above); long allow-lists print a bounded head. */
static void print_rules(const struct bg_rule_mech *r, unsigned n)
{
	char line[512];

	for (unsigned i = 0; i < n && i < 40; i++) {
		bg_rule_mech_str(&r[i], line, sizeof(line));
		printf("    rule %s\n", line);
	}
	if (n > 40)
		printf("    ... %u more rules (status --json lists them all)\n", n - 40);
}

static void print_att_text(const struct bg_status_att *sa)
{
	const struct bg_attachment *a = &sa->a;
	char mech[256], epath[BG_ESC_MAX], epol[BG_ESC_MAX];

	mech_line(a, mech, sizeof(mech));
	/* escaped: a cgroup name must not reach the terminal raw */
	printf("%s (id %llu): policy %s, mode %s, %u cgroup(s) guarded\n", bg_esc(a->path, epath),
	       (unsigned long long)a->cgid, bg_esc(a->policy, epol), bg_mode_name((int)a->mode), sa->guarded);
	printf("  mechanisms: %s (fallback %s)\n", mech, bg_fallback_name((int)a->fallback));
	print_rules(sa->rules, sa->nrules);
	if (sa->cghooks[0])
		printf("  cgroup hooks: %s\n", sa->cghooks);
	if (sa->executables[0])
		printf("  executables: %s\n", sa->executables);
	if (a->flags & BG_ATT_F_SECCOMP)
		printf("  syscalls judged by the seccomp filter of bpfguard run (no sys_enter program)\n");
	for (unsigned h = 1; h < BG_HOOK__COUNT; h++)
		if (sa->hook_denied[h] || sa->hook_recorded[h])
			printf("    %-20s denied %llu, recorded %llu\n", bg_hook_name(h), sa->hook_denied[h],
			       sa->hook_recorded[h]);
	printf("  denials: %llu\n", sa->denials_total);
	for (unsigned k = 0; k < sa->ncounters && k < 20; k++) {
		const struct bg_status_counter *c = &sa->counters[k];
		const char *name = counter_syscall(c);

		printf("    %-20s %-6s %-6s %-8s %llu\n", name ? name : "?", bg_abi_name(c->key.abi),
		       bg_verdict_name(c->key.verdict), bg_effect_name(c->key.effect), c->n);
	}
}

static void print_text(const struct bg_status *s)
{
	if (!s->have_state) {
		printf("no cgroups attached (no bpfguard state in %s)\n", BG_BPFFS);
		return;
	}
	if (!s->natt)
		printf("no cgroups attached\n");
	for (unsigned i = 0; i < s->natt; i++)
		print_att_text(&s->att[i]);
	printf("events: %llu sent, %llu lost (ring buffer full), %llu rate-limited\n",
	       s->stat[BG_STAT_EVENTS], s->stat[BG_STAT_LOST], s->stat[BG_STAT_SUPPRESSED]);
	printf("sys_enter program: %s; BPF LSM deny programs: %s\n",
	       s->sys_enter_attached ? "attached" : "not attached", s->lsm_attached ? "attached" : "not attached");
	printf("escape guard: %s; %llu guarded tasks killed for leaving their subtree\n",
	       s->escape_attached ? "attached" : "not attached", s->stat[BG_STAT_ESCAPES]);
	printf("cgroups guarded: %u of %d (bg_cgroups)\n", s->cgroups_guarded, BG_MAX_CGROUPS);
	if (s->gate.running)
		printf("exec gate (fanotify): %s, pid %d (worker %d), %u file systems marked; %llu events answered, "
		       "%llu denied, %llu cache hits, %llu unguarded; %llu restarts, %llu stalls (bound %d ms)\n",
		       s->gate.worker ? "running" : "NOT answering", s->gate.pid, s->gate.worker_pid, s->gate.c.marks,
		       (unsigned long long)s->gate.c.events, (unsigned long long)s->gate.c.denied,
		       (unsigned long long)s->gate.c.cache_hits, (unsigned long long)s->gate.c.unguarded,
		       (unsigned long long)s->gate.c.restarts, (unsigned long long)s->gate.c.stalls,
		       BG_GATE_STALL_MS + BG_GATE_CHECK_MS);
	else
		printf("exec gate (fanotify): not running\n");
	if (s->stat[BG_STAT_CGROUP_FULL])
		printf("warning: %llu cgroups were created under guarded ones while bg_cgroups was full; "
		       "tasks entering them are killed (docs/threat-model.md)\n", s->stat[BG_STAT_CGROUP_FULL]);
	if (s->stat[BG_STAT_HOOK_MISSED])
		printf("warning: %llu calls a cgroup hook was to refuse succeeded (a socket made outside the "
		       "guarded cgroup); those tasks were killed (docs/enforcement.md)\n", s->stat[BG_STAT_HOOK_MISSED]);
	if (s->stat[BG_STAT_LSM_MISSED])
		printf("warning: %llu LSM-denied calls reached no hook and ran (see docs/enforcement.md)\n",
		       s->stat[BG_STAT_LSM_MISSED]);
}

const struct option bg_opts_status[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

int cmd_status(int argc, char **argv)
{
	struct bg_status s;
	struct bg_diag diag = {};
	int c;

	optind = 1;
	opterr = 0; /* our own one-line messages */
	while ((c = getopt_long(argc, argv, "jh", bg_opts_status, NULL)) != -1) {
		switch (c) {
		case 'j': bg_json_want(); break;
		case 'h':
			printf("Usage: bpfguard status [--json]\n  attachments, the mechanism in force for each, exact denial counters, event statistics\n");
			return BG_EXIT_OK;
		default:
			return bg_cmd_bad_option(argv, c);
		}
	}
	if (optind < argc) {
		bg_err("status: unknown argument '%s'; usage: bpfguard status [--json]", argv[optind]);
		return BG_EXIT_USAGE;
	}
	if (bg_status_read(&s, &diag)) {
		bg_diag_print(&diag);
		return BG_EXIT_FAIL;
	}
	if (bg_json_mode)
		print_json(&s);
	else
		print_text(&s);
	bg_status_free(&s);
	return 0;
}

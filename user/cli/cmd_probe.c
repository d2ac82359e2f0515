// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * probe: what this kernel offers, and what bpfguard will therefore use
 * (core/probe.c tests, core/enforcement.c decides; this file renders).
 */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "enforcement.h"
#include "probe.h"
#include "util.h"

static void print_json(const struct bg_probe *p, const struct bg_enforcement *en)
{
	const struct bg_mechs *mechs = &en->mechs;
	struct json_object *o = bg_probe_to_json(p), *e = json_object_new_object();

	/* The same decision attach makes, so scripts can check it. */
	json_object_object_add(e, "errno_deny", json_object_new_string(
		mechs->lsm_deny ? "lsm" : mechs->hook_marks ? "cgroup-hook (socket, setsockopt only)"
							    : "none (fallback required)"));
	{
		struct json_object *hk = json_object_new_object();

		/* per syscall: what an errno rule on it gets here (bg_plan_decide) */
		json_object_object_add(hk, "socket", json_object_new_string(
			mechs->lsm_deny ? "lsm" : mechs->hook_marks ? "cgroup-hook (AF_INET/AF_INET6; other families: fallback)"
								    : "fallback"));
		json_object_object_add(hk, "setsockopt", json_object_new_string(
			mechs->lsm_deny ? "lsm" : mechs->hook_marks ? "cgroup-hook" : "fallback"));
		json_object_object_add(hk, "errno_other_than_eperm", json_object_new_boolean(mechs->set_retval));
		json_object_object_add(e, "syscall_rules_at_cgroup_hooks", hk);
	}
	if (mechs->lsm_deny) {
		struct json_object *cov = json_object_new_array();

		for (unsigned i = 0; i < en->ncovered; i++)
			json_object_array_add(cov, json_object_new_string(en->covered[i]));
		json_object_object_add(e, "lsm_covered_syscalls", cov);
	}
	json_object_object_add(e, "kill", json_object_new_boolean(mechs->kill));
	json_object_object_add(e, "seccomp_for_run", json_object_new_boolean(mechs->seccomp));
	json_object_object_add(e, "cgroup_sock_deny", json_object_new_boolean(mechs->cgroup_sock));
	if (!mechs->lsm_deny)
		json_object_object_add(e, "lsm_unavailable", json_object_new_string(mechs->lsm_why));
	json_object_object_add(o, "enforcement", e);
	bg_json_print(o);
	json_object_put(o);
}

static void print_text(const struct bg_probe *p, const struct bg_enforcement *en)
{
	const struct bg_mechs *mechs = &en->mechs;

	bg_probe_print(p, stdout);
	printf("\nenforcement on this kernel:\n");
	if (mechs->lsm_deny) {
		printf("  errno(N) before effect: BPF LSM, %u hook programs fit, %u syscalls covered;\n"
		       "                          others need --fallback kill|audit\n", en->lsm_hooks_fit, en->ncovered);
	} else {
		printf("  errno(N) before effect: %s\n", mechs->hook_marks
		       ? "cgroup hooks only: socket() of AF_INET/AF_INET6 (cgroup/sock_create), setsockopt()\n"
			 "                          (cgroup/setsockopt); other rules need --fallback kill|audit"
		       : "no (attach needs --fallback kill|audit)");
		printf("    why not BPF LSM: %s\n", mechs->lsm_why);
	}
	printf("  cgroup hook errno:      %s\n", mechs->set_retval ? "the policy's errno (bpf_set_retval)"
	       : "EPERM only (no bpf_set_retval): other errnos are not served by the hooks");
	printf("  kill from the kernel:   %s\n", mechs->kill ? "yes (sys_enter SIGKILL, the call still runs)" : "no");
	printf("  seccomp (bpfguard run): %s\n", mechs->seccomp ? "yes (denies before effect)" : "no");
}

const struct option bg_opts_probe[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

int cmd_probe(int argc, char **argv)
{
	struct bg_enforcement e;
	struct bg_probe p;
	int c;

	optind = 1;
	opterr = 0; /* our own one-line messages */
	while ((c = getopt_long(argc, argv, "jh", bg_opts_probe, NULL)) != -1) {
		switch (c) {
		case 'j': bg_json_want(); break;
		case 'h':
			printf("Usage: bpfguard probe [--json]\n  what this kernel can enforce, tested by loading small BPF programs\n");
			return BG_EXIT_OK;
		default:
			return bg_cmd_bad_option(argv, c);
		}
	}
	if (optind < argc) {
		bg_err("probe: unknown argument '%s'; usage: bpfguard probe [--json]", argv[optind]);
		return BG_EXIT_USAGE;
	}
	bg_probe_fresh(&p);
	if (bg_enforcement_from_probe(&p, &e)) {
		bg_err("probe: out of memory");
		return BG_EXIT_FAIL;
	}
	if (bg_json_mode)
		print_json(&p, &e);
	else
		print_text(&p, &e);
	bg_enforcement_free(&e);
	return 0;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfguard - per-cgroup syscall policy with eBPF.
 *
 * `bpfguard [-j|-p] COMMAND [ARGS]`, and `bpfguard OBJECT VERB [ARGS]` for
 * the objects with several verbs (policy, go, trust).  The table below is
 * the top level; bg_cmd_select (framework.c) dispatches at every level.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "util.h"

static const struct bg_cmd commands[] = {
	{ "attach", cmd_attach, "put a syscall policy on a cgroup (and its descendants)",
	  "--cgroup PATH --policy FILE [--mode audit|enforce] [--fallback refuse|kill|audit] [--strict] [--json]",
	  .opts = bg_opts_attach },
	{ "detach", cmd_detach, "remove a cgroup's policy", "--cgroup PATH [--json]", .opts = bg_opts_detach },
	{ "status", cmd_status, "attached cgroups, mechanisms, denial counters", "[--json]",
	  .opts = bg_opts_status },
	{ "events", cmd_events, "drain denial events", "[--follow] [--json] [--timeout SEC] [--count N]",
	  .opts = bg_opts_events },
	{ "probe", cmd_probe, "what this kernel can enforce", "[--json]", .opts = bg_opts_probe },
	{ "policy", NULL, "check, list groups, export, diff, merge, evaluate and test policies", .sub = bg_policy_cmds },
	{ "run", cmd_run, "run CMD sandboxed under a policy", "[OPTIONS] -- CMD [ARGS]", .opts = bg_opts_run },
	{ "go", NULL, "Go binary and module checks (no Go toolchain needed)", .sub = bg_go_cmds },
	{ "trust", NULL, "the executables `exec trusted` admits", .sub = bg_trust_cmds },
	{ "daemon", cmd_daemon, "drain events to outputs, serve metrics, keep declarative attachments",
	  "[--config FILE] [--check]", .opts = bg_opts_daemon },
	{ "learn", cmd_learn, "record a workload's syscalls into a policy",
	  "--cgroup PATH [--duration D] -o FILE [--name NAME] [--json]", .opts = bg_opts_learn },
	{ "verify-blob", cmd_verify_blob, "check a file's cosign signature or Sigstore bundle, offline",
	  "(--key KEY.pub --signature FILE.sig | --bundle B [--key K | --trusted-root R --certificate-identity I --certificate-oidc-issuer O]) [--tlog-key REKOR.pub] [--require-tlog] [--json] FILE",
	  .opts = bg_opts_verify_blob },
	{ "reset", cmd_reset, "remove everything bpfguard pinned", "", .opts = bg_opts_reset },
	{}
};

int main(int argc, char **argv)
{
	int i;

	bg_phase("main"); /* BPFGUARD_TIMING: phases count from here */

	/* global options, before the command (bpftool's -j/-p) */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			bg_json_mode = BG_JSON_COMPACT;
		} else if (!strcmp(argv[i], "-p") || !strcmp(argv[i], "--pretty")) {
			bg_json_mode = BG_JSON_PRETTY;
		} else if (!strcmp(argv[i], "--version")) {
			printf("bpfguard %s\n", BPFGUARD_VERSION);
			return BG_EXIT_OK;
		} else if (strcmp(argv[i], "-h") && strcmp(argv[i], "--help")) {
			fprintf(stderr, "bpfguard: unknown option '%s'; options before COMMAND are -j, -p, "
					"--version (bpfguard help)\n", argv[i]);
			return BG_EXIT_USAGE;
		} else {
			break; /* help: the selector prints it */
		}
	}
	if (i < argc && !strcmp(argv[i], "version")) {
		printf("bpfguard %s\n", BPFGUARD_VERSION);
		return BG_EXIT_OK;
	}
	/* hidden: the command tree for scripts/gen-man and gen-completion */
	if (i < argc && !strcmp(argv[i], "__complete-data")) {
		bg_cmd_complete_data(commands);
		return BG_EXIT_OK;
	}
	/* hidden: the fanotify exec gate, spawned by attach (core/exec_gate.h) */
	if (i < argc && !strcmp(argv[i], "exec-gate"))
		return cmd_exec_gate(argc - i, argv + i);
	return bg_cmd_select(commands, "", argc - i, argv + i);
}

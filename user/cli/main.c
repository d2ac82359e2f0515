// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfguard - per-cgroup syscall policy with eBPF.
 *
 * Command table in the style of bpftool: `bpfguard <command> [args]`, and
 * `bpfguard <object> <verb>` where a command has several verbs (policy).
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

#ifndef BPFGUARD_VERSION
#define BPFGUARD_VERSION "0.1.0"
#endif

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "attach", cmd_attach, "attach --cgroup PATH --policy FILE [--mode audit|enforce] [--fallback refuse|kill|audit]" },
	{ "detach", cmd_detach, "detach --cgroup PATH" },
	{ "status", cmd_status, "status [--json]           attached cgroups, mechanisms, denial counters" },
	{ "events", cmd_events, "events [--follow] [--json] drain denial events" },
	{ "probe", cmd_probe, "probe [--json]            what this kernel offers" },
	{ "policy", cmd_policy, "policy check FILE [--json] | policy groups" },
	{ "run", cmd_run, "run [OPTIONS] -- CMD [ARGS] run CMD sandboxed under a policy (run --help)" },
	{ "go", cmd_go, "go inspect|verify|hash|verify-modcache  Go binary and module checks (go help)" },
	{ "trust", cmd_trust, "trust add|list|remove     executables `exec trusted` admits (trust help)" },
	{ "daemon", cmd_daemon, "daemon [--config FILE]    drain events to outputs, metrics, declarative attachments" },
	{ "learn", cmd_learn, "learn --cgroup PATH [--duration D] -o FILE  record a workload's syscalls into a policy" },
	{ "reset", cmd_reset, "reset                     remove everything bpfguard pinned" },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: bpfguard COMMAND [ARGS]\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s\n", commands[i].help);
	fprintf(f, "\nbpfguard COMMAND --help for details.  Exit codes: 0 ok, 1 failure, 2 bad input, 3 refused.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? BG_EXIT_USAGE : 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("bpfguard %s\n", BPFGUARD_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "bpfguard: unknown command '%s'; run bpfguard --help\n", argv[1]);
	return BG_EXIT_USAGE;
}

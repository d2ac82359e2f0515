// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_go.c - the `bpfguard go VERB` object: what a Go binary is made of and
 * whether its modules are the ones go.sum vouches for.  No Go toolchain is
 * needed; docs/go.md describes the formats and verdicts.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

struct go_verb {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct go_verb go_verbs[] = {
	{ "inspect", cmd_go_inspect, "go inspect BINARY [--json]             build info, modules, cgo and static verdicts" },
	{ "verify", cmd_go_verify, "go verify BINARY --gosum FILE [--json] every dependency against go.sum" },
	{ "hash", cmd_go_hash, "go hash zip FILE | dir DIR --prefix MOD@VER | gomod FILE   h1: hashes" },
	{ "verify-modcache", cmd_go_verify_modcache, "go verify-modcache [GOMODCACHE] [--json] like `go mod verify` over a module cache" },
};

static void go_usage(FILE *f)
{
	fprintf(f, "Usage: bpfguard go VERB [ARGS]\n\nVerbs:\n");
	for (size_t i = 0; i < sizeof(go_verbs) / sizeof(go_verbs[0]); i++)
		fprintf(f, "  %s\n", go_verbs[i].help);
}

int cmd_go(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "bpfguard go: missing verb; one of inspect, verify, hash, verify-modcache\n");
		go_usage(stderr);
		return BG_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		go_usage(stdout);
		return BG_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(go_verbs) / sizeof(go_verbs[0]); i++)
		if (!strcmp(argv[1], go_verbs[i].name))
			return go_verbs[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "bpfguard go: unknown verb '%s'; run bpfguard go help\n", argv[1]);
	return BG_EXIT_USAGE;
}

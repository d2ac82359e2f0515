// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* policy check | policy groups */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "policy.h"
#include "syscalls.h"
#include "util.h"

static int policy_check(int argc, char **argv)
{
	const char *file = NULL;
	struct bg_policy *p;
	struct bg_diag d = {};
	int json = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
			json = 1;
		else if (!file && argv[i][0] != '-')
			file = argv[i];
		else {
			bg_err("policy check: unexpected argument '%s'; usage: bpfguard policy check FILE [--json]", argv[i]);
			return BG_EXIT_USAGE;
		}
	}
	if (!file) {
		bg_err("usage: bpfguard policy check FILE [--json]");
		return BG_EXIT_USAGE;
	}
	if (bg_policy_load(file, &p, &d)) {
		bg_err("%s", d.msg);
		return BG_EXIT_USAGE;
	}
	if (json) {
		struct json_object *o = bg_policy_to_json(p);

		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		bg_policy_print(p, stdout);
	}
	bg_policy_free(p);
	return 0;
}

static int policy_groups(void)
{
	for (const char *const *g = bg_group_names(); *g; g++) {
		const char *help = bg_group_help(*g);

		printf("%s%s%s\n", (*g)[0] == '@' ? "" : "@", *g, help ? "" : "");
		if (help)
			printf("    %s\n", help);
		printf("   ");
		for (const char *const *m = bg_group_members(*g); m && *m; m++)
			printf(" %s", *m);
		printf("\n");
	}
	return 0;
}

int cmd_policy(int argc, char **argv)
{
	if (argc < 2) {
		bg_err("usage: bpfguard policy check FILE [--json] | bpfguard policy groups");
		return BG_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "check"))
		return policy_check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "groups"))
		return policy_groups();
	bg_err("policy: unknown verb '%s'; expected check or groups", argv[1]);
	return BG_EXIT_USAGE;
}

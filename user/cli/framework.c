// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * framework.c - the command tables' one selector, the help generated from
 * them, the command tree for man pages and completion, and JSON output.
 * commands.h says how the pieces fit.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "util.h"

enum bg_json_mode bg_json_mode = BG_JSON_OFF;

/* the level and entry running now, for bg_cmd_usage */
static const char *cur_path = "";
static const struct bg_cmd *cur_cmd;

void bg_json_fprint(FILE *f, struct json_object *o)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE |
		    (bg_json_mode == BG_JSON_PRETTY ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN);

	fprintf(f, "%s\n", json_object_to_json_string_ext(o, flags));
}

void bg_json_print(struct json_object *o)
{
	bg_json_fprint(stdout, o);
}

/* "check|groups|export" for an object's line in its parent's help */
static void verb_list(const struct bg_cmd *t, const char *sep, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (; t->name && used < len; t++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? sep : "", t->name);
}

static void level_help(FILE *f, const struct bg_cmd *t, const char *path)
{
	char verbs[256];

	if (path[0])
		fprintf(f, "Usage: bpfguard %s VERB [ARGS]\n\nVerbs:\n", path);
	else
		fprintf(f, "Usage: bpfguard [-j|--json] [-p|--pretty] COMMAND [ARGS]\n\nCommands:\n");
	for (; t->name; t++) {
		if (t->sub) {
			verb_list(t->sub, "|", verbs, sizeof(verbs));
			fprintf(f, "  %s %s ...\n", t->name, verbs);
		} else {
			fprintf(f, "  %s%s%s\n", t->name, t->args && t->args[0] ? " " : "", t->args ? t->args : "");
		}
		fprintf(f, "      %s\n", t->summary);
	}
	if (path[0]) {
		fprintf(f, "\nbpfguard %s VERB --help for details.\n", path);
		return;
	}
	fprintf(f, "\nOptions (before COMMAND):\n"
		   "  -j, --json    JSON output, one object a line (a command's own --json is the same)\n"
		   "  -p, --pretty  JSON output, indented\n"
		   "  --version     print the version\n"
		   "\nbpfguard COMMAND --help for details.  Exit codes: 0 ok, 1 failure, 2 bad input, 3 refused.\n");
}

void bg_cmd_usage(FILE *f)
{
	if (!cur_cmd)
		return;
	fprintf(f, "Usage: bpfguard %s%s%s%s%s\n  %s\n", cur_path, cur_path[0] ? " " : "", cur_cmd->name,
		cur_cmd->args && cur_cmd->args[0] ? " " : "", cur_cmd->args ? cur_cmd->args : "",
		cur_cmd->summary);
}

int bg_cmd_bad_option(char **argv, int c)
{
	char cmd[160];
	const char *arg = optind > 0 ? argv[optind - 1] : "?";
	char shortopt[3] = { '-', (char)optopt, 0 };

	snprintf(cmd, sizeof(cmd), "%s%s%s", cur_path, cur_path[0] ? " " : "", cur_cmd ? cur_cmd->name : "");
	/* a short option bundled with others: getopt names it in optopt */
	if (optopt && arg[0] == '-' && arg[1] != '-')
		arg = shortopt;
	if (c == ':')
		bg_err("%s: %s needs a value; see bpfguard %s --help", cmd, arg, cmd);
	else
		bg_err("%s: unknown option '%s'; see bpfguard %s --help", cmd, arg, cmd);
	return BG_EXIT_USAGE;
}

static bool is_help(const char *a)
{
	return !strcmp(a, "help") || !strcmp(a, "--help") || !strcmp(a, "-h");
}

int bg_cmd_select(const struct bg_cmd *table, const char *path, int argc, char **argv)
{
	char verbs[256], sub[64];
	const struct bg_cmd *t;

	if (argc < 1) {
		/* a level named without a verb: what it takes, as a usage error */
		level_help(stderr, table, path);
		return BG_EXIT_USAGE;
	}
	if (is_help(argv[0])) {
		level_help(stdout, table, path);
		return BG_EXIT_OK;
	}
	for (t = table; t->name; t++) {
		if (strcmp(argv[0], t->name))
			continue;
		if (t->sub) {
			snprintf(sub, sizeof(sub), "%s%s%s", path, path[0] ? " " : "", t->name);
			return bg_cmd_select(t->sub, sub, argc - 1, argv + 1);
		}
		cur_path = path;
		cur_cmd = t;
		/* getopt says nothing: every command reports a bad option in
		 * the one form of bg_cmd_bad_option */
		opterr = 0;
		return t->handler(argc, argv);
	}
	verb_list(table, ", ", verbs, sizeof(verbs));
	bg_err("%s%sunknown %s '%s'; one of %s (bpfguard %s%shelp)", path, path[0] ? ": " : "",
	       path[0] ? "verb" : "command", argv[0], verbs, path, path[0] ? " " : "");
	return BG_EXIT_USAGE;
}

/* ------------------------------------------------------------------ */
/* bpfguard __complete-data: the tree, for scripts/gen-man and gen-completion */

static struct json_object *tree_json(const struct bg_cmd *table)
{
	struct json_object *arr = json_object_new_array();

	for (const struct bg_cmd *t = table; t->name; t++) {
		struct json_object *o = json_object_new_object(), *opts = json_object_new_array();
		struct json_object *words = json_object_new_array();
		char w[128], *save = NULL;

		json_object_object_add(o, "name", json_object_new_string(t->name));
		json_object_object_add(o, "summary", json_object_new_string(t->summary));
		json_object_object_add(o, "args", json_object_new_string(t->args ? t->args : ""));
		for (const struct option *op = t->opts; op && op->name; op++) {
			struct json_object *jo = json_object_new_object();

			json_object_object_add(jo, "name", json_object_new_string(op->name));
			json_object_object_add(jo, "arg", json_object_new_boolean(op->has_arg != no_argument));
			json_object_array_add(opts, jo);
		}
		json_object_object_add(o, "options", opts);
		snprintf(w, sizeof(w), "%s", t->words ? t->words : "");
		for (char *s = strtok_r(w, " ", &save); s; s = strtok_r(NULL, " ", &save))
			json_object_array_add(words, json_object_new_string(s));
		json_object_object_add(o, "words", words);
		if (t->sub)
			json_object_object_add(o, "commands", tree_json(t->sub));
		json_object_array_add(arr, o);
	}
	return arr;
}

void bg_cmd_complete_data(const struct bg_cmd *table)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "commands", tree_json(table));
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

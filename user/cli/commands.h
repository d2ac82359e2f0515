/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * commands.h - the CLI's one command framework, in the style of bpftool.
 *
 * Every level of the command line (`bpfguard COMMAND`, `bpfguard policy
 * VERB`, `bpfguard go VERB`, `bpfguard trust VERB`) is a table of struct
 * bg_cmd, and one selector (bg_cmd_select) dispatches at every level:
 * `help`, `--help` and `-h` print the level's table, an unknown verb is one
 * line and exit 2.  The same tables feed the top-level help, the hidden
 * `bpfguard __complete-data` (the command tree with each verb's long
 * options as JSON), and from it the man pages (scripts/gen-man) and the
 * bash completion (scripts/gen-completion): adding a verb or an option in
 * one place updates all of them.
 *
 * A new verb: write `int cmd_x(int argc, char **argv)` (argv[0] is the
 * verb) in a cmd_*.c, parse with getopt_long over an exported
 * `const struct option bg_opts_x[]`, print with bg_json_print when
 * bg_json_mode is set, and add a line to the level's table.
 */
#ifndef BG_COMMANDS_H
#define BG_COMMANDS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "exitcodes.h"

struct json_object;

struct bg_cmd {
	const char *name;
	/* argv[0] is the verb; NULL for an object whose verbs are in sub */
	int (*handler)(int argc, char **argv);
	const char *summary; /* one line: what it does */
	const char *args;    /* the synopsis after the verb ("FILE [--strict]") */
	const struct bg_cmd *sub;  /* an object's verbs, ended by an entry with no name */
	const struct option *opts; /* the long options its parser accepts (getopt_long's own array) */
	const char *words;   /* keywords its first operand takes, space separated ("zip dir gomod") */
};

/* Runs the verb argv[0] of TABLE (argc counts it).  PATH names the level in
 * messages and help ("" at the top, "policy", ...).  Returns an exit code. */
int bg_cmd_select(const struct bg_cmd *table, const char *path, int argc, char **argv);

/* The entry and level bg_cmd_select is running: a verb without its own
 * usage text prints a generated one with bg_cmd_usage. */
void bg_cmd_usage(FILE *f);
/* A getopt error ('?' unknown, ':' missing value) of the running command,
 * in the one form: "bpfguard: CMD: unknown option 'X'; see bpfguard CMD
 * --help".  Returns BG_EXIT_USAGE. */
int bg_cmd_bad_option(char **argv, int c);

/* Prints TABLE's tree as JSON for scripts/gen-man and gen-completion. */
void bg_cmd_complete_data(const struct bg_cmd *table);

/* Output mode: set by the global -j/--json, -p/--pretty (before the
 * command) or by a command's own --json/-j (a synonym of -j).  Every
 * command reads it; bg_json_print writes one object in it. */
enum bg_json_mode { BG_JSON_OFF, BG_JSON_COMPACT, BG_JSON_PRETTY };
extern enum bg_json_mode bg_json_mode;

/* The command's own --json: compact unless -p already asked for pretty. */
static inline void bg_json_want(void)
{
	if (bg_json_mode == BG_JSON_OFF)
		bg_json_mode = BG_JSON_COMPACT;
}

/* Prints O (one line when compact) and a newline on stdout; does not free it. */
void bg_json_print(struct json_object *o);
/* The same for F (stderr for bpfguard run's summary). */
void bg_json_fprint(FILE *f, struct json_object *o);

/* The signature options (sig_opts.c): put BG_SIG_LONGOPTS in a command's
 * option array and hand getopt's answer to bg_sig_option, which fills the
 * request (sig.h) and says whether it was one of them. */
enum {
	BG_SIGOPT_KEY = 0x5301, BG_SIGOPT_SIGNATURE, BG_SIGOPT_BUNDLE, BG_SIGOPT_TLOG_KEY,
	BG_SIGOPT_TRUSTED_ROOT, BG_SIGOPT_IDENTITY, BG_SIGOPT_ISSUER, BG_SIGOPT_REQUIRE_TLOG,
};
#define BG_SIG_LONGOPTS                                                                                   \
	{ "key", required_argument, NULL, BG_SIGOPT_KEY },                                                \
	{ "signature", required_argument, NULL, BG_SIGOPT_SIGNATURE },                                    \
	{ "bundle", required_argument, NULL, BG_SIGOPT_BUNDLE },                                          \
	{ "tlog-key", required_argument, NULL, BG_SIGOPT_TLOG_KEY },                                      \
	{ "trusted-root", required_argument, NULL, BG_SIGOPT_TRUSTED_ROOT },                              \
	{ "certificate-identity", required_argument, NULL, BG_SIGOPT_IDENTITY },                          \
	{ "certificate-oidc-issuer", required_argument, NULL, BG_SIGOPT_ISSUER },                         \
	{ "require-tlog", no_argument, NULL, BG_SIGOPT_REQUIRE_TLOG }
struct bg_sig_request;
bool bg_sig_option(int c, const char *arg, struct bg_sig_request *rq);
/* Was any signature option given? */
bool bg_sig_requested(const struct bg_sig_request *rq);
/* The options make one request (--key with --signature, or --bundle):
 * BG_EXIT_OK, or BG_EXIT_USAGE with one line said. */
int bg_sig_request_check(const char *cmd, const struct bg_sig_request *rq);

/* Top level (main.c) and the objects' verb tables. */
extern const struct bg_cmd bg_policy_cmds[];
extern const struct bg_cmd bg_go_cmds[];
extern const struct bg_cmd bg_trust_cmds[];

int cmd_attach(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_reset(int argc, char **argv);
int cmd_exec_gate(int argc, char **argv); /* hidden: the exec gate (core/exec_gate.h) */
int cmd_status(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_run(int argc, char **argv); /* exit codes: run.h, docs/run.md */
int cmd_learn(int argc, char **argv); /* docs/learn.md */
int cmd_daemon(int argc, char **argv); /* daemon/daemon.c, docs/daemon.md */
int cmd_verify_blob(int argc, char **argv); /* cmd_verify_blob.c, docs/signatures.md */
extern const struct option bg_opts_verify_blob[];

/* The `go` object's verbs (argv[0] is the verb). */
int cmd_go_inspect(int argc, char **argv);        /* cmd_go_inspect.c */
int cmd_go_verify(int argc, char **argv);         /* cmd_go_inspect.c */
int cmd_go_hash(int argc, char **argv);           /* cmd_go_hash.c */
int cmd_go_verify_modcache(int argc, char **argv); /* cmd_go_hash.c */
int cmd_go_proxy(int argc, char **argv);           /* cmd_go_proxy.c, docs/go-proxy.md */
int cmd_go_verify_download(int argc, char **argv); /* cmd_go_proxy.c */
extern const struct option bg_opts_go_proxy[], bg_opts_go_verify_download[];
int cmd_policy_derive(int argc, char **argv);      /* cmd_policy_derive.c, docs/derive.md */
extern const struct option bg_opts_policy_derive[];

/* `policy eval` and `policy test` (cmd_policy_test.c; exit codes in
 * core/policy_test.h). */
int cmd_policy_eval(int argc, char **argv);
int cmd_policy_test(int argc, char **argv);

/* Each verb's long options: its parser's getopt_long array, listed in the
 * tables so completion and man pages offer exactly what is accepted. */
extern const struct option bg_opts_attach[], bg_opts_detach[], bg_opts_reset[], bg_opts_status[],
	bg_opts_events[], bg_opts_probe[], bg_opts_run[], bg_opts_learn[], bg_opts_daemon[],
	bg_opts_go_inspect[], bg_opts_go_verify[], bg_opts_go_hash[], bg_opts_go_modcache[],
	bg_opts_policy_eval[], bg_opts_policy_test[];

#endif

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * policy eval | test: test a policy before enforcing it.  Parsing and
 * printing only; the judging is user/core/policy_test.c over the
 * reference evaluator (bg_policy_eval_known).  Exit codes: 0 allowed /
 * nothing denied, 4 denied, 5 undecidable (an argument a rule tests is not
 * known), 2 bad input, 1 failure.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "policy.h"
#include "policy_test.h"
#include "syscalls.h"
#include "util.h"

const struct option bg_opts_policy_eval[] = {
	{ "abi", required_argument, NULL, 'a' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

const struct option bg_opts_policy_test[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

static int bad_opt(const char *verb, char **argv, int c)
{
	if (c == ':')
		bg_err("policy %s: %s needs a value; see bpfguard policy %s --help", verb, argv[optind - 1], verb);
	else
		bg_err("policy %s: unexpected argument '%s'; see bpfguard policy %s --help", verb, argv[optind - 1],
		       verb);
	return BG_EXIT_USAGE;
}

/* SYSCALL: a name of the ABI's table or a number; -1 (said) if neither. */
static int parse_syscall(const char *s, int abi)
{
	uint64_t v;
	const char *hint;
	int nr;

	if (s[0] >= '0' && s[0] <= '9') {
		char *end;

		errno = 0;
		v = strtoull(s, &end, 0);
		if (errno || *end || v > 0x7fffffff) {
			bg_err("policy eval: bad syscall number '%.64s'; give a name or a number (decimal or 0x hex)", s);
			return -1;
		}
		return (int)v;
	}
	nr = bg_syscall_nr(abi, s);
	if (nr >= 0)
		return nr;
	hint = bg_syscall_suggest(abi, s);
	if (hint)
		bg_err("policy eval: unknown syscall '%.64s' for %s; check the name (did you mean '%s'?)", s,
		       bg_abi_name((unsigned)abi), hint);
	else
		bg_err("policy eval: unknown syscall '%.64s' for %s; check the name (`man 2 syscalls`) or give "
		       "its number", s, bg_abi_name((unsigned)abi));
	return -1;
}

/* ARG: a value as policy files write it (AF_INET, O_WRONLY|O_CREAT, 0x10,
 * 64), or a negative decimal: the register a C caller's sign extension
 * makes (64-bit; 32-bit for ia32). */
static int parse_arg(const char *s, int abi, uint64_t *v)
{
	if (s[0] == '-' && s[1] >= '0' && s[1] <= '9') {
		char *end;
		unsigned long long m;

		errno = 0;
		m = strtoull(s + 1, &end, 10);
		if (!errno && !*end && m <= (abi == BG_ABI_IA32 ? 0x80000000ULL : 0x8000000000000000ULL)) {
			*v = (uint64_t)0 - (uint64_t)m;
			if (abi == BG_ABI_IA32)
				*v &= 0xffffffffULL;
			return 0;
		}
	} else if (bg_policy_parse_value(s, strlen(s), v) == 0) {
		return 0;
	}
	bg_err("policy eval: bad argument '%.64s'; give a number (decimal, 0x hex, -N) or a constant such as "
	       "AF_INET or O_WRONLY|O_CREAT (docs/policy.md)", s);
	return -1;
}

static int parse_abi(const char *s, int *abi)
{
	if (!strcmp(s, "x86_64"))
		*abi = BG_ABI_X86_64;
	else if (!strcmp(s, "ia32") || !strcmp(s, "i386"))
		*abi = BG_ABI_IA32;
	else {
		bg_err("policy eval: unknown --abi '%.32s'; use x86_64 or ia32", s);
		return -1;
	}
	return 0;
}

static void eval_text(const struct bg_policy *p, int abi, int nr, const uint64_t args[6], int nargs,
		      const struct bg_eval *e)
{
	const char *name = bg_syscall_name(abi, nr);
	char why[800], act[32], need[64];

	printf("%s %s%s", bg_abi_name((unsigned)abi), name ? name : "syscall", name ? "(" : "(");
	if (!name)
		printf("%d%s", nr, nargs ? ", " : "");
	for (int i = 0; i < nargs; i++)
		printf("%s0x%llx", i ? ", " : "", (unsigned long long)args[i]);
	printf("): ");
	bg_eval_describe(p, abi, nr, e, why, sizeof(why));
	if (e->decided) {
		printf("%s (%s)\n", bg_action_str_named(&e->action, act, sizeof(act)), why);
		return;
	}
	bg_eval_need_str(e->need, need, sizeof(need));
	printf("undecidable: %s tests %s, which was not given; %s\n", why, need,
	       e->may_allow ? "allowed or denied depending on it" : "denied either way");
}

static int policy_eval(int argc, char **argv)
{
	static const char usage[] = "usage: bpfguard policy eval POLICY SYSCALL [ARG...] [--abi x86_64|ia32] [--json]";
	uint64_t args[6] = {}, known[6] = {};
	int abi = BG_ABI_X86_64, c, nr, nargs, ret;
	struct bg_diag d = {};
	struct bg_policy *p;
	struct bg_eval e;

	optind = 1;
	opterr = 0;
	/* '+' would stop at the first operand; negative ARGs ("-1") are
	 * operands too, so options go before POLICY or after a "--" */
	while ((c = getopt_long(argc, argv, "+:a:jh", bg_opts_policy_eval, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (parse_abi(optarg, &abi))
				return BG_EXIT_USAGE;
			break;
		case 'j': bg_json_want(); break;
		case 'h': bg_cmd_usage(stdout); return BG_EXIT_OK;
		default: return bad_opt("eval", argv, c);
		}
	}
	/* options after the operands too (--abi ia32 at the end), but "-1" is an ARG */
	{
		int o = optind;

		for (int i = optind; i < argc; i++) {
			const char *a = argv[i], *v = NULL;

			if (!strcmp(a, "--json") || !strcmp(a, "-j")) {
				bg_json_want();
				continue;
			}
			if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
				bg_cmd_usage(stdout);
				return BG_EXIT_OK;
			}
			if (!strncmp(a, "--abi=", 6)) {
				v = a + 6;
			} else if (!strcmp(a, "--abi")) {
				if (i + 1 >= argc) {
					bg_err("policy eval: --abi needs a value; %s", usage);
					return BG_EXIT_USAGE;
				}
				v = argv[++i];
			} else if (a[0] == '-' && !(a[1] >= '0' && a[1] <= '9')) {
				bg_err("policy eval: unexpected option '%.64s'; %s", a, usage);
				return BG_EXIT_USAGE;
			} else {
				argv[o++] = argv[i];
				continue;
			}
			if (parse_abi(v, &abi))
				return BG_EXIT_USAGE;
		}
		argc = o;
	}
	if (argc - optind < 2) {
		bg_err("%s", usage);
		return BG_EXIT_USAGE;
	}
	nargs = argc - optind - 2;
	if (nargs > 6) {
		bg_err("policy eval: %d arguments; a syscall has at most 6; %s", nargs, usage);
		return BG_EXIT_USAGE;
	}
	nr = parse_syscall(argv[optind + 1], abi);
	if (nr < 0)
		return BG_EXIT_USAGE;
	for (int i = 0; i < nargs; i++) {
		if (parse_arg(argv[optind + 2 + i], abi, &args[i]))
			return BG_EXIT_USAGE;
		known[i] = ~0ULL;
	}
	if (bg_policy_load(argv[optind], &p, &d)) {
		bg_diag_print(&d);
		return BG_EXIT_USAGE;
	}
	/* arguments not given are unknown: a rule that tests one is reported, not guessed */
	bg_policy_eval_known(p, abi, nr, args, known, &e);
	if (!e.decided && e.one_action)
		e.decided = true;
	if (bg_json_mode) {
		struct json_object *o = bg_eval_to_json(p, abi, nr, args, known, &e);

		bg_json_print(o);
		json_object_put(o);
	} else {
		eval_text(p, abi, nr, args, nargs, &e);
	}
	ret = !e.decided ? BG_PTEST_EXIT_UNDECIDABLE : e.may_deny ? BG_PTEST_EXIT_DENIED : BG_EXIT_OK;
	bg_policy_free(p);
	return ret;
}

static int policy_test(int argc, char **argv)
{
	static const char usage[] = "usage: bpfguard policy test POLICY TRACE... [--json]";
	struct bg_diag d = {};
	struct bg_policy *p;
	struct bg_ptest *t;
	const char *const *w;
	unsigned nw;
	int c, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jh", bg_opts_policy_test, NULL)) != -1) {
		switch (c) {
		case 'j': bg_json_want(); break;
		case 'h': bg_cmd_usage(stdout); return BG_EXIT_OK;
		default: return bad_opt("test", argv, c);
		}
	}
	if (argc - optind < 2) {
		bg_err("%s", usage);
		return BG_EXIT_USAGE;
	}
	if (argc - optind - 1 > BG_PTEST_MAX_FILES) {
		bg_err("policy test: more than %d traces; test them in several runs", BG_PTEST_MAX_FILES);
		return BG_EXIT_USAGE;
	}
	if (bg_policy_load(argv[optind], &p, &d)) {
		bg_diag_print(&d);
		return BG_EXIT_USAGE;
	}
	t = bg_ptest_new(p);
	if (!t) {
		bg_err("policy test: out of memory");
		bg_policy_free(p);
		return BG_EXIT_FAIL;
	}
	for (int i = optind + 1; i < argc; i++) {
		if (bg_ptest_file(t, argv[i], &d)) {
			bg_diag_print(&d);
			bg_ptest_free(t);
			bg_policy_free(p);
			return BG_EXIT_USAGE;
		}
	}
	nw = bg_ptest_warnings(t, &w);
	if (bg_json_mode) {
		struct json_object *o = bg_ptest_to_json(t);

		bg_json_print(o);
		json_object_put(o);
	} else {
		for (unsigned i = 0; i < nw; i++)
			bg_warn("%s", w[i]);
		if (bg_ptest_warnings_total(t) > nw)
			bg_warn("policy test: %llu more warnings not shown",
				(unsigned long long)(bg_ptest_warnings_total(t) - nw));
		bg_ptest_print(t, stdout);
	}
	ret = bg_ptest_exit(t);
	bg_ptest_free(t);
	bg_policy_free(p);
	return ret;
}

/* The verbs' entry points for bg_policy_cmds (cmd_policy.c). */
int cmd_policy_eval(int argc, char **argv)
{
	return policy_eval(argc, argv);
}

int cmd_policy_test(int argc, char **argv)
{
	return policy_test(argc, argv);
}

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* test_policy_native.c - the IR, its evaluation, and the native format. */
#include <errno.h>
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "policy.h"
#include "syscalls.h"

static int nr64(const char *name)
{
	int nr = bg_syscall_nr(BG_ABI_X86_64, name);
	assert_true(nr >= 0);
	return nr;
}

static int nr32(const char *name)
{
	int nr = bg_syscall_nr(BG_ABI_IA32, name);
	assert_true(nr >= 0);
	return nr;
}

/* Parses from an exact-size heap copy, so ASan catches any read past
 * buf+len (the parser must not expect a NUL). */
static struct bg_policy *parse_ok(const char *text)
{
	size_t len = strlen(text);
	char *copy = malloc(len ? len : 1);
	memcpy(copy, text, len);
	struct bg_diag d = { 0 };
	struct bg_policy *p = NULL;
	int r = bg_policy_parse_native(copy, len, "t.policy", &p, &d);
	free(copy);
	if (r != 0)
		fail_msg("parse failed: %s", d.msg);
	return p;
}

static const char *parse_err(const char *text, struct bg_diag *d)
{
	size_t len = strlen(text);
	char *copy = malloc(len ? len : 1);
	memcpy(copy, text, len);
	struct bg_policy *p = (struct bg_policy *)1;
	memset(d, 0, sizeof(*d));
	int r = bg_policy_parse_native(copy, len, "p.policy", &p, d);
	free(copy);
	assert_int_equal(r, -1);
	assert_null(p);
	assert_null(strchr(d->msg, '\n'));
	return d->msg;
}

static struct bg_action eval0(const struct bg_policy *p, int abi, int nr)
{
	static const uint64_t zero[6];
	return bg_policy_eval(p, abi, nr, zero);
}

#define assert_verdict(a, v) assert_int_equal((a).verdict, (v))

/* ------------------------------------------------------------------ */
/* IR */

static void test_ir_add_and_eval(void **state)
{
	(void)state;
	struct bg_policy *p = bg_policy_new("t");
	assert_string_equal(p->name, "t");
	assert_verdict(p->dflt, BG_VERDICT_ERRNO);
	assert_int_equal(p->dflt.err, EPERM);

	struct bg_rule allow = { .action = { BG_VERDICT_ALLOW, 0 } };
	struct bg_rule kill = { .action = { BG_VERDICT_KILL, 0 } };
	assert_int_equal(bg_policy_add(p, BG_ABI_X86_64, 0, &allow), 0);
	assert_int_equal(bg_policy_add(p, BG_ABI_X86_64, 0, &allow), 0); /* same: fine */
	assert_int_equal(bg_policy_add(p, BG_ABI_X86_64, 0, &kill), -EEXIST);

	/* Conditional rules first, in order; then the base; then default. */
	struct bg_rule c1 = { .action = { BG_VERDICT_LOG, 0 }, .ncond = 1,
			      .cond = { { .arg = 0, .op = BG_OP_EQ, .val = 7 } } };
	struct bg_rule c2 = { .action = { BG_VERDICT_KILL, 0 }, .ncond = 2,
			      .cond = { { .arg = 0, .op = BG_OP_GE, .val = 5 },
					{ .arg = 1, .op = BG_OP_MASKED_EQ, .mask = 0xf0, .val = 0x10 } } };
	assert_int_equal(bg_policy_add(p, BG_ABI_X86_64, 0, &c1), 0);
	assert_int_equal(bg_policy_add(p, BG_ABI_X86_64, 0, &c2), 0);
	uint64_t a[6] = { 7, 0x13 };
	assert_verdict(bg_policy_eval(p, BG_ABI_X86_64, 0, a), BG_VERDICT_LOG); /* first match */
	a[0] = 6;
	assert_verdict(bg_policy_eval(p, BG_ABI_X86_64, 0, a), BG_VERDICT_KILL);
	a[1] = 0x23;
	assert_verdict(bg_policy_eval(p, BG_ABI_X86_64, 0, a), BG_VERDICT_ALLOW); /* base */
	assert_verdict(eval0(p, BG_ABI_X86_64, 1), BG_VERDICT_ERRNO);              /* default */
	/* ia32 calls not named for ia32 get the ia32 default: kill */
	assert_verdict(eval0(p, BG_ABI_IA32, 0), BG_VERDICT_KILL);
	p->ia32_dflt = (struct bg_action){ .verdict = BG_VERDICT_ERRNO, .err = EPERM };
	assert_verdict(eval0(p, BG_ABI_IA32, 0), BG_VERDICT_ERRNO);

	/* x32 is always killed, numbers past the table get the default. */
	assert_verdict(eval0(p, BG_ABI_X32, 0), BG_VERDICT_KILL);
	assert_verdict(eval0(p, BG_ABI_X86_64, BG_MAX_SYSCALLS + 5), BG_VERDICT_ERRNO);
	assert_verdict(eval0(p, BG_ABI_X86_64, -1), BG_VERDICT_ERRNO);

	/* Limits and validation. */
	for (int i = 2; i < BG_MAX_ARGRULES; i++)
		assert_int_equal(bg_policy_add(p, BG_ABI_X86_64, 0, &c1), 0);
	assert_int_equal(bg_policy_add(p, BG_ABI_X86_64, 0, &c1), -E2BIG);
	assert_int_equal(bg_policy_add(p, BG_ABI_X32, 0, &allow), -EINVAL);
	assert_int_equal(bg_policy_add(p, BG_ABI_X86_64, BG_MAX_SYSCALLS, &allow), -EINVAL);
	struct bg_rule bad = c1;
	bad.cond[0].arg = 6;
	assert_int_equal(bg_policy_add(p, BG_ABI_X86_64, 1, &bad), -EINVAL);
	bad = c1;
	bad.cond[0].op = BG_OP__COUNT;
	assert_int_equal(bg_policy_add(p, BG_ABI_X86_64, 1, &bad), -EINVAL);
	bad = allow;
	bad.action.verdict = BG_VERDICT_ERRNO; /* errno 0 */
	assert_int_equal(bg_policy_add(p, BG_ABI_X86_64, 1, &bad), -EINVAL);
	bad.ncond = BG_MAX_CONDS + 1;
	assert_int_equal(bg_policy_add(p, BG_ABI_X86_64, 1, &bad), -EINVAL);
	bg_policy_free(p);
}

static void test_ir_ops(void **state)
{
	(void)state;
	static const struct {
		uint8_t op;
		uint64_t val, arg;
		bool holds;
	} cases[] = {
		{ BG_OP_EQ, 5, 5, true },    { BG_OP_EQ, 5, 6, false },
		{ BG_OP_NE, 5, 6, true },    { BG_OP_NE, 5, 5, false },
		{ BG_OP_LT, 5, 4, true },    { BG_OP_LT, 5, 5, false },
		{ BG_OP_LE, 5, 5, true },    { BG_OP_LE, 5, 6, false },
		{ BG_OP_GT, 5, 6, true },    { BG_OP_GT, 5, 5, false },
		{ BG_OP_GE, 5, 5, true },    { BG_OP_GE, 5, 4, false },
		/* 64-bit unsigned compares: "-1" is huge, not negative. */
		{ BG_OP_GT, 5, UINT64_MAX, true },
		{ BG_OP_LT, UINT64_MAX, 0, true },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bg_policy *p = bg_policy_new("ops");
		struct bg_rule r = { .action = { BG_VERDICT_ALLOW, 0 }, .ncond = 1,
				     .cond = { { .arg = 3, .op = cases[i].op, .val = cases[i].val } } };
		assert_int_equal(bg_policy_add(p, BG_ABI_X86_64, 10, &r), 0);
		uint64_t a[6] = { 0, 0, 0, cases[i].arg };
		struct bg_action got = bg_policy_eval(p, BG_ABI_X86_64, 10, a);
		assert_int_equal(got.verdict == BG_VERDICT_ALLOW, cases[i].holds);
		bg_policy_free(p);
	}
}

static void test_action_helpers(void **state)
{
	(void)state;
	struct bg_action a;
	char buf[32];
	assert_int_equal(bg_action_parse("allow", &a), 0);
	assert_verdict(a, BG_VERDICT_ALLOW);
	assert_int_equal(bg_action_parse("deny", &a), 0);
	assert_string_equal(bg_action_str(&a, buf, sizeof(buf)), "errno(1)");
	assert_int_equal(bg_action_parse("errno(EACCES)", &a), 0);
	assert_string_equal(bg_action_str(&a, buf, sizeof(buf)), "errno(13)");
	assert_int_equal(bg_action_parse("errno(4095)", &a), 0);
	assert_int_equal(a.err, 4095);
	assert_int_equal(bg_action_parse("errno(4096)", &a), -ERANGE);
	assert_int_equal(bg_action_parse("errno(0)", &a), -ERANGE);
	assert_int_equal(bg_action_parse("errno()", &a), -EINVAL);
	assert_int_equal(bg_action_parse("errno(EPERM", &a), -EINVAL);
	assert_int_equal(bg_action_parse("errno(ENOPE)", &a), -ENOENT);
	assert_int_equal(bg_action_parse("Allow", &a), -EINVAL);
	assert_int_equal(bg_action_parse("log", &a), 0);
	assert_string_equal(bg_action_str(&a, buf, sizeof(buf)), "log");
	assert_string_equal(bg_verdict_name(BG_VERDICT_KILL), "kill");
	assert_string_equal(bg_op_str(BG_OP_MASKED_EQ), "&");
	assert_string_equal(bg_op_str(BG_OP_LE), "<=");
	assert_string_equal(bg_abi_name(BG_ABI_IA32), "ia32");
	assert_string_equal(bg_abi_name(BG_ABI_X32), "x32");
	assert_true(bg_policy_name_valid("go-static.v1_2"));
	assert_false(bg_policy_name_valid(""));
	assert_false(bg_policy_name_valid("a b"));
	char name[BG_NAME_MAX];
	bg_policy_name_from_origin("/etc/bpfguard/web.policy", name, sizeof(name));
	assert_string_equal(name, "web");
	bg_policy_name_from_origin("<stdin>", name, sizeof(name));
	assert_string_equal(name, "_stdin_");
}

/* ------------------------------------------------------------------ */
/* Native format */

static void test_native_spec_example(void **state)
{
	(void)state;
	struct bg_policy *p = parse_ok(
		"# comments with '#', anywhere on a line\n"
		"name go-static                 # policy name\n"
		"default errno(EPERM)\n"
		"allow @go-runtime read write\n"
		"errno(EACCES) mkdir mkdirat\n"
		"deny unlink\n"
		"kill ptrace\n"
		"log execve\n"
		"allow ia32:read ia32:@basic-io\n"
		"allow socket if arg0 == 1\n"
		"allow clone if arg0 & 0x7E020000 == 0 and arg1 != 0\n");
	assert_string_equal(p->name, "go-static");
	assert_string_equal(p->format, "native");
	assert_string_equal(p->source, "t.policy");
	assert_verdict(eval0(p, BG_ABI_X86_64, nr64("read")), BG_VERDICT_ALLOW);
	assert_verdict(eval0(p, BG_ABI_X86_64, nr64("futex")), BG_VERDICT_ALLOW);
	struct bg_action a = eval0(p, BG_ABI_X86_64, 83);
	assert_verdict(a, BG_VERDICT_ERRNO);
	assert_int_equal(a.err, EACCES);
	a = eval0(p, BG_ABI_X86_64, nr64("unlink"));
	assert_int_equal(a.err, EPERM);
	assert_verdict(eval0(p, BG_ABI_X86_64, nr64("ptrace")), BG_VERDICT_KILL);
	/* execve is in @go-runtime, but named explicitly: the name wins. */
	assert_verdict(eval0(p, BG_ABI_X86_64, nr64("execve")), BG_VERDICT_LOG);
	/* ia32 39 is mkdir: not named for ia32, so the ia32 default (kill);
	 * ia32 read and _llseek are named. */
	assert_verdict(eval0(p, BG_ABI_IA32, 39), BG_VERDICT_KILL);
	assert_verdict(eval0(p, BG_ABI_IA32, nr32("read")), BG_VERDICT_ALLOW);
	assert_verdict(eval0(p, BG_ABI_IA32, nr32("_llseek")), BG_VERDICT_ALLOW);
	assert_verdict(eval0(p, BG_ABI_IA32, nr32("futex")), BG_VERDICT_KILL);

	uint64_t args[6] = { 1 };
	assert_verdict(bg_policy_eval(p, BG_ABI_X86_64, nr64("socket"), args), BG_VERDICT_ALLOW);
	args[0] = 2;
	assert_verdict(bg_policy_eval(p, BG_ABI_X86_64, nr64("socket"), args), BG_VERDICT_ERRNO);

	/* clone is in @go-runtime unconditionally; conditions come first but
	 * the base still allows: check the conditional rule was recorded. */
	const struct bg_sysrules *s = &p->sys[BG_ABI_X86_64][nr64("clone")];
	assert_int_equal(s->nargrules, 1);
	assert_int_equal(s->argrules[0].ncond, 2);
	assert_int_equal(s->argrules[0].cond[0].op, BG_OP_MASKED_EQ);
	assert_int_equal(s->argrules[0].cond[0].mask, 0x7E020000);
	assert_int_equal(s->argrules[0].cond[0].val, 0);
	assert_int_equal(s->argrules[0].cond[1].op, BG_OP_NE);
	assert_int_equal(s->argrules[0].line, 11);
	bg_policy_free(p);
}

static void test_native_defaults_and_values(void **state)
{
	(void)state;
	struct bg_policy *p = parse_ok("allow read\n");
	assert_string_equal(p->name, "t"); /* basename without extension */
	assert_verdict(p->dflt, BG_VERDICT_ERRNO);
	assert_int_equal(p->dflt.err, EPERM);
	bg_policy_free(p);

	p = parse_ok("default kill\r\n"
		     "allow socket if arg0 == AF_INET6 and arg1 == SOCK_STREAM\n"
		     "allow clone if arg0&CLONE_NEWUSER|CLONE_NEWNS==0\n"
		     "allow openat if arg2 <= 0777 and arg3 < 0x10 and arg4 >= 18446744073709551615 and arg5 > 0\n"
		     "\n   \t\n#only a comment");
	assert_verdict(p->dflt, BG_VERDICT_KILL);
	const struct bg_rule *r = &p->sys[0][nr64("socket")].argrules[0];
	assert_int_equal(r->cond[0].val, 10);
	assert_int_equal(r->cond[1].val, 1);
	r = &p->sys[0][nr64("clone")].argrules[0];
	assert_int_equal(r->cond[0].mask, 0x10020000);
	r = &p->sys[0][nr64("openat")].argrules[0];
	assert_int_equal(r->ncond, 4);
	assert_int_equal(r->cond[0].val, 0777);
	assert_int_equal(r->cond[0].op, BG_OP_LE);
	assert_int_equal(r->cond[1].val, 16);
	assert_true(r->cond[2].val == UINT64_MAX);
	bg_policy_free(p);

	/* Conditions on a group apply to each member; a group member can be
	 * overridden by naming it. */
	p = parse_ok("allow @file-system\n"
		     "deny unlink\n"
		     "log @sync if arg0 == 3\n");
	assert_verdict(eval0(p, 0, nr64("unlink")), BG_VERDICT_ERRNO);
	assert_verdict(eval0(p, 0, nr64("unlinkat")), BG_VERDICT_ALLOW);
	assert_int_equal(p->sys[0][nr64("fsync")].nargrules, 1);
	assert_int_equal(p->sys[0][nr64("syncfs")].nargrules, 1);
	bg_policy_free(p);

	/* Empty input is a valid (deny-everything) policy. */
	p = parse_ok("");
	assert_verdict(eval0(p, 0, 0), BG_VERDICT_ERRNO);
	bg_policy_free(p);
}

static void test_native_errors(void **state)
{
	(void)state;
	struct bg_diag d;
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "allow read\n\nallow opne\n",
		  "p.policy:3: unknown syscall 'opne' for x86_64; check the name (did you mean 'open'?)" },
		{ "allow mmap2\n",
		  "p.policy:1: unknown syscall 'mmap2' for x86_64; it exists only in the ia32 table: write 'ia32:mmap2'" },
		{ "allow ia32:arch_prctl ia32:epoll_ctl_old\n",
		  "p.policy:1: unknown syscall 'epoll_ctl_old' for ia32; it exists only in the x86_64 table: write 'epoll_ctl_old'" },
		{ "allow @basicio\n",
		  "p.policy:1: unknown group '@basicio'; did you mean '@basic-io'? (`bpfguard policy groups` lists them)" },
		{ "permit read\n",
		  "p.policy:1: unknown action 'permit'; use allow, log, deny, kill or errno(NAME|NUMBER)" },
		{ "errno(4096) read\n",
		  "p.policy:1: errno value in 'errno(4096)' out of range; use 1..4095 or a name like EACCES" },
		{ "errno(EBOGUS) read\n",
		  "p.policy:1: unknown errno name in 'errno(EBOGUS)'; use a name like EPERM or EACCES, or a number" },
		{ "allow read if arg0 == 12x\n",
		  "p.policy:1: bad number '12x'; use decimal, 0x hex, 0 octal (up to 64 bits) or a constant such as AF_INET or CLONE_NEWUSER (see docs/policy.md)" },
		{ "allow read if arg0 == 0x10000000000000000\n",
		  "p.policy:1: bad number '0x10000000000000000'; use decimal, 0x hex, 0 octal (up to 64 bits) or a constant such as AF_INET or CLONE_NEWUSER (see docs/policy.md)" },
		{ "allow read\n# x\ndeny read\n",
		  "p.policy:3: conflicting rules for 'read': line 1 says allow, line 3 says errno(EPERM); keep one (a syscall named explicitly overrides a @group)" },
		{ "allow @basic-io\nkill @go-runtime\n",
		  "p.policy:2: conflicting rules for 'read': line 1 (via @basic-io) says allow, line 2 (via @go-runtime) says kill; keep one (a syscall named explicitly overrides a @group)" },
		{ "allow read if arg0 == 1 and arg1 == 1 and arg2 == 1 and arg3 == 1 and arg4 == 1 and arg5 == 1 and arg0 == 2\n",
		  "p.policy:1: too many conditions (at most 6 joined by 'and'); split the rule or drop a condition" },
		{ "allow\n", "p.policy:1: 'allow' needs at least one syscall or @group; write e.g. 'allow read'" },
		{ "kill if arg0 == 1\n", "p.policy:1: 'kill' needs at least one syscall or @group; write e.g. 'kill read'" },
		{ "allow read if\n", "p.policy:1: 'if' needs a condition; write e.g. 'if arg0 == 1'" },
		{ "allow read if arg6 == 1\n",
		  "p.policy:1: expected arg0..arg5, got 'arg6'; conditions look like 'arg0 == 1'" },
		{ "allow read if arg0 = 1\n",
		  "p.policy:1: bad operator '=' after 'arg0'; use == != < <= > >= or '& MASK =='" },
		{ "allow read if arg0 & 1 != 0\n",
		  "p.policy:1: expected '==' after 'arg0 & MASK', got '!='; masked tests look like 'arg0 & 0x10 == 0'" },
		{ "allow read if arg0 == 1 or arg1 == 1\n",
		  "p.policy:1: unexpected 'or' after a condition; join conditions with 'and'" },
		{ "allow read == 1\n", "p.policy:1: unexpected '==' among names; conditions go after 'if'" },
		{ "name a/b\n", "p.policy:1: bad policy name 'a/b'; use 1..63 of A-Z a-z 0-9 . _ -" },
		{ "name a\nname b\n", "p.policy:2: second 'name' (first on line 1); keep one" },
		{ "default allow\ndefault kill\n", "p.policy:2: second 'default' (first on line 1); keep one" },
		{ "default\n", "p.policy:1: 'default' takes one action (or 'ia32' and one action); write e.g. 'default errno(EPERM)'" },
		{ "allow x32:read\n",
		  "p.policy:1: unknown ABI prefix in 'x32:read'; use 'ia32:NAME' for the i386 table or no prefix for x86_64" },
		{ "allow ia32:\n",
		  "p.policy:1: 'ia32:' has no syscall name after the ABI prefix; write e.g. 'ia32:read'" },
		{ "allow read\nallow re\0ad\n", "p.policy:2: NUL byte in line; policy files are text" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* The NUL case needs its real length. */
		const char *t = cases[i].text;
		if (strstr(cases[i].msg, "NUL byte")) {
			static const char nul[] = "allow read\nallow re\0ad\n";
			char *copy = malloc(sizeof(nul) - 1);
			memcpy(copy, nul, sizeof(nul) - 1);
			struct bg_policy *p;
			memset(&d, 0, sizeof(d));
			assert_int_equal(bg_policy_parse_native(copy, sizeof(nul) - 1, "p.policy", &p, &d), -1);
			free(copy);
		} else {
			parse_err(t, &d);
		}
		if (strcmp(d.msg, cases[i].msg) != 0)
			fail_msg("case %zu:\n got: %s\nwant: %s", i, d.msg, cases[i].msg);
	}
}

static void test_native_too_many_argrules(void **state)
{
	(void)state;
	char text[1024] = "";
	for (int i = 0; i <= BG_MAX_ARGRULES; i++) {
		char line[64];
		snprintf(line, sizeof(line), "allow socket if arg0 == %d\n", i);
		strcat(text, line);
	}
	struct bg_diag d;
	parse_err(text, &d);
	assert_string_equal(d.msg, "p.policy:9: too many conditional rules for 'socket' (at most 8); "
				   "merge conditions or use an unconditional rule");
}

static void test_native_hostile(void **state)
{
	(void)state;
	struct bg_diag d;
	/* A line over 4096 bytes is an error, not a truncation. */
	size_t n = 5000;
	char *big = malloc(n + 1);
	memset(big, 'a', n);
	memcpy(big, "allow ", 6);
	big[n] = '\0';
	parse_err(big, &d);
	assert_string_equal(d.msg, "p.policy:1: line longer than 4096 bytes; split it into several rules");
	/* Exactly 4096 bytes is fine as far as length goes. */
	memset(big, ' ', n);
	memcpy(big, "allow read", 10);
	big[4096] = '\0';
	struct bg_policy *p = parse_ok(big);
	bg_policy_free(p);
	free(big);

	/* Many names on a line; a name of 300 characters. */
	char many[4096] = "allow";
	while (strlen(many) + 6 < sizeof(many))
		strcat(many, " read");
	p = parse_ok(many);
	bg_policy_free(p);
	char longname[400] = "allow ";
	memset(longname + 6, 'x', 300);
	longname[306] = '\0';
	parse_err(longname, &d);
	assert_non_null(strstr(d.msg, "unknown syscall 'xxxx"));

	/* No trailing newline, non-UTF-8 bytes, lone operators. */
	p = parse_ok("allow read");
	bg_policy_free(p);
	parse_err("allow \xff\xfe\n", &d);
	parse_err("& & &\n", &d);
	parse_err("allow read if arg0 &\n", &d);
	parse_err("allow read if arg0 & 1 ==\n", &d);
}

/* ------------------------------------------------------------------ */
/* net / dev / sysctl sections */

/* net rules may deny with an errno; it survives printing and re-parsing,
 * and a plain deny stays EPERM. */
static void test_native_net_errno(void **state)
{
	struct bg_policy *p = parse_ok("default allow\n"
				       "net connect errno(ECONNREFUSED) 10.0.0.1 port 9 tcp\n"
				       "net connect deny 10.0.0.2\n"
				       "net bind default errno(EACCES)\n"), *q;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(p->net.dir[BG_NET_CONNECT].rule[0].err, ECONNREFUSED);
	assert_int_equal(p->net.dir[BG_NET_CONNECT].rule[0].action, BG_NET_DENY);
	assert_int_equal(p->net.dir[BG_NET_CONNECT].rule[1].err, 0);
	assert_int_equal(p->net.dir[BG_NET_BIND].dflt_err, EACCES);
	f = open_memstream(&text, &len);
	bg_policy_print(p, f);
	fclose(f);
	assert_non_null(strstr(text, "net connect errno(ECONNREFUSED) 10.0.0.1/32 port 9 tcp\n"));
	assert_non_null(strstr(text, "net connect deny 10.0.0.2/32\n"));
	assert_non_null(strstr(text, "net bind default errno(EACCES)\n"));
	q = parse_ok(text);
	assert_int_equal(q->net.dir[BG_NET_CONNECT].rule[0].err, ECONNREFUSED);
	assert_int_equal(q->net.dir[BG_NET_BIND].dflt_err, EACCES);
	free(text);
	bg_policy_free(p);
	bg_policy_free(q);
}

static void test_native_sections(void **state)
{
	(void)state;
	struct bg_policy *p = parse_ok(
		"default allow\n"
		"net family unix inet inet6                 # comment\n"
		"net connect allow 127.0.0.0/8 port 80,443,8000-8080 tcp\n"
		"net connect allow ::1/128\n"
		"net connect default deny\n"
		"net bind allow 0.0.0.0/0 port 8080\n"
		"net sendmsg allow 10.0.0.53/32 udp port 53\n"
		"dev allow c 1:3 rw      # /dev/null\n"
		"dev allow c 1:* rwm\n"
		"dev allow b 8:0 r\n"
		"sysctl read-only\n");
	const struct bg_netdir *c = &p->net.dir[BG_NET_CONNECT];
	assert_true(p->net.present);
	assert_int_equal(p->net.line, 2);
	assert_true(p->net.families == ((1ULL << AF_UNIX) | (1ULL << AF_INET) | (1ULL << AF_INET6)));
	assert_int_equal(p->net.types, BG_SOCK_TYPES_ALL);
	assert_int_equal(c->nrules, 4);
	assert_int_equal(c->rule[0].family, 4);
	assert_int_equal(c->rule[0].prefix, 8);
	assert_int_equal(c->rule[0].addr[0], 127);
	assert_int_equal(c->rule[0].proto, IPPROTO_TCP);
	assert_int_equal(c->rule[0].port_lo, 80);
	assert_int_equal(c->rule[0].port_hi, 80);
	assert_int_equal(c->rule[2].port_lo, 8000);
	assert_int_equal(c->rule[2].port_hi, 8080);
	assert_int_equal(c->rule[2].line, 3);
	assert_int_equal(c->rule[3].family, 6);
	assert_int_equal(c->rule[3].prefix, 128);
	assert_int_equal(c->rule[3].addr[15], 1);
	assert_int_equal(c->rule[3].port_lo, 0);
	assert_int_equal(c->rule[3].port_hi, 65535);
	assert_int_equal(c->rule[3].proto, 0);
	assert_true(c->has_default);
	assert_int_equal(c->dflt, BG_NET_DENY);
	assert_int_equal(c->default_line, 5);
	assert_int_equal(p->net.dir[BG_NET_BIND].nrules, 1);
	assert_int_equal(bg_net_dir_default(&p->net.dir[BG_NET_BIND]), BG_NET_DENY); /* rules, no default */
	assert_int_equal(p->net.dir[BG_NET_SENDMSG].rule[0].proto, IPPROTO_UDP);
	assert_int_equal(p->net.dir[BG_NET_SENDMSG].rule[0].port_lo, 53);
	assert_true(p->dev.present);
	assert_int_equal(p->dev.nrules, 3);
	assert_int_equal(p->dev.rule[0].type, 'c');
	assert_int_equal(p->dev.rule[0].major, 1);
	assert_int_equal(p->dev.rule[0].minor, 3);
	assert_int_equal(p->dev.rule[0].access, BG_DEV_ACC_READ | BG_DEV_ACC_WRITE);
	assert_int_equal(p->dev.rule[1].minor, BG_DEV_ANY);
	assert_int_equal(p->dev.rule[1].access, BG_DEV_ACC_READ | BG_DEV_ACC_WRITE | BG_DEV_ACC_MKNOD);
	assert_int_equal(p->dev.rule[2].type, 'b');
	assert_true(p->sysctl.present);
	assert_int_equal(p->sysctl.mode, BG_SYSCTL_READ_ONLY);
	/* syscall rules are untouched by sections */
	assert_verdict(eval0(p, 0, nr64("socket")), BG_VERDICT_ALLOW);
	bg_policy_free(p);

	p = parse_ok("net none\n");
	assert_true(p->net.present);
	assert_true(p->net.families == 0);
	for (int d = 0; d < BG_NET_NDIRS; d++)
		assert_int_equal(bg_net_dir_default(&p->net.dir[d]), BG_NET_DENY);
	assert_int_equal(bg_net_eval_socket(&p->net, AF_INET, 1), BG_NET_DENY);
	assert_int_equal(bg_net_eval_socket(&p->net, AF_UNIX, 1), BG_NET_ALLOW);
	assert_false(p->dev.present);
	assert_false(p->sysctl.present);
	bg_policy_free(p);

	/* no sections: nothing present, as before */
	p = parse_ok("allow read\n");
	assert_false(p->net.present || p->dev.present || p->sysctl.present);
	bg_policy_free(p);
	p = parse_ok("dev none\nsysctl none\nnet type stream dgram\nnet bind allow any port 0\n");
	assert_true(p->dev.present);
	assert_int_equal(p->dev.nrules, 0);
	assert_int_equal(p->sysctl.mode, BG_SYSCTL_NONE);
	assert_int_equal(p->net.types, (1u << 1) | (1u << 2));
	assert_int_equal(p->net.dir[BG_NET_BIND].rule[0].family, 0);
	assert_int_equal(p->net.dir[BG_NET_BIND].rule[0].port_hi, 0);
	bg_policy_free(p);
}

static void test_native_section_errors(void **state)
{
	(void)state;
	struct bg_diag d;
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "net connect allow 10.0.0.1/8\n",
		  "p.policy:1: address '10.0.0.1/8' has bits set past the /8 prefix; write 10.0.0.0/8" },
		{ "net connect allow fe80::1/10\n",
		  "p.policy:1: address 'fe80::1/10' has bits set past the /10 prefix; write fe80::/10" },
		{ "net connect allow ::ffff:10.0.0.0/104\n",
		  "p.policy:1: '::ffff:10.0.0.0/104' is an IPv4-mapped address, and IPv4 peers are judged by the IPv4 rules whatever the socket; write 10.0.0.0/8" },
		{ "net connect allow 10.0.0.0/33\n",
		  "p.policy:1: bad prefix length in '10.0.0.0/33'; use /0../32 for IPv4" },
		{ "net connect allow ::/129\n", "p.policy:1: bad prefix length in '::/129'; use /0../128 for IPv6" },
		{ "net connect allow 10.0.0.0/-1\n", "p.policy:1: bad prefix length in '10.0.0.0/-1'; use /0../32 for IPv4" },
		{ "net connect allow localhost\n",
		  "p.policy:1: bad address 'localhost'; write an IPv4 or IPv6 address with an optional /PREFIX (10.0.0.0/8, ::1/128) or 'any'" },
		{ "net connect allow 1.2.3.4 port 70000\n",
		  "p.policy:1: bad port list '70000'; write ports 0..65535 and ranges joined by commas (80,443,8000-8080)" },
		{ "net connect allow 1.2.3.4 port 80,\n",
		  "p.policy:1: bad port list '80,'; write ports 0..65535 and ranges joined by commas (80,443,8000-8080)" },
		{ "net connect allow 1.2.3.4 port 90-80\n",
		  "p.policy:1: port range 90-80 is backwards in '90-80'; write 80-90" },
		{ "net connect allow 1.2.3.4 port\n", "p.policy:1: 'port' needs a list; write e.g. 'port 80,443,8000-8080'" },
		{ "net connect allow 1.2.3.4 sctp\n",
		  "p.policy:1: unexpected 'sctp' in 'net connect'; after the address write at most one 'port LIST' and one of tcp, udp" },
		{ "net connect allow 1.2.3.4 tcp udp\n",
		  "p.policy:1: unexpected 'udp' in 'net connect'; after the address write at most one 'port LIST' and one of tcp, udp" },
		{ "net connect permit 1.2.3.4\n",
		  "p.policy:1: 'net connect' needs allow, deny or errno(NAME) and an address; write e.g. 'net connect allow 127.0.0.0/8 port 80 tcp' or 'net connect default deny'" },
		{ "net connect allow\n",
		  "p.policy:1: 'net connect' needs allow, deny or errno(NAME) and an address; write e.g. 'net connect allow 127.0.0.0/8 port 80 tcp' or 'net connect default deny'" },
		{ "net bind default maybe\n",
		  "p.policy:1: 'net bind default' takes allow, deny or errno(NAME); write e.g. 'net bind default deny'" },
		{ "net bind default deny\nnet bind default allow\n",
		  "p.policy:2: second 'net bind default' (first on line 1); keep one" },
		{ "net listen allow any\n",
		  "p.policy:1: unknown 'net' line 'listen'; use net none, net family, net type, net connect, net bind or net sendmsg" },
		{ "net\n",
		  "p.policy:1: unknown 'net' line ''; use net none, net family, net type, net connect, net bind or net sendmsg" },
		{ "net family ipx\n", "p.policy:1: unknown socket family 'ipx'; use inet, inet6, unix or none" },
		{ "net family packet\n",
		  "p.policy:1: 'net family' cannot restrict 'packet': the kernel's socket hook sees only inet and inet6 sockets; other families are always allowed by 'net', so restrict them with a syscall rule such as 'deny socket if arg0 == AF_PACKET'" },
		{ "net family\n", "p.policy:1: 'net family' needs names; write e.g. 'net family inet inet6' (or 'none')" },
		{ "net family inet none\n", "p.policy:1: 'net family' lists 'none' with other families; write one or the other" },
		{ "net family inet\nnet family inet6\n", "p.policy:2: second 'net family' (first on line 1); keep one" },
		{ "net type stream sequential\n",
		  "p.policy:1: unknown socket type 'sequential'; use stream, dgram, raw, rdm, seqpacket or none" },
		{ "net none\nnet connect allow any\n",
		  "p.policy:2: 'net none' on line 1 already forbids inet sockets; drop it to write other 'net' lines" },
		{ "net family inet\nnet none\n",
		  "p.policy:2: 'net none' after other 'net' lines (line 1); keep one or the other" },
		{ "net none all\n", "p.policy:1: 'net none' takes nothing else; write 'net none'" },
		{ "dev allow c 1:3\n",
		  "p.policy:1: 'dev' lines look like 'dev allow c 1:3 rw' (type c, b or a; MAJOR:MINOR with * for any; access from r w m) or 'dev none'" },
		{ "dev deny c 1:3 rw\n",
		  "p.policy:1: 'dev' lines look like 'dev allow c 1:3 rw' (type c, b or a; MAJOR:MINOR with * for any; access from r w m) or 'dev none'" },
		{ "dev allow x 1:3 rw\n", "p.policy:1: bad device type 'x'; use c (character), b (block) or a (both)" },
		{ "dev allow c 1 rw\n", "p.policy:1: bad device '1'; write MAJOR:MINOR such as 1:3 or 136:*" },
		{ "dev allow c 1:x rw\n", "p.policy:1: bad device number 'x'; use a decimal number or *" },
		{ "dev allow c 1:3 rx\n",
		  "p.policy:1: bad device access 'rx'; use some of r (read), w (write), m (mknod), each once" },
		{ "dev allow c 1:3 rr\n",
		  "p.policy:1: bad device access 'rr'; use some of r (read), w (write), m (mknod), each once" },
		{ "dev none\ndev allow c 1:3 r\n",
		  "p.policy:2: 'dev none' on line 1 already denies every device; drop it to allow some" },
		{ "dev allow c 1:3 r\ndev none\n",
		  "p.policy:2: 'dev none' after other 'dev' lines (line 1); keep one or the other" },
		{ "sysctl readonly\n",
		  "p.policy:1: 'sysctl' takes read-only (writes to /proc/sys fail) or none (reads fail too)" },
		{ "sysctl none\nsysctl read-only\n", "p.policy:2: second 'sysctl' line (first on line 1); keep one" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse_err(cases[i].text, &d);
		if (strcmp(d.msg, cases[i].msg) != 0)
			fail_msg("case %zu:\n got: %s\nwant: %s", i, d.msg, cases[i].msg);
	}

	/* 32 rules per direction, a port list counting one per range */
	char text[4096] = "";
	for (int i = 0; i < 16; i++)
		strcat(text, "net connect allow 10.0.0.0/8 port 1,2\n");
	struct bg_policy *p = parse_ok(text);
	assert_int_equal(p->net.dir[BG_NET_CONNECT].nrules, BG_NET_MAX_RULES);
	bg_policy_free(p);
	strcat(text, "net connect allow ::1\n");
	parse_err(text, &d);
	assert_string_equal(d.msg, "p.policy:17: too many 'net connect' rules (at most 32, a port list counts one per range); merge addresses or port ranges");
	text[0] = '\0';
	for (int i = 0; i < 33; i++)
		strcat(text, "dev allow c 1:3 r\n");
	parse_err(text, &d);
	assert_string_equal(d.msg, "p.policy:33: too many 'dev allow' rules (at most 32); use * to cover a range");
}

/* ------------------------------------------------------------------ */
/* print -> parse round trip */

static uint64_t rnd64(unsigned *seed)
{
	uint64_t v = 0;
	for (int i = 0; i < 4; i++)
		v = (v << 16) ^ (uint64_t)(rand_r(seed) & 0xffff);
	return v;
}

static struct bg_policy *reparse(const struct bg_policy *p)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	bg_policy_print(p, f);
	fclose(f);
	struct bg_diag d = { 0 };
	struct bg_policy *q = NULL;
	if (bg_policy_parse_native(text, len, "printed.policy", &q, &d) != 0)
		fail_msg("printed policy does not parse: %s\n%s", d.msg, text);
	free(text);
	return q;
}

/* The sections say the same, line numbers aside. */
static void assert_sections_equal(const struct bg_policy *p, const struct bg_policy *q)
{
	const uint64_t fams = (1ULL << AF_UNIX) | BG_NET_FAMILIES_ALL;
	assert_int_equal(p->net.present, q->net.present);
	if (p->net.present) {
		assert_true((p->net.families & fams) == (q->net.families & fams));
		assert_int_equal(p->net.types & BG_SOCK_TYPES_ALL, q->net.types & BG_SOCK_TYPES_ALL);
		for (int d = 0; d < BG_NET_NDIRS; d++) {
			const struct bg_netdir *a = &p->net.dir[d], *b = &q->net.dir[d];
			assert_int_equal(bg_net_dir_default(a), bg_net_dir_default(b));
			assert_int_equal(a->nrules, b->nrules);
			for (unsigned i = 0; i < a->nrules; i++) {
				struct bg_netrule x = a->rule[i], y = b->rule[i];
				x.line = y.line = 0;
				assert_memory_equal(&x, &y, sizeof(x));
			}
		}
	}
	assert_int_equal(p->dev.present, q->dev.present);
	assert_int_equal(p->dev.nrules, q->dev.nrules);
	for (unsigned i = 0; i < p->dev.nrules; i++) {
		struct bg_devrule x = p->dev.rule[i], y = q->dev.rule[i];
		x.line = y.line = 0;
		assert_memory_equal(&x, &y, sizeof(x));
	}
	assert_int_equal(p->sysctl.present, q->sysctl.present);
	if (p->sysctl.present)
		assert_int_equal(p->sysctl.mode, q->sysctl.mode);
}

/* Every (abi, nr) gives the same action for a set of random arguments
 * (plus values that hit the conditions exactly). */
static void assert_equivalent(const struct bg_policy *p, const struct bg_policy *q)
{
	unsigned seed = 12345;
	uint64_t samples[40][6];
	for (int s = 0; s < 40; s++)
		for (int a = 0; a < 6; a++)
			samples[s][a] = s < 8 ? (uint64_t)s : rnd64(&seed) >> (rand_r(&seed) % 64);
	assert_string_equal(p->name, q->name);
	assert_memory_equal(&p->dflt, &q->dflt, sizeof(p->dflt));
	assert_sections_equal(p, q);
	for (int abi = 0; abi <= BG_ABI_X32; abi++) {
		for (int nr = -1; nr <= BG_MAX_SYSCALLS; nr++) {
			for (int s = 0; s < 40; s++) {
				struct bg_action x = bg_policy_eval(p, abi, nr, samples[s]);
				struct bg_action y = bg_policy_eval(q, abi, nr, samples[s]);
				if (x.verdict != y.verdict || x.err != y.err)
					fail_msg("abi %d nr %d sample %d differs", abi, nr, s);
			}
			/* Also arguments that satisfy each condition exactly. */
			if (abi >= BG_NR_TABLES || nr < 0 || nr >= BG_MAX_SYSCALLS)
				continue;
			const struct bg_sysrules *sr = &p->sys[abi][nr];
			for (unsigned i = 0; i < sr->nargrules; i++) {
				uint64_t args[6] = { 0 };
				for (unsigned c = 0; c < sr->argrules[i].ncond; c++)
					args[sr->argrules[i].cond[c].arg] = sr->argrules[i].cond[c].val;
				struct bg_action x = bg_policy_eval(p, abi, nr, args);
				struct bg_action y = bg_policy_eval(q, abi, nr, args);
				assert_int_equal(x.verdict, y.verdict);
				assert_int_equal(x.err, y.err);
			}
		}
	}
}

static void test_round_trip_native(void **state)
{
	(void)state;
	struct bg_policy *p = parse_ok(
		"name rt\n"
		"default errno(EACCES)\n"
		"allow @system-service\n"
		"kill ptrace @mount\n"
		"log execve ia32:execve\n"
		"errno(ENOSYS) clone3\n"
		"errno(4000) ia32:@basic-io\n"
		"allow clone if arg0 & CLONE_NEWUSER|CLONE_NEWNS == 0\n"
		"deny clone\n"
		"allow socket if arg0 == AF_UNIX\n"
		"kill socket if arg0 == AF_PACKET and arg2 >= 3\n"
		"log personality if arg0 < 0x10 and arg1 <= 5 and arg2 > 7 and arg3 != 1 and arg4 >= 0xffffffffffffffff\n"
		"net family unix inet6\n"
		"net type stream seqpacket\n"
		"net connect deny 127.0.0.2\n"
		"net connect allow 127.0.0.0/8 port 80,443,8000-8080 tcp\n"
		"net connect allow 2001:db8::/32 udp\n"
		"net connect default allow\n"
		"net bind allow any port 0-1023\n"
		"net sendmsg default deny\n"
		"dev allow c 1:3 rw\n"
		"dev allow a *:* m\n"
		"dev allow b 8:* r\n"
		"sysctl none\n");
	struct bg_policy *q = reparse(p);
	assert_equivalent(p, q);
	/* Printing is a fixed point after one round. */
	struct bg_policy *r = reparse(q);
	assert_equivalent(q, r);
	bg_policy_free(r);
	bg_policy_free(q);
	bg_policy_free(p);

	/* net none, dev none: printed in their long forms, same meaning */
	p = parse_ok("net none\ndev none\nsysctl read-only\n");
	q = reparse(p);
	assert_equivalent(p, q);
	assert_true(q->net.families == 0);
	bg_policy_free(q);
	bg_policy_free(p);
}

static void random_sections(struct bg_policy *p, unsigned *seed)
{
	if (rand_r(seed) % 4) {
		bg_net_init(&p->net);
		p->net.families = (uint64_t)(rand_r(seed) % 2) << AF_UNIX |
				  (uint64_t)(rand_r(seed) % 2) << AF_INET | (uint64_t)(rand_r(seed) % 2) << AF_INET6;
		if (rand_r(seed) % 2)
			p->net.types = (uint32_t)rand_r(seed) & BG_SOCK_TYPES_ALL;
		for (int d = 0; d < BG_NET_NDIRS; d++) {
			struct bg_netdir *nd = &p->net.dir[d];
			nd->has_default = rand_r(seed) % 2;
			nd->dflt = (uint8_t)(rand_r(seed) % 2);
			nd->nrules = (unsigned)rand_r(seed) % (BG_NET_MAX_RULES + 1);
			for (unsigned i = 0; i < nd->nrules; i++) {
				struct bg_netrule *r = &nd->rule[i];
				r->action = (uint8_t)(rand_r(seed) % 2);
				r->family = (uint8_t)(rand_r(seed) % 3 == 0 ? 0 : rand_r(seed) % 2 ? 4 : 6);
				r->proto = (uint8_t)(rand_r(seed) % 3 == 0 ? 0 : rand_r(seed) % 2 ? 6 : 17);
				r->port_lo = (uint16_t)rand_r(seed);
				r->port_hi = (uint16_t)(r->port_lo + (unsigned)rand_r(seed) % (65536u - r->port_lo));
				if (!r->family)
					continue;
				unsigned max = r->family == 4 ? 32 : 128;
				r->prefix = (uint8_t)((unsigned)rand_r(seed) % (max + 1));
				for (unsigned b = 0; b < r->prefix; b++)
					if (rand_r(seed) % 2)
						r->addr[b / 8] |= (uint8_t)(0x80u >> (b % 8));
			}
		}
	}
	if (rand_r(seed) % 2) {
		p->dev.present = true;
		p->dev.nrules = (unsigned)rand_r(seed) % (BG_DEV_MAX_RULES + 1);
		for (unsigned i = 0; i < p->dev.nrules; i++) {
			struct bg_devrule *r = &p->dev.rule[i];
			r->type = "abc"[rand_r(seed) % 3];
			r->access = (uint8_t)(1 + rand_r(seed) % 7);
			r->major = rand_r(seed) % 4 ? (uint32_t)rand_r(seed) % 300 : BG_DEV_ANY;
			r->minor = rand_r(seed) % 4 ? (uint32_t)rand_r(seed) : BG_DEV_ANY;
		}
	}
	if (rand_r(seed) % 2) {
		p->sysctl.present = true;
		p->sysctl.mode = (uint8_t)(1 + rand_r(seed) % 2);
	}
}

/* Random policies built through the IR, not the parser. */
static void test_round_trip_random(void **state)
{
	(void)state;
	unsigned seed = 99;
	for (int round = 0; round < 20; round++) {
		struct bg_policy *p = bg_policy_new("random");
		p->dflt.verdict = (uint8_t)(rand_r(&seed) % 4);
		p->dflt.err = p->dflt.verdict == BG_VERDICT_ERRNO ? (uint16_t)(1 + rand_r(&seed) % 4095) : 0;
		for (int i = 0; i < 300; i++) {
			int abi = rand_r(&seed) % 2, nr = rand_r(&seed) % BG_MAX_SYSCALLS;
			if (!bg_syscall_name(abi, nr))
				continue;
			struct bg_rule r = { 0 };
			r.action.verdict = (uint8_t)(rand_r(&seed) % 4);
			if (r.action.verdict == BG_VERDICT_ERRNO)
				r.action.err = (uint16_t)(1 + rand_r(&seed) % 4095);
			if (rand_r(&seed) % 3 == 0) {
				r.ncond = 1 + (unsigned)rand_r(&seed) % BG_MAX_CONDS;
				for (unsigned c = 0; c < r.ncond; c++) {
					r.cond[c].arg = (uint8_t)(rand_r(&seed) % 6);
					r.cond[c].op = (uint8_t)(rand_r(&seed) % BG_OP__COUNT);
					r.cond[c].val = rand_r(&seed) % 2 ? (uint64_t)(rand_r(&seed) % 8) : rnd64(&seed);
					if (r.cond[c].op == BG_OP_MASKED_EQ)
						r.cond[c].mask = rnd64(&seed);
				}
			}
			int e = bg_policy_add(p, abi, nr, &r);
			assert_true(e == 0 || e == -EEXIST || e == -E2BIG);
		}
		random_sections(p, &seed);
		struct bg_policy *q = reparse(p);
		assert_equivalent(p, q);
		bg_policy_free(q);
		bg_policy_free(p);
	}
}

/* ------------------------------------------------------------------ */
/* Files: load, the shipped policies, JSON */

static char *path_in(const char *env, const char *fallback, const char *rel)
{
	const char *base = getenv(env);
	static char buf[3][1024];
	static int which;
	char *out = buf[which++ % 3];
	snprintf(out, sizeof(buf[0]), "%s/%s", base ? base : fallback, rel);
	return out;
}

static void test_shipped_policies(void **state)
{
	(void)state;
	static const char *const files[] = { "policies/go-static.policy",
					     "policies/go-server.policy",
					     "policies/strict.policy" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct bg_policy *p = NULL;
		struct bg_diag d = { 0 };
		const char *path = path_in("BG_SRCDIR", ".", files[i]);
		if (bg_policy_load(path, &p, &d) != 0)
			fail_msg("%s", d.msg);
		assert_string_equal(p->source, path);
		/* The dangerous calls are never allowed by a shipped policy. */
		static const char *const never[] = { "ptrace", "bpf", "io_uring_setup",
						     "io_uring_enter", "process_vm_writev" };
		for (size_t k = 0; k < sizeof(never) / sizeof(never[0]); k++)
			assert_int_not_equal(eval0(p, 0, nr64(never[k])).verdict, BG_VERDICT_ALLOW);
		/* Go's thread clone flags pass. */
		uint64_t go_clone[6] = { 0x3d0f00 };
		assert_verdict(bg_policy_eval(p, 0, nr64("clone"), go_clone), BG_VERDICT_ALLOW);
		struct bg_policy *q = reparse(p);
		assert_equivalent(p, q);
		bg_policy_free(q);
		bg_policy_free(p);
	}

	struct bg_policy *p = NULL;
	struct bg_diag d = { 0 };
	assert_int_equal(bg_policy_load(path_in("BG_SRCDIR", ".", "policies/strict.policy"), &p, &d), 0);
	uint64_t newuser[6] = { 0x10000000 | 0x3d0f00 };
	assert_verdict(bg_policy_eval(p, 0, nr64("clone"), newuser), BG_VERDICT_ERRNO);
	assert_verdict(eval0(p, 0, nr64("mount")), BG_VERDICT_KILL);
	assert_verdict(eval0(p, 0, nr64("execve")), BG_VERDICT_LOG);
	assert_int_equal(eval0(p, 0, nr64("clone3")).err, ENOSYS);
	bg_policy_free(p);

	assert_int_equal(bg_policy_load("/nonexistent/x.policy", &p, &d), -1);
	assert_non_null(strstr(d.msg, "/nonexistent/x.policy: cannot open"));
	assert_int_equal(bg_policy_load("/", &p, &d), -1);
}

static void test_to_json(void **state)
{
	(void)state;
	struct bg_policy *p = parse_ok("name j\nallow read\nerrno(EACCES) mkdir\n"
				       "allow clone if arg0 & 0x10 == 0\n");
	struct json_object *o = bg_policy_to_json(p);
	struct json_object *v, *rules;
	assert_true(json_object_object_get_ex(o, "name", &v));
	assert_string_equal(json_object_get_string(v), "j");
	assert_true(json_object_object_get_ex(o, "rules", &rules));
	assert_int_equal(json_object_array_length(rules), 3);
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	assert_non_null(strstr(s, "\"syscall\":\"mkdir\""));
	assert_non_null(strstr(s, "\"errno\":13"));
	assert_non_null(strstr(s, "\"op\":\"&\",\"mask\":16,\"value\":0"));
	assert_null(strstr(s, "\"net\""));
	json_object_put(o);
	bg_policy_free(p);

	p = parse_ok("net family inet\nnet connect allow 10.0.0.0/8 port 80-90 tcp\n"
		     "dev allow c 136:* rw\nsysctl read-only\n");
	o = bg_policy_to_json(p);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	assert_non_null(strstr(s, "\"net\":{\"families\":[\"inet\"],\"types\":[\"stream\",\"dgram\",\"raw\",\"rdm\",\"seqpacket\"],"
				  "\"connect\":{\"rules\":[{\"action\":\"allow\",\"address\":\"10.0.0.0/8\",\"port_min\":80,"
				  "\"port_max\":90,\"protocol\":\"tcp\",\"line\":2}],\"default\":\"deny\",\"default_errno\":1},"
				  "\"bind\":{\"rules\":[],\"default\":\"allow\"}"));
	assert_non_null(strstr(s, "\"dev\":{\"allow\":[{\"type\":\"c\",\"major\":136,\"minor\":\"*\",\"access\":\"rw\",\"line\":3}],\"default\":\"deny\"}"));
	assert_non_null(strstr(s, "\"sysctl\":\"read-only\""));
	json_object_put(o);
	bg_policy_free(p);
}

static void test_sniff(void **state)
{
	(void)state;
	struct bg_policy *p = NULL;
	struct bg_diag d = { 0 };
	static const char native[] = "allow read\n";
	static const char json[] = "\xef\xbb\xbf  \n{\"defaultAction\":\"SCMP_ACT_ALLOW\"}";
	assert_int_equal(bg_policy_parse(native, sizeof(native) - 1, "a.policy", &p, &d), 0);
	assert_string_equal(p->format, "native");
	bg_policy_free(p);
	assert_int_equal(bg_policy_parse(json, sizeof(json) - 1, "a.json", &p, &d), 0);
	assert_string_equal(p->format, "docker");
	assert_verdict(p->dflt, BG_VERDICT_ALLOW);
	bg_policy_free(p);
}

/* exec section: parse, errors, print round trip */
static void test_native_exec(void **state)
{
	static const char hex[] = "c79bf44242829108e323378531f4ac839513ca1fba45efd6583643526e1e9fd2";
	char text[512], *buf = NULL;
	struct bg_diag d;
	size_t len = 0;
	FILE *f;
	(void)state;

	snprintf(text, sizeof(text), "default allow\nexec allow /bin/true sha256:%s\nexec allow /usr/bin/env\n"
		 "exec trusted\nexec libraries\n", hex);
	struct bg_policy *p = parse_ok(text);
	assert_true(p->exec.present);
	assert_true(p->exec.trusted);
	assert_true(p->exec.libraries);
	assert_int_equal(p->exec.n, 2);
	assert_string_equal(p->exec.e[0].path, "/bin/true");
	assert_true(p->exec.e[0].has_hash);
	assert_int_equal(p->exec.e[0].sha256[0], 0xc7);
	assert_int_equal(p->exec.e[0].sha256[31], 0xd2);
	assert_false(p->exec.e[1].has_hash);
	assert_int_equal(p->exec.e[1].line, 3);
	/* printed form parses back to the same section */
	f = open_memstream(&buf, &len);
	bg_policy_print(p, f);
	fclose(f);
	struct bg_policy *q = parse_ok(buf);
	assert_int_equal(q->exec.n, 2);
	assert_true(q->exec.trusted && q->exec.libraries);
	assert_memory_equal(q->exec.e[0].sha256, p->exec.e[0].sha256, 32);
	assert_string_equal(q->exec.e[1].path, "/usr/bin/env");
	free(buf);
	bg_policy_free(q);
	bg_policy_free(p);
	/* no exec line: no allowlist */
	p = parse_ok("default allow\n");
	assert_false(p->exec.present);
	bg_policy_free(p);

	assert_non_null(strstr(parse_err("exec allow bin/true\n", &d), "p.policy:1: 'exec allow bin/true': the path must be absolute"));
	assert_non_null(strstr(parse_err("exec allow /x sha256:12\n", &d), "is not a SHA-256"));
	assert_non_null(strstr(parse_err("exec allow /x c79bf44242829108e323378531f4ac839513ca1fba45efd6583643526e1e9fd2\n", &d),
			       "is not a SHA-256"));
	assert_non_null(strstr(parse_err("exec\n", &d), "'exec' takes allow PATH"));
	assert_non_null(strstr(parse_err("exec deny /x\n", &d), "unknown 'exec deny'"));
	assert_non_null(strstr(parse_err("exec trusted please\n", &d), "'exec trusted' takes nothing more"));
	assert_non_null(strstr(parse_err("exec allow /a /b /c\n", &d), "'exec allow' takes PATH"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ir_add_and_eval),
		cmocka_unit_test(test_ir_ops),
		cmocka_unit_test(test_action_helpers),
		cmocka_unit_test(test_native_spec_example),
		cmocka_unit_test(test_native_defaults_and_values),
		cmocka_unit_test(test_native_errors),
		cmocka_unit_test(test_native_too_many_argrules),
		cmocka_unit_test(test_native_hostile),
		cmocka_unit_test(test_native_sections),
		cmocka_unit_test(test_native_net_errno),
		cmocka_unit_test(test_native_section_errors),
		cmocka_unit_test(test_round_trip_native),
		cmocka_unit_test(test_round_trip_random),
		cmocka_unit_test(test_shipped_policies),
		cmocka_unit_test(test_to_json),
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_native_exec),
	};
	return cmocka_run_group_tests_name("policy_native", tests, NULL, NULL);
}

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * test_policy_test.c - `policy eval` / `policy test`: the evaluator with
 * partly known arguments (against bg_policy_eval where all are known),
 * the strace argument decoder and line reader (crafted and hostile lines),
 * and the replay over strace, events and learned JSON.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy.h"
#include "policy_test.h"
#include "syscalls.h"

static struct bg_policy *parse(const char *text)
{
	struct bg_policy *p = NULL;
	struct bg_diag d = {};

	if (bg_policy_parse(text, strlen(text), "t.policy", &p, &d)) {
		fprintf(stderr, "%s\n", d.msg);
		fail();
	}
	return p;
}

/* ------------------------------------------------------------------ */
/* The evaluator */

static const char pol[] =
	"default errno(EPERM)\n"                                          /* 1 */
	"allow read write\n"                                              /* 2 */
	"errno(EACCES) socket if arg0 == AF_INET and arg1 & 0xf == SOCK_STREAM\n" /* 3 */
	"allow socket\n"                                                  /* 4 */
	"allow openat if arg2 & O_WRONLY == 0\n"                          /* 5 */
	"errno(EROFS) openat\n"                                           /* 6 */
	"allow mmap if arg2 < 4\n"                                        /* 7 */
	"log mmap\n"                                                      /* 8 */
	"kill ptrace\n";                                                  /* 9 */

static void test_eval_all_known_is_eval(void **state)
{
	struct bg_policy *p = parse(pol);
	const uint64_t all[6] = { ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL };
	const char *names[] = { "read", "socket", "openat", "mmap", "ptrace", "getpid" };
	unsigned seed = 1;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		uint64_t args[6];
		struct bg_eval e;
		int nr = bg_syscall_nr(BG_ABI_X86_64, names[i % 6]);
		struct bg_action a, b;

		for (int k = 0; k < 6; k++) {
			seed = seed * 1103515245u + 12345u;
			args[k] = (seed >> 8) % 8; /* small values hit the conditions */
		}
		a = bg_policy_eval(p, BG_ABI_X86_64, nr, args);
		b = bg_policy_eval_known(p, BG_ABI_X86_64, nr, args, all, &e);
		assert_true(e.decided);
		assert_int_equal(a.verdict, b.verdict);
		assert_int_equal(a.err, b.err);
		assert_int_equal(e.action.verdict, a.verdict);
	}
	bg_policy_free(p);
}

static void test_eval_explains(void **state)
{
	struct bg_policy *p = parse(pol);
	uint64_t args[6] = { 2, 1 | 0x80000 }, known[6] = { ~0ULL, ~0ULL };
	struct bg_eval e;
	char buf[300];

	(void)state;
	bg_policy_eval_known(p, BG_ABI_X86_64, bg_syscall_nr(0, "socket"), args, known, &e);
	assert_true(e.decided);
	assert_int_equal(e.source, BG_EVAL_RULE);
	assert_int_equal(e.line, 3);
	assert_int_equal(e.action.err, EACCES);
	bg_eval_describe(p, 0, bg_syscall_nr(0, "socket"), &e, buf, sizeof(buf));
	assert_string_equal(buf, "line 3: errno(EACCES) socket if arg0 == 0x2 and arg1 & 0xf == 0x1");

	args[0] = 10;
	bg_policy_eval_known(p, 0, bg_syscall_nr(0, "socket"), args, known, &e);
	assert_int_equal(e.source, BG_EVAL_BASE);
	assert_int_equal(e.line, 4);
	assert_int_equal(e.action.verdict, BG_VERDICT_ALLOW);

	bg_policy_eval_known(p, 0, bg_syscall_nr(0, "getpid"), args, known, &e);
	assert_int_equal(e.source, BG_EVAL_DEFAULT);
	bg_eval_describe(p, 0, bg_syscall_nr(0, "getpid"), &e, buf, sizeof(buf));
	assert_string_equal(buf, "the x86_64 default: errno(EPERM)");

	bg_policy_eval_known(p, BG_ABI_IA32, 20, args, known, &e);
	assert_int_equal(e.action.verdict, BG_VERDICT_KILL);
	bg_policy_eval_known(p, BG_ABI_X32, 20, args, known, &e);
	assert_int_equal(e.source, BG_EVAL_X32);
	bg_policy_free(p);
}

static void test_eval_unknown_bits(void **state)
{
	struct bg_policy *p = parse(pol);
	int sock = bg_syscall_nr(0, "socket"), op = bg_syscall_nr(0, "openat"), mm = bg_syscall_nr(0, "mmap");
	uint64_t args[6] = {}, known[6] = {};
	struct bg_eval e;

	(void)state;
	/* arg0 known AF_INET6: the first rule cannot apply, whatever arg1 is */
	args[0] = 10;
	known[0] = ~0ULL;
	bg_policy_eval_known(p, 0, sock, args, known, &e);
	assert_true(e.decided);
	assert_int_equal(e.line, 4);
	/* AF_INET and arg1 unknown: undecidable, both outcomes possible */
	args[0] = 2;
	bg_policy_eval_known(p, 0, sock, args, known, &e);
	assert_false(e.decided);
	assert_int_equal(e.need, 1u << 1);
	assert_int_equal(e.line, 3);
	assert_true(e.may_allow);
	assert_true(e.may_deny);
	/* the low four bits of arg1 known (a learned socket type): enough */
	args[1] = 1;
	known[1] = 0xf;
	bg_policy_eval_known(p, 0, sock, args, known, &e);
	assert_true(e.decided);
	assert_int_equal(e.action.err, EACCES);
	args[1] = 2;
	bg_policy_eval_known(p, 0, sock, args, known, &e);
	assert_true(e.decided);
	assert_int_equal(e.action.verdict, BG_VERDICT_ALLOW);

	/* openat: the bit O_WRONLY known, the rest not: decided */
	memset(known, 0, sizeof(known));
	args[2] = 1;
	known[2] = 1;
	bg_policy_eval_known(p, 0, op, args, known, &e);
	assert_true(e.decided);
	assert_int_equal(e.action.err, EROFS);
	known[2] = 0x2; /* another bit known: not enough */
	bg_policy_eval_known(p, 0, op, args, known, &e);
	assert_false(e.decided);
	assert_int_equal(e.need, 1u << 2);

	/* mmap arg2 < 4 with bits 0..1 known and the rest unknown: may be >= 4;
	 * the outcomes are allow and log, both allowed */
	args[2] = 1;
	known[2] = 3;
	bg_policy_eval_known(p, 0, mm, args, known, &e);
	assert_false(e.decided);
	assert_true(e.may_allow);
	assert_false(e.may_deny);
	/* a known high bit decides it: >= 4 surely */
	args[2] = 8;
	known[2] = 8;
	bg_policy_eval_known(p, 0, mm, args, known, &e);
	assert_true(e.decided);
	assert_int_equal(e.action.verdict, BG_VERDICT_LOG);
	/* every bit but the top one known and small: < 4 is still open (the top
	 * bit could make it huge) */
	args[2] = 1;
	known[2] = ~0ULL >> 1;
	bg_policy_eval_known(p, 0, mm, args, known, &e);
	assert_false(e.decided);
	bg_policy_free(p);
}

/* Every possible outcome the same action: certain, though a rule was open. */
static void test_eval_one_action(void **state)
{
	struct bg_policy *p = parse("default allow\nkill ptrace if arg0 == 1\nkill ptrace\n");
	uint64_t args[6] = {}, known[6] = {};
	struct bg_eval e;

	(void)state;
	bg_policy_eval_known(p, 0, bg_syscall_nr(0, "ptrace"), args, known, &e);
	assert_false(e.decided);
	assert_true(e.one_action);
	assert_int_equal(e.action.verdict, BG_VERDICT_KILL);
	bg_policy_free(p);
}

/* ------------------------------------------------------------------ */
/* strace arguments */

static void arg(const char *s, int abi, uint64_t want, uint64_t want_known)
{
	uint64_t v = 12345, k = 12345;

	bg_strace_arg(s, strlen(s), abi, &v, &k);
	if (k != want_known || (v & k) != (want & want_known)) {
		fprintf(stderr, "arg '%s': got 0x%llx known 0x%llx, wanted 0x%llx known 0x%llx\n", s,
			(unsigned long long)v, (unsigned long long)k, (unsigned long long)want,
			(unsigned long long)want_known);
		fail();
	}
}

static void test_strace_args(void **state)
{
	(void)state;
	arg("3", 0, 3, ~0ULL);
	arg(" 832 ", 0, 832, ~0ULL);
	arg("0x7ffd1234", 0, 0x7ffd1234, ~0ULL);
	arg("0644", 0, 0644, ~0ULL);
	arg("NULL", 0, 0, ~0ULL);
	arg("O_WRONLY|O_CREAT|O_TRUNC", 0, 01101, ~0ULL);
	arg("O_RDONLY|O_CLOEXEC", 0, 02000000, ~0ULL);
	arg("O_RDONLY|0x200000", 0, 0x200000, ~0ULL);
	arg("SOCK_STREAM|SOCK_CLOEXEC", 0, 1 | 02000000, ~0ULL);
	arg("AF_INET", 0, 2, ~0ULL);
	arg("CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD", 0, 0x1200011, ~0ULL);
	arg("0x1 /* O_WRONLY */", 0, 1, ~0ULL);
	arg("3</etc/passwd>", 0, 3, ~0ULL);
	arg("3<socket:[1234]>", 0, 3, ~0ULL);
	/* strace prints an int from the low 32 bits: the upper half is unknown */
	arg("-100", 0, 0xffffff9c, 0xffffffffULL);
	arg("-1", BG_ABI_IA32, 0xffffffff, ~0ULL);
	arg("-9223372036854775808", 0, 0x8000000000000000ULL, ~0ULL);
	/* not register values, or names bpfguard does not know */
	arg("\"/etc/ld.so.cache\"", 0, 0, 0);
	arg("{st_mode=S_IFREG|0644, st_size=44427, ...}", 0, 0, 0);
	arg("[1234]", 0, 0, 0);
	arg("~[RTMIN RT_1]", 0, 0, 0);
	arg("AT_FDCWD", 0, 0, 0);
	arg("O_RDONLY|O_LARGEFILE", 0, 0, 0);
	arg("...", 0, 0, 0);
	arg("", 0, 0, 0);
	arg("99999999999999999999999", 0, 0, 0);
	arg("-99999999999999999999999", 0, 0, 0);
	arg("-1x", 0, 0, 0);
	arg("makedev(0x1, 0x3)", 0, 0, 0);
	arg("8192*1024", 0, 0, 0);
}

/* ------------------------------------------------------------------ */
/* strace lines */

struct got {
	struct bg_trace_call c[64];
	unsigned n;
	unsigned warns;
	unsigned warn_line[64];
};

static void on_call(void *ctx, const struct bg_trace_call *c)
{
	struct got *g = ctx;

	if (g->n < 64)
		g->c[g->n] = *c;
	g->n++;
}

static void on_warn(void *ctx, unsigned line, const char *msg)
{
	struct got *g = ctx;

	(void)msg;
	if (g->warns < 64)
		g->warn_line[g->warns] = line;
	g->warns++;
}

static void feed(struct got *g, const char *const *lines, size_t n)
{
	struct bg_strace *s = bg_strace_new(on_call, on_warn, g);

	assert_non_null(s);
	memset(g, 0, sizeof(*g));
	for (size_t i = 0; i < n; i++) {
		/* an exact-size copy: nothing may read past the end */
		size_t len = strlen(lines[i]);
		char *copy = malloc(len ? len : 1);

		memcpy(copy, lines[i], len);
		bg_strace_line(s, copy, len, false, (unsigned)i + 1);
		free(copy);
	}
	bg_strace_finish(s);
	bg_strace_free(s);
}

static void test_strace_lines(void **state)
{
	static const char *const lines[] = {
		"openat(AT_FDCWD, \"/a,b)\\\"c\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3",  /* 1 */
		"1234  read(3, \"\\177ELF\"..., 832) = 832",                               /* 2 */
		"[pid  1235] write(1, \"x\", 1) = 1",                                       /* 3 */
		"1234  +++ exited with 0 +++",                                              /* 4 */
		"1235  --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED} ---",             /* 5 */
		"12:00:01.123456 getpid()                  = 7",                          /* 6 */
		"1234  1700000000.123456 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 3 <0.000010>", /* 7 */
		"[00007f1234567890] close(3) = 0",                                          /* 8 */
		("clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
		 "child_tidptr=0x7f0000000a10) = 5162"),                                    /* 9 */
		"syscall_0x1c9(0x1, 0x2) = -1 ENOSYS (Function not implemented)",           /* 10 */
		"exit_group(0)                           = ?",                               /* 11 */
		"strace: Process 1234 attached",                                            /* 12 */
		"",                                                                          /* 13 */
	};
	struct got g;

	(void)state;
	feed(&g, lines, sizeof(lines) / sizeof(lines[0]));
	assert_int_equal(g.warns, 0);
	assert_int_equal(g.n, 9);
	assert_string_equal(g.c[0].name, "openat");
	assert_int_equal(g.c[0].nr, 257);
	assert_int_equal(g.c[0].line, 1);
	assert_int_equal(g.c[0].known[0], 0);
	assert_int_equal(g.c[0].known[1], 0);
	assert_int_equal(g.c[0].args[2], 01101);
	assert_int_equal(g.c[0].known[2], ~0ULL);
	assert_int_equal(g.c[0].args[3], 0644);
	assert_int_equal(g.c[0].known[4], 0);
	assert_string_equal(g.c[1].name, "read");
	assert_int_equal(g.c[1].args[0], 3);
	assert_int_equal(g.c[1].known[1], 0);
	assert_int_equal(g.c[1].args[2], 832);
	assert_string_equal(g.c[2].name, "write");
	assert_string_equal(g.c[3].name, "getpid");
	assert_int_equal(g.c[3].known[0], 0);
	assert_string_equal(g.c[4].name, "socket");
	assert_int_equal(g.c[4].args[1], 1 | 02000000);
	assert_int_equal(g.c[4].args[2], 6);
	assert_string_equal(g.c[5].name, "close");
	/* clone: strace's names put each value in its register */
	assert_string_equal(g.c[6].name, "clone");
	assert_int_equal(g.c[6].args[0], 0x1200011);
	assert_int_equal(g.c[6].args[1], 0);
	assert_int_equal(g.c[6].known[1], ~0ULL);
	assert_int_equal(g.c[6].known[2], 0);
	assert_int_equal(g.c[6].args[3], 0x7f0000000a10ULL);
	assert_int_equal(g.c[7].nr, 0x1c9);
	assert_string_equal(g.c[8].name, "exit_group");
	assert_int_equal(g.c[8].args[0], 0);
}

static void test_strace_unfinished(void **state)
{
	static const char *const lines[] = {
		"100  wait4(101,  <unfinished ...>",                          /* 1 */
		"101  read(0,  <unfinished ...>",                             /* 2 */
		"102  getppid()                         = 100",               /* 3 */
		"100  <... wait4 resumed>NULL, __WALL, NULL) = 101",          /* 4 */
		"103  <... futex resumed>)           = 0",                    /* 5: began before the trace */
		"104  nanosleep({tv_sec=1, tv_nsec=0},  <unfinished ...>",    /* 6: never resumes */
		"101  <... write resumed>) = 1",                              /* 7: 101 left read, not write */
		"105  exit(0 <unfinished ...>",                               /* 8 */
		"105  <... exit resumed> <unfinished ...>) = ?",              /* 9: interrupted again */
	};
	struct got g;

	(void)state;
	feed(&g, lines, sizeof(lines) / sizeof(lines[0]));
	assert_int_equal(g.warns, 0);
	assert_int_equal(g.n, 7);
	assert_string_equal(g.c[0].name, "getppid");
	assert_string_equal(g.c[1].name, "wait4"); /* completed from both halves */
	assert_int_equal(g.c[1].line, 1);
	assert_int_equal(g.c[1].args[0], 101);
	assert_int_equal(g.c[1].args[1], 0);
	assert_int_equal(g.c[1].known[1], ~0ULL);
	assert_int_equal(g.c[1].known[2], 0); /* __WALL: a name bpfguard does not know */
	assert_int_equal(g.c[1].args[3], 0);
	assert_int_equal(g.c[1].known[3], ~0ULL);
	assert_string_equal(g.c[2].name, "futex");
	assert_int_equal(g.c[2].known[0], 0);
	/* 101's read never resumed: counted with what it showed */
	assert_string_equal(g.c[3].name, "read");
	assert_int_equal(g.c[3].line, 2);
	assert_int_equal(g.c[3].args[0], 0);
	assert_int_equal(g.c[3].known[0], ~0ULL);
	assert_string_equal(g.c[4].name, "write");
	assert_int_equal(g.c[4].known[0], 0);
	assert_string_equal(g.c[5].name, "exit");
	assert_int_equal(g.c[5].line, 8);
	assert_int_equal(g.c[5].args[0], 0);
	assert_int_equal(g.c[5].known[0], ~0ULL);
	assert_string_equal(g.c[6].name, "nanosleep");
	assert_int_equal(g.c[6].line, 6);
}

static void test_strace_personality(void **state)
{
	static const char *const lines[] = {
		"200  [ Process PID=200 runs in 32 bit mode. ]",
		"200  mkdir(\"/tmp/x\", 0755)      = 0",
		"201  getpid() = 201",
		"200  [ Process PID=200 runs in 64 bit mode. ]",
		"200  mkdir(\"/tmp/y\", 0755)      = 0",
		"[ Process PID=300 runs in x32 mode. ]",
		"getpid() = 1",
		"200  [ Process PID=200 runs in 32 bit mode. ]",
		"200  _llseek(3, 0, [0], SEEK_SET) = 0",
	};
	struct got g;

	(void)state;
	feed(&g, lines, sizeof(lines) / sizeof(lines[0]));
	assert_int_equal(g.warns, 0);
	assert_int_equal(g.n, 5);
	assert_int_equal(g.c[0].abi, BG_ABI_IA32);
	assert_int_equal(g.c[0].nr, 39);
	assert_int_equal(g.c[0].args[1], 0755);
	assert_int_equal(g.c[1].abi, BG_ABI_X86_64);
	assert_int_equal(g.c[2].abi, BG_ABI_X86_64);
	assert_int_equal(g.c[2].nr, 83);
	assert_int_equal(g.c[3].abi, BG_ABI_X32); /* a line without pid: the last personality */
	/* ia32 _llseek: strace joins the two offset registers; from there on unknown */
	assert_int_equal(g.c[4].abi, BG_ABI_IA32);
	assert_int_equal(g.c[4].known[0], ~0ULL);
	assert_int_equal(g.c[4].known[1], 0);
	assert_int_equal(g.c[4].known[3], 0);
}

static void test_strace_hostile(void **state)
{
	static const char *const lines[] = {
		"(((((((((((",                                  /* 1: warning */
		"\"",                                           /* 2: warning */
		"a(",                                           /* 3: a cut call: warning, counted */
		"[pid 12",                                      /* 4: warning */
		"<... >",                                       /* 5: warning */
		"<... read resumed",                            /* 6: warning */
		"x(\"unterminated, 1, 2",                       /* 7: warning, counted */
		"y(}}}}, 1)",                                   /* 8: warning, counted */
		"z(/* unterminated comment",                    /* 9: warning, counted */
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa(1) = 0", /* 10: name too long: warning */
		"9999999999999999999999 getpid() = 1",          /* 11: not a pid: warning */
		"[ Process PID= runs in 32 bit mode. ]",        /* 12: warning */
		"getpid(1, 2, 3, 4, 5, 6, 7, 8, 9) = 0",        /* 13: extra arguments ignored */
		"\xff\xfe(1)",                                  /* 14: warning */
	};
	struct got g;

	(void)state;
	feed(&g, lines, sizeof(lines) / sizeof(lines[0]));
	assert_int_equal(g.n, 5);
	assert_string_equal(g.c[0].name, "a");
	assert_int_equal(g.c[0].nr, -1);
	assert_string_equal(g.c[1].name, "x");
	assert_int_equal(g.c[1].known[0], 0);
	assert_string_equal(g.c[2].name, "y");
	assert_string_equal(g.c[3].name, "z");
	assert_string_equal(g.c[4].name, "getpid");
	assert_int_equal(g.c[4].args[5], 6);
	assert_int_equal(g.warns, 13);
	assert_int_equal(g.warn_line[0], 1);
	assert_int_equal(g.warn_line[12], 14);
}

/* A line cut by the reader: what came before the cut is known. */
static void test_strace_cut(void **state)
{
	struct got g;
	struct bg_strace *s = bg_strace_new(on_call, on_warn, &g);
	const char *line = "write(1, \"aaaaaaaaaaaaaaaaaaaaaaa";

	(void)state;
	memset(&g, 0, sizeof(g));
	bg_strace_line(s, line, strlen(line), true, 7);
	bg_strace_finish(s);
	bg_strace_free(s);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.warns, 0);
	assert_int_equal(g.c[0].args[0], 1);
	assert_int_equal(g.c[0].known[0], ~0ULL);
	assert_int_equal(g.c[0].known[1], 0);
}

/* Many processes left unfinished: the table is bounded, nothing is lost. */
static void test_strace_pending_bound(void **state)
{
	struct got g;
	struct bg_strace *s = bg_strace_new(on_call, NULL, &g);
	char line[64];

	(void)state;
	memset(&g, 0, sizeof(g));
	for (int i = 0; i < BG_TRACE_MAX_PENDING + 100; i++) {
		int n = snprintf(line, sizeof(line), "%d  read(%d,  <unfinished ...>", 1000 + i, i);
		bg_strace_line(s, line, (size_t)n, false, (unsigned)i + 1);
	}
	bg_strace_finish(s);
	bg_strace_free(s);
	assert_int_equal(g.n, BG_TRACE_MAX_PENDING + 100);
}

/* ------------------------------------------------------------------ */
/* The replay */

static struct bg_ptest *replay(const struct bg_policy *p, const char *text, const char *origin)
{
	struct bg_ptest *t = bg_ptest_new(p);
	struct bg_diag d = {};

	assert_non_null(t);
	assert_int_equal(bg_ptest_buffer(t, text, strlen(text), origin, &d), 0);
	return t;
}

static void group_is(const struct bg_ptest *t, unsigned i, const char *sys, const char *abi,
		     const char *action, uint64_t count, const char *first)
{
	const char *s, *a, *act, *f;
	uint64_t n;

	assert_true(bg_ptest_group(t, i, &s, &a, &act, &n, &f));
	assert_string_equal(s, sys);
	assert_string_equal(a, abi);
	assert_string_equal(act, action);
	assert_int_equal(n, count);
	assert_string_equal(f, first);
}

static void test_replay_strace(void **state)
{
	struct bg_policy *p = parse(pol);
	struct bg_ptest *t = replay(p,
		"10 read(3, \"\", 1) = 0\n"
		"10 ptrace(PTRACE_TRACEME) = 0\n"
		"10 openat(AT_FDCWD, \"/x\", O_RDONLY|O_CLOEXEC) = 3\n"
		"10 openat(AT_FDCWD, \"/x\", O_WRONLY|O_CREAT, 0600) = 3\n"
		"10 openat(AT_FDCWD, \"/y\", O_RDWR|O_LARGEFILE) = 3\n"
		"10 ptrace(PTRACE_TRACEME) = 0\n"
		"10 socket(AF_INET, SOCK_STREAM, 0) = 3\n"
		"10 getpid() = 10\n"
		"garbage line\n"
		"10 openat(AT_FDCWD, \"/x\", O_WRONLY) = 3\n", "s.trace");

	(void)state;
	assert_int_equal(bg_ptest_calls(t), 9);
	assert_int_equal(bg_ptest_denied(t), 6);
	assert_int_equal(bg_ptest_undecidable(t), 1);
	assert_int_equal(bg_ptest_warnings_total(t), 1);
	assert_int_equal(bg_ptest_exit(t), BG_PTEST_EXIT_DENIED);
	group_is(t, 0, "ptrace", "x86_64", "kill", 2, "s.trace:2");
	group_is(t, 1, "openat", "x86_64", "errno(EROFS)", 2, "s.trace:4");
	group_is(t, 2, "socket", "x86_64", "errno(EACCES)", 1, "s.trace:7");
	group_is(t, 3, "getpid", "x86_64", "errno(EPERM)", 1, "s.trace:8");
	/* O_LARGEFILE is not a name bpfguard knows: arg2 unknown */
	group_is(t, 4, "openat", "x86_64", "undecidable", 1, "s.trace:5");
	bg_ptest_free(t);
	bg_policy_free(p);
}

static void test_replay_allowed(void **state)
{
	struct bg_policy *p = parse(pol);
	struct bg_ptest *t = replay(p, "read(3, \"\", 1) = 0\nmmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0) = 0x1000\n"
				       "mmap(NULL, 4096, PROT_READ|PROT_EXEC, MAP_PRIVATE, 3, 0) = 0x1000\n", "ok.trace");
	const char *s, *a, *act, *f;
	uint64_t n;

	(void)state;
	assert_int_equal(bg_ptest_calls(t), 3);
	assert_int_equal(bg_ptest_exit(t), 0);
	assert_false(bg_ptest_group(t, 0, &s, &a, &act, &n, &f));
	bg_ptest_free(t);
	bg_policy_free(p);
}

static void test_replay_events(void **state)
{
	struct bg_policy *p = parse(pol);
	struct bg_ptest *t = replay(p,
		"{\"type\":\"syscall\",\"syscall\":\"socket\",\"nr\":41,\"abi\":\"x86_64\",\"count\":3,\"suppressed\":2,"
		"\"args\":[2,524289,0,0,0,0]}\n"
		"{\"type\":\"net\",\"hook\":\"connect4\"}\n"
		"\n"
		"{\"type\":\"syscall\",\"syscall\":\"socket\",\"nr\":41,\"abi\":\"x86_64\",\"args\":[10,1,0,0,0,0]}\n"
		"{\"type\":\"syscall\",\"syscall\":\"mkdir\",\"nr\":39,\"abi\":\"ia32\",\"args\":[1,2,3,4,5,6]}\n"
		"{\"type\":\"syscall\",\"syscall\":\"openat\",\"nr\":257,\"abi\":\"x86_64\"}\n"
		"{not json\n"
		"[1,2]\n"
		"{\"type\":\"syscall\",\"abi\":\"mips\",\"nr\":1}\n"
		"{\"type\":\"syscall\",\"syscall\":null,\"nr\":999,\"abi\":\"x86_64\",\"args\":[0,0,0,0,0,0]}\n",
		"ev.json");

	(void)state;
	/* socket AF_INET stream: denied; AF_INET6: allowed; ia32 mkdir: kill by
	 * the ia32 default; openat without args (a run decision): undecidable;
	 * 999: the default */
	assert_int_equal(bg_ptest_calls(t), 5);
	assert_int_equal(bg_ptest_warnings_total(t), 3);
	group_is(t, 0, "socket", "x86_64", "errno(EACCES)", 1, "ev.json:1");
	group_is(t, 1, "mkdir", "ia32", "kill", 1, "ev.json:5");
	group_is(t, 2, "999", "x86_64", "errno(EPERM)", 1, "ev.json:10");
	group_is(t, 3, "openat", "x86_64", "undecidable", 1, "ev.json:6");
	bg_ptest_free(t);
	bg_policy_free(p);
}

static void test_replay_learn(void **state)
{
	struct bg_policy *p = parse(pol);
	/* socket: 5 calls, 3 recorded as (AF_INET, type & 0xf = STREAM), 1 as
	 * (AF_INET6, STREAM), 1 not recorded (values_incomplete) */
	static const char learned[] =
		"{\"cgroup\":\"/x\",\"seen\":[\n"
		"  {\"abi\":\"x86_64\",\"syscall\":\"read\",\"nr\":0,\"count\":40},\n"
		"  {\"abi\":\"x86_64\",\"syscall\":\"socket\",\"nr\":41,\"count\":5,\"values\":[\n"
		"     {\"args\":[2,1],\"count\":3},{\"args\":[10,1],\"count\":1},{\"args\":\"bad\",\"count\":1}],\n"
		"   \"values_incomplete\":true},\n"
		"  {\"abi\":\"x86_64\",\"syscall\":\"ptrace\",\"nr\":101,\"count\":2},\n"
		"  {\"abi\":\"x32\",\"syscall\":null,\"count\":1},\n"
		"  \"junk\"\n"
		"]}\n";
	struct bg_ptest *t = replay(p, learned, "l.json");

	(void)state;
	assert_int_equal(bg_ptest_calls(t), 48);
	assert_int_equal(bg_ptest_warnings_total(t), 1);
	group_is(t, 0, "socket", "x86_64", "errno(EACCES)", 3, "l.json:seen[1]");
	group_is(t, 1, "ptrace", "x86_64", "kill", 2, "l.json:seen[2]");
	group_is(t, 2, "(number past the table)", "x32", "kill", 1, "l.json:seen[3]");
	group_is(t, 3, "socket", "x86_64", "undecidable", 1, "l.json:seen[1]");
	assert_int_equal(bg_ptest_exit(t), BG_PTEST_EXIT_DENIED);
	bg_ptest_free(t);
	bg_policy_free(p);
}

/* Compact learned JSON on one line, and input that is none of the formats. */
static void test_replay_sniff(void **state)
{
	struct bg_policy *p = parse("default allow\nkill ptrace\n");
	struct bg_ptest *t = replay(p, "{\"seen\":[{\"abi\":\"x86_64\",\"syscall\":\"ptrace\",\"count\":7}]}", "c.json");

	(void)state;
	group_is(t, 0, "ptrace", "x86_64", "kill", 7, "c.json:seen[0]");
	bg_ptest_free(t);
	t = replay(p, "\x01\x02\x03\n\n\xff", "bin");
	assert_int_equal(bg_ptest_calls(t), 0);
	assert_int_equal(bg_ptest_warnings_total(t), 2);
	assert_int_equal(bg_ptest_exit(t), 0);
	bg_ptest_free(t);
	t = replay(p, "", "empty");
	assert_int_equal(bg_ptest_calls(t), 0);
	bg_ptest_free(t);
	bg_policy_free(p);
}

/* Events printed indented (bpfguard -p events): objects over several lines. */
static void test_replay_pretty_events(void **state)
{
	struct bg_policy *p = parse("default allow\nkill ptrace\n");
	struct bg_ptest *t = replay(p,
		"{\n  \"type\": \"syscall\",\n  \"syscall\": \"getpid\",\n  \"nr\": 39,\n  \"abi\": \"x86_64\"\n}\n"
		"{\n  \"type\": \"syscall\",\n  \"syscall\": \"ptrace\",\n  \"nr\": 101,\n"
		"  \"abi\": \"x86_64\",\n  \"args\": [0, 0, 0, 0, 0, 0]\n}\n"
		"{\n  \"other\": 1\n}\n"
		"{ broken\n", "pretty.json");

	(void)state;
	assert_int_equal(bg_ptest_calls(t), 2);
	group_is(t, 0, "ptrace", "x86_64", "kill", 1, "pretty.json:7");
	assert_int_equal(bg_ptest_warnings_total(t), 2);
	bg_ptest_free(t);
	bg_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eval_all_known_is_eval),
		cmocka_unit_test(test_eval_explains),
		cmocka_unit_test(test_eval_unknown_bits),
		cmocka_unit_test(test_eval_one_action),
		cmocka_unit_test(test_strace_args),
		cmocka_unit_test(test_strace_lines),
		cmocka_unit_test(test_strace_unfinished),
		cmocka_unit_test(test_strace_personality),
		cmocka_unit_test(test_strace_hostile),
		cmocka_unit_test(test_strace_cut),
		cmocka_unit_test(test_strace_pending_bound),
		cmocka_unit_test(test_replay_strace),
		cmocka_unit_test(test_replay_allowed),
		cmocka_unit_test(test_replay_events),
		cmocka_unit_test(test_replay_learn),
		cmocka_unit_test(test_replay_sniff),
		cmocka_unit_test(test_replay_pretty_events),
	};
	return cmocka_run_group_tests_name("policy_test", tests, NULL, NULL);
}

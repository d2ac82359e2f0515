/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * policy_test.h - test a policy before enforcing it (`bpfguard policy
 * eval`, `bpfguard policy test`; docs/policy.md, "Testing a policy before
 * enforcing it").  policy_test.c: the replay, its report, the JSON
 * readers; trace_strace.c: the strace reader.
 *
 * Every call is judged by bg_policy_eval_known() (user/policy/policy.c),
 * the reference semantics the kernel maps are compiled from and checked
 * against: nothing here decides what a rule means.  What this file adds is
 * reading calls back from recorded traces and saying what decided them.
 *
 * Traces, sniffed per file:
 *   learn   the JSON of `bpfguard learn --json` (learn.h: `seen[]`, with
 *           the recorded argument values laid out as learn.c records them)
 *   events  `bpfguard events --json` lines (docs/events.md); only `syscall`
 *           events are calls, and only they carry arguments
 *   strace  `strace [-f] -o FILE` output, symbolic or with -X raw /
 *           -e raw=all: pid prefixes, <unfinished ...> / resumed> pairs,
 *           timestamps, personality changes ("runs in 32 bit mode")
 * An argument a trace does not show (a string, a struct, a flag name
 * bpfguard does not know, the arguments of a learned call that were not
 * recorded) is unknown, bit by bit; a rule that tests it makes the call
 * "undecidable from this trace", never a guess.
 *
 * Input is untrusted: lines are cut at BG_TRACE_LINE_MAX, every table is
 * bounded, a line that is not a call is skipped and a malformed one is a
 * warning naming file:line.
 */
#ifndef BG_POLICY_TEST_H
#define BG_POLICY_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "policy.h"

struct json_object;

/* Exit codes of `policy eval` and `policy test` (besides 0 allowed/none
 * denied, 1 failure, 2 bad input): distinct from both. */
enum {
	BG_PTEST_EXIT_DENIED = 4,      /* the policy denies a call (errno or kill) */
	BG_PTEST_EXIT_UNDECIDABLE = 5, /* none surely denied, but one may be: an argument it tests is unknown */
};

#define BG_TRACE_LINE_MAX 16384     /* longer lines are cut; arguments past the cut are unknown */
#define BG_TRACE_NAME_MAX 64
#define BG_TRACE_MAX_PENDING 1024   /* strace: <unfinished ...> calls waiting for their resumed> */
#define BG_TRACE_MAX_PIDS 1024      /* strace: processes in another personality than 64 bit */
#define BG_PTEST_MAX_GROUPS 4096    /* distinct (syscall, abi, action) reported */
#define BG_PTEST_MAX_WARNINGS 20    /* kept per run; the rest are counted */
#define BG_PTEST_MAX_FILES 64
#define BG_LEARN_JSON_MAX (64u << 20)

/* One call (or `count` identical ones) read from a trace. */
struct bg_trace_call {
	int abi;                        /* BG_ABI_* */
	int nr;                         /* -1: no number (a name the table does not have) */
	char name[BG_TRACE_NAME_MAX];   /* as the trace spells it ("" if it has none) */
	uint64_t args[6];
	uint64_t known[6];              /* bit set = that bit of args[i] is known */
	uint64_t count;
	unsigned line;                  /* 1-based line in the trace, 0 if none */
	int entry;                      /* learn: index in seen[], else -1 */
};

typedef void (*bg_trace_call_fn)(void *ctx, const struct bg_trace_call *c);
typedef void (*bg_trace_warn_fn)(void *ctx, unsigned line, const char *msg);

/* The strace reader: feed it lines in order (without the newline);
 * `truncated`: the line was longer than the caller's buffer and was cut.
 * Calls come out through `call`, malformed lines through `warn`.  A call
 * left <unfinished ...> is delivered when it resumes, when its process
 * starts another call, or at bg_strace_finish(). */
struct bg_strace;
struct bg_strace *bg_strace_new(bg_trace_call_fn call, bg_trace_warn_fn warn, void *ctx);
void bg_strace_line(struct bg_strace *s, const char *line, size_t len, bool truncated, unsigned lineno);
void bg_strace_finish(struct bg_strace *s);
void bg_strace_free(struct bg_strace *s);

/* Decodes one strace argument (the text between commas) into a value and
 * the bits of it that are known (0: unknown).  abi decides how a negative
 * decimal extends. */
void bg_strace_arg(const char *s, size_t len, int abi, uint64_t *val, uint64_t *known);

/* The replay. */
struct bg_ptest;
struct bg_ptest *bg_ptest_new(const struct bg_policy *p);
/* Reads one trace file (format sniffed) and judges every call.  0, or -1
 * with d set when the file cannot be read at all (malformed lines are
 * warnings, kept in the result). */
int bg_ptest_file(struct bg_ptest *t, const char *path, struct bg_diag *d);
/* The same from memory (tests, fuzzing); origin names it in the report. */
int bg_ptest_buffer(struct bg_ptest *t, const char *buf, size_t len, const char *origin,
		    struct bg_diag *d);
/* 0 none denied, BG_PTEST_EXIT_DENIED, BG_PTEST_EXIT_UNDECIDABLE. */
int bg_ptest_exit(const struct bg_ptest *t);
/* The report: one line per group (denied, then undecidable), a summary. */
void bg_ptest_print(const struct bg_ptest *t, FILE *f);
struct json_object *bg_ptest_to_json(const struct bg_ptest *t);
/* Warnings kept ("file:line: what"), and how many there were in all. */
unsigned bg_ptest_warnings(const struct bg_ptest *t, const char *const **msgs);
uint64_t bg_ptest_warnings_total(const struct bg_ptest *t);
/* Totals, for tests. */
uint64_t bg_ptest_calls(const struct bg_ptest *t);
uint64_t bg_ptest_denied(const struct bg_ptest *t);
uint64_t bg_ptest_undecidable(const struct bg_ptest *t);
/* Calls of group i (in report order) and its syscall name, action text
 * ("kill", "errno(EPERM)", "undecidable"); false past the end. */
bool bg_ptest_group(const struct bg_ptest *t, unsigned i, const char **syscall, const char **abi,
		    const char **action, uint64_t *count, const char **first);
void bg_ptest_free(struct bg_ptest *t);

/* What decided a call, for people: "line 7: errno(EACCES) socket if arg0
 * == 0x2", "the x86_64 default: errno(EPERM)", ... */
void bg_eval_describe(const struct bg_policy *p, int abi, int nr, const struct bg_eval *e,
		      char *buf, size_t len);
/* The arguments an open result needs: "arg1, arg2". */
void bg_eval_need_str(unsigned need, char *buf, size_t len);
/* `policy eval` as JSON: the call, the action, what decided it. */
struct json_object *bg_eval_to_json(const struct bg_policy *p, int abi, int nr,
				    const uint64_t args[6], const uint64_t known[6],
				    const struct bg_eval *e);

#endif

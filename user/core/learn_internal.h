/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * learn_internal.h - private to learn.c (the session, kernel side) and
 * learn_policy.c (the policy text and JSON it is rendered as): what a
 * session holds.  Not an API: nothing outside user/core/ includes it.
 */
#ifndef BG_LEARN_INTERNAL_H
#define BG_LEARN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "bpfguard.h"
#include "cgroup.h"
#include "policy.h"
#include "syscalls.h"

struct learn_bpf;

/*
 * The register arguments worth constraining, deliberately few: each is a
 * plain value (never a pointer), each has a small set of values a program
 * uses, and each guards something a policy author cares about (which
 * address families; which namespaces; which process knobs).  Anything
 * else is allowed or not as a whole, as it was seen or not.
 */
enum watch_kind {
	W_SOCKET = 1, /* (family, type & 0xf) pairs -> one rule per pair, else per family */
	W_NSFLAGS,    /* flags -> refuse the namespace bits never seen */
	W_VALUES,     /* one value -> one rule per value seen */
};

struct watch_def {
	const char *name;
	enum watch_kind kind;
	uint8_t nvals;
	uint8_t arg[BG_LEARN_NVALS];
	uint64_t mask[BG_LEARN_NVALS];
	uint64_t nsbits; /* W_NSFLAGS */
};

/* Allowed whether seen or not (learn.c says why). */
extern const char *const learn_extras[BG_NR_TABLES][5];

/*
 * An executable the session saw run, and what kind of runtime it is.  A Go
 * program makes calls that depend on timing, not on what it does: the
 * scheduler yields when a lock is contended (sched_yield), sysmon preempts
 * a long-running goroutine with a signal (getpid, tgkill, rt_sigreturn),
 * the scavenger returns memory (madvise).  One run shows some of them, the
 * next run others; a policy learned from one run kills the next.  So when
 * a Go binary ran, the runtime's own calls (@go-runtime) that were not
 * seen are added, each marked as added (docs/learn.md).
 */
enum exe_kind { EXE_UNCHECKED, EXE_GO, EXE_OTHER, EXE_UNREADABLE };

struct learned_exe {
	struct bg_learn_exec_key key;
	struct bg_learn_exec rec;
	enum exe_kind kind;
	bool cgo;
	bool derived;        /* EXE_GO: its syscalls were read from its code (policy derive) */
	unsigned nderived;   /* how many distinct x86_64 numbers */
	char go_version[32]; /* EXE_GO */
	char why[96];        /* EXE_UNREADABLE */
};

/* Paths userspace knows for files the kernel names by identity: `run
 * --learn` knows its payload by its host path, while the exec inside the
 * sandbox names it by the sandbox's. */
#define MAX_HINTS 4

struct argval {
	uint32_t idx;
	uint64_t val[BG_LEARN_NVALS];
	uint64_t count;
};

struct bg_learn {
	struct learn_bpf *skel;
	struct bpf_link *link, *exec_link;
	struct bg_cgpath cg;
	unsigned level;
	uint64_t t_start, t_stop;  /* CLOCK_MONOTONIC ns */
	uint64_t real_start;       /* CLOCK_REALTIME ns */
	bool stopped;
	const struct watch_def *watch[BG_LEARN_SLOTS];
	uint64_t counts[BG_LEARN_SLOTS];
	struct bg_learn_slot slots[BG_LEARN_SLOTS];
	struct argval *vals;
	size_t nvals;
	char name[BG_NAME_MAX]; /* of the policy written, "" before */
	int snap_err;           /* errno if the counts could not be read */
	struct learned_exe *exes;
	size_t nexes;
	uint64_t exes_lost;     /* executables not recorded: the map was full */
	char *hints[MAX_HINTS];
	size_t nhints;
	bool go_seen;           /* a Go binary ran: its runtime's calls are added */
	unsigned char derived[BG_MAX_SYSCALLS]; /* x86_64 numbers in the code of the Go binaries read */
	/* x86_64 numbers added for it, not seen: LEARN_ADD_* bits (why) */
	unsigned char go_added[BG_MAX_SYSCALLS];
};

#define LEARN_ADD_DERIVED 0x1 /* in the code of a Go binary that ran (user/go/derive.c) */
#define LEARN_ADD_RUNTIME 0x2 /* in @go-runtime (a Go binary whose code could not be read) */

uint64_t learn_now_ns(clockid_t clk);

#endif

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * exec_gate.h - the exec gate: the executable allowlist (exec_allow.h)
 * refused at execve on kernels without BPF LSM, with fanotify permission
 * events (FAN_OPEN_EXEC_PERM).  An unlisted executable opened for exec by a
 * task in a guarded cgroup gets FAN_DENY, and execve fails with EPERM.  The
 * decision reads the same pinned maps exec.bpf.c reads (bg_cgroups,
 * bg_exec_pol, bg_exec_allow, bg_exec_trusted), and exec.bpf.c's kill at
 * sched_process_exec stays attached as the backstop: whatever the gate
 * misses or cannot answer (dead, stalled, a file system it has no mark on)
 * is still killed before its first instruction.  docs/exec.md, "fanotify
 * gate".
 *
 * Two processes, detached from whoever started them (double fork, setsid,
 * moved to the root cgroup): the supervisor (`bpfguard exec-gate`, hidden
 * verb) holds a POSIX lock on BG_RUN_DIR/exec-gate.pid and restarts the
 * worker, which owns the fanotify group, when it dies or stops answering
 * (heartbeat older than BG_GATE_STALL_MS: SIGKILL, so the kernel answers
 * its pending events with allow and the backstop judges them).
 * BG_RUN_DIR/exec-gate.shm is a shared page: the policy generation that
 * attach/detach bump (the worker's cache is valid for one generation), the
 * worker's heartbeat and its counters (status).
 */
#ifndef BG_EXEC_GATE_H
#define BG_EXEC_GATE_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"

#define BG_GATE_PID_NAME "exec-gate.pid"
#define BG_GATE_SHM_NAME "exec-gate.shm"
#define BG_GATE_LOG_NAME "exec-gate.log"
/* A worker whose heartbeat is older than this is killed (and restarted):
 * a guarded execve waits at most this plus BG_GATE_CHECK_MS. */
#define BG_GATE_STALL_MS 1000
#define BG_GATE_CHECK_MS 100

/* The shared page (one writer each: gen by the CLI under bpfguard's lock,
 * the rest by the worker or the supervisor). */
struct bg_gate_shm {
	uint32_t magic;
	uint32_t version;
	uint64_t gen;          /* policy generation, bumped after every exec map change */
	uint64_t heartbeat_ns; /* worker, CLOCK_MONOTONIC, every loop */
	int32_t sup_pid, worker_pid;
	uint64_t started;      /* supervisor start, unix seconds */
	uint64_t events;       /* permission events answered */
	uint64_t allowed, denied;
	uint64_t unguarded;    /* allowed at once: the task is in no guarded cgroup or no exec section */
	uint64_t audit;        /* allowed: audit mode (the backstop path records) */
	uint64_t cache_hits;   /* decided from the cache, no map lookup */
	uint64_t interp;       /* ELF interpreters of an allowed exec, allowed */
	uint64_t unknown;      /* task's cgroup unreadable (it died): allowed, backstop judges */
	uint64_t restarts;     /* workers restarted after dying */
	uint64_t stalls;       /* workers killed for not answering */
	uint32_t marks;        /* file systems marked */
	uint32_t mark_failed;  /* file systems a mark was refused on (backstop only) */
	uint64_t deny_why[5];  /* per BG_EXEC_WHY_* */
};

struct bg_gate_status {
	bool running;   /* the supervisor holds its lock */
	bool worker;    /* and a worker answers (heartbeat fresh) */
	int pid, worker_pid;
	struct bg_gate_shm c; /* counters (zero if never started) */
};

/* BPFGUARD_EXEC_GATE=off, or the kernel has no fanotify permission events
 * for exec (FAN_CLASS_CONTENT, FAN_OPEN_EXEC_PERM): false, the kill at exec
 * alone enforces.  Probed once per process. */
bool bg_exec_gate_usable(void);
/* Starts the gate if a slot of bg_exec_pol needs it (an exec section
 * enforced by kill, not audit) and it is not running; stops it if none
 * does.  Returns when the worker's marks are in place.  0, or -1 with d
 * set (could not start). */
int bg_exec_gate_sync(struct bg_diag *d);
/* Stops a running gate (reset): 0, or -1 if it would not stop. */
int bg_exec_gate_stop(void);
/* A change of the exec maps: every cached decision is stale. */
void bg_exec_gate_bump(void);
/* What status shows. */
void bg_exec_gate_status(struct bg_gate_status *out);
/* The supervisor (the hidden verb); ready_fd gets "ok\n" or an error line
 * once the first worker's marks are in place (-1: none).  Returns an exit
 * code when stopped. */
int bg_exec_gate_main(int ready_fd);

#endif

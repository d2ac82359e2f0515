/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * run_internal.h - private to `bpfguard run` (run.c, run_cgroup.c,
 * run_audit.c): the state of one run and the steps the other files do for
 * run.c.  Not an API: nothing outside user/run/ includes it.
 */
#ifndef BG_RUN_INTERNAL_H
#define BG_RUN_INTERNAL_H

#include <limits.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "loader.h"
#include "policy.h"
#include "record.h"
#include "run.h"

struct bg_learn;

/* How a limit is enforced. */
enum limit_via { VIA_NONE = 0, VIA_V2, VIA_V1, VIA_RLIMIT };

enum { RES_MEMORY, RES_PIDS, RES_CPU, RES__COUNT };
extern const char *const run_res_ctrl[RES__COUNT]; /* their controllers */

struct denial {
	int abi, nr;
	bool kill;
	unsigned long long n;
};

struct run {
	const struct bg_run_opts *o;
	char id[48];
	char cg2[PATH_MAX];
	char base[PATH_MAX + 16];       /* <cg2>/bpfguard.run */
	char dir[PATH_MAX + 80];        /* <base>/<id>: init, v2 limits */
	char payload_cg[PATH_MAX + 96]; /* <dir>/payload: the payload, BPF attached */
	bool made_dir, made_payload, attached;
	/* the state the attach left open, detached with (bg_attach_req.keep_state) */
	struct bg_state bpf_state;
	bool bpf_state_open;
	uint64_t payload_cgid; /* the payload cgroup's id (events carry it) */
	int via[RES__COUNT];
	char v1dir[RES__COUNT][PATH_MAX + 80]; /* "" if not made */
	struct bg_policy *policy;
	char source[PATH_MAX];
	char *policy_text;        /* the policy's bytes as parsed (NULL: the built-in) */
	size_t policy_text_len;
	scmp_filter_ctx filter;
	struct sock_filter *prog; /* exported */
	size_t prog_len;
	char exe[PATH_MAX];
	char **envp;
	pid_t init;
	int lerr_fd, status_fd;    /* read ends: launch errors, the payload's status */
	int go_fd;                 /* write end: the payload may exec (the BPF side is up) */
	int init_status;
	bool init_reaped;
	/* outcome */
	bool timed_out;
	int forwarded;
	int payload_status;
	bool have_payload_status;
	struct bg_launch_err lerr;
	bool have_lerr;
	/* audit */
	int audit_fd;
	unsigned ses; /* our audit session, 0 if unknown */
	struct denial *den;
	unsigned nden;
	size_t capden;
	unsigned long long audit_lost;
	int kill_abi, kill_nr; /* the syscall a kill record named, -1 if none */
	bool marker_seen;      /* our end-of-run marker came back: all earlier records are in */
	struct timespec t0;
	/* events: seccomp records into bg_counters/bg_events (record.bpf.c) */
	struct bg_recorder rec;
	bool recording;
	struct bg_learn *learn; /* --learn */
	int id_lock_fd;        /* holds the per-run id (BG_RUN_ID_DIR), -1 if none */
	uid_t dyn_id;          /* the per-run id, when id_lock_fd >= 0 */
	char interp[PATH_MAX]; /* CMD's interpreter (PT_INTERP, #!), if it had to be bound */
	int64_t realtime_to_boot; /* ns to add to a realtime stamp */
};

/* run_cgroup.c: cgroup files */
int run_write_str(const char *path, const char *s);
int run_writef(const char *dir, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
long long run_keyed(const char *dir, const char *file, const char *key);
long long run_read_ll(const char *dir, const char *file);

/* run_cgroup.c: the run's cgroups and limits, and their removal */
int run_setup_cgroups(struct run *r);
void run_kill_tree(struct run *r);
void run_reap_init(struct run *r, bool block);
void run_teardown(struct run *r);
void run_sweep_stale(const char *cg2);

/* run_audit.c: the kernel's audit records of seccomp decisions */
void run_audit_open(struct run *r);
void run_audit_drain(struct run *r);
void run_audit_sync(struct run *r);

#endif

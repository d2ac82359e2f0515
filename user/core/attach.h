/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * attach.h - the attach core (core/attach.c): what `bpfguard attach` and
 * `detach` do, for the CLI, `bpfguard run` and the daemon alike.
 */
#ifndef BG_ATTACH_H
#define BG_ATTACH_H

#include <stdbool.h>
#include <stdint.h>

#include "attachment.h"
#include "compile_bpf.h"
#include "cgroup.h"
#include "mechanism.h"
#include "policy.h"

struct bg_attach_req {
	const struct bg_policy *policy; /* in memory; not taken over */
	const char *source;             /* recorded as the policy's source */
	const char *cgroup;             /* as `attach --cgroup` */
	int mode;                       /* enum bg_mode */
	int fallback;                   /* enum bg_fallback */
	int target;                     /* enum bg_plan_target */
	bool set_rate_limit;            /* write rate_limit (else left as is) */
	uint32_t rate_limit;            /* events per second per cgroup, 0 = none */
	bool require_deny;              /* refuse unless every errno rule is denied before effect */
	bool quiet;                     /* no warnings on stderr */
	/* seccomp target only: also bring up the cgroup escape guard.  A
	 * payload whose host id is not 0 cannot write any cgroup.procs (nor
	 * see cgroupfs), so bpfguard run needs it only for --user root, and
	 * spares every other run loading escape.bpf.o (a CO-RE load: ~25 ms
	 * of start-up). */
	bool escape_guard;
	/* If not NULL, a successful attach leaves its state open here rather
	 * than closing it: bpfguard run detaches with it (bg_detach_run),
	 * which spares opening the pins and resolving the cgroup again on
	 * the way out (~0.13 ms of its start-to-exit time). The caller closes it. */
	struct bg_state *keep_state;
};

/* What an attach did, for the caller to print. */
struct bg_attach_out {
	struct bg_plan plan;        /* per-rule mechanisms */
	struct bg_cgpath cg;        /* the cgroup */
	struct bg_attachment rec;   /* the record written */
	int guarded;                /* cgroups now guarded by it */
	bool replaced;              /* an attachment was replaced */
	char summary[1024];         /* bg_plan_summary() */
	char hooks_summary[512];    /* network/devices/sysctl, "" = none */
	char exec_summary[256];     /* executables, "" = none */
	struct bg_rule_mech *rules; /* per rule, the mechanism (bg_rule_mechs); heap */
	unsigned nrules;
};
void bg_attach_out_free(struct bg_attach_out *out);

/* Attaches req->policy to req->cgroup, all or nothing.  BG_EXIT_*; errors:
 * one line on stderr, or in *res if res is not NULL.  out may be NULL. */
int bg_attach(const struct bg_attach_req *req, struct bg_attach_out *out, struct bg_attach_result *res);

/* The same, quiet; the plan (per-mechanism tally) in *plan_out if not
 * NULL.  bg_attach_policy_r: errors into *res (the daemon). */
int bg_attach_policy(const struct bg_attach_req *req, struct bg_plan *plan_out);
int bg_attach_policy_r(const struct bg_attach_req *req, struct bg_plan *plan_out, struct bg_attach_result *res);

/* What `detach --cgroup PATH` does, printing nothing on success; the
 * removed record in *out if not NULL. */
int bg_detach_cgroup(const char *path, struct bg_attachment *out);
/* The same for the attachment record of cgroup id cgid, whose directory
 * is gone (its path may belong to a new cgroup already).  No record: 0. */
int bg_detach_cgid(uint64_t cgid);

/* What a `bpfguard run` attached besides its seccomp record, so its
 * detach skips the rest (bg_detach_run). */
struct bg_detach_run_opts {
	/* the state bg_attach left open (bg_attach_req.keep_state) and the
	 * cgroup's id; NULL: opened here */
	struct bg_state *st;
	uint64_t cgid;
	bool recorded; /* decisions were recorded: counters to drop */
	bool hooks;    /* the policy has net/dev/sysctl sections */
	bool exec;     /* ... an exec section */
	bool escape;   /* the escape guard was brought up (--user root) */
};
/* bpfguard run's detach of its payload cgroup: the same end state as
 * bg_detach_cgroup for a seccomp record, in fewer steps (no LSM hooks, no
 * filter entry, nothing below the payload cgroup unless its cgroup.stat
 * says so).  Anything else (not a seccomp record, descendants) takes the
 * general path.  0 or BG_EXIT_FAIL with one line printed. */
int bg_detach_run(const char *path, const struct bg_detach_run_opts *o);

#endif

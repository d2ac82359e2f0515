/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * mechanism.h - the one place that decides which kernel mechanism enforces
 * each decision of a policy, from what `probe` found.
 *
 * attach, status and run all report what is decided here.  Order of
 * strength: LSM deny > seccomp (launched processes) > cgroup hook deny >
 * kernel kill (after the call) > audit.  An errno verdict with no
 * deny-before-effect mechanism takes the user's --fallback, never a silent
 * downgrade.
 */
#ifndef BG_MECHANISM_H
#define BG_MECHANISM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "policy.h"

struct bg_probe;
struct bg_lsm_fit;
struct json_object;

/* What the running kernel (and this build) can do. */
struct bg_mechs {
	bool lsm_deny;    /* BPF LSM programs load here */
	const struct bg_lsm_fit *lsm_fit; /* which hooks fit this kernel (lsm.h) */
	bool seccomp;     /* seccomp filters (processes bpfguard launches) */
	bool kill;        /* bpf_send_signal from sys_enter */
	bool cgroup_sock; /* cgroup/sock_create denies socket() */
	/* cgroup hooks can serve syscall rules: they read the mark guard.bpf.c
	 * sets (task storage from cgroup programs) and sys_exit loads */
	bool hook_marks;
	bool set_retval;  /* bpf_set_retval (5.18+): hooks return any errno, else EPERM only */
	char lsm_why[160];/* why lsm_deny is false, for messages */
};

void bg_mechs_from_probe(const struct bg_probe *p, struct bg_mechs *m);

/* Where the decisions are enforced. */
enum bg_plan_target {
	BG_TARGET_CGROUP = 0, /* attach: sys_enter + hooks on a cgroup */
	BG_TARGET_SECCOMP = 1,/* run: a seccomp filter on a launched tree */
};

/*
 * The call a decision is for.  The planner serves an errno rule with a
 * cgroup hook only where the hook is certain to see every call the rule
 * denies, before its effect, so it needs the rule's conditions:
 *   socket      -> cgroup/sock_create, only if the conditions pin arg0 to
 *                  AF_INET or AF_INET6 (the kernel runs the hook for
 *                  inet sockets only; AF_UNIX, AF_NETLINK, AF_PACKET ...
 *                  reach no hook)
 *   setsockopt  -> cgroup/setsockopt, any conditions (every family; a
 *                  socket created outside the guarded cgroup runs the
 *                  hooks of its own cgroup: that call is killed at
 *                  sys_exit instead, see lsm.bpf.c)
 * x86_64 only: compat (ia32) setsockopt skips the hook, ia32 socket()
 * arrives through socketcall too.  connect/bind/sendto/sendmsg rules
 * cannot be served: their hooks see inet sockets only and a rule on the
 * syscall covers every family (the `net` section says what the hooks can).
 */
struct bg_plan_call {
	int abi, nr;
	const struct bg_cond *cond; /* the rule's conditions; NULL/0: unconditional */
	unsigned ncond;
};

/* Which hook (BG_HP_MARK_* bit) refuses every call the rule covers before
 * its effect, or 0. */
unsigned bg_plan_hook_for(const struct bg_plan_call *c);

struct bg_plan {
	/* inputs */
	struct bg_mechs mechs;
	enum bg_plan_target target;
	int mode;     /* enum bg_mode */
	int fallback; /* enum bg_fallback */
	/* results, counted over named syscalls of both tables */
	unsigned n_by_mech[BG_NR_MECHS]; /* per enum bg_mech (NONE = allowed) */
	unsigned n_fallback;     /* errno decisions that took the fallback */
	uint64_t lsm_need[2];    /* LSM programs the lsm decisions need (lsm.h) */
	char fallback_examples[256];
	unsigned n_refused;      /* errno decisions with no mechanism and fallback=refuse */
	char refused_examples[256];
	struct bg_action refused_action;
	unsigned hook_marks;     /* BG_HP_MARK_*: syscall rules the cgroup hooks serve */
};

void bg_plan_init(struct bg_plan *pl, const struct bg_mechs *m,
		  enum bg_plan_target target, int mode, int fallback);

/* Decides one (abi, nr) decision: fills out->effect and out->mech from
 * a->verdict/err.  `name` (may be NULL) is used for reporting and `count`
 * says whether the decision is tallied (named syscalls only); `call` (may
 * be NULL: no hook can serve it) is the rule the decision belongs to.
 * Returns 0, or -1 if the decision cannot be enforced and the fallback is
 * refuse. */
int bg_plan_decide(struct bg_plan *pl, const struct bg_action *a, const char *name,
		   const struct bg_plan_call *call, bool count, struct bg_sysent *out);
/* Would an unconditional errno rule `a` on (abi, nr) be better split, so
 * that the part a hook sees exactly is refused before effect (socket:
 * AF_INET and AF_INET6 at cgroup/sock_create) and only the rest takes the
 * fallback?  True where no LSM covers the call and the hook can serve it. */
/* Would an errno decision be failed before its effect here (LSM, a cgroup
 * hook, seccomp)?  Audit mode: true (nothing is denied at all). */
bool bg_plan_denies_before_effect(const struct bg_plan *pl, const struct bg_action *a, const char *name,
				  const struct bg_plan_call *call);
bool bg_plan_split_socket(const struct bg_plan *pl, int abi, int nr, const struct bg_action *a);

/* One line: "enforcement: 41 allow, 3 kill (...), ..." */
void bg_plan_summary(const struct bg_plan *pl, char *buf, size_t len);
/* The message for a refused plan (what, why, what to do). */
void bg_plan_refusal(const struct bg_plan *pl, const char *policy, char *buf, size_t len);
struct json_object *bg_plan_to_json(const struct bg_plan *pl);

const char *bg_mech_name(unsigned mech);   /* "lsm", "seccomp", "cgroup-hook", "kill", "audit", "none" */
const char *bg_mech_help(unsigned mech);   /* what the user sees under it */
const char *bg_mode_name(int mode);        /* "audit", "enforce" */
int bg_mode_parse(const char *s);          /* -1 if bad */
const char *bg_fallback_name(int fb);      /* "refuse", "kill", "audit" */
int bg_fallback_parse(const char *s);      /* -1 if bad */
const char *bg_effect_name(unsigned effect); /* "none", "recorded", "killed", "denied" */

#endif

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * cghooks.h - the network, device and sysctl sections of a policy,
 * enforced by cgroup-BPF hooks (bpf/cgroup_hooks.bpf.c): deny before
 * effect, EPERM, on kernels without BPF LSM too (mechanism cgroup-hook).
 *
 * State in bpffs:
 *   maps/bg_netpol              per policy slot: the compiled sections
 *   maps/bg_hook_counters       exact denial counts per (cgroup, owner, hook)
 *   links/cg-<cgid>-<program>   one link per hook program the attached
 *                               cgroup's policy needs
 * The programs find a task's policy through bg_cgroups, like sys_enter, so
 * a cgroup's entry switching slots switches its network policy too.
 *
 * Use from attach (see each function):
 *   apply (before the cgroup entries point at the new slot)
 *   -> success: sync to the new slot (drops links the new policy does not
 *      need), clear the replaced slot
 *   -> later failure: sync to the old slot (replace) or remove (new attach),
 *      then clear the new slot
 *   detach: remove, clear the slot.
 */
#ifndef BG_CGHOOKS_H
#define BG_CGHOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

struct bg_state;

/* Back end: IR -> the bg_netpol value of a slot (enforce mode).  A policy
 * without sections gives an all-zero value (flags 0: allow everything).
 * 0, or -EINVAL if the IR holds something the parser never produces. */
int bg_cghooks_compile(const struct bg_policy *p, struct bg_netpol *out);

/* Which hook programs a compiled value needs: bit (1 << enum bg_hook). */
unsigned bg_cghooks_needed(const struct bg_netpol *v);

/* Does the policy have any section the hooks enforce? */
bool bg_cghooks_wanted(const struct bg_policy *p);

/* Does a net rule or default deny with an errno other than EPERM (which
 * only kernels with bpf_set_retval can return)? */
bool bg_cghooks_has_errnos(const struct bg_policy *p);

/* The bg_netpol value a slot holds for this policy in this mode (enum
 * bg_mode; audit records denials and lets the calls run), with the
 * syscall rules the plan serves through the hooks (marks: BG_HP_MARK_*,
 * struct bg_plan.hook_marks).  0 or -EINVAL. */
int bg_cghooks_value(const struct bg_policy *p, int mode, unsigned marks, struct bg_netpol *out);
/* Does the pinned slot hold exactly that value? */
bool bg_cghooks_slot_holds(uint32_t slot, const struct bg_policy *p, int mode, unsigned marks);

/* What the loaded hooks may do on this kernel (from probe, mechanism.h)
 * and which syscall rules they serve. */
struct bg_hook_caps {
	unsigned marks;   /* BG_HP_MARK_* */
	bool set_retval;  /* bpf_set_retval: the policy's errno, not only EPERM */
	bool task_marks;  /* task storage readable from cgroup programs */
};

/*
 * Writes the slot's bg_netpol value (unless `shared`: the slot is in use
 * and already holds it), loads cgroup_hooks.bpf.c for this attached cgroup
 * with the pinned maps, attaches the programs the policy needs to the
 * cgroup and pins their links.  Links the cgroup already has are kept
 * (they judge whatever slot its entries point at).  Does nothing else for
 * a policy without sections.  On failure unpins the links it made and
 * returns -1 with a one-line message; a fresh slot's value is left for the
 * caller to clear.  `st` must be open for writing.
 */
int bg_cghooks_apply(struct bg_state *st, uint64_t cgid, const char *cg_abs_path, uint32_t slot,
		     bool shared, const struct bg_policy *p, int mode, const struct bg_hook_caps *caps,
		     struct bg_diag *diag);

/* Unpins the links of `cgid` that the value in `slot` does not need. */
void bg_cghooks_sync(struct bg_state *st, uint64_t cgid, uint32_t slot);

/* Unpins every link of the attached cgroup (its hooks detach) and drops
 * its hook counters. */
void bg_cghooks_remove(uint64_t cgid);

/* Zeroes a slot's value (no sections): 0 or -errno. */
int bg_cghooks_clear_slot(struct bg_state *st, uint32_t slot);

/* One line for attach/status, e.g. "net: families inet; connect: 2 rules,
 * default deny; dev: 3 allow rules, default deny; sysctl: read-only".
 * "" if the policy has no such sections. */
void bg_cghooks_summary(const struct bg_policy *p, char *buf, size_t len);
/* The same for what a pinned slot holds (status: no IR at hand). */
void bg_cghooks_summary_slot(uint32_t slot, char *buf, size_t len);

/* "sock_create", "connect4", ..., "dev", "sysctl" ("?" if unknown). */
const char *bg_hook_name(unsigned hook);

/* Exact counts of an attachment's hook decisions, summed over its
 * cgroups, per enum bg_hook: denied (enforce) and recorded (audit).
 * 0, or -ENOENT if nothing was ever pinned. */
int bg_cghooks_counts(uint64_t owner, unsigned long long denied[BG_HOOK__COUNT],
		      unsigned long long recorded[BG_HOOK__COUNT]);

/* The kernel's decision code (bpf/hook_match.h) run over a compiled value,
 * for tests: BG_NET_ALLOW or BG_NET_DENY.  addr: 4 (AF_INET) or 16 bytes,
 * network order; dev type 'c' or 'b'. */
int bg_cghooks_eval_socket(const struct bg_netpol *v, int family, int type);
int bg_cghooks_eval_addr(const struct bg_netpol *v, int dir, int family, const uint8_t *addr,
			 uint16_t port, int proto);
int bg_cghooks_eval_dev(const struct bg_netpol *v, char type, uint32_t major, uint32_t minor,
			unsigned access);

#endif

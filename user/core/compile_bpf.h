/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * compile_bpf.h - back end: policy IR + mechanism plan -> the contents of
 * bg_policies[slot] and bg_argrules.  Knows the map layout, no file format.
 */
#ifndef BG_COMPILE_BPF_H
#define BG_COMPILE_BPF_H

#include "mechanism.h"
#include "policy.h"

struct json_object;

struct bg_bpf_argrules {
	struct bg_argrules_key key; /* key.slot filled in by the loader */
	struct bg_argrules val;
};

struct bg_bpf_policy {
	struct bg_policy_slot slot;
	unsigned nargrules;
	struct bg_bpf_argrules *argrules;
};

/*
 * The mechanism in force per rule, read back from the compiled form (so
 * attach, which has the IR, and status, which has only the pinned maps,
 * report the same thing): every unconditional decision of a named
 * syscall that is not `allow` and not what the ABI's default compiles to,
 * and every argument rule that is not `allow`.
 */
struct bg_rule_mech {
	uint16_t abi, nr;
	int16_t index;           /* argument rule index; -1: the unconditional rule */
	struct bg_argrule rule;  /* conditions (none for -1) and the decision */
};
/* A growing list; 0 or -ENOMEM. */
int bg_rule_mechs(const struct bg_policy_slot *slot, const struct bg_bpf_argrules *ars, unsigned nars,
		  struct bg_rule_mech **out, unsigned *n);
/* "socket if arg0 == 2: errno(1) -> cgroup-hook (cgroup/sock_create)" */
void bg_rule_mech_str(const struct bg_rule_mech *r, char *buf, size_t len);
struct json_object *bg_rule_mech_json(const struct bg_rule_mech *r);
/* The hook that refuses it, for a cgroup-hook decision ("" otherwise). */
const char *bg_rule_mech_hook(const struct bg_rule_mech *r);

/* 0, or -1 if the plan refused some decision (pl->n_refused > 0). */
int bg_compile_bpf(const struct bg_policy *p, struct bg_plan *pl, struct bg_bpf_policy *out);
void bg_bpf_policy_free(struct bg_bpf_policy *bp);

#endif

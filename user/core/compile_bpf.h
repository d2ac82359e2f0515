/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * compile_bpf.h - back end: policy IR + mechanism plan -> the contents of
 * bg_policies[slot] and bg_argrules.  Knows the map layout, no file format.
 */
#ifndef BG_COMPILE_BPF_H
#define BG_COMPILE_BPF_H

#include "mechanism.h"
#include "policy.h"

struct bg_bpf_argrules {
	struct bg_argrules_key key; /* key.slot filled in by the loader */
	struct bg_argrules val;
};

struct bg_bpf_policy {
	struct bg_policy_slot slot;
	unsigned nargrules;
	struct bg_bpf_argrules *argrules;
};

/* 0, or -1 if the plan refused some decision (pl->n_refused > 0). */
int bg_compile_bpf(const struct bg_policy *p, struct bg_plan *pl, struct bg_bpf_policy *out);
void bg_bpf_policy_free(struct bg_bpf_policy *bp);

#endif

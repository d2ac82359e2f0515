/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * policy_diff.h - semantic comparison and union of policies, on the IR.
 *
 * Both work on what a policy decides, not on how it is written: a @group
 * and the same syscalls listed one by one are equal, and so are two
 * conditional rule lists that give every argument vector the same action
 * (decided exactly with the seccomp back end's region machinery,
 * bg_seccomp_cells()).  ia32 arguments are 32 bits wide, as the kernel
 * passes them.
 */
#ifndef BG_POLICY_DIFF_H
#define BG_POLICY_DIFF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "compile_seccomp.h"
#include "policy.h"

/* (abi, nr) of p as a rule list: its conditional rules, then its
 * unconditional rule or the ABI default. */
struct bg_rule_list bg_sys_rule_list(const struct bg_policy *p, int abi, int nr);

/* 1 if a and b give every argument vector the same action; 0 if not, with
 * ex[] an argument vector where they differ and *aa / *ab the actions
 * there (each may be NULL); -1 if too complex to decide. */
int bg_rule_lists_equal(const struct bg_rule_list *a, const struct bg_rule_list *b, int abi,
			uint64_t ex[6], struct bg_action *aa, struct bg_action *ab);

/* Writes what differs between a and b to f, as review lines or (json) one
 * JSON object.  0: equivalent, 1: different, -1: error (d->msg). */
int bg_policy_diff(const struct bg_policy *a, const struct bg_policy *b, bool json, FILE *f,
		   struct bg_diag *d);

#define BG_MERGE_MAX_INPUTS (BG_CELL_MAX_LISTS - 1)

struct bg_merge_opts {
	const char *name;      /* policy name, NULL: "merged" */
	bool has_dflt;         /* judge every input by dflt where it names nothing */
	struct bg_action dflt;
	bool has_ia32_dflt;    /* same for ia32 calls */
	struct bg_action ia32_dflt;
};

/* The union of what the inputs allow (docs/policy.md, "merge"): a call any
 * input allows is allowed, nothing else is.  0 with *out, or -1 with
 * d->msg (defaults that disagree, a union the IR cannot write, sections
 * that cannot be united).  Conflicting denials are warnings through d. */
int bg_policy_merge(struct bg_policy *const *in, unsigned n, const struct bg_merge_opts *o,
		    struct bg_policy **out, struct bg_diag *d);

#endif

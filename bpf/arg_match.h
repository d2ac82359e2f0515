/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * arg_match.h - argument conditions: does a syscall's register arguments
 * satisfy a rule?  Plain C with no helpers, included by guard.bpf.c (the
 * sys_enter judge) *and* by userspace: bg_policy_eval() in
 * user/policy/policy.c, the reference semantics every back end is tested
 * against, judges the policy IR's conditions with bg_am_holds(), and the
 * unit tests run the kernel's rule walk, bg_am_first(), over the compiled
 * maps.  So "the kernel compares like the reference" is one function, not
 * two copies kept in step by hand.
 *
 * Define BG_AM_INLINE first if the side needs
 * something other than `static inline` (the BPF side forces inlining so
 * the verifier sees constant bounds).
 *
 * The loops are bounded by the array sizes and stop early at the counts,
 * the shape every kernel's verifier (6.1 and later) accepts without
 * bpf_loop; the count checks are against the loop index, so a corrupt
 * count can never index past the array.
 */
#ifndef BG_ARG_MATCH_H
#define BG_ARG_MATCH_H

/* The register arguments as each side holds them: userspace's are
 * uint64_t (unsigned long), which a __u64 (unsigned long long) pointer
 * would not accept without a cast at every caller. */
#ifdef __VMLINUX_H__
typedef __u64 bg_am_arg_t;
#else
#include <stdbool.h>
#include <stdint.h>
typedef uint64_t bg_am_arg_t;
#endif

#include "bpfguard.h"

#ifndef BG_AM_INLINE
#define BG_AM_INLINE static inline
#endif

/*
 * One comparison (enum bg_op) of register argument args[arg], seccomp's
 * semantics: unsigned 64-bit, MASKED_EQ is (arg & mask) == val.  An
 * argument index or operator out of range never holds (fail closed: a
 * rule that cannot be evaluated does not apply).  Takes the fields, not a
 * struct, because the kernel's struct bg_argcond and the IR's struct
 * bg_cond hold the same condition in different layouts.
 */
BG_AM_INLINE bool bg_am_holds(const bg_am_arg_t *args, __u32 arg, __u32 op, __u64 val, __u64 mask)
{
	__u64 a;

	if (arg >= BG_NR_ARGS)
		return false;
	a = args[arg];
	switch (op) {
	case BG_OP_EQ: return a == val;
	case BG_OP_NE: return a != val;
	case BG_OP_LT: return a < val;
	case BG_OP_LE: return a <= val;
	case BG_OP_GT: return a > val;
	case BG_OP_GE: return a >= val;
	case BG_OP_MASKED_EQ: return (a & mask) == val;
	}
	return false;
}

/* All of a compiled rule's conditions hold (they are ANDed). */
BG_AM_INLINE bool bg_am_rule(const struct bg_argrule *r, const bg_am_arg_t *args)
{
	for (__u32 j = 0; j < BG_MAX_CONDS; j++) {
		const struct bg_argcond *c = &r->cond[j];

		if (j >= r->ncond)
			break;
		if (!bg_am_holds(args, c->arg, c->op, c->val, c->mask))
			return false;
	}
	return true;
}

/* The first rule whose conditions all hold (it wins), or NULL: the
 * caller's base decision applies. */
BG_AM_INLINE const struct bg_argrule *bg_am_first(const struct bg_argrules *rs, const bg_am_arg_t *args)
{
	for (__u32 i = 0; i < BG_MAX_ARGRULES; i++) {
		if (i >= rs->nrules)
			break;
		if (bg_am_rule(&rs->rule[i], args))
			return &rs->rule[i];
	}
	return NULL;
}

#endif

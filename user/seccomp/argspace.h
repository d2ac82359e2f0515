/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * argspace.h - private to the seccomp back end (compile_seccomp.c, cells.c):
 * the argument space of one syscall as value sets, terms and per-action
 * regions, and the libseccomp action codes the regions carry.
 *
 * Separate from the public compile_seccomp.h because these types are the
 * compiler's working state, not an API: the compiler turns regions into
 * libseccomp rules, cells.c cuts several rule lists' regions into cells for
 * policy diff and merge.  Nothing outside user/seccomp/ includes this.
 */
#ifndef BG_SECCOMP_ARGSPACE_H
#define BG_SECCOMP_ARGSPACE_H

#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

#define CS_NARGS 6
/* Excluded values one argument of one term can collect: every condition of
 * a rule plus one negated condition per earlier rule. */
#define CS_MAX_EX (BG_MAX_CONDS + BG_MAX_ARGRULES + 2)
#define CS_MAX_TERMS 2048  /* union terms while computing one syscall */
#define CS_MAX_PIECES 256  /* single comparisons for one argument's value set */

/* { x : lo <= x <= hi, (x & mask) == val, x not in ex[] }, within the
 * argument's domain [0, dmax] (dmax = 2^32-1 for ia32: the syscall sees the
 * low 32 bits, and libseccomp compares only those on 32-bit arches). */
struct cs_set {
	uint64_t lo, hi;
	uint64_t mask, val; /* val is a subset of mask */
	unsigned nex;
	uint64_t ex[CS_MAX_EX];
};

struct cs_term {
	struct cs_set a[CS_NARGS];
};

struct cs_piece {
	bool any; /* no comparison needed */
	enum scmp_compare op;
	uint64_t a, b; /* datum_a, datum_b as libseccomp takes them */
};

struct cs_lit {
	uint8_t arg, op;
	uint64_t val, mask;
};

struct cs_region {
	uint32_t act;
	struct cs_term t;
};

struct cs_list {
	struct cs_region *v;
	size_t n, cap;
};

/* One IR rule with its action already mapped to a libseccomp action; the
 * fallback is a last rule with no conditions. */
struct cs_rule {
	uint32_t act;
	unsigned ncond;
	const struct bg_cond *cond;
};

/* Value sets (argspace.c documents each). */
void cs_set_init(struct cs_set *s, uint64_t dmax);
int cs_set_add(struct cs_set *s, unsigned op, uint64_t v, uint64_t m, uint64_t dmax);
int cs_set_pieces(const struct cs_set *s, uint64_t dmax, bool simple, struct cs_piece *out,
		  int max);
bool cs_set_empty(const struct cs_set *s, uint64_t dmax);

/* Regions. */
int cs_list_push(struct cs_list *l, uint32_t act, const struct cs_term *t);
void cs_list_free(struct cs_list *l);
int cs_term_and_conds(const struct cs_term *t, const struct bg_cond *c, unsigned n,
		      uint64_t dmax, struct cs_term *out);
unsigned cs_negate(const struct bg_cond *c, uint64_t dmax, struct cs_lit *out);
int cs_rule_region(const struct cs_rule *rules, unsigned i, uint64_t dmax, struct cs_list *out);

/* Actions: IR <-> libseccomp. */
uint32_t cs_map_action(const struct bg_action *a, int mode);
bool cs_action_ok(const struct bg_action *a);
struct bg_action cs_unmap_action(uint32_t act);

#endif

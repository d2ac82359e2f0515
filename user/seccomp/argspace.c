// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * argspace.c - the argument space of one syscall, exactly: value sets of
 * one argument, cut into pieces one libseccomp comparison each expresses,
 * and the regions (per action, the argument vectors that get it) of an
 * ordered rule list.  compile_seccomp.c's header comment explains the
 * method; this file is the arithmetic it rests on.
 *
 * Separate from the compiler because it knows no filter and no policy
 * table: the compiler (compile_seccomp.c) and the cells for diff and merge
 * (cells.c) both build on it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vec.h"
#include "argspace.h"

/* ------------------------------------------------------------------ */
/* Value sets of one argument */

void cs_set_init(struct cs_set *s, uint64_t dmax)
{
	memset(s, 0, sizeof(*s));
	s->hi = dmax;
}

/* Intersects s with one comparison.  1: maybe non-empty, 0: empty,
 * -1: too many excluded values. */
int cs_set_add(struct cs_set *s, unsigned op, uint64_t v, uint64_t m, uint64_t dmax)
{
	switch (op) {
	case BG_OP_EQ:
		if (v > dmax)
			return 0;
		if (v > s->lo)
			s->lo = v;
		if (v < s->hi)
			s->hi = v;
		break;
	case BG_OP_NE:
		if (v > dmax)
			break;
		for (unsigned i = 0; i < s->nex; i++)
			if (s->ex[i] == v)
				return s->lo <= s->hi;
		if (s->nex >= CS_MAX_EX)
			return -1;
		s->ex[s->nex++] = v;
		break;
	case BG_OP_LT:
		if (v == 0)
			return 0;
		if (v - 1 < s->hi)
			s->hi = v - 1;
		break;
	case BG_OP_LE:
		if (v < s->hi)
			s->hi = v;
		break;
	case BG_OP_GT:
		if (v >= dmax)
			return 0;
		if (v + 1 > s->lo)
			s->lo = v + 1;
		break;
	case BG_OP_GE:
		if (v > dmax)
			return 0;
		if (v > s->lo)
			s->lo = v;
		break;
	case BG_OP_MASKED_EQ:
		/* (x & m) == v never holds if v has bits outside m (libseccomp
		 * would silently mask v), nor, on ia32, bits above the low 32. */
		if ((v & ~m) || (v & ~dmax))
			return 0;
		m &= dmax;
		if (s->mask & m & (s->val ^ v))
			return 0;
		s->mask |= m;
		s->val |= v;
		break;
	default:
		return 0;
	}
	return s->lo <= s->hi;
}

struct piece_out {
	struct cs_piece *p;
	int n, max;
	bool overflow;
	bool simple; /* only == and masked == (see emit()) */
};

static void put(struct piece_out *o, bool any, enum scmp_compare op, uint64_t a, uint64_t b)
{
	if (o->n >= o->max) {
		o->overflow = true;
		return;
	}
	o->p[o->n++] = (struct cs_piece){ .any = any, .op = op, .a = a, .b = b };
}

/* The aligned block [a, a + 2^k - 1] intersected with the mask pattern:
 * one masked comparison, or nothing. */
static void put_block(struct piece_out *o, const struct cs_set *s, uint64_t a, unsigned k,
		      uint64_t dmax)
{
	uint64_t top = k >= 64 ? 0 : ~((UINT64_C(1) << k) - 1);

	if ((a ^ s->val) & s->mask & top)
		return;
	uint64_t m = (top | s->mask) & dmax;
	uint64_t v = ((a & top) | (s->val & ~top)) & dmax;

	if (m == 0)
		put(o, true, 0, 0, 0);
	else if (m == dmax)
		put(o, false, SCMP_CMP_EQ, v, 0);
	else
		put(o, false, SCMP_CMP_MASKED_EQ, m, v);
}

/* [a, b] (a <= b) as the fewest aligned power-of-two blocks. */
static void put_blocks(struct piece_out *o, const struct cs_set *s, uint64_t a, uint64_t b,
		       uint64_t dmax)
{
	for (;;) {
		unsigned k = a ? (unsigned)__builtin_ctzll(a) : 64;
		uint64_t span;

		for (;; k--) {
			span = k >= 64 ? UINT64_MAX : (UINT64_C(1) << k) - 1;
			if (span <= b - a)
				break;
		}
		put_block(o, s, a, k, dmax);
		if (span == b - a || o->overflow)
			return;
		a += span + 1;
	}
}

static void put_interval(struct piece_out *o, const struct cs_set *s, uint64_t a, uint64_t b,
			 uint64_t dmax)
{
	if (s->mask || (o->simple && !(a == 0 && b == dmax) && a != b)) {
		put_blocks(o, s, a, b, dmax);
	} else if (a == 0 && b == dmax) {
		put(o, true, 0, 0, 0);
	} else if (a == b) {
		put(o, false, SCMP_CMP_EQ, a, 0);
	} else if (a == 0) {
		put(o, false, SCMP_CMP_LE, b, 0);
	} else if (b == dmax) {
		put(o, false, SCMP_CMP_GE, a, 0);
	} else {
		put_blocks(o, s, a, b, dmax);
	}
}

/* Cuts s into pieces one comparison each expresses, whose union is s.
 * Returns how many (0: s is empty), -1 if more than max. */
int cs_set_pieces(const struct cs_set *s, uint64_t dmax, bool simple, struct cs_piece *out,
		      int max)
{
	struct piece_out o = { .p = out, .max = max, .simple = simple };
	uint64_t ex[CS_MAX_EX];
	unsigned n = 0;

	if (s->lo > s->hi)
		return 0;
	/* The excluded values that matter, sorted. */
	for (unsigned i = 0; i < s->nex; i++) {
		uint64_t e = s->ex[i];
		unsigned j;

		if (e < s->lo || e > s->hi || (e & s->mask) != s->val)
			continue;
		for (j = n; j > 0 && ex[j - 1] > e; j--)
			ex[j] = ex[j - 1];
		ex[j] = e;
		n++;
	}
	if (s->mask == dmax) {
		/* One value. */
		for (unsigned i = 0; i < n; i++)
			if (ex[i] == s->val)
				return 0;
		if (s->val < s->lo || s->val > s->hi)
			return 0;
		put(&o, false, SCMP_CMP_EQ, s->val, 0);
		return o.n;
	}
	if (s->lo == 0 && s->hi == dmax) {
		if (n == 0 && s->mask == 0) {
			put(&o, true, 0, 0, 0);
			return o.n;
		}
		if (n == 0) {
			put(&o, false, SCMP_CMP_MASKED_EQ, s->mask, s->val);
			return o.n;
		}
		if (n == 1 && s->mask == 0 && !simple) {
			put(&o, false, SCMP_CMP_NE, ex[0], 0);
			return o.n;
		}
	}
	uint64_t cur = s->lo;
	bool done = false;

	for (unsigned i = 0; i < n && !o.overflow; i++) {
		if (ex[i] > cur)
			put_interval(&o, s, cur, ex[i] - 1, dmax);
		if (ex[i] == s->hi) {
			done = true;
			break;
		}
		cur = ex[i] + 1;
	}
	if (!done && !o.overflow)
		put_interval(&o, s, cur, s->hi, dmax);
	return o.overflow ? -1 : o.n;
}

bool cs_set_empty(const struct cs_set *s, uint64_t dmax)
{
	struct cs_piece p[CS_MAX_PIECES];

	if (s->lo > s->hi)
		return true;
	return cs_set_pieces(s, dmax, false, p, CS_MAX_PIECES) == 0;
}

/* ------------------------------------------------------------------ */
/* Regions: which argument vectors get which action */

int cs_list_push(struct cs_list *l, uint32_t act, const struct cs_term *t)
{
	if (l->n >= CS_MAX_TERMS)
		return -E2BIG;
	if (BG_VEC_RESERVE(l->v, l->cap, l->n + 1))
		return -ENOMEM;
	l->v[l->n].act = act;
	l->v[l->n].t = *t;
	l->n++;
	return 0;
}

void cs_list_free(struct cs_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* t AND all of conds, into out.  1: non-empty, 0: empty, -1: too complex. */
int cs_term_and_conds(const struct cs_term *t, const struct bg_cond *c, unsigned n,
			  uint64_t dmax, struct cs_term *out)
{
	unsigned touched = 0;

	*out = *t;
	for (unsigned i = 0; i < n; i++) {
		int r = cs_set_add(&out->a[c[i].arg], c[i].op, c[i].val, c[i].mask, dmax);

		if (r <= 0)
			return r;
		touched |= 1u << c[i].arg;
	}
	for (unsigned a = 0; a < CS_NARGS; a++)
		if ((touched & (1u << a)) && cs_set_empty(&out->a[a], dmax))
			return 0;
	return 1;
}

/* NOT c, as a disjunction of single comparisons.  "Always true" is given as
 * `arg >= 0`.  out must have room for 64 + 1. */
unsigned cs_negate(const struct bg_cond *c, uint64_t dmax, struct cs_lit *out)
{
	static const uint8_t neg[BG_OP__COUNT] = {
		[BG_OP_EQ] = BG_OP_NE, [BG_OP_NE] = BG_OP_EQ, [BG_OP_LT] = BG_OP_GE,
		[BG_OP_LE] = BG_OP_GT, [BG_OP_GT] = BG_OP_LE, [BG_OP_GE] = BG_OP_LT,
	};
	unsigned n = 0;

	if (c->op != BG_OP_MASKED_EQ) {
		out[0] = (struct cs_lit){ .arg = c->arg, .op = neg[c->op], .val = c->val };
		return 1;
	}
	if ((c->val & ~c->mask) || (c->val & ~dmax)) {
		/* never holds: its negation always does */
		out[0] = (struct cs_lit){ .arg = c->arg, .op = BG_OP_GE, .val = 0 };
		return 1;
	}
	/* (x & m) != v  <=>  some bit b of m has (x & b) == (~v & b) */
	for (unsigned b = 0; b < 64; b++) {
		uint64_t bit = UINT64_C(1) << b;

		if (!(c->mask & dmax & bit))
			continue;
		out[n++] = (struct cs_lit){
			.arg = c->arg, .op = BG_OP_MASKED_EQ, .mask = bit, .val = ~c->val & bit,
		};
	}
	return n;
}

/* Appends to out the region of rules[i]: its conditions and the negation of
 * every earlier rule with another action.  0 or -errno (-E2BIG: too many
 * terms). */
int cs_rule_region(const struct cs_rule *rules, unsigned i, uint64_t dmax,
		       struct cs_list *out)
{
	struct cs_list cur = { 0 }, next = { 0 };
	struct cs_term t0, t;
	struct cs_lit lits[65];
	int r;

	for (unsigned a = 0; a < CS_NARGS; a++)
		cs_set_init(&t0.a[a], dmax);
	r = cs_term_and_conds(&t0, rules[i].cond, rules[i].ncond, dmax, &t);
	if (r < 0)
		return -E2BIG;
	if (r == 0)
		return 0; /* never matches */
	if ((r = cs_list_push(&cur, rules[i].act, &t)))
		goto out;

	for (unsigned j = 0; j < i && cur.n; j++) {
		if (rules[j].act == rules[i].act)
			continue; /* an earlier match gives the same action */
		next.n = 0;
		for (size_t k = 0; k < cur.n; k++) {
			const struct cs_term *ct = &cur.v[k].t;

			/* Already disjoint from rule j: unchanged. */
			r = cs_term_and_conds(ct, rules[j].cond, rules[j].ncond, dmax, &t);
			if (r < 0) {
				r = -E2BIG;
				goto out;
			}
			if (r == 0) {
				if ((r = cs_list_push(&next, rules[i].act, ct)))
					goto out;
				continue;
			}
			for (unsigned c = 0; c < rules[j].ncond; c++) {
				unsigned nl = cs_negate(&rules[j].cond[c], dmax, lits);

				for (unsigned l = 0; l < nl; l++) {
					struct bg_cond lc = {
						.arg = lits[l].arg, .op = lits[l].op,
						.val = lits[l].val, .mask = lits[l].mask,
					};

					r = cs_term_and_conds(ct, &lc, 1, dmax, &t);
					if (r < 0) {
						r = -E2BIG;
						goto out;
					}
					if (r && (r = cs_list_push(&next, rules[i].act, &t)))
						goto out;
				}
			}
		}
		struct cs_list tmp = cur;
		cur = next;
		next = tmp;
	}
	for (size_t k = 0; k < cur.n; k++)
		if ((r = cs_list_push(out, cur.v[k].act, &cur.v[k].t)))
			goto out;
	r = 0;
out:
	cs_list_free(&cur);
	cs_list_free(&next);
	return r;
}

/* ------------------------------------------------------------------ */
/* Actions as regions carry them: libseccomp action codes */

uint32_t cs_map_action(const struct bg_action *a, int mode)
{
	if (a->verdict == BG_VERDICT_ALLOW)
		return SCMP_ACT_ALLOW;
	if (mode == BG_MODE_AUDIT)
		return SCMP_ACT_LOG;
	switch (a->verdict) {
	case BG_VERDICT_LOG:
		return SCMP_ACT_LOG;
	case BG_VERDICT_ERRNO:
		return SCMP_ACT_ERRNO(a->err);
	}
	return SCMP_ACT_KILL_PROCESS;
}

bool cs_action_ok(const struct bg_action *a)
{
	if (a->verdict > BG_VERDICT_KILL)
		return false;
	return a->verdict != BG_VERDICT_ERRNO || (a->err >= 1 && a->err <= 4095);
}

struct bg_action cs_unmap_action(uint32_t act)
{
	if (act == SCMP_ACT_ALLOW)
		return (struct bg_action){ .verdict = BG_VERDICT_ALLOW };
	if (act == SCMP_ACT_LOG)
		return (struct bg_action){ .verdict = BG_VERDICT_LOG };
	if ((act & 0xffff0000u) == SCMP_ACT_ERRNO(0))
		return (struct bg_action){ .verdict = BG_VERDICT_ERRNO, .err = (uint16_t)(act & 0xffffu) };
	return (struct bg_action){ .verdict = BG_VERDICT_KILL };
}

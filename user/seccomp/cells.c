// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cells.c - bg_seccomp_cells(): the argument space of one syscall under
 * several rule lists at once, cut into disjoint cells on each of which
 * every list gives one action, with an example argument vector and, where
 * it fits, the cell as an AND of IR conditions.  `policy diff` and
 * `policy merge` are built on it.
 *
 * Separate from the compiler because it emits no filter: it shares only
 * the value-set arithmetic (argspace.c), so the diff sees exactly the
 * regions the compiler would.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vec.h"
#include "argspace.h"
#include "compile_seccomp.h"

/* One value of a non-empty set. */
static uint64_t set_point(const struct cs_set *s, uint64_t dmax)
{
	struct cs_piece pc[CS_MAX_PIECES];

	if (cs_set_pieces(s, dmax, false, pc, CS_MAX_PIECES) == 0 || pc[0].any)
		return s->lo;
	switch (pc[0].op) {
	case SCMP_CMP_EQ:
	case SCMP_CMP_GE:
		return pc[0].a;
	case SCMP_CMP_MASKED_EQ:
		return pc[0].b;
	case SCMP_CMP_NE:
		return pc[0].a == 0 ? 1 : 0;
	default:
		return 0; /* SCMP_CMP_LE */
	}
}

/* A non-empty set as an AND of IR conditions on `arg`; false if more than
 * `max` would be needed. */
static bool set_conds(const struct cs_set *s, unsigned arg, uint64_t dmax, struct bg_cond *c,
		      unsigned *n, unsigned max)
{
#define ADD_COND(o, v, m)                                                                    \
	do {                                                                                 \
		if (*n >= max)                                                               \
			return false;                                                        \
		c[(*n)++] = (struct bg_cond){ .arg = (uint8_t)arg, .op = (o), .val = (v),   \
					      .mask = (m) };                                 \
	} while (0)

	if (s->mask == dmax || s->lo == s->hi) {
		ADD_COND(BG_OP_EQ, s->mask == dmax ? s->val : s->lo, 0);
		return true;
	}
	if (s->lo > 0)
		ADD_COND(BG_OP_GE, s->lo, 0);
	if (s->hi < dmax)
		ADD_COND(BG_OP_LE, s->hi, 0);
	if (s->mask)
		ADD_COND(BG_OP_MASKED_EQ, s->val, s->mask);
	for (unsigned i = 0; i < s->nex; i++) {
		uint64_t e = s->ex[i];
		bool dup = false;

		if (e < s->lo || e > s->hi || (e & s->mask) != s->val)
			continue;
		for (unsigned j = 0; j < i; j++)
			dup |= s->ex[j] == e;
		if (!dup)
			ADD_COND(BG_OP_NE, e, 0);
	}
	return true;
#undef ADD_COND
}

struct cs_cell {
	struct cs_term t;
	uint32_t act[BG_CELL_MAX_LISTS];
};

struct cell_list {
	struct cs_cell *v;
	size_t n, cap;
};

static int cells_push(struct cell_list *l, const struct cs_cell *c)
{
	if (l->n >= CS_MAX_TERMS)
		return -E2BIG;
	if (BG_VEC_RESERVE(l->v, l->cap, l->n + 1))
		return -ENOMEM;
	l->v[l->n++] = *c;
	return 0;
}

/* NOT c as disjoint single comparisons (unlike cs_negate(), whose pieces may
 * overlap): for a masked test, "the lowest differing bit is b" for each
 * bit b of the mask.  out must have room for 64. */
static unsigned negate_disjoint(const struct bg_cond *c, uint64_t dmax, struct cs_lit *out)
{
	uint64_t lower = 0;
	unsigned n = 0;

	if (c->op != BG_OP_MASKED_EQ || (c->val & ~c->mask) || (c->val & ~dmax))
		return cs_negate(c, dmax, out);
	for (unsigned b = 0; b < 64; b++) {
		uint64_t bit = UINT64_C(1) << b;

		if (!(c->mask & dmax & bit))
			continue;
		out[n++] = (struct cs_lit){
			.arg = c->arg, .op = BG_OP_MASKED_EQ, .mask = lower | bit,
			.val = (c->val & lower) | (~c->val & bit),
		};
		lower |= bit;
	}
	return n;
}

/* Cuts cell c by list li's rules from rule i on: the part rule i matches
 * is decided, the rest (split by the first condition that fails, pieces
 * disjoint) goes on to rule i + 1.  A rule that matches all or nothing of
 * the cell does not split it. */
static int refine(const struct cs_cell *c, const struct bg_rule_list *rl, unsigned i, unsigned li,
		  uint64_t dmax, struct cell_list *out)
{
	struct cs_cell d = *c;
	struct cs_term prefix = c->t, next;
	struct cs_lit lits[65];
	const struct bg_rule *rule;
	int r;

	if (i == rl->nrules) {
		d.act[li] = cs_map_action(&rl->fallback, BG_MODE_ENFORCE);
		return cells_push(out, &d);
	}
	rule = &rl->rules[i];
	r = cs_term_and_conds(&c->t, rule->cond, rule->ncond, dmax, &d.t);
	if (r < 0)
		return -E2BIG;
	if (r == 0)
		return refine(c, rl, i + 1, li, dmax, out);
	d.act[li] = cs_map_action(&rule->action, BG_MODE_ENFORCE);
	if ((r = cells_push(out, &d)))
		return r;
	for (unsigned k = 0; k < rule->ncond; k++) {
		unsigned nl = negate_disjoint(&rule->cond[k], dmax, lits);

		for (unsigned l = 0; l < nl; l++) {
			struct bg_cond lc = {
				.arg = lits[l].arg, .op = lits[l].op, .val = lits[l].val, .mask = lits[l].mask,
			};

			d = *c;
			r = cs_term_and_conds(&prefix, &lc, 1, dmax, &d.t);
			if (r < 0)
				return -E2BIG;
			if (r && (r = refine(&d, rl, i + 1, li, dmax, out)))
				return r;
		}
		/* conditions 0..k hold from here on */
		r = cs_term_and_conds(&prefix, &rule->cond[k], 1, dmax, &next);
		if (r < 0)
			return -E2BIG;
		if (r == 0)
			break;
		prefix = next;
	}
	return 0;
}

int bg_seccomp_cells(const struct bg_rule_list *lists, unsigned nlists, int abi,
		     struct bg_cell **cells, size_t *ncells)
{
	uint64_t dmax = abi == BG_ABI_IA32 ? UINT32_MAX : UINT64_MAX;
	struct cell_list cur = { 0 }, next = { 0 };
	struct bg_cell *res = NULL;
	struct cs_cell c;
	int ret = -EINVAL;

	*cells = NULL;
	*ncells = 0;
	if (!lists || nlists == 0 || nlists > BG_CELL_MAX_LISTS ||
	    (abi != BG_ABI_X86_64 && abi != BG_ABI_IA32))
		return -EINVAL;
	for (unsigned li = 0; li < nlists; li++) {
		const struct bg_rule_list *rl = &lists[li];

		if (rl->nrules > BG_MAX_ARGRULES || (rl->nrules && !rl->rules) || !cs_action_ok(&rl->fallback))
			return -EINVAL;
		for (unsigned i = 0; i < rl->nrules; i++) {
			const struct bg_rule *r = &rl->rules[i];

			if (!cs_action_ok(&r->action) || r->ncond > BG_MAX_CONDS)
				return -EINVAL;
			for (unsigned k = 0; k < r->ncond; k++)
				if (r->cond[k].arg >= CS_NARGS || r->cond[k].op >= BG_OP__COUNT)
					return -EINVAL;
		}
	}
	memset(&c, 0, sizeof(c));
	for (unsigned a = 0; a < CS_NARGS; a++)
		cs_set_init(&c.t.a[a], dmax);
	if ((ret = cells_push(&cur, &c)))
		goto out;
	for (unsigned li = 0; li < nlists; li++) {
		struct cell_list t;

		next.n = 0;
		for (size_t k = 0; k < cur.n; k++)
			if ((ret = refine(&cur.v[k], &lists[li], 0, li, dmax, &next)))
				goto out;
		t = cur;
		cur = next;
		next = t;
	}

	ret = -ENOMEM;
	res = calloc(cur.n ? cur.n : 1, sizeof(*res));
	if (!res)
		goto out;
	for (size_t k = 0; k < cur.n; k++) {
		struct bg_cell *o = &res[k];

		for (unsigned li = 0; li < nlists; li++)
			o->act[li] = cs_unmap_action(cur.v[k].act[li]);
		o->fits = true;
		for (unsigned a = 0; a < CS_NARGS; a++) {
			o->example[a] = set_point(&cur.v[k].t.a[a], dmax);
			if (o->fits)
				o->fits = set_conds(&cur.v[k].t.a[a], a, dmax, o->cond, &o->ncond,
						    BG_MAX_CONDS);
		}
		if (!o->fits)
			o->ncond = 0;
	}
	*cells = res;
	*ncells = cur.n;
	res = NULL;
	ret = 0;
out:
	free(res);
	free(cur.v);
	free(next.v);
	return ret;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * compile_seccomp.c - policy IR -> libseccomp filter.
 *
 * What libseccomp (2.5.4) can and cannot say, and how the IR is mapped
 * onto it (docs/seccomp.md has the user-facing version):
 *
 *  - One rule is a syscall number and an AND of at most one comparison per
 *    argument.  Rules of one syscall are alternatives with no order: when
 *    two rules with different actions both match, which one wins is up to
 *    libseccomp's tree layout.  An unconditional rule replaces every
 *    conditional rule of its syscall, whatever the actions.
 *  - The IR says: conditional rules in order, the first that matches wins,
 *    then the unconditional rule, then the ABI default.
 *
 * So for every (abi, nr) we compute, per action, the exact set of argument
 * vectors that get it ("regions"): rule i gets
 *     C_i AND NOT C_j for every earlier rule j with another action,
 * and the fallback (unconditional rule or default) is a last rule whose
 * condition is "true".  Regions of different actions are disjoint by
 * construction, so libseccomp's lack of ordering no longer matters.  NOT is
 * pushed into the comparisons (NOT (a < v) = a >= v; NOT ((a & m) == v) is
 * "one bit of m differs", one masked comparison per bit), the result is
 * expanded into a union of terms, and every term's per-argument value set
 * (an interval, a mask pattern, a few excluded values) is cut into pieces
 * each of which one comparison expresses (aligned power-of-two blocks become
 * masked equalities).  A term becomes the product of its arguments' pieces.
 * The region of the filter's default action is simply not emitted.  If this
 * needs more than CS_MAX_RULES libseccomp rules for one syscall, the policy
 * is refused with a message naming the syscall, never compiled looser.
 *
 * Architectures.  The filter lists x86_64 and, when the policy has anything
 * to say about ia32 calls, x86.  libseccomp has one default action per
 * filter; the other ABI's default is written out as explicit rules for
 * every number that ABI can name.  Each ABI is built in its own context
 * (libseccomp would otherwise translate every x86_64 rule to x86 by name)
 * and the two are merged.  The x86 context can only name syscalls that
 * libseccomp's i386 table knows (numbers go through names), and libseccomp
 * ties the i386 direct socket/ipc syscalls to socketcall()/ipc() sub-calls;
 * both are checked below.
 *
 * The program libseccomp generates is not trusted blindly: build_program()
 * runs a data-flow check over it and repairs the one code-generation bug of
 * 2.5.4 it knows (an argument word compared without being loaded), and
 * bg_seccomp_install() / bg_seccomp_export_bpf() use that checked program,
 * never a fresh seccomp_load().
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compile_seccomp.h"
#include "syscalls.h"
#include "util.h"

#define CS_NARGS 6
/* Excluded values one argument of one term can collect: every condition of
 * a rule plus one negated condition per earlier rule. */
#define CS_MAX_EX (BG_MAX_CONDS + BG_MAX_ARGRULES + 2)
#define CS_MAX_TERMS 2048  /* union terms while computing one syscall */
#define CS_MAX_PIECES 256  /* single comparisons for one argument's value set */
#define CS_MAX_RULES 128   /* libseccomp rules for one syscall (plain chains) */
#define CS_MAX_RICH 1      /* rules that may use <, <=, >, >=, != (see emit()) */
#define CS_MAX_INSNS 4096  /* BPF_MAXINSNS: the kernel refuses longer filters */

/* ------------------------------------------------------------------ */
/* Value sets of one argument */

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

static void set_init(struct cs_set *s, uint64_t dmax)
{
	memset(s, 0, sizeof(*s));
	s->hi = dmax;
}

/* Intersects s with one comparison.  1: maybe non-empty, 0: empty,
 * -1: too many excluded values. */
static int set_add(struct cs_set *s, unsigned op, uint64_t v, uint64_t m, uint64_t dmax)
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
static int set_pieces(const struct cs_set *s, uint64_t dmax, bool simple, struct cs_piece *out,
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

static bool set_empty(const struct cs_set *s, uint64_t dmax)
{
	struct cs_piece p[CS_MAX_PIECES];

	if (s->lo > s->hi)
		return true;
	return set_pieces(s, dmax, false, p, CS_MAX_PIECES) == 0;
}

/* ------------------------------------------------------------------ */
/* Regions: which argument vectors get which action */

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

static int list_push(struct cs_list *l, uint32_t act, const struct cs_term *t)
{
	if (l->n >= CS_MAX_TERMS)
		return -E2BIG;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct cs_region *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].act = act;
	l->v[l->n].t = *t;
	l->n++;
	return 0;
}

static void list_free(struct cs_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* t AND all of conds, into out.  1: non-empty, 0: empty, -1: too complex. */
static int term_and_conds(const struct cs_term *t, const struct bg_cond *c, unsigned n,
			  uint64_t dmax, struct cs_term *out)
{
	unsigned touched = 0;

	*out = *t;
	for (unsigned i = 0; i < n; i++) {
		int r = set_add(&out->a[c[i].arg], c[i].op, c[i].val, c[i].mask, dmax);

		if (r <= 0)
			return r;
		touched |= 1u << c[i].arg;
	}
	for (unsigned a = 0; a < CS_NARGS; a++)
		if ((touched & (1u << a)) && set_empty(&out->a[a], dmax))
			return 0;
	return 1;
}

/* NOT c, as a disjunction of single comparisons.  "Always true" is given as
 * `arg >= 0`.  out must have room for 64 + 1. */
static unsigned negate(const struct bg_cond *c, uint64_t dmax, struct cs_lit *out)
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
static int rule_region(const struct cs_rule *rules, unsigned i, uint64_t dmax,
		       struct cs_list *out)
{
	struct cs_list cur = { 0 }, next = { 0 };
	struct cs_term t0, t;
	struct cs_lit lits[65];
	int r;

	for (unsigned a = 0; a < CS_NARGS; a++)
		set_init(&t0.a[a], dmax);
	r = term_and_conds(&t0, rules[i].cond, rules[i].ncond, dmax, &t);
	if (r < 0)
		return -E2BIG;
	if (r == 0)
		return 0; /* never matches */
	if ((r = list_push(&cur, rules[i].act, &t)))
		goto out;

	for (unsigned j = 0; j < i && cur.n; j++) {
		if (rules[j].act == rules[i].act)
			continue; /* an earlier match gives the same action */
		next.n = 0;
		for (size_t k = 0; k < cur.n; k++) {
			const struct cs_term *ct = &cur.v[k].t;

			/* Already disjoint from rule j: unchanged. */
			r = term_and_conds(ct, rules[j].cond, rules[j].ncond, dmax, &t);
			if (r < 0) {
				r = -E2BIG;
				goto out;
			}
			if (r == 0) {
				if ((r = list_push(&next, rules[i].act, ct)))
					goto out;
				continue;
			}
			for (unsigned c = 0; c < rules[j].ncond; c++) {
				unsigned nl = negate(&rules[j].cond[c], dmax, lits);

				for (unsigned l = 0; l < nl; l++) {
					struct bg_cond lc = {
						.arg = lits[l].arg, .op = lits[l].op,
						.val = lits[l].val, .mask = lits[l].mask,
					};

					r = term_and_conds(ct, &lc, 1, dmax, &t);
					if (r < 0) {
						r = -E2BIG;
						goto out;
					}
					if (r && (r = list_push(&next, rules[i].act, &t)))
						goto out;
				}
			}
		}
		struct cs_list tmp = cur;
		cur = next;
		next = tmp;
	}
	for (size_t k = 0; k < cur.n; k++)
		if ((r = list_push(out, cur.v[k].act, &cur.v[k].t)))
			goto out;
	r = 0;
out:
	list_free(&cur);
	list_free(&next);
	return r;
}

/* ------------------------------------------------------------------ */
/* Compiling */

struct cs_state {
	const struct bg_policy *p;
	int mode;
	uint32_t dflt_act; /* the filter's one default action */
	char *err;
	size_t errlen;
	/* ia32 numbers libseccomp cannot name whose decision is not the filter
	 * default: they get the (stricter) filter default; reported once. */
	unsigned n_unnamed;
	char unnamed[160];
	uint32_t unnamed_want;
	/* Container profiles (bg_seccomp_syscall_rules()): rules that test one
	 * argument each may use any comparison, however many there are. */
	bool rich_single;
};

static uint32_t map_action(const struct bg_action *a, int mode)
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

/* How much an action stops: allow < log < errno < kill. */
static int act_rank(uint32_t act)
{
	if (act == SCMP_ACT_ALLOW)
		return 0;
	if (act == SCMP_ACT_LOG)
		return 1;
	if ((act & 0xffff0000u) == SCMP_ACT_ERRNO(0))
		return 2;
	return 3;
}

static const char *act_str(uint32_t act, char *buf, size_t len)
{
	if (act == SCMP_ACT_ALLOW)
		snprintf(buf, len, "allow");
	else if (act == SCMP_ACT_LOG)
		snprintf(buf, len, "log");
	else if ((act & 0xffff0000u) == SCMP_ACT_ERRNO(0))
		snprintf(buf, len, "errno(%u)", act & 0xffffu);
	else
		snprintf(buf, len, "kill");
	return buf;
}

static void sys_label(int abi, int nr, char *buf, size_t len)
{
	const char *name = bg_syscall_name(abi, nr);

	if (name)
		snprintf(buf, len, "%s %s (%d)", bg_abi_name(abi), name, nr);
	else
		snprintf(buf, len, "%s syscall %d", bg_abi_name(abi), nr);
}

static void set_err(struct cs_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_err(struct cs_state *st, const char *fmt, ...)
{
	va_list ap;

	if (!st->err || !st->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(st->err, st->errlen, fmt, ap);
	va_end(ap);
	for (char *c = st->err; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
}

static bool action_ok(const struct bg_action *a)
{
	if (a->verdict > BG_VERDICT_KILL)
		return false;
	return a->verdict != BG_VERDICT_ERRNO || (a->err >= 1 && a->err <= 4095);
}

/* The regions of (abi, nr).  0, or -1 with the error set. */
static int sys_regions(struct cs_state *st, int abi, int nr, struct cs_list *out)
{
	const struct bg_sysrules *sr = &st->p->sys[abi][nr];
	const struct bg_action *dflt = abi == BG_ABI_IA32 ? &st->p->ia32_dflt : &st->p->dflt;
	struct cs_rule rules[BG_MAX_ARGRULES + 1];
	char lbl[96];
	unsigned n = 0;

	if (sr->nargrules > BG_MAX_ARGRULES || (sr->nargrules && !sr->argrules)) {
		sys_label(abi, nr, lbl, sizeof(lbl));
		set_err(st, "%s: more than %d conditional rules", lbl, BG_MAX_ARGRULES);
		return -1;
	}
	for (unsigned i = 0; i < sr->nargrules; i++) {
		const struct bg_rule *r = &sr->argrules[i];
		bool ok = action_ok(&r->action) && r->ncond <= BG_MAX_CONDS;

		for (unsigned c = 0; ok && c < r->ncond; c++)
			ok = r->cond[c].arg < CS_NARGS && r->cond[c].op < BG_OP__COUNT;
		if (!ok) {
			sys_label(abi, nr, lbl, sizeof(lbl));
			set_err(st, "%s: invalid conditional rule", lbl);
			return -1;
		}
		rules[n++] = (struct cs_rule){
			.act = map_action(&r->action, st->mode), .ncond = r->ncond, .cond = r->cond,
		};
	}
	const struct bg_action *fb = sr->has_base ? &sr->base : dflt;

	if (!action_ok(fb)) {
		sys_label(abi, nr, lbl, sizeof(lbl));
		set_err(st, "%s: invalid action", lbl);
		return -1;
	}
	rules[n++] = (struct cs_rule){ .act = map_action(fb, st->mode) };

	uint64_t dmax = abi == BG_ABI_IA32 ? UINT32_MAX : UINT64_MAX;

	out->n = 0;
	for (unsigned i = 0; i < n; i++) {
		int r = rule_region(rules, i, dmax, out);

		if (r == -E2BIG) {
			sys_label(abi, nr, lbl, sizeof(lbl));
			set_err(st, "%s: conditional rules overlap with different actions and seccomp "
				    "cannot order them (too many combinations to spell out); split them "
				    "so they do not overlap", lbl);
			return -1;
		}
		if (r < 0) {
			set_err(st, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* Distinct actions of a region list (at most 2 + BG_MAX_ARGRULES). */
static unsigned list_actions(const struct cs_list *l, uint32_t *acts, unsigned max)
{
	unsigned n = 0;

	for (size_t i = 0; i < l->n; i++) {
		unsigned j;

		for (j = 0; j < n && acts[j] != l->v[i].act; j++)
			;
		if (j == n && n < max)
			acts[n++] = l->v[i].act;
	}
	return n;
}

struct cs_pending {
	uint32_t act;
	unsigned nc;
	struct scmp_arg_cmp cmp[CS_NARGS];
};

/* libseccomp 2.5.4 merges a rule into a syscall's tree in time that can
 * explode when a chain starting at a low argument arrives after many
 * chains starting at higher ones; adding longer chains, lower arguments
 * first, keeps it linear in practice. */
static int pending_cmp(const void *x, const void *y)
{
	const struct cs_pending *a = x, *b = y;

	if (a->nc != b->nc)
		return a->nc > b->nc ? -1 : 1;
	for (unsigned i = 0; i < a->nc; i++) {
		if (a->cmp[i].arg != b->cmp[i].arg)
			return a->cmp[i].arg < b->cmp[i].arg ? -1 : 1;
	}
	return 0;
}

/* The libseccomp rules for the regions of one syscall (none for the filter
 * default's region), in the order they are to be added.  0 with *out
 * (malloc'ed) and *nout, or -1 with the error set. */
static int collect(struct cs_state *st, int abi, int nr, const struct cs_list *l,
		   struct cs_pending **out, size_t *nout)
{
	uint64_t dmax = abi == BG_ABI_IA32 ? UINT32_MAX : UINT64_MAX;
	uint32_t acts[BG_MAX_ARGRULES + 2];
	unsigned nacts = list_actions(l, acts, BG_MAX_ARGRULES + 2);
	struct cs_piece(*pieces)[CS_MAX_PIECES] = NULL;
	struct cs_pending *pend = NULL;
	size_t npend = 0;
	char lbl[96];
	int ret = -1;

	*out = NULL;
	*nout = 0;
	sys_label(abi, nr, lbl, sizeof(lbl));
	pend = malloc((nacts == 1 ? 1 : CS_MAX_RULES) * sizeof(*pend));
	if (!pend) {
		set_err(st, "out of memory");
		goto out;
	}
	if (nacts == 1) {
		/* One action whatever the arguments. */
		if (acts[0] != st->dflt_act)
			pend[npend++] = (struct cs_pending){ .act = acts[0] };
		goto done;
	}
	pieces = malloc(CS_NARGS * sizeof(*pieces));
	if (!pieces) {
		set_err(st, "out of memory");
		goto out;
	}

	/* Pass 0 counts, so a refusal adds nothing; pass 1 collects.  A
	 * syscall that needs one rule may use any comparison.  Several rules
	 * of one syscall are merged into a tree by libseccomp; 2.5.4 builds
	 * 64-bit <, <=, >, >= and != as shapes whose exits share the rest of
	 * the chain, and merging two of them can loop forever (seen with
	 * {a0 >= 0x101, a2 <= 2} then {a0 >= 0x101, a4 != 0x10}).  So a
	 * syscall that needs more than one rule gets only == and masked ==
	 * (plain chains), ranges and exclusions becoming aligned blocks. */
	unsigned long total = 0;
	int np[CS_NARGS];
	bool simple = false;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < l->n; i++) {
			const struct cs_region *rg = &l->v[i];
			unsigned long prod = 1;

			if (rg->act == st->dflt_act)
				continue;
			unsigned tested = 0;

			for (unsigned a = 0; a < CS_NARGS && prod <= CS_MAX_RULES; a++) {
				np[a] = set_pieces(&rg->t.a[a], dmax, simple, pieces[a], CS_MAX_PIECES);
				prod = np[a] < 0 ? CS_MAX_RULES + 1 : prod * (unsigned long)np[a];
				tested += np[a] > 1 || (np[a] == 1 && !pieces[a][0].any);
			}
			if (pass == 0) {
				total += prod;
				/* The merge trouble needs a chain going on after the
				 * comparison: one-argument rules (Docker's socket
				 * family ranges) are safe. */
				bool rich_ok = total <= CS_MAX_RICH ||
					       (st->rich_single && tested <= 1 && total <= CS_MAX_RULES);

				if (!rich_ok && !simple) {
					/* start counting again, simple comparisons only */
					simple = true;
					total = 0;
					i = (size_t)-1;
					continue;
				}
				if (total > CS_MAX_RULES) {
					set_err(st, "%s: conditional rules overlap with different actions "
						    "and seccomp cannot order them (more than %d seccomp "
						    "rules needed); split them so they do not overlap",
						lbl, CS_MAX_RULES);
					goto out;
				}
				continue;
			}
			/* Every combination of one piece per argument. */
			unsigned idx[CS_NARGS] = { 0 };

			for (unsigned long k = 0; k < prod; k++) {
				struct cs_pending *pd = &pend[npend++];

				pd->act = rg->act;
				pd->nc = 0;
				for (unsigned a = 0; a < CS_NARGS; a++) {
					const struct cs_piece *pc = &pieces[a][idx[a]];

					if (pc->any)
						continue;
					pd->cmp[pd->nc++] = (struct scmp_arg_cmp){
						.arg = a, .op = pc->op, .datum_a = pc->a, .datum_b = pc->b,
					};
				}
				if (pd->nc == 0) {
					/* A term covering everything while another action
					 * has a region too: cannot happen. */
					set_err(st, "%s: internal error: overlapping regions", lbl);
					goto out;
				}
				for (unsigned a = 0; a < CS_NARGS; a++) {
					if (++idx[a] < (unsigned)np[a])
						break;
					idx[a] = 0;
				}
			}
		}
	}
	qsort(pend, npend, sizeof(*pend), pending_cmp);
done:
	*out = pend;
	*nout = npend;
	pend = NULL;
	ret = 0;
out:
	free(pieces);
	free(pend);
	return ret;
}

/* Adds the regions of one syscall to ctx under number scnr (as libseccomp
 * takes it for the context's arch).  0, or -1 with the error set. */
static int emit(struct cs_state *st, scmp_filter_ctx ctx, int abi, int nr, int scnr,
		const struct cs_list *l)
{
	struct cs_pending *pend;
	size_t npend;
	char lbl[96];
	int r = 0;

	if (collect(st, abi, nr, l, &pend, &npend))
		return -1;
	for (size_t i = 0; i < npend && r >= 0; i++)
		r = seccomp_rule_add_array(ctx, pend[i].act, scnr, pend[i].nc, pend[i].cmp);
	free(pend);
	if (r < 0) {
		sys_label(abi, nr, lbl, sizeof(lbl));
		set_err(st, "%s: libseccomp refused a rule: %s", lbl, strerror(-r));
		return -1;
	}
	return 0;
}

/* ---- x86_64 ---- */

static int compile_x86_64(struct cs_state *st, scmp_filter_ctx ctx)
{
	struct cs_list l = { 0 };
	int ret = 0;

	/* Every number the table can hold, named or not: a syscall newer than
	 * libseccomp still gets its rule by number. */
	for (int nr = 0; nr < BG_MAX_SYSCALLS && !ret; nr++) {
		const struct bg_sysrules *sr = &st->p->sys[BG_ABI_X86_64][nr];

		if (!sr->has_base && !sr->nargrules &&
		    map_action(&st->p->dflt, st->mode) == st->dflt_act)
			continue;
		if (sys_regions(st, BG_ABI_X86_64, nr, &l) || emit(st, ctx, BG_ABI_X86_64, nr, nr, &l))
			ret = -1;
	}
	/* -1 (what tracers use to skip a call) is judged by the default. */
	uint32_t a64 = map_action(&st->p->dflt, st->mode);

	if (!ret && a64 != st->dflt_act) {
		int r = seccomp_rule_add(ctx, a64, -1, 0);

		if (r < 0) {
			set_err(st, "x86_64 syscall -1: libseccomp refused a rule: %s", strerror(-r));
			ret = -1;
		}
	}
	list_free(&l);
	return ret;
}

/* ---- ia32 ---- */

/* i386 syscalls that libseccomp ties to a socketcall()/ipc() sub-call: a
 * rule for the direct syscall is also added to the multiplexer with
 * arg0 == sub-call (and the direct syscall's argument comparisons). */
struct cs_mux {
	const char *name;
	int pnr; /* libseccomp pseudo number: -1xx socketcall, -2xx ipc */
};

static const struct cs_mux mux_table[] = {
	{ "socket", __PNR_socket },	      { "bind", __PNR_bind },
	{ "connect", __PNR_connect },	      { "listen", __PNR_listen },
	{ "accept", __PNR_accept },	      { "getsockname", __PNR_getsockname },
	{ "getpeername", __PNR_getpeername }, { "socketpair", __PNR_socketpair },
	{ "send", __PNR_send },		      { "recv", __PNR_recv },
	{ "sendto", __PNR_sendto },	      { "recvfrom", __PNR_recvfrom },
	{ "shutdown", __PNR_shutdown },	      { "setsockopt", __PNR_setsockopt },
	{ "getsockopt", __PNR_getsockopt },   { "sendmsg", __PNR_sendmsg },
	{ "recvmsg", __PNR_recvmsg },	      { "accept4", __PNR_accept4 },
	{ "recvmmsg", __PNR_recvmmsg },	      { "sendmmsg", __PNR_sendmmsg },
	{ "semop", __PNR_semop },	      { "semget", __PNR_semget },
	{ "semctl", __PNR_semctl },	      { "semtimedop", __PNR_semtimedop },
	{ "msgsnd", __PNR_msgsnd },	      { "msgrcv", __PNR_msgrcv },
	{ "msgget", __PNR_msgget },	      { "msgctl", __PNR_msgctl },
	{ "shmat", __PNR_shmat },	      { "shmdt", __PNR_shmdt },
	{ "shmget", __PNR_shmget },	      { "shmctl", __PNR_shmctl },
};

static const struct cs_mux *mux_find(const char *name)
{
	for (size_t i = 0; i < sizeof(mux_table) / sizeof(mux_table[0]); i++)
		if (strcmp(mux_table[i].name, name) == 0)
			return &mux_table[i];
	return NULL;
}

/* Checks that libseccomp's extra multiplexer rules for the direct i386
 * syscall nr change nothing: every action emitted for it must be the one
 * action the policy gives the multiplexer when arg0 == sub-call. */
static int mux_check(struct cs_state *st, int nr, const struct cs_mux *mx,
		     const struct cs_list *direct)
{
	bool sock = mx->pnr <= -100 && mx->pnr >= -120;
	const char *mname = sock ? "socketcall" : "ipc";
	uint64_t sub = sock ? (uint64_t)(-mx->pnr % 100) : (uint64_t)(-mx->pnr % 200);
	int mnr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86, mname);
	uint32_t emitted[BG_MAX_ARGRULES + 2];
	unsigned ne = 0;
	char lbl[96], b1[24], b2[24];

	for (size_t i = 0; i < direct->n; i++) {
		uint32_t a = direct->v[i].act;
		unsigned j;

		if (a == st->dflt_act)
			continue;
		for (j = 0; j < ne && emitted[j] != a; j++)
			;
		if (j == ne && ne < BG_MAX_ARGRULES + 2)
			emitted[ne++] = a;
	}
	if (ne == 0)
		return 0; /* nothing added for the direct syscall: nothing muxed */

	sys_label(BG_ABI_IA32, nr, lbl, sizeof(lbl));
	if (mnr < 0 || mnr >= BG_MAX_SYSCALLS) {
		set_err(st, "%s: libseccomp does not know i386 %s", lbl, mname);
		return -1;
	}

	struct cs_list ml = { 0 };
	struct bg_cond eq = { .arg = 0, .op = BG_OP_EQ, .val = sub };
	uint32_t t = 0;
	bool have_t = false, constant = true;

	if (sys_regions(st, BG_ABI_IA32, mnr, &ml)) {
		list_free(&ml);
		return -1;
	}
	for (size_t i = 0; i < ml.n; i++) {
		struct cs_term x;

		if (term_and_conds(&ml.v[i].t, &eq, 1, UINT32_MAX, &x) == 0)
			continue;
		if (have_t && ml.v[i].act != t)
			constant = false;
		t = ml.v[i].act;
		have_t = true;
	}
	list_free(&ml);
	if (!have_t) {
		set_err(st, "%s: internal error: %s has no decision", lbl, mname);
		return -1;
	}
	if (!constant) {
		set_err(st, "%s: libseccomp also applies ia32 %s rules to %s(%llu, ...), which the "
			    "policy judges by its arguments; give ia32 %s an unconditional decision for "
			    "that call, or the same decision as %s",
			lbl, mx->name, mname, (unsigned long long)sub, mname, mx->name);
		return -1;
	}
	for (unsigned i = 0; i < ne; i++) {
		if (emitted[i] != t) {
			set_err(st, "%s: libseccomp also applies ia32 %s rules to %s(%llu, ...), which "
				    "the policy gives %s instead of %s; give both the same decision",
				lbl, mx->name, mname, (unsigned long long)sub,
				act_str(t, b1, sizeof(b1)), act_str(emitted[i], b2, sizeof(b2)));
			return -1;
		}
	}
	return 0;
}

static int compile_ia32(struct cs_state *st, scmp_filter_ctx ctx)
{
	struct cs_list l = { 0 };
	int ret = 0;

	for (int nr = 0; nr < BG_MAX_SYSCALLS && !ret; nr++) {
		const struct bg_sysrules *sr = &st->p->sys[BG_ABI_IA32][nr];
		uint32_t acts[BG_MAX_ARGRULES + 2];
		char lbl[96], b1[24], b2[24];

		if (!sr->has_base && !sr->nargrules &&
		    map_action(&st->p->ia32_dflt, st->mode) == st->dflt_act)
			continue;
		if (sys_regions(st, BG_ABI_IA32, nr, &l)) {
			ret = -1;
			break;
		}
		unsigned na = list_actions(&l, acts, BG_MAX_ARGRULES + 2);

		if (na == 1 && acts[0] == st->dflt_act)
			continue;

		/* libseccomp takes a number of the native arch and translates it
		 * by name; so the i386 number must have a name both know. */
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86, nr);

		if (!name) {
			/* No rule can single it out: it gets the filter default,
			 * which must not be looser than what the policy says. */
			for (unsigned i = 0; i < na && !ret; i++) {
				if (act_rank(acts[i]) > act_rank(st->dflt_act)) {
					sys_label(BG_ABI_IA32, nr, lbl, sizeof(lbl));
					set_err(st, "%s: libseccomp %u.%u.%u cannot name it for ia32 calls, "
						    "so a seccomp filter would give it %s instead of %s",
						lbl, seccomp_version()->major, seccomp_version()->minor,
						seccomp_version()->micro, act_str(st->dflt_act, b1, sizeof(b1)),
						act_str(acts[i], b2, sizeof(b2)));
					ret = -1;
				}
			}
			if (ret)
				break;
			/* Numbers nothing names are not syscalls (ENOSYS): quietly
			 * the filter default.  Named ones are worth a warning. */
			const char *bn = bg_syscall_name(BG_ABI_IA32, nr);

			if (bn) {
				size_t used = strlen(st->unnamed);

				if (st->n_unnamed++ == 0)
					st->unnamed_want = acts[0];
				if (used + strlen(bn) + 3 < sizeof(st->unnamed))
					snprintf(st->unnamed + used, sizeof(st->unnamed) - used, "%s%s",
						 used ? ", " : "", bn);
			}
			continue;
		}
		int native = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name);
		char *back = native == __NR_SCMP_ERROR ? NULL
						       : seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, native);
		int again = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86, name);
		const struct cs_mux *mx = mux_find(name);
		bool ok = back && strcmp(back, name) == 0 && (again == nr || (mx && again == mx->pnr));

		if (!ok) {
			sys_label(BG_ABI_IA32, nr, lbl, sizeof(lbl));
			set_err(st, "%s: libseccomp cannot map i386 %s to a rule", lbl, name);
			ret = -1;
		} else if (mx && mux_check(st, nr, mx, &l)) {
			ret = -1;
		} else if (emit(st, ctx, BG_ABI_IA32, nr, native, &l)) {
			ret = -1;
		}
		free(back);
		free(name);
	}
	list_free(&l);
	return ret;
}

/* ---- the filter ---- */

static scmp_filter_ctx new_ctx(struct cs_state *st, uint32_t arch, uint32_t badarch)
{
	scmp_filter_ctx ctx = seccomp_init(st->dflt_act);
	int r;

	if (!ctx) {
		set_err(st, "libseccomp: cannot create a filter");
		return NULL;
	}
	if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, badarch)) ||
	    (r = seccomp_attr_set(ctx, SCMP_FLTATR_API_TSKIP, 1)) ||
	    (r = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1))) {
		set_err(st, "libseccomp: cannot set a filter attribute: %s", strerror(-r));
		goto fail;
	}
	if (arch != SCMP_ARCH_NATIVE) {
		if ((r = seccomp_arch_add(ctx, arch)) || (r = seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE))) {
			set_err(st, "libseccomp: cannot set the filter architecture: %s", strerror(-r));
			goto fail;
		}
	}
	return ctx;
fail:
	seccomp_release(ctx);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The generated program: checked, and repaired where libseccomp 2.5.4
 * gets the accumulator wrong.
 *
 * libseccomp skips the load of an argument word when the previous node on
 * the same tree level already loaded it ("acc_start" of the block).  That
 * block is also the fall-through target of the previous node's subtree,
 * which may have loaded other words; libseccomp re-checks the accumulator
 * only for the first jump it lays out into the block.  The result compares
 * the wrong word (seen here: the low word of arg3 tested as if it were the
 * low word of arg0).  So every program goes through a data-flow pass that
 * tracks what A holds on every path; where paths with different contents
 * meet before A is read, the load libseccomp meant (the earliest word in
 * its chain order: deeper nodes only test later words) is inserted, and
 * the program is re-laid out.  The result is checked again; anything the
 * pass does not understand is refused rather than loaded. */

#define ACC_UNDEF (-1)

struct acc {
	int32_t off; /* offset loaded into A, or ACC_UNDEF */
	uint32_t mask;
};

/* Order of words in libseccomp's chains: arch, nr, then per argument the
 * high word before the low one. */
static int acc_order(int32_t off)
{
	if (off == (int32_t)offsetof(struct seccomp_data, arch))
		return 0;
	if (off == (int32_t)offsetof(struct seccomp_data, nr))
		return 1;
	int rel = off - (int32_t)offsetof(struct seccomp_data, args);

	return 2 + (rel / 8) * 2 + (rel % 8 == 4 ? 0 : 1);
}

struct flow {
	bool seen, overflow;
	unsigned n;        /* distinct states A may hold on entry */
	struct acc alt[8];
};

static void flow_add(struct flow *fl, struct acc in)
{
	for (unsigned i = 0; i < fl->n; i++)
		if (fl->alt[i].off == in.off && fl->alt[i].mask == in.mask)
			return;
	if (fl->n < sizeof(fl->alt) / sizeof(fl->alt[0]))
		fl->alt[fl->n++] = in;
	else
		fl->overflow = true;
}

static void flow_merge(struct flow *to, const struct flow *from)
{
	to->seen = true;
	to->overflow |= from->overflow;
	for (unsigned i = 0; i < from->n; i++)
		flow_add(to, from->alt[i]);
}

static bool reads_a(const struct sock_filter *f)
{
	switch (BPF_CLASS(f->code)) {
	case BPF_ALU:
		return true;
	case BPF_JMP:
		return BPF_OP(f->code) != BPF_JA;
	case BPF_RET:
		return BPF_RVAL(f->code) == BPF_A;
	}
	return false;
}

/* Runs the data-flow pass.  For every instruction where paths with
 * different accumulator contents meet and A is read before being
 * reloaded, fix[pc] gets the state to reload (off >= 0).  Returns the
 * number of such places, or -1 (with why) for a program it does not
 * understand. */
static int acc_flow(const struct sock_filter *f, size_t n, struct acc *fix, const char **why)
{
	struct flow *fl = calloc(n, sizeof(*fl));
	int nfix = 0;

	if (!fl) {
		*why = "out of memory";
		return -1;
	}
	for (size_t pc = 0; pc < n; pc++)
		fix[pc].off = ACC_UNDEF;
	fl[0].seen = true;
	flow_add(&fl[0], (struct acc){ .off = ACC_UNDEF });
	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *i = &f[pc];
		struct flow cur;

		if (!fl[pc].seen)
			continue;
		cur = fl[pc];
		/* Too many states to track is fine where A is not read (the
		 * shared return blocks). */
		if (cur.overflow && reads_a(i))
			goto bad;
		if (cur.n > 1 && reads_a(i)) {
			/* the load libseccomp meant: the earliest word */
			const struct acc *best = NULL;

			for (unsigned a = 0; a < cur.n; a++) {
				const struct acc *st = &cur.alt[a];

				if (st->off < 0)
					goto bad;
				if (!best || acc_order(st->off) < acc_order(best->off))
					best = st;
			}
			for (unsigned a = 0; a < cur.n; a++)
				if (cur.alt[a].off == best->off && cur.alt[a].mask != best->mask)
					goto bad;
			fix[pc] = *best;
			cur.n = 1;
			cur.alt[0] = fix[pc];
			nfix++;
		}
		switch (BPF_CLASS(i->code)) {
		case BPF_LD:
			if (i->code != (BPF_LD | BPF_W | BPF_ABS) || i->k % 4 ||
			    i->k + 4 > sizeof(struct seccomp_data))
				goto bad;
			cur.n = 1;
			cur.alt[0] = (struct acc){ .off = (int32_t)i->k, .mask = UINT32_MAX };
			break;
		case BPF_ALU:
			if (i->code != (BPF_ALU | BPF_AND | BPF_K) || cur.alt[0].off < 0)
				goto bad;
			cur.alt[0].mask &= i->k;
			break;
		case BPF_JMP:
			if (BPF_OP(i->code) == BPF_JA) {
				if (pc + 1 + i->k >= n)
					goto bad;
				flow_merge(&fl[pc + 1 + i->k], &cur);
				continue;
			}
			if (BPF_SRC(i->code) != BPF_K || cur.alt[0].off < 0 ||
			    pc + 1 + i->jt >= n || pc + 1 + i->jf >= n)
				goto bad;
			flow_merge(&fl[pc + 1 + i->jt], &cur);
			flow_merge(&fl[pc + 1 + i->jf], &cur);
			continue;
		case BPF_RET:
			if (BPF_RVAL(i->code) != BPF_K)
				goto bad;
			continue;
		default:
			goto bad;
		}
		if (pc + 1 >= n)
			goto bad;
		flow_merge(&fl[pc + 1], &cur);
	}
	free(fl);
	return nfix;
bad:
	free(fl);
	*why = "unexpected instruction or accumulator state";
	return -1;
}

/* One instruction while re-laying out: jump targets are instruction ids. */
struct rins {
	struct sock_filter f;
	int t, e; /* ids: true/else targets of a conditional jump, t for JA */
};

struct rprog {
	struct rins *ins; /* by id */
	int *order;       /* ids in program order */
	size_t n, cap;
};

static int rp_add(struct rprog *rp, struct rins in)
{
	if (rp->n == rp->cap) {
		size_t cap = rp->cap ? rp->cap * 2 : 256;
		struct rins *ni = realloc(rp->ins, cap * sizeof(*ni));

		if (!ni)
			return -1;
		rp->ins = ni;
		int *no = realloc(rp->order, cap * sizeof(*no));

		if (!no)
			return -1;
		rp->order = no;
		rp->cap = cap;
	}
	rp->ins[rp->n] = in;
	rp->order[rp->n] = (int)rp->n;
	return (int)rp->n++;
}

static bool is_cond_jump(const struct sock_filter *f)
{
	return BPF_CLASS(f->code) == BPF_JMP && BPF_OP(f->code) != BPF_JA;
}

/* Inserts the reloads, then lays the program out again, adding a JA
 * trampoline after any conditional jump whose target moved beyond 255. */
static int relayout(const struct sock_filter *f, size_t n, const struct acc *fix,
		    struct sock_filter **out, size_t *outn)
{
	struct rprog rp = { 0 };
	int *first = malloc(n * sizeof(*first)); /* old pc -> id jumps to it land on */
	int *orig = malloc(n * sizeof(*orig));   /* old pc -> id of the instruction */
	int *pos = NULL;
	int ret = -1;

	if (!first || !orig)
		goto out;
	for (size_t pc = 0; pc < n; pc++) {
		first[pc] = -1;
		if (fix[pc].off >= 0) {
			struct rins ld = { .f = BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)fix[pc].off),
					   .t = -1, .e = -1 };

			first[pc] = rp_add(&rp, ld);
			if (first[pc] < 0)
				goto out;
			if (fix[pc].mask != UINT32_MAX) {
				struct rins and = { .f = BPF_STMT(BPF_ALU | BPF_AND | BPF_K, fix[pc].mask),
						    .t = -1, .e = -1 };

				if (rp_add(&rp, and) < 0)
					goto out;
			}
		}
		orig[pc] = rp_add(&rp, (struct rins){ .f = f[pc], .t = -1, .e = -1 });
		if (orig[pc] < 0)
			goto out;
		if (first[pc] < 0)
			first[pc] = orig[pc];
	}
	for (size_t pc = 0; pc < n; pc++) {
		struct rins *ri = &rp.ins[orig[pc]];

		if (BPF_CLASS(f[pc].code) != BPF_JMP)
			continue;
		if (BPF_OP(f[pc].code) == BPF_JA) {
			ri->t = first[pc + 1 + f[pc].k];
		} else {
			ri->t = first[pc + 1 + f[pc].jt];
			ri->e = first[pc + 1 + f[pc].jf];
		}
	}

	for (;;) {
		bool grew = false;

		free(pos);
		pos = malloc(rp.n * sizeof(*pos));
		if (!pos)
			goto out;
		for (size_t i = 0; i < rp.n; i++)
			pos[rp.order[i]] = (int)i;
		for (size_t i = 0; i < rp.n && !grew; i++) {
			int id = rp.order[i];

			if (!is_cond_jump(&rp.ins[id].f))
				continue;
			for (int which = 0; which < 2 && !grew; which++) {
				int tgt = which ? rp.ins[id].e : rp.ins[id].t;

				if (pos[tgt] - (int)i - 1 <= 255)
					continue;
				struct rins ja = { .f = BPF_STMT(BPF_JMP | BPF_JA, 0), .t = tgt, .e = -1 };
				int tid = rp_add(&rp, ja);

				if (tid < 0)
					goto out;
				/* move it right after the jump */
				memmove(&rp.order[i + 2], &rp.order[i + 1], (rp.n - 1 - (i + 1)) * sizeof(int));
				rp.order[i + 1] = tid;
				if (which)
					rp.ins[id].e = tid;
				else
					rp.ins[id].t = tid;
				grew = true;
			}
		}
		if (!grew)
			break;
	}

	struct sock_filter *p = malloc(rp.n * sizeof(*p));

	if (!p)
		goto out;
	for (size_t i = 0; i < rp.n; i++) {
		const struct rins *ri = &rp.ins[rp.order[i]];

		p[i] = ri->f;
		if (BPF_CLASS(ri->f.code) != BPF_JMP)
			continue;
		if (BPF_OP(ri->f.code) == BPF_JA) {
			p[i].k = (uint32_t)(pos[ri->t] - (int)i - 1);
		} else {
			p[i].jt = (uint8_t)(pos[ri->t] - (int)i - 1);
			p[i].jf = (uint8_t)(pos[ri->e] - (int)i - 1);
		}
	}
	*out = p;
	*outn = rp.n;
	ret = 0;
out:
	free(pos);
	free(first);
	free(orig);
	free(rp.ins);
	free(rp.order);
	return ret;
}

/* The program to load or export: libseccomp's, checked and repaired.
 * 0, or -errno with a message in err. */
static int build_program(scmp_filter_ctx ctx, struct sock_filter **out, size_t *outn,
			 unsigned *nfixed, char *err, size_t errlen)
{
	int fd = memfd_create("bpfguard-seccomp", MFD_CLOEXEC);
	struct sock_filter *f = NULL, *g = NULL;
	struct acc *fix = NULL;
	const char *why = NULL;
	struct stat sb;
	size_t n = 0, gn = 0;
	int r;

	*out = NULL;
	*outn = 0;
	if (nfixed)
		*nfixed = 0;
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "memfd_create: %s", strerror(-r));
		return r;
	}
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0) {
		snprintf(err, errlen, "libseccomp cannot generate the filter: %s", strerror(-r));
		goto out;
	}
	if (fstat(fd, &sb)) {
		r = -errno;
		snprintf(err, errlen, "fstat: %s", strerror(-r));
		goto out;
	}
	n = (size_t)sb.st_size / sizeof(*f);
	if (n == 0 || (size_t)sb.st_size % sizeof(*f) || n > 65536) {
		r = -EINVAL;
		snprintf(err, errlen, "libseccomp generated a program of %lld bytes", (long long)sb.st_size);
		goto out;
	}
	f = malloc(n * sizeof(*f));
	fix = malloc(n * sizeof(*fix));
	if (!f || !fix) {
		r = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (pread(fd, f, n * sizeof(*f), 0) != (ssize_t)(n * sizeof(*f))) {
		r = -EIO;
		snprintf(err, errlen, "cannot read back the generated program");
		goto out;
	}
	int nfix = acc_flow(f, n, fix, &why);

	if (nfix < 0) {
		r = -EINVAL;
		snprintf(err, errlen, "cannot verify the program libseccomp generated: %s", why);
		goto out;
	}
	if (nfix > 0) {
		if (relayout(f, n, fix, &g, &gn)) {
			r = -ENOMEM;
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		struct acc *fix2 = realloc(fix, gn * sizeof(*fix2));

		if (!fix2) {
			r = -ENOMEM;
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		fix = fix2;
		if (acc_flow(g, gn, fix, &why) != 0) {
			r = -EINVAL;
			snprintf(err, errlen, "cannot repair the program libseccomp generated");
			goto out;
		}
		free(f);
		f = g;
		g = NULL;
		n = gn;
		if (nfixed)
			*nfixed = (unsigned)nfix;
	}
	if (n > CS_MAX_INSNS) {
		r = -E2BIG;
		snprintf(err, errlen, "the seccomp filter has %zu instructions; the kernel takes at most %d",
			 n, CS_MAX_INSNS);
		goto out;
	}
	*out = f;
	*outn = n;
	f = NULL;
	r = 0;
out:
	close(fd);
	free(f);
	free(g);
	free(fix);
	return r;
}

scmp_filter_ctx bg_seccomp_compile(const struct bg_policy *p, int mode, char *err, size_t errlen)
{
	struct cs_state st = { .p = p, .mode = mode, .err = err, .errlen = errlen };
	scmp_filter_ctx ctx = NULL, ctx32 = NULL;
	const struct bg_action x32_kill = { .verdict = BG_VERDICT_KILL };
	char b1[24], b2[24];

	if (err && errlen)
		err[0] = '\0';
	if (!p) {
		set_err(&st, "no policy");
		return NULL;
	}
	if (mode != BG_MODE_AUDIT && mode != BG_MODE_ENFORCE) {
		set_err(&st, "bad mode %d", mode);
		return NULL;
	}
	if (!action_ok(&p->dflt) || !action_ok(&p->ia32_dflt)) {
		set_err(&st, "policy %s: invalid default action", p->name);
		return NULL;
	}

	uint32_t a64 = map_action(&p->dflt, mode);
	uint32_t a32 = map_action(&p->ia32_dflt, mode);
	bool need32 = p->ia32_dflt.verdict != BG_VERDICT_KILL;

	for (int nr = 0; nr < BG_MAX_SYSCALLS && !need32; nr++)
		need32 = p->sys[BG_ABI_IA32][nr].has_base || p->sys[BG_ABI_IA32][nr].nargrules;

	/* One default for the whole filter.  With both ABIs and different
	 * defaults, take the stricter one (ia32's on a tie): the other ABI's
	 * default is spelled out for every number it can name, and the numbers
	 * it cannot name (x86_64 >= 512, which no kernel implements; ia32
	 * numbers libseccomp does not know) are then never judged looser. */
	st.dflt_act = a64;
	if (need32 && a32 != a64 && act_rank(a32) >= act_rank(a64))
		st.dflt_act = a32;

	/* x32 calls and ia32 calls when x86 is left out. */
	uint32_t badarch = map_action(&x32_kill, mode);

	ctx = new_ctx(&st, SCMP_ARCH_NATIVE, badarch);
	if (!ctx)
		return NULL;
	if (seccomp_arch_exist(ctx, SCMP_ARCH_X86_64)) {
		set_err(&st, "bpfguard's seccomp back end needs an x86_64 build of libseccomp");
		goto fail;
	}
	if (compile_x86_64(&st, ctx))
		goto fail;
	if (need32) {
		ctx32 = new_ctx(&st, SCMP_ARCH_X86, badarch);
		if (!ctx32 || compile_ia32(&st, ctx32))
			goto fail;
		int r = seccomp_merge(ctx, ctx32);

		if (r < 0) {
			set_err(&st, "libseccomp: cannot merge the x86 filter: %s", strerror(-r));
			goto fail;
		}
		ctx32 = NULL; /* merged into ctx, and released by libseccomp */
		if (st.n_unnamed)
			bg_warn("policy %s: %u ia32 syscall%s libseccomp %u.%u.%u cannot name (%s%s) "
				"get the filter default %s for ia32 calls, stricter than the policy's %s",
				p->name, st.n_unnamed, st.n_unnamed == 1 ? "" : "s",
				seccomp_version()->major, seccomp_version()->minor,
				seccomp_version()->micro, st.unnamed,
				strlen(st.unnamed) + 30 > sizeof(st.unnamed) ? ", ..." : "",
				act_str(st.dflt_act, b1, sizeof(b1)), act_str(st.unnamed_want, b2, sizeof(b2)));
	}

	struct sock_filter *prog;
	size_t len;
	char why[200];

	if (build_program(ctx, &prog, &len, NULL, why, sizeof(why))) {
		set_err(&st, "policy %s: %s%s", p->name, why,
			strstr(why, "at most") ? " (fewer conditional rules or fewer distinct actions help)" : "");
		goto fail;
	}
	free(prog);
	return ctx;
fail:
	if (ctx32)
		seccomp_release(ctx32);
	seccomp_release(ctx);
	return NULL;
}

int bg_seccomp_export_bpf(scmp_filter_ctx ctx, int fd)
{
	struct sock_filter *prog;
	size_t len, off = 0;
	char why[200];
	int r;

	if (!ctx || fd < 0)
		return -EINVAL;
	r = build_program(ctx, &prog, &len, NULL, why, sizeof(why));
	if (r)
		return r;
	while (off < len * sizeof(*prog)) {
		ssize_t w = write(fd, (const char *)prog + off, len * sizeof(*prog) - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			r = w < 0 ? -errno : -EIO;
			break;
		}
		off += (size_t)w;
	}
	free(prog);
	return r;
}

int bg_seccomp_install(scmp_filter_ctx ctx)
{
	struct sock_filter *prog;
	size_t len;
	char why[200];
	int r;

	if (!ctx)
		return -EINVAL;
	r = build_program(ctx, &prog, &len, NULL, why, sizeof(why));
	if (r)
		return r;
	struct sock_fprog fp = { .len = (unsigned short)len, .filter = prog };

	/* The checked program, not seccomp_load(): that would generate
	 * libseccomp's unrepaired one again. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp, 0, 0))
		r = -errno;
	free(prog);
	return r;
}

/* ------------------------------------------------------------------ */
/* Argument-space analysis for export, diff and merge: the regions above,
 * handed out as IR conditions instead of being added to a filter. */

static struct bg_action unmap_action(uint32_t act)
{
	if (act == SCMP_ACT_ALLOW)
		return (struct bg_action){ .verdict = BG_VERDICT_ALLOW };
	if (act == SCMP_ACT_LOG)
		return (struct bg_action){ .verdict = BG_VERDICT_LOG };
	if ((act & 0xffff0000u) == SCMP_ACT_ERRNO(0))
		return (struct bg_action){ .verdict = BG_VERDICT_ERRNO, .err = (uint16_t)(act & 0xffffu) };
	return (struct bg_action){ .verdict = BG_VERDICT_KILL };
}

static uint8_t unmap_op(enum scmp_compare op)
{
	switch (op) {
	case SCMP_CMP_NE: return BG_OP_NE;
	case SCMP_CMP_LT: return BG_OP_LT;
	case SCMP_CMP_LE: return BG_OP_LE;
	case SCMP_CMP_GE: return BG_OP_GE;
	case SCMP_CMP_GT: return BG_OP_GT;
	case SCMP_CMP_MASKED_EQ: return BG_OP_MASKED_EQ;
	default: return BG_OP_EQ;
	}
}

int bg_seccomp_syscall_rules(const struct bg_policy *p, int abi, int nr,
			     const struct bg_action *dflt, struct bg_seccomp_rule **out,
			     char *err, size_t errlen)
{
	struct cs_state st = { .p = p, .mode = BG_MODE_ENFORCE, .err = err, .errlen = errlen };
	struct cs_list l = { 0 };
	struct cs_pending *pend;
	struct bg_seccomp_rule *r;
	size_t n;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (!p || !dflt || abi < 0 || abi >= BG_NR_TABLES || nr < 0 || nr >= BG_MAX_SYSCALLS ||
	    !action_ok(dflt) || !action_ok(&p->dflt) || !action_ok(&p->ia32_dflt)) {
		set_err(&st, "invalid policy or syscall");
		return -1;
	}
	st.dflt_act = map_action(dflt, BG_MODE_ENFORCE);
	st.rich_single = true;
	if (sys_regions(&st, abi, nr, &l) || collect(&st, abi, nr, &l, &pend, &n)) {
		list_free(&l);
		return -1;
	}
	list_free(&l);
	if (n == 0) {
		free(pend);
		return 0;
	}
	r = calloc(n, sizeof(*r));
	if (!r) {
		free(pend);
		set_err(&st, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		r[i].action = unmap_action(pend[i].act);
		r[i].ncond = pend[i].nc;
		for (unsigned c = 0; c < pend[i].nc; c++) {
			const struct scmp_arg_cmp *m = &pend[i].cmp[c];
			struct bg_cond *bc = &r[i].cond[c];

			bc->arg = (uint8_t)m->arg;
			bc->op = unmap_op(m->op);
			if (bc->op == BG_OP_MASKED_EQ) {
				bc->mask = m->datum_a;
				bc->val = m->datum_b;
			} else {
				bc->val = m->datum_a;
			}
		}
	}
	free(pend);
	*out = r;
	return (int)n;
}

/* One value of a non-empty set. */
static uint64_t set_point(const struct cs_set *s, uint64_t dmax)
{
	struct cs_piece pc[CS_MAX_PIECES];

	if (set_pieces(s, dmax, false, pc, CS_MAX_PIECES) == 0 || pc[0].any)
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
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 16;
		struct cs_cell *nv = realloc(l->v, nc * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n++] = *c;
	return 0;
}

/* NOT c as disjoint single comparisons (unlike negate(), whose pieces may
 * overlap): for a masked test, "the lowest differing bit is b" for each
 * bit b of the mask.  out must have room for 64. */
static unsigned negate_disjoint(const struct bg_cond *c, uint64_t dmax, struct cs_lit *out)
{
	uint64_t lower = 0;
	unsigned n = 0;

	if (c->op != BG_OP_MASKED_EQ || (c->val & ~c->mask) || (c->val & ~dmax))
		return negate(c, dmax, out);
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
		d.act[li] = map_action(&rl->fallback, BG_MODE_ENFORCE);
		return cells_push(out, &d);
	}
	rule = &rl->rules[i];
	r = term_and_conds(&c->t, rule->cond, rule->ncond, dmax, &d.t);
	if (r < 0)
		return -E2BIG;
	if (r == 0)
		return refine(c, rl, i + 1, li, dmax, out);
	d.act[li] = map_action(&rule->action, BG_MODE_ENFORCE);
	if ((r = cells_push(out, &d)))
		return r;
	for (unsigned k = 0; k < rule->ncond; k++) {
		unsigned nl = negate_disjoint(&rule->cond[k], dmax, lits);

		for (unsigned l = 0; l < nl; l++) {
			struct bg_cond lc = {
				.arg = lits[l].arg, .op = lits[l].op, .val = lits[l].val, .mask = lits[l].mask,
			};

			d = *c;
			r = term_and_conds(&prefix, &lc, 1, dmax, &d.t);
			if (r < 0)
				return -E2BIG;
			if (r && (r = refine(&d, rl, i + 1, li, dmax, out)))
				return r;
		}
		/* conditions 0..k hold from here on */
		r = term_and_conds(&prefix, &rule->cond[k], 1, dmax, &next);
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

		if (rl->nrules > BG_MAX_ARGRULES || (rl->nrules && !rl->rules) || !action_ok(&rl->fallback))
			return -EINVAL;
		for (unsigned i = 0; i < rl->nrules; i++) {
			const struct bg_rule *r = &rl->rules[i];

			if (!action_ok(&r->action) || r->ncond > BG_MAX_CONDS)
				return -EINVAL;
			for (unsigned k = 0; k < r->ncond; k++)
				if (r->cond[k].arg >= CS_NARGS || r->cond[k].op >= BG_OP__COUNT)
					return -EINVAL;
		}
	}
	memset(&c, 0, sizeof(c));
	for (unsigned a = 0; a < CS_NARGS; a++)
		set_init(&c.t.a[a], dmax);
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
			o->act[li] = unmap_action(cur.v[k].act[li]);
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

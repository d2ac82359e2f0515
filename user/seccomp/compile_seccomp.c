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
 * The program libseccomp generates is not trusted blindly:
 * cs_build_program() (repair.c) runs a data-flow check over it and repairs
 * the one code-generation bug of 2.5.4 it knows (an argument word compared
 * without being loaded), and bg_seccomp_install() / bg_seccomp_export_bpf()
 * use that checked program, never a fresh seccomp_load().
 *
 * Files: argspace.c (value sets, pieces, regions), this file (the
 * compiler), repair.c (the check and repair of the generated program),
 * cells.c (cells for diff and merge).
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
#include <sys/prctl.h>
#include <unistd.h>

#include "argspace.h"
#include "compile_seccomp.h"
#include "repair.h"
#include "syscalls.h"
#include "util.h"

#define CS_MAX_RULES 128   /* libseccomp rules for one syscall (plain chains) */
#define CS_MAX_RICH 1      /* rules that may use <, <=, >, >=, != (see emit()) */

/* ------------------------------------------------------------------ */
/* Compiling */

struct cs_state {
	const struct bg_policy *p;
	int mode;
	uint32_t dflt_act; /* the filter's one default action */
	struct bg_diag *d;
	/* ia32 numbers libseccomp cannot name whose decision is not the filter
	 * default: they get the (stricter) filter default; reported once. */
	unsigned n_unnamed;
	char unnamed[160];
	uint32_t unnamed_want;
	/* Container profiles (bg_seccomp_syscall_rules()): rules that test one
	 * argument each may use any comparison, however many there are. */
	bool rich_single;
};

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

	va_start(ap, fmt);
	bg_diag_vat(st->d, NULL, 0, fmt, ap);
	va_end(ap);
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
		bool ok = cs_action_ok(&r->action) && r->ncond <= BG_MAX_CONDS;

		for (unsigned c = 0; ok && c < r->ncond; c++)
			ok = r->cond[c].arg < CS_NARGS && r->cond[c].op < BG_OP__COUNT;
		if (!ok) {
			sys_label(abi, nr, lbl, sizeof(lbl));
			set_err(st, "%s: invalid conditional rule", lbl);
			return -1;
		}
		rules[n++] = (struct cs_rule){
			.act = cs_map_action(&r->action, st->mode), .ncond = r->ncond, .cond = r->cond,
		};
	}
	const struct bg_action *fb = sr->has_base ? &sr->base : dflt;

	if (!cs_action_ok(fb)) {
		sys_label(abi, nr, lbl, sizeof(lbl));
		set_err(st, "%s: invalid action", lbl);
		return -1;
	}
	rules[n++] = (struct cs_rule){ .act = cs_map_action(fb, st->mode) };

	uint64_t dmax = abi == BG_ABI_IA32 ? UINT32_MAX : UINT64_MAX;

	out->n = 0;
	for (unsigned i = 0; i < n; i++) {
		int r = cs_rule_region(rules, i, dmax, out);

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

/* Appends to pend the rules of one region: every combination of one piece
 * per argument (prod of them).  0, or -1 with the error set. */
static int expand(struct cs_state *st, const char *lbl, uint32_t act,
		  struct cs_piece (*pieces)[CS_MAX_PIECES], const int *np, unsigned long prod,
		  struct cs_pending *pend, size_t *npend)
{
	unsigned idx[CS_NARGS] = { 0 };

	for (unsigned long k = 0; k < prod; k++) {
		struct cs_pending *pd = &pend[(*npend)++];

		pd->act = act;
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
			return -1;
		}
		for (unsigned a = 0; a < CS_NARGS; a++) {
			if (++idx[a] < (unsigned)np[a])
				break;
			idx[a] = 0;
		}
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
				np[a] = cs_set_pieces(&rg->t.a[a], dmax, simple, pieces[a], CS_MAX_PIECES);
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
			if (expand(st, lbl, rg->act, pieces, np, prod, pend, &npend))
				goto out;
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
		    cs_map_action(&st->p->dflt, st->mode) == st->dflt_act)
			continue;
		if (sys_regions(st, BG_ABI_X86_64, nr, &l) || emit(st, ctx, BG_ABI_X86_64, nr, nr, &l))
			ret = -1;
	}
	/* -1 (what tracers use to skip a call) is judged by the default. */
	uint32_t a64 = cs_map_action(&st->p->dflt, st->mode);

	if (!ret && a64 != st->dflt_act) {
		int r = seccomp_rule_add(ctx, a64, -1, 0);

		if (r < 0) {
			set_err(st, "x86_64 syscall -1: libseccomp refused a rule: %s", strerror(-r));
			ret = -1;
		}
	}
	cs_list_free(&l);
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
		cs_list_free(&ml);
		return -1;
	}
	for (size_t i = 0; i < ml.n; i++) {
		struct cs_term x;

		if (cs_term_and_conds(&ml.v[i].t, &eq, 1, UINT32_MAX, &x) == 0)
			continue;
		if (have_t && ml.v[i].act != t)
			constant = false;
		t = ml.v[i].act;
		have_t = true;
	}
	cs_list_free(&ml);
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
		    cs_map_action(&st->p->ia32_dflt, st->mode) == st->dflt_act)
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
	cs_list_free(&l);
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


scmp_filter_ctx bg_seccomp_compile(const struct bg_policy *p, int mode, struct bg_diag *d)
{
	struct cs_state st = { .p = p, .mode = mode, .d = d };
	scmp_filter_ctx ctx = NULL, ctx32 = NULL;
	const struct bg_action x32_kill = { .verdict = BG_VERDICT_KILL };
	char b1[24], b2[24];

	if (!p) {
		set_err(&st, "no policy");
		return NULL;
	}
	if (mode != BG_MODE_AUDIT && mode != BG_MODE_ENFORCE) {
		set_err(&st, "bad mode %d", mode);
		return NULL;
	}
	if (!cs_action_ok(&p->dflt) || !cs_action_ok(&p->ia32_dflt)) {
		set_err(&st, "policy %s: invalid default action", p->name);
		return NULL;
	}

	uint32_t a64 = cs_map_action(&p->dflt, mode);
	uint32_t a32 = cs_map_action(&p->ia32_dflt, mode);
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
	uint32_t badarch = cs_map_action(&x32_kill, mode);

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
	struct bg_diag why = {};

	if (cs_build_program(ctx, &prog, &len, NULL, &why)) {
		set_err(&st, "policy %s: %s%s", p->name, why.msg,
			strstr(why.msg, "at most") ? " (fewer conditional rules or fewer distinct actions help)" : "");
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
	int r;

	if (!ctx || fd < 0)
		return -EINVAL;
	r = cs_build_program(ctx, &prog, &len, NULL, NULL); /* the errno is what callers report */
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
	int r;

	if (!ctx)
		return -EINVAL;
	r = cs_build_program(ctx, &prog, &len, NULL, NULL); /* the errno is what callers report */
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
 * handed out as IR conditions instead of being added to a filter (the
 * cells for diff and merge are in cells.c). */

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
			     struct bg_diag *d)
{
	struct cs_state st = { .p = p, .mode = BG_MODE_ENFORCE, .d = d };
	struct cs_list l = { 0 };
	struct cs_pending *pend;
	struct bg_seccomp_rule *r;
	size_t n;

	*out = NULL;
	if (!p || !dflt || abi < 0 || abi >= BG_NR_TABLES || nr < 0 || nr >= BG_MAX_SYSCALLS ||
	    !cs_action_ok(dflt) || !cs_action_ok(&p->dflt) || !cs_action_ok(&p->ia32_dflt)) {
		set_err(&st, "invalid policy or syscall");
		return -1;
	}
	st.dflt_act = cs_map_action(dflt, BG_MODE_ENFORCE);
	st.rich_single = true;
	if (sys_regions(&st, abi, nr, &l) || collect(&st, abi, nr, &l, &pend, &n)) {
		cs_list_free(&l);
		return -1;
	}
	cs_list_free(&l);
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
		r[i].action = cs_unmap_action(pend[i].act);
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


// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * policy_merge.c - `policy merge`: the union of what several policies
 * allow, written back in the IR (policy_diff.c's header explains the
 * method, docs/policy.md the rules).
 *
 * Separate from the diff because it builds a policy rather than reporting
 * on two: candidates, their cell-by-cell check, the defaults and the
 * sections.  It shares the diff's helpers (policy_diff_internal.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "policy_diff.h"
#include "policy_diff_internal.h"
#include "syscalls.h"

/* ------------------------------------------------------------------ */
/* merge */

struct merger {
	struct bg_policy *const *in;
	unsigned n;
	struct bg_action dflt[BG_NR_TABLES]; /* what every input is judged by where it names nothing */
	struct bg_policy *out;
	struct bg_diag *d;
};

/* A syscall's rule list in the making. */
struct cand {
	unsigned n;
	struct bg_rule r[BG_MAX_ARGRULES];
	struct bg_action fb;
};

static struct bg_rule_list in_list(const struct merger *m, unsigned i, int abi, int nr)
{
	const struct bg_sysrules *s = &m->in[i]->sys[abi][nr];

	return (struct bg_rule_list){
		.rules = s->argrules, .nrules = s->nargrules,
		.fallback = s->has_base ? s->base : m->dflt[abi],
	};
}

/* The union of input decisions for one call (acts[i]: input i's).  Any
 * input that lets the call run wins (log over allow: it runs either way,
 * and one input asked for a record).  When none does: kill if an input
 * kills (the stricter denial); else the errno of the first input that
 * gives one by a rule of its own (an explicit errno(ENOSYS) for clone3
 * must not become the other input's default EPERM); else the default. */
static struct bg_action combine(const struct merger *m, int abi, int nr, const struct bg_action *acts)
{
	bool perm = false, log = false, kill = false;
	const struct bg_action *err = NULL;

	for (unsigned i = 0; i < m->n; i++) {
		const struct bg_action *a = &acts[i];
		bool own = m->in[i]->sys[abi][nr].has_base || !pd_same_action(a, &m->dflt[abi]);

		perm |= pd_permits(a);
		log |= a->verdict == BG_VERDICT_LOG;
		kill |= a->verdict == BG_VERDICT_KILL;
		if (a->verdict == BG_VERDICT_ERRNO && own && !err)
			err = a;
	}
	if (perm)
		return (struct bg_action){ .verdict = log ? BG_VERDICT_LOG : BG_VERDICT_ALLOW };
	if (kill)
		return (struct bg_action){ .verdict = BG_VERDICT_KILL };
	return err ? *err : m->dflt[abi]; /* errnos that are all the default's */
}

/* Inputs disagree within the winning kind (allow vs log, or two denials). */
static bool conflict(const struct bg_action *acts, unsigned n, const struct bg_action *won)
{
	for (unsigned i = 0; i < n; i++)
		if (pd_permits(&acts[i]) == pd_permits(won) && !pd_same_action(&acts[i], won))
			return true;
	return false;
}

static void report_conflict(struct merger *m, int abi, int nr, const struct bg_action *acts,
			    const struct bg_action *won, const uint64_t *ex, int maxarg)
{
	char lbl[80], a[32], msg[400];
	struct sbuf sb = { .s = msg, .len = sizeof(msg) };

	pd_sys_label(abi, nr, lbl, sizeof(lbl));
	pd_sb_add(&sb, "merge: %s", lbl);
	if (ex) {
		pd_sb_add(&sb, " for some arguments, e.g. ");
		pd_sb_args(&sb, ex, maxarg);
	}
	pd_sb_add(&sb, ":");
	for (unsigned i = 0; i < m->n; i++)
		pd_sb_add(&sb, "%s %s says %s", i ? "," : "", pd_origin(m->in[i]), bg_action_str_named(&acts[i], a, sizeof(a)));
	pd_sb_add(&sb, "; merged: %s (%s)", bg_action_str_named(won, a, sizeof(a)),
	       pd_permits(won) ? "allowed, and recorded" :
	       won->verdict == BG_VERDICT_KILL ? "the stricter denial" : "the first explicit errno");
	bg_diag_warn(m->d, "%s", msg);
}

static bool rule_equal(const struct bg_rule *a, const struct bg_rule *b)
{
	if (!pd_same_action(&a->action, &b->action) || a->ncond != b->ncond)
		return false;
	for (unsigned c = 0; c < a->ncond; c++) {
		const struct bg_cond *x = &a->cond[c], *y = &b->cond[c];

		if (x->arg != y->arg || x->op != y->op || x->val != y->val ||
		    (x->op == BG_OP_MASKED_EQ && x->mask != y->mask))
			return false;
	}
	return true;
}

/* Appends r unless already there; false when the list is full. */
static bool cand_add(struct cand *c, const struct bg_rule *r)
{
	for (unsigned i = 0; i < c->n; i++)
		if (rule_equal(&c->r[i], r))
			return true;
	if (c->n >= BG_MAX_ARGRULES)
		return false;
	c->r[c->n] = *r;
	c->r[c->n].line = 0;
	c->n++;
	return true;
}

/* Checks a candidate cell by cell against the union of the inputs.
 * *exact: same action everywhere; *safe: allows exactly where the union
 * allows (denials may differ).  0, or -1 if too complex. */
static int verify(const struct merger *m, int abi, int nr, const struct cand *c, bool *exact,
		  bool *safe)
{
	struct bg_rule_list l[BG_CELL_MAX_LISTS];
	struct bg_cell *cells;
	size_t n;

	l[0] = (struct bg_rule_list){ .rules = c->r, .nrules = c->n, .fallback = c->fb };
	for (unsigned i = 0; i < m->n; i++)
		l[i + 1] = in_list(m, i, abi, nr);
	if (bg_seccomp_cells(l, m->n + 1, abi, &cells, &n))
		return -1;
	*exact = *safe = true;
	for (size_t k = 0; k < n; k++) {
		struct bg_action want = combine(m, abi, nr, &cells[k].act[1]);

		*exact &= pd_same_action(&cells[k].act[0], &want);
		*safe &= pd_permits(&cells[k].act[0]) == pd_permits(&want);
	}
	free(cells);
	return 0;
}

/* Concatenates the inputs' conditional rules: the ones that let the call
 * run, then (deny) the others; fallback the union of the fallbacks. */
static bool cand_concat(const struct merger *m, int abi, int nr, bool deny, struct cand *c)
{
	struct bg_action fbs[BG_MERGE_MAX_INPUTS];

	memset(c, 0, sizeof(*c));
	for (int pass = 0; pass < (deny ? 2 : 1); pass++) {
		for (unsigned i = 0; i < m->n; i++) {
			struct bg_rule_list l = in_list(m, i, abi, nr);

			for (unsigned k = 0; k < l.nrules; k++)
				if (pd_permits(&l.rules[k].action) == !pass && !cand_add(c, &l.rules[k]))
					return false;
		}
	}
	for (unsigned i = 0; i < m->n; i++)
		fbs[i] = in_list(m, i, abi, nr).fallback;
	c->fb = combine(m, abi, nr, fbs);
	return true;
}

/* One rule per cell whose union differs from the most common one. */
static bool cand_cells(const struct bg_cell *cells, const struct bg_action *want, size_t n,
		       struct cand *c)
{
	size_t best = SIZE_MAX;

	for (size_t f = 0; f < n; f++) {
		size_t others = 0;
		bool fits = true;

		for (size_t k = 0; k < n; k++) {
			if (pd_same_action(&want[k], &want[f]))
				continue;
			others++;
			fits &= cells[k].fits;
		}
		if (fits && others < best) {
			best = others;
			c->fb = want[f];
		}
	}
	if (best > BG_MAX_ARGRULES)
		return false;
	c->n = 0;
	for (size_t k = 0; k < n; k++) {
		if (pd_same_action(&want[k], &c->fb))
			continue;
		c->r[c->n] = (struct bg_rule){ .action = want[k], .ncond = cells[k].ncond };
		memcpy(c->r[c->n].cond, cells[k].cond, sizeof(cells[k].cond));
		c->n++;
	}
	return true;
}

static int put_list(struct merger *m, int abi, int nr, const struct cand *c)
{
	for (unsigned i = 0; i < c->n; i++)
		if (bg_policy_add(m->out, abi, nr, &c->r[i]))
			return -1;
	if (!pd_same_action(&c->fb, &m->dflt[abi])) {
		struct bg_rule r = { .action = c->fb };

		if (bg_policy_add(m->out, abi, nr, &r))
			return -1;
	}
	return 0;
}

static int merge_conditional(struct merger *m, int abi, int nr)
{
	struct bg_rule_list l[BG_MERGE_MAX_INPUTS];
	struct bg_cell *cells = NULL;
	struct bg_action *want = NULL;
	struct cand c, fallback_safe;
	bool have_safe = false, uniform = true, exact, safe;
	char lbl[80];
	size_t n;
	int ret = -1;

	pd_sys_label(abi, nr, lbl, sizeof(lbl));
	for (unsigned i = 0; i < m->n; i++)
		l[i] = in_list(m, i, abi, nr);
	if (bg_seccomp_cells(l, m->n, abi, &cells, &n)) {
		bg_diag_set(m->d, "merge: %s: the inputs' conditional rules are too complex to unite "
			    "exactly; simplify them in one input", lbl);
		return -1;
	}
	want = calloc(n ? n : 1, sizeof(*want));
	if (!want) {
		bg_diag_set(m->d, "merge: out of memory; free some memory");
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		want[k] = combine(m, abi, nr, cells[k].act);
		uniform &= pd_same_action(&want[k], &want[0]);
	}
	for (size_t k = 0; k < n; k++) {
		if (conflict(cells[k].act, m->n, &want[k])) {
			report_conflict(m, abi, nr, cells[k].act, &want[k], cells[k].example,
					pd_max_arg(l, m->n));
			break;
		}
	}
	memset(&c, 0, sizeof(c));
	if (uniform && n) {
		c.fb = want[0];
		ret = put_list(m, abi, nr, &c);
		goto out;
	}

	/* Most readable first: an input's own list (one input already
	 * allows everything the others do), the concatenations, then one
	 * rule per cell.  Each is checked before it is used. */
	for (unsigned k = 0; k < m->n + 3; k++) {
		bool ok = true;

		memset(&c, 0, sizeof(c));
		if (k < m->n) {
			c.n = l[k].nrules;
			if (c.n)
				memcpy(c.r, l[k].rules, c.n * sizeof(*c.r));
			c.fb = l[k].fallback;
		} else if (k < m->n + 2) {
			ok = cand_concat(m, abi, nr, k == m->n + 1, &c);
		} else {
			ok = cand_cells(cells, want, n, &c);
		}
		if (!ok || verify(m, abi, nr, &c, &exact, &safe))
			continue;
		if (exact) {
			ret = put_list(m, abi, nr, &c);
			goto out;
		}
		if (safe && !have_safe) {
			fallback_safe = c;
			have_safe = true;
		}
	}
	if (have_safe) {
		bg_diag_warn(m->d, "merge: %s: the exact union needs more than %d rules of %d conditions; "
			     "it allows exactly what the inputs allow, but some denials differ from "
			     "the stricter one", lbl, BG_MAX_ARGRULES, BG_MAX_CONDS);
		ret = put_list(m, abi, nr, &fallback_safe);
		goto out;
	}
	bg_diag_set(m->d, "merge: %s: the union of the inputs' conditional rules needs more than %d "
		    "rules of %d conditions; simplify the rules of %s in one input", lbl,
		    BG_MAX_ARGRULES, BG_MAX_CONDS, lbl);
out:
	free(cells);
	free(want);
	return ret;
}

static int merge_sys(struct merger *m, int abi, int nr)
{
	struct bg_action acts[BG_MERGE_MAX_INPUTS], won;
	bool named = false, cond = false;

	for (unsigned i = 0; i < m->n; i++) {
		named |= pd_names_it(m->in[i], abi, nr);
		cond |= m->in[i]->sys[abi][nr].nargrules != 0;
	}
	if (!named)
		return 0;
	if (cond)
		return merge_conditional(m, abi, nr);
	for (unsigned i = 0; i < m->n; i++)
		acts[i] = in_list(m, i, abi, nr).fallback;
	won = combine(m, abi, nr, acts);
	if (conflict(acts, m->n, &won))
		report_conflict(m, abi, nr, acts, &won, NULL, -1);
	if (!pd_same_action(&won, &m->dflt[abi])) {
		struct bg_rule r = { .action = won };

		return bg_policy_add(m->out, abi, nr, &r) ? -1 : 0;
	}
	return 0;
}

/* Sections: a missing section restricts nothing, so the union has one
 * only if every input has it. */
static int merge_sections(struct merger *m)
{
	struct bg_policy *o = m->out;
	struct sec_lines first, other;

	for (int s = 0; s < SEC_N; s++) {
		unsigned have = 0;

		for (unsigned i = 0; i < m->n; i++)
			have += pd_sec_present(m->in[i], s);
		if (have && have < m->n)
			bg_diag_warn(m->d, "merge: only %u of %u inputs have a %s section; a missing one "
				     "restricts nothing, so the union has none", have, m->n, pd_sec_name[s]);
	}
	bool all_net = true;

	for (unsigned i = 0; i < m->n; i++)
		all_net &= m->in[i]->net.present;
	if (all_net) {
		if (pd_sec_lines(m->in[0], &first))
			goto nomem;
		for (unsigned i = 1; i < m->n; i++) {
			bool same;

			if (pd_sec_lines(m->in[i], &other)) {
				pd_sec_free(&first);
				goto nomem;
			}
			same = pd_sec_same(m->in[0], &first, m->in[i], &other, SEC_NET);
			pd_sec_free(&other);
			if (!same) {
				pd_sec_free(&first);
				bg_diag_set(m->d, "merge: the net sections of %s and %s differ, and the union "
					    "of first-match address rules is not computed; make them the "
					    "same, or drop the section from one input (nothing restricted)",
					    pd_origin(m->in[0]), pd_origin(m->in[i]));
				return -1;
			}
		}
		pd_sec_free(&first);
		o->net = m->in[0]->net;
	}

	bool all_dev = true, all_sysctl = true, all_exec = true, none = true;

	for (unsigned i = 0; i < m->n; i++) {
		all_dev &= m->in[i]->dev.present;
		all_sysctl &= m->in[i]->sysctl.present;
		all_exec &= m->in[i]->exec.present;
		none &= m->in[i]->sysctl.present && m->in[i]->sysctl.mode == BG_SYSCTL_NONE;
	}
	if (all_sysctl) {
		o->sysctl.present = true;
		o->sysctl.mode = none ? BG_SYSCTL_NONE : BG_SYSCTL_READ_ONLY;
	}
	if (all_dev) {
		/* an allow list: the union is every input's rules */
		o->dev.present = true;
		for (unsigned i = 0; i < m->n; i++) {
			for (unsigned k = 0; k < m->in[i]->dev.nrules; k++) {
				const struct bg_devrule *r = &m->in[i]->dev.rule[k];
				bool dup = false;

				for (unsigned j = 0; j < o->dev.nrules; j++)
					dup |= o->dev.rule[j].type == r->type && o->dev.rule[j].access == r->access &&
					       o->dev.rule[j].major == r->major && o->dev.rule[j].minor == r->minor;
				if (dup)
					continue;
				if (o->dev.nrules >= BG_DEV_MAX_RULES) {
					bg_diag_set(m->d, "merge: the dev sections together have more than %d "
						    "rules; merge some by hand", BG_DEV_MAX_RULES);
					return -1;
				}
				o->dev.rule[o->dev.nrules] = *r;
				o->dev.rule[o->dev.nrules++].line = 0;
			}
		}
	}
	if (all_exec) {
		o->exec.present = true;
		o->exec.libraries = true;
		for (unsigned i = 0; i < m->n; i++) {
			const struct bg_exec_policy *x = &m->in[i]->exec;

			o->exec.trusted |= x->trusted;
			o->exec.libraries &= x->libraries; /* judging libraries restricts */
			/* either input's signers admit what they signed */
			for (unsigned k = 0; k < x->nsigners + x->ndirs; k++) {
				bool dir = k >= x->nsigners;

				if (bg_policy_add_exec_signed(o, dir, dir ? x->signed_dirs[k - x->nsigners]
									  : x->signers[k])) {
					bg_diag_set(m->d, "merge: too many exec signed-by/signed-in lines (at most %d), "
						    "or out of memory", BG_EXEC_MAX_SIGNED);
					return -1;
				}
			}
			for (unsigned k = 0; k < x->n; k++) {
				bool dup = false;

				for (unsigned j = 0; j < o->exec.n; j++)
					dup |= !strcmp(o->exec.e[j].path, x->e[k].path) &&
					       o->exec.e[j].has_hash == x->e[k].has_hash &&
					       !memcmp(o->exec.e[j].sha256, x->e[k].sha256, 32);
				if (!dup && bg_policy_add_exec(o, x->e[k].path,
							       x->e[k].has_hash ? x->e[k].sha256 : NULL, 0)) {
					bg_diag_set(m->d, "merge: too many exec entries (at most %d), or out "
						    "of memory", BG_EXEC_MAX_ENTRIES);
					return -1;
				}
			}
		}
	}
	return 0;
nomem:
	bg_diag_set(m->d, "merge: out of memory; free some memory");
	return -1;
}

/* The default every input is judged by: the option, or the inputs' own
 * default if they all agree. */
static int pick_default(struct merger *m, int abi, bool has, const struct bg_action *given)
{
	char a[32], b[32];

	if (has) {
		m->dflt[abi] = *given;
		return 0;
	}
	for (unsigned i = 0; i < m->n; i++) {
		const struct bg_action *x = abi ? &m->in[i]->ia32_dflt : &m->in[i]->dflt;
		const struct bg_action *f = abi ? &m->in[0]->ia32_dflt : &m->in[0]->dflt;

		if (pd_same_action(x, f))
			continue;
		bg_diag_set(m->d, "merge: the %sdefaults differ: %s says %s, %s says %s; pass %s ACTION "
			    "to judge every input by ACTION where it names nothing",
			    abi ? "ia32 " : "", pd_origin(m->in[0]), bg_action_str_named(f, a, sizeof(a)),
			    pd_origin(m->in[i]), bg_action_str_named(x, b, sizeof(b)),
			    abi ? "--default-ia32" : "--default");
		return -1;
	}
	m->dflt[abi] = abi ? m->in[0]->ia32_dflt : m->in[0]->dflt;
	return 0;
}

int bg_policy_merge(struct bg_policy *const *in, unsigned n, const struct bg_merge_opts *o,
		    struct bg_policy **out, struct bg_diag *d)
{
	struct merger m = { .in = in, .n = n, .d = d };
	size_t used = 0;

	*out = NULL;
	if (n == 0 || n > BG_MERGE_MAX_INPUTS) {
		bg_diag_set(d, "merge: %u policies; merge 1..%d at once (merge the result again for more)",
			    n, BG_MERGE_MAX_INPUTS);
		return -1;
	}
	if (pick_default(&m, BG_ABI_X86_64, o->has_dflt, &o->dflt) ||
	    pick_default(&m, BG_ABI_IA32, o->has_ia32_dflt, &o->ia32_dflt))
		return -1;
	m.out = bg_policy_new(o->name ? o->name : "merged");
	if (!m.out) {
		bg_diag_set(d, "merge: out of memory; free some memory");
		return -1;
	}
	m.out->dflt = m.dflt[BG_ABI_X86_64];
	m.out->ia32_dflt = m.dflt[BG_ABI_IA32];
	used = (size_t)snprintf(m.out->source, sizeof(m.out->source), "merge of");
	for (unsigned i = 0; i < n && used < sizeof(m.out->source); i++)
		used += (size_t)snprintf(m.out->source + used, sizeof(m.out->source) - used, "%s %s",
					 i ? "," : "", pd_origin(in[i]));
	for (int abi = 0; abi < BG_NR_TABLES; abi++)
		for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++)
			if (merge_sys(&m, abi, nr))
				goto fail;
	if (merge_sections(&m))
		goto fail;
	*out = m.out;
	return 0;
fail:
	if (!d || !d->msg[0])
		bg_diag_set(d, "merge: cannot add a rule (out of memory?); report this bug");
	bg_policy_free(m.out);
	return -1;
}

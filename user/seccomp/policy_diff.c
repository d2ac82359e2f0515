// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * policy_diff.c - `policy diff` and `policy merge`: semantic comparison and
 * union of policies, whatever format they were written in.
 *
 * Both reason about decisions, per ABI and syscall: two rule lists are the
 * same if every argument vector gets the same action from both.  For
 * unconditional rules that is a comparison of actions; for conditional
 * ones the argument space is cut into cells on which every list has one
 * action (bg_seccomp_cells(), the seccomp back end's exact regions), so
 * "allow socket if arg0 == 2" twice, or a rule split in two, compare equal,
 * and a difference comes with an argument vector that shows it.
 *
 * merge writes the union back in the IR, which has limits (8 conditional
 * rules of 6 conditions per syscall).  Several candidate rule lists are
 * tried, most readable first, and each is checked cell by cell against
 * what the inputs say before it is used; when none fits, merge refuses
 * rather than write something looser or stricter than the union.
 *
 * This file: what diff and merge share (rule lists of a policy, the text
 * of rules and argument vectors, sections as lines), and the diff;
 * policy_merge.c: the merge.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vec.h"
#include "policy_diff.h"
#include "policy_diff_internal.h"
#include "syscalls.h"

bool pd_same_action(const struct bg_action *a, const struct bg_action *b)
{
	return a->verdict == b->verdict && a->err == b->err;
}

bool pd_permits(const struct bg_action *a)
{
	return a->verdict == BG_VERDICT_ALLOW || a->verdict == BG_VERDICT_LOG;
}

struct bg_rule_list bg_sys_rule_list(const struct bg_policy *p, int abi, int nr)
{
	const struct bg_sysrules *s = &p->sys[abi][nr];
	const struct bg_action *d = abi == BG_ABI_IA32 ? &p->ia32_dflt : &p->dflt;

	return (struct bg_rule_list){
		.rules = s->argrules, .nrules = s->nargrules, .fallback = s->has_base ? s->base : *d,
	};
}

int bg_rule_lists_equal(const struct bg_rule_list *a, const struct bg_rule_list *b, int abi,
			uint64_t ex[6], struct bg_action *aa, struct bg_action *ab)
{
	struct bg_rule_list l[2] = { *a, *b };
	struct bg_cell *c;
	size_t n;

	if (!a->nrules && !b->nrules) {
		if (pd_same_action(&a->fallback, &b->fallback))
			return 1;
		memset(ex, 0, 6 * sizeof(*ex));
		if (aa)
			*aa = a->fallback;
		if (ab)
			*ab = b->fallback;
		return 0;
	}
	if (bg_seccomp_cells(l, 2, abi, &c, &n))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (pd_same_action(&c[i].act[0], &c[i].act[1]))
			continue;
		memcpy(ex, c[i].example, 6 * sizeof(*ex));
		if (aa)
			*aa = c[i].act[0];
		if (ab)
			*ab = c[i].act[1];
		free(c);
		return 0;
	}
	free(c);
	return 1;
}

bool pd_names_it(const struct bg_policy *p, int abi, int nr)
{
	return p->sys[abi][nr].has_base || p->sys[abi][nr].nargrules;
}

const char *pd_origin(const struct bg_policy *p)
{
	return p->source[0] ? p->source : p->name;
}

/* ------------------------------------------------------------------ */
/* Text */

/* read, ia32:read, #463 (no name in the table) */
void pd_sys_label(int abi, int nr, char *buf, size_t len)
{
	const char *n = bg_syscall_name(abi, nr);
	const char *pre = abi == BG_ABI_IA32 ? "ia32:" : "";

	if (n)
		snprintf(buf, len, "%s%s", pre, n);
	else
		snprintf(buf, len, "%s#%d", pre, nr);
}

/* Appends to a bounded string (truncation is harmless). */
__attribute__((format(printf, 2, 3)))
void pd_sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (b->used + 1 >= b->len)
		return;
	va_start(ap, fmt);
	r = vsnprintf(b->s + b->used, b->len - b->used, fmt, ap);
	va_end(ap);
	if (r > 0)
		b->used += (size_t)r < b->len - b->used ? (size_t)r : b->len - b->used - 1;
}

static void sb_cond(struct sbuf *b, const struct bg_cond *c)
{
	if (c->op == BG_OP_MASKED_EQ)
		pd_sb_add(b, "arg%u & 0x%llx == 0x%llx", c->arg, (unsigned long long)c->mask,
		       (unsigned long long)c->val);
	else
		pd_sb_add(b, "arg%u %s 0x%llx", c->arg, bg_op_str(c->op), (unsigned long long)c->val);
}

/* "allow if arg0 == 0x2; else errno(EPERM) (default)", or "allow". */
static void sb_list(struct sbuf *b, const struct bg_rule_list *l, bool fb_default)
{
	char a[32];

	for (unsigned i = 0; i < l->nrules; i++) {
		pd_sb_add(b, "%s if ", bg_action_str_named(&l->rules[i].action, a, sizeof(a)));
		for (unsigned c = 0; c < l->rules[i].ncond; c++) {
			if (c)
				pd_sb_add(b, " and ");
			sb_cond(b, &l->rules[i].cond[c]);
		}
		pd_sb_add(b, "; ");
	}
	pd_sb_add(b, "%s%s%s", l->nrules ? "else " : "", bg_action_str_named(&l->fallback, a, sizeof(a)),
	       fb_default ? " (default)" : "");
}

/* The highest argument any rule of the lists tests, -1 if none. */
int pd_max_arg(const struct bg_rule_list *l, unsigned n)
{
	int m = -1;

	for (unsigned k = 0; k < n; k++)
		for (unsigned i = 0; i < l[k].nrules; i++)
			for (unsigned c = 0; c < l[k].rules[i].ncond; c++)
				if ((int)l[k].rules[i].cond[c].arg > m)
					m = l[k].rules[i].cond[c].arg;
	return m;
}

/* "(0xa, 0x1)": the arguments up to the highest one tested. */
void pd_sb_args(struct sbuf *b, const uint64_t ex[6], int maxarg)
{
	pd_sb_add(b, "(");
	for (int i = 0; i <= maxarg; i++)
		pd_sb_add(b, "%s0x%llx", i ? ", " : "", (unsigned long long)ex[i]);
	pd_sb_add(b, maxarg < 5 ? "%s...)" : ")", maxarg >= 0 ? ", " : "");
}

/* ------------------------------------------------------------------ */
/* Sections, compared as the native lines bg_policy_print() writes */

const char *const pd_sec_name[SEC_N] = { "net", "dev", "sysctl", "exec" };

bool pd_sec_present(const struct bg_policy *p, int s)
{
	switch (s) {
	case SEC_NET: return p->net.present;
	case SEC_DEV: return p->dev.present;
	case SEC_SYSCTL: return p->sysctl.present;
	}
	return p->exec.present;
}

void pd_sec_free(struct sec_lines *l)
{
	free(l->buf);
	free(l->line);
	free(l->sec);
	memset(l, 0, sizeof(*l));
}

/* Prints a policy holding only p's sections and keeps the section lines. */
int pd_sec_lines(const struct bg_policy *p, struct sec_lines *l)
{
	struct bg_policy *t = bg_policy_new("sections");
	size_t size = 0;
	FILE *f;
	char *save;

	memset(l, 0, sizeof(*l));
	if (!t)
		return -ENOMEM;
	t->net = p->net;
	t->dev = p->dev;
	t->sysctl = p->sysctl;
	t->exec = p->exec; /* borrowed: given back before t is freed */
	f = open_memstream(&l->buf, &size);
	if (f) {
		bg_policy_print(t, f);
		fclose(f);
	}
	memset(&t->exec, 0, sizeof(t->exec));
	bg_policy_free(t);
	if (!f || !l->buf)
		return -ENOMEM;
	for (char *s = strtok_r(l->buf, "\n", &save); s; s = strtok_r(NULL, "\n", &save)) {
		int sec = -1;

		for (int k = 0; k < SEC_N; k++) {
			size_t kl = strlen(pd_sec_name[k]);

			if (!strncmp(s, pd_sec_name[k], kl) && s[kl] == ' ')
				sec = k;
		}
		if (sec < 0)
			continue;
		if (BG_VEC_RESIZE(l->line, l->n + 1) || BG_VEC_RESIZE(l->sec, l->n + 1)) {
			pd_sec_free(l);
			return -ENOMEM;
		}
		l->line[l->n] = s;
		l->sec[l->n++] = sec;
	}
	return 0;
}

static bool line_in(const struct sec_lines *l, int sec, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->sec[i] == sec && !strcmp(l->line[i], s))
			return true;
	return false;
}

/* Same section?  net rules are tried in order, so net compares as a
 * sequence; dev, sysctl and exec lines are sets. */
bool pd_sec_same(const struct bg_policy *pa, const struct sec_lines *a,
		     const struct bg_policy *pb, const struct sec_lines *b, int sec)
{
	size_t ia = 0, ib = 0;

	if (pd_sec_present(pa, sec) != pd_sec_present(pb, sec))
		return false;
	if (sec != SEC_NET) {
		for (size_t i = 0; i < a->n; i++)
			if (a->sec[i] == sec && !line_in(b, sec, a->line[i]))
				return false;
		for (size_t i = 0; i < b->n; i++)
			if (b->sec[i] == sec && !line_in(a, sec, b->line[i]))
				return false;
		return true;
	}
	for (;;) {
		while (ia < a->n && a->sec[ia] != sec)
			ia++;
		while (ib < b->n && b->sec[ib] != sec)
			ib++;
		if (ia == a->n || ib == b->n)
			return ia == a->n && ib == b->n;
		if (strcmp(a->line[ia++], b->line[ib++]))
			return false;
	}
}

/* ------------------------------------------------------------------ */
/* diff */

enum { DK_ACTION, DK_ARGS, DK_UNDECIDED };

struct dsys {
	int abi, nr;
	int kind; /* DK_* */
	char label[80];
	uint64_t ex[6];
	struct bg_action ea, eb;
};

static int dsys_cmp(const void *va, const void *vb)
{
	const struct dsys *a = va, *b = vb;
	bool na = a->label[a->abi == BG_ABI_IA32 ? 5 : 0] == '#';
	bool nb = b->label[b->abi == BG_ABI_IA32 ? 5 : 0] == '#';

	if (a->abi != b->abi)
		return a->abi - b->abi;
	if (na != nb)
		return na ? 1 : -1; /* numbers without names last */
	if (na)
		return a->nr - b->nr;
	return strcmp(a->label, b->label);
}

static struct json_object *action_json(const struct bg_action *a)
{
	struct json_object *o = json_object_new_object();
	const char *n = a->verdict == BG_VERDICT_ERRNO ? bg_errno_name(a->err) : NULL;

	json_object_object_add(o, "action", json_object_new_string(bg_verdict_name(a->verdict)));
	if (a->verdict == BG_VERDICT_ERRNO)
		json_object_object_add(o, "errno", json_object_new_int(a->err));
	if (n)
		json_object_object_add(o, "errno_name", json_object_new_string(n));
	return o;
}

static struct json_object *list_json(const struct bg_rule_list *l, bool fb_default)
{
	struct json_object *o = json_object_new_object(), *rules = json_object_new_array();

	for (unsigned i = 0; i < l->nrules; i++) {
		struct json_object *r = action_json(&l->rules[i].action);
		struct json_object *conds = json_object_new_array();

		for (unsigned c = 0; c < l->rules[i].ncond; c++) {
			const struct bg_cond *bc = &l->rules[i].cond[c];
			struct json_object *co = json_object_new_object();

			json_object_object_add(co, "arg", json_object_new_int(bc->arg));
			json_object_object_add(co, "op", json_object_new_string(bg_op_str(bc->op)));
			if (bc->op == BG_OP_MASKED_EQ)
				json_object_object_add(co, "mask", json_object_new_uint64(bc->mask));
			json_object_object_add(co, "value", json_object_new_uint64(bc->val));
			json_object_array_add(conds, co);
		}
		json_object_object_add(r, "conditions", conds);
		json_object_array_add(rules, r);
	}
	json_object_object_add(o, "rules", rules);
	json_object_object_add(o, "otherwise", action_json(&l->fallback));
	json_object_object_add(o, "otherwise_is_default", json_object_new_boolean(fb_default));
	return o;
}

static struct json_object *side_json(const struct bg_policy *p)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "source", json_object_new_string(p->source));
	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "format", json_object_new_string(p->format ? p->format : "native"));
	return o;
}

static struct json_object *sec_json(const struct bg_policy *p, const struct sec_lines *l, int sec)
{
	struct json_object *a;

	if (!pd_sec_present(p, sec))
		return NULL;
	a = json_object_new_array();
	for (size_t i = 0; i < l->n; i++)
		if (l->sec[i] == sec)
			json_object_array_add(a, json_object_new_string(l->line[i]));
	return a;
}

static void print_text(const struct bg_policy *a, const struct bg_policy *b, const struct dsys *v,
		       size_t n, const bool *sec_differs, const struct sec_lines *sa,
		       const struct sec_lines *sb, FILE *f)
{
	char s1[32], s2[32], line[4096];
	unsigned n64 = 0, n32 = 0, nsec = 0;
	bool d64 = !pd_same_action(&a->dflt, &b->dflt), d32 = !pd_same_action(&a->ia32_dflt, &b->ia32_dflt);

	fprintf(f, "--- %s (%s)\n+++ %s (%s)\n", pd_origin(a), a->format ? a->format : "native",
		pd_origin(b), b->format ? b->format : "native");
	if (d64)
		fprintf(f, "- default: %s\n+ default: %s\n", bg_action_str_named(&a->dflt, s1, sizeof(s1)),
			bg_action_str_named(&b->dflt, s2, sizeof(s2)));
	if (d32)
		fprintf(f, "- default ia32: %s\n+ default ia32: %s\n", bg_action_str_named(&a->ia32_dflt, s1, sizeof(s1)),
			bg_action_str_named(&b->ia32_dflt, s2, sizeof(s2)));
	for (size_t i = 0; i < n; i++) {
		const struct dsys *x = &v[i];
		struct bg_rule_list la = bg_sys_rule_list(a, x->abi, x->nr);
		struct bg_rule_list lb = bg_sys_rule_list(b, x->abi, x->nr);
		struct sbuf sb = { .s = line, .len = sizeof(line) };
		struct bg_rule_list both[2] = { la, lb };

		*(x->abi == BG_ABI_IA32 ? &n32 : &n64) += 1;
		sb_list(&sb, &la, !a->sys[x->abi][x->nr].has_base);
		fprintf(f, "- %s: %s\n", x->label, line);
		sb.used = 0;
		sb_list(&sb, &lb, !b->sys[x->abi][x->nr].has_base);
		fprintf(f, "+ %s: %s\n", x->label, line);
		if (x->kind == DK_ARGS) {
			sb.used = 0;
			pd_sb_args(&sb, x->ex, pd_max_arg(both, 2));
			fprintf(f, "  %s: e.g. %s: - %s, + %s\n", x->label, line,
				bg_action_str_named(&x->ea, s1, sizeof(s1)), bg_action_str_named(&x->eb, s2, sizeof(s2)));
		} else if (x->kind == DK_UNDECIDED) {
			fprintf(f, "  %s: too complex to compare exactly; counted as different\n", x->label);
		}
	}
	for (int s = 0; s < SEC_N; s++) {
		if (!sec_differs[s])
			continue;
		nsec++;
		if (!pd_sec_present(a, s))
			fprintf(f, "- %s: (no %s section: nothing restricted)\n", pd_sec_name[s], pd_sec_name[s]);
		for (size_t i = 0; i < sa->n; i++)
			if (sa->sec[i] == s && (s == SEC_NET || !line_in(sb, s, sa->line[i])))
				fprintf(f, "- %s\n", sa->line[i]);
		if (!pd_sec_present(b, s))
			fprintf(f, "+ %s: (no %s section: nothing restricted)\n", pd_sec_name[s], pd_sec_name[s]);
		for (size_t i = 0; i < sb->n; i++)
			if (sb->sec[i] == s && (s == SEC_NET || !line_in(sa, s, sb->line[i])))
				fprintf(f, "+ %s\n", sb->line[i]);
	}
	if (!n && !d64 && !d32 && !nsec) {
		fprintf(f, "# equivalent: every call gets the same decision\n");
		return;
	}
	fprintf(f, "# %zu syscall%s differ%s (x86_64 %u, ia32 %u)", n, n == 1 ? "" : "s",
		n == 1 ? "s" : "", n64, n32);
	if (d64 || d32)
		fprintf(f, "; default%s differ%s", d64 && d32 ? "s" : "", d64 && d32 ? "" : "s");
	if (nsec) {
		fprintf(f, "; section%s differ%s:", nsec == 1 ? "" : "s", nsec == 1 ? "s" : "");
		for (int s = 0; s < SEC_N; s++)
			if (sec_differs[s])
				fprintf(f, " %s", pd_sec_name[s]);
	}
	fputc('\n', f);
}

static void print_json(const struct bg_policy *a, const struct bg_policy *b, const struct dsys *v,
		       size_t n, bool equivalent, const bool *sec_differs, const struct sec_lines *sa,
		       const struct sec_lines *sb, FILE *f)
{
	struct json_object *root = json_object_new_object(), *defs = json_object_new_array();
	struct json_object *calls = json_object_new_array(), *secs = json_object_new_array();
	static const char *const kinds[] = { "action", "arguments", "undecided" };

	json_object_object_add(root, "equivalent", json_object_new_boolean(equivalent));
	json_object_object_add(root, "a", side_json(a));
	json_object_object_add(root, "b", side_json(b));
	for (int abi = 0; abi < BG_NR_TABLES; abi++) {
		const struct bg_action *da = abi ? &a->ia32_dflt : &a->dflt;
		const struct bg_action *db = abi ? &b->ia32_dflt : &b->dflt;
		struct json_object *o;

		if (pd_same_action(da, db))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "abi", json_object_new_string(bg_abi_name(abi)));
		json_object_object_add(o, "a", action_json(da));
		json_object_object_add(o, "b", action_json(db));
		json_object_array_add(defs, o);
	}
	json_object_object_add(root, "defaults", defs);
	for (size_t i = 0; i < n; i++) {
		const struct dsys *x = &v[i];
		struct bg_rule_list la = bg_sys_rule_list(a, x->abi, x->nr);
		struct bg_rule_list lb = bg_sys_rule_list(b, x->abi, x->nr);
		struct json_object *o = json_object_new_object();
		const char *name = bg_syscall_name(x->abi, x->nr);

		json_object_object_add(o, "abi", json_object_new_string(bg_abi_name(x->abi)));
		json_object_object_add(o, "nr", json_object_new_int(x->nr));
		json_object_object_add(o, "syscall", name ? json_object_new_string(name) : NULL);
		json_object_object_add(o, "kind", json_object_new_string(kinds[x->kind]));
		json_object_object_add(o, "a", list_json(&la, !a->sys[x->abi][x->nr].has_base));
		json_object_object_add(o, "b", list_json(&lb, !b->sys[x->abi][x->nr].has_base));
		if (x->kind == DK_ARGS) {
			struct json_object *e = json_object_new_object(), *args = json_object_new_array();

			for (int k = 0; k < 6; k++)
				json_object_array_add(args, json_object_new_uint64(x->ex[k]));
			json_object_object_add(e, "args", args);
			json_object_object_add(e, "a", action_json(&x->ea));
			json_object_object_add(e, "b", action_json(&x->eb));
			json_object_object_add(o, "example", e);
		}
		json_object_array_add(calls, o);
	}
	json_object_object_add(root, "syscalls", calls);
	for (int s = 0; s < SEC_N; s++) {
		struct json_object *o;

		if (!sec_differs[s])
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "section", json_object_new_string(pd_sec_name[s]));
		json_object_object_add(o, "a", sec_json(a, sa, s));
		json_object_object_add(o, "b", sec_json(b, sb, s));
		json_object_array_add(secs, o);
	}
	json_object_object_add(root, "sections", secs);
	fprintf(f, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
								      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

int bg_policy_diff(const struct bg_policy *a, const struct bg_policy *b, bool json, FILE *f,
		   struct bg_diag *d)
{
	struct sec_lines sa, sb;
	struct dsys *v = NULL;
	size_t n = 0;
	bool sec_differs[SEC_N] = { 0 }, equivalent;
	int ret = -1;

	if (pd_sec_lines(a, &sa)) {
		bg_diag_set(d, "diff: out of memory; free some memory");
		return -1;
	}
	if (pd_sec_lines(b, &sb)) {
		pd_sec_free(&sa);
		bg_diag_set(d, "diff: out of memory; free some memory");
		return -1;
	}
	v = calloc(BG_NR_TABLES * BG_MAX_SYSCALLS, sizeof(*v));
	if (!v) {
		bg_diag_set(d, "diff: out of memory; free some memory");
		goto out;
	}
	for (int abi = 0; abi < BG_NR_TABLES; abi++) {
		for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++) {
			struct bg_rule_list la = bg_sys_rule_list(a, abi, nr);
			struct bg_rule_list lb = bg_sys_rule_list(b, abi, nr);
			struct dsys *x = &v[n];
			int r;

			/* Neither names it: any difference is the default's. */
			if (!pd_names_it(a, abi, nr) && !pd_names_it(b, abi, nr))
				continue;
			r = bg_rule_lists_equal(&la, &lb, abi, x->ex, &x->ea, &x->eb);
			if (r == 1)
				continue;
			x->abi = abi;
			x->nr = nr;
			x->kind = r < 0 ? DK_UNDECIDED : la.nrules || lb.nrules ? DK_ARGS : DK_ACTION;
			pd_sys_label(abi, nr, x->label, sizeof(x->label));
			n++;
		}
	}
	qsort(v, n, sizeof(*v), dsys_cmp);
	equivalent = n == 0 && pd_same_action(&a->dflt, &b->dflt) && pd_same_action(&a->ia32_dflt, &b->ia32_dflt);
	for (int s = 0; s < SEC_N; s++) {
		sec_differs[s] = !pd_sec_same(a, &sa, b, &sb, s);
		equivalent &= !sec_differs[s];
	}
	if (json)
		print_json(a, b, v, n, equivalent, sec_differs, &sa, &sb, f);
	else
		print_text(a, b, v, n, sec_differs, &sa, &sb, f);
	ret = equivalent ? 0 : 1;
out:
	free(v);
	pd_sec_free(&sa);
	pd_sec_free(&sb);
	return ret;
}

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
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "policy_diff.h"
#include "syscalls.h"

static bool same_action(const struct bg_action *a, const struct bg_action *b)
{
	return a->verdict == b->verdict && a->err == b->err;
}

static bool permits(const struct bg_action *a)
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
		if (same_action(&a->fallback, &b->fallback))
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
		if (same_action(&c[i].act[0], &c[i].act[1]))
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

/* ------------------------------------------------------------------ */
/* Text */

/* read, ia32:read, #463 (no name in the table) */
static void sys_label(int abi, int nr, char *buf, size_t len)
{
	const char *n = bg_syscall_name(abi, nr);
	const char *pre = abi == BG_ABI_IA32 ? "ia32:" : "";

	if (n)
		snprintf(buf, len, "%s%s", pre, n);
	else
		snprintf(buf, len, "%s#%d", pre, nr);
}

/* A bounded string that is appended to (truncation is harmless). */
struct sbuf {
	char *s;
	size_t len, used;
};

__attribute__((format(printf, 2, 3)))
static void sb_add(struct sbuf *b, const char *fmt, ...)
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
		sb_add(b, "arg%u & 0x%llx == 0x%llx", c->arg, (unsigned long long)c->mask,
		       (unsigned long long)c->val);
	else
		sb_add(b, "arg%u %s 0x%llx", c->arg, bg_op_str(c->op), (unsigned long long)c->val);
}

/* "allow if arg0 == 0x2; else errno(EPERM) (default)", or "allow". */
static void sb_list(struct sbuf *b, const struct bg_rule_list *l, bool fb_default)
{
	char a[32];

	for (unsigned i = 0; i < l->nrules; i++) {
		sb_add(b, "%s if ", bg_action_str_named(&l->rules[i].action, a, sizeof(a)));
		for (unsigned c = 0; c < l->rules[i].ncond; c++) {
			if (c)
				sb_add(b, " and ");
			sb_cond(b, &l->rules[i].cond[c]);
		}
		sb_add(b, "; ");
	}
	sb_add(b, "%s%s%s", l->nrules ? "else " : "", bg_action_str_named(&l->fallback, a, sizeof(a)),
	       fb_default ? " (default)" : "");
}

/* The highest argument any rule of the lists tests, -1 if none. */
static int max_arg(const struct bg_rule_list *l, unsigned n)
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
static void sb_args(struct sbuf *b, const uint64_t ex[6], int maxarg)
{
	sb_add(b, "(");
	for (int i = 0; i <= maxarg; i++)
		sb_add(b, "%s0x%llx", i ? ", " : "", (unsigned long long)ex[i]);
	sb_add(b, maxarg < 5 ? "%s...)" : ")", maxarg >= 0 ? ", " : "");
}

/* ------------------------------------------------------------------ */
/* Sections, compared as the native lines bg_policy_print() writes */

enum { SEC_NET, SEC_DEV, SEC_SYSCTL, SEC_EXEC, SEC_N };
static const char *const sec_name[SEC_N] = { "net", "dev", "sysctl", "exec" };

struct sec_lines {
	char *buf;
	size_t n;
	char **line;
	int *sec; /* SEC_* of each line */
};

static bool sec_present(const struct bg_policy *p, int s)
{
	switch (s) {
	case SEC_NET: return p->net.present;
	case SEC_DEV: return p->dev.present;
	case SEC_SYSCTL: return p->sysctl.present;
	}
	return p->exec.present;
}

static void sec_free(struct sec_lines *l)
{
	free(l->buf);
	free(l->line);
	free(l->sec);
	memset(l, 0, sizeof(*l));
}

/* Prints a policy holding only p's sections and keeps the section lines. */
static int sec_lines(const struct bg_policy *p, struct sec_lines *l)
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
			size_t kl = strlen(sec_name[k]);

			if (!strncmp(s, sec_name[k], kl) && s[kl] == ' ')
				sec = k;
		}
		if (sec < 0)
			continue;
		char **nl = realloc(l->line, (l->n + 1) * sizeof(*nl));
		int *ns = nl ? realloc(l->sec, (l->n + 1) * sizeof(*ns)) : NULL;

		if (nl)
			l->line = nl;
		if (!ns) {
			sec_free(l);
			return -ENOMEM;
		}
		l->sec = ns;
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
static bool sec_same(const struct bg_policy *pa, const struct sec_lines *a,
		     const struct bg_policy *pb, const struct sec_lines *b, int sec)
{
	size_t ia = 0, ib = 0;

	if (sec_present(pa, sec) != sec_present(pb, sec))
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

static bool names_it(const struct bg_policy *p, int abi, int nr)
{
	return p->sys[abi][nr].has_base || p->sys[abi][nr].nargrules;
}

static const char *origin(const struct bg_policy *p)
{
	return p->source[0] ? p->source : p->name;
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

	if (!sec_present(p, sec))
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
	bool d64 = !same_action(&a->dflt, &b->dflt), d32 = !same_action(&a->ia32_dflt, &b->ia32_dflt);

	fprintf(f, "--- %s (%s)\n+++ %s (%s)\n", origin(a), a->format ? a->format : "native",
		origin(b), b->format ? b->format : "native");
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
			sb_args(&sb, x->ex, max_arg(both, 2));
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
		if (!sec_present(a, s))
			fprintf(f, "- %s: (no %s section: nothing restricted)\n", sec_name[s], sec_name[s]);
		for (size_t i = 0; i < sa->n; i++)
			if (sa->sec[i] == s && (s == SEC_NET || !line_in(sb, s, sa->line[i])))
				fprintf(f, "- %s\n", sa->line[i]);
		if (!sec_present(b, s))
			fprintf(f, "+ %s: (no %s section: nothing restricted)\n", sec_name[s], sec_name[s]);
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
				fprintf(f, " %s", sec_name[s]);
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

		if (same_action(da, db))
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
		json_object_object_add(o, "section", json_object_new_string(sec_name[s]));
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

	if (sec_lines(a, &sa)) {
		bg_diag_set(d, "diff: out of memory; free some memory");
		return -1;
	}
	if (sec_lines(b, &sb)) {
		sec_free(&sa);
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
			if (!names_it(a, abi, nr) && !names_it(b, abi, nr))
				continue;
			r = bg_rule_lists_equal(&la, &lb, abi, x->ex, &x->ea, &x->eb);
			if (r == 1)
				continue;
			x->abi = abi;
			x->nr = nr;
			x->kind = r < 0 ? DK_UNDECIDED : la.nrules || lb.nrules ? DK_ARGS : DK_ACTION;
			sys_label(abi, nr, x->label, sizeof(x->label));
			n++;
		}
	}
	qsort(v, n, sizeof(*v), dsys_cmp);
	equivalent = n == 0 && same_action(&a->dflt, &b->dflt) && same_action(&a->ia32_dflt, &b->ia32_dflt);
	for (int s = 0; s < SEC_N; s++) {
		sec_differs[s] = !sec_same(a, &sa, b, &sb, s);
		equivalent &= !sec_differs[s];
	}
	if (json)
		print_json(a, b, v, n, equivalent, sec_differs, &sa, &sb, f);
	else
		print_text(a, b, v, n, sec_differs, &sa, &sb, f);
	ret = equivalent ? 0 : 1;
out:
	free(v);
	sec_free(&sa);
	sec_free(&sb);
	return ret;
}

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
		bool own = m->in[i]->sys[abi][nr].has_base || !same_action(a, &m->dflt[abi]);

		perm |= permits(a);
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
		if (permits(&acts[i]) == permits(won) && !same_action(&acts[i], won))
			return true;
	return false;
}

static void report_conflict(struct merger *m, int abi, int nr, const struct bg_action *acts,
			    const struct bg_action *won, const uint64_t *ex, int maxarg)
{
	char lbl[80], a[32], msg[400];
	struct sbuf sb = { .s = msg, .len = sizeof(msg) };

	sys_label(abi, nr, lbl, sizeof(lbl));
	sb_add(&sb, "merge: %s", lbl);
	if (ex) {
		sb_add(&sb, " for some arguments, e.g. ");
		sb_args(&sb, ex, maxarg);
	}
	sb_add(&sb, ":");
	for (unsigned i = 0; i < m->n; i++)
		sb_add(&sb, "%s %s says %s", i ? "," : "", origin(m->in[i]), bg_action_str_named(&acts[i], a, sizeof(a)));
	sb_add(&sb, "; merged: %s (%s)", bg_action_str_named(won, a, sizeof(a)),
	       permits(won) ? "allowed, and recorded" :
	       won->verdict == BG_VERDICT_KILL ? "the stricter denial" : "the first explicit errno");
	bg_diag_warn(m->d, "%s", msg);
}

static bool rule_equal(const struct bg_rule *a, const struct bg_rule *b)
{
	if (!same_action(&a->action, &b->action) || a->ncond != b->ncond)
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

		*exact &= same_action(&cells[k].act[0], &want);
		*safe &= permits(&cells[k].act[0]) == permits(&want);
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
				if (permits(&l.rules[k].action) == !pass && !cand_add(c, &l.rules[k]))
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
			if (same_action(&want[k], &want[f]))
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
		if (same_action(&want[k], &c->fb))
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
	if (!same_action(&c->fb, &m->dflt[abi])) {
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

	sys_label(abi, nr, lbl, sizeof(lbl));
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
		uniform &= same_action(&want[k], &want[0]);
	}
	for (size_t k = 0; k < n; k++) {
		if (conflict(cells[k].act, m->n, &want[k])) {
			report_conflict(m, abi, nr, cells[k].act, &want[k], cells[k].example,
					max_arg(l, m->n));
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
		named |= names_it(m->in[i], abi, nr);
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
	if (!same_action(&won, &m->dflt[abi])) {
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
			have += sec_present(m->in[i], s);
		if (have && have < m->n)
			bg_diag_warn(m->d, "merge: only %u of %u inputs have a %s section; a missing one "
				     "restricts nothing, so the union has none", have, m->n, sec_name[s]);
	}
	bool all_net = true;

	for (unsigned i = 0; i < m->n; i++)
		all_net &= m->in[i]->net.present;
	if (all_net) {
		if (sec_lines(m->in[0], &first))
			goto nomem;
		for (unsigned i = 1; i < m->n; i++) {
			bool same;

			if (sec_lines(m->in[i], &other)) {
				sec_free(&first);
				goto nomem;
			}
			same = sec_same(m->in[0], &first, m->in[i], &other, SEC_NET);
			sec_free(&other);
			if (!same) {
				sec_free(&first);
				bg_diag_set(m->d, "merge: the net sections of %s and %s differ, and the union "
					    "of first-match address rules is not computed; make them the "
					    "same, or drop the section from one input (nothing restricted)",
					    origin(m->in[0]), origin(m->in[i]));
				return -1;
			}
		}
		sec_free(&first);
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

		if (same_action(x, f))
			continue;
		bg_diag_set(m->d, "merge: the %sdefaults differ: %s says %s, %s says %s; pass %s ACTION "
			    "to judge every input by ACTION where it names nothing",
			    abi ? "ia32 " : "", origin(m->in[0]), bg_action_str_named(f, a, sizeof(a)),
			    origin(m->in[i]), bg_action_str_named(x, b, sizeof(b)),
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
					 i ? "," : "", origin(in[i]));
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

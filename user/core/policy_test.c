/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * policy_test.c - read recorded calls back from traces and judge each with
 * the reference evaluator (policy_test.h says what and why): describing a
 * decision, the replay and its report, the events and learned JSON
 * readers, sniffing.  The strace reader is trace_strace.c.
 */
#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "learn.h"
#include "policy_test.h"
#include "syscalls.h"
#include "textsafe.h"
#include "util.h"
#include "vec.h"

/* ------------------------------------------------------------------ */
/* Describing a decision */

static void cond_str(const struct bg_cond *c, char *buf, size_t len)
{
	if (c->op == BG_OP_MASKED_EQ)
		snprintf(buf, len, "arg%u & 0x%llx == 0x%llx", c->arg, (unsigned long long)c->mask,
			 (unsigned long long)c->val);
	else
		snprintf(buf, len, "arg%u %s 0x%llx", c->arg, bg_op_str(c->op), (unsigned long long)c->val);
}

static void rule_conds_str(const struct bg_rule *r, char *buf, size_t len)
{
	size_t used = 0;
	char c[96];

	buf[0] = '\0';
	for (unsigned i = 0; i < r->ncond && used < len; i++) {
		cond_str(&r->cond[i], c, sizeof(c));
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? " and " : "", c);
	}
}

static void policy_name_of(int abi, int nr, char *buf, size_t len)
{
	const char *n = abi >= 0 && abi < BG_NR_TABLES ? bg_syscall_name(abi, nr) : NULL;

	if (n)
		snprintf(buf, len, "%s%s", abi == BG_ABI_IA32 ? "ia32:" : "", n);
	else
		snprintf(buf, len, "%s%d", abi == BG_ABI_IA32 ? "ia32:" : "", nr);
}

void bg_eval_need_str(unsigned need, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < BG_NR_ARGS && used < len; i++)
		if (need & (1u << i))
			used += (size_t)snprintf(buf + used, len - used, "%sarg%u", used ? ", " : "", i);
}

void bg_eval_describe(const struct bg_policy *p, int abi, int nr, const struct bg_eval *e,
		      char *buf, size_t len)
{
	char act[32], name[80], conds[600];

	bg_action_str_named(&e->action, act, sizeof(act));
	switch (e->source) {
	case BG_EVAL_RULE:
		policy_name_of(abi, nr, name, sizeof(name));
		rule_conds_str(e->rule, conds, sizeof(conds));
		snprintf(buf, len, "line %u: %s %s if %s", e->line, act, name, conds);
		return;
	case BG_EVAL_BASE:
		policy_name_of(abi, nr, name, sizeof(name));
		if (e->line)
			snprintf(buf, len, "line %u: %s %s", e->line, act, name);
		else
			snprintf(buf, len, "the rule %s %s", act, name);
		return;
	case BG_EVAL_DEFAULT:
		(void)p;
		snprintf(buf, len, "the %s default: %s", bg_abi_name((unsigned)abi), act);
		return;
	default:
		snprintf(buf, len, "x32 calls are always killed");
	}
}

static struct json_object *action_json_add(struct json_object *o, const struct bg_action *a)
{
	char act[32];

	json_object_object_add(o, "action", json_object_new_string(bg_action_str(a, act, sizeof(act))));
	json_object_object_add(o, "verdict", json_object_new_string(bg_verdict_name(a->verdict)));
	if (a->verdict == BG_VERDICT_ERRNO) {
		const char *n = bg_errno_name(a->err);

		json_object_object_add(o, "errno", json_object_new_int(a->err));
		if (n)
			json_object_object_add(o, "errno_name", json_object_new_string(n));
	}
	return o;
}

/* The rule that decided (or the first open one), as JSON. */
static struct json_object *rule_json(const struct bg_policy *p, int abi, int nr, const struct bg_eval *e)
{
	static const char *const src[] = { [BG_EVAL_RULE] = "conditional", [BG_EVAL_BASE] = "unconditional",
					   [BG_EVAL_DEFAULT] = "default", [BG_EVAL_X32] = "x32" };
	struct json_object *o = json_object_new_object();
	char text[800];

	json_object_object_add(o, "kind", json_object_new_string(
		e->source >= BG_EVAL_RULE && e->source <= BG_EVAL_X32 ? src[e->source] : "?"));
	if (e->line)
		json_object_object_add(o, "line", json_object_new_int((int)e->line));
	if (e->source == BG_EVAL_RULE) {
		struct json_object *conds = json_object_new_array();

		for (unsigned i = 0; i < e->rule->ncond; i++) {
			const struct bg_cond *c = &e->rule->cond[i];
			struct json_object *jc = json_object_new_object();

			json_object_object_add(jc, "arg", json_object_new_int(c->arg));
			json_object_object_add(jc, "op", json_object_new_string(bg_op_str(c->op)));
			if (c->op == BG_OP_MASKED_EQ)
				json_object_object_add(jc, "mask", json_object_new_uint64(c->mask));
			json_object_object_add(jc, "value", json_object_new_uint64(c->val));
			json_object_array_add(conds, jc);
		}
		json_object_object_add(o, "conditions", conds);
	}
	action_json_add(o, &e->action);
	bg_eval_describe(p, abi, nr, e, text, sizeof(text));
	json_object_object_add(o, "text", json_object_new_string(text));
	return o;
}

static struct json_object *args_json(const uint64_t args[6], const uint64_t known[6])
{
	struct json_object *a = json_object_new_array();

	for (int i = 0; i < 6; i++) {
		uint64_t k = known ? known[i] : ~0ULL;

		if (k == ~0ULL) {
			json_object_array_add(a, json_object_new_uint64(args[i]));
		} else if (!k) {
			json_object_array_add(a, NULL);
		} else {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "value", json_object_new_uint64(args[i] & k));
			json_object_object_add(o, "known_bits", json_object_new_uint64(k));
			json_object_array_add(a, o);
		}
	}
	return a;
}

static void outcomes_add(struct json_object *o, const struct bg_eval *e)
{
	json_object_object_add(o, "decided", json_object_new_boolean(e->decided));
	if (!e->decided) {
		struct json_object *need = json_object_new_array();

		for (int i = 0; i < BG_NR_ARGS; i++)
			if (e->need & (1u << i))
				json_object_array_add(need, json_object_new_int(i));
		json_object_object_add(o, "needs_args", need);
		json_object_object_add(o, "may_allow", json_object_new_boolean(e->may_allow));
		json_object_object_add(o, "may_deny", json_object_new_boolean(e->may_deny));
	}
}

struct json_object *bg_eval_to_json(const struct bg_policy *p, int abi, int nr,
				    const uint64_t args[6], const uint64_t known[6],
				    const struct bg_eval *e)
{
	struct json_object *o = json_object_new_object();
	const char *name = abi >= 0 && abi < BG_NR_TABLES ? bg_syscall_name(abi, nr) : NULL;

	json_object_object_add(o, "abi", json_object_new_string(bg_abi_name((unsigned)abi)));
	json_object_object_add(o, "syscall", name ? json_object_new_string(name) : NULL);
	json_object_object_add(o, "nr", json_object_new_int(nr));
	json_object_object_add(o, "args", args_json(args, known));
	if (e->decided) {
		action_json_add(o, &e->action);
		json_object_object_add(o, "allowed", json_object_new_boolean(!e->may_deny));
	} else {
		json_object_object_add(o, "action", json_object_new_string("undecidable"));
	}
	outcomes_add(o, e);
	json_object_object_add(o, "rule", rule_json(p, abi, nr, e));
	return o;
}

/* ------------------------------------------------------------------ */
/* The replay */

struct group {
	int abi, nr;
	char name[BG_TRACE_NAME_MAX];
	bool undecidable;
	struct bg_action action;
	uint64_t count;
	char first[BG_PATH_MAX + 32]; /* "file:line" or "file:seen[i]" */
	unsigned first_file, first_line; /* index in files[]; line (0: learned) */
	int first_entry;                 /* learned: index in seen[], else -1 */
	struct bg_eval ev;            /* of the first call */
	uint64_t args[6], known[6];   /* of the first call */
	char action_text[32];
	char abi_text[8];
};

struct trace_file {
	char origin[BG_PATH_MAX];
	const char *format;
	uint64_t calls, lines, warnings, suppressed;
};

struct bg_ptest {
	const struct bg_policy *p;
	struct group *g;
	size_t ng, last;
	uint64_t groups_dropped; /* calls of groups past BG_PTEST_MAX_GROUPS */
	uint64_t calls, denied, undecidable;
	struct trace_file files[BG_PTEST_MAX_FILES];
	unsigned nfiles;
	struct trace_file *cur;
	char *warn[BG_PTEST_MAX_WARNINGS];
	unsigned nwarn;
	uint64_t warn_total;
};

struct bg_ptest *bg_ptest_new(const struct bg_policy *p)
{
	struct bg_ptest *t = calloc(1, sizeof(*t));

	if (t)
		t->p = p;
	return t;
}

void bg_ptest_free(struct bg_ptest *t)
{
	if (!t)
		return;
	for (unsigned i = 0; i < t->nwarn; i++)
		free(t->warn[i]);
	free(t->g);
	free(t);
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static void ptest_warn(void *ctx, unsigned line, const char *msg)
{
	struct bg_ptest *t = ctx;
	char buf[BG_PATH_MAX + 300];

	t->warn_total++;
	if (t->cur)
		t->cur->warnings++;
	if (t->nwarn >= BG_PTEST_MAX_WARNINGS)
		return;
	if (line)
		snprintf(buf, sizeof(buf), "%s:%u: %s", t->cur ? t->cur->origin : "?", line, msg);
	else
		snprintf(buf, sizeof(buf), "%s: %s", t->cur ? t->cur->origin : "?", msg);
	t->warn[t->nwarn] = strdup(buf);
	if (t->warn[t->nwarn])
		t->nwarn++;
}

static bool same_group(const struct group *g, const struct bg_trace_call *c, bool undecidable,
		       const struct bg_action *a)
{
	if (g->abi != c->abi || g->nr != c->nr || g->undecidable != undecidable)
		return false;
	if (c->nr < 0 && strcmp(g->name, c->name))
		return false;
	return undecidable || (g->action.verdict == a->verdict && g->action.err == a->err);
}

static void ptest_call(void *ctx, const struct bg_trace_call *c)
{
	struct bg_ptest *t = ctx;
	struct bg_eval ev;
	bool undecidable;
	struct group *g = NULL;

	t->calls = sat_add(t->calls, c->count);
	if (t->cur)
		t->cur->calls = sat_add(t->cur->calls, c->count);
	bg_policy_eval_known(t->p, c->abi, c->nr, c->args, c->known, &ev);
	/* open, but every outcome the same action: that action is certain */
	if (!ev.decided && ev.one_action)
		ev.decided = true;
	if (ev.decided && !ev.may_deny)
		return;
	if (!ev.decided && !ev.may_deny)
		return; /* allow or log, whichever rule applies */
	undecidable = !ev.decided;
	if (undecidable)
		t->undecidable = sat_add(t->undecidable, c->count);
	else
		t->denied = sat_add(t->denied, c->count);
	/* a trace repeats itself: the group of the last denial first */
	if (t->last < t->ng && same_group(&t->g[t->last], c, undecidable, &ev.action))
		g = &t->g[t->last];
	for (size_t i = 0; !g && i < t->ng; i++) {
		if (same_group(&t->g[i], c, undecidable, &ev.action)) {
			g = &t->g[i];
			t->last = i;
		}
	}
	if (!g) {
		if (t->ng >= BG_PTEST_MAX_GROUPS || BG_VEC_RESIZE(t->g, t->ng + 1)) {
			t->groups_dropped = sat_add(t->groups_dropped, c->count);
			return;
		}
		t->last = t->ng;
		g = &t->g[t->ng++];
		memset(g, 0, sizeof(*g));
		g->abi = c->abi;
		g->nr = c->nr;
		g->undecidable = undecidable;
		g->action = ev.action;
		g->ev = ev;
		memcpy(g->args, c->args, sizeof(g->args));
		memcpy(g->known, c->known, sizeof(g->known));
		if (c->nr >= 0 && c->abi >= 0 && c->abi < BG_NR_TABLES && bg_syscall_name(c->abi, c->nr))
			snprintf(g->name, sizeof(g->name), "%s", bg_syscall_name(c->abi, c->nr));
		else if (c->name[0])
			snprintf(g->name, sizeof(g->name), "%s", c->name);
		else if (c->nr >= 0)
			snprintf(g->name, sizeof(g->name), "%d", c->nr);
		else
			snprintf(g->name, sizeof(g->name), "(number past the table)");
		g->first_file = t->cur ? (unsigned)(t->cur - t->files) : 0;
		g->first_line = c->line;
		g->first_entry = c->entry;
		if (c->entry >= 0)
			snprintf(g->first, sizeof(g->first), "%s:seen[%d]", t->cur ? t->cur->origin : "?", c->entry);
		else
			snprintf(g->first, sizeof(g->first), "%s:%u", t->cur ? t->cur->origin : "?", c->line);
		if (undecidable)
			snprintf(g->action_text, sizeof(g->action_text), "undecidable");
		else
			bg_action_str_named(&ev.action, g->action_text, sizeof(g->action_text));
		snprintf(g->abi_text, sizeof(g->abi_text), "%s", bg_abi_name((unsigned)c->abi));
	}
	g->count = sat_add(g->count, c->count);
}

/* ------------------------------------------------------------------ */
/* events --json lines */

static int abi_from(const char *s)
{
	if (!s)
		return -1;
	if (!strcmp(s, "x86_64"))
		return BG_ABI_X86_64;
	if (!strcmp(s, "ia32"))
		return BG_ABI_IA32;
	if (!strcmp(s, "x32"))
		return BG_ABI_X32;
	return -1;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v) : NULL;
}

static bool jint(struct json_object *o, const char *key, int64_t *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_int64(v);
	return true;
}

static bool is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* A syscall name from the input, made safe to print: [A-Za-z0-9_] only. */
static void safe_name(const char *s, char *out, size_t len)
{
	size_t o = 0;

	for (; s && *s && o + 1 < len; s++)
		out[o++] = is_ident(*s) ? *s : '?';
	out[o] = '\0';
}

/* One event (an object); lineno: where it starts. */
static void event_obj(struct bg_ptest *t, struct json_object *o, unsigned lineno)
{
	struct json_object *args;
	struct bg_trace_call c;
	const char *type, *name;
	int64_t nr = -1, supp = 0;

	type = jstr(o, "type");
	if (jint(o, "suppressed", &supp) && supp > 0 && t->cur)
		t->cur->suppressed = sat_add(t->cur->suppressed, (uint64_t)supp);
	if (!type || strcmp(type, "syscall"))
		return; /* net, dev, sysctl, escape: not calls */
	memset(&c, 0, sizeof(c));
	c.abi = abi_from(jstr(o, "abi"));
	c.count = 1; /* `suppressed` calls may be of other syscalls: not this one's */
	c.line = lineno;
	c.entry = -1;
	name = jstr(o, "syscall");
	safe_name(name, c.name, sizeof(c.name));
	if (c.abi < 0 || (!jint(o, "nr", &nr) && !name)) {
		ptest_warn(t, lineno, "syscall event without a valid abi or nr; skipped");
		return;
	}
	c.nr = nr >= 0 && nr < BG_MAX_SYSCALLS ? (int)nr : -1;
	if (c.nr < 0 && name && c.abi != BG_ABI_X32)
		c.nr = bg_syscall_nr(c.abi, name);
	if (c.nr < 0 && !name)
		snprintf(c.name, sizeof(c.name), "%lld", (long long)nr);
	if (json_object_object_get_ex(o, "args", &args) && json_object_is_type(args, json_type_array) &&
	    json_object_array_length(args) == 6) {
		for (size_t i = 0; i < 6; i++) {
			struct json_object *a = json_object_array_get_idx(args, i);

			if (!json_object_is_type(a, json_type_int))
				continue;
			c.args[i] = json_object_get_uint64(a);
			c.known[i] = ~0ULL;
		}
	} /* no args: a `bpfguard run` seccomp decision; all unknown */
	ptest_call(t, &c);
}

static void event_line(struct bg_ptest *t, const char *line, size_t len, unsigned lineno)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;

	if (!tok)
		return;
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(o, json_type_object))
		ptest_warn(t, lineno, "not a JSON object; expected one `bpfguard events --json` event a line");
	else
		event_obj(t, o, lineno);
	json_object_put(o);
	json_tokener_free(tok);
}

/* ------------------------------------------------------------------ */
/* learn --json */

static void learn_doc(struct bg_ptest *t, struct json_object *root)
{
	struct json_object *seen;
	size_t n;

	if (!json_object_object_get_ex(root, "seen", &seen) || !json_object_is_type(seen, json_type_array)) {
		ptest_warn(t, 0, "no `seen` array; expected the output of `bpfguard learn --json`");
		return;
	}
	n = json_object_array_length(seen);
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(seen, i), *vals;
		struct bg_trace_call c;
		const char *name;
		int64_t nr = -1, cnt = 0;
		uint64_t count, sum = 0;
		uint8_t arg[BG_LEARN_NVALS];
		uint64_t mask[BG_LEARN_NVALS];
		int nv;

		if (!json_object_is_type(o, json_type_object)) {
			ptest_warn(t, 0, "seen[] holds something that is not an object; skipped");
			continue;
		}
		memset(&c, 0, sizeof(c));
		c.entry = (int)i;
		c.abi = abi_from(jstr(o, "abi"));
		name = jstr(o, "syscall");
		safe_name(name, c.name, sizeof(c.name));
		if (c.abi < 0 || !jint(o, "count", &cnt) || cnt < 0) {
			char m[96];

			snprintf(m, sizeof(m), "seen[%zu] has no valid abi or count; skipped", i);
			ptest_warn(t, 0, m);
			continue;
		}
		count = (uint64_t)cnt;
		c.nr = jint(o, "nr", &nr) && nr >= 0 && nr < BG_MAX_SYSCALLS ? (int)nr : -1;
		if (c.nr < 0 && name && c.abi != BG_ABI_X32)
			c.nr = bg_syscall_nr(c.abi, name);
		nv = name ? bg_learn_value_layout(name, arg, mask) : 0;
		if (nv && json_object_object_get_ex(o, "values", &vals) &&
		    json_object_is_type(vals, json_type_array)) {
			size_t nvals = json_object_array_length(vals);

			for (size_t k = 0; k < nvals; k++) {
				struct json_object *v = json_object_array_get_idx(vals, k), *a;
				struct bg_trace_call vc = c;
				int64_t vcount = 0;

				if (!json_object_is_type(v, json_type_object) || !jint(v, "count", &vcount) ||
				    vcount <= 0 || !json_object_object_get_ex(v, "args", &a) ||
				    !json_object_is_type(a, json_type_array) ||
				    json_object_array_length(a) != (size_t)nv)
					continue;
				for (int j = 0; j < nv; j++) {
					struct json_object *x = json_object_array_get_idx(a, (size_t)j);

					if (arg[j] >= BG_NR_ARGS || !json_object_is_type(x, json_type_int))
						continue;
					vc.args[arg[j]] = json_object_get_uint64(x) & mask[j];
					vc.known[arg[j]] |= mask[j];
				}
				if ((uint64_t)vcount > count - sum)
					vcount = (int64_t)(count - sum);
				vc.count = (uint64_t)vcount;
				sum += vc.count;
				if (vc.count)
					ptest_call(t, &vc);
			}
		}
		/* the calls whose values were not recorded: arguments unknown */
		c.count = count - sum;
		if (c.count)
			ptest_call(t, &c);
	}
}

/* ------------------------------------------------------------------ */
/* Files */

enum fmt { FMT_STRACE, FMT_EVENTS, FMT_LEARN };

struct reader {
	const char *buf; /* memory */
	size_t len, pos;
	FILE *f;         /* or a file */
	char line[BG_TRACE_LINE_MAX];
};

/* The next line into r->line (cut at BG_TRACE_LINE_MAX - 1, the rest of
 * it skipped); false at the end. */
static bool next_line(struct reader *r, size_t *len, bool *cut)
{
	size_t n = 0;
	int c;

	*cut = false;
	if (r->buf) {
		if (r->pos >= r->len)
			return false;
		const char *s = r->buf + r->pos, *nl = memchr(s, '\n', r->len - r->pos);
		size_t l = nl ? (size_t)(nl - s) : r->len - r->pos;

		r->pos += l + (nl ? 1 : 0);
		if (l >= sizeof(r->line)) {
			l = sizeof(r->line) - 1;
			*cut = true;
		}
		memcpy(r->line, s, l);
		r->line[l] = '\0';
		*len = l;
		return true;
	}
	while ((c = getc(r->f)) != EOF && c != '\n') {
		if (n < sizeof(r->line) - 1)
			r->line[n++] = (char)c;
		else
			*cut = true;
	}
	if (c == EOF && n == 0 && !*cut)
		return false;
	r->line[n] = '\0';
	*len = n;
	return true;
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			return false;
	return true;
}

/* The rest of the input after the first line, for a learned JSON document
 * printed over several lines (bpfguard -p learn). */
static char *slurp_rest(struct reader *r, const char *first, size_t flen, size_t *out_len)
{
	size_t cap = flen + 1 + 65536, len = flen;
	char *b = malloc(cap);
	size_t got;

	if (!b)
		return NULL;
	memcpy(b, first, flen);
	b[len++] = '\n';
	if (r->buf) {
		size_t rest = r->len - r->pos;

		if (len + rest > BG_LEARN_JSON_MAX) {
			free(b);
			return NULL;
		}
		char *nb = realloc(b, len + rest + 1);
		if (!nb) {
			free(b);
			return NULL;
		}
		b = nb;
		memcpy(b + len, r->buf + r->pos, rest);
		len += rest;
		r->pos = r->len;
	} else {
		while ((got = fread(b + len, 1, cap - len, r->f)) > 0) {
			len += got;
			if (len == cap) {
				char *nb;

				if (cap >= BG_LEARN_JSON_MAX) {
					free(b);
					return NULL;
				}
				cap *= 2;
				nb = realloc(b, cap);
				if (!nb) {
					free(b);
					return NULL;
				}
				b = nb;
			}
		}
	}
	*out_len = len;
	return b;
}

/* JSON over several lines: a learned document (bpfguard -p learn), or
 * events printed indented (bpfguard -p events), one object after the
 * other.  first_line: the line the text starts on. */
static void json_text(struct bg_ptest *t, const char *text, size_t len, unsigned first_line)
{
	struct json_tokener *tok = json_tokener_new();
	unsigned line = first_line;
	size_t off = 0;

	if (!tok)
		return;
	for (;;) {
		struct json_object *o, *v;
		size_t start;

		while (off < len && isspace((unsigned char)text[off]))
			line += text[off++] == '\n';
		if (off >= len)
			break;
		start = off;
		json_tokener_reset(tok);
		o = json_tokener_parse_ex(tok, text + off, (int)(len - off));
		if (!o || json_tokener_get_error(tok) != json_tokener_success ||
		    !json_object_is_type(o, json_type_object)) {
			ptest_warn(t, line, "not a JSON object; expected the output of `bpfguard learn --json` "
				   "or `bpfguard events --json`; the rest of the file is skipped");
			json_object_put(o);
			break;
		}
		off += json_tokener_get_parse_end(tok);
		if (json_object_object_get_ex(o, "seen", &v)) {
			t->cur->format = "learn";
			learn_doc(t, o);
		} else if (json_object_object_get_ex(o, "type", &v)) {
			t->cur->format = "events";
			event_obj(t, o, line);
		} else {
			ptest_warn(t, line, "a JSON object with neither `seen` (learn --json) nor `type` "
				   "(events --json); skipped");
		}
		json_object_put(o);
		for (size_t i = start; i < off; i++)
			line += text[i] == '\n';
		if (off == start)
			break; /* no progress: never loop */
	}
	json_tokener_free(tok);
}

/* Which format the first non-blank line says: a JSON object with `seen`
 * (or one that does not end on its line) is learned JSON, one with `type`
 * an event; anything else is strace. */
static enum fmt sniff(const char *line, size_t len, bool *whole_on_line)
{
	struct json_tokener *tok;
	struct json_object *o, *v;
	enum fmt f = FMT_STRACE;
	size_t i = 0;

	*whole_on_line = false;
	while (i < len && isspace((unsigned char)line[i]))
		i++;
	if (i == len || line[i] != '{')
		return FMT_STRACE;
	tok = json_tokener_new();
	if (!tok)
		return FMT_EVENTS;
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (json_tokener_get_error(tok) == json_tokener_continue) {
		f = FMT_LEARN;
	} else if (o && json_object_is_type(o, json_type_object)) {
		*whole_on_line = true;
		f = json_object_object_get_ex(o, "seen", &v) ? FMT_LEARN : FMT_EVENTS;
	} else {
		f = FMT_EVENTS; /* it warns, line by line */
	}
	json_object_put(o);
	json_tokener_free(tok);
	return f;
}

static int run_reader(struct bg_ptest *t, struct reader *r, const char *origin, struct bg_diag *d)
{
	struct bg_strace *st = NULL;
	unsigned lineno = 0;
	enum fmt fmt = FMT_STRACE;
	bool sniffed = false, cut, whole;
	size_t len;

	if (t->nfiles >= BG_PTEST_MAX_FILES) {
		bg_diag_at(d, origin, 0, "more than %d traces; test them in several runs", BG_PTEST_MAX_FILES);
		return -1;
	}
	t->cur = &t->files[t->nfiles++];
	memset(t->cur, 0, sizeof(*t->cur));
	snprintf(t->cur->origin, sizeof(t->cur->origin), "%s", origin);
	t->cur->format = "strace";
	while (next_line(r, &len, &cut)) {
		lineno = lineno < UINT32_MAX ? lineno + 1 : lineno;
		t->cur->lines++;
		if (!sniffed) {
			if (blank(r->line, len))
				continue;
			sniffed = true;
			fmt = sniff(r->line, len, &whole);
			if (fmt == FMT_LEARN) {
				t->cur->format = "json";
				if (whole) {
					json_text(t, r->line, len, lineno);
				} else {
					size_t all;
					char *text = slurp_rest(r, r->line, len, &all);

					if (!text) {
						bg_diag_at(d, origin, 0, "learned JSON larger than %u bytes or out of "
							   "memory; pass the output of `bpfguard learn --json`",
							   BG_LEARN_JSON_MAX);
						return -1;
					}
					json_text(t, text, all, lineno);
					free(text);
				}
				return 0;
			}
			if (fmt == FMT_STRACE) {
				st = bg_strace_new(ptest_call, ptest_warn, t);
				if (!st) {
					bg_diag_set(d, "out of memory");
					return -1;
				}
			} else {
				t->cur->format = "events";
			}
		}
		if (fmt == FMT_EVENTS) {
			if (cut)
				ptest_warn(t, lineno, "line longer than the limit; skipped (events are shorter)");
			else if (!blank(r->line, len))
				event_line(t, r->line, len, lineno);
			continue;
		}
		if (cut)
			ptest_warn(t, lineno, "line longer than the limit; arguments past the cut are read as unknown");
		bg_strace_line(st, r->line, len, cut, lineno);
	}
	if (st) {
		bg_strace_finish(st);
		bg_strace_free(st);
	}
	return 0;
}

int bg_ptest_buffer(struct bg_ptest *t, const char *buf, size_t len, const char *origin,
		    struct bg_diag *d)
{
	struct reader *r = calloc(1, sizeof(*r));
	int ret;

	if (!r) {
		bg_diag_set(d, "out of memory");
		return -1;
	}
	r->buf = buf ? buf : "";
	r->len = buf ? len : 0;
	ret = run_reader(t, r, origin ? origin : "<memory>", d);
	free(r);
	return ret;
}

int bg_ptest_file(struct bg_ptest *t, const char *path, struct bg_diag *d)
{
	struct reader *r;
	int ret;

	r = calloc(1, sizeof(*r));
	if (!r) {
		bg_diag_set(d, "out of memory");
		return -1;
	}
	r->f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!r->f) {
		bg_diag_at(d, path, 0, "cannot open: %s; check the path", strerror(errno));
		free(r);
		return -1;
	}
	ret = run_reader(t, r, strcmp(path, "-") ? path : "<stdin>", d);
	if (!ret && ferror(r->f)) {
		bg_diag_at(d, path, 0, "read failed; check the file");
		ret = -1;
	}
	if (r->f != stdin)
		fclose(r->f);
	free(r);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Results */

int bg_ptest_exit(const struct bg_ptest *t)
{
	if (t->denied)
		return BG_PTEST_EXIT_DENIED;
	if (t->undecidable || t->groups_dropped)
		return BG_PTEST_EXIT_UNDECIDABLE;
	return 0;
}

uint64_t bg_ptest_calls(const struct bg_ptest *t) { return t->calls; }
uint64_t bg_ptest_denied(const struct bg_ptest *t) { return t->denied; }
uint64_t bg_ptest_undecidable(const struct bg_ptest *t) { return t->undecidable; }
uint64_t bg_ptest_warnings_total(const struct bg_ptest *t) { return t->warn_total; }

unsigned bg_ptest_warnings(const struct bg_ptest *t, const char *const **msgs)
{
	*msgs = (const char *const *)t->warn;
	return t->nwarn;
}

/* Report order: denied groups, then undecidable ones, each in the order
 * first seen. */
static const struct group *nth_group(const struct bg_ptest *t, unsigned i)
{
	unsigned k = 0;

	for (int pass = 0; pass < 2; pass++)
		for (size_t j = 0; j < t->ng; j++)
			if (t->g[j].undecidable == (pass == 1) && k++ == i)
				return &t->g[j];
	return NULL;
}

bool bg_ptest_group(const struct bg_ptest *t, unsigned i, const char **syscall, const char **abi,
		    const char **action, uint64_t *count, const char **first)
{
	const struct group *g = nth_group(t, i);

	if (!g)
		return false;
	*syscall = g->name;
	*abi = g->abi_text;
	*action = g->action_text;
	*count = g->count;
	*first = g->first;
	return true;
}

static void args_text(const uint64_t args[6], const uint64_t known[6], char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < 6 && used < len; i++) {
		if (known[i] == ~0ULL)
			used += (size_t)snprintf(buf + used, len - used, "%s0x%llx", i ? ", " : "",
						 (unsigned long long)args[i]);
		else if (known[i] == 0xffffffffULL) /* a negative int: its upper half unknown */
			used += (size_t)snprintf(buf + used, len - used, "%s0x????????%08llx", i ? ", " : "",
						 (unsigned long long)(args[i] & known[i]));
		else if (known[i])
			used += (size_t)snprintf(buf + used, len - used, "%s0x%llx&0x%llx", i ? ", " : "",
						 (unsigned long long)(args[i] & known[i]),
						 (unsigned long long)known[i]);
		else
			used += (size_t)snprintf(buf + used, len - used, "%s?", i ? ", " : "");
	}
}

void bg_ptest_print(const struct bg_ptest *t, FILE *f)
{
	char why[800], need[64], args[200], esc[BG_ESC_MAX];
	const struct group *g;

	for (unsigned i = 0; (g = nth_group(t, i)); i++) {
		bg_eval_describe(t->p, g->abi, g->nr, &g->ev, why, sizeof(why));
		args_text(g->args, g->known, args, sizeof(args));
		if (!g->undecidable) {
			fprintf(f, "%s: %s %s: %s, %llu call%s (%s); first (%s)\n", bg_esc(g->first, esc),
				g->abi_text, g->name, g->action_text, (unsigned long long)g->count,
				g->count == 1 ? "" : "s", why, args);
			continue;
		}
		bg_eval_need_str(g->ev.need, need, sizeof(need));
		fprintf(f, "%s: %s %s: undecidable from this trace, %llu call%s (%s tests %s, not "
			"known here; %s); first (%s)\n", bg_esc(g->first, esc), g->abi_text, g->name,
			(unsigned long long)g->count, g->count == 1 ? "" : "s", why, need,
			g->ev.may_allow ? "allowed or denied depending on it" : "denied either way",
			args);
	}
	fprintf(f, "policy test: %llu call%s read from %u trace%s; %llu denied, %llu undecidable",
		(unsigned long long)t->calls, t->calls == 1 ? "" : "s", t->nfiles, t->nfiles == 1 ? "" : "s",
		(unsigned long long)t->denied, (unsigned long long)t->undecidable);
	if (t->groups_dropped)
		fprintf(f, "; %llu more not listed (over %d groups)", (unsigned long long)t->groups_dropped,
			BG_PTEST_MAX_GROUPS);
	if (t->warn_total)
		fprintf(f, "; %llu warning%s", (unsigned long long)t->warn_total, t->warn_total == 1 ? "" : "s");
	fputc('\n', f);
	for (unsigned i = 0; i < t->nfiles; i++)
		if (t->files[i].suppressed)
			fprintf(f, "policy test: %s: %llu calls were rate-limited out of the event stream "
				"and could not be tested\n", bg_esc(t->files[i].origin, esc),
				(unsigned long long)t->files[i].suppressed);
}

struct json_object *bg_ptest_to_json(const struct bg_ptest *t)
{
	struct json_object *o = json_object_new_object(), *groups = json_object_new_array();
	struct json_object *files = json_object_new_array(), *warns = json_object_new_array();
	const struct group *g;

	bg_json_add_str(o, "policy", t->p->source[0] ? t->p->source : t->p->name);
	for (unsigned i = 0; i < t->nfiles; i++) {
		struct json_object *fo = json_object_new_object();

		bg_json_add_str(fo, "file", t->files[i].origin);
		json_object_object_add(fo, "format", json_object_new_string(t->files[i].format));
		json_object_object_add(fo, "calls", json_object_new_uint64(t->files[i].calls));
		json_object_object_add(fo, "lines", json_object_new_uint64(t->files[i].lines));
		json_object_object_add(fo, "warnings", json_object_new_uint64(t->files[i].warnings));
		if (t->files[i].suppressed)
			json_object_object_add(fo, "suppressed", json_object_new_uint64(t->files[i].suppressed));
		json_object_array_add(files, fo);
	}
	json_object_object_add(o, "traces", files);
	json_object_object_add(o, "calls", json_object_new_uint64(t->calls));
	json_object_object_add(o, "denied", json_object_new_uint64(t->denied));
	json_object_object_add(o, "undecidable", json_object_new_uint64(t->undecidable));
	json_object_object_add(o, "not_listed", json_object_new_uint64(t->groups_dropped));
	for (unsigned i = 0; (g = nth_group(t, i)); i++) {
		struct json_object *go = json_object_new_object();

		bg_json_add_str(go, "syscall", g->name);
		json_object_object_add(go, "nr", g->nr >= 0 ? json_object_new_int(g->nr) : NULL);
		json_object_object_add(go, "abi", json_object_new_string(g->abi_text));
		if (g->undecidable)
			json_object_object_add(go, "action", json_object_new_string("undecidable"));
		else
			action_json_add(go, &g->action);
		json_object_object_add(go, "count", json_object_new_uint64(g->count));
		bg_json_add_str(go, "first", g->first);
		bg_json_add_str(go, "first_file", t->files[g->first_file].origin);
		if (g->first_entry >= 0)
			json_object_object_add(go, "first_entry", json_object_new_int(g->first_entry));
		else
			json_object_object_add(go, "first_line", json_object_new_int64(g->first_line));
		json_object_object_add(go, "first_args", args_json(g->args, g->known));
		outcomes_add(go, &g->ev);
		json_object_object_add(go, "rule", rule_json(t->p, g->abi, g->nr, &g->ev));
		json_object_array_add(groups, go);
	}
	json_object_object_add(o, "groups", groups);
	for (unsigned i = 0; i < t->nwarn; i++) {
		char safe[BG_PATH_MAX + 400];

		bg_utf8_replace(t->warn[i], strlen(t->warn[i]), safe, sizeof(safe), true, NULL);
		json_object_array_add(warns, json_object_new_string(safe));
	}
	json_object_object_add(o, "warnings", warns);
	json_object_object_add(o, "warnings_total", json_object_new_uint64(t->warn_total));
	json_object_object_add(o, "exit", json_object_new_int(bg_ptest_exit(t)));
	return o;
}

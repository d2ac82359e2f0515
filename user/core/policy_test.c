/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * policy_test.c - read recorded calls back from traces and judge each with
 * the reference evaluator (policy_test.h says what and why).
 */
#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
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
/* strace: arguments */

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void trim(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

/* "0x1" followed by a comment (-X verbose) and "3</etc/passwd>" (-y): the
 * value is what comes before. */
static void strip_annotations(const char *s, const char **e)
{
	const char *p = s;

	if (p < *e && *p == '-')
		p++;
	while (p < *e && (is_ident(*p)))
		p++;
	if (p > s && p < *e && (*p == '<' || *p == ' ')) {
		const char *q = p;

		while (q < *e && *q == ' ')
			q++;
		if (q < *e && (*q == '<' || (q + 1 < *e && q[0] == '/' && q[1] == '*')))
			*e = p;
	}
}

void bg_strace_arg(const char *s, size_t len, int abi, uint64_t *val, uint64_t *known)
{
	const char *e = s + len;
	char tmp[96];
	uint64_t v;

	*val = 0;
	*known = 0;
	trim(&s, &e);
	strip_annotations(s, &e);
	trim(&s, &e);
	if (s >= e)
		return;
	if ((size_t)(e - s) == 4 && !memcmp(s, "NULL", 4)) {
		*known = ~0ULL;
		return;
	}
	if (*s == '-' && e - s > 1 && is_digit(s[1])) {
		/* strace prints an int argument from the register's low 32 bits:
		 * a negative one says nothing about the upper half on x86_64
		 * (an ia32 register has none). */
		size_t n = (size_t)(e - s - 1);

		if (n >= sizeof(tmp))
			return;
		memcpy(tmp, s + 1, n);
		tmp[n] = '\0';
		for (size_t i = 0; i < n; i++)
			if (!is_digit(tmp[i]))
				return;
		errno = 0;
		unsigned long long m = strtoull(tmp, NULL, 10);
		if (errno)
			return;
		v = (uint64_t)0 - (uint64_t)m;
		if (abi == BG_ABI_IA32) {
			if (m > 0x80000000ULL)
				return;
			*val = v & 0xffffffffULL;
			*known = ~0ULL;
		} else if (m <= 0x80000000ULL) {
			*val = v & 0xffffffffULL;
			*known = 0xffffffffULL;
		} else {
			*val = v;
			*known = ~0ULL;
		}
		return;
	}
	if (!is_ident(*s))
		return; /* a string, a struct, an array, "...": not a register value */
	for (const char *p = s; p < e; p++)
		if (!is_ident(*p) && *p != '|')
			return;
	if (bg_policy_parse_value(s, (size_t)(e - s), &v) == 0) {
		*val = v;
		*known = ~0ULL;
	}
}

/* Which kernel argument a named strace argument of clone is (strace
 * prints clone's arguments by name, in its own order). */
static int clone_arg_index(const char *s, size_t n, int abi)
{
	static const struct { const char *name; int x64, ia32; } map[] = {
		{ "flags", 0, 0 }, { "child_stack", 1, 1 }, { "stack", 1, 1 },
		{ "parent_tid", 2, 2 }, { "parent_tidptr", 2, 2 }, { "child_tidptr", 3, 4 },
		{ "child_tid", 3, 4 }, { "tls", 4, 3 },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strlen(map[i].name) == n && !memcmp(map[i].name, s, n))
			return abi == BG_ABI_IA32 ? map[i].ia32 : map[i].x64;
	return -1;
}

/* Calls whose printed arguments are not the registers one for one from
 * some position on: strace joins a 64-bit value the kernel takes in two
 * registers (ia32), or prints the whole offset where the kernel has a low
 * and a high half (preadv2's flags come one later).  From that position
 * the arguments are unknown; ia32's old mmap takes one pointer to a
 * struct strace decodes. */
static int shifted_from(const char *name, int abi)
{
	static const struct { const char *name; signed char x64, ia32; } t[] = {
		{ "preadv2", 4, 3 }, { "pwritev2", 4, 3 }, { "pread64", -1, 3 },
		{ "pwrite64", -1, 3 }, { "_llseek", -1, 1 }, { "truncate64", -1, 1 },
		{ "ftruncate64", -1, 1 }, { "fadvise64_64", -1, 1 }, { "fadvise64", -1, 1 },
		{ "fallocate", -1, 2 }, { "sync_file_range", -1, 1 }, { "readahead", -1, 1 },
		{ "preadv", -1, 3 }, { "pwritev", -1, 3 }, { "fanotify_mark", -1, 2 },
		{ "lookup_dcookie", -1, 0 }, { "mmap", -1, 0 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(t[i].name, name))
			return abi == BG_ABI_IA32 ? t[i].ia32 : t[i].x64;
	return -1;
}

/* The end of the argument starting at p: the next comma or closing
 * bracket at depth 0, skipping strings and comments.  *closed: a ')'
 * at depth 0 ended the argument list. */
static const char *arg_end(const char *p, const char *e, bool *closed)
{
	int depth = 0;

	*closed = false;
	while (p < e) {
		char c = *p;

		if (c == '"') {
			for (p++; p < e && *p != '"'; p++)
				if (*p == '\\' && p + 1 < e)
					p++;
			if (p < e)
				p++;
			continue;
		}
		if (c == '/' && p + 1 < e && p[1] == '*') {
			const char *q = p + 2;

			while (q + 1 < e && !(q[0] == '*' && q[1] == '/'))
				q++;
			p = q + 1 < e ? q + 2 : e;
			continue;
		}
		if (c == '(' || c == '[' || c == '{') {
			depth++;
		} else if (c == ')' || c == ']' || c == '}') {
			if (depth == 0) {
				*closed = c == ')';
				return p;
			}
			depth--;
		} else if (c == ',' && depth == 0) {
			return p;
		}
		p++;
	}
	return e;
}

/* Splits the text after "name(" into the call's arguments.  Returns 1
 * when the closing parenthesis was found, 0 when the text ran out first
 * (the arguments seen so far are kept; the one cut is unknown). */
static int decode_args(struct bg_trace_call *c, const char *p, const char *e)
{
	bool is_clone = !strcmp(c->name, "clone");
	int shift = shifted_from(c->name, c->abi);
	unsigned pos = 0;

	for (;;) {
		bool closed;
		const char *end = arg_end(p, e, &closed);
		const char *s = p, *t = end;
		int idx = (int)pos;

		if (end >= e)
			return 0; /* cut: this argument is incomplete */
		trim(&s, &t);
		if (s < t || pos > 0 || !closed) {
			/* name=value: clone's names say where the value goes */
			const char *q = s;

			while (q < t && is_ident(*q))
				q++;
			if (q > s && q < t && *q == '=' && (q + 1 >= t || q[1] != '=')) {
				if (is_clone)
					idx = clone_arg_index(s, (size_t)(q - s), c->abi);
				s = q + 1;
			}
			if (idx >= 0 && idx < BG_NR_ARGS && (shift < 0 || idx < shift))
				bg_strace_arg(s, (size_t)(t - s), c->abi, &c->args[idx], &c->known[idx]);
			pos++;
		}
		if (closed)
			return 1;
		if (*end != ',')
			return 0; /* a stray ']' or '}': the rest means nothing */
		p = end + 1;
	}
}

/* ------------------------------------------------------------------ */
/* strace: lines */

struct pending {
	long pid;
	unsigned line;
	int abi;
	char name[BG_TRACE_NAME_MAX];
	char *text; /* the arguments printed before <unfinished ...> */
	size_t len;
	uint64_t seq;
};

struct pid_abi {
	long pid;
	int abi;
};

struct bg_strace {
	bg_trace_call_fn call;
	bg_trace_warn_fn warn;
	void *ctx;
	struct pending pend[BG_TRACE_MAX_PENDING];
	unsigned npend;
	uint64_t seq;
	struct pid_abi pids[BG_TRACE_MAX_PIDS];
	unsigned npids;
	int noprefix_abi; /* the last personality announced: for lines without a pid */
	bool pids_full_said;
};

struct bg_strace *bg_strace_new(bg_trace_call_fn call, bg_trace_warn_fn warn, void *ctx)
{
	struct bg_strace *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->call = call;
	s->warn = warn;
	s->ctx = ctx;
	s->noprefix_abi = BG_ABI_X86_64;
	return s;
}

static void warnf(struct bg_strace *s, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void warnf(struct bg_strace *s, unsigned line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s->warn)
		s->warn(s->ctx, line, msg);
}

static int abi_of(struct bg_strace *s, long pid)
{
	if (pid < 0)
		return s->noprefix_abi;
	for (unsigned i = 0; i < s->npids; i++)
		if (s->pids[i].pid == pid)
			return s->pids[i].abi;
	return BG_ABI_X86_64;
}

static void set_abi(struct bg_strace *s, long pid, int abi, unsigned line)
{
	s->noprefix_abi = abi;
	for (unsigned i = 0; i < s->npids; i++) {
		if (s->pids[i].pid != pid)
			continue;
		if (abi == BG_ABI_X86_64)
			s->pids[i] = s->pids[--s->npids];
		else
			s->pids[i].abi = abi;
		return;
	}
	if (abi == BG_ABI_X86_64)
		return;
	if (s->npids < BG_TRACE_MAX_PIDS) {
		s->pids[s->npids++] = (struct pid_abi){ pid, abi };
	} else if (!s->pids_full_said) {
		s->pids_full_said = true;
		warnf(s, line, "more than %d processes changed personality; the calls of the rest are "
		      "read as x86_64", BG_TRACE_MAX_PIDS);
	}
}

static void call_init(struct bg_trace_call *c, const char *name, size_t n, int abi, unsigned line)
{
	memset(c, 0, sizeof(*c));
	if (n >= sizeof(c->name))
		n = sizeof(c->name) - 1;
	memcpy(c->name, name, n);
	c->name[n] = '\0';
	c->abi = abi;
	c->count = 1;
	c->line = line;
	c->entry = -1;
	c->nr = -1;
	if (abi == BG_ABI_X32)
		return;
	/* strace names a number it has no name for syscall_0x1c9 (or decimal) */
	if (!strncmp(c->name, "syscall_", 8) && is_digit(c->name[8])) {
		char *end;
		unsigned long v = strtoul(c->name + 8, &end, 0);

		if (!*end && v < 0x7fffffffUL)
			c->nr = (int)v;
		return;
	}
	c->nr = bg_syscall_nr(abi, c->name);
}

static void emit(struct bg_strace *s, const struct bg_trace_call *c)
{
	if (s->call)
		s->call(s->ctx, c);
}

/* A call whose text is `p..e` (after the '(' ) */
static void emit_text(struct bg_strace *s, const char *name, size_t n, int abi, unsigned line,
		      const char *p, const char *e, bool truncated, bool unfinished)
{
	struct bg_trace_call c;

	call_init(&c, name, n, abi, line);
	if (!decode_args(&c, p, e) && !truncated && !unfinished)
		warnf(s, line, "no ')' after the arguments of %s; the line looks cut, arguments "
		      "past the cut are read as unknown", c.name);
	emit(s, &c);
}

static void pending_flush(struct bg_strace *s, unsigned i)
{
	struct pending *pd = &s->pend[i];

	emit_text(s, pd->name, strlen(pd->name), pd->abi, pd->line, pd->text, pd->text + pd->len,
		  true, true);
	free(pd->text);
	s->pend[i] = s->pend[--s->npend];
}

static int pending_find(struct bg_strace *s, long pid)
{
	for (unsigned i = 0; i < s->npend; i++)
		if (s->pend[i].pid == pid)
			return (int)i;
	return -1;
}

static void pending_add(struct bg_strace *s, long pid, const char *name, size_t n, int abi,
			unsigned line, const char *p, const char *e)
{
	struct pending *pd;
	int old = pending_find(s, pid);

	if (old >= 0)
		pending_flush(s, (unsigned)old); /* it never resumed: count what it showed */
	if (s->npend == BG_TRACE_MAX_PENDING) {
		unsigned oldest = 0;

		for (unsigned i = 1; i < s->npend; i++)
			if (s->pend[i].seq < s->pend[oldest].seq)
				oldest = i;
		pending_flush(s, oldest);
	}
	pd = &s->pend[s->npend];
	memset(pd, 0, sizeof(*pd));
	pd->text = malloc((size_t)(e - p) + 1);
	if (!pd->text) {
		emit_text(s, name, n, abi, line, p, e, true, true);
		return;
	}
	memcpy(pd->text, p, (size_t)(e - p));
	pd->len = (size_t)(e - p);
	pd->pid = pid;
	pd->line = line;
	pd->abi = abi;
	pd->seq = s->seq++;
	if (n >= sizeof(pd->name))
		n = sizeof(pd->name) - 1;
	memcpy(pd->name, name, n);
	s->npend++;
}

/* "<... read resumed>" REST: the call pid left unfinished, completed */
static void resumed(struct bg_strace *s, long pid, const char *name, size_t n, unsigned line,
		    const char *p, const char *e, bool truncated)
{
	int i = pending_find(s, pid);
	struct bg_trace_call c;

	if (i >= 0 && strlen(s->pend[i].name) == n && !memcmp(s->pend[i].name, name, n)) {
		struct pending *pd = &s->pend[i];
		size_t rest = (size_t)(e - p);
		char *all = malloc(pd->len + rest + 1);

		if (all) {
			memcpy(all, pd->text, pd->len);
			memcpy(all + pd->len, p, rest);
			emit_text(s, pd->name, strlen(pd->name), pd->abi, pd->line, all, all + pd->len + rest,
				  truncated, false);
			free(all);
			free(pd->text);
			s->pend[i] = s->pend[--s->npend];
			return;
		}
	}
	if (i >= 0)
		pending_flush(s, (unsigned)i);
	/* the trace began inside this call: its entering arguments are not in it */
	call_init(&c, name, n, abi_of(s, pid), line);
	emit(s, &c);
}

static bool starts(const char *p, const char *e, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(e - p) >= n && !memcmp(p, lit, n);
}

static const char *skip_sp(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* "[ Process PID=1234 runs in 32 bit mode. ]" */
static bool personality(struct bg_strace *s, const char *p, const char *e, unsigned line)
{
	long pid = 0;
	int abi;

	if (!starts(p, e, "[ Process PID="))
		return false;
	p += 14;
	if (p >= e || !is_digit(*p))
		return false;
	while (p < e && is_digit(*p) && pid < 100000000)
		pid = pid * 10 + (*p++ - '0');
	if (starts(p, e, " runs in 64 bit mode"))
		abi = BG_ABI_X86_64;
	else if (starts(p, e, " runs in 32 bit mode"))
		abi = BG_ABI_IA32;
	else if (starts(p, e, " runs in x32 mode"))
		abi = BG_ABI_X32;
	else
		return false;
	set_abi(s, pid, abi, line);
	return true;
}

void bg_strace_line(struct bg_strace *s, const char *line, size_t len, bool truncated, unsigned lineno)
{
	const char *p = line, *e = line + len, *name, *q;
	long pid = -1;
	size_t n;

	while (e > p && (e[-1] == '\n' || e[-1] == '\r'))
		e--;
	p = skip_sp(p, e);
	if (p == e)
		return;
	/* -f: "1234  call(" or "[pid  1234] call(" */
	if (starts(p, e, "[pid")) {
		q = skip_sp(p + 4, e);
		pid = 0;
		while (q < e && is_digit(*q) && pid < 100000000)
			pid = pid * 10 + (*q++ - '0');
		if (q >= e || *q != ']') {
			warnf(s, lineno, "malformed '[pid N]' prefix; expected strace -f output");
			return;
		}
		p = skip_sp(q + 1, e);
	} else if (is_digit(*p)) {
		q = p;
		while (q < e && is_digit(*q))
			q++;
		if (q < e && (*q == ' ' || *q == '\t') && q - p <= 10) {
			pid = strtol(p, NULL, 10);
			p = skip_sp(q, e);
		}
	}
	/* -t/-tt/-ttt/-r timestamps, -i "[00007f..]" and -n "[ 59]" brackets */
	for (;;) {
		q = p;
		while (q < e && (is_digit(*q) || *q == ':' || *q == '.'))
			q++;
		if (q > p && q < e && *q == ' ' && (memchr(p, ':', (size_t)(q - p)) ||
						    memchr(p, '.', (size_t)(q - p)))) {
			p = skip_sp(q, e);
			continue;
		}
		if (p < e && *p == '[' && !starts(p, e, "[ Process")) {
			q = memchr(p, ']', (size_t)(e - p));
			if (q && q + 1 < e && q[1] == ' ' && q - p < 40) {
				p = skip_sp(q + 1, e);
				continue;
			}
		}
		break;
	}
	if (p == e || starts(p, e, "+++") || starts(p, e, "---") || starts(p, e, "strace: ") ||
	    starts(p, e, "> ") || starts(p, e, "(unknown"))
		return; /* exits, signals, strace's own messages, -k stack frames */
	if (personality(s, p, e, lineno))
		return;
	if (starts(p, e, "<... ")) {
		name = p + 5;
		q = name;
		while (q < e && is_ident(*q))
			q++;
		n = (size_t)(q - name);
		if (!n || !starts(q, e, " resumed>")) {
			warnf(s, lineno, "malformed '<... NAME resumed>' line; expected strace output");
			return;
		}
		resumed(s, pid, name, n, lineno, q + 9, e, truncated);
		return;
	}
	name = p;
	q = p;
	while (q < e && is_ident(*q))
		q++;
	n = (size_t)(q - name);
	if (!n || !is_ident_start(*name) || q >= e || *q != '(' || n >= BG_TRACE_NAME_MAX) {
		warnf(s, lineno, "not a call, an exit, a signal or a personality line; expected strace "
		      "output (strace -f -o FILE)");
		return;
	}
	p = q + 1;
	/* "read(3,  <unfinished ...>": the rest comes on a resumed> line */
	q = e;
	while (q > p && q[-1] == ' ')
		q--;
	if (!truncated && (size_t)(q - p) >= 16 && !memcmp(q - 16, "<unfinished ...>", 16)) {
		q -= 16;
		while (q > p && q[-1] == ' ')
			q--;
		pending_add(s, pid, name, n, abi_of(s, pid), lineno, p, q);
		return;
	}
	emit_text(s, name, n, abi_of(s, pid), lineno, p, e, truncated, false);
}

void bg_strace_finish(struct bg_strace *s)
{
	/* calls that never resumed (the process was killed inside them) were
	 * still made: counted in the order they began */
	while (s->npend) {
		unsigned first = 0;

		for (unsigned i = 1; i < s->npend; i++)
			if (s->pend[i].seq < s->pend[first].seq)
				first = i;
		pending_flush(s, first);
	}
}

void bg_strace_free(struct bg_strace *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < s->npend; i++)
		free(s->pend[i].text);
	free(s);
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
	size_t ng;
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
	for (size_t i = 0; i < t->ng; i++) {
		if (same_group(&t->g[i], c, undecidable, &ev.action)) {
			g = &t->g[i];
			break;
		}
	}
	if (!g) {
		if (t->ng >= BG_PTEST_MAX_GROUPS || BG_VEC_RESIZE(t->g, t->ng + 1)) {
			t->groups_dropped = sat_add(t->groups_dropped, c->count);
			return;
		}
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

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * policy.c - the policy IR: building, evaluating, printing, loading.
 *
 * bg_policy_eval() is the reference semantics (see policy.h); every back
 * end is tested against it.  bg_policy_print() emits the native format in
 * a normalised form (one line per action for unconditional rules, one
 * line per conditional rule) that bg_policy_parse_native() reads back to
 * an equivalent policy.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy.h"
#include "syscalls.h"

/* Policy files are small (Docker's default profile is ~20 KiB); the cap
 * only protects against being pointed at something that is not one. */
#define BG_POLICY_FILE_MAX (16u << 20)

/* ------------------------------------------------------------------ */
/* Diagnostics */

void bg_diag_set(struct bg_diag *d, const char *fmt, ...)
{
	if (!d)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	/* One line, always: a newline from a quoted token would break it. */
	for (char *c = d->msg; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
}

void bg_diag_warn(struct bg_diag *d, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!d) {
		fprintf(stderr, "bpfguard: warning: %s\n", msg);
		return;
	}
	d->nwarn++;
	if (d->warn)
		d->warn(d->warn_ctx, msg);
	else
		fprintf(stderr, "bpfguard: warning: %s\n", msg);
}

/* ------------------------------------------------------------------ */
/* Names of things */

const char *bg_verdict_name(unsigned verdict)
{
	switch (verdict) {
	case BG_VERDICT_ALLOW: return "allow";
	case BG_VERDICT_LOG: return "log";
	case BG_VERDICT_ERRNO: return "errno";
	case BG_VERDICT_KILL: return "kill";
	}
	return "?";
}

const char *bg_op_str(unsigned op)
{
	static const char *const ops[BG_OP__COUNT] = {
		[BG_OP_EQ] = "==", [BG_OP_NE] = "!=", [BG_OP_LT] = "<",
		[BG_OP_LE] = "<=", [BG_OP_GT] = ">",  [BG_OP_GE] = ">=",
		[BG_OP_MASKED_EQ] = "&",
	};
	return op < BG_OP__COUNT ? ops[op] : "?";
}

const char *bg_abi_name(unsigned abi)
{
	switch (abi) {
	case BG_ABI_X86_64: return "x86_64";
	case BG_ABI_IA32: return "ia32";
	case BG_ABI_X32: return "x32";
	}
	return "?";
}

static bool action_valid(const struct bg_action *a)
{
	if (a->verdict > BG_VERDICT_KILL)
		return false;
	if (a->verdict == BG_VERDICT_ERRNO)
		return a->err >= 1 && a->err <= 4095;
	return a->err == 0;
}

static bool action_equal(const struct bg_action *a, const struct bg_action *b)
{
	return a->verdict == b->verdict && a->err == b->err;
}

/* Parses the inside of errno(...): a number 1..4095 or an E-name. */
static int parse_errno_value(const char *s, size_t len, uint16_t *err)
{
	char tmp[32];
	if (len == 0 || len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (tmp[0] >= '0' && tmp[0] <= '9') {
		char *end;
		errno = 0;
		unsigned long v = strtoul(tmp, &end, 10);
		if (errno || *end || v < 1 || v > 4095)
			return -ERANGE;
		*err = (uint16_t)v;
		return 0;
	}
	int v = bg_errno_from_name(tmp);
	if (v < 1 || v > 4095)
		return -ENOENT;
	*err = (uint16_t)v;
	return 0;
}

int bg_action_parse(const char *s, struct bg_action *a)
{
	if (!s || !a)
		return -EINVAL;
	struct bg_action r = { 0 };
	if (strcmp(s, "allow") == 0) {
		r.verdict = BG_VERDICT_ALLOW;
	} else if (strcmp(s, "log") == 0) {
		r.verdict = BG_VERDICT_LOG;
	} else if (strcmp(s, "kill") == 0) {
		r.verdict = BG_VERDICT_KILL;
	} else if (strcmp(s, "deny") == 0) {
		r.verdict = BG_VERDICT_ERRNO;
		r.err = EPERM;
	} else if (strncmp(s, "errno(", 6) == 0) {
		size_t len = strlen(s);
		if (len < 8 || s[len - 1] != ')')
			return -EINVAL;
		r.verdict = BG_VERDICT_ERRNO;
		int e = parse_errno_value(s + 6, len - 7, &r.err);
		if (e)
			return e;
	} else {
		return -EINVAL;
	}
	*a = r;
	return 0;
}

const char *bg_action_str(const struct bg_action *a, char *buf, size_t len)
{
	if (a->verdict == BG_VERDICT_ERRNO)
		snprintf(buf, len, "errno(%u)", a->err);
	else
		snprintf(buf, len, "%s", bg_verdict_name(a->verdict));
	return buf;
}

/* errno(EPERM) rather than errno(1) where glibc has a name: for people. */
static const char *action_str_named(const struct bg_action *a, char *buf, size_t len)
{
	const char *n = a->verdict == BG_VERDICT_ERRNO ? bg_errno_name(a->err) : NULL;
	if (n)
		snprintf(buf, len, "errno(%s)", n);
	else
		bg_action_str(a, buf, len);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Building */

bool bg_policy_name_valid(const char *name)
{
	size_t n = 0;
	for (; name[n]; n++) {
		char c = name[n];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
		if (!ok || n >= BG_NAME_MAX - 1)
			return false;
	}
	return n > 0;
}

void bg_policy_name_from_origin(const char *origin, char *name, size_t len)
{
	const char *base = origin ? strrchr(origin, '/') : NULL;
	base = base ? base + 1 : (origin ? origin : "");
	const char *dot = strrchr(base, '.');
	size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	size_t o = 0;
	/* Characters a name may not have become '_': "<stdin>" -> "_stdin_". */
	for (size_t i = 0; i < n && o + 1 < len && o + 1 < BG_NAME_MAX; i++) {
		char c = base[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
		name[o++] = ok ? c : '_';
	}
	if (o == 0 && len > 6) {
		memcpy(name, "policy", 6);
		o = 6;
	}
	if (len)
		name[o < len ? o : len - 1] = '\0';
}

struct bg_policy *bg_policy_new(const char *name)
{
	struct bg_policy *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	snprintf(p->name, sizeof(p->name), "%s", name ? name : "");
	p->format = "native";
	p->dflt.verdict = BG_VERDICT_ERRNO;
	p->dflt.err = EPERM;
	p->ia32_dflt.verdict = BG_VERDICT_KILL;
	return p;
}

void bg_policy_free(struct bg_policy *p)
{
	if (!p)
		return;
	for (int abi = 0; abi < BG_NR_TABLES; abi++)
		for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++)
			free(p->sys[abi][nr].argrules);
	free(p);
}

static bool rule_valid(const struct bg_rule *r)
{
	if (!action_valid(&r->action) || r->ncond > BG_MAX_CONDS)
		return false;
	for (unsigned i = 0; i < r->ncond; i++)
		if (r->cond[i].arg > 5 || r->cond[i].op >= BG_OP__COUNT)
			return false;
	return true;
}

static int add_conditional(struct bg_sysrules *s, const struct bg_rule *r)
{
	if (s->nargrules >= BG_MAX_ARGRULES)
		return -E2BIG;
	struct bg_rule *n = realloc(s->argrules, (s->nargrules + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	s->argrules = n;
	s->argrules[s->nargrules] = *r;
	/* Unused fields zeroed so policies compare (and print) canonically. */
	for (unsigned i = 0; i < r->ncond; i++)
		if (r->cond[i].op != BG_OP_MASKED_EQ)
			s->argrules[s->nargrules].cond[i].mask = 0;
	for (unsigned i = r->ncond; i < BG_MAX_CONDS; i++)
		memset(&s->argrules[s->nargrules].cond[i], 0, sizeof(struct bg_cond));
	s->nargrules++;
	return 0;
}

int bg_policy_add(struct bg_policy *p, int abi, int nr, const struct bg_rule *r)
{
	if (!p || !r || abi < 0 || abi >= BG_NR_TABLES || nr < 0 ||
	    nr >= BG_MAX_SYSCALLS || !rule_valid(r))
		return -EINVAL;
	struct bg_sysrules *s = &p->sys[abi][nr];
	if (r->ncond)
		return add_conditional(s, r);
	if (s->has_base)
		return action_equal(&s->base, &r->action) ? 0 : -EEXIST;
	s->has_base = true;
	s->base = r->action;
	s->base_line = r->line;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Evaluating */

static bool cond_holds(const struct bg_cond *c, const uint64_t args[6])
{
	uint64_t v = args[c->arg];
	switch (c->op) {
	case BG_OP_EQ: return v == c->val;
	case BG_OP_NE: return v != c->val;
	case BG_OP_LT: return v < c->val;
	case BG_OP_LE: return v <= c->val;
	case BG_OP_GT: return v > c->val;
	case BG_OP_GE: return v >= c->val;
	case BG_OP_MASKED_EQ: return (v & c->mask) == c->val;
	}
	return false;
}

static bool rule_matches(const struct bg_rule *r, const uint64_t args[6])
{
	for (unsigned i = 0; i < r->ncond; i++)
		if (!cond_holds(&r->cond[i], args))
			return false;
	return true;
}

struct bg_action bg_policy_eval(const struct bg_policy *p, int abi, int nr,
				const uint64_t args[6])
{
	static const uint64_t zero_args[6];
	const struct bg_action kill = { .verdict = BG_VERDICT_KILL };
	if (abi == BG_ABI_X32 || abi < 0 || abi >= BG_NR_TABLES)
		return kill; /* x32 (and anything we have no table for) */
	const struct bg_action *dflt = abi == BG_ABI_IA32 ? &p->ia32_dflt : &p->dflt;
	if (nr < 0 || nr >= BG_MAX_SYSCALLS)
		return *dflt;
	if (!args)
		args = zero_args;
	const struct bg_sysrules *s = &p->sys[abi][nr];
	for (unsigned i = 0; i < s->nargrules; i++)
		if (rule_matches(&s->argrules[i], args))
			return s->argrules[i].action;
	return s->has_base ? s->base : *dflt;
}

/* ------------------------------------------------------------------ */
/* Printing (native format) */

/* A name as the native parser wants it: "ia32:" prefix for the i386 table. */
static bool print_name(char *buf, size_t len, int abi, int nr)
{
	const char *n = bg_syscall_name(abi, nr);
	if (!n)
		return false;
	snprintf(buf, len, "%s%s", abi == BG_ABI_IA32 ? "ia32:" : "", n);
	return true;
}

static void print_cond(const struct bg_cond *c, FILE *f)
{
	if (c->op == BG_OP_MASKED_EQ)
		fprintf(f, "arg%u & 0x%llx == 0x%llx", c->arg,
			(unsigned long long)c->mask, (unsigned long long)c->val);
	else
		fprintf(f, "arg%u %s 0x%llx", c->arg, bg_op_str(c->op),
			(unsigned long long)c->val);
}

/* All unconditional rules with action `a`, wrapped to about 76 columns. */
static void print_base_rules(const struct bg_policy *p, const struct bg_action *a, FILE *f)
{
	char act[32], name[80];
	action_str_named(a, act, sizeof(act));
	size_t col = 0;
	for (int abi = 0; abi < BG_NR_TABLES; abi++) {
		for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++) {
			const struct bg_sysrules *s = &p->sys[abi][nr];
			if (!s->has_base || !action_equal(&s->base, a) ||
			    !print_name(name, sizeof(name), abi, nr))
				continue;
			if (col && col + strlen(name) + 1 > 76) {
				fputc('\n', f);
				col = 0;
			}
			if (!col)
				col = (size_t)fprintf(f, "%s", act);
			col += (size_t)fprintf(f, " %s", name);
		}
	}
	if (col)
		fputc('\n', f);
}

static void print_conditional_rules(const struct bg_policy *p, FILE *f)
{
	char act[32], name[80];
	for (int abi = 0; abi < BG_NR_TABLES; abi++) {
		for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++) {
			const struct bg_sysrules *s = &p->sys[abi][nr];
			if (!s->nargrules)
				continue;
			if (!print_name(name, sizeof(name), abi, nr)) {
				fprintf(f, "# %s syscall %d has conditional rules but no name; not printed\n",
					bg_abi_name(abi), nr);
				continue;
			}
			for (unsigned i = 0; i < s->nargrules; i++) {
				const struct bg_rule *r = &s->argrules[i];
				fprintf(f, "%s %s if ", action_str_named(&r->action, act, sizeof(act)), name);
				for (unsigned c = 0; c < r->ncond; c++) {
					if (c)
						fputs(" and ", f);
					print_cond(&r->cond[c], f);
				}
				fputc('\n', f);
			}
		}
	}
}

/* Whether an earlier (abi, nr) already has this unconditional action, i.e.
 * its block was printed already. */
static bool base_action_seen_before(const struct bg_policy *p, int abi, int nr)
{
	const struct bg_action *a = &p->sys[abi][nr].base;
	for (int b = 0; b <= abi; b++) {
		int end = b == abi ? nr : BG_MAX_SYSCALLS;
		for (int n = 0; n < end; n++)
			if (p->sys[b][n].has_base && action_equal(&p->sys[b][n].base, a))
				return true;
	}
	return false;
}

void bg_policy_print(const struct bg_policy *p, FILE *f)
{
	char act[32];
	fprintf(f, "# bpfguard policy, normalised from %s (%s)\n",
		p->source[0] ? p->source : "memory", p->format ? p->format : "native");
	if (bg_policy_name_valid(p->name))
		fprintf(f, "name %s\n", p->name);
	fprintf(f, "default %s\n", action_str_named(&p->dflt, act, sizeof(act)));
	fprintf(f, "default ia32 %s\n", action_str_named(&p->ia32_dflt, act, sizeof(act)));

	/* One block per distinct unconditional action, in first-seen order. */
	for (int abi = 0; abi < BG_NR_TABLES; abi++)
		for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++)
			if (p->sys[abi][nr].has_base && !base_action_seen_before(p, abi, nr))
				print_base_rules(p, &p->sys[abi][nr].base, f);
	print_conditional_rules(p, f);
}

/* ------------------------------------------------------------------ */
/* JSON */

static struct json_object *action_json(const struct bg_action *a)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "action", json_object_new_string(bg_verdict_name(a->verdict)));
	if (a->verdict == BG_VERDICT_ERRNO) {
		json_object_object_add(o, "errno", json_object_new_int(a->err));
		const char *n = bg_errno_name(a->err);
		if (n)
			json_object_object_add(o, "errno_name", json_object_new_string(n));
	}
	return o;
}

static struct json_object *cond_json(const struct bg_cond *c)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "arg", json_object_new_int(c->arg));
	json_object_object_add(o, "op", json_object_new_string(bg_op_str(c->op)));
	if (c->op == BG_OP_MASKED_EQ)
		json_object_object_add(o, "mask", json_object_new_uint64(c->mask));
	json_object_object_add(o, "value", json_object_new_uint64(c->val));
	return o;
}

static struct json_object *rule_json(int abi, int nr, const struct bg_action *a,
				     const struct bg_rule *cond_rule, unsigned line)
{
	struct json_object *o = action_json(a);
	const char *name = bg_syscall_name(abi, nr);
	json_object_object_add(o, "abi", json_object_new_string(bg_abi_name(abi)));
	json_object_object_add(o, "nr", json_object_new_int(nr));
	if (name)
		json_object_object_add(o, "syscall", json_object_new_string(name));
	if (cond_rule) {
		struct json_object *conds = json_object_new_array();
		for (unsigned i = 0; i < cond_rule->ncond; i++)
			json_object_array_add(conds, cond_json(&cond_rule->cond[i]));
		json_object_object_add(o, "conditions", conds);
	}
	if (line)
		json_object_object_add(o, "line", json_object_new_int((int)line));
	return o;
}

struct json_object *bg_policy_to_json(const struct bg_policy *p)
{
	struct json_object *root = json_object_new_object();
	struct json_object *rules = json_object_new_array();
	json_object_object_add(root, "name", json_object_new_string(p->name));
	json_object_object_add(root, "source", json_object_new_string(p->source));
	json_object_object_add(root, "format",
			       json_object_new_string(p->format ? p->format : "native"));
	json_object_object_add(root, "default", action_json(&p->dflt));
	json_object_object_add(root, "default_ia32", action_json(&p->ia32_dflt));
	for (int abi = 0; abi < BG_NR_TABLES; abi++) {
		for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++) {
			const struct bg_sysrules *s = &p->sys[abi][nr];
			/* Conditional rules first: that is the evaluation order. */
			for (unsigned i = 0; i < s->nargrules; i++)
				json_object_array_add(rules, rule_json(abi, nr, &s->argrules[i].action,
								       &s->argrules[i], s->argrules[i].line));
			if (s->has_base)
				json_object_array_add(rules, rule_json(abi, nr, &s->base, NULL,
								       s->base_line));
		}
	}
	json_object_object_add(root, "rules", rules);
	json_object_object_add(root, "x32", json_object_new_string("kill"));
	return root;
}

/* ------------------------------------------------------------------ */
/* Loading */

static bool looks_like_json(const char *buf, size_t len)
{
	size_t i = 0;
	/* A UTF-8 byte order mark is legal before JSON written on Windows. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	for (; i < len; i++) {
		if (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r')
			continue;
		return buf[i] == '{';
	}
	return false;
}

int bg_policy_parse(const char *buf, size_t len, const char *origin,
		    struct bg_policy **out, struct bg_diag *d)
{
	if (!buf && len) {
		bg_diag_set(d, "%s: no input; pass a buffer", origin ? origin : "<memory>");
		return -1;
	}
	if (looks_like_json(buf, len))
		return bg_policy_parse_docker(buf, len, origin, out, d);
	return bg_policy_parse_native(buf, len, origin, out, d);
}

static int read_file(const char *path, char **buf, size_t *len, struct bg_diag *d)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		bg_diag_set(d, "%s: cannot open: %s; check the path", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > BG_POLICY_FILE_MAX) {
		bg_diag_set(d, "%s: not a regular file of at most %u bytes; pass a policy file",
			    path, BG_POLICY_FILE_MAX);
		close(fd);
		return -1;
	}
	size_t cap = (size_t)st.st_size, n = 0;
	char *b = malloc(cap ? cap : 1);
	if (!b) {
		bg_diag_set(d, "%s: out of memory; free some memory", path);
		close(fd);
		return -1;
	}
	while (n < cap) {
		ssize_t r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			bg_diag_set(d, "%s: read failed: %s; check the file", path, strerror(errno));
			free(b);
			close(fd);
			return -1;
		}
		if (r == 0)
			break; /* shrank while we read: use what we got */
		n += (size_t)r;
	}
	close(fd);
	*buf = b;
	*len = n;
	return 0;
}

int bg_policy_load(const char *path, struct bg_policy **out, struct bg_diag *d)
{
	char *buf;
	size_t len;
	if (read_file(path, &buf, &len, d) < 0)
		return -1;
	int r = bg_policy_parse(buf, len, path, out, d);
	free(buf);
	if (r == 0)
		snprintf((*out)->source, sizeof((*out)->source), "%s", path);
	return r;
}

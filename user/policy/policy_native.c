/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * policy_native.c - parser for bpfguard's own policy format.
 *
 *   name go-static
 *   default errno(EPERM)
 *   allow @go-runtime read write
 *   kill ptrace
 *   allow clone if arg0 & 0x7E020000 == 0 and arg1 != 0
 *   net connect allow 127.0.0.0/8 port 80,443 tcp
 *   dev allow c 1:3 rw
 *   sysctl read-only
 *
 * docs/policy.md is the specification.  The input is untrusted and not
 * NUL-terminated: every line is bounded (BG_LINE_MAX) and copied into a
 * local buffer before it is looked at, so nothing reads past buf+len.
 *
 * Conflicts between unconditional rules: a syscall named explicitly wins
 * over the same syscall reached through a @group (that is how "allow
 * @file-system" + "deny unlink" reads); two explicit names, or two groups,
 * that disagree are an error naming both lines, because either choice
 * would silently drop something the author wrote.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy.h"
#include "policy_hatches.h"
#include "util.h"
#include "syscalls.h"

#define BG_LINE_MAX 4096
/* A line of BG_LINE_MAX bytes has at most this many tokens ("a b c"). */
#define MAX_TOKENS (BG_LINE_MAX / 2 + 2)

enum base_origin {
	BASE_NONE = 0,
	BASE_EXPLICIT, /* the syscall was named */
	BASE_GROUP,    /* reached through a @group */
};

/* A tokenised line: words and operators, each NUL-terminated in `store`. */
struct line_tokens {
	char store[2 * BG_LINE_MAX + 2];
	char *tok[MAX_TOKENS];
	unsigned n;
};

/* One name on an action line, resolved. */
struct name_target {
	int abi;
	const char *group;      /* static group name if a @group, else NULL */
	unsigned char set[BG_MAX_SYSCALLS];
};

struct native_parser {
	const char *origin;
	struct bg_diag *d;
	struct bg_policy *p;
	unsigned line;
	unsigned name_line, default_line, default_ia32_line;
	/* Where each unconditional rule came from, for conflict handling. */
	unsigned char base_origin[BG_NR_TABLES][BG_MAX_SYSCALLS];
	const char *base_group[BG_NR_TABLES][BG_MAX_SYSCALLS]; /* static group name */
	unsigned net_none_line, net_family_line, net_type_line, dev_none_line;
	struct line_tokens *tokens; /* scratch for the current line */
	struct name_target *target; /* scratch for the current name */
};

#define perr(ps, ...) parse_error(ps, __VA_ARGS__)

__attribute__((format(printf, 2, 3)))
static int parse_error(struct native_parser *ps, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bg_diag_vat(ps->d, ps->origin, ps->line, fmt, ap);
	va_end(ap);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Lexing */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_op_char(char c)
{
	return c == '=' || c == '!' || c == '<' || c == '>' || c == '&';
}

/* Splits `s` (NUL-terminated, comment already cut) into words and the
 * operators == != < <= > >= &, so "arg0==1" and "arg0 == 1" are the same. */
static void tokenize(const char *s, struct line_tokens *t)
{
	char *out = t->store;
	t->n = 0;
	while (*s) {
		if (is_space(*s)) {
			s++;
			continue;
		}
		t->tok[t->n++] = out;
		if (is_op_char(*s)) {
			*out++ = *s++;
			if (*s == '=' && out[-1] != '&')
				*out++ = *s++;
		} else {
			while (*s && !is_space(*s) && !is_op_char(*s))
				*out++ = *s++;
		}
		*out++ = '\0';
	}
}

/* ------------------------------------------------------------------ */
/* Suggestions for misspelt names */

/* Optimal string alignment distance: insertions, deletions, substitutions
 * and swaps of neighbours ("opne" -> "open") each cost one. */
static unsigned edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned rows[3][BG_NAME_MAX + 1];
	if (la > BG_NAME_MAX || lb > BG_NAME_MAX)
		return ~0u;
	unsigned *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned best = prev[j - 1] + (a[i - 1] != b[j - 1]);
			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
		unsigned *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

/* Close enough to be a typo: one edit for short names, a third for long. */
static bool near_miss(const char *typed, const char *cand, unsigned *best)
{
	unsigned dist = edit_distance(typed, cand);
	unsigned limit = strlen(typed) / 3;
	if (limit < 1)
		limit = 1;
	if (dist > limit || dist >= *best)
		return false;
	*best = dist;
	return true;
}

const char *bg_syscall_suggest(int abi, const char *name)
{
	const char *hit = NULL;
	unsigned best = ~0u;
	for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++) {
		const char *cand = bg_syscall_name(abi, nr);
		if (cand && near_miss(name, cand, &best))
			hit = cand;
	}
	return hit;
}

static const char *suggest_group(const char *name)
{
	const char *hit = NULL;
	unsigned best = ~0u;
	for (const char *const *g = bg_group_names(); *g; g++)
		if (near_miss(name, *g, &best))
			hit = *g;
	return hit;
}

/* ------------------------------------------------------------------ */
/* Values */

struct named_const {
	const char *name;
	uint64_t val;
};

/* Constants people put in conditions, and that `policy eval` arguments
 * and the strace reader of `policy test` decode (policy_test.c): one
 * table.  Only ones whose value is the same for every call they are used
 * with; flags like O_CREAT are x86 values.  O_LARGEFILE is not here: the
 * bit strace prints under that name is not glibc's O_LARGEFILE (0). */
static const struct named_const named_consts[] = {
	{ "AF_UNIX", AF_UNIX },		  { "AF_INET", AF_INET },
	{ "AF_INET6", AF_INET6 },	  { "AF_NETLINK", AF_NETLINK },
	{ "AF_PACKET", AF_PACKET },	  { "SOCK_STREAM", SOCK_STREAM },
	{ "SOCK_DGRAM", SOCK_DGRAM },	  { "SOCK_RAW", SOCK_RAW },
	{ "SOCK_SEQPACKET", SOCK_SEQPACKET }, { "SOCK_CLOEXEC", SOCK_CLOEXEC },
	{ "SOCK_NONBLOCK", SOCK_NONBLOCK }, { "IPPROTO_IP", IPPROTO_IP },
	{ "IPPROTO_TCP", IPPROTO_TCP },	  { "IPPROTO_UDP", IPPROTO_UDP },
	{ "CLONE_NEWUSER", CLONE_NEWUSER }, { "CLONE_NEWNS", CLONE_NEWNS },
	{ "CLONE_NEWPID", CLONE_NEWPID }, { "CLONE_NEWNET", CLONE_NEWNET },
	{ "CLONE_NEWIPC", CLONE_NEWIPC }, { "CLONE_NEWUTS", CLONE_NEWUTS },
	{ "CLONE_NEWCGROUP", CLONE_NEWCGROUP }, { "CLONE_THREAD", CLONE_THREAD },
	{ "CLONE_VM", CLONE_VM },	  { "CLONE_FS", CLONE_FS },
	{ "CLONE_FILES", CLONE_FILES },	  { "CLONE_SIGHAND", CLONE_SIGHAND },
	{ "CLONE_VFORK", CLONE_VFORK },	  { "CLONE_SYSVSEM", CLONE_SYSVSEM },
	{ "CLONE_SETTLS", CLONE_SETTLS }, { "CLONE_PARENT_SETTID", CLONE_PARENT_SETTID },
	{ "CLONE_CHILD_CLEARTID", CLONE_CHILD_CLEARTID },
	{ "CLONE_CHILD_SETTID", CLONE_CHILD_SETTID }, { "SIGCHLD", 17 },
	{ "O_RDONLY", O_RDONLY },	  { "O_WRONLY", O_WRONLY },
	{ "O_RDWR", O_RDWR },		  { "O_CREAT", O_CREAT },
	{ "O_EXCL", O_EXCL },		  { "O_TRUNC", O_TRUNC },
	{ "O_APPEND", O_APPEND },	  { "O_NONBLOCK", O_NONBLOCK },
	{ "O_DIRECTORY", O_DIRECTORY },	  { "O_NOFOLLOW", O_NOFOLLOW },
	{ "O_CLOEXEC", O_CLOEXEC },	  { "PROT_NONE", 0 },
	{ "PROT_READ", 1 },		  { "PROT_WRITE", 2 },
	{ "PROT_EXEC", 4 },
};

static int parse_one_value(const char *s, size_t len, uint64_t *out)
{
	char tmp[72];
	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (tmp[0] >= '0' && tmp[0] <= '9') {
		char *end;
		errno = 0;
		/* base 0: 0x.. hex, 0.. octal, else decimal.  A sign is not a
		 * digit, so "-1" never reaches strtoull (which would wrap it). */
		unsigned long long v = strtoull(tmp, &end, 0);
		if (errno || *end)
			return -1;
		*out = v;
		return 0;
	}
	for (size_t i = 0; i < sizeof(named_consts) / sizeof(named_consts[0]); i++) {
		if (strcmp(named_consts[i].name, tmp) == 0) {
			*out = named_consts[i].val;
			return 0;
		}
	}
	return -1;
}

/* NUMBER or CONSTANT, or several joined with '|' (CLONE_NEWNS|CLONE_NEWPID). */
int bg_policy_parse_value(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	const char *end = s + len;

	if (!s || !len)
		return -1;
	for (;;) {
		const char *bar = memchr(s, '|', (size_t)(end - s));
		size_t n = bar ? (size_t)(bar - s) : (size_t)(end - s);
		uint64_t part;
		if (parse_one_value(s, n, &part) < 0)
			return -1;
		v |= part;
		if (!bar)
			break;
		s = bar + 1;
	}
	*out = v;
	return 0;
}

static int parse_value(const char *s, uint64_t *out)
{
	return bg_policy_parse_value(s, strlen(s), out);
}

static int value_or_error(struct native_parser *ps, const char *tok, uint64_t *v)
{
	if (parse_value(tok, v) == 0)
		return 0;
	return perr(ps, "bad number '%.64s'; use decimal, 0x hex, 0 octal (up to 64 bits) "
		    "or a constant such as AF_INET or CLONE_NEWUSER (see docs/policy.md)", tok);
}

/* ------------------------------------------------------------------ */
/* Conditions: argN OP VALUE | argN & MASK == VALUE, joined by 'and' */

static int parse_op(const char *tok)
{
	static const char *const ops[] = { [BG_OP_EQ] = "==", [BG_OP_NE] = "!=",
					   [BG_OP_LT] = "<",  [BG_OP_LE] = "<=",
					   [BG_OP_GT] = ">",  [BG_OP_GE] = ">=" };
	for (int i = 0; i < (int)(sizeof(ops) / sizeof(ops[0])); i++)
		if (strcmp(ops[i], tok) == 0)
			return i;
	return -1;
}

static int parse_arg_index(struct native_parser *ps, const char *tok, uint8_t *arg)
{
	if (strncmp(tok, "arg", 3) == 0 && tok[3] >= '0' && tok[3] <= '5' && !tok[4]) {
		*arg = (uint8_t)(tok[3] - '0');
		return 0;
	}
	return perr(ps, "expected arg0..arg5, got '%.64s'; conditions look like 'arg0 == 1'", tok);
}

static const char *tok_at(const struct line_tokens *t, unsigned i)
{
	return i < t->n ? t->tok[i] : "";
}

/* Parses one condition starting at token *i; advances *i past it. */
static int parse_cond(struct native_parser *ps, const struct line_tokens *t, unsigned *i,
		      struct bg_cond *c)
{
	memset(c, 0, sizeof(*c));
	if (parse_arg_index(ps, tok_at(t, *i), &c->arg) < 0)
		return -1;
	const char *op = tok_at(t, *i + 1);
	if (strcmp(op, "&") == 0) {
		if (value_or_error(ps, tok_at(t, *i + 2), &c->mask) < 0)
			return -1;
		if (strcmp(tok_at(t, *i + 3), "==") != 0)
			return perr(ps, "expected '==' after 'arg%u & MASK', got '%.64s'; "
				    "masked tests look like 'arg0 & 0x10 == 0'", c->arg,
				    tok_at(t, *i + 3));
		if (value_or_error(ps, tok_at(t, *i + 4), &c->val) < 0)
			return -1;
		c->op = BG_OP_MASKED_EQ;
		*i += 5;
		return 0;
	}
	int o = parse_op(op);
	if (o < 0)
		return perr(ps, "bad operator '%.16s' after 'arg%u'; use == != < <= > >= or '& MASK =='",
			    op, c->arg);
	c->op = (uint8_t)o;
	if (value_or_error(ps, tok_at(t, *i + 2), &c->val) < 0)
		return -1;
	*i += 3;
	return 0;
}

static int parse_conds(struct native_parser *ps, const struct line_tokens *t, unsigned i,
		       struct bg_rule *r)
{
	if (i >= t->n)
		return perr(ps, "'if' needs a condition; write e.g. 'if arg0 == 1'");
	for (;;) {
		if (r->ncond == BG_MAX_CONDS)
			return perr(ps, "too many conditions (at most %d joined by 'and'); "
				    "split the rule or drop a condition", BG_MAX_CONDS);
		if (parse_cond(ps, t, &i, &r->cond[r->ncond]) < 0)
			return -1;
		r->ncond++;
		if (i >= t->n)
			return 0;
		if (strcmp(t->tok[i], "and") != 0)
			return perr(ps, "unexpected '%.64s' after a condition; join conditions with 'and'",
				    t->tok[i]);
		i++;
	}
}

/* ------------------------------------------------------------------ */
/* Names: read, ia32:read, @group, ia32:@group */

static int resolve_syscall(struct native_parser *ps, const char *name, struct name_target *nt)
{
	int nr = bg_syscall_nr(nt->abi, name);
	if (nr >= 0) {
		nt->set[nr] = 1;
		return 0;
	}
	int other = nt->abi == BG_ABI_IA32 ? BG_ABI_X86_64 : BG_ABI_IA32;
	if (bg_syscall_nr(other, name) >= 0)
		return perr(ps, "unknown syscall '%.64s' for %s; it exists only in the %s table: write '%s%.64s'",
			    name, bg_abi_name(nt->abi), bg_abi_name(other),
			    other == BG_ABI_IA32 ? "ia32:" : "", name);
	const char *hint = bg_syscall_suggest(nt->abi, name);
	if (hint)
		return perr(ps, "unknown syscall '%.64s' for %s; check the name (did you mean '%s'?)",
			    name, bg_abi_name(nt->abi), hint);
	return perr(ps, "unknown syscall '%.64s' for %s; check the name (`man 2 syscalls`)",
		    name, bg_abi_name(nt->abi));
}

static int resolve_group(struct native_parser *ps, const char *name, struct name_target *nt)
{
	int r = bg_group_expand(name, nt->abi, nt->set);
	if (r == -ELOOP)
		return perr(ps, "group '%.64s' nests too deeply or refers to itself; report this bug",
			    name);
	if (r < 0) {
		const char *hint = suggest_group(name);
		if (hint)
			return perr(ps, "unknown group '%.64s'; did you mean '%s'? "
				    "(`bpfguard policy groups` lists them)", name, hint);
		return perr(ps, "unknown group '%.64s'; `bpfguard policy groups` lists the groups",
			    name);
	}
	/* Keep the table's own spelling: it outlives this line. */
	for (const char *const *g = bg_group_names(); *g; g++)
		if (strcmp(*g + 1, name + 1) == 0)
			nt->group = *g;
	return 0;
}

static int resolve_name(struct native_parser *ps, const char *tok, struct name_target *nt)
{
	memset(nt, 0, sizeof(*nt));
	nt->abi = BG_ABI_X86_64;
	const char *name = tok;
	const char *colon = strchr(tok, ':');
	if (colon) {
		size_t plen = (size_t)(colon - tok);
		if (plen == 4 && strncmp(tok, "ia32", 4) == 0)
			nt->abi = BG_ABI_IA32;
		else if (!(plen == 6 && strncmp(tok, "x86_64", 6) == 0))
			return perr(ps, "unknown ABI prefix in '%.64s'; use 'ia32:NAME' for the i386 table "
				    "or no prefix for x86_64", tok);
		name = colon + 1;
	}
	if (!*name)
		return perr(ps, "'%.64s' has no syscall name after the ABI prefix; write e.g. 'ia32:read'",
			    tok);
	if (name[0] == '@')
		return resolve_group(ps, name, nt);
	return resolve_syscall(ps, name, nt);
}

/* ------------------------------------------------------------------ */
/* Applying a rule */

static void describe_origin(char *buf, size_t len, unsigned line, const char *group)
{
	if (group)
		snprintf(buf, len, "line %u (via %s)", line, group);
	else
		snprintf(buf, len, "line %u", line);
}

/* "errno(EPERM)" where the number has a name: messages are for people. */
static const char *action_text(const struct bg_action *a, char *buf, size_t len)
{
	const char *n = a->verdict == BG_VERDICT_ERRNO ? bg_errno_name(a->err) : NULL;
	if (n) {
		snprintf(buf, len, "errno(%s)", n);
		return buf;
	}
	return bg_action_str(a, buf, len);
}

static int conflict_error(struct native_parser *ps, int abi, int nr, const struct bg_action *want,
			  const char *group)
{
	const struct bg_sysrules *s = &ps->p->sys[abi][nr];
	char old_act[32], new_act[32], old_where[96], new_where[96];
	describe_origin(old_where, sizeof(old_where), s->base_line, ps->base_group[abi][nr]);
	describe_origin(new_where, sizeof(new_where), ps->line, group);
	return perr(ps, "conflicting rules for '%s%s': %s says %s, %s says %s; "
		    "keep one (a syscall named explicitly overrides a @group)",
		    abi == BG_ABI_IA32 ? "ia32:" : "", bg_syscall_name(abi, nr),
		    old_where, action_text(&s->base, old_act, sizeof(old_act)),
		    new_where, action_text(want, new_act, sizeof(new_act)));
}

static int apply_base(struct native_parser *ps, int abi, int nr, const struct bg_rule *r,
		      const char *group)
{
	struct bg_sysrules *s = &ps->p->sys[abi][nr];
	int e = bg_policy_add(ps->p, abi, nr, r);
	if (e == 0) {
		if (ps->base_origin[abi][nr] == BASE_NONE) {
			ps->base_origin[abi][nr] = group ? BASE_GROUP : BASE_EXPLICIT;
			ps->base_group[abi][nr] = group;
		}
		return 0;
	}
	if (e != -EEXIST)
		return perr(ps, "cannot add rule (%s); report this bug", strerror(-e));
	unsigned char old = ps->base_origin[abi][nr];
	if (group && old == BASE_EXPLICIT)
		return 0; /* the explicit name already decided this one */
	if (!group && old == BASE_GROUP) {
		s->base = r->action;
		s->base_line = r->line;
		ps->base_origin[abi][nr] = BASE_EXPLICIT;
		ps->base_group[abi][nr] = NULL;
		return 0;
	}
	return conflict_error(ps, abi, nr, &r->action, group);
}

static int apply_target(struct native_parser *ps, const struct name_target *nt,
			const struct bg_rule *r)
{
	for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++) {
		if (!nt->set[nr])
			continue;
		if (!nt->group)
			ps->p->sys[nt->abi][nr].named = true;
		if (!r->ncond) {
			if (apply_base(ps, nt->abi, nr, r, nt->group) < 0)
				return -1;
			continue;
		}
		int e = bg_policy_add(ps->p, nt->abi, nr, r);
		if (e == -E2BIG)
			return perr(ps, "too many conditional rules for '%s%s' (at most %d); "
				    "merge conditions or use an unconditional rule",
				    nt->abi == BG_ABI_IA32 ? "ia32:" : "",
				    bg_syscall_name(nt->abi, nr), BG_MAX_ARGRULES);
		if (e < 0)
			return perr(ps, "cannot add rule (%s); report this bug", strerror(-e));
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Lines */

static int parse_action_token(struct native_parser *ps, const char *tok, struct bg_action *a)
{
	int e = bg_action_parse(tok, a);
	if (e == 0)
		return 0;
	if (strncmp(tok, "errno(", 6) == 0) {
		if (e == -ERANGE)
			return perr(ps, "errno value in '%.64s' out of range; use 1..4095 or a name like EACCES",
				    tok);
		if (e == -ENOENT)
			return perr(ps, "unknown errno name in '%.64s'; use a name like EPERM or EACCES, or a number",
				    tok);
		return perr(ps, "malformed '%.64s'; write errno(EPERM) or errno(13)", tok);
	}
	return perr(ps, "unknown action '%.64s'; use allow, log, deny, kill or errno(NAME|NUMBER)", tok);
}

static int parse_name_line(struct native_parser *ps, const struct line_tokens *t)
{
	if (t->n != 2)
		return perr(ps, "'name' takes exactly one word; write e.g. 'name go-static'");
	if (ps->name_line)
		return perr(ps, "second 'name' (first on line %u); keep one", ps->name_line);
	if (!bg_policy_name_valid(t->tok[1]))
		return perr(ps, "bad policy name '%.64s'; use 1..63 of A-Z a-z 0-9 . _ -", t->tok[1]);
	snprintf(ps->p->name, sizeof(ps->p->name), "%s", t->tok[1]);
	ps->name_line = ps->line;
	return 0;
}

/* "default ACTION" (x86_64) or "default ia32 ACTION" (the i386 table). */
static int parse_default_line(struct native_parser *ps, const struct line_tokens *t)
{
	if (t->n == 3 && strcmp(t->tok[1], "ia32") == 0) {
		if (ps->default_ia32_line)
			return perr(ps, "second 'default ia32' (first on line %u); keep one",
				    ps->default_ia32_line);
		if (parse_action_token(ps, t->tok[2], &ps->p->ia32_dflt) < 0)
			return -1;
		ps->default_ia32_line = ps->line;
		return 0;
	}
	if (t->n != 2)
		return perr(ps, "'default' takes one action (or 'ia32' and one action); write e.g. 'default errno(EPERM)'");
	if (ps->default_line)
		return perr(ps, "second 'default' (first on line %u); keep one", ps->default_line);
	if (parse_action_token(ps, t->tok[1], &ps->p->dflt) < 0)
		return -1;
	ps->default_line = ps->line;
	return 0;
}

static int parse_rule_line(struct native_parser *ps, const struct line_tokens *t)
{
	struct bg_rule r = { .line = ps->line };
	if (parse_action_token(ps, t->tok[0], &r.action) < 0)
		return -1;
	unsigned names_end = 1;
	while (names_end < t->n && strcmp(t->tok[names_end], "if") != 0)
		names_end++;
	if (names_end == 1)
		return perr(ps, "'%.64s' needs at least one syscall or @group; write e.g. '%.64s read'",
			    t->tok[0], t->tok[0]);
	if (names_end < t->n && parse_conds(ps, t, names_end + 1, &r) < 0)
		return -1;

	/* A failed line fails the whole parse, so applying name by name
	 * cannot leave a half-built policy behind. */
	for (unsigned i = 1; i < names_end; i++) {
		if (is_op_char(t->tok[i][0]))
			return perr(ps, "unexpected '%.16s' among names; conditions go after 'if'",
				    t->tok[i]);
		if (resolve_name(ps, t->tok[i], ps->target) < 0 ||
		    apply_target(ps, ps->target, &r) < 0)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Sections for the cgroup hooks: net, dev, sysctl */

static int net_dir_from(const char *s)
{
	for (int d = 0; d < BG_NET_NDIRS; d++)
		if (strcmp(s, bg_net_dir_name(d)) == 0)
			return d;
	return -1;
}

/* allow, deny (EPERM) or errno(NAME|N): a denial with that errno (the
 * hooks return it where the kernel has bpf_set_retval, 5.18+). */
static int net_action_from(const char *s, uint16_t *err)
{
	struct bg_action a;

	*err = 0;
	if (strcmp(s, "allow") == 0)
		return BG_NET_ALLOW;
	if (strcmp(s, "deny") == 0)
		return BG_NET_DENY;
	if (strncmp(s, "errno(", 6) == 0 && bg_action_parse(s, &a) == 0 && a.verdict == BG_VERDICT_ERRNO) {
		*err = a.err;
		return BG_NET_DENY;
	}
	return -1;
}

/* Decimal 0..max, no sign, no leading garbage. */
static bool parse_uint(const char *s, size_t len, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	if (len == 0 || len > 10)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

/* "any" | IPv4[/N] | IPv6[/N] into r->family/addr/prefix. */
static int parse_net_addr(struct native_parser *ps, const char *tok, struct bg_netrule *r)
{
	char ip[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(tok, '/');
	size_t n = slash ? (size_t)(slash - tok) : strlen(tok);
	unsigned long prefix;

	if (strcmp(tok, "any") == 0) {
		r->family = 0;
		r->prefix = 0;
		return 0;
	}
	if (n == 0 || n >= sizeof(ip))
		return perr(ps, "bad address '%.64s'; write an IPv4 or IPv6 address with an optional /PREFIX "
			    "(10.0.0.0/8, ::1/128) or 'any'", tok);
	memcpy(ip, tok, n);
	ip[n] = '\0';
	if (inet_pton(AF_INET, ip, r->addr) == 1)
		r->family = 4;
	else if (inet_pton(AF_INET6, ip, r->addr) == 1)
		r->family = 6;
	else
		return perr(ps, "bad address '%.64s'; write an IPv4 or IPv6 address with an optional /PREFIX "
			    "(10.0.0.0/8, ::1/128) or 'any'", tok);
	unsigned max = r->family == 4 ? 32 : 128;
	if (!slash)
		prefix = max;
	else if (!parse_uint(slash + 1, strlen(slash + 1), max, &prefix))
		return perr(ps, "bad prefix length in '%.64s'; use /0../%u for IPv%u", tok, max, r->family);
	r->prefix = (uint8_t)prefix;
	/* Bits past the prefix are almost always a typo for another network. */
	uint8_t masked[16];
	bool stray = false;
	memcpy(masked, r->addr, sizeof(masked));
	for (unsigned bit = r->prefix; bit < max; bit++) {
		uint8_t m = (uint8_t)(0x80u >> (bit % 8));
		if (masked[bit / 8] & m)
			stray = true;
		masked[bit / 8] &= (uint8_t)~m;
	}
	if (stray) {
		char fix[INET6_ADDRSTRLEN];
		inet_ntop(r->family == 4 ? AF_INET : AF_INET6, masked, fix, sizeof(fix));
		return perr(ps, "address '%.64s' has bits set past the /%u prefix; write %s/%u", tok,
			    r->prefix, fix, r->prefix);
	}
	/* ::ffff:a.b.c.d is an IPv4 peer and is judged by the IPv4 rules, so
	 * an IPv6 rule for it would never match. */
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (r->family == 6 && r->prefix >= 96 && memcmp(r->addr, mapped, sizeof(mapped)) == 0) {
		char v4[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, r->addr + 12, v4, sizeof(v4));
		return perr(ps, "'%.64s' is an IPv4-mapped address, and IPv4 peers are judged by the IPv4 rules "
			    "whatever the socket; write %s/%u", tok, v4, r->prefix - 96);
	}
	return 0;
}

/* "80", "8000-8080", "80,443,8000-8080" -> ranges */
static int parse_ports(struct native_parser *ps, const char *tok, uint16_t lo[], uint16_t hi[],
		       unsigned max, unsigned *n)
{
	const char *p = tok;
	*n = 0;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const char *dash = memchr(p, '-', len);
		unsigned long a, b;
		bool ok = dash ? parse_uint(p, (size_t)(dash - p), 65535, &a) &&
				 parse_uint(dash + 1, len - (size_t)(dash - p) - 1, 65535, &b)
			       : parse_uint(p, len, 65535, &a);
		if (!dash)
			b = a;
		if (!ok)
			return perr(ps, "bad port list '%.64s'; write ports 0..65535 and ranges joined by commas "
				    "(80,443,8000-8080)", tok);
		if (a > b)
			return perr(ps, "port range %lu-%lu is backwards in '%.64s'; write %lu-%lu", a, b, tok, b, a);
		if (*n == max)
			return perr(ps, "too many port ranges for one direction (at most %d rules, one per range); "
				    "merge ranges", BG_NET_MAX_RULES);
		lo[*n] = (uint16_t)a;
		hi[*n] = (uint16_t)b;
		(*n)++;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

static int net_start(struct native_parser *ps)
{
	if (ps->net_none_line)
		return perr(ps, "'net none' on line %u already forbids inet sockets; drop it to write other "
			    "'net' lines", ps->net_none_line);
	if (!ps->p->net.present) {
		bg_net_init(&ps->p->net);
		ps->p->net.line = ps->line;
	}
	return 0;
}

static int parse_net_family(struct native_parser *ps, const struct line_tokens *t)
{
	uint64_t fam = 0;
	bool none = false;
	if (ps->net_family_line)
		return perr(ps, "second 'net family' (first on line %u); keep one", ps->net_family_line);
	if (t->n < 3)
		return perr(ps, "'net family' needs names; write e.g. 'net family inet inet6' (or 'none')");
	for (unsigned i = 2; i < t->n; i++) {
		const char *f = t->tok[i];
		if (strcmp(f, "inet") == 0)
			fam |= 1ULL << AF_INET;
		else if (strcmp(f, "inet6") == 0)
			fam |= 1ULL << AF_INET6;
		else if (strcmp(f, "unix") == 0)
			fam |= 1ULL << AF_UNIX; /* for readability: never judged, always allowed */
		else if (strcmp(f, "none") == 0)
			none = true;
		else if (strcmp(f, "netlink") == 0 || strcmp(f, "packet") == 0)
			return perr(ps, "'net family' cannot restrict '%s': the kernel's socket hook sees only inet "
				    "and inet6 sockets; other families are always allowed by 'net', so restrict "
				    "them with a syscall rule such as 'deny socket if arg0 == AF_%s'", f,
				    f[0] == 'n' ? "NETLINK" : "PACKET");
		else
			return perr(ps, "unknown socket family '%.64s'; use inet, inet6, unix or none", f);
	}
	if (none && fam)
		return perr(ps, "'net family' lists 'none' with other families; write one or the other");
	ps->p->net.families = fam;
	ps->net_family_line = ps->line;
	return 0;
}

static int parse_net_type(struct native_parser *ps, const struct line_tokens *t)
{
	static const char *const names[] = { [1] = "stream", [2] = "dgram", [3] = "raw",
					     [4] = "rdm", [5] = "seqpacket" };
	uint32_t types = 0;
	bool none = false;
	if (ps->net_type_line)
		return perr(ps, "second 'net type' (first on line %u); keep one", ps->net_type_line);
	if (t->n < 3)
		return perr(ps, "'net type' needs names; write e.g. 'net type stream dgram' (or 'none')");
	for (unsigned i = 2; i < t->n; i++) {
		unsigned k;
		if (strcmp(t->tok[i], "none") == 0) {
			none = true;
			continue;
		}
		for (k = 1; k <= 5; k++)
			if (strcmp(t->tok[i], names[k]) == 0)
				break;
		if (k > 5)
			return perr(ps, "unknown socket type '%.64s'; use stream, dgram, raw, rdm, seqpacket or none",
				    t->tok[i]);
		types |= 1u << k;
	}
	if (none && types)
		return perr(ps, "'net type' lists 'none' with other types; write one or the other");
	ps->p->net.types = types;
	ps->net_type_line = ps->line;
	return 0;
}

/* net DIR default ACTION | net DIR ACTION ADDR [port LIST] [tcp|udp] */
static int parse_net_rule(struct native_parser *ps, const struct line_tokens *t, int dir)
{
	struct bg_netdir *d = &ps->p->net.dir[dir];
	const char *dn = bg_net_dir_name(dir);
	struct bg_netrule r = { .line = ps->line, .port_hi = 65535 };
	uint16_t lo[BG_NET_MAX_RULES], hi[BG_NET_MAX_RULES];
	unsigned nports = 0;
	bool have_port = false, have_proto = false;
	int act;

	if (t->n >= 3 && strcmp(t->tok[2], "default") == 0) {
		if (t->n != 4 || (act = net_action_from(t->tok[3], &d->dflt_err)) < 0)
			return perr(ps, "'net %s default' takes allow, deny or errno(NAME); write e.g. "
				    "'net %s default deny'", dn, dn);
		if (d->has_default)
			return perr(ps, "second 'net %s default' (first on line %u); keep one", dn, d->default_line);
		d->has_default = true;
		d->dflt = (uint8_t)act;
		d->default_line = ps->line;
		return 0;
	}
	if (t->n < 4 || (act = net_action_from(t->tok[2], &r.err)) < 0)
		return perr(ps, "'net %s' needs allow, deny or errno(NAME) and an address; write e.g. "
			    "'net %s allow 127.0.0.0/8 port 80 tcp' or 'net %s default deny'", dn, dn, dn);
	r.action = (uint8_t)act;
	if (parse_net_addr(ps, t->tok[3], &r) < 0)
		return -1;
	for (unsigned i = 4; i < t->n; i++) {
		const char *w = t->tok[i];
		if (strcmp(w, "port") == 0 && !have_port) {
			if (i + 1 >= t->n)
				return perr(ps, "'port' needs a list; write e.g. 'port 80,443,8000-8080'");
			if (parse_ports(ps, t->tok[++i], lo, hi, BG_NET_MAX_RULES, &nports) < 0)
				return -1;
			have_port = true;
		} else if ((strcmp(w, "tcp") == 0 || strcmp(w, "udp") == 0) && !have_proto) {
			r.proto = w[0] == 't' ? IPPROTO_TCP : IPPROTO_UDP;
			have_proto = true;
		} else {
			return perr(ps, "unexpected '%.64s' in 'net %s'; after the address write at most one "
				    "'port LIST' and one of tcp, udp", w, dn);
		}
	}
	if (!have_port) {
		lo[0] = 0;
		hi[0] = 65535;
		nports = 1;
	}
	if (d->nrules + nports > BG_NET_MAX_RULES)
		return perr(ps, "too many 'net %s' rules (at most %d, a port list counts one per range); "
			    "merge addresses or port ranges", dn, BG_NET_MAX_RULES);
	for (unsigned k = 0; k < nports; k++) {
		r.port_lo = lo[k];
		r.port_hi = hi[k];
		d->rule[d->nrules++] = r;
	}
	return 0;
}

static int parse_net_line(struct native_parser *ps, const struct line_tokens *t)
{
	const char *what = tok_at(t, 1);
	int dir;

	if (strcmp(what, "none") == 0) {
		if (t->n != 2)
			return perr(ps, "'net none' takes nothing else; write 'net none'");
		if (ps->p->net.present)
			return perr(ps, "'net none' after other 'net' lines (line %u); keep one or the other",
				    ps->p->net.line);
		bg_net_init(&ps->p->net);
		ps->p->net.line = ps->line;
		ps->p->net.families = 0;
		for (int d = 0; d < BG_NET_NDIRS; d++) {
			ps->p->net.dir[d].has_default = true;
			ps->p->net.dir[d].dflt = BG_NET_DENY;
			ps->p->net.dir[d].default_line = ps->line;
		}
		ps->net_none_line = ps->line;
		return 0;
	}
	if (net_start(ps) < 0)
		return -1;
	if (strcmp(what, "family") == 0)
		return parse_net_family(ps, t);
	if (strcmp(what, "type") == 0)
		return parse_net_type(ps, t);
	dir = net_dir_from(what);
	if (dir < 0)
		return perr(ps, "unknown 'net' line '%.64s'; use net none, net family, net type, "
			    "net connect, net bind or net sendmsg", what);
	return parse_net_rule(ps, t, dir);
}

static int parse_dev_num(struct native_parser *ps, const char *s, size_t len, uint32_t *out)
{
	unsigned long v;
	if (len == 1 && s[0] == '*') {
		*out = BG_DEV_ANY;
		return 0;
	}
	if (!parse_uint(s, len, BG_DEV_ANY - 1, &v))
		return perr(ps, "bad device number '%.*s'; use a decimal number or *", (int)(len > 32 ? 32 : len), s);
	*out = (uint32_t)v;
	return 0;
}

/* dev allow TYPE MAJOR:MINOR ACCESS | dev none */
static int parse_dev_line(struct native_parser *ps, const struct line_tokens *t)
{
	struct bg_dev_policy *d = &ps->p->dev;
	struct bg_devrule r = { .line = ps->line };
	const char *type, *num, *acc, *colon;

	if (t->n == 2 && strcmp(t->tok[1], "none") == 0) {
		if (d->present)
			return perr(ps, "'dev none' after other 'dev' lines (line %u); keep one or the other", d->line);
		d->present = true;
		d->line = ps->line;
		ps->dev_none_line = ps->line;
		return 0;
	}
	if (t->n != 5 || strcmp(t->tok[1], "allow") != 0)
		return perr(ps, "'dev' lines look like 'dev allow c 1:3 rw' (type c, b or a; MAJOR:MINOR with * "
			    "for any; access from r w m) or 'dev none'");
	if (ps->dev_none_line)
		return perr(ps, "'dev none' on line %u already denies every device; drop it to allow some",
			    ps->dev_none_line);
	type = t->tok[2];
	num = t->tok[3];
	acc = t->tok[4];
	if (strlen(type) != 1 || !strchr("cba", type[0]))
		return perr(ps, "bad device type '%.16s'; use c (character), b (block) or a (both)", type);
	r.type = (uint8_t)type[0];
	colon = strchr(num, ':');
	if (!colon)
		return perr(ps, "bad device '%.64s'; write MAJOR:MINOR such as 1:3 or 136:*", num);
	if (parse_dev_num(ps, num, (size_t)(colon - num), &r.major) < 0 ||
	    parse_dev_num(ps, colon + 1, strlen(colon + 1), &r.minor) < 0)
		return -1;
	for (const char *c = acc; *c; c++) {
		unsigned bit = *c == 'r' ? BG_DEV_ACC_READ : *c == 'w' ? BG_DEV_ACC_WRITE :
			       *c == 'm' ? BG_DEV_ACC_MKNOD : 0;
		if (!bit || (r.access & bit))
			return perr(ps, "bad device access '%.16s'; use some of r (read), w (write), m (mknod), "
				    "each once", acc);
		r.access |= (uint8_t)bit;
	}
	if (d->nrules == BG_DEV_MAX_RULES)
		return perr(ps, "too many 'dev allow' rules (at most %d); use * to cover a range", BG_DEV_MAX_RULES);
	if (!d->present) {
		d->present = true;
		d->line = ps->line;
	}
	d->rule[d->nrules++] = r;
	return 0;
}

static int parse_sysctl_line(struct native_parser *ps, const struct line_tokens *t)
{
	struct bg_sysctl_policy *s = &ps->p->sysctl;
	if (s->present)
		return perr(ps, "second 'sysctl' line (first on line %u); keep one", s->line);
	if (t->n != 2 || (strcmp(t->tok[1], "read-only") != 0 && strcmp(t->tok[1], "none") != 0))
		return perr(ps, "'sysctl' takes read-only (writes to /proc/sys fail) or none (reads fail too)");
	s->present = true;
	s->mode = strcmp(t->tok[1], "none") == 0 ? BG_SYSCTL_NONE : BG_SYSCTL_READ_ONLY;
	s->line = ps->line;
	return 0;
}

/* exec allow PATH [sha256:HEX] | exec trusted | exec libraries |
 * exec signed-by KEY.pub|sha256:HEX | exec signed-in DIR */
static int parse_exec_line(struct native_parser *ps, const struct line_tokens *t)
{
	struct bg_exec_policy *x = &ps->p->exec;
	uint8_t h[32];
	int ret;

	if (t->n < 2)
		return perr(ps, "'exec' takes allow PATH [sha256:HEX], trusted, libraries, signed-by KEY or signed-in DIR");
	if (!x->present) {
		x->present = true;
		x->line = ps->line;
	}
	if (!strcmp(t->tok[1], "trusted") || !strcmp(t->tok[1], "libraries")) {
		if (t->n != 2)
			return perr(ps, "'exec %s' takes nothing more", t->tok[1]);
		if (t->tok[1][0] == 't')
			x->trusted = true;
		else
			x->libraries = true;
		return 0;
	}
	if (!strcmp(t->tok[1], "signed-by") || !strcmp(t->tok[1], "signed-in")) {
		bool dir = t->tok[1][7] == 'i';

		if (t->n != 3)
			return perr(ps, "'exec %s' takes one %s", t->tok[1],
				    dir ? "absolute directory" : "public key file (absolute path) or sha256:HEX key id");
		if (dir ? t->tok[2][0] != '/'
			: t->tok[2][0] != '/' && (strncmp(t->tok[2], "sha256:", 7) || !bg_sha256_parse(t->tok[2], h)))
			return perr(ps, "'exec %s %s': %s", t->tok[1], t->tok[2],
				    dir ? "the directory must be an absolute path"
					: "name the public key by its absolute path, or by the sha256:HEX key id "
					  "`bpfguard trust list` shows");
		ret = bg_policy_add_exec_signed(ps->p, dir, t->tok[2]);
		if (ret == -E2BIG)
			return perr(ps, "too many 'exec %s' lines (at most %d)", t->tok[1], BG_EXEC_MAX_SIGNED);
		return ret ? perr(ps, "out of memory") : 0;
	}
	if (strcmp(t->tok[1], "allow"))
		return perr(ps, "unknown 'exec %s'; use exec allow PATH [sha256:HEX], exec trusted, exec libraries, "
			    "exec signed-by KEY or exec signed-in DIR", t->tok[1]);
	if (t->n < 3 || t->n > 4)
		return perr(ps, "'exec allow' takes PATH and optionally sha256:HEX");
	if (t->tok[2][0] != '/')
		return perr(ps, "'exec allow %s': the path must be absolute", t->tok[2]);
	if (t->n == 4 && (strncmp(t->tok[3], "sha256:", 7) || !bg_sha256_parse(t->tok[3], h)))
		return perr(ps, "'%s' is not a SHA-256; write sha256: and 64 hex digits (sha256sum prints them)",
			    t->tok[3]);
	ret = bg_policy_add_exec(ps->p, t->tok[2], t->n == 4 ? h : NULL, ps->line);
	if (ret == -E2BIG)
		return perr(ps, "too many 'exec allow' lines (at most %d)", BG_EXEC_MAX_ENTRIES);
	if (ret)
		return perr(ps, "out of memory");
	return 0;
}

/* hatch accept ID... : escape hatches the author knows about and keeps
 * (docs/policy.md, "Escape hatches"); they stop failing --strict. */
static int parse_hatch_line(struct native_parser *ps, const struct line_tokens *t)
{
	if (t->n < 3 || strcmp(t->tok[1], "accept"))
		return perr(ps, "'hatch' takes accept and one or more hatch names, e.g. 'hatch accept perf'");
	for (unsigned i = 2; i < t->n; i++) {
		int id = bg_hatch_id(t->tok[i]);

		if (id < 0)
			return perr(ps, "unknown hatch '%.64s'; `bpfguard policy check` names the hatches "
				    "(docs/policy.md lists them)", t->tok[i]);
		ps->p->hatch_accept |= 1ULL << id;
	}
	if (!ps->p->hatch_accept_line)
		ps->p->hatch_accept_line = ps->line;
	return 0;
}

static int parse_line(struct native_parser *ps, const char *text)
{
	struct line_tokens *t = ps->tokens;
	tokenize(text, t);
	if (t->n == 0)
		return 0;
	if (strcmp(t->tok[0], "name") == 0)
		return parse_name_line(ps, t);
	if (strcmp(t->tok[0], "default") == 0)
		return parse_default_line(ps, t);
	if (strcmp(t->tok[0], "net") == 0)
		return parse_net_line(ps, t);
	if (strcmp(t->tok[0], "dev") == 0)
		return parse_dev_line(ps, t);
	if (strcmp(t->tok[0], "sysctl") == 0)
		return parse_sysctl_line(ps, t);
	if (strcmp(t->tok[0], "exec") == 0)
		return parse_exec_line(ps, t);
	if (strcmp(t->tok[0], "hatch") == 0)
		return parse_hatch_line(ps, t);
	return parse_rule_line(ps, t);
}

/* Copies one line (without '\n' and comment) into `out`; returns its raw
 * length, so the caller can step over it. */
static int next_line(struct native_parser *ps, const char *buf, size_t len, size_t pos,
		     char *out, size_t *consumed)
{
	const char *start = buf + pos;
	const char *nl = memchr(start, '\n', len - pos);
	size_t n = nl ? (size_t)(nl - start) : len - pos;
	*consumed = n + (nl ? 1 : 0);
	if (n > BG_LINE_MAX)
		return perr(ps, "line longer than %d bytes; split it into several rules", BG_LINE_MAX);
	if (memchr(start, '\0', n))
		return perr(ps, "NUL byte in line; policy files are text");
	const char *hash = memchr(start, '#', n);
	size_t keep = hash ? (size_t)(hash - start) : n;
	memcpy(out, start, keep);
	out[keep] = '\0';
	return 0;
}

static int parse_buffer(struct native_parser *ps, const char *buf, size_t len)
{
	char text[BG_LINE_MAX + 1];
	size_t pos = 0, consumed;
	while (pos < len) {
		ps->line++;
		if (next_line(ps, buf, len, pos, text, &consumed) < 0 || parse_line(ps, text) < 0)
			return -1;
		pos += consumed;
	}
	return 0;
}

static void parser_free(struct native_parser *ps)
{
	if (!ps)
		return;
	bg_policy_free(ps->p);
	free(ps->tokens);
	free(ps->target);
	free(ps);
}

static struct native_parser *parser_new(const char *origin, struct bg_diag *d)
{
	struct native_parser *ps = calloc(1, sizeof(*ps));
	if (!ps)
		return NULL;
	ps->origin = origin;
	ps->d = d;
	ps->tokens = malloc(sizeof(*ps->tokens));
	ps->target = malloc(sizeof(*ps->target));
	ps->p = bg_policy_new(NULL);
	if (!ps->tokens || !ps->target || !ps->p) {
		parser_free(ps);
		return NULL;
	}
	bg_policy_name_from_origin(origin, ps->p->name, sizeof(ps->p->name));
	snprintf(ps->p->source, sizeof(ps->p->source), "%s", origin);
	ps->p->format = "native";
	return ps;
}

int bg_policy_parse_native(const char *buf, size_t len, const char *origin,
			   struct bg_policy **out, struct bg_diag *d)
{
	*out = NULL;
	if (!origin)
		origin = "<memory>";
	struct native_parser *ps = parser_new(origin, d);
	if (!ps) {
		bg_diag_at(d, origin, 0, "out of memory; free some memory");
		return -1;
	}
	if (len && parse_buffer(ps, buf, len) < 0) {
		parser_free(ps);
		return -1;
	}
	*out = ps->p;
	ps->p = NULL;
	parser_free(ps);
	return 0;
}

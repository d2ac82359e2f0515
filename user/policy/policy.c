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
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy.h"
#include "arg_match.h"
#include "policy_hatches.h"
#include "syscalls.h"
#include "vec.h"

/* Policy files are small (Docker's default profile is ~20 KiB); the cap
 * only protects against being pointed at something that is not one. */
#define BG_POLICY_FILE_MAX (16u << 20)

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
const char *bg_action_str_named(const struct bg_action *a, char *buf, size_t len)
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
	for (unsigned i = 0; i < p->exec.n; i++)
		free(p->exec.e[i].path);
	free(p->exec.e);
	for (unsigned i = 0; i < p->exec.nsigners; i++)
		free(p->exec.signers[i]);
	for (unsigned i = 0; i < p->exec.ndirs; i++)
		free(p->exec.signed_dirs[i]);
	free(p);
}

int bg_policy_add_exec_signed(struct bg_policy *p, bool dir, const char *value)
{
	char **v = dir ? p->exec.signed_dirs : p->exec.signers;
	unsigned *n = dir ? &p->exec.ndirs : &p->exec.nsigners;

	for (unsigned i = 0; i < *n; i++)
		if (!strcmp(v[i], value))
			return 0;
	if (*n >= BG_EXEC_MAX_SIGNED)
		return -E2BIG;
	if (!(v[*n] = strdup(value)))
		return -ENOMEM;
	(*n)++;
	return 0;
}

int bg_policy_add_exec(struct bg_policy *p, const char *path, const uint8_t *sha256, unsigned line)
{
	struct bg_exec_entry *e;

	if (p->exec.n >= BG_EXEC_MAX_ENTRIES)
		return -E2BIG;
	if (BG_VEC_RESIZE(p->exec.e, p->exec.n + 1))
		return -ENOMEM;
	e = &p->exec.e[p->exec.n];
	memset(e, 0, sizeof(*e));
	e->path = strdup(path);
	if (!e->path)
		return -ENOMEM;
	if (sha256) {
		e->has_hash = true;
		memcpy(e->sha256, sha256, 32);
	}
	e->line = line;
	p->exec.n++;
	return 0;
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
	if (BG_VEC_RESIZE(s->argrules, s->nargrules + 1))
		return -ENOMEM;
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

/* The comparison is the kernel's own (bpf/arg_match.h): the reference
 * semantics and guard.bpf.c cannot disagree on what a condition means. */
static bool cond_holds(const struct bg_cond *c, const uint64_t args[BG_NR_ARGS])
{
	return bg_am_holds(args, c->arg, c->op, c->val, c->mask);
}

/*
 * A condition over an argument of which only the bits in `known` are
 * known (a recorded trace shows some arguments, or parts of them: a
 * string's address is not printed, a learned socket type is its low four
 * bits).  Fully known: the kernel's own comparison.  Otherwise the answer
 * is yes or no only when every value the unknown bits could take gives
 * it; else BG_TRI_UNKNOWN.
 */
static enum bg_tri cond_tri(const struct bg_cond *c, const uint64_t args[BG_NR_ARGS],
			    const uint64_t known[BG_NR_ARGS])
{
	uint64_t k = known ? known[c->arg] : ~0ULL, a = args[c->arg] & k;
	uint64_t lo = a, hi = a | ~k; /* the smallest and largest values possible */

	if (k == ~0ULL)
		return cond_holds(c, args) ? BG_TRI_YES : BG_TRI_NO;
	switch (c->op) {
	case BG_OP_EQ:
	case BG_OP_NE:
		if ((a ^ c->val) & k) /* a known bit differs */
			return c->op == BG_OP_EQ ? BG_TRI_NO : BG_TRI_YES;
		return BG_TRI_UNKNOWN;
	case BG_OP_MASKED_EQ:
		if ((c->val & ~c->mask) || ((a ^ c->val) & c->mask & k))
			return BG_TRI_NO;
		return (c->mask & ~k) ? BG_TRI_UNKNOWN : BG_TRI_YES;
	case BG_OP_LT: return hi < c->val ? BG_TRI_YES : lo >= c->val ? BG_TRI_NO : BG_TRI_UNKNOWN;
	case BG_OP_LE: return hi <= c->val ? BG_TRI_YES : lo > c->val ? BG_TRI_NO : BG_TRI_UNKNOWN;
	case BG_OP_GT: return lo > c->val ? BG_TRI_YES : hi <= c->val ? BG_TRI_NO : BG_TRI_UNKNOWN;
	case BG_OP_GE: return lo >= c->val ? BG_TRI_YES : hi < c->val ? BG_TRI_NO : BG_TRI_UNKNOWN;
	}
	return BG_TRI_NO; /* as bg_am_holds: an operator out of range never holds */
}

/* All conditions hold (ANDed): no if one is no, yes if all are yes.  *need
 * collects the arguments whose unknown bits left a condition open. */
static enum bg_tri rule_tri(const struct bg_rule *r, const uint64_t args[6], const uint64_t known[6],
			    unsigned *need)
{
	enum bg_tri t = BG_TRI_YES;
	unsigned open = 0;

	for (unsigned i = 0; i < r->ncond; i++) {
		enum bg_tri c = r->cond[i].arg < BG_NR_ARGS ? cond_tri(&r->cond[i], args, known) : BG_TRI_NO;

		if (c == BG_TRI_NO)
			return BG_TRI_NO;
		if (c == BG_TRI_UNKNOWN) {
			t = BG_TRI_UNKNOWN;
			open |= 1u << r->cond[i].arg;
		}
	}
	if (t == BG_TRI_UNKNOWN)
		*need |= open;
	return t;
}

static bool action_denies(const struct bg_action *a)
{
	return a->verdict != BG_VERDICT_ALLOW && a->verdict != BG_VERDICT_LOG;
}

/* One more outcome the call may have. */
static void eval_possible(struct bg_eval *e, const struct bg_action *a)
{
	if (action_denies(a))
		e->may_deny = true;
	else
		e->may_allow = true;
	if (!action_equal(a, &e->action))
		e->one_action = false;
}

/* Where the walk ended: the rule (or base, or default) that gives `a`. */
static void eval_decide(struct bg_eval *e, const struct bg_action *a, int source,
			const struct bg_rule *rule, unsigned line)
{
	e->action = *a;
	e->source = source;
	e->rule = rule;
	e->line = line;
	e->may_deny = action_denies(a);
	e->may_allow = !e->may_deny;
	e->one_action = true;
}

/*
 * The one evaluator.  The rule walk of policy.h's semantics; with every
 * argument known it is exactly that walk.  With unknown bits, a rule whose
 * conditions cannot be decided may or may not apply: its action becomes
 * one possible outcome and the walk goes on to what applies if it does
 * not; the first rule that surely applies ends it.  The result is decided
 * when no rule was left open, and says which outcomes remain otherwise.
 */
struct bg_action bg_policy_eval_known(const struct bg_policy *p, int abi, int nr,
				      const uint64_t args[6], const uint64_t known[6],
				      struct bg_eval *out)
{
	static const uint64_t zero_args[6];
	const struct bg_action kill = { .verdict = BG_VERDICT_KILL };
	struct bg_eval e = { 0 };
	const struct bg_sysrules *s;
	const struct bg_action *dflt;

	if (!args)
		args = zero_args;
	if (abi == BG_ABI_X32 || abi < 0 || abi >= BG_NR_TABLES) {
		/* x32 (and anything we have no table for) */
		eval_decide(&e, &kill, BG_EVAL_X32, NULL, 0);
		goto out;
	}
	dflt = abi == BG_ABI_IA32 ? &p->ia32_dflt : &p->dflt;
	if (nr < 0 || nr >= BG_MAX_SYSCALLS) {
		eval_decide(&e, dflt, BG_EVAL_DEFAULT, NULL, 0);
		goto out;
	}
	s = &p->sys[abi][nr];
	for (unsigned i = 0; i < s->nargrules; i++) {
		const struct bg_rule *r = &s->argrules[i];
		enum bg_tri t = rule_tri(r, args, known, &e.need);

		if (t == BG_TRI_NO)
			continue;
		if (!e.open) {
			if (t == BG_TRI_YES) {
				eval_decide(&e, &r->action, BG_EVAL_RULE, r, r->line);
				goto out;
			}
			/* the first open rule: what the report names */
			eval_decide(&e, &r->action, BG_EVAL_RULE, r, r->line);
			e.open = r;
			continue;
		}
		eval_possible(&e, &r->action);
		if (t == BG_TRI_YES)
			goto out; /* nothing after it can apply */
	}
	if (!e.open) {
		if (s->has_base)
			eval_decide(&e, &s->base, BG_EVAL_BASE, NULL, s->base_line);
		else
			eval_decide(&e, dflt, BG_EVAL_DEFAULT, NULL, 0);
	} else {
		eval_possible(&e, s->has_base ? &s->base : dflt);
	}
out:
	e.decided = !e.open;
	if (out)
		*out = e;
	return e.action;
}

struct bg_action bg_policy_eval(const struct bg_policy *p, int abi, int nr,
				const uint64_t args[6])
{
	return bg_policy_eval_known(p, abi, nr, args, NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* Network, device and sysctl sections */

const char *bg_net_dir_name(int dir)
{
	switch (dir) {
	case BG_NET_CONNECT: return "connect";
	case BG_NET_BIND: return "bind";
	case BG_NET_SENDMSG: return "sendmsg";
	}
	return "?";
}

void bg_net_init(struct bg_net_policy *n)
{
	memset(n, 0, sizeof(*n));
	n->present = true;
	n->families = BG_NET_FAMILIES_ALL;
	n->types = BG_SOCK_TYPES_ALL;
}

int bg_net_eval_socket(const struct bg_net_policy *n, int family, int type)
{
	if (!n->present || (family != AF_INET && family != AF_INET6))
		return BG_NET_ALLOW; /* the hook never sees other families */
	if (!(n->families & (1ULL << family)))
		return BG_NET_DENY;
	if ((n->types & BG_SOCK_TYPES_ALL) == BG_SOCK_TYPES_ALL)
		return BG_NET_ALLOW;
	return type >= 0 && type < 32 && (n->types & (1u << type)) ? BG_NET_ALLOW : BG_NET_DENY;
}

int bg_net_dir_default(const struct bg_netdir *d)
{
	if (d->has_default)
		return d->dflt;
	return d->nrules ? BG_NET_DENY : BG_NET_ALLOW;
}

/* The first `prefix` bits of a and b agree. */
static bool prefix_equal(const uint8_t *a, const uint8_t *b, unsigned prefix)
{
	for (unsigned bit = 0; bit < prefix; bit++) {
		unsigned m = 0x80u >> (bit % 8);
		if ((a[bit / 8] & m) != (b[bit / 8] & m))
			return false;
	}
	return true;
}

static bool netrule_matches(const struct bg_netrule *r, int family, const uint8_t *addr,
			    uint16_t port, int proto)
{
	if (r->family && r->family != family)
		return false;
	if (r->proto && r->proto != proto)
		return false;
	if (port < r->port_lo || port > r->port_hi)
		return false;
	return r->family == 0 || prefix_equal(r->addr, addr, r->prefix);
}

int bg_net_eval_addr(const struct bg_net_policy *n, int dir, int family,
		     const uint8_t *addr, uint16_t port, int proto)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (!n->present || dir < 0 || dir >= BG_NET_NDIRS)
		return BG_NET_ALLOW;
	int fam = family == AF_INET6 ? 6 : 4;
	/* ::ffff:a.b.c.d is an IPv4 peer reached through an IPv6 socket */
	if (fam == 6 && memcmp(addr, mapped, sizeof(mapped)) == 0) {
		fam = 4;
		addr += 12;
	}
	const struct bg_netdir *d = &n->dir[dir];
	for (unsigned i = 0; i < d->nrules; i++)
		if (netrule_matches(&d->rule[i], fam, addr, port, proto))
			return d->rule[i].action;
	return bg_net_dir_default(d);
}

int bg_dev_eval(const struct bg_dev_policy *d, char type, uint32_t major, uint32_t minor,
		unsigned access)
{
	if (!d->present)
		return BG_NET_ALLOW;
	for (unsigned i = 0; i < d->nrules; i++) {
		const struct bg_devrule *r = &d->rule[i];
		if (r->type != 'a' && r->type != type)
			continue;
		if ((r->major != BG_DEV_ANY && r->major != major) ||
		    (r->minor != BG_DEV_ANY && r->minor != minor))
			continue;
		if ((access & r->access) == access)
			return BG_NET_ALLOW;
	}
	return BG_NET_DENY;
}

/* "10.0.0.0/8", "::1/128", "any" */
static void netrule_addr_str(const struct bg_netrule *r, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	if (r->family == 0) {
		snprintf(buf, len, "any");
		return;
	}
	inet_ntop(r->family == 6 ? AF_INET6 : AF_INET, r->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, r->prefix);
}

static const char *proto_name(unsigned proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" : "any";
}

static void dev_num_str(uint32_t v, char *buf, size_t len)
{
	if (v == BG_DEV_ANY)
		snprintf(buf, len, "*");
	else
		snprintf(buf, len, "%u", v);
}

void bg_dev_access_str(unsigned access, char buf[4])
{
	char *o = buf;

	if (access & BG_DEV_ACC_READ)
		*o++ = 'r';
	if (access & BG_DEV_ACC_WRITE)
		*o++ = 'w';
	if (access & BG_DEV_ACC_MKNOD)
		*o++ = 'm';
	*o = '\0';
}

static const char *const sock_type_names[] = { [1] = "stream", [2] = "dgram", [3] = "raw",
					       [4] = "rdm", [5] = "seqpacket" };

/* "allow", "deny" (EPERM) or "errno(ECONNREFUSED)". */
static const char *net_action_str(unsigned action, uint16_t err, char *buf, size_t len)
{
	struct bg_action a = { .verdict = BG_VERDICT_ERRNO, .err = err };

	if (action == BG_NET_ALLOW)
		return "allow";
	if (!err || err == EPERM)
		return "deny";
	return bg_action_str_named(&a, buf, len);
}

static void print_sections(const struct bg_policy *p, FILE *f)
{
	char act[32];

	const struct bg_net_policy *n = &p->net;
	char a[80], mj[16], mn[16], acc[4];

	if (n->present) {
		fputs("net family", f);
		if (n->families & (1ULL << AF_UNIX))
			fputs(" unix", f);
		if (n->families & (1ULL << AF_INET))
			fputs(" inet", f);
		if (n->families & (1ULL << AF_INET6))
			fputs(" inet6", f);
		if (!(n->families & (BG_NET_FAMILIES_ALL | (1ULL << AF_UNIX))))
			fputs(" none", f);
		fputc('\n', f);
		if ((n->types & BG_SOCK_TYPES_ALL) != BG_SOCK_TYPES_ALL) {
			fputs("net type", f);
			for (unsigned t = 1; t <= 5; t++)
				if (n->types & (1u << t))
					fprintf(f, " %s", sock_type_names[t]);
			if (!(n->types & BG_SOCK_TYPES_ALL))
				fputs(" none", f);
			fputc('\n', f);
		}
		for (int d = 0; d < BG_NET_NDIRS; d++) {
			const struct bg_netdir *nd = &n->dir[d];
			for (unsigned i = 0; i < nd->nrules; i++) {
				const struct bg_netrule *r = &nd->rule[i];
				netrule_addr_str(r, a, sizeof(a));
				fprintf(f, "net %s %s %s", bg_net_dir_name(d),
					net_action_str(r->action, r->err, act, sizeof(act)), a);
				if (r->port_lo != 0 || r->port_hi != 65535) {
					if (r->port_lo == r->port_hi)
						fprintf(f, " port %u", r->port_lo);
					else
						fprintf(f, " port %u-%u", r->port_lo, r->port_hi);
				}
				if (r->proto)
					fprintf(f, " %s", proto_name(r->proto));
				fputc('\n', f);
			}
			if (nd->has_default)
				fprintf(f, "net %s default %s\n", bg_net_dir_name(d),
					net_action_str(nd->dflt, nd->dflt_err, act, sizeof(act)));
		}
	}
	if (p->dev.present) {
		if (!p->dev.nrules)
			fputs("dev none\n", f);
		for (unsigned i = 0; i < p->dev.nrules; i++) {
			const struct bg_devrule *r = &p->dev.rule[i];
			dev_num_str(r->major, mj, sizeof(mj));
			dev_num_str(r->minor, mn, sizeof(mn));
			bg_dev_access_str(r->access, acc);
			fprintf(f, "dev allow %c %s:%s %s\n", r->type, mj, mn, acc);
		}
	}
	if (p->sysctl.present)
		fprintf(f, "sysctl %s\n", p->sysctl.mode == BG_SYSCTL_NONE ? "none" : "read-only");
	if (p->exec.trusted)
		fprintf(f, "exec trusted\n");
	if (p->exec.libraries)
		fprintf(f, "exec libraries\n");
	for (unsigned i = 0; i < p->exec.nsigners; i++)
		fprintf(f, "exec signed-by %s\n", p->exec.signers[i]);
	for (unsigned i = 0; i < p->exec.ndirs; i++)
		fprintf(f, "exec signed-in %s\n", p->exec.signed_dirs[i]);
	for (unsigned i = 0; i < p->exec.n; i++) {
		fprintf(f, "exec allow %s", p->exec.e[i].path);
		if (p->exec.e[i].has_hash) {
			fprintf(f, " sha256:");
			for (int b = 0; b < 32; b++)
				fprintf(f, "%02x", p->exec.e[i].sha256[b]);
		}
		fputc('\n', f);
	}
}

static struct json_object *sections_json(const struct bg_policy *p, struct json_object *root)
{
	const struct bg_net_policy *n = &p->net;
	char a[80], acc[4];

	if (n->present) {
		struct json_object *net = json_object_new_object(), *fam = json_object_new_array();
		struct json_object *types = json_object_new_array();
		if (n->families & (1ULL << AF_UNIX))
			json_object_array_add(fam, json_object_new_string("unix"));
		if (n->families & (1ULL << AF_INET))
			json_object_array_add(fam, json_object_new_string("inet"));
		if (n->families & (1ULL << AF_INET6))
			json_object_array_add(fam, json_object_new_string("inet6"));
		json_object_object_add(net, "families", fam);
		for (unsigned t = 1; t <= 5; t++)
			if (n->types & (1u << t))
				json_object_array_add(types, json_object_new_string(sock_type_names[t]));
		json_object_object_add(net, "types", types);
		for (int d = 0; d < BG_NET_NDIRS; d++) {
			const struct bg_netdir *nd = &n->dir[d];
			struct json_object *o = json_object_new_object(), *rules = json_object_new_array();
			for (unsigned i = 0; i < nd->nrules; i++) {
				const struct bg_netrule *r = &nd->rule[i];
				struct json_object *ro = json_object_new_object();
				netrule_addr_str(r, a, sizeof(a));
				json_object_object_add(ro, "action", json_object_new_string(
					r->action == BG_NET_ALLOW ? "allow" : "deny"));
				if (r->action == BG_NET_DENY)
					json_object_object_add(ro, "errno", json_object_new_int(r->err ? r->err : EPERM));
				json_object_object_add(ro, "address", json_object_new_string(a));
				json_object_object_add(ro, "port_min", json_object_new_int(r->port_lo));
				json_object_object_add(ro, "port_max", json_object_new_int(r->port_hi));
				json_object_object_add(ro, "protocol", json_object_new_string(proto_name(r->proto)));
				if (r->line)
					json_object_object_add(ro, "line", json_object_new_int((int)r->line));
				json_object_array_add(rules, ro);
			}
			json_object_object_add(o, "rules", rules);
			json_object_object_add(o, "default", json_object_new_string(
				bg_net_dir_default(nd) == BG_NET_ALLOW ? "allow" : "deny"));
			if (bg_net_dir_default(nd) == BG_NET_DENY)
				json_object_object_add(o, "default_errno", json_object_new_int(
					nd->has_default && nd->dflt_err ? nd->dflt_err : EPERM));
			json_object_object_add(net, bg_net_dir_name(d), o);
		}
		json_object_object_add(root, "net", net);
	}
	if (p->dev.present) {
		struct json_object *dev = json_object_new_object(), *rules = json_object_new_array();
		for (unsigned i = 0; i < p->dev.nrules; i++) {
			const struct bg_devrule *r = &p->dev.rule[i];
			struct json_object *ro = json_object_new_object();
			char t[2] = { (char)r->type, 0 };
			json_object_object_add(ro, "type", json_object_new_string(t));
			json_object_object_add(ro, "major", r->major == BG_DEV_ANY ? json_object_new_string("*")
						: json_object_new_int64(r->major));
			json_object_object_add(ro, "minor", r->minor == BG_DEV_ANY ? json_object_new_string("*")
						: json_object_new_int64(r->minor));
			bg_dev_access_str(r->access, acc);
			json_object_object_add(ro, "access", json_object_new_string(acc));
			if (r->line)
				json_object_object_add(ro, "line", json_object_new_int((int)r->line));
			json_object_array_add(rules, ro);
		}
		json_object_object_add(dev, "allow", rules);
		json_object_object_add(dev, "default", json_object_new_string("deny"));
		json_object_object_add(root, "dev", dev);
	}
	if (p->sysctl.present)
		json_object_object_add(root, "sysctl", json_object_new_string(
			p->sysctl.mode == BG_SYSCTL_NONE ? "none" : "read-only"));
	if (p->exec.present) {
		struct json_object *x = json_object_new_object(), *allow = json_object_new_array();

		for (unsigned i = 0; i < p->exec.n; i++) {
			struct json_object *e = json_object_new_object();
			char hex[65] = "";

			json_object_object_add(e, "path", json_object_new_string(p->exec.e[i].path));
			for (int b = 0; p->exec.e[i].has_hash && b < 32; b++)
				snprintf(hex + 2 * b, 3, "%02x", p->exec.e[i].sha256[b]);
			json_object_object_add(e, "sha256", hex[0] ? json_object_new_string(hex) : NULL);
			json_object_array_add(allow, e);
		}
		json_object_object_add(x, "allow", allow);
		json_object_object_add(x, "signed_by", json_object_new_array());
		json_object_object_add(x, "signed_in", json_object_new_array());
		for (unsigned i = 0; i < p->exec.nsigners; i++)
			json_object_array_add(json_object_object_get(x, "signed_by"),
					      json_object_new_string(p->exec.signers[i]));
		for (unsigned i = 0; i < p->exec.ndirs; i++)
			json_object_array_add(json_object_object_get(x, "signed_in"),
					      json_object_new_string(p->exec.signed_dirs[i]));
		json_object_object_add(x, "trusted", json_object_new_boolean(p->exec.trusted));
		json_object_object_add(x, "libraries", json_object_new_boolean(p->exec.libraries));
		json_object_object_add(root, "exec", x);
	}
	return root;
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
	bg_action_str_named(a, act, sizeof(act));
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
				fprintf(f, "%s %s if ", bg_action_str_named(&r->action, act, sizeof(act)), name);
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
	fprintf(f, "default %s\n", bg_action_str_named(&p->dflt, act, sizeof(act)));
	fprintf(f, "default ia32 %s\n", bg_action_str_named(&p->ia32_dflt, act, sizeof(act)));

	/* One block per distinct unconditional action, in first-seen order. */
	for (int abi = 0; abi < BG_NR_TABLES; abi++)
		for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++)
			if (p->sys[abi][nr].has_base && !base_action_seen_before(p, abi, nr))
				print_base_rules(p, &p->sys[abi][nr].base, f);
	print_conditional_rules(p, f);
	print_sections(p, f);
	if (p->hatch_accept)
		bg_hatch_print_accept(p, f);
	if (p->uring.applied)
		fprintf(f, "# implied: io_uring_setup %s, io_uring_enter and io_uring_register kill, because "
			"the policy denies %s%s, which io_uring performs without those calls; name io_uring_* "
			"to decide otherwise\n", bg_action_str_named(&p->uring.setup, act, sizeof(act)),
			p->uring.ops, p->uring.nops > 6 ? ", ..." : "");
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
	return sections_json(p, root);
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

/* Anything but whitespace and #-comment lines? */
static bool has_statement(const char *buf, size_t len)
{
	bool comment = false;

	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (c == '\n')
			comment = false;
		else if (comment || c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v')
			continue;
		else if (c == '#')
			comment = true;
		else
			return true;
	}
	return false;
}

int bg_policy_parse(const char *buf, size_t len, const char *origin,
		    struct bg_policy **out, struct bg_diag *d)
{
	if (!buf && len) {
		bg_diag_at(d, origin ? origin : "<memory>", 0, "no input; pass a buffer");
		return -1;
	}
	const char *o = origin ? origin : "<memory>";

	/* A UTF-8 byte order mark (some editors write one) says nothing:
	 * skipped.  UTF-16 is refused by name, not as line 1's garbage. */
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3)) {
		buf += 3;
		len -= 3;
	} else if (len >= 2 && (!memcmp(buf, "\xff\xfe", 2) || !memcmp(buf, "\xfe\xff", 2))) {
		bg_diag_at(d, o, 1, "UTF-16 text; save the policy as UTF-8");
		return -1;
	}
	/* Nothing but blanks and comments: never taken as "deny everything"
	 * by default; that has to be written. */
	if (!has_statement(buf, len)) {
		bg_diag_at(d, o, 0, "empty policy (no rule, no default); write `default errno(EPERM)` to deny "
			   "everything, or the rules it should have");
		return -1;
	}
	int r = looks_like_json(buf, len) ? bg_policy_parse_docker(buf, len, origin, out, d)
					  : bg_policy_parse_native(buf, len, origin, out, d);
	/* Here, not in a back end: every consumer of a loaded policy (BPF
	 * maps, seccomp, exports, diff) then sees the same decisions. */
	if (r == 0)
		bg_policy_imply_io_uring(*out);
	return r;
}

static int read_file(const char *path, char **buf, size_t *len, struct bg_diag *d)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		bg_diag_at(d, path, 0, "cannot open: %s; check the path", strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > BG_POLICY_FILE_MAX) {
		bg_diag_at(d, path, 0, "not a regular file of at most %u bytes; pass a policy file",
			   BG_POLICY_FILE_MAX);
		close(fd);
		return -1;
	}
	size_t cap = (size_t)st.st_size, n = 0;
	char *b = malloc(cap ? cap : 1);
	if (!b) {
		bg_diag_at(d, path, 0, "out of memory; free some memory");
		close(fd);
		return -1;
	}
	while (n < cap) {
		ssize_t r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			bg_diag_at(d, path, 0, "read failed: %s; check the file", strerror(errno));
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

int bg_policy_load_text(const char *path, struct bg_policy **out, char **text, size_t *text_len,
			struct bg_diag *d)
{
	char *buf;
	size_t len;
	if (read_file(path, &buf, &len, d) < 0)
		return -1;
	int r = bg_policy_parse(buf, len, path, out, d);
	if (r == 0)
		snprintf((*out)->source, sizeof((*out)->source), "%s", path);
	if (r == 0 && text) {
		*text = buf;
		*text_len = len;
	} else {
		free(buf);
	}
	return r;
}

int bg_policy_load(const char *path, struct bg_policy **out, struct bg_diag *d)
{
	return bg_policy_load_text(path, out, NULL, NULL, d);
}

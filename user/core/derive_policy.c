// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * derive_policy.c - the derived syscall set of a Go binary as a native
 * policy and as JSON (derive_policy.h).  The text has the shape of a
 * learned policy (learn_policy.c): header comments, `name`, `default`,
 * then one `allow NAME` per syscall, sorted by name, each with a comment.
 * Function names come from the binary: escaped before they go into a
 * comment, so a hostile name cannot end the line and add a rule.
 */
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "derive_policy.h"
#include "policy.h"
#include "syscalls.h"
#include "textsafe.h"

/* CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET: what
 * --no-namespaces refuses in clone and unshare (policies/go-static.policy's
 * mask). */
#define NS_FLAGS 0x7e020000u

/* How many call-site functions a rule's comment names. */
#define SITES_IN_COMMENT 3

static bool named(int64_t nr)
{
	return nr >= 0 && nr < BG_MAX_SYSCALLS && bg_syscall_name(BG_ABI_X86_64, (int)nr);
}

void bg_derive_summarize(const struct bg_derive *dv, struct bg_derive_summary *s)
{
	int64_t last = -1;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < dv->nsites; i++) {
		int64_t nr = dv->sites[i].nr;

		if (nr < 0) {
			s->unresolved++;
		} else if (!named(nr)) {
			s->unnamed++;
		} else {
			s->resolved++;
			if (nr != last)
				s->syscalls++;
			last = nr;
		}
	}
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

struct ent {
	const char *name;
	size_t first, n; /* its sites: dv->sites[first .. first + n) */
};

static int cmp_ent(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->name, ((const struct ent *)b)->name);
}

/* The named syscalls with their site ranges, sorted by name (sites are
 * sorted by number); returns how many (<= BG_MAX_SYSCALLS). */
static size_t entries(const struct bg_derive *dv, struct ent *out)
{
	size_t n = 0;

	for (size_t i = 0; i < dv->nsites;) {
		size_t j = i;

		while (j < dv->nsites && dv->sites[j].nr == dv->sites[i].nr)
			j++;
		if (named(dv->sites[i].nr))
			out[n++] = (struct ent){ bg_syscall_name(BG_ABI_X86_64, (int)dv->sites[i].nr), i, j - i };
		i = j;
	}
	qsort(out, n, sizeof(*out), cmp_ent);
	return n;
}

static bool has(const struct ent *e, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(e[i].name, name))
			return true;
	return false;
}

/*
 * Calls no code of the binary makes but that it needs all the same: the
 * execve that starts it (made by the launcher, under the policy when
 * bpfguard run starts it), and restart_syscall, which the kernel has a
 * task issue to resume a sleep a signal interrupted (nanosleep, futex or
 * clock_nanosleep with a timeout; Go preempts with SIGURG): strace saw it
 * in the go command.
 */
static void print_always(FILE *f, const struct ent *ents, size_t n)
{
	static const char *const always[] = { "execve", "restart_syscall", NULL };
	bool any = false;

	for (int i = 0; always[i]; i++) {
		if (has(ents, n, always[i]))
			continue;
		if (!any)
			fprintf(f, "# not in the code, allowed anyway: the execve that starts the program runs before\n"
				   "# its code; the kernel issues restart_syscall to resume a sleep a signal interrupted\n");
		any = true;
		fprintf(f, "allow %s\n", always[i]);
	}
}

/*
 * Argument conditions.  Where every call site of a syscall passes a
 * constant in an argument worth a condition (the list: socket's
 * family and type, clone's flags, prctl's option, ioctl's request), the
 * policy allows exactly the values the code passes, one `allow NAME if
 * argK == V` per distinct value (tuple), instead of any value.  One site
 * without a constant there, or more distinct values than a policy should
 * list, and the call is allowed with any argument, as before: a condition
 * is never guessed, so the set stays a superset of what the code can pass.
 * Only the first two arguments are used: every wrapper carries them (a
 * 3-argument wrapper passes zeros for a4..a6, not what its caller set).
 */
#define COND_VALUES_MAX 8

static const struct condspec {
	const char *name;
	uint8_t args; /* bit k: argk */
	const char *what;
} condspecs[] = {
	{ "socket", 0x3, "family and type" },
	{ "clone", 0x1, "flags" },
	{ "prctl", 0x1, "option" },
	{ "ioctl", 0x2, "request" },
};

struct conds {
	const struct condspec *spec; /* NULL: not a syscall conditions are derived for */
	uint8_t mask;                /* the arguments the conditions test; 0: any value */
	size_t n;                    /* distinct tuples */
	uint64_t val[COND_VALUES_MAX][BG_DERIVE_NARGS];
	const char *why_not;         /* mask == 0 with a spec: why */
	uint32_t why_func;           /* the function of the first site without a constant */
};

static bool tuple_eq(const uint64_t *a, const uint64_t *b, uint8_t mask)
{
	for (int k = 0; k < BG_DERIVE_NARGS; k++)
		if ((mask & (1u << k)) && a[k] != b[k])
			return false;
	return true;
}

static void conds_of(const struct bg_derive *dv, const struct ent *e, struct conds *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < sizeof(condspecs) / sizeof(condspecs[0]); i++)
		if (!strcmp(condspecs[i].name, e->name))
			c->spec = &condspecs[i];
	if (!c->spec)
		return;
	c->mask = c->spec->args;
	for (size_t i = e->first; i < e->first + e->n; i++) {
		uint8_t m = c->mask & dv->sites[i].argknown;

		if (m != c->mask && !c->why_not) {
			c->why_not = "not a constant at";
			c->why_func = dv->sites[i].func;
		}
		c->mask = m;
	}
	/* a condition on part of the arguments only where it is the first
	 * one (socket's family without its type); a type without its
	 * family would be odd to read and is rare */
	if (!(c->mask & 1u) && c->mask != c->spec->args)
		c->mask = 0;
	for (size_t i = e->first; c->mask && i < e->first + e->n; i++) {
		bool dup = false;

		for (size_t t = 0; t < c->n && !dup; t++)
			dup = tuple_eq(c->val[t], dv->sites[i].arg, c->mask);
		if (dup)
			continue;
		if (c->n == COND_VALUES_MAX) {
			c->mask = 0;
			c->why_not = "more distinct values than a policy should list, e.g. at";
			c->why_func = dv->sites[i].func;
			break;
		}
		memcpy(c->val[c->n++], dv->sites[i].arg, sizeof(c->val[0]));
	}
}

/* " if arg0 == 2 and arg1 == 0x80001" for tuple t */
static void cond_str(const struct conds *c, size_t t, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int k = 0; k < BG_DERIVE_NARGS && off < len; k++) {
		unsigned long long v = (unsigned long long)c->val[t][k];

		if (!(c->mask & (1u << k)))
			continue;
		off += (size_t)snprintf(buf + off, len - off, v > 255 ? "%s arg%d == %#llx" : "%s arg%d == %llu",
					off ? " and" : " if", k, v);
	}
}

/* Does site i belong to tuple t (all sites do without conditions)? */
static bool in_tuple(const struct bg_derive *dv, size_t i, const struct conds *c, size_t t)
{
	return !c || !c->mask || tuple_eq(c->val[t], dv->sites[i].arg, c->mask);
}

/* Up to SITES_IN_COMMENT distinct functions of sites[first .. first+n) of
 * tuple t of c (all of them when c is NULL), as "a, b, c" (escaped); the
 * number of those sites in *count; true if there are more functions.
 * Linear: a hostile binary may have a million sites for one number. */
static bool site_funcs(const struct bg_derive *dv, size_t first, size_t n, const struct conds *c, size_t t,
		       size_t *count, char *buf, size_t len)
{
	uint32_t shown[SITES_IN_COMMENT];
	size_t k = 0, off = 0;
	bool more = false;

	buf[0] = '\0';
	*count = 0;
	for (size_t i = first; i < first + n; i++) {
		uint32_t f = dv->sites[i].func;
		bool dup = false;
		char esc[BG_ESC_MAX];
		int w;

		if (!in_tuple(dv, i, c, t))
			continue;
		++*count;
		if (more)
			continue;
		for (size_t j = 0; j < k && !dup; j++)
			dup = shown[j] == f;
		if (dup)
			continue;
		if (k == SITES_IN_COMMENT) {
			more = true;
			continue;
		}
		shown[k++] = f;
		w = snprintf(buf + off, len - off, "%s%s", off ? ", " : "", bg_esc(bg_derive_func_name(dv, f), esc));
		if (w < 0 || (size_t)w >= len - off) {
			buf[off] = '\0';
			more = true;
			continue;
		}
		off += (size_t)w;
	}
	return more;
}

static void default_name(const char *binary, char *buf, size_t len)
{
	const char *base = binary ? strrchr(binary, '/') : NULL;
	size_t n;

	base = base ? base + 1 : (binary && *binary ? binary : "binary");
	if (!*base)
		base = "binary";
	n = (size_t)snprintf(buf, len, "derived-%s", base);
	if (n >= len)
		n = len - 1;
	for (size_t i = 8; i < n; i++) {
		char c = buf[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-'))
			buf[i] = '_';
	}
	if (n > BG_NAME_MAX - 1)
		buf[BG_NAME_MAX - 1] = '\0';
}

/* One site as "FUNC at 0xPC (via WRAPPER)". */
static void site_str(const struct bg_derive *dv, const struct bg_derive_site *s, char *buf, size_t len)
{
	char e1[BG_ESC_MAX], e2[BG_ESC_MAX];

	if (s->kind == BG_DERIVE_WRAPPER)
		snprintf(buf, len, "%s calls %s at 0x%llx", bg_esc(bg_derive_func_name(dv, s->func), e1),
			 bg_esc(bg_derive_func_name(dv, s->callee), e2), (unsigned long long)s->pc);
	else
		snprintf(buf, len, "%s: SYSCALL at 0x%llx", bg_esc(bg_derive_func_name(dv, s->func), e1),
			 (unsigned long long)s->pc);
}

static void print_policy(FILE *f, const struct bg_derive *dv, const struct bg_derive_opts *o, const char *name)
{
	struct ent ents[BG_MAX_SYSCALLS];
	struct bg_derive_summary s;
	char esc[BG_ESC_MAX], line[1200];
	size_t n = entries(dv, ents);

	bg_derive_summarize(dv, &s);
	fprintf(f, "# bpfguard policy derived from %s (%s, function table %s, %s)\n",
		bg_esc(o->binary ? o->binary : "?", esc), dv->go_version[0] ? dv->go_version : "Go version unknown",
		bg_pcln_version_name(dv->tab.version), dv->tab.source);
	fprintf(f, "# %zu function%s decoded: %zu syscall site%s, %u syscall%s; %zu site%s unresolved\n",
		dv->funcs_decoded, plural(dv->funcs_decoded), dv->nsites, plural(dv->nsites), s.syscalls,
		plural(s.syscalls), s.unresolved, plural(s.unresolved));
	fprintf(f, "# Only syscalls with a call site in the code are allowed: review it before enforcing\n"
		   "# (bpfguard policy diff against a learned policy, docs/derive.md).\n");
	if (dv->cgo)
		fprintf(f, "# WARNING: this binary links C (cgo%s%s): the calls libc makes are NOT in this\n"
			   "# policy and will be refused; learn them (bpfguard learn, docs/learn.md)\n",
			dv->cgo_why[0] ? ": " : "", dv->cgo_why[0] ? bg_esc(dv->cgo_why, esc) : "");
	fprintf(f, "name %s\n", name);
	fprintf(f, "default %s\n", o->kill ? "kill" : "errno(EPERM)");
	fprintf(f, "default ia32 kill           # Go amd64 code makes no ia32 (int $0x80) call\n");
	fprintf(f, "\n# x86_64: %zu syscall%s derived (call sites, first call-site functions)\n", n, plural(n));
	for (size_t i = 0; i < n; i++) {
		char rule[200], cond[160], funcs[800];
		size_t count;
		bool more = site_funcs(dv, ents[i].first, ents[i].n, NULL, 0, &count, funcs, sizeof(funcs));
		bool ns = o->no_namespaces && (!strcmp(ents[i].name, "clone") || !strcmp(ents[i].name, "unshare"));
		struct conds c;

		if (o->no_namespaces && !strcmp(ents[i].name, "setns")) {
			fprintf(f, "%-28s # --no-namespaces (%zu site%s: %s%s)\n", "kill setns", ents[i].n,
				plural(ents[i].n), funcs, more ? ", ..." : "");
			continue;
		}
		conds_of(dv, &ents[i], &c);
		if (c.mask) {
			fprintf(f, "# %s: every call site passes a constant %s; only those are allowed\n",
				ents[i].name, c.spec->what);
			for (size_t t = 0; t < c.n; t++) {
				more = site_funcs(dv, ents[i].first, ents[i].n, &c, t, &count, funcs, sizeof(funcs));
				cond_str(&c, t, cond, sizeof(cond));
				/* --no-namespaces: a constant that makes a namespace is refused */
				if (ns && (c.val[t][0] & NS_FLAGS)) {
					fprintf(f, "# --no-namespaces: not allowed%s (%zu site%s: %s%s)\n", cond, count,
						plural(count), funcs, more ? ", ..." : "");
					continue;
				}
				snprintf(rule, sizeof(rule), "allow %s%s", ents[i].name, cond);
				fprintf(f, "%-28s # %zu site%s: %s%s\n", rule, count, plural(count), funcs,
					more ? ", ..." : "");
			}
		} else {
			if (c.spec) {
				char esc[BG_ESC_MAX];

				fprintf(f, "# %s: any %s (%s %s)\n", ents[i].name, c.spec->what, c.why_not,
					bg_esc(bg_derive_func_name(dv, c.why_func), esc));
			}
			if (ns)
				snprintf(rule, sizeof(rule), "allow %s if arg0 & 0x%x == 0", ents[i].name, NS_FLAGS);
			else
				snprintf(rule, sizeof(rule), "allow %s", ents[i].name);
			fprintf(f, "%-28s # %zu site%s: %s%s\n", rule, ents[i].n, plural(ents[i].n), funcs,
				more ? ", ..." : "");
		}
		if (ns)
			fprintf(f, "kill %-23s # --no-namespaces: no new namespace%s\n", ents[i].name,
				c.mask ? "" : " (the flags are not constants)");
	}
	print_always(f, ents, n);
	if (s.unresolved) {
		fprintf(f, "# unresolved: %zu site%s where the syscall number is not a constant; what they call is\n"
			   "# NOT allowed above unless another site names it (review them, docs/derive.md):\n",
			s.unresolved, plural(s.unresolved));
		for (size_t i = 0; i < dv->nsites; i++) {
			if (dv->sites[i].nr >= 0)
				continue;
			site_str(dv, &dv->sites[i], line, sizeof(line));
			fprintf(f, "#   %s\n", line);
		}
	}
	if (s.unnamed) {
		fprintf(f, "# %zu site%s pass a number no x86_64 syscall has (not allowed):\n", s.unnamed,
			plural(s.unnamed));
		for (size_t i = 0; i < dv->nsites; i++) {
			if (dv->sites[i].nr < 0 || named(dv->sites[i].nr))
				continue;
			site_str(dv, &dv->sites[i], line, sizeof(line));
			fprintf(f, "#   %lld: %s\n", (long long)dv->sites[i].nr, line);
		}
	}
}

/* Every derived syscall must be allowed by the text we return. */
static int self_check(const struct bg_derive *dv, const struct bg_derive_opts *o, const char *text, size_t len,
		      struct bg_diag *d)
{
	struct bg_policy *p = NULL;
	struct bg_diag pd = {};
	uint64_t args[6] = {};
	int ret = 0;

	if (bg_policy_parse_native(text, len, "<derived>", &p, &pd)) {
		bg_diag_set(d, "internal: the derived policy does not parse (%s); please report it", pd.msg);
		return -1;
	}
	for (size_t i = 0; i < dv->nsites && !ret; i++) {
		const char *name;

		if (!named(dv->sites[i].nr))
			continue;
		name = bg_syscall_name(BG_ABI_X86_64, (int)dv->sites[i].nr);
		/* refused on purpose */
		if (o->no_namespaces && (!strcmp(name, "setns") ||
					 (!strcmp(name, "clone") && (dv->sites[i].argknown & 1u) &&
					  (dv->sites[i].arg[0] & NS_FLAGS))))
			continue;
		/* a site's constants are what it passes; the rest is zero, which
		 * the conditions (only ever on constants) do not look at */
		for (int k = 0; k < BG_DERIVE_NARGS; k++)
			args[k] = (dv->sites[i].argknown & (1u << k)) ? dv->sites[i].arg[k] : 0;
		if (bg_policy_eval(p, BG_ABI_X86_64, (int)dv->sites[i].nr, args).verdict != BG_VERDICT_ALLOW) {
			bg_diag_set(d, "internal: the derived policy would refuse %s, which has a call site; "
				    "please report it", bg_syscall_name(BG_ABI_X86_64, (int)dv->sites[i].nr));
			ret = -1;
		}
	}
	bg_policy_free(p);
	return ret;
}

int bg_derive_policy(const struct bg_derive *dv, const struct bg_derive_opts *o, char **text,
		     size_t *len, struct bg_diag *d)
{
	char defname[BG_NAME_MAX];
	const char *name = o->name;
	FILE *f;

	*text = NULL;
	*len = 0;
	if (!name) {
		default_name(o->binary, defname, sizeof(defname));
		name = defname;
	}
	if (!bg_policy_name_valid(name)) {
		bg_diag_set(d, "policy name '%s' is not valid; use 1..63 of [A-Za-z0-9._-]", name);
		return -1;
	}
	f = open_memstream(text, len);
	if (!f) {
		bg_diag_set(d, "derive: out of memory");
		return -1;
	}
	print_policy(f, dv, o, name);
	if (fclose(f) || self_check(dv, o, *text, *len, d)) {
		if (!d->msg[0])
			bg_diag_set(d, "derive: out of memory");
		free(*text);
		*text = NULL;
		return -1;
	}
	return 0;
}

int bg_derive_write(const char *path, const char *text, size_t len, struct bg_diag *d)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		bg_diag_set(d, "cannot write %.200s...: path too long; give a shorter -o path", path);
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		bg_diag_set(d, "cannot write %s: %s; give a -o path in a writable directory", path, strerror(errno));
		return -1;
	}
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		bg_diag_set(d, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	if (fwrite(text, 1, len, f) != len || fflush(f) || fchmod(fd, 0644) || fsync(fd)) {
		int e = errno ? errno : EIO;

		fclose(f);
		unlink(tmp);
		bg_diag_set(d, "cannot write %s: %s; give a -o path on a writable file system", path, strerror(e));
		return -1;
	}
	if (fclose(f) || rename(tmp, path)) {
		int e = errno;

		unlink(tmp);
		bg_diag_set(d, "cannot write %s: %s; give a -o path on a writable file system", path, strerror(e));
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */

static struct json_object *site_json(const struct bg_derive *dv, const struct bg_derive_site *s)
{
	struct json_object *o = json_object_new_object();
	char pc[32];

	snprintf(pc, sizeof(pc), "0x%llx", (unsigned long long)s->pc);
	json_object_object_add(o, "function", json_object_new_string(bg_derive_func_name(dv, s->func)));
	json_object_object_add(o, "pc", json_object_new_string(pc));
	json_object_object_add(o, "kind", json_object_new_string(s->kind == BG_DERIVE_WRAPPER ? "call" : "syscall"));
	if (s->kind == BG_DERIVE_WRAPPER)
		json_object_object_add(o, "via", json_object_new_string(bg_derive_func_name(dv, s->callee)));
	if (s->nr >= 0 && !named(s->nr))
		json_object_object_add(o, "nr", json_object_new_int64(s->nr));
	if (s->from_global)
		json_object_object_add(o, "from_global_initial_value", json_object_new_boolean(true));
	if (s->nr >= 0 && s->argknown) {
		struct json_object *a = json_object_new_object();

		for (int k = 0; k < BG_DERIVE_NARGS; k++) {
			char key[8];

			if (!(s->argknown & (1u << k)))
				continue;
			snprintf(key, sizeof(key), "arg%d", k);
			json_object_object_add(a, key, json_object_new_uint64(s->arg[k]));
		}
		json_object_object_add(o, "args", a);
	}
	return o;
}

struct json_object *bg_derive_to_json(const struct bg_derive *dv, const struct bg_derive_opts *o)
{
	struct ent ents[BG_MAX_SYSCALLS];
	struct json_object *j = json_object_new_object(), *tab = json_object_new_object();
	struct json_object *dec = json_object_new_object(), *sys = json_object_new_array();
	struct json_object *unres = json_object_new_array(), *unnamed = json_object_new_array();
	size_t n = entries(dv, ents);

	json_object_object_add(j, "binary", o->binary ? json_object_new_string(o->binary) : NULL);
	json_object_object_add(j, "go_version", dv->go_version[0] ? json_object_new_string(dv->go_version) : NULL);
	json_object_object_add(tab, "layout", json_object_new_string(bg_pcln_version_name(dv->tab.version)));
	json_object_object_add(tab, "source", json_object_new_string(dv->tab.source));
	json_object_object_add(tab, "functions", json_object_new_int64((int64_t)dv->tab.nfunc));
	json_object_object_add(j, "pclntab", tab);
	json_object_object_add(j, "cgo", json_object_new_boolean(dv->cgo));
	json_object_object_add(j, "static", json_object_new_boolean(dv->is_static));
	json_object_object_add(j, "register_abi", json_object_new_boolean(dv->regabi));
	json_object_object_add(dec, "functions", json_object_new_int64((int64_t)dv->funcs_decoded));
	json_object_object_add(dec, "unmapped_functions", json_object_new_int64((int64_t)dv->funcs_unmapped));
	json_object_object_add(dec, "instructions", json_object_new_int64((int64_t)dv->instructions));
	json_object_object_add(dec, "bytes", json_object_new_int64((int64_t)dv->code_bytes));
	json_object_object_add(dec, "undecodable_bytes", json_object_new_int64((int64_t)dv->bad_bytes));
	json_object_object_add(dec, "ms", json_object_new_int64((int64_t)(dv->elapsed_us / 1000)));
	json_object_object_add(j, "decoded", dec);
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_new_object(), *sites = json_object_new_array();
		struct conds c;

		json_object_object_add(e, "syscall", json_object_new_string(ents[i].name));
		json_object_object_add(e, "nr", json_object_new_int64(dv->sites[ents[i].first].nr));
		conds_of(dv, &ents[i], &c);
		if (c.mask) {
			struct json_object *ca = json_object_new_array();

			for (size_t t = 0; t < c.n; t++) {
				char cond[160];

				cond_str(&c, t, cond, sizeof(cond));
				json_object_array_add(ca, json_object_new_string(cond + 4)); /* past " if " */
			}
			json_object_object_add(e, "conditions", ca);
		}
		for (size_t k = ents[i].first; k < ents[i].first + ents[i].n; k++)
			json_object_array_add(sites, site_json(dv, &dv->sites[k]));
		json_object_object_add(e, "sites", sites);
		json_object_array_add(sys, e);
	}
	for (size_t i = 0; i < dv->nsites; i++) {
		if (dv->sites[i].nr < 0)
			json_object_array_add(unres, site_json(dv, &dv->sites[i]));
		else if (!named(dv->sites[i].nr))
			json_object_array_add(unnamed, site_json(dv, &dv->sites[i]));
	}
	json_object_object_add(j, "syscalls", sys);
	json_object_object_add(j, "unresolved", unres);
	json_object_object_add(j, "unnamed", unnamed);
	return j;
}

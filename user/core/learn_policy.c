// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * learn_policy.c - what a learning session (learn.c) recorded, rendered:
 * the reviewable policy text with its evidence, parsed back and checked
 * against every call seen before it is written, and the JSON record.
 * learn.c's header says why the text is written here and not through
 * bg_policy_print().
 *
 * Separate from learn.c because it never touches the kernel: it reads the
 * snapshot a stopped session holds.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <linux/prctl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "learn.h"
#include "learn_internal.h"
#include "policy.h"
#include "syscalls.h"
#include "textsafe.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* The policy text */

/* comm is whatever the task set (prctl PR_SET_NAME): keep it printable
 * and on one line. */
static void clean_comm(const char *in, char out[BG_COMM_LEN])
{
	int i;

	for (i = 0; i < BG_COMM_LEN - 1 && in[i]; i++)
		out[i] = (in[i] >= 0x21 && in[i] < 0x7f) ? in[i] : '?';
	out[i] = '\0';
}

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

static void first_caller(const struct bg_learn_slot *s, char *buf, size_t len)
{
	char comm[BG_COMM_LEN];

	if (!s->seen) {
		snprintf(buf, len, "first caller unknown");
		return;
	}
	clean_comm(s->first_comm, comm);
	snprintf(buf, len, "first: %s[%u]", comm, s->first_pid);
}

static const char *family_name(uint64_t v)
{
	switch (v) {
	case AF_UNIX: return "AF_UNIX";
	case AF_INET: return "AF_INET";
	case AF_INET6: return "AF_INET6";
	case AF_NETLINK: return "AF_NETLINK";
	case AF_PACKET: return "AF_PACKET";
	}
	return NULL;
}

static const char *socktype_name(uint64_t v)
{
	switch (v) {
	case SOCK_STREAM: return "SOCK_STREAM";
	case SOCK_DGRAM: return "SOCK_DGRAM";
	case SOCK_RAW: return "SOCK_RAW";
	}
	return NULL;
}

/* Names for the comments only (the parser has no constants for these). */
static const char *prctl_name(uint64_t v)
{
	static const struct { uint64_t v; const char *n; } t[] = {
		{ PR_SET_PDEATHSIG, "PR_SET_PDEATHSIG" }, { PR_GET_PDEATHSIG, "PR_GET_PDEATHSIG" },
		{ PR_GET_DUMPABLE, "PR_GET_DUMPABLE" },   { PR_SET_DUMPABLE, "PR_SET_DUMPABLE" },
		{ PR_GET_KEEPCAPS, "PR_GET_KEEPCAPS" },   { PR_SET_KEEPCAPS, "PR_SET_KEEPCAPS" },
		{ PR_SET_NAME, "PR_SET_NAME" },           { PR_GET_NAME, "PR_GET_NAME" },
		{ PR_GET_SECCOMP, "PR_GET_SECCOMP" },     { PR_SET_SECCOMP, "PR_SET_SECCOMP" },
		{ PR_CAPBSET_READ, "PR_CAPBSET_READ" },   { PR_CAPBSET_DROP, "PR_CAPBSET_DROP" },
		{ PR_SET_SECUREBITS, "PR_SET_SECUREBITS" }, { PR_GET_SECUREBITS, "PR_GET_SECUREBITS" },
		{ PR_SET_TIMERSLACK, "PR_SET_TIMERSLACK" }, { PR_SET_MM, "PR_SET_MM" },
		{ PR_SET_CHILD_SUBREAPER, "PR_SET_CHILD_SUBREAPER" },
		{ PR_SET_NO_NEW_PRIVS, "PR_SET_NO_NEW_PRIVS" }, { PR_GET_NO_NEW_PRIVS, "PR_GET_NO_NEW_PRIVS" },
		{ PR_SET_THP_DISABLE, "PR_SET_THP_DISABLE" }, { PR_CAP_AMBIENT, "PR_CAP_AMBIENT" },
		{ 0x53564d41, "PR_SET_VMA" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (t[i].v == v)
			return t[i].n;
	return NULL;
}

static const char *nsbit_name(uint64_t bit)
{
	switch (bit) {
	case CLONE_NEWTIME: return "CLONE_NEWTIME";
	case CLONE_NEWNS: return "CLONE_NEWNS";
	case CLONE_NEWCGROUP: return "CLONE_NEWCGROUP";
	case CLONE_NEWUTS: return "CLONE_NEWUTS";
	case CLONE_NEWIPC: return "CLONE_NEWIPC";
	case CLONE_NEWUSER: return "CLONE_NEWUSER";
	case CLONE_NEWPID: return "CLONE_NEWPID";
	case CLONE_NEWNET: return "CLONE_NEWNET";
	}
	return "?";
}

/* VALUE as the parser reads it: a constant's name if it knows one. */
static void value_str(uint64_t v, const char *name, char *buf, size_t len)
{
	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

/* A rule line, then its comment aligned after it. */
static void rule_line(FILE *f, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void rule_line(FILE *f, const char *rule, const char *fmt, ...)
{
	char c[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c, sizeof(c), fmt, ap);
	va_end(ap);
	fprintf(f, "%-28s # %s\n", rule, c);
}

/* [begin, end) of the recorded values of slot idx (vals is sorted). */
static void vals_of(const struct bg_learn *l, uint32_t idx, size_t *begin, size_t *end)
{
	size_t i = 0;

	while (i < l->nvals && l->vals[i].idx < idx)
		i++;
	*begin = i;
	while (i < l->nvals && l->vals[i].idx == idx)
		i++;
	*end = i;
}

static void print_socket(FILE *f, const struct bg_learn *l, const char *pfx, const char *name,
			 size_t b, size_t e, const char *first)
{
	uint64_t fams[BG_MAX_ARGRULES + 1], famcnt[BG_MAX_ARGRULES + 1];
	char rule[256], fv[32], tv[32];
	size_t nfam = 0;

	if (e - b <= BG_MAX_ARGRULES) {
		/* one rule per (family, type) pair seen */
		for (size_t i = b; i < e; i++) {
			const struct argval *v = &l->vals[i];

			value_str(v->val[0], family_name(v->val[0]), fv, sizeof(fv));
			value_str(v->val[1], socktype_name(v->val[1]), tv, sizeof(tv));
			snprintf(rule, sizeof(rule), "allow %s%s if arg0 == %s and arg1 & 0xf == %s",
				 pfx, name, fv, tv);
			rule_line(f, rule, "%llu call%s%s%s", (unsigned long long)v->count, plural(v->count),
				  i == b ? ", " : "", i == b ? first : "");
		}
		return;
	}
	/* too many pairs for BG_MAX_ARGRULES: one rule per family */
	for (size_t i = b; i < e && nfam <= BG_MAX_ARGRULES; i++) {
		size_t k;

		for (k = 0; k < nfam && fams[k] != l->vals[i].val[0]; k++)
			;
		if (k == nfam) {
			fams[nfam] = l->vals[i].val[0];
			famcnt[nfam++] = 0;
		}
		if (k < BG_MAX_ARGRULES + 1)
			famcnt[k] += l->vals[i].count;
	}
	if (nfam > BG_MAX_ARGRULES) {
		snprintf(rule, sizeof(rule), "allow %s%s", pfx, name);
		rule_line(f, rule, "%zu family/type pairs seen, more than %d rules can list; %s",
			  e - b, BG_MAX_ARGRULES, first);
		return;
	}
	for (size_t k = 0; k < nfam; k++) {
		value_str(fams[k], family_name(fams[k]), fv, sizeof(fv));
		snprintf(rule, sizeof(rule), "allow %s%s if arg0 == %s", pfx, name, fv);
		rule_line(f, rule, "%llu call%s, any type (%zu family/type pairs seen)%s%s",
			  (unsigned long long)famcnt[k], plural(famcnt[k]), e - b, k == 0 ? ", " : "",
			  k == 0 ? first : "");
	}
}

static void print_nsflags(FILE *f, const struct bg_learn *l, const struct watch_def *w,
			  const char *pfx, const char *name, uint64_t count, size_t b, size_t e,
			  const char *first)
{
	uint64_t seen = 0, unseen;
	char rule[256], flags[160] = "", names[256] = "";
	size_t fl = 0, nl = 0;

	for (size_t i = b; i < e; i++) {
		seen |= l->vals[i].val[0] & w->nsbits;
		if (i - b < 4 && fl < sizeof(flags))
			fl += snprintf(flags + fl, sizeof(flags) - fl, "%s%#llx", i == b ? "" : " ",
				       (unsigned long long)l->vals[i].val[0]);
	}
	if (e - b > 4 && fl < sizeof(flags))
		snprintf(flags + fl, sizeof(flags) - fl, " ...");
	unseen = w->nsbits & ~seen;
	if (!unseen) {
		snprintf(rule, sizeof(rule), "allow %s%s", pfx, name);
		rule_line(f, rule, "%llu call%s, every namespace flag seen (flags: %s); %s",
			  (unsigned long long)count, plural(count), flags, first);
		return;
	}
	for (uint64_t bit = 1; bit && bit <= unseen; bit <<= 1)
		if ((unseen & bit) && nl < sizeof(names))
			nl += snprintf(names + nl, sizeof(names) - nl, "%s%s", nl ? "|" : "", nsbit_name(bit));
	snprintf(rule, sizeof(rule), "allow %s%s if arg0 & %#llx == 0", pfx, name, (unsigned long long)unseen);
	rule_line(f, rule, "%llu call%s, flags seen: %s; never %s; %s", (unsigned long long)count,
		  plural(count), flags, names, first);
}

static void print_values(FILE *f, const struct bg_learn *l, const char *pfx, const char *name,
			 uint64_t count, size_t b, size_t e, const char *first)
{
	char rule[256];

	if (e - b > BG_MAX_ARGRULES) {
		snprintf(rule, sizeof(rule), "allow %s%s", pfx, name);
		rule_line(f, rule, "%llu call%s with %zu different arg0 values, more than %d rules can list; %s",
			  (unsigned long long)count, plural(count), e - b, BG_MAX_ARGRULES, first);
		return;
	}
	for (size_t i = b; i < e; i++) {
		const struct argval *v = &l->vals[i];
		const char *n = prctl_name(v->val[0]);

		snprintf(rule, sizeof(rule), "allow %s%s if arg0 == %llu", pfx, name,
			 (unsigned long long)v->val[0]);
		rule_line(f, rule, "%s%s%llu call%s%s%s", n ? n : "", n ? ", " : "",
			  (unsigned long long)v->count, plural(v->count), i == b ? ", " : "",
			  i == b ? first : "");
	}
}

/* One syscall seen: `allow NAME`, or its argument rules. */
static void print_seen(FILE *f, const struct bg_learn *l, int abi, int nr)
{
	uint32_t idx = abi * BG_MAX_SYSCALLS + nr;
	const struct watch_def *w = l->watch[idx];
	const char *name = bg_syscall_name(abi, nr), *pfx = abi == BG_ABI_IA32 ? "ia32:" : "";
	uint64_t count = l->counts[idx];
	char first[64], rule[128];
	size_t b, e;

	first_caller(&l->slots[idx], first, sizeof(first));
	vals_of(l, idx, &b, &e);
	if (w && l->slots[idx].args_full) {
		snprintf(rule, sizeof(rule), "allow %s%s", pfx, name);
		rule_line(f, rule, "%llu call%s; too many argument values to record them all (%d): allowed with any; %s",
			  (unsigned long long)count, plural(count), BG_LEARN_MAX_ARGVALS, first);
		return;
	}
	if (w && b < e) {
		switch (w->kind) {
		case W_SOCKET: print_socket(f, l, pfx, name, b, e, first); return;
		case W_NSFLAGS: print_nsflags(f, l, w, pfx, name, count, b, e, first); return;
		case W_VALUES: print_values(f, l, pfx, name, count, b, e, first); return;
		}
	}
	snprintf(rule, sizeof(rule), "allow %s%s", pfx, name);
	rule_line(f, rule, "%llu call%s, %s", (unsigned long long)count, plural(count), first);
}

struct seen_ent {
	const char *name;
	int nr;
};

static int cmp_seen(const void *a, const void *b)
{
	return strcmp(((const struct seen_ent *)a)->name, ((const struct seen_ent *)b)->name);
}

/* Syscalls of one ABI seen and named in its table, sorted by name (a
 * learned policy is reviewed and diffed; name order keeps diffs small).
 * Returns how many; counts numbers without a name in *unnamed. */
static size_t seen_sorted(const struct bg_learn *l, int abi, struct seen_ent *out,
			  uint64_t *unnamed)
{
	size_t n = 0;

	*unnamed = 0;
	for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++) {
		uint64_t c = l->counts[abi * BG_MAX_SYSCALLS + nr];
		const char *name;

		if (!c)
			continue;
		name = bg_syscall_name(abi, nr);
		if (!name) {
			*unnamed += c;
			continue;
		}
		out[n++] = (struct seen_ent){ name, nr };
	}
	qsort(out, n, sizeof(*out), cmp_seen);
	return n;
}

static bool abi_seen(const struct bg_learn *l, int abi)
{
	for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++)
		if (l->counts[abi * BG_MAX_SYSCALLS + nr])
			return true;
	return l->counts[BG_LEARN_IDX_BIG + abi] != 0;
}

/* The executables seen, and the Go runtime's calls added for them. */
static void print_go_added(FILE *f, const struct bg_learn *l)
{
	struct seen_ent ents[BG_MAX_SYSCALLS];
	char path[BG_ESC_MAX];
	size_t n = 0;

	if (!l->go_seen)
		return;
	for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++)
		if (l->go_added[nr] && bg_syscall_name(BG_ABI_X86_64, nr))
			ents[n++] = (struct seen_ent){ bg_syscall_name(BG_ABI_X86_64, nr), nr };
	qsort(ents, n, sizeof(*ents), cmp_seen);
	fprintf(f, "# not seen, added: a Go runtime ran here (");
	for (size_t i = 0, k = 0; i < l->nexes; i++) {
		const struct learned_exe *x = &l->exes[i];

		if (x->kind == EXE_GO && k++ < 3)
			fprintf(f, "%s%s %s", k > 1 ? ", " : "", x->go_version, bg_esc(x->rec.path, path));
	}
	fprintf(f, "), and it makes some calls only\n"
		   "# when a lock is contended, a goroutine is preempted or memory is returned: a run\n"
		   "# that did not show them is no evidence they will not come (docs/learn.md).\n"
		   "# Added: every call in the code of each static Go binary that ran (policy derive),\n"
		   "# and @go-runtime for a Go binary whose code could not be read (cgo)\n");
	for (size_t i = 0; i < n; i++) {
		unsigned why = l->go_added[ents[i].nr];
		char rule[128];

		snprintf(rule, sizeof(rule), "allow %s", ents[i].name);
		rule_line(f, rule, (why & LEARN_ADD_DERIVED) && (why & LEARN_ADD_RUNTIME)
				   ? "added: in the binary's code and @go-runtime, not seen"
				   : (why & LEARN_ADD_DERIVED) ? "added: in the binary's code (derive), not seen"
							       : "added: @go-runtime, not seen");
	}
	if (!n)
		fprintf(f, "# (every call of the Go binaries' code and @go-runtime was seen: nothing to add)\n");
}

static void print_abi(FILE *f, const struct bg_learn *l, int abi)
{
	struct seen_ent ents[BG_MAX_SYSCALLS];
	const char *abiname = bg_abi_name(abi), *pfx = abi == BG_ABI_IA32 ? "ia32:" : "";
	uint64_t unnamed, big = l->counts[BG_LEARN_IDX_BIG + abi];
	char line[256];
	size_t n = seen_sorted(l, abi, ents, &unnamed), ll = 0;

	fprintf(f, "\n# %s: %zu syscall%s seen (calls, first caller as comm[pid])\n", abiname, n, plural(n));
	for (size_t i = 0; i < n; i++)
		print_seen(f, l, abi, ents[i].nr);
	if (unnamed || big)
		fprintf(f, "# %s: %llu call%s to numbers without a name in the %s table were seen and are not allowed\n",
			abiname, (unsigned long long)(unnamed + big), plural(unnamed + big), abiname);
	for (int i = 0; learn_extras[abi][i]; i++) {
		int nr = bg_syscall_nr(abi, learn_extras[abi][i]);

		if (nr < 0 || nr >= BG_MAX_SYSCALLS || l->counts[abi * BG_MAX_SYSCALLS + nr])
			continue;
		ll += snprintf(line + ll, sizeof(line) - ll, "%s%s%s", ll ? " " : "allow ", pfx, learn_extras[abi][i]);
	}
	if (ll)
		fprintf(f, "# not seen, allowed anyway: a workload may exit another way next time (docs/learn.md)\n%s\n",
			line);
	if (abi == BG_ABI_X86_64)
		print_go_added(f, l);
}

static void default_name(const struct bg_learn *l, char *buf, size_t len)
{
	const char *base = strrchr(l->cg.rel, '/');
	size_t n;

	base = base && base[1] ? base + 1 : "cgroup";
	n = (size_t)snprintf(buf, len, "learned-%s", base);
	if (n >= len)
		n = len - 1;
	for (size_t i = 8; i < n; i++) {
		char c = buf[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			buf[i] = '_';
	}
	if (n > BG_NAME_MAX - 1)
		buf[BG_NAME_MAX - 1] = '\0';
}

static const char *exe_kind_name(const struct learned_exe *x)
{
	switch (x->kind) {
	case EXE_GO: return x->cgo ? "go (cgo: libc's calls are only as seen)" : "go";
	case EXE_OTHER: return "not go";
	case EXE_UNREADABLE: return "could not be checked";
	default: return "unchecked";
	}
}

/* Which programs ran, so a reviewer knows what the record covers. */
static void print_exes(FILE *f, const struct bg_learn *l)
{
	if (!l->nexes && !l->exes_lost)
		return;
	fprintf(f, "# executables run while learning (%zu):\n", l->nexes);
	for (size_t i = 0; i < l->nexes; i++) {
		const struct learned_exe *x = &l->exes[i];
		char path[BG_ESC_MAX];

		/* escaped: a hostile file name cannot end the comment line */
		fprintf(f, "#   %s: %s%s%s%s%s, %llu exec%s", bg_esc(x->rec.path, path), exe_kind_name(x),
			x->kind == EXE_GO ? " " : "", x->kind == EXE_GO ? x->go_version : "",
			x->why[0] ? "; " : "", x->why, (unsigned long long)x->rec.count, plural(x->rec.count));
		if (x->derived)
			fprintf(f, "; %u syscalls read from its code", x->nderived);
		fputc('\n', f);
	}
	if (l->exes_lost)
		fprintf(f, "#   and %llu more not recorded (more than %d distinct files): the Go runtime may have run "
			"unnoticed; review with docs/learn.md\n", (unsigned long long)l->exes_lost, BG_LEARN_MAX_EXECS);
}

static void print_policy(FILE *f, const struct bg_learn *l, const char *name)
{
	bool ia32 = abi_seen(l, BG_ABI_IA32);
	uint64_t x32 = l->counts[BG_LEARN_IDX_X32], total = bg_learn_calls(l);
	uint64_t ms = (l->t_stop - l->t_start) / 1000000;
	char when[64];

	bg_format_rfc3339(l->real_start, when, sizeof(when));
	fprintf(f, "# bpfguard policy learned from cgroup %s (id %llu) and the cgroups below it\n",
		l->cg.rel, (unsigned long long)l->cg.id);
	fprintf(f, "# from %s for %llu.%03llu s: %llu call%s, %u distinct syscall%s\n", when,
		(unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000),
		(unsigned long long)total, plural(total), bg_learn_syscalls(l),
		plural(bg_learn_syscalls(l)));
	fprintf(f, "# Only what ran while learning is allowed: review it before enforcing\n"
		   "# (bpfguard policy diff, docs/learn.md).\n");
	print_exes(f, l);
	fprintf(f, "name %s\n", name);
	fprintf(f, "default errno(EPERM)\n");
	if (ia32)
		fprintf(f, "default ia32 errno(EPERM)   # ia32 (int $0x80) calls were seen\n");
	else
		fprintf(f, "default ia32 kill           # no ia32 (int $0x80) call was seen\n");
	if (x32)
		fprintf(f, "# x32: %llu call%s seen; bpfguard kills every x32 call, whatever the policy says\n",
			(unsigned long long)x32, plural(x32));
	print_abi(f, l, BG_ABI_X86_64);
	if (ia32)
		print_abi(f, l, BG_ABI_IA32);
}

/* Every call seen must be allowed by the text we are about to write. */
static int self_check(const struct bg_learn *l, const char *text, size_t len, const char *origin,
		      struct bg_diag *diag)
{
	struct bg_policy *p = NULL;
	struct bg_diag d = {};
	int ret = 0;

	if (bg_policy_parse_native(text, len, origin, &p, &d)) {
		bg_diag_set(diag, "internal: the learned policy does not parse (%s); please report it", d.msg);
		return -1;
	}
	for (int abi = 0; abi < BG_NR_TABLES && !ret; abi++) {
		for (int nr = 0; nr < BG_MAX_SYSCALLS && !ret; nr++) {
			uint32_t idx = abi * BG_MAX_SYSCALLS + nr;
			const struct watch_def *w = l->watch[idx];
			uint64_t args[6] = {};
			size_t b, e;

			if (!l->counts[idx] || !bg_syscall_name(abi, nr))
				continue;
			vals_of(l, idx, &b, &e);
			if (!w || b == e) {
				ret = bg_policy_eval(p, abi, nr, args).verdict != BG_VERDICT_ALLOW;
				continue;
			}
			for (size_t i = b; i < e && !ret; i++) {
				memset(args, 0, sizeof(args));
				for (int v = 0; v < w->nvals; v++)
					args[w->arg[v]] = l->vals[i].val[v];
				ret = bg_policy_eval(p, abi, nr, args).verdict != BG_VERDICT_ALLOW;
			}
			if (ret)
				bg_diag_set(diag, "internal: the learned policy would refuse %s%s, which was seen; "
					    "please report it", abi ? "ia32:" : "", bg_syscall_name(abi, nr));
		}
	}
	bg_policy_free(p);
	return ret ? -1 : 0;
}

static int write_atomically(const char *path, const char *text, size_t len, struct bg_diag *diag)
{
	char tmp[PATH_MAX];
	size_t off = 0;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		bg_diag_set(diag, "cannot write %.200s...: path too long; give a shorter -o path", path);
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		bg_diag_set(diag, "cannot write %s: %s; give a -o path in a writable directory",
			    path, strerror(errno));
		return -1;
	}
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		off += (size_t)w;
	}
	if (fchmod(fd, 0644) || fsync(fd))
		goto fail;
	if (close(fd)) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path))
		goto fail;
	return 0;
fail:
	bg_diag_set(diag, "cannot write %s: %s; give a -o path on a writable file system",
		    path, strerror(errno ? errno : EIO));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

int bg_learn_stop_write(struct bg_learn *l, const char *out_path, const char *name,
			struct bg_diag *diag)
{
	char defname[BG_NAME_MAX];
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	bg_learn_stop(l);
	if (l->snap_err) {
		bg_diag_set(diag, "cannot read what was learned from the kernel: %s; nothing written to %s",
			    strerror(l->snap_err), out_path);
		return -1;
	}
	if (!name) {
		default_name(l, defname, sizeof(defname));
		name = defname;
	}
	if (!bg_policy_name_valid(name)) {
		bg_diag_set(diag, "policy name '%s' is not valid; use 1..63 of [A-Za-z0-9._-]", name);
		return -1;
	}
	f = open_memstream(&text, &len);
	if (!f) {
		bg_diag_set(diag, "learn: out of memory");
		return -1;
	}
	print_policy(f, l, name);
	if (fclose(f)) {
		free(text);
		bg_diag_set(diag, "learn: out of memory");
		return -1;
	}
	ret = self_check(l, text, len, out_path, diag);
	if (!ret)
		ret = write_atomically(out_path, text, len, diag);
	if (!ret)
		bg_strlcpy(l->name, name, sizeof(l->name));
	free(text);
	return ret;
}

/* ------------------------------------------------------------------ */

static struct json_object *seen_json(const struct bg_learn *l, int abi, int nr, uint32_t idx)
{
	struct json_object *o = json_object_new_object();
	const struct bg_learn_slot *s = &l->slots[idx];
	const char *name = nr >= 0 ? bg_syscall_name(abi, nr) : NULL;
	char comm[BG_COMM_LEN];
	size_t b, e;

	json_object_object_add(o, "abi", json_object_new_string(bg_abi_name(abi)));
	json_object_object_add(o, "syscall", name ? json_object_new_string(name) : NULL);
	if (nr >= 0)
		json_object_object_add(o, "nr", json_object_new_int(nr));
	json_object_object_add(o, "count", json_object_new_uint64(l->counts[idx]));
	if (s->seen) {
		clean_comm(s->first_comm, comm);
		json_object_object_add(o, "first_pid", json_object_new_int64(s->first_pid));
		json_object_object_add(o, "first_comm", json_object_new_string(comm));
	}
	if (idx < BG_LEARN_IDX_X32 && l->watch[idx]) {
		const struct watch_def *w = l->watch[idx];
		struct json_object *vals = json_object_new_array();

		vals_of(l, idx, &b, &e);
		for (size_t i = b; i < e; i++) {
			struct json_object *v = json_object_new_object(), *a = json_object_new_array();

			for (int k = 0; k < w->nvals; k++)
				json_object_array_add(a, json_object_new_uint64(l->vals[i].val[k]));
			json_object_object_add(v, "args", a);
			json_object_object_add(v, "count", json_object_new_uint64(l->vals[i].count));
			json_object_array_add(vals, v);
		}
		json_object_object_add(o, "values", vals);
		if (s->args_full)
			json_object_object_add(o, "values_incomplete", json_object_new_boolean(1));
	}
	return o;
}

static struct json_object *exes_json(const struct bg_learn *l)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < l->nexes; i++) {
		const struct learned_exe *x = &l->exes[i];
		struct json_object *o = json_object_new_object();

		bg_json_add_str(o, "path", x->rec.path);
		json_object_object_add(o, "execs", json_object_new_uint64(x->rec.count));
		json_object_object_add(o, "first_pid", json_object_new_int64(x->rec.first_pid));
		json_object_object_add(o, "kind", json_object_new_string(x->kind == EXE_GO ? "go" :
			x->kind == EXE_OTHER ? "other" : "unchecked"));
		if (x->kind == EXE_GO) {
			json_object_object_add(o, "go_version", json_object_new_string(x->go_version));
			json_object_object_add(o, "cgo", json_object_new_boolean(x->cgo));
			json_object_object_add(o, "derived_syscalls", json_object_new_int((int)x->nderived));
		}
		if (x->why[0])
			json_object_object_add(o, "note", json_object_new_string(x->why));
		json_object_array_add(a, o);
	}
	if (l->exes_lost) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "not_recorded", json_object_new_uint64(l->exes_lost));
		json_object_array_add(a, o);
	}
	return a;
}

struct json_object *bg_learn_to_json(const struct bg_learn *l)
{
	struct json_object *o = json_object_new_object(), *seen = json_object_new_array();
	uint64_t end = l->stopped ? l->t_stop : learn_now_ns(CLOCK_MONOTONIC);
	uint64_t per_abi[BG_NR_TABLES] = {};

	for (int abi = 0; abi < BG_NR_TABLES; abi++) {
		for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++) {
			uint32_t idx = abi * BG_MAX_SYSCALLS + nr;

			per_abi[abi] += l->counts[idx];
			if (l->counts[idx])
				json_object_array_add(seen, seen_json(l, abi, nr, idx));
		}
		per_abi[abi] += l->counts[BG_LEARN_IDX_BIG + abi];
		if (l->counts[BG_LEARN_IDX_BIG + abi])
			json_object_array_add(seen, seen_json(l, abi, -1, BG_LEARN_IDX_BIG + abi));
	}
	if (l->counts[BG_LEARN_IDX_X32])
		json_object_array_add(seen, seen_json(l, BG_ABI_X32, -1, BG_LEARN_IDX_X32));
	if (l->name[0])
		json_object_object_add(o, "name", json_object_new_string(l->name));
	json_object_object_add(o, "cgroup", json_object_new_string(l->cg.rel));
	json_object_object_add(o, "cgroup_id", json_object_new_uint64(l->cg.id));
	json_object_object_add(o, "duration_ms", json_object_new_uint64((end - l->t_start) / 1000000));
	json_object_object_add(o, "calls_total", json_object_new_uint64(bg_learn_calls(l)));
	json_object_object_add(o, "syscalls", json_object_new_int((int)bg_learn_syscalls(l)));
	json_object_object_add(o, "calls_x86_64", json_object_new_uint64(per_abi[BG_ABI_X86_64]));
	json_object_object_add(o, "calls_ia32", json_object_new_uint64(per_abi[BG_ABI_IA32]));
	json_object_object_add(o, "calls_x32", json_object_new_uint64(l->counts[BG_LEARN_IDX_X32]));
	json_object_object_add(o, "seen", seen);
	json_object_object_add(o, "executables", exes_json(l));
	if (l->go_seen) {
		struct json_object *added = json_object_new_array();

		for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++)
			if (l->go_added[nr] && bg_syscall_name(BG_ABI_X86_64, nr))
				json_object_array_add(added, json_object_new_string(bg_syscall_name(BG_ABI_X86_64, nr)));
		json_object_object_add(o, "added_for_go_runtime", added);
		{
			struct json_object *from = json_object_new_object();

			/* why each was added: "derived" (in a binary's code),
			 * "@go-runtime" (a Go binary whose code was not read) */
			for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++)
				if (l->go_added[nr] && bg_syscall_name(BG_ABI_X86_64, nr))
					json_object_object_add(from, bg_syscall_name(BG_ABI_X86_64, nr),
						json_object_new_string(l->go_added[nr] & LEARN_ADD_DERIVED ? "derived"
												: "@go-runtime"));
			json_object_object_add(o, "added_why", from);
		}
	}
	return o;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_policy_diff.c - `policy diff` and `policy merge` on the IR.
 *
 * diff must be semantic (a @group equals its members listed one by one;
 * conditional rules written differently but deciding alike are equal) and
 * show a witness for conditional differences.  merge must give exactly the
 * union the documentation promises, checked call by call against
 * bg_policy_eval() of the inputs for hand-written and random policies, and
 * refuse (one line) what it cannot write.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "policy.h"
#include "policy_diff.h"
#include "syscalls.h"

struct warnings {
	unsigned n;
	bool approx; /* a merge said its denials are simplified */
	char last[512];
};

static void collect_warning(void *ctx, const char *msg)
{
	struct warnings *w = ctx;

	w->n++;
	w->approx |= strstr(msg, "some denials differ") != NULL;
	snprintf(w->last, sizeof(w->last), "%s", msg);
}

static struct bg_policy *parse(const char *text)
{
	struct bg_diag d = { 0 };
	struct bg_policy *p = NULL;

	if (bg_policy_parse_native(text, strlen(text), "/t/p.policy", &p, &d))
		fail_msg("%s: %s", text, d.msg);
	return p;
}

/* Runs diff; returns its result and the output (malloc'ed) in *out. */
static int diff(const struct bg_policy *a, const struct bg_policy *b, bool json, char **out)
{
	struct bg_diag d = { 0 };
	size_t len = 0;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);
	int r;

	assert_non_null(f);
	r = bg_policy_diff(a, b, json, f, &d);
	fclose(f);
	if (out)
		*out = buf;
	else
		free(buf);
	return r;
}

static int diff_text(const char *ta, const char *tb, char **out)
{
	struct bg_policy *a = parse(ta), *b = parse(tb);
	int r = diff(a, b, false, out);

	bg_policy_free(a);
	bg_policy_free(b);
	return r;
}

#define assert_contains(hay, needle)                                                  \
	do {                                                                          \
		if (!strstr((hay), (needle)))                                         \
			fail_msg("expected '%s' in:\n%s", (needle), (hay));           \
	} while (0)

/* ------------------------------------------------------------------ */
/* diff */

static void test_group_vs_names(void **state)
{
	unsigned char set[BG_MAX_SYSCALLS] = { 0 };
	char text[8192] = "default errno(EPERM)\nallow";
	char *out;

	(void)state;
	assert_true(bg_group_expand("@basic-io", BG_ABI_X86_64, set) > 5);
	for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++)
		if (set[nr])
			snprintf(text + strlen(text), sizeof(text) - strlen(text), " %s",
				 bg_syscall_name(BG_ABI_X86_64, nr));
	strcat(text, "\n");
	assert_int_equal(diff_text("default errno(EPERM)\nallow @basic-io\n", text, &out), 0);
	assert_contains(out, "# equivalent");
	free(out);
	/* deny == errno(EPERM), and naming the default changes nothing */
	assert_int_equal(diff_text("default errno(EPERM)\ndeny ptrace\nallow read\n",
				   "default errno(1)\nallow read\n", NULL), 0);
}

static void test_action_difference(void **state)
{
	char *out;

	(void)state;
	assert_int_equal(diff_text("default errno(EPERM)\nallow read write\nkill ptrace\n",
				   "default errno(EPERM)\nallow read\nerrno(EACCES) ptrace\n", &out), 1);
	assert_contains(out, "- write: allow\n+ write: errno(EPERM) (default)\n");
	assert_contains(out, "- ptrace: kill\n+ ptrace: errno(EACCES)\n");
	assert_contains(out, "# 2 syscalls differ (x86_64 2, ia32 0)");
	assert_null(strstr(out, "read:"));
	free(out);

	/* defaults: one line pair, not one per syscall */
	assert_int_equal(diff_text("default errno(EPERM)\ndefault ia32 kill\n",
				   "default kill\ndefault ia32 errno(EPERM)\n", &out), 1);
	assert_contains(out, "- default: errno(EPERM)\n+ default: kill\n");
	assert_contains(out, "- default ia32: kill\n+ default ia32: errno(EPERM)\n");
	assert_contains(out, "# 0 syscalls differ (x86_64 0, ia32 0); defaults differ\n");
	free(out);

	/* ia32 names are prefixed */
	assert_int_equal(diff_text("allow ia32:read\n", "allow ia32:read ia32:mmap2\n", &out), 1);
	assert_contains(out, "- ia32:mmap2: kill (default)\n+ ia32:mmap2: allow\n");
	free(out);
}

static void test_conditional(void **state)
{
	char *out;

	(void)state;
	/* order of non-overlapping rules, and the same set spelled otherwise */
	assert_int_equal(diff_text("allow socket if arg0 == 2\nallow socket if arg0 == 10\n",
				   "allow socket if arg0 == 10\nallow socket if arg0 >= 2 and arg0 <= 2\n", NULL), 0);
	assert_int_equal(diff_text("errno(EPERM) clone if arg0 & 0x10000000 == 0x10000000\nallow clone\n",
				   "allow clone if arg0 & 0x10000000 == 0\ndeny clone\n", NULL), 0);
	/* a conditional rule that only repeats the fallback is no rule */
	assert_int_equal(diff_text("allow ioctl if arg1 == 5\nallow ioctl\n", "allow ioctl\n", NULL), 0);
	/* order matters when rules overlap with different actions */
	assert_int_equal(diff_text("kill kill if arg1 == 9\nallow kill if arg0 > 1\n",
				   "allow kill if arg0 > 1\nkill kill if arg1 == 9\n", &out), 1);
	assert_contains(out, "- kill: kill if arg1 == 0x9; allow if arg0 > 0x1; else errno(EPERM) (default)\n");
	assert_contains(out, "  kill: e.g. (0x");
	assert_contains(out, "- kill, + allow\n");
	free(out);

	/* the witness is a real difference */
	struct bg_policy *a = parse("allow socket if arg0 == 2\nallow socket if arg0 == 10\n");
	struct bg_policy *b = parse("allow socket if arg0 == 2\n");
	int nr = bg_syscall_nr(BG_ABI_X86_64, "socket");
	struct bg_rule_list la = bg_sys_rule_list(a, BG_ABI_X86_64, nr);
	struct bg_rule_list lb = bg_sys_rule_list(b, BG_ABI_X86_64, nr);
	struct bg_action aa, ab;
	uint64_t ex[6];

	assert_int_equal(bg_rule_lists_equal(&la, &lb, BG_ABI_X86_64, ex, &aa, &ab), 0);
	assert_int_equal(ex[0], 10);
	assert_int_equal(aa.verdict, BG_VERDICT_ALLOW);
	assert_int_equal(ab.verdict, BG_VERDICT_ERRNO);
	assert_int_equal(bg_policy_eval(a, BG_ABI_X86_64, nr, ex).verdict, aa.verdict);
	assert_int_equal(bg_policy_eval(b, BG_ABI_X86_64, nr, ex).verdict, ab.verdict);
	bg_policy_free(a);
	bg_policy_free(b);

	/* ia32 arguments are 32 bits: a test of the upper half never matters */
	assert_int_equal(diff_text("allow ia32:ioctl if arg1 == 0x100000005\n", "", NULL), 0);
	assert_int_equal(diff_text("allow ioctl if arg1 == 0x100000005\n", "", NULL), 1);
}

static void test_sections(void **state)
{
	char *out;

	(void)state;
	assert_int_equal(diff_text("allow read\nnet family inet\nnet connect deny 10.0.0.0/8\n",
				   "allow read\n", &out), 1);
	assert_contains(out, "- net family inet\n");
	assert_contains(out, "- net connect deny 10.0.0.0/8\n");
	assert_contains(out, "+ net: (no net section: nothing restricted)\n");
	assert_contains(out, "; section differs: net\n");
	free(out);
	/* dev rules are an allow list: order does not matter */
	assert_int_equal(diff_text("dev allow c 1:3 rw\ndev allow c 1:5 r\n",
				   "dev allow c 1:5 r\ndev allow c 1:3 rw\n", NULL), 0);
	/* net rules are first-match: order does */
	assert_int_equal(diff_text("net connect allow 10.1.0.0/16\nnet connect deny 10.0.0.0/8\n",
				   "net connect deny 10.0.0.0/8\nnet connect allow 10.1.0.0/16\n", NULL), 1);
	assert_int_equal(diff_text("sysctl read-only\n", "sysctl none\n", &out), 1);
	assert_contains(out, "- sysctl read-only\n+ sysctl none\n");
	free(out);
}

static void test_json(void **state)
{
	struct bg_policy *a = parse("default errno(EPERM)\nallow read\nallow socket if arg0 == 2\n");
	struct bg_policy *b = parse("default kill\nallow read write\nnet family inet\n");
	char *out;
	struct json_object *j, *v, *calls;

	(void)state;
	assert_int_equal(diff(a, b, true, &out), 1);
	j = json_tokener_parse(out);
	assert_non_null(j);
	assert_true(json_object_object_get_ex(j, "equivalent", &v));
	assert_false(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(j, "defaults", &v));
	assert_int_equal(json_object_array_length(v), 1);
	assert_true(json_object_object_get_ex(j, "syscalls", &calls));
	assert_int_equal(json_object_array_length(calls), 2); /* socket, write */
	v = json_object_array_get_idx(calls, 0);
	assert_string_equal(json_object_get_string(json_object_object_get(v, "syscall")), "socket");
	assert_string_equal(json_object_get_string(json_object_object_get(v, "kind")), "arguments");
	assert_non_null(json_object_object_get(v, "example"));
	assert_true(json_object_object_get_ex(j, "sections", &v));
	assert_string_equal(json_object_get_string(json_object_object_get(json_object_array_get_idx(v, 0),
									  "section")), "net");
	json_object_put(j);
	free(out);
	bg_policy_free(a);
	bg_policy_free(b);
}

/* ------------------------------------------------------------------ */
/* merge */

static bool permits(struct bg_action a)
{
	return a.verdict == BG_VERDICT_ALLOW || a.verdict == BG_VERDICT_LOG;
}

/* What docs/policy.md promises for one call: allowed if any input allows
 * (log if one logs); else kill if one kills; else the first errno an
 * input gives by a rule of its own; else the default. */
static struct bg_action union_of(struct bg_policy *const *in, unsigned n, int abi, int nr,
				 const struct bg_action *a, struct bg_action dflt)
{
	bool perm = false, log = false, kill = false, err = false;
	struct bg_action r = dflt;

	for (unsigned i = 0; i < n; i++) {
		bool own = (nr < BG_MAX_SYSCALLS && in[i]->sys[abi][nr].has_base) ||
			   a[i].verdict != dflt.verdict || a[i].err != dflt.err;

		perm |= permits(a[i]);
		log |= a[i].verdict == BG_VERDICT_LOG;
		kill |= a[i].verdict == BG_VERDICT_KILL;
		if (a[i].verdict == BG_VERDICT_ERRNO && own && !err) {
			err = true;
			r = a[i];
		}
	}
	if (perm)
		return (struct bg_action){ .verdict = log ? BG_VERDICT_LOG : BG_VERDICT_ALLOW };
	if (kill)
		return (struct bg_action){ .verdict = BG_VERDICT_KILL };
	return r;
}

static uint64_t rnd64(void)
{
	return ((uint64_t)(unsigned)rand() << 42) ^ ((uint64_t)(unsigned)rand() << 21) ^ (unsigned)rand();
}

/* Constants of every input's rules for (abi, nr), and their neighbours. */
static size_t interesting(struct bg_policy *const *in, unsigned n, int abi, int nr, unsigned arg,
			  uint64_t *v, size_t max)
{
	size_t k = 0;

	v[k++] = 0;
	v[k++] = UINT32_MAX;
	for (unsigned i = 0; i < n; i++) {
		const struct bg_sysrules *s = &in[i]->sys[abi][nr];

		for (unsigned r = 0; r < s->nargrules; r++) {
			for (unsigned c = 0; c < s->argrules[r].ncond && k + 4 <= max; c++) {
				const struct bg_cond *cd = &s->argrules[r].cond[c];

				if (cd->arg != arg)
					continue;
				v[k++] = cd->val;
				v[k++] = cd->val + 1;
				v[k++] = cd->val - 1;
				v[k++] = cd->val | ~cd->mask;
			}
		}
	}
	return k;
}

/* merged judges every call as the union of the inputs; exact: same action,
 * else only the same allow/deny. */
static void check_union(struct bg_policy *const *in, unsigned n, const struct bg_policy *m, bool exact)
{
	char s1[32], s2[32];

	for (int abi = 0; abi < BG_NR_TABLES; abi++) {
		for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++) {
			bool cond = false;
			uint64_t iv[6][64];
			size_t ni[6];

			for (unsigned i = 0; i < n; i++)
				cond |= in[i]->sys[abi][nr].nargrules != 0;
			for (unsigned a = 0; a < 6; a++)
				ni[a] = interesting(in, n, abi, nr, a, iv[a], 64);
			for (unsigned t = 0; t < (cond ? 200u : 1u); t++) {
				uint64_t args[6];
				struct bg_action acts[BG_MERGE_MAX_INPUTS], want, got;

				for (unsigned a = 0; a < 6; a++) {
					args[a] = rand() % 4 ? iv[a][(unsigned)rand() % ni[a]] : rnd64();
					if (abi == BG_ABI_IA32)
						args[a] &= UINT32_MAX;
				}
				for (unsigned i = 0; i < n; i++)
					acts[i] = bg_policy_eval(in[i], abi, nr, args);
				want = union_of(in, n, abi, nr, acts, abi ? m->ia32_dflt : m->dflt);
				got = bg_policy_eval(m, abi, nr, args);
				if (exact ? got.verdict != want.verdict || got.err != want.err
					  : permits(got) != permits(want))
					fail_msg("%s %s (%d) args (0x%llx, 0x%llx, 0x%llx): merged %s, union %s",
						 bg_abi_name(abi), bg_syscall_name(abi, nr) ?: "?", nr,
						 (unsigned long long)args[0], (unsigned long long)args[1],
						 (unsigned long long)args[2], bg_action_str(&got, s1, sizeof(s1)),
						 bg_action_str(&want, s2, sizeof(s2)));
			}
		}
	}
}

/* merge, print, parse again: the text is the product people keep. */
static struct bg_policy *merge_print_parse(struct bg_policy *const *in, unsigned n,
					   const struct bg_merge_opts *o, struct warnings *w)
{
	struct bg_diag d = { .warn = collect_warning, .warn_ctx = w };
	struct bg_policy *m = NULL, *q = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (bg_policy_merge(in, n, o, &m, &d))
		return NULL;
	f = open_memstream(&buf, &len);
	bg_policy_print(m, f);
	fclose(f);
	if (bg_policy_parse_native(buf, len, "merged", &q, &d))
		fail_msg("merged policy does not parse again: %s\n%s", d.msg, buf);
	char *dout;

	if (diff(m, q, false, &dout) != 0)
		fail_msg("printed merge differs:\n%s\n%s", buf, dout);
	free(dout);
	free(buf);
	bg_policy_free(m);
	return q;
}

static void test_merge_basic(void **state)
{
	struct bg_policy *in[3];
	struct bg_merge_opts o = { 0 };
	struct warnings w = { 0 };
	struct bg_policy *m;

	(void)state;
	in[0] = parse("default errno(EPERM)\nallow read write\nkill ptrace\nlog execve\n");
	in[1] = parse("default errno(EPERM)\nallow read openat execve\nerrno(EACCES) ptrace\n");
	in[2] = parse("default errno(EPERM)\nerrno(EACCES) mkdir\nerrno(ENOENT) rmdir\nallow ia32:read\n");
	m = merge_print_parse(in, 3, &o, &w);
	assert_non_null(m);
	check_union(in, 3, m, true);
	assert_string_equal(m->name, "merged");
	/* ptrace: kill beats errno (a conflict, said once), execve: log,
	 * mkdir: the explicit EACCES beats the others' default EPERM */
	assert_int_equal(bg_policy_eval(m, 0, bg_syscall_nr(0, "ptrace"), NULL).verdict, BG_VERDICT_KILL);
	assert_int_equal(bg_policy_eval(m, 0, bg_syscall_nr(0, "execve"), NULL).verdict, BG_VERDICT_LOG);
	assert_int_equal(bg_policy_eval(m, 0, bg_syscall_nr(0, "mkdir"), NULL).err, EACCES);
	assert_int_equal(bg_policy_eval(m, 0, bg_syscall_nr(0, "rmdir"), NULL).err, ENOENT);
	assert_int_equal(w.n, 4); /* ptrace, execve, mkdir, rmdir */
	bg_policy_free(m);

	/* two inputs, one conflict, the message names both sides */
	memset(&w, 0, sizeof(w));
	m = merge_print_parse(in, 2, &o, &w);
	assert_int_equal(w.n, 2);
	bg_policy_free(m);
	for (int i = 0; i < 3; i++)
		bg_policy_free(in[i]);
}

static void test_merge_defaults(void **state)
{
	struct bg_policy *in[2];
	struct bg_merge_opts o = { 0 };
	struct warnings w = { 0 };
	struct bg_diag d = { .warn = collect_warning, .warn_ctx = &w };
	struct bg_policy *m = NULL;

	(void)state;
	in[0] = parse("default errno(EPERM)\nallow read\n");
	in[1] = parse("default allow\nkill ptrace\n");
	assert_int_equal(bg_policy_merge(in, 2, &o, &m, &d), -1);
	assert_null(m);
	assert_contains(d.msg, "the defaults differ");
	assert_contains(d.msg, "--default ACTION");
	assert_null(strchr(d.msg, '\n'));

	/* --default: every input judged by it where it names nothing */
	o.has_dflt = true;
	assert_int_equal(bg_action_parse("deny", &o.dflt), 0);
	m = merge_print_parse(in, 2, &o, &w);
	assert_non_null(m);
	assert_int_equal(bg_policy_eval(m, 0, bg_syscall_nr(0, "read"), NULL).verdict, BG_VERDICT_ALLOW);
	assert_int_equal(bg_policy_eval(m, 0, bg_syscall_nr(0, "write"), NULL).verdict, BG_VERDICT_ERRNO);
	/* read: in[1] would allow it by its own default, in[0] by a rule */
	assert_int_equal(bg_policy_eval(m, 0, bg_syscall_nr(0, "ptrace"), NULL).verdict, BG_VERDICT_KILL);
	bg_policy_free(m);
	bg_policy_free(in[0]);
	bg_policy_free(in[1]);

	/* ia32 defaults: a Docker-style input vs a native one */
	in[0] = parse("default errno(EPERM)\ndefault ia32 errno(EPERM)\nallow read ia32:read\n");
	in[1] = parse("default errno(EPERM)\nallow write\n");
	memset(&o, 0, sizeof(o));
	assert_int_equal(bg_policy_merge(in, 2, &o, &m, &d), -1);
	assert_contains(d.msg, "the ia32 defaults differ");
	assert_contains(d.msg, "--default-ia32");
	o.has_ia32_dflt = true;
	o.ia32_dflt.verdict = BG_VERDICT_KILL;
	m = merge_print_parse(in, 2, &o, &w);
	assert_non_null(m);
	assert_int_equal(bg_policy_eval(m, 1, bg_syscall_nr(1, "read"), NULL).verdict, BG_VERDICT_ALLOW);
	assert_int_equal(bg_policy_eval(m, 1, bg_syscall_nr(1, "write"), NULL).verdict, BG_VERDICT_KILL);
	bg_policy_free(m);
	bg_policy_free(in[0]);
	bg_policy_free(in[1]);
}

static unsigned rules_of(const struct bg_policy *p, const char *name)
{
	return p->sys[0][bg_syscall_nr(0, name)].nargrules;
}

static void test_merge_conditional(void **state)
{
	struct bg_policy *in[2], *m;
	struct bg_merge_opts o = { 0 };
	struct warnings w = { 0 };
	struct bg_diag d = { .warn = collect_warning, .warn_ctx = &w };

	(void)state;
	/* allow-lists of socket families: the rules are simply concatenated */
	in[0] = parse("allow socket if arg0 == AF_INET\nallow socket if arg0 == AF_INET6\n");
	in[1] = parse("allow socket if arg0 == AF_UNIX\nallow socket if arg0 == AF_INET\n");
	m = merge_print_parse(in, 2, &o, &w);
	check_union(in, 2, m, true);
	assert_int_equal(rules_of(m, "socket"), 3);
	bg_policy_free(m);
	bg_policy_free(in[0]);
	bg_policy_free(in[1]);

	/* one input kills namespaces and allows the rest, the other allows
	 * only without them: the union allows without, kills with */
	in[0] = parse("kill clone if arg0 & CLONE_NEWUSER == CLONE_NEWUSER\nallow clone\n");
	in[1] = parse("allow clone if arg0 & CLONE_NEWUSER == 0\n");
	m = merge_print_parse(in, 2, &o, &w);
	check_union(in, 2, m, true);
	bg_policy_free(m);
	bg_policy_free(in[0]);
	bg_policy_free(in[1]);

	/* one input already covers the other: its own list is kept */
	in[0] = parse("allow ioctl if arg1 & 0xff00 == 0x5400\n");
	in[1] = parse("allow ioctl if arg1 == 0x5401\n");
	m = merge_print_parse(in, 2, &o, &w);
	check_union(in, 2, m, true);
	assert_int_equal(rules_of(m, "ioctl"), 1);
	bg_policy_free(m);
	bg_policy_free(in[0]);
	bg_policy_free(in[1]);

	/* 16 values: no list of 8 rules of 6 conditions says it; refused */
	char a[1024] = "", b[1024] = "";

	for (int i = 1; i <= 8; i++) {
		snprintf(a + strlen(a), sizeof(a) - strlen(a), "allow prctl if arg0 == %d\n", i);
		snprintf(b + strlen(b), sizeof(b) - strlen(b), "allow prctl if arg0 == %d\n", 100 + i);
	}
	in[0] = parse(a);
	in[1] = parse(b);
	m = NULL;
	assert_int_equal(bg_policy_merge(in, 2, &o, &m, &d), -1);
	assert_null(m);
	assert_contains(d.msg, "merge: prctl: the union of the inputs' conditional rules needs more than 8");
	bg_policy_free(in[0]);
	bg_policy_free(in[1]);
}

static void test_merge_sections(void **state)
{
	struct bg_policy *in[2], *m;
	struct bg_merge_opts o = { 0 };
	struct warnings w = { 0 };
	struct bg_diag d = { .warn = collect_warning, .warn_ctx = &w };

	(void)state;
	in[0] = parse("allow read\ndev allow c 1:3 rw\nsysctl none\nexec allow /usr/bin/true\n"
		      "net family inet\n");
	in[1] = parse("allow write\ndev allow c 1:5 r\ndev allow c 1:3 rw\nsysctl read-only\n"
		      "exec allow /usr/bin/false\nexec trusted\nnet family inet\n");
	m = merge_print_parse(in, 2, &o, &w);
	assert_non_null(m);
	assert_int_equal(m->dev.nrules, 2);
	assert_int_equal(m->sysctl.mode, BG_SYSCTL_READ_ONLY);
	assert_int_equal(m->exec.n, 2);
	assert_true(m->exec.trusted);
	assert_true(m->net.present);
	bg_policy_free(m);
	bg_policy_free(in[1]);

	/* a missing section restricts nothing: the union has none */
	in[1] = parse("allow write\n");
	memset(&w, 0, sizeof(w));
	m = merge_print_parse(in, 2, &o, &w);
	assert_false(m->dev.present || m->net.present || m->sysctl.present || m->exec.present);
	assert_int_equal(w.n, 4);
	assert_contains(w.last, "only 1 of 2 inputs have a");
	bg_policy_free(m);
	bg_policy_free(in[1]);

	/* different net sections: refused */
	in[1] = parse("allow write\nnet family inet inet6\n");
	assert_int_equal(bg_policy_merge(in, 2, &o, &m, &d), -1);
	assert_contains(d.msg, "the net sections of");
	bg_policy_free(in[0]);
	bg_policy_free(in[1]);
}

/* Random pairs and triples of policies with shared defaults. */
static struct bg_action random_action(void)
{
	static const char *const acts[] = { "allow", "log", "kill", "errno(1)", "errno(13)" };
	struct bg_action a;

	assert_int_equal(bg_action_parse(acts[(unsigned)rand() % 5], &a), 0);
	return a;
}

static void random_cond(struct bg_cond *c)
{
	static const uint64_t vals[] = { 0, 1, 2, 3, 8, 10, 0x10, 0xff, 0x100, 0xffffffff,
					 0x100000000ull, ~0ull };

	c->arg = (uint8_t)(rand() % 3);
	c->op = (uint8_t)(rand() % BG_OP__COUNT);
	c->val = vals[(unsigned)rand() % 12];
	c->mask = 0;
	if (c->op == BG_OP_MASKED_EQ) {
		c->mask = (uint64_t)(unsigned)rand() & 0xff;
		c->val &= c->mask;
	}
}

static struct bg_policy *random_policy(struct bg_action dflt, struct bg_action dflt32)
{
	static const char *const pool[] = { "read", "write", "socket", "ioctl", "clone", "prctl",
					    "ptrace", "mkdir", "getpid", "fcntl" };
	struct bg_policy *p = bg_policy_new("random");

	p->dflt = dflt;
	p->ia32_dflt = dflt32;
	for (size_t i = 0; i < sizeof(pool) / sizeof(pool[0]); i++) {
		int abi = rand() % 5 == 0 ? BG_ABI_IA32 : BG_ABI_X86_64;
		int nr = bg_syscall_nr(abi, pool[i]);
		unsigned nrules = rand() % 3 == 0 ? 1 + (unsigned)rand() % 2 : 0;

		if (nr < 0 || rand() % 3 == 0)
			continue;
		for (unsigned r = 0; r < nrules; r++) {
			struct bg_rule rule = { .action = random_action(), .ncond = 1 + (unsigned)(rand() % 4 == 0) };

			for (unsigned c = 0; c < rule.ncond; c++)
				random_cond(&rule.cond[c]);
			assert_int_equal(bg_policy_add(p, abi, nr, &rule), 0);
		}
		if (!nrules || rand() % 2) {
			struct bg_rule rule = { .action = random_action() };

			assert_int_equal(bg_policy_add(p, abi, nr, &rule), 0);
		}
	}
	return p;
}

static void test_merge_random(void **state)
{
	unsigned merged = 0, refused = 0, approx = 0;

	(void)state;
	srand(11);
	for (int iter = 0; iter < 300; iter++) {
		struct bg_action dflt = random_action(), d32 = rand() % 2 ? dflt : random_action();
		unsigned n = 2 + (unsigned)(iter % 2);
		struct bg_policy *in[3];
		struct warnings w = { 0 };
		struct bg_merge_opts o = { 0 };
		struct bg_policy *m;

		for (unsigned i = 0; i < n; i++)
			in[i] = random_policy(dflt, d32);
		m = merge_print_parse(in, n, &o, &w);
		if (!m) {
			refused++;
		} else {
			/* an inexact union is announced, and still allows exactly */
			bool exact = !w.approx;

			approx += !exact;
			check_union(in, n, m, exact);
			merged++;
		}
		bg_policy_free(m);
		for (unsigned i = 0; i < n; i++)
			bg_policy_free(in[i]);
	}
	print_message("random merges: %u checked (%u with simplified denials), %u refused\n", merged,
		      approx, refused);
	assert_true(merged >= 250);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_vs_names),
		cmocka_unit_test(test_action_difference),
		cmocka_unit_test(test_conditional),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_merge_basic),
		cmocka_unit_test(test_merge_defaults),
		cmocka_unit_test(test_merge_conditional),
		cmocka_unit_test(test_merge_sections),
		cmocka_unit_test(test_merge_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

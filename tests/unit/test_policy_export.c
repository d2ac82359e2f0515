// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_policy_export.c - `policy export`: Docker/OCI JSON and cBPF.
 *
 * The JSON back end is checked two ways, both against bg_policy_eval():
 *  - round trip: import(export(P)) judges every syscall of both tables, with
 *    argument vectors built from the rules' constants and random ones, as
 *    P does (shipped policies, Docker's default profile, random policies);
 *  - as a runtime would load it: the profile is turned into a libseccomp
 *    filter the way runc does (one rule per entry and name, args ANDed,
 *    entries with the default action skipped, unknown names skipped), the
 *    raw program libseccomp generates is run by a small interpreter here,
 *    and its decisions are compared with P's.
 * Refusals (sections, per-ABI differences, names, values) are checked for
 * their one-line messages.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <json-c/json.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "compile_seccomp.h"
#include "policy.h"
#include "policy_diff.h"
#include "policy_export.h"
#include "syscalls.h"

/* libseccomp 2.5.4 loses some tree nodes while merging rules (see
 * test_compile_seccomp.c); only its own allocations are excused. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:seccomp_rule_add_array\n";
}

const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

struct warnings {
	unsigned n;
	char last[512];
};

static void collect_warning(void *ctx, const char *msg)
{
	struct warnings *w = ctx;

	w->n++;
	snprintf(w->last, sizeof(w->last), "%s", msg);
}

static const char *srcdir(void)
{
	const char *s = getenv("BG_SRCDIR");

	return s ? s : ".";
}

static const char *moby_path(void)
{
	static char path[1024];
	const char *shared = getenv("BG_SHARED");

	snprintf(path, sizeof(path), "%s/data/seccomp/moby-default.json", shared ? shared : "/work/shared");
	return path;
}

static struct bg_policy *load(const char *path)
{
	struct warnings w = { 0 };
	struct bg_diag d = { .warn = collect_warning, .warn_ctx = &w };
	struct bg_policy *p = NULL;

	if (bg_policy_load(path, &p, &d))
		fail_msg("%s", d.msg);
	return p;
}

static struct bg_policy *parse_native(const char *text)
{
	struct bg_diag d = { 0 };
	struct bg_policy *p = NULL;

	if (bg_policy_parse_native(text, strlen(text), "/t/test.policy", &p, &d))
		fail_msg("%s", d.msg);
	return p;
}

/* Exports p; returns the JSON text (malloc'ed) or NULL with d->msg. */
static char *export_json(const struct bg_policy *p, int format, bool drop, bool no_ia32,
			 struct bg_diag *d)
{
	struct bg_export_opts o = { .format = format, .drop_sections = drop, .no_ia32 = no_ia32 };
	struct json_object *j;
	char *s;

	if (bg_export_seccomp_json(p, &o, &j, d))
		return NULL;
	s = strdup(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY));
	json_object_put(j);
	return s;
}

static struct bg_policy *import_json(const char *text, struct warnings *w)
{
	struct bg_diag d = { .warn = collect_warning, .warn_ctx = w };
	struct bg_policy *p = NULL;

	if (bg_policy_parse_docker(text, strlen(text), "/t/exported.json", &p, &d))
		fail_msg("re-import failed: %s\n%s", d.msg, text);
	return p;
}

/* ------------------------------------------------------------------ */
/* Argument vectors worth trying for one syscall */

static uint64_t rnd64(void)
{
	return ((uint64_t)(unsigned)rand() << 42) ^ ((uint64_t)(unsigned)rand() << 21) ^ (unsigned)rand();
}

struct interesting {
	size_t n;
	uint64_t v[6][96];
	size_t nv[6];
};

static void add_val(struct interesting *in, unsigned arg, uint64_t v)
{
	if (in->nv[arg] < 96)
		in->v[arg][in->nv[arg]++] = v;
}

static void add_rules(struct interesting *in, const struct bg_sysrules *s)
{
	for (unsigned i = 0; i < s->nargrules; i++) {
		for (unsigned c = 0; c < s->argrules[i].ncond; c++) {
			const struct bg_cond *k = &s->argrules[i].cond[c];

			add_val(in, k->arg, k->val);
			add_val(in, k->arg, k->val + 1);
			add_val(in, k->arg, k->val - 1);
			if (k->op == BG_OP_MASKED_EQ) {
				add_val(in, k->arg, k->val | ~k->mask);
				add_val(in, k->arg, k->val ^ (k->mask & (0 - k->mask)));
			}
		}
	}
}

static void gather(struct interesting *in, const struct bg_policy *a, const struct bg_policy *b,
		   int abi, int nr)
{
	memset(in, 0, sizeof(*in));
	for (unsigned k = 0; k < 6; k++) {
		add_val(in, k, 0);
		add_val(in, k, 1);
		add_val(in, k, UINT32_MAX);
		add_val(in, k, UINT64_MAX);
	}
	add_rules(in, &a->sys[abi][nr]);
	if (b)
		add_rules(in, &b->sys[abi][nr]);
}

static void sample(const struct interesting *in, unsigned trial, int abi, uint64_t args[6])
{
	for (unsigned k = 0; k < 6; k++) {
		args[k] = trial < 4 ? in->v[k][trial % in->nv[k]]
				    : (rand() % 4 ? in->v[k][(unsigned)rand() % in->nv[k]] : rnd64());
		if (abi == BG_ABI_IA32)
			args[k] &= UINT32_MAX; /* what an ia32 call can pass */
	}
}

static bool has_cond(const struct bg_policy *p, int abi, int nr)
{
	return p->sys[abi][nr].nargrules != 0;
}

/* p and q judge every call alike (as far as samples can tell). */
static void assert_same_decisions(const struct bg_policy *p, const struct bg_policy *q, const char *what)
{
	struct interesting in;
	char s1[32], s2[32];

	for (int abi = 0; abi < BG_NR_TABLES; abi++) {
		for (int nr = 0; nr < BG_MAX_SYSCALLS + 4; nr++) {
			int n = nr < BG_MAX_SYSCALLS ? nr : BG_MAX_SYSCALLS - 1;
			bool cond = nr < BG_MAX_SYSCALLS && (has_cond(p, abi, n) || has_cond(q, abi, n));
			unsigned trials = cond ? 160 : 3;

			gather(&in, p, q, abi, n);
			for (unsigned t = 0; t < trials; t++) {
				uint64_t args[6];

				sample(&in, t, abi, args);
				struct bg_action a = bg_policy_eval(p, abi, nr, args);
				struct bg_action b = bg_policy_eval(q, abi, nr, args);

				if (a.verdict != b.verdict || a.err != b.err)
					fail_msg("%s: %s %s (%d) args (0x%llx, 0x%llx, 0x%llx): %s vs %s", what,
						 bg_abi_name(abi), bg_syscall_name(abi, n) ?: "?", nr,
						 (unsigned long long)args[0], (unsigned long long)args[1],
						 (unsigned long long)args[2], bg_action_str(&a, s1, sizeof(s1)),
						 bg_action_str(&b, s2, sizeof(s2)));
			}
		}
	}
	/* x32 is killed whatever the policy says, on both sides */
	assert_int_equal(bg_policy_eval(q, BG_ABI_X32, 39, NULL).verdict, BG_VERDICT_KILL);
}

/* ------------------------------------------------------------------ */
/* A runtime's view: the profile through libseccomp, as runc loads it */

struct prog {
	struct sock_filter *insn;
	size_t n;
};

static uint32_t scmp_act(const char *name, struct json_object *errno_ret)
{
	int e = errno_ret ? json_object_get_int(errno_ret) : EPERM;

	if (!strcmp(name, "SCMP_ACT_ALLOW"))
		return SCMP_ACT_ALLOW;
	if (!strcmp(name, "SCMP_ACT_LOG"))
		return SCMP_ACT_LOG;
	if (!strcmp(name, "SCMP_ACT_ERRNO"))
		return SCMP_ACT_ERRNO((uint32_t)e);
	if (!strcmp(name, "SCMP_ACT_KILL_PROCESS"))
		return SCMP_ACT_KILL_PROCESS;
	fail_msg("unexpected action %s", name);
	return 0;
}

static enum scmp_compare scmp_op(const char *s)
{
	static const struct {
		const char *n;
		enum scmp_compare op;
	} ops[] = {
		{ "SCMP_CMP_EQ", SCMP_CMP_EQ }, { "SCMP_CMP_NE", SCMP_CMP_NE },
		{ "SCMP_CMP_LT", SCMP_CMP_LT }, { "SCMP_CMP_LE", SCMP_CMP_LE },
		{ "SCMP_CMP_GT", SCMP_CMP_GT }, { "SCMP_CMP_GE", SCMP_CMP_GE },
		{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(ops[i].n, s))
			return ops[i].op;
	fail_msg("unexpected op %s", s);
	return SCMP_CMP_EQ;
}

static json_object *get(json_object *o, const char *k)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, k, &v);
	return v;
}

/* Loads the profile as runc's libcontainer/seccomp does and returns the
 * program libseccomp generates for it, unrepaired. */
static bool runc_load(const char *text, struct prog *pr)
{
	json_object *root = json_tokener_parse(text), *calls, *arches = NULL;
	uint32_t dflt;
	scmp_filter_ctx ctx;
	bool x86 = false;

	assert_non_null(root);
	dflt = scmp_act(json_object_get_string(get(root, "defaultAction")), get(root, "defaultErrnoRet"));
	ctx = seccomp_init(dflt);
	assert_non_null(ctx);
	if (get(root, "archMap"))
		arches = get(json_object_array_get_idx(get(root, "archMap"), 0), "subArchitectures");
	else
		arches = get(root, "architectures");
	for (size_t i = 0; arches && i < json_object_array_length(arches); i++)
		x86 |= !strcmp(json_object_get_string(json_object_array_get_idx(arches, i)), "SCMP_ARCH_X86");
	if (x86)
		assert_int_equal(seccomp_arch_add(ctx, SCMP_ARCH_X86), 0);
	calls = get(root, "syscalls");
	for (size_t i = 0; i < json_object_array_length(calls); i++) {
		json_object *e = json_object_array_get_idx(calls, i), *names = get(e, "names");
		json_object *args = get(e, "args");
		uint32_t act = scmp_act(json_object_get_string(get(e, "action")), get(e, "errnoRet"));
		struct scmp_arg_cmp cmp[6];
		unsigned nc = args ? (unsigned)json_object_array_length(args) : 0, seen = 0;
		bool same_index = false;

		if (act == dflt)
			continue; /* runc: "this rule is redundant" */
		assert_true(nc <= 6);
		for (unsigned k = 0; k < nc; k++) {
			json_object *a = json_object_array_get_idx(args, k);

			cmp[k] = (struct scmp_arg_cmp){
				.arg = (unsigned)json_object_get_int(get(a, "index")),
				.op = scmp_op(json_object_get_string(get(a, "op"))),
				.datum_a = json_object_get_uint64(get(a, "value")),
				.datum_b = json_object_get_uint64(get(a, "valueTwo")),
			};
			same_index |= (seen >> cmp[k].arg) & 1;
			seen |= 1u << cmp[k].arg;
		}
		/* runc ORs conditions on one argument; an export never has them */
		assert_false(same_index);
		for (size_t k = 0; k < json_object_array_length(names); k++) {
			int nr = seccomp_syscall_resolve_name(json_object_get_string(json_object_array_get_idx(names, k)));

			if (nr == __NR_SCMP_ERROR)
				continue; /* runc: unknown syscall ignored */
			assert_int_equal(seccomp_rule_add_array(ctx, act, nr, nc, cmp), 0);
		}
	}
	json_object_put(root);

	int fd = memfd_create("prog", MFD_CLOEXEC);
	struct stat st;

	assert_true(fd >= 0);
	assert_int_equal(seccomp_export_bpf(ctx, fd), 0);
	seccomp_release(ctx);
	assert_int_equal(fstat(fd, &st), 0);
	pr->n = (size_t)st.st_size / sizeof(*pr->insn);
	pr->insn = malloc((size_t)st.st_size);
	assert_int_equal(pread(fd, pr->insn, (size_t)st.st_size, 0), st.st_size);
	close(fd);
	return x86;
}

/* Classic BPF as the kernel runs a seccomp filter. */
static uint32_t bpf_run(const struct prog *pr, const struct seccomp_data *d)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };

	for (size_t pc = 0; pc < pr->n; pc++) {
		const struct sock_filter *f = &pr->insn[pc];
		uint32_t k = f->k, src = BPF_SRC(f->code) == BPF_X ? x : k;

		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			if (BPF_MODE(f->code) == BPF_ABS && k + 4 <= sizeof(*d) && !(k & 3))
				memcpy(&a, (const char *)d + k, 4);
			else if (BPF_MODE(f->code) == BPF_IMM)
				a = k;
			else if (BPF_MODE(f->code) == BPF_MEM && k < BPF_MEMWORDS)
				a = mem[k];
			else
				fail_msg("bad load at %zu", pc);
			break;
		case BPF_LDX:
			x = BPF_MODE(f->code) == BPF_MEM && k < BPF_MEMWORDS ? mem[k] : k;
			break;
		case BPF_ST:
			mem[k % BPF_MEMWORDS] = a;
			break;
		case BPF_STX:
			mem[k % BPF_MEMWORDS] = x;
			break;
		case BPF_ALU:
			switch (BPF_OP(f->code)) {
			case BPF_AND: a &= src; break;
			case BPF_OR: a |= src; break;
			case BPF_ADD: a += src; break;
			case BPF_SUB: a -= src; break;
			default: fail_msg("alu op 0x%x at %zu", f->code, pc);
			}
			break;
		case BPF_JMP: {
			bool t;

			switch (BPF_OP(f->code)) {
			case BPF_JA: pc += k; continue;
			case BPF_JEQ: t = a == src; break;
			case BPF_JGT: t = a > src; break;
			case BPF_JGE: t = a >= src; break;
			case BPF_JSET: t = (a & src) != 0; break;
			default: fail_msg("jmp op 0x%x at %zu", f->code, pc); t = false;
			}
			pc += t ? f->jt : f->jf;
			break;
		}
		case BPF_RET:
			return BPF_RVAL(f->code) == BPF_A ? a : k;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		}
	}
	fail_msg("program fell off its end");
	return 0;
}

static struct bg_action decode(uint32_t ret)
{
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW: return (struct bg_action){ .verdict = BG_VERDICT_ALLOW };
	case SECCOMP_RET_LOG: return (struct bg_action){ .verdict = BG_VERDICT_LOG };
	case SECCOMP_RET_ERRNO:
		return (struct bg_action){ .verdict = BG_VERDICT_ERRNO, .err = (uint16_t)(ret & SECCOMP_RET_DATA) };
	}
	return (struct bg_action){ .verdict = BG_VERDICT_KILL }; /* kill process / thread, trap */
}

/* Whether the local libseccomp (what runc would use here) names it. */
static bool scmp_knows(int abi, int nr)
{
	const char *n = bg_syscall_name(abi, nr);

	if (!n)
		return false;
	return seccomp_syscall_resolve_name_arch(abi == BG_ABI_IA32 ? SCMP_ARCH_X86 : SCMP_ARCH_X86_64, n) ==
	       nr;
}

/* Returns how many decisions were compared. */
static unsigned check_runtime(const struct bg_policy *p, const char *text, const char *what)
{
	struct prog pr;
	struct interesting in;
	bool x86 = runc_load(text, &pr);
	unsigned checked = 0;
	char s1[32], s2[32];

	for (int abi = 0; abi < BG_NR_TABLES; abi++) {
		for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++) {
			bool cond = has_cond(p, abi, nr);

			/* names this libseccomp does not know get the default
			 * under runc: the export warns about them */
			if (!scmp_knows(abi, nr) && (p->sys[abi][nr].has_base || cond))
				continue;
			gather(&in, p, NULL, abi, nr);
			for (unsigned t = 0; t < (cond ? 96u : 2u); t++) {
				struct seccomp_data d = {
					.nr = nr, .arch = abi == BG_ABI_IA32 ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64,
				};
				uint64_t args[6];

				sample(&in, t, abi, args);
				memcpy(d.args, args, sizeof(args));
				struct bg_action want = bg_policy_eval(p, abi, nr, args);
				struct bg_action got = decode(bpf_run(&pr, &d));

				if (abi == BG_ABI_IA32 && !x86)
					assert_int_equal(want.verdict, BG_VERDICT_KILL);
				if (got.verdict != want.verdict || got.err != want.err)
					fail_msg("%s: runtime view of %s %s (%d) args (0x%llx, 0x%llx, 0x%llx): "
						 "filter %s, policy %s", what, bg_abi_name(abi),
						 bg_syscall_name(abi, nr) ?: "?", nr, (unsigned long long)args[0],
						 (unsigned long long)args[1], (unsigned long long)args[2],
						 bg_action_str(&got, s1, sizeof(s1)), bg_action_str(&want, s2, sizeof(s2)));
				checked++;
			}
		}
	}
	/* x32 calls are killed (the architecture is not in the filter) */
	struct seccomp_data d = { .nr = 0x40000000 | 39, .arch = AUDIT_ARCH_X86_64 };

	assert_int_equal(decode(bpf_run(&pr, &d)).verdict, BG_VERDICT_KILL);
	free(pr.insn);
	return checked;
}

/* Export in both formats, import again, compare; and the runtime view. */
static void roundtrip(const struct bg_policy *p, const char *what)
{
	for (int fmt = 0; fmt < 2; fmt++) {
		struct warnings w = { 0 };
		struct bg_diag d = { .warn = collect_warning, .warn_ctx = &w };
		char *text = export_json(p, fmt, false, false, &d);

		if (!text)
			fail_msg("%s: export refused: %s", what, d.msg);
		struct bg_policy *q = import_json(text, &w);

		assert_string_equal(q->format, fmt == BG_EXPORT_OCI ? "oci" : "docker");
		assert_same_decisions(p, q, what);
		/* and policy diff agrees */
		FILE *devnull = fopen("/dev/null", "w");

		assert_int_equal(bg_policy_diff(p, q, false, devnull, &d), 0);
		fclose(devnull);
		check_runtime(p, text, what);
		bg_policy_free(q);
		free(text);
	}
}

/* ------------------------------------------------------------------ */
/* Tests */

static void test_shipped_policies(void **state)
{
	static const char *const names[] = { "go-static", "go-server", "strict" };
	char path[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/policies/%s.policy", srcdir(), names[i]);
		struct bg_policy *p = load(path);

		roundtrip(p, names[i]);
		bg_policy_free(p);
	}
}

static void test_moby_default(void **state)
{
	struct bg_policy *p = load(moby_path());
	struct warnings w = { 0 };
	struct bg_diag d = { .warn = collect_warning, .warn_ctx = &w };
	char *text;

	(void)state;
	roundtrip(p, "moby-default");
	/* ia32 is listed (the profile has SCMP_ARCH_X86), x32 is not */
	text = export_json(p, BG_EXPORT_DOCKER, false, false, &d);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"SCMP_ARCH_X86\""));
	assert_null(strstr(text, "SCMP_ARCH_X32"));
	assert_non_null(strstr(text, "\"defaultErrnoRet\":1"));
	free(text);
	bg_policy_free(p);
}

static void test_handwritten(void **state)
{
	(void)state;
	struct bg_policy *p = parse_native(
		"default kill\n"
		"allow read write exit_group\n"
		"log getpid\n"
		"errno(EACCES) mkdir\n"
		"allow socket if arg0 == AF_INET\n"
		"allow socket if arg0 == AF_UNIX and arg1 & 0xf == SOCK_STREAM\n"
		"kill ioctl if arg1 == 0x5412\n"
		"allow ioctl\n"
		"allow mkdirat if arg2 > 0700 and arg2 < 01000\n"
		"allow clone if arg0 & CLONE_NEWUSER|CLONE_NEWNS == 0\n");

	roundtrip(p, "handwritten");
	bg_policy_free(p);

	/* ia32 with the same rules as x86_64: listed, and both judged */
	p = parse_native("default errno(EPERM)\ndefault ia32 errno(EPERM)\n"
			 "allow read ia32:read mmap ia32:mmap ia32:mmap2\n"
			 "allow personality if arg0 == 8\n"
			 "allow ia32:personality if arg0 == 8\n"
			 "kill ptrace ia32:ptrace\n");
	roundtrip(p, "ia32");
	bg_policy_free(p);
}

/* Random policies: exportable ones must round-trip; refusals must be one
 * clear line. */
static void random_cond(struct bg_cond *c, bool small)
{
	static const uint64_t vals[] = { 0, 1, 2, 3, 8, 10, 0x10, 0xff, 0x100, 0x7fffffff,
					 0xffffffff, 0x100000000ull, ~0ull };
	c->arg = (uint8_t)(rand() % 3);
	c->op = (uint8_t)(rand() % BG_OP__COUNT);
	c->val = vals[(unsigned)rand() % (small ? 11 : 13)];
	c->mask = 0;
	if (c->op == BG_OP_MASKED_EQ) {
		c->mask = small ? (uint64_t)(unsigned)rand() & 0xffff : rnd64();
		c->val &= c->mask;
	}
}

static struct bg_action random_action(void)
{
	static const char *const acts[] = { "allow", "log", "kill", "errno(1)", "errno(13)", "errno(38)" };
	struct bg_action a;

	assert_int_equal(bg_action_parse(acts[(unsigned)rand() % 6], &a), 0);
	return a;
}

/* Unconditional rules on many syscalls, conditional ones on a few (the
 * shape of real policies); with ia32, the same rules for both tables. */
static struct bg_policy *random_policy(bool ia32)
{
	static const char *const pool[] = { "read", "write", "openat", "close", "mmap", "socket",
					    "ioctl", "clone", "getpid", "kill", "fcntl", "prctl",
					    "mkdir", "personality", "setuid", "dup" };
	struct bg_policy *p = bg_policy_new("random");
	unsigned ncond_sys = 1 + (unsigned)rand() % 3;

	p->dflt = random_action();
	p->ia32_dflt = ia32 ? p->dflt : (struct bg_action){ .verdict = BG_VERDICT_KILL };
	for (size_t i = 0; i < sizeof(pool) / sizeof(pool[0]); i++) {
		int nr = bg_syscall_nr(BG_ABI_X86_64, pool[i]);
		int nr32 = bg_syscall_nr(BG_ABI_IA32, pool[i]);
		unsigned nrules = 0;

		if (rand() % 3 == 0)
			continue;
		if (ncond_sys && rand() % 4 == 0) {
			ncond_sys--;
			nrules = 1 + (unsigned)rand() % 3;
		}
		for (unsigned r = 0; r < nrules; r++) {
			struct bg_rule rule = { .action = random_action(), .ncond = 1 + (unsigned)(rand() % 4 == 0) };

			for (unsigned c = 0; c < rule.ncond; c++)
				random_cond(&rule.cond[c], ia32);
			assert_int_equal(bg_policy_add(p, BG_ABI_X86_64, nr, &rule), 0);
			if (ia32 && nr32 >= 0)
				assert_int_equal(bg_policy_add(p, BG_ABI_IA32, nr32, &rule), 0);
		}
		if (!nrules || rand() % 2) {
			struct bg_rule rule = { .action = random_action() };

			assert_int_equal(bg_policy_add(p, BG_ABI_X86_64, nr, &rule), 0);
			if (ia32 && nr32 >= 0)
				assert_int_equal(bg_policy_add(p, BG_ABI_IA32, nr32, &rule), 0);
		}
	}
	return p;
}

static void test_random(void **state)
{
	unsigned ok = 0, refused = 0;

	(void)state;
	srand(7);
	for (int i = 0; i < 300; i++) {
		struct bg_policy *p = random_policy(i % 3 == 0);
		struct warnings w = { 0 };
		struct bg_diag d = { .warn = collect_warning, .warn_ctx = &w };
		char *text = export_json(p, i % 2 ? BG_EXPORT_OCI : BG_EXPORT_DOCKER, false, false, &d);

		if (!text) {
			/* a refusal says what and where, on one line, and is one
			 * of the things a profile cannot say */
			assert_non_null(strstr(d.msg, "random: "));
			assert_null(strchr(d.msg, '\n'));
			if (!strstr(d.msg, "cannot order") && !strstr(d.msg, "seccomp rules to be written") &&
			    !strstr(d.msg, "above 32 bits") && !strstr(d.msg, "libseccomp also applies"))
				fail_msg("unexpected refusal: %s", d.msg);
			if (getenv("BG_TEST_TRACE"))
				print_message("refused: %s\n", d.msg);
			refused++;
		} else {
			struct bg_policy *q = import_json(text, &w);

			assert_same_decisions(p, q, "random");
			check_runtime(p, text, "random (runtime view)");
			bg_policy_free(q);
			free(text);
			ok++;
		}
		bg_policy_free(p);
	}
	/* The generator is harsh (64-bit extremes, masks, overlaps with other
	 * actions): most refusals are the seccomp back end's rule budget. */
	print_message("random policies: %u exported and checked, %u refused\n", ok, refused);
	assert_true(ok >= 90);
}

static void test_sections(void **state)
{
	struct bg_policy *p = parse_native("default errno(EPERM)\nallow read\nnet family inet\nsysctl read-only\n");
	struct warnings w = { 0 };
	struct bg_diag d = { .warn = collect_warning, .warn_ctx = &w };
	char *text;

	(void)state;
	assert_null(export_json(p, BG_EXPORT_DOCKER, false, false, &d));
	assert_non_null(strstr(d.msg, "the net section (line 3) has no seccomp equivalent"));
	assert_non_null(strstr(d.msg, "--drop-sections"));
	text = export_json(p, BG_EXPORT_DOCKER, true, false, &d);
	assert_non_null(text);
	assert_int_equal(w.n, 2); /* net and sysctl dropped, each said */
	assert_non_null(strstr(w.last, "sysctl"));
	free(text);
	bg_policy_free(p);
}

static void test_ia32_refusals(void **state)
{
	struct warnings w = { 0 };
	struct bg_diag d = { .warn = collect_warning, .warn_ctx = &w };
	struct bg_policy *p;
	char *text;

	(void)state;
	/* defaults differ */
	p = parse_native("default errno(EPERM)\ndefault ia32 allow\nallow read\n");
	assert_null(export_json(p, BG_EXPORT_OCI, false, false, &d));
	assert_non_null(strstr(d.msg, "ia32 default allow differs from the x86_64 default errno(1)"));
	/* --no-ia32: exported with a warning, ia32 calls killed */
	text = export_json(p, BG_EXPORT_OCI, false, true, &d);
	assert_non_null(text);
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.last, "--no-ia32"));
	assert_null(strstr(text, "SCMP_ARCH_X86\""));
	free(text);
	bg_policy_free(p);

	/* one name, different decisions per ABI */
	p = parse_native("default errno(EPERM)\ndefault ia32 errno(EPERM)\nallow read\nallow ia32:write\n");
	assert_null(export_json(p, BG_EXPORT_DOCKER, false, false, &d));
	assert_non_null(strstr(d.msg, "ia32 read gives errno(1) where x86_64 read gives allow"));
	bg_policy_free(p);

	/* a value libseccomp would truncate for ia32 calls */
	p = parse_native("default errno(EPERM)\ndefault ia32 errno(EPERM)\n"
			 "allow ioctl if arg1 == 0x100000001\nallow ia32:ioctl if arg1 == 0x100000001\n");
	assert_null(export_json(p, BG_EXPORT_DOCKER, false, false, &d));
	assert_non_null(strstr(d.msg, "above 32 bits"));
	bg_policy_free(p);

	/* conditional rules seccomp cannot order within budget: the seccomp
	 * back end's own refusal */
	p = parse_native("default errno(EPERM)\n"
			 "allow openat if arg0 > 5 and arg1 < 7 and arg2 != 3\n"
			 "kill openat if arg0 < 100 and arg1 > 2 and arg2 != 4\n"
			 "log openat if arg0 != 50 and arg1 != 5 and arg2 > 1\n"
			 "errno(13) openat if arg3 > 1 and arg4 < 77 and arg5 != 9\n"
			 "allow openat if arg3 < 1000 and arg4 > 7 and arg5 != 19\n"
			 "kill openat\n");
	text = export_json(p, BG_EXPORT_DOCKER, false, false, &d);
	if (!text)
		assert_non_null(strstr(d.msg, "openat"));
	free(text);
	bg_policy_free(p);
}

static void test_bpf(void **state)
{
	char path[1024];
	struct bg_diag dg = {};
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/policies/strict.policy", srcdir());
	struct bg_policy *p = load(path);
	scmp_filter_ctx ctx = bg_seccomp_compile(p, BG_MODE_ENFORCE, &dg);
	int fd = memfd_create("bpf", MFD_CLOEXEC);

	assert_non_null(ctx);
	assert_int_equal(bg_seccomp_export_bpf(ctx, fd), 0);
	assert_int_equal(fstat(fd, &st), 0);
	/* struct sock_filter[]: 8 bytes an instruction, at most 4096 */
	assert_int_equal(st.st_size % 8, 0);
	assert_true(st.st_size > 0 && st.st_size / 8 <= 4096);

	struct prog pr = { .n = (size_t)st.st_size / 8, .insn = malloc((size_t)st.st_size) };

	assert_int_equal(pread(fd, pr.insn, (size_t)st.st_size, 0), st.st_size);
	struct seccomp_data dd = { .nr = bg_syscall_nr(BG_ABI_X86_64, "ptrace"), .arch = AUDIT_ARCH_X86_64 };

	assert_int_equal(decode(bpf_run(&pr, &dd)).verdict, BG_VERDICT_KILL);
	dd.nr = bg_syscall_nr(BG_ABI_X86_64, "clone3");
	assert_int_equal(decode(bpf_run(&pr, &dd)).err, ENOSYS);
	free(pr.insn);
	close(fd);
	seccomp_release(ctx);
	bg_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_policies),
		cmocka_unit_test(test_moby_default),
		cmocka_unit_test(test_handwritten),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_ia32_refusals),
		cmocka_unit_test(test_bpf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

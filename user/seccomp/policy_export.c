// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * policy_export.c - back end: policy IR -> Docker (moby) / OCI seccomp JSON.
 *
 * The profile is read back by user/policy/policy_docker.c (import(export(P)) must
 * judge every call as P does) and by container runtimes, which hand it to
 * libseccomp the way runc does (libcontainer/seccomp): one libseccomp rule
 * per syscalls[] entry and name, its args ANDed (but ORed when two of them
 * test the same argument), entries with the default action skipped, names
 * the local libseccomp does not know skipped.  libseccomp has no rule order
 * and lets an unconditional rule replace the conditional ones, while the
 * IR says "first match wins".  So the entries written are the seccomp back
 * end's own disjoint rules (bg_seccomp_syscall_rules(): at most one
 * comparison per argument, never the default action), and whatever that
 * back end refuses is refused here too.
 *
 * Architectures.  A profile names syscalls, and a name applies to every
 * architecture listed: there are no per-ABI rules and one default.  So:
 *   - x32 is never listed: the runtime's bad-architecture action (kill)
 *     takes x32 calls, as the policy says;
 *   - ia32 (SCMP_ARCH_X86) is listed only if the policy gives ia32 calls
 *     anything but kill.  Then the ia32 default must be the x86_64 one,
 *     and every name both tables know must get the same decisions on both
 *     ABIs (checked exactly, on 32-bit arguments), else the export is
 *     refused; --no-ia32 leaves x86 out instead (every ia32 call killed,
 *     stricter than the policy, with a warning);
 *   - libseccomp compares only the low 32 bits on x86, so a rule that also
 *     applies to ia32 calls may not need a value above 32 bits.
 */
#include <errno.h>
#include <json-c/json.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "compile_seccomp.h"
#include "policy_diff.h"
#include "policy_export.h"
#include "syscalls.h"
#include "vec.h"

/* One syscalls[] entry before grouping: a name and one libseccomp rule. */
struct ex_entry {
	const char *name; /* from the syscall tables (static) */
	size_t seq;       /* order of collection: a syscall's rules stay in order */
	struct bg_seccomp_rule r;
};

struct exporter {
	const struct bg_policy *p;
	const struct bg_export_opts *o;
	struct bg_diag *d;
	const char *where; /* the policy's file, for messages */
	bool ia32;         /* SCMP_ARCH_X86 is listed */
	struct ex_entry *e;
	size_t n, cap;
	bool done32[BG_MAX_SYSCALLS]; /* ia32 numbers already covered by name */
	unsigned nunknown;
	char unknown[200]; /* names libseccomp does not know, for one warning */
};

static const char *where_of(const struct bg_policy *p)
{
	if (p->source[0])
		return p->source;
	return p->name[0] ? p->name : "policy";
}

/* ------------------------------------------------------------------ */
/* Sections */

int bg_export_check_sections(const struct bg_policy *p, bool drop, struct bg_diag *d)
{
	static const char *const why[] = {
		"sockets, addresses and ports are judged by cgroup hooks",
		"device nodes are judged by a cgroup hook",
		"/proc/sys is judged by a cgroup hook",
		"executables are judged by BPF LSM at exec",
	};
	static const char *const names[] = { "net", "dev", "sysctl", "exec" };
	const bool present[] = { p->net.present, p->dev.present, p->sysctl.present, p->exec.present };
	const unsigned line[] = { p->net.line, p->dev.line, p->sysctl.line, p->exec.line };

	for (unsigned i = 0; i < 4; i++) {
		char at[32] = "";

		if (!present[i])
			continue;
		if (line[i])
			snprintf(at, sizeof(at), " (line %u)", line[i]);
		if (!drop) {
			bg_diag_set(d, "%s: the %s section%s has no seccomp equivalent (%s); remove it, "
				    "or pass --drop-sections to export the syscall rules without it",
				    where_of(p), names[i], at, why[i]);
			return -1;
		}
		bg_diag_warn(d, "%s: dropping the %s section%s: a seccomp filter cannot express it (%s), "
			     "so the export does not restrict that", where_of(p), names[i], at, why[i]);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Collecting the rules */

static int push(struct exporter *x, const char *name, const struct bg_seccomp_rule *r)
{
	if (BG_VEC_RESERVE(x->e, x->cap, x->n + 1)) {
		bg_diag_set(x->d, "%s: out of memory; free some memory", x->where);
		return -1;
	}
	x->e[x->n].name = name;
	x->e[x->n].seq = x->n;
	x->e[x->n].r = *r;
	x->n++;
	return 0;
}

static void note_unknown(struct exporter *x, const char *name, uint32_t arch)
{
	size_t used = strlen(x->unknown);

	if (seccomp_syscall_resolve_name_arch(arch, name) != __NR_SCMP_ERROR)
		return;
	if (x->nunknown++ < 8 && used + strlen(name) + 3 < sizeof(x->unknown))
		snprintf(x->unknown + used, sizeof(x->unknown) - used, "%s%s", used ? ", " : "", name);
}

/* "ia32 read" / "x86_64 syscall 463" */
static void label(int abi, int nr, char *buf, size_t len)
{
	const char *n = bg_syscall_name(abi, nr);

	if (n)
		snprintf(buf, len, "%s %s", bg_abi_name(abi), n);
	else
		snprintf(buf, len, "%s syscall %d", bg_abi_name(abi), nr);
}

/* With ia32 listed, the name's rules reach ia32 calls too: they must give
 * what the policy gives ia32 calls of that name. */
static int check_same_on_ia32(struct exporter *x, const char *name, int nr64, int nr32)
{
	struct bg_rule_list l64 = bg_sys_rule_list(x->p, BG_ABI_X86_64, nr64);
	struct bg_rule_list l32 = bg_sys_rule_list(x->p, BG_ABI_IA32, nr32);
	struct bg_action a64, a32;
	uint64_t ex[6];
	char s64[32], s32[32];
	int r = bg_rule_lists_equal(&l64, &l32, BG_ABI_IA32, ex, &a64, &a32);

	if (r == 1)
		return 0;
	if (r < 0) {
		bg_diag_set(x->d, "%s: cannot compare the x86_64 and ia32 rules of %s (too complex); "
			    "pass --no-ia32 to kill every ia32 call, or use --format bpf", x->where, name);
		return -1;
	}
	char args[64] = "";

	if (l64.nrules || l32.nrules)
		snprintf(args, sizeof(args), " for arguments (0x%llx, 0x%llx, ...)",
			 (unsigned long long)ex[0], (unsigned long long)ex[1]);
	bg_diag_set(x->d, "%s: ia32 %s gives %s where x86_64 %s gives %s%s, but a seccomp profile gives "
		    "a name the same rules on both ABIs; give ia32:%s the same rules, pass --no-ia32 to "
		    "kill every ia32 call, or use --format bpf", x->where, name,
		    bg_action_str(&a32, s32, sizeof(s32)), name, bg_action_str(&a64, s64, sizeof(s64)),
		    args, name);
	return -1;
}

/* The rules of (abi, nr), pushed under its name.  shared: the name also
 * reaches ia32 calls through SCMP_ARCH_X86. */
static int export_sys(struct exporter *x, int abi, int nr, bool shared)
{
	const char *name = bg_syscall_name(abi, nr);
	struct bg_seccomp_rule *rules = NULL;
	struct bg_diag why = {};
	char lbl[80];
	int n;

	if (!name) {
		label(abi, nr, lbl, sizeof(lbl));
		bg_diag_set(x->d, "%s: %s has a rule but no name, and a seccomp profile names syscalls; "
			    "drop the rule, or use --format bpf", x->where, lbl);
		return -1;
	}
	n = bg_seccomp_syscall_rules(x->p, abi, nr, &x->p->dflt, &rules, &why);
	if (n < 0) {
		bg_diag_set(x->d, "%s: %s", x->where, why.msg);
		return -1;
	}
	int ncond = 0;

	for (int i = 0; i < n; i++)
		ncond += rules[i].ncond != 0;
	if (ncond > BG_MAX_ARGRULES) {
		/* the importer (and the BPF back end) take 8 conditional rules
		 * a syscall; a profile it cannot read back is no export */
		label(abi, nr, lbl, sizeof(lbl));
		bg_diag_set(x->d, "%s: %s needs %d seccomp rules to be written without rule order, more "
			    "than the %d conditional rules a syscall may have; simplify its conditional "
			    "rules, or use --format bpf", x->where, lbl, ncond, BG_MAX_ARGRULES);
		free(rules);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		for (unsigned c = 0; shared && c < rules[i].ncond; c++) {
			if (rules[i].cond[c].val <= UINT32_MAX)
				continue;
			bg_diag_set(x->d, "%s: %s needs a seccomp comparison with 0x%llx, above 32 bits, and "
				    "libseccomp compares only the low 32 bits for ia32 calls the rule also "
				    "reaches; pass --no-ia32 to kill every ia32 call, or use --format bpf",
				    x->where, name, (unsigned long long)rules[i].cond[c].val);
			free(rules);
			return -1;
		}
		if (push(x, name, &rules[i])) {
			free(rules);
			return -1;
		}
	}
	/* (ia32 names libseccomp cannot name: the seccomp back end warns) */
	if (n > 0 && abi == BG_ABI_X86_64)
		note_unknown(x, name, SCMP_ARCH_X86_64);
	free(rules);
	return 0;
}

static bool has_rules(const struct bg_policy *p, int abi, int nr)
{
	return p->sys[abi][nr].has_base || p->sys[abi][nr].nargrules;
}

static int collect_rules(struct exporter *x)
{
	const struct bg_policy *p = x->p;

	for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++) {
		const char *name = bg_syscall_name(BG_ABI_X86_64, nr);
		int nr32 = x->ia32 && name ? bg_syscall_nr(BG_ABI_IA32, name) : -1;

		if (nr32 >= 0) {
			x->done32[nr32] = true;
			if (check_same_on_ia32(x, name, nr, nr32))
				return -1;
		}
		if (has_rules(p, BG_ABI_X86_64, nr) && export_sys(x, BG_ABI_X86_64, nr, nr32 >= 0))
			return -1;
	}
	/* Names only the i386 table has (mmap2, socketcall, _llseek, ...). */
	for (int nr = 0; x->ia32 && nr < BG_MAX_SYSCALLS; nr++)
		if (!x->done32[nr] && has_rules(p, BG_ABI_IA32, nr) && export_sys(x, BG_ABI_IA32, nr, true))
			return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Checks the seccomp back end makes (rule budget, i386 names and the
 * socketcall()/ipc() multiplexers, program size), on the policy as it
 * will be exported. */
static int backend_check(struct exporter *x)
{
	const struct bg_policy *p = x->p;
	struct bg_policy *view = NULL;
	scmp_filter_ctx ctx;
	struct bg_diag why = {};

	if (!x->ia32) {
		/* --no-ia32 (or nothing for ia32): judge the policy without its
		 * ia32 part, as the profile will be. */
		view = malloc(sizeof(*view));
		if (!view) {
			bg_diag_set(x->d, "%s: out of memory; free some memory", x->where);
			return -1;
		}
		memcpy(view, p, sizeof(*view));
		memset(view->sys[BG_ABI_IA32], 0, sizeof(view->sys[BG_ABI_IA32]));
		view->ia32_dflt = (struct bg_action){ .verdict = BG_VERDICT_KILL };
		p = view;
	}
	ctx = bg_seccomp_compile(p, BG_MODE_ENFORCE, &why);
	free(view); /* a shallow copy: the rules still belong to x->p */
	if (!ctx) {
		bg_diag_set(x->d, "%s: cannot be written as a seccomp filter: %s", x->where, why.msg);
		return -1;
	}
	seccomp_release(ctx);
	return 0;
}

/* ------------------------------------------------------------------ */
/* JSON */

static const char *scmp_action_name(const struct bg_action *a)
{
	switch (a->verdict) {
	case BG_VERDICT_ALLOW: return "SCMP_ACT_ALLOW";
	case BG_VERDICT_LOG: return "SCMP_ACT_LOG";
	case BG_VERDICT_ERRNO: return "SCMP_ACT_ERRNO";
	}
	return "SCMP_ACT_KILL_PROCESS";
}

static const char *scmp_op_name(unsigned op)
{
	static const char *const n[BG_OP__COUNT] = {
		[BG_OP_EQ] = "SCMP_CMP_EQ", [BG_OP_NE] = "SCMP_CMP_NE", [BG_OP_LT] = "SCMP_CMP_LT",
		[BG_OP_LE] = "SCMP_CMP_LE", [BG_OP_GT] = "SCMP_CMP_GT", [BG_OP_GE] = "SCMP_CMP_GE",
		[BG_OP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
	};
	return op < BG_OP__COUNT ? n[op] : "?";
}

static bool same_action(const struct bg_action *a, const struct bg_action *b)
{
	return a->verdict == b->verdict && a->err == b->err;
}

/* Unconditional entries first, one per action (allow, log, errnos, kill),
 * then the conditional ones in syscall order. */
static int entry_cmp(const void *va, const void *vb)
{
	const struct ex_entry *a = va, *b = vb;
	bool ca = a->r.ncond != 0, cb = b->r.ncond != 0;

	if (ca != cb)
		return ca ? 1 : -1;
	if (!ca) {
		unsigned ka = a->r.action.verdict * 4096u + a->r.action.err;
		unsigned kb = b->r.action.verdict * 4096u + b->r.action.err;

		if (ka != kb)
			return ka < kb ? -1 : 1;
	}
	int c = strcmp(a->name, b->name);

	if (c)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq; /* qsort is not stable */
}

static struct json_object *new_entry(const struct ex_entry *e, struct json_object **names)
{
	struct json_object *o = json_object_new_object();

	*names = json_object_new_array();
	json_object_object_add(o, "names", *names);
	json_object_object_add(o, "action", json_object_new_string(scmp_action_name(&e->r.action)));
	if (e->r.action.verdict == BG_VERDICT_ERRNO)
		json_object_object_add(o, "errnoRet", json_object_new_int(e->r.action.err));
	if (e->r.ncond) {
		struct json_object *args = json_object_new_array();

		for (unsigned c = 0; c < e->r.ncond; c++) {
			const struct bg_cond *bc = &e->r.cond[c];
			struct json_object *a = json_object_new_object();
			bool m = bc->op == BG_OP_MASKED_EQ;

			/* MASKED_EQ: value is the mask, valueTwo the datum (libseccomp) */
			json_object_object_add(a, "index", json_object_new_int(bc->arg));
			json_object_object_add(a, "value", json_object_new_uint64(m ? bc->mask : bc->val));
			json_object_object_add(a, "valueTwo", json_object_new_uint64(m ? bc->val : 0));
			json_object_object_add(a, "op", json_object_new_string(scmp_op_name(bc->op)));
			json_object_array_add(args, a);
		}
		json_object_object_add(o, "args", args);
	}
	return o;
}

static struct json_object *build_json(struct exporter *x)
{
	const struct bg_policy *p = x->p;
	struct json_object *root = json_object_new_object(), *calls = json_object_new_array();
	struct json_object *arches = json_object_new_array(), *names = NULL;
	const struct ex_entry *prev = NULL;

	json_object_object_add(root, "defaultAction", json_object_new_string(scmp_action_name(&p->dflt)));
	if (p->dflt.verdict == BG_VERDICT_ERRNO)
		json_object_object_add(root, "defaultErrnoRet", json_object_new_int(p->dflt.err));
	if (x->o->format == BG_EXPORT_OCI) {
		json_object_array_add(arches, json_object_new_string("SCMP_ARCH_X86_64"));
		if (x->ia32)
			json_object_array_add(arches, json_object_new_string("SCMP_ARCH_X86"));
		json_object_object_add(root, "architectures", arches);
	} else {
		/* moby takes the native architecture's entry and its
		 * subarchitectures; SCMP_ARCH_X32 is left out on purpose. */
		struct json_object *map = json_object_new_array(), *e = json_object_new_object();

		json_object_object_add(e, "architecture", json_object_new_string("SCMP_ARCH_X86_64"));
		if (x->ia32)
			json_object_array_add(arches, json_object_new_string("SCMP_ARCH_X86"));
		json_object_object_add(e, "subArchitectures", arches);
		json_object_array_add(map, e);
		json_object_object_add(root, "archMap", map);
	}

	qsort(x->e, x->n, sizeof(*x->e), entry_cmp);
	for (size_t i = 0; i < x->n; i++) {
		const struct ex_entry *e = &x->e[i];

		/* unconditional rules with one action share an entry */
		if (!prev || e->r.ncond || prev->r.ncond || !same_action(&prev->r.action, &e->r.action))
			json_object_array_add(calls, new_entry(e, &names));
		json_object_array_add(names, json_object_new_string(e->name));
		prev = e;
	}
	json_object_object_add(root, "syscalls", calls);
	return root;
}

int bg_export_seccomp_json(const struct bg_policy *p, const struct bg_export_opts *o,
			   struct json_object **out, struct bg_diag *d)
{
	struct exporter *x;
	char b1[32], b2[32];
	bool need32;
	int ret = -1;

	*out = NULL;
	if (bg_export_check_sections(p, o->drop_sections, d))
		return -1;
	x = calloc(1, sizeof(*x));
	if (!x) {
		bg_diag_set(d, "%s: out of memory; free some memory", where_of(p));
		return -1;
	}
	x->p = p;
	x->o = o;
	x->d = d;
	x->where = where_of(p);

	need32 = p->ia32_dflt.verdict != BG_VERDICT_KILL;
	for (int nr = 0; nr < BG_MAX_SYSCALLS && !need32; nr++)
		need32 = has_rules(p, BG_ABI_IA32, nr);
	x->ia32 = need32 && !o->no_ia32;
	if (need32 && o->no_ia32)
		bg_diag_warn(d, "%s: leaving SCMP_ARCH_X86 out (--no-ia32): every ia32 (int $0x80) call "
			     "will be killed, stricter than the policy's ia32 rules (ia32 default %s)",
			     x->where, bg_action_str(&p->ia32_dflt, b1, sizeof(b1)));
	if (x->ia32 && !same_action(&p->dflt, &p->ia32_dflt)) {
		bg_diag_set(d, "%s: the ia32 default %s differs from the x86_64 default %s, and a seccomp "
			    "profile has one default for both; make them the same, pass --no-ia32 to kill "
			    "every ia32 call, or use --format bpf", x->where,
			    bg_action_str(&p->ia32_dflt, b1, sizeof(b1)), bg_action_str(&p->dflt, b2, sizeof(b2)));
		goto out;
	}
	if (backend_check(x) || collect_rules(x))
		goto out;
	if (x->nunknown)
		bg_diag_warn(d, "%s: libseccomp %u.%u.%u does not know %u exported name%s (%s%s): a runtime "
			     "using it skips their rules, so x86_64 calls of them get the default %s there",
			     x->where, seccomp_version()->major, seccomp_version()->minor,
			     seccomp_version()->micro, x->nunknown, x->nunknown == 1 ? "" : "s", x->unknown,
			     x->nunknown > 8 ? ", ..." : "", bg_action_str(&p->dflt, b1, sizeof(b1)));
	*out = build_json(x);
	ret = 0;
out:
	free(x->e);
	free(x);
	return ret;
}

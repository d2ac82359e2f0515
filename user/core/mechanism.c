// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <sys/socket.h>
#include <string.h>

#include "lsm.h"
#include "mechanism.h"
#include "probe.h"
#include "util.h"

void bg_mechs_from_probe(const struct bg_probe *p, struct bg_mechs *m)
{
	static struct bg_lsm_fit fit;

	memset(m, 0, sizeof(*m));
	m->seccomp = bg_probe_yes(&p->seccomp);
	m->kill = bg_probe_yes(&p->send_signal) || bg_probe_yes(&p->tp_sys_enter);
	m->cgroup_sock = bg_probe_yes(&p->cgroup_sock);
	m->hook_marks = m->cgroup_sock && bg_probe_yes(&p->cgroup_mark) && bg_probe_yes(&p->tp_sys_enter);
	m->set_retval = bg_probe_yes(&p->cgroup_retval);
	/* The LSM deny path needs lsm/ programs that load and fire here (the
	 * probe tried one) and hooks whose prototypes our programs match. */
	if (!bg_probe_yes(&p->lsm_prog)) {
		snprintf(m->lsm_why, sizeof(m->lsm_why), "BPF LSM programs cannot be used on this kernel (%.100s)",
			 p->lsm_prog.detail[0] ? p->lsm_prog.detail : "refused");
		return;
	}
	if (bg_lsm_fit(&fit) || !bg_lsm_hook_fits(&fit, "file_alloc_security")) {
		snprintf(m->lsm_why, sizeof(m->lsm_why), "bpfguard's LSM programs do not fit this kernel's hooks");
		return;
	}
	m->lsm_deny = true;
	m->lsm_fit = &fit;
	snprintf(m->lsm_why, sizeof(m->lsm_why), "the call reaches no LSM hook before its effect");
}

void bg_plan_init(struct bg_plan *pl, const struct bg_mechs *m,
		  enum bg_plan_target target, int mode, int fallback)
{
	memset(pl, 0, sizeof(*pl));
	pl->mechs = *m;
	pl->target = target;
	pl->mode = mode;
	pl->fallback = fallback;
}

static void set(struct bg_sysent *out, unsigned effect, unsigned mech)
{
	out->effect = effect;
	out->mech = mech;
}

/* Keeps the first few syscall names of a category for one-line messages. */
static void add_example(char *buf, size_t len, unsigned already, const char *name)
{
	size_t used = strlen(buf);

	if (already < 6 && name && used + strlen(name) + 3 < len)
		snprintf(buf + used, len - used, "%s%s", used ? ", " : "", name);
}

/* A condition that pins the family socket() sees ((int)arg0) to inet. */
static bool pins_inet(const struct bg_cond *c)
{
	uint64_t v;

	if (c->arg != 0)
		return false;
	if (c->op == BG_OP_EQ)
		v = c->val;
	else if (c->op == BG_OP_MASKED_EQ && (c->mask & 0xffffffffULL) == 0xffffffffULL)
		v = c->val & c->mask & 0xffffffffULL;
	else
		return false;
	return v == AF_INET || v == AF_INET6;
}

unsigned bg_plan_hook_for(const struct bg_plan_call *c)
{
	if (!c || c->abi != BG_ABI_X86_64)
		return 0;
	if (c->nr == BG_X86_64_NR_SETSOCKOPT)
		return BG_HP_MARK_SETSOCKOPT;
	if (c->nr == BG_X86_64_NR_SOCKET)
		for (unsigned i = 0; i < c->ncond && c->cond; i++)
			if (pins_inet(&c->cond[i]))
				return BG_HP_MARK_SOCKET;
	return 0;
}

/* Can a cgroup hook refuse this errno decision exactly, here? */
static unsigned hook_serves(const struct bg_plan *pl, const struct bg_action *a,
			    const struct bg_plan_call *call)
{
	if (!pl->mechs.hook_marks || (a->err != EPERM && !pl->mechs.set_retval))
		return 0;
	return bg_plan_hook_for(call);
}

static bool lsm_covers(const struct bg_plan *pl, const char *name)
{
	return pl->mechs.lsm_deny && bg_lsm_covers(pl->mechs.lsm_fit, name, NULL);
}

bool bg_plan_denies_before_effect(const struct bg_plan *pl, const struct bg_action *a, const char *name,
				  const struct bg_plan_call *call)
{
	if (pl->target == BG_TARGET_SECCOMP || pl->mode == BG_MODE_AUDIT)
		return true;
	return lsm_covers(pl, name) || hook_serves(pl, a, call);
}

bool bg_plan_split_socket(const struct bg_plan *pl, int abi, int nr, const struct bg_action *a)
{
	static const struct bg_cond inet = { .arg = 0, .op = BG_OP_EQ, .val = AF_INET };
	struct bg_plan_call c = { .abi = abi, .nr = nr, .cond = &inet, .ncond = 1 };

	return pl->target == BG_TARGET_CGROUP && pl->mode == BG_MODE_ENFORCE && abi == BG_ABI_X86_64 &&
	       nr == BG_X86_64_NR_SOCKET && a->verdict == BG_VERDICT_ERRNO && !lsm_covers(pl, "socket") &&
	       hook_serves(pl, a, &c);
}

/* How a decision is named in one-line messages: an unconditional socket
 * rule whose inet part a hook serves is left with the other families. */
static const char *shown_name(const struct bg_plan *pl, const char *name, const struct bg_plan_call *call)
{
	if (name && call && call->abi == BG_ABI_X86_64 && call->nr == BG_X86_64_NR_SOCKET && !call->ncond &&
	    pl->mechs.hook_marks)
		return "socket (families other than AF_INET/AF_INET6: no hook sees them)";
	return name;
}

int bg_plan_decide(struct bg_plan *pl, const struct bg_action *a, const char *name,
		   const struct bg_plan_call *call, bool count, struct bg_sysent *out)
{
	unsigned hook;

	out->verdict = a->verdict;
	out->err = a->verdict == BG_VERDICT_ERRNO ? a->err : 0;

	if (a->verdict == BG_VERDICT_ALLOW) {
		set(out, BG_EFFECT_NONE, BG_MECH_NONE);
	} else if (pl->target == BG_TARGET_SECCOMP) {
		/* Everything a seccomp filter returns happens before the call. */
		set(out, BG_EFFECT_RECORD, pl->mode == BG_MODE_AUDIT || a->verdict == BG_VERDICT_LOG
			     ? BG_MECH_AUDIT : BG_MECH_SECCOMP);
	} else if (a->verdict == BG_VERDICT_LOG || pl->mode == BG_MODE_AUDIT) {
		set(out, BG_EFFECT_RECORD, BG_MECH_AUDIT);
	} else if (a->verdict == BG_VERDICT_KILL) {
		set(out, BG_EFFECT_KILL, BG_MECH_KILL);
	} else if (pl->mechs.lsm_deny && bg_lsm_need(pl->mechs.lsm_fit, name, pl->lsm_need)) {
		set(out, BG_EFFECT_LSM_DENY, BG_MECH_LSM);
	} else if ((hook = hook_serves(pl, a, call))) {
		/* marked at sys_enter, refused by the hook, cleared (or, if no
		 * hook refused a call that succeeded, killed) at sys_exit */
		set(out, BG_EFFECT_HOOK_DENY, BG_MECH_CGROUP_HOOK);
		pl->hook_marks |= hook;
		pl->lsm_need[BG_LSM_SYS_EXIT_BIT / 64] |= 1ULL << (BG_LSM_SYS_EXIT_BIT % 64);
	} else {
		/* errno with no deny-before-effect mechanism: the user's fallback */
		switch (pl->fallback) {
		case BG_FALLBACK_KILL:
			set(out, BG_EFFECT_KILL, BG_MECH_KILL);
			break;
		case BG_FALLBACK_AUDIT:
			set(out, BG_EFFECT_RECORD, BG_MECH_AUDIT);
			break;
		default:
			if (count) {
				add_example(pl->refused_examples, sizeof(pl->refused_examples), pl->n_refused,
					    shown_name(pl, name, call));
				pl->n_refused++;
				pl->refused_action = *a;
			}
			return -1;
		}
		if (count) {
			add_example(pl->fallback_examples, sizeof(pl->fallback_examples), pl->n_fallback,
				    shown_name(pl, name, call));
			pl->n_fallback++;
		}
	}
	if (count)
		pl->n_by_mech[out->mech]++;
	return 0;
}

const char *bg_mech_name(unsigned mech)
{
	static const char *const n[] = {
		[BG_MECH_NONE] = "none", [BG_MECH_LSM] = "lsm", [BG_MECH_SECCOMP] = "seccomp",
		[BG_MECH_CGROUP_HOOK] = "cgroup-hook", [BG_MECH_KILL] = "kill",
		[BG_MECH_AUDIT] = "audit", [BG_MECH_FANOTIFY] = "fanotify",
	};
	return mech < ARRAY_SIZE(n) && n[mech] ? n[mech] : "unknown";
}

const char *bg_mech_help(unsigned mech)
{
	switch (mech) {
	case BG_MECH_LSM: return "fails with the errno before any effect (BPF LSM)";
	case BG_MECH_SECCOMP: return "fails with the errno before any effect (seccomp)";
	case BG_MECH_CGROUP_HOOK: return "fails with the errno before any effect (cgroup-BPF hook)";
	case BG_MECH_KILL: return "SIGKILL from the kernel; the call itself still runs";
	case BG_MECH_AUDIT: return "recorded only; the call runs";
	case BG_MECH_FANOTIFY: return "execve fails with EPERM before the program is loaded (fanotify exec gate)";
	default: return "allowed";
	}
}

void bg_plan_summary(const struct bg_plan *pl, char *buf, size_t len)
{
	static const unsigned order[] = { BG_MECH_NONE, BG_MECH_LSM, BG_MECH_SECCOMP,
					  BG_MECH_CGROUP_HOOK, BG_MECH_KILL, BG_MECH_AUDIT };
	const char *sep = "";
	size_t used;

	used = snprintf(buf, len, "mode %s, syscalls of x86_64+ia32: ", bg_mode_name(pl->mode));
	for (size_t i = 0; i < ARRAY_SIZE(order) && used < len; i++) {
		unsigned m = order[i];

		if (!pl->n_by_mech[m])
			continue;
		if (m == BG_MECH_NONE)
			used += snprintf(buf + used, len - used, "%s%u allowed", sep, pl->n_by_mech[m]);
		else
			used += snprintf(buf + used, len - used, "%s%u %s (%s)", sep, pl->n_by_mech[m],
					 bg_mech_name(m), bg_mech_help(m));
		sep = "; ";
	}
	if (pl->n_fallback && used < len)
		snprintf(buf + used, len - used, "; %u errno decisions (%s%s) use --fallback %s: %s",
			 pl->n_fallback, pl->fallback_examples, pl->n_fallback > 6 ? ", ..." : "",
			 bg_fallback_name(pl->fallback), pl->mechs.lsm_why);
}

void bg_plan_refusal(const struct bg_plan *pl, const char *policy, char *buf, size_t len)
{
	char act[32];

	snprintf(buf, len,
		 "policy '%s' answers %u syscalls with %s (%s%s) but nothing on this kernel can "
		 "make them fail before they run: %s; choose --fallback kill (SIGKILL, the call "
		 "still runs), --fallback audit (record only), or use `bpfguard run` (seccomp)",
		 policy, pl->n_refused, bg_action_str(&pl->refused_action, act, sizeof(act)),
		 pl->refused_examples, pl->n_refused > 6 ? ", ..." : "", pl->mechs.lsm_why);
}

struct json_object *bg_plan_to_json(const struct bg_plan *pl)
{
	struct json_object *o = json_object_new_object(), *by = json_object_new_object();

	json_object_object_add(o, "mode", json_object_new_string(bg_mode_name(pl->mode)));
	json_object_object_add(o, "fallback", json_object_new_string(bg_fallback_name(pl->fallback)));
	for (unsigned m = 0; m < ARRAY_SIZE(pl->n_by_mech); m++)
		if (pl->n_by_mech[m])
			json_object_object_add(by, m == BG_MECH_NONE ? "allowed" : bg_mech_name(m),
					       json_object_new_int((int)pl->n_by_mech[m]));
	json_object_object_add(o, "syscalls_by_mechanism", by);
	json_object_object_add(o, "errno_fallbacks", json_object_new_int((int)pl->n_fallback));
	json_object_object_add(o, "errno_fallback_examples", json_object_new_string(pl->fallback_examples));
	json_object_object_add(o, "lsm_deny", json_object_new_boolean(pl->mechs.lsm_deny));
	json_object_object_add(o, "cgroup_hook_syscall_rules", json_object_new_boolean(pl->mechs.hook_marks));
	json_object_object_add(o, "cgroup_hook_errno", json_object_new_boolean(pl->mechs.set_retval));
	if (!pl->mechs.lsm_deny)
		json_object_object_add(o, "lsm_unavailable", json_object_new_string(pl->mechs.lsm_why));
	return o;
}

const char *bg_mode_name(int mode)
{
	return mode == BG_MODE_ENFORCE ? "enforce" : "audit";
}

int bg_mode_parse(const char *s)
{
	if (!strcmp(s, "audit"))
		return BG_MODE_AUDIT;
	if (!strcmp(s, "enforce"))
		return BG_MODE_ENFORCE;
	return -1;
}

const char *bg_fallback_name(int fb)
{
	switch (fb) {
	case BG_FALLBACK_KILL: return "kill";
	case BG_FALLBACK_AUDIT: return "audit";
	default: return "refuse";
	}
}

int bg_fallback_parse(const char *s)
{
	if (!strcmp(s, "refuse"))
		return BG_FALLBACK_REFUSE;
	if (!strcmp(s, "kill"))
		return BG_FALLBACK_KILL;
	if (!strcmp(s, "audit"))
		return BG_FALLBACK_AUDIT;
	return -1;
}

const char *bg_effect_name(unsigned effect)
{
	switch (effect) {
	case BG_EFFECT_RECORD: return "recorded";
	case BG_EFFECT_KILL: return "killed";
	case BG_EFFECT_LSM_DENY: return "denied";
	case BG_EFFECT_HOOK_DENY: return "denied";
	case BG_EFFECT_SECCOMP_DENY: return "denied";
	default: return "none";
	}
}

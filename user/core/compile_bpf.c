// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "compile_bpf.h"
#include "syscalls.h"
#include "vec.h"

/* The argument rules of (abi, nr) into out->argrules: `rules` in order,
 * each decided with its own conditions (a cgroup hook may serve one rule
 * of a syscall and not another). */
static int compile_argrules(const struct bg_rule *rules, unsigned n, struct bg_plan *pl,
			    const char *name, int abi, int nr, struct bg_bpf_policy *out)
{
	struct bg_bpf_argrules *ar;
	int refused = 0;

	if (BG_VEC_RESIZE(out->argrules, out->nargrules + 1))
		return -ENOMEM;
	ar = &out->argrules[out->nargrules++];
	memset(ar, 0, sizeof(*ar));
	ar->key.abi = abi;
	ar->key.nr = nr;
	ar->val.nrules = n;
	for (unsigned i = 0; i < n && i < BG_MAX_ARGRULES; i++) {
		const struct bg_rule *r = &rules[i];
		struct bg_argrule *kr = &ar->val.rule[i];
		struct bg_plan_call call = { .abi = abi, .nr = nr, .cond = r->cond, .ncond = r->ncond };

		if (bg_plan_decide(pl, &r->action, name, &call, true, &kr->act))
			refused = -1;
		kr->ncond = r->ncond;
		for (unsigned c = 0; c < r->ncond && c < BG_MAX_CONDS; c++) {
			kr->cond[c].arg = r->cond[c].arg;
			kr->cond[c].op = r->cond[c].op;
			kr->cond[c].val = r->cond[c].val;
			kr->cond[c].mask = r->cond[c].mask;
		}
	}
	return refused;
}

/*
 * An unconditional errno rule on socket() where no LSM covers it: the
 * kernel runs cgroup/sock_create for AF_INET and AF_INET6 sockets only,
 * so the rule is compiled as its own two inet cases (refused by the hook
 * before a socket exists) after the policy's conditional rules, and the
 * rule itself for every other family (the fallback).  The order keeps the
 * policy's meaning: the new rules match only calls the unconditional rule
 * would have decided, with the same action.  Returns the rule count.
 */
static unsigned split_socket(const struct bg_sysrules *sr, const struct bg_action *base,
			     struct bg_rule out[BG_MAX_ARGRULES])
{
	static const uint64_t fam[] = { AF_INET, AF_INET6 };
	unsigned n = sr->nargrules;

	if (n)
		memcpy(out, sr->argrules, n * sizeof(*out));
	for (unsigned i = 0; i < 2; i++)
		out[n++] = (struct bg_rule){ .action = *base, .ncond = 1, .line = sr->base_line,
			.cond[0] = { .arg = 0, .op = BG_OP_EQ, .val = fam[i] } };
	return n;
}

int bg_compile_bpf(const struct bg_policy *p, struct bg_plan *pl, struct bg_bpf_policy *out)
{
	static const struct bg_action x32_kill = { .verdict = BG_VERDICT_KILL };
	static const struct bg_action implied_kill = { .verdict = BG_VERDICT_KILL };
	int ret = 0;

	memset(out, 0, sizeof(*out));
	for (int abi = 0; abi < BG_NR_TABLES; abi++) {
		const struct bg_action *dflt = abi == BG_ABI_IA32 ? &p->ia32_dflt : &p->dflt;

		for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++) {
			const struct bg_sysrules *sr = &p->sys[abi][nr];
			const char *name = bg_syscall_name(abi, nr);
			struct bg_sysent *ent = &out->slot.sys[abi][nr];
			const struct bg_action *base = sr->has_base ? &sr->base : dflt;
			struct bg_plan_call call = { .abi = abi, .nr = nr };
			struct bg_rule split[BG_MAX_ARGRULES];
			const struct bg_rule *rules = sr->argrules;
			unsigned nrules = sr->nargrules;

			/* The implied io_uring rule is bpfguard's, not the user's:
			 * where nothing fails io_uring_setup with its errno before
			 * a ring exists, it kills instead (a ring must not be made)
			 * and never takes --fallback (docs/policy.md). */
			if (sr->implied && base->verdict == BG_VERDICT_ERRNO &&
			    !bg_plan_denies_before_effect(pl, base, name, &call))
				base = &implied_kill;
			if (nrules + 2 <= BG_MAX_ARGRULES && bg_plan_split_socket(pl, abi, nr, base)) {
				nrules = split_socket(sr, base, split);
				rules = split;
			}
			/* Numbers without a name still get the default, so a
			 * syscall newer than our tables is not a hole. */
			if (bg_plan_decide(pl, base, name, &call, name != NULL, ent))
				ret = -1;
			if (nrules) {
				int r = compile_argrules(rules, nrules, pl, name, abi, nr, out);

				if (r == -ENOMEM)
					return r;
				if (r)
					ret = -1;
				ent->flags |= BG_SYSENT_ARGRULES;
			}
		}
		if (bg_plan_decide(pl, dflt, NULL, NULL, false, &out->slot.dflt[abi]))
			ret = -1;
	}
	/* x32 is not a table we judge: any x32 call is denied (kill). */
	bg_plan_decide(pl, &x32_kill, NULL, NULL, false, &out->slot.x32);
	return ret;
}

void bg_bpf_policy_free(struct bg_bpf_policy *bp)
{
	free(bp->argrules);
	bp->argrules = NULL;
	bp->nargrules = 0;
}

/* ------------------------------------------------------------------ */
/* Per-rule report */

static bool same_decision(const struct bg_sysent *a, const struct bg_sysent *b)
{
	return a->verdict == b->verdict && a->err == b->err && a->effect == b->effect && a->mech == b->mech;
}

static int add_rule(struct bg_rule_mech **out, unsigned *n, size_t *cap, const struct bg_rule_mech *r)
{
	if (BG_VEC_RESERVE(*out, *cap, *n + 1))
		return -ENOMEM;
	(*out)[(*n)++] = *r;
	return 0;
}

int bg_rule_mechs(const struct bg_policy_slot *slot, const struct bg_bpf_argrules *ars, unsigned nars,
		  struct bg_rule_mech **out, unsigned *n)
{
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	for (unsigned abi = 0; abi < BG_NR_TABLES; abi++)
		for (unsigned nr = 0; nr < BG_MAX_SYSCALLS; nr++) {
			const struct bg_sysent *e = &slot->sys[abi][nr];
			struct bg_rule_mech r = { .abi = abi, .nr = nr, .index = -1 };

			if (!bg_syscall_name((int)abi, (int)nr))
				continue;
			if (e->flags & BG_SYSENT_ARGRULES) {
				for (unsigned k = 0; k < nars; k++) {
					const struct bg_argrules *v = &ars[k].val;

					if (ars[k].key.abi != abi || ars[k].key.nr != nr)
						continue;
					for (unsigned i = 0; i < v->nrules && i < BG_MAX_ARGRULES; i++) {
						if (v->rule[i].act.verdict == BG_VERDICT_ALLOW)
							continue;
						r.index = (int16_t)i;
						r.rule = v->rule[i];
						if (add_rule(out, n, &cap, &r))
							return -ENOMEM;
					}
				}
				r.index = -1;
				memset(&r.rule, 0, sizeof(r.rule));
			}
			if (e->verdict == BG_VERDICT_ALLOW || same_decision(e, &slot->dflt[abi]))
				continue;
			r.rule.act = *e;
			r.rule.act.flags = 0;
			if (add_rule(out, n, &cap, &r))
				return -ENOMEM;
		}
	return 0;
}

const char *bg_rule_mech_hook(const struct bg_rule_mech *r)
{
	if (r->rule.act.mech != BG_MECH_CGROUP_HOOK || r->abi != BG_ABI_X86_64)
		return "";
	if (r->nr == BG_X86_64_NR_SOCKET)
		return "cgroup/sock_create";
	if (r->nr == BG_X86_64_NR_SETSOCKOPT)
		return "cgroup/setsockopt";
	return "";
}

static void conds_str(const struct bg_argrule *ar, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned c = 0; c < ar->ncond && c < BG_MAX_CONDS && used < len; c++) {
		const struct bg_argcond *k = &ar->cond[c];

		if (k->op == BG_OP_MASKED_EQ)
			used += (size_t)snprintf(buf + used, len - used, "%sarg%u & %#llx == %llu", c ? " && " : "",
						 k->arg, (unsigned long long)k->mask, (unsigned long long)k->val);
		else
			used += (size_t)snprintf(buf + used, len - used, "%sarg%u %s %llu", c ? " && " : "", k->arg,
						 bg_op_str(k->op), (unsigned long long)k->val);
	}
}

static void action_of(const struct bg_rule_mech *r, char *buf, size_t len)
{
	struct bg_action a = { .verdict = r->rule.act.verdict, .err = r->rule.act.err };

	bg_action_str_named(&a, buf, len);
}

void bg_rule_mech_str(const struct bg_rule_mech *r, char *buf, size_t len)
{
	char conds[256], act[40];
	const char *name = bg_syscall_name(r->abi, r->nr), *hook = bg_rule_mech_hook(r);

	conds_str(&r->rule, conds, sizeof(conds));
	action_of(r, act, sizeof(act));
	snprintf(buf, len, "%s%s%s%s%s: %s -> %s%s%s%s", name ? name : "?",
		 r->abi == BG_ABI_IA32 ? " (ia32)" : "", conds[0] ? " if " : "", conds,
		 r->index < 0 && r->rule.ncond == 0 ? "" : "", act, bg_mech_name(r->rule.act.mech),
		 hook[0] ? " (" : "", hook, hook[0] ? ")" : "");
}

struct json_object *bg_rule_mech_json(const struct bg_rule_mech *r)
{
	struct json_object *o = json_object_new_object();
	const char *name = bg_syscall_name(r->abi, r->nr);
	char conds[256], act[40];

	conds_str(&r->rule, conds, sizeof(conds));
	action_of(r, act, sizeof(act));
	json_object_object_add(o, "syscall", json_object_new_string(name ? name : "?"));
	json_object_object_add(o, "abi", json_object_new_string(bg_abi_name(r->abi)));
	json_object_object_add(o, "conditions", json_object_new_string(conds));
	json_object_object_add(o, "action", json_object_new_string(act));
	json_object_object_add(o, "mechanism", json_object_new_string(bg_mech_name(r->rule.act.mech)));
	if (bg_rule_mech_hook(r)[0])
		json_object_object_add(o, "hook", json_object_new_string(bg_rule_mech_hook(r)));
	return o;
}

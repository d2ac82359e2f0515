// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compile_bpf.h"
#include "syscalls.h"
#include "vec.h"

static int compile_argrules(const struct bg_sysrules *sr, struct bg_plan *pl, const char *name,
			    int abi, int nr, struct bg_bpf_policy *out)
{
	struct bg_bpf_argrules *ar;
	int refused = 0;

	if (BG_VEC_RESIZE(out->argrules, out->nargrules + 1))
		return -ENOMEM;
	ar = &out->argrules[out->nargrules++];
	memset(ar, 0, sizeof(*ar));
	ar->key.abi = abi;
	ar->key.nr = nr;
	ar->val.nrules = sr->nargrules;
	for (unsigned i = 0; i < sr->nargrules && i < BG_MAX_ARGRULES; i++) {
		const struct bg_rule *r = &sr->argrules[i];
		struct bg_argrule *kr = &ar->val.rule[i];

		if (bg_plan_decide(pl, &r->action, name, true, &kr->act))
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

int bg_compile_bpf(const struct bg_policy *p, struct bg_plan *pl, struct bg_bpf_policy *out)
{
	static const struct bg_action x32_kill = { .verdict = BG_VERDICT_KILL };
	int ret = 0;

	memset(out, 0, sizeof(*out));
	for (int abi = 0; abi < BG_NR_TABLES; abi++) {
		const struct bg_action *dflt = abi == BG_ABI_IA32 ? &p->ia32_dflt : &p->dflt;

		for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++) {
			const struct bg_sysrules *sr = &p->sys[abi][nr];
			const char *name = bg_syscall_name(abi, nr);
			struct bg_sysent *ent = &out->slot.sys[abi][nr];
			const struct bg_action *base = sr->has_base ? &sr->base : dflt;

			/* Numbers without a name still get the default, so a
			 * syscall newer than our tables is not a hole. */
			if (bg_plan_decide(pl, base, name, name != NULL, ent))
				ret = -1;
			if (sr->nargrules) {
				int r = compile_argrules(sr, pl, name, abi, nr, out);

				if (r == -ENOMEM)
					return r;
				if (r)
					ret = -1;
				ent->flags |= BG_SYSENT_ARGRULES;
			}
		}
		if (bg_plan_decide(pl, dflt, NULL, false, &out->slot.dflt[abi]))
			ret = -1;
	}
	/* x32 is not a table we judge: any x32 call is denied (kill). */
	bg_plan_decide(pl, &x32_kill, NULL, false, &out->slot.x32);
	return ret;
}

void bg_bpf_policy_free(struct bg_bpf_policy *bp)
{
	free(bp->argrules);
	bp->argrules = NULL;
	bp->nargrules = 0;
}

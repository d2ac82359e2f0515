// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The BPF back end must reproduce the IR's reference semantics
 * (bg_policy_eval) for every syscall of both tables, and the planner must
 * turn verdicts into effects exactly as documented.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arg_match.h"
#include "compile_bpf.h"
#include "filter.h"
#include "lsm.h"
#include "mechanism.h"
#include "policy.h"
#include "syscalls.h"

/* What guard.bpf.c's judge() does with the compiled maps: the slot's
 * entry, then, if flagged, the first matching argument rule, found by the
 * kernel's own matcher (bpf/arg_match.h). */
static struct bg_sysent kernel_decision(const struct bg_bpf_policy *bp, int abi, int nr,
					const uint64_t args[BG_NR_ARGS])
{
	struct bg_sysent ent = nr < BG_MAX_SYSCALLS ? bp->slot.sys[abi][nr] : bp->slot.dflt[abi];

	if (!(ent.flags & BG_SYSENT_ARGRULES))
		return ent;
	for (unsigned i = 0; i < bp->nargrules; i++) {
		const struct bg_bpf_argrules *ar = &bp->argrules[i];
		const struct bg_argrule *r;

		if (ar->key.abi != abi || ar->key.nr != nr)
			continue;
		r = bg_am_first(&ar->val, args);
		if (r)
			return r->act;
	}
	return ent;
}

static struct bg_policy *parse(const char *text)
{
	struct bg_policy *p = NULL;
	struct bg_diag d = {};

	if (bg_policy_parse_native(text, strlen(text), "test.policy", &p, &d))
		fail_msg("parse failed: %s", d.msg);
	return p;
}

static struct bg_mechs host_mechs(void)
{
	struct bg_mechs m = { .seccomp = true, .kill = true };

	strcpy(m.lsm_why, "test");
	return m;
}

static const char *const POLICY =
	"name compile-test\n"
	"default errno(EPERM)\n"
	"allow read write close exit_group\n"
	"kill ptrace\n"
	"log execve\n"
	"errno(EACCES) mkdir\n"
	"allow socket if arg0 == 1\n"
	"kill socket if arg0 == 2 and arg1 & 0xf == 3\n"
	"allow clone if arg0 & 0x10000000 == 0\n"
	"allow ia32:read ia32:write\n";

static void test_backend_matches_reference(void **state)
{
	struct bg_policy *p = parse(POLICY);
	struct bg_mechs m = host_mechs();
	struct bg_bpf_policy bp;
	struct bg_plan pl;

	(void)state;
	bg_plan_init(&pl, &m, BG_TARGET_CGROUP, BG_MODE_ENFORCE, BG_FALLBACK_KILL);
	assert_int_equal(bg_compile_bpf(p, &pl, &bp), 0);
	srand(42);
	for (int abi = 0; abi < BG_NR_TABLES; abi++) {
		for (int nr = 0; nr < BG_MAX_SYSCALLS + 8; nr++) {
			for (int trial = 0; trial < 24; trial++) {
				uint64_t args[6];

				for (int i = 0; i < 6; i++)
					args[i] = trial < 8 ? (uint64_t)(trial + i) % 4 : ((uint64_t)rand() << 32) ^ rand();
				struct bg_action want = bg_policy_eval(p, abi, nr, args);
				struct bg_sysent got = kernel_decision(&bp, abi, nr < BG_MAX_SYSCALLS ? nr : BG_MAX_SYSCALLS, args);

				if (got.verdict != want.verdict || (want.verdict == BG_VERDICT_ERRNO && got.err != want.err))
					fail_msg("abi %d nr %d: kernel %u/%u, reference %u/%u", abi, nr,
						 got.verdict, got.err, want.verdict, want.err);
			}
		}
	}
	bg_bpf_policy_free(&bp);
	bg_policy_free(p);
}

/*
 * The fast path (guard.bpf.c: bg_filter_fast_allows on the slot
 * bg_filter_allow_bits fills) against the reference evaluator, for every
 * number of both tables, the x32 bit and out-of-range numbers, with the
 * tag of the caller's cgroup, another cgroup's, EXACT and BUSY:
 *  - sound: whatever it allows, the reference allows for every argument
 *    tried, and the compiled entry has nothing to record;
 *  - exact: every x86_64 call the compiled table allows unconditionally
 *    with nothing to record is answered by it (nothing falls to the slow
 *    path that need not).
 */
static void check_fast_path(const char *text, enum bg_mode mode)
{
	struct bg_policy *p = parse(text);
	struct bg_mechs m = host_mechs();
	struct bg_filter_ent f, other;
	struct bg_bpf_policy bp;
	struct bg_plan pl;
	const uint64_t cgid = 0x1234567, tags[] = { BG_FILTER_TAG(0x1234567 + 4096), BG_FILTER_EXACT, BG_FILTER_BUSY, 0 };
	unsigned fast = 0;

	bg_plan_init(&pl, &m, BG_TARGET_CGROUP, mode, BG_FALLBACK_KILL);
	assert_int_equal(bg_compile_bpf(p, &pl, &bp), 0);
	bg_filter_allow_bits(&bp.slot, f.allow);
	f.tag = BG_FILTER_TAG(cgid);
	srand(7);
	for (long id = -2; id < BG_MAX_SYSCALLS + 8; id++) {
		for (int compat = 0; compat < 2; compat++) {
			long ids[2] = { id, id | BG_X32_SYSCALL_BIT };

			for (int x = 0; x < 2; x++) {
				int abi = x ? BG_ABI_X32 : compat ? BG_ABI_IA32 : BG_ABI_X86_64;
				int allows = bg_filter_fast_allows(&f, f.tag, cgid, ids[x], compat);

				for (size_t t = 0; t < sizeof(tags) / sizeof(tags[0]); t++) {
					other = f;
					other.tag = tags[t];
					if (bg_filter_fast_allows(&other, other.tag, cgid, ids[x], compat))
						fail_msg("id %ld: answered through a tag not the caller's (%#llx)", ids[x],
							 (unsigned long long)tags[t]);
				}
				if (!allows)
					continue;
				fast++;
				if (abi != BG_ABI_X86_64 || id < 0 || id >= BG_MAX_SYSCALLS)
					fail_msg("id %ld compat %d: fast path answered outside the x86_64 table", ids[x], compat);
				if (!bg_sysent_fast(&bp.slot.sys[BG_ABI_X86_64][id]))
					fail_msg("nr %ld: fast path allows what the compiled entry records or limits", id);
				for (int trial = 0; trial < 16; trial++) {
					uint64_t args[6];

					for (int i = 0; i < 6; i++)
						args[i] = trial < 6 ? (uint64_t)(trial + i) % 4 : ((uint64_t)rand() << 32) ^ rand();
					if (bg_policy_eval(p, BG_ABI_X86_64, (int)id, args).verdict != BG_VERDICT_ALLOW)
						fail_msg("nr %ld: fast path allows, the reference does not", id);
				}
			}
		}
	}
	for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++)
		if (bg_sysent_fast(&bp.slot.sys[BG_ABI_X86_64][nr]) && !bg_filter_fast_allows(&f, f.tag, cgid, nr, 0))
			fail_msg("nr %d: allowed with nothing to do, yet sent to the slow path", nr);
	assert_true(fast > 0); /* every policy here allows something outright */
	bg_bpf_policy_free(&bp);
	bg_policy_free(p);
}

static void test_fast_path_matches_reference(void **state)
{
	(void)state;
	check_fast_path(POLICY, BG_MODE_ENFORCE);
	check_fast_path(POLICY, BG_MODE_AUDIT);
	check_fast_path("name allow-most\ndefault allow\nkill ptrace\nlog openat\n"
			"allow socket if arg0 == 1\nerrno(EPERM) socket\n", BG_MODE_ENFORCE);
	check_fast_path("name deny-most\ndefault kill\nallow getpid\n", BG_MODE_ENFORCE);
}

static void test_effects_enforce_fallback_kill(void **state)
{
	struct bg_policy *p = parse(POLICY);
	struct bg_mechs m = host_mechs();
	struct bg_bpf_policy bp;
	struct bg_plan pl;
	int mkdir_nr = bg_syscall_nr(BG_ABI_X86_64, "mkdir");
	int ptrace_nr = bg_syscall_nr(BG_ABI_X86_64, "ptrace");
	int execve_nr = bg_syscall_nr(BG_ABI_X86_64, "execve");
	int read_nr = bg_syscall_nr(BG_ABI_X86_64, "read");

	(void)state;
	bg_plan_init(&pl, &m, BG_TARGET_CGROUP, BG_MODE_ENFORCE, BG_FALLBACK_KILL);
	assert_int_equal(bg_compile_bpf(p, &pl, &bp), 0);
	assert_int_equal(bp.slot.sys[0][mkdir_nr].effect, BG_EFFECT_KILL);
	assert_int_equal(bp.slot.sys[0][mkdir_nr].err, 13);
	assert_int_equal(bp.slot.sys[0][ptrace_nr].effect, BG_EFFECT_KILL);
	assert_int_equal(bp.slot.sys[0][ptrace_nr].mech, BG_MECH_KILL);
	assert_int_equal(bp.slot.sys[0][execve_nr].effect, BG_EFFECT_RECORD);
	assert_int_equal(bp.slot.sys[0][execve_nr].mech, BG_MECH_AUDIT);
	assert_int_equal(bp.slot.sys[0][read_nr].effect, BG_EFFECT_NONE);
	assert_int_equal(bp.slot.x32.verdict, BG_VERDICT_KILL);
	assert_int_equal(bp.slot.x32.effect, BG_EFFECT_KILL);
	assert_true(pl.n_fallback > 300); /* the errno(EPERM) default over the tables */
	assert_int_equal(pl.n_refused, 0);
	bg_bpf_policy_free(&bp);
	bg_policy_free(p);
}

static void test_audit_mode_records_everything(void **state)
{
	struct bg_policy *p = parse(POLICY);
	struct bg_mechs m = host_mechs();
	struct bg_bpf_policy bp;
	struct bg_plan pl;

	(void)state;
	bg_plan_init(&pl, &m, BG_TARGET_CGROUP, BG_MODE_AUDIT, BG_FALLBACK_REFUSE);
	assert_int_equal(bg_compile_bpf(p, &pl, &bp), 0); /* audit never refuses */
	for (int abi = 0; abi < BG_NR_TABLES; abi++)
		for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++) {
			const struct bg_sysent *e = &bp.slot.sys[abi][nr];

			assert_true(e->effect == BG_EFFECT_NONE || e->effect == BG_EFFECT_RECORD);
			assert_true((e->verdict == BG_VERDICT_ALLOW) == (e->effect == BG_EFFECT_NONE));
		}
	for (unsigned i = 0; i < bp.nargrules; i++)
		for (unsigned r = 0; r < bp.argrules[i].val.nrules; r++)
			assert_int_not_equal(bp.argrules[i].val.rule[r].act.effect, BG_EFFECT_KILL);
	assert_int_equal(bp.slot.x32.effect, BG_EFFECT_RECORD);
	bg_bpf_policy_free(&bp);
	bg_policy_free(p);
}

static void test_refuse_names_syscalls(void **state)
{
	struct bg_policy *p = parse("default allow\nerrno(EACCES) mkdir rmdir\n");
	struct bg_mechs m = host_mechs();
	struct bg_bpf_policy bp;
	struct bg_plan pl;
	char msg[512];

	(void)state;
	bg_plan_init(&pl, &m, BG_TARGET_CGROUP, BG_MODE_ENFORCE, BG_FALLBACK_REFUSE);
	assert_int_equal(bg_compile_bpf(p, &pl, &bp), -1);
	assert_int_equal(pl.n_refused, 2);
	bg_plan_refusal(&pl, "p", msg, sizeof(msg));
	assert_non_null(strstr(msg, "mkdir"));
	assert_non_null(strstr(msg, "rmdir"));
	assert_non_null(strstr(msg, "errno(13)"));
	assert_null(strchr(msg, '\n'));
	bg_bpf_policy_free(&bp);
	bg_policy_free(p);
}

static void test_lsm_chosen_when_available(void **state)
{
	struct bg_policy *p = parse("default allow\nerrno(EACCES) mkdir\n");
	struct bg_mechs m = host_mechs();
	struct bg_bpf_policy bp;
	struct bg_plan pl;
	int mkdir_nr = bg_syscall_nr(BG_ABI_X86_64, "mkdir");

	static struct bg_lsm_fit fit = { .n = 1, .btf_ok = true };

	(void)state;
	strcpy(fit.e[0].prog, "bg_inode_mkdir_3");
	strcpy(fit.e[0].hook, "inode_mkdir");
	fit.e[0].fits = true;
	m.lsm_deny = true;
	m.lsm_fit = &fit;
	bg_plan_init(&pl, &m, BG_TARGET_CGROUP, BG_MODE_ENFORCE, BG_FALLBACK_REFUSE);
	assert_int_equal(bg_compile_bpf(p, &pl, &bp), 0);
	assert_int_equal(bp.slot.sys[0][mkdir_nr].effect, BG_EFFECT_LSM_DENY);
	assert_int_equal(bp.slot.sys[0][mkdir_nr].mech, BG_MECH_LSM);
	assert_int_equal(pl.n_fallback, 0);
	bg_bpf_policy_free(&bp);
	bg_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backend_matches_reference),
		cmocka_unit_test(test_fast_path_matches_reference),
		cmocka_unit_test(test_effects_enforce_fallback_kill),
		cmocka_unit_test(test_audit_mode_records_everything),
		cmocka_unit_test(test_refuse_names_syscalls),
		cmocka_unit_test(test_lsm_chosen_when_available),
	};
	return cmocka_run_group_tests_name("compile_bpf", tests, NULL, NULL);
}

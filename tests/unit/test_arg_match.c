// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpf/arg_match.h, the argument-rule matcher guard.bpf.c runs at
 * sys_enter, compiled here by gcc: the comparisons are seccomp's
 * (unsigned 64-bit), the first rule whose conditions all hold wins, and
 * what cannot be evaluated (an argument or operator out of range, counts
 * past the arrays) never matches and never reads past them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arg_match.h"

static const uint64_t ARGS[BG_NR_ARGS] = { 5, UINT64_MAX, 0, 0x1234, 7, 0 };

static void test_comparisons_are_unsigned_64bit(void **state)
{
	static const struct {
		unsigned arg, op;
		uint64_t val, mask;
		bool want;
	} cases[] = {
		{ 0, BG_OP_EQ, 5, 0, true },		{ 0, BG_OP_EQ, 6, 0, false },
		{ 0, BG_OP_NE, 6, 0, true },		{ 0, BG_OP_NE, 5, 0, false },
		{ 0, BG_OP_LT, 6, 0, true },		{ 0, BG_OP_LT, 5, 0, false },
		{ 0, BG_OP_LE, 5, 0, true },		{ 0, BG_OP_LE, 4, 0, false },
		{ 0, BG_OP_GT, 4, 0, true },		{ 0, BG_OP_GT, 5, 0, false },
		{ 0, BG_OP_GE, 5, 0, true },		{ 0, BG_OP_GE, 6, 0, false },
		/* -1 as a register is the largest value, not the smallest */
		{ 1, BG_OP_GT, 0, 0, true },		{ 1, BG_OP_LT, 0x7fffffffffffffffULL, 0, false },
		{ 3, BG_OP_MASKED_EQ, 0x34, 0xff, true }, { 3, BG_OP_MASKED_EQ, 0x1234, 0xff, false },
		/* out of range: never holds, whatever the value */
		{ BG_NR_ARGS, BG_OP_NE, 1, 0, false },	{ 255, BG_OP_GE, 0, 0, false },
		{ 0, BG_OP__COUNT, 5, 0, false },	{ 0, 200, 5, 0, false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (bg_am_holds(ARGS, cases[i].arg, cases[i].op, cases[i].val, cases[i].mask) != cases[i].want)
			fail_msg("case %zu: arg%u op %u val %#llx: expected %d", i, cases[i].arg, cases[i].op,
				 (unsigned long long)cases[i].val, cases[i].want);
}

static struct bg_argrule rule(uint8_t verdict, unsigned ncond, const struct bg_argcond *c)
{
	struct bg_argrule r = { .act = { .verdict = verdict }, .ncond = ncond };

	if (ncond)
		memcpy(r.cond, c, ncond * sizeof(*c));
	return r;
}

static void test_first_matching_rule_wins(void **state)
{
	const struct bg_argcond a0_is_5 = { .arg = 0, .op = BG_OP_EQ, .val = 5 };
	const struct bg_argcond both[2] = { { .arg = 0, .op = BG_OP_EQ, .val = 5 },
					    { .arg = 4, .op = BG_OP_EQ, .val = 8 } };
	struct bg_argrules rs = { .nrules = 3 };

	(void)state;
	rs.rule[0] = rule(BG_VERDICT_KILL, 2, both);	  /* arg4 is 7: does not hold */
	rs.rule[1] = rule(BG_VERDICT_LOG, 1, &a0_is_5);	  /* holds: wins */
	rs.rule[2] = rule(BG_VERDICT_ERRNO, 0, NULL);	  /* no conditions: would hold */
	assert_ptr_equal(bg_am_first(&rs, ARGS), &rs.rule[1]);
	rs.nrules = 1;
	assert_null(bg_am_first(&rs, ARGS));
	rs.nrules = 0;
	assert_null(bg_am_first(&rs, ARGS));
}

/* Counts past the arrays (a corrupt map value) stop at the array's end,
 * the bound the verifier checks too. */
static void test_counts_are_bounded(void **state)
{
	struct bg_argrules rs;

	(void)state;
	memset(&rs, 0, sizeof(rs));
	rs.nrules = UINT32_MAX;
	for (int i = 0; i < BG_MAX_ARGRULES; i++) {
		rs.rule[i].ncond = UINT32_MAX;
		for (int j = 0; j < BG_MAX_CONDS; j++)
			rs.rule[i].cond[j] = (struct bg_argcond){ .arg = 0, .op = BG_OP_NE, .val = 5 };
	}
	assert_null(bg_am_first(&rs, ARGS));
	for (int j = 0; j < BG_MAX_CONDS; j++)
		rs.rule[BG_MAX_ARGRULES - 1].cond[j].op = BG_OP_EQ;
	assert_ptr_equal(bg_am_first(&rs, ARGS), &rs.rule[BG_MAX_ARGRULES - 1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_comparisons_are_unsigned_64bit),
		cmocka_unit_test(test_first_matching_rule_wins),
		cmocka_unit_test(test_counts_are_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_vec.c - the growing-array helper (lib/vec.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "vec.h"

static void test_push_many(void **state)
{
	uint64_t *v = NULL;
	size_t n = 0, cap = 0;

	(void)state;
	for (uint64_t i = 0; i < 1000; i++) {
		assert_int_equal(BG_VEC_RESERVE(v, cap, n + 1), 0);
		assert_true(cap >= n + 1);
		v[n++] = i;
	}
	for (uint64_t i = 0; i < n; i++)
		assert_int_equal(v[i], i);
	/* doubling from BG_VEC_MIN: 16 .. 1024 */
	assert_int_equal(cap, 1024);
	/* enough room: nothing moves */
	uint64_t *before = v;

	assert_int_equal(BG_VEC_RESERVE(v, cap, 1000), 0);
	assert_ptr_equal(v, before);
	free(v);
}

static void test_reserve_jumps(void **state)
{
	char *v = NULL;
	size_t cap = 0;

	(void)state;
	assert_int_equal(BG_VEC_RESERVE(v, cap, 100), 0);
	assert_int_equal(cap, 128);
	free(v);
}

/* Sizes that do not fit a size_t fail cleanly and leave the array as it was. */
static void test_overflow(void **state)
{
	uint64_t *v = NULL;
	size_t cap = 0;

	(void)state;
	assert_int_equal(BG_VEC_RESERVE(v, cap, 4), 0);
	v[0] = 42;
	size_t had = cap;
	uint64_t *before = v;

	assert_int_equal(BG_VEC_RESERVE(v, cap, SIZE_MAX / 4), -ENOMEM);
	assert_int_equal(BG_VEC_RESERVE(v, cap, SIZE_MAX), -ENOMEM);
	assert_int_equal(BG_VEC_RESIZE(v, SIZE_MAX / 2), -ENOMEM);
	assert_int_equal(cap, had);
	assert_ptr_equal(v, before);
	assert_int_equal(v[0], 42);
	free(v);
}

static void test_resize_exact(void **state)
{
	int *v = NULL;

	(void)state;
	for (int i = 0; i < 10; i++) {
		assert_int_equal(BG_VEC_RESIZE(v, (size_t)i + 1), 0);
		v[i] = i;
	}
	for (int i = 0; i < 10; i++)
		assert_int_equal(v[i], i);
	assert_int_equal(BG_VEC_RESIZE(v, 0), -ENOMEM);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_many),
		cmocka_unit_test(test_reserve_jumps),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_resize_exact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

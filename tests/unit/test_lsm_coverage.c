// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The LSM coverage table in code and in docs/enforcement.md must agree, and
 * every syscall in it must exist; coverage decisions follow hook fit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lsm.h"
#include "policy.h"
#include "syscalls.h"
#include "util.h"

static void test_doc_matches_code(void **state)
{
	char path[4096], *doc = NULL;
	const char *src = getenv("BG_SRCDIR");
	size_t len;

	(void)state;
	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/docs/enforcement.md", src);
	assert_int_equal(bg_read_file(path, 1 << 20, &doc, &len), 0);
	for (const struct bg_lsm_cover *c = bg_lsm_coverage(); c->syscall; c++) {
		char row[128];

		snprintf(row, sizeof(row), "| `%s` |", c->syscall);
		if (!strstr(doc, row))
			fail_msg("docs/enforcement.md lacks the row for %s", c->syscall);
	}
	free(doc);
}

static void test_every_syscall_exists(void **state)
{
	(void)state;
	for (const struct bg_lsm_cover *c = bg_lsm_coverage(); c->syscall; c++)
		if (bg_syscall_nr(BG_ABI_X86_64, c->syscall) < 0 && bg_syscall_nr(BG_ABI_IA32, c->syscall) < 0)
			fail_msg("coverage names unknown syscall %s", c->syscall);
}

static void test_covers_follows_fit(void **state)
{
	static struct bg_lsm_fit fit = { .n = 2, .btf_ok = true };
	const char *hook = NULL;

	(void)state;
	strcpy(fit.e[0].hook, "path_truncate");
	fit.e[0].fits = true;
	strcpy(fit.e[1].hook, "file_truncate");
	fit.e[1].fits = false; /* as on 6.1, which has no file_truncate hook */
	assert_true(bg_lsm_covers(&fit, "ftruncate", &hook));
	assert_string_equal(hook, "path_truncate");
	assert_false(bg_lsm_covers(&fit, "getpid", NULL));
	assert_false(bg_lsm_covers(&fit, "unlink", NULL)); /* its hooks do not fit */
	assert_false(bg_lsm_covers(&fit, NULL, NULL));
}

static void test_need_marks_every_group(void **state)
{
	static struct bg_lsm_fit fit = { .n = 3, .btf_ok = true };
	uint64_t need[2] = { 0, 0 };

	(void)state;
	strcpy(fit.e[0].hook, "inode_permission");
	fit.e[0].fits = true;
	strcpy(fit.e[1].hook, "inode_unlink");
	fit.e[1].fits = true;
	strcpy(fit.e[2].hook, "inode_rmdir");
	fit.e[2].fits = true;
	/* unlinkat needs both the unlink and the rmdir hook, nothing hotter */
	assert_true(bg_lsm_need(&fit, "unlinkat", need));
	assert_true(need[0] == ((1ULL << 1) | (1ULL << 2)));
	need[0] = 0;
	fit.e[2].fits = false; /* a kernel without the rmdir hook: not covered */
	assert_false(bg_lsm_need(&fit, "unlinkat", need));
	assert_false(bg_lsm_need(&fit, "getpid", need));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doc_matches_code),
		cmocka_unit_test(test_every_syscall_exists),
		cmocka_unit_test(test_covers_follows_fit),
		cmocka_unit_test(test_need_marks_every_group),
	};
	return cmocka_run_group_tests_name("lsm_coverage", tests, NULL, NULL);
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_diag.c - struct bg_diag: the text every error line reads as, and
 * the JSON rendering of the same diagnostic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "diag.h"

static void test_text(void **state)
{
	(void)state;
	struct bg_diag d = {};

	assert_false(bg_diag_failed(&d));
	bg_diag_at(&d, "p.txt", 12, "unknown syscall '%s'; check the name", "opn");
	assert_true(bg_diag_failed(&d));
	assert_string_equal(d.msg, "p.txt:12: unknown syscall 'opn'; check the name");
	assert_string_equal(bg_diag_message(&d), "unknown syscall 'opn'; check the name");
	assert_string_equal(d.origin, "p.txt");
	assert_int_equal(d.line, 12);

	bg_diag_at(&d, "p.txt", 0, "cannot open: %s; check the path", "No such file or directory");
	assert_string_equal(d.msg, "p.txt: cannot open: No such file or directory; check the path");

	/* set replaces the place too */
	bg_diag_set(&d, "out of memory;\nfree some");
	assert_string_equal(d.msg, "out of memory; free some");
	assert_string_equal(d.origin, "");
	assert_int_equal(d.line, 0);
	bg_diag_set(NULL, "ignored");
	bg_diag_at(NULL, "x", 1, "ignored");
}

static void test_json(void **state)
{
	(void)state;
	struct bg_diag d = {};

	bg_diag_at(&d, "a.json", 3, "invalid JSON; fix the syntax");
	struct json_object *o = bg_diag_json(&d);
	assert_non_null(o);
	assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
			    "{\"origin\":\"a.json\",\"line\":3,\"message\":\"invalid JSON; fix the syntax\","
			    "\"severity\":\"error\"}");
	json_object_put(o);

	bg_diag_set(&d, "no place");
	o = bg_diag_json(&d);
	assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
			    "{\"origin\":null,\"line\":0,\"message\":\"no place\",\"severity\":\"error\"}");
	json_object_put(o);
}

static void count(void *ctx, const char *msg)
{
	(void)msg;
	++*(int *)ctx;
}

static void test_warn(void **state)
{
	(void)state;
	int n = 0;
	struct bg_diag d = { .warn = count, .warn_ctx = &n };

	bg_diag_warn(&d, "one %d", 1);
	bg_diag_warn(&d, "two");
	assert_int_equal(n, 2);
	assert_int_equal(d.nwarn, 2);
	assert_false(bg_diag_failed(&d)); /* a warning is not an error */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_warn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * go.sum parser: the go command's field rules (blank lines skipped, exactly
 * three fields otherwise, errors as FILE:LINE), /go.mod lines, duplicates,
 * the dropped empty-go.mod hash, limits, and lookups.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "gosum.h"

static const char good[] =
	"example.com/Upper v1.2.3 h1:PkyFMPVdL6miWP0Atf1uieIX7Il+BzgP6KKspi4QdYQ=\n"
	"example.com/Upper v1.2.3/go.mod h1:2EKJevWVzD4CK2o4ZnSRQNCKG54jwPiV6ofBZGJgBi0=\n"
	"\n"
	"   \t \r\n"
	"example.com/greet v1.0.0 h1:wsbGoBXfRfpkxc/9sKUeGOEcT89bavXih8MjBvzooRk=\r\n"
	"example.com/greet\tv1.0.0/go.mod   h1:qmCUdUgvYzVx/QpXPHPcbrzaJCOfJUUeUlhKWag7bZg=\n"
	"example.com/dup v0.1.0 h1:first=\n"
	"example.com/dup v0.1.0 h1:second=\n"
	"example.com/old v1.0.0/go.mod h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=\n"
	"a v1 h1:no-final-newline=";

static void test_parse_and_lookup(void **state)
{
	struct bg_gosum gs;
	const struct bg_gosum_entry *e;
	struct bg_diag dg = {};
	size_t n;

	(void)state;
	assert_int_equal(bg_gosum_parse(good, strlen(good), "go.sum", &gs, &dg), 0);
	assert_int_equal(gs.n, 7); /* 9 lines with fields, the empty-go.mod one dropped */
	e = bg_gosum_lookup(&gs, "example.com/Upper", "v1.2.3", false, &n);
	assert_non_null(e);
	assert_int_equal(n, 1);
	assert_string_equal(e->hash, "h1:PkyFMPVdL6miWP0Atf1uieIX7Il+BzgP6KKspi4QdYQ=");
	assert_int_equal(e->line, 1);
	e = bg_gosum_lookup(&gs, "example.com/Upper", "v1.2.3", true, &n);
	assert_non_null(e);
	assert_string_equal(e->hash, "h1:2EKJevWVzD4CK2o4ZnSRQNCKG54jwPiV6ofBZGJgBi0=");
	assert_string_equal(e->version, "v1.2.3");
	/* CRLF and tabs are white space */
	e = bg_gosum_lookup(&gs, "example.com/greet", "v1.0.0", false, &n);
	assert_non_null(e);
	assert_string_equal(e->hash, "h1:wsbGoBXfRfpkxc/9sKUeGOEcT89bavXih8MjBvzooRk=");
	assert_int_equal(e->line, 5);
	assert_true(bg_gosum_has(&gs, "example.com/greet", "v1.0.0", true,
				 "h1:qmCUdUgvYzVx/QpXPHPcbrzaJCOfJUUeUlhKWag7bZg="));
	/* duplicates are kept, in file order */
	e = bg_gosum_lookup(&gs, "example.com/dup", "v0.1.0", false, &n);
	assert_int_equal(n, 2);
	assert_string_equal(e[0].hash, "h1:first=");
	assert_string_equal(e[1].hash, "h1:second=");
	assert_true(bg_gosum_has(&gs, "example.com/dup", "v0.1.0", false, "h1:second="));
	assert_false(bg_gosum_has(&gs, "example.com/dup", "v0.1.0", false, "h1:third="));
	/* absent: other version, other path, prefix of a path, go.mod flag */
	assert_null(bg_gosum_lookup(&gs, "example.com/Upper", "v1.2.4", false, &n));
	assert_int_equal(n, 0);
	assert_null(bg_gosum_lookup(&gs, "example.com/Uppe", "v1.2.3", false, &n));
	assert_null(bg_gosum_lookup(&gs, "example.com/dup", "v0.1.0", true, &n));
	assert_null(bg_gosum_lookup(&gs, "example.com/old", "v1.0.0", true, &n));
	assert_non_null(bg_gosum_lookup(&gs, "a", "v1", false, &n));
	assert_null(bg_gosum_lookup(&gs, "zzz", "v1", false, &n));
	bg_gosum_free(&gs);

	/* empty file and only blank lines */
	assert_int_equal(bg_gosum_parse("", 0, "go.sum", &gs, &dg), 0);
	assert_int_equal(gs.n, 0);
	assert_null(bg_gosum_lookup(&gs, "a", "v1", false, &n));
	bg_gosum_free(&gs);
	assert_int_equal(bg_gosum_parse("\n\n \n", 4, "go.sum", &gs, &dg), 0);
	bg_gosum_free(&gs);
}

static void test_errors(void **state)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
		{ "a v1\n", "x/go.sum:1: wrong number of fields (2)" },
		{ "a v1 h1:x=\nb v2 h1:y= extra\n", "x/go.sum:2: wrong number of fields (4)" },
		{ "\n\njustone", "x/go.sum:3: wrong number of fields (1)" },
		{ "a v1 h1:x=\na v1 h1:x= b v2 h1:y=\n", "x/go.sum:2: wrong number of fields (6)" },
	};
	struct bg_gosum gs;
	struct bg_diag dg = {};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = bg_gosum_parse(cases[i].text, strlen(cases[i].text), "x/go.sum", &gs, &dg);

		if (r != -EINVAL || !strstr(dg.msg, cases[i].err))
			fail_msg("case %zu: %d '%s', wanted '%s'", i, r, dg.msg, cases[i].err);
		assert_null(gs.e);
		assert_null(gs.buf);
	}
	/* a NUL byte */
	assert_int_equal(bg_gosum_parse("a v1 h1:x=\nb\0 v1 h1:y=\n", 23, "g", &gs, &dg), -EINVAL);
	assert_non_null(strstr(dg.msg, "g:2: NUL byte"));
	/* too large: refused before anything is read */
	assert_int_equal(bg_gosum_parse("", (size_t)BG_GOSUM_MAX_BYTES + 1, "big", &gs, &dg),
			 -EFBIG);
}

static void test_line_limit(void **state)
{
	size_t n = (size_t)BG_GOSUM_MAX_LINES + 1;
	char *text = malloc(n);
	struct bg_diag dg = {};
	struct bg_gosum gs;

	(void)state;
	assert_non_null(text);
	memset(text, '\n', n);
	assert_int_equal(bg_gosum_parse(text, n, "many", &gs, &dg), -EINVAL);
	assert_non_null(strstr(dg.msg, "many:1000001: more than"));
	assert_int_equal(bg_gosum_parse(text, n - 1, "many", &gs, &dg), 0);
	bg_gosum_free(&gs);
	free(text);
}

static void test_load(void **state)
{
	char path[] = "/tmp/bg-test-gosum.XXXXXX";
	struct bg_diag dg = {};
	struct bg_gosum gs;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, good, strlen(good)), (ssize_t)strlen(good));
	close(fd);
	assert_int_equal(bg_gosum_load(path, &gs, &dg), 0);
	assert_int_equal(gs.n, 7);
	bg_gosum_free(&gs);
	unlink(path);
	assert_int_equal(bg_gosum_load(path, &gs, &dg), -ENOENT);
	assert_non_null(strstr(dg.msg, path));
	assert_int_equal(bg_gosum_load("/", &gs, &dg), -EISDIR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_lookup),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_line_limit),
		cmocka_unit_test(test_load),
	};
	return cmocka_run_group_tests_name("gosum", tests, NULL, NULL);
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The module proxy's pure parts: GOPROXY paths (case encoding, percent
 * escapes, the module-path rules, canonical spelling), Go's semver order
 * and pseudo-versions (golang.org/x/mod/semver's documented examples), the
 * HTTP head parsers, and strict base64.  The server and client run against
 * the go command in tests/integration/test_go_proxy.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sig.h"

#include "http.h"
#include "proxy.h"

/* a string literal and its length */
#define S(x) x, sizeof(x) - 1

static void test_paths(void **state)
{
	struct bg_gp_path p;
	char why[256], c[512];

	(void)state;
	assert_int_equal(bg_gp_parse_path("/example.com/!upper/@v/v1.2.3.zip", &p, why, sizeof(why)), 0);
	assert_int_equal(p.kind, BG_GP_ZIP);
	assert_string_equal(p.module, "example.com/Upper");
	assert_string_equal(p.version, "v1.2.3");
	/* the go command writes '!' as %21; the canonical spelling does not */
	assert_int_equal(bg_gp_parse_path("/example.com/%21upper/@v/v1.2.3-!r!c.1.info?x=1", &p, why, sizeof(why)), 0);
	assert_int_equal(p.kind, BG_GP_INFO);
	assert_string_equal(p.version, "v1.2.3-RC.1");
	assert_true(bg_gp_canonical(&p, c, sizeof(c)) > 0);
	assert_string_equal(c, "/example.com/!upper/@v/v1.2.3-!r!c.1.info");
	assert_int_equal(bg_gp_parse_path("/golang.org/x/mod/@v/list", &p, why, sizeof(why)), 0);
	assert_int_equal(p.kind, BG_GP_LIST);
	assert_int_equal(bg_gp_parse_path("/golang.org/x/mod/@latest", &p, why, sizeof(why)), 0);
	assert_int_equal(p.kind, BG_GP_LATEST);

	static const char *const bad[] = {
		"/example.com/Upper/@v/list",          /* raw uppercase */
		"/example.com/!1/@v/list",             /* '!' not before a lowercase letter */
		"/example.com/x!/@v/list",             /* '!' at the end */
		"/example.com/../x/@v/v1.0.0.zip",     /* traversal */
		"/example.com/%2e%2e/x/@v/v1.0.0.zip", /* the same, escaped */
		"/example.com%2fx/@v/list",            /* an escaped separator */
		"/example.com/x%00/@v/list",           /* NUL */
		"/example.com/x%zz/@v/list",           /* a bad escape */
		"/example.com/x%4",                    /* a cut escape */
		"/example.com//x/@v/list",             /* an empty element */
		"/.example.com/@v/list",               /* a leading dot */
		"/example.com/x./@v/list",             /* a trailing dot */
		"/example.com/x y/@v/list",            /* a byte paths may not hold */
		"/example.com/x/@v/1.0.0.zip",         /* no 'v' */
		"/example.com/x/@v/v1.0.0/x.zip",      /* a slash in the version */
		"/example.com/x/@v/v1.0.0.tgz",        /* another kind of file */
		"/example.com/x/@v/",                  /* nothing */
		"/example.com/x",                      /* no @ */
		"/@v/list",                            /* no module */
		"example.com/x/@v/list",               /* not absolute */
		"/-x.com/@v/list",                     /* first element begins with '-' */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		if (bg_gp_parse_path(bad[i], &p, why, sizeof(why)) == 0)
			fail_msg("accepted %s", bad[i]);
		assert_true(why[0] != '\0');
	}
	assert_int_equal(bg_gp_escape("github.com/BurntSushi/toml", c, sizeof(c)), 28);
	assert_string_equal(c, "github.com/!burnt!sushi/toml");
	assert_int_equal(bg_gp_escape("ABC", c, 6), -1);
}

static void test_semver(void **state)
{
	/* ascending, from semver.org's precedence example and Go's rules */
	static const char *const order[] = {
		"v0.0.0-20200101000000-abcdefabcdef", "v0.1.0", "v1.0.0-alpha", "v1.0.0-alpha.1",
		"v1.0.0-alpha.beta", "v1.0.0-beta", "v1.0.0-beta.2", "v1.0.0-beta.11", "v1.0.0-rc.1",
		"v1.0.1", "v1.2.3", "v1.10.0", "v2.0.0+incompatible", "v10.0.0",
	};
	size_t n = sizeof(order) / sizeof(order[0]);

	(void)state;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			int c = bg_gp_semver_cmp(order[i], order[j]);

			if ((i < j && c >= 0) || (i == j && c) || (i > j && c <= 0))
				fail_msg("cmp(%s, %s) = %d", order[i], order[j], c);
		}
	assert_int_equal(bg_gp_semver_cmp("v1.2.3+meta", "v1.2.3"), 0); /* build metadata ignored */
	assert_int_equal(bg_gp_semver_cmp("v1", "v1.0.0"), 0);          /* shorthands */
	assert_int_equal(bg_gp_semver_cmp("v1.2", "v1.2.0"), 0);
	assert_true(bg_gp_semver_cmp("bad", "v0.0.0") < 0);             /* invalid sorts first */
	assert_false(bg_gp_semver_valid("v1.02.3"));
	assert_false(bg_gp_semver_valid("v1.2.3-01"));
	assert_false(bg_gp_semver_valid("v1.2.3-"));
	assert_false(bg_gp_semver_valid("1.2.3"));
	assert_true(bg_gp_semver_valid("v1.2.3-0a.b-c+x.y"));
	assert_true(bg_gp_is_pseudo("v0.0.0-20200101000000-abcdefabcdef"));
	assert_true(bg_gp_is_pseudo("v1.2.4-0.20200101000000-abcdefabcdef"));
	assert_true(bg_gp_is_pseudo("v1.2.3-pre.0.20200101000000-abcdefabcdef+incompatible"));
	assert_false(bg_gp_is_pseudo("v1.2.3"));
	assert_false(bg_gp_is_pseudo("v1.2.3-rc.1"));
	assert_false(bg_gp_is_pseudo("v1.2.3-2020010100000-abcdefabcdef")); /* 13 digits */
}

static void test_heads(void **state)
{
	static const char req[] = "GET /x.com/@v/list HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET";
	struct bg_http_req r;
	struct bg_http_resp s;
	char why[256];

	(void)state;
	assert_int_equal(bg_http_parse_request(req, sizeof(req) - 1, &r, why, sizeof(why)), (int)sizeof(req) - 4);
	assert_string_equal(r.target, "/x.com/@v/list");
	assert_false(r.keep_alive);
	assert_int_equal(bg_http_parse_request(req, 20, &r, why, sizeof(why)), 0); /* more, please */
	assert_int_equal(bg_http_parse_request(S("POST / HTTP/1.1\r\n\r\n"), &r, why, sizeof(why)), -405);
	assert_int_equal(bg_http_parse_request(S("GET / HTTP/2.0\r\n\r\n"), &r, why, sizeof(why)), -505);
	assert_int_equal(bg_http_parse_request(S("GET / HTTP/1.1\nHost: a\n\n"), &r, why, sizeof(why)), -400);
	assert_int_equal(bg_http_parse_request(S("GET / HTTP/1.1\r\n folded\r\n\r\n"), &r, why, sizeof(why)), -400);
	assert_int_equal(bg_http_parse_request(S("GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\n"), &r, why, sizeof(why)), -400);
	assert_int_equal(bg_http_parse_request(S("GET / HTTP/1.0\r\n\r\n"), &r, why, sizeof(why)), 18);
	assert_false(r.keep_alive);

	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nX-Bpfguard-Key-Id: sha256:ab\r\n"
				 "X-Bpfguard-Content-Sha256: 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\r\n\r\n";
	assert_int_equal(bg_http_parse_response(ok, sizeof(ok) - 1, &s, why, sizeof(why)), (int)sizeof(ok) - 1);
	assert_int_equal(s.status, 200);
	assert_int_equal(s.content_length, 7);
	assert_true(s.have_sha256);
	assert_int_equal(s.sha256[31], 0xff);
	assert_string_equal(s.key_id, "sha256:ab");
	/* both lengths: how responses are smuggled */
	assert_int_equal(bg_http_parse_response(S("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"),
						&s, why, sizeof(why)), -1);
	assert_int_equal(bg_http_parse_response(S("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
						&s, why, sizeof(why)), -1);
	assert_int_equal(bg_http_parse_response(S("HTTP/1.1 200 OK\r\nX-Bpfguard-Content-Sha256: 12\r\n\r\n"), &s,
						why, sizeof(why)), -1);
}

/* The proxy's signature header is read by user/sig's one strict base64
 * reader; the forms an answer must not get through with. */
static long b64(const char *s, size_t n, uint8_t *out, size_t outlen)
{
	uint8_t *o;
	size_t len;

	if (bg_sig_b64_decode(s, n, &o, &len))
		return -1;
	if (len > outlen) {
		free(o);
		return -1;
	}
	memcpy(out, o, len);
	free(o);
	return (long)len;
}

static void test_b64(void **state)
{
	uint8_t out[8];

	(void)state;
	assert_int_equal(b64(S("aGk="), out, sizeof(out)), 2);
	assert_memory_equal(out, "hi", 2);
	assert_int_equal(b64(S("aGk"), out, sizeof(out)), -1);  /* no padding */
	assert_int_equal(b64(S("aGl="), out, sizeof(out)), -1); /* bits after the end */
	assert_int_equal(b64(S("a=k="), out, sizeof(out)), -1);
	assert_int_equal(b64(S("aGk=aGk="), out, sizeof(out)), -1); /* padding inside */
	assert_int_equal(b64(S("aGVsbG8gd29ybGQ="), out, 4), -1); /* does not fit */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_semver),
		cmocka_unit_test(test_heads),
		cmocka_unit_test(test_b64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

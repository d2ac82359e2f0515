// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_textsafe.c - the shared UTF-8 codec and the output escapers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "events.h"
#include "textsafe.h"

/* decode(s) == (len, cp), or 0 (ill-formed) */
static void dec(const char *s, size_t n, size_t want_len, uint32_t want_cp)
{
	uint32_t cp = 0xdeadbeef;
	size_t w = bg_utf8_decode(s, n, &cp);

	if (w != want_len)
		fail_msg("decode of %zu bytes (first %02x): length %zu, want %zu", n, (unsigned char)s[0], w, want_len);
	if (want_len)
		assert_int_equal(cp, want_cp);
}

static void test_decode_strict(void **state)
{
	(void)state;
	dec("A", 1, 1, 'A');
	dec("\x00", 1, 1, 0);
	dec("\xc2\x80", 2, 2, 0x80);
	dec("\xdf\xbf", 2, 2, 0x7ff);
	dec("\xe0\xa0\x80", 3, 3, 0x800);
	dec("\xed\x9f\xbf", 3, 3, 0xd7ff);
	dec("\xee\x80\x80", 3, 3, 0xe000);
	dec("\xef\xbf\xbd", 3, 3, 0xfffd);
	dec("\xf0\x90\x80\x80", 4, 4, 0x10000);
	dec("\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff);
	/* overlong forms */
	dec("\xc0\x80", 2, 0, 0);
	dec("\xc1\xbf", 2, 0, 0);
	dec("\xe0\x80\x80", 3, 0, 0);
	dec("\xe0\x9f\xbf", 3, 0, 0);
	dec("\xf0\x80\x80\x80", 4, 0, 0);
	dec("\xf0\x8f\xbf\xbf", 4, 0, 0);
	/* surrogates */
	dec("\xed\xa0\x80", 3, 0, 0);
	dec("\xed\xbf\xbf", 3, 0, 0);
	/* past U+10FFFF */
	dec("\xf4\x90\x80\x80", 4, 0, 0);
	dec("\xf5\x80\x80\x80", 4, 0, 0);
	dec("\xff", 1, 0, 0);
	/* stray continuation, truncated, bad continuation */
	dec("\x80", 1, 0, 0);
	dec("\xbf", 1, 0, 0);
	dec("\xc2", 1, 0, 0);
	dec("\xe0\xa0", 2, 0, 0);
	dec("\xf0\x90\x80", 3, 0, 0);
	dec("\xc2\x41", 2, 0, 0);
	dec("\xe1\x80\xc0", 3, 0, 0);
	dec("", 0, 0, 0);
	assert_true(bg_utf8_valid("h\xc3\xa9llo \xe2\x82\xac", 10));
	assert_false(bg_utf8_valid("abc\xff", 4));
	assert_false(bg_utf8_valid("abc\xe2\x82", 5));
}

static void test_encode(void **state)
{
	char out[4];
	uint32_t cp;

	(void)state;
	/* every scalar value round-trips; surrogates and > U+10FFFF give U+FFFD */
	for (uint32_t c = 0; c <= 0x10ffff; c++) {
		size_t k = bg_utf8_encode(c, out);

		if (c >= 0xd800 && c <= 0xdfff) {
			assert_int_equal(k, 3);
			assert_memory_equal(out, "\xef\xbf\xbd", 3);
			continue;
		}
		if (bg_utf8_decode(out, k, &cp) != k || cp != c)
			fail_msg("U+%04X does not round-trip", c);
	}
	assert_int_equal(bg_utf8_encode(0x110000, out), 3);
	assert_memory_equal(out, "\xef\xbf\xbd", 3);
}

static void esc(const char *in, size_t n, unsigned flags, const char *want)
{
	char out[256], back[256];
	ssize_t b;
	size_t need = bg_text_escape(in, n, out, sizeof(out), flags);

	assert_string_equal(out, want);
	assert_int_equal(need, strlen(want));
	b = bg_text_unescape(out, strlen(out), back, sizeof(back));
	assert_int_equal(b, (ssize_t)n);
	assert_memory_equal(back, in, n);
}

static void test_text_escape(void **state)
{
	char small[8];

	(void)state;
	esc("plain/name.scope", 16, 0, "plain/name.scope");
	esc("a b", 3, 0, "a b");
	esc("a b", 3, BG_ESC_SPACE, "a\\x20b");
	esc("x\ny", 3, 0, "x\\ny");
	esc("\x1b[31mred", 8, 0, "\\x1b[31mred");
	esc("tab\there\r", 9, 0, "tab\\there\\r");
	esc("back\\slash", 10, 0, "back\\\\slash");
	esc("del\x7f", 4, 0, "del\\x7f");
	esc("caf\xc3\xa9", 5, 0, "caf\xc3\xa9");                  /* valid UTF-8 stays */
	esc("bad\xff\xfe", 5, 0, "bad\\xff\\xfe");               /* ill-formed: bytes */
	esc("\xc0\x80", 2, 0, "\\xc0\\x80");                     /* overlong NUL */
	esc("\xed\xa0\x80", 3, 0, "\\xed\\xa0\\x80");            /* surrogate */
	esc("\xc2\x9b" "2J", 4, 0, "\\u009b2J");                 /* C1 CSI */
	esc("a\xe2\x80\xae" "b", 5, 0, "a\\u202eb");                /* bidi override */
	esc("l\xe2\x80\xa8l", 5, 0, "l\\u2028l");                /* line separator */
	esc("\\x41", 4, 0, "\\\\x41");                           /* a literal escape stays literal */
	/* truncation keeps whole escapes and reports the full length */
	assert_int_equal(bg_text_escape("ab\x1b\x1b", 4, small, sizeof(small), 0), 10);
	assert_string_equal(small, "ab\\x1b");
	/* malformed escapes are refused */
	assert_int_equal(bg_text_unescape("\\", 1, small, sizeof(small)), -1);
	assert_int_equal(bg_text_unescape("\\x4", 3, small, sizeof(small)), -1);
	assert_int_equal(bg_text_unescape("\\q", 2, small, sizeof(small)), -1);
	assert_int_equal(bg_text_unescape("\\ud800", 6, small, sizeof(small)), -1);
}

static void test_json_bytes(void **state)
{
	struct json_object *o = json_object_new_object(), *v;
	const char *text;

	(void)state;
	bg_json_add_str(o, "plain", "caf\xc3\xa9");
	bg_json_add_bytes(o, "bad", "a\xff\n\x1b" "b", 5);
	bg_json_add_bytes(o, "c1", "\xc2\x9b", 2);
	assert_true(json_object_object_get_ex(o, "plain", &v));
	assert_string_equal(json_object_get_string(v), "caf\xc3\xa9");
	assert_false(json_object_object_get_ex(o, "plain_hex", &v)); /* unchanged when clean */
	assert_true(json_object_object_get_ex(o, "bad", &v));
	assert_string_equal(json_object_get_string(v), "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "b");
	assert_true(json_object_object_get_ex(o, "bad_hex", &v));
	assert_string_equal(json_object_get_string(v), "61ff0a1b62");
	assert_true(json_object_object_get_ex(o, "c1_hex", &v));
	assert_string_equal(json_object_get_string(v), "c29b");
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	assert_true(bg_utf8_valid(text, strlen(text)));
	assert_null(strchr(text, '\n'));
	assert_null(strchr(text, '\x1b'));
	json_object_put(o);
}

static void test_prom(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(bg_prom_escape("a\"b\\c\nd", out, sizeof(out)), 10);
	assert_string_equal(out, "a\\\"b\\\\c\\nd");
	bg_prom_escape("x\xff\x1by", out, sizeof(out));
	assert_string_equal(out, "x\xef\xbf\xbd\xef\xbf\xbdy");
}

/* An event whose comm is hostile: JSON parses, comm_hex gives the bytes
 * back; the text line is one line with no control byte. */
static void test_event_hostile_comm(void **state)
{
	static const char comm[BG_COMM_LEN] = "x\xff\n\x1b[2J\xc0\x80 y";
	struct bg_event_names names = { .policy = "p\nq", .cgroup = "/a\x1b]0;t\x07/b c", .mode = "audit" };
	struct bg_event e = { .type = BG_EVENT_SYSCALL, .abi = 0, .nr = 83, .pid = 1 };
	char line[BG_EVENT_LINE_MAX], hex[2 * BG_COMM_LEN + 1];
	struct json_object *o, *v;
	int n;

	(void)state;
	memcpy(e.comm, comm, sizeof(comm));
	bg_event_format_json(&e, 0, &names, line, sizeof(line));
	assert_true(bg_utf8_valid(line, strlen(line)));
	o = json_tokener_parse(line);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "comm_hex", &v));
	bg_hex(comm, strlen(comm), hex);
	assert_string_equal(json_object_get_string(v), hex);
	assert_true(json_object_object_get_ex(o, "cgroup_hex", &v));
	assert_true(json_object_object_get_ex(o, "policy_hex", &v));
	json_object_put(o);
	n = bg_event_format_text(&e, 0, &names, line, sizeof(line));
	assert_true(n > 0 && (size_t)n < sizeof(line));
	for (const char *p = line; *p; p++)
		assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
	assert_non_null(strstr(line, "comm=x\\xff\\n\\x1b[2J\\xc0\\x80\\x20y "));
	assert_non_null(strstr(line, "cgroup=/a\\x1b]0;t\\x07/b\\x20c policy=p\\nq "));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_strict),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_text_escape),
		cmocka_unit_test(test_json_bytes),
		cmocka_unit_test(test_prom),
		cmocka_unit_test(test_event_hostile_comm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

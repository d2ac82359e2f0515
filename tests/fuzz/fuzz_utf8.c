// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_utf8.c - libFuzzer target for the shared UTF-8 codec and the
 * output escapers (textsafe.c): they read bytes hostile processes chose.
 *
 * Invariants checked, not only "does not crash":
 *   - every sequence the decoder accepts re-encodes to the same bytes (so
 *     no overlong form), is a scalar value (no surrogate, <= U+10FFFF);
 *     bg_utf8_valid agrees with decoding step by step
 *   - text escape: printable valid UTF-8 without any control character,
 *     unescapes to exactly the input; a truncated escape is a prefix of
 *     the whole one; the reported length is the whole one's
 *   - JSON replacement: valid UTF-8 without control characters; lossless
 *     (output == input) exactly when nothing was reported replaced
 *   - Prometheus label: valid UTF-8, no newline, every '"' escaped
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "textsafe.h"


/* valid UTF-8 and no control code point (C0, DEL, C1) */
static void check_clean(const char *s, size_t n)
{
	CHECK(bg_utf8_valid(s, n));
	for (size_t i = 0, w; i < n; i += w) {
		uint32_t cp;

		w = bg_utf8_decode(s + i, n - i, &cp);
		CHECK(w > 0 && !bg_cp_is_control(cp));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap = 6 * size + 1, need, k;
	char *out = malloc(cap), *back = malloc(size + 1), *part = malloc(cap);
	bool all_valid = true, lossy;
	ssize_t b;

	if (!out || !back || !part)
		goto done;

	/* the codec */
	for (size_t i = 0, w; i < size; i += w) {
		uint32_t cp;
		char enc[4];

		w = bg_utf8_decode(data + i, size - i, &cp);
		if (!w) {
			all_valid = false;
			w = 1;
			continue;
		}
		CHECK(cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff));
		CHECK(bg_utf8_encode(cp, enc) == w && !memcmp(enc, data + i, w));
	}
	CHECK(bg_utf8_valid(data, size) == all_valid);

	/* text escape and its inverse */
	need = bg_text_escape(data, size, out, cap, 0);
	CHECK(need == strlen(out) && need < cap);
	for (size_t i = 0; i < need; i++)
		CHECK((unsigned char)out[i] >= 0x20 && out[i] != 0x7f);
	check_clean(out, need);
	b = bg_text_unescape(out, need, back, size + 1);
	CHECK(b == (ssize_t)size && !memcmp(back, data, size));
	/* with BG_ESC_SPACE there is no space either, and it inverts too */
	need = bg_text_escape(data, size, out, cap, BG_ESC_SPACE);
	CHECK(!memchr(out, ' ', need));
	b = bg_text_unescape(out, need, back, size + 1);
	CHECK(b == (ssize_t)size && !memcmp(back, data, size));
	/* truncated: a prefix made of whole units, same reported length */
	if (size) {
		size_t small = data[0] % (need + 1) + 1;

		CHECK(bg_text_escape(data, size, part, small, BG_ESC_SPACE) == need);
		k = strlen(part);
		CHECK(k < small && !memcmp(part, out, k));
		CHECK(bg_text_unescape(part, k, back, size + 1) >= 0);
	}

	/* JSON-safe replacement */
	need = bg_utf8_replace(data, size, out, cap, true, &lossy);
	CHECK(need == strlen(out)); /* NUL is a control: replaced too */
	check_clean(out, need);
	CHECK(lossy == !(need == size && !memcmp(out, data, size)));
	need = bg_utf8_replace(data, size, out, cap, false, &lossy);
	CHECK(bg_utf8_valid(out, need));
	CHECK(lossy == !all_valid);

	/* Prometheus label value (a C string: up to the first NUL) */
	memcpy(back, data, size);
	back[size] = '\0';
	need = bg_prom_escape(back, out, cap);
	CHECK(need == strlen(out));
	check_clean(out, need);
	for (size_t i = 0; i < need; i++) {
		if (out[i] == '\\') {
			CHECK(i + 1 < need && (out[i + 1] == '\\' || out[i + 1] == '"' || out[i + 1] == 'n'));
			i++;
		} else {
			CHECK(out[i] != '"');
		}
	}
done:
	free(out);
	free(back);
	free(part);
	return 0;
}

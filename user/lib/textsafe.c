// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * textsafe.c - UTF-8 codec and output escapers (textsafe.h).
 *
 * Every escaper writes whole units (one escape, one character) or
 * nothing, so a truncated result is still well-formed, and reports the
 * length the whole result needs so callers can tell truncation.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textsafe.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

size_t bg_utf8_decode(const void *p, size_t n, uint32_t *cp)
{
	const uint8_t *s = p;
	uint8_t lo = 0x80, hi = 0xbf;
	uint32_t c;
	size_t need;

	if (!n)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	/* The second byte's accepted range rules out overlong forms (e0, f0),
	 * surrogates (ed) and values past U+10FFFF (f4); c0, c1 and f5..ff
	 * never start a well-formed sequence (Unicode 15, table 3-7). */
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		c = s[0] & 0x0f;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		c = s[0] & 0x07;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (n < need || s[1] < lo || s[1] > hi)
		return 0;
	c = c << 6 | (s[1] & 0x3f);
	for (size_t i = 2; i < need; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	*cp = c;
	return need;
}

size_t bg_utf8_encode(uint32_t c, char out[4])
{
	if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		c = 0xfffd;
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | c >> 12);
		out[1] = (char)(0x80 | (c >> 6 & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | c >> 18);
	out[1] = (char)(0x80 | (c >> 12 & 0x3f));
	out[2] = (char)(0x80 | (c >> 6 & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

bool bg_utf8_valid(const void *p, size_t n)
{
	const uint8_t *s = p;
	uint32_t cp;

	for (size_t i = 0, w; i < n; i += w) {
		if (s[i] < 0x80) { /* the common case, without a call */
			w = 1;
			continue;
		}
		w = bg_utf8_decode(s + i, n - i, &cp);
		if (!w)
			return false;
	}
	return true;
}

/* Printable, yet able to reorder or split what a reader sees: bidi
 * controls (Trojan Source) and the Unicode line/paragraph separators. */
static bool cp_is_format_trap(uint32_t cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f || cp == 0x2028 || cp == 0x2029 ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Appends unit (k bytes) if it fits with room for the NUL; counts it in
 * *need either way, and once something did not fit nothing more goes in
 * (so the result is a prefix made of whole units). */
static void put(char *out, size_t len, size_t *o, size_t *need, bool *full, const char *unit, size_t k)
{
	if (!*full && *o + k < len) {
		memcpy(out + *o, unit, k);
		*o += k;
	} else {
		*full = true;
	}
	*need += k;
}

static const char hexd[] = "0123456789abcdef";

size_t bg_text_escape(const void *p, size_t n, char *out, size_t len, unsigned flags)
{
	const uint8_t *s = p;
	size_t o = 0, need = 0, w;
	bool full = len == 0;
	char u[8];

	for (size_t i = 0; i < n; i += w) {
		uint32_t cp;

		/* plain printable ASCII, by far the common case: no decoding */
		if (s[i] > 0x20 && s[i] < 0x7f && s[i] != '\\') {
			w = 1;
			if (!full && o + 1 < len)
				out[o++] = (char)s[i];
			else
				full = true;
			need++;
			continue;
		}
		w = bg_utf8_decode(s + i, n - i, &cp);
		if (!w) { /* ill-formed: the byte itself, lossless */
			w = 1;
			u[0] = '\\', u[1] = 'x', u[2] = hexd[s[i] >> 4], u[3] = hexd[s[i] & 15];
			put(out, len, &o, &need, &full, u, 4);
		} else if (cp == '\\') {
			put(out, len, &o, &need, &full, "\\\\", 2);
		} else if (cp == '\n') {
			put(out, len, &o, &need, &full, "\\n", 2);
		} else if (cp == '\t') {
			put(out, len, &o, &need, &full, "\\t", 2);
		} else if (cp == '\r') {
			put(out, len, &o, &need, &full, "\\r", 2);
		} else if (cp < 0x20 || cp == 0x7f || (cp == ' ' && (flags & BG_ESC_SPACE))) {
			u[0] = '\\', u[1] = 'x', u[2] = hexd[cp >> 4], u[3] = hexd[cp & 15];
			put(out, len, &o, &need, &full, u, 4);
		} else if (bg_cp_is_control(cp) || cp_is_format_trap(cp)) {
			/* all of them are below U+10000: four digits */
			u[0] = '\\', u[1] = 'u', u[2] = hexd[cp >> 12 & 15], u[3] = hexd[cp >> 8 & 15];
			u[4] = hexd[cp >> 4 & 15], u[5] = hexd[cp & 15];
			put(out, len, &o, &need, &full, u, 6);
		} else {
			put(out, len, &o, &need, &full, (const char *)s + i, w);
		}
	}
	if (len)
		out[o] = '\0';
	return need;
}

int bg_unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

ssize_t bg_text_unescape(const char *s, size_t n, char *out, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		char unit[4];
		size_t k = 1;

		if (s[i] != '\\') {
			unit[0] = s[i++];
		} else if (i + 1 >= n) {
			return -1;
		} else {
			char c = s[i + 1];
			uint32_t v = 0;
			size_t digits = c == 'x' ? 2 : c == 'u' ? 4 : 0;

			i += 2;
			if (c == '\\' || c == 'n' || c == 't' || c == 'r') {
				unit[0] = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : '\\';
			} else if (digits) {
				if (n - i < digits)
					return -1;
				for (size_t d = 0; d < digits; d++) {
					int h = bg_unhex(s[i + d]);

					if (h < 0)
						return -1;
					v = v << 4 | (uint32_t)h;
				}
				i += digits;
				if (c == 'x') {
					unit[0] = (char)v;
				} else {
					if (v >= 0xd800 && v <= 0xdfff)
						return -1;
					k = bg_utf8_encode(v, unit);
				}
			} else {
				return -1;
			}
		}
		if (o + k > len)
			return -1;
		memcpy(out + o, unit, k);
		o += k;
	}
	return (ssize_t)o;
}

const char *bg_esc(const char *s, char out[BG_ESC_MAX])
{
	bg_text_escape(s, strlen(s), out, BG_ESC_MAX, 0);
	return out;
}

void bg_hex(const void *p, size_t n, char *out)
{
	const uint8_t *s = p;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hexd[s[i] >> 4];
		out[2 * i + 1] = hexd[s[i] & 15];
	}
	out[2 * n] = '\0';
}

size_t bg_utf8_replace(const void *p, size_t n, char *out, size_t len, bool controls, bool *lossy)
{
	const uint8_t *s = p;
	size_t o = 0, need = 0, w;
	bool full = len == 0, bad = false;

	for (size_t i = 0; i < n; i += w) {
		uint32_t cp;

		w = bg_utf8_decode(s + i, n - i, &cp);
		if (!w || (controls && bg_cp_is_control(cp))) {
			w = w ? w : 1;
			bad = true;
			put(out, len, &o, &need, &full, REPLACEMENT, 3);
		} else {
			put(out, len, &o, &need, &full, (const char *)s + i, w);
		}
	}
	if (len)
		out[o] = '\0';
	if (lossy)
		*lossy = bad;
	return need;
}

void bg_json_add_bytes(struct json_object *o, const char *key, const char *s, size_t n)
{
	size_t cap = 3 * n + 1; /* one replacement (3 bytes) per byte at most */
	char stackbuf[512], *buf = cap <= sizeof(stackbuf) ? stackbuf : malloc(cap);
	char hkey[64];
	bool lossy;
	size_t k;

	if (!buf) { /* out of memory: still nothing unsafe, just less */
		json_object_object_add(o, key, json_object_new_string(REPLACEMENT));
		return;
	}
	k = bg_utf8_replace(s, n, buf, cap, true, &lossy);
	json_object_object_add(o, key, json_object_new_string_len(buf, (int)k));
	if (lossy && (size_t)snprintf(hkey, sizeof(hkey), "%s_hex", key) < sizeof(hkey)) {
		bg_hex(s, n, buf); /* 2n + 1 <= cap; json-c copied the string */
		json_object_object_add(o, hkey, json_object_new_string(buf));
	}
	if (buf != stackbuf)
		free(buf);
}

size_t bg_prom_escape(const char *p, char *out, size_t len)
{
	const uint8_t *s = (const uint8_t *)p;
	size_t n = strlen(p), o = 0, need = 0, w;
	bool full = len == 0;

	for (size_t i = 0; i < n; i += w) {
		uint32_t cp;

		w = bg_utf8_decode(s + i, n - i, &cp);
		if (w && cp == '\\')
			put(out, len, &o, &need, &full, "\\\\", 2);
		else if (w && cp == '"')
			put(out, len, &o, &need, &full, "\\\"", 2);
		else if (w && cp == '\n')
			put(out, len, &o, &need, &full, "\\n", 2);
		else if (!w || bg_cp_is_control(cp))
			put(out, len, &o, &need, &full, REPLACEMENT, 3);
		else
			put(out, len, &o, &need, &full, (const char *)s + i, w);
		if (!w)
			w = 1;
	}
	if (len)
		out[o] = '\0';
	return need;
}

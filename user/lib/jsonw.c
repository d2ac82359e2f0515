// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* jsonw.c - the streaming JSON writer (jsonw.h). */
#include <stdio.h>
#include <string.h>

#include "jsonw.h"
#include "textsafe.h"

static void raw(struct jw *w, const char *s, size_t n)
{
	if (w->full || n >= w->len - w->off) {
		w->full = true;
		return;
	}
	memcpy(w->buf + w->off, s, n);
	w->off += n;
}

/* A JSON string body: '"' and '\\' escaped, every other control byte as
 * \u00XX (none reach here from jw_text; jw_str's callers may pass any). */
static void esc(struct jw *w, const char *s, size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char u[8];

		if (c != '"' && c != '\\' && c >= 0x20)
			continue;
		raw(w, s + run, i - run);
		if (c == '"' || c == '\\') {
			u[0] = '\\';
			u[1] = (char)c;
			raw(w, u, 2);
		} else {
			static const char hx[] = "0123456789abcdef";

			memcpy(u, "\\u00", 4);
			u[4] = hx[c >> 4];
			u[5] = hx[c & 15];
			raw(w, u, 6);
		}
		run = i + 1;
	}
	raw(w, s + run, n - run);
}

static void key(struct jw *w, const char *k)
{
	raw(w, w->first ? "\"" : ",\"", w->first ? 1 : 2);
	w->first = false;
	esc(w, k, strlen(k));
	raw(w, "\":", 2);
}

void jw_begin(struct jw *w, char *buf, size_t len)
{
	w->buf = buf;
	w->len = len;
	w->off = 0;
	w->full = len < 2;
	w->first = true;
	raw(w, "{", 1);
}

void jw_str(struct jw *w, const char *k, const char *s)
{
	key(w, k);
	raw(w, "\"", 1);
	esc(w, s, strlen(s));
	raw(w, "\"", 1);
}

void jw_text(struct jw *w, const char *k, const char *s, size_t n)
{
	char safe[3 * 512 + 1], hk[64];
	bool lossy;
	size_t m;

	/* our inputs are bounded (BG_PATH_MAX, comm, names); longer would be a
	 * bug: shown cut, never unsafe */
	if (n > 512)
		n = 512;
	m = bg_utf8_replace(s, n, safe, sizeof(safe), true, &lossy);
	if (m >= sizeof(safe))
		m = strlen(safe);
	key(w, k);
	raw(w, "\"", 1);
	esc(w, safe, m);
	raw(w, "\"", 1);
	if (lossy && (size_t)snprintf(hk, sizeof(hk), "%s_hex", k) < sizeof(hk)) {
		char hex[2 * 512 + 1];

		bg_hex(s, n, hex);
		jw_str(w, hk, hex);
	}
}

/* Decimal digits of v at the end of b[24]; returns where they start.
 * (snprintf was the largest single cost of an event line.) */
static char *digits(char b[24], uint64_t v)
{
	char *p = b + 24;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}

static void num(struct jw *w, uint64_t v, bool neg)
{
	char b[24], *p = digits(b, v);

	if (neg)
		*--p = '-';
	raw(w, p, (size_t)(b + 24 - p));
}

void jw_u64(struct jw *w, const char *k, uint64_t v)
{
	key(w, k);
	num(w, v, false);
}

void jw_i64(struct jw *w, const char *k, int64_t v)
{
	key(w, k);
	num(w, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0);
}

void jw_null(struct jw *w, const char *k)
{
	key(w, k);
	raw(w, "null", 4);
}

void jw_u64s(struct jw *w, const char *k, const uint64_t *v, size_t n)
{
	key(w, k);
	raw(w, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			raw(w, ",", 1);
		num(w, v[i], false);
	}
	raw(w, "]", 1);
}

void jw_open(struct jw *w, const char *k)
{
	key(w, k);
	raw(w, "{", 1);
	w->first = true;
}

void jw_close(struct jw *w)
{
	raw(w, "}", 1);
	w->first = false;
}

void jw_strs(struct jw *w, const char *k, const char *const *v, size_t n)
{
	key(w, k);
	raw(w, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			raw(w, ",", 1);
		raw(w, "\"", 1);
		esc(w, v[i], strlen(v[i]));
		raw(w, "\"", 1);
	}
	raw(w, "]", 1);
}

void jw_members(struct jw *w, const char *members, size_t n)
{
	if (!n)
		return;
	if (!w->first)
		raw(w, ",", 1);
	w->first = false;
	raw(w, members, n);
}

int jw_members_of(const char *obj, int objlen, char *out, size_t len)
{
	if (objlen < 2 || (size_t)objlen - 2 >= len)
		return -1;
	memcpy(out, obj + 1, (size_t)objlen - 2);
	out[objlen - 2] = '\0';
	return objlen - 2;
}

int jw_end(struct jw *w)
{
	raw(w, "}", 1);
	if (w->full) {
		if (w->len)
			w->buf[0] = '\0';
		return -1;
	}
	w->buf[w->off] = '\0';
	return (int)w->off;
}

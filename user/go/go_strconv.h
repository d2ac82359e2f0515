/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * go_strconv.h - Go strings and Go's strconv quoting rules (go_strconv.c).
 */
#ifndef BG_GO_STRCONV_H
#define BG_GO_STRCONV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A byte string that may hold NULs (a Go string); s is NUL-terminated too. */
struct bg_go_str {
	char *s;
	size_t len;
};

/* A copy of s[0..len) into out (NUL-terminated); false when out of memory. */
bool bg_go_str_dup(const char *s, size_t len, struct bg_go_str *out);

/* Go's strconv rules, needed to reproduce `go version -m` byte for byte. */
bool bg_go_unquote(const char *s, size_t len, struct bg_go_str *out); /* strconv.Unquote ("..." `...`) */
size_t bg_go_quoted_prefix(const char *s, size_t len); /* strconv.QuotedPrefix; 0 = none */
void bg_go_quote(const char *s, size_t len, FILE *f);   /* strconv.Quote */
bool bg_go_is_print(uint32_t r);                         /* strconv.IsPrint */

#endif

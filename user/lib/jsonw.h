/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * jsonw.h - a streaming writer of one flat JSON object into a caller's
 * buffer: no tree, no allocation, for the event path (a million events a
 * second is the goal; building a json-c tree per event was most of the
 * drain's time).
 *
 * Strings from others (names, paths, comm) go through jw_text, which
 * writes exactly what bg_json_add_bytes puts in a tree: the bytes as valid
 * UTF-8 with every ill-formed byte and control character replaced, and
 * key_hex with the raw bytes when that was lossy (textsafe.h).  After
 * replacement only '"' and '\\' need escaping.  A value that does not fit
 * makes the writer "full": jw_end then returns -1 and the buffer holds no
 * half object.  tests/fuzz/fuzz_event_json.c checks the output against
 * json-c's parser.
 */
#ifndef BG_JSONW_H
#define BG_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jw {
	char *buf;
	size_t len, off;
	bool full, first;
};

void jw_begin(struct jw *w, char *buf, size_t len);
/* A string we chose (names, enums): escaped all the same. */
void jw_str(struct jw *w, const char *key, const char *s);
/* Bytes others chose: made safe, plus key_hex when lossy. */
void jw_text(struct jw *w, const char *key, const char *s, size_t n);
void jw_u64(struct jw *w, const char *key, uint64_t v);
void jw_i64(struct jw *w, const char *key, int64_t v);
void jw_null(struct jw *w, const char *key);
/* An array of unsigned numbers. */
void jw_u64s(struct jw *w, const char *key, const uint64_t *v, size_t n);
/* A nested object "key":{ ... }, closed by jw_close (ECS nests its
 * fields: event.kind is {"event":{"kind":...}}). */
void jw_open(struct jw *w, const char *key);
void jw_close(struct jw *w);
/* An array of strings we chose. */
void jw_strs(struct jw *w, const char *key, const char *const *v, size_t n);
/* Members rendered before by a writer of their own (jw_members_of):
 * fields no event changes are escaped once per process, not per line. */
void jw_members(struct jw *w, const char *members, size_t n);
/* The members an ended writer holds ("{...}" without its braces) as a
 * string of n bytes into out (len bytes); -1 if they do not fit. */
int jw_members_of(const char *obj, int objlen, char *out, size_t len);
/* Closes the object: its length, or -1 if something did not fit (buf
 * then holds "" rather than a truncated object). */
int jw_end(struct jw *w);

#endif

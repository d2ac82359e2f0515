/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * textsafe.h - the one UTF-8 codec of bpfguard, and the escapers every
 * output goes through (docs/events.md, "Untrusted bytes").
 *
 * Process names, exec paths, cgroup names, sysctl names and policy names
 * are bytes chosen by whoever runs or names things on the machine.  An
 * output must stay one valid record per line whatever those bytes are:
 *
 *   text / syslog / stderr   C-style escapes (\\ \n \t \r \xHH \uXXXX):
 *                            lossless, printable, no control character
 *                            reaches a terminal or a log line
 *   JSON                     valid UTF-8 with no control character in the
 *                            string; when that took replacing bytes (by
 *                            U+FFFD), a sibling "<field>_hex" carries the
 *                            raw bytes
 *   Prometheus labels        \\ \" \n escapes, valid UTF-8 (U+FFFD)
 */
#ifndef BG_TEXTSAFE_H
#define BG_TEXTSAFE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

struct json_object;

/* Strict UTF-8 decoder: the length (1..4) of the well-formed sequence at
 * s and its code point in *cp, or 0 when s does not start with one
 * (n == 0, a stray continuation byte, an overlong form, a surrogate,
 * a value past U+10FFFF, a truncated sequence). */
size_t bg_utf8_decode(const void *s, size_t n, uint32_t *cp);
/* Encodes cp into out (1..4 bytes, returned); a surrogate or a value past
 * U+10FFFF is encoded as U+FFFD. */
size_t bg_utf8_encode(uint32_t cp, char out[4]);
bool bg_utf8_valid(const void *s, size_t n);

/* A character no output shows raw: C0 controls, DEL, C1 controls. */
static inline bool bg_cp_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* bg_text_escape flags */
#define BG_ESC_SPACE 1u /* ' ' as \x20 too: a value of a key=value line */

/*
 * C-style escaping of n bytes into out (always NUL-terminated if len > 0;
 * an escape is never cut in half).  Printable ASCII and well-formed
 * printable UTF-8 are kept; '\\' -> \\, newline/tab/CR -> \n \t \r, other
 * controls and every byte of an ill-formed sequence -> \xHH, C1 controls,
 * bidirectional overrides and line/paragraph separators -> \uXXXX.
 * Returns the length the whole escape needs (excluding the NUL), like
 * snprintf.  bg_text_unescape() gives the bytes back exactly.
 */
size_t bg_text_escape(const void *s, size_t n, char *out, size_t len, unsigned flags);
/* The inverse: the decoded length, or -1 for a malformed escape or when
 * it does not fit in len bytes. */
ssize_t bg_text_unescape(const char *s, size_t n, char *out, size_t len);

/* The escape of a NUL-terminated string in a caller's buffer of BG_ESC_MAX
 * bytes: for printf arguments. */
#define BG_ESC_MAX 1024
const char *bg_esc(const char *s, char out[BG_ESC_MAX]);

/* The value of one hex digit (either case), -1 if it is not one. */
int bg_unhex(char c);
/* Lower-case hex of n bytes into out (2n + 1 bytes). */
void bg_hex(const void *s, size_t n, char *out);

/* The bytes as valid UTF-8: every ill-formed byte, and with controls also
 * every control character, becomes U+FFFD (what JSON can carry and a
 * terminal can show).  Returns the length needed; out is NUL-terminated if
 * len > 0 and never ends in a partial character.  *lossy (may be NULL)
 * tells whether anything was replaced. */
size_t bg_utf8_replace(const void *s, size_t n, char *out, size_t len, bool controls, bool *lossy);
/* Adds key: the bytes made safe (above), and, only when that was lossy,
 * key_hex: the raw bytes in hex.  Normal records are unchanged. */
void bg_json_add_bytes(struct json_object *o, const char *key, const char *s, size_t n);
static inline void bg_json_add_str(struct json_object *o, const char *key, const char *s)
{
	bg_json_add_bytes(o, key, s, strlen(s));
}

/* A Prometheus label value (without its quotes): \\ \" \n escaped, other
 * controls and ill-formed bytes as U+FFFD.  Like bg_text_escape. */
size_t bg_prom_escape(const char *s, char *out, size_t len);

#endif

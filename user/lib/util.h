/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* util.h - the small things every command needs. */
#ifndef BG_UTIL_H
#define BG_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* One line on stderr: "bpfguard: <message>". */
void bg_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* At most MAX warnings are printed, the rest counted and the count said at
 * exit (default 50); 0: no cap (the daemon: a long-lived process must not
 * go quiet after its first fifty). */
void bg_warn_cap(unsigned long max);

/* Bounded copy that always terminates; returns false if truncated. */
bool bg_strlcpy(char *dst, const char *src, size_t len);

/* Reads a whole file (at most max bytes) into a malloc'd buffer, NUL
 * appended (not counted in *len).  -errno on failure, -EFBIG if larger. */
int bg_read_file(const char *path, size_t max, char **buf, size_t *len);

/* CLOCK_REALTIME minus CLOCK_BOOTTIME, in ns: add to a BPF boot timestamp. */
int64_t bg_boot_to_realtime_offset(void);
/* RFC 3339 UTC with nanoseconds: 2026-11-28T17:23:34.123456789Z */
void bg_format_rfc3339(uint64_t realtime_ns, char *buf, size_t len);

/* 30s, 500ms, 2m, 1h, or plain seconds (fractions allowed) -> ms; -1 if bad. */
int bg_parse_duration_ms(const char *s, uint64_t *ms);

/* SHA-256 digests as text: 64 lowercase hex digits; parse accepts an
 * optional "sha256:" prefix. */
void bg_sha256_hex(const uint8_t h[32], char out[65]);
bool bg_sha256_parse(const char *s, uint8_t out[32]);

/* This boot's id (/proc/sys/kernel/random/boot_id, 36 characters), read
 * once per process; "" if unreadable. */
const char *bg_boot_id(void);

/* FNV-1a, 64 bits: a file name for a cache entry or a pin, never a check
 * (the caches compare their whole key). */
uint64_t bg_fnv1a64(const void *data, size_t len);

/* Start-up profiling: with BPFGUARD_TIMING set in the environment, one
 * line "bpfguard: timing: WHAT MS" on stderr, MS since the process's first
 * call.  How docs/performance.md breaks `run` start-up down; a no-op
 * (one cached getenv) otherwise. */
void bg_phase(const char *what);

#endif

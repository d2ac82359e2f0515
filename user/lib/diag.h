/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * diag.h - the one diagnostic type every parser, library call and command
 * uses to say what went wrong.
 *
 * A function that can fail takes a `struct bg_diag *d` last (NULL: the
 * caller does not want the words) and, on failure, fills it and returns
 * its usual error value; it passes d on to what it calls, so the words
 * come from where the problem was found.  It computes; it does not print.
 * The caller declares `struct bg_diag d = {};` and, when the call failed,
 * decides how to render it, after the fact:
 *
 *   text  bg_diag_print(d): "bpfguard: <text>" on stderr, escaped as
 *         bg_err() escapes (one line, no control characters).  The text
 *         is "origin:line: message", "origin: message" when there is no
 *         line, or just the message when there is no origin.  It is what
 *         the error lines have always read, and what the tests grep for.
 *   JSON  bg_diag_json(d): {"origin":..,"line":..,"message":..,
 *         "severity":..}, origin null when there is none, line 0 when
 *         there is none; for -j/--json output and machine consumers.
         Everything bg_diag_set/at make is an "error"; a caller that
         carries on after a failure (skips a file) may set severity to
         BG_DIAG_WARNING before rendering it.
 *   log   the daemon logs it with bgd_log_diag() (daemon.h).
 *
 * origin and line: bg_diag_at(d, origin, line, ...) when the problem is
 * IN something the user can open: origin is that file (a policy, a config,
 * a go.sum) or the object when there is no file (a cgroup path, a module
 * zip, "<memory>"), line its 1-based line, 0 when a line means nothing
 * (a file that cannot be opened, a whole-file problem).  bg_diag_set(d,
 * ...) when the problem has no place of its own (a kernel call failed,
 * memory ran out, a map is missing); its message names what it is about.
 *
 * The message is one line, phrased "what; why; what to do" -- what is
 * wrong, why when it is not obvious, and what the reader can do about it:
 *   "policy.txt:12: unknown syscall 'opn' for x86_64; check the name (did
 *    you mean 'open'?)"
 *   "cannot open /sys/fs/bpf/bpfguard/rules: No such file or directory;
 *    run `bpfguard attach` first"
 * No trailing period, no newline (a newline from a quoted token is turned
 * into a space, so the line stays one line).
 *
 * Warnings: bg_diag_warn(d, ...) does not fail the call.  It counts the
 * warning (nwarn) and hands its text to d->warn, or prints "bpfguard:
 * warning: ..." when there is no callback (or no d).  The message
 * buffer is left alone: a warning never hides the error that follows.
 */
#ifndef BG_DIAG_H
#define BG_DIAG_H

#include <stdarg.h>

struct json_object;

enum bg_diag_severity {
	BG_DIAG_ERROR = 0,
	BG_DIAG_WARNING,
};

#define BG_DIAG_ORIGIN_MAX 256
/* As long as the longest line a sink prints (bgd_log's 2048 bytes): a
 * path of PATH_MAX fits with its words around it. */
#define BG_DIAG_MSG_MAX 2048

struct bg_diag {
	/* The text rendering: "origin:line: message" (see above).  Kept
	 * whole, so a caller that quotes it into its own line can. */
	char msg[BG_DIAG_MSG_MAX];
	char origin[BG_DIAG_ORIGIN_MAX]; /* "" when none */
	unsigned line;                   /* 1-based; 0 when none */
	unsigned what;                   /* offset of the message in msg */
	int severity;                    /* enum bg_diag_severity */
	int err_no;                      /* the errno behind it, when one is (else 0) */
	unsigned nwarn;                  /* warnings seen (bg_diag_warn) */
	/* Called for each warning (unknown names in Docker profiles ...);
	 * NULL prints "bpfguard: warning: ..." to stderr. */
	void (*warn)(void *ctx, const char *msg);
	void *warn_ctx;
};

/* An error with no place of its own; replaces what d held (err_no is 0
 * again: set it after, when an errno is the cause).  d may be NULL. */
void bg_diag_set(struct bg_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An error at origin (NULL: none), line (0: none).  d may be NULL. */
void bg_diag_at(struct bg_diag *d, const char *origin, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The same with a va_list: for a parser's own fail(ctx, fmt, ...) that
 * knows its origin and line. */
void bg_diag_vat(struct bg_diag *d, const char *origin, unsigned line, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

/* A warning: counted, then d->warn or stderr (see above). */
void bg_diag_warn(struct bg_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True when d holds an error (something was set since it was zeroed). */
static inline int bg_diag_failed(const struct bg_diag *d)
{
	return d && d->msg[0] != '\0';
}

/* The message alone, without "origin:line: ". */
static inline const char *bg_diag_message(const struct bg_diag *d)
{
	return d->msg + d->what;
}

/* Text rendering on stderr: "bpfguard: origin:line: message". */
void bg_diag_print(const struct bg_diag *d);

/* JSON rendering: a new object the caller puts (json_object_put). */
struct json_object *bg_diag_json(const struct bg_diag *d);

#endif

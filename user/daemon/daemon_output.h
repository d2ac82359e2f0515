/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * daemon_output.h - where the daemon writes events: stdout, files with
 * size-based rotation, syslog.
 *
 * Lines are whole or absent: each event line is appended to a buffer that
 * is written with write(2) only at line boundaries (when it is full, when
 * a drain round ends, before a rotation), so neither a reader of the file
 * nor a rotation ever sees half a line.  A file is rotated *before* the
 * line that would take it past max_size: PATH -> PATH.1 -> ... ->
 * PATH.keep (the oldest is dropped).
 */
#ifndef BG_DAEMON_OUTPUT_H
#define BG_DAEMON_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "daemon_config.h"

#define BGD_OUT_BUF (64 * 1024)

struct bgd_output {
	struct bgd_output_cfg cfg;
	int fd;                       /* stdout, the file, the journal's socket; -1 for syslog or when closed */
	char *buf;
	size_t used;
	unsigned long long size;      /* file: bytes in it, pending included */
	unsigned long long lines;     /* lines written (or handed to syslog) */
	unsigned long long errors;    /* lines lost to write errors */
	unsigned long long rotations;
	bool failing;                 /* a write error was logged; log again once it works */
};

/* Opens the output (file: O_APPEND, created 0640, appended to). */
int bgd_output_open(struct bgd_output *o, const struct bgd_output_cfg *cfg, struct bg_diag *diag);
/* The journal's native protocol: one datagram per event, the JSON line's
 * fields as BPFGUARD_<NAME>= (docs/daemon.md), MESSAGE= the text line. */
#define BGD_JOURNAL_SOCKET "/run/systemd/journal/socket"
void bgd_output_journal(struct bgd_output *o, const char *json, const char *text, size_t tlen, int prio);
/* One line (without its newline); prio is the syslog priority. */
void bgd_output_line(struct bgd_output *o, const char *line, size_t len, int prio);
/* Writes what is buffered (whole lines). */
void bgd_output_flush(struct bgd_output *o);
/* SIGHUP: flush, close and reopen the file at its path (it may have been
 * renamed away by logrotate).  Nothing for stdout and syslog. */
int bgd_output_reopen(struct bgd_output *o, struct bg_diag *diag);
void bgd_output_close(struct bgd_output *o);

#endif

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * daemon.h - the daemon's entry point, and what its parts share: the log
 * (daemon_log.c).
 *
 * The daemon's own messages go to stderr, one line each, "bpfguard daemon:
 * LEVEL: message".  Under systemd (JOURNAL_STREAM set) each line starts
 * with the sd-daemon "<N>" priority prefix so journald files it at the
 * right level.  Events never go here: they go to the configured outputs.
 */
#ifndef BG_DAEMON_H
#define BG_DAEMON_H

#include <stdbool.h>
#include <syslog.h> /* LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO */

#include "diag.h"

/* Runs the daemon with the configuration at config_path (NULL: the
 * default, and an absent file means JSON lines on stdout) until SIGTERM;
 * check: validate the configuration, attach.d and its policies, and
 * return.  BG_EXIT_*. */
int bgd_main(const char *config_path, bool check);

void bgd_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A diagnostic a library call returned, as one log line (its text form). */
void bgd_log_diag(int prio, const struct bg_diag *d);

#endif

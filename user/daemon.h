/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * daemon.h - what the parts of `bpfguard daemon` share: its log.
 *
 * The daemon's own messages go to stderr, one line each, "bpfguard daemon:
 * LEVEL: message".  Under systemd (JOURNAL_STREAM set) each line starts
 * with the sd-daemon "<N>" priority prefix so journald files it at the
 * right level.  Events never go here: they go to the configured outputs.
 */
#ifndef BG_DAEMON_H
#define BG_DAEMON_H

#include <syslog.h> /* LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO */

void bgd_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* daemon_log.c - the daemon's own log lines (daemon.h says where they go). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "textsafe.h"

void bgd_log(int prio, const char *fmt, ...)
{
	static const char *const level[] = { "emerg", "alert", "crit", "error", "warning", "notice", "info", "debug" };
	char raw[2048], msg[4 * sizeof(raw)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* cgroup and file names in messages: one message, one journal line */
	bg_text_escape(raw, strlen(raw), msg, sizeof(msg), 0);
	prio &= 7;
	if (getenv("JOURNAL_STREAM"))
		fprintf(stderr, "<%d>bpfguard daemon: %s\n", prio, msg);
	else
		fprintf(stderr, "bpfguard: daemon: %s: %s\n", level[prio], msg);
}

void bgd_log_diag(int prio, const struct bg_diag *d)
{
	bgd_log(prio, "%s", d->msg);
}

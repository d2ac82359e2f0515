/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* preflight.h - bpfguard run's checks of CMD's file (preflight.c). */
#ifndef BG_PREFLIGHT_H
#define BG_PREFLIGHT_H

#include <stddef.h>

struct bg_run_opts;

/* 0 and *exe_fd = the checked file's descriptor (CLOEXEC; -1 when no check
 * was asked for), or the run exit code after printing one line. */
int bg_run_preflight(const struct bg_run_opts *o, const char *exe, int *exe_fd);

/* The program interpreter CMD needs: an ELF's PT_INTERP, a script's #!
 * line; "" if none or unreadable.  The sandbox binds it when its view
 * would not show it. */
void bg_run_interp(const char *exe, char *out, size_t len);

#endif

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * repair.h - private to the seccomp back end: the program libseccomp
 * generates, checked and repaired (repair.c).
 */
#ifndef BG_SECCOMP_REPAIR_H
#define BG_SECCOMP_REPAIR_H

#include <linux/filter.h>
#include <seccomp.h>
#include <stddef.h>

#include "diag.h"

/* The program to load or export: libseccomp's, checked and repaired.
 * 0, or -errno with a message in d; *out is malloc'ed. */
int cs_build_program(scmp_filter_ctx ctx, struct sock_filter **out, size_t *outn,
		     unsigned *nfixed, struct bg_diag *d);

#endif

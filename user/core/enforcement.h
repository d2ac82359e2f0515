/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * enforcement.h - what `bpfguard probe` reports as enforceable on this
 * kernel: the decision attach makes from a probe (bg_mechs_from_probe),
 * and what the BPF LSM programs that fit cover.
 */
#ifndef BG_ENFORCEMENT_H
#define BG_ENFORCEMENT_H

#include "mechanism.h"
#include "probe.h"

struct bg_enforcement {
	struct bg_mechs mechs;
	/* with mechs.lsm_deny: hook programs that fit this kernel, and the
	 * syscalls of the coverage table (lsm.h) they stop before effect,
	 * in table order */
	unsigned lsm_hooks_fit;
	const char **covered;
	unsigned ncovered;
};

/* 0, or -ENOMEM. */
int bg_enforcement_from_probe(const struct bg_probe *p, struct bg_enforcement *e);
void bg_enforcement_free(struct bg_enforcement *e);

#endif

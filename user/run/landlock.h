/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * landlock.h - `bpfguard run`'s second file-system and TCP layer: a
 * Landlock ruleset that mirrors the sandbox's view (read/exec where the
 * view is read-only, everything where it is writable) and the policy's
 * `net connect` / `net bind` ports, applied by the payload just before
 * its seccomp filter.  Raw syscalls (linux/landlock.h); no library.
 * docs/run.md, "Landlock".
 */
#ifndef BG_LANDLOCK_H
#define BG_LANDLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

/* what a path of the view may be used for */
enum bg_ll_kind {
	BG_LL_RO,   /* read, list, execute */
	BG_LL_RW,   /* everything */
	BG_LL_READ, /* read and list only (/etc, /proc, /sys) */
	BG_LL_DEV,  /* device nodes: read, write, ioctl; nothing created */
	BG_LL_LIST, /* list directories only (the minimal view's root) */
};

#define BG_LL_MAX_RULES 160
#define BG_LL_MAX_PORTS 1024 /* per direction; more and the direction is left to the cgroup hook */

struct bg_ll_rule {
	const char *path; /* in the sandbox's view, after pivot_root */
	int kind;         /* enum bg_ll_kind */
};

struct bg_landlock {
	int abi;          /* the kernel's Landlock ABI; 0: not available or not used */
	char note[160];   /* why it is not used, or what it cannot express */
	uint64_t fs_handled, net_handled, scoped;
	struct bg_ll_rule rule[BG_LL_MAX_RULES];
	unsigned nrules;
	uint16_t port[2][BG_LL_MAX_PORTS]; /* [0] connect, [1] bind: TCP ports allowed */
	unsigned nport[2];
	char net_what[2][96]; /* per direction, for the summary */
};

/* The kernel's ABI version, 0 if it has no Landlock (or it is disabled). */
int bg_landlock_abi(void);

/* Starts a plan for this kernel: every access right the ABI knows is
 * handled (denied unless a rule grants it); on ABI >= 6 abstract unix
 * sockets and signals are scoped to the sandbox. */
void bg_landlock_init(struct bg_landlock *ll, int abi);

/* A rule for path; -1 if the plan is full. */
int bg_landlock_add(struct bg_landlock *ll, const char *path, int kind);

/* The policy's net section as TCP port rules (ABI >= 4).  Landlock matches
 * ports, not addresses: a port is allowed when the policy allows it for
 * some address, so Landlock never refuses what the policy allows; a
 * direction whose allowed ports are all ports (or too many to list) is
 * left to the cgroup hook. */
void bg_landlock_plan_net(struct bg_landlock *ll, const struct bg_policy *p);

/* In the payload, after pivot_root, no_new_privs set: builds and enforces
 * the ruleset.  Rules whose path is missing are skipped (that only takes
 * access away).  The payload's stdio (fds 0-2), when they are files or
 * devices opened outside the view, get a rule for that file alone, so
 * /dev/stdout keeps working.  -1 with errno and *what on failure. */
int bg_landlock_apply(const struct bg_landlock *ll, const char **what);

#endif

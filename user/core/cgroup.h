/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* cgroup.h - finding, naming and walking cgroup v2 directories. */
#ifndef BG_CGROUP_H
#define BG_CGROUP_H

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* Where cgroup2 is mounted, from /proc/self/mountinfo (first match).
 * 0, or -ENOENT if cgroup2 is not mounted. */
int bg_cgroup2_mount(char *buf, size_t len);

struct bg_cgpath {
	char abs[PATH_MAX]; /* absolute path of the directory */
	char rel[PATH_MAX]; /* relative to the cgroup2 mount, "/" for the root */
	uint64_t id;        /* cgroup id == inode number of the directory */
};

/* PATH absolute, or relative to the cgroup2 mount.  It must exist, be a
 * directory on the cgroup2 filesystem.  On error returns -1 with a one-line
 * message (what, where, what to do) in err. */
int bg_cgroup_resolve(const char *path, struct bg_cgpath *out, struct bg_diag *diag);

/* BG_CGROUP_MAX_DEPTH (bpfguard.h): how many levels below its start a
 * walk goes (the start is depth 0).  The one limit every cgroup walk of
 * bpfguard uses, the kernel side's included (escape.bpf.h): a directory at
 * this depth that still has subdirectories cuts the walk short, and the
 * walk says so (BG_WALK_TOO_DEEP) rather than leave that subtree out
 * silently. */
#include "bpfguard.h"

/* Callback return that skips the children of the directory just visited
 * (the walk goes on with its siblings). */
#define BG_WALK_PRUNE 1
/* bg_cgroup_walk's return when a subtree was deeper than
 * BG_CGROUP_MAX_DEPTH: every directory down to the limit was visited, the
 * ones below were not. */
#define BG_WALK_TOO_DEEP (-ELOOP)

/* Pre-order walk of the directory tree below (and including) abs: the
 * callback sees a cgroup before any of its children, which is what makes
 * propagation race-free against cgroups created during the walk.
 * A callback return of BG_WALK_PRUNE skips that directory's children; any
 * other non-zero return stops the walk and is returned.  0 when the whole
 * tree was visited, BG_WALK_TOO_DEEP if part of it is deeper than the
 * limit (the rest was visited), other -errno if abs cannot be opened. */
typedef int (*bg_cgroup_visit_fn)(const char *abs, uint64_t id, int depth, void *ctx);
int bg_cgroup_walk(const char *abs, bg_cgroup_visit_fn fn, void *ctx);

/* Path (relative to the mount) of the cgroup with this id, via a kernfs
 * file handle; -ENOENT if it no longer exists. */
int bg_cgroup_path_by_id(uint64_t id, char *rel, size_t len);

/* Moves a process into the cgroup (writes cgroup.procs). */
int bg_cgroup_enter(const char *abs, int pid);

/* Every `bpfguard run`'s cgroups live under <cgroup mount>/BG_RUN_CGROUP/<run
 * id> (run/run.c makes them; events and the daemon recognise them). */
#define BG_RUN_CGROUP "bpfguard.run"

#endif

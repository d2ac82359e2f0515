/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * loader.h - bpfguard's pinned state under bpffs.
 *
 *   /sys/fs/bpf/bpfguard/maps/<map>    every map of guard.bpf.c
 *   /sys/fs/bpf/bpfguard/progs/<prog>  the loaded programs
 *   /sys/fs/bpf/bpfguard/links/<prog>  their attachments, present only while
 *                                      at least one cgroup is guarded
 * Enforcement lives in the kernel as long as the pins do; every invocation
 * reopens the same objects.  Mutating commands hold an exclusive flock on
 * /run/bpfguard/bpfguard.lock so two invocations never interleave.
 */
#ifndef BG_LOADER_H
#define BG_LOADER_H

#include <bpf/libbpf.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "bpfguard.h"

enum bg_map_id {
	BG_MAP_CGFILTER,
	BG_MAP_CGROUPS,
	BG_MAP_POLICIES,
	BG_MAP_ARGRULES,
	BG_MAP_COUNTERS,
	BG_MAP_RATE,
	BG_MAP_STATS,
	BG_MAP_EVENTS,
	BG_MAP_CONFIG,
	BG_MAP_ATTACHMENTS,
	BG_MAP_TASKTAG,
	BG_MAP_SLOTREFS,
	BG_MAP__COUNT,
};

struct guard_bpf;

struct bg_state {
	int map[BG_MAP__COUNT];
	struct guard_bpf *skel; /* only when opened for writing */
	int lock_fd;
	bool writable;
	bool progs;             /* guard's programs loaded (links can go up) */
	bool own_map_fds;       /* map[] opened by us, not by the skeleton */
	/* bg_cgfilter mapped (writable state only): its tags are written as
	 * atomic words (struct bg_filter_ent); NULL when read-only */
	struct bg_filter_ent *filter;
	char dir[PATH_MAX];     /* <bpffs>/bpfguard */
};

#define BG_BPFFS "/sys/fs/bpf"
#define BG_FILTER_BYTES ((size_t)BG_FILTER_SLOTS * sizeof(struct bg_filter_ent))
/* Every file bpfguard itself creates at run time lives in BG_RUN_DIR, a
 * directory only root can enter: never in world-writable /run/lock, where
 * anyone could hold our lock first or plant a symlink (docs/daemon.md). */
#define BG_RUN_DIR "/run/bpfguard"
#define BG_LOCK_NAME "bpfguard.lock"
/* Opens BG_RUN_DIR (created 0700 if missing), refusing a symlink, a
 * directory of another owner or one others can write; an O_DIRECTORY fd
 * for openat(), or -1 with err (one line). */
int bg_run_dir(struct bg_diag *diag);
#define BG_DEFAULT_RATE_LIMIT 200 /* events per second per cgroup */

/* Read-only: opens existing pins (shared lock); returns -ENOENT, with
 * nothing changed, if bpfguard has no state on this machine.
 * Writable: exclusive lock, mounts bpffs if needed, loads guard.bpf.c and
 * creates or reuses the pinned maps. */
int bg_state_open(struct bg_state *st, bool writable, struct bg_diag *diag);
/* Writable, but loads no program: creates or reuses the pinned maps only
 * (milliseconds, where verifying guard.bpf.c takes a good part of a
 * second).  For changes that need no sys_enter program: bpfguard run's
 * seccomp attachments, detach.  bg_state_links_up() refuses such a state. */
int bg_state_open_maps(struct bg_state *st, struct bg_diag *diag);
void bg_state_close(struct bg_state *st);
/* Keep the maps, drop the lock (long-running readers). */
void bg_state_close_lock(struct bg_state *st);
/* Takes the lock again for a state whose lock was closed (a writable one:
 * exclusive), and checks the maps it holds are still the pinned ones
 * (a `bpfguard reset` in between makes new ones).  0, or -1: the state
 * is closed (the caller opens a fresh one). */
int bg_state_relock(struct bg_state *st, struct bg_diag *diag);

/* Attach the programs and pin their links, if not already (writable). */
int bg_state_links_up(struct bg_state *st, struct bg_diag *diag);
/* Remove link and program pins: nothing stays attached to sys_enter. */
void bg_state_links_down(struct bg_state *st);
bool bg_state_links_present(void);

/*
 * Event followers (`bpfguard events --follow`) hold a shared lock on
 * BG_RUN_DIR/BG_FOLLOW_LOCK_NAME while they follow, and keep bpfguard's maps pinned
 * (creating them if needed) so that the ring buffer they read is the one
 * every later attach and run writes to.  State with no attachment and no
 * follower is removed by whoever notices last (the end of a run, a
 * follower leaving): nothing is left behind.
 */
#define BG_FOLLOW_LOCK_NAME "events.lock"
int bg_state_follow_begin(void);
/* bpfguard's exclusive lock alone (fd, -1 with err): for changes to state
 * outside bpffs that attach reads (the trust store). */
int bg_state_lock_exclusive(struct bg_diag *diag);          /* fd of the held lock, or -1 */
void bg_state_release_if_unused(void);

/* Unpins everything bpfguard created (maps, programs, links). */
int bg_state_reset(struct bg_diag *diag);

/* Sum of a per-CPU stat (enum bg_stat). */
unsigned long long bg_state_stat(const struct bg_state *st, unsigned idx);

const char *bg_map_name(enum bg_map_id id);
/* libbpf's print callback for bpfguard: its messages only with
 * BPFGUARD_DEBUG=1, its last warning kept for one-line errors. */
int bg_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap);
const char *bg_libbpf_last(void);
void bg_libbpf_last_clear(void);
/* Points every (non-internal) map of a BPF object at its pin under
 * <bpffs>/bpfguard/maps/, so program families share maps by name: load
 * creates the pin if absent and reuses it otherwise. */
struct bpf_object;
int bg_pin_object_maps(struct bpf_object *obj);
/* <bpffs>/bpfguard/<sub>/<name> */
void bg_pin_path(char *buf, size_t len, const char *sub, const char *name);
/* Is program prog's link pinned (<bpffs>/bpfguard/links/<prog>)?  Are
 * all n of progs'? */
bool bg_link_pinned(const char *prog);
bool bg_links_pinned(const char *const *progs, size_t n);

/* The kernel's id of the map behind fd, 0 if it cannot be read; and of the
 * event ring buffer pinned now, 0 if none.  A consumer that follows the
 * ring compares the two to notice the pins were made anew. */
uint32_t bg_map_id(int fd);
uint32_t bg_pinned_events_id(void);

#endif

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * daemon_watch.h - notices cgroups appearing and disappearing where
 * attach.d's globs can match, with inotify on the cgroup2 hierarchy.
 *
 * Every directory below which some line could still match
 * (bgd_glob_could_descend) gets a watch for IN_CREATE / IN_DELETE /
 * IN_MOVED_* of subdirectories; a new directory that could hold matches is
 * watched in turn (and walked, since children may have been made before
 * the watch was in place).  The daemon runs a reconciling pass after each
 * batch of relevant events.  If inotify is not available, the queue
 * overflows or the watch limit is hit, the periodic rescan ([attach]
 * rescan) still finds everything.
 */
#ifndef BG_DAEMON_WATCH_H
#define BG_DAEMON_WATCH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct bgd_attachd;

struct bgd_wentry {
	int wd;
	char *rel; /* relative to the mount, no leading '/'; "" = root */
};

struct bgd_watch {
	int fd;                   /* inotify, -1 if none */
	char mnt[PATH_MAX];
	struct bgd_wentry *v;
	unsigned n;
	size_t cap;
	bool limited;             /* a watch could not be added (logged once) */
};

/* (Re)creates every watch for the set's lines.  0, or -1 (logged) when
 * inotify is unusable; the daemon then relies on the periodic rescan. */
int bgd_watch_setup(struct bgd_watch *w, const struct bgd_attachd *set);
/* Reads pending events; true if a reconciling pass is needed. */
bool bgd_watch_handle(struct bgd_watch *w, const struct bgd_attachd *set);
void bgd_watch_close(struct bgd_watch *w);

#endif

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * daemon_watch.c - inotify on cgroup directories (daemon_watch.h).
 *
 * cgroupfs reports mkdir and rmdir of cgroups like any directory
 * (fsnotify from the VFS), which is all we need: what appears is a
 * cgroup, the kernel's own files inside it are not directories.
 */
#include <stdio.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "bpfguard.h"
#include "cgroup.h"
#include "daemon.h"
#include "daemon_attachd.h"
#include "daemon_glob.h"
#include "daemon_watch.h"
#include "util.h"
#include "vec.h"

#define WATCH_MASK (IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_ONLYDIR | IN_DONT_FOLLOW)

static bool could_descend(const struct bgd_attachd *set, const char *rel)
{
	for (unsigned i = 0; i < set->n; i++)
		if (bgd_glob_could_descend(set->v[i].pattern, rel))
			return true;
	return false;
}

static bool matches(const struct bgd_attachd *set, const char *rel)
{
	for (unsigned i = 0; i < set->n; i++)
		if (bgd_glob_match(set->v[i].pattern, rel))
			return true;
	return false;
}

static struct bgd_wentry *find_wd(struct bgd_watch *w, int wd)
{
	for (unsigned i = 0; i < w->n; i++)
		if (w->v[i].wd == wd)
			return &w->v[i];
	return NULL;
}

static void add_one(struct bgd_watch *w, const char *rel)
{
	char abs[PATH_MAX];
	struct bgd_wentry *e;
	int wd;

	if ((size_t)snprintf(abs, sizeof(abs), "%s%s%s", w->mnt, rel[0] ? "/" : "", rel) >= sizeof(abs))
		return;
	wd = inotify_add_watch(w->fd, abs, WATCH_MASK);
	if (wd < 0) {
		if (errno != ENOENT && !w->limited) {
			bgd_log(LOG_WARNING, "cannot watch %s: %s; new cgroups there are found by the periodic rescan "
				"([attach] rescan)%s", abs, strerror(errno),
				errno == ENOSPC ? "; raise fs.inotify.max_user_watches" : "");
			w->limited = true;
		}
		return;
	}
	e = find_wd(w, wd); /* the same directory again */
	if (e)
		return;
	if (BG_VEC_RESERVE(w->v, w->cap, w->n + 1))
		return;
	w->v[w->n].wd = wd;
	w->v[w->n].rel = strdup(rel);
	if (w->v[w->n].rel)
		w->n++;
	else
		inotify_rm_watch(w->fd, wd);
}

struct tree {
	struct bgd_watch *w;
	const struct bgd_attachd *set;
	size_t mlen;
};

static int tree_visit(const char *abs, uint64_t id, int depth, void *ctx)
{
	struct tree *t = ctx;
	const char *rel = abs[t->mlen] == '/' ? abs + t->mlen + 1 : abs + t->mlen; /* "" = root */

	(void)id;
	(void)depth;
	if (!strcmp(rel, BG_RUN_CGROUP) || !could_descend(t->set, rel))
		return BG_WALK_PRUNE;
	add_one(t->w, rel);
	return 0;
}

/* Watches rel and every directory below it that could hold matches,
 * with the same walk (and depth limit) as every other cgroup walk.  Each
 * directory is watched before it is read, so nothing made in between is
 * missed. */
static void add_tree(struct bgd_watch *w, const struct bgd_attachd *set, const char *rel)
{
	struct tree t = { .w = w, .set = set, .mlen = strlen(w->mnt) };
	char abs[PATH_MAX];

	if ((size_t)snprintf(abs, sizeof(abs), "%s%s%s", w->mnt, rel[0] ? "/" : "", rel) >= sizeof(abs))
		return;
	if (bg_cgroup_walk(abs, tree_visit, &t) == BG_WALK_TOO_DEEP)
		bgd_log(LOG_WARNING, "cgroups more than %d levels below %s are not watched (BG_CGROUP_MAX_DEPTH); "
			"new cgroups there are found by the periodic rescan only if shallower", BG_CGROUP_MAX_DEPTH, abs);
}

static void drop_all(struct bgd_watch *w)
{
	for (unsigned i = 0; i < w->n; i++)
		free(w->v[i].rel);
	free(w->v);
	w->v = NULL;
	w->n = w->cap = 0;
}

void bgd_watch_close(struct bgd_watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	drop_all(w);
}

int bgd_watch_setup(struct bgd_watch *w, const struct bgd_attachd *set)
{
	if (w->fd >= 0)
		bgd_watch_close(w);
	memset(w, 0, sizeof(*w));
	w->fd = -1;
	if (!set->n)
		return 0;
	if (bg_cgroup2_mount(w->mnt, sizeof(w->mnt)))
		return -1;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		bgd_log(LOG_WARNING, "inotify: %s; new cgroups are found by the periodic rescan only", strerror(errno));
		return -1;
	}
	add_tree(w, set, "");
	return 0;
}

bool bgd_watch_handle(struct bgd_watch *w, const struct bgd_attachd *set)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool need = false, overflow = false;

	if (w->fd < 0)
		return false;
	for (;;) {
		ssize_t n = read(w->fd, buf, sizeof(buf));

		if (n <= 0)
			break;
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			struct bgd_wentry *e = find_wd(w, ev->wd);
			char child[PATH_MAX];

			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				overflow = true;
				continue;
			}
			if (ev->mask & IN_IGNORED) { /* the directory went away */
				if (e) {
					free(e->rel);
					*e = w->v[--w->n];
				}
				continue;
			}
			if (!e || !(ev->mask & IN_ISDIR) || !ev->len)
				continue;
			if ((size_t)snprintf(child, sizeof(child), "%s%s%s", e->rel, e->rel[0] ? "/" : "", ev->name) >=
			    sizeof(child))
				continue;
			if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
				if (matches(set, child) || could_descend(set, child))
					need = true;
				add_tree(w, set, child);
			} else if (matches(set, child)) {
				need = true; /* a matched cgroup went away: its attachment may go */
			}
		}
	}
	if (overflow) {
		bgd_log(LOG_WARNING, "inotify queue overflowed; watching everything again");
		drop_all(w);
		add_tree(w, set, "");
		need = true;
	}
	return need;
}

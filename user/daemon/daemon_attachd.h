/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * daemon_attachd.h - declarative attachments: the files of attach.d.
 *
 * Each non-comment line of DIR/ *.conf is
 *
 *     CGROUP [POLICY_FILE] [mode=audit|enforce] [fallback=refuse|kill|audit]
 *
 * CGROUP is a cgroup glob (daemon_glob.h) relative to the cgroup2 mount;
 * POLICY_FILE is absolute or relative to the directory of the .conf file,
 * and may be left out when [attach] policy names a default.  Files are
 * read in name order; one with any bad line is skipped as a whole (and
 * reported with its FILE:LINE), the others still apply.
 */
#ifndef BG_DAEMON_ATTACHD_H
#define BG_DAEMON_ATTACHD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "bpfguard.h"
#include "daemon_glob.h"

#define BGD_MAX_LINES 1024 /* per file */
#define BGD_MAX_FILES 256

struct bgd_line {
	char file[PATH_MAX];        /* the .conf it came from */
	unsigned line;
	char pattern[BGD_GLOB_MAX]; /* normalised glob */
	char policy[BG_PATH_MAX];   /* absolute: what the attachment records as its source */
	int mode;                   /* enum bg_mode */
	int fallback;               /* enum bg_fallback */
};

struct bgd_attachd {
	struct bgd_line *v;
	unsigned n;
	size_t cap;
	char (*bad)[PATH_MAX];      /* files skipped because of an error */
	unsigned nbad;
	size_t capbad;
	bool read;                  /* the directory was read: an absent line means "not declared" */
};

/* Parses one file (buf, len bytes) and appends its lines to set, all or
 * none: 0, or -1 with "ORIGIN:LINE: what; what to do" in err and set
 * unchanged.  base_dir resolves relative policy paths; default_policy
 * ("" = none) is used by lines that name no policy. */
int bgd_attachd_parse(const char *buf, size_t len, const char *origin, const char *base_dir,
		      const char *default_policy, struct bgd_attachd *set, struct bg_diag *diag);

/* Reads every DIR/ *.conf in name order into set.  Each file with an error
 * is passed to report(ctx, message) and listed in set->bad.  Returns 0
 * (set->read true), or -errno if the directory cannot be read. */
int bgd_attachd_load(const char *dir, const char *default_policy, struct bgd_attachd *set,
		     void (*report)(void *ctx, const char *msg), void *ctx);

bool bgd_attachd_file_bad(const struct bgd_attachd *set, const char *file);
void bgd_attachd_free(struct bgd_attachd *set);

#endif

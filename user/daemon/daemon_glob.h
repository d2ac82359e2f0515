/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * daemon_glob.h - cgroup path globs for the daemon (attach.d lines and the
 * outputs' filter.cgroup).
 *
 * A pattern is a cgroup v2 path relative to the cgroup2 mount, matched one
 * path component at a time: inside a component fnmatch(3) rules apply
 * (`*`, `?`, `[...]`; with FNM_PATHNAME semantics, so no wildcard crosses
 * a `/`), and a component that is exactly `**` matches any number of
 * components, none included.  Leading and trailing slashes do not matter;
 * "/" (or "") is the root cgroup.  Pure string code: unit-tested and fuzzed.
 */
#ifndef BG_DAEMON_GLOB_H
#define BG_DAEMON_GLOB_H

#include <stdbool.h>
#include <stddef.h>

#define BGD_GLOB_MAX 256     /* bytes of a normalised pattern, NUL included */
#define BGD_GLOB_MAX_STARSTAR 4 /* `**` components per pattern (bounds the matching work) */

/* Normalises a pattern into out: no leading or trailing '/', no empty
 * components; the root is "".  Refuses `.` and `..` components, too many
 * `**`, over-long patterns.  0, or -1 with the reason in *why. */
int bgd_glob_normalize(const char *in, char *out, size_t len, const char **why);

/* Does the (normalised) pattern match the cgroup path?  path is relative
 * to the mount, with or without a leading '/'. */
bool bgd_glob_match(const char *pat, const char *path);

/* Could a cgroup strictly below `path` match the pattern?  (Which
 * directories the daemon must watch and walk into.) */
bool bgd_glob_could_descend(const char *pat, const char *path);

/* Length of the pattern's leading components without glob characters:
 * the directory every match lies in or below.  "a/b/x*" -> 3 ("a/b"). */
size_t bgd_glob_literal_prefix(const char *pat);

/* Does the string contain fnmatch special characters? */
bool bgd_glob_has_magic(const char *s);

#endif

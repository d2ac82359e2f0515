// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * daemon_glob.c - component-wise cgroup globs (daemon_glob.h).
 *
 * fnmatch(3) alone cannot say "any depth": FNM_PATHNAME stops `*` at a
 * slash and without it `*` crosses every level.  So paths are compared one
 * component at a time, each with fnmatch, and a `**` component tries every
 * split.  The recursion is bounded by the component count (paths and
 * patterns are at most a few hundred bytes) and by BGD_GLOB_MAX_STARSTAR.
 */
#include <fnmatch.h>
#include <string.h>

#include "daemon_glob.h"

/* Copies the next component of *s (slashes skipped) into buf and advances;
 * false when there is none.  Over-long components are cut, which can only
 * make them not match. */
static bool next_comp(const char **s, char *buf, size_t len)
{
	const char *p = *s;
	size_t n;

	while (*p == '/')
		p++;
	if (!*p)
		return false;
	n = strcspn(p, "/");
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	p += strcspn(p, "/");
	*s = p;
	return true;
}

static bool only_slashes(const char *s)
{
	return s[strspn(s, "/")] == '\0';
}

bool bgd_glob_has_magic(const char *s)
{
	return strpbrk(s, "*?[\\") != NULL;
}

int bgd_glob_normalize(const char *in, char *out, size_t len, const char **why)
{
	const char *s = in;
	char comp[BGD_GLOB_MAX];
	size_t used = 0;
	unsigned stars = 0;

	if (!in || len == 0) {
		*why = "no pattern";
		return -1;
	}
	out[0] = '\0';
	if (strlen(in) >= BGD_GLOB_MAX) {
		*why = "pattern longer than 255 bytes";
		return -1;
	}
	while (next_comp(&s, comp, sizeof(comp))) {
		size_t n = strlen(comp);

		if (!strcmp(comp, ".") || !strcmp(comp, "..")) {
			*why = "'.' and '..' are not allowed in a cgroup pattern";
			return -1;
		}
		if (!strcmp(comp, "**") && ++stars > BGD_GLOB_MAX_STARSTAR) {
			*why = "more than 4 '**' components";
			return -1;
		}
		if (used + (used ? 1 : 0) + n + 1 > len) {
			*why = "pattern too long";
			return -1;
		}
		if (used)
			out[used++] = '/';
		memcpy(out + used, comp, n + 1);
		used += n;
	}
	return 0;
}

bool bgd_glob_match(const char *pat, const char *path)
{
	char pc[BGD_GLOB_MAX], sc[BGD_GLOB_MAX];
	const char *p = pat, *s = path;

	for (;;) {
		if (!next_comp(&p, pc, sizeof(pc)))
			return only_slashes(s);
		if (!strcmp(pc, "**")) {
			/* none, then one more component at a time */
			for (;;) {
				if (bgd_glob_match(p, s))
					return true;
				if (!next_comp(&s, sc, sizeof(sc)))
					return false;
			}
		}
		if (!next_comp(&s, sc, sizeof(sc)))
			return false;
		if (fnmatch(pc, sc, FNM_PATHNAME) != 0)
			return false;
	}
}

bool bgd_glob_could_descend(const char *pat, const char *path)
{
	char pc[BGD_GLOB_MAX], sc[BGD_GLOB_MAX];
	const char *p = pat, *s = path;

	for (;;) {
		if (!next_comp(&p, pc, sizeof(pc)))
			return false; /* pattern used up: nothing deeper matches */
		if (!strcmp(pc, "**"))
			return true; /* absorbs the rest of path and more */
		if (!next_comp(&s, sc, sizeof(sc)))
			return true; /* path used up, pattern not: a child may match */
		if (fnmatch(pc, sc, FNM_PATHNAME) != 0)
			return false;
	}
}

size_t bgd_glob_literal_prefix(const char *pat)
{
	const char *s = pat;
	size_t end = 0;
	char comp[BGD_GLOB_MAX];

	for (;;) {
		if (!next_comp(&s, comp, sizeof(comp)) || bgd_glob_has_magic(comp))
			return end;
		end = (size_t)(s - pat);
	}
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * daemon_attachd.c - reading attach.d (daemon_attachd.h).
 *
 * A file is validated completely before any of its lines is taken, so a
 * typo never half-applies a file: the daemon keeps running with the other
 * files and whatever the broken file had attached before stays as it was
 * (daemon_apply.c does not detach what a skipped file declared).
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon_attachd.h"
#include "mechanism.h"
#include "util.h"
#include "vec.h"

#define LINE_MAX_LEN 4096

struct ctx {
	const char *origin;
	unsigned line;
	struct bg_diag *diag;
};

static int fail(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bg_diag_vat(c->diag, c->origin, c->line, fmt, ap);
	va_end(ap);
	return -1;
}

static int policy_path(struct ctx *c, const char *base_dir, const char *tok, char *out)
{
	int n;

	if (tok[0] == '/')
		n = snprintf(out, BG_PATH_MAX, "%s", tok);
	else
		n = snprintf(out, BG_PATH_MAX, "%s/%s", base_dir, tok);
	if (n < 0 || n >= BG_PATH_MAX)
		return fail(c, "policy path '%.80s' is longer than %d bytes (attachments record %d); use a shorter path",
			    tok, BG_PATH_MAX - 1, BG_PATH_MAX - 1);
	return 0;
}

/* One line into l (not yet added).  1 if it is blank or a comment. */
static int parse_line(struct ctx *c, char *s, const char *base_dir, const char *default_policy,
		      struct bgd_line *l)
{
	char *save = NULL, *tok;
	const char *why;
	bool have_policy = false, have_mode = false, have_fb = false;

	tok = strtok_r(s, " \t\r", &save);
	if (!tok || tok[0] == '#')
		return 1;
	memset(l, 0, sizeof(*l));
	l->line = c->line;
	l->mode = BG_MODE_ENFORCE;
	l->fallback = BG_FALLBACK_REFUSE;
	if (strchr(tok, '='))
		return fail(c, "line starts with '%.64s'; expected CGROUP [POLICY_FILE] [mode=...] [fallback=...]", tok);
	if (bgd_glob_normalize(tok, l->pattern, sizeof(l->pattern), &why))
		return fail(c, "cgroup '%.80s': %s", tok, why);
	while ((tok = strtok_r(NULL, " \t\r", &save))) {
		if (tok[0] == '#')
			break; /* trailing comment */
		if (!strncmp(tok, "mode=", 5)) {
			if (have_mode)
				return fail(c, "mode= given twice");
			l->mode = bg_mode_parse(tok + 5);
			if (l->mode < 0)
				return fail(c, "'%.64s': expected mode=audit or mode=enforce", tok);
			have_mode = true;
		} else if (!strncmp(tok, "fallback=", 9)) {
			if (have_fb)
				return fail(c, "fallback= given twice");
			l->fallback = bg_fallback_parse(tok + 9);
			if (l->fallback < 0)
				return fail(c, "'%.64s': expected fallback=refuse, fallback=kill or fallback=audit", tok);
			have_fb = true;
		} else if (strchr(tok, '=')) {
			return fail(c, "unknown option '%.64s'; expected mode=audit|enforce or fallback=refuse|kill|audit", tok);
		} else if (have_policy) {
			return fail(c, "unexpected '%.64s' after the policy file; one policy per line", tok);
		} else if (have_mode || have_fb) {
			return fail(c, "policy file '%.64s' after the options; write CGROUP POLICY_FILE mode=... fallback=...", tok);
		} else {
			if (policy_path(c, base_dir, tok, l->policy))
				return -1;
			have_policy = true;
		}
	}
	if (!have_policy) {
		if (!default_policy || !default_policy[0])
			return fail(c, "no policy file for cgroup '%s'; name one after the cgroup, or set `policy =` in [attach]",
				    l->pattern);
		if (policy_path(c, base_dir, default_policy, l->policy))
			return -1;
	}
	return 0;
}

int bgd_attachd_parse(const char *buf, size_t len, const char *origin, const char *base_dir,
		      const char *default_policy, struct bgd_attachd *set, struct bg_diag *diag)
{
	struct ctx c = { .origin = origin, .diag = diag };
	unsigned first = set->n, added = 0;
	char *line = malloc(LINE_MAX_LEN + 1);
	size_t off = 0;
	int ret = 0;

	if (!line) {
		bg_diag_set(diag, "%s: out of memory", origin);
		return -1;
	}
	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;
		struct bgd_line l;
		int r;

		c.line++;
		if (n > LINE_MAX_LEN) {
			ret = fail(&c, "line longer than %d bytes", LINE_MAX_LEN);
			break;
		}
		if (memchr(buf + off, '\0', n)) {
			ret = fail(&c, "NUL byte; this is not a text file");
			break;
		}
		memcpy(line, buf + off, n);
		line[n] = '\0';
		off += n + (nl ? 1 : 0);
		r = parse_line(&c, line, base_dir, default_policy, &l);
		if (r < 0) {
			ret = -1;
			break;
		}
		if (r > 0)
			continue;
		if (added >= BGD_MAX_LINES) {
			ret = fail(&c, "more than %d lines in one file; split it", BGD_MAX_LINES);
			break;
		}
		if (BG_VEC_RESERVE(set->v, set->cap, set->n + 1)) {
			ret = fail(&c, "out of memory");
			break;
		}
		bg_strlcpy(l.file, origin, sizeof(l.file));
		set->v[set->n++] = l;
		added++;
	}
	free(line);
	if (ret)
		set->n = first; /* all or nothing */
	return ret;
}

static int conf_filter(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return de->d_name[0] != '.' && n > 5 && !strcmp(de->d_name + n - 5, ".conf");
}

int bgd_attachd_load(const char *dir, const char *default_policy, struct bgd_attachd *set,
		     void (*report)(void *ctx, const char *msg), void *ctx)
{
	struct dirent **names;
	int n = scandir(dir, &names, conf_filter, alphasort);

	set->read = false;
	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX], err[BG_DIAG_MSG_MAX + 64];
		struct bg_diag diag = {};
		size_t len;
		char *buf;
		int r;

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name) >= sizeof(path))
			continue;
		r = i >= BGD_MAX_FILES ? -E2BIG : bg_read_file(path, 1 << 20, &buf, &len);
		if (r == -E2BIG) {
			snprintf(err, sizeof(err), "%.900s: more than %d .conf files in its directory; this one is skipped",
				 path, BGD_MAX_FILES);
			r = -1;
		} else if (r) {
			snprintf(err, sizeof(err), "%.900s: cannot read: %s; the file is skipped", path, strerror(-r));
			r = -1;
		} else {
			r = bgd_attachd_parse(buf, len, path, dir, default_policy, set, &diag);
			free(buf);
			if (r)
				snprintf(err, sizeof(err), "%s (the whole file is skipped; fix it and send SIGHUP)",
					 diag.msg);
		}
		if (r) {
			report(ctx, err);
			if (BG_VEC_RESERVE(set->bad, set->capbad, set->nbad + 1) == 0)
				bg_strlcpy(set->bad[set->nbad++], path, sizeof(set->bad[0]));
		}
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	set->read = true;
	return 0;
}

bool bgd_attachd_file_bad(const struct bgd_attachd *set, const char *file)
{
	for (unsigned i = 0; i < set->nbad; i++)
		if (!strcmp(set->bad[i], file))
			return true;
	return false;
}

void bgd_attachd_free(struct bgd_attachd *set)
{
	free(set->v);
	free(set->bad);
	memset(set, 0, sizeof(*set));
}

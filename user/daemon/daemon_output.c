// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * daemon_output.c - stdout, rotating files and syslog (daemon_output.h).
 *
 * One writer per file (the daemon), O_APPEND, whole lines per write(2):
 * that is what makes "no line is ever split" hold for readers, for
 * logrotate (rename + SIGHUP) and for our own rotation alike.  The size
 * that triggers rotation is our own count; before rotating it is checked
 * against fstat(), so a file someone truncated (logrotate copytruncate) is
 * not rotated early.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "daemon.h"
#include "daemon_output.h"
#include "util.h"

static int open_file(struct bgd_output *o, struct bg_diag *diag)
{
	struct stat st;

	/* O_NOFOLLOW: a symlink planted at the path is not followed to a file
	 * of someone else's choosing (docs/daemon.md, "Files and locks"). */
	o->fd = open(o->cfg.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0640);
	if (o->fd < 0) {
		int e = errno;

		bg_diag_set(diag, "output %s: cannot open %s: %s; %s", o->cfg.name, o->cfg.path, strerror(e),
			    e == ELOOP ? "it is a symlink: remove it or name the file itself"
				    : "create its directory or fix the path");
		return -1;
	}
	o->size = fstat(o->fd, &st) == 0 ? (unsigned long long)st.st_size : 0;
	return 0;
}

int bgd_output_open(struct bgd_output *o, const struct bgd_output_cfg *cfg, struct bg_diag *diag)
{
	memset(o, 0, sizeof(*o));
	o->cfg = *cfg;
	o->fd = -1;
	if (cfg->type == BGD_OUT_SYSLOG)
		return 0;
	o->buf = malloc(BGD_OUT_BUF);
	if (!o->buf) {
		bg_diag_set(diag, "output %s: out of memory", cfg->name);
		return -1;
	}
	if (cfg->type == BGD_OUT_STDOUT) {
		o->fd = STDOUT_FILENO;
		return 0;
	}
	if (open_file(o, diag)) {
		free(o->buf);
		o->buf = NULL;
		return -1;
	}
	return 0;
}

/* Writes all of buf; false on an error (what was not written is lost). */
static bool write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

static unsigned long long count_lines(const char *buf, size_t len)
{
	unsigned long long n = 0;

	for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + len - p))); p++)
		n++;
	return n;
}

void bgd_output_flush(struct bgd_output *o)
{
	if (!o->used || o->fd < 0) {
		o->used = 0;
		return;
	}
	if (write_all(o->fd, o->buf, o->used)) {
		if (o->failing)
			bgd_log(LOG_NOTICE, "output %s: writing works again", o->cfg.name);
		o->failing = false;
	} else {
		int e = errno;

		o->errors += count_lines(o->buf, o->used);
		o->lines -= count_lines(o->buf, o->used);
		if (!o->failing)
			bgd_log(LOG_ERR, "output %s: write to %s failed: %s; events are dropped until it works again",
				o->cfg.name, o->cfg.type == BGD_OUT_FILE ? o->cfg.path : "stdout", strerror(e));
		o->failing = true;
	}
	o->used = 0;
}

/* PATH.(i) -> PATH.(i+1) for i = n .. 1 (the oldest kept is overwritten
 * once there are keep of them), PATH -> PATH.1, a new PATH. */
static void rotate(struct bgd_output *o)
{
	char from[PATH_MAX + 16], to[PATH_MAX + 16];
	struct bg_diag diag = {};
	struct stat st;
	unsigned n;

	bgd_output_flush(o);
	if (fstat(o->fd, &st) == 0 && (unsigned long long)st.st_size < o->size)
		o->size = (unsigned long long)st.st_size; /* truncated behind our back */
	close(o->fd);
	o->fd = -1;
	/* only the files there are: PATH.1 .. PATH.n, n < keep */
	for (n = 1; n < o->cfg.keep; n++) {
		snprintf(from, sizeof(from), "%s.%u", o->cfg.path, n);
		if (access(from, F_OK))
			break;
	}
	for (unsigned i = n; i > 1; i--) {
		snprintf(from, sizeof(from), "%s.%u", o->cfg.path, i - 1);
		snprintf(to, sizeof(to), "%s.%u", o->cfg.path, i);
		if (rename(from, to) && errno != ENOENT)
			bgd_log(LOG_WARNING, "output %s: cannot rename %s to %s: %s", o->cfg.name, from, to, strerror(errno));
	}
	snprintf(to, sizeof(to), "%s.1", o->cfg.path);
	if (rename(o->cfg.path, to) && errno != ENOENT)
		bgd_log(LOG_WARNING, "output %s: cannot rename %s to %s: %s", o->cfg.name, o->cfg.path, to, strerror(errno));
	if (open_file(o, &diag))
		bgd_log_diag(LOG_ERR, &diag);
	o->rotations++;
}

/* Would this line take the file past max_size?  Checks the real size
 * first: someone may have truncated it. */
static bool needs_rotation(struct bgd_output *o, size_t add)
{
	struct stat st;

	if (!o->cfg.max_size || o->size == 0 || o->size + add <= o->cfg.max_size)
		return false;
	bgd_output_flush(o);
	if (o->fd >= 0 && fstat(o->fd, &st) == 0)
		o->size = (unsigned long long)st.st_size;
	return o->size > 0 && o->size + add > o->cfg.max_size;
}

void bgd_output_line(struct bgd_output *o, const char *line, size_t len, int prio)
{
	if (o->cfg.type == BGD_OUT_SYSLOG) {
		syslog(o->cfg.facility | prio, "%.*s", (int)len, line);
		o->lines++;
		return;
	}
	if (o->cfg.type == BGD_OUT_FILE) {
		if (needs_rotation(o, len + 1))
			rotate(o);
		if (o->fd < 0) { /* reopening failed: try again, once per line */
			if (open_file(o, NULL)) {
				o->errors++;
				return;
			}
		}
	}
	if (o->used + len + 1 > BGD_OUT_BUF)
		bgd_output_flush(o);
	if (len + 1 > BGD_OUT_BUF) { /* cannot happen with event lines; stay whole anyway */
		char *one = malloc(len + 1);

		if (!one) {
			o->errors++;
			return;
		}
		memcpy(one, line, len);
		one[len] = '\n';
		o->lines++;
		if (!write_all(o->fd, one, len + 1)) {
			o->errors++;
			o->lines--;
		}
		free(one);
		o->size += len + 1;
		return;
	}
	memcpy(o->buf + o->used, line, len);
	o->buf[o->used + len] = '\n';
	o->used += len + 1;
	o->size += len + 1;
	o->lines++;
}

int bgd_output_reopen(struct bgd_output *o, struct bg_diag *diag)
{
	if (o->cfg.type != BGD_OUT_FILE)
		return 0;
	bgd_output_flush(o);
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	return open_file(o, diag);
}

void bgd_output_close(struct bgd_output *o)
{
	bgd_output_flush(o);
	if (o->cfg.type == BGD_OUT_FILE && o->fd >= 0)
		close(o->fd);
	free(o->buf);
	o->buf = NULL;
	o->fd = -1;
}

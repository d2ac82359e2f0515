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
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
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
	if (cfg->type == BGD_OUT_JOURNAL) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = BGD_JOURNAL_SOCKET };

		o->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (o->fd < 0 || connect(o->fd, (struct sockaddr *)&sa, sizeof(sa))) {
			bg_diag_set(diag, "output %s: cannot connect to the journal at %s: %s; is systemd-journald running?",
				    cfg->name, BGD_JOURNAL_SOCKET, strerror(errno));
			if (o->fd >= 0)
				close(o->fd);
			o->fd = -1;
			return -1;
		}
		return 0;
	}
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

/* KEY=value\n, or the binary form (KEY\n, 64-bit little-endian length,
 * the bytes, \n) when the value has a newline; false if it does not fit. */
static bool jfield(char *buf, size_t cap, size_t *off, const char *key, const char *v, size_t n)
{
	size_t k = strlen(key);
	bool bin = memchr(v, '\n', n) != NULL;

	if (*off + k + n + 11 > cap)
		return false;
	memcpy(buf + *off, key, k);
	*off += k;
	if (bin) {
		uint64_t le = htole64((uint64_t)n);

		buf[(*off)++] = '\n';
		memcpy(buf + *off, &le, 8);
		*off += 8;
	} else {
		buf[(*off)++] = '=';
	}
	memcpy(buf + *off, v, n);
	*off += n;
	buf[(*off)++] = '\n';
	return true;
}

void bgd_output_journal(struct bgd_output *o, const char *json, const char *text, size_t tlen, int prio)
{
	static char dgram[48 * 1024];
	struct json_object *j = json_tokener_parse(json);
	char pr[4];
	size_t off = 0;
	bool ok = j != NULL;

	snprintf(pr, sizeof(pr), "%d", prio);
	ok = ok && jfield(dgram, sizeof(dgram), &off, "MESSAGE", text, tlen) &&
	     jfield(dgram, sizeof(dgram), &off, "PRIORITY", pr, strlen(pr)) &&
	     jfield(dgram, sizeof(dgram), &off, "SYSLOG_IDENTIFIER", "bpfguard", 8);
	/* every field of the JSON line, by its name upper-cased: the same
	 * set and values as the schema (docs/event.schema.json) */
	if (ok) {
		json_object_object_foreach(j, key, val) {
			char name[64] = "BPFGUARD_", vbuf[1024];
			const char *v = vbuf;
			size_t i = 9, n;

			for (const char *c = key; *c && i < sizeof(name) - 1; c++)
				name[i++] = (*c >= 'a' && *c <= 'z') ? (char)(*c - 32) : (*c == '@' ? '_' : *c);
			name[i] = '\0';
			if (json_object_is_type(val, json_type_null))
				continue;
			if (json_object_is_type(val, json_type_string)) {
				v = json_object_get_string(val);
				n = (size_t)json_object_get_string_len(val);
			} else if (json_object_is_type(val, json_type_array)) {
				n = 0;
				vbuf[0] = '\0';
				for (size_t a = 0; a < json_object_array_length(val) && n < sizeof(vbuf) - 24; a++)
					n += (size_t)snprintf(vbuf + n, sizeof(vbuf) - n, "%s%s", a ? " " : "",
							      json_object_get_string(json_object_array_get_idx(val, a)));
			} else {
				n = (size_t)snprintf(vbuf, sizeof(vbuf), "%s", json_object_get_string(val));
			}
			if (!(ok = jfield(dgram, sizeof(dgram), &off, name, v, n)))
				break;
		}
	}
	json_object_put(j);
	if (!ok || o->fd < 0 || send(o->fd, dgram, off, MSG_NOSIGNAL) != (ssize_t)off) {
		if (!o->failing)
			bgd_log(LOG_WARNING, "output %s: an event was not written to the journal: %s",
				o->cfg.name, ok ? strerror(errno) : "too large");
		o->failing = true;
		o->errors++;
		return;
	}
	o->failing = false;
	o->lines++;
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
	if ((o->cfg.type == BGD_OUT_FILE || o->cfg.type == BGD_OUT_JOURNAL) && o->fd >= 0)
		close(o->fd);
	free(o->buf);
	o->buf = NULL;
	o->fd = -1;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "textsafe.h"
#include "util.h"

/* Messages name cgroups, files and policies: escaped (textsafe.h) so one
 * message stays one line and no control character reaches a terminal. */
static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	char line[1024], safe[4 * sizeof(line)];

	vsnprintf(line, sizeof(line), fmt, ap);
	bg_text_escape(line, strlen(line), safe, sizeof(safe), 0);
	fprintf(stderr, "bpfguard: %s%s\n", prefix, safe);
}

void bg_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

/* Warnings are capped: a hostile or huge input (a profile with 100,000
 * unknown names) must not bury the one line that matters under its
 * echoes.  The first BG_WARN_MAX are printed, the rest counted and the
 * count said once at exit. */
#define BG_WARN_MAX 50
static unsigned long warned, unsaid, warn_max = BG_WARN_MAX;

void bg_warn_cap(unsigned long max)
{
	warn_max = max;
}

static void say_unsaid(void)
{
	if (unsaid)
		fprintf(stderr, "bpfguard: warning: %lu more warning%s not shown (the first %d were)\n", unsaid,
			unsaid == 1 ? "" : "s", BG_WARN_MAX);
}

void bg_warn(const char *fmt, ...)
{
	va_list ap;

	if (warn_max && ++warned > warn_max) {
		if (unsaid++ == 0)
			atexit(say_unsaid);
		return;
	}
	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

bool bg_strlcpy(char *dst, const char *src, size_t len)
{
	size_t n = strlen(src);

	if (len == 0)
		return false;
	if (n >= len) {
		memcpy(dst, src, len - 1);
		dst[len - 1] = '\0';
		return false;
	}
	memcpy(dst, src, n + 1);
	return true;
}

int bg_read_file(const char *path, size_t max, char **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b;
	int fd;

	struct stat st;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* A device is refused before any read: /dev/zero or /dev/urandom
	 * would fill `max` bytes (a GiB for a Go binary) before the size
	 * limit said no.  Pipes are read (`-` and /dev/stdin as a pipe). */
	if (fstat(fd, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) {
		close(fd);
		return -ENODEV;
	}
	b = malloc(cap + 1);
	if (!b) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb;

			if (cap >= max) {
				free(b);
				close(fd);
				return -EFBIG;
			}
			cap = cap * 2 > max ? max : cap * 2;
			nb = realloc(b, cap + 1);
			if (!nb) {
				free(b);
				close(fd);
				return -ENOMEM;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			free(b);
			close(fd);
			return -e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

int64_t bg_boot_to_realtime_offset(void)
{
	struct timespec rt, bt;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	return ((int64_t)rt.tv_sec - bt.tv_sec) * 1000000000LL + (rt.tv_nsec - bt.tv_nsec);
}

void bg_format_rfc3339(uint64_t realtime_ns, char *buf, size_t len)
{
	/* The seconds part changes once a second, events come by the
	 * thousand: keep the last one formatted (per thread). */
	static __thread time_t last = -1;
	static __thread char base[32];
	time_t sec = (time_t)(realtime_ns / 1000000000ULL);
	unsigned long nsec = (unsigned long)(realtime_ns % 1000000000ULL);
	size_t n;

	if (sec != last) {
		struct tm tm;

		gmtime_r(&sec, &tm);
		strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
		last = sec;
	}
	n = strlen(base);
	if (len < n + 12) { /* too small for the whole stamp: nothing half */
		if (len)
			buf[0] = '\0';
		return;
	}
	memcpy(buf, base, n);
	buf[n] = '.';
	for (int i = 9; i >= 1; i--) {
		buf[n + (size_t)i] = (char)('0' + nsec % 10);
		nsec /= 10;
	}
	buf[n + 10] = 'Z';
	buf[n + 11] = '\0';
}

void bg_sha256_hex(const uint8_t h[32], char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

bool bg_sha256_parse(const char *s, uint8_t out[32])
{
	if (!strncmp(s, "sha256:", 7))
		s += 7;
	if (strlen(s) != 64)
		return false;
	for (int i = 0; i < 32; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1 || !isxdigit((unsigned char)s[2 * i]) ||
		    !isxdigit((unsigned char)s[2 * i + 1]))
			return false;
		out[i] = (uint8_t)v;
	}
	return true;
}

/* 30s, 500ms, 2m, 1h, 1.5 (seconds) */
int bg_parse_duration_ms(const char *s, uint64_t *ms)
{
	char *end;
	double v, mul = 1000;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v <= 0 || !isfinite(v))
		return -1;
	if (!strcmp(end, "ms"))
		mul = 1;
	else if (!strcmp(end, "s") || !*end)
		mul = 1000;
	else if (!strcmp(end, "m"))
		mul = 60000;
	else if (!strcmp(end, "h"))
		mul = 3600000;
	else
		return -1;
	if (v * mul < 1 || v * mul > 1e12)
		return -1;
	*ms = (uint64_t)(v * mul);
	return 0;
}

void bg_phase(const char *what)
{
	static int on = -1;
	static struct timespec t0;
	struct timespec t;

	if (on < 0) {
		on = getenv("BPFGUARD_TIMING") != NULL;
		clock_gettime(CLOCK_MONOTONIC, &t0);
	}
	if (!on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t);
	fprintf(stderr, "bpfguard: timing: %-24s %8.3f ms\n", what,
		(double)(t.tv_sec - t0.tv_sec) * 1e3 + (double)(t.tv_nsec - t0.tv_nsec) / 1e6);
}

const char *bg_boot_id(void)
{
	static char id[40];
	static bool done;

	if (!done) {
		FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

		if (!f || !fgets(id, sizeof(id), f))
			id[0] = '\0';
		if (f)
			fclose(f);
		id[strcspn(id, "\n")] = '\0';
		done = true;
	}
	return id;
}

uint64_t bg_fnv1a64(const void *data, size_t len)
{
	const unsigned char *b = data;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

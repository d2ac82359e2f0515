// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * execattack - what an attacker does to a file the exec allowlist vouched
 * for, step by step, so tests/security can check each step is caught.
 *
 *   execattack [--cgroup DIR] ACTION ARGS...
 *
 *   whoami                  print this binary's marker; exit 42 if it reads
 *                           "evil" (someone patched the file), else 0
 *   marker-offset PATH      print the offset of the marker in PATH (a copy
 *                           of this binary), for map-patch
 *   map-patch PATH OFF STR  map PATH shared and writable, dirty every page
 *                           (the first write fault of each), close the fd,
 *                           print "mapped", wait for a line on stdin, then
 *                           write STR at OFF through the old mapping (no
 *                           new fault: ctime stays), unmap, print "patched"
 *   hold-write PATH         open PATH for writing, print "open", wait for a
 *                           line on stdin, close
 *   mmap-exec PATH          mmap PROT_READ|PROT_EXEC (private)
 *   mprotect-exec PATH      mmap PROT_READ (private), then mprotect to
 *                           PROT_READ|PROT_EXEC
 *   swap-link LINK A B SEC  for SEC seconds, atomically point LINK at A,
 *                           then B, then A... (symlink + rename)
 *
 * The mapping actions print "ACTION: ok" or "ACTION: errno N" and exit 1
 * on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "enter_cgroup.h"

/* In .rodata, read through a volatile pointer so the check reads the
 * bytes the file has now (a patched page shows here). */
static const char marker[] = "BGMARK:benign";

static int whoami(void)
{
	const volatile char *m = marker;
	char got[sizeof(marker)];

	for (size_t i = 0; i < sizeof(marker); i++)
		got[i] = m[i];
	got[sizeof(got) - 1] = '\0';
	printf("%s\n", got);
	return strstr(got, "evil") ? 42 : 0;
}

static int report(const char *what, int failed)
{
	if (failed)
		printf("%s: errno %d\n", what, errno);
	else
		printf("%s: ok\n", what);
	fflush(stdout);
	return failed;
}

static int marker_offset(const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t n = strlen(marker), have = 0;
	long off = 0;
	char win[64];
	int c;

	if (!f)
		return report("marker-offset", 1);
	while ((c = fgetc(f)) != EOF) {
		if (have == n) {
			memmove(win, win + 1, n - 1);
			have--;
			off++;
		}
		win[have++] = (char)c;
		if (have == n && !memcmp(win, marker, n)) {
			printf("%ld\n", off);
			fclose(f);
			return 0;
		}
	}
	fclose(f);
	fprintf(stderr, "execattack: no marker in %s\n", path);
	return 1;
}

static void wait_line(void)
{
	char buf[64];

	if (!fgets(buf, sizeof(buf), stdin))
		return;
}

static int map_patch(const char *path, long off, const char *str)
{
	int fd = open(path, O_RDWR);
	struct stat st;
	volatile char *m;

	if (fd < 0 || fstat(fd, &st))
		return report("map-patch", 1);
	if (off < 0 || off + (long)strlen(str) > st.st_size) {
		fprintf(stderr, "execattack: offset %ld out of %s\n", off, path);
		return 1;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd); /* the mapping keeps the file open for writing */
	if (m == MAP_FAILED)
		return report("map-patch", 1);
	for (off_t p = 0; p < st.st_size; p += 4096)
		m[p] = m[p];
	printf("mapped\n");
	fflush(stdout);
	wait_line();
	for (size_t i = 0; str[i]; i++)
		m[off + (long)i] = str[i];
	munmap((void *)m, (size_t)st.st_size);
	printf("patched\n");
	fflush(stdout);
	return 0;
}

static int hold_write(const char *path)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		return report("hold-write", 1);
	printf("open\n");
	fflush(stdout);
	wait_line();
	close(fd);
	return 0;
}

static int map_exec(const char *path, int later)
{
	const char *what = later ? "mprotect-exec" : "mmap-exec";
	int fd = open(path, O_RDONLY);
	void *m;
	int failed;

	if (fd < 0)
		return report(what, 1);
	m = mmap(NULL, 4096, later ? PROT_READ : PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return report(what, 1);
	failed = later ? mprotect(m, 4096, PROT_READ | PROT_EXEC) != 0 : 0;
	report(what, failed);
	munmap(m, 4096);
	return failed;
}

static int swap_link(const char *link, const char *a, const char *b, double secs)
{
	char tmp[4096];
	struct timespec t0, now;
	unsigned long n = 0;

	snprintf(tmp, sizeof(tmp), "%s.swap", link);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		unlink(tmp);
		if (symlink(n++ & 1 ? b : a, tmp) || rename(tmp, link)) {
			perror("execattack: swap-link");
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((double)(now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9 < secs);
	printf("swapped %lu times\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	int i = 1;

	if (argc > 2 && !strcmp(argv[1], "--cgroup")) {
		if (enter_cgroup(argv[2])) {
			perror("execattack: cannot enter the cgroup");
			return 100;
		}
		i = 3;
	}
	if (i >= argc)
		goto usage;
	if (!strcmp(argv[i], "whoami"))
		return whoami();
	if (!strcmp(argv[i], "marker-offset") && i + 1 < argc)
		return marker_offset(argv[i + 1]);
	if (!strcmp(argv[i], "map-patch") && i + 3 < argc)
		return map_patch(argv[i + 1], strtol(argv[i + 2], NULL, 10), argv[i + 3]);
	if (!strcmp(argv[i], "hold-write") && i + 1 < argc)
		return hold_write(argv[i + 1]);
	if (!strcmp(argv[i], "mmap-exec") && i + 1 < argc)
		return map_exec(argv[i + 1], 0);
	if (!strcmp(argv[i], "mprotect-exec") && i + 1 < argc)
		return map_exec(argv[i + 1], 1);
	if (!strcmp(argv[i], "swap-link") && i + 4 < argc)
		return swap_link(argv[i + 1], argv[i + 2], argv[i + 3], strtod(argv[i + 4], NULL));
usage:
	fprintf(stderr, "usage: execattack [--cgroup DIR] whoami | marker-offset PATH | map-patch PATH OFF STR | hold-write PATH |\n"
			"       mmap-exec PATH | mprotect-exec PATH | swap-link LINK A B SECONDS\n");
	return 100;
}

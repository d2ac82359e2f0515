// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * exec_bench - per-execve latency for scripts/bench-exec.  Built by that
 * script with cc (not by cmake: it needs nothing of bpfguard).
 *
 *   exec_bench [--cgroup DIR] N BINARY
 *
 * Enters DIR (cgroup v2) first, if given; then spawns BINARY N times
 * (posix_spawn: vfork + execve, then waitpid), timing each from spawn to
 * reaped, after 100 warm-up runs.  Prints "median_ns p90_ns total_ns"; a
 * failed spawn or a child that does not exit 0 fails the run (exit 1).
 */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int one(const char *bin)
{
	char *argv[] = { (char *)bin, NULL };
	pid_t pid;
	int st;

	if (posix_spawn(&pid, bin, NULL, NULL, argv, environ))
		return -1;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t *t, t0;
	long n;
	int i = 1;

	if (argc > 3 && !strcmp(argv[1], "--cgroup")) {
		char p[4096];
		FILE *f;

		snprintf(p, sizeof(p), "%s/cgroup.procs", argv[2]);
		f = fopen(p, "w");
		if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f)) {
			fprintf(stderr, "exec_bench: cannot enter %s\n", argv[2]);
			return 1;
		}
		i = 3;
	}
	if (argc - i != 2 || (n = atol(argv[i])) <= 0) {
		fprintf(stderr, "usage: exec_bench [--cgroup DIR] N BINARY\n");
		return 2;
	}
	t = calloc((size_t)n, sizeof(*t));
	if (!t)
		return 1;
	for (int w = 0; w < 100; w++)
		if (one(argv[i + 1])) {
			fprintf(stderr, "exec_bench: %s did not run and exit 0\n", argv[i + 1]);
			return 1;
		}
	t0 = now();
	for (long k = 0; k < n; k++) {
		uint64_t s = now();

		if (one(argv[i + 1])) {
			fprintf(stderr, "exec_bench: %s did not run and exit 0 (run %ld)\n", argv[i + 1], k);
			return 1;
		}
		t[k] = now() - s;
	}
	t0 = now() - t0;
	qsort(t, (size_t)n, sizeof(*t), cmp);
	printf("%llu %llu %llu\n", (unsigned long long)t[n / 2], (unsigned long long)t[n * 9 / 10],
	       (unsigned long long)t0);
	free(t);
	return 0;
}

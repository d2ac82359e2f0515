// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sysloop - times a syscall loop for the VM benchmark (tests/vm/bench_lsm.sh).
 *
 *   sysloop [--cgroup DIR] getppid|openclose|stat N
 *
 * Prints "<op> <N> <ns per op>".  openclose and stat reach several LSM
 * hooks per iteration (file_alloc_security, file_open, inode_permission,
 * inode_getattr), so they show what the LSM programs cost a task that is
 * not marked.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "enter_cgroup.h"

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	const char *op;
	long n;
	int a = 1;
	struct stat st;

	if (argc > 3 && !strcmp(argv[1], "--cgroup")) {
		if (enter_cgroup(argv[2])) {
			perror("sysloop: cgroup");
			return 1;
		}
		a = 3;
	}
	if (argc - a != 2) {
		fprintf(stderr, "usage: sysloop [--cgroup DIR] getppid|badclose|openclose|stat N\n");
		return 2;
	}
	op = argv[a];
	n = strtol(argv[a + 1], NULL, 10);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		if (!strcmp(op, "getppid")) {
			syscall(SYS_getppid);
		} else if (!strcmp(op, "openclose")) {
			int fd = open("/proc/self/stat", O_RDONLY);

			if (fd >= 0)
				close(fd);
		} else if (!strcmp(op, "stat")) {
			stat("/", &st);
		} else if (!strcmp(op, "badclose")) {
			/* close(-1): EBADF at once, nothing namespaced on the way
			 * (getppid and getuid translate ids through the caller's
			 * pid and user namespaces, which a sandbox changes) */
			syscall(SYS_close, -1);
		} else {
			fprintf(stderr, "sysloop: unknown op %s\n", op);
			return 2;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%s %ld %.1f\n", op, n,
	       ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / (double)n);
	return 0;
}

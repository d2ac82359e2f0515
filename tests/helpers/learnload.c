// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * learnload - a workload for tests/integration/test_learn.sh: makes a
 * known set of syscalls, the same ones on every run, so that a policy
 * learned from one run can be enforced on the next.
 *
 *   learnload [--cgroup DIR] ACTION [ARG] ...
 *
 *   mix             file, pipe, socket (AF_INET/dgram, AF_UNIX/stream),
 *                   fork (clone without namespace flags), prctl, uname;
 *                   prints one fixed line per step
 *   getppid N       N getppid() calls: the count the learner must report
 *   getppid-mt N T  N getppid() calls in each of T threads (1..64)
 *   sys NAME        one harmless call nothing else here makes: getcpu,
 *                   times, sysinfo, getpriority, sched_getscheduler
 *   socket6         socket(AF_INET6, SOCK_DGRAM): a family mix never uses
 *   fork-newuser    clone(CLONE_NEWUSER|SIGCHLD): a flag mix never uses
 *
 * --cgroup moves the process into DIR first (enter_cgroup.h), so only
 * this program's own calls happen inside.  Exit code: 0, or the number of
 * failed steps; 100 for bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "enter_cgroup.h"

static int step(const char *what, long r)
{
	if (r < 0) {
		printf("%s: errno %d\n", what, errno);
		fflush(stdout);
		return 1;
	}
	printf("%s: ok\n", what);
	fflush(stdout);
	return 0;
}

static int mix(void)
{
	struct utsname u;
	struct stat st;
	char buf[64];
	int failed = 0, fd, p[2], status;
	pid_t pid;

	fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	failed += step("open", fd);
	failed += step("read", fd < 0 ? -1 : read(fd, buf, sizeof(buf)));
	if (fd >= 0)
		close(fd);
	failed += step("stat", stat("/", &st));
	failed += step("pipe", pipe(p));
	failed += step("pipe-write", write(p[1], "x", 1));
	failed += step("pipe-read", read(p[0], buf, 1));
	close(p[0]);
	close(p[1]);

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	failed += step("socket-inet", fd);
	if (fd >= 0)
		close(fd);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	failed += step("socket-unix", fd);
	if (fd >= 0)
		close(fd);

	pid = fork();
	if (pid == 0)
		_exit(7);
	failed += step("fork", pid);
	if (pid > 0 && waitpid(pid, &status, 0) == pid) {
		printf("child: exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		fflush(stdout);
	}
	failed += step("prctl", prctl(PR_SET_NAME, "learnload", 0, 0, 0));
	failed += step("uname", uname(&u));
	return failed;
}

struct loop {
	long n;
};

static void *getppid_loop(void *arg)
{
	const struct loop *l = arg;

	for (long i = 0; i < l->n; i++)
		syscall(SYS_getppid);
	return NULL;
}

static int getppid_threads(long n, long t)
{
	pthread_t th[64];
	struct loop l = { n };

	if (t < 1 || t > 64)
		return 1;
	for (long i = 1; i < t; i++)
		if (pthread_create(&th[i], NULL, getppid_loop, &l))
			return 1;
	getppid_loop(&l);
	for (long i = 1; i < t; i++)
		pthread_join(th[i], NULL);
	printf("getppid: %ld x %ld\n", t, n);
	fflush(stdout);
	return 0;
}

static long one_sys(const char *name)
{
	static const struct { const char *name; long nr; } t[] = {
		{ "getcpu", SYS_getcpu }, { "times", SYS_times }, { "sysinfo", SYS_sysinfo },
		{ "getpriority", SYS_getpriority }, { "sched_getscheduler", SYS_sched_getscheduler },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcmp(name, t[i].name))
			continue;
		/* NULL pointers and zero ids: each either succeeds or fails
		 * with EFAULT without side effects */
		syscall(t[i].nr, 0, 0, 0);
		return 0;
	}
	errno = EINVAL;
	return -1;
}

int main(int argc, char **argv)
{
	int failed = 0, i = 1;

	if (argc > 2 && !strcmp(argv[1], "--cgroup")) {
		if (enter_cgroup(argv[2])) {
			fprintf(stderr, "learnload: cannot enter cgroup %s: %s\n", argv[2], strerror(errno));
			return 100;
		}
		i = 3;
	}
	for (; i < argc; i++) {
		const char *a = argv[i], *arg = i + 1 < argc ? argv[i + 1] : "";

		if (!strcmp(a, "mix")) {
			failed += mix();
		} else if (!strcmp(a, "getppid")) {
			failed += getppid_threads(strtol(arg, NULL, 10), 1);
			i++;
		} else if (!strcmp(a, "getppid-mt")) {
			failed += getppid_threads(strtol(arg, NULL, 10),
						  i + 2 < argc ? strtol(argv[i + 2], NULL, 10) : 0);
			i += 2;
		} else if (!strcmp(a, "sys")) {
			failed += step(arg, one_sys(arg));
			i++;
		} else if (!strcmp(a, "socket6")) {
			int fd = socket(AF_INET6, SOCK_DGRAM, 0);

			failed += step(a, fd);
			if (fd >= 0)
				close(fd);
		} else if (!strcmp(a, "fork-newuser")) {
			long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);

			if (pid == 0)
				syscall(SYS_exit, 0);
			failed += step(a, pid);
			if (pid > 0)
				waitpid((pid_t)pid, NULL, 0);
		} else {
			fprintf(stderr, "learnload: unknown action %s\n", a);
			return 100;
		}
	}
	return failed;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * escaper - a guarded payload that tries to leave its cgroup, for the
 * bypass suite (tests/security/test_cgroup_escape.sh and its VM half).
 *
 *   escaper [--cgroup DIR] ACTION DST PATH
 *
 *   move-self DST PATH    write our own pid into DST/cgroup.procs, then
 *                         mkdir(PATH) (a call the policy kills or denies)
 *   move-thread DST PATH  a second thread (not the leader) writes the
 *                         process's pid into DST/cgroup.procs, then calls
 *                         mkdir(PATH)
 *   move-child DST PATH   fork a child that waits; the parent moves it to
 *                         DST, then lets it mkdir(PATH)
 *   clone-into DST PATH   clone3(CLONE_INTO_CGROUP, DST): the child is
 *                         born in DST and calls mkdir(PATH)
 *
 * Prints what each step returned ("move: ok", "mkdir: errno 1", "child:
 * killed by signal 9", ...), flushed line by line so a test sees how far
 * it got even when the kernel kills us.  Exit 0 unless a step itself
 * failed to run.
 */

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "enter_cgroup.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

static void say(const char *what, long r)
{
	if (r < 0)
		printf("%s: errno %d\n", what, errno);
	else
		printf("%s: ok\n", what);
	fflush(stdout);
}

static long write_id(const char *dir, const char *file, long id)
{
	char p[4096], buf[32];
	int fd, n;
	long r;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	fd = open(p, O_WRONLY);
	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%ld\n", id);
	r = write(fd, buf, n);
	close(fd);
	return r == n ? 0 : -1;
}

static void child_status(int st)
{
	if (WIFSIGNALED(st))
		printf("child: killed by signal %d\n", WTERMSIG(st));
	else
		printf("child: exit %d\n", WEXITSTATUS(st));
	fflush(stdout);
}

struct thr { const char *dst, *path; };

static void *thread_escape(void *arg)
{
	struct thr *t = arg;

	say("move", write_id(t->dst, "cgroup.procs", getpid()));
	say("mkdir", mkdir(t->path, 0755));
	return NULL;
}

int main(int argc, char **argv)
{
	const char *a, *dst, *path;
	int i = 1, st, pfd[2];
	pid_t pid;

	if (argc > 2 && !strcmp(argv[1], "--cgroup")) {
		if (enter_cgroup(argv[2])) {
			perror("escaper: entering cgroup");
			return 100;
		}
		i = 3;
	}
	if (argc - i != 3) {
		fprintf(stderr, "usage: escaper [--cgroup DIR] move-self|move-thread|move-child|clone-into DST PATH\n");
		return 2;
	}
	/* The guard may kill a child before we write to its pipe: that write
	 * must fail with EPIPE, not kill us before we report the child. */
	signal(SIGPIPE, SIG_IGN);
	a = argv[i];
	dst = argv[i + 1];
	path = argv[i + 2];

	if (!strcmp(a, "move-self")) {
		say("move", write_id(dst, "cgroup.procs", getpid()));
		say("mkdir", mkdir(path, 0755));
		return 0;
	}
	if (!strcmp(a, "move-thread")) {
		struct thr t = { dst, path };
		pthread_t th;

		if (pthread_create(&th, NULL, thread_escape, &t))
			return 100;
		pthread_join(th, NULL);
		return 0;
	}
	if (!strcmp(a, "move-child")) {
		char c;

		if (pipe(pfd))
			return 100;
		pid = fork();
		if (pid == 0) {
			close(pfd[1]);
			if (read(pfd[0], &c, 1) != 1)
				_exit(100);
			say("mkdir", mkdir(path, 0755));
			_exit(0);
		}
		close(pfd[0]);
		say("move", write_id(dst, "cgroup.procs", pid));
		if (write(pfd[1], "g", 1) != 1) {
			/* the child is gone already */
		}
		close(pfd[1]);
		waitpid(pid, &st, 0);
		child_status(st);
		return 0;
	}
	if (!strcmp(a, "clone-into")) {
		struct clone_args ca;
		int cgfd = open(dst, O_RDONLY | O_DIRECTORY);

		if (cgfd < 0)
			return 100;
		memset(&ca, 0, sizeof(ca));
		ca.flags = CLONE_INTO_CGROUP;
		ca.exit_signal = SIGCHLD;
		ca.cgroup = (uint64_t)cgfd;
		pid = syscall(SYS_clone3, &ca, sizeof(ca));
		if (pid == 0) {
			say("mkdir", mkdir(path, 0755));
			_exit(0);
		}
		say("clone", pid);
		if (pid < 0)
			return 0;
		waitpid(pid, &st, 0);
		child_status(st);
		return 0;
	}
	fprintf(stderr, "escaper: unknown action %s\n", a);
	return 2;
}

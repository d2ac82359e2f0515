/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* enter_cgroup.h - test helpers move themselves into a cgroup before the
 * syscalls under test, so nothing else (shell, loader) runs inside it. */
#ifndef BG_TEST_ENTER_CGROUP_H
#define BG_TEST_ENTER_CGROUP_H

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static inline int enter_cgroup(const char *dir)
{
	char path[4096], buf[32];
	int fd, n, ret = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%d\n", getpid());
	if (write(fd, buf, n) != n)
		ret = -1;
	close(fd);
	return ret;
}

#endif

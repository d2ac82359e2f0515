// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* runcache.c - see runcache.h. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader.h"
#include "runcache.h"

bool bg_self_id(struct bg_self_id *id)
{
	struct stat st;

	memset(id, 0, sizeof(*id));
	if (stat("/proc/self/exe", &st))
		return false;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->size = (__u64)st.st_size;
	id->mtime_ns = (__u64)st.st_mtim.tv_sec * 1000000000ull + (__u64)st.st_mtim.tv_nsec;
	id->euid = geteuid();
	return true;
}

static bool read_all(int fd, void *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = read(fd, (char *)buf + off, len - off);

		if (n <= 0)
			return false;
		off += (size_t)n;
	}
	return true;
}

ssize_t bg_runcache_get(const char *name, const void *key, size_t klen, void *val, size_t vmax)
{
	struct bg_diag d = {};
	struct stat st;
	ssize_t ret = -1;
	void *got = NULL;
	int dir = bg_run_dir(&d), fd;

	if (dir < 0)
		return -1;
	fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	close(dir);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() && (st.st_mode & 077) == 0 &&
	    st.st_size >= (off_t)klen && (size_t)st.st_size - klen <= vmax && (got = malloc(klen ? klen : 1)) &&
	    read_all(fd, got, klen) && memcmp(got, key, klen) == 0 &&
	    read_all(fd, val, (size_t)st.st_size - klen))
		ret = (ssize_t)((size_t)st.st_size - klen);
	free(got);
	close(fd);
	return ret;
}

void bg_runcache_put(const char *name, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct bg_diag d = {};
	char tmp[256];
	int dir, fd;
	bool ok;

	if (geteuid() != 0 || (dir = bg_run_dir(&d)) < 0)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", name, (int)getpid());
	unlinkat(dir, tmp, 0);
	fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		ok = write(fd, key, klen) == (ssize_t)klen && write(fd, val, vlen) == (ssize_t)vlen;
		ok = close(fd) == 0 && ok;
		if (!ok || renameat(dir, tmp, dir, name))
			unlinkat(dir, tmp, 0);
	}
	close(dir);
}

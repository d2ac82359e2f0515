// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cgroup.h"
#include "util.h"

#ifndef FILEID_KERNFS
#define FILEID_KERNFS 0xfe
#endif

/* The answer of the last read of mountinfo, for this process: a run asked
 * three times before its clone, ~15 us each (the kernel writes the whole
 * table out).  Used again only while that path is still a cgroup2 mount
 * (statfs), so a remount elsewhere is read afresh. */
static char mount_cache[PATH_MAX];

int bg_cgroup2_mount(char *buf, size_t len)
{
	FILE *f;
	char line[4096];
	struct statfs sfs;
	int ret = -ENOENT;

	if (mount_cache[0] && statfs(mount_cache, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
		return bg_strlcpy(buf, mount_cache, len) ? 0 : -ENAMETOOLONG;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	/* "36 25 0:31 / /sys/fs/cgroup/unified rw,... shared:9 - cgroup2 cgroup2 rw" */
	while (fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");
		char mnt[PATH_MAX], fstype[64];

		if (!sep || sscanf(sep + 3, "%63s", fstype) != 1 || strcmp(fstype, "cgroup2"))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		if (bg_strlcpy(buf, mnt, len))
			ret = 0;
		else
			ret = -ENAMETOOLONG;
		bg_strlcpy(mount_cache, mnt, sizeof(mount_cache));
		break;
	}
	fclose(f);
	return ret;
}

int bg_cgroup_resolve(const char *path, struct bg_cgpath *out, struct bg_diag *diag)
{
	char mnt[PATH_MAX], joined[PATH_MAX * 2], real[PATH_MAX];
	struct statfs sfs;
	struct stat st;
	size_t mlen;

	if (!path || !*path) {
		bg_diag_set(diag, "empty cgroup path; give a cgroup v2 directory");
		return -1;
	}
	if (bg_cgroup2_mount(mnt, sizeof(mnt)) < 0) {
		bg_diag_set(diag, "cgroup v2 is not mounted; mount it (mount -t cgroup2 none /sys/fs/cgroup/unified) and retry");
		return -1;
	}
	if (path[0] == '/')
		snprintf(joined, sizeof(joined), "%s", path);
	else
		snprintf(joined, sizeof(joined), "%s/%s", mnt, path);
	if (!realpath(joined, real)) {
		bg_diag_set(diag, "cgroup '%s': %s (looked at %s); create it with mkdir under %s",
			    path, strerror(errno), joined, mnt);
		return -1;
	}
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
		bg_diag_set(diag, "cgroup '%s': %s is not a directory; give a cgroup v2 directory under %s",
			    path, real, mnt);
		return -1;
	}
	if (statfs(real, &sfs) < 0 || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		bg_diag_set(diag, "cgroup '%s': %s is not on the cgroup v2 filesystem (mounted at %s); give a directory under it",
			    path, real, mnt);
		return -1;
	}
	mlen = strlen(mnt);
	if (strncmp(real, mnt, mlen) || (real[mlen] && real[mlen] != '/')) {
		bg_diag_set(diag, "cgroup '%s': %s is outside the cgroup v2 mount %s",
			    path, real, mnt);
		return -1;
	}
	bg_strlcpy(out->abs, real, sizeof(out->abs));
	bg_strlcpy(out->rel, real[mlen] ? real + mlen : "/", sizeof(out->rel));
	out->id = st.st_ino;
	return 0;
}

/* Does the directory have a subdirectory?  (Only asked at the depth limit:
 * a leaf there is fine, anything below it would go unvisited.) */
static bool has_subdir(DIR *d)
{
	struct dirent *de;

	while ((de = readdir(d)))
		if (de->d_type == DT_DIR && strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			return true;
	return false;
}

/* Takes over dirfd: every return path closes it. */
static int walk_at(int dirfd, const char *abs, uint64_t id, int depth,
		   bg_cgroup_visit_fn fn, void *ctx, bool *too_deep)
{
	struct dirent *de;
	DIR *d;
	int ret;

	ret = fn(abs, id, depth, ctx);
	if (ret) {
		close(dirfd);
		return ret == BG_WALK_PRUNE ? 0 : ret;
	}
	/* readdir after the visit: a child created before this point is
	 * listed below, one created after it inherited in the kernel. */
	d = fdopendir(dirfd);
	if (!d) {
		ret = -errno;
		close(dirfd);
		return ret;
	}
	if (depth >= BG_CGROUP_MAX_DEPTH) {
		if (has_subdir(d))
			*too_deep = true;
		closedir(d);
		return 0;
	}
	while ((de = readdir(d))) {
		char child[PATH_MAX];
		struct stat st;
		int cfd;

		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		cfd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cfd < 0)
			continue; /* removed meanwhile */
		if (fstat(cfd, &st) < 0) {
			close(cfd);
			continue;
		}
		if ((size_t)snprintf(child, sizeof(child), "%s/%s", abs, de->d_name) >= sizeof(child)) {
			/* A path this long is far below any depth we walk. */
			close(cfd);
			*too_deep = true;
			continue;
		}
		ret = walk_at(cfd, child, st.st_ino, depth + 1, fn, ctx, too_deep); /* closes cfd */
		if (ret)
			break;
	}
	closedir(d);
	return ret;
}

int bg_cgroup_walk(const char *abs, bg_cgroup_visit_fn fn, void *ctx)
{
	bool too_deep = false;
	struct stat st;
	int fd, ret;

	fd = open(abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	ret = walk_at(fd, abs, st.st_ino, 0, fn, ctx, &too_deep); /* closes fd */
	return ret ? ret : too_deep ? BG_WALK_TOO_DEEP : 0;
}

int bg_cgroup_path_by_id(uint64_t id, char *rel, size_t len)
{
	struct {
		struct file_handle fh;
		uint64_t id;
	} h = { .fh = { .handle_bytes = sizeof(uint64_t), .handle_type = FILEID_KERNFS }, .id = id };
	char mnt[PATH_MAX], link[64], path[PATH_MAX];
	size_t mlen;
	ssize_t n;
	int mfd, fd;

	if (bg_cgroup2_mount(mnt, sizeof(mnt)) < 0)
		return -ENOENT;
	mfd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0)
		return -errno;
	fd = open_by_handle_at(mfd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(mfd);
	if (fd < 0)
		return -errno;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	path[n] = '\0';
	mlen = strlen(mnt);
	if (strncmp(path, mnt, mlen))
		return -ENOENT;
	bg_strlcpy(rel, path[mlen] ? path + mlen : "/", len);
	return 0;
}

int bg_cgroup_enter(const char *abs, int pid)
{
	char p[PATH_MAX + 32], buf[32];
	int fd, n, ret = 0;

	snprintf(p, sizeof(p), "%s/cgroup.procs", abs);
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%d\n", pid);
	if (write(fd, buf, n) != n)
		ret = -errno;
	close(fd);
	return ret;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * probe_cache.c - the probe's answer kept for the rest of the boot
 * (probe.h: bg_probe_cached).
 *
 * Why it is safe to reuse: every item is a property of the running kernel
 * and its boot parameters (BTF, program types, BPF LSM in lsm=, ia32
 * emulation, seccomp), none of which changes until a reboot; the few
 * that can (the cgroup2 and bpffs mounts) are re-probed each time.  The
 * key is the boot id, the kernel's release and version strings, our own
 * binary (device, inode, size, mtime: a rebuilt or upgraded bpfguard
 * probes again, its probe may differ) and the caller's euid.
 *
 * Where: BG_RUN_DIR, the root-only directory bpfguard already checks
 * (bg_run_dir); the file is read only if it is a regular file of ours,
 * mode 0600, of exactly the size we write, and it is replaced by rename.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bpfguard.h"
#include "loader.h"
#include "probe.h"

#define CACHE_NAME "probe.cache"
#define CACHE_TMP "probe.cache.tmp"

struct cache_key {
	char magic[8];
	__u32 size;   /* sizeof(struct bg_probe) */
	__u32 layout; /* BG_LAYOUT_VERSION */
	char boot_id[40];
	char release[65];
	char version[65];
	char pad[6];
	__u64 exe_dev, exe_ino, exe_size, exe_mtime_ns;
	__u32 euid;
	__u32 pad2;
};

static bool read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return ok && buf[0];
}

static bool make_key(struct cache_key *k)
{
	struct utsname u;
	struct stat st;

	memset(k, 0, sizeof(*k));
	memcpy(k->magic, "BGPROBE1", 8);
	k->size = sizeof(struct bg_probe);
	k->layout = BG_LAYOUT_VERSION;
	if (!read_line("/proc/sys/kernel/random/boot_id", k->boot_id, sizeof(k->boot_id)) || uname(&u) ||
	    stat("/proc/self/exe", &st))
		return false;
	snprintf(k->release, sizeof(k->release), "%s", u.release);
	snprintf(k->version, sizeof(k->version), "%s", u.version);
	k->exe_dev = st.st_dev;
	k->exe_ino = st.st_ino;
	k->exe_size = (__u64)st.st_size;
	k->exe_mtime_ns = (__u64)st.st_mtim.tv_sec * 1000000000ull + (__u64)st.st_mtim.tv_nsec;
	k->euid = geteuid();
	return true;
}

static bool load(const struct cache_key *want, struct bg_probe *p)
{
	struct bg_diag d = {};
	struct cache_key got;
	struct stat st;
	int dir = bg_run_dir(&d), fd;
	bool ok = false;

	if (dir < 0)
		return false;
	fd = openat(dir, CACHE_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	close(dir);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() && (st.st_mode & 077) == 0 &&
	    st.st_size == (off_t)(sizeof(got) + sizeof(*p)) && read(fd, &got, sizeof(got)) == (ssize_t)sizeof(got) &&
	    memcmp(&got, want, sizeof(got)) == 0 && read(fd, p, sizeof(*p)) == (ssize_t)sizeof(*p))
		ok = true;
	close(fd);
	return ok;
}

void bg_probe_store(const struct bg_probe *p)
{
	struct bg_diag d = {};
	struct cache_key k;
	int dir, fd;
	bool ok;

	if (geteuid() != 0 || !make_key(&k) || (dir = bg_run_dir(&d)) < 0)
		return;
	unlinkat(dir, CACHE_TMP, 0);
	fd = openat(dir, CACHE_TMP, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		ok = write(fd, &k, sizeof(k)) == (ssize_t)sizeof(k) && write(fd, p, sizeof(*p)) == (ssize_t)sizeof(*p);
		ok = close(fd) == 0 && ok;
		if (!ok || renameat(dir, CACHE_TMP, dir, CACHE_NAME))
			unlinkat(dir, CACHE_TMP, 0);
	}
	close(dir);
}

void bg_probe_cached(struct bg_probe *p, bool *cached)
{
	struct cache_key k;
	bool hit = make_key(&k) && load(&k, p);

	if (hit) {
		bg_probe_refresh(p);
	} else {
		bg_probe_run(p);
		bg_probe_store(p);
	}
	if (cached)
		*cached = hit;
}

void bg_probe_fresh(struct bg_probe *p)
{
	bg_probe_run(p);
	bg_probe_store(p);
}

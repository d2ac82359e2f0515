// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sandbox.c - inside the namespaces of `bpfguard run`, up to execve.
 *
 * The parent clone()s this child with new user, pid, mount, uts, ipc (and
 * net) namespaces.  It is pid 1 of the new pid namespace ("init"):
 *   1. waits for the parent's "go" (uid/gid maps written, moved into the
 *      run cgroups), dies with the parent (PR_SET_PDEATHSIG);
 *   2. unshares the cgroup namespace (rooted at the run cgroup);
 *   3. builds the file system view (--fs minimal: /usr, the library
 *      directories and a curated /etc on an empty read-only root; --fs
 *      host: a read-only recursive copy of the host root), a private
 *      size-capped /tmp, a fresh /proc with runc's masked and read-only
 *      paths, /sys read-only, a minimal /dev, the --ro/--rw binds;
 *      pivot_root into it;
 *   4. brings loopback up (--net none), sets the hostname;
 *   5. forks the payload, which starts its own session, takes the rlimit
 *      fallbacks, drops every capability, enforces the Landlock ruleset,
 *      installs the seccomp filter last and execs CMD;
 *   6. forwards INT/TERM/HUP/QUIT/USR1/USR2 to the payload, reaps orphans,
 *      and when the payload exits hands its wait status to the parent.
 * A payload that is pid 1 itself would ignore every signal it has no
 * handler for (the kernel protects a namespace's init), hence the init.
 *
 * Everything that fails before execve is reported to the parent as a
 * struct bg_launch_err over a close-on-exec pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include "run.h"
#include "util.h"

#ifndef SECBIT_NOROOT
#define SECBIT_NOROOT (1 << 0)
#define SECBIT_NOROOT_LOCKED (1 << 1)
#define SECBIT_NO_SETUID_FIXUP (1 << 2)
#define SECBIT_NO_SETUID_FIXUP_LOCKED (1 << 3)
#define SECBIT_KEEP_CAPS_LOCKED (1 << 5)
#define SECBIT_NO_CAP_AMBIENT_RAISE (1 << 6)
#define SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED (1 << 7)
#endif

#define NEWROOT "/tmp" /* where the new root is mounted (our namespace only) */

static void report(const struct bg_sandbox *sb, int stage, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void vreport(const struct bg_sandbox *sb, int stage, int err, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static void vreport(const struct bg_sandbox *sb, int stage, int err, const char *fmt, va_list ap)
{
	struct bg_launch_err e = { .stage = stage, .err = err };

	vsnprintf(e.what, sizeof(e.what), fmt, ap);
	if (write(sb->err_fd, &e, sizeof(e)) < 0) {
		/* nothing else to tell the parent with */
	}
}

static void report(const struct bg_sandbox *sb, int stage, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(sb, stage, err, fmt, ap);
	va_end(ap);
}

static void __attribute__((noreturn)) die(const struct bg_sandbox *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void die(const struct bg_sandbox *sb, const char *fmt, ...)
{
	int err = errno; /* before vsnprintf can change it */
	va_list ap;

	va_start(ap, fmt);
	vreport(sb, BG_STAGE_SETUP, err, fmt, ap);
	va_end(ap);
	_exit(BG_RUN_EXIT_ERROR);
}

/* ---- file system view ---- */

struct detached {
	int fd;
	const char *path; /* where it goes, relative to the new root */
	bool dir;
};

/* A detached recursive copy of the mount at path (open_tree). */
static int clone_tree(const char *path, bool rdonly)
{
	int fd = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);

	if (fd < 0)
		return -1;
	if (rdonly) {
		struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };

		if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a))) {
			int e = errno;

			close(fd);
			errno = e;
			return -1;
		}
	}
	return fd;
}

/* mkdir -p of the parents of path, then the mount point itself. */
static int make_mountpoint(const char *path, bool dir)
{
	char buf[PATH_MAX];
	struct stat st;

	if (lstat(path, &st) == 0)
		return 0;
	if (!bg_strlcpy(buf, path, sizeof(buf))) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (dir)
		return mkdir(path, 0755) && errno != EEXIST ? -1 : 0;
	int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static void attach_at(const struct bg_sandbox *sb, int fd, const char *rel, bool dir)
{
	char target[PATH_MAX];

	snprintf(target, sizeof(target), NEWROOT "%s", rel);
	if (make_mountpoint(target, dir))
		die(sb, "cannot create the mount point for %s", rel);
	if (move_mount(fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH))
		die(sb, "cannot bind %s", rel);
	close(fd);
}

const char *const bg_run_sysdirs[BG_RUN_NSYSDIRS] = { "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32" };

/* What --fs minimal keeps of the host's /etc (read-only; absent ones are
 * skipped): name resolution, TLS roots, time zone, the loader's cache and
 * Debian's alternatives symlinks.  Nothing with credentials in it (no
 * shadow, ssl/private, ssh, sudoers ...). */
static const char *const etc_keep[] = {
	"hosts", "resolv.conf", "nsswitch.conf", "host.conf", "gai.conf", "localtime", "timezone",
	"ld.so.cache", "ld.so.conf", "ld.so.conf.d", "protocols", "services", "ssl/certs",
	"ssl/openssl.cnf", "ca-certificates", "ca-certificates.conf", "alternatives", "os-release",
};

/* runc's default masked paths (plus kmsg): kernel memory, keys, timers and
 * hardware details, hidden behind /dev/null (files) or an empty read-only
 * tmpfs (directories) */
static const char *const masked[] = {
	"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/kmsg", "/proc/latency_stats",
	"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
	"/sys/devices/virtual/powercap",
};
/* runc's default read-only paths: /proc/sys and friends stay readable */
static const char *const readonly[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" };

static void mask_path(const struct bg_sandbox *sb, const char *rel)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), NEWROOT "%s", rel);
	if (lstat(path, &st))
		return; /* not on this kernel */
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "size=4k,nr_inodes=1,mode=0555"))
			die(sb, "cannot mask %s", rel);
		return;
	}
	fd = clone_tree("/dev/null", true);
	if (fd < 0 || move_mount(fd, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH))
		die(sb, "cannot mask %s", rel);
	close(fd);
}

static void readonly_path(const struct bg_sandbox *sb, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), NEWROOT "%s", rel);
	if (access(path, F_OK))
		return;
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) ||
	    mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		die(sb, "cannot make %s read-only", rel);
}

static void write_file(const struct bg_sandbox *sb, const char *rel, const char *text)
{
	char path[PATH_MAX];
	int fd;
	ssize_t n = (ssize_t)strlen(text);

	snprintf(path, sizeof(path), NEWROOT "%s", rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, n) != n)
		die(sb, "cannot write %s", rel);
	close(fd);
}

/* The host paths of the view, cloned (open_tree) while init still has the
 * credentials it was cloned with (bpfguard's host ids): a bind or CMD
 * under a directory only root may traverse (/root/...) is reachable
 * then, not once init is the namespace's root (the run's host id).
 * Attached later, by setup_mounts(). */
static const char *const devs[] = { "null", "zero", "full", "random", "urandom", "tty" };
static struct {
	int root;                             /* --fs host */
	int usr;
	int sysdir[BG_RUN_NSYSDIRS];          /* -1: absent or a symlink */
	char link[BG_RUN_NSYSDIRS][PATH_MAX]; /* the symlink's target, or "" */
	int etc[ARRAY_SIZE(etc_keep)];        /* -1: absent */
	bool etc_dir[ARRAY_SIZE(etc_keep)];
	int bind[BG_RUN_MAX_BINDS];
	bool bind_dir[BG_RUN_MAX_BINDS];
	int dev[ARRAY_SIZE(devs)];
	int sys; /* --fs minimal --net host: the host's /sys, recursive, read-only */
} src;

static void clone_sources(const struct bg_sandbox *sb)
{
	const struct bg_run_opts *o = sb->o;
	char path[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		die(sb, "cannot make the mount namespace private");
	src.root = src.usr = src.sys = -1;
	/* the sandbox cannot mount a sysfs of the host's network namespace,
	 * and cannot clone /sys without the mounts under it (they are locked
	 * in a user namespace): the whole tree, whose mounts are hidden later */
	if (o->fs == BG_FS_MINIMAL && o->net_host && (src.sys = clone_tree("/sys", true)) < 0)
		die(sb, "cannot copy /sys read-only");
	if (o->fs == BG_FS_HOST) {
		src.root = clone_tree("/", true);
		if (src.root < 0)
			die(sb, "cannot copy the host root read-only");
	} else {
		struct stat ust;

		/* (a busybox system, as in the VM tests, may have no /usr) */
		if (stat("/usr", &ust) == 0 && (src.usr = clone_tree("/usr", true)) < 0)
			die(sb, "cannot bind /usr");
		for (size_t i = 0; i < BG_RUN_NSYSDIRS; i++) {
			const char *d = bg_run_sysdirs[i];

			src.sysdir[i] = -1;
			src.link[i][0] = '\0';
			if (lstat(d, &st))
				continue;
			if (S_ISLNK(st.st_mode)) {
				n = readlink(d, src.link[i], sizeof(src.link[i]) - 1);
				if (n < 0)
					die(sb, "cannot read the symlink %s", d);
				src.link[i][n] = '\0';
			} else if (S_ISDIR(st.st_mode) && (src.sysdir[i] = clone_tree(d, true)) < 0) {
				die(sb, "cannot bind %s", d);
			}
		}
		for (size_t i = 0; i < ARRAY_SIZE(etc_keep); i++) {
			snprintf(path, sizeof(path), "/etc/%s", etc_keep[i]);
			src.etc[i] = -1;
			/* a symlink (resolv.conf into /run, localtime into
			 * zoneinfo) is followed: its target is what gets bound */
			if (stat(path, &st))
				continue;
			src.etc[i] = clone_tree(path, true);
			if (src.etc[i] < 0)
				die(sb, "cannot bind %s", path);
			src.etc_dir[i] = S_ISDIR(st.st_mode);
		}
	}
	for (unsigned i = 0; i < o->nbinds; i++) {
		src.bind[i] = clone_tree(o->binds[i].path, !o->binds[i].rw);
		if (src.bind[i] < 0)
			die(sb, "cannot bind %s (--%s)", o->binds[i].path, o->binds[i].rw ? "rw" : "ro");
		src.bind_dir[i] = fstat(src.bind[i], &st) || S_ISDIR(st.st_mode);
	}
	for (size_t i = 0; i < ARRAY_SIZE(devs); i++) {
		snprintf(path, sizeof(path), "/dev/%s", devs[i]);
		src.dev[i] = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	}
}

/* --fs minimal: an empty root (tmpfs, read-only once built) with /usr, the
 * library and binary directories as the host has them (symlinks into /usr
 * on a usr-merged system), a curated /etc with passwd/group entries for
 * the sandbox's ids, and mount points for the rest. */
static void minimal_root(const struct bg_sandbox *sb)
{
	char path[PATH_MAX], text[512];

	if (mount("tmpfs", NEWROOT, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m,nr_inodes=4096"))
		die(sb, "cannot mount the new root");
	if (src.usr >= 0)
		attach_at(sb, src.usr, "/usr", true);
	for (size_t i = 0; i < BG_RUN_NSYSDIRS; i++) {
		snprintf(path, sizeof(path), NEWROOT "%s", bg_run_sysdirs[i]);
		if (src.link[i][0] && symlink(src.link[i], path))
			die(sb, "cannot recreate the symlink %s", bg_run_sysdirs[i]);
		if (src.sysdir[i] >= 0)
			attach_at(sb, src.sysdir[i], bg_run_sysdirs[i], true);
	}
	if (mkdir(NEWROOT "/etc", 0755))
		die(sb, "cannot create /etc");
	/* The sandbox's root is the host id it maps to; every other host id
	 * shows as nobody (the overflow id). */
	snprintf(text, sizeof(text),
		 "root:x:0:0:bpfguard sandbox (host uid %u):/:/bin/sh\n"
		 "nobody:x:65534:65534:nobody (any host id not mapped):/nonexistent:/usr/sbin/nologin\n",
		 sb->host_uid);
	write_file(sb, "/etc/passwd", text);
	write_file(sb, "/etc/group", "root:x:0:\nnogroup:x:65534:\n");
	write_file(sb, "/etc/hostname", "bpfguard\n");
	for (size_t i = 0; i < ARRAY_SIZE(etc_keep); i++) {
		if (src.etc[i] < 0)
			continue;
		snprintf(path, sizeof(path), "/etc/%s", etc_keep[i]);
		attach_at(sb, src.etc[i], path, src.etc_dir[i]);
	}
	if (mkdir(NEWROOT "/tmp", 01777) || mkdir(NEWROOT "/proc", 0555) || mkdir(NEWROOT "/dev", 0755) ||
	    mkdir(NEWROOT "/sys", 0555))
		die(sb, "cannot create the mount points of the new root");
}

/* /sys read-only: a fresh sysfs where the sandbox owns its network
 * namespace (it then shows only its own devices), else the host's sysfs
 * without the mounts under it (no bpffs, cgroupfs, debugfs ...). */
static void mount_sys(const struct bg_sandbox *sb)
{
	char line[4096], mp[PATH_MAX], *sub[256];
	size_t n = 0;
	FILE *f;

	if (src.sys < 0) {
		if (mount("sysfs", NEWROOT "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
			die(sb, "cannot mount /sys read-only");
		return;
	}
	attach_at(sb, src.sys, "/sys", true);
	/* cgroupfs, bpffs, debugfs, tracefs ... under it: each behind an
	 * empty read-only tmpfs (mountinfo lists parents before children; a
	 * child of a hidden mount is gone already) */
	/* collected first: the masks are mounts under /sys themselves */
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		die(sb, "cannot read the mount table");
	while (n < ARRAY_SIZE(sub) && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 &&
		    !strncmp(mp, NEWROOT "/sys/", sizeof(NEWROOT "/sys/") - 1))
			sub[n++] = strdup(mp + sizeof(NEWROOT) - 1);
	fclose(f);
	for (size_t i = 0; i < n; i++)
		if (sub[i])
			mask_path(sb, sub[i]);
}

static void setup_mounts(const struct bg_sandbox *sb)
{
	const struct bg_run_opts *o = sb->o;
	char path[PATH_MAX], opts[128];

	if (o->fs == BG_FS_HOST) {
		if (move_mount(src.root, "", AT_FDCWD, NEWROOT, MOVE_MOUNT_F_EMPTY_PATH))
			die(sb, "cannot mount the new root");
		close(src.root);
	} else {
		minimal_root(sb);
	}

	/* tmpfs sizes bound what the payload can pin in memory without a
	 * --memory limit; inodes too (a tmpfs allows half of RAM's pages) */
	snprintf(opts, sizeof(opts), "mode=1777,size=%llu,nr_inodes=%llu", (unsigned long long)o->tmp_size,
		 (unsigned long long)(o->tmp_size / 2048 > 1024 ? o->tmp_size / 2048 : 1024));
	if (mount("tmpfs", NEWROOT "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, opts))
		die(sb, "cannot mount a private /tmp");
	if (mount("proc", NEWROOT "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		die(sb, "cannot mount a fresh /proc");
	if (o->fs == BG_FS_MINIMAL)
		mount_sys(sb);
	for (size_t i = 0; i < ARRAY_SIZE(masked); i++)
		mask_path(sb, masked[i]);
	for (size_t i = 0; i < ARRAY_SIZE(readonly); i++)
		readonly_path(sb, readonly[i]);
	/* /dev: a tmpfs with the harmless nodes bound from the host */
	if (mount("tmpfs", NEWROOT "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k"))
		die(sb, "cannot mount /dev");
	for (size_t i = 0; i < ARRAY_SIZE(devs); i++) {
		if (src.dev[i] < 0)
			continue;
		snprintf(path, sizeof(path), "/dev/%s", devs[i]);
		attach_at(sb, src.dev[i], path, false);
	}
	snprintf(opts, sizeof(opts), "mode=1777,size=%llu,nr_inodes=%llu", (unsigned long long)o->shm_size,
		 (unsigned long long)(o->shm_size / 2048 > 1024 ? o->shm_size / 2048 : 1024));
	if (mkdir(NEWROOT "/dev/shm", 01777) ||
	    mount("tmpfs", NEWROOT "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, opts))
		die(sb, "cannot mount /dev/shm");
	if (mkdir(NEWROOT "/dev/pts", 0755) == 0 &&
	    mount("devpts", NEWROOT "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=620") == 0) {
		if (symlink("pts/ptmx", NEWROOT "/dev/ptmx")) {
			/* optional */
		}
	}
	if (symlink("/proc/self/fd", NEWROOT "/dev/fd") || symlink("/proc/self/fd/0", NEWROOT "/dev/stdin") ||
	    symlink("/proc/self/fd/1", NEWROOT "/dev/stdout") || symlink("/proc/self/fd/2", NEWROOT "/dev/stderr"))
		die(sb, "cannot populate /dev");
	if (mount(NULL, NEWROOT "/dev", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC, NULL))
		die(sb, "cannot make /dev read-only");

	/* --ro / --rw, in the order given (a bind under /tmp lands on the
	 * private tmpfs) */
	for (unsigned i = 0; i < o->nbinds; i++)
		attach_at(sb, src.bind[i], o->binds[i].path, src.bind_dir[i]);
	/* the minimal root's mount points are all made: nothing more may
	 * appear in it */
	if (o->fs == BG_FS_MINIMAL &&
	    mount(NULL, NEWROOT, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL))
		die(sb, "cannot make the new root read-only");

	if (chdir(NEWROOT) || syscall(SYS_pivot_root, ".", "."))
		die(sb, "cannot pivot_root into the new root");
	if (umount2(".", MNT_DETACH) || chdir("/"))
		die(sb, "cannot detach the old root");
}

static void loopback_up(const struct bg_sandbox *sb)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die(sb, "cannot create a socket to configure lo");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		die(sb, "cannot read the flags of lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		die(sb, "cannot bring lo up");
	close(fd);
}

/* ---- the payload ---- */

static void drop_caps(const struct bg_sandbox *sb)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {};

	/* the bounding set first (needs CAP_SETPCAP), then no root magic on
	 * exec, then the sets themselves */
	for (int c = 0; c <= 63; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) && errno != EINVAL)
			die(sb, "cannot drop capability %d from the bounding set", c);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		die(sb, "cannot clear the ambient capabilities");
	if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
			  SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
			  SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED, 0, 0, 0))
		die(sb, "cannot set the securebits");
	if (syscall(SYS_capset, &h, d))
		die(sb, "cannot drop capabilities");
}

/* Every descriptor but 0-2 and the few the payload's last steps use.
 * close_range (5.9+) in the gaps between them: a loop of close() over
 * 1024 numbers was ~0.1-1 ms of start-up, depending on the syscall cost. */
static void close_others(const struct bg_sandbox *sb)
{
	int keep[] = { sb->err_fd, sb->cgroup_fd, sb->exe_fd, sb->go_fd }, n = (int)ARRAY_SIZE(keep);
	unsigned lo = 3;

	/* sorted, so the gaps are [lo, keep[i]) */
	for (int i = 1; i < n; i++)
		for (int k = i; k > 0 && keep[k] < keep[k - 1]; k--) {
			int t = keep[k];

			keep[k] = keep[k - 1];
			keep[k - 1] = t;
		}
	for (int i = 0; i <= n; i++) {
		unsigned hi = i < n ? (unsigned)keep[i] : ~0U;

		if (i < n && keep[i] < (int)lo)
			continue;
		if (hi > lo && syscall(SYS_close_range, lo, hi - 1, 0) && errno == ENOSYS) {
			/* before 5.9 */
			for (unsigned fd = lo; fd < hi && fd < 1024; fd++)
				close((int)fd);
		}
		if (i < n)
			lo = (unsigned)keep[i] + 1;
	}
}

static void __attribute__((noreturn)) payload(struct bg_sandbox *sb)
{
	const struct bg_run_opts *o = sb->o;
	sigset_t none;
	int ret;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	if (setsid() < 0)
		die(sb, "cannot start a session");
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
		die(sb, "cannot set the parent-death signal");
	if (getppid() != 1)
		_exit(BG_RUN_EXIT_ERROR); /* init died already */
	/* RLIMIT_DATA, not RLIMIT_AS: since 4.7 it counts every private
	 * writable mapping (brk, malloc's and Go's heap mmaps), while address
	 * space also counts reservations never touched (the Go runtime
	 * reserves far more than it uses and would not even start). */
	if (sb->rlimit_data) {
		struct rlimit r = { sb->rlimit_data, sb->rlimit_data };

		if (setrlimit(RLIMIT_DATA, &r))
			die(sb, "cannot set RLIMIT_DATA");
	}
	if (sb->rlimit_nproc) {
		struct rlimit r = { (rlim_t)sb->rlimit_nproc, (rlim_t)sb->rlimit_nproc };

		if (setrlimit(RLIMIT_NPROC, &r))
			die(sb, "cannot set RLIMIT_NPROC");
	}
	if (chdir(sb->workdir) && (sb->workdir_explicit || chdir("/")))
		die(sb, "cannot change to the working directory %s", sb->workdir);
	drop_caps(sb);
	/* bpfguard's own descriptors stay out (the error pipe closes on exec) */
	close_others(sb);
	/* The parent attaches the policy while we set up; nothing of the
	 * payload runs before it is in force.  Before the filter, which may
	 * deny read(2).  EOF: the parent gave up. */
	{
		char go;

		if (read(sb->go_fd, &go, 1) != 1)
			_exit(BG_RUN_EXIT_ERROR);
		close(sb->go_fd);
	}
	bg_phase("payload: released");
	/* last: the filter.  The program compile_seccomp.c exported, with
	 * SECCOMP_FILTER_FLAG_LOG so the kernel reports each errno decision
	 * (kills are always reported); without the flag on kernels < 4.14. */
	struct sock_fprog fp = { .len = sb->filter_len, .filter = (struct sock_filter *)sb->filter };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		die(sb, "cannot set no_new_privs");
	/* the second layer, before the filter (which may deny its calls) */
	if (sb->ll.abi > 0) {
		const char *what;

		if (bg_landlock_apply(&sb->ll, &what))
			die(sb, "Landlock: %s", what);
	}
	ret = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_LOG, &fp);
	if (ret && errno == EINVAL)
		ret = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp);
	if (ret) {
		report(sb, BG_STAGE_SECCOMP, errno, "cannot install the seccomp filter");
		_exit(BG_RUN_EXIT_ERROR);
	}
	/* Into the payload cgroup, where the BPF policy is attached, only
	 * now: what it records is the payload's own calls, none of the
	 * setup above.  The descriptor was opened by the parent (root), so
	 * the move is allowed; if the policy denies the write the payload
	 * still runs under the filter, in the run cgroup. */
	if (write(sb->cgroup_fd, "0\n", 2) != 2) {
		/* see above */
	}
	if (sb->exe_fd >= 0) {
		/* the inode the pre-flight checks read (the fd is CLOEXEC: the
		 * kernel opens the program before it closes the descriptor) */
		char self[64];

		snprintf(self, sizeof(self), "/proc/self/fd/%d", sb->exe_fd);
		execve(self, o->argv, sb->envp);
	} else {
		execve(sb->exe, o->argv, sb->envp);
	}
	ret = errno;
	report(sb, BG_STAGE_EXEC, ret, "%s", sb->exe);
	_exit(ret == ENOENT ? BG_RUN_EXIT_NOTFOUND : BG_RUN_EXIT_NOEXEC);
}

/* ---- init ---- */

static volatile pid_t g_payload;

static void forward(int sig)
{
	if (g_payload > 0)
		kill(g_payload, sig);
}

void bg_sandbox_init(struct bg_sandbox *sb)
{
	static const int fwd[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
	struct sigaction sa = { .sa_handler = forward };
	sigset_t set;
	char go;
	pid_t pid;
	int st;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
		die(sb, "cannot set the parent-death signal");
	/* the parent writes the id maps and the cgroups, then says go; EOF
	 * means it gave up (or died) */
	if (read(sb->sync_fd, &go, 1) != 1)
		_exit(BG_RUN_EXIT_ERROR);
	close(sb->sync_fd);
	bg_phase("init: go");
	/* Become the namespace's root for real: until now our credentials are
	 * still the host ids we were cloned with, which the maps need not
	 * contain (--user nobody maps 0 to 65534, not to our own 0), and files
	 * cannot be created with an unmapped owner (EOVERFLOW).  What the
	 * view takes from the host is cloned before, with our host ids. */
	clone_sources(sb);
	if (setresgid(0, 0, 0) || setresuid(0, 0, 0))
		die(sb, "cannot become root in the user namespace");
	if (unshare(CLONE_NEWCGROUP))
		die(sb, "cannot create the cgroup namespace");
	bg_phase("init: sources cloned");
	setup_mounts(sb);
	bg_phase("init: mounts made");
	if (!sb->o->net_host)
		loopback_up(sb);
	if (sethostname("bpfguard", 8))
		die(sb, "cannot set the hostname");
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); /* the payload cannot ptrace its init */

	sigemptyset(&set);
	for (size_t i = 0; i < ARRAY_SIZE(fwd); i++) {
		sigaction(fwd[i], &sa, NULL);
		sigaddset(&set, fwd[i]);
	}
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL); /* until g_payload is known */
	pid = fork();
	if (pid < 0)
		die(sb, "cannot fork the payload");
	if (pid == 0)
		payload(sb);
	g_payload = pid;
	close(sb->err_fd);
	close(sb->go_fd); /* the payload's */
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	for (;;) {
		pid_t r = waitpid(-1, &st, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			_exit(BG_RUN_EXIT_ERROR);
		if (r == pid) {
			if (write(sb->status_fd, &st, sizeof(st)) != sizeof(st)) {
				/* the parent falls back to our own status */
			}
			/* leaving kills whatever is left in the namespace */
			_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		}
	}
}

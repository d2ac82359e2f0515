// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * exec_gate.c - the executable allowlist refused at execve with fanotify
 * permission events (exec_gate.h, docs/exec.md "fanotify gate").
 */
#include <bpf/bpf.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bpfguard.h"
#include "cgroup.h"
#include "exec_allow.h"
#include "exec_gate.h"
#include "loader.h"
#include "record.h"
#include "textsafe.h"
#include "util.h"

#define SHM_MAGIC 0x62676774u /* "bggt" */
#define SHM_VERSION 1
#define SHM_SIZE 4096
_Static_assert(sizeof(struct bg_gate_shm) <= SHM_SIZE, "the shared page holds it");

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------------ */
/* the shared page and the lock */

/* The shared page, created if missing (mode 0600 in BG_RUN_DIR). */
static struct bg_gate_shm *shm_map(bool create)
{
	struct bg_gate_shm *m;
	struct stat st;
	int dir, fd;

	dir = bg_run_dir(NULL);
	if (dir < 0)
		return NULL;
	fd = openat(dir, BG_GATE_SHM_NAME, O_RDWR | O_NOFOLLOW | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
	close(dir);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (st.st_size < SHM_SIZE && (!create || ftruncate(fd, SHM_SIZE)))) {
		close(fd);
		return NULL;
	}
	m = mmap(NULL, SHM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return NULL;
	if (m->magic != SHM_MAGIC || m->version != SHM_VERSION) {
		if (!create) {
			munmap(m, SHM_SIZE);
			return NULL;
		}
		memset(m, 0, sizeof(*m));
		m->version = SHM_VERSION;
		__atomic_store_n(&m->magic, SHM_MAGIC, __ATOMIC_RELEASE);
	}
	return m;
}

void bg_exec_gate_bump(void)
{
	struct bg_gate_shm *m = shm_map(false);

	if (!m)
		return; /* never started: no cache to invalidate */
	__atomic_add_fetch(&m->gen, 1, __ATOMIC_SEQ_CST);
	munmap(m, SHM_SIZE);
}

/* The supervisor's pid if it holds the lock on the pid file, else 0.
 * A POSIX lock names its holder (F_GETLK), so the file's text is never
 * trusted. */
static int gate_pid(void)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int dir, fd;

	dir = bg_run_dir(NULL);
	if (dir < 0)
		return 0;
	fd = openat(dir, BG_GATE_PID_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	close(dir);
	if (fd < 0)
		return 0;
	if (fcntl(fd, F_GETLK, &fl) || fl.l_type == F_UNLCK)
		fl.l_pid = 0;
	close(fd);
	return fl.l_pid;
}

void bg_exec_gate_status(struct bg_gate_status *out)
{
	struct bg_gate_shm *m;

	memset(out, 0, sizeof(*out));
	out->pid = gate_pid();
	out->running = out->pid > 0;
	m = shm_map(false);
	if (!m)
		return;
	out->c = *m;
	munmap(m, SHM_SIZE);
	if (out->running && out->c.worker_pid > 0 && kill(out->c.worker_pid, 0) == 0 &&
	    now_ns() - out->c.heartbeat_ns < (uint64_t)BG_GATE_STALL_MS * 1000000ull) {
		out->worker = true;
		out->worker_pid = out->c.worker_pid;
	}
}

/* ------------------------------------------------------------------ */
/* start, stop */

bool bg_exec_gate_usable(void)
{
	static int usable = -1;
	const char *env = getenv("BPFGUARD_EXEC_GATE");
	int fd;

	if (env && !strcmp(env, "off"))
		return false;
	if (usable >= 0)
		return usable;
	/* FAN_CLASS_CONTENT needs CONFIG_FANOTIFY_ACCESS_PERMISSIONS;
	 * FAN_OPEN_EXEC_PERM 5.0.  An inode mark on "/" itself (no events
	 * for its children) proves both without pausing anybody's exec. */
	fd = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_REPORT_TID, O_RDONLY | O_LARGEFILE);
	usable = fd >= 0 && fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN_EXEC_PERM, AT_FDCWD, "/") == 0;
	if (fd >= 0)
		close(fd);
	return usable;
}

/* Does some slot enforce an exec section by kill (no BPF LSM), not audit? */
static bool gate_needed(void)
{
	char p[PATH_MAX];
	bool need = false;
	int fd;

	bg_pin_path(p, sizeof(p), BG_PIN_MAPS, "bg_exec_pol");
	fd = bpf_obj_get(p);
	if (fd < 0)
		return false;
	for (uint32_t s = 0; s < BG_MAX_POLICIES && !need; s++) {
		struct bg_exec_pol pol;

		if (bpf_map_lookup_elem(fd, &s, &pol) == 0 && (pol.flags & BG_EXEC_ON) &&
		    (pol.flags & BG_EXEC_KILL) && !(pol.flags & BG_EXEC_AUDIT))
			need = true;
	}
	close(fd);
	return need;
}

static int gate_start(struct bg_diag *d)
{
	char msg[256] = "";
	struct pollfd pfd;
	int pipefd[2], st, n = 0;
	pid_t c;

	if (pipe2(pipefd, O_CLOEXEC)) {
		bg_diag_set(d, "cannot start the exec gate: pipe: %s", strerror(errno));
		return -1;
	}
	c = fork();
	if (c < 0) {
		bg_diag_set(d, "cannot start the exec gate: fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (c == 0) {
		/* detached: its own session, reparented to init when this
		 * child exits, so it outlives the command that started it */
		char *argv[] = { "bpfguard", "exec-gate", "--ready-fd", "3", NULL };
		sigset_t none;
		int null;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL); /* not the caller's blocked signals (SIGTERM must stop it) */
		setsid();
		if (fork() != 0)
			_exit(0);
		null = open("/dev/null", O_RDWR | O_CLOEXEC);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (pipefd[1] != 3)
			dup2(pipefd[1], 3);
		fcntl(3, F_SETFD, 0);
		close_range(4, ~0u, 0); /* no descriptor of ours (bpfguard's lock) stays held */
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	close(pipefd[1]);
	waitpid(c, &st, 0);
	/* the worker says "ok" once its marks are in place */
	pfd.fd = pipefd[0];
	pfd.events = POLLIN;
	for (int waited = 0; waited < 10000 && n < (int)sizeof(msg) - 1; waited += 100) {
		ssize_t r;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		r = read(pipefd[0], msg + n, sizeof(msg) - 1 - (size_t)n);
		if (r <= 0)
			break;
		n += (int)r;
		msg[n] = '\0';
		if (strchr(msg, '\n'))
			break;
	}
	close(pipefd[0]);
	msg[strcspn(msg, "\n")] = '\0';
	if (strcmp(msg, "ok")) {
		bg_diag_set(d, "cannot start the exec gate (fanotify): %s; see %s/%s, or set BPFGUARD_EXEC_GATE=off "
			    "to enforce the exec section by the kill at exec alone", msg[0] ? msg : "it did not answer",
			    BG_RUN_DIR, BG_GATE_LOG_NAME);
		bg_exec_gate_stop();
		return -1;
	}
	return 0;
}

int bg_exec_gate_stop(void)
{
	int pid = gate_pid();

	if (!pid)
		return 0;
	kill(pid, SIGTERM);
	for (int i = 0; i < 300; i++) {
		struct timespec ms = { 0, 10000000 };

		if (!gate_pid())
			return 0;
		if (i == 200)
			kill(pid, SIGKILL); /* stopped or stuck: its worker dies with it (PDEATHSIG) */
		nanosleep(&ms, NULL);
	}
	return gate_pid() ? -1 : 0;
}

int bg_exec_gate_sync(struct bg_diag *d)
{
	if (!gate_needed())
		return bg_exec_gate_stop();
	if (!bg_exec_gate_usable() || gate_pid())
		return 0;
	return gate_start(d);
}

/* ------------------------------------------------------------------ */
/* the worker: marks, events, decisions */

/* Pseudo file systems nothing is exec'd from. */
static bool skip_fstype(const char *t)
{
	static const char *const skip[] = { "proc", "sysfs", "cgroup", "cgroup2", "devpts", "mqueue", "bpf",
					    "debugfs", "tracefs", "securityfs", "pstore", "configfs", "fusectl",
					    "binfmt_misc", "efivarfs", "autofs", "nsfs", "rpc_pipefs", "selinuxfs" };

	for (unsigned i = 0; i < ARRAY_SIZE(skip); i++)
		if (!strcmp(t, skip[i]))
			return true;
	return false;
}

/* mountinfo's octal escapes (\040 for a space), in place. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

struct worker {
	int fan, mountinfo;
	int cgroups, pol, allow, trusted; /* the pinned maps exec.bpf.c reads */
	struct bg_recorder rec;           /* refusals into bg_events (record.bpf.c) */
	bool have_rec;
	char cgmnt[PATH_MAX];
	struct bg_gate_shm *m;
	dev_t marked[512];
	unsigned nmarked;
};

/* One FAN_MARK_FILESYSTEM per superblock mounted in our namespace: it
 * covers every mount (bind mounts, other namespaces' mounts) of it.  Run
 * again whenever the mount table changes. */
static void mark_all(struct worker *w)
{
	char line[8192];
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char mnt[PATH_MAX], *sep, fstype[64];
		unsigned maj, min;
		dev_t dev;
		bool seen = false;

		if (sscanf(line, "%*u %*u %u:%u %*s %4095s", &maj, &min, mnt) != 3)
			continue;
		sep = strstr(line, " - ");
		if (!sep || sscanf(sep + 3, "%63s", fstype) != 1 || skip_fstype(fstype))
			continue;
		dev = makedev(maj, min);
		for (unsigned i = 0; i < w->nmarked && !seen; i++)
			seen = w->marked[i] == dev;
		if (seen || w->nmarked >= ARRAY_SIZE(w->marked))
			continue;
		w->marked[w->nmarked++] = dev;
		unescape(mnt);
		if (fanotify_mark(w->fan, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_OPEN_EXEC_PERM, AT_FDCWD, mnt)) {
			w->m->mark_failed++;
			fprintf(stderr, "exec-gate: no mark on %s (%s): %s; the kill at exec alone covers it\n", mnt,
				fstype, strerror(errno));
		} else {
			w->m->marks++;
		}
	}
	fclose(f);
}

/* Linux 6.13's PIDFD_GET_INFO (uapi linux/pidfd.h; Debian 12's headers
 * predate it): a task's cgroup v2 id in one ioctl, where /proc/TID/cgroup
 * costs an open, a path built and parsed, and a stat. */
struct gate_pidfd_info {
	uint64_t mask;
	uint64_t cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	int32_t exit_code;
};
_Static_assert(sizeof(struct gate_pidfd_info) == 64, "PIDFD_INFO_SIZE_VER0");
#define GATE_PIDFD_INFO_CGROUPID (1ull << 2)
#define GATE_PIDFD_GET_INFO _IOWR(0xFF, 11, struct gate_pidfd_info)
#define GATE_PIDFD_THREAD O_EXCL /* 6.9: a pidfd for a thread, not its group */

/* -1: not tried yet; 0: this kernel has no PIDFD_GET_INFO (or it
 * disagreed with /proc once, at start): /proc from then on. */
static int pidfd_info_ok = -1;

static uint64_t task_cgid_pidfd(pid_t tid)
{
	struct gate_pidfd_info info = { .mask = GATE_PIDFD_INFO_CGROUPID };
	int pfd = (int)syscall(SYS_pidfd_open, tid, GATE_PIDFD_THREAD);
	int r;

	if (pfd < 0)
		return 0;
	r = ioctl(pfd, GATE_PIDFD_GET_INFO, &info);
	close(pfd);
	return r == 0 && (info.mask & GATE_PIDFD_INFO_CGROUPID) ? info.cgroupid : 0;
}

/* The task's cgroup v2 id from /proc (its directory's inode), or 0. */
static uint64_t task_cgid_proc(const struct worker *w, pid_t tid)
{
	char p[64], buf[PATH_MAX + 64], path[PATH_MAX * 2], *s, *nl;
	struct stat st;
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "/proc/%d/cgroup", tid);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	s = !strncmp(buf, "0::", 3) ? buf : strstr(buf, "\n0::");
	if (!s)
		return 0;
	s += s[0] == '\n' ? 4 : 3;
	nl = strchr(s, '\n');
	if (nl)
		*nl = '\0';
	snprintf(path, sizeof(path), "%s%s", w->cgmnt, strcmp(s, "/") ? s : "");
	return stat(path, &st) ? 0 : (uint64_t)st.st_ino;
}

/* The calling task's cgroup v2 id, or 0 (gone). */
static uint64_t task_cgid(const struct worker *w, pid_t tid)
{
	if (pidfd_info_ok < 0) {
		uint64_t a = task_cgid_pidfd(getpid()), b = task_cgid_proc(w, getpid());

		pidfd_info_ok = a && a == b;
	}
	return pidfd_info_ok ? task_cgid_pidfd(tid) : task_cgid_proc(w, tid);
}

/* The ELF interpreter (PT_INTERP) the file asks for, "" if none. */
static void elf_interp(int fd, char *out, size_t len)
{
	unsigned char id[EI_NIDENT];
	uint64_t off = 0, sz = 0, phoff;
	unsigned phnum, phentsize;

	out[0] = '\0';
	if (pread(fd, id, sizeof(id), 0) != (ssize_t)sizeof(id) || memcmp(id, ELFMAG, SELFMAG))
		return;
	if (id[EI_CLASS] == ELFCLASS64) {
		Elf64_Ehdr eh;

		if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
			return;
		phoff = eh.e_phoff, phnum = eh.e_phnum, phentsize = eh.e_phentsize;
		for (unsigned i = 0; i < phnum && i < 64 && phentsize == sizeof(Elf64_Phdr); i++) {
			Elf64_Phdr ph;

			if (pread(fd, &ph, sizeof(ph), (off_t)(phoff + i * sizeof(ph))) != (ssize_t)sizeof(ph))
				return;
			if (ph.p_type == PT_INTERP) {
				off = ph.p_offset, sz = ph.p_filesz;
				break;
			}
		}
	} else if (id[EI_CLASS] == ELFCLASS32) {
		Elf32_Ehdr eh;

		if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
			return;
		phoff = eh.e_phoff, phnum = eh.e_phnum, phentsize = eh.e_phentsize;
		for (unsigned i = 0; i < phnum && i < 64 && phentsize == sizeof(Elf32_Phdr); i++) {
			Elf32_Phdr ph;

			if (pread(fd, &ph, sizeof(ph), (off_t)(phoff + i * sizeof(ph))) != (ssize_t)sizeof(ph))
				return;
			if (ph.p_type == PT_INTERP) {
				off = ph.p_offset, sz = ph.p_filesz;
				break;
			}
		}
	}
	if (!sz || sz >= len || pread(fd, out, sz, (off_t)off) != (ssize_t)sz) {
		out[0] = '\0';
		return;
	}
	out[sz] = '\0';
	if (out[0] != '/')
		out[0] = '\0';
}

/* Decisions cached per (slot, file identity), valid for one policy
 * generation: the maps are read again only after attach/detach/trust
 * changed them.  The ctime is compared on every exec (it comes with the
 * fstat we do anyway), so a changed file is refused even on a hit. */
struct cache_ent {
	uint64_t gen, dev, ino;
	uint32_t slot, used;
	bool listed;
	struct bg_exec_val val;
	char interp[128];
};
#define CACHE_SIZE 1024
static struct cache_ent cache[CACHE_SIZE];

/* Per slot: its bg_exec_pol flags for one generation. */
static struct {
	uint64_t gen;
	uint32_t flags;
	bool valid;
} polcache[BG_MAX_POLICIES];

/* An allowed ELF executable's interpreter, expected as the next exec
 * open of the same thread (the kernel opens it for exec too, inside the
 * same execve); exec.bpf.c judges only the executable itself. */
struct expect {
	pid_t tid;
	uint64_t dev, ino, until_ns;
};
static struct expect expects[64];

static void expect_interp(pid_t tid, const char *interp)
{
	char p[PATH_MAX + 64];
	struct expect *e = &expects[(unsigned)tid % ARRAY_SIZE(expects)];
	struct stat st;

	snprintf(p, sizeof(p), "/proc/%d/root%s", tid, interp);
	if (stat(p, &st))
		return;
	e->tid = tid;
	e->dev = bg_kernel_dev(st.st_dev);
	e->ino = st.st_ino;
	e->until_ns = now_ns() + 2000000000ull;
}

static bool is_expected_interp(pid_t tid, uint64_t dev, uint64_t ino)
{
	struct expect *e = &expects[(unsigned)tid % ARRAY_SIZE(expects)];
	bool hit = e->tid == tid && e->dev == dev && e->ino == ino && now_ns() < e->until_ns;

	if (e->tid == tid)
		e->tid = 0; /* one use: the next exec of this thread is judged */
	return hit;
}

/* The lease trick of exec_allow.c: a read lease is refused while anybody
 * holds the file open for writing (or writably mapped). */
static bool open_for_write(int fd)
{
	if (fcntl(fd, F_SETLEASE, F_RDLCK) == 0) {
		fcntl(fd, F_SETLEASE, F_UNLCK);
		return false;
	}
	return errno == EAGAIN; /* no leases here: the backstop's i_writecount check */
}

/* FAN_ALLOW or FAN_DENY for one event; *why the BG_EXEC_WHY_* of a deny. */
static uint32_t decide(struct worker *w, const struct fanotify_event_metadata *ev, uint32_t *why,
		       struct bg_exec_record_in *rec)
{
	struct bg_exec_key key = {};
	struct cache_ent *ce;
	struct bg_cgroup cg;
	struct statfs sfs;
	struct stat st;
	uint64_t cgid, gen = __atomic_load_n(&w->m->gen, __ATOMIC_ACQUIRE), dev;
	uint32_t flags;

	cgid = task_cgid(w, ev->pid);
	if (!cgid) {
		w->m->unknown++;
		return FAN_ALLOW;
	}
	if (bpf_map_lookup_elem(w->cgroups, &cgid, &cg) || cg.slot >= BG_MAX_POLICIES) {
		w->m->unguarded++;
		return FAN_ALLOW;
	}
	rec->cgid = cgid;
	rec->owner = cg.owner;
	if (!polcache[cg.slot].valid || polcache[cg.slot].gen != gen) {
		struct bg_exec_pol pol = {};

		bpf_map_lookup_elem(w->pol, &cg.slot, &pol);
		polcache[cg.slot].flags = pol.flags;
		polcache[cg.slot].gen = gen;
		polcache[cg.slot].valid = true;
	}
	flags = polcache[cg.slot].flags;
	if (!(flags & BG_EXEC_ON)) {
		w->m->unguarded++;
		return FAN_ALLOW;
	}
	if (flags & BG_EXEC_AUDIT) {
		w->m->audit++;
		return FAN_ALLOW; /* exec.bpf.c records it at sched_process_exec */
	}
	if (fstat(ev->fd, &st)) {
		*why = BG_EXEC_WHY_UNLISTED;
		return FAN_DENY;
	}
	dev = bg_kernel_dev(st.st_dev);
	rec->id.dev = dev;
	rec->id.ino = st.st_ino;
	rec->id.ctime_sec = st.st_ctim.tv_sec;
	rec->id.ctime_nsec = (uint32_t)st.st_ctim.tv_nsec;
	if (is_expected_interp(ev->pid, dev, st.st_ino)) {
		w->m->interp++;
		return FAN_ALLOW;
	}
	if (fstatfs(ev->fd, &sfs) == 0 && BG_EXEC_FS_UNVOUCHABLE((unsigned long)sfs.f_type)) {
		*why = BG_EXEC_WHY_FSTYPE;
		return FAN_DENY;
	}
	ce = &cache[(dev * 31 + st.st_ino * 17 + cg.slot) % CACHE_SIZE];
	if (ce->used && ce->gen == gen && ce->dev == dev && ce->ino == st.st_ino && ce->slot == cg.slot) {
		w->m->cache_hits++;
	} else {
		key.slot = cg.slot;
		key.dev = dev;
		key.ino = st.st_ino;
		memset(ce, 0, sizeof(*ce));
		ce->listed = bpf_map_lookup_elem(w->allow, &key, &ce->val) == 0;
		if (!ce->listed && (flags & BG_EXEC_TRUSTED) && w->trusted >= 0) {
			key.slot = 0;
			ce->listed = bpf_map_lookup_elem(w->trusted, &key, &ce->val) == 0;
		}
		if (ce->listed)
			elf_interp(ev->fd, ce->interp, sizeof(ce->interp));
		ce->gen = gen;
		ce->dev = dev;
		ce->ino = st.st_ino;
		ce->slot = cg.slot;
		ce->used = 1;
	}
	if (!ce->listed) {
		*why = BG_EXEC_WHY_UNLISTED;
		return FAN_DENY;
	}
	if (ce->val.ctime_sec != st.st_ctim.tv_sec || ce->val.ctime_nsec != (uint32_t)st.st_ctim.tv_nsec) {
		*why = BG_EXEC_WHY_CHANGED;
		return FAN_DENY;
	}
	if (open_for_write(ev->fd)) {
		*why = BG_EXEC_WHY_WRITABLE;
		return FAN_DENY;
	}
	if (ce->interp[0])
		expect_interp(ev->pid, ce->interp);
	return FAN_ALLOW;
}

static int open_map(const char *name)
{
	char p[PATH_MAX];

	bg_pin_path(p, sizeof(p), BG_PIN_MAPS, name);
	return bpf_obj_get(p);
}

static void say(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(int fd, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	if (fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0 && write(fd, buf, strlen(buf)) < 0)
		return;
}

/* A refusal into bpfguard's counters and event stream, like every other
 * denial (record.bpf.c's bg_record_exec; the rate limit of bg_events
 * applies).  The task is still in its failed execve, so its comm and uid
 * are the caller's. */
static void record_denial(struct worker *w, const struct fanotify_event_metadata *ev, uint32_t why,
			  struct bg_exec_record_in *rec)
{
	char p[64], line[256], fdp[64];
	struct timespec ts;
	ssize_t len;
	FILE *f;

	if (!w->have_rec)
		return;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	rec->ts_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	rec->tid = (uint32_t)ev->pid; /* FAN_REPORT_TID */
	rec->pid = rec->tid;
	rec->id.why = why;
	snprintf(p, sizeof(p), "/proc/%d/status", ev->pid);
	if ((f = fopen(p, "re"))) {
		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, "Tgid:", 5))
				rec->pid = (uint32_t)strtoul(line + 5, NULL, 10);
			else if (!strncmp(line, "Uid:", 4))
				rec->uid = (uint32_t)strtoul(line + 4, NULL, 10);
		}
		fclose(f);
	}
	snprintf(p, sizeof(p), "/proc/%d/comm", ev->pid);
	if ((f = fopen(p, "re"))) {
		if (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			bg_strlcpy(rec->comm, line, sizeof(rec->comm));
		}
		fclose(f);
	}
	snprintf(fdp, sizeof(fdp), "/proc/self/fd/%d", ev->fd);
	len = readlink(fdp, rec->path, sizeof(rec->path) - 1);
	rec->path[len > 0 ? len : 0] = '\0';
	bg_recorder_put_exec(&w->rec, rec);
}

/* One line per refusal in the gate's log (BG_RUN_DIR/exec-gate.log), at
 * most 10 a second, next to the event (record_denial). */
static void log_denial(const struct fanotify_event_metadata *ev, uint32_t why)
{
	static uint64_t window;
	static unsigned n;
	char fdp[64], path[PATH_MAX], esc[BG_ESC_MAX];
	uint64_t now = now_ns() / 1000000000ull;
	ssize_t len;

	if (now != window) {
		window = now;
		n = 0;
	}
	if (n++ >= 10)
		return;
	snprintf(fdp, sizeof(fdp), "/proc/self/fd/%d", ev->fd);
	len = readlink(fdp, path, sizeof(path) - 1);
	path[len > 0 ? len : 0] = '\0';
	fprintf(stderr, "%llu exec-gate: refused exec of %s by tid %d: %s\n", (unsigned long long)time(NULL),
		path[0] ? bg_esc(path, esc) : "?", ev->pid, bg_exec_why_name(why, false));
}

static volatile sig_atomic_t stopping;
static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

/* The worker: never returns. */
static void worker_run(struct bg_gate_shm *m, int ready_fd)
{
	struct worker w = { .m = m, .trusted = -1 };
	char buf[64 * sizeof(struct fanotify_event_metadata)];
	struct pollfd pfd[2];
	sigset_t io;

	prctl(PR_SET_PDEATHSIG, SIGKILL); /* the supervisor gone: so are we, and our events go to the backstop */
	prctl(PR_SET_NAME, "bpfguard-gate", 0, 0, 0);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&io);
	sigaddset(&io, SIGIO); /* lease signals, never wanted */
	sigprocmask(SIG_BLOCK, &io, NULL);
	m->worker_pid = getpid();
	m->heartbeat_ns = now_ns();
	m->marks = m->mark_failed = 0;
	if (bg_cgroup2_mount(w.cgmnt, sizeof(w.cgmnt))) {
		say(ready_fd, "no cgroup2 mount\n");
		_exit(1);
	}
	w.cgroups = open_map("bg_cgroups");
	w.pol = open_map("bg_exec_pol");
	w.allow = open_map("bg_exec_allow");
	w.trusted = open_map("bg_exec_trusted");
	if (w.cgroups < 0 || w.pol < 0 || w.allow < 0) {
		say(ready_fd, "bpfguard's exec maps are not pinned (%s)\n", strerror(errno));
		_exit(1);
	}
	{
		struct bg_diag dg = {};

		/* refusals are still counted in the shared page and logged
		 * without it; the log says why events are missing */
		w.have_rec = bg_recorder_open_exec(&w.rec, &dg) == 0;
		if (!w.have_rec)
			fprintf(stderr, "exec-gate: refusals will not reach bpfguard events: %s\n", dg.msg);
	}
	w.fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_TID,
			      O_RDONLY | O_LARGEFILE | O_CLOEXEC);
	if (w.fan < 0) {
		say(ready_fd, "fanotify_init: %s\n", strerror(errno));
		_exit(1);
	}
	w.mountinfo = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	mark_all(&w);
	if (!m->marks) {
		say(ready_fd, "no file system could be marked\n");
		_exit(1);
	}
	say(ready_fd, "ok\n");
	if (ready_fd >= 0)
		close(ready_fd);
	pfd[0].fd = w.fan;
	pfd[0].events = POLLIN;
	pfd[1].fd = w.mountinfo;
	pfd[1].events = POLLPRI;
	for (;;) {
		ssize_t n;

		m->heartbeat_ns = now_ns();
		if (poll(pfd, w.mountinfo >= 0 ? 2 : 1, 200) < 0 && errno != EINTR)
			_exit(1);
		m->heartbeat_ns = now_ns();
		if (w.mountinfo >= 0 && (pfd[1].revents & (POLLPRI | POLLERR))) {
			char tmp[4096];

			/* the mount table changed: mark new superblocks */
			lseek(w.mountinfo, 0, SEEK_SET);
			while (read(w.mountinfo, tmp, sizeof(tmp)) > 0)
				;
			mark_all(&w);
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		while ((n = read(w.fan, buf, sizeof(buf))) > 0) {
			const struct fanotify_event_metadata *ev = (const void *)buf;

			for (; FAN_EVENT_OK(ev, n); ev = FAN_EVENT_NEXT(ev, n)) {
				struct bg_exec_record_in rec = {};
				struct fanotify_response r;
				uint32_t why = 0;

				if (ev->vers != FANOTIFY_METADATA_VERSION || ev->fd < 0)
					continue;
				r.fd = ev->fd;
				r.response = (ev->mask & FAN_OPEN_EXEC_PERM) ? decide(&w, ev, &why, &rec) : FAN_ALLOW;
				/* the event before the answer: the task is still in
				 * its execve, so /proc shows the caller */
				if (r.response == FAN_DENY)
					record_denial(&w, ev, why, &rec);
				if (write(w.fan, &r, sizeof(r)) < 0)
					fprintf(stderr, "exec-gate: cannot answer: %s\n", strerror(errno));
				m->events++;
				if (r.response == FAN_DENY) {
					m->denied++;
					if (why < ARRAY_SIZE(m->deny_why))
						m->deny_why[why]++;
					log_denial(ev, why); /* after the answer: the caller does not wait for the log */
				} else {
					m->allowed++;
				}
				close(ev->fd);
			}
			m->heartbeat_ns = now_ns();
		}
	}
}

/* Out of whichever cgroup started us: a session scope or a test's cgroup
 * that is removed later must not take the gate with it. */
static void leave_cgroup(void)
{
	char mnt[PATH_MAX], p[PATH_MAX + 32];
	FILE *f;

	if (bg_cgroup2_mount(mnt, sizeof(mnt)))
		return;
	snprintf(p, sizeof(p), "%s/cgroup.procs", mnt);
	f = fopen(p, "we");
	if (!f)
		return;
	fprintf(f, "%d\n", getpid());
	fclose(f);
}

int bg_exec_gate_main(int ready_fd)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct bg_gate_shm *m;
	struct sigaction sa = { .sa_handler = on_term };
	uint64_t started_ns = 0;
	unsigned quick_deaths = 0;
	pid_t worker = -1;
	char pidtxt[32];
	int dir, fd;

	dir = bg_run_dir(NULL);
	if (dir < 0) {
		say(ready_fd, "cannot open %s\n", BG_RUN_DIR);
		return 1;
	}
	fd = openat(dir, BG_GATE_PID_NAME, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		int log = openat(dir, BG_GATE_LOG_NAME, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);

		if (log >= 0) {
			dup2(log, 2);
			close(log);
		}
	}
	close(dir);
	if (fd < 0 || fcntl(fd, F_SETLK, &fl)) {
		say(ready_fd, "another exec gate holds %s/%s\n", BG_RUN_DIR, BG_GATE_PID_NAME);
		return 1;
	}
	snprintf(pidtxt, sizeof(pidtxt), "%d\n", getpid());
	if (ftruncate(fd, 0) || pwrite(fd, pidtxt, strlen(pidtxt), 0) < 0)
		fprintf(stderr, "exec-gate: cannot write its pid file\n");
	m = shm_map(true);
	if (!m) {
		say(ready_fd, "cannot map %s/%s\n", BG_RUN_DIR, BG_GATE_SHM_NAME);
		return 1;
	}
	m->sup_pid = getpid();
	m->started = (uint64_t)time(NULL);
	m->events = m->allowed = m->denied = m->unguarded = m->audit = m->cache_hits = 0;
	m->interp = m->unknown = m->restarts = m->stalls = 0;
	memset(m->deny_why, 0, sizeof(m->deny_why));
	leave_cgroup();
	prctl(PR_SET_NAME, "bpfguard-gated", 0, 0, 0);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	while (!stopping) {
		struct timespec tick = { 0, BG_GATE_CHECK_MS * 1000000L };
		struct stat lst;
		int st;

		/* the log is bounded: 10 refusals a second add up */
		if (fstat(2, &lst) == 0 && S_ISREG(lst.st_mode) && lst.st_size > (4 << 20) && ftruncate(2, 0) == 0)
			fprintf(stderr, "exec-gate: log truncated at 4 MiB\n");

		if (worker > 0 && waitpid(worker, &st, WNOHANG) == worker) {
			worker = -1;
			m->worker_pid = 0;
			m->restarts++;
			quick_deaths = now_ns() - started_ns < 1000000000ull ? quick_deaths + 1 : 0;
			fprintf(stderr, "exec-gate: worker ended (status %d); restarting it\n", st);
		}
		uint64_t hb = __atomic_load_n(&m->heartbeat_ns, __ATOMIC_ACQUIRE), now = now_ns();

		if (worker > 0 && now > hb && now - hb > (uint64_t)BG_GATE_STALL_MS * 1000000ull) {
			/* stopped or stuck: killing it closes its group, the kernel
			 * allows what it had pending, and the kill at exec judges */
			kill(worker, SIGKILL);
			waitpid(worker, &st, 0);
			worker = -1;
			m->worker_pid = 0;
			m->stalls++;
			fprintf(stderr, "exec-gate: worker did not answer for %llu ms (bound %d ms); killed, restarting it\n",
				(unsigned long long)((now - hb) / 1000000), BG_GATE_STALL_MS);
		}
		if (worker < 0) {
			if (quick_deaths > 5) {
				if (ready_fd >= 0)
					say(ready_fd, "its worker keeps dying\n");
				break;
			}
			m->heartbeat_ns = now_ns();
			started_ns = now_ns();
			worker = fork();
			if (worker == 0)
				worker_run(m, ready_fd);
			if (ready_fd >= 0) {
				close(ready_fd); /* the first worker answers the starter */
				ready_fd = -1;
			}
		}
		nanosleep(&tick, NULL);
	}
	if (worker > 0) {
		kill(worker, SIGKILL);
		waitpid(worker, NULL, 0);
	}
	m->worker_pid = 0;
	m->sup_pid = 0;
	munmap(m, SHM_SIZE);
	dir = bg_run_dir(NULL);
	if (dir >= 0) {
		unlinkat(dir, BG_GATE_PID_NAME, 0);
		close(dir);
	}
	close(fd);
	return 0;
}

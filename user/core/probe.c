// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * probe.c - `bpfguard probe`: what this kernel really offers.
 *
 * Every answer comes from trying: a program is loaded, attached and, where
 * the hook can be triggered from here, triggered (a marker syscall, an exec,
 * an open(), a socket() in a temporary cgroup), and the program's own
 * counter decides.  Programs live in bpf/probe.bpf.c; each probe opens a
 * fresh skeleton with exactly one program enabled, so a program type the
 * kernel refuses cannot take the others down with it.
 *
 * Side effects, all undone before bg_probe_run() returns:
 *  - a temporary cgroup <cgroup2 mount>/bpfguard-probe-<pid> holding only a
 *    forked child (the probing process itself is never moved);
 *  - short-lived children for the signal, exec, seccomp and ABI tests,
 *    each reaped with a timeout (SIGKILL if it overstays);
 *  - libbpf's print callback, captured during the run and restored.
 * The one change that stays: bpffs is mounted at /sys/fs/bpf if it was not,
 * because bpfguard pins its maps and links there anyway (said in detail).
 */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/magic.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "probe.skel.h"

#define PROBE_CGROUP_PREFIX "bpfguard-probe-"
#define CHILD_TIMEOUT_MS 500   /* per forked child; normal runs take ~1 ms */
#define MARKER_CALLS 3         /* marker syscalls per sys_enter probe */
#define PROBE_REC_MAGIC 0x6270666775617264ULL /* mirrors bpf/probe.bpf.c */

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */

static void set_item(struct bg_probe_item *it, enum bg_probe_state st,
		     const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_item(struct bg_probe_item *it, enum bg_probe_state st,
		     const char *fmt, ...)
{
	va_list ap;

	it->state = st;
	va_start(ap, fmt);
	vsnprintf(it->detail, sizeof(it->detail), fmt, ap);
	va_end(ap);
}

/* "EPERM" rather than "Operation not permitted": shorter, and greppable. */
static const char *errname(int err)
{
	static __thread char buf[24];
	const char *n;

	if (err < 0)
		err = -err;
	if (err == 524) /* kernel-internal ENOTSUPP leaks out of bpf() */
		return "ENOTSUPP";
	n = strerrorname_np(err);
	if (n)
		return n;
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* snprintf for paths: false (and nothing used) if it did not fit. */
static bool pathf(char *buf, size_t sz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool pathf(char *buf, size_t sz, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sz, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < sz;
}

/* The probe's marker syscall.  getppid: harmless, no arguments, and not
 * something this process calls otherwise.  syscall() so libc cannot cache
 * or skip it. */
static void marker(void)
{
	syscall(SYS_getppid);
}

/* ------------------------------------------------------------------ */
/* libbpf log capture: libbpf prints warnings (and verifier logs) to
 * stderr by default; during probing we keep them for the detail line. */

static char g_log[8192];
static size_t g_loglen;

static int capture_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	int n;

	if (level == LIBBPF_DEBUG || g_loglen >= sizeof(g_log) - 1)
		return 0;
	n = vsnprintf(g_log + g_loglen, sizeof(g_log) - g_loglen, fmt, ap);
	if (n > 0)
		g_loglen += (size_t)n;
	if (g_loglen > sizeof(g_log) - 1)
		g_loglen = sizeof(g_log) - 1;
	return 0;
}

static void log_reset(void)
{
	g_loglen = 0;
	g_log[0] = '\0';
}

/* Last meaningful line of the verifier log libbpf printed, if any. */
static bool verifier_last_line(char *out, size_t outsz)
{
	const char *b = strstr(g_log, "-- BEGIN PROG LOAD LOG --");
	const char *e, *p, *line = NULL;
	size_t len = 0;

	if (!b)
		return false;
	b = strchr(b, '\n');
	e = b ? strstr(b, "-- END PROG LOAD LOG --") : NULL;
	if (!b || !e)
		return false;
	for (p = b + 1; p < e;) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(e - p);

		/* Skip the statistics lines the verifier appends. */
		if (l > 0 && strncmp(p, "processed ", 10) && strncmp(p, "verification time", 17)) {
			line = p;
			len = l;
		}
		p += l + 1;
	}
	if (!line)
		return false;
	snprintf(out, outsz, "%.*s", (int)len, line);
	return true;
}

/* ------------------------------------------------------------------ */
/* Probe context                                                       */

struct ctx {
	struct bg_probe *p;
	pid_t self;             /* our pid, in our pid namespace */
	__u64 ns_dev, ns_ino;   /* our pid namespace, as the kernel names it */
	bool ns_ok;
	bool privileged;        /* CAP_BPF or CAP_SYS_ADMIN effective */
	struct btf *vmlinux;    /* NULL if the kernel has no usable BTF */
	bool rb_ok;             /* ring buffer maps can be created */
};

static void read_caps(struct ctx *c)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	unsigned long long eff = 0;

	c->privileged = geteuid() == 0; /* best guess without /proc */
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1) {
			c->privileged = (eff >> 39 & 1) /* CAP_BPF */ ||
					(eff >> 21 & 1) /* CAP_SYS_ADMIN */;
			break;
		}
	fclose(f);
}

static void read_pidns(struct ctx *c)
{
	struct stat st;

	c->self = getpid();
	if (stat("/proc/self/ns/pid", &st))
		return;
	/* bpf_get_ns_current_pid_tgid() compares with the kernel's internal
	 * dev_t (major << 20 | minor), not the user-space encoding. */
	c->ns_dev = ((__u64)major(st.st_dev) << 20) | minor(st.st_dev);
	c->ns_ino = st.st_ino;
	c->ns_ok = true;
}

/*
 * Open a fresh skeleton with only program `name` enabled and load it.
 * `target` is the pid (in our namespace) whose activity the program counts.
 * Returns NULL with *err = -errno on failure (libbpf's log in g_log).
 */
static struct probe_bpf *load_one(struct ctx *c, const char *name, pid_t target, int *err)
{
	struct probe_bpf *s;
	struct bpf_program *prog;

	log_reset();
	s = probe_bpf__open();
	if (!s) {
		*err = errno ? -errno : -EINVAL;
		return NULL;
	}
	bpf_object__for_each_program(prog, s->obj)
		bpf_program__set_autoload(prog, strcmp(bpf_program__name(prog), name) == 0);
	/* A kernel without ring buffers must still load everything else. */
	if (!c->rb_ok)
		bpf_map__set_autocreate(s->maps.probe_rb, false);
	s->rodata->pidns_dev = c->ns_dev;
	s->rodata->pidns_ino = c->ns_ino;
	s->rodata->target_tgid = (__u32)target;
	s->rodata->marker_nr = SYS_getppid;
	*err = probe_bpf__load(s);
	if (*err) {
		if (*err > 0)
			*err = -*err;
		probe_bpf__destroy(s);
		return NULL;
	}
	return s;
}

static struct bpf_program *prog_by_name(struct probe_bpf *s, const char *name)
{
	return bpf_object__find_program_by_name(s->obj, name);
}

/* Fill `it` after a failed load or attach: NO, or UNKNOWN when we simply
 * lack the privilege to ask.  what = "load" or "loaded; attach". */
static void refused(struct ctx *c, struct bg_probe_item *it, const char *what,
		    int err, const char *extra)
{
	char vline[96];

	if (err == -EPERM && !c->privileged) {
		set_item(it, BG_PROBE_UNKNOWN, "%s refused: EPERM (no CAP_BPF/CAP_SYS_ADMIN)", what);
		return;
	}
	if (strcmp(what, "load") != 0) /* attach: there is no verifier log */
		set_item(it, BG_PROBE_NO, "%s refused: %s%s", what, errname(err), extra ? extra : "");
	else if (verifier_last_line(vline, sizeof(vline)))
		set_item(it, BG_PROBE_NO, "%s refused: %s (verifier: %s)%s", what,
			 errname(err), vline, extra ? extra : "");
	else
		set_item(it, BG_PROBE_NO, "%s refused: %s (no verifier log)%s", what,
			 errname(err), extra ? extra : "");
}

static int link_err(void)
{
	return errno ? -errno : -EINVAL;
}

/* Loads program `name` (load_one) and attaches it, to cgroup cgfd if
 * cgfd >= 0; on failure fills `it` (refused, with `why` appended) and
 * returns NULL.  The caller destroys *l and the object. */
static struct probe_bpf *load_attached(struct ctx *c, struct bg_probe_item *it, const char *name, pid_t target,
				       int cgfd, const char *why, struct bpf_link **l)
{
	struct probe_bpf *s;
	int err;

	s = load_one(c, name, target, &err);
	if (!s) {
		refused(c, it, "load", err, why);
		return NULL;
	}
	*l = cgfd >= 0 ? bpf_program__attach_cgroup(prog_by_name(s, name), cgfd) :
			 bpf_program__attach(prog_by_name(s, name));
	if (!*l) {
		refused(c, it, "loaded; attach", link_err(), why);
		probe_bpf__destroy(s);
		return NULL;
	}
	return s;
}

/* ------------------------------------------------------------------ */
/* Forked children with a gate: the child waits until the parent has
 * loaded a program keyed on the child's pid (and, for the cgroup probe,
 * moved it), then runs fn and reports fn's int through a pipe. */

struct child {
	pid_t pid;
	int gate; /* write end: one byte releases the child, EOF ends it */
	int res;  /* read end: the child's result */
};

typedef int (*child_fn)(void *arg);

static int child_start(struct child *ch, child_fn fn, void *arg)
{
	int g[2], r[2];
	pid_t pid;

	ch->pid = -1;
	ch->gate = ch->res = -1;
	if (pipe2(g, O_CLOEXEC))
		return -errno;
	if (pipe2(r, O_CLOEXEC)) {
		int e = -errno;

		close(g[0]);
		close(g[1]);
		return e;
	}
	pid = fork();
	if (pid < 0) {
		int e = -errno;

		close(g[0]);
		close(g[1]);
		close(r[0]);
		close(r[1]);
		return e;
	}
	if (pid == 0) {
		static const int reset[] = { SIGUSR1, SIGSEGV, SIGBUS, SIGILL, SIGSYS };
		sigset_t all;
		char b;
		int v;

		/* Signals must do what the kernel does by default: the tests
		 * read "killed by" from the exit status, and sanitizer or
		 * application handlers must not intercept them. */
		for (size_t i = 0; i < sizeof(reset) / sizeof(reset[0]); i++)
			signal(reset[i], SIG_DFL);
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(g[1]);
		close(r[0]);
		if (read(g[0], &b, 1) != 1)
			_exit(0); /* parent gave up (or died) */
		v = fn(arg);
		if (write(r[1], &v, sizeof(v)) != sizeof(v))
			_exit(2);
		_exit(0);
	}
	close(g[0]);
	close(r[1]);
	ch->pid = pid;
	ch->gate = g[1];
	ch->res = r[0];
	return 0;
}

static void child_release(struct child *ch)
{
	if (ch->gate >= 0) {
		if (write(ch->gate, "g", 1) != 1) {
			/* the child is gone; child_finish will see it */
		}
		close(ch->gate);
		ch->gate = -1;
	}
}

/*
 * Collect the child's result (if it wrote one) and its exit status, within
 * timeout_ms overall; an overstaying child is SIGKILLed and reaped.
 * Returns true if the child ended on its own.
 */
static bool child_finish(struct child *ch, int timeout_ms, bool *got, int *result, int *status)
{
	long long deadline = now_ms() + timeout_ms;
	bool ended = false;

	*got = false;
	*status = 0;
	if (ch->gate >= 0) { /* never released: EOF tells it to leave */
		close(ch->gate);
		ch->gate = -1;
	}
	if (ch->res >= 0) {
		struct pollfd pfd = { .fd = ch->res, .events = POLLIN };
		long long left = deadline - now_ms();

		if (poll(&pfd, 1, left > 0 ? (int)left : 0) > 0 &&
		    read(ch->res, result, sizeof(*result)) == sizeof(*result))
			*got = true;
		close(ch->res);
		ch->res = -1;
	}
	if (ch->pid <= 0)
		return false;
	for (;;) {
		pid_t w = waitpid(ch->pid, status, WNOHANG);

		if (w == ch->pid) {
			ended = true;
			break;
		}
		if (w < 0 && errno != EINTR)
			break; /* not our child any more (SIGCHLD ignored?) */
		if (now_ms() >= deadline) {
			kill(ch->pid, SIGKILL);
			while (waitpid(ch->pid, status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		usleep(200);
	}
	ch->pid = -1;
	return ended;
}

/* ------------------------------------------------------------------ */
/* kernel, btf                                                         */

static void probe_kernel(struct ctx *c)
{
	struct utsname u;

	if (uname(&u) == 0)
		snprintf(c->p->kernel, sizeof(c->p->kernel), "%s", u.release);
}

static void probe_btf(struct ctx *c)
{
	c->vmlinux = btf__load_vmlinux_btf();
	if (!c->vmlinux) {
		set_item(&c->p->btf, BG_PROBE_NO, "btf__load_vmlinux_btf: %s", errname(errno));
		return;
	}
	set_item(&c->p->btf, BG_PROBE_YES, "kernel BTF parsed: %u types",
		 btf__type_cnt(c->vmlinux));
}

/* Common preconditions of the BTF-typed / pid-filtered programs. */
static bool need(struct ctx *c, struct bg_probe_item *it, bool btf)
{
	if (btf && !c->vmlinux) {
		set_item(it, BG_PROBE_NO, "needs kernel BTF, which is missing");
		return false;
	}
	if (!c->ns_ok) {
		set_item(it, BG_PROBE_UNKNOWN, "cannot name our pid namespace (/proc/self/ns/pid)");
		return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* ringbuf                                                             */

static int rb_sample(void *arg, void *data, size_t size)
{
	const __u64 *rec = data;

	if (size >= 2 * sizeof(__u64) && rec[0] == PROBE_REC_MAGIC && rec[1] == SYS_getppid)
		++*(int *)arg;
	return 0;
}

static void probe_ringbuf(struct ctx *c)
{
	struct bg_probe_item *it = &c->p->ringbuf;
	struct probe_bpf *s;
	struct bpf_link *l;
	struct ring_buffer *rb;
	int fd, err, got = 0;

	/* Step 1: the map type itself. */
	fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "bg_probe_rb", 0, 0,
			    (__u32)sysconf(_SC_PAGESIZE), NULL);
	if (fd < 0) {
		err = -errno;
		if (err == -EPERM && !c->privileged)
			set_item(it, BG_PROBE_UNKNOWN, "map create: EPERM (no CAP_BPF/CAP_SYS_ADMIN)");
		else
			set_item(it, BG_PROBE_NO, "ringbuf map create: %s", errname(err));
		return;
	}
	close(fd);
	c->rb_ok = true;

	/* Step 2: a record written in the kernel and read back here. */
	if (!c->ns_ok) {
		set_item(it, BG_PROBE_YES, "map created (event path untested: no pid namespace)");
		return;
	}
	s = load_one(c, "probe_ringbuf", c->self, &err);
	if (!s) {
		set_item(it, BG_PROBE_YES, "map created (event path untested: raw_tp load %s)",
			 errname(err));
		return;
	}
	l = bpf_program__attach(s->progs.probe_ringbuf);
	if (!l) {
		set_item(it, BG_PROBE_YES, "map created (event path untested: raw_tp attach %s)",
			 errname(link_err()));
		probe_bpf__destroy(s);
		return;
	}
	rb = ring_buffer__new(bpf_map__fd(s->maps.probe_rb), rb_sample, &got, NULL);
	if (!rb) {
		set_item(it, BG_PROBE_NO, "map created, but mmap/epoll of it failed: %s",
			 errname(errno));
	} else {
		marker();
		/* Submitted before the syscall returned: consume() normally
		 * finds it; poll briefly in case of a wakeup delay. */
		ring_buffer__consume(rb);
		if (!got)
			ring_buffer__poll(rb, 100);
		if (got)
			set_item(it, BG_PROBE_YES, "record written at sys_enter and read back");
		else
			set_item(it, BG_PROBE_NO, "map created, but no record came back");
		ring_buffer__free(rb);
	}
	bpf_link__destroy(l);
	probe_bpf__destroy(s);
}

/* ------------------------------------------------------------------ */
/* tp_btf/sys_enter and raw_tp/sys_enter                               */

static void probe_sys_enter(struct ctx *c, struct bg_probe_item *it, const char *name,
			    bool btf, size_t hit_off)
{
	struct probe_bpf *s;
	struct bpf_link *l;
	__u64 hits;

	if (!need(c, it, btf))
		return;
	s = load_attached(c, it, name, c->self, -1, NULL, &l);
	if (!s)
		return;
	for (int i = 0; i < MARKER_CALLS; i++)
		marker();
	hits = __atomic_load_n((__u64 *)((char *)s->bss + hit_off), __ATOMIC_RELAXED);
	if (hits >= MARKER_CALLS)
		set_item(it, BG_PROBE_YES, "fired on %d/%d marker getppid() calls",
			 MARKER_CALLS, MARKER_CALLS);
	else
		set_item(it, BG_PROBE_NO, "loaded and attached, fired on %llu/%d marker calls",
			 (unsigned long long)hits, MARKER_CALLS);
	bpf_link__destroy(l);
	probe_bpf__destroy(s);
}

/* ------------------------------------------------------------------ */
/* tp_btf/sched_process_exec                                           */

static int child_exec(void *arg)
{
	const char *path = arg;

	execl(path, path, (char *)NULL);
	return errno; /* exec failed; result says why */
}

static void probe_exec(struct ctx *c)
{
	struct bg_probe_item *it = &c->p->tp_exec;
	struct child ch = { .pid = -1, .gate = -1, .res = -1 };
	const char *path = NULL;
	struct probe_bpf *s;
	struct bpf_link *l = NULL;
	int err, result = 0, status;
	bool got, have_child;

	if (!need(c, it, true))
		return;
	if (access("/bin/true", X_OK) == 0)
		path = "/bin/true";
	else if (access("/usr/bin/true", X_OK) == 0)
		path = "/usr/bin/true";
	/* The child exists first: the program counts only the child's exec. */
	have_child = path && child_start(&ch, child_exec, (void *)path) == 0;
	s = load_one(c, "probe_exec", have_child ? ch.pid : 0, &err);
	if (!s) {
		refused(c, it, "load", err, NULL);
	} else if (!(l = bpf_program__attach(s->progs.probe_exec))) {
		refused(c, it, "loaded; attach", link_err(), NULL);
	} else if (!have_child) {
		set_item(it, BG_PROBE_YES, "loaded and attached (not triggered: no child/true)");
	} else {
		child_release(&ch);
		child_finish(&ch, CHILD_TIMEOUT_MS, &got, &result, &status);
		if (s->bss->hit_exec > 0)
			set_item(it, BG_PROBE_YES, "fired when a child exec'd %s", path);
		else if (got) /* the child reported: exec itself failed */
			set_item(it, BG_PROBE_YES, "loaded and attached (not triggered: exec %s: %s)",
				 path, errname(result));
		else
			set_item(it, BG_PROBE_NO, "loaded and attached, but did not fire on exec of %s",
				 path);
	}
	bpf_link__destroy(l);
	probe_bpf__destroy(s);
	child_finish(&ch, CHILD_TIMEOUT_MS, &got, &result, &status); /* no-op if done */
}

/* ------------------------------------------------------------------ */
/* bpf_send_signal from sys_enter                                      */

static int child_marker(void *arg)
{
	(void)arg;
	marker();
	/* Reached only if no signal arrived on the way back from the call. */
	return 0;
}

static void probe_send_signal(struct ctx *c)
{
	/* Prefer the flavour bpfguard uses; fall back to raw_tp. */
	static const struct {
		const char *prog, *label;
		bool btf;
	} tries[] = {
		{ "probe_signal", "tp_btf", true },
		{ "probe_signal_raw", "raw_tp", false },
	};
	struct bg_probe_item *it = &c->p->send_signal;
	struct probe_bpf *s = NULL;
	struct bpf_link *l = NULL;
	struct child ch;
	size_t i;
	int err = 0, result = 0, status = 0;
	bool got;

	if (!need(c, it, false))
		return;
	/* The child exists first: the program signals only the child. */
	err = child_start(&ch, child_marker, NULL);
	if (err < 0) {
		set_item(it, BG_PROBE_UNKNOWN, "fork: %s", errname(err));
		return;
	}
	for (i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		if (tries[i].btf && !c->vmlinux)
			continue;
		s = load_one(c, tries[i].prog, ch.pid, &err);
		if (s)
			break;
	}
	if (!s) {
		refused(c, it, "load", err, NULL);
	} else if (!(l = bpf_program__attach(prog_by_name(s, tries[i].prog)))) {
		refused(c, it, "loaded; attach", link_err(), NULL);
	} else {
		child_release(&ch);
		if (!child_finish(&ch, CHILD_TIMEOUT_MS, &got, &result, &status))
			set_item(it, BG_PROBE_NO, "child did not end within %d ms", CHILD_TIMEOUT_MS);
		else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGUSR1)
			set_item(it, BG_PROBE_YES,
				 "SIGUSR1 from %s/sys_enter ended the child at its marker call",
				 tries[i].label);
		else if (s->bss->hit_signal == 0)
			set_item(it, BG_PROBE_NO, "%s program attached but never saw the child's call",
				 tries[i].label);
		else
			set_item(it, BG_PROBE_NO, "bpf_send_signal returned %ld, child %s %d",
				 s->data->signal_ret,
				 WIFSIGNALED(status) ? "killed by signal" : "exited",
				 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	}
	bpf_link__destroy(l);
	probe_bpf__destroy(s);
	child_finish(&ch, CHILD_TIMEOUT_MS, &got, &result, &status); /* no-op if done */
}

/* ------------------------------------------------------------------ */
/* LSM list (securityfs)                                               */

#define SECFS "/sys/kernel/security"

/* Read a small text file from an open fd (closed here); -errno on error. */
static int read_str(int fd, char *buf, size_t bufsz)
{
	ssize_t n;
	int e;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, bufsz - 1);
	e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[n] = '\0';
	return 0;
}

/* Read <securityfs>/lsm into buf.  Uses the system's mount if there is
 * one; otherwise a private, detached securityfs mount (fsopen/fsmount:
 * never visible in any mount namespace, gone when its fd closes), and as a
 * last resort mounts /sys/kernel/security and unmounts it again. */
static int read_lsm(char *buf, size_t bufsz, const char **how)
{
	struct statfs sfs;
	int fsfd, mfd = -1, err;

	/* 1. The system's own mount. */
	if (statfs(SECFS, &sfs) == 0 && sfs.f_type == SECURITYFS_MAGIC) {
		*how = "";
		return read_str(open(SECFS "/lsm", O_RDONLY | O_CLOEXEC), buf, bufsz);
	}
	/* 2. A private, detached instance: nothing to undo, nobody sees it. */
	fsfd = fsopen("securityfs", FSOPEN_CLOEXEC);
	if (fsfd >= 0) {
		if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
			mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, 0);
		close(fsfd);
		if (mfd >= 0) {
			*how = " (securityfs not mounted; read via a private mount)";
			err = read_str(openat(mfd, "lsm", O_RDONLY | O_CLOEXEC), buf, bufsz);
			close(mfd);
			return err;
		}
	}
	/* 3. Mount it where it belongs, read, unmount (only our own mount:
	 * we got here because nothing was mounted there). */
	if (mount("securityfs", SECFS, "securityfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		return -errno;
	*how = " (mounted securityfs for this read, unmounted again)";
	err = read_str(open(SECFS "/lsm", O_RDONLY | O_CLOEXEC), buf, bufsz);
	umount2(SECFS, 0); /* EBUSY if someone started using it: then it stays */
	return err;
}

static bool lsm_has_bpf(const char *list)
{
	char tmp[256], *save = NULL, *tok;

	snprintf(tmp, sizeof(tmp), "%s", list);
	for (tok = strtok_r(tmp, ",\n", &save); tok; tok = strtok_r(NULL, ",\n", &save))
		if (strcmp(tok, "bpf") == 0)
			return true;
	return false;
}

static void probe_lsm_listed(struct ctx *c)
{
	struct bg_probe_item *it = &c->p->lsm_listed;
	char list[256];
	const char *how = "";
	int err;

	err = read_lsm(list, sizeof(list), &how);
	if (err) {
		set_item(it, BG_PROBE_UNKNOWN, "cannot read securityfs lsm: %s", errname(err));
		return;
	}
	list[strcspn(list, "\n")] = '\0';
	set_item(it, lsm_has_bpf(list) ? BG_PROBE_YES : BG_PROBE_NO, "lsm=%.100s%s", list, how);
}

/* ------------------------------------------------------------------ */
/* lsm/file_open                                                       */

static void probe_lsm_prog(struct ctx *c)
{
	struct bg_probe_item *it = &c->p->lsm_prog;
	const char *why = c->p->lsm_listed.state == BG_PROBE_YES ? "; bpf is in the LSM list" : "";
	struct probe_bpf *s;
	struct bpf_link *l;
	int fd;

	if (!need(c, it, true))
		return;
	s = load_attached(c, it, "probe_lsm", c->self, -1, why, &l);
	if (!s)
		return;
	/* Trigger the hook: any open() by this process. */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	if (s->bss->hit_lsm > 0)
		set_item(it, BG_PROBE_YES, "lsm/file_open loaded, attached, fired on open()");
	else
		set_item(it, BG_PROBE_NO, "loaded and attached, but not called on open()%s",
			 c->p->lsm_listed.state == BG_PROBE_YES ? "" : " (bpf LSM inactive)");
	bpf_link__destroy(l);
	probe_bpf__destroy(s);
}

/* ------------------------------------------------------------------ */
/* fentry (BPF trampoline)                                             */

#define FENTRY_TARGET "do_unlinkat"

static void probe_trampoline(struct ctx *c)
{
	struct bg_probe_item *it = &c->p->trampoline;
	struct probe_bpf *s;
	struct bpf_link *l;

	if (!need(c, it, true))
		return;
	/* The attach target must resolve in this kernel's BTF, or libbpf
	 * would refuse for a reason that says nothing about trampolines. */
	if (btf__find_by_name_kind(c->vmlinux, FENTRY_TARGET, BTF_KIND_FUNC) < 0) {
		set_item(it, BG_PROBE_UNKNOWN, FENTRY_TARGET " not in kernel BTF; not tried");
		return;
	}
	s = load_attached(c, it, "probe_fentry", c->self, -1, NULL, &l);
	if (!s)
		return;
	/* unlink() always reaches do_unlinkat; this name cannot exist in
	 * procfs, so nothing is ever removed. */
	unlink("/proc/self/bpfguard-probe-nonexistent");
	if (s->bss->hit_fentry > 0)
		set_item(it, BG_PROBE_YES, "fentry/" FENTRY_TARGET " loaded, attached, fired on unlink()");
	else
		set_item(it, BG_PROBE_YES, "fentry/" FENTRY_TARGET " loaded and attached (did not fire)");
	bpf_link__destroy(l);
	probe_bpf__destroy(s);
}

/* ------------------------------------------------------------------ */
/* cgroup2 mount                                                       */

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* First cgroup2 mount in /proc/self/mountinfo: mount point and root. */
static bool find_cgroup2(char *mnt, size_t mntsz, char *root, size_t rootsz)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;
	bool found = false;

	if (!f)
		return false;
	while (!found && getline(&line, &cap, f) > 0) {
		/* id parent maj:min root mountpoint opts [optional...] - fstype src superopts */
		char *save = NULL, *tok, *fld[5] = { 0 };
		const char *sep = strstr(line, " - ");
		int i = 0;

		if (!sep || strncmp(sep + 3, "cgroup2 ", 8) != 0)
			continue;
		for (tok = strtok_r(line, " ", &save); tok && i < 5; tok = strtok_r(NULL, " ", &save))
			fld[i++] = tok;
		if (i < 5)
			continue;
		unescape_octal(fld[3]);
		unescape_octal(fld[4]);
		snprintf(mnt, mntsz, "%s", fld[4]);
		snprintf(root, rootsz, "%s", fld[3]);
		found = true;
	}
	free(line);
	fclose(f);
	return found;
}

static void probe_cgroup2(struct ctx *c)
{
	struct bg_probe_item *it = &c->p->cgroup2;
	char mnt[256], root[256], ctl[96] = "", path[PATH_MAX];
	struct statfs sfs;
	ssize_t n;
	int fd;

	if (!find_cgroup2(mnt, sizeof(mnt), root, sizeof(root))) {
		set_item(it, BG_PROBE_NO, "no cgroup2 mount in /proc/self/mountinfo");
		return;
	}
	if (statfs(mnt, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		set_item(it, BG_PROBE_NO, "%.120s listed as cgroup2 but is not one here", mnt);
		return;
	}
	snprintf(c->p->cgroup2_mount, sizeof(c->p->cgroup2_mount), "%s", mnt);
	fd = pathf(path, sizeof(path), "%s/cgroup.controllers", mnt)
		     ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd >= 0) {
		n = read(fd, ctl, sizeof(ctl) - 1);
		ctl[n > 0 ? n : 0] = '\0';
		ctl[strcspn(ctl, "\n")] = '\0';
		close(fd);
	}
	set_item(it, BG_PROBE_YES, "%.100s (controllers: %.40s)%s%.40s", mnt,
		 ctl[0] ? ctl : "none", strcmp(root, "/") ? ", root " : "",
		 strcmp(root, "/") ? root : "");
}

/* ------------------------------------------------------------------ */
/* cgroup-BPF: sock_create (triggered), dev, connect4                  */

/* Leftovers of probes that were killed before they could clean up:
 * bpfguard-probe-<pid>[-<n>] whose pid is gone and which is older than a
 * probe run could ever take (the pid may belong to another pid namespace,
 * so age is the real guard against removing a live probe's cgroup). */
static void remove_stale_probe_cgroups(const char *mnt)
{
	DIR *d = opendir(mnt);
	struct dirent *e;
	char path[PATH_MAX];
	struct stat st;

	if (!d)
		return;
	while ((e = readdir(d))) {
		long pid;
		char *end;

		if (strncmp(e->d_name, PROBE_CGROUP_PREFIX, strlen(PROBE_CGROUP_PREFIX)))
			continue;
		pid = strtol(e->d_name + strlen(PROBE_CGROUP_PREFIX), &end, 10);
		if ((*end && *end != '-') || pid <= 0 ||
		    (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue; /* its owner may still be running */
		if (!pathf(path, sizeof(path), "%s/%s", mnt, e->d_name) || stat(path, &st) ||
		    time(NULL) - st.st_mtime < 60)
			continue;
		rmdir(path); /* fails harmlessly if still populated */
	}
	closedir(d);
}

static int write_pid(const char *cg, pid_t pid)
{
	char path[PATH_MAX], buf[24];
	int fd, len, ok;

	if (!pathf(path, sizeof(path), "%s/cgroup.procs", cg))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	ok = write(fd, buf, (size_t)len) == len;
	len = ok ? 0 : -errno;
	close(fd);
	return len;
}

static int child_socket(void *arg)
{
	int fd;

	(void)arg;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static void probe_cgroup_sock(struct ctx *c, const char *cg, int cgfd)
{
	struct bg_probe_item *it = &c->p->cgroup_sock;
	struct probe_bpf *s;
	struct bpf_link *l;
	struct child ch;
	int err, result = 0, status, fd;
	bool got = false, outside_ok;

	s = load_attached(c, it, "probe_sock_create", 0, cgfd, NULL, &l);
	if (!s)
		return;
	err = child_start(&ch, child_socket, NULL);
	if (err < 0) {
		set_item(it, BG_PROBE_UNKNOWN, "loaded and attached; fork: %s", errname(err));
		goto out;
	}
	/* Move the child (never ourselves), then let it try. */
	err = write_pid(cg, ch.pid);
	if (err < 0) {
		set_item(it, BG_PROBE_UNKNOWN, "loaded and attached; moving child into cgroup: %s",
			 errname(err));
		child_finish(&ch, CHILD_TIMEOUT_MS, &got, &result, &status);
		goto out;
	}
	child_release(&ch);
	child_finish(&ch, CHILD_TIMEOUT_MS, &got, &result, &status);
	/* Control: the same call outside the cgroup must still work. */
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	outside_ok = fd >= 0;
	if (fd >= 0)
		close(fd);
	if (!got)
		set_item(it, BG_PROBE_NO, "child in probe cgroup did not report");
	else if (result == EPERM && s->bss->hit_sock_deny > 0)
		set_item(it, BG_PROBE_YES, "socket(AF_INET) in probe cgroup: EPERM; outside: %s",
			 outside_ok ? "allowed" : "also failing");
	else
		set_item(it, BG_PROBE_NO, "socket(AF_INET) in probe cgroup: %s (program ran %llu times)",
			 result ? errname(result) : "allowed",
			 (unsigned long long)s->bss->hit_sock_deny);
out:
	bpf_link__destroy(l);
	probe_bpf__destroy(s);
}

/* cgroup/dev and cgroup/connect4: load, and attach to the probe cgroup
 * when there is one (detached again by closing the link); cgfd -1: load
 * only (the question is what the verifier accepts). */
static void probe_cgroup_load(struct ctx *c, struct bg_probe_item *it, const char *name,
			      int cgfd)
{
	struct probe_bpf *s;
	struct bpf_link *l;
	int err;

	s = load_one(c, name, 0, &err);
	if (!s) {
		refused(c, it, "load", err, NULL);
		return;
	}
	if (cgfd < 0) {
		set_item(it, BG_PROBE_YES, "loaded (not attached)");
	} else if ((l = bpf_program__attach_cgroup(prog_by_name(s, name), cgfd))) {
		set_item(it, BG_PROBE_YES, "loaded and attached to the probe cgroup");
		bpf_link__destroy(l);
	} else {
		refused(c, it, "loaded; attach", link_err(), NULL);
	}
	probe_bpf__destroy(s);
}

static void probe_cgroup_progs(struct ctx *c)
{
	const char *mnt = c->p->cgroup2_mount;
	char cg[PATH_MAX];
	int cgfd = -1, err = 0;
	bool made = false;

	if (!mnt[0]) {
		set_item(&c->p->cgroup_sock, BG_PROBE_UNKNOWN, "no cgroup2 mount to test in");
	} else {
		remove_stale_probe_cgroups(mnt);
		/* Same pid in another pid namespace probing now: add a suffix. */
		for (int n = 0; n < 8 && !made; n++) {
			char sfx[16] = "";

			if (n)
				snprintf(sfx, sizeof(sfx), "-%d", n);
			if (!pathf(cg, sizeof(cg), "%s/" PROBE_CGROUP_PREFIX "%d%s", mnt,
				   (int)c->self, sfx)) {
				errno = ENAMETOOLONG;
				break;
			}
			made = mkdir(cg, 0700) == 0;
			if (!made && errno != EEXIST)
				break;
		}
		if (!made)
			err = -errno;
		else if ((cgfd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			err = -errno;
		if (cgfd < 0)
			set_item(&c->p->cgroup_sock, BG_PROBE_UNKNOWN, "cannot create probe cgroup: %s",
				 errname(err));
		else
			probe_cgroup_sock(c, cg, cgfd);
	}
	probe_cgroup_load(c, &c->p->cgroup_dev, "probe_dev", cgfd);
	probe_cgroup_load(c, &c->p->cgroup_sockaddr, "probe_connect4", cgfd);
	/* load only: attaching would change nothing the load did not prove */
	probe_cgroup_load(c, &c->p->cgroup_mark, "probe_sock_mark", -1);
	probe_cgroup_load(c, &c->p->cgroup_retval, "probe_sock_retval", -1);
	if (cgfd >= 0)
		close(cgfd);
	if (made) {
		/* The reaped child may take a moment to leave the cgroup. */
		for (int i = 0; i < 100 && rmdir(cg) && errno == EBUSY; i++)
			usleep(1000);
		if (access(cg, F_OK) == 0) {
			size_t len = strlen(c->p->cgroup_sock.detail);

			snprintf(c->p->cgroup_sock.detail + len, sizeof(c->p->cgroup_sock.detail) - len,
				 " [left behind: %s]", cg);
		}
	}
}

/* ------------------------------------------------------------------ */
/* seccomp                                                             */

/* In the child: getppid() -> EPERM, everything else allowed.  Returns the
 * errno getppid() failed with (0 = it succeeded), or -errno if the filter
 * could not be installed. */
static int child_seccomp(void *arg)
{
#if defined(__x86_64__)
	struct sock_filter insns[] = {
		/* Numbers mean something only for the native ABI. */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog fprog = { .len = sizeof(insns) / sizeof(insns[0]), .filter = insns };

	(void)arg;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog))
		return -errno;
	return syscall(SYS_getppid) < 0 ? errno : 0;
#else
	(void)arg;
	return -ENOSYS;
#endif
}

static void probe_seccomp(struct ctx *c)
{
	struct bg_probe_item *it = &c->p->seccomp;
	__u32 act = SECCOMP_RET_ERRNO;
	struct child ch;
	int mode, err, result = 0, status;
	bool got;

	mode = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
	if (mode < 0) {
		set_item(it, BG_PROBE_NO, "PR_GET_SECCOMP: %s", errname(errno));
		return;
	}
	if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &act)) {
		set_item(it, BG_PROBE_NO, "SECCOMP_RET_ERRNO not available: %s", errname(errno));
		return;
	}
	err = child_start(&ch, child_seccomp, NULL);
	if (err < 0) {
		set_item(it, BG_PROBE_YES, "filter mode available (not tried: fork %s)", errname(err));
		return;
	}
	child_release(&ch);
	child_finish(&ch, CHILD_TIMEOUT_MS, &got, &result, &status);
	if (!got)
		set_item(it, BG_PROBE_NO, "filtered child did not report (status 0x%x)", status);
	else if (result == EPERM)
		set_item(it, BG_PROBE_YES, "filter made getppid() fail with EPERM in a child%s",
			 mode ? " (this process is itself filtered)" : "");
	else if (result == -ENOSYS)
		set_item(it, BG_PROBE_YES, "RET_ERRNO available (filter test is x86_64 only)");
	else if (result < 0)
		set_item(it, BG_PROBE_NO, "installing a filter failed: %s", errname(result));
	else
		set_item(it, BG_PROBE_NO, "filter installed, getppid() %s",
			 result ? errname(result) : "still succeeded");
}

/* ------------------------------------------------------------------ */
/* ia32 and x32 ABIs                                                   */

/* 0 when `int $0x80` getpid (ia32 nr 20) returns our pid, else the raw
 * return value (-ENOSYS when compat syscalls are off).  If the kernel has
 * no int $0x80 gate at all the child dies by signal instead. */
static int child_ia32(void *arg)
{
	(void)arg;
#if defined(__x86_64__)
	long ret;

	/* The kernel may clobber r8-r11 on int $0x80 returns. */
	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "0"(20L)
			 : "memory", "cc", "r8", "r9", "r10", "r11");
	return ret == (long)syscall(SYS_getpid) ? 0 : (int)ret;
#else
	return -ENOSYS;
#endif
}

/* 0 when x32 getpid (39 | __X32_SYSCALL_BIT) returns our pid, else -errno. */
static int child_x32(void *arg)
{
	long r;

	(void)arg;
	r = syscall(0x40000000L | 39);
	if (r < 0)
		return -errno;
	return r == (long)syscall(SYS_getpid) ? 0 : -EINVAL;
}

static void probe_abi(struct bg_probe_item *it, child_fn fn, const char *what)
{
	struct child ch;
	int err, result = 0, status;
	bool got;

#if !defined(__x86_64__)
	(void)fn;
	set_item(it, BG_PROBE_UNKNOWN, "%s: only tested on x86_64", what);
	return;
#endif
	err = child_start(&ch, fn, NULL);
	if (err < 0) {
		set_item(it, BG_PROBE_UNKNOWN, "fork: %s", errname(err));
		return;
	}
	child_release(&ch);
	if (!child_finish(&ch, CHILD_TIMEOUT_MS, &got, &result, &status))
		set_item(it, BG_PROBE_UNKNOWN, "%s: child did not end in time", what);
	else if (got && result == 0)
		set_item(it, BG_PROBE_YES, "%s returned the caller's pid", what);
	else if (got)
		set_item(it, BG_PROBE_NO, "%s failed: %s", what, errname(result));
	else if (WIFSIGNALED(status))
		set_item(it, BG_PROBE_NO, "%s: child killed by SIG%s%s", what,
			 sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?",
			 fn == child_ia32 && WTERMSIG(status) == SIGSEGV
				 ? " (#GP: int $0x80 gate closed, IA32 emulation off)" : "");
	else
		set_item(it, BG_PROBE_UNKNOWN, "%s: child exited %d without a result", what,
			 WEXITSTATUS(status));
}

/* ------------------------------------------------------------------ */
/* bpffs                                                               */

static void probe_bpffs(struct ctx *c)
{
	struct bg_probe_item *it = &c->p->bpffs;
	struct statfs sfs;

	if (statfs("/sys/fs/bpf", &sfs) == 0 && sfs.f_type == BPF_FS_MAGIC) {
		set_item(it, BG_PROBE_YES, "mounted at /sys/fs/bpf");
		return;
	}
	/* bpfguard pins its state here, so mounting it is no surprise; same
	 * options systemd uses. */
	if (mount("bpf", "/sys/fs/bpf", "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700") == 0) {
		set_item(it, BG_PROBE_YES,
			 "was not mounted; probe mounted it at /sys/fs/bpf (left mounted for bpfguard)");
		return;
	}
	set_item(it, BG_PROBE_NO, "not mounted (mountable: no: %s)", errname(errno));
}

/* ------------------------------------------------------------------ */

static const struct {
	const char *key;
	size_t off;
} items[] = {
#define ITEM(f) { #f, offsetof(struct bg_probe, f) }
	ITEM(btf),          ITEM(ringbuf),    ITEM(tp_sys_enter), ITEM(raw_tp),
	ITEM(tp_exec),      ITEM(send_signal), ITEM(lsm_listed),  ITEM(lsm_prog),
	ITEM(trampoline),   ITEM(cgroup2),    ITEM(cgroup_sock),  ITEM(cgroup_dev),
	ITEM(cgroup_sockaddr), ITEM(cgroup_mark), ITEM(cgroup_retval),
	ITEM(seccomp),      ITEM(ia32),       ITEM(x32),
	ITEM(bpffs),
#undef ITEM
};
#define NITEMS (sizeof(items) / sizeof(items[0]))

static const struct bg_probe_item *item_at(const struct bg_probe *p, size_t i)
{
	return (const struct bg_probe_item *)((const char *)p + items[i].off);
}

static struct bg_probe_item *item_mut(struct bg_probe *p, size_t i)
{
	return (struct bg_probe_item *)((char *)p + items[i].off);
}

void bg_probe_run(struct bg_probe *p)
{
	struct ctx c = { .p = p };
	libbpf_print_fn_t old;

	memset(p, 0, sizeof(*p));
	/* Every item starts as "not tried" so an early return is honest. */
	for (size_t i = 0; i < NITEMS; i++)
		set_item(item_mut(p, i), BG_PROBE_UNKNOWN, "not tried");

	old = libbpf_set_print(capture_print);
	read_caps(&c);
	read_pidns(&c);
	probe_kernel(&c);
	probe_btf(&c);
	probe_ringbuf(&c);
	probe_sys_enter(&c, &p->tp_sys_enter, "probe_tp_btf", true,
			offsetof(struct probe_bpf__bss, hit_tp_btf));
	probe_sys_enter(&c, &p->raw_tp, "probe_raw_tp", false,
			offsetof(struct probe_bpf__bss, hit_raw_tp));
	probe_exec(&c);
	probe_send_signal(&c);
	probe_lsm_listed(&c);
	probe_lsm_prog(&c);
	probe_trampoline(&c);
	probe_cgroup2(&c);
	probe_cgroup_progs(&c);
	probe_seccomp(&c);
	probe_abi(&p->ia32, child_ia32, "int $0x80 getpid");
	probe_abi(&p->x32, child_x32, "x32 getpid");
	probe_bpffs(&c);
	libbpf_set_print(old);
	log_reset();
	btf__free(c.vmlinux);
}

void bg_probe_refresh(struct bg_probe *p)
{
	struct ctx c = { .p = p };

	probe_kernel(&c);
	probe_cgroup2(&c);
	probe_bpffs(&c);
}

/* ------------------------------------------------------------------ */
/* Output                                                              */

static const char *state_str(enum bg_probe_state s)
{
	switch (s) {
	case BG_PROBE_YES:
		return "yes";
	case BG_PROBE_NO:
		return "no";
	default:
		return "unknown";
	}
}

void bg_probe_print(const struct bg_probe *p, FILE *f)
{
	int w = (int)strlen("MECHANISM");

	for (size_t i = 0; i < NITEMS; i++)
		if ((int)strlen(items[i].key) > w)
			w = (int)strlen(items[i].key);
	fprintf(f, "%-*s  %s\n", w, "kernel", p->kernel[0] ? p->kernel : "?");
	fprintf(f, "%-*s  %s\n\n", w, "cgroup2_mount",
		p->cgroup2_mount[0] ? p->cgroup2_mount : "(none)");
	fprintf(f, "%-*s  %-7s  %s\n", w, "MECHANISM", "STATE", "DETAIL");
	for (size_t i = 0; i < NITEMS; i++) {
		const struct bg_probe_item *it = item_at(p, i);

		fprintf(f, "%-*s  %-7s  %.*s\n", w, items[i].key, state_str(it->state),
			(int)strnlen(it->detail, sizeof(it->detail)), it->detail);
	}
}

struct json_object *bg_probe_to_json(const struct bg_probe *p)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	for (size_t i = 0; i < NITEMS; i++) {
		const struct bg_probe_item *it = item_at(p, i);
		struct json_object *e = json_object_new_object();

		if (!e) {
			json_object_put(o);
			return NULL;
		}
		json_object_object_add(e, "state", json_object_new_string(state_str(it->state)));
		json_object_object_add(e, "detail",
				       json_object_new_string_len(it->detail,
						(int)strnlen(it->detail, sizeof(it->detail))));
		json_object_object_add(o, items[i].key, e);
	}
	json_object_object_add(o, "kernel",
			       json_object_new_string_len(p->kernel,
						(int)strnlen(p->kernel, sizeof(p->kernel))));
	json_object_object_add(o, "cgroup2_mount",
			       json_object_new_string_len(p->cgroup2_mount,
						(int)strnlen(p->cgroup2_mount,
							     sizeof(p->cgroup2_mount))));
	return o;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * syscall_bench - what bpfguard adds to every syscall, and how fast its
 * denial events drain.  A benchmark, not a test: it prints numbers (a
 * markdown table) and fails only if it cannot measure.  Run as root;
 * scripts/bench prepares cgroups and policies and calls it.
 *
 *   syscall_bench loop     [--cgroup DIR] [--calls N] [--cpu C]
 *   syscall_bench overhead --bpfguard BIN --policy FILE --guarded DIR --free DIR
 *                          [--rounds R] [--calls N] [--stats-rounds S]
 *                          [--stats-calls M] [--cpu C]
 *   syscall_bench drain    --bpfguard BIN --policy FILE --guarded DIR
 *                          [--count N] [--prefill P]
 *
 * overhead: (a) bare, (b) empty tp_btf/sys_enter, (b') empty raw_tp, (c)
 * bpfguard attached elsewhere (caller unguarded), (d) caller guarded and
 * its getppid allowed.  Wall-clock rounds are interleaved (the block order
 * rotates each round) and ratios are taken within a round, then the median
 * over rounds.  A second phase enables kernel BPF statistics and reads
 * run_time_ns/run_cnt of bpfguard's bg_sys_enter and of the reference
 * programs in tests/bench/bench.bpf.c, all attached at once.
 *
 * drain: audit-mode policy that logs getpid, rate limit 0; N denials while
 * `bpfguard events --json --follow` drains concurrently, then P denials
 * into an unread ring and `bpfguard events --json` draining it.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bpfguard.h"
#include "bench.skel.h"

#define BENCH_BPFFS "/sys/fs/bpf" /* as user/core/loader.h BG_BPFFS */
#define GUARD_PROG BENCH_BPFFS "/" BG_PIN_ROOT "/" BG_PIN_PROGS "/bg_sys_enter"
#define GUARD_STATS BENCH_BPFFS "/" BG_PIN_ROOT "/" BG_PIN_MAPS "/bg_stats"
#define WARMUP_CALLS 20000L

/* mirrors tests/bench/bench.bpf.c */
struct bench_cache_ent {
	__u64 cgid;
	__u32 slot;
	__u32 flags;
};

struct bench_bitmap_ent {
	__u64 cgid;
	__u32 slot;
	__u32 flags;
	__u64 allow[BG_MAX_SYSCALLS / 64];
};

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "syscall_bench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The raw instruction: no libc wrapper in the measured loop. */
static inline long raw_syscall0(long nr)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "0"(nr) : "rcx", "r11", "memory");
	return ret;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, int n)
{
	double *s = malloc(n * sizeof(*s));
	double m;

	if (!s || n <= 0)
		die("median of nothing");
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_dbl);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

static double minimum(const double *v, int n)
{
	double m = v[0];

	for (int i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

static void write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(3);
		p += w;
		len -= (size_t)w;
	}
}

static int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t r = read(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

static void join_cgroup(const char *dir)
{
	char p[4096], pid[32];
	int fd, n;

	snprintf(p, sizeof(p), "%s/cgroup.procs", dir);
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		die("cannot open %s: %s", p, strerror(errno));
	n = snprintf(pid, sizeof(pid), "%d\n", getpid());
	if (write(fd, pid, n) != n)
		die("cannot join %s: %s", dir, strerror(errno));
	close(fd);
}

static void pin_cpu(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("cannot pin to cpu %d: %s", cpu, strerror(errno));
}

static uint64_t cgroup_id(const char *dir)
{
	struct stat sb;

	if (stat(dir, &sb))
		die("cannot stat %s: %s", dir, strerror(errno));
	return sb.st_ino;
}

/* ------------------------------------------------------------------ */
/* A measured loop in a child process: join, pin, warm up, say ready, wait
 * for go, loop, report ns/call.  The parent snapshots statistics between
 * "ready" and the result, when the child makes nothing but the calls. */

struct worker {
	pid_t pid;
	int from_child, to_child;
};

static void worker_start(struct worker *w, const char *cg, int cpu, long nr, long calls)
{
	long warmup = nr == SYS_getppid ? WARMUP_CALLS : 0; /* getpid makes events: none extra */
	int up[2], down[2];

	if (pipe2(up, O_CLOEXEC) || pipe2(down, O_CLOEXEC))
		die("pipe: %s", strerror(errno));
	w->pid = fork();
	if (w->pid < 0)
		die("fork: %s", strerror(errno));
	if (w->pid == 0) {
		struct timespec t0, t1;
		double ns;
		char c = 'r';

		close(up[0]);
		close(down[1]);
		if (cg)
			join_cgroup(cg);
		pin_cpu(cpu);
		for (long i = 0; i < warmup && i < calls; i++)
			raw_syscall0(nr);
		write_all(up[1], &c, 1);
		if (read_full(down[0], &c, 1))
			_exit(3);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long i = 0; i < calls; i++)
			raw_syscall0(nr);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / (double)calls;
		write_all(up[1], &ns, sizeof(ns));
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	w->from_child = up[0];
	w->to_child = down[1];
	{
		char c;

		if (read_full(w->from_child, &c, 1))
			die("worker did not start (cgroup %s)", cg ? cg : "-");
	}
}

static void worker_go(struct worker *w)
{
	if (write(w->to_child, "g", 1) != 1)
		die("worker: %s", strerror(errno));
}

static double worker_finish(struct worker *w)
{
	double ns;
	int st;

	if (read_full(w->from_child, &ns, sizeof(ns)))
		die("worker died");
	waitpid(w->pid, &st, 0);
	close(w->from_child);
	close(w->to_child);
	return ns;
}

static double run_loop(const char *cg, int cpu, long nr, long calls)
{
	struct worker w;

	worker_start(&w, cg, cpu, nr, calls);
	worker_go(&w);
	return worker_finish(&w);
}

/* ------------------------------------------------------------------ */
/* bpfguard itself, as an operator runs it. */

static const char *bpfguard_bin;

static int run_bpfguard(int quiet, ...)
{
	const char *argv[16] = { bpfguard_bin };
	va_list ap;
	int argc = 1, st;
	pid_t pid;

	va_start(ap, quiet);
	while (argc < 15 && (argv[argc] = va_arg(ap, const char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0) {
			dup2(null, 1);
			if (quiet)
				dup2(null, 2);
		}
		execv(bpfguard_bin, (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void guard_attach(const char *cg, const char *policy, const char *rate)
{
	int r;

	if (rate)
		r = run_bpfguard(0, "attach", "--cgroup", cg, "--policy", policy,
				 "--mode", "audit", "--rate-limit", rate, NULL);
	else
		r = run_bpfguard(0, "attach", "--cgroup", cg, "--policy", policy,
				 "--mode", "audit", NULL);
	if (r)
		die("bpfguard attach --cgroup %s --policy %s failed (exit %d)", cg, policy, r);
	if (access(GUARD_PROG, F_OK))
		die("bpfguard attached but %s is not pinned", GUARD_PROG);
}

/* Quiet and tolerant: if someone reset the state meanwhile there is
 * nothing to detach, and the measurement is redone anyway. */
static void guard_detach(const char *cg)
{
	run_bpfguard(1, "detach", "--cgroup", cg, NULL);
}

/* bpfguard's state is global (bpffs pins, one sys_enter program), and
 * integration tests running at the same time reset it.  Every
 * measurement checks that the program it expects (or none) was there
 * before and after, and is redone otherwise. */
static __u32 guard_prog_id(void)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(GUARD_PROG);

	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		info.id = 0;
	close(fd);
	return info.id;
}

static void wait_quiet(void)
{
	double until = now_s() + 120;
	bool told = false;

	while (guard_prog_id()) {
		if (!told)
			fprintf(stderr, "syscall_bench: bpfguard is attached by someone else "
				"(integration tests?); waiting up to 120 s\n");
		told = true;
		if (now_s() > until)
			die("bpfguard stayed attached by someone else; run the benchmark alone");
		usleep(500000);
	}
}

#define MAX_RETRIES 5

/* ------------------------------------------------------------------ */
/* Kernel BPF statistics. */

struct pstat {
	__u64 ns, cnt;
};

static struct pstat prog_stat(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		die("bpf_obj_get_info_by_fd: %s", strerror(errno));
	return (struct pstat){ info.run_time_ns, info.run_cnt };
}

static int read_sysctl_int(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* ------------------------------------------------------------------ */

struct opts {
	const char *policy, *guarded, *free_cg, *cg;
	int rounds, stats_rounds, cpu;
	long calls, stats_calls, count, prefill;
};

enum { CFG_BARE, CFG_EMPTY, CFG_RAW, CFG_UNGUARDED, CFG_GUARDED, CFG__N };

static const char *const cfg_name[CFG__N] = {
	"(a) bare, nothing attached",
	"(b) empty `tp_btf/sys_enter` program",
	"(b') empty `raw_tp/sys_enter` program (reference)",
	"(c) bpfguard attached, caller unguarded",
	"(d) bpfguard attached, caller guarded, call allowed",
};

static struct bpf_link *attach_prog(struct bpf_program *p)
{
	struct bpf_link *l = bpf_program__attach(p);

	if (!l)
		die("cannot attach %s: %s", bpf_program__name(p), strerror(errno));
	return l;
}

/* Stats phase: the empty tp_btf baseline and the programs measured against it. */
enum { SP_EMPTY, SP_RAW, SP_CGID, SP_FILTER, SP_CACHE, SP_BITMAP, SP_GUARD, SP__N };
static const char *const sp_name[SP__N] = {
	"empty `tp_btf` (bench_empty_btf)",
	"empty `raw_tp` (bench_empty_raw)",
	"cgroup id via BTF + compare (bench_cgid)",
	"id + filter array slot (bench_filter)",
	"candidate A: id + cache slot + policy slot (bench_cache)",
	"candidate B: id + cache slot with allow bitmap (bench_bitmap)",
	"bpfguard `bg_sys_enter`",
};

static int cmd_overhead(const struct opts *o)
{
	const long nr = SYS_getppid;
	int R = o->rounds, S = o->stats_rounds;
	double *t[CFG__N], *r_c_b, *r_d_b, *r_c_a, *r_d_a, *add_c, *add_d, *add_raw;
	double attach_s = 0;
	int attaches = 0, redone = 0;
	struct bench_bpf *skel;
	uint64_t gid = cgroup_id(o->guarded), fid = cgroup_id(o->free_cg);
	int stats_was = read_sysctl_int("/proc/sys/kernel/bpf_stats_enabled");

	if (!o->policy || !o->guarded || !o->free_cg)
		die("overhead needs --policy, --guarded and --free");
	if ((gid & (BG_FILTER_SLOTS - 1)) == (fid & (BG_FILTER_SLOTS - 1)))
		fprintf(stderr, "syscall_bench: warning: guarded and free cgroup share a filter slot; "
			"(c) measures the collision path\n");
	if (stats_was == 1)
		fprintf(stderr, "syscall_bench: warning: kernel.bpf_stats_enabled is already 1; "
			"wall-clock numbers include the statistics' clock reads\n");
	skel = bench_bpf__open();
	if (!skel)
		die("cannot open bench.bpf.o: %s", strerror(errno));
	skel->rodata->bench_cgid_match = ~0ULL; /* no cgroup has it */
	if (bench_bpf__load(skel))
		die("cannot load bench.bpf.o (root? BTF?)");

	for (int c = 0; c < CFG__N; c++)
		t[c] = calloc(R, sizeof(double));
	r_c_b = calloc(R, sizeof(double));
	r_d_b = calloc(R, sizeof(double));
	r_c_a = calloc(R, sizeof(double));
	r_d_a = calloc(R, sizeof(double));
	add_c = calloc(R, sizeof(double));
	add_d = calloc(R, sizeof(double));
	add_raw = calloc(R, sizeof(double));

	/* Phase 1: wall clock.  Blocks rotate so no configuration always
	 * follows the same one; (c) and (d) share one attachment and swap
	 * order every round. */
	double t_start = now_s();

	for (int r = 0; r < R; r++) {
		for (int k = 0; k < 4; k++) {
			int blk = (r + k) % 4, tries = 0;
			struct bpf_link *l;
			__u32 gid0;
			double a0;
			bool ok;

			do {
				if (++tries > MAX_RETRIES)
					die("bpfguard state kept changing under the benchmark; run it alone");
				wait_quiet();
				switch (blk) {
				case 0:
					t[CFG_BARE][r] = run_loop(o->free_cg, o->cpu, nr, o->calls);
					ok = !guard_prog_id();
					break;
				case 1:
					l = attach_prog(skel->progs.bench_empty_btf);
					t[CFG_EMPTY][r] = run_loop(o->free_cg, o->cpu, nr, o->calls);
					bpf_link__destroy(l);
					ok = !guard_prog_id();
					break;
				case 2:
					l = attach_prog(skel->progs.bench_empty_raw);
					t[CFG_RAW][r] = run_loop(o->free_cg, o->cpu, nr, o->calls);
					bpf_link__destroy(l);
					ok = !guard_prog_id();
					break;
				default:
					a0 = now_s();
					guard_attach(o->guarded, o->policy, NULL);
					attach_s += now_s() - a0;
					attaches++;
					gid0 = guard_prog_id();
					if (r % 2 == 0) {
						t[CFG_UNGUARDED][r] = run_loop(o->free_cg, o->cpu, nr, o->calls);
						t[CFG_GUARDED][r] = run_loop(o->guarded, o->cpu, nr, o->calls);
					} else {
						t[CFG_GUARDED][r] = run_loop(o->guarded, o->cpu, nr, o->calls);
						t[CFG_UNGUARDED][r] = run_loop(o->free_cg, o->cpu, nr, o->calls);
					}
					ok = gid0 && guard_prog_id() == gid0;
					guard_detach(o->guarded);
					break;
				}
				if (!ok) {
					redone++;
					fprintf(stderr, "syscall_bench: bpfguard state changed during a "
						"measurement; redoing it\n");
				}
			} while (!ok);
		}
		{
			double a = t[CFG_BARE][r], b = t[CFG_EMPTY][r];

			r_c_b[r] = t[CFG_UNGUARDED][r] / b;
			r_d_b[r] = t[CFG_GUARDED][r] / b;
			r_c_a[r] = t[CFG_UNGUARDED][r] / a;
			r_d_a[r] = t[CFG_GUARDED][r] / a;
			add_c[r] = (t[CFG_UNGUARDED][r] - a) / (b - a);
			add_d[r] = (t[CFG_GUARDED][r] - a) / (b - a);
			add_raw[r] = (t[CFG_RAW][r] - a) / (b - a);
		}
		fprintf(stderr, "round %d/%d: bare %.0f empty %.0f raw %.0f unguarded %.0f guarded %.0f ns\n",
			r + 1, R, t[CFG_BARE][r], t[CFG_EMPTY][r], t[CFG_RAW][r],
			t[CFG_UNGUARDED][r], t[CFG_GUARDED][r]);
	}
	double wall_s = now_s() - t_start;

	/* Phase 2: kernel statistics.  Each program is measured in its own
	 * set, attached together with only the empty tp_btf program (which
	 * touches no memory, so it warms nothing for the other): programs on
	 * one tracepoint run in attach order, and the first to follow
	 * task->cgroups->dfl_cgrp->kn pays for the cache misses.  The net cost
	 * is the program minus the empty one in the same loop.
	 * bpf_enable_stats() holds the static key only while its fd is open,
	 * so nothing is left enabled if we die. */
	struct bench_cache_ent ce = { .cgid = gid, .slot = 0 };
	__u32 key = gid & (BG_FILTER_SLOTS - 1);
	double *run_u[SP__N], *run_g[SP__N], *net_u[SP__N], *net_g[SP__N];
	double *emp_all = calloc((size_t)S * SP__N * 2, sizeof(double)), bgshare_sum = 0;
	int stats_fd, n_emp = 0, n_bgshare = 0;

	/* bench_cache: the guarded id in its slot, policy slot 0 all-allowed
	 * (zeroed array value), as guard has it for `default allow`. */
	if (bpf_map__update_elem(skel->maps.bench_cache_map, &key, sizeof(key), &ce, sizeof(ce), BPF_ANY))
		die("bench_cache_map: %s", strerror(errno));
	/* bench_bitmap: the same, every native call allowed except mkdir
	 * (what the bench policy logs). */
	struct bench_bitmap_ent be = { .cgid = gid, .slot = 0 };

	memset(be.allow, 0xff, sizeof(be.allow));
	be.allow[SYS_mkdir / 64] &= ~(1ULL << (SYS_mkdir % 64));
	if (bpf_map__update_elem(skel->maps.bench_bitmap_map, &key, sizeof(key), &be, sizeof(be), BPF_ANY))
		die("bench_bitmap_map: %s", strerror(errno));
	for (int i = 0; i < SP__N; i++) {
		run_u[i] = calloc(S, sizeof(double));
		run_g[i] = calloc(S, sizeof(double));
		net_u[i] = calloc(S, sizeof(double));
		net_g[i] = calloc(S, sizeof(double));
	}
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0)
		die("bpf_enable_stats: %s", strerror(errno));

	for (int r = 0; r < S; r++) {
		for (int k = 0; k < SP__N - 1; k++) {
			int set = 1 + (r + k) % (SP__N - 1), tries = 0;
			struct bpf_program *x = set == SP_RAW ? skel->progs.bench_empty_raw :
						set == SP_CGID ? skel->progs.bench_cgid :
						set == SP_FILTER ? skel->progs.bench_filter :
						set == SP_CACHE ? skel->progs.bench_cache :
						set == SP_BITMAP ? skel->progs.bench_bitmap : NULL;
			double ns[2][2], cnt[2][2]; /* [unguarded/guarded][empty/x] */
			bool ok;

			do {
				struct bpf_link *le, *lx = NULL;
				int fd[2];
				__u32 id0 = 0;

				if (++tries > MAX_RETRIES)
					die("bpfguard state kept changing under the benchmark; run it alone");
				wait_quiet();
				le = attach_prog(skel->progs.bench_empty_btf);
				fd[0] = bpf_program__fd(skel->progs.bench_empty_btf);
				if (x) {
					lx = attach_prog(x);
					fd[1] = bpf_program__fd(x);
				} else {
					guard_attach(o->guarded, o->policy, NULL);
					fd[1] = bpf_obj_get(GUARD_PROG);
					if (fd[1] < 0)
						die("bpf_obj_get %s: %s", GUARD_PROG, strerror(errno));
					id0 = guard_prog_id();
				}
				ok = true;
				for (int g = 0; g < 2; g++) {
					bool guarded = (g + r) % 2;
					struct pstat s0[2], s1[2];
					struct worker w;

					worker_start(&w, guarded ? o->guarded : o->free_cg, o->cpu, nr, o->stats_calls);
					for (int i = 0; i < 2; i++)
						s0[i] = prog_stat(fd[i]);
					worker_go(&w);
					worker_finish(&w);
					for (int i = 0; i < 2; i++) {
						s1[i] = prog_stat(fd[i]);
						ns[guarded][i] = (double)(s1[i].ns - s0[i].ns);
						cnt[guarded][i] = (double)(s1[i].cnt - s0[i].cnt);
						if (cnt[guarded][i] < o->stats_calls)
							ok = false; /* detached under us */
					}
				}
				if (x) {
					bpf_link__destroy(lx);
					ok = ok && !guard_prog_id();
				} else {
					ok = ok && id0 && guard_prog_id() == id0;
					close(fd[1]);
					guard_detach(o->guarded);
				}
				bpf_link__destroy(le);
				if (!ok) {
					redone++;
					fprintf(stderr, "syscall_bench: bpfguard state changed during a "
						"measurement; redoing it\n");
				}
			} while (!ok);

			/* Other tasks' syscalls run the programs too, as unguarded
			 * callers: take them out of the guarded loop at the cost
			 * the same program had for the unguarded caller. */
			double mine = (double)o->stats_calls + 2; /* + read(go), write(result) */
			double per[2][2];

			for (int i = 0; i < 2; i++) {
				double other = cnt[1][i] - mine;

				per[0][i] = ns[0][i] / cnt[0][i];
				if (other < 0)
					other = 0;
				per[1][i] = (ns[1][i] - other * per[0][i]) / (cnt[1][i] - other);
				if (i == 1) {
					bgshare_sum += other / cnt[1][i];
					n_bgshare++;
				}
			}
			run_u[set][r] = per[0][1];
			run_g[set][r] = per[1][1];
			net_u[set][r] = per[0][1] - per[0][0];
			net_g[set][r] = per[1][1] - per[1][0];
			emp_all[n_emp++] = per[0][0];
			emp_all[n_emp++] = per[1][0];
		}
		fprintf(stderr, "stats round %d/%d: guard net unguarded %.1f guarded %.1f ns/run\n",
			r + 1, S, net_u[SP_GUARD][r], net_g[SP_GUARD][r]);
	}
	close(stats_fd);
	bench_bpf__destroy(skel);

	/* ---------------- report ---------------- */
	double med[CFG__N], mn[CFG__N];

	for (int c = 0; c < CFG__N; c++) {
		med[c] = median(t[c], R);
		mn[c] = minimum(t[c], R);
	}
	double empty_added = med[CFG_EMPTY] - med[CFG_BARE];
	double ru[SP__N], rg[SP__N], nu[SP__N], ng[SP__N];

	for (int i = 1; i < SP__N; i++) {
		ru[i] = median(run_u[i], S);
		rg[i] = median(run_g[i], S);
		nu[i] = median(net_u[i], S);
		ng[i] = median(net_g[i], S);
	}

	printf("### Per-syscall time, wall clock\n\n");
	printf("getppid loop, %ld calls per measurement, %d interleaved rounds (%.0f s), "
	       "caller pinned to CPU %d. Ratios are per round (each configuration against "
	       "the bare and empty runs of the same round), median over rounds.\n\n",
	       o->calls, R, wall_s, o->cpu);
	printf("| configuration | median ns/call | min ns/call | ÷ bare | ÷ empty tp_btf | added cost ÷ empty's added cost |\n");
	printf("|---|---:|---:|---:|---:|---:|\n");
	printf("| %s | %.0f | %.0f | 1.00 | – | – |\n", cfg_name[CFG_BARE], med[CFG_BARE], mn[CFG_BARE]);
	{
		double *r_b_a = calloc(R, sizeof(double)), *r_raw_b = calloc(R, sizeof(double));
		double *r_raw_a = calloc(R, sizeof(double));

		for (int r = 0; r < R; r++) {
			r_b_a[r] = t[CFG_EMPTY][r] / t[CFG_BARE][r];
			r_raw_a[r] = t[CFG_RAW][r] / t[CFG_BARE][r];
			r_raw_b[r] = t[CFG_RAW][r] / t[CFG_EMPTY][r];
		}
		printf("| %s | %.0f | %.0f | %.2f | 1.00 | 1.00 |\n", cfg_name[CFG_EMPTY],
		       med[CFG_EMPTY], mn[CFG_EMPTY], median(r_b_a, R));
		printf("| %s | %.0f | %.0f | %.2f | %.2f | %.2f |\n", cfg_name[CFG_RAW],
		       med[CFG_RAW], mn[CFG_RAW], median(r_raw_a, R), median(r_raw_b, R), median(add_raw, R));
		free(r_b_a);
		free(r_raw_b);
		free(r_raw_a);
	}
	printf("| %s | %.0f | %.0f | %.2f | %.2f | %.2f |\n", cfg_name[CFG_UNGUARDED],
	       med[CFG_UNGUARDED], mn[CFG_UNGUARDED], median(r_c_a, R), median(r_c_b, R), median(add_c, R));
	printf("| %s | %.0f | %.0f | %.2f | %.2f | %.2f |\n", cfg_name[CFG_GUARDED],
	       med[CFG_GUARDED], mn[CFG_GUARDED], median(r_d_a, R), median(r_d_b, R), median(add_d, R));
	printf("\nEmpty tp_btf program adds %.0f ns per syscall (median (b) − median (a)). "
	       "bpfguard attach took %.0f ms on average (not in any loop). "
	       "Measurements redone because bpfguard's state changed under them: %d.\n\n",
	       empty_added, attach_s * 1000 / attaches, redone);

	printf("### Per-run program cost, kernel BPF statistics\n\n");
	printf("run_time_ns / run_cnt from `bpf_prog_info`, %ld calls per measurement, %d rounds. "
	       "Each program is attached alone with the empty tp_btf program; \"net\" is the "
	       "program minus that empty program in the same loop (the statistics' own clock "
	       "reads, about %.0f ns/run here), median over rounds. Guarded figures are "
	       "corrected for other tasks' syscalls (%.1f%% of runs on average).\n\n",
	       o->stats_calls, S, median(emp_all, n_emp), 100 * bgshare_sum / n_bgshare);
	printf("| program | unguarded caller ns/run | net | guarded caller ns/run | net |\n");
	printf("|---|---:|---:|---:|---:|\n");
	for (int i = 1; i < SP__N; i++)
		printf("| %s | %.1f | %.1f | %.1f | %.1f |\n", sp_name[i], ru[i], nu[i], rg[i], ng[i]);

	double net_cache = ng[SP_CACHE], net_bitmap = ng[SP_BITMAP];
	double net_uu = nu[SP_GUARD], net_gg = ng[SP_GUARD];
	double h_u = 1 + net_uu / empty_added, h_g = 1 + net_gg / empty_added;
	double h_cache = 1 + net_cache / empty_added, h_bitmap = 1 + net_bitmap / empty_added;
	double w_u = median(add_c, R), w_d = median(add_d, R);

	printf("\n### Targets\n\n");
	printf("Added cost per syscall relative to the empty tp_btf program's added cost. "
	       "\"wall\" = ((x) − (a)) / ((b) − (a)) per round; \"stats\" = 1 + net program ns / "
	       "((b) − (a)) with (b) − (a) = %.0f ns from the wall clock.\n\n", empty_added);
	printf("| target | wall | stats | met |\n|---|---:|---:|---|\n");
	printf("| unguarded ≤ 1.1× empty | %.2f | %.2f | %s |\n", w_u, h_u,
	       w_u <= 1.1 && h_u <= 1.1 ? "yes" : (w_u <= 1.1 || h_u <= 1.1) ? "one metric only" : "**no**");
	printf("| guarded, allowed ≤ 1.2× empty | %.2f | %.2f | %s |\n", w_d, h_g,
	       w_d <= 1.2 && h_g <= 1.2 ? "yes" : (w_d <= 1.2 || h_g <= 1.2) ? "one metric only" : "**no**");
	printf("| guarded, allowed − unguarded (the fast path's own cost) | %.2f | %.2f | – |\n", w_d - w_u,
	       h_g - h_u);
	printf("| (candidate A, guarded, allowed) | – | %.2f | %s |\n", h_cache,
	       h_cache <= 1.2 ? "would be" : "would not be");
	printf("| (candidate B, guarded, allowed) | – | %.2f | %s |\n", h_bitmap,
	       h_bitmap <= 1.2 ? "would be" : "would not be");
	printf("\nTotal per-syscall time (c)/(b) = %.2f, (d)/(b) = %.2f.\n\n",
	       median(r_c_b, R), median(r_d_b, R));

	for (int c = 0; c < CFG__N; c++)
		free(t[c]);
	for (int i = 0; i < SP__N; i++) {
		free(run_u[i]);
		free(run_g[i]);
		free(net_u[i]);
		free(net_g[i]);
	}
	free(emp_all);
	free(r_c_b); free(r_d_b); free(r_c_a); free(r_d_a);
	free(add_c); free(add_d); free(add_raw);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Drain rate. */

static unsigned long long guard_stat(unsigned idx)
{
	int fd = bpf_obj_get(GUARD_STATS), ncpu = libbpf_num_possible_cpus();
	unsigned long long sum = 0;
	__u64 *v;

	if (fd < 0 || ncpu <= 0)
		die("cannot open %s: %s", GUARD_STATS, strerror(errno));
	v = calloc(ncpu, sizeof(*v));
	if (!v || bpf_map_lookup_elem(fd, &idx, v))
		die("bg_stats lookup: %s", strerror(errno));
	for (int i = 0; i < ncpu; i++)
		sum += v[i];
	free(v);
	close(fd);
	return sum;
}

struct reader {
	pid_t pid;
	int fd;
	unsigned long long lines;
	double t_first, t_last;
	bool eof;
};

static void reader_spawn(struct reader *rd, bool follow)
{
	int p[2];

	memset(rd, 0, sizeof(*rd));
	if (pipe2(p, O_CLOEXEC))
		die("pipe: %s", strerror(errno));
	rd->pid = fork();
	if (rd->pid < 0)
		die("fork: %s", strerror(errno));
	if (rd->pid == 0) {
		dup2(p[1], 1);
		if (follow)
			execl(bpfguard_bin, bpfguard_bin, "events", "--json", "--follow", (char *)NULL);
		else
			execl(bpfguard_bin, bpfguard_bin, "events", "--json", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	rd->fd = p[0];
}

/* Reads what is there within timeout_ms; counts lines. */
static void reader_pump(struct reader *rd, int timeout_ms)
{
	static char buf[1 << 16];
	struct pollfd pfd = { .fd = rd->fd, .events = POLLIN };

	if (rd->eof)
		return;
	if (poll(&pfd, 1, timeout_ms) <= 0)
		return;
	for (;;) {
		ssize_t n = read(rd->fd, buf, sizeof(buf));
		double t = now_s();

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rd->eof = true;
			return;
		}
		for (char *p = buf; (p = memchr(p, '\n', buf + n - p)); p++)
			rd->lines++;
		if (!rd->t_first)
			rd->t_first = t;
		rd->t_last = t;
		if (n < (ssize_t)sizeof(buf))
			return;
	}
}

static void reader_end(struct reader *rd, bool term)
{
	int st;

	if (term)
		kill(rd->pid, SIGTERM);
	while (!rd->eof)
		reader_pump(rd, 1000);
	waitpid(rd->pid, &st, 0);
	close(rd->fd);
}

struct drain_result {
	double gen_ns, drain_s, pre_wall_s, pre_rate;
	unsigned long long sent, lost, delivered, pre_sent, pre_lost, pre_printed;
};

/* One attempt; false if bpfguard's state changed under it. */
static bool drain_once(const struct opts *o, struct drain_result *res)
{
	const long nr = SYS_getpid;
	unsigned long long sent0, lost0;
	struct reader rd;
	double t0, deadline, gen_end;
	__u32 id0;
	bool ok;

	memset(res, 0, sizeof(*res));
	wait_quiet();
	guard_attach(o->guarded, o->policy, "0");
	id0 = guard_prog_id();

	/* Concurrent drain.  One denial first, to know the follower is
	 * reading before the clock starts. */
	reader_spawn(&rd, true);
	run_loop(o->guarded, -1, nr, 1);
	deadline = now_s() + 5;
	while (rd.lines < 1 && now_s() < deadline)
		reader_pump(&rd, 50);
	if (rd.lines < 1) {
		reader_end(&rd, true);
		if (guard_prog_id() != id0)
			goto changed;
		die("bpfguard events --follow delivered nothing (does the policy log getpid?)");
	}
	rd.lines = 0;
	rd.t_first = rd.t_last = 0;
	sent0 = guard_stat(BG_STAT_EVENTS);
	lost0 = guard_stat(BG_STAT_LOST);
	{
		struct worker w;
		int st;

		worker_start(&w, o->guarded, -1, nr, o->count);
		t0 = now_s();
		worker_go(&w);
		/* Pump while the generator runs; it reports when done. */
		for (;;) {
			struct pollfd pfd = { .fd = w.from_child, .events = POLLIN };

			reader_pump(&rd, 0);
			if (poll(&pfd, 1, 5) > 0)
				break;
		}
		if (read_full(w.from_child, &res->gen_ns, sizeof(res->gen_ns)))
			die("generator died");
		waitpid(w.pid, &st, 0);
		close(w.from_child);
		close(w.to_child);
	}
	gen_end = now_s();
	res->sent = guard_stat(BG_STAT_EVENTS) - sent0;
	res->lost = guard_stat(BG_STAT_LOST) - lost0;
	/* Until everything sent has arrived, or nothing came for 2 s. */
	for (;;) {
		double before = rd.t_last;

		if (rd.lines >= res->sent)
			break;
		reader_pump(&rd, 2000);
		if (rd.t_last == before)
			break;
	}
	reader_end(&rd, true);
	res->delivered = rd.lines;
	res->drain_s = (rd.t_last ? rd.t_last : gen_end) - t0;
	if (guard_prog_id() != id0)
		goto changed;

	/* Pre-filled ring: fill it with nobody reading, then time one
	 * `bpfguard events --json` draining it (formatter throughput). */
	sent0 = guard_stat(BG_STAT_EVENTS);
	lost0 = guard_stat(BG_STAT_LOST);
	run_loop(o->guarded, -1, nr, o->prefill);
	res->pre_sent = guard_stat(BG_STAT_EVENTS) - sent0;
	res->pre_lost = guard_stat(BG_STAT_LOST) - lost0;
	t0 = now_s();
	reader_spawn(&rd, false);
	reader_end(&rd, false);
	res->pre_wall_s = now_s() - t0;
	res->pre_printed = rd.lines;
	res->pre_rate = rd.t_last > rd.t_first ? rd.lines / (rd.t_last - rd.t_first) : 0.0;
	ok = guard_prog_id() == id0;
	guard_detach(o->guarded);
	return ok;
changed:
	guard_detach(o->guarded);
	return false;
}

static int cmd_drain(const struct opts *o)
{
	struct drain_result d;
	int tries = 0;

	if (!o->policy || !o->guarded)
		die("drain needs --policy and --guarded");
	while (!drain_once(o, &d)) {
		fprintf(stderr, "syscall_bench: bpfguard state changed during the drain run; redoing it\n");
		if (++tries >= MAX_RETRIES)
			die("bpfguard state kept changing under the benchmark; run it alone");
	}

	printf("### Denial events, drained concurrently\n\n");
	printf("Audit-mode policy logging getpid, rate limit 0, 4 MiB ring buffer; one process "
	       "in the guarded cgroup makes %ld getpid calls while `bpfguard events --json --follow` "
	       "drains into a pipe.\n\n", o->count);
	printf("| measure | value |\n|---|---:|\n");
	printf("| denials generated | %ld |\n", o->count);
	printf("| generator time per denied call | %.0f ns (%.0f k/s) |\n", d.gen_ns, 1e6 / d.gen_ns);
	printf("| events submitted to the ring | %llu |\n", d.sent);
	printf("| events lost (ring full, bg_stats) | %llu |\n", d.lost);
	printf("| events delivered by `bpfguard events` | %llu |\n", d.delivered);
	printf("| time from first denial to last delivered event | %.3f s |\n", d.drain_s);
	printf("| **delivered events/s** | **%.0f** |\n\n", d.delivered / d.drain_s);

	printf("### Denial events, pre-filled ring drained by `bpfguard events --json`\n\n");
	printf("| measure | value |\n|---|---:|\n");
	printf("| denials made with no reader | %ld |\n", o->prefill);
	printf("| events queued (the rest lost: ring full) | %llu (%llu lost) |\n", d.pre_sent, d.pre_lost);
	printf("| events printed | %llu |\n", d.pre_printed);
	printf("| wall time incl. start-up | %.3f s |\n", d.pre_wall_s);
	printf("| **events/s, first to last byte** | **%.0f** |\n", d.pre_rate);
	printf("| events/s, incl. start-up | %.0f |\n\n", d.pre_printed / d.pre_wall_s);
	return 0;
}

static int cmd_loop(const struct opts *o)
{
	double ns = run_loop(o->cg, o->cpu, SYS_getppid, o->calls);

	printf("%.1f ns/call\n", ns);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "bpfguard", required_argument, NULL, 'b' },
		{ "policy", required_argument, NULL, 'p' },
		{ "guarded", required_argument, NULL, 'g' },
		{ "free", required_argument, NULL, 'f' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "calls", required_argument, NULL, 'n' },
		{ "stats-rounds", required_argument, NULL, 'R' },
		{ "stats-calls", required_argument, NULL, 'N' },
		{ "cpu", required_argument, NULL, 'C' },
		{ "count", required_argument, NULL, 'k' },
		{ "prefill", required_argument, NULL, 'P' },
		{}
	};
	struct opts o = {
		.rounds = 9, .stats_rounds = 5, .calls = 1000000, .stats_calls = 1000000,
		.count = 200000, .prefill = 50000, .cpu = -1,
	};
	const char *cmd;
	int c;

	if (argc < 2)
		die("usage: syscall_bench loop|overhead|drain [options] (see the source header)");
	cmd = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'b': bpfguard_bin = optarg; break;
		case 'p': o.policy = optarg; break;
		case 'g': o.guarded = optarg; break;
		case 'f': o.free_cg = optarg; break;
		case 'c': o.cg = optarg; break;
		case 'r': o.rounds = atoi(optarg); break;
		case 'n': o.calls = atol(optarg); break;
		case 'R': o.stats_rounds = atoi(optarg); break;
		case 'N': o.stats_calls = atol(optarg); break;
		case 'C': o.cpu = atoi(optarg); break;
		case 'k': o.count = atol(optarg); break;
		case 'P': o.prefill = atol(optarg); break;
		default: die("bad option");
		}
	}
	if (o.rounds < 1 || o.stats_rounds < 1 || o.calls < 1 || o.stats_calls < 1 ||
	    o.count < 1 || o.prefill < 1)
		die("counts must be positive");
	if (o.cpu < 0 && strcmp(cmd, "drain")) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		o.cpu = n > 1 ? (int)n - 1 : 0;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(cmd, "loop"))
		return cmd_loop(&o);
	if (!bpfguard_bin)
		die("--bpfguard BIN is required");
	if (!getenv("BENCH_DEBUG"))
		libbpf_set_print(NULL);
	if (!strcmp(cmd, "overhead"))
		return cmd_overhead(&o);
	if (!strcmp(cmd, "drain"))
		return cmd_drain(&o);
	die("unknown command '%s'", cmd);
	return 2;
}

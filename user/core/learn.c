// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * learn.c - learning sessions: load learn.bpf.o for one cgroup subtree,
 * hold its link while the workload runs, then turn the kernel's exact
 * counts into a minimal native policy (docs/learn.md).
 *
 * Why the policy text is written here and not through bg_policy_print():
 * a learned policy is meant to be read and reviewed, so each line carries
 * its evidence (how often the call was made, which process made it first)
 * and the argument rules say which values were seen; the IR has no place
 * for either.  The text is parsed back with the native parser before it is
 * written, and every call the kernel saw is evaluated against the result
 * (bg_policy_eval): a learned policy that would refuse what it learned is
 * an internal error, never a file on disk.
 *
 * This file: the session (load, attach, snapshot the kernel's counts, the
 * executables that ran); learn_policy.c: the policy text, its self-check
 * and the JSON record.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <json-c/json.h>
#include <linux/prctl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "vec.h"
#include "bpfguard.h"
#include "cgroup.h"
#include "derive.h"
#include "go_check.h"
#include "learn.h"
#include "learn_internal.h"
#include "loader.h"
#include "learn.skel.h"
#include "policy.h"
#include "syscalls.h"
#include "textsafe.h"
#include "util.h"

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080 /* unshare() only: in clone() it is the exit signal's bits */
#endif

/* Namespace flags a clone() may carry; unshare() also takes CLONE_NEWTIME. */
#define NS_CLONE_BITS (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | \
		       CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)
#define NS_UNSHARE_BITS (NS_CLONE_BITS | CLONE_NEWTIME)

static const struct watch_def watch_defs[] = {
	{ "socket", W_SOCKET, 2, { 0, 1 }, { ~0ULL, 0xf }, 0 },
	{ "clone", W_NSFLAGS, 1, { 0 }, { ~0ULL }, NS_CLONE_BITS },
	{ "unshare", W_NSFLAGS, 1, { 0 }, { ~0ULL }, NS_UNSHARE_BITS },
	{ "prctl", W_VALUES, 1, { 0 }, { ~0ULL }, 0 },
};

int bg_learn_value_layout(const char *syscall, uint8_t arg[BG_LEARN_NVALS],
			  uint64_t mask[BG_LEARN_NVALS])
{
	for (size_t i = 0; syscall && i < ARRAY_SIZE(watch_defs); i++) {
		if (strcmp(watch_defs[i].name, syscall))
			continue;
		for (int k = 0; k < watch_defs[i].nvals; k++) {
			arg[k] = watch_defs[i].arg[k];
			mask[k] = watch_defs[i].mask[k];
		}
		return watch_defs[i].nvals;
	}
	return 0;
}

/* Not needed to have been seen: allowed so that a workload that ends in
 * another way than it did while learning (an error path calling exit, a
 * signal handler returning) is not killed on its way out.  docs/learn.md. */
const char *const learn_extras[BG_NR_TABLES][5] = {
	[BG_ABI_X86_64] = { "exit", "exit_group", "rt_sigreturn", NULL },
	[BG_ABI_IA32] = { "exit", "exit_group", "sigreturn", "rt_sigreturn", NULL },
};


uint64_t learn_now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int bg_learn_check_output(const char *out_path, struct bg_diag *d)
{
	char tmp[PATH_MAX];
	struct stat st;
	int fd;

	if (!out_path || !*out_path) {
		bg_diag_set(d, "no output file; give -o FILE");
		return -1;
	}
	if (stat(out_path, &st) == 0 && S_ISDIR(st.st_mode)) {
		bg_diag_set(d, "cannot write %s: it is a directory; give a file name for -o", out_path);
		return -1;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", out_path) >= (int)sizeof(tmp)) {
		bg_diag_set(d, "cannot write %.200s...: path too long; give a shorter -o path", out_path);
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		bg_diag_set(d, "cannot write %s: %s; give a -o path in a writable directory",
			    out_path, strerror(errno));
		return -1;
	}
	close(fd);
	unlink(tmp);
	return 0;
}

/* Depth below the cgroup2 root, as the kernel's cgroup->level counts it. */
static unsigned cgroup_level(const char *rel)
{
	unsigned n = 0;

	for (const char *c = rel; *c; c++)
		if (*c == '/' && c[1] && c[1] != '/')
			n++;
	return n;
}

/* Marks the watched syscalls in the slots, in both tables. */
static int write_watches(struct bg_learn *l, struct bg_diag *d)
{
	int fd = bpf_map__fd(l->skel->maps.bg_learn_slots);

	for (int abi = 0; abi < BG_NR_TABLES; abi++) {
		for (size_t i = 0; i < ARRAY_SIZE(watch_defs); i++) {
			const struct watch_def *w = &watch_defs[i];
			struct bg_learn_slot s = {};
			int nr = bg_syscall_nr(abi, w->name);
			__u32 idx;

			if (nr < 0 || nr >= BG_MAX_SYSCALLS)
				continue; /* not in this ABI (ia32 has socketcall too) */
			idx = abi * BG_MAX_SYSCALLS + nr;
			s.watch.nvals = w->nvals;
			for (int v = 0; v < w->nvals; v++) {
				s.watch.arg[v] = w->arg[v];
				s.watch.mask[v] = w->mask[v];
			}
			if (bpf_map_update_elem(fd, &idx, &s, BPF_ANY)) {
				bg_diag_set(d, "cannot configure learning (bg_learn_slots): %s", strerror(errno));
				return -1;
			}
			l->watch[idx] = w;
		}
	}
	return 0;
}

int bg_learn_start(struct bg_learn **out, const char *cgroup_abs_path, uint64_t cgid,
		   struct bg_diag *d)
{
	libbpf_print_fn_t old_print;
	struct bg_learn *l;
	int ret;

	*out = NULL;
	l = calloc(1, sizeof(*l));
	if (!l) {
		bg_diag_set(d, "learn: out of memory");
		return -1;
	}
	if (bg_cgroup_resolve(cgroup_abs_path, &l->cg, d))
		goto fail;
	if (cgid && cgid != l->cg.id) {
		bg_diag_set(d, "cgroup %s has id %llu, expected %llu: it was removed and created again; start over",
			    l->cg.rel, (unsigned long long)l->cg.id, (unsigned long long)cgid);
		goto fail;
	}
	l->level = cgroup_level(l->cg.rel);
	if (l->level == 0) {
		bg_diag_set(d, "cannot learn the root cgroup: it would record every process on the machine; "
			    "create a cgroup for the workload and learn that");
		goto fail;
	}

	old_print = libbpf_set_print(bg_libbpf_print);
	bg_libbpf_last_clear();
	l->skel = learn_bpf__open();
	if (!l->skel) {
		libbpf_set_print(old_print);
		bg_diag_set(d, "cannot open learn.bpf.o: %s", strerror(errno));
		goto fail;
	}
	l->skel->rodata->bg_learn_cgid = l->cg.id;
	l->skel->rodata->bg_learn_level = l->level;
	ret = learn_bpf__load(l->skel);
	libbpf_set_print(old_print);
	if (ret) {
		bg_diag_set(d, "cannot load learn.bpf.o: %s%s%s; run as root (CAP_BPF, CAP_PERFMON) "
			    "on a kernel with BTF, BPFGUARD_DEBUG=1 shows the verifier log",
			    strerror(-ret), bg_libbpf_last()[0] ? ": " : "", bg_libbpf_last());
		goto fail;
	}
	if (write_watches(l, d))
		goto fail;
	l->t_start = learn_now_ns(CLOCK_MONOTONIC);
	l->real_start = learn_now_ns(CLOCK_REALTIME);
	/* The link is held by this process only: never pinned, so it goes
	 * away with us whatever happens to us. */
	l->link = bpf_program__attach(l->skel->progs.bg_learn_sys_enter);
	if (!l->link) {
		bg_diag_set(d, "cannot attach the learning program to sys_enter: %s; run as root",
			    strerror(errno));
		goto fail;
	}
	l->exec_link = bpf_program__attach(l->skel->progs.bg_learn_exec);
	if (!l->exec_link) {
		bg_diag_set(d, "cannot attach the learning program to sched_process_exec: %s; run as root",
			    strerror(errno));
		goto fail;
	}
	*out = l;
	return 0;
fail:
	bg_learn_free(l);
	return -1;
}

static int cmp_argval(const void *a, const void *b)
{
	const struct argval *x = a, *y = b;

	if (x->idx != y->idx)
		return x->idx < y->idx ? -1 : 1;
	for (int i = 0; i < BG_LEARN_NVALS; i++)
		if (x->val[i] != y->val[i])
			return x->val[i] < y->val[i] ? -1 : 1;
	return 0;
}

static bool same_file(const struct stat *st, const struct bg_learn_exec_key *k)
{
	/* the kernel's dev_t is major << 20 | minor (MINORBITS 20) */
	return (uint64_t)st->st_ino == k->ino && major(st->st_dev) == (k->dev >> 20) &&
	       minor(st->st_dev) == (k->dev & 0xfffff);
}

/* Opens the file the kernel recorded, by its path or by a hint path, and
 * only if it is the very file (device and inode): a path can name another
 * file by now, or name it in another mount namespace. */
static int open_recorded(const struct bg_learn *l, const struct learned_exe *x)
{
	const char *cands[1 + MAX_HINTS];
	size_t n = 0;

	cands[n++] = x->rec.path;
	for (size_t i = 0; i < l->nhints; i++)
		cands[n++] = l->hints[i];
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		int fd = open(cands[i], O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && same_file(&st, &x->key))
			return fd;
		close(fd);
	}
	return -1;
}

/*
 * Every syscall the code of a static Go binary can make (policy derive,
 * docs/derive.md) is added for it, not only @go-runtime: calls a run did
 * not show (a contended lock, a signal, an error path) are in its code.
 * A binary whose code cannot be read (cgo: libc's calls are invisible; a
 * malformed table; too big) keeps the @go-runtime list.  The file is the
 * one the kernel ran (open_recorded checked its identity); its bytes are
 * hostile input, which bg_derive_binary bounds-checks.
 */
#define LEARN_DERIVE_MAX_FILE (512ull << 20)

static void derive_exe(struct bg_learn *l, struct learned_exe *x, const char *proc)
{
	struct bg_derive dv = {};
	struct bg_diag d = {};
	char *buf = NULL;
	size_t len = 0;

	if (bg_read_file(proc, LEARN_DERIVE_MAX_FILE, &buf, &len))
		return;
	if (bg_derive_binary((const uint8_t *)buf, len, &dv, &d) && !dv.cgo) {
		for (size_t i = 0; i < dv.nsites; i++) {
			int64_t nr = dv.sites[i].nr;

			if (nr < 0 || nr >= BG_MAX_SYSCALLS)
				continue;
			if (!l->derived[nr])
				x->nderived++;
			l->derived[nr] = 1;
		}
		x->derived = x->nderived > 0;
		bg_derive_free(&dv);
	}
	free(buf);
}

static void classify_exe(struct bg_learn *l, struct learned_exe *x)
{
	struct bg_go_file g;
	char proc[64];
	int fd = open_recorded(l, x), r;

	if (fd < 0) {
		x->kind = EXE_UNREADABLE;
		snprintf(x->why, sizeof(x->why), "the file is gone or its path names another file now");
		return;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	r = bg_go_file_open(NULL, proc, &g); /* NULL: prints nothing */
	if (r == BG_GO_EXIT_NOT_GO) {
		x->kind = EXE_OTHER;
		close(fd);
		return;
	}
	if (r) {
		x->kind = EXE_UNREADABLE;
		snprintf(x->why, sizeof(x->why), "it could not be read as an ELF file");
		close(fd);
		return;
	}
	x->kind = EXE_GO;
	x->cgo = g.v.cgo;
	{
		/* The version comes from the binary: attacker bytes.  Kept
		 * escaped (ASCII, one line), so no output of it can end a
		 * comment line in the learned policy or break its JSON. */
		char raw[64], esc[BG_ESC_MAX];

		snprintf(raw, sizeof(raw), "%.*s", (int)g.bi.go_version.len, g.bi.go_version.s ? g.bi.go_version.s : "");
		bg_strlcpy(x->go_version, bg_esc(raw, esc), sizeof(x->go_version));
	}
	/* The runtime's calls are those of amd64 Go; a GOARCH=386 binary
	 * makes ia32 calls this list does not name. */
	if (g.elf.machine == 62 /* EM_X86_64 */) {
		l->go_seen = true;
		if (!x->cgo)
			derive_exe(l, x, proc);
	} else {
		snprintf(x->why, sizeof(x->why), "not an x86-64 binary: its runtime's calls are not added");
	}
	bg_go_file_close(&g);
	close(fd); /* proc names it until here */
}

/* Allowed anyway, and said so in its own line. */
static bool is_extra(const char *name)
{
	for (int i = 0; learn_extras[BG_ABI_X86_64][i]; i++)
		if (!strcmp(learn_extras[BG_ABI_X86_64][i], name))
			return true;
	return false;
}

/* Did every x86-64 Go binary that ran have its code read? */
static bool all_go_derived(const struct bg_learn *l)
{
	for (size_t i = 0; i < l->nexes; i++)
		if (l->exes[i].kind == EXE_GO && !l->exes[i].derived && !l->exes[i].why[0])
			return false;
	return true;
}

static void snapshot_execs(struct bg_learn *l)
{
	int fd = bpf_map__fd(l->skel->maps.bg_learn_execs);
	struct bg_learn_exec_key key, next;
	bool first = true;

	l->exes_lost = l->skel->bss->bg_learn_execs_lost;
	while (bpf_map_get_next_key(fd, first ? NULL : &key, &next) == 0) {
		struct learned_exe *x;

		first = false;
		key = next;
		if (l->nexes == BG_LEARN_MAX_EXECS)
			break;
		if (!l->exes && !(l->exes = calloc(BG_LEARN_MAX_EXECS, sizeof(*l->exes)))) {
			l->snap_err = ENOMEM;
			return;
		}
		x = &l->exes[l->nexes];
		if (bpf_map_lookup_elem(fd, &key, &x->rec))
			continue;
		x->key = key;
		x->rec.path[sizeof(x->rec.path) - 1] = '\0';
		l->nexes++;
	}
	for (size_t i = 0; i < l->nexes; i++)
		classify_exe(l, &l->exes[i]);
	for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++) {
		const char *name = bg_syscall_name(BG_ABI_X86_64, nr);

		if (l->derived[nr] && !l->counts[nr] && name && !is_extra(name))
			l->go_added[nr] |= LEARN_ADD_DERIVED;
	}
	/* @go-runtime for Go binaries whose code was not read */
	if (l->go_seen && !all_go_derived(l)) {
		const char *const *m = bg_group_members("@go-runtime");

		for (; m && *m; m++) {
			int nr = bg_syscall_nr(BG_ABI_X86_64, *m);

			if (nr >= 0 && nr < BG_MAX_SYSCALLS && !l->counts[nr] && !is_extra(*m))
				l->go_added[nr] |= LEARN_ADD_RUNTIME;
		}
	}
}

int bg_learn_hint_exe(struct bg_learn *l, const char *path)
{
	if (l->nhints == MAX_HINTS)
		return -1;
	l->hints[l->nhints] = strdup(path);
	if (!l->hints[l->nhints])
		return -1;
	l->nhints++;
	return 0;
}

/* Copies the kernel's record; the maps go away with the object after. */
static void snapshot(struct bg_learn *l)
{
	int cfd = bpf_map__fd(l->skel->maps.bg_learn_counts);
	int sfd = bpf_map__fd(l->skel->maps.bg_learn_slots);
	int afd = bpf_map__fd(l->skel->maps.bg_learn_args);
	int ncpu = libbpf_num_possible_cpus();
	struct bg_learn_arg_key key, next;
	size_t cap = 0;
	__u64 *per = ncpu > 0 ? calloc(ncpu, sizeof(*per)) : NULL;
	bool first = true;

	if (!per) {
		l->snap_err = ncpu > 0 ? ENOMEM : -ncpu;
		return;
	}
	for (__u32 idx = 0; idx < BG_LEARN_SLOTS; idx++) {
		/* A count we cannot read would silently drop a syscall from
		 * the policy: that fails the session instead. */
		if (bpf_map_lookup_elem(cfd, &idx, per) ||
		    bpf_map_lookup_elem(sfd, &idx, &l->slots[idx])) {
			l->snap_err = errno ? errno : EIO;
			break;
		}
		for (int c = 0; c < ncpu; c++)
			l->counts[idx] += per[c];
	}
	free(per);

	while (bpf_map_get_next_key(afd, first ? NULL : &key, &next) == 0) {
		__u64 cnt;

		first = false;
		key = next;
		if (bpf_map_lookup_elem(afd, &key, &cnt))
			continue;
		if (BG_VEC_RESERVE(l->vals, cap, l->nvals + 1)) {
			l->snap_err = ENOMEM;
			break;
		}
		l->vals[l->nvals] = (struct argval){ .idx = key.idx, .count = cnt };
		for (int i = 0; i < BG_LEARN_NVALS; i++)
			l->vals[l->nvals].val[i] = key.val[i];
		l->nvals++;
	}
	if (l->nvals)
		qsort(l->vals, l->nvals, sizeof(*l->vals), cmp_argval);
	snapshot_execs(l);
}

void bg_learn_stop(struct bg_learn *l)
{
	if (!l || l->stopped)
		return;
	/* Detach first: once bpf_link__destroy() returns no CPU is still in
	 * the program, so the counts read next are final. */
	bpf_link__destroy(l->link);
	bpf_link__destroy(l->exec_link);
	l->link = l->exec_link = NULL;
	l->t_stop = learn_now_ns(CLOCK_MONOTONIC);
	snapshot(l);
	learn_bpf__destroy(l->skel);
	l->skel = NULL;
	l->stopped = true;
}

void bg_learn_free(struct bg_learn *l)
{
	if (!l)
		return;
	bpf_link__destroy(l->link);
	bpf_link__destroy(l->exec_link);
	learn_bpf__destroy(l->skel);
	free(l->vals);
	free(l->exes);
	for (size_t i = 0; i < l->nhints; i++)
		free(l->hints[i]);
	free(l);
}

uint64_t bg_learn_calls(const struct bg_learn *l)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < BG_LEARN_SLOTS; i++)
		n += l->counts[i];
	return n;
}

unsigned bg_learn_syscalls(const struct bg_learn *l)
{
	unsigned n = 0;

	for (unsigned i = 0; i < BG_LEARN_IDX_X32; i++)
		n += l->counts[i] != 0;
	return n;
}

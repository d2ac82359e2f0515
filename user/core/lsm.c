// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader.h"
#include "lsm.h"
#include "lsm.skel.h"
#include "util.h"

/*
 * Syscall -> the LSM hooks that stop it before it has an effect.
 *
 * `hooks` is a space-separated list of groups that are ALL needed (each
 * covers some of the call's paths: unlinkat of a directory takes the rmdir
 * hook); within a group, `a|b` are alternatives for different kernels (the
 * first that exists here is used).  Only the hooks that the attached
 * policies' errno rules need are attached, so a policy that denies
 * `unlink` costs the machine the inode_unlink hook and nothing hotter.
 * Calls not listed reach no hook we can rely on (getpid, dup, close, brk,
 * ...) and get the user's --fallback.  docs/enforcement.md is this table in
 * prose; the VM tests prove the rows that matter most on Debian 6.1 and 6.12.
 */
static const struct bg_lsm_cover coverage[] = {
	/* creating files: every struct file starts in file_alloc_security */
	{ "open", "file_alloc_security", "fails before the path is looked up" },
	{ "openat", "file_alloc_security", NULL },
	{ "openat2", "file_alloc_security", NULL },
	{ "creat", "file_alloc_security", NULL },
	{ "open_by_handle_at", "file_alloc_security", NULL },
	{ "open_tree", "file_alloc_security", NULL },
	{ "memfd_create", "file_alloc_security", NULL },
	{ "memfd_secret", "file_alloc_security", NULL },
	{ "pipe", "file_alloc_security", NULL },
	{ "pipe2", "file_alloc_security", NULL },
	{ "eventfd", "file_alloc_security", NULL },
	{ "eventfd2", "file_alloc_security", NULL },
	{ "signalfd", "file_alloc_security", NULL },
	{ "signalfd4", "file_alloc_security", NULL },
	{ "timerfd_create", "file_alloc_security", NULL },
	{ "epoll_create", "file_alloc_security", NULL },
	{ "epoll_create1", "file_alloc_security", NULL },
	{ "inotify_init", "file_alloc_security", NULL },
	{ "inotify_init1", "file_alloc_security", NULL },
	{ "fanotify_init", "file_alloc_security", NULL },
	{ "userfaultfd", "file_alloc_security", NULL },
	{ "pidfd_open", "file_alloc_security", NULL },
	{ "io_uring_setup", "file_alloc_security", "the ring's file is never created" },
	/* reading and writing: rw_verify_area / iterate_dir */
	{ "read", "file_permission", NULL },
	{ "readv", "file_permission", NULL },
	{ "pread64", "file_permission", NULL },
	{ "preadv", "file_permission", NULL },
	{ "preadv2", "file_permission", NULL },
	{ "write", "file_permission", NULL },
	{ "writev", "file_permission", NULL },
	{ "pwrite64", "file_permission", NULL },
	{ "pwritev", "file_permission", NULL },
	{ "pwritev2", "file_permission", NULL },
	{ "sendfile", "file_permission", NULL },
	{ "sendfile64", "file_permission", NULL },
	{ "splice", "file_permission", NULL },
	{ "copy_file_range", "file_permission", NULL },
	{ "getdents", "file_permission", NULL },
	{ "getdents64", "file_permission", NULL },
	{ "ioctl", "file_ioctl", NULL },
	{ "fcntl", "file_fcntl", NULL },
	{ "fcntl64", "file_fcntl", NULL },
	{ "flock", "file_lock", NULL },
	{ "mmap", "mmap_file", "anonymous mappings too" },
	{ "mmap2", "mmap_file", NULL },
	{ "mprotect", "file_mprotect", NULL },
	{ "pkey_mprotect", "file_mprotect", NULL },
	/* metadata */
	{ "truncate", "path_truncate", NULL },
	{ "truncate64", "path_truncate", NULL },
	{ "ftruncate", "file_truncate|path_truncate", "file_truncate since 6.2, path_truncate before" },
	{ "ftruncate64", "file_truncate|path_truncate", NULL },
	{ "stat", "inode_getattr", NULL },
	{ "lstat", "inode_getattr", NULL },
	{ "fstat", "inode_getattr", NULL },
	{ "newfstatat", "inode_getattr", NULL },
	{ "statx", "inode_getattr", NULL },
	{ "stat64", "inode_getattr", NULL },
	{ "lstat64", "inode_getattr", NULL },
	{ "fstat64", "inode_getattr", NULL },
	{ "fstatat64", "inode_getattr", NULL },
	{ "access", "inode_permission", NULL },
	{ "faccessat", "inode_permission", NULL },
	{ "faccessat2", "inode_permission", NULL },
	{ "chdir", "inode_permission", NULL },
	{ "fchdir", "inode_permission", NULL },
	{ "chroot", "inode_permission", NULL },
	{ "readlink", "inode_readlink", NULL },
	{ "readlinkat", "inode_readlink", NULL },
	{ "statfs", "sb_statfs", NULL },
	{ "fstatfs", "sb_statfs", NULL },
	{ "statfs64", "sb_statfs", NULL },
	{ "fstatfs64", "sb_statfs", NULL },
	{ "chmod", "inode_setattr", NULL },
	{ "fchmod", "inode_setattr", NULL },
	{ "fchmodat", "inode_setattr", NULL },
	{ "fchmodat2", "inode_setattr", NULL },
	{ "chown", "inode_setattr", NULL },
	{ "fchown", "inode_setattr", NULL },
	{ "lchown", "inode_setattr", NULL },
	{ "fchownat", "inode_setattr", NULL },
	{ "chown32", "inode_setattr", NULL },
	{ "fchown32", "inode_setattr", NULL },
	{ "lchown32", "inode_setattr", NULL },
	{ "utime", "inode_setattr", NULL },
	{ "utimes", "inode_setattr", NULL },
	{ "utimensat", "inode_setattr", NULL },
	{ "futimesat", "inode_setattr", NULL },
	{ "setxattr", "inode_setxattr", NULL },
	{ "lsetxattr", "inode_setxattr", NULL },
	{ "fsetxattr", "inode_setxattr", NULL },
	{ "removexattr", "inode_removexattr", NULL },
	{ "lremovexattr", "inode_removexattr", NULL },
	{ "fremovexattr", "inode_removexattr", NULL },
	/* namespace of files */
	{ "mkdir", "inode_mkdir", NULL },
	{ "mkdirat", "inode_mkdir", NULL },
	{ "rmdir", "inode_rmdir", NULL },
	{ "unlink", "inode_unlink", "the file stays" },
	{ "unlinkat", "inode_unlink inode_rmdir", "AT_REMOVEDIR takes the rmdir hook" },
	{ "rename", "inode_rename", "both names stay as they were" },
	{ "renameat", "inode_rename", NULL },
	{ "renameat2", "inode_rename", NULL },
	{ "link", "inode_link", NULL },
	{ "linkat", "inode_link", NULL },
	{ "symlink", "inode_symlink", NULL },
	{ "symlinkat", "inode_symlink", NULL },
	{ "mknod", "inode_mknod inode_create", "regular files take the create hook" },
	{ "mknodat", "inode_mknod inode_create", NULL },
	/* programs */
	{ "execve", "bprm_creds_for_exec", "nothing of the new program runs" },
	{ "execveat", "bprm_creds_for_exec", NULL },
	/* sockets */
	{ "socket", "socket_create", NULL },
	{ "socketpair", "socket_create", NULL },
	{ "bind", "socket_bind", NULL },
	{ "connect", "socket_connect", "no packet leaves" },
	{ "listen", "socket_listen", NULL },
	{ "accept", "socket_accept", NULL },
	{ "accept4", "socket_accept", NULL },
	{ "sendto", "socket_sendmsg", NULL },
	{ "sendmsg", "socket_sendmsg", NULL },
	{ "sendmmsg", "socket_sendmsg", NULL },
	{ "recvfrom", "socket_recvmsg", NULL },
	{ "recvmsg", "socket_recvmsg", NULL },
	{ "recvmmsg", "socket_recvmsg", NULL },
	{ "getsockopt", "socket_getsockopt", NULL },
	{ "setsockopt", "socket_setsockopt", NULL },
	{ "shutdown", "socket_shutdown", NULL },
	{ "getsockname", "socket_getsockname", NULL },
	{ "getpeername", "socket_getpeername", NULL },
	/* processes */
	{ "ptrace", "ptrace_access_check ptrace_traceme", "attach, seize and traceme; other requests need an earlier attach" },
	{ "process_vm_readv", "ptrace_access_check", NULL },
	{ "process_vm_writev", "ptrace_access_check", NULL },
	{ "kcmp", "ptrace_access_check", NULL },
	{ "pidfd_getfd", "ptrace_access_check", NULL },
	{ "kill", "task_kill", NULL },
	{ "tkill", "task_kill", NULL },
	{ "tgkill", "task_kill", NULL },
	{ "rt_sigqueueinfo", "task_kill", NULL },
	{ "rt_tgsigqueueinfo", "task_kill", NULL },
	{ "pidfd_send_signal", "task_kill", NULL },
	{ "fork", "task_alloc", "no child is created" },
	{ "vfork", "task_alloc", NULL },
	{ "clone", "task_alloc", NULL },
	{ "clone3", "task_alloc", NULL },
	{ "setpriority", "task_setnice", NULL },
	{ "sched_setscheduler", "task_setscheduler", NULL },
	{ "sched_setparam", "task_setscheduler", NULL },
	{ "sched_setattr", "task_setscheduler", NULL },
	{ "setrlimit", "task_setrlimit", NULL },
	{ "prlimit64", "task_prlimit", NULL },
	{ "prctl", "task_prctl", NULL },
	{ "setuid", "task_fix_setuid", NULL },
	{ "setreuid", "task_fix_setuid", NULL },
	{ "setresuid", "task_fix_setuid", NULL },
	{ "setfsuid", "task_fix_setuid", NULL },
	{ "setgid", "task_fix_setgid", NULL },
	{ "setregid", "task_fix_setgid", NULL },
	{ "setresgid", "task_fix_setgid", NULL },
	{ "setfsgid", "task_fix_setgid", NULL },
	{ "setgroups", "task_fix_setgroups", NULL },
	{ "capset", "capset", NULL },
	/* mounts */
	{ "mount", "sb_mount", NULL },
	{ "umount", "sb_umount", NULL },
	{ "umount2", "sb_umount", NULL },
	{ "pivot_root", "sb_pivotroot", NULL },
	{ "move_mount", "move_mount", NULL },
	/* the kernel itself */
	{ "bpf", "bpf", NULL },
	{ "perf_event_open", "perf_event_open", NULL },
	{ "add_key", "key_alloc key_permission", "a new key, or an update of an existing one" },
	{ "init_module", "kernel_load_data", NULL },
	{ "finit_module", "kernel_read_file", NULL },
	{ "kexec_load", "kernel_load_data", NULL },
	{ "kexec_file_load", "kernel_read_file", NULL },
	{ "settimeofday", "settime", NULL },
	{ "clock_settime", "settime", NULL },
	{ "syslog", "syslog", NULL },
	{ "quotactl", "quotactl", NULL },
	{}
};

const struct bg_lsm_cover *bg_lsm_coverage(void)
{
	return coverage;
}

/* "bg_inode_setattr_3" -> hook "inode_setattr", 3 arguments */
static bool split_prog_name(const char *prog, char *hook, size_t len, int *nargs)
{
	const char *us = strrchr(prog, '_');
	size_t n;

	/* hook programs end in _<digit>; bg_sys_exit is not one */
	if (strncmp(prog, "bg_", 3) || !us || us <= prog + 3 || us[1] < '0' || us[1] > '9' || us[2])
		return false;
	n = (size_t)(us - (prog + 3));
	if (n >= len)
		return false;
	memcpy(hook, prog + 3, n);
	hook[n] = '\0';
	*nargs = atoi(us + 1);
	return true;
}

static int kernel_hook_nargs(const struct btf *btf, const char *hook)
{
	char fn[96];
	const struct btf_type *t;
	int id;

	snprintf(fn, sizeof(fn), "bpf_lsm_%s", hook);
	id = btf__find_by_name_kind(btf, fn, BTF_KIND_FUNC);
	if (id < 0)
		return -1;
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	return t ? btf_vlen(t) : -1;
}

static int lsm_fit(struct bg_lsm_fit *f);

/* The answer depends only on the running kernel and our object: computed
 * once per process (an attach asked twice, each a parse of the kernel's
 * BTF, a few MB). */
int bg_lsm_fit(struct bg_lsm_fit *f)
{
	static struct bg_lsm_fit memo;
	static bool have;
	int ret;

	if (have) {
		*f = memo;
		return 0;
	}
	ret = lsm_fit(f);
	if (!ret) {
		memo = *f;
		have = true;
	}
	return ret;
}

static int lsm_fit(struct bg_lsm_fit *f)
{
	struct btf *btf = btf__load_vmlinux_btf();
	struct lsm_bpf *skel;
	struct bpf_program *prog;

	memset(f, 0, sizeof(*f));
	if (!btf)
		return -ENOENT;
	f->btf_ok = true;
	skel = lsm_bpf__open();
	if (!skel) {
		btf__free(btf);
		return -errno;
	}
	bpf_object__for_each_program(prog, skel->obj) {
		const char *name = bpf_program__name(prog);
		int want;

		if (f->n >= BG_LSM_SYS_EXIT_BIT)
			break;
		if (!split_prog_name(name, f->e[f->n].hook, sizeof(f->e[f->n].hook), &want))
			continue; /* bg_sys_exit: not a hook */
		bg_strlcpy(f->e[f->n].prog, name, sizeof(f->e[f->n].prog));
		f->e[f->n].fits = kernel_hook_nargs(btf, f->e[f->n].hook) == want;
		f->n++;
	}
	lsm_bpf__destroy(skel);
	btf__free(btf);
	return 0;
}

bool bg_lsm_hook_fits(const struct bg_lsm_fit *f, const char *hook)
{
	for (unsigned i = 0; i < f->n; i++)
		if (f->e[i].fits && !strcmp(f->e[i].hook, hook))
			return true;
	return false;
}

/* Index in f->e of the fitting program for `hook`, or -1. */
static int fitting_prog(const struct bg_lsm_fit *f, const char *hook, size_t len)
{
	for (unsigned i = 0; i < f->n; i++)
		if (f->e[i].fits && strlen(f->e[i].hook) == len && !strncmp(f->e[i].hook, hook, len))
			return (int)i;
	return -1;
}

/*
 * Walks the groups of a coverage row: for each group the first alternative
 * that fits this kernel.  Returns false if some group has none.  Marks the
 * chosen programs in need[] (if given) and names the first in *hook.
 */
static bool designate(const struct bg_lsm_fit *f, const char *hooks, uint64_t need[2],
		      const char **hook)
{
	const char *p = hooks;
	bool first = true;

	while (*p) {
		size_t glen = strcspn(p, " ");
		int chosen = -1;

		for (const char *a = p; a < p + glen && chosen < 0;) {
			size_t alen = strcspn(a, "| ");

			if (alen > (size_t)(p + glen - a))
				alen = (size_t)(p + glen - a);
			chosen = fitting_prog(f, a, alen);
			a += alen;
			if (*a == '|')
				a++;
		}
		if (chosen < 0)
			return false;
		if (need)
			need[chosen / 64] |= 1ULL << (chosen % 64);
		if (hook && first)
			*hook = f->e[chosen].hook;
		first = false;
		p += glen;
		while (*p == ' ')
			p++;
	}
	return !first;
}

static const struct bg_lsm_cover *cover_row(const char *syscall)
{
	if (!syscall)
		return NULL;
	for (const struct bg_lsm_cover *c = coverage; c->syscall; c++)
		if (!strcmp(c->syscall, syscall))
			return c;
	return NULL;
}

bool bg_lsm_covers(const struct bg_lsm_fit *f, const char *syscall, const char **hook)
{
	const struct bg_lsm_cover *c = cover_row(syscall);

	return f && c && designate(f, c->hooks, NULL, hook);
}

bool bg_lsm_need(const struct bg_lsm_fit *f, const char *syscall, uint64_t need[2])
{
	const struct bg_lsm_cover *c = cover_row(syscall);

	return f && c && designate(f, c->hooks, need, NULL);
}

static bool lsm_links_any(bool hooks_only);

/* Hooks, not bg_sys_exit alone: that also runs for the cgroup hooks' marks
 * on kernels without BPF LSM. */
bool bg_lsm_links_present(void)
{
	return lsm_links_any(true);
}

bool bg_lsm_any_pinned(void)
{
	return lsm_links_any(false);
}

static void unpin_prog(const char *prog)
{
	char p[PATH_MAX];

	bg_pin_path(p, sizeof(p), BG_PIN_LINKS, prog);
	unlink(p);
	bg_pin_path(p, sizeof(p), BG_PIN_PROGS, prog);
	unlink(p);
}

static bool wanted(const uint64_t want[2], unsigned i)
{
	return i < BG_LSM_MAX_PROGS && (want[i / 64] >> (i % 64)) & 1;
}

/* Loads the missing programs of `want` (and bg_sys_exit if missing),
 * attaches and pins them; on failure unpins what this call pinned. */
static int attach_missing(const struct bg_lsm_fit *fit, const uint64_t want[2], struct bg_diag *diag)
{
	char pinned[BG_LSM_MAX_PROGS + 1][64];
	unsigned npinned = 0;
	struct bpf_program *prog;
	struct lsm_bpf *skel;
	char p[PATH_MAX];
	int ret;

	skel = lsm_bpf__open();
	if (!skel) {
		bg_diag_set(diag, "cannot open lsm.bpf.o: %s", strerror(errno));
		return -1;
	}
	/* Same pins as guard.bpf.c: the mark guard sets is the one we read. */
	if (bg_pin_object_maps(skel->obj)) {
		bg_diag_set(diag, "internal: cannot set pin paths for lsm.bpf.o");
		lsm_bpf__destroy(skel);
		return -1;
	}
	bpf_object__for_each_program(prog, skel->obj) {
		const char *name = bpf_program__name(prog);
		bool on = false;

		if (!strcmp(name, "bg_sys_exit"))
			on = true;
		for (unsigned i = 0; i < fit->n && i < BG_LSM_SYS_EXIT_BIT; i++)
			if (!strcmp(fit->e[i].prog, name))
				on = fit->e[i].fits && wanted(want, i);
		bpf_program__set_autoload(prog, on && !bg_link_pinned(name));
	}
	ret = lsm_bpf__load(skel);
	if (ret) {
		bg_diag_set(diag, "cannot load the BPF LSM programs: %s; rerun with BPFGUARD_DEBUG=1",
			    strerror(-ret));
		lsm_bpf__destroy(skel);
		return -1;
	}
	/* Hooks first, bg_sys_exit last: a mark set before sys_exit is up
	 * would linger; a hook up before any mark exists costs nothing. */
	for (int pass = 0; pass < 2; pass++) {
		bpf_object__for_each_program(prog, skel->obj) {
			const char *name = bpf_program__name(prog);
			struct bpf_link *link;

			if (!bpf_program__autoload(prog) || (pass == 0) == !strcmp(name, "bg_sys_exit"))
				continue;
			link = bpf_program__attach(prog);
			if (!link) {
				bg_diag_set(diag, "cannot attach %s: %s", name, strerror(errno));
				goto fail;
			}
			bg_pin_path(p, sizeof(p), BG_PIN_LINKS, name);
			ret = bpf_link__pin(link, p);
			bpf_link__destroy(link);
			if (ret) {
				bg_diag_set(diag, "cannot pin %s: %s", p, strerror(-ret));
				goto fail;
			}
			bg_strlcpy(pinned[npinned++], name, sizeof(pinned[0]));
			bg_pin_path(p, sizeof(p), BG_PIN_PROGS, name);
			unlink(p);
			bpf_program__pin(prog, p);
		}
	}
	lsm_bpf__destroy(skel);
	return 0;
fail:
	for (unsigned i = 0; i < npinned; i++)
		unpin_prog(pinned[i]);
	lsm_bpf__destroy(skel);
	return -1;
}

/* Is any LSM program (a hook or, unless hooks_only, bg_sys_exit) linked? */
static bool lsm_links_any(bool hooks_only)
{
	char dir[PATH_MAX], hook[48];
	struct dirent *de;
	bool found = false;
	int nargs;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s/%s", BG_BPFFS, BG_PIN_ROOT, BG_PIN_LINKS);
	d = opendir(dir);
	if (!d)
		return false;
	while (!found && (de = readdir(d)))
		found = (!hooks_only && !strcmp(de->d_name, "bg_sys_exit")) ||
			split_prog_name(de->d_name, hook, sizeof(hook), &nargs);
	closedir(d);
	return found;
}

int bg_lsm_sync(struct bg_state *st, const uint64_t want[2], struct bg_diag *diag)
{
	static const uint64_t none[2];
	struct bg_lsm_fit fit;
	bool any = want[0] || want[1];

	(void)st;
	/* Nothing wanted and nothing of ours attached: the common case on
	 * kernels without BPF LSM; skip parsing the kernel's BTF. */
	if (!any && !lsm_links_any(false))
		return 0;
	/* Only bg_sys_exit wanted (cgroup-hook syscall rules on a kernel
	 * without BPF LSM), already attached, and no hook of ours to drop:
	 * nothing to do, and no BTF to parse (most of a re-attach's time). */
	{
		uint64_t hooks[2] = { want[0], want[1] };

		hooks[BG_LSM_SYS_EXIT_BIT / 64] &= ~(1ull << (BG_LSM_SYS_EXIT_BIT % 64));
		if (!hooks[0] && !hooks[1] && any && bg_link_pinned("bg_sys_exit") && !lsm_links_any(true))
			return 0;
	}
	if (bg_lsm_fit(&fit)) {
		if (!any)
			return 0;
		bg_diag_set(diag, "cannot read kernel BTF for the LSM programs");
		return -1;
	}
	if (any && attach_missing(&fit, want, diag))
		return -1;
	/* Then drop what no attachment needs any more. */
	for (unsigned i = 0; i < fit.n; i++)
		if (!wanted(any ? want : none, i))
			unpin_prog(fit.e[i].prog);
	if (!any)
		unpin_prog("bg_sys_exit");
	return 0;
}

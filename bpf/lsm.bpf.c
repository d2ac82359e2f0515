// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * lsm.bpf.c - deny before effect with BPF LSM.
 *
 * guard.bpf.c decides at sys_enter.  When the policy answers errno(N) and
 * the planner chose the LSM mechanism, it marks the task (bg_taskmark) for
 * the duration of that one syscall.  Every hook below then returns -N, so
 * the call fails at the first security check it reaches, before it changes
 * anything; bg_sys_exit clears the mark when the call returns.
 *
 * Which syscalls reach which hooks is data in user/core/lsm.c (bg_lsm_coverage); a
 * syscall that reaches none of them is never planned for this mechanism
 * (it gets the user's --fallback instead).
 *
 * Hook prototypes differ between kernels (bpf gained `kernel` in 6.9,
 * inode_setattr gained `idmap` in 6.3, perf_event_open lost `attr` in
 * 6.13).  Each program's name ends in the number of hook arguments it was
 * written for; the loader enables only programs whose count matches the
 * running kernel's BTF, so `ret` (the verdict of an earlier BPF LSM
 * program on the same hook, passed after the hook's arguments) is always
 * read from the right slot.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpfguard.h"
#include "shared_maps.bpf.h"

char LICENSE[] SEC("license") = "GPL"; /* LSM programs must be GPL */

/* Kernels since 6.12 refuse an LSM program whose return value might leave
 * [-4095, 0].  The mark holds -errno already (guard.bpf.c negates it, since
 * the verifier before 6.14 loses a range across a negation); clamping the
 * loaded value gives the verifier its bounds. */
static __always_inline int clamp_errno(int v)
{
	if (v < -4095 || v > 0)
		return -1; /* never written so; EPERM all the same */
	return v;
}

static __always_inline int deny_if_marked(int ret)
{
	struct bg_mark *m;
	__u32 zero = 0, *gate;

	/* A verdict already given by an earlier program stands.  Kernels
	 * since 6.12 check that an LSM program returns 0 or -errno; keep any
	 * other earlier value a denial rather than let the verifier refuse us. */
	if (ret)
		return clamp_errno(ret); /* nonzero in, nonzero out */
	gate = bpf_map_lookup_elem(&bg_lsm_gate, &zero);
	if (!gate || !*gate)
		return 0; /* no task anywhere is in a denied syscall */
	m = bpf_task_storage_get(&bg_taskmark, bpf_get_current_task_btf(), 0, 0);
	if (!m || !m->active)
		return 0;
	m->hooks_denied++;
	return clamp_errno(m->ret);
}

#define HOOK0(h) \
	SEC("lsm/" #h) int BPF_PROG(bg_##h##_0, int ret) { return deny_if_marked(ret); }
#define HOOK1(h) \
	SEC("lsm/" #h) int BPF_PROG(bg_##h##_1, __u64 a0, int ret) { return deny_if_marked(ret); }
#define HOOK2(h) \
	SEC("lsm/" #h) int BPF_PROG(bg_##h##_2, __u64 a0, __u64 a1, int ret) { return deny_if_marked(ret); }
#define HOOK3(h) \
	SEC("lsm/" #h) int BPF_PROG(bg_##h##_3, __u64 a0, __u64 a1, __u64 a2, int ret) \
	{ return deny_if_marked(ret); }
#define HOOK4(h) \
	SEC("lsm/" #h) int BPF_PROG(bg_##h##_4, __u64 a0, __u64 a1, __u64 a2, __u64 a3, int ret) \
	{ return deny_if_marked(ret); }
#define HOOK5(h) \
	SEC("lsm/" #h) int BPF_PROG(bg_##h##_5, __u64 a0, __u64 a1, __u64 a2, __u64 a3, __u64 a4, \
				    int ret) { return deny_if_marked(ret); }
#define HOOK6(h) \
	SEC("lsm/" #h) int BPF_PROG(bg_##h##_6, __u64 a0, __u64 a1, __u64 a2, __u64 a3, __u64 a4, \
				    __u64 a5, int ret) { return deny_if_marked(ret); }

/* Files.  file_alloc_security runs whenever a syscall creates a struct
 * file (open, socket, pipe, eventfd, memfd, io_uring_setup, ...). */
HOOK1(file_alloc_security)
HOOK1(file_open)
HOOK2(file_permission)   /* read/write/sendfile/splice/getdents: rw_verify_area */
HOOK3(file_ioctl)
HOOK3(file_fcntl)
HOOK2(file_lock)
HOOK4(mmap_file)
HOOK3(file_mprotect)
HOOK1(file_truncate)     /* 6.2+ */
HOOK1(path_truncate)
HOOK2(inode_permission)
HOOK1(inode_getattr)
HOOK3(inode_create)
HOOK3(inode_mkdir)
HOOK4(inode_mknod)
HOOK2(inode_rmdir)
HOOK2(inode_unlink)
HOOK4(inode_rename)
HOOK3(inode_link)
HOOK3(inode_symlink)
HOOK2(inode_setattr)     /* <= 6.2 */
HOOK3(inode_setattr)     /* 6.3+: idmap first */
HOOK6(inode_setxattr)
HOOK3(inode_removexattr)
HOOK1(inode_readlink)

/* Programs. */
HOOK1(bprm_creds_for_exec)
HOOK1(bprm_check_security)

/* Sockets. */
HOOK4(socket_create)
HOOK2(socket_socketpair)
HOOK3(socket_bind)
HOOK3(socket_connect)
HOOK2(socket_listen)
HOOK2(socket_accept)
HOOK3(socket_sendmsg)
HOOK4(socket_recvmsg)
HOOK3(socket_getsockopt)
HOOK3(socket_setsockopt)
HOOK2(socket_shutdown)
HOOK1(socket_getsockname)
HOOK1(socket_getpeername)

/* Processes. */
HOOK2(ptrace_access_check)
HOOK1(ptrace_traceme)
HOOK4(task_kill)
HOOK2(task_alloc)
HOOK2(task_setnice)
HOOK1(task_setscheduler)
HOOK3(task_setrlimit)
HOOK3(task_prlimit)
HOOK5(task_prctl)
HOOK3(task_fix_setuid)
HOOK3(task_fix_setgid)
HOOK2(task_fix_setgroups) /* 6.5+ */
HOOK5(capset)
HOOK1(userns_create)      /* 6.1+ */

/* Mounts. */
HOOK5(sb_mount)
HOOK2(sb_umount)
HOOK2(sb_pivotroot)
HOOK2(move_mount)
HOOK1(sb_statfs)

/* Kernel attack surface. */
HOOK3(bpf)                /* <= 6.8 */
HOOK4(bpf)                /* 6.9+: token-aware `kernel` flag */
HOOK2(perf_event_open)    /* <= 6.12 */
HOOK1(perf_event_open)    /* 6.13+ */
HOOK3(key_alloc)
HOOK3(key_permission)
HOOK1(uring_override_creds)
HOOK0(uring_sqpoll)
HOOK1(uring_cmd)
HOOK1(kernel_module_request)
HOOK2(kernel_load_data)   /* init_module, kexec_load */
HOOK3(kernel_read_file)   /* finit_module, kexec_file_load */
HOOK2(settime)
HOOK1(syslog)
HOOK4(quotactl)

/*
 * The mark lives exactly as long as the denied syscall.  This program is
 * also loaded alone, without any LSM hook, on kernels without BPF LSM
 * whenever a syscall rule is served by a cgroup hook (BG_MARK_F_HOOK).
 * sys_exit runs for
 * every syscall on the machine, so it leaves at the gate unless some task
 * is marked; the gate is a count, not a flag, so one task's exit never
 * hides another's mark.
 */
SEC("tp_btf/sys_exit")
int BPF_PROG(bg_sys_exit, struct pt_regs *regs, long ret)
{
	__u32 zero = 0, *gate;
	struct bg_mark *m;

	gate = bpf_map_lookup_elem(&bg_lsm_gate, &zero);
	if (!gate || !*gate)
		return 0;
	m = bpf_task_storage_get(&bg_taskmark, bpf_get_current_task_btf(), 0, 0);
	if (!m || !m->active)
		return 0;
	/* A denied call that reached none of our hooks ran after all: the
	 * coverage table was wrong for this kernel.  Count it so status
	 * says so instead of claiming a denial that did not happen. */
	if (m->hooks_denied == 0 && !(m->flags & BG_MARK_F_HOOK))
		stat_inc(BG_STAT_LSM_MISSED);
	/* A cgroup hook's denial that no hook gave, on a call that succeeded:
	 * the hook runs for the socket's cgroup, so a socket made outside
	 * the guarded cgroup and handed in (inherited, SCM_RIGHTS) escapes
	 * it.  The call ran; kill now, before the task returns to user space
	 * and uses it (fail closed), and count it. */
	if (m->hooks_denied == 0 && (m->flags & BG_MARK_F_HOOK) && ret >= 0) {
		stat_inc(BG_STAT_HOOK_MISSED);
		bpf_send_signal(9 /* SIGKILL */);
	}
	m->active = 0;
	__sync_fetch_and_sub(gate, 1);
	return 0;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * probe.bpf.c - tiny programs for `bpfguard probe` (user/core/probe.c).
 *
 * Each program answers one question about the running kernel: "does this
 * program type load, attach and fire?".  Every program is marked autoload
 * off by user space, which then opens the skeleton, enables exactly one
 * program, loads and tests it, and destroys the skeleton again, so a
 * program type the kernel refuses never hides the answer for the others.
 *
 * Rules for everything in this file:
 *  - Never change behaviour for anyone but the probing process (or the one
 *    child it forked for the test): every tracing program first checks the
 *    caller against target_tgid, and the cgroup programs are only attached
 *    to a private, temporary cgroup.  Nothing here denies anything outside
 *    that cgroup; the LSM program returns the previous verdict unchanged.
 *  - No CO-RE relocations.  BPF_NO_PRESERVE_ACCESS_INDEX keeps clang from
 *    recording field relocations, and we only read UAPI context structs, so
 *    the cgroup programs still load on a kernel without BTF (where only the
 *    BTF-typed programs - tp_btf, lsm, fentry - must fail).
 *  - Results are plain globals in .bss/.data (array maps that user space
 *    reads through the skeleton), plus one ring buffer for its own probe.
 */
#define BPF_NO_PRESERVE_ACCESS_INDEX
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* Not in vmlinux.h (macros). */
#define BG_AF_INET 2
#define BG_SIGUSR1 10

char LICENSE[] SEC("license") = "Dual BSD/GPL"; /* lsm/fentry need GPL */

/*
 * Set by user space before each load.  Process ids are as seen in the
 * probing process's pid namespace, identified by (pidns_dev, pidns_ino) of
 * /proc/self/ns/pid, so the probe is also exact inside a container, where
 * getpid() differs from the kernel's global tgid.
 */
const volatile __u64 pidns_dev = 0;
const volatile __u64 pidns_ino = 0;
const volatile __u32 target_tgid = 0; /* the process whose calls count */
const volatile long marker_nr = -1;   /* the marker syscall (getppid) */

/* Counters user space reads after triggering (one per program). */
__u64 hit_tp_btf = 0;
__u64 hit_raw_tp = 0;
__u64 hit_exec = 0;
__u64 hit_signal = 0;
long signal_ret = 1; /* bpf_send_signal()'s return value, 1 = never called */
__u64 hit_lsm = 0;
__u64 hit_fentry = 0;
__u64 hit_sock_deny = 0;

/* Record the ring buffer probe emits: user space checks both fields. */
struct probe_rec {
	__u64 magic; /* PROBE_REC_MAGIC */
	__u64 nr;    /* syscall id seen */
};
#define PROBE_REC_MAGIC 0x6270666775617264ULL /* "bpfguard" */

/* Only for the ring buffer probe; a single page is the smallest size. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} probe_rb SEC(".maps");

/* Is the current task in target_tgid (pid-namespace aware)? */
static __always_inline bool is_target(void)
{
	struct bpf_pidns_info ns = {};

	if (bpf_get_ns_current_pid_tgid(pidns_dev, pidns_ino, &ns, sizeof(ns)))
		return false; /* different pid namespace: never ours */
	return ns.tgid == target_tgid;
}

/* The probing process's marker syscall? Cheap test first: this runs for
 * every syscall on the machine while attached. */
static __always_inline bool is_marker(long id)
{
	return id == marker_nr && is_target();
}

/* tp_sys_enter: the BTF-typed syscall-entry tracepoint, which bpfguard's
 * enforcement program uses.  Counts the marker syscall. */
SEC("tp_btf/sys_enter")
int BPF_PROG(probe_tp_btf, struct pt_regs *regs, long id)
{
	if (is_marker(id))
		__sync_fetch_and_add(&hit_tp_btf, 1);
	return 0;
}

/* raw_tp: the same hook through the older, untyped raw tracepoint
 * interface (needs no kernel BTF).  Counts the marker syscall. */
SEC("raw_tp/sys_enter")
int BPF_PROG(probe_raw_tp, struct pt_regs *regs, long id)
{
	if (is_marker(id))
		__sync_fetch_and_add(&hit_raw_tp, 1);
	return 0;
}

/* ringbuf: proves the whole event path - reserve, submit in the kernel,
 * read back in user space - not just that the map type exists.  Uses
 * raw_tp so it depends on as little as possible. */
SEC("raw_tp/sys_enter")
int BPF_PROG(probe_ringbuf, struct pt_regs *regs, long id)
{
	struct probe_rec *r;

	if (!is_marker(id))
		return 0;
	r = bpf_ringbuf_reserve(&probe_rb, sizeof(*r), 0);
	if (!r)
		return 0;
	r->magic = PROBE_REC_MAGIC;
	r->nr = id;
	bpf_ringbuf_submit(r, 0);
	return 0;
}

/* tp_exec: bpfguard's exec allowlist hangs off this tracepoint.  Counts
 * execs by the forked child (target_tgid = child's pid). */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(probe_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	if (is_target())
		__sync_fetch_and_add(&hit_exec, 1);
	return 0;
}

/* send_signal: bpfguard's KILL effect is bpf_send_signal() from sys_enter.
 * Here the signal is the harmless SIGUSR1 and goes only to the forked child
 * (target_tgid) when it makes the marker syscall.  Two copies so the answer
 * does not depend on which tracepoint flavour loads. */
static __always_inline void signal_marker(long id)
{
	if (!is_marker(id))
		return;
	__sync_fetch_and_add(&hit_signal, 1);
	signal_ret = bpf_send_signal(BG_SIGUSR1);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(probe_signal, struct pt_regs *regs, long id)
{
	signal_marker(id);
	return 0;
}

SEC("raw_tp/sys_enter")
int BPF_PROG(probe_signal_raw, struct pt_regs *regs, long id)
{
	signal_marker(id);
	return 0;
}

/* lsm_prog: the only hook that can deny a file operation before it takes
 * effect.  Loading alone proves little (the program may attach to a hook
 * that is never called when "bpf" is missing from the LSM list), so user
 * space opens a file and checks the counter.  It returns the verdict of the
 * earlier programs unchanged: the probe never denies anything. */
SEC("lsm/file_open")
int BPF_PROG(probe_lsm, struct file *file, int ret)
{
	if (is_target())
		__sync_fetch_and_add(&hit_lsm, 1);
	return ret;
}

/* trampoline: fentry stands for every BPF trampoline user (fentry, fexit,
 * fmod_ret, and lsm itself).  do_unlinkat is in BTF on 6.1..6.18 and is
 * reached by unlink() even when the file does not exist; user space checks
 * it is in the kernel BTF before trying.  No arguments are read. */
SEC("fentry/do_unlinkat")
int BPF_PROG(probe_fentry)
{
	if (is_target())
		__sync_fetch_and_add(&hit_fentry, 1);
	return 0;
}

/* cgroup_sock: a real pre-effect denial.  Attached only to the probe's
 * temporary cgroup, which holds only the forked child: AF_INET sockets fail
 * with EPERM there, everything else is allowed. */
SEC("cgroup/sock_create")
int probe_sock_create(struct bpf_sock *sk)
{
	if (sk->family == BG_AF_INET) {
		__sync_fetch_and_add(&hit_sock_deny, 1);
		return 0; /* deny: socket() returns EPERM */
	}
	return 1;
}

/* cgroup_mark: can a cgroup program read the calling task's storage (the
 * mark guard.bpf.c sets for syscall rules a cgroup hook serves)?  Loaded,
 * never attached; allows everything. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u32);
} probe_taskmark SEC(".maps");

SEC("cgroup/sock_create")
int probe_sock_mark(struct bpf_sock *sk)
{
	__u32 *m = bpf_task_storage_get(&probe_taskmark, bpf_get_current_task_btf(), 0, 0);

	return m && *m == 0xdead ? 0 : 1;
}

/* cgroup_retval: bpf_set_retval (5.18+), so a hook fails a call with the
 * policy's errno rather than EPERM.  Loaded, never attached. */
SEC("cgroup/sock_create")
int probe_sock_retval(struct bpf_sock *sk)
{
	if (sk->family == 0xffff) {
		bpf_set_retval(-13);
		return 0;
	}
	return 1;
}

/* cgroup_dev: device access policy hook; allows everything. */
SEC("cgroup/dev")
int probe_dev(struct bpf_cgroup_dev_ctx *ctx)
{
	return 1;
}

/* cgroup_sockaddr: connect()/bind() policy hooks; allows everything. */
SEC("cgroup/connect4")
int probe_connect4(struct bpf_sock_addr *ctx)
{
	return 1;
}

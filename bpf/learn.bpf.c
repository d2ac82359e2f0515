// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * learn.bpf.c - record every syscall of a cgroup subtree, for `bpfguard
 * learn` and `bpfguard run --learn` (user/core/learn.c turns the record into a
 * policy; docs/learn.md).
 *
 * One instance of this object per learning session.  The learned cgroup's
 * id and depth are read-only data set before load, so the verifier sees
 * them as constants; the maps and the link are held by the learning process
 * and never pinned: two sessions never share a counter, an attached policy
 * (guard.bpf.c) is neither read nor touched, and when the learner exits,
 * however it exits, the kernel drops the link and the program with it.
 *
 * Per syscall of a task in the subtree:
 *   1. bg_learn_counts[abi * BG_MAX_SYSCALLS + nr] += 1, a per-CPU slot
 *      (atomic add: a preemptible kernel may interleave two tasks on one
 *      CPU).  The counts are the record itself, not derived from events,
 *      so nothing is lost however fast the workload calls;
 *   2. the first caller of each syscall claims bg_learn_slots[idx] and
 *      leaves its pid and comm there (read-mostly after that);
 *   3. for the few syscalls userspace marked in the slot's watch (socket's
 *      family and type, clone's and unshare's flags, prctl's option), the
 *      masked register values go into the bg_learn_args set with a count.
 *   4. (bg_learn_exec) each executable run in the subtree: its identity,
 *      the path it was run by and how often, so userspace can tell which
 *      runtimes it watched (a Go binary may make calls one run never
 *      shows).
 * Membership is decided by ancestry, not by a list of cgroup ids: a task
 * is in the session if its cgroup is the learned one or has it as the
 * ancestor at the learned depth, so cgroups created below it while
 * learning are covered from their first syscall without any cgroup_mkdir
 * program, and nothing can be missed between a mkdir and a map update.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpfguard.h"
#include "syscall_regs.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";


/* Set by userspace before load: the session.  Level is the cgroup's depth
 * below the cgroup2 root (1 for /sys/fs/cgroup/unified/x). */
const volatile __u64 bg_learn_cgid = 0;
const volatile __u32 bg_learn_level = 0;

/* Call counts.  Per-CPU: a hot syscall of a many-threaded workload does
 * not bounce one cache line between CPUs; userspace sums the CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BG_LEARN_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} bg_learn_counts SEC(".maps");

/* What to record per syscall (userspace) and who called it first (here).
 * An array: the lookup is inlined and cannot fail for an index in range. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BG_LEARN_SLOTS);
	__type(key, __u32);
	__type(value, struct bg_learn_slot);
} bg_learn_slots SEC(".maps");

/* Distinct recorded argument values and how often each was seen.  When it
 * is full, a new value is not recorded and the syscall's slot says so
 * (args_full): userspace then allows that syscall without conditions
 * rather than write a policy that would refuse a value it did see. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, BG_LEARN_MAX_ARGVALS);
	__type(key, struct bg_learn_arg_key);
	__type(value, __u64);
} bg_learn_args SEC(".maps");

/*
 * The caller's cgroup v2 (default hierarchy) is the learned one or below
 * it.  Read through BTF, no helper call: a task elsewhere on the machine
 * (every syscall of every process pays for this program while learning)
 * costs two pointer loads and a compare, and only tasks deeper than the
 * learned cgroup read one ancestor.
 */
static __always_inline bool in_session(struct task_struct *task)
{
	struct cgroup *cg = task->cgroups->dfl_cgrp;
	__u32 level = bg_learn_level;
	struct cgroup *anc;

	if (cg->kn->id == bg_learn_cgid)
		return true;
	if (cg->level <= (int)level)
		return false;
	/* ancestors[] is indexed by level and ends with the cgroup itself.
	 * A flexible array the verifier will not index through BTF, so one
	 * probe read for the pointer; a failed read means "not ours". */
	if (bpf_probe_read_kernel(&anc, sizeof(anc), &cg->ancestors[level]) || !anc)
		return false;
	return BPF_CORE_READ(anc, kn, id) == bg_learn_cgid;
}

/* Adds one to the count of this value set; a full map marks the slot. */
static __always_inline void record_args(__u32 idx, struct bg_learn_slot *s,
					const __u64 *args)
{
	struct bg_learn_arg_key key = { .idx = idx };
	__u64 one = 1, *cnt;

	for (int i = 0; i < BG_LEARN_NVALS; i++) {
		__u8 a;

		if (i >= s->watch.nvals)
			break;
		a = s->watch.arg[i];
		if (a > 5)
			return; /* userspace never writes one; record nothing */
		key.val[i] = args[a] & s->watch.mask[i];
	}
	cnt = bpf_map_lookup_elem(&bg_learn_args, &key);
	if (cnt) {
		__sync_fetch_and_add(cnt, 1);
		return;
	}
	/* NOEXIST: a racing first insert on another CPU is never overwritten;
	 * losing the race means adding to the winner's count. */
	if (bpf_map_update_elem(&bg_learn_args, &key, &one, BPF_NOEXIST) == 0)
		return;
	cnt = bpf_map_lookup_elem(&bg_learn_args, &key);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	else
		s->args_full = 1;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(bg_learn_sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bg_learn_slot *s;
	__u32 idx, abi;
	__u64 *cnt;

	if (!in_session(task))
		return 0;

	/* Same ABI test as guard.bpf.c, so a learned policy is judged the
	 * way it was recorded. */
	abi = syscall_abi(task);
	if (id >= 0 && (id & BG_X32_SYSCALL_BIT))
		idx = BG_LEARN_IDX_X32;
	else if (id >= 0 && id < BG_MAX_SYSCALLS)
		idx = abi * BG_MAX_SYSCALLS + (__u32)id;
	else
		idx = BG_LEARN_IDX_BIG + abi; /* past the tables, or -1 (no call) */

	cnt = bpf_map_lookup_elem(&bg_learn_counts, &idx);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);

	s = bpf_map_lookup_elem(&bg_learn_slots, &idx);
	if (!s)
		return 0; /* idx < BG_LEARN_SLOTS: cannot happen */
	if (!s->seen && __sync_val_compare_and_swap(&s->seen, 0, 1) == 0) {
		__u64 pid_tgid = bpf_get_current_pid_tgid();

		s->first_ns = bpf_ktime_get_boot_ns();
		s->first_pid = pid_tgid >> 32;
		s->first_tid = (__u32)pid_tgid;
		bpf_get_current_comm(s->first_comm, sizeof(s->first_comm));
	}
	if (s->watch.nvals) {
		/* Register values only, never the memory they point to. */
		__u64 args[6];

		syscall_args(abi, regs, args);
		record_args(idx, s, args);
	}
	return 0;
}

/* Executables run in the session (point 4 above).  When the map is full a
 * new file is counted in bg_learn_execs_lost, and userspace says the
 * runtime detection is incomplete instead of pretending it saw them all. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BG_LEARN_MAX_EXECS);
	__type(key, struct bg_learn_exec_key);
	__type(value, struct bg_learn_exec);
} bg_learn_execs SEC(".maps");

__u64 bg_learn_execs_lost = 0;

/* A successful exec, in the new image's context (the task is already
 * the new program; its cgroup is the one it runs in). */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(bg_learn_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct bg_learn_exec_key key = {};
	struct bg_learn_exec v = { .count = 1 }, *e;
	struct inode *inode;

	if (!in_session(bpf_get_current_task_btf()))
		return 0;
	/* bprm->file is what really runs: the interpreter of a #! script,
	 * whose path is bprm->interp (the script's own name is filename). */
	inode = BPF_CORE_READ(bprm, file, f_inode);
	key.ino = BPF_CORE_READ(inode, i_ino);
	key.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	e = bpf_map_lookup_elem(&bg_learn_execs, &key);
	if (e) {
		__sync_fetch_and_add(&e->count, 1);
		return 0;
	}
	v.first_pid = bpf_get_current_pid_tgid() >> 32;
	bpf_probe_read_kernel_str(v.path, sizeof(v.path), BPF_CORE_READ(bprm, interp));
	if (bpf_map_update_elem(&bg_learn_execs, &key, &v, BPF_NOEXIST) == 0)
		return 0;
	e = bpf_map_lookup_elem(&bg_learn_execs, &key); /* lost a race: add to the winner */
	if (e)
		__sync_fetch_and_add(&e->count, 1);
	else
		__sync_fetch_and_add(&bg_learn_execs_lost, 1);
	return 0;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * escape.bpf.c - a guarded task never runs unguarded.
 *
 * Everything else bpfguard enforces is keyed by the caller's cgroup, so a
 * guarded task that could change its cgroup would leave its policy behind:
 * a root process writes its pid into another cgroup's cgroup.procs, or
 * clone3(CLONE_INTO_CGROUP) starts a child in one.  The kernel offers no
 * hook that can refuse a cgroup migration before it happens on a kernel
 * without BPF LSM, so the rule is: a task that was guarded and is found
 * outside its guarded subtree is killed before it runs another
 * instruction in user space, whoever moved it.  To release a task, detach
 * its cgroup first (that invalidates its tag).
 *
 * "Was guarded" is a tag in task storage (struct bg_tag), set
 *   - by userspace at attach, for every task already in the subtree;
 *   - here, when a task is moved into a guarded cgroup or born in one;
 *   - and inherited by children from their parent.
 * A task whose tag is missing falls back to its thread group leader's.
 *
 * The same check makes a full bg_cgroups fail closed: a cgroup created
 * under a guarded one while the map was full has no entry, so a guarded
 * task that enters it is killed (why = unmapped), and so is any task an
 * outsider moves into it (it would run unjudged inside a guarded subtree).
 *
 * Killing a task other than the current one needs bpf_send_signal_task
 * (6.13+).  Each program comes in two builds; the loader enables the one
 * the running kernel can load.  Without it the task is marked a fugitive
 * and guard.bpf.c kills it at its next syscall entry (with BPF LSM loaded
 * the call is also refused before it has any effect).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpfguard.h"
#include "shared_maps.bpf.h"
#include "events.bpf.h"
#include "escape.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

extern int bpf_send_signal_task(struct task_struct *task, int sig, enum pid_type type,
				__u64 value) __ksym __weak;

static __always_inline void kill_task(struct task_struct *task, const struct bg_tag *tag,
				      struct cgroup *dst, __u32 hook, bool can_signal_task)
{
	__u64 dst_id = BPF_CORE_READ(dst, kn, id);
	__u32 why = in_subtree(dst, tag->owner) ? BG_ESC_WHY_UNMAPPED : BG_ESC_WHY_LEFT;
	__u32 how, zero = 0, *gate;
	struct bg_tag *own;

	if (BPF_CORE_READ(task, tgid) == (bpf_get_current_pid_tgid() >> 32) && bpf_send_signal(SIGKILL) == 0) {
		/* it moved itself: dies on the way back to user space */
		how = BG_ESC_KILL_SELF;
	} else if (can_signal_task && bpf_send_signal_task(task, SIGKILL, PIDTYPE_TGID, 0) == 0) {
		how = BG_ESC_KILL_TASK;
	} else {
		/* Mark its own storage (created if need be) so guard's
		 * sys_enter finds it whichever thread calls first: the leader's
		 * tag is the fallback of every thread without one. */
		own = bpf_task_storage_get(&bg_tasktag, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (own) {
			*own = *tag;
			if (!(own->flags & BG_TAG_F_FUGITIVE)) {
				own->flags |= BG_TAG_F_FUGITIVE;
				gate = bpf_map_lookup_elem(&bg_fugitive_gate, &zero);
				if (gate)
					__sync_fetch_and_add(gate, 1);
			}
		}
		how = BG_ESC_KILL_LATE;
	}
	report_escape(task, tag, dst_id, hook, why, how);
}

static __always_inline void set_tag(struct task_struct *task, __u64 owner, __u32 epoch)
{
	struct bg_tag *t = bpf_task_storage_get(&bg_tasktag, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (t) {
		t->owner = owner;
		t->epoch = epoch;
		t->flags = 0;
	}
}

/* May a task tagged `tag` be in cgroup c?  Only inside its subtree and
 * only where the cgroup has an entry (so it is judged there). */
static __always_inline bool may_be_in(struct cgroup *c, const struct bg_tag *tag)
{
	__u64 id = BPF_CORE_READ(c, kn, id);

	return bpf_map_lookup_elem(&bg_cgroups, &id) && in_subtree(c, tag->owner);
}

/* The nearest ancestor of c (c excluded) that has an entry, if any. */
static __always_inline struct bg_cgroup *guarded_ancestor(struct cgroup *c)
{
	for (int i = 0; i < BG_CGROUP_MAX_DEPTH; i++) {
		struct bg_cgroup *e;
		__u64 id;

		c = (struct cgroup *)BPF_CORE_READ(c, self.parent);
		if (!c)
			return NULL;
		id = BPF_CORE_READ(c, kn, id);
		e = bpf_map_lookup_elem(&bg_cgroups, &id);
		if (e)
			return e;
	}
	return NULL;
}

static __always_inline int on_move(struct cgroup *dst, struct task_struct *task, bool can_signal_task)
{
	struct bg_cgroup *dcg, *anc;
	struct bg_tag *tag, tmp;
	__u64 dst_id;

	if (BPF_CORE_READ(dst, root, hierarchy_id) != 0)
		return 0; /* a cgroup v1 hierarchy: the v2 cgroup did not change */
	tag = task_tag(task);
	if (tag) {
		if (!may_be_in(dst, tag))
			kill_task(task, tag, dst, BG_HOOK_ESC_MOVE, can_signal_task);
		return 0;
	}
	dst_id = BPF_CORE_READ(dst, kn, id);
	dcg = bpf_map_lookup_elem(&bg_cgroups, &dst_id);
	if (dcg) {
		/* moved into a guarded cgroup (bpfguard run, an operator):
		 * guarded from now on */
		set_tag(task, dcg->owner, dcg->epoch);
		return 0;
	}
	/* An untagged task entering an unmapped cgroup under a guarded one
	 * would run unjudged inside a guarded subtree: fail closed. */
	anc = guarded_ancestor(dst);
	if (anc) {
		tmp.owner = anc->owner;
		tmp.epoch = anc->epoch;
		tmp.flags = 0;
		kill_task(task, &tmp, dst, BG_HOOK_ESC_MOVE, can_signal_task);
	}
	return 0;
}

static __always_inline int on_fork(struct task_struct *parent, struct task_struct *child,
				   bool can_signal_task)
{
	struct cgroup *c = BPF_CORE_READ(child, cgroups, dfl_cgrp);
	struct bg_tag *tag = task_tag(parent);
	struct bg_cgroup *cg;
	__u64 id;

	if (tag) {
		if (may_be_in(c, tag))
			set_tag(child, tag->owner, tag->epoch);
		else
			kill_task(child, tag, c, BG_HOOK_ESC_CLONE, can_signal_task);
		return 0;
	}
	id = BPF_CORE_READ(c, kn, id);
	cg = bpf_map_lookup_elem(&bg_cgroups, &id);
	if (cg)
		set_tag(child, cg->owner, cg->epoch);
	return 0;
}

/* The tracepoint fires once the migration is done (task->cgroups is the
 * destination already), with the thread group leader when a whole process
 * moved. */
SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(bg_esc_move, struct cgroup *dst, const char *path, struct task_struct *task,
	     bool threadgroup)
{
	return on_move(dst, task, false);
}

SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(bg_esc_move_kf, struct cgroup *dst, const char *path, struct task_struct *task,
	     bool threadgroup)
{
	return on_move(dst, task, true);
}

/* Fires in kernel_clone before the child is first woken: a child born
 * outside (CLONE_INTO_CGROUP) is dead before it runs. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(bg_esc_fork, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(parent, child, false);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(bg_esc_fork_kf, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(parent, child, true);
}

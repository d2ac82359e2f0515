/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * escape.bpf.h - the cgroup escape guard's shared pieces: tag validity,
 * the subtree test, and the ESCAPE event.  escape.bpf.c (the move and fork
 * tracepoints) and guard.bpf.c (late kills at sys_enter on kernels without
 * bpf_send_signal_task) include it after shared_maps.bpf.h and events.bpf.h.
 */
#ifndef BG_ESCAPE_BPF_H
#define BG_ESCAPE_BPF_H

#ifndef SIGKILL
#define SIGKILL 9
#endif

/* A tag counts while its attachment is in place with the same epoch. */
static __always_inline bool tag_valid(const struct bg_tag *t)
{
	struct bg_cgroup *oc;
	__u64 owner;

	if (!t || !t->owner)
		return false;
	owner = t->owner;
	oc = bpf_map_lookup_elem(&bg_cgroups, &owner);
	return oc && oc->owner == owner && oc->epoch == t->epoch;
}

/* The task's valid tag, else its thread group leader's (threads that
 * existed before their process was tagged carry none of their own). */
static __always_inline struct bg_tag *task_tag(struct task_struct *task)
{
	struct bg_tag *t = bpf_task_storage_get(&bg_tasktag, task, 0, 0);

	if (tag_valid(t))
		return t;
	t = bpf_task_storage_get(&bg_tasktag, task->group_leader, 0, 0);
	return tag_valid(t) ? t : NULL;
}

/* Is cgroup c the owner's cgroup or below it?  Parent pointers up to
 * BG_CGROUP_MAX_DEPTH levels; deeper than that counts as outside (fails
 * closed: bpfguard never guards deeper, see cgroup.c). */
static __always_inline bool in_subtree(struct cgroup *c, __u64 owner)
{
	for (int i = 0; i <= BG_CGROUP_MAX_DEPTH && c; i++) {
		if (BPF_CORE_READ(c, kn, id) == owner)
			return true;
		/* cgroup.self is the first member: the parent css is the parent cgroup */
		c = (struct cgroup *)BPF_CORE_READ(c, self.parent);
	}
	return false;
}

/* Counts (exactly) and reports (rate limit and ring permitting) that the
 * guard killed `task`, which is the event's subject; the mover is the
 * current task. */
static __always_inline void report_escape(struct task_struct *task, const struct bg_tag *tag,
					  __u64 dst, __u32 hook, __u32 why, __u32 kill)
{
	struct bg_hook_counter_key key = {
		.cgid = dst, .owner = tag->owner, .hook = hook, .effect = BG_EFFECT_KILL,
	};
	struct bg_event *e;

	counter_inc(&bg_hook_counters, &key);
	stat_inc(BG_STAT_ESCAPES);
	e = event_reserve(dst, tag->owner, bpf_ktime_get_boot_ns(), sizeof(*e));
	if (!e)
		return;
	e->escape.dst_cgid = dst;
	e->escape.mover_pid = bpf_get_current_pid_tgid() >> 32;
	e->escape.why = why;
	e->escape.kill = kill;
	event_task(e, task);
	event_decision(e, BG_EVENT_ESCAPE, hook, BG_VERDICT_KILL, BG_EFFECT_KILL, BG_MECH_KILL, 0);
	e->flags = BG_EVF_NO_ARGS;
	event_submit(e);
}

#endif

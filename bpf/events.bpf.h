/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * events.bpf.h - how every program reports to bg_events: the per-cgroup
 * rate limit, the ring-buffer reservation, the carry-over of what was not
 * reported, and the task fields.  guard.bpf.c, cgroup_hooks.bpf.c,
 * exec.bpf.c, record.bpf.c and escape.bpf.h all emit through it, so an
 * event means the same thing whichever program wrote it:
 *
 *	e = event_reserve(cgid, owner, now, sizeof(*e));  rate limit, reserve, clear
 *	if (!e) return;                                   suppressed or lost: carried
 *	event_task_current(e);  (or event_task(e, task))  pid, tid, uid, comm
 *	e->type = ...; e->nr = ...; ...                   what happened
 *	event_submit(e);
 *
 * Include after shared_maps.bpf.h (bg_events, bg_rate, bg_config, stats).
 * The exact counters are the caller's, and come first: nothing here may
 * affect them.
 */
#ifndef BG_EVENTS_BPF_H
#define BG_EVENTS_BPF_H

#include <bpf/bpf_core_read.h>

#define NSEC_PER_SEC 1000000000ULL

/*
 * Per-cgroup event budget.  Returns true if this call may produce an event
 * and, through *carried, how many earlier denials it must account for;
 * *state is the cgroup's limiter (NULL when unlimited), where a lost event
 * gives its count back.
 */
static __always_inline bool rate_admit(__u64 cgid, __u64 now, __u32 *carried,
				       struct bg_rate **state)
{
	__u32 zero = 0;
	struct bg_config *cfg = bpf_map_lookup_elem(&bg_config, &zero);
	struct bg_rate *r;

	*carried = 0;
	*state = NULL;
	if (!cfg || cfg->rate_limit == 0)
		return true;
	r = bpf_map_lookup_elem(&bg_rate, &cgid);
	if (!r) {
		struct bg_rate fresh = { .window_start_ns = now };

		bpf_map_update_elem(&bg_rate, &cgid, &fresh, BPF_NOEXIST);
		r = bpf_map_lookup_elem(&bg_rate, &cgid);
		if (!r)
			return true; /* map full: never lose the event for it */
	}
	*state = r;
	if (now - r->window_start_ns >= NSEC_PER_SEC) {
		r->window_start_ns = now;
		r->emitted = 0;
	}
	if (r->emitted >= cfg->rate_limit) {
		__sync_fetch_and_add(&r->suppressed, 1);
		stat_inc(BG_STAT_SUPPRESSED);
		return false;
	}
	__sync_fetch_and_add(&r->emitted, 1);
	*carried = __sync_lock_test_and_set(&r->suppressed, 0);
	return true;
}

/*
 * A cleared record of `size` bytes (sizeof(struct bg_event), or of a
 * record that starts with one: struct bg_exec_event) for an event of
 * cgroup `cgid`, with the time, the cgroup, the attachment and the counts
 * filled in; NULL when the rate limit or a full ring buffer says no.  A
 * full ring counts BG_STAT_LOST and hands this call, and what it carried,
 * to the cgroup's next event, so `count` stays exact over time.
 *
 * Always inlined with a constant size: the verifier wants a known size
 * for the reservation, and the clear becomes plain stores.
 *
 * Why the whole record is cleared, always, before anything is written:
 * the ring buffer hands out its memory as the previous records left it.
 * Fields an event type does not use (the union's other members, the
 * padding, the tail of a short string) would otherwise carry bytes of an
 * earlier event to userspace, and whether a field was "left zero" would
 * depend on which program wrote the record.  One memset makes every
 * unwritten byte zero; events are rare (denials), so its cost is not on
 * the per-syscall path.
 */
static __always_inline struct bg_event *event_reserve(__u64 cgid, __u64 owner, __u64 now,
						      const __u64 size)
{
	struct bg_rate *rate;
	struct bg_event *e;
	__u32 carried;

	if (!rate_admit(cgid, now, &carried, &rate))
		return NULL;
	e = bpf_ringbuf_reserve(&bg_events, size, 0);
	if (!e) {
		stat_inc(BG_STAT_LOST);
		if (rate)
			__sync_fetch_and_add(&rate->suppressed, carried + 1);
		return NULL;
	}
	__builtin_memset(e, 0, size);
	e->ts_ns = now;
	e->cgid = cgid;
	e->owner = owner;
	e->count = carried + 1;
	e->suppressed = carried;
	return e;
}

/* The event's subject is the current task (the caller of the syscall or
 * the operation a hook judged). */
static __always_inline void event_task_current(struct bg_event *e)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	e->pid = pid_tgid >> 32;
	e->tid = (__u32)pid_tgid;
	e->uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

/* The event's subject is another task (the escape guard reports the task
 * it killed, while the current task is the one that moved it). */
static __always_inline void event_task(struct bg_event *e, struct task_struct *task)
{
	e->pid = BPF_CORE_READ(task, tgid);
	e->tid = BPF_CORE_READ(task, pid);
	e->uid = BPF_CORE_READ(task, cred, uid.val);
	bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), task->comm);
}

/* What the policy said and what the kernel did about it. */
static __always_inline void event_decision(struct bg_event *e, __u32 type, __u32 nr, __u8 verdict,
					   __u8 effect, __u8 mech, __u16 err)
{
	e->type = type;
	e->nr = nr;
	e->verdict = verdict;
	e->effect = effect;
	e->mech = mech;
	e->err = err;
}

static __always_inline void event_submit(void *e)
{
	bpf_ringbuf_submit(e, 0);
	stat_inc(BG_STAT_EVENTS);
}

#endif

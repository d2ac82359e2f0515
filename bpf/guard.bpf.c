// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * guard.bpf.c - per-cgroup syscall policy on raw_syscalls:sys_enter.
 *
 * Hot path, in the order a syscall meets it:
 *   1. cgroup id of the caller, read through BTF (no helper call);
 *   2. bg_cgfilter: an array slot indexed by the id's low bits.  The
 *      verifier inlines array lookups, so a task in no guarded cgroup pays
 *      one load and a compare, and leaves;
 *   3. the fast path: when the slot's tag names the caller's cgroup, one
 *      bit of the same slot answers an x86_64 call that is allowed with
 *      nothing to record (struct bg_filter_ent says how the slot is kept
 *      exact).  Most guarded calls end here;
 *   4. bg_cgroups: the exact (hash) lookup, for everything else: a tag
 *      shared by colliding ids, ia32/x32, argument rules, effects;
 *   5. bg_policies: the compiled policy slot, one 8-byte entry per syscall
 *      and ABI.  Allowed calls stop here.
 * Only a call that must be recorded or acted on goes further: argument
 * rules, exact counters, the rate limiter, the ring buffer, the signal.
 *
 * A sys_enter program cannot make a syscall fail.  Effects it executes:
 * RECORD, KILL (SIGKILL is delivered on return to user mode, *after* the
 * syscall body ran), LSM_DENY (marks the task so the hooks in lsm.bpf.c
 * return -errno before the call has any effect; userspace plans it only
 * where those programs load) and HOOK_DENY (the same mark, read by the
 * cgroup hook the call is certain to reach first: socket() of inet
 * families, setsockopt(); cgroup_hooks.bpf.c).
 *
 * Descendant cgroups: the cgroup_mkdir program copies the parent's entry to
 * a new child, so a policy covers cgroups created after attach.  Userspace
 * fills existing descendants at attach time, walking the tree top-down.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpfguard.h"
#include "syscall_regs.bpf.h"
#include "shared_maps.bpf.h"
#include "events.bpf.h"
#include "escape.bpf.h"

#define BG_AM_INLINE static __always_inline
#include "arg_match.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader on kernels without bpf_send_signal_task: tasks that
 * another task moved out of their guarded subtree are killed here, at
 * their next syscall (escape.bpf.c).  Elsewhere the verifier drops the
 * check, so the fast path does not pay for it. */
const volatile bool bg_late_kills = false;

/* Mappable, so userspace writes a slot's tag as one atomic word and swaps
 * it with compare-and-swap (struct bg_filter_ent), which the map update
 * syscall (a memcpy) cannot promise. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, BG_FILTER_SLOTS);
	__type(key, __u32);
	__type(value, struct bg_filter_ent);
} bg_cgfilter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BG_MAX_POLICIES);
	__type(key, __u32);
	__type(value, struct bg_policy_slot);
} bg_policies SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* see shared_maps.bpf.h */
	__uint(max_entries, 4096);
	__type(key, struct bg_argrules_key);
	__type(value, struct bg_argrules);
} bg_argrules SEC(".maps");

/* Userspace-only bookkeeping, pinned with the rest so every invocation and
 * `reset` see one consistent state.  No program reads it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* see shared_maps.bpf.h */
	__uint(max_entries, BG_MAX_ATTACHMENTS);
	__type(key, __u64);
	__type(value, struct bg_attachment);
} bg_attachments SEC(".maps");

/* The attachment records counted per slot (bpfguard.h); userspace only. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BG_SLOTREF__COUNT);
	__type(key, __u32);
	__type(value, struct bg_slotref);
} bg_slotrefs SEC(".maps");

/* First rule whose conditions all hold wins (arg_match.h); none: keep
 * *ent (the base). */
static __always_inline void match_argrules(__u32 slot, __u32 abi, __u32 nr,
					   const __u64 *args, struct bg_sysent *ent)
{
	struct bg_argrules_key key = { .slot = slot, .abi = abi, .nr = nr };
	const struct bg_argrule *r;
	struct bg_argrules *rs;

	rs = bpf_map_lookup_elem(&bg_argrules, &key);
	if (!rs)
		return; /* flag set but rules gone: mid-replace, base applies */
	r = bg_am_first(rs, args);
	if (r)
		*ent = r->act;
}

static __always_inline void count_exact(__u64 cgid, __u64 owner, __u32 nr,
					__u32 abi, const struct bg_sysent *ent)
{
	struct bg_counter_key key = {
		.cgid = cgid, .owner = owner, .nr = nr, .abi = abi,
		.verdict = ent->verdict, .effect = ent->effect,
	};

	counter_inc(&bg_counters, &key);
}

static __always_inline void emit(__u64 cgid, const struct bg_cgroup *cg, __u32 abi, __u32 nr,
				 const __u64 *args, const struct bg_sysent *ent)
{
	struct bg_event *e = event_reserve(cgid, cg->owner, bpf_ktime_get_boot_ns(), sizeof(*e));

	if (!e)
		return;
	for (int i = 0; i < BG_NR_ARGS; i++)
		e->args[i] = args[i];
	event_task_current(e);
	event_decision(e, BG_EVENT_SYSCALL, nr, ent->verdict, ent->effect, ent->mech, ent->err);
	e->abi = abi;
	event_submit(e);
}

/* Marks the task for the rest of this syscall: the LSM hooks (lsm.bpf.c)
 * or, with BG_MARK_F_HOOK, the cgroup hooks (cgroup_hooks.bpf.c) refuse it. */
static __always_inline bool mark_denied(struct task_struct *task, __u32 abi, __u32 nr, __u16 err,
					__u16 flags)
{
	struct bg_mark *m;
	__u32 zero = 0, *gate;

	m = bpf_task_storage_get(&bg_taskmark, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	gate = bpf_map_lookup_elem(&bg_lsm_gate, &zero);
	if (!m || !gate)
		return false;
	if (!m->active)
		__sync_fetch_and_add(gate, 1);
	m->nr = nr;
	m->abi = abi;
	m->ret = -(__s32)err;
	m->flags = flags;
	m->hooks_denied = 0;
	m->active = 1;
	return true;
}

static __always_inline int judge(struct task_struct *task, struct pt_regs *regs,
				 long id, __u64 cgid, const struct bg_cgroup *cg)
{
	__u32 slot = cg->slot, abi, nr;
	struct bg_policy_slot *pol;
	struct bg_sysent ent;
	__u64 args[6];

	if (id & BG_X32_SYSCALL_BIT) {
		abi = BG_ABI_X32;
		nr = id & ~(long)BG_X32_SYSCALL_BIT;
	} else {
		abi = syscall_abi(task);
		nr = id;
	}

	pol = bpf_map_lookup_elem(&bg_policies, &slot);
	if (!pol)
		return 0; /* slot index out of range: userspace never writes one */
	if (abi == BG_ABI_X32)
		ent = pol->x32;
	else if (nr < BG_MAX_SYSCALLS)
		ent = pol->sys[abi & 1][nr];
	else
		ent = pol->dflt[abi & 1];

	if (ent.effect == BG_EFFECT_NONE && !(ent.flags & BG_SYSENT_ARGRULES))
		return 0; /* allowed: the common case ends here */

	syscall_args(abi, regs, args);
	if (ent.flags & BG_SYSENT_ARGRULES)
		match_argrules(slot, abi, nr, args, &ent);
	if (ent.effect == BG_EFFECT_NONE)
		return 0;

	if ((ent.effect == BG_EFFECT_LSM_DENY || ent.effect == BG_EFFECT_HOOK_DENY) &&
	    !mark_denied(task, abi, nr, ent.err, ent.effect == BG_EFFECT_HOOK_DENY ? BG_MARK_F_HOOK : 0)) {
		/* Cannot mark (out of memory): fail closed. */
		ent.effect = BG_EFFECT_KILL;
		stat_inc(BG_STAT_MARK_FAILED);
	}
	count_exact(cgid, cg->owner, nr, abi, &ent);
	emit(cgid, cg, abi, nr, args, &ent);
	if (ent.effect == BG_EFFECT_KILL)
		bpf_send_signal(SIGKILL);
	return 0;
}

/* A fugitive (see escape.bpf.c) dies at its first syscall: refused before
 * effect where the LSM hooks are loaded, killed on the way out anyway. */
static __noinline int late_kill(struct task_struct *task, long id, __u64 cgid)
{
	struct bg_tag *t = bpf_task_storage_get(&bg_tasktag, task, 0, 0);
	__u32 zero = 0, *gate;

	if (!t || !(t->flags & BG_TAG_F_FUGITIVE))
		t = bpf_task_storage_get(&bg_tasktag, task->group_leader, 0, 0);
	if (!t || !(t->flags & BG_TAG_F_FUGITIVE))
		return 0;
	if (!mark_denied(task, syscall_abi(task), id & ~(long)BG_X32_SYSCALL_BIT, 1 /* EPERM */, 0))
		stat_inc(BG_STAT_MARK_FAILED);
	if (bpf_send_signal(SIGKILL))
		return 1; /* not sent (helper refused here): stay a fugitive, try
			   * again at the next call; this one is LSM-refused */
	t->flags &= ~BG_TAG_F_FUGITIVE;
	gate = bpf_map_lookup_elem(&bg_fugitive_gate, &zero);
	if (gate && *gate)
		__sync_fetch_and_sub(gate, 1);
	report_escape(task, t, cgid, BG_HOOK_ESC_LATE, BG_ESC_WHY_LEFT, BG_ESC_KILL_LATE);
	return 1;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(bg_sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 cgid = task->cgroups->dfl_cgrp->kn->id, tag;
	__u32 h = cgid & (BG_FILTER_SLOTS - 1);
	struct bg_filter_ent *f;
	struct bg_cgroup *cg;

	if (bg_late_kills) {
		__u32 zero = 0, *fug = bpf_map_lookup_elem(&bg_fugitive_gate, &zero);

		if (fug && *fug && late_kill(task, id, cgid))
			return 0;
	}
	f = bpf_map_lookup_elem(&bg_cgfilter, &h);
	if (!f)
		return 0;
	tag = f->tag;
	if (!tag)
		return 0; /* not guarded: the cheapest exit we have */
	if (bg_filter_fast_allows(f, tag, cgid, id, syscall_is_compat(task)))
		return 0; /* guarded, allowed, nothing to record */
	cg = bpf_map_lookup_elem(&bg_cgroups, &cgid);
	if (!cg || (cg->flags & BG_CG_F_SECCOMP))
		return 0; /* filter collision with a guarded id, or a cgroup
			   * whose seccomp filter already judged this call */
	return judge(task, regs, id, cgid, cg);
}

/*
 * A new cgroup inherits the entry of its parent, so "the policy of a cgroup
 * covers its descendants" holds for cgroups created after attach.  Insert
 * first, then set the filter bit: userspace clears filter bits only after
 * re-scanning bg_cgroups, so this order never leaves a guarded id behind a
 * zero bit.  cgroup v1 hierarchies fire this tracepoint too; their ids come
 * from other kernfs roots, so only the default (v2) hierarchy, id 0, counts.
 */
SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(bg_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	struct cgroup *parent;
	struct bg_cgroup *pc, child;
	struct bg_policy_slot *pol;
	struct bg_filter_ent *f;
	__u64 id, pid;
	__u32 h;

	if (BPF_CORE_READ(cgrp, root, hierarchy_id) != 0)
		return 0;
	/* cgroup.self is the first member, so the parent css is the parent cgroup */
	parent = (struct cgroup *)BPF_CORE_READ(cgrp, self.parent);
	if (!parent)
		return 0;
	pid = BPF_CORE_READ(parent, kn, id);
	pc = bpf_map_lookup_elem(&bg_cgroups, &pid);
	if (!pc)
		return 0;
	child = *pc;
	id = BPF_CORE_READ(cgrp, kn, id);
	if (bpf_map_update_elem(&bg_cgroups, &id, &child, BPF_ANY)) {
		/* Full.  The cgroup stays without an entry; escape.bpf.c kills
		 * any task that enters it, so it fails closed.  Counted. */
		stat_inc(BG_STAT_CGROUP_FULL);
		return 0;
	}
	stat_inc(BG_STAT_INHERITED);
	if (child.flags & BG_CG_F_SECCOMP)
		return 0; /* seccomp judges it: no filter bit, sys_enter stays cheap */
	h = id & (BG_FILTER_SLOTS - 1);
	f = bpf_map_lookup_elem(&bg_cgfilter, &h);
	if (!f)
		return 0; /* cannot happen (h is in range) */
	/* A free slot becomes the child's fast slot; a used one is shared:
	 * the exact path for everyone who hashes here. */
	if (!BG_FILTER_TAGGABLE(id) || __sync_val_compare_and_swap(&f->tag, 0, BG_FILTER_BUSY) != 0) {
		__sync_lock_test_and_set(&f->tag, BG_FILTER_EXACT);
		return 0;
	}
	pol = bpf_map_lookup_elem(&bg_policies, &child.slot);
	if (!pol) {
		__sync_lock_test_and_set(&f->tag, BG_FILTER_EXACT);
		return 0;
	}
	for (int w = 0; w < BG_MAX_SYSCALLS / 64; w++)
		f->allow[w] = bg_filter_allow_word(pol->sys[BG_ABI_X86_64], w);
	/* Someone may have made it EXACT meanwhile: then it stays so. */
	__sync_val_compare_and_swap(&f->tag, BG_FILTER_BUSY, BG_FILTER_TAG(id));
	return 0;
}

/* cgroup ids are never reused, so a stale entry is only wasted space; drop
 * it to keep bg_cgroups from filling up under cgroup churn. */
SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(bg_cgroup_rmdir, struct cgroup *cgrp, const char *path)
{
	struct bg_filter_ent *f;
	__u64 id;
	__u32 h;

	if (BPF_CORE_READ(cgrp, root, hierarchy_id) != 0)
		return 0;
	id = BPF_CORE_READ(cgrp, kn, id);
	bpf_map_delete_elem(&bg_cgroups, &id);
	bpf_map_delete_elem(&bg_rate, &id);
	/* Its fast slot is free again.  Only a tag naming it: a slot that
	 * is EXACT may serve another guarded id, and that stays until the
	 * next rebuild (struct bg_filter_ent). */
	h = id & (BG_FILTER_SLOTS - 1);
	f = bpf_map_lookup_elem(&bg_cgfilter, &h);
	if (f && BG_FILTER_TAGGABLE(id))
		__sync_val_compare_and_swap(&f->tag, BG_FILTER_TAG(id), 0);
	return 0;
}

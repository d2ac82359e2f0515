// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bench.bpf.c - reference programs for the syscall benchmark
 * (tests/bench/syscall_bench.c, scripts/bench).  Not part of bpfguard.
 *
 *   bench_empty_btf   empty tp_btf/sys_enter: the same attach type as
 *                     guard's bg_sys_enter, so "empty program" is the floor
 *                     guard's cost is compared against;
 *   bench_empty_raw   empty raw_tp/sys_enter, for reference;
 *   bench_cgid        the first step of guard's fast path alone: the cgroup
 *                     id read through BTF and a compare;
 *   bench_filter      the first two steps: id read + bg_cgfilter-style
 *                     array slot lookup (inlined by the verifier);
 *   bench_cache       a candidate fast path for guarded-and-allowed calls:
 *                     the filter slot holds the exact cgroup id and policy
 *                     slot (a direct-mapped cache of bg_cgroups), so an
 *                     allowed call needs two inlined array lookups and no
 *                     hash lookup.  It judges like guard's judge() up to the
 *                     "allowed" exit and does nothing else.
 *   bench_bitmap      a further candidate: the cache slot also carries a
 *                     512-bit "allowed, nothing to record" bitmap of the
 *                     native table, so a guarded, allowed x86_64 call
 *                     touches no memory beyond what an unguarded one does.
 *
 * The last four let kernel BPF statistics attribute guard's cost to the
 * steps of its fast path and price the alternative.  The driver attaches whichever programs a
 * measurement needs and detaches them afterwards.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpfguard.h"

/* Empty programs ignore their arguments, and BPF_PROG's wrapper leaves ctx
 * unused in all of them: keep -Wextra quiet about that only. */
#pragma clang diagnostic ignored "-Wunused-parameter"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the driver before load; a cgroup id nobody has, so the compare
 * cannot be folded away and the "hit" branch is never taken. */
const volatile __u64 bench_cgid_match = 0;

/* Written only on a (never expected) match so the loads stay live. */
__u64 bench_hits = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BG_FILTER_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} bench_filter_map SEC(".maps");

SEC("tp_btf/sys_enter")
int BPF_PROG(bench_empty_btf, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("raw_tp/sys_enter")
int bench_empty_raw(void *ctx)
{
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(bench_cgid, struct pt_regs *regs, long id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 cgid = task->cgroups->dfl_cgrp->kn->id;

	if (cgid == bench_cgid_match)
		bench_hits++;
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(bench_filter, struct pt_regs *regs, long id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 cgid = task->cgroups->dfl_cgrp->kn->id;
	__u32 h = cgid & (BG_FILTER_SLOTS - 1);
	__u32 *maybe;

	maybe = bpf_map_lookup_elem(&bench_filter_map, &h);
	if (!maybe || !*maybe)
		return 0;
	bench_hits++;
	return 0;
}

/* bench_cache: one entry per filter slot; cgid 0 = empty. */
struct bench_cache_ent {
	__u64 cgid;
	__u32 slot;
	__u32 flags;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BG_FILTER_SLOTS);
	__type(key, __u32);
	__type(value, struct bench_cache_ent);
} bench_cache_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BG_MAX_POLICIES);
	__type(key, __u32);
	__type(value, struct bg_policy_slot);
} bench_policies SEC(".maps");

#define TS_COMPAT 0x0002

SEC("tp_btf/sys_enter")
int BPF_PROG(bench_cache, struct pt_regs *regs, long id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 cgid = task->cgroups->dfl_cgrp->kn->id;
	__u32 h = cgid & (BG_FILTER_SLOTS - 1), slot, abi, nr;
	struct bench_cache_ent *c;
	struct bg_policy_slot *pol;
	struct bg_sysent ent;

	c = bpf_map_lookup_elem(&bench_cache_map, &h);
	if (!c || c->cgid != cgid)
		return 0; /* guard would go to its hash here if the slot is shared */
	slot = c->slot;
	if (id & BG_X32_SYSCALL_BIT) {
		abi = BG_ABI_X32;
		nr = id & ~(long)BG_X32_SYSCALL_BIT;
	} else {
		abi = (task->thread_info.status & TS_COMPAT) ? BG_ABI_IA32 : BG_ABI_X86_64;
		nr = id;
	}
	pol = bpf_map_lookup_elem(&bench_policies, &slot);
	if (!pol)
		return 0;
	if (abi == BG_ABI_X32)
		ent = pol->x32;
	else if (nr < BG_MAX_SYSCALLS)
		/* clang 14 tests nr with a mask on a copy, which the verifier
		 * cannot use as a bound; the redundant AND restores one. */
		ent = pol->sys[abi & 1][nr & (BG_MAX_SYSCALLS - 1)];
	else
		ent = pol->dflt[abi & 1];
	if (ent.effect == BG_EFFECT_NONE && !(ent.flags & BG_SYSENT_ARGRULES))
		return 0;
	bench_hits++; /* guard would judge further */
	return 0;
}

/* bench_bitmap: cache entry with the native table's allow bits inline. */
struct bench_bitmap_ent {
	__u64 cgid;
	__u32 slot;
	__u32 flags;
	__u64 allow[BG_MAX_SYSCALLS / 64]; /* bit set: x86_64 nr allowed, no record */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BG_FILTER_SLOTS);
	__type(key, __u32);
	__type(value, struct bench_bitmap_ent);
} bench_bitmap_map SEC(".maps");

SEC("tp_btf/sys_enter")
int BPF_PROG(bench_bitmap, struct pt_regs *regs, long id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 cgid = task->cgroups->dfl_cgrp->kn->id;
	__u32 h = cgid & (BG_FILTER_SLOTS - 1);
	struct bench_bitmap_ent *c;

	c = bpf_map_lookup_elem(&bench_bitmap_map, &h);
	if (!c || c->cgid != cgid)
		return 0;
	if ((unsigned long)id < BG_MAX_SYSCALLS && !(task->thread_info.status & TS_COMPAT) &&
	    (c->allow[(id >> 6) & 7] >> (id & 63)) & 1)
		return 0; /* the common guarded case ends here */
	bench_hits++; /* guard would go on with the policy slot */
	return 0;
}

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
 *                     array slot lookup (inlined by the verifier).
 *
 * The last two let kernel BPF statistics attribute guard's cost to the
 * steps of its fast path.  The driver attaches whichever programs a
 * measurement needs and detaches them afterwards.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpfguard.h"

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

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * shared_maps.bpf.h - maps shared by guard.bpf.c (which marks a task whose
 * current syscall is denied) and lsm.bpf.c (whose hooks refuse while the
 * mark is set, and whose sys_exit program clears it).  Both objects define
 * them from this one header; the loader pins them once and the second
 * object reuses the pins, so the two programs families see the same maps.
 */
#ifndef BG_SHARED_MAPS_BPF_H
#define BG_SHARED_MAPS_BPF_H

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct bg_mark);
} bg_taskmark SEC(".maps");

/* Number of tasks currently marked.  An array slot the verifier inlines:
 * while it reads zero (almost always) the LSM hooks and sys_exit return at
 * once, so unmarked tasks pay one load per hook. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} bg_lsm_gate SEC(".maps");

/* Per-CPU statistics (enum bg_stat), written by both families. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BG_STAT__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} bg_stats SEC(".maps");

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&bg_stats, &idx);

	if (v)
		*v += 1; /* per-CPU slot: no atomics needed */
}

#endif

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * shared_maps.bpf.h - maps shared by guard.bpf.c (which marks a task whose
 * current syscall is denied) and lsm.bpf.c (whose hooks refuse while the
 * mark is set, and whose sys_exit program clears it), and by
 * cgroup_hooks.bpf.c (which finds a caller's policy through bg_cgroups and
 * reports denials through bg_events like guard does), and by record.bpf.c
 * (which turns seccomp decisions of bpfguard run into the same counters and
 * events).  Every object defines
 * them from this one header; the loader pins them once and the other
 * objects reuse the pins, so all program families see the same maps.
 */
#ifndef BG_SHARED_MAPS_BPF_H
#define BG_SHARED_MAPS_BPF_H

/*
 * Hash maps are BPF_F_NO_PREALLOC everywhere: a preallocated hash fills
 * every element's per-CPU free list at creation, which made creating
 * bpfguard's maps the largest part of `bpfguard run`'s start-up (tens of
 * ms); lookups cost the same either way, and the kernels bpfguard runs on
 * (6.1 and later, bpf_mem_alloc) allow inserts from our program types.
 */

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct bg_mark);
} bg_taskmark SEC(".maps");

/* Escape guard tags (struct bg_tag, escape.bpf.c).  Task storage dies with
 * the task and survives exec, which is what a guard that follows the task
 * needs. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct bg_tag);
} bg_tasktag SEC(".maps");

/* Tasks marked BG_TAG_F_FUGITIVE and not yet killed (kernels without
 * bpf_send_signal_task).  Read by guard's sys_enter only on those kernels. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} bg_fugitive_gate SEC(".maps");

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

/*
 * Exact counter: add one to the __u64 under `key` in a HASH map, creating
 * it at 1.  BPF_NOEXIST so a racing CPU's first insert is never
 * overwritten; if it lost the race, add to the winner's slot.  A full map
 * is counted in BG_STAT_COUNTER_FULL rather than dropped silently.
 */
static __always_inline void counter_inc(void *map, const void *key)
{
	__u64 one = 1, *cnt = bpf_map_lookup_elem(map, key);

	if (cnt) {
		__sync_fetch_and_add(cnt, 1);
		return;
	}
	if (bpf_map_update_elem(map, key, &one, BPF_NOEXIST) == 0)
		return;
	cnt = bpf_map_lookup_elem(map, key);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	else
		stat_inc(BG_STAT_COUNTER_FULL);
}

/* Exact decision counters (guard's sys_enter judge and record.bpf.c's
 * seccomp records); status sums them per attachment. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, struct bg_counter_key);
	__type(value, __u64);
} bg_counters SEC(".maps");

/* Exact denial counters of the cgroup hooks and the exec allowlist. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, struct bg_hook_counter_key);
	__type(value, __u64);
} bg_hook_counters SEC(".maps");

/* cgroup id -> policy slot and owner (the nearest attached ancestor).
 * Written by userspace and by guard's cgroup_mkdir inheritance. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, BG_MAX_CGROUPS);
	__type(key, __u64);
	__type(value, struct bg_cgroup);
} bg_cgroups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, BG_MAX_CGROUPS);
	__type(key, __u64);
	__type(value, struct bg_rate);
} bg_rate SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} bg_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bg_config);
} bg_config SEC(".maps");

/* rate_admit(), the limiter over bg_rate and bg_config, is in events.bpf.h
 * with the rest of event emission. */

#endif

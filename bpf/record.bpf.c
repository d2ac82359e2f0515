// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * record.bpf.c - seccomp decisions into bpfguard's counters and events.
 *
 * `bpfguard run` denies with a seccomp filter, and the kernel runs seccomp
 * before the sys_enter tracepoint: a call seccomp fails or kills never
 * reaches guard.bpf.c.  The kernel does write an audit record for each such
 * decision (SECCOMP_FILTER_FLAG_LOG), which bpfguard run reads.  This
 * program is how those decisions join everything else: userspace runs it
 * once per record with BPF_PROG_TEST_RUN, its input a struct bg_record_in,
 * and it counts the decision in bg_counters and emits the bg_events record
 * exactly as the sys_enter judge would (same rate limit, same loss
 * accounting), so `bpfguard events` and `bpfguard status` need no second
 * source.  Never attached anywhere: nothing in the kernel calls it.
 *
 * Why a program and not a userspace write: a ring buffer has one producer
 * side and it is BPF's.  A test run costs a few microseconds per record;
 * denials are rare next to syscalls.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpfguard.h"
#include "shared_maps.bpf.h"
#include "events.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("raw_tp")
int bg_record(__u64 *ctx)
{
	union {
		struct bg_record_in in;
		__u64 w[sizeof(struct bg_record_in) / 8];
	} u;
	struct bg_record_in in;
	struct bg_counter_key key = {};
	struct bg_event *e;

	/* The context is the caller's buffer (a copy the kernel made), read
	 * in the 8-byte words a raw_tp context allows.  A plain __u64 array,
	 * not struct bpf_raw_tracepoint_args: no CO-RE relocation, so loading
	 * this object never parses the kernel's BTF. */
	for (int i = 0; i < (int)(sizeof(u.w) / 8); i++)
		u.w[i] = ctx[i];
	in = u.in;
	key.cgid = in.cgid;
	key.owner = in.owner;
	key.nr = in.nr;
	key.abi = in.abi;
	key.verdict = in.verdict;
	key.effect = in.effect;
	counter_inc(&bg_counters, &key);

	e = event_reserve(in.cgid, in.owner, in.ts_ns, sizeof(*e));
	if (!e)
		return 0;
	/* The task fields come from the audit record: the subject is not
	 * the task running this program. */
	e->pid = in.pid;
	e->tid = in.tid;
	e->uid = in.uid;
	__builtin_memcpy(e->comm, in.comm, sizeof(e->comm));
	event_decision(e, BG_EVENT_SYSCALL, in.nr, in.verdict, in.effect, in.mech, in.err);
	e->abi = in.abi;
	e->flags = BG_EVF_NO_ARGS;
	event_submit(e);
	return 0;
}

/*
 * The fanotify exec gate's refusals (user/core/exec_gate.c): counted in
 * bg_hook_counters and reported as BG_EVENT_EXEC records, the same shape
 * exec.bpf.c gives its own.  A syscall program: its context is the
 * caller's whole struct (path included), which a raw_tp test run (12
 * words) cannot carry.  Loaded only by the gate (Linux 5.14+).
 */
SEC("syscall")
int bg_record_exec(struct bg_exec_record_in *in)
{
	struct bg_hook_counter_key key = {
		.cgid = in->cgid, .owner = in->owner, .hook = BG_HOOK_FAN_EXEC, .effect = BG_EFFECT_HOOK_DENY,
	};
	struct bg_exec_event *x;

	counter_inc(&bg_hook_counters, &key);
	x = (struct bg_exec_event *)event_reserve(in->cgid, in->owner, in->ts_ns, sizeof(*x));
	if (!x)
		return 0;
	x->e.exec = in->id;
	x->e.pid = in->pid;
	x->e.tid = in->tid;
	x->e.uid = in->uid;
	__builtin_memcpy(x->e.comm, in->comm, sizeof(x->e.comm));
	__builtin_memcpy(x->path, in->path, sizeof(x->path));
	x->path[sizeof(x->path) - 1] = 0;
	event_decision(&x->e, BG_EVENT_EXEC, BG_HOOK_FAN_EXEC, BG_VERDICT_ERRNO, BG_EFFECT_HOOK_DENY,
		       BG_MECH_FANOTIFY, 1 /* EPERM */);
	event_submit(x);
	return 0;
}

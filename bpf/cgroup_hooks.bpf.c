// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cgroup_hooks.bpf.c - network, device and sysctl policy with cgroup-BPF
 * hooks.  Unlike sys_enter, these hooks are asked *before* the operation
 * and can refuse it: returning 0 makes socket(), connect(), bind(),
 * sendmsg(), open()/mknod() of a device node, or a /proc/sys access fail
 * with EPERM, with no effect.  They work where BPF LSM does not load.
 *
 * Finding the policy: the same way guard.bpf.c does.  The caller's cgroup
 * id leads to its bg_cgroups entry (the nearest attached ancestor, kept up
 * to date by userspace and by guard's cgroup_mkdir inheritance), whose
 * slot indexes bg_netpol.  No entry, or a slot without the section: allow.
 *
 * One instance per attached cgroup.  Userspace loads this object once per
 * attachment with bg_attached_cgid set to the attached cgroup and links
 * the programs there.  cgroup links are always BPF_F_ALLOW_MULTI, so a
 * task below two attachments runs the instance of each; only the instance
 * whose cgroup owns the task's entry judges, the others return at once.
 * That makes "nearest attached ancestor wins" hold exactly, and every
 * denial is counted and reported once.
 *
 * Whose cgroup: the calling task's.  (The kernel runs socket programs for
 * the cgroup the socket was created in; a socket created in a guarded
 * cgroup and handed to an outside task is judged by that task's policy,
 * i.e. not at all.)
 *
 * Syscall rules served here (BG_HP_MARK_*): a rule such as
 * `socket if arg0 == AF_INET errno(EACCES)` is judged by guard.bpf.c at
 * sys_enter, from the raw registers, exactly as the policy says; it marks
 * the task (bg_taskmark, BG_MARK_F_HOOK) and the hook the call is certain
 * to reach before any effect refuses it with the mark's errno.  The hook
 * only executes the decision, so what it cannot see (SOCK_CLOEXEC in the
 * type register, the 64-bit argument) cannot make it approximate.  The
 * planner (user/core/mechanism.c) uses this only where every call the
 * rule denies reaches the hook; sys_exit kills a task whose marked call
 * succeeded anyway (lsm.bpf.c).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "bpfguard.h"
#include "shared_maps.bpf.h"
#include "events.bpf.h"

#define BG_HM_INLINE static __always_inline
#include "hook_match.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define AF_INET 2
#define AF_INET6 10
#define EPERM 1
#define PAGE_SIZE_MIN 4096

/* The attached cgroup this instance serves; set by the loader. */
const volatile __u64 bg_attached_cgid = 0;
/* Set by the loader from `probe`.  Where false, the code behind them is
 * never explored by the verifier, so this object still loads on kernels
 * that lack the helpers: bpf_set_retval (5.18+: a denial fails with the
 * policy's errno, else EPERM, and the planner serves only EPERM rules
 * here) and task storage from cgroup programs (the syscall-rule marks). */
const volatile bool bg_has_set_retval = false;
const volatile bool bg_has_marks = false;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BG_MAX_POLICIES);
	__type(key, __u32);
	__type(value, struct bg_netpol);
} bg_netpol SEC(".maps");


struct judge {
	__u64 cgid;
	__u64 owner;
	const struct bg_netpol *pol;
};

/* The caller's policy if this instance judges it and the slot has
 * `section`; NULL means allow. */
static __always_inline bool policy_for(__u32 section, struct judge *j)
{
	struct bg_cgroup *cg;
	__u32 slot;

	j->cgid = bpf_get_current_cgroup_id();
	cg = bpf_map_lookup_elem(&bg_cgroups, &j->cgid);
	if (!cg || cg->owner != bg_attached_cgid)
		return false; /* not guarded, or another instance's attachment */
	slot = cg->slot;
	j->owner = cg->owner;
	j->pol = bpf_map_lookup_elem(&bg_netpol, &slot);
	return j->pol && (j->pol->flags & section);
}

/* A refusal with `err` (0 = EPERM): what the program returns, 0. */
static __always_inline int deny_errno(__u32 err)
{
	if (bg_has_set_retval && err && err != EPERM && err < 4096)
		bpf_set_retval(-(int)err);
	return 0;
}

/* The errno to refuse this call with if guard.bpf.c marked it for a cgroup
 * hook (syscall `nr`, x86_64), else 0.  The gate keeps the common case to
 * one array lookup. */
static __always_inline __u32 marked_errno(__u32 nr)
{
	__u32 zero = 0, *gate;
	struct bg_mark *m;

	if (!bg_has_marks)
		return 0;
	gate = bpf_map_lookup_elem(&bg_lsm_gate, &zero);
	if (!gate || !*gate)
		return 0;
	m = bpf_task_storage_get(&bg_taskmark, bpf_get_current_task_btf(), 0, 0);
	if (!m || !m->active || !(m->flags & BG_MARK_F_HOOK) || m->nr != nr || m->abi != BG_ABI_X86_64)
		return 0;
	m->hooks_denied++;
	return m->ret < 0 && m->ret > -4096 ? (__u32)-m->ret : EPERM;
}

static __always_inline void count_hook(const struct judge *j, __u32 hook, __u8 effect)
{
	struct bg_hook_counter_key key = {
		.cgid = j->cgid, .owner = j->owner, .hook = hook, .effect = effect,
	};

	counter_inc(&bg_hook_counters, &key);
}

/*
 * A denial: count it exactly, then (rate limit and ring permitting) start
 * an event the caller fills with what the hook saw.  *verdict is what the
 * program returns: 0 (EPERM) when enforcing, 1 in audit mode.
 */
static __always_inline struct bg_event *refuse(const struct judge *j, __u32 type, __u32 hook,
					       __u32 err, int *verdict)
{
	bool audit = j->pol->flags & BG_HP_AUDIT;
	__u8 effect = audit ? BG_EFFECT_RECORD : BG_EFFECT_HOOK_DENY;
	struct bg_event *e;

	if (!err || (!bg_has_set_retval && err != EPERM))
		err = EPERM; /* the planner never asks for another errno there */
	*verdict = audit ? 1 : deny_errno(err);
	count_hook(j, hook, effect);
	e = event_reserve(j->cgid, j->owner, bpf_ktime_get_boot_ns(), sizeof(*e));
	if (!e)
		return NULL;
	event_task_current(e);
	event_decision(e, type, hook, BG_VERDICT_ERRNO, effect,
		       audit ? BG_MECH_AUDIT : BG_MECH_CGROUP_HOOK, err);
	return e;
}

static __always_inline int refuse_net(const struct judge *j, __u32 hook, const struct bg_net_info *ni,
				      __u32 err)
{
	int verdict;
	struct bg_event *e = refuse(j, BG_EVENT_NET, hook, err, &verdict);

	if (e) {
		e->net = *ni;
		event_submit(e);
	}
	return verdict;
}

/* socket(AF_INET*, type, proto).  The kernel runs this hook only for
 * inet and inet6 sockets created by user space. */
SEC("cgroup/sock_create")
int bg_sock_create(struct bpf_sock *sk)
{
	struct bg_net_info ni = {};
	struct judge j;
	__u32 err = marked_errno(BG_X86_64_NR_SOCKET);

	if (err)
		return deny_errno(err); /* a syscall rule; sys_enter counted it */
	if (!policy_for(BG_HP_NET, &j))
		return 1;
	ni.family = sk->family;
	ni.type = sk->type;
	ni.protocol = sk->protocol;
	if (bg_hm_socket(j.pol, ni.family, ni.type) == BG_NET_ALLOW)
		return 1;
	return refuse_net(&j, BG_HOOK_SOCK_CREATE, &ni, EPERM);
}

/* connect/bind/sendmsg with an address (mapped IPv4 on an IPv6 socket is
 * judged as IPv4, see bg_hm_unmap). */
static __always_inline int judge_addr(struct bpf_sock_addr *ctx, __u32 dir, __u32 hook, bool v6)
{
	struct bg_net_info ni = {};
	__u32 fam = 4, err = EPERM;
	struct judge j;

	if (!policy_for(BG_HP_NET, &j))
		return 1;
	if (v6) {
		ni.addr[0] = ctx->user_ip6[0];
		ni.addr[1] = ctx->user_ip6[1];
		ni.addr[2] = ctx->user_ip6[2];
		ni.addr[3] = ctx->user_ip6[3];
		fam = bg_hm_unmap(ni.addr);
	} else {
		ni.addr[0] = ctx->user_ip4;
	}
	ni.family = fam == 6 ? AF_INET6 : AF_INET;
	ni.type = ctx->type;
	ni.protocol = ctx->protocol;
	ni.port = bpf_ntohs((__u16)ctx->user_port);
	if (dir >= BG_NET_NDIRS ||
	    bg_hm_net(&j.pol->dir[dir], fam, ni.addr, ni.port, ni.protocol, &err) == BG_NET_ALLOW)
		return 1;
	return refuse_net(&j, hook, &ni, err);
}

SEC("cgroup/connect4")
int bg_connect4(struct bpf_sock_addr *ctx)
{
	return judge_addr(ctx, BG_NET_CONNECT, BG_HOOK_CONNECT4, false);
}

SEC("cgroup/connect6")
int bg_connect6(struct bpf_sock_addr *ctx)
{
	return judge_addr(ctx, BG_NET_CONNECT, BG_HOOK_CONNECT6, true);
}

SEC("cgroup/bind4")
int bg_bind4(struct bpf_sock_addr *ctx)
{
	return judge_addr(ctx, BG_NET_BIND, BG_HOOK_BIND4, false);
}

SEC("cgroup/bind6")
int bg_bind6(struct bpf_sock_addr *ctx)
{
	return judge_addr(ctx, BG_NET_BIND, BG_HOOK_BIND6, true);
}

/* Only unconnected UDP sends with a destination address reach
 * these; a connected socket was judged at connect(). */
SEC("cgroup/sendmsg4")
int bg_sendmsg4(struct bpf_sock_addr *ctx)
{
	return judge_addr(ctx, BG_NET_SENDMSG, BG_HOOK_SENDMSG4, false);
}

SEC("cgroup/sendmsg6")
int bg_sendmsg6(struct bpf_sock_addr *ctx)
{
	return judge_addr(ctx, BG_NET_SENDMSG, BG_HOOK_SENDMSG6, true);
}

/* setsockopt(): only syscall rules (marked at sys_enter).  The kernel runs
 * this before the protocol sees the option, for every socket family, for
 * 64-bit callers (compat calls skip it: the planner serves x86_64 only). */
SEC("cgroup/setsockopt")
int bg_setsockopt(struct bpf_sockopt *ctx)
{
	__u32 err = marked_errno(BG_X86_64_NR_SETSOCKOPT);

	/* Kernels before 6.5 fail a setsockopt whose value exceeds a page
	 * unless the program declares it leaves the buffer alone. */
	if (ctx->optlen > PAGE_SIZE_MIN)
		ctx->optlen = 0;
	if (!err)
		return 1;
	return deny_errno(err);
}

/* open() and mknod() of device nodes: an allow list. */
SEC("cgroup/dev")
int bg_dev(struct bpf_cgroup_dev_ctx *ctx)
{
	struct bg_dev_info di;
	struct bg_event *e;
	struct judge j;
	int verdict;

	if (!policy_for(BG_HP_DEV, &j))
		return 1;
	di.type = ctx->access_type & 0xffff;
	di.access = ctx->access_type >> 16;
	di.major = ctx->major;
	di.minor = ctx->minor;
	if (bg_hm_dev(j.pol, di.type, di.major, di.minor, di.access) == BG_NET_ALLOW)
		return 1;
	e = refuse(&j, BG_EVENT_DEV, BG_HOOK_DEV, EPERM, &verdict);
	if (e) {
		e->dev = di;
		event_submit(e);
	}
	return verdict;
}

/* Reads and writes under /proc/sys. */
SEC("cgroup/sysctl")
int bg_sysctl(struct bpf_sysctl *ctx)
{
	struct bg_event *e;
	struct judge j;
	__u32 write;
	int verdict;

	if (!policy_for(BG_HP_SYSCTL, &j))
		return 1;
	write = ctx->write;
	if (!(j.pol->sysctl & (write ? BG_SYSCTL_DENY_WRITE : BG_SYSCTL_DENY_READ)))
		return 1;
	e = refuse(&j, BG_EVENT_SYSCTL, BG_HOOK_SYSCTL, EPERM, &verdict);
	if (e) {
		e->sysctl.write = write;
		/* full name relative to /proc/sys; cut (still terminated) if long */
		bpf_sysctl_get_name(ctx, e->sysctl.name, sizeof(e->sysctl.name), 0);
		event_submit(e);
	}
	return verdict;
}

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * bpfguard.h - the kernel/user contract.
 *
 * Everything both sides must agree on lives here and only here: map keys
 * and values, the event record, verdict/effect/ABI/operator codes and the
 * pin layout.  The BPF side includes it after vmlinux.h, the user side after
 * <linux/types.h>.  Changing any struct below changes the pinned-map layout:
 * bump BG_LAYOUT_VERSION so a running system tells the user to
 * `bpfguard reset` instead of misreading old maps.
 */
#ifndef BPFGUARD_H
#define BPFGUARD_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define BG_LAYOUT_VERSION 9

/*
 * No struct below may have implicit padding (a hole, or a tail to its
 * alignment): every byte is a named member, pads included, so the layout
 * reads off the text, both compilers agree on it by construction, and a
 * record cleared and filled by a program has no byte nobody wrote.
 * -Wpadded makes an implicit pad a compile error here, in both compilers.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic error "-Wpadded"

/* Syscall numbers below this are judged by table; the rest by the default.
 * x86_64 and i386 both end below 470 on 6.18. */
#define BG_MAX_SYSCALLS 512
#define BG_MAX_POLICIES 64   /* distinct compiled policies (identical ones share a slot) */
#define BG_MAX_CGROUPS 16384 /* guarded cgroups, descendants included */
#define BG_MAX_ATTACHMENTS BG_MAX_CGROUPS /* attached cgroups (bg_attachments records) */
#define BG_MAX_ARGRULES 8    /* conditional rules per (policy, abi, syscall) */
#define BG_MAX_CONDS 6       /* conditions per rule, ANDed (any registers, repeats allowed) */
#define BG_FILTER_SLOTS 32768 /* sys_enter filter slots, power of two (struct bg_filter_ent) */
#define BG_NAME_MAX 64
#define BG_PATH_MAX 256
#define BG_COMM_LEN 16
#define BG_NR_ARGS 6         /* register arguments of a syscall */
/* x86_64 numbers the cgroup hooks serve syscall rules for (BG_HP_MARK_*);
 * user/core/cghooks.c asserts them against <sys/syscall.h>. */
#define BG_X86_64_NR_SOCKET 41
#define BG_X86_64_NR_SETSOCKOPT 54

/* ABIs a syscall can arrive through.  Tables exist for the first two. */
enum bg_abi {
	BG_ABI_X86_64 = 0,
	BG_ABI_IA32 = 1, /* int $0x80 / compat task: numbers from the i386 table */
	BG_ABI_X32 = 2,  /* bit 30 set in the number: always denied */
};
#define BG_NR_TABLES 2
#define BG_X32_SYSCALL_BIT 0x40000000

/* What the policy says about a call. */
enum bg_verdict {
	BG_VERDICT_ALLOW = 0,
	BG_VERDICT_LOG = 1,   /* allow, and record it */
	BG_VERDICT_ERRNO = 2, /* fail with errno (needs a deny-before-effect mechanism) */
	BG_VERDICT_KILL = 3,  /* SIGKILL the process */
};

/* What the kernel program actually does about it.  Userspace (the
 * mechanism planner) turns verdict + mode + kernel capabilities into an
 * effect when it compiles a policy; the BPF program only executes it. */
enum bg_effect {
	BG_EFFECT_NONE = 0,     /* allowed, nothing recorded */
	BG_EFFECT_RECORD = 1,   /* count + event, the call proceeds (log, audit) */
	BG_EFFECT_KILL = 2,     /* count + event + SIGKILL from the kernel */
	BG_EFFECT_LSM_DENY = 3, /* count + event + mark task so LSM hooks return -errno */
	BG_EFFECT_HOOK_DENY = 4,/* (hook events) a cgroup hook failed the call with EPERM */
	BG_EFFECT_SECCOMP_DENY = 5, /* (recorded events) seccomp failed the call with -err before it ran */
};

/* seccomp-style comparison of a register argument. */
enum bg_op {
	BG_OP_EQ = 0,
	BG_OP_NE,
	BG_OP_LT,
	BG_OP_LE,
	BG_OP_GT,
	BG_OP_GE,
	BG_OP_MASKED_EQ, /* (arg & mask) == val */
	BG_OP__COUNT,
};

/* One compiled decision: what the policy says and what the kernel does. */
struct bg_sysent {
	__u8 verdict; /* enum bg_verdict */
	__u8 effect;  /* enum bg_effect */
	__u8 flags;   /* BG_SYSENT_* */
	__u8 mech;    /* enum bg_mech that enforces it (reporting only) */
	__u16 err;    /* errno for BG_VERDICT_ERRNO */
	__u16 pad;
};
#define BG_SYSENT_ARGRULES 0x1 /* consult bg_argrules first */

/* The answer the fast path may give on its own: allowed, nothing to
 * record, no argument rule to consult (bg_filter_ent). */
#define bg_sysent_fast(e) ((e)->effect == BG_EFFECT_NONE && !((e)->flags & BG_SYSENT_ARGRULES))

/* Value of the bg_policies array: one compiled policy per slot. */
struct bg_policy_slot {
	struct bg_sysent sys[BG_NR_TABLES][BG_MAX_SYSCALLS];
	struct bg_sysent dflt[BG_NR_TABLES]; /* numbers >= BG_MAX_SYSCALLS */
	struct bg_sysent x32;
	__u32 generation; /* bumped on every (re)compile, for debugging */
	__u32 flags;
};

struct bg_argcond {
	__u8 arg; /* 0..5 */
	__u8 op;  /* enum bg_op */
	__u16 pad0;
	__u32 pad1;
	__u64 val;
	__u64 mask; /* BG_OP_MASKED_EQ only */
};

struct bg_argrule {
	struct bg_sysent act;
	__u32 ncond;
	__u32 pad;
	struct bg_argcond cond[BG_MAX_CONDS];
};

struct bg_argrules_key {
	__u32 slot;
	__u16 abi;
	__u16 nr;
};

/* First matching rule wins; no match falls back to the slot's sysent. */
struct bg_argrules {
	__u32 nrules;
	__u32 pad;
	struct bg_argrule rule[BG_MAX_ARGRULES];
};

/*
 * Value of bg_cgfilter, the array sys_enter reads first, indexed by the
 * low bits of the caller's cgroup id (BG_FILTER_SLOTS).  `tag` says:
 *   0                   no guarded cgroup id hashes here: the caller is
 *                       not guarded (the one load an unguarded call pays);
 *   BG_FILTER_TAG(id)   exactly one guarded id hashes here, and `allow`
 *                       holds its policy's answer for every x86_64 number:
 *                       bit nr set = allowed with nothing to record and no
 *                       argument rule (bg_sysent_fast).  A call of that
 *                       cgroup whose bit is set ends here, touching
 *                       nothing an unguarded call does not;
 *   BG_FILTER_EXACT     some guarded id hashes here (a collision, an id
 *                       too large to tag, or a cgroup made since the last
 *                       rebuild): take the exact path (bg_cgroups, then
 *                       the policy slot);
 *   BG_FILTER_BUSY      a writer is filling `allow`: the exact path.
 * Writers (userspace through an mmap of the array, and cgroup_mkdir) take
 * a slot with compare-and-swap to BUSY, fill `allow`, then swap BUSY for
 * the tag; anyone may swap any value for EXACT at any time, which a
 * pending writer's final swap then sees and leaves alone.  A tag only ever
 * serves the cgroup it names, so a collision or a lost race costs speed,
 * never a wrong answer.  The tag is one aligned 8-byte word: never torn.
 * cgroup_rmdir frees a slot whose tag names the removed cgroup (no other
 * guarded id can hash there: its mkdir would have made the slot EXACT; a
 * rebuild re-checks the ones it did not see).
 */
struct bg_filter_ent {
	__u64 tag;
	__u64 allow[BG_MAX_SYSCALLS / 64];
};
#define BG_FILTER_EXACT 2ULL
#define BG_FILTER_BUSY 4ULL
#define BG_FILTER_TAG(id) (((__u64)(id) << 1) | 1)
#define BG_FILTER_TAGGABLE(id) ((__u64)(id) < (1ULL << 62))

/* The fast path's whole question (guard.bpf.c; tests/unit/test_compile_bpf.c
 * checks it against the reference evaluator): does the slot whose tag the
 * caller read (once: tag) answer call id of a task of cgroup cgid as
 * allowed, with nothing else to do?  Only the tag's own cgroup, only
 * x86_64 numbers of the table (compat: the task made an ia32 call; the x32
 * bit and negative numbers are out of range).  compat is asked for only
 * when the tag matches: it is one more load. */
#define bg_filter_fast_allows(f, tag, cgid, id, compat)                                          \
	((tag) == BG_FILTER_TAG(cgid) && (unsigned long)(id) < BG_MAX_SYSCALLS && !(compat) &&    \
	 (((f)->allow[((unsigned long)(id) >> 6) & (BG_MAX_SYSCALLS / 64 - 1)] >> ((id) & 63)) & 1))

/* Word w of a policy slot's fast-path bitmap: bit b set when x86_64 call
 * w * 64 + b is bg_sysent_fast.  One definition for cgroup_mkdir (the
 * kernel fills a new child's slot) and userspace (filter.c). */
static inline __u64 bg_filter_allow_word(const struct bg_sysent *table, int w)
{
	__u64 bits = 0;

	for (int b = 0; b < 64; b++)
		if (bg_sysent_fast(&table[(w * 64 + b) & (BG_MAX_SYSCALLS - 1)]))
			bits |= 1ULL << b;
	return bits;
}

/* Value of bg_cgroups, keyed by cgroup v2 id (the directory's inode). */
struct bg_cgroup {
	__u32 slot;   /* bg_policies index */
	__u32 flags;  /* BG_CG_F_* */
	__u64 owner;  /* id of the attached cgroup whose policy this is */
	__u32 epoch;  /* the owner's attach epoch (nonzero); see struct bg_tag */
	__u32 pad;
};

/* The cgroup's syscalls are judged by a seccomp filter bpfguard installed
 * (bpfguard run): sys_enter leaves it alone (its filter bit stays clear),
 * the cgroup hooks still apply, and denials reach bg_events through
 * record.bpf.c from the kernel's seccomp audit records. */
#define BG_CG_F_SECCOMP 0x1

/* Exact denial counters, keyed per task cgroup and syscall. */
struct bg_counter_key {
	__u64 cgid;
	__u64 owner; /* attached cgroup, so status can sum per attachment */
	__u32 nr;
	__u16 abi;
	__u8 verdict;
	__u8 effect;
};

/* Task storage (bg_taskmark): set at sys_enter when the call is denied
 * before effect (BPF LSM, or a cgroup hook: BG_MARK_F_HOOK), cleared at
 * sys_exit; while active every bpfguard hook the call reaches returns -err. */
struct bg_mark {
	__u32 active;
	__u32 nr;
	__s32 ret;  /* what the hooks return: -errno, already negated */
	__u16 abi;
	__u16 flags; /* BG_MARK_F_* */
	__u32 hooks_denied; /* how many hook invocations this call was denied at */
};
/* The denial is the cgroup hooks' (cgroup_hooks.bpf.c), not the LSM's: a
 * call that returns success without any hook having refused it ran after
 * all (a socket created outside the guarded cgroup), so sys_exit kills
 * the task (fail closed) and counts BG_STAT_HOOK_MISSED. */
#define BG_MARK_F_HOOK 0x1

/* Per-cgroup event rate limiter (events per second). */
struct bg_rate {
	__u64 window_start_ns;
	__u32 emitted;
	__u32 suppressed; /* denials not reported since the last event */
};

/* Global knobs, bg_config[0]; written by userspace. */
struct bg_config {
	__u32 layout_version;
	__u32 rate_limit; /* events per second per cgroup, 0 = unlimited */
};

/* bg_stats per-CPU array indexes. */
enum bg_stat {
	BG_STAT_EVENTS = 0,       /* events submitted */
	BG_STAT_LOST,             /* ring buffer full */
	BG_STAT_SUPPRESSED,       /* rate-limited (carried into later events) */
	BG_STAT_COUNTER_FULL,     /* counter map full: counted here instead */
	BG_STAT_INHERITED,        /* cgroups guarded by cgroup_mkdir inheritance */
	BG_STAT_MARK_FAILED,      /* LSM mark could not be stored: killed instead */
	BG_STAT_LSM_MISSED,       /* LSM-denied call reached none of our hooks */
	BG_STAT_CGROUP_FULL,      /* bg_cgroups full: a new cgroup got no entry (fails closed, escape.bpf.c) */
	BG_STAT_ESCAPES,          /* guarded tasks killed for leaving their guarded subtree */
	BG_STAT_HOOK_MISSED,      /* a call a cgroup hook was to refuse succeeded: task killed at sys_exit */
	BG_STAT__COUNT,
};

enum bg_event_type {
	BG_EVENT_SYSCALL = 1,
	BG_EVENT_NET = 2,    /* cgroup socket hook (socket, connect, bind, sendmsg) */
	BG_EVENT_DEV = 3,    /* cgroup/dev: opening or creating a device node */
	BG_EVENT_SYSCTL = 4, /* cgroup/sysctl: reading or writing /proc/sys */
	BG_EVENT_EXEC = 5,   /* exec.bpf.c: a file not in the executable allowlist; record is a bg_exec_event */
	BG_EVENT_ESCAPE = 6, /* escape.bpf.c: a guarded task left its guarded subtree and was killed */
};

/* ------------------------------------------------------------------ */
/* cgroup-BPF hooks (cgroup_hooks.bpf.c): network, devices, sysctl.
 * They deny before the call has any effect: the program returns 0 and
 * the syscall fails with EPERM. */

/* Which hook a BG_EVENT_NET/DEV/SYSCTL event (in .nr) or a
 * bg_hook_counters key came from. */
enum bg_hook {
	BG_HOOK_SOCK_CREATE = 1,
	BG_HOOK_CONNECT4,
	BG_HOOK_CONNECT6,
	BG_HOOK_BIND4,
	BG_HOOK_BIND6,
	BG_HOOK_SENDMSG4,
	BG_HOOK_SENDMSG6,
	BG_HOOK_DEV,
	BG_HOOK_SYSCTL,
	BG_HOOK_EXEC,      /* tp_btf/sched_process_exec: killed before its first instruction */
	BG_HOOK_BPRM,      /* lsm/bprm_check_security: execve fails with EACCES */
	BG_HOOK_MMAP_EXEC, /* lsm/mmap_file: an executable mapping fails with EACCES */
	BG_HOOK_MPROT_EXEC, /* lsm/file_mprotect: making a file mapping executable fails with EACCES */
	BG_HOOK_ESC_MOVE,  /* tp_btf/cgroup_attach_task: moved out (cgroup.procs/threads) */
	BG_HOOK_ESC_CLONE, /* tp_btf/sched_process_fork: born outside (clone3 CLONE_INTO_CGROUP) */
	BG_HOOK_ESC_LATE,  /* sys_enter: a task moved out by another was killed at its next call */
	BG_HOOK_SETSOCKOPT,/* cgroup/setsockopt: a syscall rule on setsockopt (marked at sys_enter) */
	BG_HOOK_FAN_EXEC,  /* the fanotify exec gate (user/core/exec_gate.c): execve fails with EPERM */
	BG_HOOK__COUNT,
};

/* Directions of socket address rules. */
enum bg_net_dir { BG_NET_CONNECT = 0, BG_NET_BIND = 1, BG_NET_SENDMSG = 2 };
#define BG_NET_NDIRS 3
#define BG_NET_MAX_RULES 32 /* per direction; a port list uses one per range */
#define BG_DEV_MAX_RULES 32

enum bg_net_action { BG_NET_DENY = 0, BG_NET_ALLOW = 1 };

/* One compiled address rule.  Addresses are in network byte order, as the
 * kernel hands them to sock_addr programs, and already masked, so a match
 * is (ip & mask) == addr per 32-bit word.  IPv4 uses word 0 only. */
struct bg_net_rule {
	__u32 addr[4];
	__u32 mask[4];
	__u16 port_lo; /* host byte order, inclusive */
	__u16 port_hi;
	__u8 family;   /* 0 = both, 4 = IPv4, 6 = IPv6 */
	__u8 proto;    /* 0 = any, 6 = TCP, 17 = UDP */
	__u8 action;   /* enum bg_net_action */
	__u8 pad;
	__u16 err;     /* BG_NET_DENY: the errno the call fails with (EPERM if 0) */
	__u16 pad2;
};

struct bg_net_dirpol {
	__u32 nrules;
	__u16 dflt;     /* enum bg_net_action when no rule matches */
	__u16 dflt_err; /* its errno when dflt is BG_NET_DENY (EPERM if 0) */
	struct bg_net_rule rule[BG_NET_MAX_RULES];
};

/* Device access bits and types, the values of the kernel's BPF_DEVCG_*. */
#define BG_DEV_ACC_MKNOD 1
#define BG_DEV_ACC_READ 2
#define BG_DEV_ACC_WRITE 4
#define BG_DEV_BLOCK 1
#define BG_DEV_CHAR 2
#define BG_DEV_ANY 0xffffffffu /* major or minor wildcard */

struct bg_dev_rule {
	__u32 major;  /* or BG_DEV_ANY */
	__u32 minor;  /* or BG_DEV_ANY */
	__u16 type;   /* BG_DEV_CHAR, BG_DEV_BLOCK, 0 = both */
	__u16 access; /* BG_DEV_ACC_* allowed */
};

/* bg_netpol.flags: sections present, and audit mode */
#define BG_HP_NET 0x1
#define BG_HP_DEV 0x2
#define BG_HP_SYSCTL 0x4
/* Syscall rules served by the hooks (mechanism cgroup-hook): guard.bpf.c
 * decides at sys_enter from the raw registers and marks the task
 * (bg_taskmark, BG_MARK_F_HOOK); the hook refuses a marked call with the
 * mark's errno.  These bits say which hook programs the slot needs. */
#define BG_HP_MARK_SOCKET 0x8     /* socket() -> cgroup/sock_create */
#define BG_HP_MARK_SETSOCKOPT 0x10 /* setsockopt() -> cgroup/setsockopt */
#define BG_HP_AUDIT 0x100 /* record denials, allow the call (--mode audit) */

/* bg_netpol.sysctl */
#define BG_SYSCTL_DENY_WRITE 0x1
#define BG_SYSCTL_DENY_READ 0x2

/* Value of bg_netpol, an array indexed by policy slot (like bg_policies).
 * A zero value (no flags) allows everything. */
struct bg_netpol {
	__u32 flags;    /* BG_HP_* */
	__u32 types;    /* bit (1 << SOCK_*) allowed at socket() */
	__u64 families; /* bit (1 << AF_*) allowed at socket(); only inet/inet6 are judged */
	__u32 sysctl;   /* BG_SYSCTL_* */
	__u32 ndev;
	struct bg_net_dirpol dir[BG_NET_NDIRS];
	struct bg_dev_rule dev[BG_DEV_MAX_RULES]; /* allow list */
};

/* Exact denial counters of the hooks, bg_hook_counters. */
struct bg_hook_counter_key {
	__u64 cgid;
	__u64 owner;
	__u32 hook;   /* enum bg_hook */
	__u8 effect;  /* enum bg_effect */
	__u8 pad[3];
};

/* ------------------------------------------------------------------ */
/* Executable allowlist (exec.bpf.c).  Userspace hashes each listed file
 * (SHA-256) and, if the content is the one vouched for, records the file's
 * identity as the kernel sees it: device, inode, and the inode's ctime,
 * which every write, truncate, chmod or rename-over changes and no
 * userspace call can set back.  A file rewritten after hashing no longer
 * matches and is refused like an unlisted one. */

/* Key of bg_exec_allow (per policy slot) and bg_exec_trusted (slot 0,
 * bpfguard's trust store, shared by every policy with `exec trusted`). */
struct bg_exec_key {
	__u32 slot;
	__u32 pad;
	__u64 dev;  /* the kernel's dev_t: major << 20 | minor (not stat's st_dev) */
	__u64 ino;
};

struct bg_exec_val {
	__s64 ctime_sec;
	__u32 ctime_nsec;
	__u32 pad;
};

/* bg_exec_pol.flags, an array indexed by slot */
#define BG_EXEC_ON 0x1       /* the policy has an exec section: unlisted files are refused */
#define BG_EXEC_TRUSTED 0x2  /* also allow bg_exec_trusted */
#define BG_EXEC_MMAP 0x4     /* also judge executable mmaps (LSM only) */
#define BG_EXEC_AUDIT 0x100  /* record, do not refuse (--mode audit) */
#define BG_EXEC_KILL 0x200   /* no LSM deny here: SIGKILL at sched_process_exec */

struct bg_exec_pol {
	__u32 flags;
};

/* bg_exec_info.why */
#define BG_EXEC_WHY_UNLISTED 1 /* no entry for (dev, ino) */
#define BG_EXEC_WHY_CHANGED 2  /* listed, but modified since it was hashed (ctime differs) */
#define BG_EXEC_WHY_WRITABLE 3 /* listed, but open for writing right now (inode i_writecount > 0) */
#define BG_EXEC_WHY_FSTYPE 4   /* on tmpfs/ramfs/hugetlbfs/fuse: writes through a mapping keep ctime */

/* File systems a file cannot be vouched for on (refused at trust time by
 * statfs, at exec by the superblock's magic): tmpfs, ramfs and hugetlbfs
 * never move ctime for a write through a shared mapping (no page_mkwrite
 * time update), and a FUSE file's content is whatever its daemon serves. */
#define BG_EXEC_FS_TMPFS 0x01021994u
#define BG_EXEC_FS_RAMFS 0x858458f6u
#define BG_EXEC_FS_HUGETLBFS 0x958458f6u
#define BG_EXEC_FS_FUSE 0x65735546u
#define BG_EXEC_FS_UNVOUCHABLE(m) \
	((m) == BG_EXEC_FS_TMPFS || (m) == BG_EXEC_FS_RAMFS || (m) == BG_EXEC_FS_HUGETLBFS || (m) == BG_EXEC_FS_FUSE)

struct bg_exec_info {
	__u64 dev;
	__u64 ino;
	__s64 ctime_sec;
	__u32 ctime_nsec;
	__u32 why; /* BG_EXEC_WHY_* */
};

/* ------------------------------------------------------------------ */
/* Cgroup escape guard (escape.bpf.c).  A guarded task stays guarded: it
 * carries a tag in task storage (bg_tasktag) naming the attachment that
 * guards it, and a task whose tag is valid and that ends up in a cgroup
 * outside that attachment's subtree, or in a cgroup of the subtree that
 * has no bg_cgroups entry (the map was full), is killed.  The tag is valid
 * while bg_cgroups[owner] is the owner's own entry with the same epoch, so
 * a detach (or a detach and a later attach) releases old tags at once. */
struct bg_tag {
	__u64 owner; /* attached cgroup id */
	__u32 epoch; /* bg_cgroup.epoch of the owner when tagged */
	__u32 flags; /* BG_TAG_F_* */
};
#define BG_TAG_F_FUGITIVE 0x1 /* moved out by another task, kernel has no
			       * bpf_send_signal_task: kill at its next syscall */
#define BG_CGROUP_MAX_DEPTH 64 /* levels below an attached cgroup that bpfguard guards (walks, escape.bpf.h) */

/* bg_escape_info.why */
#define BG_ESC_WHY_LEFT 1     /* the new cgroup is outside the guarded subtree */
#define BG_ESC_WHY_UNMAPPED 2 /* inside it, but without an entry: bg_cgroups was full */

/* bg_escape_info.kill */
#define BG_ESC_KILL_SELF 1    /* the task moved itself: bpf_send_signal */
#define BG_ESC_KILL_TASK 2    /* another task moved it: bpf_send_signal_task (6.13+) */
#define BG_ESC_KILL_LATE 3    /* marked; killed at its next syscall entry (LSM-denied where loaded) */

struct bg_escape_info {
	__u64 dst_cgid;  /* the cgroup it went to */
	__u32 mover_pid; /* tgid of the task that moved it (or the parent that cloned it) */
	__u32 why;       /* BG_ESC_WHY_* */
	__u32 kill;      /* BG_ESC_KILL_* */
	__u32 pad;
};

/* What a hook event carries instead of syscall arguments (bg_event.args). */
struct bg_net_info {
	__u32 family;   /* AF_INET / AF_INET6 (of the address; mapped IPv4 is AF_INET) */
	__u32 type;     /* SOCK_* */
	__u32 protocol; /* IPPROTO_* */
	__u16 port;     /* host byte order; 0 for socket() */
	__u16 pad;
	__u32 addr[4];  /* network byte order; IPv4 in addr[0] */
};

struct bg_dev_info {
	__u32 type;   /* BG_DEV_CHAR / BG_DEV_BLOCK */
	__u32 major;
	__u32 minor;
	__u32 access; /* BG_DEV_ACC_* requested */
};

#define BG_SYSCTL_NAME_LEN 40
struct bg_sysctl_info {
	__u32 write;
	__u32 pad;
	char name[BG_SYSCTL_NAME_LEN]; /* "kernel/domainname", NUL-terminated, may be cut */
};

/* Ring buffer record.  Times are CLOCK_BOOTTIME ns. */
struct bg_event {
	__u64 ts_ns;
	__u64 cgid;
	__u64 owner;
	union {
		__u64 args[BG_NR_ARGS]; /* BG_EVENT_SYSCALL: raw register values, never dereferenced */
		struct bg_net_info net;       /* BG_EVENT_NET */
		struct bg_dev_info dev;       /* BG_EVENT_DEV */
		struct bg_sysctl_info sysctl; /* BG_EVENT_SYSCTL */
		struct bg_exec_info exec;     /* BG_EVENT_EXEC */
		struct bg_escape_info escape; /* BG_EVENT_ESCAPE */
	};
	__u32 type;    /* enum bg_event_type */
	__u32 pid;     /* tgid */
	__u32 tid;
	__u32 uid;
	__u32 nr;      /* as the ABI numbers it (x32 bit stripped); hook events: enum bg_hook */
	__u32 count;   /* this call + suppressed ones carried over */
	__u32 suppressed;
	__u16 abi;
	__u16 err;
	__u8 verdict;
	__u8 effect;
	__u8 mech;
	__u8 flags;    /* BG_EVF_* */
	char comm[BG_COMM_LEN];
	__u32 pad; /* to the union's 8-byte alignment; zero */
};

#define BG_EXEC_PATH_MAX 256

/* A BG_EVENT_EXEC ring-buffer record: the common event (type, verdict,
 * effect, task, counts; .exec holds the identity) and the path the task
 * exec'd or mapped, as the kernel resolved it (d_path), NUL-terminated. */
struct bg_exec_event {
	struct bg_event e;
	char path[BG_EXEC_PATH_MAX];
};

/*
 * Input of record.bpf.c's bg_record_exec program (BPF_PROG_TYPE_SYSCALL,
 * run by the exec gate through BPF_PROG_TEST_RUN): one execve the fanotify
 * gate refused, turned into the bg_hook_counters entry and the
 * BG_EVENT_EXEC record exec.bpf.c would have made.
 */
struct bg_exec_record_in {
	__u64 ts_ns;  /* bpf_ktime_get_boot_ns() clock */
	__u64 cgid;
	__u64 owner;
	__u32 pid;
	__u32 tid;
	__u32 uid;
	__u32 pad;
	struct bg_exec_info id;
	char comm[BG_COMM_LEN];
	char path[BG_EXEC_PATH_MAX];
};

/* bg_event.flags */
#define BG_EVF_NO_ARGS 0x1 /* args unknown (a seccomp audit record has none) */

/*
 * Input of record.bpf.c's bg_record program, run by userspace through
 * BPF_PROG_TEST_RUN (raw_tp context: at most 12 u64 words): one seccomp
 * decision taken from the kernel's audit record, turned into the same
 * counters and bg_events record a sys_enter decision makes.
 */
struct bg_record_in {
	__u64 ts_ns;   /* bpf_ktime_get_boot_ns() clock */
	__u64 cgid;    /* the task's cgroup */
	__u64 owner;   /* the attachment (bg_attachments key) */
	__u32 pid;
	__u32 tid;
	__u32 uid;
	__u32 nr;
	__u16 abi;
	__u16 err;
	__u8 verdict;
	__u8 effect;
	__u8 mech;
	__u8 pad;
	char comm[BG_COMM_LEN];
};
_Static_assert(sizeof(struct bg_record_in) <= 12 * 8 && sizeof(struct bg_record_in) % 8 == 0,
	       "bg_record_in must fit a raw_tp test-run context");

/* Enforcement mechanisms, strongest first (reporting and planning). */
enum bg_mech {
	BG_MECH_NONE = 0,
	BG_MECH_LSM = 1,        /* BPF LSM returns -errno before effect */
	BG_MECH_SECCOMP = 2,    /* seccomp filter (processes bpfguard launches) */
	BG_MECH_CGROUP_HOOK = 3,/* cgroup-BPF hook denies before effect */
	BG_MECH_KILL = 4,       /* sys_enter SIGKILL: the syscall body still runs */
	BG_MECH_AUDIT = 5,      /* recorded only */
	BG_MECH_FANOTIFY = 6,   /* fanotify permission event (exec gate) denies before effect */
};
/* Room in the pinned per-mechanism counts (bg_attachment.nrules_by_mech)
 * for enum bg_mech and two more values without a layout change. */
#define BG_NR_MECHS 8
/* bg_attachment.lsm_progs: a bit per LSM program (user/core/lsm.h, at most
 * 128), in 64-bit words. */
#define BG_LSM_PROG_WORDS 2

/* Attachment record, bg_attachments keyed by the attached cgroup's id.
 * Only userspace reads it; it lives in bpffs so that every invocation (and
 * `reset`) sees the same state the kernel enforces. */
enum bg_mode { BG_MODE_AUDIT = 0, BG_MODE_ENFORCE = 1 };
enum bg_fallback { BG_FALLBACK_REFUSE = 0, BG_FALLBACK_KILL = 1, BG_FALLBACK_AUDIT = 2 };

struct bg_attachment {
	__u64 cgid;
	__u64 attached_realtime_ns;
	__u32 slot;
	__u32 mode;     /* enum bg_mode */
	__u32 fallback; /* enum bg_fallback */
	__u32 nrules_by_mech[BG_NR_MECHS]; /* decisions per enum bg_mech, for status */
	__u32 flags;    /* BG_ATT_F_* */
	__u64 lsm_progs[BG_LSM_PROG_WORDS]; /* LSM programs this policy's errno rules need (lsm.h fit index) */
	char policy[BG_NAME_MAX];
	char path[BG_PATH_MAX];   /* relative to the cgroup2 mount, "/" = root */
	char source[BG_PATH_MAX]; /* policy file as given */
};

/* bg_attachment.flags */
#define BG_ATT_F_SECCOMP 0x1 /* bpfguard run: seccomp judges, BG_CG_F_SECCOMP entries */

/* bg_slotrefs, an array only userspace reads and writes (next to
 * bg_attachments, under the same lock): per policy slot, how many
 * attachment records name it, then two totals.  attach and detach read
 * these BG_SLOTREF__COUNT numbers instead of every record, which made
 * each attach O(attachments) (10,000 separate attachments: 1.4 ms per
 * cgroup and growing).  The counts only ever err high: raised before a
 * record is written, lowered after one is removed (user/core/attachment.c). */
struct bg_slotref {
	__u32 refs;
};
#define BG_SLOTREF_TOTAL BG_MAX_POLICIES       /* every attachment record */
#define BG_SLOTREF_JUDGED (BG_MAX_POLICIES + 1) /* those without BG_ATT_F_SECCOMP */
#define BG_SLOTREF__COUNT (BG_MAX_POLICIES + 2)

/* Pin layout under bpffs. */
#define BG_PIN_ROOT "bpfguard"
#define BG_PIN_MAPS "maps"
#define BG_PIN_LINKS "links"
#define BG_PIN_PROGS "progs"

/* ------------------------------------------------------------------ */
/* Learning (learn.bpf.c, user/core/learn.c; docs/learn.md).  `bpfguard learn`
 * and `bpfguard run --learn` record every syscall made in a cgroup subtree.
 * Each session loads its own instance of learn.bpf.o, with the learned
 * cgroup's id (the session id) and depth in its read-only data: its maps
 * and links belong to the learning process and are never pinned, so
 * sessions share nothing with each other or with attached policies, and a
 * learner that dies leaves nothing attached.  Nothing here is part of the
 * pinned layout (BG_LAYOUT_VERSION does not cover it). */

/* Index of bg_learn_counts and bg_learn_slots: abi * BG_MAX_SYSCALLS + nr
 * for the two tables, then catch-alls no policy line can name. */
#define BG_LEARN_IDX_X32 (BG_NR_TABLES * BG_MAX_SYSCALLS) /* any x32 call */
#define BG_LEARN_IDX_BIG (BG_LEARN_IDX_X32 + 1) /* + abi: nr >= BG_MAX_SYSCALLS or < 0 */
#define BG_LEARN_SLOTS (BG_LEARN_IDX_BIG + BG_NR_TABLES)
#define BG_LEARN_MAX_ARGVALS 4096 /* distinct recorded argument values, all syscalls */
#define BG_LEARN_NVALS 2          /* values recorded per call, at most */

/* Which register arguments of a syscall to record: value i is
 * args[arg[i]] & mask[i].  Written by userspace before attaching. */
struct bg_learn_watch {
	__u8 nvals; /* 0 = record none */
	__u8 arg[BG_LEARN_NVALS];
	__u8 pad[5];
	__u64 mask[BG_LEARN_NVALS];
};

/* Value of bg_learn_slots (array, BG_LEARN_SLOTS).  The call count itself
 * is in bg_learn_counts (per-CPU __u64, summed by userspace). */
struct bg_learn_slot {
	struct bg_learn_watch watch; /* userspace, before attach */
	__u32 seen;      /* claimed by the first caller (cmpxchg 0 -> 1) */
	__u32 args_full; /* a value was not recorded: bg_learn_args was full */
	__u64 first_ns;  /* CLOCK_BOOTTIME of the first call */
	__u32 first_pid; /* tgid */
	__u32 first_tid;
	char first_comm[BG_COMM_LEN];
};

/* Key of bg_learn_args (hash); the value is the __u64 number of calls
 * that had these values. */
struct bg_learn_arg_key {
	__u32 idx; /* slot */
	__u32 pad;
	__u64 val[BG_LEARN_NVALS]; /* unused ones 0 */
};

/* Executables run in the session (bg_learn_execs, hash): learning then
 * knows which runtimes it watched, and adds the calls a Go runtime can
 * make on paths one run may not take (docs/learn.md).  Keyed by the file's
 * identity, so a program run a thousand times takes one entry. */
#define BG_LEARN_MAX_EXECS 256
#define BG_LEARN_PATH 256
struct bg_learn_exec_key {
	__u64 ino;
	__u32 dev; /* the kernel's encoding: major << 20 | minor */
	__u32 pad;
};
struct bg_learn_exec {
	__u64 count;     /* execs of this file */
	__u32 first_pid; /* tgid of the first */
	__u32 pad;
	char path[BG_LEARN_PATH]; /* as the first exec named it (bprm->interp) */
};

/* ------------------------------------------------------------------ */
/*
 * The layout, checked by both compilers (clang -target bpf and gcc see
 * this same header): the size of every struct above and the offsets that
 * pin it (its last member, and what userspace decodes by position).  A
 * failure here means a shared struct changed: bump BG_LAYOUT_VERSION (a
 * running system then tells the user to `bpfguard reset` instead of
 * misreading old pins), then update the line here and the fingerprint in
 * tests/unit/test_layout.c, which covers every member.
 */
#define BG_LAYOUT_MSG " changed: bump BG_LAYOUT_VERSION, then update bpfguard.h's layout asserts and tests/unit/test_layout.c"
#define BG_LAYOUT_SIZE(s, n) _Static_assert(sizeof(struct s) == (n), "size of struct " #s BG_LAYOUT_MSG)
#define BG_LAYOUT_AT(s, f, n) \
	_Static_assert(__builtin_offsetof(struct s, f) == (n), "offset of " #s "." #f BG_LAYOUT_MSG)

/* Pinned maps: keys and values. */
BG_LAYOUT_SIZE(bg_sysent, 8);
BG_LAYOUT_AT(bg_sysent, pad, 6);
BG_LAYOUT_SIZE(bg_policy_slot, 8224);
BG_LAYOUT_AT(bg_policy_slot, dflt, 8192);
BG_LAYOUT_AT(bg_policy_slot, x32, 8208);
BG_LAYOUT_AT(bg_policy_slot, flags, 8220);
BG_LAYOUT_SIZE(bg_argcond, 24);
BG_LAYOUT_AT(bg_argcond, val, 8);
BG_LAYOUT_AT(bg_argcond, mask, 16);
BG_LAYOUT_SIZE(bg_argrule, 160);
BG_LAYOUT_AT(bg_argrule, cond, 16);
BG_LAYOUT_SIZE(bg_argrules_key, 8);
BG_LAYOUT_AT(bg_argrules_key, nr, 6);
BG_LAYOUT_SIZE(bg_argrules, 1288);
BG_LAYOUT_AT(bg_argrules, rule, 8);
BG_LAYOUT_SIZE(bg_filter_ent, 72);
BG_LAYOUT_AT(bg_filter_ent, allow, 8);
BG_LAYOUT_SIZE(bg_cgroup, 24);
BG_LAYOUT_AT(bg_cgroup, owner, 8);
BG_LAYOUT_AT(bg_cgroup, epoch, 16);
BG_LAYOUT_AT(bg_cgroup, pad, 20);
BG_LAYOUT_SIZE(bg_slotref, 4);
BG_LAYOUT_SIZE(bg_counter_key, 24);
BG_LAYOUT_AT(bg_counter_key, nr, 16);
BG_LAYOUT_AT(bg_counter_key, effect, 23);
BG_LAYOUT_SIZE(bg_mark, 20);
BG_LAYOUT_AT(bg_mark, hooks_denied, 16);
BG_LAYOUT_AT(bg_mark, flags, 14);
BG_LAYOUT_SIZE(bg_rate, 16);
BG_LAYOUT_AT(bg_rate, suppressed, 12);
BG_LAYOUT_SIZE(bg_config, 8);
BG_LAYOUT_AT(bg_config, rate_limit, 4);
BG_LAYOUT_SIZE(bg_net_rule, 44);
BG_LAYOUT_AT(bg_net_rule, pad, 39);
BG_LAYOUT_AT(bg_net_rule, err, 40);
BG_LAYOUT_SIZE(bg_net_dirpol, 1416);
BG_LAYOUT_AT(bg_net_dirpol, dflt_err, 6);
BG_LAYOUT_AT(bg_net_dirpol, rule, 8);
BG_LAYOUT_SIZE(bg_dev_rule, 12);
BG_LAYOUT_AT(bg_dev_rule, access, 10);
BG_LAYOUT_SIZE(bg_netpol, 4656);
BG_LAYOUT_AT(bg_netpol, families, 8);
BG_LAYOUT_AT(bg_netpol, dir, 24);
BG_LAYOUT_AT(bg_netpol, dev, 4272);
BG_LAYOUT_SIZE(bg_exec_record_in, 344);
BG_LAYOUT_AT(bg_exec_record_in, id, 40);
BG_LAYOUT_AT(bg_exec_record_in, path, 88);
BG_LAYOUT_SIZE(bg_hook_counter_key, 24);
BG_LAYOUT_AT(bg_hook_counter_key, pad, 21);
BG_LAYOUT_SIZE(bg_exec_key, 24);
BG_LAYOUT_AT(bg_exec_key, ino, 16);
BG_LAYOUT_SIZE(bg_exec_val, 16);
BG_LAYOUT_AT(bg_exec_val, pad, 12);
BG_LAYOUT_SIZE(bg_exec_pol, 4);
BG_LAYOUT_AT(bg_exec_pol, flags, 0);
BG_LAYOUT_SIZE(bg_tag, 16);
BG_LAYOUT_AT(bg_tag, flags, 12);
BG_LAYOUT_SIZE(bg_attachment, 656);
BG_LAYOUT_AT(bg_attachment, nrules_by_mech, 28);
BG_LAYOUT_AT(bg_attachment, lsm_progs, 64);
BG_LAYOUT_AT(bg_attachment, policy, 80);
BG_LAYOUT_AT(bg_attachment, path, 144);
BG_LAYOUT_AT(bg_attachment, source, 400);
/* The ring buffer (bg_events) and bg_record's test-run input. */
BG_LAYOUT_SIZE(bg_exec_info, 32);
BG_LAYOUT_AT(bg_exec_info, why, 28);
BG_LAYOUT_SIZE(bg_escape_info, 24);
BG_LAYOUT_AT(bg_escape_info, pad, 20);
BG_LAYOUT_SIZE(bg_net_info, 32);
BG_LAYOUT_AT(bg_net_info, addr, 16);
BG_LAYOUT_SIZE(bg_dev_info, 16);
BG_LAYOUT_AT(bg_dev_info, access, 12);
BG_LAYOUT_SIZE(bg_sysctl_info, 48);
BG_LAYOUT_AT(bg_sysctl_info, name, 8);
BG_LAYOUT_SIZE(bg_event, 128);
BG_LAYOUT_AT(bg_event, args, 24);
BG_LAYOUT_AT(bg_event, type, 72);
BG_LAYOUT_AT(bg_event, nr, 88);
BG_LAYOUT_AT(bg_event, count, 92);
BG_LAYOUT_AT(bg_event, abi, 100);
BG_LAYOUT_AT(bg_event, verdict, 104);
BG_LAYOUT_AT(bg_event, comm, 108);
BG_LAYOUT_AT(bg_event, pad, 124);
BG_LAYOUT_SIZE(bg_exec_event, 384);
BG_LAYOUT_AT(bg_exec_event, path, 128);
BG_LAYOUT_SIZE(bg_record_in, 64);
BG_LAYOUT_AT(bg_record_in, pid, 24);
BG_LAYOUT_AT(bg_record_in, nr, 36);
BG_LAYOUT_AT(bg_record_in, abi, 40);
BG_LAYOUT_AT(bg_record_in, verdict, 44);
BG_LAYOUT_AT(bg_record_in, comm, 48);
/* Learning maps: not pinned, but shared with userspace all the same. */
BG_LAYOUT_SIZE(bg_learn_watch, 24);
BG_LAYOUT_AT(bg_learn_watch, mask, 8);
BG_LAYOUT_SIZE(bg_learn_slot, 64);
BG_LAYOUT_AT(bg_learn_slot, seen, 24);
BG_LAYOUT_AT(bg_learn_slot, first_ns, 32);
BG_LAYOUT_AT(bg_learn_slot, first_comm, 48);
BG_LAYOUT_SIZE(bg_learn_arg_key, 24);
BG_LAYOUT_AT(bg_learn_arg_key, val, 8);
BG_LAYOUT_SIZE(bg_learn_exec_key, 16);
BG_LAYOUT_AT(bg_learn_exec_key, pad, 12);
BG_LAYOUT_SIZE(bg_learn_exec, 272);
BG_LAYOUT_AT(bg_learn_exec, path, 16);

/* Named counts that size pinned arrays must hold what they count. */
_Static_assert(BG_MECH_AUDIT < BG_NR_MECHS, "enum bg_mech outgrew bg_attachment.nrules_by_mech");

#undef BG_LAYOUT_SIZE
#undef BG_LAYOUT_AT
#undef BG_LAYOUT_MSG

#pragma GCC diagnostic pop

#endif /* BPFGUARD_H */

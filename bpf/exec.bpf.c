// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * exec.bpf.c - the executable allowlist: only files whose content somebody
 * vouched for (SHA-256, checked in userspace) may run in a guarded cgroup.
 *
 * The kernel cannot hash a file here, so userspace does, and hands over
 * the identity of each file whose hash matched: (device, inode, ctime).
 * ctime moves on every write, truncate, chmod, link or rename onto the
 * inode and cannot be set back from userspace, so a file modified after it
 * was hashed no longer matches (BG_EXEC_WHY_CHANGED) and is refused like
 * an unlisted one.
 *
 * ctime does not see every write: a write through a shared writable
 * mapping moves it only on the first write fault of a page (page_mkwrite),
 * never on tmpfs/ramfs/hugetlbfs.  So a listed file is also refused when
 *   - its file system is one of those (BG_EXEC_WHY_FSTYPE; userspace
 *     refuses to hash files there too, this catches a (dev, ino) that
 *     reappears on one), or
 *   - someone holds it open for writing right now (i_writecount > 0,
 *     BG_EXEC_WHY_WRITABLE): a writable mapping could change the code
 *     under the running program without moving ctime.  Exec's own
 *     deny-write makes the count negative, which is fine.
 * Userspace (exec_allow.c) hashes under a read lease, which a writable
 * open or mapping prevents and a new one breaks: no writable mapping is
 * left over from before the hash.  docs/exec.md, "Identity".
 *
 * Four programs, attached by userspace as the kernel allows:
 *   lsm/bprm_check_security  execve fails with EACCES before anything of
 *                            the new program is loaded (BPF LSM kernels)
 *   lsm/mmap_file            an executable mapping of an unlisted file
 *   lsm/file_mprotect        (a shared object, the loader), or making a
 *                            file mapping executable later, fails (opt-in:
 *                            `exec libraries`; BPF LSM kernels)
 *   tp_btf/sched_process_exec  where BPF LSM is unavailable (the CI host):
 *                            the new image is in place but has not run a
 *                            single instruction; SIGKILL ends it there
 * Which cgroup: the task's bg_cgroups entry, like every other program; no
 * entry, or a slot whose policy has no exec section: allowed.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpfguard.h"
#include "shared_maps.bpf.h"
#include "events.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define EACCES 13
#define SIGKILL 9
#define PROT_EXEC 0x4

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, struct bg_exec_key);
	__type(value, struct bg_exec_val);
} bg_exec_allow SEC(".maps");

/* bpfguard's trust store (`bpfguard trust add`), slot 0 keys. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, struct bg_exec_key);
	__type(value, struct bg_exec_val);
} bg_exec_trusted SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BG_MAX_POLICIES);
	__type(key, __u32);
	__type(value, struct bg_exec_pol);
} bg_exec_pol SEC(".maps");

/* Kernels before 6.6 call it i_ctime, 6.6-6.10 __i_ctime (both a
 * timespec64); 6.11 splits it into i_ctime_sec and i_ctime_nsec. */
struct inode___ctime_ts {
	struct timespec64 i_ctime;
} __attribute__((preserve_access_index));
struct inode___ctime_priv {
	struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));

/* Someone holds the file open for writing (a writable fd or a shared
 * writable mapping, whose file stays open until it is unmapped).  Negative
 * counts are deny-write holders (exec, swap): nobody can write. */
static __always_inline bool open_for_write(struct inode *ino)
{
	return BPF_CORE_READ(ino, i_writecount.counter) > 0;
}

static __always_inline bool unvouchable_fs(struct inode *ino)
{
	unsigned long magic = BPF_CORE_READ(ino, i_sb, s_magic);

	return BG_EXEC_FS_UNVOUCHABLE(magic);
}

static __always_inline void file_identity(struct inode *ino, struct bg_exec_info *id)
{

	id->ino = BPF_CORE_READ(ino, i_ino);
	id->dev = BPF_CORE_READ(ino, i_sb, s_dev);
	if (bpf_core_field_exists(ino->i_ctime_sec)) {
		id->ctime_sec = BPF_CORE_READ(ino, i_ctime_sec);
		/* 6.13+ multigrain timestamps keep a "ctime was queried" flag
		 * in bit 31 of the nanoseconds (I_CTIME_QUERIED); stat(2)
		 * never shows it */
		id->ctime_nsec = BPF_CORE_READ(ino, i_ctime_nsec) & 0x7fffffffu;
	} else if (bpf_core_field_exists(((struct inode___ctime_priv *)ino)->__i_ctime)) {
		struct inode___ctime_priv *i = (void *)ino;

		id->ctime_sec = BPF_CORE_READ(i, __i_ctime.tv_sec);
		id->ctime_nsec = BPF_CORE_READ(i, __i_ctime.tv_nsec);
	} else {
		struct inode___ctime_ts *i = (void *)ino;

		id->ctime_sec = BPF_CORE_READ(i, i_ctime.tv_sec);
		id->ctime_nsec = BPF_CORE_READ(i, i_ctime.tv_nsec);
	}
}

struct verdict {
	__u64 cgid;
	__u64 owner;
	__u32 flags; /* bg_exec_pol.flags of the caller's policy */
	struct bg_exec_info id;
};

/* 0: allowed (or not ours to judge); 1: refuse (v filled). */
static __always_inline int judge_file(struct file *f, __u32 need, struct verdict *v)
{
	struct bg_exec_key key = {};
	struct bg_exec_val *val;
	struct bg_exec_pol *pol;
	struct bg_cgroup *cg;
	struct inode *ino;
	__u32 slot;

	if (!f)
		return 0;
	v->cgid = bpf_get_current_cgroup_id();
	cg = bpf_map_lookup_elem(&bg_cgroups, &v->cgid);
	if (!cg)
		return 0; /* not guarded */
	slot = cg->slot;
	pol = bpf_map_lookup_elem(&bg_exec_pol, &slot);
	if (!pol || (pol->flags & need) != need)
		return 0; /* no exec section (or not this kind of check) */
	v->owner = cg->owner;
	v->flags = pol->flags;
	ino = BPF_CORE_READ(f, f_inode);
	file_identity(ino, &v->id);
	key.slot = slot;
	key.dev = v->id.dev;
	key.ino = v->id.ino;
	val = bpf_map_lookup_elem(&bg_exec_allow, &key);
	if (!val && (pol->flags & BG_EXEC_TRUSTED)) {
		key.slot = 0;
		val = bpf_map_lookup_elem(&bg_exec_trusted, &key);
	}
	if (!val) {
		v->id.why = BG_EXEC_WHY_UNLISTED;
		return 1;
	}
	if (val->ctime_sec != v->id.ctime_sec || val->ctime_nsec != v->id.ctime_nsec) {
		v->id.why = BG_EXEC_WHY_CHANGED;
		return 1;
	}
	if (unvouchable_fs(ino)) {
		v->id.why = BG_EXEC_WHY_FSTYPE;
		return 1;
	}
	if (open_for_write(ino)) {
		v->id.why = BG_EXEC_WHY_WRITABLE;
		return 1;
	}
	return 0;
}

/* Count exactly, then (rate limit and ring permitting) report. */
static __always_inline void report(const struct verdict *v, __u32 hook, __u8 effect, __u8 mech,
				   const char *path)
{
	struct bg_hook_counter_key key = { .cgid = v->cgid, .owner = v->owner, .hook = hook, .effect = effect };
	struct bg_exec_event *x;

	counter_inc(&bg_hook_counters, &key);
	x = (struct bg_exec_event *)event_reserve(v->cgid, v->owner, bpf_ktime_get_boot_ns(), sizeof(*x));
	if (!x)
		return;
	x->e.exec = v->id;
	event_task_current(&x->e);
	event_decision(&x->e, BG_EVENT_EXEC, hook, hook == BG_HOOK_EXEC ? BG_VERDICT_KILL : BG_VERDICT_ERRNO,
		       effect, mech, EACCES);
	if (path)
		bpf_probe_read_kernel_str(x->path, sizeof(x->path), path);
	event_submit(x);
}

/* BPF LSM: refuse the exec before the new program is loaded.  An earlier
 * LSM's (or BPF program's) refusal stands: we only ever add one. */
SEC("lsm/bprm_check_security")
int BPF_PROG(bg_exec_bprm, struct linux_binprm *bprm, int ret)
{
	struct verdict v = {};

	if (ret)
		return ret;
	if (!judge_file(BPF_CORE_READ(bprm, file), BG_EXEC_ON, &v))
		return 0;
	if (v.flags & BG_EXEC_AUDIT) {
		report(&v, BG_HOOK_BPRM, BG_EFFECT_RECORD, BG_MECH_AUDIT, BPF_CORE_READ(bprm, filename));
		return 0;
	}
	report(&v, BG_HOOK_BPRM, BG_EFFECT_LSM_DENY, BG_MECH_LSM, BPF_CORE_READ(bprm, filename));
	return -EACCES;
}

/* An executable mapping of file (hook: which program asks): 0 or -EACCES. */
static __always_inline int judge_mapping(struct file *file, __u32 hook)
{
	struct verdict v = {};
	const char *name;

	if (!judge_file(file, BG_EXEC_ON | BG_EXEC_MMAP, &v))
		return 0;
	name = (const char *)BPF_CORE_READ(file, f_path.dentry, d_name.name);
	if (v.flags & BG_EXEC_AUDIT) {
		report(&v, hook, BG_EFFECT_RECORD, BG_MECH_AUDIT, name);
		return 0;
	}
	report(&v, hook, BG_EFFECT_LSM_DENY, BG_MECH_LSM, name);
	return -EACCES;
}

/* BPF LSM: executable mappings (shared objects, the ELF interpreter the
 * kernel maps during exec) of unlisted files, with `exec libraries`. */
SEC("lsm/mmap_file")
int BPF_PROG(bg_exec_mmap, struct file *file, unsigned long reqprot, unsigned long prot,
	     unsigned long flags, int ret)
{
	if (ret)
		return ret;
	if (!file || !(prot & PROT_EXEC))
		return 0;
	return judge_mapping(file, BG_HOOK_MMAP_EXEC);
}

/* BPF LSM: mmap(PROT_READ) then mprotect(PROT_EXEC) reaches the same code
 * as mmap(PROT_EXEC); judge the mapping's file the same way.  Anonymous
 * memory (a JIT) has no file and is the syscall policy's business. */
SEC("lsm/file_mprotect")
int BPF_PROG(bg_exec_mprotect, struct vm_area_struct *vma, unsigned long reqprot, unsigned long prot,
	     int ret)
{
	struct file *file;

	if (ret)
		return ret;
	if (!((reqprot | prot) & PROT_EXEC))
		return 0;
	file = BPF_CORE_READ(vma, vm_file);
	if (!file)
		return 0;
	return judge_mapping(file, BG_HOOK_MPROT_EXEC);
}

/* No BPF LSM: the exec has happened, the new image is mapped, but the task
 * has not returned to user space yet.  SIGKILL is delivered on that
 * return, so not one instruction of the unlisted program runs. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(bg_exec_kill, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct verdict v = {};

	if (!judge_file(BPF_CORE_READ(bprm, file), BG_EXEC_ON | BG_EXEC_KILL, &v))
		return 0;
	if (v.flags & BG_EXEC_AUDIT) {
		report(&v, BG_HOOK_EXEC, BG_EFFECT_RECORD, BG_MECH_AUDIT, BPF_CORE_READ(bprm, filename));
		return 0;
	}
	report(&v, BG_HOOK_EXEC, BG_EFFECT_KILL, BG_MECH_KILL, BPF_CORE_READ(bprm, filename));
	bpf_send_signal(SIGKILL);
	return 0;
}

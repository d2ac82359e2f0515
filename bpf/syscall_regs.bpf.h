/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * syscall_regs.bpf.h - which ABI a syscall came in through, and its six
 * register arguments, for the sys_enter programs (guard.bpf.c judges,
 * learn.bpf.c records).  One definition, so both read the same registers.
 */
#ifndef BG_SYSCALL_REGS_BPF_H
#define BG_SYSCALL_REGS_BPF_H

#define TS_COMPAT 0x0002 /* arch/x86: thread_info.status bit for compat syscalls */

/* ia32 (int $0x80 or a 32-bit task) or x86_64; the caller strips and
 * judges the x32 bit of nr itself. */
static __always_inline __u32 syscall_abi(struct task_struct *task)
{
	return (task->thread_info.status & TS_COMPAT) ? BG_ABI_IA32 : BG_ABI_X86_64;
}

static __always_inline bool syscall_is_compat(struct task_struct *task)
{
	return task->thread_info.status & TS_COMPAT;
}

/* Register values only; pointers are never followed (their targets can
 * change between this look and the kernel's use of them). */
static __always_inline void syscall_args(__u32 abi, struct pt_regs *regs, __u64 args[6])
{
	if (abi == BG_ABI_IA32) {
		args[0] = regs->bx; args[1] = regs->cx; args[2] = regs->dx;
		args[3] = regs->si; args[4] = regs->di; args[5] = regs->bp;
	} else {
		args[0] = regs->di; args[1] = regs->si; args[2] = regs->dx;
		args[3] = regs->r10; args[4] = regs->r8; args[5] = regs->r9;
	}
}

#endif

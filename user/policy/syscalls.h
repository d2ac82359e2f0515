/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * syscalls.h - syscall name <-> number per ABI, and syscall groups.
 *
 * Numbers come from libseccomp's tables (Debian's libseccomp 2.5.4), topped
 * up with the few syscalls newer than that release so names the running
 * kernel knows still resolve.  Groups follow systemd's @group vocabulary.
 */
#ifndef BG_SYSCALLS_H
#define BG_SYSCALLS_H

/* -1 if unknown for this ABI (BG_ABI_X86_64 or BG_ABI_IA32). */
int bg_syscall_nr(int abi, const char *name);
/* NULL if the number has no name in this ABI. */
const char *bg_syscall_name(int abi, int nr);

/* Where the tables came from: "build" (generated at build time from the
 * same libseccomp as the one loaded) or "libseccomp" (asked at run time). */
const char *bg_syscall_tables_source(void);

/* Members of "@name" (pass without or with the '@'); NULL if no such
 * group.  Members may themselves be "@groups"; the list ends with NULL. */
const char *const *bg_group_members(const char *group);
/* All group names, NULL-terminated, e.g. for `bpfguard policy groups`. */
const char *const *bg_group_names(void);
/* One-line description of a group, NULL if unknown. */
const char *bg_group_help(const char *group);
/* Marks in set[0..BG_MAX_SYSCALLS) every syscall "@group" expands to in
 * `abi`, nested groups included; members that do not exist in that ABI are
 * skipped.  Returns how many entries it newly marked, -ENOENT for an
 * unknown group, -ELOOP for a cycle or nesting deeper than 8, -EINVAL for
 * a bad abi. */
int bg_group_expand(const char *group, int abi, unsigned char *set);

/* errno name <-> number ("EPERM" <-> 1); -1 / NULL if unknown. */
int bg_errno_from_name(const char *name);
const char *bg_errno_name(int err);

#endif

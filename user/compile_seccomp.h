/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * compile_seccomp.h - back end: policy IR -> a seccomp filter (libseccomp).
 *
 * Used by `bpfguard run` (installed just before exec of the payload, so
 * denied syscalls fail with the policy's errno, or kill, before any effect,
 * on every kernel) and by `policy export --format bpf` (the cBPF program
 * bwrap --seccomp takes).  Knows libseccomp, no file format.
 *
 * Semantics are bg_policy_eval()'s, per architecture:
 *   - x86_64 calls: the x86_64 table, default p->dflt;
 *   - ia32 calls (int $0x80): the i386 table, default p->ia32_dflt; when
 *     the policy names nothing for ia32 and ia32_dflt is kill, the x86
 *     architecture is simply left out of the filter (seccomp kills a call
 *     from an architecture the filter does not list);
 *   - x32 calls: killed (the filter never adds the x32 architecture and
 *     x86_64 rules reject the x32 bit).
 * In audit mode every decision that is not allow becomes SCMP_ACT_LOG.
 */
#ifndef BG_COMPILE_SECCOMP_H
#define BG_COMPILE_SECCOMP_H

#include <seccomp.h>
#include <stddef.h>

#include "policy.h"

/* Builds a filter; NULL with a one-line message in err on failure. */
scmp_filter_ctx bg_seccomp_compile(const struct bg_policy *p, int mode, char *err, size_t errlen);

/* Writes the compiled classic-BPF program (struct sock_filter[]) to fd. */
int bg_seccomp_export_bpf(scmp_filter_ctx ctx, int fd);

/* Installs the filter on the calling thread (sets no_new_privs first).
 * 0 or -errno. */
int bg_seccomp_install(scmp_filter_ctx ctx);

#endif

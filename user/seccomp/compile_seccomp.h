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

#include "diag.h"
#include "policy.h"

/* Builds a filter; NULL with a one-line message in d on failure. */
scmp_filter_ctx bg_seccomp_compile(const struct bg_policy *p, int mode, struct bg_diag *d);

/* Writes the compiled classic-BPF program (struct sock_filter[]) to fd. */
int bg_seccomp_export_bpf(scmp_filter_ctx ctx, int fd);

/* Installs the filter on the calling thread (sets no_new_privs first).
 * 0 or -errno. */
int bg_seccomp_install(scmp_filter_ctx ctx);

/*
 * Argument-space analysis on the compiler's own machinery, for the other
 * back ends and tools (policy export, diff, merge): they must refuse what
 * this back end refuses, and they need the same exact regions.
 */

/* One libseccomp rule as this back end adds it: an action and an AND of at
 * most one comparison per argument.  BG_OP_MASKED_EQ is libseccomp's
 * MASKED_EQ: datum_a is `mask`, datum_b is `val`. */
struct bg_seccomp_rule {
	struct bg_action action;
	unsigned ncond;
	struct bg_cond cond[6];
};

/* The rules bg_seccomp_compile() adds for (abi, nr) of p when the filter
 * default is dflt (enforce mode): disjoint, so their order does not matter,
 * and none for the arguments dflt covers.  The count (*out malloc'ed, NULL
 * if 0), or -1 with a one-line reason in d where the compiler would
 * refuse this syscall. */
int bg_seccomp_syscall_rules(const struct bg_policy *p, int abi, int nr,
			     const struct bg_action *dflt, struct bg_seccomp_rule **out,
			     struct bg_diag *d);

/* One syscall's rule list: conditional rules in order, then the fallback
 * (its unconditional rule, or the ABI default). */
struct bg_rule_list {
	const struct bg_rule *rules;
	unsigned nrules;
	struct bg_action fallback;
};

#define BG_CELL_MAX_LISTS 17

/* A piece of the argument space on which every list gives one action. */
struct bg_cell {
	struct bg_action act[BG_CELL_MAX_LISTS]; /* per list */
	uint64_t example[6];                     /* arguments inside the cell */
	bool fits;                               /* cond[] describes the cell */
	unsigned ncond;
	struct bg_cond cond[BG_MAX_CONDS];       /* the cell as an AND */
};

/* Cuts the argument space of nlists rule lists of one syscall into
 * disjoint cells, exactly.  ia32 arguments are 32 bits wide (what the
 * kernel passes; libseccomp compares only those).  0 with *cells
 * malloc'ed, -E2BIG when too complex to spell out, -ENOMEM, -EINVAL. */
int bg_seccomp_cells(const struct bg_rule_list *lists, unsigned nlists, int abi,
		     struct bg_cell **cells, size_t *ncells);

#endif

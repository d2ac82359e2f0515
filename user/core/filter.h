/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * filter.h - bg_cgfilter, the array sys_enter reads first: which cgroup
 * ids are guarded at all, and, for a slot only one guarded id hashes to,
 * that cgroup's allowed x86_64 calls as a bitmap, so a guarded allowed
 * call is answered without the exact lookups (the fast path; the protocol
 * that keeps it exact is at struct bg_filter_ent in bpf/bpfguard.h).
 * Callers hold the state open for writing (flocked; st->filter mapped).
 */
#ifndef BG_FILTER_H
#define BG_FILTER_H

#include <stdint.h>

#include "loader.h"

/* The fast path's bitmap of a compiled policy slot: bit nr of allow[nr/64]
 * set when an x86_64 call nr is allowed with nothing to record and no
 * argument rule (bg_sysent_fast).  The same computation cgroup_mkdir does
 * in the kernel. */
void bg_filter_allow_bits(const struct bg_policy_slot *pol, __u64 allow[BG_MAX_SYSCALLS / 64]);

/* Policy slots' bitmaps read once for a run of marks (a reconcile):
 * the slots must not change while it is in use. */
struct bg_filter_bits;
struct bg_filter_bits *bg_filter_bits_new(void);
void bg_filter_bits_free(struct bg_filter_bits *c);

/* Cgroup id is now guarded by policy slot `slot`: its filter slot gets its
 * tag and bitmap if free (or already its own), else becomes shared (the
 * exact path).  bits (may be NULL) caches the slots' bitmaps.  0 or
 * -errno. */
int bg_filter_mark(const struct bg_state *st, uint64_t id, uint32_t slot, struct bg_filter_bits *bits);
/* How many marks in this process left a slot shared (EXACT): a rebuild
 * after marking is only worth its walk of bg_cgroups when this grew (a
 * collision, or an EXACT a removed cgroup left behind). */
unsigned long bg_filter_marked_shared(void);

/* Recomputes every filter slot from bg_cgroups: free where no guarded id
 * hashes, the tag and bitmap where exactly one does, shared where more
 * do; then re-checks that every guarded id's slot is set (cgroup_mkdir
 * may have added one meanwhile).  That part is checked: 0 or -errno. */
int bg_filter_rebuild(const struct bg_state *st);

#endif

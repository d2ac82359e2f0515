/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * attachment.h - operations on the pinned maps that make up attachments:
 * policy slots, the attachment records, the cgroup -> policy entries and
 * the fast filter.  Callers hold the state open for writing (flocked).
 */
#ifndef BG_ATTACHMENT_H
#define BG_ATTACHMENT_H

#include <stdint.h>

#include "compile_bpf.h"
#include "loader.h"

int bg_att_get(const struct bg_state *st, uint64_t cgid, struct bg_attachment *out);
/* All attachment records, malloc'd array (free it). */
int bg_att_list(const struct bg_state *st, struct bg_attachment **out, unsigned *n);
/* The bg_cgroups flags (BG_CG_F_*) entries owned by attachment a carry. */
static inline uint32_t bg_att_cgflags(const struct bg_attachment *a)
{
	return (a->flags & BG_ATT_F_SECCOMP) ? BG_CG_F_SECCOMP : 0;
}
/* Attachments the sys_enter judge serves (not bpfguard run's seccomp ones). */
unsigned bg_att_count_judged(const struct bg_state *st);
int bg_att_put(const struct bg_state *st, const struct bg_attachment *a);
int bg_att_del(const struct bg_state *st, uint64_t cgid);

/* A policy slot no attachment uses; -ENOSPC if none. */
int bg_slot_alloc(const struct bg_state *st);
/* Writes a compiled policy into an unused slot (invisible until a cgroup
 * entry points at it). */
int bg_slot_write(const struct bg_state *st, uint32_t slot, const struct bg_bpf_policy *bp);
void bg_slot_clear(const struct bg_state *st, uint32_t slot);

/* Recomputes the bg_cgroups entries of abs and every cgroup below it from
 * the attachment records: each gets the policy of its nearest attached
 * ancestor-or-self, or no entry.  Returns the number of guarded cgroups in
 * the subtree, or -errno. */
int bg_reconcile(const struct bg_state *st, const char *abs, uint64_t id);
/* Drops every bg_cgroups entry owned by `owner` (a detached cgroup that no
 * longer exists cannot be walked). */
void bg_sweep_owner(const struct bg_state *st, uint64_t owner);
/* Clears filter slots no guarded cgroup hashes to. */
void bg_filter_rebuild(const struct bg_state *st);
void bg_counters_drop(const struct bg_state *st, uint64_t owner);
/* Entries in bg_cgroups owned by `owner`. */
unsigned bg_guarded_count(const struct bg_state *st, uint64_t owner);

#endif

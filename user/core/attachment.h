/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * attachment.h - operations on the pinned maps that make up attachments:
 * policy slots, the attachment records, the cgroup -> policy entries and
 * the fast filter.  Callers hold the state open for writing (flocked).
 */
#ifndef BG_ATTACHMENT_H
#define BG_ATTACHMENT_H

#include <stdbool.h>
#include <stdint.h>

#include "compile_bpf.h"
#include "filter.h"
#include "loader.h"
#include "map_helpers.h"

int bg_att_get(const struct bg_state *st, uint64_t cgid, struct bg_attachment *out);
/* All attachment records (any number), malloc'd array (free it). */
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

/*
 * Policy slots are shared by content: attachments whose compiled policy
 * (syscall table, argument rules, network/device/sysctl value, exec
 * allowlist; mode and fallback are part of each) is identical point at one
 * slot.  A slot's reference count is the number of attachment records
 * naming it, kept in bg_slotrefs by bg_att_put/bg_att_del (bpfguard.h
 * says why and how it stays safe); a slot no record names is free.
 */
/* refs[slot] = attachments using it; *natt (if not NULL) = attachments. */
int bg_slot_refs(const struct bg_state *st, unsigned refs[BG_MAX_POLICIES], unsigned *natt);
/* Sets bg_slotrefs from the records themselves (the counts err high after
 * a crash between a count and its record; bpfguard.h).  0 or -errno. */
int bg_slot_refs_recount(const struct bg_state *st);
/* First slot with no reference, or -ENOSPC. */
int bg_slot_unused(const unsigned refs[BG_MAX_POLICIES]);
/* Does the slot hold exactly this compiled syscall policy (table and
 * argument rules)?  The callers compare the other per-slot maps. */
bool bg_slot_holds(const struct bg_state *st, uint32_t slot, const struct bg_bpf_policy *bp);
/* Writes a compiled policy into an unused slot (invisible until a cgroup
 * entry points at it).  0 or -errno; on error the slot may hold part of
 * the policy (clear it). */
int bg_slot_write(const struct bg_state *st, uint32_t slot, const struct bg_bpf_policy *bp);
/* The compiled policy a slot holds (status: the rules and their
 * mechanisms as the kernel has them).  0 or -errno; free with
 * bg_bpf_policy_free. */
int bg_slot_read(const struct bg_state *st, uint32_t slot, struct bg_bpf_policy *out);
/* Empties a slot: 0 or the first -errno (it tries every entry). */
int bg_slot_clear(const struct bg_state *st, uint32_t slot);

/* Recomputes the bg_cgroups entries of abs and every cgroup below it from
 * the attachment records: each gets the policy of its nearest attached
 * ancestor-or-self, or no entry.  Returns the number of guarded cgroups in
 * the subtree, or -errno: BG_WALK_TOO_DEEP if part of the subtree is
 * deeper than BG_CGROUP_MAX_DEPTH (those cgroups were not written). */
int bg_reconcile(const struct bg_state *st, const char *abs, uint64_t id);
/* Drops every bg_cgroups entry owned by `owner` (a detached cgroup that no
 * longer exists cannot be walked).  0 or the first -errno. */
int bg_sweep_owner(const struct bg_state *st, uint64_t owner);
void bg_counters_drop(const struct bg_state *st, uint64_t owner);
/* Entries in bg_cgroups owned by `owner`. */
unsigned bg_guarded_count(const struct bg_state *st, uint64_t owner);
/* The owner of every bg_cgroups entry, sorted (malloc'd), so that many
 * attachments are counted with one walk (status): bg_guarded_in counts
 * one owner's. */
int bg_guarded_owners(const struct bg_state *st, __u64 **owners, unsigned *n);
unsigned bg_guarded_in(const __u64 *owners, unsigned n, uint64_t owner);

/* Where the attach core (attach.h) reports a failure for callers that
 * log it themselves (the daemon): the one-line error, and whether it was
 * a capacity limit (BG_MAX_POLICIES, BG_MAX_ATTACHMENTS, BG_MAX_CGROUPS). */
struct bg_attach_result {
	char err[1024];
	bool limit;
};

#endif

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * trust.h - the operations of `bpfguard trust add|list|remove` on the
 * trust store (struct bg_trust, loaded and saved by exec_allow.h): what
 * the command computes before it prints.  docs/exec.md.
 */
#ifndef BG_TRUST_H
#define BG_TRUST_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "exec_allow.h"

/* Opens ARG once, names it by what was opened (abs) and vouches for that
 * same descriptor: the path, the hash and the identity all belong to one
 * inode, whatever a symlink along ARG's path does meanwhile.  0, or -1
 * with one line in *d. */
int bg_trust_vouch_arg(const char *arg, char abs[PATH_MAX], struct bg_file_vouch *v, struct bg_diag *d);

/* The same, and the signature rq asks for verified over that descriptor's
 * content (sig.h), so what was verified is what was hashed and is bound:
 * `trust add --key/--bundle`.  0; -1 when the file cannot be vouched for;
 * a BG_EXIT_SIG_* code when the signature does not hold (res says who
 * signed when it does).  One line in *d. */
struct bg_sig_request;
struct bg_sig_result;
int bg_trust_vouch_signed(const char *arg, char abs[PATH_MAX], struct bg_file_vouch *v,
			  const struct bg_sig_request *rq, struct bg_sig_result *res, struct bg_diag *d);

/* Trusts content sha256 at path: the entry of path gets the hash and
 * signer (NULL: none), or a new entry is added.  0, or -ENOMEM (the store
 * is unchanged). */
int bg_trust_set(struct bg_trust *t, const char *path, const uint8_t sha256[32], const char *signer);

/* Removes the entries ARG names: "sha256:HEX" by content, else by path
 * (resolved if the file still exists).  The removed entries move to
 * removed[] (room for t->n; the caller frees their paths), in store
 * order.  Returns how many were removed. */
unsigned bg_trust_remove(struct bg_trust *t, const char *arg, struct bg_trust_entry *removed);

/* What `trust list --verify` finds for an entry now. */
enum bg_trust_state {
	BG_TRUST_OK,      /* vouchable, same content */
	BG_TRUST_CHANGED, /* vouchable, other content */
	BG_TRUST_MISSING, /* gone */
	BG_TRUST_REFUSED, /* there but not vouchable now (reason in *d) */
};
enum bg_trust_state bg_trust_check(const struct bg_trust_entry *e, struct bg_diag *d);
const char *bg_trust_state_name(enum bg_trust_state s); /* "ok", "changed", ... */

/* Saves the store and pushes it to the kernel (bg_exec_trusted).  0, or
 * -1 with one line in *d. */
int bg_trust_commit(const struct bg_trust *t, struct bg_diag *d);

/* Writers of the store serialize with attach, which reads it: bpfguard's
 * exclusive lock when bpfguard has state (fd to close), else -1. */
int bg_trust_lock(void);

#endif

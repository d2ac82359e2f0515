/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * exec_allow.h - the executable allowlist (a policy's exec section and
 * bpfguard's trust store) compiled into exec.bpf.c's maps.
 *
 * A file is trusted by content (SHA-256, hashed here) and enforced by
 * identity (device, inode, ctime, read by the kernel at exec): the hash is
 * checked when the list is written, and a file changed afterwards carries a
 * new ctime and stops matching.
 *
 * State in bpffs: maps/bg_exec_allow (slot, dev, ino) -> ctime,
 * maps/bg_exec_trusted (trust store, slot 0), maps/bg_exec_pol per slot,
 * links/bg_exec_{kill,bprm,mmap,mprotect}, up while any attachment has an
 * exec section.
 */
#ifndef BG_EXEC_ALLOW_H
#define BG_EXEC_ALLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "bpfguard.h"
#include "policy.h"

struct bg_state;

/* The identity the kernel will see for a file and its content's hash. */
struct bg_file_vouch {
	struct bg_exec_key key; /* slot left 0 */
	struct bg_exec_val val;
	uint8_t sha256[32];
};

/* Hashes the file at path (following symlinks: the target is what runs)
 * and reads its identity, or refuses (-1, one line in err) a file whose
 * content could change later without the identity showing it: not a
 * regular file, on tmpfs/ramfs/hugetlbfs/FUSE (BG_EXEC_FS_UNVOUCHABLE),
 * open for writing or writably mapped by anyone (a read lease is refused),
 * or written, opened for writing or changed while being hashed (the lease
 * breaks, the ctime moves).  docs/exec.md, "Identity". */
int bg_file_vouch(const char *path, struct bg_file_vouch *out, struct bg_diag *diag);
/* The same for a file already open (read-only) as fd; name is for err.
 * The identity is fd's own (fstat), so what was hashed is what is bound. */
int bg_file_vouch_fd(int fd, const char *name, struct bg_file_vouch *out, struct bg_diag *diag);
/* The event/status word for a bg_exec_info.why: terse ("unlisted") or
 * long ("not listed"). */
const char *bg_exec_why_name(uint32_t why, bool terse);
/* SHA-256 of an open file's content (from its current offset). */
int bg_sha256_fd(int fd, uint8_t out[32]);
/* stat's st_dev as the kernel's dev_t (major << 20 | minor). */
uint64_t bg_kernel_dev(dev_t d);

/* Trust store: /var/lib/bpfguard/trust.list (BPFGUARD_TRUST_STORE
 * overrides), lines "sha256:HEX [signer=WHO] PATH", mode 0600 (saving
 * makes it so; loading warns when others may read or write it).  WHO is
 * the signer `trust add --key/--bundle` verified (bg_sig_result.signer,
 * escaped by bg_text_escape with spaces as \x20). */
struct bg_trust_entry {
	uint8_t sha256[32];
	char *path;
	char *signer; /* NULL: added without a signature */
};
struct bg_trust {
	struct bg_trust_entry *e;
	unsigned n;
	char file[4096];
};
const char *bg_trust_path(void);
/* Missing store = empty.  -1 with err on a malformed line (FILE:LINE). */
int bg_trust_load(struct bg_trust *t, struct bg_diag *diag);
int bg_trust_save(const struct bg_trust *t, struct bg_diag *diag); /* atomic */
void bg_trust_free(struct bg_trust *t);

/* Every file the policy's exec section admits, vouched for (bg_file_vouch):
 * its `exec allow` files (each must have the content its hash says, else
 * -1: the attach is refused) and, with `exec signed-by`, the trust store's
 * entries recorded with a named signer whose files still have the signed
 * content, and the files of `exec signed-in` directories whose signature
 * beside them (FILE.sig, FILE.sigstore.json) verifies with a named key,
 * over the descriptor vouched for.  Unsigned or badly signed files are
 * simply not admitted.  *out malloc'd (slot left 0), *n entries. */
int bg_exec_vouch_all(const struct bg_policy *p, struct bg_file_vouch **out, unsigned *n, struct bg_diag *diag);

/* Attach side.  bg_exec_apply writes the slot's entries and flags and
 * makes sure the programs the mechanism needs are attached; on failure it
 * undoes its own writes.  lsm: BPF LSM is usable here (else kill at exec).
 * audit: record only.  Entries whose content does not match the policy's
 * hash refuse the attach (err says which file). */
int bg_exec_apply(struct bg_state *st, uint32_t slot, const struct bg_policy *p, bool lsm, bool audit,
		  struct bg_diag *diag);
/* Empties a slot's flags and entries: 0 or -errno. */
int bg_exec_clear_slot(struct bg_state *st, uint32_t slot);
/* Programs up while a slot needs them, down otherwise (after detach). */
void bg_exec_sync_links(struct bg_state *st);
/* One line for attach/status/run: what is listed and what enforces it
 * ("" without an exec section). */
void bg_exec_summary(const struct bg_policy *p, bool lsm, char *buf, size_t len);
/* The same from what is attached (status): "" if the slot has no exec
 * section. */
void bg_exec_summary_slot(uint32_t slot, char *buf, size_t len);
/* What enforces the slot's exec section now: "lsm" (EACCES at exec),
 * "fanotify" (the exec gate answers: EPERM at execve, kill as backstop),
 * "kill" (sched_process_exec), "audit"; NULL without one.  The names of
 * mechanism.h (bg_mech_name) plus "fanotify". */
const char *bg_exec_mechanism_slot(uint32_t slot);
/* Rewrites bg_exec_trusted from the store, if the map is pinned. */
int bg_exec_sync_trusted(const struct bg_trust *t, struct bg_diag *diag);

#endif

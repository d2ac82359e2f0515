/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * derive.h - the syscall numbers a static Go binary can issue, found in
 * its machine code without running it (`bpfguard policy derive`,
 * docs/derive.md).
 *
 * Every function of the pclntab (pclntab.h) is decoded with Capstone.  Two
 * kinds of call site give a number:
 *   - a SYSCALL instruction: the number is the constant last put in
 *     EAX/RAX in the same basic block;
 *   - a direct CALL to a syscall wrapper (syscall.Syscall, RawSyscall6,
 *     runtime/internal/syscall.Syscall6, golang.org/x/sys/unix.Syscall...;
 *     bg_derive_is_wrapper): the trap is the first integer argument, RAX
 *     with the register ABI (Go 1.17+), the first stack slot 0(SP) with
 *     ABI0 (before 1.17, and for a call to an assembly function of the
 *     caller's own package since): both are looked at (derive.c).
 * The arguments that are constants at a site are kept with it (argknown).
 * A site whose number is not a constant there is kept as unresolved
 * (nr = -1) with its function, never dropped.  SYSCALLs inside the
 * wrappers themselves carry their caller's number and are not sites.
 *
 * Only numbers here: names and the policy are user/core/derive_policy.c
 * (this library sees no syscall table).
 */
#ifndef BG_DERIVE_H
#define BG_DERIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "go_buildinfo.h"
#include "go_elf.h"
#include "pclntab.h"

enum bg_derive_kind {
	BG_DERIVE_SYSCALL = 0, /* a SYSCALL instruction */
	BG_DERIVE_WRAPPER = 1, /* a CALL to a syscall wrapper */
};

#define BG_DERIVE_NARGS 6

struct bg_derive_site {
	uint64_t pc;     /* of the SYSCALL or CALL */
	uint32_t func;   /* pclntab index of the function it is in */
	uint32_t callee; /* pclntab index of the wrapper (BG_DERIVE_WRAPPER) */
	int64_t nr;      /* the number; -1 when not a constant */
	uint8_t kind;    /* enum bg_derive_kind */
	bool from_global; /* nr is the initial value of a writable global */
	/* The syscall's arguments that are constants at the site, found the
	 * way the number is (same basic block; never a variable's initial
	 * value): bit k of argknown says arg[k] is the exact 64-bit value
	 * the call passes.  derive_policy.c turns them into conditions. */
	uint8_t argknown;
	uint64_t arg[BG_DERIVE_NARGS];
};

struct bg_derive {
	struct bg_elf elf; /* over the caller's buffer, which must outlive dv */
	struct bg_pclntab tab;
	struct bg_derive_site *sites; /* sorted by nr, then pc */
	size_t nsites;

	/* from the build info, when there is one */
	char go_version[32]; /* "go1.19.8", "" if unknown */
	bool have_buildinfo;
	bool cgo;            /* C code linked in: libc's calls are invisible */
	bool is_static;
	char cgo_why[160];   /* the first evidence, for the message */
	bool regabi;         /* the Go version has the register ABI (1.17+); informational */

	/* what was decoded */
	size_t funcs_decoded, funcs_unmapped; /* unmapped: code not in the file */
	uint64_t instructions, code_bytes, bad_bytes; /* bad: undecodable, skipped */
	uint64_t elapsed_us;
};

/*
 * Reads the binary of len bytes at buf (an ELF file) and fills dv.  False
 * with d set when it is not an x86-64 Go ELF binary or its function table
 * is malformed; a cgo binary is derived (dv->cgo set): refusing it is the
 * caller's choice.
 */
bool bg_derive_binary(const uint8_t *buf, size_t len, struct bg_derive *dv, struct bg_diag *d);
void bg_derive_free(struct bg_derive *dv);

/* Is the function called name a syscall wrapper whose first argument is
 * the trap number? */
bool bg_derive_is_wrapper(const char *name);

/* Name of function i of the table. */
const char *bg_derive_func_name(const struct bg_derive *dv, uint32_t i);

#endif

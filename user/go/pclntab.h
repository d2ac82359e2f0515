/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * pclntab.h - the Go function table (pclntab) of a binary, read without a
 * Go toolchain: each function's entry PC, end and name.  Used by
 * `bpfguard policy derive` (docs/derive.md) to know where every function's
 * code is and what it is called, also in a stripped binary: the runtime
 * needs this table for stack traces, so `strip` cannot remove it.
 *
 * Layouts (the header's magic; runtime/symtab.go, debug/gosym):
 *   0xfffffffb  Go 1.2 .. 1.15   functab of (pc, funcoff) words
 *   0xfffffffa  Go 1.16, 1.17    header with offsets, word-sized functab
 *   0xfffffff0  Go 1.18, 1.19    textStart in the header, functab of
 *   0xfffffff1  Go 1.20 ..       uint32 (entryoff, funcoff) pairs
 * Anything else is refused.
 *
 * The input is hostile: bg_pcln_parse() checks the header, every offset and
 * the whole function table once (entries in order, every record and name
 * inside the table, names NUL-terminated), so the accessors after it
 * cannot fail and read nothing unchecked.  Nothing is allocated.
 */
#ifndef BG_PCLNTAB_H
#define BG_PCLNTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "go_elf.h"

enum bg_pcln_version {
	BG_PCLN_NONE = 0,
	BG_PCLN_12 = 12,   /* Go 1.2 .. 1.15 */
	BG_PCLN_116 = 116, /* Go 1.16, 1.17 */
	BG_PCLN_118 = 118, /* Go 1.18, 1.19 */
	BG_PCLN_120 = 120, /* Go 1.20 and later */
};

/* More functions than this is not a Go binary we want to read (the Go
 * toolchain itself has ~20,000): a hostile count is refused early. */
#define BG_PCLN_MAX_FUNCS (1u << 22)

struct bg_pclntab {
	const uint8_t *data; /* the table, from its header */
	size_t len;
	uint64_t addr;       /* its virtual address (0 if unknown) */
	enum bg_pcln_version version;
	unsigned ptrsize;    /* 4 or 8 */
	unsigned minlc;      /* instruction size quantum: 1 on x86 */
	size_t nfunc;
	uint64_t text_start; /* entry PCs of >= 1.18 are offsets from it */
	const uint8_t *functab, *funcdata, *funcnames;
	size_t functab_len, funcdata_len, funcnames_len;
	unsigned fieldsize;  /* 4 (>= 1.18) or ptrsize */
	const char *source;  /* ".gopclntab section" or "magic in a PT_LOAD segment" */
};

struct bg_pcln_func {
	uint64_t entry, end; /* [entry, end) */
	const char *name;    /* NUL-terminated, inside the table */
};

/*
 * Checks and opens the table of len bytes at p (its header first).
 * text_hint is the address of .text (or 0 if unknown): used only when a
 * >= 1.18 header's textStart is 0 (a PIE binary's field is filled by a
 * dynamic relocation at load time).  addr is where the table is mapped.
 * On failure returns false with one line in err ("what is wrong at which
 * offset").
 */
bool bg_pcln_parse(const uint8_t *p, size_t len, uint64_t addr, uint64_t text_hint,
		   struct bg_pclntab *t, char *err, size_t errlen);

/*
 * Finds the table of an ELF file: the .gopclntab section if there is one,
 * else (PIE, external linking, stripped section headers) the first offset
 * in a PT_LOAD segment where a valid table starts.  d says why on failure.
 */
bool bg_pcln_find(const struct bg_elf *e, struct bg_pclntab *t, struct bg_diag *d);

/* Function i (< t->nfunc): never fails after bg_pcln_parse succeeded. */
void bg_pcln_func(const struct bg_pclntab *t, size_t i, struct bg_pcln_func *f);

/* Index of the function whose [entry, end) holds pc, or -1. */
long bg_pcln_lookup(const struct bg_pclntab *t, uint64_t pc);

/* "Go 1.18-1.19" and so on, for messages. */
const char *bg_pcln_version_name(enum bg_pcln_version v);

#endif

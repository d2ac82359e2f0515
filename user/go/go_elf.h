/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * go_elf.h - a small, bounds-checked ELF reader over an in-memory buffer.
 *
 * Written for `bpfguard go inspect`: the file is untrusted, so nothing here
 * trusts an offset, size or count read from it.  ELF32 and ELF64, little and
 * big endian.  Headers are decoded on demand (no tables are allocated, so a
 * hostile e_shnum cannot make us allocate gigabytes); every accessor checks
 * what it reads against the buffer with overflow-safe arithmetic and fails
 * rather than guessing.  No libelf: libelf trusts sizes more than we want
 * and would pull the whole file through its own allocator.
 */
#ifndef BG_GO_ELF_H
#define BG_GO_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The few ELF constants the Go readers need (values from the gABI). */
enum {
	BG_PT_LOAD = 1,
	BG_PT_DYNAMIC = 2,
	BG_PT_INTERP = 3,
	BG_PF_X = 1,
	BG_PF_W = 2,
	BG_PF_R = 4,
	BG_SHT_SYMTAB = 2,
	BG_SHT_NOBITS = 8,
	BG_SHT_DYNSYM = 11,
	BG_DT_NULL = 0,
	BG_DT_NEEDED = 1,
	BG_DT_STRTAB = 5,
	BG_DT_STRSZ = 10,
};

/* bg_elf_open results */
enum bg_elf_status {
	BG_ELF_OK = 0,
	BG_ELF_NOT_ELF = 1, /* no ELF magic, or too short to hold an ELF header */
	BG_ELF_BAD = 2,     /* ELF magic but malformed or truncated: see err */
};

struct bg_elf {
	const uint8_t *buf;
	size_t len;
	bool is64;
	bool big_endian;
	uint16_t type;    /* e_type: ET_EXEC 2, ET_DYN 3, ... */
	uint16_t machine; /* e_machine */
	uint64_t phoff, shoff;
	size_t phentsize, shentsize;
	size_t phnum, shnum;
	size_t shstrndx; /* (size_t)-1 when there is no usable string table */
	char err[160];   /* why bg_elf_open said BG_ELF_BAD */
};

/* Decoded headers: the widths are the ELF64 ones for both classes. */
struct bg_elf_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz;
};

struct bg_elf_shdr {
	uint32_t name, type, link, info;
	uint64_t flags, addr, offset, size, entsize;
};

/*
 * Checks the ELF header and that the program and section header tables lie
 * inside the buffer.  Section/segment contents are checked when used.  A
 * missing section header table (e_shoff = 0, e.g. after sstrip) is not an
 * error: shnum is then 0.
 */
enum bg_elf_status bg_elf_open(struct bg_elf *e, const uint8_t *buf, size_t len);

bool bg_elf_phdr(const struct bg_elf *e, size_t i, struct bg_elf_phdr *out);
bool bg_elf_shdr(const struct bg_elf *e, size_t i, struct bg_elf_shdr *out);

/* Name of a section: NUL-terminated inside .shstrtab, or NULL. */
const char *bg_elf_section_name(const struct bg_elf *e, const struct bg_elf_shdr *sh);
/* First section called name; false if none. */
bool bg_elf_find_section(const struct bg_elf *e, const char *name, struct bg_elf_shdr *out);
/* The file bytes of a section (false for SHT_NOBITS or out of bounds). */
bool bg_elf_section_data(const struct bg_elf *e, const struct bg_elf_shdr *sh,
			 const uint8_t **data, size_t *len);

/*
 * Maps a virtual address through the PT_LOAD segments to the file: *data
 * points at it and *avail is how many file-backed bytes follow it in that
 * segment (clamped to the buffer).  False if no segment holds the address
 * in its file part (the .bss tail is not in the file).
 */
bool bg_elf_vaddr(const struct bg_elf *e, uint64_t addr, const uint8_t **data, size_t *avail);

/* Integers in the file's byte order; the caller has checked the bounds. */
uint64_t bg_elf_rd(const struct bg_elf *e, const uint8_t *p, size_t width);

/* PT_INTERP: true if present; *path is set when it is a bounded string. */
bool bg_elf_interp(const struct bg_elf *e, const char **path, size_t *len);
bool bg_elf_has_dynamic(const struct bg_elf *e);

/*
 * Calls fn for each DT_NEEDED name (PT_DYNAMIC entries, names looked up in
 * DT_STRTAB mapped through PT_LOAD).  Stops early when fn returns false.
 * Returns how many DT_NEEDED entries there were, named or not.
 */
size_t bg_elf_needed(const struct bg_elf *e, bool (*fn)(void *ctx, const char *name), void *ctx);

/*
 * Looks up n symbol names in .symtab and .dynsym at once.  found[i] is set
 * to 1 (.symtab) or 2 (.dynsym) for the names present (never cleared).
 * Returns false if the file has neither table.
 */
bool bg_elf_find_symbols(const struct bg_elf *e, const char *const *names, size_t n,
			 int *found);

#endif

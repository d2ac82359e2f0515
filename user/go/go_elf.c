// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * go_elf.c - bounds-checked ELF reader for the Go binary inspectors.
 *
 * Every number read from the file is treated as hostile: offsets and sizes
 * are checked with in_range() (which cannot overflow) before a byte is
 * touched, counts are bounded by what fits in the buffer, and strings are
 * only returned when their NUL terminator lies inside both the table they
 * belong to and the buffer.  Nothing is allocated.
 */
#include <stdio.h>
#include <string.h>

#include "go_elf.h"

#define EI_NIDENT 16
#define ELF64_EHDR 64
#define ELF32_EHDR 52
#define ELF64_PHDR 56
#define ELF32_PHDR 32
#define ELF64_SHDR 64
#define ELF32_SHDR 40
#define ELF64_SYM 24
#define ELF32_SYM 16
#define PN_XNUM 0xffff
#define SHN_XINDEX 0xffff

/* [off, off + n) lies inside a buffer of len bytes; no overflow possible. */
static bool in_range(size_t len, uint64_t off, uint64_t n)
{
	return off <= len && n <= len - off;
}

uint64_t bg_elf_rd(const struct bg_elf *e, const uint8_t *p, size_t width)
{
	uint64_t v = 0;

	if (e->big_endian) {
		for (size_t i = 0; i < width; i++)
			v = v << 8 | p[i];
	} else {
		for (size_t i = width; i > 0; i--)
			v = v << 8 | p[i - 1];
	}
	return v;
}

/* Word: 4 bytes in ELF32, 8 in ELF64 (addresses, offsets, sizes). */
static uint64_t rd_word(const struct bg_elf *e, const uint8_t *p)
{
	return bg_elf_rd(e, p, e->is64 ? 8 : 4);
}

static void raw_shdr(const struct bg_elf *e, const uint8_t *p, struct bg_elf_shdr *sh)
{
	sh->name = (uint32_t)bg_elf_rd(e, p, 4);
	sh->type = (uint32_t)bg_elf_rd(e, p + 4, 4);
	if (e->is64) {
		sh->flags = bg_elf_rd(e, p + 8, 8);
		sh->addr = bg_elf_rd(e, p + 16, 8);
		sh->offset = bg_elf_rd(e, p + 24, 8);
		sh->size = bg_elf_rd(e, p + 32, 8);
		sh->link = (uint32_t)bg_elf_rd(e, p + 40, 4);
		sh->info = (uint32_t)bg_elf_rd(e, p + 44, 4);
		sh->entsize = bg_elf_rd(e, p + 56, 8);
	} else {
		sh->flags = bg_elf_rd(e, p + 8, 4);
		sh->addr = bg_elf_rd(e, p + 12, 4);
		sh->offset = bg_elf_rd(e, p + 16, 4);
		sh->size = bg_elf_rd(e, p + 20, 4);
		sh->link = (uint32_t)bg_elf_rd(e, p + 24, 4);
		sh->info = (uint32_t)bg_elf_rd(e, p + 28, 4);
		sh->entsize = bg_elf_rd(e, p + 36, 4);
	}
}

static enum bg_elf_status bad(struct bg_elf *e, const char *what)
{
	snprintf(e->err, sizeof(e->err), "%s", what);
	return BG_ELF_BAD;
}

/* A table of num entries of entsize bytes at off must fit in the buffer. */
static bool table_fits(size_t len, uint64_t off, size_t num, size_t entsize)
{
	uint64_t bytes;

	if (__builtin_mul_overflow((uint64_t)num, (uint64_t)entsize, &bytes))
		return false;
	return in_range(len, off, bytes);
}

/* EI_CLASS (32/64-bit) and EI_DATA (little/big endian) both say 1 for the
 * first choice and 2 for the second; anything else is unknown. */
static bool ident_choice(uint8_t v, bool *second)
{
	if (v != 1 && v != 2)
		return false;
	*second = v == 2;
	return true;
}

enum bg_elf_status bg_elf_open(struct bg_elf *e, const uint8_t *buf, size_t len)
{
	static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };
	size_t ehsize, min_ph, min_sh;
	uint64_t phnum, shnum, shstrndx;
	const uint8_t *h = buf;

	memset(e, 0, sizeof(*e));
	e->buf = buf;
	e->len = len;
	e->shstrndx = (size_t)-1;
	if (len < EI_NIDENT || memcmp(buf, magic, 4) != 0)
		return BG_ELF_NOT_ELF;
	if (!ident_choice(buf[4], &e->is64)) /* EI_CLASS */
		return bad(e, "unknown ELF class (neither 32- nor 64-bit)");
	if (!ident_choice(buf[5], &e->big_endian)) /* EI_DATA */
		return bad(e, "unknown ELF byte order");
	ehsize = e->is64 ? ELF64_EHDR : ELF32_EHDR;
	min_ph = e->is64 ? ELF64_PHDR : ELF32_PHDR;
	min_sh = e->is64 ? ELF64_SHDR : ELF32_SHDR;
	if (len < ehsize)
		return bad(e, "truncated ELF header");

	e->type = (uint16_t)bg_elf_rd(e, h + 16, 2);
	e->machine = (uint16_t)bg_elf_rd(e, h + 18, 2);
	if (e->is64) {
		e->phoff = bg_elf_rd(e, h + 32, 8);
		e->shoff = bg_elf_rd(e, h + 40, 8);
		h += 54;
	} else {
		e->phoff = bg_elf_rd(e, h + 28, 4);
		e->shoff = bg_elf_rd(e, h + 32, 4);
		h += 42;
	}
	/* h: e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx */
	e->phentsize = (size_t)bg_elf_rd(e, h, 2);
	phnum = bg_elf_rd(e, h + 2, 2);
	e->shentsize = (size_t)bg_elf_rd(e, h + 4, 2);
	shnum = bg_elf_rd(e, h + 6, 2);
	shstrndx = bg_elf_rd(e, h + 8, 2);

	/*
	 * Sections first: with more than 0xfeff sections or segments the real
	 * counts live in section 0 (gABI "extended numbering").
	 */
	if (e->shoff != 0 && (shnum != 0 || e->shentsize != 0)) {
		struct bg_elf_shdr s0;

		if (e->shentsize < min_sh)
			return bad(e, "section header entries are too small");
		if (!in_range(len, e->shoff, e->shentsize))
			return bad(e, "section header table lies past the end of the file (truncated?)");
		raw_shdr(e, buf + e->shoff, &s0);
		if (shnum == 0)
			shnum = s0.size;
		if (shstrndx == SHN_XINDEX)
			shstrndx = s0.link;
		if (phnum == PN_XNUM)
			phnum = s0.info;
		/* size_t may be 32 bits: what does not fit in the buffer is bad anyway */
		if (shnum > len / e->shentsize || !table_fits(len, e->shoff, (size_t)shnum, e->shentsize))
			return bad(e, "section header table lies past the end of the file (truncated?)");
		e->shnum = (size_t)shnum;
		if (shstrndx != 0 && shstrndx < shnum)
			e->shstrndx = (size_t)shstrndx;
	}
	if (phnum != 0) {
		if (e->phentsize < min_ph)
			return bad(e, "program header entries are too small");
		if (phnum > len / e->phentsize || !table_fits(len, e->phoff, (size_t)phnum, e->phentsize))
			return bad(e, "program header table lies past the end of the file (truncated?)");
		e->phnum = (size_t)phnum;
	}
	return BG_ELF_OK;
}

bool bg_elf_phdr(const struct bg_elf *e, size_t i, struct bg_elf_phdr *ph)
{
	const uint8_t *p;

	if (i >= e->phnum)
		return false;
	/* bg_elf_open checked that the whole table fits */
	p = e->buf + e->phoff + (uint64_t)i * e->phentsize;
	ph->type = (uint32_t)bg_elf_rd(e, p, 4);
	if (e->is64) {
		ph->flags = (uint32_t)bg_elf_rd(e, p + 4, 4);
		ph->offset = bg_elf_rd(e, p + 8, 8);
		ph->vaddr = bg_elf_rd(e, p + 16, 8);
		ph->filesz = bg_elf_rd(e, p + 32, 8);
		ph->memsz = bg_elf_rd(e, p + 40, 8);
	} else {
		ph->offset = bg_elf_rd(e, p + 4, 4);
		ph->vaddr = bg_elf_rd(e, p + 8, 4);
		ph->filesz = bg_elf_rd(e, p + 16, 4);
		ph->memsz = bg_elf_rd(e, p + 20, 4);
		ph->flags = (uint32_t)bg_elf_rd(e, p + 24, 4);
	}
	return true;
}

bool bg_elf_shdr(const struct bg_elf *e, size_t i, struct bg_elf_shdr *sh)
{
	if (i >= e->shnum)
		return false;
	raw_shdr(e, e->buf + e->shoff + (uint64_t)i * e->shentsize, sh);
	return true;
}

bool bg_elf_section_data(const struct bg_elf *e, const struct bg_elf_shdr *sh,
			 const uint8_t **data, size_t *len)
{
	if (sh->type == BG_SHT_NOBITS || !in_range(e->len, sh->offset, sh->size))
		return false;
	*data = e->buf + sh->offset;
	*len = (size_t)sh->size;
	return true;
}

/* String idx of a string table of tlen bytes: only if its NUL is inside. */
static const char *table_str(const uint8_t *tab, size_t tlen, uint64_t idx)
{
	if (idx >= tlen || !memchr(tab + idx, '\0', tlen - (size_t)idx))
		return NULL;
	return (const char *)tab + idx;
}

/* Is string idx of a string table of tlen bytes exactly name (nlen bytes)?
 * The name plus its NUL must fit in the table: no strlen on file data. */
static bool table_str_is(const uint8_t *tab, size_t tlen, uint64_t idx, const char *name, size_t nlen)
{
	return idx < tlen && nlen < tlen - idx && memcmp(tab + idx, name, nlen + 1) == 0;
}

/* The contents of section idx, a string table (section names, symbol names). */
static bool strtab_of(const struct bg_elf *e, size_t idx, const uint8_t **tab, size_t *tlen)
{
	struct bg_elf_shdr strs;

	return bg_elf_shdr(e, idx, &strs) && bg_elf_section_data(e, &strs, tab, tlen);
}

const char *bg_elf_section_name(const struct bg_elf *e, const struct bg_elf_shdr *sh)
{
	const uint8_t *tab;
	size_t tlen;

	if (!strtab_of(e, e->shstrndx, &tab, &tlen))
		return NULL;
	return table_str(tab, tlen, sh->name);
}

bool bg_elf_find_section(const struct bg_elf *e, const char *name, struct bg_elf_shdr *out)
{
	struct bg_elf_shdr sh;
	const uint8_t *tab;
	size_t tlen, nlen = strlen(name);

	if (!strtab_of(e, e->shstrndx, &tab, &tlen))
		return false;
	for (size_t i = 1; i < e->shnum; i++) {
		bg_elf_shdr(e, i, &sh);
		if (table_str_is(tab, tlen, sh.name, name, nlen)) {
			*out = sh;
			return true;
		}
	}
	return false;
}

bool bg_elf_vaddr(const struct bg_elf *e, uint64_t addr, const uint8_t **data, size_t *avail)
{
	struct bg_elf_phdr ph;

	for (size_t i = 0; i < e->phnum; i++) {
		uint64_t rel, off, n;

		bg_elf_phdr(e, i, &ph);
		if (ph.type != BG_PT_LOAD || addr < ph.vaddr)
			continue;
		rel = addr - ph.vaddr;
		if (rel >= ph.filesz)
			continue;
		/* rel < filesz, so no overflow below unless offset is huge */
		if (__builtin_add_overflow(ph.offset, rel, &off) || off >= e->len)
			continue;
		n = ph.filesz - rel;
		if (n > e->len - off)
			n = e->len - off; /* segment runs past the end: truncated file */
		*data = e->buf + off;
		*avail = (size_t)n;
		return true;
	}
	return false;
}

static bool find_phdr(const struct bg_elf *e, uint32_t type, struct bg_elf_phdr *out)
{
	for (size_t i = 0; i < e->phnum; i++) {
		bg_elf_phdr(e, i, out);
		if (out->type == type)
			return true;
	}
	return false;
}

bool bg_elf_interp(const struct bg_elf *e, const char **path, size_t *len)
{
	struct bg_elf_phdr ph;
	const uint8_t *nul;

	*path = NULL;
	*len = 0;
	if (!find_phdr(e, BG_PT_INTERP, &ph))
		return false;
	if (in_range(e->len, ph.offset, ph.filesz) && ph.filesz > 0) {
		nul = memchr(e->buf + ph.offset, '\0', (size_t)ph.filesz);
		if (nul) {
			*path = (const char *)e->buf + ph.offset;
			*len = (size_t)(nul - (e->buf + ph.offset));
		}
	}
	return true;
}

bool bg_elf_has_dynamic(const struct bg_elf *e)
{
	struct bg_elf_phdr ph;

	return find_phdr(e, BG_PT_DYNAMIC, &ph);
}

/* Entry i of the dynamic section (d_tag, d_val: a word each); false at
 * DT_NULL, its end.  The caller bounds i by the segment's size. */
static bool dyn_entry(const struct bg_elf *e, const uint8_t *dyn, size_t i, uint64_t *tag, uint64_t *val)
{
	size_t w = e->is64 ? 8 : 4;

	*tag = rd_word(e, dyn + i * 2 * w);
	*val = rd_word(e, dyn + i * 2 * w + w);
	return *tag != BG_DT_NULL;
}

size_t bg_elf_needed(const struct bg_elf *e, bool (*fn)(void *ctx, const char *name), void *ctx)
{
	size_t w = e->is64 ? 8 : 4, n, count = 0, strsz_file = 0;
	uint64_t strtab = 0, strsz = 0;
	bool have_strtab = false, have_strsz = false;
	const uint8_t *dyn, *tab = NULL;
	struct bg_elf_phdr ph;

	if (!find_phdr(e, BG_PT_DYNAMIC, &ph) || ph.offset >= e->len)
		return 0;
	dyn = e->buf + ph.offset;
	n = (size_t)((ph.filesz < e->len - ph.offset ? ph.filesz : e->len - ph.offset) / (2 * w));
	/* first pass: where the strings are */
	for (size_t i = 0; i < n; i++) {
		uint64_t tag, val;

		if (!dyn_entry(e, dyn, i, &tag, &val))
			break;
		if (tag == BG_DT_STRTAB && !have_strtab) {
			strtab = val;
			have_strtab = true;
		} else if (tag == BG_DT_STRSZ && !have_strsz) {
			strsz = val;
			have_strsz = true;
		}
	}
	if (have_strtab && bg_elf_vaddr(e, strtab, &tab, &strsz_file)) {
		if (have_strsz && strsz < strsz_file)
			strsz_file = (size_t)strsz;
	} else {
		tab = NULL;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t tag, val;
		const char *name;

		if (!dyn_entry(e, dyn, i, &tag, &val))
			break;
		if (tag != BG_DT_NEEDED)
			continue;
		count++;
		name = tab ? table_str(tab, strsz_file, val) : NULL;
		if (fn && !fn(ctx, name ? name : "?"))
			fn = NULL; /* keep counting */
	}
	return count;
}

bool bg_elf_find_symbols(const struct bg_elf *e, const char *const *names, size_t n, int *found)
{
	size_t nlen[16];
	bool any = false;

	if (n > 16)
		n = 16; /* callers look for a handful of names */
	for (size_t k = 0; k < n; k++)
		nlen[k] = strlen(names[k]);
	for (size_t i = 1; i < e->shnum; i++) {
		struct bg_elf_shdr sh;
		const uint8_t *syms, *tab;
		size_t slen, tlen, ent, min = e->is64 ? ELF64_SYM : ELF32_SYM;

		bg_elf_shdr(e, i, &sh);
		if (sh.type != BG_SHT_SYMTAB && sh.type != BG_SHT_DYNSYM)
			continue;
		any = true;
		if (!bg_elf_section_data(e, &sh, &syms, &slen) || !strtab_of(e, sh.link, &tab, &tlen))
			continue;
		ent = sh.entsize >= min && sh.entsize <= slen ? (size_t)sh.entsize : min;
		/* off <= slen holds throughout, so slen - off cannot wrap */
		for (size_t off = 0; ent <= slen - off; off += ent) {
			uint64_t name = bg_elf_rd(e, syms + off, 4); /* st_name, both classes */

			if (name == 0)
				continue;
			for (size_t k = 0; k < n; k++)
				if (!found[k] && table_str_is(tab, tlen, name, names[k], nlen[k]))
					found[k] = sh.type == BG_SHT_SYMTAB ? 1 : 2;
		}
	}
	return any;
}

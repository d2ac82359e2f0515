// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pclntab.c - the Go function table (pclntab.h says which layouts).
 *
 * Everything is validated in bg_pcln_parse(): after it, the accessors read
 * only what was checked.  Offsets are compared with in_range(), which
 * cannot overflow; counts are bounded by what fits in the table before
 * anything is multiplied.  Little-endian only (x86-64 is what derive
 * decodes); a big-endian magic is refused as "not a table".
 */
#include <stdio.h>
#include <string.h>

#include "pclntab.h"

static bool in_range(size_t len, uint64_t off, uint64_t n)
{
	return off <= len && n <= len - off;
}

static uint64_t rd(const uint8_t *p, unsigned width)
{
	uint64_t v = 0;

	for (unsigned i = width; i > 0; i--)
		v = v << 8 | p[i - 1];
	return v;
}

const char *bg_pcln_version_name(enum bg_pcln_version v)
{
	switch (v) {
	case BG_PCLN_12: return "Go 1.2-1.15";
	case BG_PCLN_116: return "Go 1.16-1.17";
	case BG_PCLN_118: return "Go 1.18-1.19";
	case BG_PCLN_120: return "Go 1.20+";
	default: return "unknown";
	}
}

static bool fail(char *err, size_t errlen, const char *fmt, unsigned long long a, unsigned long long b)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, a, b);
	return false;
}

/* Field i of the function table (entries and offsets alternate). */
static uint64_t ft(const struct bg_pclntab *t, size_t i)
{
	return rd(t->functab + i * t->fieldsize, t->fieldsize);
}

static uint64_t entry_pc(const struct bg_pclntab *t, size_t i)
{
	uint64_t v = ft(t, 2 * i);

	return t->version >= BG_PCLN_118 ? t->text_start + v : v;
}

/* The name offset of the _func record at off in funcdata (checked). */
static bool name_of(const struct bg_pclntab *t, uint64_t funcoff, const char **name)
{
	/* _func: entry (uint32 entryOff >= 1.18, uintptr before), nameOff int32 */
	unsigned entw = t->version >= BG_PCLN_118 ? 4 : t->ptrsize;
	uint64_t nameoff;
	const uint8_t *s;

	if (!in_range(t->funcdata_len, funcoff, entw + 4))
		return false;
	nameoff = rd(t->funcdata + funcoff + entw, 4);
	if (nameoff >= t->funcnames_len)
		return false;
	s = t->funcnames + nameoff;
	if (!memchr(s, '\0', t->funcnames_len - nameoff))
		return false;
	*name = (const char *)s;
	return true;
}

bool bg_pcln_parse(const uint8_t *p, size_t len, uint64_t addr, uint64_t text_hint,
		   struct bg_pclntab *t, char *err, size_t errlen)
{
	uint32_t magic;
	uint64_t nfunc, w[8];
	unsigned hdrw; /* header words after the first 8 bytes */
	uint64_t need, prev_entry = 0;

	memset(t, 0, sizeof(*t));
	if (len < 16)
		return fail(err, errlen, "too short for a pclntab header (%llu bytes)%.0llu", len, 0);
	magic = (uint32_t)rd(p, 4);
	switch (magic) {
	case 0xfffffffbu: t->version = BG_PCLN_12; hdrw = 1; break;
	case 0xfffffffau: t->version = BG_PCLN_116; hdrw = 7; break;
	case 0xfffffff0u: t->version = BG_PCLN_118; hdrw = 8; break;
	case 0xfffffff1u: t->version = BG_PCLN_120; hdrw = 8; break;
	default:
		return fail(err, errlen, "unknown pclntab magic 0x%08llx%.0llu", magic, 0);
	}
	if (p[4] != 0 || p[5] != 0)
		return fail(err, errlen, "pclntab header padding is not zero (%llu, %llu)", p[4], p[5]);
	t->minlc = p[6];
	t->ptrsize = p[7];
	if (t->ptrsize != 4 && t->ptrsize != 8)
		return fail(err, errlen, "pclntab pointer size %llu is neither 4 nor 8%.0llu", p[7], 0);
	if (t->minlc != 1 && t->minlc != 2 && t->minlc != 4)
		return fail(err, errlen, "pclntab instruction quantum %llu is not 1, 2 or 4%.0llu", p[6], 0);
	if (!in_range(len, 8, (uint64_t)hdrw * t->ptrsize))
		return fail(err, errlen, "pclntab header truncated (%llu bytes, needs %llu)", len,
			    8 + (unsigned long long)hdrw * t->ptrsize);
	for (unsigned i = 0; i < hdrw; i++)
		w[i] = rd(p + 8 + i * t->ptrsize, t->ptrsize);
	nfunc = w[0];
	if (nfunc == 0 || nfunc > BG_PCLN_MAX_FUNCS)
		return fail(err, errlen, "pclntab function count %llu is out of range (1..%llu)", nfunc,
			    BG_PCLN_MAX_FUNCS);
	t->nfunc = (size_t)nfunc;
	t->data = p;
	t->len = len;
	t->addr = addr;

	/* Where the function table, the _func records and the names are. */
	switch (t->version) {
	case BG_PCLN_12:
		t->fieldsize = t->ptrsize;
		t->functab = p + 8 + t->ptrsize;
		t->functab_len = len - 8 - t->ptrsize;
		t->funcdata = t->funcnames = p; /* offsets from the header */
		t->funcdata_len = t->funcnames_len = len;
		break;
	case BG_PCLN_116:
	case BG_PCLN_118:
	case BG_PCLN_120: {
		/* 1.16: nfunc nfiles funcname cu filetab pctab pcln;
		 * 1.18: nfunc nfiles textStart funcname cu filetab pctab pcln */
		unsigned k = t->version == BG_PCLN_116 ? 2 : 3;
		uint64_t fnoff = w[k], pcln = w[k + 4];

		if (fnoff >= len || pcln >= len)
			return fail(err, errlen, "pclntab offsets out of the table (names at %llu, functions at %llu)",
				    fnoff, pcln);
		t->fieldsize = t->version == BG_PCLN_116 ? t->ptrsize : 4;
		t->funcnames = p + fnoff;
		t->funcnames_len = len - fnoff;
		t->functab = t->funcdata = p + pcln;
		t->functab_len = t->funcdata_len = len - pcln;
		if (t->version != BG_PCLN_116) {
			t->text_start = w[2] ? w[2] : text_hint;
			if (!t->text_start)
				return fail(err, errlen, "pclntab textStart is 0 and the binary has no .text section "
					    "to take it from%.0llu%.0llu", 0, 0);
		}
		break;
	}
	default:
		return false;
	}
	/* nfunc (entry, funcoff) pairs and the end PC */
	need = ((uint64_t)nfunc * 2 + 1) * t->fieldsize;
	if (!in_range(t->functab_len, 0, need))
		return fail(err, errlen, "pclntab function table truncated: %llu functions need %llu bytes",
			    nfunc, need);
	for (size_t i = 0; i <= t->nfunc; i++) {
		uint64_t e = entry_pc(t, i);
		const char *name;

		if (i > 0 && e < prev_entry)
			return fail(err, errlen, "pclntab function %llu starts before the one before it (at 0x%llx)",
				    i, e);
		if (i > 0 && e == prev_entry && i == t->nfunc)
			return fail(err, errlen, "pclntab last function %llu is empty (ends at 0x%llx)", i - 1, e);
		prev_entry = e;
		if (i == t->nfunc)
			break;
		if (!name_of(t, ft(t, 2 * i + 1), &name))
			return fail(err, errlen, "pclntab function %llu: record or name out of the table (record at %llu)",
				    i, ft(t, 2 * i + 1));
	}
	return true;
}

void bg_pcln_func(const struct bg_pclntab *t, size_t i, struct bg_pcln_func *f)
{
	f->entry = entry_pc(t, i);
	f->end = entry_pc(t, i + 1);
	if (!name_of(t, ft(t, 2 * i + 1), &f->name))
		f->name = "?"; /* cannot happen after bg_pcln_parse */
}

long bg_pcln_lookup(const struct bg_pclntab *t, uint64_t pc)
{
	size_t lo = 0, hi = t->nfunc;

	if (!t->nfunc || pc < entry_pc(t, 0) || pc >= entry_pc(t, t->nfunc))
		return -1;
	/* the last i with entry(i) <= pc */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (entry_pc(t, mid) <= pc)
			lo = mid;
		else
			hi = mid;
	}
	return (long)lo;
}

/* The address of .text, for a >= 1.18 header whose textStart is 0. */
static uint64_t text_addr(const struct bg_elf *e)
{
	struct bg_elf_shdr sh;

	return bg_elf_find_section(e, ".text", &sh) ? sh.addr : 0;
}

/* At most this many magic matches are fully checked: a hostile file full
 * of magics cannot make the search quadratic. */
#define MAX_CANDIDATES 64

bool bg_pcln_find(const struct bg_elf *e, struct bg_pclntab *t, struct bg_diag *d)
{
	struct bg_elf_shdr sh;
	const uint8_t *data;
	size_t len, tried = 0;
	char err[200] = "";
	uint64_t hint = text_addr(e);

	if (e->machine != 62 /* EM_X86_64 */ || !e->is64 || e->big_endian) {
		bg_diag_set(d, "not an x86-64 ELF binary (machine %u); derive decodes x86-64 code only",
			    e->machine);
		return false;
	}
	if (bg_elf_find_section(e, ".gopclntab", &sh)) {
		if (!bg_elf_section_data(e, &sh, &data, &len)) {
			bg_diag_set(d, "the .gopclntab section lies outside the file (truncated?)");
			return false;
		}
		if (!bg_pcln_parse(data, len, sh.addr, hint, t, err, sizeof(err))) {
			bg_diag_set(d, "malformed Go function table in .gopclntab: %s", err);
			return false;
		}
		t->source = ".gopclntab section";
		return true;
	}
	/* No section (PIE and external linking put the table in .data.rel.ro;
	 * sstrip removes the section headers): look for the header in the
	 * file-backed part of each loadable segment, pointer-aligned. */
	for (size_t i = 0; i < e->phnum && tried < MAX_CANDIDATES; i++) {
		struct bg_elf_phdr ph;
		const uint8_t *seg;
		size_t avail;

		if (!bg_elf_phdr(e, i, &ph) || ph.type != BG_PT_LOAD || (ph.flags & BG_PF_X))
			continue;
		if (!bg_elf_vaddr(e, ph.vaddr, &seg, &avail))
			continue;
		for (size_t off = (8 - (ph.vaddr & 7)) & 7; off + 16 <= avail && tried < MAX_CANDIDATES; off += 8) {
			uint32_t m = (uint32_t)rd(seg + off, 4);

			if ((m != 0xfffffff0u && m != 0xfffffff1u && m != 0xfffffffau && m != 0xfffffffbu) ||
			    seg[off + 4] || seg[off + 5])
				continue;
			tried++;
			if (bg_pcln_parse(seg + off, avail - off, ph.vaddr + off, hint, t, err, sizeof(err))) {
				t->source = "magic in a PT_LOAD segment";
				return true;
			}
		}
	}
	if (tried)
		bg_diag_set(d, "no valid Go function table: %zu candidate%s found, the last one: %s", tried,
			    tried == 1 ? "" : "s", err);
	else
		bg_diag_set(d, "no Go function table (.gopclntab or its magic): not a Go binary, or not one "
			    "this reader knows (Go 1.2 and later)");
	return false;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Go build info reader: crafted ELF images (ELF32/ELF64, both byte orders,
 * with and without section headers, Go >= 1.18 inline and < 1.18 pointer
 * blobs), hostile variants (truncated headers, huge lengths, pointers out
 * of every segment, missing sentinels), the modinfo line rules, Go's
 * strconv quoting, and the cgo/static verdicts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "go_buildinfo.h"
#include "go_elf.h"

/* ------------------------------------------------------------------------ */
/* A tiny ELF writer.  File layout (offsets):
 *   0      ELF header          0x40   program headers (at most 4)
 *   0x200  PT_INTERP string    0x300  PT_DYNAMIC entries
 *   0x400  dynamic strings     0x500  .shstrtab
 *   0x600  .symtab             0x900  .strtab
 *   0xa00  section headers     0x1000 the data blob (the RW PT_LOAD)
 * The first PT_LOAD (read-only) maps 0..0x1000 at TEXT_VA, the second
 * maps the blob at DATA_VA.
 */
#define TEXT_VA 0x400000u
#define DATA_OFF 0x1000u
#define DATA_VA 0x401000u

struct spec {
	bool is64, be;
	const uint8_t *blob;
	size_t bloblen;
	bool sections;      /* .go.buildinfo, .shstrtab (and .symtab if syms) */
	bool exec_data;     /* the data segment is R+X: no fallback candidate */
	bool interp;        /* PT_INTERP */
	const char *needed; /* PT_DYNAMIC with one DT_NEEDED */
	const char *const *syms;
	size_t nsyms;
	const char *comment; /* a .comment section */
};

static void put(uint8_t *p, uint64_t v, size_t w, bool be)
{
	for (size_t i = 0; i < w; i++)
		p[be ? w - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

static uint8_t *build_elf(const struct spec *s, size_t *len)
{
	size_t w = s->is64 ? 8 : 4, phsz = s->is64 ? 56 : 32, shsz = s->is64 ? 64 : 40;
	size_t symsz = s->is64 ? 24 : 16, n = DATA_OFF + s->bloblen, nph = 0, nsh = 0;
	uint8_t *b = calloc(1, n), *p;
	bool be = s->be;
	/* section names in .shstrtab */
	static const char shstr[] = "\0.go.buildinfo\0.shstrtab\0.symtab\0.strtab\0.comment";
	enum { N_BI = 1, N_SHSTR = 15, N_SYMTAB = 25, N_STRTAB = 33, N_COMMENT = 41 };

	assert_non_null(b);
	memcpy(b, "\x7f" "ELF", 4);
	b[4] = s->is64 ? 2 : 1;
	b[5] = be ? 2 : 1;
	b[6] = 1;
	put(b + 16, 2, 2, be);  /* ET_EXEC */
	put(b + 18, 62, 2, be); /* EM_X86_64, whatever */
	put(b + 20, 1, 4, be);  /* e_version: Go's debug/elf insists */
	put(b + (s->is64 ? 32 : 28), 0x40, w, be); /* e_phoff */
	memcpy(b + DATA_OFF, s->blob, s->bloblen);

#define PH(type_, flags_, off_, va_, sz_) do {						\
		p = b + 0x40 + nph++ * phsz;							\
		put(p, type_, 4, be);								\
		if (s->is64) {									\
			put(p + 4, flags_, 4, be); put(p + 8, off_, 8, be);			\
			put(p + 16, va_, 8, be); put(p + 32, sz_, 8, be); put(p + 40, sz_, 8, be); \
		} else {									\
			put(p + 4, off_, 4, be); put(p + 8, va_, 4, be);			\
			put(p + 16, sz_, 4, be); put(p + 20, sz_, 4, be); put(p + 24, flags_, 4, be); \
		}										\
	} while (0)
	PH(BG_PT_LOAD, BG_PF_R, 0, TEXT_VA, DATA_OFF);
	PH(BG_PT_LOAD, BG_PF_R | (s->exec_data ? BG_PF_X : BG_PF_W), DATA_OFF, DATA_VA, s->bloblen);
	if (s->interp) {
		memcpy(b + 0x200, "/lib/ld.so", 11);
		PH(BG_PT_INTERP, BG_PF_R, 0x200, TEXT_VA + 0x200, 11);
	}
	if (s->needed) {
		memcpy(b + 0x401, s->needed, strlen(s->needed) + 1);
		p = b + 0x300;
		put(p, BG_DT_NEEDED, w, be);
		put(p + w, 1, w, be);
		put(p + 2 * w, BG_DT_STRTAB, w, be);
		put(p + 3 * w, TEXT_VA + 0x400, w, be);
		put(p + 4 * w, BG_DT_STRSZ, w, be);
		put(p + 5 * w, 0x100, w, be);
		PH(BG_PT_DYNAMIC, BG_PF_R, 0x300, TEXT_VA + 0x300, 8 * w);
	}
	if (s->sections) {
		size_t si = 1, stroff = 1;

		memcpy(b + 0x500, shstr, sizeof(shstr));
#define SH(name_, type_, addr_, off_, size_, link_, ent_) do {				\
		p = b + 0xa00 + si++ * shsz;							\
		put(p, name_, 4, be); put(p + 4, type_, 4, be);				\
		if (s->is64) {									\
			put(p + 16, addr_, 8, be); put(p + 24, off_, 8, be);			\
			put(p + 32, size_, 8, be); put(p + 40, link_, 4, be); put(p + 56, ent_, 8, be); \
		} else {									\
			put(p + 12, addr_, 4, be); put(p + 16, off_, 4, be);			\
			put(p + 20, size_, 4, be); put(p + 24, link_, 4, be); put(p + 36, ent_, 4, be); \
		}										\
	} while (0)
		SH(N_BI, 1, DATA_VA, DATA_OFF, s->bloblen, 0, 0);
		SH(N_SHSTR, 3, 0, 0x500, sizeof(shstr), 0, 0);
		if (s->nsyms) {
			/* symbol 0 is the null symbol; names in .strtab at 0x900 */
			for (size_t i = 0; i < s->nsyms; i++) {
				size_t l = strlen(s->syms[i]) + 1;

				put(b + 0x600 + (i + 1) * symsz, stroff, 4, be);
				memcpy(b + 0x900 + stroff, s->syms[i], l);
				stroff += l;
			}
			SH(N_SYMTAB, BG_SHT_SYMTAB, 0, 0x600, (s->nsyms + 1) * symsz, 4, symsz);
			SH(N_STRTAB, 3, 0, 0x900, stroff, 0, 0);
		}
		if (s->comment) {
			memcpy(b + 0x980, s->comment, strlen(s->comment) + 1);
			SH(N_COMMENT, 1, 0, 0x980, strlen(s->comment) + 1, 0, 0);
		}
		nsh = si;
		put(b + (s->is64 ? 40 : 32), 0xa00, w, be); /* e_shoff */
	}
	p = b + (s->is64 ? 54 : 42);
	put(p, phsz, 2, be);
	put(p + 2, nph, 2, be);
	put(p + 4, shsz, 2, be);
	put(p + 6, nsh, 2, be);
	put(p + 8, nsh ? 2 : 0, 2, be); /* .shstrtab is section 2 */
	*len = n;
	return b;
}

/* ------------------------------------------------------------------------ */
/* Blobs */

static const uint8_t magic[14] = { 0xff, ' ', 'G', 'o', ' ', 'b', 'u', 'i', 'l', 'd', 'i', 'n', 'f', ':' };
/* 16 arbitrary bytes each side: the reader only checks the framing */
static const uint8_t sentinel_start[16] = { 0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02,
					    0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6 };
static const uint8_t sentinel_end[16] = { 0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72,
					  0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2 };

static size_t put_uvarint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/* modinfo as the linker stores it: sentinels around the lines */
static size_t framed(char *out, const char *lines)
{
	size_t n = strlen(lines);

	memcpy(out, sentinel_start, 16);
	memcpy(out + 16, lines, n);
	memcpy(out + 16 + n, sentinel_end, 16);
	return n + 32;
}

/* Go >= 1.18: header (pointer size 8, flags 2) + two uvarint strings */
static size_t inline_blob(uint8_t *b, const char *vers, const char *lines)
{
	char mod[4096];
	size_t n = 32, ml = lines ? framed(mod, lines) : 0;

	memset(b, 0, 32);
	memcpy(b, magic, 14);
	b[14] = 8;
	b[15] = 2;
	n += put_uvarint(b + n, strlen(vers));
	memcpy(b + n, vers, strlen(vers));
	n += strlen(vers);
	n += put_uvarint(b + n, ml);
	memcpy(b + n, mod, ml);
	n += ml;
	memset(b + n, 0, 64); /* padding, as in a real section */
	return n + 64;
}

/*
 * Go < 1.18: two pointers to string headers.  Layout in the blob: header
 * at 0, string headers at 0x40 and 0x60, bytes at 0x100 and 0x200.
 */
static size_t pointer_blob(uint8_t *b, unsigned ps, bool be, const char *vers, const char *lines)
{
	char mod[2048];
	size_t ml = framed(mod, lines);

	memset(b, 0, 0x200 + ml + 16);
	memcpy(b, magic, 14);
	b[14] = (uint8_t)ps;
	b[15] = be;
	put(b + 16, DATA_VA + 0x40, ps, be);
	put(b + 16 + ps, DATA_VA + 0x60, ps, be);
	put(b + 0x40, DATA_VA + 0x100, ps, be);
	put(b + 0x40 + ps, strlen(vers), ps, be);
	put(b + 0x60, DATA_VA + 0x200, ps, be);
	put(b + 0x60 + ps, ml, ps, be);
	memcpy(b + 0x100, vers, strlen(vers));
	memcpy(b + 0x200, mod, ml);
	return 0x200 + ml + 16;
}

static const char app_lines[] =
	"path\texample.com/app\n"
	"mod\texample.com/app\t(devel)\t\n"
	"dep\texample.com/Upper\tv1.2.3\th1:PkyFMPVdL6miWP0Atf1uieIX7Il+BzgP6KKspi4QdYQ=\n"
	"dep\texample.com/replaced\tv0.1.0\n"
	"=>\t../localrep\t(devel)\t\n"
	"dep\texample.com/x\tv1.0.0\th1:old=\n"
	"=>\texample.com/y\tv2.0.0\th1:new=\n"
	"build\t-compiler=gc\n"
	"build\t-ldflags=\"-s -w\"\n"
	"build\t\"we=ird\"=`raw\tvalue`\n"
	"build\tCGO_ENABLED=0\n"
	"build\tempty=\n";

/* what `go version -m` prints after its first line, for app_lines */
static const char app_text[] =
	"\tpath\texample.com/app\n"
	"\tmod\texample.com/app\t(devel)\t\n"
	"\tdep\texample.com/Upper\tv1.2.3\th1:PkyFMPVdL6miWP0Atf1uieIX7Il+BzgP6KKspi4QdYQ=\n"
	"\tdep\texample.com/replaced\tv0.1.0\n"
	"\t=>\t../localrep\t(devel)\t\n"
	"\t\n"
	"\tdep\texample.com/x\tv1.0.0\n"
	"\t=>\texample.com/y\tv2.0.0\th1:new=\n"
	"\t\n"
	"\tbuild\t-compiler=gc\n"
	"\tbuild\t-ldflags=\"-s -w\"\n"
	"\tbuild\t\"we=ird\"=\"raw\\tvalue\"\n"
	"\tbuild\tCGO_ENABLED=0\n"
	"\tbuild\tempty=\n";

static char *to_text(const struct bg_go_buildinfo *bi)
{
	char *t = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&t, &n);

	assert_non_null(f);
	assert_true(bg_go_buildinfo_write(bi, f));
	fclose(f);
	return t;
}

static enum bg_go_status read_spec(const struct spec *s, struct bg_go_buildinfo *bi, struct bg_diag *dg)
{
	size_t len;
	uint8_t *img = build_elf(s, &len);
	struct bg_elf e;
	enum bg_go_status st = bg_go_read(img, len, &e, bi, dg);

	free(img); /* bi must not point into the image */
	return st;
}

static void check_app(const struct bg_go_buildinfo *bi)
{
	char *t;

	assert_string_equal(bi->go_version.s, "go1.19.8");
	assert_string_equal(bi->path, "example.com/app");
	assert_true(bi->has_main);
	assert_string_equal(bi->main.mod.version, "(devel)");
	assert_string_equal(bi->main.mod.sum, "");
	assert_int_equal(bi->ndeps, 3);
	assert_false(bi->deps[0].replaced);
	assert_string_equal(bi->deps[0].mod.sum, "h1:PkyFMPVdL6miWP0Atf1uieIX7Il+BzgP6KKspi4QdYQ=");
	assert_true(bi->deps[1].replaced);
	assert_string_equal(bi->deps[1].rep.path, "../localrep");
	assert_true(bg_go_is_dir_replacement(&bi->deps[1].rep));
	assert_false(bg_go_is_dir_replacement(&bi->deps[2].rep));
	assert_string_equal(bi->deps[2].rep.sum, "h1:new=");
	assert_int_equal(bi->nsettings, 5);
	assert_string_equal(bi->settings[1].key.s, "-ldflags");
	assert_string_equal(bi->settings[1].value.s, "-s -w");
	assert_string_equal(bi->settings[2].key.s, "we=ird");
	assert_string_equal(bi->settings[2].value.s, "raw\tvalue");
	assert_int_equal(bi->settings[4].value.len, 0);
	t = to_text(bi);
	assert_string_equal(t, app_text);
	free(t);
}

static void test_inline_elf64_sections(void **state)
{
	uint8_t blob[8192];
	struct spec s = { .is64 = true, .blob = blob, .sections = true };
	struct bg_go_buildinfo bi;
	struct bg_diag dg = {};

	(void)state;
	s.bloblen = inline_blob(blob, "go1.19.8", app_lines);
	assert_int_equal(read_spec(&s, &bi, &dg), BG_GO_OK);
	assert_string_equal(bi.source, ".go.buildinfo section");
	assert_true(bi.inline_strings);
	assert_int_equal(bi.addr, DATA_VA);
	check_app(&bi);
	bg_go_buildinfo_free(&bi);
}

static void test_inline_no_sections_fallback(void **state)
{
	uint8_t blob[8192];
	struct spec s = { .is64 = true, .blob = blob };
	struct bg_go_buildinfo bi;
	struct bg_diag dg = {};

	(void)state;
	s.bloblen = inline_blob(blob + 48, "go1.19.8", app_lines) + 48;
	memset(blob, 0xaa, 48); /* the blob is 48 bytes into the segment */
	assert_int_equal(read_spec(&s, &bi, &dg), BG_GO_OK);
	assert_string_equal(bi.source, "writable PT_LOAD segment");
	assert_int_equal(bi.addr, DATA_VA + 48);
	check_app(&bi);
	bg_go_buildinfo_free(&bi);

	/* an executable data segment is no candidate: not found */
	s.exec_data = true;
	assert_int_equal(read_spec(&s, &bi, &dg), BG_GO_NOT_GO);
	bg_go_buildinfo_free(&bi);
}

static void test_big_endian_32_and_pointer_format(void **state)
{
	uint8_t blob[8192];
	struct spec s = { .blob = blob, .sections = true, .be = true };
	struct bg_go_buildinfo bi;
	struct bg_diag dg = {};

	(void)state;
	/* ELF32 big endian, Go < 1.18 layout with 4-byte pointers */
	s.bloblen = pointer_blob(blob, 4, true, "go1.16.15", app_lines);
	assert_int_equal(read_spec(&s, &bi, &dg), BG_GO_OK);
	assert_false(bi.inline_strings);
	assert_int_equal(bi.ptr_size, 4);
	assert_string_equal(bi.go_version.s, "go1.16.15");
	strcpy(bi.go_version.s, "go1.19.8"); /* what check_app wants */
	check_app(&bi);
	bg_go_buildinfo_free(&bi);

	/* ELF64 little endian, 8-byte pointers, no section headers */
	s = (struct spec){ .is64 = true, .blob = blob };
	s.bloblen = pointer_blob(blob, 8, false, "go1.17", app_lines);
	assert_int_equal(read_spec(&s, &bi, &dg), BG_GO_OK);
	assert_int_equal(bi.ptr_size, 8);
	assert_string_equal(bi.go_version.s, "go1.17");
	assert_int_equal(bi.ndeps, 3);
	bg_go_buildinfo_free(&bi);

	/* inline blob inside an ELF32 big-endian file */
	s = (struct spec){ .be = true, .blob = blob, .sections = true };
	s.bloblen = inline_blob(blob, "go1.19.8", app_lines);
	assert_int_equal(read_spec(&s, &bi, &dg), BG_GO_OK);
	check_app(&bi);
	bg_go_buildinfo_free(&bi);
}

static void test_pointers_outside_segments(void **state)
{
	uint8_t blob[8192];
	struct spec s = { .is64 = true, .blob = blob, .sections = true };
	struct bg_go_buildinfo bi;
	struct bg_diag dg = {};

	(void)state;
	/* version pointer to an unmapped address: no version, not Go */
	s.bloblen = pointer_blob(blob, 8, false, "go1.17", app_lines);
	put(blob + 16, 0xdeadbeef000ull, 8, false);
	assert_int_equal(read_spec(&s, &bi, &dg), BG_GO_NOT_GO);
	bg_go_buildinfo_free(&bi);

	/* string header fine, data length runs past the segment */
	s.bloblen = pointer_blob(blob, 8, false, "go1.17", app_lines);
	put(blob + 0x48, s.bloblen, 8, false);
	assert_int_equal(read_spec(&s, &bi, &dg), BG_GO_NOT_GO);
	bg_go_buildinfo_free(&bi);

	/* a string header straddling the end of the segment */
	s.bloblen = pointer_blob(blob, 8, false, "go1.17", app_lines);
	put(blob + 16, DATA_VA + s.bloblen - 8, 8, false);
	assert_int_equal(read_spec(&s, &bi, &dg), BG_GO_NOT_GO);
	bg_go_buildinfo_free(&bi);

	/* 1 MiB + 1: longer than Go reads; data in the text segment is fine */
	s.bloblen = pointer_blob(blob, 8, false, "go1.17", app_lines);
	put(blob + 0x48, (1 << 20) + 1, 8, false);
	assert_int_equal(read_spec(&s, &bi, &dg), BG_GO_NOT_GO);
	bg_go_buildinfo_free(&bi);

	/* modinfo pointer outside: version kept, modinfo empty */
	s.bloblen = pointer_blob(blob, 8, false, "go1.17", app_lines);
	put(blob + 24, 8, 8, false);
	assert_int_equal(read_spec(&s, &bi, &dg), BG_GO_OK);
	assert_int_equal(bi.ndeps, 0);
	assert_string_equal(bi.path, "");
	bg_go_buildinfo_free(&bi);

	/* pointer size neither 4 nor 8 */
	s.bloblen = pointer_blob(blob, 8, false, "go1.17", app_lines);
	blob[14] = 5;
	assert_int_equal(read_spec(&s, &bi, &dg), BG_GO_NOT_GO);
	bg_go_buildinfo_free(&bi);
}

static void test_hostile_lengths(void **state)
{
	uint8_t blob[8192];
	struct spec s = { .is64 = true, .blob = blob, .sections = true };
	struct bg_go_buildinfo bi;
	struct bg_diag dg = {};
	size_t n;

	(void)state;
	/* version length 2^63: longer than anything */
	memset(blob, 0, sizeof(blob));
	memcpy(blob, magic, 14);
	blob[14] = 8;
	blob[15] = 2;
	n = 32 + put_uvarint(blob + 32, 1ull << 63);
	s.bloblen = n + 100;
	assert_int_equal(read_spec(&s, &bi, &dg), BG_GO_NOT_GO);
	bg_go_buildinfo_free(&bi);

	/* an uvarint that never ends (11 continuation bytes): overflow */
	memset(blob + 32, 0xff, 11);
	assert_int_equal(read_spec(&s, &bi, &dg), BG_GO_NOT_GO);
	bg_go_buildinfo_free(&bi);

	/* 10th byte > 1: overflows 64 bits */
	memset(blob + 32, 0x80, 9);
	blob[41] = 0x02;
	assert_int_equal(read_spec(&s, &bi, &dg), BG_GO_NOT_GO);
	bg_go_buildinfo_free(&bi);

	/* version fine, modinfo length one past the end: empty modinfo */
	n = 32 + put_uvarint(blob + 32, 6);
	memcpy(blob + n, "go1.20", 6);
	n += 6;
	s.bloblen = n + 2;
	n += put_uvarint(blob + n, 2);
	assert_int_equal(read_spec(&s, &bi, &dg), BG_GO_OK);
	assert_string_equal(bi.go_version.s, "go1.20");
	assert_int_equal(bi.nsettings + bi.ndeps, 0);
	bg_go_buildinfo_free(&bi);

	/* blob header cut short by the end of the segment */
	s.bloblen = 20;
	assert_int_equal(read_spec(&s, &bi, &dg), BG_GO_NOT_GO);
	bg_go_buildinfo_free(&bi);

	/* empty version: not Go */
	s.bloblen = inline_blob(blob, "", app_lines);
	assert_int_equal(read_spec(&s, &bi, &dg), BG_GO_NOT_GO);
	bg_go_buildinfo_free(&bi);
}

static void test_sentinels_and_alignment(void **state)
{
	uint8_t blob[8192];
	struct spec s = { .is64 = true, .blob = blob, .sections = true };
	struct bg_go_buildinfo bi;
	struct bg_diag dg = {};
	size_t n;

	(void)state;
	/* modinfo without sentinels (shorter than 33 bytes): treated as empty */
	memset(blob, 0, sizeof(blob));
	memcpy(blob, magic, 14);
	blob[14] = 8;
	blob[15] = 2;
	n = 32 + put_uvarint(blob + 32, 4);
	memcpy(blob + n, "go1x", 4);
	n += 4;
	n += put_uvarint(blob + n, 12);
	memcpy(blob + n, "path\tfoo\nxyz", 12);
	s.bloblen = n + 32;
	assert_int_equal(read_spec(&s, &bi, &dg), BG_GO_OK);
	assert_string_equal(bi.path, "");
	bg_go_buildinfo_free(&bi);

	/* long enough, but no newline before the end sentinel: empty */
	s.bloblen = inline_blob(blob, "go1.19.8", "path\tp\nmod\tm\tv\tNO-NEWLINE");
	assert_int_equal(read_spec(&s, &bi, &dg), BG_GO_OK);
	assert_string_equal(bi.path, "");
	assert_false(bi.has_main);
	bg_go_buildinfo_free(&bi);

	/* the magic at a misaligned address is not build info */
	memmove(blob + 8, blob, sizeof(blob) - 8);
	memset(blob, 0, 8);
	assert_int_equal(read_spec(&s, &bi, &dg), BG_GO_NOT_GO);
	bg_go_buildinfo_free(&bi);
}

static void test_truncated_and_bad_headers(void **state)
{
	uint8_t blob[8192], *img;
	struct spec s = { .is64 = true, .blob = blob, .sections = true };
	struct bg_go_buildinfo bi;
	struct bg_elf e;
	struct bg_diag dg = {};
	size_t len;

	(void)state;
	s.bloblen = inline_blob(blob, "go1.19.8", app_lines);
	img = build_elf(&s, &len);
	assert_int_equal(bg_go_read(img, 0, &e, &bi, &dg), BG_GO_NOT_ELF);
	assert_int_equal(bg_go_read(img, 3, &e, &bi, &dg), BG_GO_NOT_ELF);
	assert_int_equal(bg_go_read(img, 40, &e, &bi, &dg), BG_GO_BAD_ELF);
	assert_non_null(strstr(dg.msg, "truncated ELF header"));
	assert_int_equal(bg_go_read(img, 63, &e, &bi, &dg), BG_GO_BAD_ELF);
	/* header intact, program headers cut */
	assert_int_equal(bg_go_read(img, 0x60, &e, &bi, &dg), BG_GO_BAD_ELF);
	assert_non_null(strstr(dg.msg, "header table"));
	/* section headers cut (a truncated download) */
	assert_int_equal(bg_go_read(img, 0xa10, &e, &bi, &dg), BG_GO_BAD_ELF);
	assert_non_null(strstr(dg.msg, "section header table"));
	/* all headers there, data segment cut before the blob ends: no info */
	assert_int_equal(bg_go_read(img, DATA_OFF + 40, &e, &bi, &dg), BG_GO_NOT_GO);

	/* bad class, bad byte order, too small entries, huge phnum */
	img[4] = 3;
	assert_int_equal(bg_go_read(img, len, &e, &bi, &dg), BG_GO_BAD_ELF);
	img[4] = 2;
	img[5] = 0;
	assert_int_equal(bg_go_read(img, len, &e, &bi, &dg), BG_GO_BAD_ELF);
	img[5] = 1;
	put(img + 54, 8, 2, false); /* e_phentsize */
	assert_int_equal(bg_go_read(img, len, &e, &bi, &dg), BG_GO_BAD_ELF);
	put(img + 54, 56, 2, false);
	put(img + 56, 0xfffe, 2, false); /* e_phnum */
	assert_int_equal(bg_go_read(img, len, &e, &bi, &dg), BG_GO_BAD_ELF);
	put(img + 56, 2, 2, false);
	/* e_shoff so large that offset + size wraps */
	put(img + 40, UINT64_MAX - 10, 8, false);
	assert_int_equal(bg_go_read(img, len, &e, &bi, &dg), BG_GO_BAD_ELF);
	put(img + 40, 0xa00, 8, false);
	/* e_shstrndx out of range: no names, so the segment fallback finds it */
	put(img + 62, 77, 2, false);
	assert_int_equal(bg_go_read(img, len, &e, &bi, &dg), BG_GO_OK);
	assert_string_equal(bi.source, "writable PT_LOAD segment");
	bg_go_buildinfo_free(&bi);
	put(img + 62, 2, 2, false);
	/* .go.buildinfo section pointing past the end of the file, at an unmapped address */
	put(img + 0xa00 + 64 + 16, 0x9000000, 8, false);
	put(img + 0xa00 + 64 + 24, 1ull << 40, 8, false);
	assert_int_equal(bg_go_read(img, len, &e, &bi, &dg), BG_GO_OK);
	assert_string_equal(bi.source, "writable PT_LOAD segment");
	bg_go_buildinfo_free(&bi);
	/* the segment itself claims to go past the end of the file */
	put(img + 0x40 + 56 + 32, 1ull << 40, 8, false);
	assert_int_equal(bg_go_read(img, len, &e, &bi, &dg), BG_GO_OK);
	bg_go_buildinfo_free(&bi);
	free(img);

	/* not ELF at all */
	assert_int_equal(bg_go_read((const uint8_t *)"#!/bin/sh\necho hi\n", 18, &e, &bi, &dg), BG_GO_NOT_ELF);
}

static enum bg_go_status parse_lines(const char *lines, struct bg_go_buildinfo *bi, struct bg_diag *dg)
{
	memset(bi, 0, sizeof(*bi));
	return bg_go_modinfo_parse((const uint8_t *)lines, strlen(lines), bi, dg);
}

static void test_modinfo_rules(void **state)
{
	static const struct {
		const char *lines, *err; /* err NULL: accepted */
	} cases[] = {
		{ "dep\tonly-one\n", "line 1: expected 2 or 3 columns; got 1" },
		{ "path\tp\nmod\ta\tb\tc\td\n", "line 2: expected 2 or 3 columns; got 4" },
		{ "=>\ta\tb\tc\n", "line 1: replacement with no module on previous line" },
		{ "dep\ta\tv\th\n=>\tb\tv\th\n=>\tc\tv\th\n", "line 3: replacement with no module" },
		{ "dep\ta\tv\th\n=>\tb\tv\n", "line 2: expected 3 columns for replacement; got 2" },
		{ "build\t\n", "line 1: build line missing '='" },
		{ "build\t=x\n", "line 1: build line with missing key" },
		{ "build\tnoequals\n", "line 1: build line missing '=' after key" },
		{ "build\tbad key=x\n", "line 1: unquoted key must be quoted" },
		{ "build\tk=has space\n", "line 1: unquoted value must be quoted" },
		{ "build\t\"unterminated=x\n", "line 1: invalid quoted key in build line" },
		{ "build\t\"k\"\n", "line 1: build line missing '=' after quoted key" },
		{ "build\t\"k\"x=y\n", "line 1: unexpected character after quoted key" },
		{ "build\tk=\"bad \\q\"\n", "line 1: invalid quoted value in build line" },
		{ "build\tk=\"a\" trailing\n", "line 1: invalid quoted value in build line" },
		{ "go\tgo1.19\nunknown line\nbuild\tk=v\n", NULL },
		{ "path\tp\nno newline at the end", NULL },
		{ "dep\ta\tv\n", NULL },
		{ "", NULL },
	};
	struct bg_go_buildinfo bi;
	struct bg_diag dg = {};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum bg_go_status st = parse_lines(cases[i].lines, &bi, &dg);

		if (cases[i].err) {
			if (st != BG_GO_BAD_MODINFO || !strstr(dg.msg, cases[i].err))
				fail_msg("case %zu: status %d err '%s', wanted '%s'", i, st, dg.msg, cases[i].err);
		} else if (st != BG_GO_OK) {
			fail_msg("case %zu: status %d err '%s'", i, st, dg.msg);
		}
		bg_go_buildinfo_free(&bi);
	}

	/* accepted cases: what they hold */
	assert_int_equal(parse_lines("path\tp\nno newline at the end", &bi, &dg), BG_GO_OK);
	assert_string_equal(bi.path, "p");
	bg_go_buildinfo_free(&bi);
	assert_int_equal(parse_lines("mod\t\t\n", &bi, &dg), BG_GO_OK);
	assert_false(bi.has_main); /* all-empty main module is not printed */
	bg_go_buildinfo_free(&bi);
	assert_int_equal(parse_lines("build\tk=\"a \\x00\\xff\\u00e9\"\n", &bi, &dg), BG_GO_OK);
	assert_int_equal(bi.settings[0].value.len, 6);
	assert_memory_equal(bi.settings[0].value.s, "a \x00\xff\xc3\xa9", 6);
	{
		char *t = to_text(&bi);

		assert_string_equal(t, "\tbuild\tk=\"a \\x00\\xffé\"\n");
		free(t);
	}
	bg_go_buildinfo_free(&bi);

	/* NUL in modinfo and oversized modinfo are refused */
	memset(&bi, 0, sizeof(bi));
	assert_int_equal(bg_go_modinfo_parse((const uint8_t *)"path\tp\0q\n", 9, &bi, &dg),
			 BG_GO_BAD_MODINFO);
	bg_go_buildinfo_free(&bi);
	assert_int_equal(bg_go_modinfo_parse((const uint8_t *)"", BG_GO_MODINFO_MAX + 1, &bi, &dg), BG_GO_BAD_MODINFO);
	bg_go_buildinfo_free(&bi);
}

static void test_many_lines_bounded(void **state)
{
	size_t n = (size_t)BG_GO_LINES_MAX + 1, len = n * 8;
	char *lines = malloc(len + 1);
	struct bg_diag dg = {};
	struct bg_go_buildinfo bi;

	(void)state;
	assert_non_null(lines);
	for (size_t i = 0; i < n; i++)
		memcpy(lines + i * 8, "dep\ta\tv\n", 8);
	lines[len] = '\0';
	memset(&bi, 0, sizeof(bi));
	assert_int_equal(bg_go_modinfo_parse((const uint8_t *)lines, len, &bi, &dg),
			 BG_GO_BAD_MODINFO);
	assert_non_null(strstr(dg.msg, "more than"));
	bg_go_buildinfo_free(&bi);
	/* one fewer is fine */
	assert_int_equal(bg_go_modinfo_parse((const uint8_t *)lines, len - 8, &bi, &dg),
			 BG_GO_OK);
	assert_int_equal(bi.ndeps, BG_GO_LINES_MAX);
	bg_go_buildinfo_free(&bi);
	free(lines);
}

/* ------------------------------------------------------------------------ */
/* strconv */

static void check_unquote(const char *in, const char *want, size_t wantlen)
{
	struct bg_go_str out = { 0 };
	bool ok = bg_go_unquote(in, strlen(in), &out);

	if (!want) {
		if (ok)
			fail_msg("unquote(%s) accepted, wanted an error", in);
		return;
	}
	if (!ok)
		fail_msg("unquote(%s) refused", in);
	assert_int_equal(out.len, wantlen);
	assert_memory_equal(out.s, want, wantlen);
	free(out.s);
}

static void test_unquote(void **state)
{
	(void)state;
	check_unquote("\"\"", "", 0);
	check_unquote("\"abc\"", "abc", 3);
	check_unquote("`a\\b\r\"c`", "a\\b\"c", 5); /* raw: no escapes, \r dropped */
	check_unquote("\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\"", "\a\b\f\n\r\t\v\\\"", 9);
	check_unquote("\"\\x41\\101\\u00e9\\U0001F600\"", "AA\xc3\xa9\xf0\x9f\x98\x80", 8);
	check_unquote("\"\\377\"", "\xff", 1);
	check_unquote("\"\\400\"", NULL, 0);   /* octal > 255 */
	check_unquote("\"\\'\"", NULL, 0);     /* \' only in '...' */
	check_unquote("\"\\uD800\"", NULL, 0); /* surrogate */
	check_unquote("\"\\U00110000\"", NULL, 0);
	check_unquote("\"\\x4\"", NULL, 0);
	check_unquote("\"\\q\"", NULL, 0);
	check_unquote("\"a\nb\"", NULL, 0);
	check_unquote("\"abc", NULL, 0);
	check_unquote("\"a\"b\"", NULL, 0);   /* trailing text */
	check_unquote("\"\\", NULL, 0);
	check_unquote("'a'", NULL, 0);        /* build lines use only " and ` */
	check_unquote("\"\xff\"", "\xef\xbf\xbd", 3); /* invalid UTF-8: slow path, U+FFFD */
	check_unquote("\"\xc3\xa9\"", "\xc3\xa9", 2);
	check_unquote("\"\xed\xa0\x80\"", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 9); /* encoded surrogate */
	assert_int_equal(bg_go_quoted_prefix("\"a\\\"b\"=x", 8), 6);
	assert_int_equal(bg_go_quoted_prefix("`k`=v", 5), 3);
	assert_int_equal(bg_go_quoted_prefix("\"k", 2), 0);
}

static void check_quote(const char *in, size_t len, const char *want)
{
	char *t = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&t, &n);

	assert_non_null(f);
	bg_go_quote(in, len, f);
	fclose(f);
	assert_string_equal(t, want);
	free(t);
}

static void test_quote(void **state)
{
	(void)state;
	check_quote("-s -w", 5, "\"-s -w\"");
	check_quote("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
	check_quote("\a\b\f\n\r\t\v", 7, "\"\\a\\b\\f\\n\\r\\t\\v\"");
	check_quote("\x00\x01\x7f", 3, "\"\\x00\\x01\\x7f\"");
	check_quote("\x80\xff", 2, "\"\\x80\\xff\"");
	check_quote("\xc3\xa9\xe4\xb8\x96", 5, "\"é世\"");
	check_quote("\xc2\xa0", 2, "\"\\u00a0\"");           /* no-break space: not printable */
	check_quote("\xc2\xad", 2, "\"\\u00ad\"");           /* soft hyphen (Cf) */
	check_quote("\xee\x80\x80", 3, "\"\\ue000\"");       /* private use */
	check_quote("\xf0\x9f\x98\x80", 4, "\"😀\"");
	check_quote("\xf4\x8f\xbf\xbf", 4, "\"\\U0010ffff\""); /* noncharacter */
	check_quote("\xe2\x80\xa8", 3, "\"\\u2028\"");       /* line separator */
	assert_true(bg_go_is_print(' '));
	assert_false(bg_go_is_print(0x85));
	assert_true(bg_go_is_print(0xa1));
	assert_true(bg_go_is_print(0x1f600));
	assert_false(bg_go_is_print(0xe0001)); /* language tag (Cf) */
}

/* ------------------------------------------------------------------------ */
/* verdicts */

static void verdicts(const struct spec *s, struct bg_go_verdict *v)
{
	struct bg_go_buildinfo bi;
	struct bg_elf e;
	struct bg_diag dg = {};
	size_t len;
	uint8_t *img = build_elf(s, &len);

	assert_int_equal(bg_go_read(img, len, &e, &bi, &dg), BG_GO_OK);
	assert_true(bg_go_verdicts(&e, &bi, v));
	bg_go_buildinfo_free(&bi);
	free(img);
}

static bool has_ev(char **ev, size_t n, const char *needle)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(ev[i], needle))
			return true;
	return false;
}

static void test_verdicts(void **state)
{
	static const char *const not_signals[] = { "_cgo_init", "runtime.cgocall", "runtime.iscgo", "main.main" };
	static const char *const signals[] = { "runtime.iscgo", "crosscall2", "x_cgo_init" };
	uint8_t blob[8192];
	struct spec s = { .is64 = true, .blob = blob, .sections = true };
	struct bg_go_verdict v;

	(void)state;
	s.bloblen = inline_blob(blob, "go1.19.8", "build\tCGO_ENABLED=1\n");
	/* static pure Go: symbols every Go binary has are no signal */
	s.syms = not_signals;
	s.nsyms = 4;
	verdicts(&s, &v);
	assert_false(v.cgo);
	assert_true(v.is_static);
	assert_string_equal(v.cgo_enabled, "1");
	assert_true(has_ev(v.cgo_evidence, v.ncgo, "no runtime/cgo symbols"));
	assert_true(has_ev(v.cgo_evidence, v.ncgo, "cgo was enabled, but no C is linked"));
	assert_true(has_ev(v.static_evidence, v.nstatic, "no PT_INTERP"));
	assert_true(has_ev(v.static_evidence, v.nstatic, "no PT_DYNAMIC"));
	bg_go_verdict_free(&v);

	/* runtime/cgo symbols alone (e.g. a static cgo binary) */
	s.syms = signals;
	s.nsyms = 3;
	verdicts(&s, &v);
	assert_true(v.cgo);
	assert_true(v.is_static);
	assert_true(has_ev(v.cgo_evidence, v.ncgo, "runtime/cgo symbols x_cgo_init, crosscall2"));
	bg_go_verdict_free(&v);

	/* dynamic: PT_INTERP + DT_NEEDED, symbols stripped */
	s.syms = NULL;
	s.nsyms = 0;
	s.interp = true;
	s.needed = "libc.so.6";
	verdicts(&s, &v);
	assert_true(v.cgo);
	assert_false(v.is_static);
	assert_true(has_ev(v.cgo_evidence, v.ncgo, "DT_NEEDED libc.so.6"));
	assert_true(has_ev(v.static_evidence, v.nstatic, "PT_INTERP /lib/ld.so"));
	assert_true(has_ev(v.static_evidence, v.nstatic, "PT_DYNAMIC (1 DT_NEEDED)"));
	bg_go_verdict_free(&v);

	/* PIE-like: interpreter, no DT_NEEDED; plus a GCC .comment */
	s.needed = NULL;
	s.comment = "GCC: (Debian 12.2.0-14) 12.2.0";
	verdicts(&s, &v);
	assert_true(v.cgo);
	assert_false(v.is_static);
	assert_true(has_ev(v.cgo_evidence, v.ncgo, ".comment from a C toolchain: GCC: (Debian"));
	bg_go_verdict_free(&v);

	/* same in ELF32 big endian, with a hostile DT_NEEDED name (control bytes) */
	s = (struct spec){ .be = true, .blob = blob, .sections = true, .interp = true,
			   .needed = "lib\x1b[31m.so" };
	s.bloblen = inline_blob(blob, "go1.19.8", "build\tCGO_ENABLED=1\n");
	verdicts(&s, &v);
	assert_true(v.cgo);
	assert_true(has_ev(v.cgo_evidence, v.ncgo, "DT_NEEDED lib\\x1b[31m.so"));
	bg_go_verdict_free(&v);
}

static void test_elf_reader_bounds(void **state)
{
	static const char *const syms[] = { "x_cgo_init" };
	const char *names[] = { "x_cgo_init", "absent" };
	uint8_t blob[256] = { 0 }, *img;
	struct spec s = { .is64 = true, .blob = blob, .bloblen = sizeof(blob), .sections = true,
			  .syms = syms, .nsyms = 1 };
	struct bg_elf e;
	struct bg_elf_shdr sh;
	const uint8_t *d;
	size_t len, avail;
	int found[2] = { 0 };

	(void)state;
	img = build_elf(&s, &len);
	assert_int_equal(bg_elf_open(&e, img, len), BG_ELF_OK);
	assert_true(bg_elf_find_symbols(&e, names, 2, found));
	assert_int_equal(found[0], 1);
	assert_int_equal(found[1], 0);
	/* the symbol's name runs into the end of .strtab without a NUL */
	assert_true(bg_elf_find_section(&e, ".strtab", &sh));
	put(img + 0xa00 + 4 * 64 + 32, sh.size - 1, 8, false);
	found[0] = 0;
	assert_true(bg_elf_find_symbols(&e, names, 2, found));
	assert_int_equal(found[0], 0);
	/* virtual addresses: inside, at the end, in the memsz-only tail */
	assert_true(bg_elf_vaddr(&e, DATA_VA + 10, &d, &avail));
	assert_int_equal(avail, sizeof(blob) - 10);
	assert_false(bg_elf_vaddr(&e, DATA_VA + sizeof(blob), &d, &avail));
	assert_false(bg_elf_vaddr(&e, UINT64_MAX, &d, &avail));
	/* section name index past the string table */
	put(img + 0xa00 + 64, 0x7fffffff, 4, false);
	assert_false(bg_elf_find_section(&e, ".go.buildinfo", &sh));
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inline_elf64_sections),
		cmocka_unit_test(test_inline_no_sections_fallback),
		cmocka_unit_test(test_big_endian_32_and_pointer_format),
		cmocka_unit_test(test_pointers_outside_segments),
		cmocka_unit_test(test_hostile_lengths),
		cmocka_unit_test(test_sentinels_and_alignment),
		cmocka_unit_test(test_truncated_and_bad_headers),
		cmocka_unit_test(test_modinfo_rules),
		cmocka_unit_test(test_many_lines_bounded),
		cmocka_unit_test(test_unquote),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_elf_reader_bounds),
	};
	return cmocka_run_group_tests_name("go_buildinfo", tests, NULL, NULL);
}

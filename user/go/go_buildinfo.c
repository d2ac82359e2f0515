// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * go_buildinfo.c - Go build info (`go version -m`) and the cgo/static
 * verdicts, read from an ELF image without a Go toolchain.
 *
 * The linker stores a 32-byte header ("\xff Go buildinf:", pointer size,
 * flags) at a 16-byte aligned address in the .go.buildinfo section (or, when
 * section headers are gone, near the start of a writable data
 * segment).  Go >= 1.18 follows it with two uvarint-prefixed strings, older
 * releases with two pointers to Go string headers.  The second string,
 * "modinfo", holds tab-separated path/mod/dep/=>/build lines between two
 * 16-byte sentinels.  The rules here follow Go 1.19's debug/buildinfo and
 * runtime/debug (the same files are accepted, the same text is printed),
 * except where noted: the blob may lie anywhere in the segment's file bytes
 * (Go 1.19 stops 64 KiB after the segment start), and the alignment is
 * judged on the absolute address.  The strconv rules Go uses to quote build
 * settings are reimplemented in go_strconv.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vec.h"
#include "go_buildinfo.h"
#include "util.h"
#include "textsafe.h"

static const uint8_t go_magic[14] = { 0xff, ' ', 'G', 'o', ' ', 'b', 'u', 'i', 'l', 'd', 'i', 'n', 'f', ':' };
#define BLOB_HDR 32
#define BLOB_ALIGN 16
#define SENTINEL 16

/* ------------------------------------------------------------------------ */
/* Finding the blob */

/*
 * encoding/binary.Uvarint: *used = bytes consumed, 0 if the buffer ends
 * first or the value overflows 64 bits (at most 10 bytes are looked at).
 */
static uint64_t uvarint(const uint8_t *p, size_t n, size_t *used)
{
	uint64_t x = 0;
	unsigned shift = 0;

	for (size_t i = 0; i < n && i < 10; i++) {
		if (p[i] < 0x80) {
			if (i == 9 && p[i] > 1)
				break; /* overflow */
			*used = i + 1;
			return x | (uint64_t)p[i] << shift;
		}
		x |= (uint64_t)(p[i] & 0x7f) << shift;
		shift += 7;
	}
	*used = 0;
	return 0;
}

/* One uvarint-prefixed string at *p (n bytes left); advances *p, *n. */
static bool inline_string(const uint8_t **p, size_t *n, const uint8_t **s, size_t *slen)
{
	size_t used;
	uint64_t len = uvarint(*p, *n, &used);

	/* the length is attacker-controlled: it must fit in what is left */
	if (used == 0 || len > *n - used)
		return false;
	*s = *p + used;
	*slen = (size_t)len;
	*p += used + (size_t)len;
	*n -= used + (size_t)len;
	return true;
}

static uint64_t rd_ptr(const uint8_t *p, unsigned size, bool big_endian)
{
	uint64_t v = 0;

	if (big_endian) {
		for (unsigned i = 0; i < size; i++)
			v = v << 8 | p[i];
	} else {
		for (unsigned i = size; i > 0; i--)
			v = v << 8 | p[i - 1];
	}
	return v;
}

/*
 * Go < 1.18: addr is the address of a Go string header {data, len}; both
 * it and the bytes it points to must lie in the file part of a PT_LOAD
 * segment.  Anything else reads as "" (as in Go).
 */
static void pointer_string(const struct bg_elf *e, uint64_t addr, unsigned ps, bool be,
			   const uint8_t **s, size_t *slen)
{
	const uint8_t *hdr, *data;
	size_t avail;
	uint64_t daddr, dlen;

	*s = NULL;
	*slen = 0;
	if (!bg_elf_vaddr(e, addr, &hdr, &avail) || avail < 2 * (size_t)ps)
		return;
	daddr = rd_ptr(hdr, ps, be);
	dlen = rd_ptr(hdr + ps, ps, be);
	if (dlen == 0 || dlen > BG_GO_OLD_STRING_MAX)
		return;
	if (!bg_elf_vaddr(e, daddr, &data, &avail) || avail < dlen)
		return;
	*s = data;
	*slen = (size_t)dlen;
}

/*
 * Looks for the header at 16-byte aligned addresses in the first 64 KiB of
 * [addr, addr + avail) and decodes the first one found (as Go does: a
 * damaged first blob is not skipped in favour of a later one).
 */
static enum bg_go_status search_blob(const struct bg_elf *e, uint64_t addr, const uint8_t *data,
				     size_t avail, struct bg_go_raw *raw)
{
	size_t win = avail < BG_GO_SEARCH_WINDOW ? avail : BG_GO_SEARCH_WINDOW;
	size_t i = (size_t)((BLOB_ALIGN - (addr & (BLOB_ALIGN - 1))) & (BLOB_ALIGN - 1));

	for (; i < win && avail - i >= BLOB_HDR; i += BLOB_ALIGN) {
		const uint8_t *b = data + i, *vers = NULL, *mod = NULL;
		size_t vlen = 0, mlen = 0;
		unsigned ps = b[14];

		if (memcmp(b, go_magic, sizeof(go_magic)) != 0)
			continue;
		raw->addr = addr + i;
		raw->ptr_size = ps;
		raw->inline_strings = (b[15] & 2) != 0;
		if (raw->inline_strings) {
			const uint8_t *p = b + BLOB_HDR;
			size_t n = avail - i - BLOB_HDR;

			if (inline_string(&p, &n, &vers, &vlen) && !inline_string(&p, &n, &mod, &mlen))
				mlen = 0;
		} else {
			bool be = b[15] != 0;

			if (ps != 4 && ps != 8)
				return BG_GO_NOT_GO;
			pointer_string(e, rd_ptr(b + 16, ps, be), ps, be, &vers, &vlen);
			pointer_string(e, rd_ptr(b + 16 + ps, ps, be), ps, be, &mod, &mlen);
		}
		if (vlen == 0)
			return BG_GO_NOT_GO;
		/* modinfo framing: 16-byte sentinels, the last line ends in \n */
		if (mlen >= 2 * SENTINEL + 1 && mod[mlen - SENTINEL - 1] == '\n') {
			mod += SENTINEL;
			mlen -= 2 * SENTINEL;
		} else {
			mod = NULL;
			mlen = 0;
		}
		raw->version = vers;
		raw->version_len = vlen;
		raw->modinfo = mod;
		raw->modinfo_len = mlen;
		return BG_GO_OK;
	}
	return BG_GO_NOT_GO;
}

enum bg_go_status bg_go_find_raw(const struct bg_elf *e, struct bg_go_raw *raw)
{
	struct bg_elf_shdr sh;
	const uint8_t *data;
	size_t avail;

	memset(raw, 0, sizeof(*raw));
	if (bg_elf_find_section(e, ".go.buildinfo", &sh)) {
		/* through the segments, as the loader sees it; else the section bytes */
		if (bg_elf_vaddr(e, sh.addr, &data, &avail) ||
		    bg_elf_section_data(e, &sh, &data, &avail)) {
			raw->source = ".go.buildinfo section";
			if (search_blob(e, sh.addr, data, avail, raw) == BG_GO_OK)
				return BG_GO_OK;
		}
	}
	/*
	 * Section headers stripped (or no such section): the linker puts the
	 * blob at the start of the data segment, the first writable and not
	 * executable one.  Go 1.19 looks only there; in a PIE that is the
	 * RELRO segment and the blob starts the next one, so every such
	 * segment is tried, in order.
	 */
	for (size_t i = 0; i < e->phnum; i++) {
		struct bg_elf_phdr ph;

		bg_elf_phdr(e, i, &ph);
		if (ph.type != BG_PT_LOAD || (ph.flags & (BG_PF_X | BG_PF_W)) != BG_PF_W)
			continue;
		memset(raw, 0, sizeof(*raw));
		if (!bg_elf_vaddr(e, ph.vaddr, &data, &avail))
			continue;
		raw->source = "writable PT_LOAD segment";
		if (search_blob(e, ph.vaddr, data, avail, raw) == BG_GO_OK)
			return BG_GO_OK;
	}
	return BG_GO_NOT_GO;
}

/* ------------------------------------------------------------------------ */
/* modinfo lines */

/* "line N: why", no origin: the caller names the binary around it. */
static bool fail(struct bg_diag *diag, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool fail(struct bg_diag *diag, unsigned line, const char *fmt, ...)
{
	char msg[BG_DIAG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bg_diag_set(diag, "line %u: %s", line, msg);
	return false;
}

static bool has_any(const char *s, size_t len, const char *set)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] && strchr(set, s[i]))
			return true;
	return false;
}

/* runtime/debug quoteKey / quoteValue */
static bool quote_key(const char *s, size_t len)
{
	return len == 0 || has_any(s, len, "= \t\r\n\"`");
}

static bool quote_value(const char *s, size_t len)
{
	return has_any(s, len, " \t\r\n\"`");
}

/* Splits s at tabs in place (strings.Split): returns the column count. */
static size_t split_tabs(char *s, char **col, size_t maxcol)
{
	size_t n = 0;

	for (;;) {
		char *t = strchr(s, '\t');

		if (n < maxcol)
			col[n] = s;
		n++;
		if (!t)
			return n;
		*t = '\0';
		s = t + 1;
	}
}

static bool set_mod(struct bg_go_mod *m, char **col, size_t n)
{
	m->path = col[0];
	m->version = col[1];
	m->sum = n == 3 ? col[2] : "";
	return true;
}

/* One "build\t" line's key=value (kv is NUL-terminated, len bytes). */
static int parse_setting(const char *kv, size_t len, struct bg_go_setting *set, unsigned line,
			 struct bg_diag *diag)
{
	const char *raw;
	size_t rawlen;

	memset(set, 0, sizeof(*set));
	if (len < 1)
		return fail(diag, line, "build line missing '='"), -1;
	if (kv[0] == '=')
		return fail(diag, line, "build line with missing key"), -1;
	if (kv[0] == '`' || kv[0] == '"') {
		size_t q = bg_go_quoted_prefix(kv, len);

		if (q == 0)
			return fail(diag, line, "invalid quoted key in build line"), -1;
		if (q == len)
			return fail(diag, line, "build line missing '=' after quoted key"), -1;
		if (kv[q] != '=')
			return fail(diag, line, "unexpected character after quoted key"), -1;
		if (!bg_go_unquote(kv, q, &set->key))
			return -ENOMEM; /* quoted_prefix said it is valid */
		raw = kv + q + 1;
		rawlen = len - q - 1;
	} else {
		const char *eq = memchr(kv, '=', len);

		if (!eq)
			return fail(diag, line, "build line missing '=' after key"), -1;
		if (quote_key(kv, (size_t)(eq - kv)))
			return fail(diag, line, "unquoted key must be quoted"), -1;
		if (!bg_go_str_dup(kv, (size_t)(eq - kv), &set->key))
			return -ENOMEM;
		raw = eq + 1;
		rawlen = len - (size_t)(eq - kv) - 1;
	}
	if (rawlen > 0 && (raw[0] == '`' || raw[0] == '"')) {
		if (!bg_go_unquote(raw, rawlen, &set->value)) {
			free(set->key.s);
			set->key.s = NULL;
			return fail(diag, line, "invalid quoted value in build line"), -1;
		}
	} else {
		if (quote_value(raw, rawlen)) {
			free(set->key.s);
			set->key.s = NULL;
			return fail(diag, line, "unquoted value must be quoted"), -1;
		}
		if (!bg_go_str_dup(raw, rawlen, &set->value)) {
			free(set->key.s);
			set->key.s = NULL;
			return -ENOMEM;
		}
	}
	return 0;
}

/* Grows *arr (of *n elements of size sz) by one, bounded. */
static void *grow(void *arr, size_t n, size_t sz)
{
	if (n >= BG_GO_LINES_MAX)
		return NULL;
	if (n && (n & (n - 1)))
		return arr; /* not a power of two: room left */
	return realloc(arr, (n ? 2 * n : 8) * sz);
}

enum bg_go_status bg_go_modinfo_parse(const uint8_t *mod, size_t len, struct bg_go_buildinfo *bi,
				      struct bg_diag *diag)
{
	struct bg_go_dep *last = NULL;
	char *p, *end;
	unsigned line = 1;

	bi->path = "";
	bi->main.mod = (struct bg_go_mod){ "", "", "" };
	if (len > BG_GO_MODINFO_MAX) {
		bg_diag_set(diag, "module information is %zu bytes, more than the %u bpfguard reads",
			    len, BG_GO_MODINFO_MAX);
		return BG_GO_BAD_MODINFO;
	}
	/* go build never writes a NUL here; refusing it keeps C strings exact */
	if (len && memchr(mod, '\0', len)) {
		bg_diag_set(diag, "NUL byte in the module information");
		return BG_GO_BAD_MODINFO;
	}
	bi->arena = malloc(len + 1);
	if (!bi->arena)
		return BG_GO_NOMEM;
	if (len)
		memcpy(bi->arena, mod, len);
	bi->arena[len] = '\0';
	p = bi->arena;
	end = p + len;
	/* a last line without its \n is ignored, as in Go */
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *l = p, *col[4];
		size_t n;

		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
		if (!strncmp(l, "path\t", 5)) {
			bi->path = l + 5;
		} else if (!strncmp(l, "mod\t", 4) || !strncmp(l, "dep\t", 4)) {
			n = split_tabs(l + 4, col, 4);
			if (n != 2 && n != 3) {
				fail(diag, line, "expected 2 or 3 columns; got %zu", n);
				return BG_GO_BAD_MODINFO;
			}
			if (l[0] == 'm') {
				last = &bi->main;
				memset(last, 0, sizeof(*last));
			} else {
				struct bg_go_dep *d = grow(bi->deps, bi->ndeps, sizeof(*d));

				if (!d) {
					if (bi->ndeps >= BG_GO_LINES_MAX) {
						fail(diag, line, "more than %u dep lines", BG_GO_LINES_MAX);
						return BG_GO_BAD_MODINFO;
					}
					return BG_GO_NOMEM;
				}
				bi->deps = d;
				last = &bi->deps[bi->ndeps++];
				memset(last, 0, sizeof(*last));
			}
			set_mod(&last->mod, col, n);
		} else if (!strncmp(l, "=>\t", 3)) {
			n = split_tabs(l + 3, col, 4);
			if (n != 3) {
				fail(diag, line, "expected 3 columns for replacement; got %zu", n);
				return BG_GO_BAD_MODINFO;
			}
			if (!last) {
				fail(diag, line, "replacement with no module on previous line");
				return BG_GO_BAD_MODINFO;
			}
			last->replaced = true;
			set_mod(&last->rep, col, n);
			last = NULL;
		} else if (!strncmp(l, "build\t", 6)) {
			struct bg_go_setting *s = grow(bi->settings, bi->nsettings, sizeof(*s));
			int r;

			if (!s) {
				if (bi->nsettings >= BG_GO_LINES_MAX) {
					fail(diag, line, "more than %u build lines", BG_GO_LINES_MAX);
					return BG_GO_BAD_MODINFO;
				}
				return BG_GO_NOMEM;
			}
			bi->settings = s;
			r = parse_setting(l + 6, (size_t)(nl - l) - 6, &s[bi->nsettings], line, diag);
			if (r == -ENOMEM)
				return BG_GO_NOMEM;
			if (r)
				return BG_GO_BAD_MODINFO;
			bi->nsettings++;
		}
		/* other lines (e.g. "go\t...") are ignored, as in Go */
		line++;
	}
	bi->has_main = bi->main.replaced || bi->main.mod.path[0] || bi->main.mod.version[0] ||
		       bi->main.mod.sum[0];
	return BG_GO_OK;
}

enum bg_go_status bg_go_read(const uint8_t *buf, size_t len, struct bg_elf *e,
			     struct bg_go_buildinfo *bi, struct bg_diag *diag)
{
	struct bg_go_raw raw;
	enum bg_go_status st;

	memset(bi, 0, sizeof(*bi));
	bi->path = "";
	bi->main.mod = (struct bg_go_mod){ "", "", "" };
	if (diag)
		diag->msg[0] = '\0';
	switch (bg_elf_open(e, buf, len)) {
	case BG_ELF_OK:
		break;
	case BG_ELF_NOT_ELF:
		bg_diag_set(diag, "not an ELF file");
		return BG_GO_NOT_ELF;
	default:
		bg_diag_set(diag, "%s", e->err);
		return BG_GO_BAD_ELF;
	}
	st = bg_go_find_raw(e, &raw);
	if (st != BG_GO_OK) {
		bg_diag_set(diag, "no Go build info found");
		return st;
	}
	bi->source = raw.source;
	bi->addr = raw.addr;
	bi->inline_strings = raw.inline_strings;
	bi->ptr_size = raw.ptr_size;
	if (!bg_go_str_dup((const char *)raw.version, raw.version_len, &bi->go_version))
		return BG_GO_NOMEM;
	return bg_go_modinfo_parse(raw.modinfo, raw.modinfo_len, bi, diag);
}

void bg_go_buildinfo_free(struct bg_go_buildinfo *bi)
{
	for (size_t i = 0; i < bi->nsettings; i++) {
		free(bi->settings[i].key.s);
		free(bi->settings[i].value.s);
	}
	free(bi->settings);
	free(bi->deps);
	free(bi->arena);
	free(bi->go_version.s);
	memset(bi, 0, sizeof(*bi));
	bi->path = "";
	bi->main.mod = (struct bg_go_mod){ "", "", "" };
}

/* ------------------------------------------------------------------------ */
/* Printing: runtime/debug.BuildInfo.String() as `go version -m` shows it */

/*
 * formatMod: "word\tpath\tversion" then "\tsum", or for a replaced module
 * a newline and the => line.  Either way one more newline follows: that is
 * why Go 1.19 prints an empty ("\t") line after every => line.
 */
static void write_mod(FILE *f, const char *word, const struct bg_go_dep *d)
{
	fprintf(f, "\t%s\t%s\t%s", word, d->mod.path, d->mod.version);
	if (!d->replaced)
		fprintf(f, "\t%s", d->mod.sum);
	else
		fprintf(f, "\n\t=>\t%s\t%s\t%s\n\t", d->rep.path, d->rep.version, d->rep.sum);
	fputc('\n', f);
}

bool bg_go_buildinfo_write(const struct bg_go_buildinfo *bi, FILE *f)
{
	if (bi->path[0])
		fprintf(f, "\tpath\t%s\n", bi->path);
	if (bi->has_main)
		write_mod(f, "mod", &bi->main);
	for (size_t i = 0; i < bi->ndeps; i++)
		write_mod(f, "dep", &bi->deps[i]);
	for (size_t i = 0; i < bi->nsettings; i++) {
		const struct bg_go_setting *s = &bi->settings[i];

		fputs("\tbuild\t", f);
		if (quote_key(s->key.s, s->key.len))
			bg_go_quote(s->key.s, s->key.len, f);
		else
			fwrite(s->key.s, 1, s->key.len, f);
		fputc('=', f);
		if (quote_value(s->value.s, s->value.len))
			bg_go_quote(s->value.s, s->value.len, f);
		else
			fwrite(s->value.s, 1, s->value.len, f);
		fputc('\n', f);
	}
	return !ferror(f);
}

/* ------------------------------------------------------------------------ */
/* Verdicts */

/*
 * Symbols only runtime/cgo's C half defines: present iff C was linked
 * (unless stripped).  _cgo_init, runtime.cgocall and runtime.iscgo are in
 * every Go binary and prove nothing.
 */
static const char *const cgo_symbols[] = { "x_cgo_init", "crosscall2", "_cgo_panic", "x_cgo_thread_start" };

/* Evidence strings come from the file: keep them printable and short. */
static void clean_copy(char *dst, size_t dstlen, const char *src, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 5 < dstlen; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c >= 0x20 && c < 0x7f) {
			dst[o++] = (char)c;
		} else {
			snprintf(dst + o, dstlen - o, "\\x%02x", c);
			o += 4;
		}
	}
	dst[o] = '\0';
}

static bool add_ev(char ***arr, size_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool add_ev(char ***arr, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (BG_VEC_RESIZE(*arr, *n + 1))
		return false;
	va_start(ap, fmt);
	r = vasprintf(&(*arr)[*n], fmt, ap);
	va_end(ap);
	if (r < 0)
		return false;
	(*n)++;
	return true;
}

struct needed_ctx {
	struct bg_go_verdict *v;
	size_t shown;
	bool ok;
};

static bool needed_cb(void *ctx, const char *name)
{
	struct needed_ctx *c = ctx;
	char clean[128];

	if (c->shown++ >= 8)
		return false;
	clean_copy(clean, sizeof(clean), name, strlen(name));
	c->ok &= add_ev(&c->v->cgo_evidence, &c->v->ncgo, "DT_NEEDED %s", clean);
	return true;
}

/* The first NUL-terminated string of .comment, if a C toolchain wrote it. */
static bool c_toolchain_comment(const struct bg_elf *e, char *out, size_t outlen)
{
	struct bg_elf_shdr sh;
	const uint8_t *d;
	size_t n;
	const uint8_t *nul;

	if (!bg_elf_find_section(e, ".comment", &sh) || !bg_elf_section_data(e, &sh, &d, &n) || !n)
		return false;
	nul = memchr(d, '\0', n);
	if (nul)
		n = (size_t)(nul - d);
	clean_copy(out, outlen, (const char *)d, n);
	return strstr(out, "GCC:") || strstr(out, "clang");
}

bool bg_go_verdicts(const struct bg_elf *e, const struct bg_go_buildinfo *bi, struct bg_go_verdict *v)
{
	int found[ARRAY_SIZE(cgo_symbols)] = { 0 };
	struct needed_ctx nc = { .v = v, .ok = true };
	struct bg_elf_shdr sh;
	bool ok = true, tables, has_symtab = false, interp, dynamic;
	const char *ipath;
	size_t ilen, nneeded;
	char buf[256];

	memset(v, 0, sizeof(*v));
	for (size_t i = 0; bi && i < bi->nsettings; i++) {
		if (strcmp(bi->settings[i].key.s, "CGO_ENABLED"))
			continue;
		free(v->cgo_enabled); /* the last one counts */
		clean_copy(buf, sizeof(buf), bi->settings[i].value.s, bi->settings[i].value.len);
		v->cgo_enabled = strdup(buf);
		ok &= v->cgo_enabled != NULL;
	}

	/* links C? */
	nneeded = bg_elf_needed(e, needed_cb, &nc);
	ok &= nc.ok;
	if (nneeded > 8)
		ok &= add_ev(&v->cgo_evidence, &v->ncgo, "... %zu DT_NEEDED entries in all", nneeded);
	tables = bg_elf_find_symbols(e, cgo_symbols, ARRAY_SIZE(cgo_symbols), found);
	for (size_t i = 1; i < e->shnum; i++) {
		struct bg_elf_shdr s;

		if (bg_elf_shdr(e, i, &s) && s.type == BG_SHT_SYMTAB)
			has_symtab = true;
	}
	buf[0] = '\0';
	for (size_t k = 0; k < ARRAY_SIZE(cgo_symbols); k++)
		if (found[k])
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", buf[0] ? ", " : "",
				 cgo_symbols[k]);
	if (buf[0])
		ok &= add_ev(&v->cgo_evidence, &v->ncgo, "runtime/cgo symbols %s", buf);
	if (bg_elf_find_section(e, ".note.ABI-tag", &sh))
		ok &= add_ev(&v->cgo_evidence, &v->ncgo, "section .note.ABI-tag (C start files)");
	if (c_toolchain_comment(e, buf, sizeof(buf)))
		ok &= add_ev(&v->cgo_evidence, &v->ncgo, "section .comment from a C toolchain: %s", buf);
	v->cgo = v->ncgo > 0;
	if (!v->cgo) {
		ok &= add_ev(&v->cgo_evidence, &v->ncgo, "no DT_NEEDED entries");
		if (has_symtab)
			ok &= add_ev(&v->cgo_evidence, &v->ncgo, "no runtime/cgo symbols (x_cgo_init, crosscall2, _cgo_panic)");
		else if (tables)
			ok &= add_ev(&v->cgo_evidence, &v->ncgo, "no .symtab (stripped), no runtime/cgo symbols in .dynsym");
		else
			ok &= add_ev(&v->cgo_evidence, &v->ncgo, "no symbol tables (stripped): runtime/cgo symbols not checked");
	}
	if (v->cgo_enabled) {
		if (!v->cgo && !strcmp(v->cgo_enabled, "1"))
			ok &= add_ev(&v->cgo_evidence, &v->ncgo, "build CGO_ENABLED=1: cgo was enabled, but no C is linked");
		else
			ok &= add_ev(&v->cgo_evidence, &v->ncgo, "build CGO_ENABLED=%s", v->cgo_enabled);
	}

	/* static? */
	interp = bg_elf_interp(e, &ipath, &ilen);
	dynamic = bg_elf_has_dynamic(e);
	v->is_static = !interp && !dynamic;
	if (interp) {
		clean_copy(buf, sizeof(buf), ipath ? ipath : "?", ipath ? ilen : 1);
		ok &= add_ev(&v->static_evidence, &v->nstatic, "PT_INTERP %s", buf);
	} else {
		ok &= add_ev(&v->static_evidence, &v->nstatic, "no PT_INTERP");
	}
	if (dynamic)
		ok &= add_ev(&v->static_evidence, &v->nstatic, "PT_DYNAMIC (%zu DT_NEEDED)", nneeded);
	else
		ok &= add_ev(&v->static_evidence, &v->nstatic, "no PT_DYNAMIC");
	if (e->type == 3)
		ok &= add_ev(&v->static_evidence, &v->nstatic, "ELF type ET_DYN (position-independent)");
	return ok;
}

void bg_go_verdict_free(struct bg_go_verdict *v)
{
	for (size_t i = 0; i < v->ncgo; i++)
		free(v->cgo_evidence[i]);
	for (size_t i = 0; i < v->nstatic; i++)
		free(v->static_evidence[i]);
	free(v->cgo_evidence);
	free(v->static_evidence);
	free(v->cgo_enabled);
	memset(v, 0, sizeof(*v));
}

bool bg_go_is_dir_replacement(const struct bg_go_mod *rep)
{
	const char *p = rep->path;

	if (rep->sum[0])
		return false;
	/* modfile.IsDirectoryPath, plus: a module replacement always has a version */
	return !strncmp(p, "./", 2) || !strncmp(p, "../", 3) || p[0] == '/' || !strcmp(p, ".") ||
	       !strcmp(p, "..") || !rep->version[0] || !strcmp(rep->version, "(devel)");
}

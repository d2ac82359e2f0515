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
 * settings are reimplemented at the end of this file.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static bool fail(char *err, size_t errlen, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static bool fail(char *err, size_t errlen, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "line %u: ", line);

	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
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

static bool dup_str(const char *s, size_t len, struct bg_go_str *out)
{
	out->s = malloc(len + 1);
	if (!out->s)
		return false;
	memcpy(out->s, s, len);
	out->s[len] = '\0';
	out->len = len;
	return true;
}

/* One "build\t" line's key=value (kv is NUL-terminated, len bytes). */
static int parse_setting(const char *kv, size_t len, struct bg_go_setting *set, unsigned line,
			 char *err, size_t errlen)
{
	const char *raw;
	size_t rawlen;

	memset(set, 0, sizeof(*set));
	if (len < 1)
		return fail(err, errlen, line, "build line missing '='"), -1;
	if (kv[0] == '=')
		return fail(err, errlen, line, "build line with missing key"), -1;
	if (kv[0] == '`' || kv[0] == '"') {
		size_t q = bg_go_quoted_prefix(kv, len);

		if (q == 0)
			return fail(err, errlen, line, "invalid quoted key in build line"), -1;
		if (q == len)
			return fail(err, errlen, line, "build line missing '=' after quoted key"), -1;
		if (kv[q] != '=')
			return fail(err, errlen, line, "unexpected character after quoted key"), -1;
		if (!bg_go_unquote(kv, q, &set->key))
			return -ENOMEM; /* quoted_prefix said it is valid */
		raw = kv + q + 1;
		rawlen = len - q - 1;
	} else {
		const char *eq = memchr(kv, '=', len);

		if (!eq)
			return fail(err, errlen, line, "build line missing '=' after key"), -1;
		if (quote_key(kv, (size_t)(eq - kv)))
			return fail(err, errlen, line, "unquoted key must be quoted"), -1;
		if (!dup_str(kv, (size_t)(eq - kv), &set->key))
			return -ENOMEM;
		raw = eq + 1;
		rawlen = len - (size_t)(eq - kv) - 1;
	}
	if (rawlen > 0 && (raw[0] == '`' || raw[0] == '"')) {
		if (!bg_go_unquote(raw, rawlen, &set->value)) {
			free(set->key.s);
			set->key.s = NULL;
			return fail(err, errlen, line, "invalid quoted value in build line"), -1;
		}
	} else {
		if (quote_value(raw, rawlen)) {
			free(set->key.s);
			set->key.s = NULL;
			return fail(err, errlen, line, "unquoted value must be quoted"), -1;
		}
		if (!dup_str(raw, rawlen, &set->value)) {
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
				      char *err, size_t errlen)
{
	struct bg_go_dep *last = NULL;
	char *p, *end;
	unsigned line = 1;

	bi->path = "";
	bi->main.mod = (struct bg_go_mod){ "", "", "" };
	if (len > BG_GO_MODINFO_MAX) {
		snprintf(err, errlen, "module information is %zu bytes, more than the %u bpfguard reads",
			 len, BG_GO_MODINFO_MAX);
		return BG_GO_BAD_MODINFO;
	}
	/* go build never writes a NUL here; refusing it keeps C strings exact */
	if (len && memchr(mod, '\0', len)) {
		snprintf(err, errlen, "NUL byte in the module information");
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
				fail(err, errlen, line, "expected 2 or 3 columns; got %zu", n);
				return BG_GO_BAD_MODINFO;
			}
			if (l[0] == 'm') {
				last = &bi->main;
				memset(last, 0, sizeof(*last));
			} else {
				struct bg_go_dep *d = grow(bi->deps, bi->ndeps, sizeof(*d));

				if (!d) {
					if (bi->ndeps >= BG_GO_LINES_MAX) {
						fail(err, errlen, line, "more than %u dep lines", BG_GO_LINES_MAX);
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
				fail(err, errlen, line, "expected 3 columns for replacement; got %zu", n);
				return BG_GO_BAD_MODINFO;
			}
			if (!last) {
				fail(err, errlen, line, "replacement with no module on previous line");
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
					fail(err, errlen, line, "more than %u build lines", BG_GO_LINES_MAX);
					return BG_GO_BAD_MODINFO;
				}
				return BG_GO_NOMEM;
			}
			bi->settings = s;
			r = parse_setting(l + 6, (size_t)(nl - l) - 6, &s[bi->nsettings], line, err, errlen);
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
			     struct bg_go_buildinfo *bi, char *err, size_t errlen)
{
	struct bg_go_raw raw;
	enum bg_go_status st;

	memset(bi, 0, sizeof(*bi));
	bi->path = "";
	bi->main.mod = (struct bg_go_mod){ "", "", "" };
	err[0] = '\0';
	switch (bg_elf_open(e, buf, len)) {
	case BG_ELF_OK:
		break;
	case BG_ELF_NOT_ELF:
		snprintf(err, errlen, "not an ELF file");
		return BG_GO_NOT_ELF;
	default:
		snprintf(err, errlen, "%s", e->err);
		return BG_GO_BAD_ELF;
	}
	st = bg_go_find_raw(e, &raw);
	if (st != BG_GO_OK) {
		snprintf(err, errlen, "no Go build info found");
		return st;
	}
	bi->source = raw.source;
	bi->addr = raw.addr;
	bi->inline_strings = raw.inline_strings;
	bi->ptr_size = raw.ptr_size;
	if (!dup_str((const char *)raw.version, raw.version_len, &bi->go_version))
		return BG_GO_NOMEM;
	return bg_go_modinfo_parse(raw.modinfo, raw.modinfo_len, bi, err, errlen);
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
	char **a = realloc(*arr, (*n + 1) * sizeof(**arr));
	va_list ap;
	int r;

	if (!a)
		return false;
	*arr = a;
	va_start(ap, fmt);
	r = vasprintf(&a[*n], fmt, ap);
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

/* ------------------------------------------------------------------------ */
/* strconv: Unquote, QuotedPrefix, Quote, IsPrint (Go 1.19 semantics) */

#define RUNE_ERROR 0xfffdu

static bool valid_rune(uint32_t r)
{
	return r <= 0x10ffff && !(r >= 0xd800 && r <= 0xdfff);
}

/* utf8.DecodeRune over the shared strict decoder: an invalid or
 * truncated sequence decodes as (RUNE_ERROR, 1). */
static uint32_t decode_rune(const uint8_t *s, size_t n, size_t *w)
{
	uint32_t r;

	*w = bg_utf8_decode(s, n, &r);
	if (!*w) {
		*w = 1;
		return RUNE_ERROR;
	}
	return r;
}

/*
 * strconv's unquote for "..." and `...` strings at the start of in:
 * returns the length of the quoted prefix (0 = syntax error) and, when out
 * is given, its value (malloc'd).  Mirrors Go's two paths: a string without
 * escapes or newlines that is valid UTF-8 is taken as is; otherwise it is
 * decoded escape by escape, and invalid UTF-8 bytes become U+FFFD.
 */
static size_t go_unquote(const char *in, size_t n, struct bg_go_str *out)
{
	const char *close;
	size_t end, i, o = 0;
	char *buf = NULL;

	if (n < 2 || (in[0] != '"' && in[0] != '`'))
		return 0;
	close = memchr(in + 1, in[0], n - 1);
	if (!close)
		return 0;
	end = (size_t)(close - in) + 1; /* just past the closing quote, if no escapes */
	if (in[0] == '`') {
		if (out) {
			/* carriage returns are dropped from raw strings */
			if (!(buf = malloc(end)))
				return 0;
			for (i = 1; i + 1 < end; i++)
				if (in[i] != '\r')
					buf[o++] = in[i];
		}
		goto done;
	}
	if (!memchr(in, '\\', end) && !memchr(in, '\n', end) &&
	    bg_utf8_valid(in + 1, end - 2)) {
		if (out && !dup_str(in + 1, end - 2, out))
			return 0;
		return end;
	}
	/* each input byte yields at most 3 output bytes (U+FFFD) */
	if (out && !(buf = malloc(3 * n + 1)))
		return 0;
	for (i = 1; i < n && in[i] != '"';) {
		unsigned char c = (unsigned char)in[i];
		char tmp[4];
		uint32_t v = 0;
		size_t w, k, digits;

		if (c == '\n')
			goto bad;
		if (c >= 0x80) {
			v = decode_rune((const uint8_t *)in + i, n - i, &w);
			k = bg_utf8_encode(v, tmp);
			if (buf)
				memcpy(buf + o, tmp, k);
			o += k;
			i += w;
			continue;
		}
		if (c != '\\') {
			if (buf)
				buf[o] = (char)c;
			o++;
			i++;
			continue;
		}
		if (n - i < 2)
			goto bad;
		c = (unsigned char)in[i + 1];
		i += 2;
		switch (c) {
		case 'a': v = '\a'; break;
		case 'b': v = '\b'; break;
		case 'f': v = '\f'; break;
		case 'n': v = '\n'; break;
		case 'r': v = '\r'; break;
		case 't': v = '\t'; break;
		case 'v': v = '\v'; break;
		case '\\': v = '\\'; break;
		case '"': v = '"'; break;
		case 'x':
		case 'u':
		case 'U':
			digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
			if (n - i < digits)
				goto bad;
			for (k = 0; k < digits; k++) {
				int h = bg_unhex(in[i + k]);

				if (h < 0)
					goto bad;
				v = v << 4 | (uint32_t)h;
			}
			i += digits;
			if (c == 'x') {
				/* one byte, possibly not UTF-8 */
				if (buf)
					buf[o] = (char)v;
				o++;
				continue;
			}
			if (!valid_rune(v))
				goto bad;
			k = bg_utf8_encode(v, tmp);
			if (buf)
				memcpy(buf + o, tmp, k);
			o += k;
			continue;
		case '0': case '1': case '2': case '3':
		case '4': case '5': case '6': case '7':
			if (n - i < 2)
				goto bad;
			v = c - '0';
			for (k = 0; k < 2; k++) {
				if (in[i + k] < '0' || in[i + k] > '7')
					goto bad;
				v = v << 3 | (uint32_t)(in[i + k] - '0');
			}
			i += 2;
			if (v > 255)
				goto bad;
			if (buf)
				buf[o] = (char)v;
			o++;
			continue;
		default: /* including \' inside "..." */
			goto bad;
		}
		if (buf)
			buf[o] = (char)v;
		o++;
	}
	if (i >= n || in[i] != '"')
		goto bad;
	end = i + 1;
done:
	if (out) {
		buf[o] = '\0';
		out->s = buf;
		out->len = o;
	}
	return end;
bad:
	free(buf);
	return 0;
}

bool bg_go_unquote(const char *s, size_t len, struct bg_go_str *out)
{
	size_t n = go_unquote(s, len, out);

	if (n == len && n)
		return true;
	if (n) {
		free(out->s);
		out->s = NULL;
	}
	return false;
}

size_t bg_go_quoted_prefix(const char *s, size_t len)
{
	return go_unquote(s, len, NULL);
}

void bg_go_quote(const char *s, size_t len, FILE *f)
{
	static const char hex[] = "0123456789abcdef";

	fputc('"', f);
	for (size_t i = 0, w; i < len; i += w) {
		uint32_t r = (unsigned char)s[i];
		char tmp[4];

		w = 1;
		if (r >= 0x80)
			r = decode_rune((const uint8_t *)s + i, len - i, &w);
		if (w == 1 && r == RUNE_ERROR) {
			fprintf(f, "\\x%c%c", hex[(unsigned char)s[i] >> 4], hex[s[i] & 0xf]);
			continue;
		}
		if (r == '"' || r == '\\') {
			fputc('\\', f);
			fputc((int)r, f);
			continue;
		}
		if (bg_go_is_print(r)) {
			fwrite(tmp, 1, bg_utf8_encode(r, tmp), f);
			continue;
		}
		switch (r) {
		case '\a': fputs("\\a", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		case '\v': fputs("\\v", f); break;
		default:
			if (r < ' ' || r == 0x7f)
				fprintf(f, "\\x%c%c", hex[r >> 4], hex[r & 0xf]);
			else if (r < 0x10000)
				fprintf(f, "\\u%04x", r);
			else
				fprintf(f, "\\U%08x", r);
		}
	}
	fputc('"', f);
}

/*
 * strconv.IsPrint above ASCII: Unicode categories L, M, N, P and S.  The
 * ranges were generated from Python's unicodedata (Unicode 14.0; Go 1.19
 * uses 13.0, so only characters new in 14.0 can be quoted differently):
 *   [c for c in range(0x80, 0x110000) if category(chr(c))[0] in "LMNPS"]
 * folded into inclusive [first, last] ranges.
 */
static const uint32_t print_ranges[][2] = {
	{ 0xa1, 0xac }, { 0xae, 0x377 }, { 0x37a, 0x37f }, { 0x384, 0x38a }, { 0x38c, 0x38c },
	{ 0x38e, 0x3a1 }, { 0x3a3, 0x52f }, { 0x531, 0x556 }, { 0x559, 0x58a }, { 0x58d, 0x58f },
	{ 0x591, 0x5c7 }, { 0x5d0, 0x5ea }, { 0x5ef, 0x5f4 }, { 0x606, 0x61b }, { 0x61d, 0x6dc },
	{ 0x6de, 0x70d }, { 0x710, 0x74a }, { 0x74d, 0x7b1 }, { 0x7c0, 0x7fa }, { 0x7fd, 0x82d },
	{ 0x830, 0x83e }, { 0x840, 0x85b }, { 0x85e, 0x85e }, { 0x860, 0x86a }, { 0x870, 0x88e },
	{ 0x898, 0x8e1 }, { 0x8e3, 0x983 }, { 0x985, 0x98c }, { 0x98f, 0x990 }, { 0x993, 0x9a8 },
	{ 0x9aa, 0x9b0 }, { 0x9b2, 0x9b2 }, { 0x9b6, 0x9b9 }, { 0x9bc, 0x9c4 }, { 0x9c7, 0x9c8 },
	{ 0x9cb, 0x9ce }, { 0x9d7, 0x9d7 }, { 0x9dc, 0x9dd }, { 0x9df, 0x9e3 }, { 0x9e6, 0x9fe },
	{ 0xa01, 0xa03 }, { 0xa05, 0xa0a }, { 0xa0f, 0xa10 }, { 0xa13, 0xa28 }, { 0xa2a, 0xa30 },
	{ 0xa32, 0xa33 }, { 0xa35, 0xa36 }, { 0xa38, 0xa39 }, { 0xa3c, 0xa3c }, { 0xa3e, 0xa42 },
	{ 0xa47, 0xa48 }, { 0xa4b, 0xa4d }, { 0xa51, 0xa51 }, { 0xa59, 0xa5c }, { 0xa5e, 0xa5e },
	{ 0xa66, 0xa76 }, { 0xa81, 0xa83 }, { 0xa85, 0xa8d }, { 0xa8f, 0xa91 }, { 0xa93, 0xaa8 },
	{ 0xaaa, 0xab0 }, { 0xab2, 0xab3 }, { 0xab5, 0xab9 }, { 0xabc, 0xac5 }, { 0xac7, 0xac9 },
	{ 0xacb, 0xacd }, { 0xad0, 0xad0 }, { 0xae0, 0xae3 }, { 0xae6, 0xaf1 }, { 0xaf9, 0xaff },
	{ 0xb01, 0xb03 }, { 0xb05, 0xb0c }, { 0xb0f, 0xb10 }, { 0xb13, 0xb28 }, { 0xb2a, 0xb30 },
	{ 0xb32, 0xb33 }, { 0xb35, 0xb39 }, { 0xb3c, 0xb44 }, { 0xb47, 0xb48 }, { 0xb4b, 0xb4d },
	{ 0xb55, 0xb57 }, { 0xb5c, 0xb5d }, { 0xb5f, 0xb63 }, { 0xb66, 0xb77 }, { 0xb82, 0xb83 },
	{ 0xb85, 0xb8a }, { 0xb8e, 0xb90 }, { 0xb92, 0xb95 }, { 0xb99, 0xb9a }, { 0xb9c, 0xb9c },
	{ 0xb9e, 0xb9f }, { 0xba3, 0xba4 }, { 0xba8, 0xbaa }, { 0xbae, 0xbb9 }, { 0xbbe, 0xbc2 },
	{ 0xbc6, 0xbc8 }, { 0xbca, 0xbcd }, { 0xbd0, 0xbd0 }, { 0xbd7, 0xbd7 }, { 0xbe6, 0xbfa },
	{ 0xc00, 0xc0c }, { 0xc0e, 0xc10 }, { 0xc12, 0xc28 }, { 0xc2a, 0xc39 }, { 0xc3c, 0xc44 },
	{ 0xc46, 0xc48 }, { 0xc4a, 0xc4d }, { 0xc55, 0xc56 }, { 0xc58, 0xc5a }, { 0xc5d, 0xc5d },
	{ 0xc60, 0xc63 }, { 0xc66, 0xc6f }, { 0xc77, 0xc8c }, { 0xc8e, 0xc90 }, { 0xc92, 0xca8 },
	{ 0xcaa, 0xcb3 }, { 0xcb5, 0xcb9 }, { 0xcbc, 0xcc4 }, { 0xcc6, 0xcc8 }, { 0xcca, 0xccd },
	{ 0xcd5, 0xcd6 }, { 0xcdd, 0xcde }, { 0xce0, 0xce3 }, { 0xce6, 0xcef }, { 0xcf1, 0xcf2 },
	{ 0xd00, 0xd0c }, { 0xd0e, 0xd10 }, { 0xd12, 0xd44 }, { 0xd46, 0xd48 }, { 0xd4a, 0xd4f },
	{ 0xd54, 0xd63 }, { 0xd66, 0xd7f }, { 0xd81, 0xd83 }, { 0xd85, 0xd96 }, { 0xd9a, 0xdb1 },
	{ 0xdb3, 0xdbb }, { 0xdbd, 0xdbd }, { 0xdc0, 0xdc6 }, { 0xdca, 0xdca }, { 0xdcf, 0xdd4 },
	{ 0xdd6, 0xdd6 }, { 0xdd8, 0xddf }, { 0xde6, 0xdef }, { 0xdf2, 0xdf4 }, { 0xe01, 0xe3a },
	{ 0xe3f, 0xe5b }, { 0xe81, 0xe82 }, { 0xe84, 0xe84 }, { 0xe86, 0xe8a }, { 0xe8c, 0xea3 },
	{ 0xea5, 0xea5 }, { 0xea7, 0xebd }, { 0xec0, 0xec4 }, { 0xec6, 0xec6 }, { 0xec8, 0xecd },
	{ 0xed0, 0xed9 }, { 0xedc, 0xedf }, { 0xf00, 0xf47 }, { 0xf49, 0xf6c }, { 0xf71, 0xf97 },
	{ 0xf99, 0xfbc }, { 0xfbe, 0xfcc }, { 0xfce, 0xfda }, { 0x1000, 0x10c5 }, { 0x10c7, 0x10c7 },
	{ 0x10cd, 0x10cd }, { 0x10d0, 0x1248 }, { 0x124a, 0x124d }, { 0x1250, 0x1256 },
	{ 0x1258, 0x1258 }, { 0x125a, 0x125d }, { 0x1260, 0x1288 }, { 0x128a, 0x128d },
	{ 0x1290, 0x12b0 }, { 0x12b2, 0x12b5 }, { 0x12b8, 0x12be }, { 0x12c0, 0x12c0 },
	{ 0x12c2, 0x12c5 }, { 0x12c8, 0x12d6 }, { 0x12d8, 0x1310 }, { 0x1312, 0x1315 },
	{ 0x1318, 0x135a }, { 0x135d, 0x137c }, { 0x1380, 0x1399 }, { 0x13a0, 0x13f5 },
	{ 0x13f8, 0x13fd }, { 0x1400, 0x167f }, { 0x1681, 0x169c }, { 0x16a0, 0x16f8 },
	{ 0x1700, 0x1715 }, { 0x171f, 0x1736 }, { 0x1740, 0x1753 }, { 0x1760, 0x176c },
	{ 0x176e, 0x1770 }, { 0x1772, 0x1773 }, { 0x1780, 0x17dd }, { 0x17e0, 0x17e9 },
	{ 0x17f0, 0x17f9 }, { 0x1800, 0x180d }, { 0x180f, 0x1819 }, { 0x1820, 0x1878 },
	{ 0x1880, 0x18aa }, { 0x18b0, 0x18f5 }, { 0x1900, 0x191e }, { 0x1920, 0x192b },
	{ 0x1930, 0x193b }, { 0x1940, 0x1940 }, { 0x1944, 0x196d }, { 0x1970, 0x1974 },
	{ 0x1980, 0x19ab }, { 0x19b0, 0x19c9 }, { 0x19d0, 0x19da }, { 0x19de, 0x1a1b },
	{ 0x1a1e, 0x1a5e }, { 0x1a60, 0x1a7c }, { 0x1a7f, 0x1a89 }, { 0x1a90, 0x1a99 },
	{ 0x1aa0, 0x1aad }, { 0x1ab0, 0x1ace }, { 0x1b00, 0x1b4c }, { 0x1b50, 0x1b7e },
	{ 0x1b80, 0x1bf3 }, { 0x1bfc, 0x1c37 }, { 0x1c3b, 0x1c49 }, { 0x1c4d, 0x1c88 },
	{ 0x1c90, 0x1cba }, { 0x1cbd, 0x1cc7 }, { 0x1cd0, 0x1cfa }, { 0x1d00, 0x1f15 },
	{ 0x1f18, 0x1f1d }, { 0x1f20, 0x1f45 }, { 0x1f48, 0x1f4d }, { 0x1f50, 0x1f57 },
	{ 0x1f59, 0x1f59 }, { 0x1f5b, 0x1f5b }, { 0x1f5d, 0x1f5d }, { 0x1f5f, 0x1f7d },
	{ 0x1f80, 0x1fb4 }, { 0x1fb6, 0x1fc4 }, { 0x1fc6, 0x1fd3 }, { 0x1fd6, 0x1fdb },
	{ 0x1fdd, 0x1fef }, { 0x1ff2, 0x1ff4 }, { 0x1ff6, 0x1ffe }, { 0x2010, 0x2027 },
	{ 0x2030, 0x205e }, { 0x2070, 0x2071 }, { 0x2074, 0x208e }, { 0x2090, 0x209c },
	{ 0x20a0, 0x20c0 }, { 0x20d0, 0x20f0 }, { 0x2100, 0x218b }, { 0x2190, 0x2426 },
	{ 0x2440, 0x244a }, { 0x2460, 0x2b73 }, { 0x2b76, 0x2b95 }, { 0x2b97, 0x2cf3 },
	{ 0x2cf9, 0x2d25 }, { 0x2d27, 0x2d27 }, { 0x2d2d, 0x2d2d }, { 0x2d30, 0x2d67 },
	{ 0x2d6f, 0x2d70 }, { 0x2d7f, 0x2d96 }, { 0x2da0, 0x2da6 }, { 0x2da8, 0x2dae },
	{ 0x2db0, 0x2db6 }, { 0x2db8, 0x2dbe }, { 0x2dc0, 0x2dc6 }, { 0x2dc8, 0x2dce },
	{ 0x2dd0, 0x2dd6 }, { 0x2dd8, 0x2dde }, { 0x2de0, 0x2e5d }, { 0x2e80, 0x2e99 },
	{ 0x2e9b, 0x2ef3 }, { 0x2f00, 0x2fd5 }, { 0x2ff0, 0x2ffb }, { 0x3001, 0x303f },
	{ 0x3041, 0x3096 }, { 0x3099, 0x30ff }, { 0x3105, 0x312f }, { 0x3131, 0x318e },
	{ 0x3190, 0x31e3 }, { 0x31f0, 0x321e }, { 0x3220, 0xa48c }, { 0xa490, 0xa4c6 },
	{ 0xa4d0, 0xa62b }, { 0xa640, 0xa6f7 }, { 0xa700, 0xa7ca }, { 0xa7d0, 0xa7d1 },
	{ 0xa7d3, 0xa7d3 }, { 0xa7d5, 0xa7d9 }, { 0xa7f2, 0xa82c }, { 0xa830, 0xa839 },
	{ 0xa840, 0xa877 }, { 0xa880, 0xa8c5 }, { 0xa8ce, 0xa8d9 }, { 0xa8e0, 0xa953 },
	{ 0xa95f, 0xa97c }, { 0xa980, 0xa9cd }, { 0xa9cf, 0xa9d9 }, { 0xa9de, 0xa9fe },
	{ 0xaa00, 0xaa36 }, { 0xaa40, 0xaa4d }, { 0xaa50, 0xaa59 }, { 0xaa5c, 0xaac2 },
	{ 0xaadb, 0xaaf6 }, { 0xab01, 0xab06 }, { 0xab09, 0xab0e }, { 0xab11, 0xab16 },
	{ 0xab20, 0xab26 }, { 0xab28, 0xab2e }, { 0xab30, 0xab6b }, { 0xab70, 0xabed },
	{ 0xabf0, 0xabf9 }, { 0xac00, 0xd7a3 }, { 0xd7b0, 0xd7c6 }, { 0xd7cb, 0xd7fb },
	{ 0xf900, 0xfa6d }, { 0xfa70, 0xfad9 }, { 0xfb00, 0xfb06 }, { 0xfb13, 0xfb17 },
	{ 0xfb1d, 0xfb36 }, { 0xfb38, 0xfb3c }, { 0xfb3e, 0xfb3e }, { 0xfb40, 0xfb41 },
	{ 0xfb43, 0xfb44 }, { 0xfb46, 0xfbc2 }, { 0xfbd3, 0xfd8f }, { 0xfd92, 0xfdc7 },
	{ 0xfdcf, 0xfdcf }, { 0xfdf0, 0xfe19 }, { 0xfe20, 0xfe52 }, { 0xfe54, 0xfe66 },
	{ 0xfe68, 0xfe6b }, { 0xfe70, 0xfe74 }, { 0xfe76, 0xfefc }, { 0xff01, 0xffbe },
	{ 0xffc2, 0xffc7 }, { 0xffca, 0xffcf }, { 0xffd2, 0xffd7 }, { 0xffda, 0xffdc },
	{ 0xffe0, 0xffe6 }, { 0xffe8, 0xffee }, { 0xfffc, 0xfffd }, { 0x10000, 0x1000b },
	{ 0x1000d, 0x10026 }, { 0x10028, 0x1003a }, { 0x1003c, 0x1003d }, { 0x1003f, 0x1004d },
	{ 0x10050, 0x1005d }, { 0x10080, 0x100fa }, { 0x10100, 0x10102 }, { 0x10107, 0x10133 },
	{ 0x10137, 0x1018e }, { 0x10190, 0x1019c }, { 0x101a0, 0x101a0 }, { 0x101d0, 0x101fd },
	{ 0x10280, 0x1029c }, { 0x102a0, 0x102d0 }, { 0x102e0, 0x102fb }, { 0x10300, 0x10323 },
	{ 0x1032d, 0x1034a }, { 0x10350, 0x1037a }, { 0x10380, 0x1039d }, { 0x1039f, 0x103c3 },
	{ 0x103c8, 0x103d5 }, { 0x10400, 0x1049d }, { 0x104a0, 0x104a9 }, { 0x104b0, 0x104d3 },
	{ 0x104d8, 0x104fb }, { 0x10500, 0x10527 }, { 0x10530, 0x10563 }, { 0x1056f, 0x1057a },
	{ 0x1057c, 0x1058a }, { 0x1058c, 0x10592 }, { 0x10594, 0x10595 }, { 0x10597, 0x105a1 },
	{ 0x105a3, 0x105b1 }, { 0x105b3, 0x105b9 }, { 0x105bb, 0x105bc }, { 0x10600, 0x10736 },
	{ 0x10740, 0x10755 }, { 0x10760, 0x10767 }, { 0x10780, 0x10785 }, { 0x10787, 0x107b0 },
	{ 0x107b2, 0x107ba }, { 0x10800, 0x10805 }, { 0x10808, 0x10808 }, { 0x1080a, 0x10835 },
	{ 0x10837, 0x10838 }, { 0x1083c, 0x1083c }, { 0x1083f, 0x10855 }, { 0x10857, 0x1089e },
	{ 0x108a7, 0x108af }, { 0x108e0, 0x108f2 }, { 0x108f4, 0x108f5 }, { 0x108fb, 0x1091b },
	{ 0x1091f, 0x10939 }, { 0x1093f, 0x1093f }, { 0x10980, 0x109b7 }, { 0x109bc, 0x109cf },
	{ 0x109d2, 0x10a03 }, { 0x10a05, 0x10a06 }, { 0x10a0c, 0x10a13 }, { 0x10a15, 0x10a17 },
	{ 0x10a19, 0x10a35 }, { 0x10a38, 0x10a3a }, { 0x10a3f, 0x10a48 }, { 0x10a50, 0x10a58 },
	{ 0x10a60, 0x10a9f }, { 0x10ac0, 0x10ae6 }, { 0x10aeb, 0x10af6 }, { 0x10b00, 0x10b35 },
	{ 0x10b39, 0x10b55 }, { 0x10b58, 0x10b72 }, { 0x10b78, 0x10b91 }, { 0x10b99, 0x10b9c },
	{ 0x10ba9, 0x10baf }, { 0x10c00, 0x10c48 }, { 0x10c80, 0x10cb2 }, { 0x10cc0, 0x10cf2 },
	{ 0x10cfa, 0x10d27 }, { 0x10d30, 0x10d39 }, { 0x10e60, 0x10e7e }, { 0x10e80, 0x10ea9 },
	{ 0x10eab, 0x10ead }, { 0x10eb0, 0x10eb1 }, { 0x10f00, 0x10f27 }, { 0x10f30, 0x10f59 },
	{ 0x10f70, 0x10f89 }, { 0x10fb0, 0x10fcb }, { 0x10fe0, 0x10ff6 }, { 0x11000, 0x1104d },
	{ 0x11052, 0x11075 }, { 0x1107f, 0x110bc }, { 0x110be, 0x110c2 }, { 0x110d0, 0x110e8 },
	{ 0x110f0, 0x110f9 }, { 0x11100, 0x11134 }, { 0x11136, 0x11147 }, { 0x11150, 0x11176 },
	{ 0x11180, 0x111df }, { 0x111e1, 0x111f4 }, { 0x11200, 0x11211 }, { 0x11213, 0x1123e },
	{ 0x11280, 0x11286 }, { 0x11288, 0x11288 }, { 0x1128a, 0x1128d }, { 0x1128f, 0x1129d },
	{ 0x1129f, 0x112a9 }, { 0x112b0, 0x112ea }, { 0x112f0, 0x112f9 }, { 0x11300, 0x11303 },
	{ 0x11305, 0x1130c }, { 0x1130f, 0x11310 }, { 0x11313, 0x11328 }, { 0x1132a, 0x11330 },
	{ 0x11332, 0x11333 }, { 0x11335, 0x11339 }, { 0x1133b, 0x11344 }, { 0x11347, 0x11348 },
	{ 0x1134b, 0x1134d }, { 0x11350, 0x11350 }, { 0x11357, 0x11357 }, { 0x1135d, 0x11363 },
	{ 0x11366, 0x1136c }, { 0x11370, 0x11374 }, { 0x11400, 0x1145b }, { 0x1145d, 0x11461 },
	{ 0x11480, 0x114c7 }, { 0x114d0, 0x114d9 }, { 0x11580, 0x115b5 }, { 0x115b8, 0x115dd },
	{ 0x11600, 0x11644 }, { 0x11650, 0x11659 }, { 0x11660, 0x1166c }, { 0x11680, 0x116b9 },
	{ 0x116c0, 0x116c9 }, { 0x11700, 0x1171a }, { 0x1171d, 0x1172b }, { 0x11730, 0x11746 },
	{ 0x11800, 0x1183b }, { 0x118a0, 0x118f2 }, { 0x118ff, 0x11906 }, { 0x11909, 0x11909 },
	{ 0x1190c, 0x11913 }, { 0x11915, 0x11916 }, { 0x11918, 0x11935 }, { 0x11937, 0x11938 },
	{ 0x1193b, 0x11946 }, { 0x11950, 0x11959 }, { 0x119a0, 0x119a7 }, { 0x119aa, 0x119d7 },
	{ 0x119da, 0x119e4 }, { 0x11a00, 0x11a47 }, { 0x11a50, 0x11aa2 }, { 0x11ab0, 0x11af8 },
	{ 0x11c00, 0x11c08 }, { 0x11c0a, 0x11c36 }, { 0x11c38, 0x11c45 }, { 0x11c50, 0x11c6c },
	{ 0x11c70, 0x11c8f }, { 0x11c92, 0x11ca7 }, { 0x11ca9, 0x11cb6 }, { 0x11d00, 0x11d06 },
	{ 0x11d08, 0x11d09 }, { 0x11d0b, 0x11d36 }, { 0x11d3a, 0x11d3a }, { 0x11d3c, 0x11d3d },
	{ 0x11d3f, 0x11d47 }, { 0x11d50, 0x11d59 }, { 0x11d60, 0x11d65 }, { 0x11d67, 0x11d68 },
	{ 0x11d6a, 0x11d8e }, { 0x11d90, 0x11d91 }, { 0x11d93, 0x11d98 }, { 0x11da0, 0x11da9 },
	{ 0x11ee0, 0x11ef8 }, { 0x11fb0, 0x11fb0 }, { 0x11fc0, 0x11ff1 }, { 0x11fff, 0x12399 },
	{ 0x12400, 0x1246e }, { 0x12470, 0x12474 }, { 0x12480, 0x12543 }, { 0x12f90, 0x12ff2 },
	{ 0x13000, 0x1342e }, { 0x14400, 0x14646 }, { 0x16800, 0x16a38 }, { 0x16a40, 0x16a5e },
	{ 0x16a60, 0x16a69 }, { 0x16a6e, 0x16abe }, { 0x16ac0, 0x16ac9 }, { 0x16ad0, 0x16aed },
	{ 0x16af0, 0x16af5 }, { 0x16b00, 0x16b45 }, { 0x16b50, 0x16b59 }, { 0x16b5b, 0x16b61 },
	{ 0x16b63, 0x16b77 }, { 0x16b7d, 0x16b8f }, { 0x16e40, 0x16e9a }, { 0x16f00, 0x16f4a },
	{ 0x16f4f, 0x16f87 }, { 0x16f8f, 0x16f9f }, { 0x16fe0, 0x16fe4 }, { 0x16ff0, 0x16ff1 },
	{ 0x17000, 0x187f7 }, { 0x18800, 0x18cd5 }, { 0x18d00, 0x18d08 }, { 0x1aff0, 0x1aff3 },
	{ 0x1aff5, 0x1affb }, { 0x1affd, 0x1affe }, { 0x1b000, 0x1b122 }, { 0x1b150, 0x1b152 },
	{ 0x1b164, 0x1b167 }, { 0x1b170, 0x1b2fb }, { 0x1bc00, 0x1bc6a }, { 0x1bc70, 0x1bc7c },
	{ 0x1bc80, 0x1bc88 }, { 0x1bc90, 0x1bc99 }, { 0x1bc9c, 0x1bc9f }, { 0x1cf00, 0x1cf2d },
	{ 0x1cf30, 0x1cf46 }, { 0x1cf50, 0x1cfc3 }, { 0x1d000, 0x1d0f5 }, { 0x1d100, 0x1d126 },
	{ 0x1d129, 0x1d172 }, { 0x1d17b, 0x1d1ea }, { 0x1d200, 0x1d245 }, { 0x1d2e0, 0x1d2f3 },
	{ 0x1d300, 0x1d356 }, { 0x1d360, 0x1d378 }, { 0x1d400, 0x1d454 }, { 0x1d456, 0x1d49c },
	{ 0x1d49e, 0x1d49f }, { 0x1d4a2, 0x1d4a2 }, { 0x1d4a5, 0x1d4a6 }, { 0x1d4a9, 0x1d4ac },
	{ 0x1d4ae, 0x1d4b9 }, { 0x1d4bb, 0x1d4bb }, { 0x1d4bd, 0x1d4c3 }, { 0x1d4c5, 0x1d505 },
	{ 0x1d507, 0x1d50a }, { 0x1d50d, 0x1d514 }, { 0x1d516, 0x1d51c }, { 0x1d51e, 0x1d539 },
	{ 0x1d53b, 0x1d53e }, { 0x1d540, 0x1d544 }, { 0x1d546, 0x1d546 }, { 0x1d54a, 0x1d550 },
	{ 0x1d552, 0x1d6a5 }, { 0x1d6a8, 0x1d7cb }, { 0x1d7ce, 0x1da8b }, { 0x1da9b, 0x1da9f },
	{ 0x1daa1, 0x1daaf }, { 0x1df00, 0x1df1e }, { 0x1e000, 0x1e006 }, { 0x1e008, 0x1e018 },
	{ 0x1e01b, 0x1e021 }, { 0x1e023, 0x1e024 }, { 0x1e026, 0x1e02a }, { 0x1e100, 0x1e12c },
	{ 0x1e130, 0x1e13d }, { 0x1e140, 0x1e149 }, { 0x1e14e, 0x1e14f }, { 0x1e290, 0x1e2ae },
	{ 0x1e2c0, 0x1e2f9 }, { 0x1e2ff, 0x1e2ff }, { 0x1e7e0, 0x1e7e6 }, { 0x1e7e8, 0x1e7eb },
	{ 0x1e7ed, 0x1e7ee }, { 0x1e7f0, 0x1e7fe }, { 0x1e800, 0x1e8c4 }, { 0x1e8c7, 0x1e8d6 },
	{ 0x1e900, 0x1e94b }, { 0x1e950, 0x1e959 }, { 0x1e95e, 0x1e95f }, { 0x1ec71, 0x1ecb4 },
	{ 0x1ed01, 0x1ed3d }, { 0x1ee00, 0x1ee03 }, { 0x1ee05, 0x1ee1f }, { 0x1ee21, 0x1ee22 },
	{ 0x1ee24, 0x1ee24 }, { 0x1ee27, 0x1ee27 }, { 0x1ee29, 0x1ee32 }, { 0x1ee34, 0x1ee37 },
	{ 0x1ee39, 0x1ee39 }, { 0x1ee3b, 0x1ee3b }, { 0x1ee42, 0x1ee42 }, { 0x1ee47, 0x1ee47 },
	{ 0x1ee49, 0x1ee49 }, { 0x1ee4b, 0x1ee4b }, { 0x1ee4d, 0x1ee4f }, { 0x1ee51, 0x1ee52 },
	{ 0x1ee54, 0x1ee54 }, { 0x1ee57, 0x1ee57 }, { 0x1ee59, 0x1ee59 }, { 0x1ee5b, 0x1ee5b },
	{ 0x1ee5d, 0x1ee5d }, { 0x1ee5f, 0x1ee5f }, { 0x1ee61, 0x1ee62 }, { 0x1ee64, 0x1ee64 },
	{ 0x1ee67, 0x1ee6a }, { 0x1ee6c, 0x1ee72 }, { 0x1ee74, 0x1ee77 }, { 0x1ee79, 0x1ee7c },
	{ 0x1ee7e, 0x1ee7e }, { 0x1ee80, 0x1ee89 }, { 0x1ee8b, 0x1ee9b }, { 0x1eea1, 0x1eea3 },
	{ 0x1eea5, 0x1eea9 }, { 0x1eeab, 0x1eebb }, { 0x1eef0, 0x1eef1 }, { 0x1f000, 0x1f02b },
	{ 0x1f030, 0x1f093 }, { 0x1f0a0, 0x1f0ae }, { 0x1f0b1, 0x1f0bf }, { 0x1f0c1, 0x1f0cf },
	{ 0x1f0d1, 0x1f0f5 }, { 0x1f100, 0x1f1ad }, { 0x1f1e6, 0x1f202 }, { 0x1f210, 0x1f23b },
	{ 0x1f240, 0x1f248 }, { 0x1f250, 0x1f251 }, { 0x1f260, 0x1f265 }, { 0x1f300, 0x1f6d7 },
	{ 0x1f6dd, 0x1f6ec }, { 0x1f6f0, 0x1f6fc }, { 0x1f700, 0x1f773 }, { 0x1f780, 0x1f7d8 },
	{ 0x1f7e0, 0x1f7eb }, { 0x1f7f0, 0x1f7f0 }, { 0x1f800, 0x1f80b }, { 0x1f810, 0x1f847 },
	{ 0x1f850, 0x1f859 }, { 0x1f860, 0x1f887 }, { 0x1f890, 0x1f8ad }, { 0x1f8b0, 0x1f8b1 },
	{ 0x1f900, 0x1fa53 }, { 0x1fa60, 0x1fa6d }, { 0x1fa70, 0x1fa74 }, { 0x1fa78, 0x1fa7c },
	{ 0x1fa80, 0x1fa86 }, { 0x1fa90, 0x1faac }, { 0x1fab0, 0x1faba }, { 0x1fac0, 0x1fac5 },
	{ 0x1fad0, 0x1fad9 }, { 0x1fae0, 0x1fae7 }, { 0x1faf0, 0x1faf6 }, { 0x1fb00, 0x1fb92 },
	{ 0x1fb94, 0x1fbca }, { 0x1fbf0, 0x1fbf9 }, { 0x20000, 0x2a6df }, { 0x2a700, 0x2b738 },
	{ 0x2b740, 0x2b81d }, { 0x2b820, 0x2cea1 }, { 0x2ceb0, 0x2ebe0 }, { 0x2f800, 0x2fa1d },
	{ 0x30000, 0x3134a }, { 0xe0100, 0xe01ef },
};

bool bg_go_is_print(uint32_t r)
{
	size_t lo = 0, hi = ARRAY_SIZE(print_ranges);

	if (r < 0x80)
		return r >= 0x20 && r < 0x7f;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r < print_ranges[mid][0])
			hi = mid;
		else if (r > print_ranges[mid][1])
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

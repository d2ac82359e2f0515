// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * go_zip.c - the rules of a Go module zip (golang.org/x/mod/zip CheckZip,
 * plus what the go command's Unzip enforces while extracting), and Go's
 * path.Clean they rest on.  The zip itself is read by zip.c; module zips
 * come from proxies and caches we do not control, so every name is
 * checked as bytes, never used as a path.
 */
#include <locale.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <wctype.h>

#include "go_zip.h"
#include "textsafe.h"

/* ------------------------------------------------------------------------
 * Go's path.Clean (for the "clean relative path" rule and for HashDir's
 * filepath.Join semantics).
 */
size_t bg_go_path_clean(const char *s, size_t len, char *out)
{
	bool rooted = len && s[0] == '/';
	size_t r = 0, w = 0, dotdot = 0;

	if (!len) {
		out[0] = '.';
		out[1] = '\0';
		return 1;
	}
	if (rooted) {
		out[w++] = '/';
		r = 1;
		dotdot = 1;
	}
	while (r < len) {
		if (s[r] == '/') {
			r++;
		} else if (s[r] == '.' && (r + 1 == len || s[r + 1] == '/')) {
			r++;
		} else if (s[r] == '.' && s[r + 1] == '.' && (r + 2 == len || s[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				/* drop the last element */
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			for (; r < len && s[r] != '/'; r++)
				out[w++] = s[r];
		}
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	return w;
}

/* ------------------------------------------------------------------------
 * Module-zip rules.
 */

struct check {
	const struct bg_zip *z;
	bg_modzip_report_fn report;
	void *ctx;
	size_t nviol;
	bool *flagged; /* one violation per entry is enough, as in Go */
};

static void violation(struct check *c, size_t idx, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void violation(struct check *c, size_t idx, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	if (idx != SIZE_MAX) {
		if (c->flagged[idx])
			return;
		c->flagged[idx] = true;
	}
	c->nviol++;
	if (!c->report)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (idx == SIZE_MAX)
		c->report(c->ctx, NULL, 0, why);
	else
		c->report(c->ctx, c->z->ent[idx].name, c->z->ent[idx].name_len, why);
}

/* Unicode case folding by code point: lower(upper(c)) in C.UTF-8 puts every
 * member of a simple-fold orbit (K, k, KELVIN SIGN; S, s, LONG S; Σ, σ, ς)
 * on one representative, which is what Go's strToFold achieves.  Without
 * that locale only ASCII folds. */
static locale_t fold_loc;
static pthread_once_t fold_once = PTHREAD_ONCE_INIT;

static void fold_init(void)
{
	fold_loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

static uint32_t fold_cp(uint32_t c)
{
	if (c < 0x80)
		return c >= 'A' && c <= 'Z' ? c + 32 : c;
	if (!fold_loc)
		return c;
	return (uint32_t)towlower_l(towupper_l((wint_t)c, fold_loc), fold_loc);
}

/* Go's fileNameOK: ASCII letters, digits and "!#$%&()+,-.=@[]^_{}~ ",
 * and any Unicode letter. */
static bool file_char_ok(uint32_t c)
{
	if (c < 0x80)
		return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		       (c && strchr("!#$%&()+,-.=@[]^_{}~ ", (int)c));
	if (!fold_loc)
		return c != 0xfffd;
	return iswalpha_l((wint_t)c, fold_loc);
}

static const char *const windows_names[] = {
	"CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7",
	"COM8", "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
};

/* module.CheckFilePath: why p is not a valid file path, or NULL. */
static const char *check_file_path(const char *p, size_t len, char *why, size_t whylen)
{
	size_t i = 0, start = 0;

	if (!len)
		return "empty string";
	for (size_t k = 0; k < len;) {
		uint32_t cp;
		size_t n = bg_utf8_decode((const unsigned char *)p + k, len - k, &cp);

		if (!n)
			return "invalid UTF-8";
		k += n;
	}
	if (memmem(p, len, "//", 2))
		return "double slash";
	if (p[len - 1] == '/')
		return "trailing slash";
	for (i = 0; i <= len; i++) {
		const char *el = p + start;
		size_t elen = i - start, dots = 0, shortlen;

		if (i < len && p[i] != '/')
			continue;
		start = i + 1;
		if (!elen)
			return "empty path element";
		for (size_t k = 0; k < elen; k++)
			dots += el[k] == '.';
		if (dots == elen) {
			char q[64];

			bg_zip_quote(el, elen, q, sizeof(q));
			snprintf(why, whylen, "invalid path element %s", q);
			return why;
		}
		if (el[elen - 1] == '.')
			return "trailing dot in path element";
		for (size_t k = 0; k < elen;) {
			uint32_t cp;
			size_t n = bg_utf8_decode((const unsigned char *)el + k, elen - k, &cp);

			if (!file_char_ok(cp)) {
				char q[32];

				bg_zip_quote(el + k, n, q, sizeof(q));
				snprintf(why, whylen, "invalid char %s", q);
				return why;
			}
			k += n;
		}
		shortlen = elen;
		for (size_t k = 0; k < elen; k++)
			if (el[k] == '.') {
				shortlen = k;
				break;
			}
		for (size_t w = 0; w < sizeof(windows_names) / sizeof(windows_names[0]); w++)
			if (strlen(windows_names[w]) == shortlen && !strncasecmp(windows_names[w], el, shortlen)) {
				snprintf(why, whylen, "\"%.*s\" disallowed as path element component on Windows",
					 (int)shortlen, el);
				return why;
			}
	}
	return NULL;
}

/*
 * Case-insensitive collisions, and names that are both a file and a
 * directory ("a" and "a/b"): every path and each of its parent directories
 * goes into a hash table keyed by its case-folded form.  Parents are
 * inserted from the longest down and the walk stops at the first one
 * already present (its own parents are then present too), so the work is
 * linear in the total length of the names.
 */
struct fold_rec {
	const char *orig; /* the path as stored (a prefix of an entry's name) */
	const char *fold; /* its case-folded form */
	uint32_t olen, flen;
	uint32_t entry;
	bool dir;
	bool used;
};

struct fold_table {
	struct fold_rec *slot;
	size_t mask;
};

#define FNV_INIT 1469598103934665603ULL
#define FNV_STEP(h, b) (((h) ^ (unsigned char)(b)) * 1099511628211ULL)

/* The record with the same folded path, or NULL after inserting r. */
static struct fold_rec *fold_get(struct fold_table *t, const struct fold_rec *r, uint64_t h)
{
	for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
		struct fold_rec *s = &t->slot[i];

		if (!s->used) {
			*s = *r;
			s->used = true;
			return NULL;
		}
		if (s->flen == r->flen && !memcmp(s->fold, r->fold, r->flen))
			return s;
	}
}

/* Go's collisionChecker.check for one path: a violation when an earlier
 * path folds to the same string but is spelt differently, when one is a
 * file and the other a directory, or when a file appears twice. */
static bool collision(struct check *c, struct fold_table *t, const struct fold_rec *r, uint64_t h,
		      bool *present)
{
	struct fold_rec *o = fold_get(t, r, h);
	char q1[160], q2[160];

	*present = o != NULL;
	if (!o)
		return false;
	bg_zip_quote(r->orig, r->olen, q2, sizeof(q2));
	if (o->olen != r->olen || memcmp(o->orig, r->orig, r->olen)) {
		bg_zip_quote(o->orig, o->olen, q1, sizeof(q1));
		violation(c, r->entry, "case-insensitive file name collision: %s and %s", q1, q2);
		return true;
	}
	if (o->dir != r->dir) {
		violation(c, r->entry, "entry %s is both a file and a directory", q2);
		return true;
	}
	if (!r->dir) {
		violation(c, r->entry, "multiple entries for file %s", q2);
		return true;
	}
	return false;
}

struct fold_scratch {
	char *pool; /* folded names, 2 bytes per name byte at most */
	size_t pool_used;
	uint32_t *slash_o, *slash_f; /* '/' offsets in the original and folded path */
	uint64_t *slash_h;           /* hash of the folded path up to each '/' */
};

static void check_collisions(struct check *c, struct fold_table *t, struct fold_scratch *s,
			     size_t idx, const char *path, size_t plen, bool dir)
{
	char *fold = s->pool + s->pool_used;
	size_t f = 0, ns = 0;
	uint64_t h = FNV_INIT;
	struct fold_rec r;
	bool present;

	/* the path is valid UTF-8 here (checked before) */
	for (size_t k = 0; k < plen;) {
		uint32_t cp = 0;
		size_t n = bg_utf8_decode((const unsigned char *)path + k, plen - k, &cp);
		char enc[4];
		size_t en;

		if (!n)
			n = 1, cp = (unsigned char)path[k];
		if (cp == '/') {
			s->slash_o[ns] = (uint32_t)k;
			s->slash_f[ns] = (uint32_t)f;
			s->slash_h[ns] = h;
			ns++;
		}
		en = bg_utf8_encode(fold_cp(cp), enc);
		for (size_t b = 0; b < en; b++) {
			fold[f++] = enc[b];
			h = FNV_STEP(h, enc[b]);
		}
		k += n;
	}
	s->pool_used += f;
	r = (struct fold_rec){ .orig = path, .olen = (uint32_t)plen, .fold = fold, .flen = (uint32_t)f,
			       .entry = (uint32_t)idx, .dir = dir };
	if (collision(c, t, &r, h, &present) || present)
		return;
	while (ns--) {
		r.olen = s->slash_o[ns];
		r.flen = s->slash_f[ns];
		r.dir = true;
		if (collision(c, t, &r, s->slash_h[ns], &present) || present)
			return;
	}
}

/*
 * A light module.Check of "path@version": path elements of the characters
 * Go allows in module paths (ASCII letters, digits, "-._~"), none empty or
 * all dots; a version "v..." of semver characters.  Enough that a prefix
 * taken from an untrusted zip cannot carry control bytes, "..", or a
 * second '@' into messages and comparisons.
 */
static const char *check_modver(const char *s, size_t len)
{
	const char *at = memchr(s, '@', len);
	size_t plen, start = 0;

	if (!at)
		return "no @ between module path and version";
	plen = (size_t)(at - s);
	if (!plen)
		return "empty module path";
	for (size_t i = 0; i <= plen; i++) {
		size_t elen, dots = 0;

		if (i < plen && s[i] != '/') {
			char c = s[i];

			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			      c == '-' || c == '.' || c == '_' || c == '~'))
				return "invalid character in module path";
			continue;
		}
		elen = i - start;
		for (size_t k = start; k < i; k++)
			dots += s[k] == '.';
		if (!elen || dots == elen)
			return "empty or dot-only element in module path";
		start = i + 1;
	}
	if (len - plen - 1 < 2 || at[1] != 'v')
		return "version does not start with v";
	for (const char *v = at + 1; v < s + len; v++)
		if (!((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') || (*v >= '0' && *v <= '9') ||
		      *v == '-' || *v == '.' || *v == '+'))
			return "invalid character in version";
	return NULL;
}

/* The module@version/ prefix every name must start with. */
static bool make_prefix(struct check *c, const char *prefix, char **pfx, size_t *plen)
{
	const struct bg_zip *z = c->z;
	const char *at, *slash, *bad;
	char q[160];
	size_t len;

	if (prefix) {
		len = strlen(prefix);
		if (len && prefix[len - 1] == '/')
			len--;
		bad = check_modver(prefix, len);
		if (bad) {
			bg_zip_quote(prefix, strlen(prefix), q, sizeof(q));
			violation(c, SIZE_MAX, "prefix %s is not MODULE@VERSION: %s", q, bad);
			return false;
		}
	} else {
		if (!z->n)
			return true; /* an empty zip has nothing to disagree with */
		at = memchr(z->ent[0].name, '@', z->ent[0].name_len);
		slash = at ? memchr(at, '/', z->ent[0].name_len - (size_t)(at - z->ent[0].name)) : NULL;
		if (!slash) {
			violation(c, 0, "cannot tell the module@version/ prefix from the first entry's name");
			return false;
		}
		prefix = z->ent[0].name;
		len = (size_t)(slash - prefix);
		bad = check_modver(prefix, len);
		if (bad) {
			bg_zip_quote(prefix, len, q, sizeof(q));
			violation(c, 0, "module@version prefix %s of the first entry is not valid: %s", q, bad);
			return false;
		}
	}
	*pfx = malloc(len + 2);
	if (!*pfx)
		return false;
	memcpy(*pfx, prefix, len);
	(*pfx)[len] = '/';
	(*pfx)[len + 1] = '\0';
	*plen = len + 1;
	return true;
}

/* Unix file type of an entry made on a Unix-like host (0 when unknown). */
static unsigned entry_type(const struct bg_zip_entry *e)
{
	unsigned host = e->made_by >> 8;

	if (host != 3 && host != 19) /* Unix, OS X */
		return 0;
	return (e->ext_attr >> 16) & S_IFMT;
}

/* The scratch of one check: the fold table and the buffers sized by the
 * longest name, all bounded by the zip's own central directory. */
struct scratch {
	struct fold_table t;
	struct fold_scratch s;
	char *clean; /* a path.Clean'ed name */
};

static bool scratch_alloc(const struct bg_zip *z, struct scratch *sc)
{
	size_t maxname = 0, recs = 0, namebytes = 0, tsize;

	for (size_t i = 0; i < z->n; i++) {
		size_t slashes = 1;

		for (size_t k = 0; k < z->ent[i].name_len; k++)
			slashes += z->ent[i].name[k] == '/';
		recs += slashes;
		namebytes += z->ent[i].name_len;
		if (z->ent[i].name_len > maxname)
			maxname = z->ent[i].name_len;
	}
	for (tsize = 16; tsize < 2 * recs; tsize *= 2)
		;
	sc->t.slot = calloc(tsize, sizeof(*sc->t.slot));
	sc->t.mask = tsize - 1;
	sc->s.pool = malloc(2 * namebytes + 1);
	sc->s.slash_o = malloc((maxname + 1) * sizeof(*sc->s.slash_o));
	sc->s.slash_f = malloc((maxname + 1) * sizeof(*sc->s.slash_f));
	sc->s.slash_h = malloc((maxname + 1) * sizeof(*sc->s.slash_h));
	sc->clean = malloc(maxname + 3);
	return sc->t.slot && sc->s.pool && sc->s.slash_o && sc->s.slash_f && sc->s.slash_h && sc->clean;
}

static void scratch_free(struct scratch *sc)
{
	free(sc->clean);
	free(sc->t.slot);
	free(sc->s.pool);
	free(sc->s.slash_o);
	free(sc->s.slash_f);
	free(sc->s.slash_h);
}

/* The rules for entry i (one violation per entry, as in Go); *total sums
 * the declared sizes, *size_reported says the total was reported. */
static void check_entry(struct check *c, struct scratch *sc, size_t i, const char *pfx, size_t plen,
			uint64_t *total, bool *size_reported)
{
	const struct bg_zip_entry *e = &c->z->ent[i];
	const char *rest, *base;
	size_t rlen, blen;
	unsigned type;
	bool dir;
	char why[256];
	const char *bad;

	if (e->name_len < plen || memcmp(e->name, pfx, plen)) {
		char q[160];

		bg_zip_quote(pfx, plen, q, sizeof(q));
		violation(c, i, "path does not have prefix %s", q);
		return;
	}
	/* declared sizes of every entry count, directories too: they
	 * are read when hashing, so they must be bounded as well */
	if (e->usize > BG_GOZIP_MAX_SIZE - *total) {
		if (!*size_reported)
			violation(c, SIZE_MAX, "total uncompressed size of module contents too large (max size is %llu bytes)",
				  BG_GOZIP_MAX_SIZE);
		*size_reported = true;
	} else {
		*total += e->usize;
	}
	type = entry_type(e);
	if (type == S_IFLNK) {
		violation(c, i, "file is a symbolic link");
		return;
	}
	if (type && type != S_IFREG && type != S_IFDIR) {
		violation(c, i, "not a regular file (mode %06o)", e->ext_attr >> 16);
		return;
	}
	rest = e->name + plen;
	rlen = e->name_len - plen;
	if (!rlen)
		return; /* the module@version/ directory itself */
	dir = rest[rlen - 1] == '/';
	if (dir)
		rlen--;
	if (bg_go_path_clean(rest, rlen, sc->clean) != rlen || memcmp(sc->clean, rest, rlen)) {
		violation(c, i, "file path is not clean");
		return;
	}
	bad = check_file_path(rest, rlen, why, sizeof(why));
	if (bad) {
		char q[160];

		bg_zip_quote(rest, rlen, q, sizeof(q));
		violation(c, i, "malformed file path %s: %s", q, bad);
		return;
	}
	check_collisions(c, &sc->t, &sc->s, i, rest, rlen, dir);
	if (c->flagged[i] || dir)
		return;
	base = memrchr(rest, '/', rlen);
	base = base ? base + 1 : rest;
	blen = rlen - (size_t)(base - rest);
	if (blen == 6 && !strncasecmp(base, "go.mod", 6)) {
		if (base != rest) {
			violation(c, i, "go.mod file not in module root directory");
			return;
		}
		if (memcmp(rest, "go.mod", 6)) {
			violation(c, i, "go.mod files must have lowercase names");
			return;
		}
		if (e->usize > BG_GOZIP_MAX_GOMOD)
			violation(c, i, "go.mod file too large (max size is %llu bytes)", BG_GOZIP_MAX_GOMOD);
	}
	if (rlen == 7 && !memcmp(rest, "LICENSE", 7) && e->usize > BG_GOZIP_MAX_LICENSE)
		violation(c, i, "LICENSE file too large (max size is %llu bytes)", BG_GOZIP_MAX_LICENSE);
}

int bg_modzip_check(const struct bg_zip *z, const char *prefix, bg_modzip_report_fn report,
		    void *ctx, char *inferred, size_t inferred_len, size_t *nviol)
{
	struct check c = { .z = z, .report = report, .ctx = ctx };
	struct scratch sc = { 0 };
	size_t plen = 0;
	uint64_t total = 0;
	bool size_reported = false;
	char *pfx = NULL;
	int st = BG_ZIP_ENOMEM;

	pthread_once(&fold_once, fold_init);
	if (inferred && inferred_len)
		inferred[0] = '\0';
	c.flagged = calloc(z->n + 1, 1);
	if (!c.flagged)
		goto out;
	if (z->size > BG_GOZIP_MAX_SIZE) {
		violation(&c, SIZE_MAX, "module zip file is too large (%zu bytes; limit is %llu bytes)",
			  z->size, BG_GOZIP_MAX_SIZE);
		goto done;
	}
	if (!make_prefix(&c, prefix, &pfx, &plen)) {
		if (c.nviol)
			goto done;
		goto out;
	}
	if (pfx && inferred && inferred_len)
		snprintf(inferred, inferred_len, "%.*s", (int)(plen - 1), pfx);
	if (!scratch_alloc(z, &sc))
		goto out;
	for (size_t i = 0; i < z->n; i++)
		check_entry(&c, &sc, i, pfx, plen, &total, &size_reported);
done:
	st = c.nviol ? BG_ZIP_ERULES : BG_ZIP_OK;
out:
	if (nviol)
		*nviol = c.nviol;
	free(c.flagged);
	free(pfx);
	scratch_free(&sc);
	return st;
}

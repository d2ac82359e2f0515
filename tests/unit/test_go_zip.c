// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The zip reader (user/go/zip.c) and the module-zip rules
 * (user/go/go_zip.c), and h1: hashes of zips (user/go/go_dirhash.c), over zips built here in memory by a small
 * writer that can also write them wrong: every rule violation and every
 * kind of corruption the reader must catch has a zip of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <zlib.h>

#include "go_dirhash.h"
#include "go_zip.h"

/* ------------------------------------------------------------------------
 * A zip writer for tests.
 */

struct zent {
	char name[300];
	uint32_t crc, csize, usize, lho, ext;
	uint16_t method, flags, made_by;
	bool zip64;
};

struct zb {
	uint8_t *buf;
	size_t len, cap;
	struct zent e[64];
	size_t n;
};

/* What to get wrong in one entry. */
struct zopt {
	int method;            /* 0 stored, 8 deflate */
	const char *local_name; /* a different name in the local header */
	long declared;         /* declared uncompressed size, when >= 0 */
	bool bad_crc;
	bool descriptor; /* flag 8, sizes and CRC after the data */
	bool zip64;      /* sizes and offset in a Zip64 extra field */
	int levels;      /* 1: stored blocks then compressed; 2: the reverse; 3: stored only */
	uint32_t ext;    /* external attributes */
	uint16_t made_by;
};

static void put(struct zb *z, const void *p, size_t n)
{
	if (z->len + n > z->cap) {
		z->cap = (z->len + n) * 2 + 1024;
		z->buf = realloc(z->buf, z->cap);
		assert_non_null(z->buf);
	}
	memcpy(z->buf + z->len, p, n);
	z->len += n;
}

static void put16(struct zb *z, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	put(z, b, 2);
}

static void put32(struct zb *z, uint32_t v)
{
	put16(z, (uint16_t)v);
	put16(z, (uint16_t)(v >> 16));
}

static void put64(struct zb *z, uint64_t v)
{
	put32(z, (uint32_t)v);
	put32(z, (uint32_t)(v >> 32));
}

static size_t deflate_raw(const void *in, size_t n, uint8_t **out)
{
	z_stream s = { 0 };
	size_t cap = compressBound(n) + 64;

	*out = malloc(cap);
	assert_non_null(*out);
	assert_int_equal(deflateInit2(&s, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	s.next_in = (Bytef *)in;
	s.avail_in = (uInt)n;
	s.next_out = *out;
	s.avail_out = (uInt)cap;
	assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
	n = s.total_out;
	deflateEnd(&s);
	return n;
}

/* Raw deflate at level a for data[0..split), then level b for the rest:
 * level 0 gives stored blocks, so streams can mix stored and compressed. */
static size_t deflate_levels(const void *in, size_t n, size_t split, int a, int b, uint8_t **out)
{
	z_stream s = { 0 };
	size_t cap = compressBound(n) + 1024;

	*out = malloc(cap);
	assert_non_null(*out);
	assert_int_equal(deflateInit2(&s, a, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	s.next_out = *out;
	s.avail_out = (uInt)cap;
	s.next_in = (Bytef *)in;
	s.avail_in = (uInt)split;
	assert_int_equal(deflate(&s, Z_NO_FLUSH), Z_OK);
	assert_int_equal(deflateParams(&s, b, Z_DEFAULT_STRATEGY), Z_OK);
	s.avail_in = (uInt)(n - split);
	assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
	n = s.total_out;
	deflateEnd(&s);
	return n;
}

static void zb_add(struct zb *z, const char *name, const void *data, size_t len, const struct zopt *o)
{
	struct zopt def = { .method = 8, .declared = -1 };
	struct zent *e = &z->e[z->n++];
	const char *lname;
	uint8_t *comp = NULL;
	const void *payload = data;
	size_t plen = len;

	if (!o)
		o = &def;
	lname = o->local_name ? o->local_name : name;
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->method = (uint16_t)o->method;
	e->flags = (o->descriptor ? 8 : 0) | 0x800;
	e->made_by = o->made_by ? o->made_by : (3 << 8 | 20);
	e->ext = o->ext ? o->ext : (uint32_t)(S_IFREG | 0644) << 16;
	e->crc = (uint32_t)crc32(0, data, (uInt)len) ^ (o->bad_crc ? 1u : 0u);
	if (o->method == 8) {
		if (o->levels == 1)
			plen = deflate_levels(data, len, len / 2, 0, 9, &comp);
		else if (o->levels == 2)
			plen = deflate_levels(data, len, len / 2, 9, 0, &comp);
		else if (o->levels == 3)
			plen = deflate_levels(data, len, len / 2, 0, 0, &comp);
		else
			plen = deflate_raw(data, len, &comp);
		payload = comp;
	}
	e->csize = (uint32_t)plen;
	e->usize = o->declared >= 0 ? (uint32_t)o->declared : (uint32_t)len;
	e->lho = (uint32_t)z->len;
	e->zip64 = o->zip64;

	put32(z, 0x04034b50);
	put16(z, 20);
	put16(z, e->flags);
	put16(z, e->method);
	put16(z, 0);
	put16(z, 0x21);
	put32(z, o->descriptor ? 0 : e->crc);
	put32(z, o->descriptor ? 0 : o->zip64 ? 0xffffffffu : e->csize);
	put32(z, o->descriptor ? 0 : o->zip64 ? 0xffffffffu : e->usize);
	put16(z, (uint16_t)strlen(lname));
	put16(z, o->zip64 ? 20 : 0);
	put(z, lname, strlen(lname));
	if (o->zip64) {
		put16(z, 1);
		put16(z, 16);
		put64(z, e->usize);
		put64(z, e->csize);
	}
	put(z, payload, plen);
	if (o->descriptor) {
		put32(z, 0x08074b50);
		put32(z, e->crc);
		put32(z, e->csize);
		put32(z, e->usize);
	}
	free(comp);
}

/* Central directory and end record; count_delta and cd_off_delta write
 * them wrong on purpose. */
static void zb_finish_opts(struct zb *z, int count_delta, int64_t cd_off_delta, const char *comment)
{
	uint32_t cd = (uint32_t)z->len, cd_size;

	for (size_t i = 0; i < z->n; i++) {
		struct zent *e = &z->e[i];

		put32(z, 0x02014b50);
		put16(z, e->made_by);
		put16(z, 20);
		put16(z, e->flags);
		put16(z, e->method);
		put16(z, 0);
		put16(z, 0x21);
		put32(z, e->crc);
		put32(z, e->zip64 ? 0xffffffffu : e->csize);
		put32(z, e->zip64 ? 0xffffffffu : e->usize);
		put16(z, (uint16_t)strlen(e->name));
		put16(z, e->zip64 ? 28 : 0);
		put16(z, 0);
		put16(z, 0);
		put16(z, 0);
		put32(z, e->ext);
		put32(z, e->zip64 ? 0xffffffffu : e->lho);
		put(z, e->name, strlen(e->name));
		if (e->zip64) {
			put16(z, 1);
			put16(z, 24);
			put64(z, e->usize);
			put64(z, e->csize);
			put64(z, e->lho);
		}
	}
	cd_size = (uint32_t)z->len - cd;
	put32(z, 0x06054b50);
	put16(z, 0);
	put16(z, 0);
	put16(z, (uint16_t)((int)z->n + count_delta));
	put16(z, (uint16_t)((int)z->n + count_delta));
	put32(z, cd_size);
	put32(z, (uint32_t)((int64_t)cd + cd_off_delta));
	put16(z, comment ? (uint16_t)strlen(comment) : 0);
	if (comment)
		put(z, comment, strlen(comment));
}

static void zb_finish(struct zb *z)
{
	zb_finish_opts(z, 0, 0, NULL);
}

static void zb_free(struct zb *z)
{
	free(z->buf);
	memset(z, 0, sizeof(*z));
}

/* Collected violations. */
struct viols {
	size_t n;
	char text[32][400];
};

static void collect(void *ctx, const char *name, size_t name_len, const char *why)
{
	struct viols *v = ctx;

	if (v->n < 32)
		snprintf(v->text[v->n], sizeof(v->text[0]), "%.*s: %s", (int)name_len, name ? name : "", why);
	v->n++;
}

static bool has_viol(const struct viols *v, const char *needle)
{
	for (size_t i = 0; i < v->n && i < 32; i++)
		if (strstr(v->text[i], needle))
			return true;
	return false;
}

static int check(struct zb *z, const char *prefix, struct viols *v)
{
	struct bg_zip zip;
	size_t nv = 0;
	int st;

	memset(v, 0, sizeof(*v));
	st = bg_zip_open_mem(&zip, z->buf, z->len);
	if (st)
		fail_msg("open: %s", zip.err);
	st = bg_modzip_check(&zip, prefix, collect, v, NULL, 0, &nv);
	assert_int_equal(nv, v->n);
	bg_zip_close(&zip);
	return st;
}

/* Reads every entry; returns the first failure and its message. */
static int read_all(struct zb *z, struct bg_diag *dg)
{
	struct bg_zip zip;
	struct bg_zip_reader r;
	int st;

	*dg = (struct bg_diag){ 0 };
	st = bg_zip_open_mem(&zip, z->buf, z->len);
	if (st) {
		bg_diag_set(dg, "%s", zip.err);
		return st;
	}
	assert_int_equal(bg_zip_reader_init(&r), BG_ZIP_OK);
	for (size_t i = 0; i < zip.n && !st; i++)
		st = bg_zip_read(&zip, i, &r, NULL, NULL, dg);
	bg_zip_reader_free(&r);
	bg_zip_close(&zip);
	return st;
}

static const char GOMOD[] = "module example.com/m\n\ngo 1.19\n";
static const char SRC[] = "package m\n\nfunc F() int { return 42 }\n";

/* ------------------------------------------------------------------------
 * Tests.
 */

static void test_valid_zip_hash_matches_buffers(void **state)
{
	const char *names[] = { "example.com/m@v1.0.0/go.mod", "example.com/m@v1.0.0/m.go",
				"example.com/m@v1.0.0/sub dir/é日本.txt", "example.com/m@v1.0.0/empty" };
	const void *data[] = { GOMOD, SRC, "unicode and spaces", "" };
	size_t lens[] = { sizeof(GOMOD) - 1, sizeof(SRC) - 1, 18, 0 };
	struct zopt stored = { .method = 0, .declared = -1 }, dd = { .method = 8, .declared = -1, .descriptor = true };
	struct zb z = { 0 };
	struct viols v;
	struct bg_zip zip;
	struct bg_diag d = { 0 };
	char want[BG_H1_LEN], got[BG_H1_LEN], inferred[128];
	size_t nv;

	(void)state;
	zb_add(&z, names[0], data[0], lens[0], NULL);
	zb_add(&z, names[1], data[1], lens[1], &stored);
	zb_add(&z, names[2], data[2], lens[2], &dd);
	zb_add(&z, names[3], data[3], lens[3], &stored);
	zb_finish(&z);
	assert_int_equal(check(&z, "example.com/m@v1.0.0", &v), BG_ZIP_OK);
	assert_int_equal(bg_zip_open_mem(&zip, z.buf, z.len), BG_ZIP_OK);
	assert_int_equal(zip.n, 4);
	assert_int_equal(bg_modzip_check(&zip, NULL, NULL, NULL, inferred, sizeof(inferred), &nv), BG_ZIP_OK);
	assert_string_equal(inferred, "example.com/m@v1.0.0");
	assert_int_equal(bg_h1_zip(&zip, got, &d), BG_ZIP_OK);
	assert_int_equal(bg_h1_buffers(names, data, lens, 4, want, &d), BG_ZIP_OK);
	assert_string_equal(got, want);
	bg_zip_close(&zip);
	zb_free(&z);
}

static void test_empty_zip(void **state)
{
	struct zb z = { 0 };
	struct bg_zip zip;
	struct bg_diag d = { 0 };
	char got[BG_H1_LEN];
	size_t nv = 9;

	(void)state;
	zb_finish(&z);
	assert_int_equal(bg_zip_open_mem(&zip, z.buf, z.len), BG_ZIP_OK);
	assert_int_equal(zip.n, 0);
	assert_int_equal(bg_modzip_check(&zip, NULL, NULL, NULL, NULL, 0, &nv), BG_ZIP_OK);
	assert_int_equal(nv, 0);
	assert_int_equal(bg_h1_zip(&zip, got, &d), BG_ZIP_OK);
	assert_string_equal(got, "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
	bg_zip_close(&zip);
	zb_free(&z);
}

static void test_bad_prefix(void **state)
{
	struct zb z = { 0 };
	struct viols v;

	(void)state;
	zb_add(&z, "example.com/m@v1.0.0/go.mod", GOMOD, sizeof(GOMOD) - 1, NULL);
	zb_add(&z, "example.com/other@v1.0.0/x.go", SRC, sizeof(SRC) - 1, NULL);
	zb_finish(&z);
	/* given prefix: both wrong */
	assert_int_equal(check(&z, "example.com/m@v1.0.1", &v), BG_ZIP_ERULES);
	assert_int_equal(v.n, 2);
	assert_true(has_viol(&v, "path does not have prefix \"example.com/m@v1.0.1/\""));
	/* inferred from the first entry: the second one disagrees */
	assert_int_equal(check(&z, NULL, &v), BG_ZIP_ERULES);
	assert_int_equal(v.n, 1);
	assert_true(has_viol(&v, "example.com/other@v1.0.0/x.go: path does not have prefix \"example.com/m@v1.0.0/\""));
	/* a prefix that is not MODULE@VERSION */
	assert_int_equal(check(&z, "example.com/m", &v), BG_ZIP_ERULES);
	assert_true(has_viol(&v, "is not MODULE@VERSION"));
	zb_free(&z);

	/* nothing to infer from */
	zb_add(&z, "go.mod", GOMOD, sizeof(GOMOD) - 1, NULL);
	zb_finish(&z);
	assert_int_equal(check(&z, NULL, &v), BG_ZIP_ERULES);
	assert_true(has_viol(&v, "cannot tell the module@version/ prefix"));
	zb_free(&z);

	/* an inferred prefix must look like a module path and version */
	zb_add(&z, "ex\001.com/../m@v1.0.0/go.mod", GOMOD, sizeof(GOMOD) - 1, NULL);
	zb_finish(&z);
	assert_int_equal(check(&z, NULL, &v), BG_ZIP_ERULES);
	assert_true(has_viol(&v, "invalid character in module path"));
	assert_int_equal(check(&z, "ex.com/../m@v1.0.0", &v), BG_ZIP_ERULES);
	assert_true(has_viol(&v, "dot-only element"));
	assert_int_equal(check(&z, "ex.com/m@1.0.0", &v), BG_ZIP_ERULES);
	assert_true(has_viol(&v, "version does not start with v"));
	zb_free(&z);
}

/* One entry named name after the prefix m@v1.0.0/: the violation it gives. */
static void expect_name_violation(const char *rest, const char *why)
{
	struct zb z = { 0 };
	struct viols v;
	char name[300];

	snprintf(name, sizeof(name), "m.example@v1.0.0/%s", rest);
	zb_add(&z, "m.example@v1.0.0/go.mod", GOMOD, sizeof(GOMOD) - 1, NULL);
	zb_add(&z, name, SRC, sizeof(SRC) - 1, NULL);
	zb_finish(&z);
	assert_int_equal(check(&z, "m.example@v1.0.0", &v), why ? BG_ZIP_ERULES : BG_ZIP_OK);
	if (why) {
		if (v.n != 1 || !has_viol(&v, why))
			fail_msg("%s: wanted one violation \"%s\", got %zu: %s", rest, why, v.n, v.n ? v.text[0] : "");
	}
	zb_free(&z);
}

static void test_path_rules(void **state)
{
	(void)state;
	expect_name_violation("a/../b.go", "file path is not clean");
	expect_name_violation("../b.go", "invalid path element \"..\"");
	expect_name_violation("a/./b.go", "file path is not clean");
	expect_name_violation("./b.go", "file path is not clean");
	expect_name_violation("a//b.go", "file path is not clean");
	expect_name_violation("/abs.go", "empty path element");
	expect_name_violation("a\\b.go", "invalid char \"\\\\\"");
	expect_name_violation("a\nb.go", "invalid char \"\\n\"");
	expect_name_violation("bad\xff.go", "invalid UTF-8");
	expect_name_violation("x/trailing.", "trailing dot in path element");
	expect_name_violation("aux.go", "disallowed as path element component on Windows");
	expect_name_violation("q?.go", "invalid char \"?\"");
	expect_name_violation("sub/go.mod", "go.mod file not in module root directory");
	/* fine: spaces, unicode letters, allowed punctuation, a directory entry */
	expect_name_violation("a b/é日本Ω.go", NULL);
	expect_name_violation("x/[v]{1}_~-+=@,!#$%&().go", NULL);
	expect_name_violation("dir/", NULL);
	expect_name_violation(".hidden", NULL);
}

static void test_gomod_case(void **state)
{
	struct zb z = { 0 };
	struct viols v;

	(void)state;
	zb_add(&z, "m.example@v1.0.0/GO.MOD", GOMOD, sizeof(GOMOD) - 1, NULL);
	zb_finish(&z);
	assert_int_equal(check(&z, "m.example@v1.0.0", &v), BG_ZIP_ERULES);
	assert_true(has_viol(&v, "go.mod files must have lowercase names"));
	zb_free(&z);
}

static void test_case_fold_collisions(void **state)
{
	struct zb z = { 0 };
	struct viols v;

	(void)state;
	zb_add(&z, "m.example@v1.0.0/README", "a", 1, NULL);
	zb_add(&z, "m.example@v1.0.0/readme", "b", 1, NULL);
	zb_finish(&z);
	assert_int_equal(check(&z, "m.example@v1.0.0", &v), BG_ZIP_ERULES);
	assert_int_equal(v.n, 1);
	assert_true(has_viol(&v, "case-insensitive file name collision: \"README\" and \"readme\""));
	zb_free(&z);

	/* directories collide too, through any file below them */
	zb_add(&z, "m.example@v1.0.0/Dir/a.go", "a", 1, NULL);
	zb_add(&z, "m.example@v1.0.0/dir/b.go", "b", 1, NULL);
	zb_finish(&z);
	assert_int_equal(check(&z, "m.example@v1.0.0", &v), BG_ZIP_ERULES);
	assert_true(has_viol(&v, "collision: \"Dir\" and \"dir\""));
	zb_free(&z);

	/* Unicode folding: KELVIN SIGN and k, GREEK SIGMA forms */
	zb_add(&z, "m.example@v1.0.0/\xe2\x84\xaa.txt", "a", 1, NULL);
	zb_add(&z, "m.example@v1.0.0/k.txt", "b", 1, NULL);
	zb_add(&z, "m.example@v1.0.0/\xce\xa3", "c", 1, NULL);
	zb_add(&z, "m.example@v1.0.0/\xcf\x82", "d", 1, NULL);
	zb_finish(&z);
	assert_int_equal(check(&z, "m.example@v1.0.0", &v), BG_ZIP_ERULES);
	assert_int_equal(v.n, 2);
	zb_free(&z);

	/* exact duplicates, and a name that is both a file and a directory */
	zb_add(&z, "m.example@v1.0.0/a", "a", 1, NULL);
	zb_add(&z, "m.example@v1.0.0/a", "b", 1, NULL);
	zb_add(&z, "m.example@v1.0.0/a/b", "c", 1, NULL);
	zb_finish(&z);
	assert_int_equal(check(&z, "m.example@v1.0.0", &v), BG_ZIP_ERULES);
	assert_int_equal(v.n, 2);
	assert_true(has_viol(&v, "multiple entries for file \"a\""));
	assert_true(has_viol(&v, "entry \"a\" is both a file and a directory"));
	zb_free(&z);

	/* the same directory twice is fine */
	zb_add(&z, "m.example@v1.0.0/d/", "", 0, NULL);
	zb_add(&z, "m.example@v1.0.0/d/x", "x", 1, NULL);
	zb_add(&z, "m.example@v1.0.0/d/y", "y", 1, NULL);
	zb_finish(&z);
	assert_int_equal(check(&z, "m.example@v1.0.0", &v), BG_ZIP_OK);
	zb_free(&z);
}

static void test_symlink_entry(void **state)
{
	struct zopt link = { .method = 0, .declared = -1, .ext = (uint32_t)(S_IFLNK | 0777) << 16 };
	struct zopt fifo = { .method = 0, .declared = -1, .ext = (uint32_t)(S_IFIFO | 0644) << 16 };
	struct zb z = { 0 };
	struct viols v;

	(void)state;
	zb_add(&z, "m.example@v1.0.0/go.mod", GOMOD, sizeof(GOMOD) - 1, NULL);
	zb_add(&z, "m.example@v1.0.0/passwd", "/etc/passwd", 11, &link);
	zb_add(&z, "m.example@v1.0.0/fifo", "", 0, &fifo);
	zb_finish(&z);
	assert_int_equal(check(&z, "m.example@v1.0.0", &v), BG_ZIP_ERULES);
	assert_int_equal(v.n, 2);
	assert_true(has_viol(&v, "passwd: file is a symbolic link"));
	assert_true(has_viol(&v, "fifo: not a regular file"));
	zb_free(&z);

	/* the same bits from a non-Unix host mean nothing */
	link.made_by = 0 << 8 | 20;
	zb_add(&z, "m.example@v1.0.0/x", "x", 1, &link);
	zb_finish(&z);
	assert_int_equal(check(&z, "m.example@v1.0.0", &v), BG_ZIP_OK);
	zb_free(&z);
}

static void test_size_limits(void **state)
{
	struct zopt big = { .method = 8, .declared = (long)(BG_GOZIP_MAX_GOMOD + 1) };
	struct zopt huge = { .method = 8, .declared = (long)(300ULL << 20) };
	struct zb z = { 0 };
	struct viols v;

	(void)state;
	/* sizes as declared: the check runs before anything is inflated */
	zb_add(&z, "m.example@v1.0.0/go.mod", GOMOD, sizeof(GOMOD) - 1, &big);
	zb_add(&z, "m.example@v1.0.0/LICENSE", "L", 1, &big);
	zb_finish(&z);
	assert_int_equal(check(&z, "m.example@v1.0.0", &v), BG_ZIP_ERULES);
	assert_int_equal(v.n, 2);
	assert_true(has_viol(&v, "go.mod file too large"));
	assert_true(has_viol(&v, "LICENSE file too large"));
	zb_free(&z);

	zb_add(&z, "m.example@v1.0.0/a", "a", 1, &huge);
	zb_add(&z, "m.example@v1.0.0/b", "b", 1, &huge);
	zb_finish(&z);
	assert_int_equal(check(&z, "m.example@v1.0.0", &v), BG_ZIP_ERULES);
	assert_true(has_viol(&v, "total uncompressed size of module contents too large"));
	zb_free(&z);
}

static void test_declared_size_smaller_than_real(void **state)
{
	static char data[100000];
	struct zopt d8 = { .method = 8, .declared = 1000 };
	struct zopt d0 = { .method = 0, .declared = 1000 };
	struct zopt longer = { .method = 8, .declared = 200000 };
	struct zb z = { 0 };
	struct bg_diag dg = {};

	(void)state;
	memset(data, 'z', sizeof(data));
	zb_add(&z, "m.example@v1.0.0/bomb", data, sizeof(data), &d8);
	zb_finish(&z);
	assert_int_equal(read_all(&z, &dg), BG_ZIP_EFORMAT);
	assert_non_null(strstr(dg.msg, "inflates to more than its declared uncompressed size 1000"));
	zb_free(&z);

	zb_add(&z, "m.example@v1.0.0/stored", data, 5000, &d0);
	zb_finish(&z);
	assert_int_equal(read_all(&z, &dg), BG_ZIP_EFORMAT);
	assert_non_null(strstr(dg.msg, "exceeds the declared uncompressed size"));
	zb_free(&z);

	/* and shorter than declared is wrong too */
	zb_add(&z, "m.example@v1.0.0/short", data, sizeof(data), &longer);
	zb_finish(&z);
	assert_int_equal(read_all(&z, &dg), BG_ZIP_EFORMAT);
	assert_non_null(strstr(dg.msg, "shorter than its declared size"));
	zb_free(&z);
}

/* Counts bytes a sink receives: inflating stops one byte past declared. */
static int count_sink(void *ctx, const void *buf, size_t len)
{
	(void)buf;
	*(size_t *)ctx += len;
	return 0;
}

static void test_inflate_stops_early(void **state)
{
	size_t big = 64u << 20, seen = 0;
	char *data = calloc(1, big);
	struct bg_diag dg = {};
	struct zopt o = { .method = 8, .declared = 10 };
	struct zb z = { 0 };
	struct bg_zip zip;
	struct bg_zip_reader r;

	(void)state;
	assert_non_null(data);
	zb_add(&z, "m.example@v1.0.0/zeros", data, big, &o);
	free(data);
	zb_finish(&z);
	assert_int_equal(bg_zip_open_mem(&zip, z.buf, z.len), BG_ZIP_OK);
	assert_int_equal(bg_zip_reader_init(&r), BG_ZIP_OK);
	assert_int_equal(bg_zip_read(&zip, 0, &r, count_sink, &seen, &dg), BG_ZIP_EFORMAT);
	assert_true(seen <= 10);
	bg_zip_reader_free(&r);
	bg_zip_close(&zip);
	zb_free(&z);
}

static void test_bad_crc(void **state)
{
	struct zopt bad = { .method = 8, .declared = -1, .bad_crc = true };
	struct zopt bad0 = { .method = 0, .declared = -1, .bad_crc = true };
	struct zb z = { 0 };
	struct bg_diag dg = {};

	(void)state;
	zb_add(&z, "m.example@v1.0.0/a.go", SRC, sizeof(SRC) - 1, &bad);
	zb_finish(&z);
	assert_int_equal(read_all(&z, &dg), BG_ZIP_EFORMAT);
	assert_non_null(strstr(dg.msg, "CRC-32 mismatch"));
	zb_free(&z);

	zb_add(&z, "m.example@v1.0.0/a.go", SRC, sizeof(SRC) - 1, &bad0);
	zb_finish(&z);
	assert_int_equal(read_all(&z, &dg), BG_ZIP_EFORMAT);
	assert_non_null(strstr(dg.msg, "CRC-32 mismatch"));
	zb_free(&z);

	/* a flipped byte in deflate data: corrupt stream or CRC, never success */
	zb_add(&z, "m.example@v1.0.0/a.go", SRC, sizeof(SRC) - 1, NULL);
	zb_finish(&z);
	z.buf[30 + strlen("m.example@v1.0.0/a.go") + 5] ^= 0x55;
	assert_int_equal(read_all(&z, &dg), BG_ZIP_EFORMAT);
	zb_free(&z);
}

static void test_truncated_central_directory(void **state)
{
	struct zb z = { 0 };
	struct bg_zip zip;

	(void)state;
	zb_add(&z, "m.example@v1.0.0/a", "a", 1, NULL);
	zb_add(&z, "m.example@v1.0.0/b", "b", 1, NULL);
	/* the end record claims a third entry */
	zb_finish_opts(&z, +1, 0, NULL);
	assert_int_equal(bg_zip_open_mem(&zip, z.buf, z.len), BG_ZIP_EFORMAT);
	assert_non_null(strstr(zip.err, "central directory"));
	zb_free(&z);

	/* the file cut inside the central directory: no end record left */
	zb_add(&z, "m.example@v1.0.0/a", "a", 1, NULL);
	zb_finish(&z);
	assert_int_equal(bg_zip_open_mem(&zip, z.buf, z.len - 30), BG_ZIP_EFORMAT);
	assert_non_null(strstr(zip.err, "no end-of-central-directory record"));
	/* too short to be anything */
	assert_int_equal(bg_zip_open_mem(&zip, z.buf, 5), BG_ZIP_EFORMAT);
	assert_int_equal(bg_zip_open_mem(&zip, z.buf, 0), BG_ZIP_EFORMAT);
	zb_free(&z);
}

static void test_eocd_offsets_outside(void **state)
{
	struct zb z = { 0 };
	struct bg_zip zip;

	(void)state;
	zb_add(&z, "m.example@v1.0.0/a", "a", 1, NULL);
	zb_finish_opts(&z, 0, 1 << 20, NULL);
	assert_int_equal(bg_zip_open_mem(&zip, z.buf, z.len), BG_ZIP_EFORMAT);
	assert_non_null(strstr(zip.err, "lies outside the file"));
	zb_free(&z);

	/* offset inside the file but not at a central header */
	zb_add(&z, "m.example@v1.0.0/a", "a", 1, NULL);
	zb_finish_opts(&z, 0, -4, NULL);
	assert_int_equal(bg_zip_open_mem(&zip, z.buf, z.len), BG_ZIP_EFORMAT);
	zb_free(&z);

	/* a local header offset past the entry data */
	zb_add(&z, "m.example@v1.0.0/a", "a", 1, NULL);
	z.e[0].lho = 0x7fffffff;
	zb_finish(&z);
	assert_int_equal(bg_zip_open_mem(&zip, z.buf, z.len), BG_ZIP_EFORMAT);
	assert_non_null(strstr(zip.err, "local header offset"));
	zb_free(&z);

	/* compressed size running into the central directory (with a data
	 * descriptor, so the local header has no sizes to disagree with) */
	{
		struct zopt dd = { .method = 8, .declared = -1, .descriptor = true };
		struct bg_diag dg = {};

		zb_add(&z, "m.example@v1.0.0/a", SRC, sizeof(SRC) - 1, &dd);
		z.e[0].csize = 100000;
		zb_finish(&z);
		assert_int_equal(read_all(&z, &dg), BG_ZIP_EFORMAT);
		assert_non_null(strstr(dg.msg, "run past the entry data"));
		zb_free(&z);
	}
}

static void test_local_central_mismatch(void **state)
{
	struct zopt o = { .method = 8, .declared = -1, .local_name = "m.example@v1.0.0/other" };
	struct zb z = { 0 };
	struct bg_diag dg = {};

	(void)state;
	zb_add(&z, "m.example@v1.0.0/a.go", SRC, sizeof(SRC) - 1, &o);
	zb_finish(&z);
	assert_int_equal(read_all(&z, &dg), BG_ZIP_EFORMAT);
	assert_non_null(strstr(dg.msg, "local header names it \"m.example@v1.0.0/other\""));
	zb_free(&z);

	/* method differs */
	zb_add(&z, "m.example@v1.0.0/a.go", SRC, sizeof(SRC) - 1, NULL);
	z.e[0].method = 0;
	zb_finish(&z);
	assert_int_equal(read_all(&z, &dg), BG_ZIP_EFORMAT);
	assert_non_null(strstr(dg.msg, "method"));
	zb_free(&z);

	/* CRC in the local header differs from the central one */
	zb_add(&z, "m.example@v1.0.0/a.go", SRC, sizeof(SRC) - 1, NULL);
	z.e[0].crc ^= 0x10;
	zb_finish(&z);
	assert_int_equal(read_all(&z, &dg), BG_ZIP_EFORMAT);
	assert_non_null(strstr(dg.msg, "disagrees with the central directory"));
	zb_free(&z);
}

static void test_refused_features(void **state)
{
	struct zb z = { 0 };
	struct bg_zip zip;

	(void)state;
	zb_add(&z, "m.example@v1.0.0/a", "a", 1, NULL);
	z.e[0].method = 12; /* bzip2 */
	zb_finish(&z);
	assert_int_equal(bg_zip_open_mem(&zip, z.buf, z.len), BG_ZIP_EFORMAT);
	assert_non_null(strstr(zip.err, "compression method 12"));
	zb_free(&z);

	zb_add(&z, "m.example@v1.0.0/a", "a", 1, NULL);
	z.e[0].flags |= 1;
	zb_finish(&z);
	assert_int_equal(bg_zip_open_mem(&zip, z.buf, z.len), BG_ZIP_EFORMAT);
	assert_non_null(strstr(zip.err, "encrypted"));
	zb_free(&z);
}

static void test_zip64_and_comment(void **state)
{
	struct zopt z64 = { .method = 8, .declared = -1, .zip64 = true };
	const char *names[] = { "m.example@v1.0.0/go.mod", "m.example@v1.0.0/a.go" };
	const void *data[] = { GOMOD, SRC };
	size_t lens[] = { sizeof(GOMOD) - 1, sizeof(SRC) - 1 };
	struct bg_diag d = { 0 };
	char want[BG_H1_LEN], got[BG_H1_LEN];
	struct bg_diag dg = {};
	struct zb z = { 0 };
	struct bg_zip zip;

	(void)state;
	zb_add(&z, names[0], data[0], lens[0], &z64);
	zb_add(&z, names[1], data[1], lens[1], NULL);
	/* a comment holding a fake end signature that does not fit */
	zb_finish_opts(&z, 0, 0, "PK\x05\x06 trailing comment");
	assert_int_equal(bg_zip_open_mem(&zip, z.buf, z.len), BG_ZIP_OK);
	assert_int_equal(zip.ent[0].usize, lens[0]);
	assert_int_equal(bg_h1_zip(&zip, got, &d), BG_ZIP_OK);
	assert_int_equal(bg_h1_buffers(names, data, lens, 2, want, &d), BG_ZIP_OK);
	assert_string_equal(got, want);
	bg_zip_close(&zip);
	assert_int_equal(read_all(&z, &dg), BG_ZIP_OK);
	zb_free(&z);
}

static void test_zip64_end_record(void **state)
{
	struct zb z = { 0 };
	struct bg_zip zip;
	uint32_t cd;
	uint64_t e64;

	(void)state;
	zb_add(&z, "m.example@v1.0.0/a", "a", 1, NULL);
	/* central directory by hand, then a Zip64 end record and locator */
	cd = (uint32_t)z.len;
	zb_finish(&z);
	z.len -= 22; /* drop the plain end record */
	e64 = z.len;
	put32(&z, 0x06064b50);
	put64(&z, 44);
	put16(&z, 45);
	put16(&z, 45);
	put32(&z, 0);
	put32(&z, 0);
	put64(&z, 1);
	put64(&z, 1);
	put64(&z, e64 - cd);
	put64(&z, cd);
	put32(&z, 0x07064b50);
	put32(&z, 0);
	put64(&z, e64);
	put32(&z, 1);
	put32(&z, 0x06054b50);
	put16(&z, 0);
	put16(&z, 0);
	put16(&z, 0xffff);
	put16(&z, 0xffff);
	put32(&z, 0xffffffff);
	put32(&z, 0xffffffff);
	put16(&z, 0);
	assert_int_equal(bg_zip_open_mem(&zip, z.buf, z.len), BG_ZIP_OK);
	assert_int_equal(zip.n, 1);
	bg_zip_close(&zip);
	/* the locator pointing outside */
	memcpy(z.buf + z.len - 22 - 20 + 8, "\xff\xff\xff\xff\x00\x00\x00\x00", 8);
	assert_int_equal(bg_zip_open_mem(&zip, z.buf, z.len), BG_ZIP_EFORMAT);
	assert_non_null(strstr(zip.err, "Zip64"));
	zb_free(&z);
}

static void test_parallel_zip_hash(void **state)
{
	enum { N = 24 };
	static char names_buf[N][64];
	const char *names[N];
	const void *data[N];
	size_t lens[N];
	struct zopt stored = { .method = 0, .declared = -1 };
	struct bg_diag d = { 0 };
	char want[BG_H1_LEN], one[BG_H1_LEN], many[BG_H1_LEN];
	struct zb z = { 0 };
	struct bg_zip zip;
	unsigned seed = 1;

	(void)state;
	for (int i = 0; i < N; i++) {
		size_t len = (size_t)(i % 5) * 300000 + (size_t)i;
		char *p = malloc(len + 1);

		assert_non_null(p);
		for (size_t k = 0; k < len; k++)
			p[k] = (i & 1) ? (char)('a' + k % 7) : (char)(rand_r(&seed) & 0xff);
		snprintf(names_buf[i], sizeof(names_buf[i]), "m.example@v1.0.0/f%02d/%s", N - i, i & 2 ? "x" : "y");
		names[i] = names_buf[i];
		data[i] = p;
		lens[i] = len;
		zb_add(&z, names[i], p, len, i % 3 ? NULL : &stored);
	}
	zb_finish(&z);
	assert_int_equal(bg_h1_buffers(names, data, lens, N, want, &d), BG_ZIP_OK);
	assert_int_equal(bg_zip_open_mem(&zip, z.buf, z.len), BG_ZIP_OK);
	bg_h1_set_threads(1);
	assert_int_equal(bg_h1_zip(&zip, one, &d), BG_ZIP_OK);
	bg_h1_set_threads(4);
	assert_int_equal(bg_h1_zip(&zip, many, &d), BG_ZIP_OK);
	bg_h1_set_threads(0);
	assert_string_equal(one, want);
	assert_string_equal(many, want);
	/* a corrupt entry among many: the failure is reported, whatever the threads */
	bg_zip_close(&zip);
	zb_free(&z);
	for (int i = 0; i < N; i++) {
		struct zopt bad = { .method = 8, .declared = -1, .bad_crc = true };

		zb_add(&z, names[i], data[i], lens[i], i == N - 1 ? &bad : NULL);
		free((void *)data[i]);
	}
	zb_finish(&z);
	assert_int_equal(bg_zip_open_mem(&zip, z.buf, z.len), BG_ZIP_OK);
	bg_h1_set_threads(4);
	assert_int_equal(bg_h1_zip(&zip, many, &d), BG_ZIP_EFORMAT);
	bg_h1_set_threads(0);
	assert_non_null(strstr(d.msg, "CRC-32 mismatch"));
	bg_zip_close(&zip);
	zb_free(&z);
}

/* Stored blocks are hashed without zlib until a compressed block turns up,
 * then zlib redoes the entry: every mix must give the same content. */
static void test_stored_and_compressed_blocks(void **state)
{
	enum { LEN = 300000 };
	static char data[LEN];
	const char *names[4] = { "m.example@v1.0.0/a", "m.example@v1.0.0/b", "m.example@v1.0.0/c",
				 "m.example@v1.0.0/d" };
	const void *datas[4] = { data, data, data, data };
	size_t lens[4] = { LEN, LEN, LEN, 7 };
	struct bg_diag d = { 0 };
	char want[BG_H1_LEN], got[BG_H1_LEN];
	struct bg_diag dg = {};
	struct zb z = { 0 };
	struct bg_zip zip;
	unsigned seed = 7;

	(void)state;
	for (size_t i = 0; i < LEN; i++)
		data[i] = i < LEN / 2 ? (char)rand_r(&seed) : (char)('a' + i % 3);
	for (int lv = 1; lv <= 3; lv++) {
		struct zopt o = { .method = 8, .declared = -1, .levels = lv };

		zb_add(&z, names[lv - 1], data, LEN, &o);
	}
	zb_add(&z, names[3], data, 7, NULL);
	zb_finish(&z);
	assert_int_equal(bg_h1_buffers(names, datas, lens, 4, want, &d), BG_ZIP_OK);
	assert_int_equal(bg_zip_open_mem(&zip, z.buf, z.len), BG_ZIP_OK);
	assert_int_equal(bg_h1_zip(&zip, got, &d), BG_ZIP_OK);
	assert_string_equal(got, want);
	bg_zip_close(&zip);
	zb_free(&z);

	/* stored blocks only, lying about the size either way */
	for (int k = 0; k < 2; k++) {
		struct zopt o = { .method = 8, .levels = 3, .declared = k ? LEN + 10 : LEN - 10 };

		zb_add(&z, names[0], data, LEN, &o);
		zb_finish(&z);
		assert_int_equal(read_all(&z, &dg), BG_ZIP_EFORMAT);
		assert_non_null(strstr(dg.msg, k ? "shorter than its declared size" : "more than its declared"));
		zb_free(&z);
	}
	/* a stored block whose NLEN is wrong: zlib's verdict */
	{
		struct zopt o = { .method = 8, .levels = 3, .declared = -1 };

		zb_add(&z, names[0], data, LEN, &o);
		zb_finish(&z);
		z.buf[30 + strlen(names[0]) + 3] ^= 1; /* NLEN of the first block */
		assert_int_equal(read_all(&z, &dg), BG_ZIP_EFORMAT);
		assert_non_null(strstr(dg.msg, "corrupt deflate data"));
		zb_free(&z);
	}
}

/* A zip from a file is read with pread, not through the mapping: same
 * result, and a file that shrinks after opening is an I/O error. */
static void test_file_backed(void **state)
{
	enum { LEN = 2000000 };
	char path[] = "/tmp/bg-gozip-XXXXXX", want[BG_H1_LEN], got[BG_H1_LEN];
	struct bg_diag dg = {};
	struct zopt mixed = { .method = 8, .declared = -1, .levels = 1 };
	struct zopt stored = { .method = 0, .declared = -1 };
	struct bg_diag d = { 0 };
	struct bg_zip_reader r;
	struct zb z = { 0 };
	struct bg_zip zip;
	char *data = malloc(LEN);
	unsigned seed = 3;
	int fd;

	(void)state;
	assert_non_null(data);
	for (size_t i = 0; i < LEN; i++)
		data[i] = (i / 1000) & 1 ? (char)rand_r(&seed) : 'x';
	zb_add(&z, "m.example@v1.0.0/go.mod", GOMOD, sizeof(GOMOD) - 1, NULL);
	zb_add(&z, "m.example@v1.0.0/mixed", data, LEN, &mixed);
	zb_add(&z, "m.example@v1.0.0/stored", data, LEN, &stored);
	zb_add(&z, "m.example@v1.0.0/deflated", data, LEN, NULL);
	zb_finish(&z);
	free(data);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, z.buf, z.len), (ssize_t)z.len);
	close(fd);
	assert_int_equal(bg_zip_open_mem(&zip, z.buf, z.len), BG_ZIP_OK);
	assert_int_equal(bg_h1_zip(&zip, want, &d), BG_ZIP_OK);
	bg_zip_close(&zip);
	assert_int_equal(bg_h1_zip_file(path, "m.example@v1.0.0", NULL, got, &d), BG_ZIP_OK);
	assert_string_equal(got, want);
	bg_h1_set_threads(3);
	assert_int_equal(bg_h1_zip_file(path, NULL, NULL, got, &d), BG_ZIP_OK);
	bg_h1_set_threads(0);
	assert_string_equal(got, want);

	/* shrinks after the central directory was read */
	assert_int_equal(bg_zip_open_file(&zip, path), BG_ZIP_OK);
	assert_int_equal(truncate(path, 1000), 0);
	assert_int_equal(bg_zip_reader_init(&r), BG_ZIP_OK);
	assert_int_equal(bg_zip_read(&zip, 1, &r, NULL, NULL, &dg), BG_ZIP_EIO);
	assert_non_null(strstr(dg.msg, "file shrank"));
	bg_zip_reader_free(&r);
	bg_zip_close(&zip);
	unlink(path);
	zb_free(&z);

	/* not a regular file, missing, empty */
	assert_int_equal(bg_zip_open_file(&zip, "/tmp"), BG_ZIP_EIO);
	bg_zip_close(&zip);
	assert_int_equal(bg_zip_open_file(&zip, "/nonexistent.zip"), BG_ZIP_EIO);
	assert_int_equal(zip.err_no, ENOENT);
	bg_zip_close(&zip);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	close(fd);
	assert_int_equal(bg_zip_open_file(&zip, path), BG_ZIP_EFORMAT);
	bg_zip_close(&zip);
	unlink(path);
}

static void test_path_clean(void **state)
{
	static const char *const cases[][2] = {
		{ "", "." }, { ".", "." }, { "a", "a" }, { "a/", "a" }, { "a//b", "a/b" },
		{ "a/./b", "a/b" }, { "a/../b", "b" }, { "../a", "../a" }, { "a/../..", ".." },
		{ "/", "/" }, { "/..", "/" }, { "/../a", "/a" }, { "//a//", "/a" },
		{ "a/b/../../..", ".." }, { "x@v1/./y", "x@v1/y" }, { "abc/def/../../..", ".." },
	};
	char out[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = bg_go_path_clean(cases[i][0], strlen(cases[i][0]), out);

		assert_int_equal(n, strlen(out));
		assert_string_equal(out, cases[i][1]);
	}
}

static void test_quote(void **state)
{
	char out[64];
	const char *in = "a\nb\"\\\xff\xe2\x80\xae" "é";

	(void)state;
	bg_zip_quote(in, strlen(in), out, sizeof(out));
	assert_string_equal(out, "\"a\\nb\\\"\\\\\\xff\\xe2\\x80\\xaeé\"");
	bg_zip_quote("0123456789012345678901234567890123456789", 40, out, 16);
	assert_string_equal(out, "\"0123456789\"...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_zip_hash_matches_buffers),
		cmocka_unit_test(test_empty_zip),
		cmocka_unit_test(test_bad_prefix),
		cmocka_unit_test(test_path_rules),
		cmocka_unit_test(test_gomod_case),
		cmocka_unit_test(test_case_fold_collisions),
		cmocka_unit_test(test_symlink_entry),
		cmocka_unit_test(test_size_limits),
		cmocka_unit_test(test_declared_size_smaller_than_real),
		cmocka_unit_test(test_inflate_stops_early),
		cmocka_unit_test(test_bad_crc),
		cmocka_unit_test(test_truncated_central_directory),
		cmocka_unit_test(test_eocd_offsets_outside),
		cmocka_unit_test(test_local_central_mismatch),
		cmocka_unit_test(test_refused_features),
		cmocka_unit_test(test_zip64_and_comment),
		cmocka_unit_test(test_zip64_end_record),
		cmocka_unit_test(test_parallel_zip_hash),
		cmocka_unit_test(test_stored_and_compressed_blocks),
		cmocka_unit_test(test_file_backed),
		cmocka_unit_test(test_path_clean),
		cmocka_unit_test(test_quote),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

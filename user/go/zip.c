// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * zip.c - a bounds-checked zip reader over an in-memory buffer or a file.
 * Separate from go_zip.c (the Go module-zip rules) because it is a generic
 * reader: nothing here knows what a module is.
 *
 * Module zips come from proxies and caches we do not control, so every
 * offset and length read from the file is checked against the buffer
 * before it is used, arithmetic is 64-bit with explicit overflow checks,
 * allocations are bounded by the size of the file (never by a count the
 * file claims), and inflating an entry stops one byte past its declared
 * size.  Only stored (0) and deflate (8) entries are read: those are the
 * only methods the go command writes or accepts.  A zip opened from a file
 * is mapped for its directory, and its entries are read with pread, so a
 * file that shrinks while its entries are read is an error, not a SIGBUS.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zip.h"
#include "textsafe.h"

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_EOCD64 0x06064b50u
#define SIG_LOC64 0x07064b50u
#define SIG_DD 0x08074b50u

#define LOCAL_LEN 30
#define CENTRAL_LEN 46
#define EOCD_LEN 22
#define LOC64_LEN 20
#define EOCD64_LEN 56

#define FLAG_ENCRYPTED 0x0001
#define FLAG_DESCRIPTOR 0x0008

/* Output buffer of a reader: large enough that SHA-256 and CRC-32 run in
 * long strides, small enough to stay in L2 while both read it. */
#define READ_BUF (256 * 1024)

static inline uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

void bg_zip_quote(const char *s, size_t len, char *out, size_t outlen)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0, i = 0;

	if (!outlen)
		return;
	if (outlen < 8) {
		out[0] = '\0';
		return;
	}
	out[o++] = '"';
	while (i < len) {
		char tmp[8];
		size_t tn, step;
		uint32_t cp;

		step = bg_utf8_decode(u + i, len - i, &cp);
		if (step == 1 && cp >= 0x20 && cp < 0x7f && cp != '"' && cp != '\\') {
			tmp[0] = (char)cp;
			tn = 1;
		} else if (step == 1 && (cp == '"' || cp == '\\')) {
			tmp[0] = '\\';
			tmp[1] = (char)cp;
			tn = 2;
		} else if (step == 1 && cp == '\n') {
			memcpy(tmp, "\\n", 2);
			tn = 2;
		} else if (step > 1 && cp >= 0xa0 && !(cp >= 0x202a && cp <= 0x202e) &&
			   !(cp >= 0x2066 && cp <= 0x2069) && cp != 0xfeff) {
			/* valid non-ASCII stays readable; bidi controls do not, so a
			 * name cannot reorder the message it is printed in */
			memcpy(tmp, s + i, step);
			tn = step;
		} else {
			step = 1;
			snprintf(tmp, sizeof(tmp), "\\x%02x", u[i]);
			tn = 4;
		}
		if (o + tn + 5 > outlen) {
			memcpy(out + o, "\"...", 4);
			o += 4;
			out[o] = '\0';
			return;
		}
		memcpy(out + o, tmp, tn);
		o += tn;
		i += step;
	}
	out[o++] = '"';
	out[o] = '\0';
}

static void quote_name(const struct bg_zip_entry *e, char *q, size_t qlen)
{
	bg_zip_quote(e->name, e->name_len, q, qlen);
}

/* ------------------------------------------------------------------------
 * Opening: end record, optional Zip64 end record, central directory.
 */

/*
 * The end-of-central-directory record is the one fixed point of a zip: 22
 * bytes at the very end, followed only by a comment of up to 65535 bytes.
 * So it starts in the last 65535 + 22 bytes.  Search backwards from the
 * last position it could start at and take the first signature whose
 * comment length fits in the bytes after it, as Go's archive/zip does (the
 * zip the go command accepts is the zip we must hash the same way).
 */
static int find_eocd(const struct bg_zip *z, uint64_t *off)
{
	size_t lo, i;

	if (z->size < EOCD_LEN)
		return -1;
	lo = z->size > EOCD_LEN + 65535 ? z->size - EOCD_LEN - 65535 : 0;
	for (i = z->size - EOCD_LEN + 1; i-- > lo;) {
		if (le32(z->data + i) != SIG_EOCD)
			continue;
		if ((uint64_t)i + EOCD_LEN + le16(z->data + i + 20) <= z->size) {
			*off = i;
			return 0;
		}
	}
	return -1;
}

static int fail(struct bg_zip *z, int st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct bg_zip *z, int st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(z->err, sizeof(z->err), fmt, ap);
	va_end(ap);
	return st;
}

/* The Zip64 fields of a central entry: the extra field 0x0001 holds, in
 * this order, exactly the values the fixed header set to all ones. */
static int central_zip64(struct bg_zip *z, struct bg_zip_entry *e, const uint8_t *ex, size_t exlen,
			 bool need_u, bool need_c, bool need_o)
{
	char q[128];

	while (exlen >= 4) {
		uint16_t tag = le16(ex), sz = le16(ex + 2);

		if (sz > exlen - 4)
			break; /* a truncated extra block: ignored, as Go does */
		if (tag == 0x0001) {
			const uint8_t *f = ex + 4;
			size_t left = sz;

			if (need_u) {
				if (left < 8)
					goto bad;
				e->usize = le64(f);
				f += 8, left -= 8, need_u = false;
			}
			if (need_c) {
				if (left < 8)
					goto bad;
				e->csize = le64(f);
				f += 8, left -= 8, need_c = false;
			}
			if (need_o) {
				if (left < 8)
					goto bad;
				e->lho = le64(f);
				need_o = false;
			}
			break;
		}
		ex += 4 + sz;
		exlen -= 4 + sz;
	}
	if (!need_u && !need_c && !need_o)
		return BG_ZIP_OK;
bad:
	quote_name(e, q, sizeof(q));
	return fail(z, BG_ZIP_EFORMAT, "entry %s: sizes or offset marked Zip64 but no valid Zip64 extra field", q);
}

/* Where the central directory is and how many entries it has, from the
 * end record or, when that says "see Zip64", from the Zip64 end record. */
static int read_end(struct bg_zip *z, uint64_t *cd_off, uint64_t *cd_size, uint64_t *count,
		    uint64_t *region_end)
{
	uint64_t eocd, loc, e64;
	const uint8_t *p;
	uint32_t disk, cd_disk;
	uint64_t n_disk;

	if (find_eocd(z, &eocd))
		return fail(z, BG_ZIP_EFORMAT, "no end-of-central-directory record (not a zip file, or truncated)");
	p = z->data + eocd;
	disk = le16(p + 4);
	cd_disk = le16(p + 6);
	n_disk = le16(p + 8);
	*count = le16(p + 10);
	*cd_size = le32(p + 12);
	*cd_off = le32(p + 16);
	*region_end = eocd;

	if (*count == 0xffff || *cd_size == 0xffffffffu || *cd_off == 0xffffffffu) {
		/* Zip64: the locator sits right before the end record */
		if (eocd < LOC64_LEN || le32(z->data + eocd - LOC64_LEN) != SIG_LOC64)
			return fail(z, BG_ZIP_EFORMAT, "end record says Zip64 but there is no Zip64 locator before it");
		loc = eocd - LOC64_LEN;
		e64 = le64(z->data + loc + 8);
		if (le32(z->data + loc + 4) != 0 || le32(z->data + loc + 16) > 1)
			return fail(z, BG_ZIP_EFORMAT, "multi-disk (spanned) zip files are not supported");
		if (e64 > loc || loc - e64 < EOCD64_LEN)
			return fail(z, BG_ZIP_EFORMAT, "Zip64 end record offset %llu points outside the file",
				    (unsigned long long)e64);
		p = z->data + e64;
		if (le32(p) != SIG_EOCD64)
			return fail(z, BG_ZIP_EFORMAT, "no Zip64 end record where the locator points (offset %llu)",
				    (unsigned long long)e64);
		disk = le32(p + 16);
		cd_disk = le32(p + 20);
		n_disk = le64(p + 24);
		*count = le64(p + 32);
		*cd_size = le64(p + 40);
		*cd_off = le64(p + 48);
		*region_end = e64;
	}
	if (disk != 0 || cd_disk != 0 || n_disk != *count)
		return fail(z, BG_ZIP_EFORMAT, "multi-disk (spanned) zip files are not supported");
	if (*cd_off > *region_end || *cd_size > *region_end - *cd_off)
		return fail(z, BG_ZIP_EFORMAT,
			    "central directory (offset %llu, %llu bytes) lies outside the file (%zu bytes)",
			    (unsigned long long)*cd_off, (unsigned long long)*cd_size, z->size);
	/* Each entry takes at least 46 bytes: a count the directory cannot
	 * hold is a lie, and must not size an allocation. */
	if (*count > *cd_size / CENTRAL_LEN)
		return fail(z, BG_ZIP_EFORMAT, "end record claims %llu entries but the central directory (%llu bytes) cannot hold them",
			    (unsigned long long)*count, (unsigned long long)*cd_size);
	return BG_ZIP_OK;
}

int bg_zip_open_mem(struct bg_zip *z, const void *data, size_t size)
{
	uint64_t cd_off = 0, cd_size = 0, count = 0, region_end = 0, pos;
	char *names;
	int st;

	memset(z, 0, sizeof(*z));
	z->fd = -1;
	z->data = data;
	z->size = size;
	st = read_end(z, &cd_off, &cd_size, &count, &region_end);
	if (st)
		return st;
	z->cd_off = cd_off;
	/* names are copied to add a NUL: at most cd_size bytes plus one per entry */
	z->ent = calloc(count ? count : 1, sizeof(*z->ent));
	z->names = names = malloc(cd_size + count + 1);
	if (!z->ent || !z->names) {
		bg_zip_close(z);
		return fail(z, BG_ZIP_ENOMEM, "out of memory for %llu entries", (unsigned long long)count);
	}
	pos = cd_off;
	for (uint64_t i = 0; i < count; i++) {
		struct bg_zip_entry *e = &z->ent[i];
		uint64_t end = cd_off + cd_size;
		const uint8_t *p = z->data + pos;
		size_t nlen, xlen, clen;
		bool need_u, need_c, need_o;
		char q[128];

		if (end - pos < CENTRAL_LEN || le32(p) != SIG_CENTRAL) {
			st = fail(z, BG_ZIP_EFORMAT, "central directory entry %llu of %llu is missing or truncated (offset %llu)",
				  (unsigned long long)i + 1, (unsigned long long)count, (unsigned long long)pos);
			goto err;
		}
		e->made_by = le16(p + 4);
		e->flags = le16(p + 8);
		e->method = le16(p + 10);
		e->crc = le32(p + 16);
		e->csize = le32(p + 20);
		e->usize = le32(p + 24);
		nlen = le16(p + 28);
		xlen = le16(p + 30);
		clen = le16(p + 32);
		e->ext_attr = le32(p + 38);
		e->lho = le32(p + 42);
		if (end - pos - CENTRAL_LEN < (uint64_t)nlen + xlen + clen) {
			st = fail(z, BG_ZIP_EFORMAT, "central directory entry %llu runs past the end of the directory",
				  (unsigned long long)i + 1);
			goto err;
		}
		memcpy(names, p + CENTRAL_LEN, nlen);
		names[nlen] = '\0';
		e->name = names;
		e->name_len = nlen;
		names += nlen + 1;
		need_u = e->usize == 0xffffffffu;
		need_c = e->csize == 0xffffffffu;
		need_o = e->lho == 0xffffffffu;
		if (need_u || need_c || need_o) {
			st = central_zip64(z, e, p + CENTRAL_LEN + nlen, xlen, need_u, need_c, need_o);
			if (st)
				goto err;
		}
		quote_name(e, q, sizeof(q));
		if (e->flags & FLAG_ENCRYPTED) {
			st = fail(z, BG_ZIP_EFORMAT, "entry %s is encrypted", q);
			goto err;
		}
		if (e->method != 0 && e->method != 8) {
			st = fail(z, BG_ZIP_EFORMAT, "entry %s uses compression method %u; only stored (0) and deflate (8) are supported",
				  q, e->method);
			goto err;
		}
		/* entry data lies before the central directory */
		if (e->lho > cd_off || cd_off - e->lho < LOCAL_LEN) {
			st = fail(z, BG_ZIP_EFORMAT, "entry %s: local header offset %llu is outside the file's entry data",
				  q, (unsigned long long)e->lho);
			goto err;
		}
		pos += CENTRAL_LEN + nlen + xlen + clen;
		z->n++;
	}
	return BG_ZIP_OK;
err:
	free(z->ent);
	free(z->names);
	z->ent = NULL;
	z->names = NULL;
	z->n = 0;
	return st;
}

int bg_zip_open_file(struct bg_zip *z, const char *path)
{
	struct stat st;
	void *map;
	int fd, r;

	memset(z, 0, sizeof(*z));
	z->fd = -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		z->err_no = errno;
		if (fd >= 0)
			close(fd);
		return fail(z, BG_ZIP_EIO, "cannot open: %s", strerror(z->err_no));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		z->err_no = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return fail(z, BG_ZIP_EIO, "not a regular file");
	}
	if (st.st_size == 0) {
		close(fd);
		return fail(z, BG_ZIP_EFORMAT, "empty file, not a zip");
	}
	if ((uint64_t)st.st_size > SIZE_MAX / 2) {
		close(fd);
		z->err_no = EFBIG;
		return fail(z, BG_ZIP_EIO, "file too large to map");
	}
	/* The mapping serves the end record, the central directory and the
	 * local headers; entry data goes through pread (bg_zip_read), which
	 * also turns a file truncated under us into a short read, not SIGBUS. */
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		z->err_no = errno;
		close(fd);
		return fail(z, BG_ZIP_EIO, "cannot map: %s", strerror(z->err_no));
	}
	r = bg_zip_open_mem(z, map, (size_t)st.st_size);
	/* keep the mapping and descriptor even on failure: the caller closes */
	z->map = map;
	z->map_len = (size_t)st.st_size;
	z->fd = fd;
	return r;
}

void bg_zip_close(struct bg_zip *z)
{
	free(z->ent);
	free(z->names);
	if (z->map)
		munmap(z->map, z->map_len);
	if (z->map && z->fd >= 0)
		close(z->fd);
	z->ent = NULL;
	z->names = NULL;
	z->map = NULL;
	z->fd = -1;
	z->n = 0;
}

/* ------------------------------------------------------------------------
 * Reading entries.
 */

int bg_zip_reader_init(struct bg_zip_reader *r)
{
	memset(r, 0, sizeof(*r));
	r->buflen = READ_BUF;
	r->buf = malloc(r->buflen);
	r->inlen = READ_BUF;
	r->in = malloc(r->inlen);
	if (!r->buf || !r->in) {
		free(r->buf);
		free(r->in);
		r->buf = r->in = NULL;
		return BG_ZIP_ENOMEM;
	}
	/* negative window bits: raw deflate, as zip stores it (no zlib header) */
	if (inflateInit2(&r->zs, -15) != Z_OK) {
		free(r->buf);
		free(r->in);
		r->buf = r->in = NULL;
		return BG_ZIP_ENOMEM;
	}
	r->zinit = true;
	return BG_ZIP_OK;
}

void bg_zip_reader_free(struct bg_zip_reader *r)
{
	if (r->zinit)
		inflateEnd(&r->zs);
	free(r->buf);
	free(r->in);
	memset(r, 0, sizeof(*r));
}

/* len bytes at off (within the file, checked by the caller): the buffer
 * itself, or a pread copy in the reader's input buffer (len <= inlen). */
static const uint8_t *read_at(const struct bg_zip *z, struct bg_zip_reader *r, uint64_t off, size_t len,
			      struct bg_diag *d)
{
	size_t got = 0;

	if (z->fd < 0)
		return z->data + off;
	while (got < len) {
		ssize_t n = pread(z->fd, r->in + got, len - got, (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			bg_diag_set(d, "reading at offset %llu: %s", (unsigned long long)(off + got),
				    n < 0 ? strerror(errno) : "file shrank while being read");
			return NULL;
		}
		got += (size_t)n;
	}
	return r->in;
}

/* The local header must agree with the central directory (a reader that
 * used one and a checker that used the other could otherwise be shown two
 * different archives); returns where the data starts. */
static int local_header(const struct bg_zip *z, const struct bg_zip_entry *e, struct bg_zip_reader *r,
			uint64_t *data_off, struct bg_diag *d)
{
	const uint8_t *p;
	uint16_t lflags, lmethod, nlen, xlen;
	uint64_t off;
	size_t have;
	char q[128];

	/* lho + 30 <= cd_off was checked at open; the name follows the fixed
	 * part, and is read with it when it fits before the directory */
	have = z->cd_off - e->lho < LOCAL_LEN + e->name_len ? LOCAL_LEN : LOCAL_LEN + e->name_len;
	p = read_at(z, r, e->lho, have, d);
	if (!p)
		return BG_ZIP_EIO;
	if (z->fd < 0)
		have = (size_t)(z->cd_off - e->lho); /* a buffer: all of it is there */
	quote_name(e, q, sizeof(q));
	if (le32(p) != SIG_LOCAL) {
		bg_diag_set(d, "entry %s: no local file header at offset %llu", q, (unsigned long long)e->lho);
		return BG_ZIP_EFORMAT;
	}
	lflags = le16(p + 6);
	lmethod = le16(p + 8);
	nlen = le16(p + 26);
	xlen = le16(p + 28);
	off = e->lho + LOCAL_LEN + nlen + xlen;
	if (off > z->cd_off) {
		bg_diag_set(d, "entry %s: local header runs into the central directory", q);
		return BG_ZIP_EFORMAT;
	}
	if (nlen != e->name_len || memcmp(p + LOCAL_LEN, e->name, nlen)) {
		char lq[128];

		/* only what was read of it */
		bg_zip_quote((const char *)p + LOCAL_LEN, nlen < have - LOCAL_LEN ? nlen : have - LOCAL_LEN,
			     lq, sizeof(lq));
		bg_diag_set(d, "entry %s: local header names it %s", q, lq);
		return BG_ZIP_EFORMAT;
	}
	if (lmethod != e->method) {
		bg_diag_set(d, "entry %s: local header says method %u, central directory %u", q, lmethod, e->method);
		return BG_ZIP_EFORMAT;
	}
	if (!(lflags & FLAG_DESCRIPTOR)) {
		/* without a data descriptor the local header carries the real
		 * values (all ones for sizes that moved to a Zip64 extra) */
		uint32_t lcrc = le32(p + 14), lc = le32(p + 18), lu = le32(p + 22);

		if (lcrc != e->crc || (lc != 0xffffffffu && lc != e->csize) ||
		    (lu != 0xffffffffu && lu != e->usize)) {
			bg_diag_set(d, "entry %s: local header (CRC %08x, sizes %u/%u) disagrees with the central directory (CRC %08x, sizes %llu/%llu)",
				    q, lcrc, lc, lu, e->crc, (unsigned long long)e->csize, (unsigned long long)e->usize);
			return BG_ZIP_EFORMAT;
		}
	}
	if (e->csize > z->cd_off - off) {
		bg_diag_set(d, "entry %s: %llu bytes of data at offset %llu run past the entry data (%llu bytes)",
			    q, (unsigned long long)e->csize, (unsigned long long)off, (unsigned long long)z->cd_off);
		return BG_ZIP_EFORMAT;
	}
	*data_off = off;
	return BG_ZIP_OK;
}

/* The data descriptor after the data repeats the CRC (Go checks it too);
 * its leading signature is optional. */
static int data_descriptor(const struct bg_zip *z, const struct bg_zip_entry *e, struct bg_zip_reader *r,
			   uint64_t at, struct bg_diag *d)
{
	uint64_t left = z->cd_off - at;
	const uint8_t *p;
	char q[128];

	if (left > 16)
		left = 16;
	p = read_at(z, r, at, (size_t)left, d);
	if (!p)
		return BG_ZIP_EIO;

	quote_name(e, q, sizeof(q));
	if (left >= 4 && le32(p) == SIG_DD) {
		p += 4;
		left -= 4;
	}
	if (left < 12) {
		bg_diag_set(d, "entry %s: data descriptor missing or truncated", q);
		return BG_ZIP_EFORMAT;
	}
	if (le32(p) != e->crc) {
		bg_diag_set(d, "entry %s: data descriptor CRC %08x differs from the central directory's %08x",
			    q, le32(p), e->crc);
		return BG_ZIP_EFORMAT;
	}
	return BG_ZIP_OK;
}

/*
 * Entry data, as a window that moves forward: straight from the buffer for
 * bg_zip_open_mem, through pread into the reader's input buffer for a
 * file.  Reading each byte of a fresh mapping once costs a page fault (and
 * under shadow paging, as in some VMs, a hypervisor exit) per 4 KiB page;
 * pread copies from the page cache at memory speed instead, which measured
 * 2.4x faster for hashing a module zip's stored data once.
 */
struct src {
	const struct bg_zip *z;
	uint64_t pos, end; /* file offsets of the window's end and of the data's end */
	const uint8_t *p;  /* available bytes */
	size_t avail;
	uint8_t *buf;
	size_t buflen;
};

static void src_init(struct src *s, const struct bg_zip *z, struct bg_zip_reader *r, uint64_t off,
		     uint64_t len)
{
	*s = (struct src){ .z = z, .pos = off, .end = off + len, .buf = r->in, .buflen = r->inlen };
}

/* Makes at least min(want, what is left) bytes available (want <= buflen);
 * -1 with d set if the file gave fewer bytes than it has. */
static int src_fill(struct src *s, size_t want, struct bg_diag *d)
{
	if (s->avail >= want || s->pos == s->end)
		return 0;
	if (s->z->fd < 0) {
		uint64_t left = s->end - s->pos;

		/* a buffer: everything is available at once (in 1 GiB
		 * steps, zlib's counters being 32-bit) */
		if (!s->avail)
			s->p = s->z->data + s->pos;
		left = left > 0x40000000u - s->avail ? 0x40000000u - s->avail : left;
		s->avail += (size_t)left;
		s->pos += left;
		return 0;
	}
	if (s->avail)
		memmove(s->buf, s->p, s->avail);
	s->p = s->buf;
	while (s->avail < want && s->pos < s->end) {
		uint64_t left = s->end - s->pos;
		size_t room = s->buflen - s->avail;
		ssize_t n = pread(s->z->fd, s->buf + s->avail, left < room ? (size_t)left : room, (off_t)s->pos);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			bg_diag_set(d, "reading at offset %llu: %s", (unsigned long long)s->pos,
				    n < 0 ? strerror(errno) : "file shrank while being read");
			return -1;
		}
		s->avail += (size_t)n;
		s->pos += (uint64_t)n;
	}
	return 0;
}

static inline void src_take(struct src *s, size_t n)
{
	s->p += n;
	s->avail -= n;
}

/* Bytes not yet taken, in the window and beyond it. */
static inline uint64_t src_left(const struct src *s)
{
	return s->avail + (s->end - s->pos);
}

/* CRC and sink over the next n bytes of s. */
static int src_pass(struct src *s, uint64_t n, bg_zip_sink_fn sink, void *ctx, uLong *crc,
		    struct bg_diag *d)
{
	while (n) {
		size_t k;
		int st;

		if (src_fill(s, 1, d))
			return BG_ZIP_EIO;
		k = s->avail < n ? s->avail : (size_t)n;
		if (k > READ_BUF)
			k = READ_BUF; /* CRC and sink read the stride while it is in cache */
		*crc = crc32(*crc, s->p, (uInt)k);
		if (sink && (st = sink(ctx, s->p, k)))
			return st;
		src_take(s, k);
		n -= k;
	}
	return BG_ZIP_OK;
}

static int read_stored(const struct bg_zip *z, const struct bg_zip_entry *e, uint64_t off,
		       struct bg_zip_reader *r, bg_zip_sink_fn sink, void *ctx, uLong *crc,
		       struct bg_diag *d)
{
	struct src s;
	char q[128];

	if (e->csize != e->usize) {
		quote_name(e, q, sizeof(q));
		if (e->csize > e->usize)
			bg_diag_set(d, "entry %s: real size %llu exceeds the declared uncompressed size %llu",
				    q, (unsigned long long)e->csize, (unsigned long long)e->usize);
		else
			bg_diag_set(d, "entry %s: stored data (%llu bytes) is shorter than its declared size %llu",
				    q, (unsigned long long)e->csize, (unsigned long long)e->usize);
		return BG_ZIP_EFORMAT;
	}
	src_init(&s, z, r, off, e->csize);
	return src_pass(&s, e->csize, sink, ctx, crc, d);
}

/*
 * Incompressible files (binaries, compressed test data) are deflated into
 * "stored" blocks: a 3-bit header, padding to the byte, LEN and its one's
 * complement NLEN, then LEN raw bytes.  Those bytes are the content, so
 * they are hashed as they are read instead of being copied out by zlib.
 * At the first block that is not a well-formed stored block this stops,
 * with *done false and *produced bytes already passed on; zlib then reads
 * the entry from its start and skips that many (a stored prefix inflates
 * to exactly those bytes), so errors and compressed blocks are zlib's to
 * judge.
 */
static int stored_blocks(const struct bg_zip *z, const struct bg_zip_entry *e, uint64_t off,
			 struct bg_zip_reader *r, bg_zip_sink_fn sink, void *ctx, uLong *crc,
			 uint64_t *produced, bool *done, struct bg_diag *d)
{
	struct src s;
	char q[128];
	int st;

	*produced = 0;
	*done = false;
	src_init(&s, z, r, off, e->csize);
	for (;;) {
		bool final;
		size_t len;

		if (src_fill(&s, 5, d))
			return BG_ZIP_EIO;
		if (s.avail < 5 || (s.p[0] & 0x06) != 0)
			return BG_ZIP_OK; /* not a stored block: zlib's turn */
		final = s.p[0] & 1;
		len = le16(s.p + 1);
		if ((uint16_t)(len ^ le16(s.p + 3)) != 0xffff || src_left(&s) - 5 < len)
			return BG_ZIP_OK;
		if (len > e->usize - *produced) {
			quote_name(e, q, sizeof(q));
			bg_diag_set(d, "entry %s: inflates to more than its declared uncompressed size %llu",
				    q, (unsigned long long)e->usize);
			return BG_ZIP_EFORMAT;
		}
		src_take(&s, 5);
		st = src_pass(&s, len, sink, ctx, crc, d);
		if (st)
			return st;
		*produced += len;
		if (final)
			break;
	}
	*done = true;
	if (*produced != e->usize) {
		quote_name(e, q, sizeof(q));
		bg_diag_set(d, "entry %s: inflates to %llu bytes, shorter than its declared size %llu",
			    q, (unsigned long long)*produced, (unsigned long long)e->usize);
		return BG_ZIP_EFORMAT;
	}
	return BG_ZIP_OK;
}

/* Inflates entry e with zlib; the first skip bytes of its content were
 * already passed on (see stored_blocks) and are only counted. */
static int read_deflate(const struct bg_zip *z, const struct bg_zip_entry *e, uint64_t off,
			struct bg_zip_reader *r, bg_zip_sink_fn sink, void *ctx, uLong *crc,
			uint64_t skip, struct bg_diag *d)
{
	z_stream *zs = &r->zs;
	uint64_t produced = 0;
	uint8_t *out = r->buf;
	size_t outlen = r->buflen;
	struct src s;
	char q[128];
	int ret, st;

	if (inflateReset(zs) != Z_OK) {
		bg_diag_set(d, "inflate reset failed");
		return BG_ZIP_ENOMEM;
	}
	src_init(&s, z, r, off, e->csize);
	zs->avail_in = 0;
	for (;;) {
		/* never ask for more than one byte past the declared size:
		 * that byte is the proof the entry lied, and costs nothing */
		uint64_t room = e->usize + 1 - produced;
		size_t got, from;

		if (!zs->avail_in && src_left(&s)) {
			/* zlib holds on to next_in until it has used it all:
			 * refill only then, and hand it the whole window */
			if (src_fill(&s, s.buflen, d))
				return BG_ZIP_EIO;
			zs->next_in = (Bytef *)s.p;
			zs->avail_in = (uInt)s.avail;
			src_take(&s, s.avail);
		}
		zs->next_out = out;
		zs->avail_out = (uInt)(room < outlen ? room : outlen);
		ret = inflate(zs, Z_NO_FLUSH);
		got = (size_t)(zs->next_out - out);
		from = produced < skip ? (skip - produced < got ? (size_t)(skip - produced) : got) : 0;
		produced += got;
		if (produced > e->usize) {
			quote_name(e, q, sizeof(q));
			bg_diag_set(d, "entry %s: inflates to more than its declared uncompressed size %llu",
				    q, (unsigned long long)e->usize);
			return BG_ZIP_EFORMAT;
		}
		if (got > from) {
			*crc = crc32(*crc, out + from, (uInt)(got - from));
			if (sink && (st = sink(ctx, out + from, got - from)))
				return st;
		}
		if (ret == Z_STREAM_END)
			break;
		if (ret == Z_OK)
			continue;
		if (ret == Z_BUF_ERROR && !zs->avail_in && !src_left(&s)) {
			quote_name(e, q, sizeof(q));
			bg_diag_set(d, "entry %s: deflate data ends early (truncated entry)", q);
			return BG_ZIP_EFORMAT;
		}
		if (ret == Z_BUF_ERROR && !zs->avail_in)
			continue; /* needs input, and there is more */
		if (ret == Z_MEM_ERROR) {
			bg_diag_set(d, "out of memory inflating");
			return BG_ZIP_ENOMEM;
		}
		quote_name(e, q, sizeof(q));
		bg_diag_set(d, "entry %s: corrupt deflate data (%s)", q, zs->msg ? zs->msg : "bad stream");
		return BG_ZIP_EFORMAT;
	}
	if (produced != e->usize) {
		quote_name(e, q, sizeof(q));
		bg_diag_set(d, "entry %s: inflates to %llu bytes, shorter than its declared size %llu",
			    q, (unsigned long long)produced, (unsigned long long)e->usize);
		return BG_ZIP_EFORMAT;
	}
	return BG_ZIP_OK;
}

int bg_zip_read(const struct bg_zip *z, size_t i, struct bg_zip_reader *r,
		bg_zip_sink_fn sink, void *ctx, struct bg_diag *d)
{
	const struct bg_zip_entry *e;
	uLong crc = crc32(0, NULL, 0);
	uint64_t off, done_bytes;
	bool done;
	char q[128];
	int st;

	if (i >= z->n) {
		bg_diag_set(d, "no entry %zu", i);
		return BG_ZIP_EFORMAT;
	}
	e = &z->ent[i];
	st = local_header(z, e, r, &off, d);
	if (st)
		return st;
	if (e->method == 0)
		st = read_stored(z, e, off, r, sink, ctx, &crc, d);
	else {
		st = stored_blocks(z, e, off, r, sink, ctx, &crc, &done_bytes, &done, d);
		if (!st && !done)
			st = read_deflate(z, e, off, r, sink, ctx, &crc, done_bytes, d);
	}
	if (st)
		return st;
	if ((uint32_t)crc != e->crc) {
		quote_name(e, q, sizeof(q));
		bg_diag_set(d, "entry %s: CRC-32 mismatch (content %08x, recorded %08x)", q, (uint32_t)crc, e->crc);
		return BG_ZIP_EFORMAT;
	}
	if (e->flags & FLAG_DESCRIPTOR)
		return data_descriptor(z, e, r, off + e->csize, d);
	return BG_ZIP_OK;
}

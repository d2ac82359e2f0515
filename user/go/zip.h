/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * zip.h - a bounds-checked reader of zip files held in memory (a whole
 * file mmap'd, or a buffer).  The reader never trusts a length or offset
 * from the file.  It knows nothing of Go: go_zip.h puts the module-zip
 * rules on top.
 */
#ifndef BG_ZIP_H
#define BG_ZIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zlib.h>

#include "diag.h"

/* What went wrong, for callers that map it to exit codes. */
enum bg_zip_status {
	BG_ZIP_OK = 0,
	BG_ZIP_EIO,     /* open/stat/read/mmap failed (err_no says why) */
	BG_ZIP_EFORMAT, /* not a zip, corrupt, or a zip feature we refuse */
	BG_ZIP_ERULES,  /* a readable zip that is not a valid Go module zip */
	BG_ZIP_ENOMEM,
};

/* One central-directory entry, every field as the central directory says. */
struct bg_zip_entry {
	const char *name; /* NUL-terminated copy; name_len counts embedded NULs */
	size_t name_len;
	uint64_t csize, usize; /* compressed, declared uncompressed size */
	uint64_t lho;          /* offset of the local file header */
	uint32_t crc;
	uint32_t ext_attr; /* high 16 bits: Unix mode when made_by's host is Unix */
	uint16_t flags, method, made_by;
};

struct bg_zip {
	const uint8_t *data; /* the whole file */
	size_t size;
	uint64_t cd_off; /* where the central directory starts: entry data ends here */
	struct bg_zip_entry *ent;
	size_t n;
	char *names; /* backing store of every ent[].name */
	void *map;   /* set when bg_zip_open_file mapped the file */
	size_t map_len;
	int fd;      /* the file, for reading entry data (-1 for a buffer) */
	int err_no;    /* errno of a BG_ZIP_EIO failure */
	char err[512]; /* what is wrong, when open failed */
};

/* Parses the end record and central directory of data[0..size).  The
 * buffer must outlive z.  Returns a bg_zip_status; z->err says why. */
int bg_zip_open_mem(struct bg_zip *z, const void *data, size_t size);
/* Same over a file: the end record and central directory are read from
 * a read-only mapping, local headers and entry data with pread (see
 * struct src in zip.c for why). */
int bg_zip_open_file(struct bg_zip *z, const char *path);
void bg_zip_close(struct bg_zip *z);

/*
 * Streaming an entry: a reader owns the inflate state and a bounded output
 * buffer, so reading any entry costs the same small, fixed memory.  One
 * reader per thread; a bg_zip may be read by several threads at once.
 */
struct bg_zip_reader {
	z_stream zs;
	bool zinit;
	uint8_t *buf; /* streaming output */
	size_t buflen;
	uint8_t *in; /* entry data read from the file */
	size_t inlen;
};
int bg_zip_reader_init(struct bg_zip_reader *r);
void bg_zip_reader_free(struct bg_zip_reader *r);

/* Receives the content in order; non-zero stops the read and is returned. */
typedef int (*bg_zip_sink_fn)(void *ctx, const void *buf, size_t len);

/*
 * Checks entry i's local header against the central directory, then streams
 * its content to sink (which may be NULL to only verify): stored or
 * deflate, never more than usize + 1 bytes inflated (an entry larger than
 * it says is an error, as is a shorter one), CRC-32 and data descriptor
 * checked at the end.  The sink sees bytes before the CRC is known: callers
 * must discard the result when this fails.  d (may be NULL) says why.
 */
int bg_zip_read(const struct bg_zip *z, size_t i, struct bg_zip_reader *r,
		bg_zip_sink_fn sink, void *ctx, struct bg_diag *d);

/* A name quoted for an error message: printable ASCII as is, anything else
 * escaped (\n, \xff), cut with "..." when longer than outlen allows. */
void bg_zip_quote(const char *s, size_t len, char *out, size_t outlen);

#endif

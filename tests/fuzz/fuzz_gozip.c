/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * fuzz_gozip.c - libFuzzer target for the zip reader (user/go/zip.c), the
 * module-zip rules (user/go/go_zip.c) and the h1: hash over a zip
 * (user/go/go_dirhash.c).
 *
 * The bytes are a zip file.  It is opened, checked against the module-zip
 * rules twice (with a fixed expected prefix, and with the prefix inferred
 * from the first entry), every entry is read (CRC, sizes, local headers),
 * and the zip is hashed.  Hashing normally only follows a clean check;
 * here it runs whenever the declared sizes are small, so the reader sees
 * zips the rules would refuse too.  The input is copied to an exact-size
 * buffer so ASan flags any read past its end.  The same bytes are then
 * hashed again as a file (a memfd), where entry data goes through pread
 * instead of the buffer: both paths must agree exactly.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "go_dirhash.h"
#include "go_zip.h"

/* Inflating costs CPU, not memory (the reader's buffer is fixed), but a
 * few KiB of deflate can claim gigabytes: keep each input fast. */
#define FUZZ_MAX_DECLARED (64u << 20)

static void count(void *ctx, const char *name, size_t name_len, const char *why)
{
	(void)name;
	(void)name_len;
	if (!why || !why[0])
		abort(); /* every violation says what is wrong */
	(*(size_t *)ctx)++;
}

/* bg_h1_zip over the bytes as a file; -1 if the file cannot be made. */
static int hash_as_file(const uint8_t *data, size_t size, char out[BG_H1_LEN])
{
	struct bg_diag d = { 0 };
	struct bg_zip z;
	char path[64];
	int fd, st;

	fd = memfd_create("fuzz_gozip", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	st = bg_zip_open_file(&z, path);
	if (!st)
		st = bg_h1_zip(&z, out, &d);
	bg_zip_close(&z);
	close(fd);
	return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bg_diag d = { 0 };
	struct bg_zip_reader r;
	struct bg_zip z;
	char out[BG_H1_LEN], inferred[256];
	size_t nv = 0, seen = 0;
	uint64_t declared = 0;
	uint8_t *buf;

	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	bg_h1_set_threads(1);
	if (bg_zip_open_mem(&z, buf, size)) {
		bg_zip_close(&z);
		free(buf);
		return 0;
	}
	if (bg_modzip_check(&z, "example.com/m@v1.0.0", count, &seen, NULL, 0, &nv) == BG_ZIP_ERULES &&
	    (!nv || nv != seen))
		abort();
	seen = 0;
	/* an inferred prefix is what every name starts with, NUL-free */
	if (bg_modzip_check(&z, NULL, count, &seen, inferred, sizeof(inferred), &nv) == BG_ZIP_OK && z.n &&
	    (!inferred[0] || z.ent[0].name_len <= strlen(inferred) ||
	     memcmp(z.ent[0].name, inferred, strlen(inferred))))
		abort();
	for (size_t i = 0; i < z.n; i++)
		declared += z.ent[i].usize > FUZZ_MAX_DECLARED ? FUZZ_MAX_DECLARED : z.ent[i].usize;
	if (declared <= FUZZ_MAX_DECLARED && bg_zip_reader_init(&r) == BG_ZIP_OK) {
		bool all_ok = true;

		for (size_t i = 0; i < z.n; i++)
			if (bg_zip_read(&z, i, &r, NULL, NULL, &d))
				all_ok = false;
		bg_zip_reader_free(&r);
		/* the hash reads the same entries: it succeeds exactly when
		 * every read did (a name with a newline aside) */
		int st = bg_h1_zip(&z, out, &d);

		if (all_ok && st && st != BG_ZIP_EFORMAT)
			abort();
		if (!all_ok && !st)
			abort();
		if (!st && (strncmp(out, "h1:", 3) || strlen(out) != BG_H1_LEN - 1))
			abort();
		if (size) {
			char fout[BG_H1_LEN];
			int fst = hash_as_file(data, size, fout);

			if (fst >= 0 && (fst != st || (!st && strcmp(out, fout))))
				abort();
		}
	}
	bg_zip_close(&z);
	free(buf);
	return 0;
}

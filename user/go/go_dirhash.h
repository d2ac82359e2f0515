/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * go_dirhash.h - Go's "h1:" module hash (golang.org/x/mod/sumdb/dirhash
 * Hash1) over a module zip, an extracted module directory, a go.mod file,
 * or (name, content) pairs; what go.sum lines and the module cache's
 * .ziphash files hold.
 */
#ifndef BG_GO_DIRHASH_H
#define BG_GO_DIRHASH_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "go_zip.h"

/* "h1:" + base64 of 32 bytes (44 characters) + NUL */
#define BG_H1_LEN 48

/* Exit codes of `bpfguard go hash` and `bpfguard go verify-modcache`. */
enum bg_go_exit {
	BG_GO_EXIT_OK = 0,
	BG_GO_EXIT_FAIL = 1,     /* I/O error: a file could not be read */
	BG_GO_EXIT_USAGE = 2,    /* bad arguments, or input that is not what it should be */
	BG_GO_EXIT_MODIFIED = 5, /* a module does not match its recorded hash (or is not a valid module zip) */
};

/* One file for Hash1: its name as hashed and its content's SHA-256. */
struct bg_h1_file {
	const char *name;
	size_t name_len;
	unsigned char sum[32];
};

/* Where bg_h1_zip_file sends the module-zip rule violations it finds
 * (bg_modzip_check's report), and how many there were. */
struct bg_modzip_sink {
	bg_modzip_report_fn report;
	void *ctx;
	size_t nviol;
};

/* Hash1 over files whose digests are known; sorts files by name.  A name
 * with a newline is refused (BG_ZIP_EFORMAT), as dirhash does.  Returns a
 * bg_zip_status. */
int bg_h1_summary(struct bg_h1_file *files, size_t n, char out[BG_H1_LEN], struct bg_diag *d);

/* Hash1 over n in-memory files. */
int bg_h1_buffers(const char *const *names, const void *const *data, const size_t *lens, size_t n,
		  char out[BG_H1_LEN], struct bg_diag *d);

/* Hash1 over every entry of an opened zip, names as stored (HashZip); the
 * caller has checked the module-zip rules, or chosen not to. */
int bg_h1_zip(const struct bg_zip *z, char out[BG_H1_LEN], struct bg_diag *d);

/* Opens path, checks the module-zip rules against prefix ("module@version",
 * or NULL to infer it; violations go to rules->report when rules is
 * non-NULL, counted in rules->nviol, result BG_ZIP_ERULES and no hash),
 * then hashes it.  A failure sets d, with d->err_no for BG_ZIP_EIO. */
int bg_h1_zip_file(const char *path, const char *prefix, struct bg_modzip_sink *rules,
		   char out[BG_H1_LEN], struct bg_diag *d);

/* HashDir(dir, prefix): every non-directory under dir (symbolic links are
 * not followed while walking, but their targets are read, as os.Open
 * does), named prefix/relative/path. */
int bg_h1_dir(const char *dir, const char *prefix, char out[BG_H1_LEN], struct bg_diag *d);

/* The go.sum "/go.mod" hash: Hash1 over the one file "go.mod". */
int bg_h1_gomod(const char *path, char out[BG_H1_LEN], struct bg_diag *d);

/* Worker threads used for one hash (0: $BPFGUARD_HASH_THREADS, else one
 * per online CPU; at most 8). */
void bg_h1_set_threads(unsigned n);

#endif

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * go_zip.h - the rules golang.org/x/mod/zip puts on a Go module zip, over
 * the zip reader of zip.h (included: callers of the module rules read
 * entries too).  The rule checker reports every violation and never acts
 * on one (nothing is extracted, no name is used as a path).
 */
#ifndef BG_GO_ZIP_H
#define BG_GO_ZIP_H

#include <stddef.h>

#include "zip.h"

/* Limits of golang.org/x/mod/zip (MaxZipFile, MaxGoMod, MaxLICENSE). */
#define BG_GOZIP_MAX_SIZE (500ULL << 20)   /* zip file, and total uncompressed */
#define BG_GOZIP_MAX_GOMOD (16ULL << 20)
#define BG_GOZIP_MAX_LICENSE (16ULL << 20)

/*
 * The module-zip rules: prefix "module@version" (no trailing slash), or
 * NULL to take it from the first entry (all entries must still share it;
 * the prefix found is copied to inferred when non-NULL).  report, when
 * non-NULL, gets every violation: the entry's name (NULL for the whole
 * zip) and why, in Go's words where Go has words for it.  Returns BG_ZIP_OK,
 * BG_ZIP_ERULES (*nviol says how many) or BG_ZIP_ENOMEM.
 */
typedef void (*bg_modzip_report_fn)(void *ctx, const char *name, size_t name_len, const char *why);
int bg_modzip_check(const struct bg_zip *z, const char *prefix, bg_modzip_report_fn report,
		    void *ctx, char *inferred, size_t inferred_len, size_t *nviol);

/* Go's path.Clean of s[0..len) into out (at least len + 2 bytes); returns
 * the length written (out is NUL-terminated). */
size_t bg_go_path_clean(const char *s, size_t len, char *out);

#endif

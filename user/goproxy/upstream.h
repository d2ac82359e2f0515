/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * upstream.h - where the proxy gets what it verifies: a GOPROXY file tree
 * (DIR or file:///DIR, the layout tests/go/mkproxy.py and `go mod
 * download` caches have) or an http:// proxy.  Every fetch lands in an
 * unlinked temporary file (O_TMPFILE), hashed with SHA-256 as it is
 * copied, so the bytes verified are the bytes sent, and no answer is ever
 * held in memory whole.
 */
#ifndef BG_GOPROXY_UPSTREAM_H
#define BG_GOPROXY_UPSTREAM_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "http.h"

struct bg_upstream {
	bool http;
	char dir[PATH_MAX];     /* a file tree, without a trailing slash */
	struct bg_http_url url; /* an http:// proxy */
	int timeout_ms;
	char shown[PATH_MAX + 16]; /* how messages name it */
};

/* DIR, file:///DIR (absolute) or http://HOST[:PORT][/PATH].  0, or
 * BG_EXIT_USAGE with d set. */
int bg_upstream_init(struct bg_upstream *u, const char *spec, struct bg_diag *d);

/* An unlinked temporary file open for reading and writing ($TMPDIR, else
 * /var/tmp): the descriptor, or -1 with d set. */
int bg_tmpfile(struct bg_diag *d);

/*
 * Fetches rel ("example.com/!foo/@v/v1.0.0.zip": escaped, already
 * validated, never absolute, never with "..") into a new temporary file:
 * *fd (offset 0), *size and, when sha256 is non-NULL, its SHA-256 (when it
 * is NULL a file tree's file is copied by the kernel, copy_file_range).
 * At most max bytes.  Returns 0;
 * 1 when the upstream does not have it (no file; 404 or 410); -1 with d set
 * on any other failure (d->err_no EFBIG when it is over max).
 */
int bg_upstream_fetch(const struct bg_upstream *u, const char *rel, uint64_t max, int *fd,
		      uint64_t *size, uint8_t sha256[32], struct bg_diag *d);

#endif

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * gosum.h - go.sum files: "<path> <version>[/go.mod] <hash>" lines, as the
 * go command reads them (cmd/go modfetch): fields split on white space,
 * blank lines skipped, any other field count is an error (FILE:LINE).
 * Bounded: at most BG_GOSUM_MAX_BYTES and BG_GOSUM_MAX_LINES.
 */
#ifndef BG_GOSUM_H
#define BG_GOSUM_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

#define BG_GOSUM_MAX_BYTES (64u << 20)
#define BG_GOSUM_MAX_LINES 1000000u

struct bg_gosum_entry {
	const char *path, *version, *hash; /* version without "/go.mod" */
	bool gomod;                        /* a "<version>/go.mod" line */
	unsigned line;
};

struct bg_gosum {
	char *buf; /* the entries point into it */
	struct bg_gosum_entry *e; /* sorted by path, version, gomod, line */
	size_t n;
};

/*
 * Parses len bytes (name is for messages).  0, or -EINVAL with err set to
 * "NAME:LINE: what is wrong", or -ENOMEM.  gs must be zeroed or freed.
 */
int bg_gosum_parse(const char *data, size_t len, const char *name, struct bg_gosum *gs,
		   struct bg_diag *diag);
/* Reads and parses a file: also -errno from reading, -EFBIG if too large. */
int bg_gosum_load(const char *path, struct bg_gosum *gs, struct bg_diag *diag);
void bg_gosum_free(struct bg_gosum *gs);

/*
 * The lines for path + version (+ "/go.mod" if gomod): returns the first
 * and sets *count (0 and NULL when there is none).  Several lines for one
 * module can exist (the go command keeps all); they are in file order.
 */
const struct bg_gosum_entry *bg_gosum_lookup(const struct bg_gosum *gs, const char *path,
					     const char *version, bool gomod, size_t *count);
/* Whether one of those lines carries hash. */
bool bg_gosum_has(const struct bg_gosum *gs, const char *path, const char *version, bool gomod,
		  const char *hash);

#endif

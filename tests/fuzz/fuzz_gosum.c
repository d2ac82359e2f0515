// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_gosum.c - libFuzzer target for the go.sum parser.
 *
 * Parses the bytes as a go.sum (without a terminating NUL, as files are)
 * and checks the lookup invariants: every entry parsed is found again by
 * its own path, version and go.mod flag, with its own hash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gosum.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	struct bg_diag dg = {};
	struct bg_gosum gs;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (bg_gosum_parse(buf, size, "fuzz.sum", &gs, &dg) == 0) {
		for (size_t i = 0; i < gs.n; i++) {
			const struct bg_gosum_entry *e = &gs.e[i];
			size_t n;

			if (!bg_gosum_lookup(&gs, e->path, e->version, e->gomod, &n) || !n ||
			    !bg_gosum_has(&gs, e->path, e->version, e->gomod, e->hash)) {
				fprintf(stderr, "entry %zu (%s %s) not found again\n", i, e->path, e->version);
				abort();
			}
		}
		bg_gosum_free(&gs);
	}
	free(buf);
	return 0;
}

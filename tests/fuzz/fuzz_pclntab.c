// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_pclntab.c - libFuzzer target for `policy derive`'s readers.
 *
 * The bytes are (1) a Go function table on their own: bg_pcln_parse, then
 * every function and a lookup of its entry, end and middle, checked for
 * the properties the parser promises (names inside the table, entries in
 * order, lookup consistent with the table); and (2) a whole "binary": the
 * ELF reader, the table search (section or magic), the x86-64 sweep and
 * the site analysis.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "derive.h"
#include "pclntab.h"

static void check_table(const uint8_t *buf, size_t size)
{
	struct bg_pclntab t;
	char err[200];
	uint64_t prev = 0;

	if (!bg_pcln_parse(buf, size, 0x400000, 0x401000, &t, err, sizeof(err))) {
		if (!err[0])
			abort(); /* a refusal always says why */
		return;
	}
	for (size_t i = 0; i < t.nfunc; i++) {
		struct bg_pcln_func f;
		long k;

		bg_pcln_func(&t, i, &f);
		if ((const uint8_t *)f.name < buf || (const uint8_t *)f.name >= buf + size || f.entry < prev ||
		    f.end < f.entry)
			abort();
		prev = f.entry;
		if (f.end > f.entry) {
			/* the function holding its own entry starts where it does */
			k = bg_pcln_lookup(&t, f.entry);
			if (k < 0 || k >= (long)t.nfunc)
				abort();
			bg_pcln_lookup(&t, f.end - 1);
			bg_pcln_lookup(&t, f.entry + (f.end - f.entry) / 2);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy so ASan flags any read past the end */
	uint8_t *buf = malloc(size ? size : 1);
	struct bg_derive dv;
	struct bg_diag d = {};

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	check_table(buf, size);
	if (bg_derive_binary(buf, size, &dv, &d)) {
		for (size_t i = 0; i < dv.nsites; i++)
			if (dv.sites[i].func >= dv.tab.nfunc || (dv.sites[i].kind == BG_DERIVE_WRAPPER &&
								  dv.sites[i].callee >= dv.tab.nfunc))
				abort();
		bg_derive_free(&dv);
	} else if (!d.msg[0]) {
		abort();
	}
	free(buf);
	return 0;
}

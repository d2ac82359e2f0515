/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* fuzz_check.h - an invariant of a fuzz target: abort (libFuzzer keeps
 * the input) with the condition and line when it does not hold. */
#ifndef BG_FUZZ_CHECK_H
#define BG_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(c)                                                              \
	do {                                                                  \
		if (!(c)) {                                                   \
			fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); \
			abort();                                              \
		}                                                             \
	} while (0)

#endif

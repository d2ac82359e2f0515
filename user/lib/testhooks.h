/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * testhooks.h - fault injection for the rollback tests.
 *
 * BPFGUARD_FAIL_AT=<step>[,<step>...] makes the named steps of attach fail, so a test
 * can prove that a failure there leaves the previous state intact.  Only
 * test builds (cmake -DBPFGUARD_TEST_HOOKS=ON) read the variable; in every
 * other build bg_fault() is a constant 0 and the string is not even in the
 * binary, so an environment variable cannot make an installed bpfguard fail
 * half-way on purpose.
 */
#ifndef BG_TESTHOOKS_H
#define BG_TESTHOOKS_H

#include <errno.h>

#ifdef BPFGUARD_TEST_HOOKS
#include <stdlib.h>
#include <string.h>

/* -EIO the first time a step BPFGUARD_FAIL_AT names is reached, else 0.
 * The variable is a comma-separated list ("reconcile,cgentry-del": a
 * failure, then one in its rollback); each entry fails once, so the same
 * kind of write in the rollback succeeds unless listed again. */
static inline int bg_fault(const char *step)
{
	static unsigned long long fired; /* bit per list entry */
	const char *f = getenv("BPFGUARD_FAIL_AT");
	size_t n = strlen(step);

	for (unsigned i = 0; f && *f && i < 64; f += strcspn(f, ","), f += *f == ',', i++)
		if (!strncmp(f, step, n) && (f[n] == ',' || f[n] == '\0') && !(fired & (1ULL << i))) {
			fired |= 1ULL << i;
			return -EIO;
		}
	return 0;
}
#else
static inline int bg_fault(const char *step)
{
	(void)step;
	return 0;
}
#endif

#endif

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * testhooks.h - fault injection for the rollback tests.
 *
 * BPFGUARD_FAIL_AT=<step> makes the named step of attach fail, so a test
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

/* -EIO if BPFGUARD_FAIL_AT names this step, else 0. */
static inline int bg_fault(const char *step)
{
	const char *f = getenv("BPFGUARD_FAIL_AT");

	return f && !strcmp(f, step) ? -EIO : 0;
}
#else
static inline int bg_fault(const char *step)
{
	(void)step;
	return 0;
}
#endif

#endif

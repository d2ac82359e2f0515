// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* enforcement.c - the enforcement part of `bpfguard probe` (enforcement.h). */
#include <errno.h>
#include <stdlib.h>

#include "enforcement.h"
#include "lsm.h"

int bg_enforcement_from_probe(const struct bg_probe *p, struct bg_enforcement *e)
{
	const struct bg_lsm_cover *c;
	unsigned rows = 0;

	*e = (struct bg_enforcement){};
	/* the same decision attach makes, so scripts can check it */
	bg_mechs_from_probe(p, &e->mechs);
	if (!e->mechs.lsm_deny)
		return 0;
	for (unsigned i = 0; i < e->mechs.lsm_fit->n; i++)
		e->lsm_hooks_fit += e->mechs.lsm_fit->e[i].fits;
	for (c = bg_lsm_coverage(); c->syscall; c++)
		rows++;
	e->covered = calloc(rows ? rows : 1, sizeof(*e->covered));
	if (!e->covered)
		return -ENOMEM;
	for (c = bg_lsm_coverage(); c->syscall; c++)
		if (bg_lsm_covers(e->mechs.lsm_fit, c->syscall, NULL))
			e->covered[e->ncovered++] = c->syscall;
	return 0;
}

void bg_enforcement_free(struct bg_enforcement *e)
{
	free(e->covered);
	e->covered = NULL;
	e->ncovered = 0;
}

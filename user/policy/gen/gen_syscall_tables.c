// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * gen_syscall_tables.c - a build-time tool: writes syscall_tables.h, the
 * name <-> number indexes of syscalls.c as libseccomp answers them on the
 * build machine, so a bpfguard process does not ask it a thousand times
 * at start-up (syscalls.c says when the answer is used).  Built from the
 * same syscalls.c (BG_SYSCALLS_GENERATOR), so there is one recipe.
 */
#include <stdio.h>

void bg_syscall_tables_emit(FILE *f);

int main(void)
{
	bg_syscall_tables_emit(stdout);
	return fflush(stdout) || ferror(stdout) ? 1 : 0;
}

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * lsm.h - the BPF LSM deny path: which of bpfguard's LSM programs fit the
 * running kernel, which syscalls they cover, and loading them.
 */
#ifndef BG_LSM_H
#define BG_LSM_H

#include <stdbool.h>
#include <stddef.h>

struct bg_state;

#define BG_LSM_MAX_PROGS 128

/* Our LSM programs against this kernel's BTF: a program fits when the hook
 * exists and takes the number of arguments the program was written for. */
struct bg_lsm_fit {
	unsigned n;
	struct {
		char prog[64];
		char hook[48];
		bool fits;
	} e[BG_LSM_MAX_PROGS];
	bool btf_ok;
};

int bg_lsm_fit(struct bg_lsm_fit *f);
bool bg_lsm_hook_fits(const struct bg_lsm_fit *f, const char *hook);

/* Does an LSM hook that fits this kernel stop `syscall` before its effect?
 * If so, *hook names it. */
bool bg_lsm_covers(const struct bg_lsm_fit *f, const char *syscall, const char **hook);

/* The coverage table, for docs and `bpfguard probe`: NULL-terminated rows. */
struct bg_lsm_cover {
	const char *syscall;
	const char *hooks; /* space-separated: the call is stopped at whichever comes first */
	const char *note;
};
const struct bg_lsm_cover *bg_lsm_coverage(void);

/* Loads lsm.bpf.c (fitting programs only), attaches and pins them, sharing
 * the pinned bg_taskmark/bg_lsm_gate/bg_stats maps.  No-op if pinned. */
int bg_lsm_links_up(struct bg_state *st, char *err, size_t errlen);
bool bg_lsm_links_present(void);

#endif

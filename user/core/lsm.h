/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * lsm.h - the BPF LSM deny path: which of bpfguard's LSM programs fit the
 * running kernel, which syscalls they cover, and loading them.
 */
#ifndef BG_LSM_H
#define BG_LSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

struct bg_state;

#define BG_LSM_MAX_PROGS 128
/* A bit of the `want` set (and of bg_attachment.lsm_progs) that is no hook:
 * bg_sys_exit alone, which clears the marks the cgroup hooks read when a
 * syscall rule is served by one (mechanism.c); the fit table stays below. */
#define BG_LSM_SYS_EXIT_BIT (BG_LSM_MAX_PROGS - 1)

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
/* Same, and marks the programs (indexes into f->e) that must be attached
 * for it in need[] (a 128-bit set). */
bool bg_lsm_need(const struct bg_lsm_fit *f, const char *syscall, uint64_t need[2]);

/* The coverage table, for docs and `bpfguard probe`: NULL-terminated rows. */
struct bg_lsm_cover {
	const char *syscall;
	const char *hooks; /* groups, all needed; "a|b" alternatives by kernel */
	const char *note;
};
const struct bg_lsm_cover *bg_lsm_coverage(void);

/* Makes the attached LSM programs exactly `want` (indexes into the fit
 * table; the union of all attachments' needs) plus bg_sys_exit while any is
 * wanted: loads and pins what is missing, sharing the pinned bg_taskmark /
 * bg_lsm_gate / bg_stats maps, then unpins what is no longer wanted.  On
 * failure nothing it pinned stays. */
int bg_lsm_sync(struct bg_state *st, const uint64_t want[2], struct bg_diag *diag);
bool bg_lsm_links_present(void);
/* Any program of lsm.bpf.c pinned, bg_sys_exit included. */
bool bg_lsm_any_pinned(void);

#endif

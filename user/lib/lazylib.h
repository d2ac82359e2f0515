/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * lazylib.h - shared libraries loaded when first used, not at exec.
 *
 * Why: libcrypto and Capstone are 4 MB each, and the dynamic loader's
 * relocations of their tables cost ~1.2 ms at every exec of bpfguard,
 * ~2/3 of a bare `bpfguard --version` and a third of bwrap's whole
 * sandbox start-up, while only the Go checks, the executable allowlist
 * and `policy derive` use them.  A command that needs one pays for it on
 * first use (crypto_fns.h, go/capstone_fns.h route the calls here).
 *
 * The static build (BPFGUARD_STATIC, the VM guest's) links them directly:
 * BG_DIRECT_LIBS is defined and no call goes through here.
 */
#ifndef BG_LAZYLIB_H
#define BG_LAZYLIB_H

struct bg_lazylib {
	const char *soname;  /* "libcrypto.so.3": the ABI our headers describe */
	const char *purpose; /* for the error line: what needs it */
	const char *package; /* Debian's package that ships it */
};

/* The address of `sym` in `lib`, opened on first use.  A library or symbol
 * that cannot be loaded is a broken installation: one line saying what to
 * install, then exit(BG_EXIT_FAIL); a caller never sees NULL. */
void *bg_lazy_sym(const struct bg_lazylib *lib, const char *sym);

#define BG_STR_(x) #x
#define BG_STR(x) BG_STR_(x)

#endif

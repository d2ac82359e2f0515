// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* capstone_fns.c - Capstone resolved on first use (capstone_fns.h). */
#include <capstone/capstone.h>
#include <pthread.h>

#ifndef BG_DIRECT_LIBS
#include "capstone_fns.h"
#undef cs_open
#undef cs_option
#undef cs_malloc
#undef cs_disasm_iter
#undef cs_insn_group
#undef cs_regs_access
#undef cs_free
#undef cs_close

static const struct bg_lazylib capstone = {
	.soname = "libcapstone.so." BG_STR(CS_API_MAJOR),
	.purpose = "`policy derive` (the x86-64 decoder)",
	.package = "libcapstone4 (Debian) or your distribution's Capstone 4 runtime",
};
static struct bg_capstone_fns fns;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void resolve(void)
{
#define BG_X(f) fns.f = (__typeof__(&f))bg_lazy_sym(&capstone, #f);
	BG_CAPSTONE_FUNCS(BG_X)
#undef BG_X
}

const struct bg_capstone_fns *bg_capstone(void)
{
	pthread_once(&once, resolve);
	return &fns;
}
#endif

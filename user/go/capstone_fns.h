/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * capstone_fns.h - Capstone for `policy derive`: include this, not
 * <capstone/capstone.h>.  The same scheme as lib/crypto_fns.h: in the
 * dynamic build each call goes through a pointer resolved on first use,
 * so no other command loads the 4 MB decoder at exec (lib/lazylib.h).
 */
#ifndef BG_CAPSTONE_FNS_H
#define BG_CAPSTONE_FNS_H

#include <capstone/capstone.h>

#include "lazylib.h"

#define BG_CAPSTONE_FUNCS(X)                                                                      \
	X(cs_open)                                                                                \
	X(cs_option)                                                                              \
	X(cs_malloc)                                                                              \
	X(cs_disasm_iter)                                                                         \
	X(cs_insn_group)                                                                          \
	X(cs_regs_access)                                                                         \
	X(cs_free)                                                                                \
	X(cs_close)

#ifndef BG_DIRECT_LIBS
struct bg_capstone_fns {
#define BG_X(f) __typeof__(&f) f;
	BG_CAPSTONE_FUNCS(BG_X)
#undef BG_X
};

const struct bg_capstone_fns *bg_capstone(void);

#define cs_open (bg_capstone()->cs_open)
#define cs_option (bg_capstone()->cs_option)
#define cs_malloc (bg_capstone()->cs_malloc)
#define cs_disasm_iter (bg_capstone()->cs_disasm_iter)
#define cs_insn_group (bg_capstone()->cs_insn_group)
#define cs_regs_access (bg_capstone()->cs_regs_access)
#define cs_free (bg_capstone()->cs_free)
#define cs_close (bg_capstone()->cs_close)
#endif

#endif

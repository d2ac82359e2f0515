/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * crypto_fns.h - libcrypto for bpfguard: include this, not <openssl/...>.
 *
 * Every libcrypto function bpfguard calls is listed here once.  In the
 * dynamic build a call goes through a pointer resolved on the first call
 * (lazylib.h says why); the names stay OpenSSL's, so the code reads as
 * plain OpenSSL.  Using a function not listed fails to link in the dynamic
 * build (libcrypto is not on the link line): add it to the list.
 */
#ifndef BG_CRYPTO_FNS_H
#define BG_CRYPTO_FNS_H

#include <openssl/evp.h>

#include "lazylib.h"

#define BG_CRYPTO_FUNCS(X)                                                                        \
	X(EVP_MD_fetch)                                                                           \
	X(EVP_sha256)                                                                             \
	X(EVP_MD_CTX_new)                                                                         \
	X(EVP_MD_CTX_free)                                                                        \
	X(EVP_DigestInit_ex)                                                                      \
	X(EVP_DigestUpdate)                                                                       \
	X(EVP_DigestFinal_ex)                                                                     \
	X(EVP_Digest)                                                                             \
	X(EVP_EncodeBlock)

#ifndef BG_DIRECT_LIBS
struct bg_crypto_fns {
#define BG_X(f) __typeof__(&f) f;
	BG_CRYPTO_FUNCS(BG_X)
#undef BG_X
};

/* All of them, resolved together on first use (a missing one is reported
 * at once, not at the call that needs it). */
const struct bg_crypto_fns *bg_crypto(void);

#define EVP_MD_fetch (bg_crypto()->EVP_MD_fetch)
#define EVP_sha256 (bg_crypto()->EVP_sha256)
#define EVP_MD_CTX_new (bg_crypto()->EVP_MD_CTX_new)
#define EVP_MD_CTX_free (bg_crypto()->EVP_MD_CTX_free)
#define EVP_DigestInit_ex (bg_crypto()->EVP_DigestInit_ex)
#define EVP_DigestUpdate (bg_crypto()->EVP_DigestUpdate)
#define EVP_DigestFinal_ex (bg_crypto()->EVP_DigestFinal_ex)
#define EVP_Digest (bg_crypto()->EVP_Digest)
#define EVP_EncodeBlock (bg_crypto()->EVP_EncodeBlock)
#endif

#endif

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* crypto_fns.c - libcrypto resolved on first use (crypto_fns.h). */
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <pthread.h>

#ifndef BG_DIRECT_LIBS
/* the table's types come from the real prototypes: no macros here */
#include "crypto_fns.h"
#undef EVP_MD_fetch
#undef EVP_sha256
#undef EVP_MD_CTX_new
#undef EVP_MD_CTX_free
#undef EVP_DigestInit_ex
#undef EVP_DigestUpdate
#undef EVP_DigestFinal_ex
#undef EVP_Digest
#undef EVP_EncodeBlock

static const struct bg_lazylib crypto = {
	.soname = "libcrypto.so." BG_STR(OPENSSL_VERSION_MAJOR),
	.purpose = "SHA-256 of the Go checks, the executable allowlist and the daemon",
	.package = "libssl3 (Debian) or your distribution's OpenSSL 3 runtime",
};
static struct bg_crypto_fns fns;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void resolve(void)
{
#define BG_X(f) fns.f = (__typeof__(&f))bg_lazy_sym(&crypto, #f);
	BG_CRYPTO_FUNCS(BG_X)
#undef BG_X
}

const struct bg_crypto_fns *bg_crypto(void)
{
	pthread_once(&once, resolve);
	return &fns;
}
#endif

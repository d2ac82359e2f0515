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
#undef EVP_PKEY_free
#undef EVP_PKEY_get_base_id
#undef EVP_PKEY_get_bits
#undef EVP_PKEY_get_size
#undef EVP_PKEY_get_group_name
#undef d2i_PUBKEY
#undef i2d_PUBKEY
#undef d2i_AutoPrivateKey
#undef EVP_PKEY_CTX_new
#undef EVP_PKEY_CTX_free
#undef EVP_PKEY_verify_init
#undef EVP_PKEY_verify
#undef EVP_PKEY_sign_init
#undef EVP_PKEY_sign
#undef EVP_PKEY_CTX_set_signature_md
#undef EVP_DigestVerifyInit
#undef EVP_DigestVerify
#undef EVP_DigestSignInit
#undef EVP_DigestSign
#undef ERR_clear_error
#undef d2i_X509
#undef i2d_X509
#undef X509_free
#undef X509_get0_pubkey
#undef X509_get_ext_by_NID
#undef X509_get_ext_by_OBJ
#undef X509_get_ext
#undef X509_EXTENSION_get_data
#undef ASN1_STRING_get0_data
#undef ASN1_STRING_length
#undef OBJ_txt2obj
#undef ASN1_OBJECT_free
#undef X509_get_extended_key_usage
#undef X509_STORE_new
#undef X509_STORE_free
#undef X509_STORE_add_cert
#undef X509_STORE_CTX_new
#undef X509_STORE_CTX_free
#undef X509_STORE_CTX_init
#undef X509_STORE_CTX_set_time
#undef X509_STORE_CTX_get_error
#undef X509_verify_cert
#undef X509_verify_cert_error_string
#undef OPENSSL_sk_new_null
#undef OPENSSL_sk_push
#undef OPENSSL_sk_free
#undef CRYPTO_free
#undef EVP_PKEY_CTX_set_rsa_padding
#undef EVP_PKEY_CTX_set_rsa_pss_saltlen

static const struct bg_lazylib crypto = {
	.soname = "libcrypto.so." BG_STR(OPENSSL_VERSION_MAJOR),
	.purpose = "SHA-256 of the Go checks, the executable allowlist and the daemon, and signature checks",
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

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

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

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
	X(EVP_EncodeBlock)                                                                        \
	X(EVP_PKEY_free)                                                                          \
	X(EVP_PKEY_get_base_id)                                                                   \
	X(EVP_PKEY_get_bits)                                                                      \
	X(EVP_PKEY_get_size)                                                                      \
	X(EVP_PKEY_get_group_name)                                                                \
	X(d2i_PUBKEY)                                                                             \
	X(i2d_PUBKEY)                                                                             \
	X(d2i_AutoPrivateKey)                                                                     \
	X(EVP_PKEY_CTX_new)                                                                       \
	X(EVP_PKEY_CTX_free)                                                                      \
	X(EVP_PKEY_verify_init)                                                                   \
	X(EVP_PKEY_verify)                                                                        \
	X(EVP_PKEY_sign_init)                                                                     \
	X(EVP_PKEY_sign)                                                                          \
	X(EVP_PKEY_CTX_set_signature_md)                                                          \
	X(EVP_DigestVerifyInit)                                                                   \
	X(EVP_DigestVerify)                                                                       \
	X(EVP_DigestSignInit)                                                                     \
	X(EVP_DigestSign)                                                                         \
	X(ERR_clear_error)                                                                        \
	X(d2i_X509)                                                                               \
	X(i2d_X509)                                                                               \
	X(X509_free)                                                                              \
	X(X509_get0_pubkey)                                                                       \
	X(X509_get_ext_by_NID)                                                                    \
	X(X509_get_ext_by_OBJ)                                                                    \
	X(X509_get_ext)                                                                           \
	X(X509_EXTENSION_get_data)                                                                \
	X(ASN1_STRING_get0_data)                                                                  \
	X(ASN1_STRING_length)                                                                     \
	X(OBJ_txt2obj)                                                                            \
	X(ASN1_OBJECT_free)                                                                       \
	X(X509_get_extended_key_usage)                                                            \
	X(X509_STORE_new)                                                                         \
	X(X509_STORE_free)                                                                        \
	X(X509_STORE_add_cert)                                                                    \
	X(X509_STORE_CTX_new)                                                                     \
	X(X509_STORE_CTX_free)                                                                    \
	X(X509_STORE_CTX_init)                                                                    \
	X(X509_STORE_CTX_set_time)                                                                \
	X(X509_STORE_CTX_get_error)                                                               \
	X(X509_verify_cert)                                                                       \
	X(X509_verify_cert_error_string)                                                          \
	X(OPENSSL_sk_new_null)                                                                    \
	X(OPENSSL_sk_push)                                                                        \
	X(OPENSSL_sk_free)                                                                       \
	X(CRYPTO_free)                                                                            \
	X(EVP_PKEY_CTX_set_rsa_padding)                                                           \
	X(EVP_PKEY_CTX_set_rsa_pss_saltlen)

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
#define EVP_PKEY_free (bg_crypto()->EVP_PKEY_free)
#define EVP_PKEY_get_base_id (bg_crypto()->EVP_PKEY_get_base_id)
#define EVP_PKEY_get_bits (bg_crypto()->EVP_PKEY_get_bits)
#define EVP_PKEY_get_size (bg_crypto()->EVP_PKEY_get_size)
#define EVP_PKEY_get_group_name (bg_crypto()->EVP_PKEY_get_group_name)
#define d2i_PUBKEY (bg_crypto()->d2i_PUBKEY)
#define i2d_PUBKEY (bg_crypto()->i2d_PUBKEY)
#define d2i_AutoPrivateKey (bg_crypto()->d2i_AutoPrivateKey)
#define EVP_PKEY_CTX_new (bg_crypto()->EVP_PKEY_CTX_new)
#define EVP_PKEY_CTX_free (bg_crypto()->EVP_PKEY_CTX_free)
#define EVP_PKEY_verify_init (bg_crypto()->EVP_PKEY_verify_init)
#define EVP_PKEY_verify (bg_crypto()->EVP_PKEY_verify)
#define EVP_PKEY_sign_init (bg_crypto()->EVP_PKEY_sign_init)
#define EVP_PKEY_sign (bg_crypto()->EVP_PKEY_sign)
#define EVP_PKEY_CTX_set_signature_md (bg_crypto()->EVP_PKEY_CTX_set_signature_md)
#define EVP_DigestVerifyInit (bg_crypto()->EVP_DigestVerifyInit)
#define EVP_DigestVerify (bg_crypto()->EVP_DigestVerify)
#define EVP_DigestSignInit (bg_crypto()->EVP_DigestSignInit)
#define EVP_DigestSign (bg_crypto()->EVP_DigestSign)
#define ERR_clear_error (bg_crypto()->ERR_clear_error)
#define d2i_X509 (bg_crypto()->d2i_X509)
#define i2d_X509 (bg_crypto()->i2d_X509)
#define X509_free (bg_crypto()->X509_free)
#define X509_get0_pubkey (bg_crypto()->X509_get0_pubkey)
#define X509_get_ext_by_NID (bg_crypto()->X509_get_ext_by_NID)
#define X509_get_ext_by_OBJ (bg_crypto()->X509_get_ext_by_OBJ)
#define X509_get_ext (bg_crypto()->X509_get_ext)
#define X509_EXTENSION_get_data (bg_crypto()->X509_EXTENSION_get_data)
#define ASN1_STRING_get0_data (bg_crypto()->ASN1_STRING_get0_data)
#define ASN1_STRING_length (bg_crypto()->ASN1_STRING_length)
#define OBJ_txt2obj (bg_crypto()->OBJ_txt2obj)
#define ASN1_OBJECT_free (bg_crypto()->ASN1_OBJECT_free)
#define X509_get_extended_key_usage (bg_crypto()->X509_get_extended_key_usage)
#define X509_STORE_new (bg_crypto()->X509_STORE_new)
#define X509_STORE_free (bg_crypto()->X509_STORE_free)
#define X509_STORE_add_cert (bg_crypto()->X509_STORE_add_cert)
#define X509_STORE_CTX_new (bg_crypto()->X509_STORE_CTX_new)
#define X509_STORE_CTX_free (bg_crypto()->X509_STORE_CTX_free)
#define X509_STORE_CTX_init (bg_crypto()->X509_STORE_CTX_init)
#define X509_STORE_CTX_set_time (bg_crypto()->X509_STORE_CTX_set_time)
#define X509_STORE_CTX_get_error (bg_crypto()->X509_STORE_CTX_get_error)
#define X509_verify_cert (bg_crypto()->X509_verify_cert)
#define X509_verify_cert_error_string (bg_crypto()->X509_verify_cert_error_string)
#define OPENSSL_sk_new_null (bg_crypto()->OPENSSL_sk_new_null)
#define OPENSSL_sk_push (bg_crypto()->OPENSSL_sk_push)
#define OPENSSL_sk_free (bg_crypto()->OPENSSL_sk_free)
#define CRYPTO_free (bg_crypto()->CRYPTO_free)
#define EVP_PKEY_CTX_set_rsa_padding (bg_crypto()->EVP_PKEY_CTX_set_rsa_padding)
#define EVP_PKEY_CTX_set_rsa_pss_saltlen (bg_crypto()->EVP_PKEY_CTX_set_rsa_pss_saltlen)
#endif

#endif

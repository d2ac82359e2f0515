// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sig_verify.c - one signature against one key, as cosign sign-blob makes
 * it: ECDSA and RSA (PKCS#1 v1.5; PSS accepted too) over the SHA-256 of
 * the message, Ed25519 over the message itself.
 *
 * The signature's encoding is checked before libcrypto sees it, so a
 * truncated or re-encoded signature is told apart (BG_EXIT_SIG_MALFORMED)
 * from a well-formed one that does not verify (BG_EXIT_SIG_MISMATCH).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sig_int.h"
#include "util.h"

/* The signature's form for this key: 0, or MALFORMED with the reason. */
static int sig_form(const struct bg_sig_key *k, const uint8_t *sig, size_t siglen, struct bg_diag *d)
{
	const char *why = NULL;
	int size;

	switch (k->kind) {
	case BG_SIG_P256:
	case BG_SIG_P384:
		if (!bg_sig_der_ecdsa_check(sig, siglen, k->kind == BG_SIG_P256 ? 32 : 48, &why))
			return 0;
		bg_diag_set(d, "the signature is not a DER ECDSA signature: %s; give the .sig cosign wrote, unmodified",
			    why);
		return BG_EXIT_SIG_MALFORMED;
	case BG_SIG_ED25519:
		if (siglen == 64)
			return 0;
		bg_diag_set(d, "the Ed25519 signature is %zu bytes, not 64; give the .sig made with this key, unmodified",
			    siglen);
		return BG_EXIT_SIG_MALFORMED;
	case BG_SIG_RSA:
		size = EVP_PKEY_get_size(k->pkey);
		if (size > 0 && siglen == (size_t)size)
			return 0;
		bg_diag_set(d, "the RSA signature is %zu bytes, not the key's %d; give the .sig made with this key, unmodified",
			    siglen, size);
		return BG_EXIT_SIG_MALFORMED;
	}
	bg_diag_set(d, "internal: unknown key kind");
	return BG_EXIT_FAIL;
}

/* 1 verified, 0 or -1 not, -2 could not be set up. */
static int prehashed(const struct bg_sig_key *k, const uint8_t digest[32], const uint8_t *sig, size_t siglen, bool pss)
{
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(k->pkey, NULL);
	int v = -2;

	if (pc && EVP_PKEY_verify_init(pc) == 1 && EVP_PKEY_CTX_set_signature_md(pc, EVP_sha256()) == 1 &&
	    (!pss || (EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) == 1 &&
		      EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, RSA_PSS_SALTLEN_AUTO) == 1)))
		v = EVP_PKEY_verify(pc, sig, siglen, digest, 32);
	EVP_PKEY_CTX_free(pc);
	return v;
}

int bg_sig_verify_prehashed(const struct bg_sig_key *k, const uint8_t digest[32], const uint8_t *msg, size_t len,
			    const uint8_t *sig, size_t siglen, struct bg_diag *d)
{
	EVP_MD_CTX *mc = NULL;
	int rc, v = 0;

	rc = sig_form(k, sig, siglen, d);
	if (rc)
		return rc;
	if (k->kind == BG_SIG_ED25519) {
		if (!msg) {
			bg_diag_set(d, "an Ed25519 signature needs the whole message, which was not read; internal error");
			return BG_EXIT_FAIL;
		}
		mc = EVP_MD_CTX_new();
		if (mc && EVP_DigestVerifyInit(mc, NULL, NULL, NULL, k->pkey) == 1)
			v = EVP_DigestVerify(mc, sig, siglen, msg, len);
		else
			v = -2;
	} else {
		v = prehashed(k, digest, sig, siglen, false);
		/* RSA: PKCS#1 v1.5 is cosign's; PSS (any salt length) is what
		 * other signers make with the same key, and as strong */
		if (v != 1 && v != -2 && k->kind == BG_SIG_RSA)
			v = prehashed(k, digest, sig, siglen, true);
	}
	ERR_clear_error();
	EVP_MD_CTX_free(mc);
	if (v == 1)
		return 0;
	if (v == -2) {
		bg_diag_set(d, "cannot set up a %s verification (libcrypto failed, or out of memory)", bg_sig_key_alg(k));
		return BG_EXIT_FAIL;
	}
	bg_diag_set(d, "the signature does not verify with key %s (%s): the file changed, or another key signed it; check you have the right file and key",
		    k->id, bg_sig_key_alg(k));
	return BG_EXIT_SIG_MISMATCH;
}

int bg_sig_verify(const struct bg_sig_key *k, const uint8_t *msg, size_t len, const uint8_t *sig, size_t siglen,
		  struct bg_diag *d)
{
	uint8_t digest[32];

	bg_sig_sha256(msg, len, digest);
	return bg_sig_verify_prehashed(k, digest, msg, len, sig, siglen, d);
}

int bg_sig_hash_fd(int fd, bool keep, uint8_t digest[32], uint8_t **whole, size_t *len, struct bg_diag *d)
{
	EVP_MD_CTX *mc;
	uint8_t *w = NULL, buf[65536];
	size_t have = 0, cap = 0;
	off_t off = 0;
	ssize_t r;
	int rc = 0;

	*whole = NULL;
	*len = 0;
	mc = EVP_MD_CTX_new();
	if (!mc || !EVP_DigestInit_ex(mc, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(mc);
		bg_diag_set(d, "cannot start SHA-256 (out of memory)");
		return BG_EXIT_FAIL;
	}
	for (;;) {
		r = pread(fd, buf, sizeof(buf), off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			bg_diag_set(d, "cannot read the file: %s; check it is a readable regular file", strerror(errno));
			rc = BG_EXIT_USAGE;
			goto out;
		}
		if (!r)
			break;
		off += r;
		if (!EVP_DigestUpdate(mc, buf, (size_t)r)) {
			bg_diag_set(d, "SHA-256 failed");
			rc = BG_EXIT_FAIL;
			goto out;
		}
		if (!keep)
			continue;
		if (have + (size_t)r > BG_SIG_ED25519_MAX) {
			bg_diag_set(d, "file larger than %u MiB, the most an Ed25519 signature is checked over (it signs the whole message); sign it with an ECDSA key",
				    BG_SIG_ED25519_MAX >> 20);
			rc = BG_EXIT_USAGE;
			goto out;
		}
		if (have + (size_t)r > cap) {
			uint8_t *n;

			cap = cap ? cap * 2 : sizeof(buf) * 4;
			while (cap < have + (size_t)r)
				cap *= 2;
			n = realloc(w, cap);
			if (!n) {
				bg_diag_set(d, "out of memory reading the file");
				rc = BG_EXIT_FAIL;
				goto out;
			}
			w = n;
		}
		memcpy(w + have, buf, (size_t)r);
		have += (size_t)r;
	}
	if (!EVP_DigestFinal_ex(mc, digest, NULL)) {
		bg_diag_set(d, "SHA-256 failed");
		rc = BG_EXIT_FAIL;
		goto out;
	}
	if (keep && !w && !(w = malloc(1))) { /* an empty file is a message too */
		bg_diag_set(d, "out of memory");
		rc = BG_EXIT_FAIL;
		goto out;
	}
	*whole = w;
	*len = have;
	w = NULL;
out:
	EVP_MD_CTX_free(mc);
	free(w);
	return rc;
}

int bg_sig_verify_fd(const struct bg_sig_key *k, int fd, const uint8_t *sig, size_t siglen, struct bg_diag *d)
{
	uint8_t digest[32], *whole;
	size_t len;
	int rc;

	rc = sig_form(k, sig, siglen, d);
	if (rc)
		return rc;
	rc = bg_sig_hash_fd(fd, k->kind == BG_SIG_ED25519, digest, &whole, &len, d);
	if (rc)
		return rc;
	rc = bg_sig_verify_prehashed(k, digest, whole, len, sig, siglen, d);
	free(whole);
	return rc;
}

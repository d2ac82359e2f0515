// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sig_key.c - public and private keys: PEM armor read by our own strict
 * reader (sig_util.c), the DER inside handed to libcrypto.  Only the kinds
 * cosign makes are accepted (ECDSA P-256/P-384, Ed25519, RSA >= 2048): a
 * key of another kind is refused when loaded, not when a signature fails.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sig_int.h"
#include "util.h"

#define KEY_FILE_MAX (1u << 20)

static void key_free(struct bg_sig_key *k)
{
	if (!k)
		return;
	if (k->pkey)
		EVP_PKEY_free(k->pkey);
	free(k->der);
	free(k);
}

void bg_sig_key_free(struct bg_sig_key *k)
{
	key_free(k);
}

/* The kind of pkey, or 0 (what *why says) for one we do not take. */
static enum bg_sig_kind pkey_kind(EVP_PKEY *pkey, const char **why)
{
	char group[64];
	size_t gl = 0;

	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), &gl) != 1)
			break;
		if (!strcmp(group, "prime256v1") || !strcmp(group, "P-256"))
			return BG_SIG_P256;
		if (!strcmp(group, "secp384r1") || !strcmp(group, "P-384"))
			return BG_SIG_P384;
		*why = "an EC key on a curve other than P-256 or P-384";
		return 0;
	case EVP_PKEY_ED25519:
		return BG_SIG_ED25519;
	case EVP_PKEY_RSA:
		if (EVP_PKEY_get_bits(pkey) < 2048) {
			*why = "an RSA key shorter than 2048 bits";
			return 0;
		}
		return BG_SIG_RSA;
	default:
		break;
	}
	*why = "a key of a kind cosign does not sign with (ECDSA P-256/P-384, Ed25519, RSA)";
	return 0;
}

int bg_sig_key_from_der(const uint8_t *der, size_t len, const char *origin, const char *what,
			struct bg_sig_key **out, struct bg_diag *d)
{
	struct bg_sig_key *k;
	const unsigned char *p = der;
	const char *why = NULL;
	uint8_t h[32];
	char hex[65];

	*out = NULL;
	if (len > KEY_FILE_MAX) {
		bg_diag_at(d, origin, 0, "%s is too large to be a public key; give the key file", what);
		return BG_EXIT_SIG_MALFORMED;
	}
	k = calloc(1, sizeof(*k));
	if (!k || !(k->der = malloc(len ? len : 1))) {
		free(k);
		bg_diag_at(d, origin, 0, "out of memory reading %s", what);
		return BG_EXIT_FAIL;
	}
	memcpy(k->der, der, len);
	k->derlen = len;
	k->pkey = d2i_PUBKEY(NULL, &p, (long)len);
	ERR_clear_error();
	if (!k->pkey || p != der + len) {
		bg_diag_at(d, origin, 0, "%s is not a DER SubjectPublicKeyInfo%s; give the PUBLIC KEY file (cosign.pub)", what,
			   k->pkey ? " (bytes after it)" : "");
		key_free(k);
		return BG_EXIT_SIG_MALFORMED;
	}
	k->kind = pkey_kind(k->pkey, &why);
	if (!k->kind) {
		bg_diag_at(d, origin, 0, "%s is %s; give a cosign key", what, why);
		key_free(k);
		return BG_EXIT_SIG_MALFORMED;
	}
	bg_sig_sha256(der, len, h);
	bg_sha256_hex(h, hex);
	snprintf(k->id, sizeof(k->id), "sha256:%s", hex);
	*out = k;
	return 0;
}

int bg_sig_key_parse(const void *buf, size_t len, const char *origin, struct bg_sig_key **k, struct bg_diag *d)
{
	char *label = NULL;
	uint8_t *der = NULL;
	size_t dl;
	int rc;

	*k = NULL;
	rc = bg_sig_pem_decode(buf, len, origin, &label, &der, &dl, d);
	if (rc)
		return rc;
	if (strcmp(label, "PUBLIC KEY")) {
		bg_diag_at(d, origin, 0, "PEM block is %s, not PUBLIC KEY; give the public key (cosign.pub)%s", label,
			   strstr(label, "PRIVATE") ? ", never the private one" : "");
		rc = BG_EXIT_SIG_MALFORMED;
	} else {
		rc = bg_sig_key_from_der(der, dl, origin, "the PUBLIC KEY", k, d);
	}
	free(label);
	free(der);
	return rc;
}

int bg_sig_key_load(const char *path, struct bg_sig_key **k, struct bg_diag *d)
{
	char *buf;
	size_t n;
	int rc;

	*k = NULL;
	rc = bg_sig_read_input(path, KEY_FILE_MAX, "key", &buf, &n, d);
	if (rc)
		return rc;
	rc = bg_sig_key_parse(buf, n, path, k, d);
	free(buf);
	return rc;
}

const char *bg_sig_key_id(const struct bg_sig_key *k)
{
	return k->id;
}

static const char *kind_name(enum bg_sig_kind kind)
{
	switch (kind) {
	case BG_SIG_P256: return "ecdsa-p256";
	case BG_SIG_P384: return "ecdsa-p384";
	case BG_SIG_ED25519: return "ed25519";
	case BG_SIG_RSA: return "rsa";
	}
	return "?";
}

const char *bg_sig_key_alg(const struct bg_sig_key *k)
{
	return kind_name(k->kind);
}

/* ------------------------------------------------------------------------ */
/* private keys (the module proxy signs its responses) */

struct bg_sig_privkey {
	EVP_PKEY *pkey;
	enum bg_sig_kind kind;
	char id[72];
};

void bg_sig_privkey_free(struct bg_sig_privkey *k)
{
	if (!k)
		return;
	if (k->pkey)
		EVP_PKEY_free(k->pkey);
	free(k);
}

int bg_sig_privkey_load(const char *path, struct bg_sig_privkey **out, struct bg_diag *d)
{
	struct bg_sig_privkey *k = NULL;
	const unsigned char *p;
	unsigned char *pub = NULL;
	const char *why = NULL;
	char *buf = NULL, *label = NULL, hex[65];
	uint8_t *der = NULL, h[32];
	size_t n, dl;
	int rc, pl;

	*out = NULL;
	rc = bg_sig_read_input(path, KEY_FILE_MAX, "private key", &buf, &n, d);
	if (rc)
		return rc;
	rc = bg_sig_pem_decode(buf, n, path, &label, &der, &dl, d);
	/* the key's bytes are not needed any more: do not leave them around */
	explicit_bzero(buf, n);
	free(buf);
	if (rc)
		return rc;
	rc = BG_EXIT_SIG_MALFORMED;
	if (strcmp(label, "PRIVATE KEY") && strcmp(label, "EC PRIVATE KEY")) {
		bg_diag_at(d, path, 0, "PEM block is %s, not PRIVATE KEY or EC PRIVATE KEY; give an unencrypted PKCS#8 key (openssl pkcs8 -topk8 -nocrypt)",
			   label);
		goto out;
	}
	k = calloc(1, sizeof(*k));
	if (!k) {
		rc = BG_EXIT_FAIL;
		bg_diag_at(d, path, 0, "out of memory");
		goto out;
	}
	p = der;
	k->pkey = d2i_AutoPrivateKey(NULL, &p, (long)dl);
	ERR_clear_error();
	if (!k->pkey || p != der + dl) {
		bg_diag_at(d, path, 0, "not a DER private key; give an unencrypted PKCS#8 key (openssl pkcs8 -topk8 -nocrypt)");
		goto out;
	}
	k->kind = pkey_kind(k->pkey, &why);
	if (!k->kind) {
		bg_diag_at(d, path, 0, "the private key is %s; make a P-256 key (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256)",
			   why);
		goto out;
	}
	pl = i2d_PUBKEY(k->pkey, &pub);
	if (pl <= 0) {
		ERR_clear_error();
		rc = BG_EXIT_FAIL;
		bg_diag_at(d, path, 0, "cannot encode the public half of the key");
		goto out;
	}
	bg_sig_sha256(pub, (size_t)pl, h);
	OPENSSL_free(pub);
	bg_sha256_hex(h, hex);
	snprintf(k->id, sizeof(k->id), "sha256:%s", hex);
	*out = k;
	k = NULL;
	rc = 0;
out:
	if (der)
		explicit_bzero(der, dl);
	free(der);
	free(label);
	bg_sig_privkey_free(k);
	return rc;
}

const char *bg_sig_privkey_id(const struct bg_sig_privkey *k)
{
	return k->id;
}

int bg_sig_sign(const struct bg_sig_privkey *k, const uint8_t *msg, size_t len, uint8_t **sig, size_t *siglen,
		struct bg_diag *d)
{
	EVP_MD_CTX *mc = NULL;
	EVP_PKEY_CTX *pc = NULL;
	uint8_t digest[32], *out = NULL;
	size_t ol = 0;
	int ok = 0;

	*sig = NULL;
	*siglen = 0;
	if (k->kind == BG_SIG_ED25519) {
		mc = EVP_MD_CTX_new();
		ok = mc && EVP_DigestSignInit(mc, NULL, NULL, NULL, k->pkey) == 1 &&
		     EVP_DigestSign(mc, NULL, &ol, msg, len) == 1 && (out = malloc(ol)) &&
		     EVP_DigestSign(mc, out, &ol, msg, len) == 1;
	} else {
		bg_sig_sha256(msg, len, digest);
		pc = EVP_PKEY_CTX_new(k->pkey, NULL);
		ok = pc && EVP_PKEY_sign_init(pc) == 1 && EVP_PKEY_CTX_set_signature_md(pc, EVP_sha256()) == 1 &&
		     EVP_PKEY_sign(pc, NULL, &ol, digest, 32) == 1 && (out = malloc(ol)) &&
		     EVP_PKEY_sign(pc, out, &ol, digest, 32) == 1;
	}
	ERR_clear_error();
	EVP_MD_CTX_free(mc);
	EVP_PKEY_CTX_free(pc);
	if (!ok) {
		free(out);
		bg_diag_set(d, "cannot sign with the %s key (libcrypto failed, or out of memory)", kind_name(k->kind));
		return BG_EXIT_FAIL;
	}
	*sig = out;
	*siglen = ol;
	return 0;
}

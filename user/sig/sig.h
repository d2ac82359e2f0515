/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * sig.h - signatures, verified offline: what `cosign sign-blob` and
 * Sigstore bundles carry, checked with libcrypto (through crypto_fns.h,
 * loaded on first use).  docs/signatures.md describes the formats, the
 * trust decisions and what is not verified.
 *
 * Users: `bpfguard verify-blob` (cli), `trust add --key` and `exec
 * signed-by` (core/trust.c, core/exec_allow.c), `run --key` (run/preflight.c),
 * `go inspect --key` (cli), the module proxy's response signatures
 * (goproxy/).
 *
 * Every function that can fail returns 0 or one of the BG_EXIT_SIG_* codes
 * of exitcodes.h (BG_EXIT_USAGE for an input that cannot be read at all,
 * BG_EXIT_FAIL for memory or libcrypto failures) and fills d.
 */
#ifndef BG_SIG_H
#define BG_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "exitcodes.h"

/* A public key: ECDSA P-256 (cosign's default), P-384, Ed25519 or RSA
 * (2048 bits and more), from PEM "PUBLIC KEY" (SubjectPublicKeyInfo, what
 * `cosign generate-key-pair` writes to cosign.pub). */
struct bg_sig_key;

int bg_sig_key_load(const char *path, struct bg_sig_key **k, struct bg_diag *d);
/* The same from bytes (the fuzz target's way in); origin names them. */
int bg_sig_key_parse(const void *buf, size_t len, const char *origin, struct bg_sig_key **k,
		     struct bg_diag *d);
void bg_sig_key_free(struct bg_sig_key *k);
/* The signer's identity as the trust store records it: "sha256:HEX" of
 * the key's DER SubjectPublicKeyInfo. */
const char *bg_sig_key_id(const struct bg_sig_key *k);
/* "ecdsa-p256", "ecdsa-p384", "ed25519", "rsa" */
const char *bg_sig_key_alg(const struct bg_sig_key *k);

/* A private key (PEM "PRIVATE KEY", PKCS#8, unencrypted; or "EC PRIVATE
 * KEY"), for the module proxy's response signatures. */
struct bg_sig_privkey;
int bg_sig_privkey_load(const char *path, struct bg_sig_privkey **k, struct bg_diag *d);
void bg_sig_privkey_free(struct bg_sig_privkey *k);
/* The public half's identity (bg_sig_key_id's form). */
const char *bg_sig_privkey_id(const struct bg_sig_privkey *k);

/* Signs msg the way cosign sign-blob does (ECDSA/RSA: over its SHA-256,
 * DER signature; Ed25519: the message itself).  *sig is malloc'd. */
int bg_sig_sign(const struct bg_sig_privkey *k, const uint8_t *msg, size_t len, uint8_t **sig,
		size_t *siglen, struct bg_diag *d);

/* Verifies sig over msg (as bg_sig_sign makes it): 0, or
 * BG_EXIT_SIG_MISMATCH (another key, or other bytes), BG_EXIT_SIG_MALFORMED
 * (not a DER signature of this key's kind: truncated, re-encoded). */
int bg_sig_verify(const struct bg_sig_key *k, const uint8_t *msg, size_t len, const uint8_t *sig,
		  size_t siglen, struct bg_diag *d);
/* The same over an open file's whole content, read from offset 0 and
 * hashed as it streams (Ed25519, which signs the message itself, reads
 * the file whole, bounded by BG_SIG_ED25519_MAX). */
int bg_sig_verify_fd(const struct bg_sig_key *k, int fd, const uint8_t *sig, size_t siglen,
		     struct bg_diag *d);

/* Reads a cosign .sig file: base64 (standard alphabet, padding required,
 * one trailing newline allowed, nothing else) of the DER signature. */
int bg_sig_read_sigfile(const char *path, uint8_t **sig, size_t *len, struct bg_diag *d);

/* Everything `verify-blob` can be asked, for every caller that verifies
 * a file before trusting it. */
struct bg_sig_request {
	const char *key;          /* --key KEY.pub (key-based) */
	const char *signature;    /* --signature FILE.sig (with key) */
	const char *bundle;       /* --bundle FILE.sigstore.json */
	const char *tlog_key;     /* --tlog-key: Rekor's public key: check the entry offline */
	const char *trusted_root; /* --trusted-root: Sigstore trusted_root.json (keyless) */
	const char *identity;     /* --certificate-identity: SAN the Fulcio certificate must name */
	const char *issuer;       /* --certificate-oidc-issuer */
	bool require_tlog;        /* refuse a bundle without a verified log entry */
};

struct bg_sig_result {
	/* Who signed, as recorded: "key sha256:HEX" for a key, or
	 * "IDENTITY (ISSUER)" for a Fulcio certificate. */
	char signer[512];
	char key_id[72];       /* "sha256:HEX" of the key that verified */
	bool bundle;           /* a bundle was verified */
	bool tlog_verified;    /* the log entry's promise or checkpoint verified */
	uint64_t integrated_time; /* the log's time of the entry (0: none) */
	uint8_t sha256[32];    /* the file's SHA-256, as verified */
};

/* Verifies the file open on fd (its name for messages) as rq asks.  0 when
 * it verifies; the BG_EXIT_SIG_* code of the first thing that does not,
 * d then "NAME: what; why; what to do" (origin NAME). */
int bg_sig_verify_request(const struct bg_sig_request *rq, int fd, const char *name,
			  struct bg_sig_result *res, struct bg_diag *d);

/* Ed25519 signs the message itself: a file verified with an Ed25519 key
 * is read whole, up to this size (a larger one is refused, not truncated). */
#define BG_SIG_ED25519_MAX (256u << 20)

/* ------------------------------------------------------------------------
 * The strict readers of untrusted bytes, for the tests and fuzz targets
 * (sig_util.c, bundle.c, tlog.c).  Each returns 0 or a BG_EXIT_SIG_* code
 * and fills d unless said otherwise.
 */

/* Base64, standard alphabet, padding required, no whitespace, the unused
 * bits of the last character zero (one encoding per byte string).
 * 0, -EINVAL (not that), -ENOMEM; *out is malloc'd (NUL appended, not
 * counted), also for an empty input. */
int bg_sig_b64_decode(const char *s, size_t n, uint8_t **out, size_t *outlen);

/* One PEM block, "-----BEGIN LABEL-----" ... "-----END LABEL-----" with
 * the same LABEL, base64 lines of at most 76 characters, nothing but
 * blank lines around it.  *label (malloc'd) names it; *der is malloc'd. */
int bg_sig_pem_decode(const char *buf, size_t len, const char *origin, char **label, uint8_t **der,
		      size_t *derlen, struct bg_diag *d);

/* A cosign .sig file's bytes (bg_sig_read_sigfile's rules). */
int bg_sig_parse_sigfile(const char *buf, size_t len, const char *origin, uint8_t **sig, size_t *siglen,
			 struct bg_diag *d);

/* A DER ECDSA-Sig-Value (SEQUENCE of two positive INTEGERs) in its one
 * canonical encoding, each integer at most order_bytes long once its sign
 * byte is dropped.  0, or BG_EXIT_SIG_MALFORMED with *why set. */
int bg_sig_der_ecdsa_check(const uint8_t *sig, size_t len, size_t order_bytes, const char **why);

/* RFC 6962 / RFC 9162 2.1.3.2: is leaf (a leaf hash) at index in a tree
 * of size elements whose root is root, by these audit-path hashes? */
bool bg_sig_merkle_verify(uint64_t index, uint64_t size, const uint8_t leaf[32], const uint8_t (*path)[32],
			  size_t npath, const uint8_t root[32]);
/* SHA-256(0x00 || data), RFC 6962's leaf hash. */
void bg_sig_merkle_leaf(const uint8_t *data, size_t len, uint8_t out[32]);

/* DSSE's pre-authentication encoding, "DSSEv1 LEN(type) type LEN(body)
 * body" (lengths in ASCII decimal): malloc'd, NULL without memory. */
uint8_t *bg_sig_dsse_pae(const char *type, const uint8_t *body, size_t bodylen, size_t *len);

/* The bytes Rekor signs as the signed entry timestamp: the canonical JSON
 * (keys sorted, no spaces) {"body":..,"integratedTime":..,"logID":..,
 * "logIndex":..}; body is canonicalizedBody's base64 text, log_id_hex the
 * hex of the log id.  malloc'd, NULL without memory. */
char *bg_sig_set_payload(const char *body_b64, int64_t integrated_time, const char *log_id_hex,
			 int64_t log_index);

/* A Sigstore bundle (protobuf-JSON, media types v0.1 to v0.3), parsed and
 * type-checked, nothing verified yet (bundle.c). */
struct bg_sig_bundle;
int bg_sig_bundle_parse(const char *buf, size_t len, const char *origin, struct bg_sig_bundle **b,
			struct bg_diag *d);
void bg_sig_bundle_free(struct bg_sig_bundle *b);

#endif

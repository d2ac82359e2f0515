/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * sig_int.h - what the files of user/sig share and no caller needs: the
 * key and bundle structures, the DER reader, and the steps of
 * bg_sig_verify_request (sig_request.c) that tlog.c and x509.c implement.
 */
#ifndef BG_SIG_INT_H
#define BG_SIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto_fns.h"
#include "sig.h"

enum bg_sig_kind { BG_SIG_P256 = 1, BG_SIG_P384, BG_SIG_ED25519, BG_SIG_RSA };

struct bg_sig_key {
	EVP_PKEY *pkey;
	enum bg_sig_kind kind;
	uint8_t *der; /* SubjectPublicKeyInfo, as read */
	size_t derlen;
	char id[72];  /* "sha256:HEX" of der */
};

/* A key from DER SubjectPublicKeyInfo (a certificate's, a trusted root's);
 * what names it in messages. */
int bg_sig_key_from_der(const uint8_t *der, size_t len, const char *origin, const char *what,
			struct bg_sig_key **k, struct bg_diag *d);

void bg_sig_sha256(const void *p, size_t n, uint8_t out[32]);

/* bg_read_file of an input named what ("key", "bundle"), at most max
 * bytes: 0, BG_EXIT_USAGE (cannot be read) or BG_EXIT_SIG_MALFORMED
 * (larger than one can be), d filled. */
int bg_sig_read_input(const char *path, size_t max, const char *what, char **buf, size_t *len, struct bg_diag *d);

/* Verifies sig over a message of which only the SHA-256 is given (ECDSA,
 * RSA); Ed25519 needs the message itself (msg, len; NULL: refused). */
int bg_sig_verify_prehashed(const struct bg_sig_key *k, const uint8_t digest[32], const uint8_t *msg,
			    size_t len, const uint8_t *sig, size_t siglen, struct bg_diag *d);

/* The SHA-256 of the file open on fd, read from offset 0; keep: the
 * content too (*whole, malloc'd; Ed25519), at most BG_SIG_ED25519_MAX. */
int bg_sig_hash_fd(int fd, bool keep, uint8_t digest[32], uint8_t **whole, size_t *len, struct bg_diag *d);

/* JSON in strict mode, the whole of buf (white space may follow): a new
 * object, or NULL with *why ("truncated", json-c's description). */
struct json_object;
struct json_object *bg_sig_json_parse(const void *buf, size_t len, const char **why);

/* DER, read one element at a time: definite minimal lengths only. */
struct bg_der {
	const uint8_t *p;
	size_t n;
};
/* The next element of in (tag, value); false if in holds no whole,
 * canonically encoded element. */
bool bg_der_next(struct bg_der *in, uint8_t *tag, struct bg_der *val);

struct bg_sig_tlog_entry {
	int64_t log_index;
	uint8_t log_id[32];
	char kind[32], version[16];
	int64_t integrated_time;
	char *body_b64; /* canonicalizedBody as written (the SET signs it so) */
	uint8_t *body;  /* ... decoded */
	size_t bodylen;
	uint8_t *set;   /* inclusionPromise.signedEntryTimestamp (NULL: none) */
	size_t setlen;
	bool have_proof;
	int64_t proof_index, tree_size;
	uint8_t root[32];
	uint8_t (*hashes)[32];
	size_t nhashes;
	char *checkpoint;
};

struct bg_sig_bundle {
	char origin[256];
	int version;      /* 1, 2, 3 (the media type's minor version) */
	uint8_t **certs;  /* DER, leaf first (x509CertificateChain or certificate) */
	size_t *certlens;
	size_t ncerts;
	bool have_pubkey; /* publicKey { hint }: the key comes from the caller */
	struct bg_sig_tlog_entry *tlog;
	size_t ntlog;
	size_t nrfc3161;  /* timestampVerificationData.rfc3161Timestamps */
	bool dsse;
	/* messageSignature */
	bool have_digest;
	uint8_t digest[32];
	uint8_t *sig;     /* the one signature (messageSignature or DSSE's) */
	size_t siglen;
	/* dsseEnvelope */
	char *payload_type;
	uint8_t *payload;
	size_t payloadlen;
};

/* A trusted root (Sigstore trusted_root.json), reduced to what offline
 * verification uses (x509.c). */
struct bg_sig_root_ca {
	uint8_t **certs;
	size_t *certlens;
	size_t ncerts;
	int64_t start, end; /* validFor, seconds; end 0: open */
};
struct bg_sig_root_log {
	struct bg_sig_key *key;
	uint8_t log_id[32];
	int64_t start, end;
};
struct bg_sig_root {
	struct bg_sig_root_ca *ca;
	size_t nca;
	struct bg_sig_root_log *logs;
	size_t nlogs;
	size_t ntsa; /* timestampAuthorities: listed, not used (docs/signatures.md) */
};
int bg_sig_root_load(const char *path, struct bg_sig_root **r, struct bg_diag *d);
/* The same from bytes (the fuzz target's way in); origin names them. */
int bg_sig_root_parse(const char *buf, size_t len, const char *origin, struct bg_sig_root **r, struct bg_diag *d);
void bg_sig_root_free(struct bg_sig_root *r);

/* RFC 3339 UTC ("2026-01-02T03:04:05Z", fractions allowed) to seconds. */
bool bg_sig_parse_time(const char *s, int64_t *t);

/* tlog.c: checks one entry with the log key: it is about this signature
 * (sig, the file's digest, the verifier: leaf certificate or key), then
 * its promise and its proof.  *time_ok when a promise verified (the
 * entry's integratedTime is then the log's word). */
struct bg_sig_subject {
	const uint8_t *digest;   /* the file's SHA-256 */
	const uint8_t *sig;
	size_t siglen;
	const struct bg_sig_key *key; /* the key that verified */
	const uint8_t *cert;     /* the leaf certificate's DER, or NULL */
	size_t certlen;
	const struct bg_sig_bundle *b;
};
int bg_sig_tlog_check(const struct bg_sig_tlog_entry *e, const struct bg_sig_key *logkey,
		      const struct bg_sig_subject *s, const char *origin, bool *time_ok, bool *verified,
		      struct bg_diag *d);

/* The entry's checkpoint (a signed note) names its inclusion proof's tree
 * size and root hash and is signed by logkey; else *why says what not. */
bool bg_sig_checkpoint_ok(const struct bg_sig_tlog_entry *e, const struct bg_sig_key *logkey, const char **why);

/* x509.c: the leaf's chain to the root at time t, code signing, and the
 * identity; *leafkey the leaf's key (for the signature). */
int bg_sig_cert_key(const uint8_t *der, size_t len, const char *origin, struct bg_sig_key **k,
		    struct bg_diag *d);
int bg_sig_cert_check(const struct bg_sig_bundle *b, const struct bg_sig_root *r, int64_t t,
		      const char *identity, const char *issuer, char *san, size_t sanlen, struct bg_diag *d);

#endif

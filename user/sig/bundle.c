// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bundle.c - the Sigstore bundle reader: protobuf-JSON as
 * sigstore/protobuf-specs defines it (sigstore_bundle.proto: Bundle,
 * VerificationMaterial, MessageSignature; envelope.proto: the DSSE
 * Envelope; sigstore_rekor.proto: TransparencyLogEntry), media types
 * v0.1 to v0.3.
 *
 * Nothing here is verified; every field read is type-checked, bytes fields
 * are strict base64, int64 fields decimal (protobuf-JSON writes them as
 * strings; a number is accepted too), so the verifier (sig_request.c)
 * sees only well-formed values.  Fields we do not use are ignored, as
 * protobuf-JSON readers do.  The lowerCamelCase names are the ones read
 * (what protojson writes, and what cosign and sigstore-go emit).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "sig_int.h"

#define BUNDLE_MAX (32u << 20)
#define MAX_CERTS 10
#define MAX_TLOG 8
#define MAX_HASHES 64

struct rd {
	const char *origin;
	struct bg_diag *d;
};

static int bad(struct rd *r, const char *path, const char *fmt, const char *detail)
{
	char what[256];

	snprintf(what, sizeof(what), fmt, detail ? detail : "");
	bg_diag_at(r->d, r->origin, 0, "bundle field %s %s; the bundle is damaged or not a Sigstore bundle, get it again from the signer",
		   path, what);
	return BG_EXIT_SIG_MALFORMED;
}

static int nomem(struct rd *r)
{
	bg_diag_at(r->d, r->origin, 0, "out of memory reading the bundle");
	return BG_EXIT_FAIL;
}

/* o's member key of type t: *out, NULL if absent (an error if required). */
static int member(struct rd *r, struct json_object *o, const char *path, const char *key, json_type t, bool required,
		  struct json_object **out)
{
	char p[160];

	*out = NULL;
	snprintf(p, sizeof(p), "%s%s%s", path, path[0] ? "." : "", key);
	if (!json_object_object_get_ex(o, key, out) || json_object_is_type(*out, json_type_null)) {
		*out = NULL;
		return required ? bad(r, p, "is missing%s", NULL) : 0;
	}
	if (!json_object_is_type(*out, t)) {
		*out = NULL;
		return bad(r, p, "has the wrong type (expected %s)", json_type_to_name(t));
	}
	return 0;
}

/* A string member without NUL bytes: *s (json-c's), NULL if absent. */
static int str_member(struct rd *r, struct json_object *o, const char *path, const char *key, bool required,
		      const char **s, size_t *len)
{
	struct json_object *v;
	char p[160];
	int rc = member(r, o, path, key, json_type_string, required, &v);

	*s = NULL;
	if (rc || !v)
		return rc;
	*s = json_object_get_string(v);
	*len = (size_t)json_object_get_string_len(v);
	if (strlen(*s) != *len) {
		snprintf(p, sizeof(p), "%s.%s", path, key);
		return bad(r, p, "holds a NUL byte%s", NULL);
	}
	return 0;
}

/* A bytes member (base64): malloc'd. */
static int bytes_member(struct rd *r, struct json_object *o, const char *path, const char *key, bool required,
			uint8_t **out, size_t *outlen)
{
	const char *s;
	size_t n;
	char p[160];
	int rc = str_member(r, o, path, key, required, &s, &n);

	*out = NULL;
	*outlen = 0;
	if (rc || !s)
		return rc;
	rc = bg_sig_b64_decode(s, n, out, outlen);
	if (rc == -ENOMEM)
		return nomem(r);
	if (rc) {
		snprintf(p, sizeof(p), "%s.%s", path, key);
		return bad(r, p, "is not standard base64 with padding%s", NULL);
	}
	return 0;
}

/* A bytes member of exactly 32 bytes (a SHA-256, a log id). */
static int bytes32_member(struct rd *r, struct json_object *o, const char *path, const char *key, uint8_t out[32])
{
	uint8_t *v;
	size_t n;
	char p[160];
	int rc = bytes_member(r, o, path, key, true, &v, &n);

	if (rc)
		return rc;
	if (n != 32) {
		free(v);
		snprintf(p, sizeof(p), "%s.%s", path, key);
		return bad(r, p, "is not 32 bytes (a SHA-256)%s", NULL);
	}
	memcpy(out, v, 32);
	free(v);
	return 0;
}

/* An int64 member: a decimal string (protobuf-JSON) or a JSON integer,
 * not negative. */
static int int_member(struct rd *r, struct json_object *o, const char *path, const char *key, bool required,
		      int64_t *v)
{
	struct json_object *x;
	char p[160];

	*v = 0;
	snprintf(p, sizeof(p), "%s.%s", path, key);
	if (!json_object_object_get_ex(o, key, &x) || json_object_is_type(x, json_type_null))
		return required ? bad(r, p, "is missing%s", NULL) : 0;
	if (json_object_is_type(x, json_type_int)) {
		errno = 0;
		*v = json_object_get_int64(x);
		if (errno || *v < 0)
			return bad(r, p, "is not an integer from 0 to 2^63-1%s", NULL);
		return 0;
	}
	if (json_object_is_type(x, json_type_string)) {
		const char *s = json_object_get_string(x);
		size_t n = (size_t)json_object_get_string_len(x);
		uint64_t acc = 0;

		if (!n || n > 19 || (n > 1 && s[0] == '0'))
			return bad(r, p, "is not a decimal integer%s", NULL);
		for (size_t i = 0; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return bad(r, p, "is not a decimal integer%s", NULL);
			acc = acc * 10 + (uint64_t)(s[i] - '0');
		}
		if (acc > INT64_MAX)
			return bad(r, p, "is larger than 2^63-1%s", NULL);
		*v = (int64_t)acc;
		return 0;
	}
	return bad(r, p, "is not an integer%s", NULL);
}

/* ------------------------------------------------------------------------ */

static void entry_free(struct bg_sig_tlog_entry *e)
{
	free(e->body_b64);
	free(e->body);
	free(e->set);
	free(e->hashes);
	free(e->checkpoint);
}

void bg_sig_bundle_free(struct bg_sig_bundle *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->ncerts; i++)
		free(b->certs[i]);
	free(b->certs);
	free(b->certlens);
	for (size_t i = 0; i < b->ntlog; i++)
		entry_free(&b->tlog[i]);
	free(b->tlog);
	free(b->sig);
	free(b->payload_type);
	free(b->payload);
	free(b);
}

static int read_certs(struct rd *r, struct bg_sig_bundle *b, struct json_object *arr, const char *path)
{
	size_t n = json_object_array_length(arr);
	char p[96];

	if (!n)
		return bad(r, path, "is empty (no certificate)%s", NULL);
	if (n > MAX_CERTS)
		return bad(r, path, "lists more than 10 certificates%s", NULL);
	b->certs = calloc(n, sizeof(*b->certs));
	b->certlens = calloc(n, sizeof(*b->certlens));
	if (!b->certs || !b->certlens)
		return nomem(r);
	for (size_t i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(arr, i);
		int rc;

		snprintf(p, sizeof(p), "%s[%zu]", path, i);
		if (!json_object_is_type(c, json_type_object))
			return bad(r, p, "is not an object%s", NULL);
		rc = bytes_member(r, c, p, "rawBytes", true, &b->certs[i], &b->certlens[i]);
		b->ncerts = i + 1;
		if (rc)
			return rc;
		if (!b->certlens[i])
			return bad(r, p, "rawBytes is empty%s", NULL);
	}
	return 0;
}

static int read_entry(struct rd *r, struct bg_sig_tlog_entry *e, struct json_object *o, const char *path)
{
	struct json_object *x, *y;
	const char *s;
	size_t n;
	char p[160];
	int rc;

	if (!json_object_is_type(o, json_type_object))
		return bad(r, path, "is not an object%s", NULL);
	if ((rc = int_member(r, o, path, "logIndex", true, &e->log_index)))
		return rc;
	if ((rc = member(r, o, path, "logId", json_type_object, true, &x)))
		return rc;
	snprintf(p, sizeof(p), "%s.logId", path);
	if ((rc = bytes32_member(r, x, p, "keyId", e->log_id)))
		return rc;
	if ((rc = member(r, o, path, "kindVersion", json_type_object, true, &x)))
		return rc;
	snprintf(p, sizeof(p), "%s.kindVersion", path);
	if ((rc = str_member(r, x, p, "kind", true, &s, &n)))
		return rc;
	if (n >= sizeof(e->kind))
		return bad(r, p, "kind is too long%s", NULL);
	memcpy(e->kind, s, n + 1);
	if ((rc = str_member(r, x, p, "version", true, &s, &n)))
		return rc;
	if (n >= sizeof(e->version))
		return bad(r, p, "version is too long%s", NULL);
	memcpy(e->version, s, n + 1);
	if ((rc = int_member(r, o, path, "integratedTime", false, &e->integrated_time)))
		return rc;
	if ((rc = str_member(r, o, path, "canonicalizedBody", false, &s, &n)))
		return rc;
	if (s) {
		if (!(e->body_b64 = strdup(s)))
			return nomem(r);
		rc = bg_sig_b64_decode(s, n, &e->body, &e->bodylen);
		if (rc == -ENOMEM)
			return nomem(r);
		if (rc) {
			snprintf(p, sizeof(p), "%s.canonicalizedBody", path);
			return bad(r, p, "is not standard base64 with padding%s", NULL);
		}
	}
	if ((rc = member(r, o, path, "inclusionPromise", json_type_object, false, &x)))
		return rc;
	if (x) {
		snprintf(p, sizeof(p), "%s.inclusionPromise", path);
		if ((rc = bytes_member(r, x, p, "signedEntryTimestamp", true, &e->set, &e->setlen)))
			return rc;
		if (!e->setlen)
			return bad(r, p, "signedEntryTimestamp is empty%s", NULL);
	}
	if ((rc = member(r, o, path, "inclusionProof", json_type_object, false, &x)))
		return rc;
	if (x) {
		snprintf(p, sizeof(p), "%s.inclusionProof", path);
		e->have_proof = true;
		if ((rc = int_member(r, x, p, "logIndex", true, &e->proof_index)) ||
		    (rc = int_member(r, x, p, "treeSize", true, &e->tree_size)))
			return rc;
		if ((rc = bytes32_member(r, x, p, "rootHash", e->root)))
			return rc;
		if ((rc = member(r, x, p, "hashes", json_type_array, false, &y)))
			return rc;
		n = y ? json_object_array_length(y) : 0;
		if (n > MAX_HASHES)
			return bad(r, p, "hashes lists more than 64 hashes (a tree higher than 2^64)%s", NULL);
		if (n && !(e->hashes = calloc(n, 32)))
			return nomem(r);
		for (size_t i = 0; i < n; i++) {
			struct json_object *h = json_object_array_get_idx(y, i);
			uint8_t *hb;
			size_t hl;

			if (!json_object_is_type(h, json_type_string) ||
			    bg_sig_b64_decode(json_object_get_string(h), (size_t)json_object_get_string_len(h), &hb, &hl)) {
				return bad(r, p, "hashes has an entry that is not base64%s", NULL);
			}
			if (hl != 32) {
				free(hb);
				return bad(r, p, "hashes has an entry that is not 32 bytes%s", NULL);
			}
			memcpy(e->hashes[i], hb, 32);
			free(hb);
			e->nhashes = i + 1;
		}
		if ((rc = member(r, x, p, "checkpoint", json_type_object, false, &y)))
			return rc;
		if (y) {
			char cp[200];

			snprintf(cp, sizeof(cp), "%s.checkpoint", p);
			if ((rc = str_member(r, y, cp, "envelope", true, &s, &n)))
				return rc;
			if (!(e->checkpoint = strdup(s)))
				return nomem(r);
		}
	}
	return 0;
}

static int read_material(struct rd *r, struct bg_sig_bundle *b, struct json_object *m)
{
	static const char path[] = "verificationMaterial";
	struct json_object *pk, *chain, *cert, *x, *arr;
	int rc, nkind;

	if ((rc = member(r, m, path, "publicKey", json_type_object, false, &pk)) ||
	    (rc = member(r, m, path, "x509CertificateChain", json_type_object, false, &chain)) ||
	    (rc = member(r, m, path, "certificate", json_type_object, false, &cert)))
		return rc;
	nkind = !!pk + !!chain + !!cert;
	if (nkind != 1)
		return bad(r, path, nkind ? "holds more than one of publicKey, x509CertificateChain, certificate%s"
					  : "holds none of publicKey, x509CertificateChain, certificate%s",
			   NULL);
	if (cert && b->version < 3)
		return bad(r, "verificationMaterial.certificate", "is a v0.3 field in a v0.%s bundle",
			   b->version == 1 ? "1" : "2");
	if (pk) {
		const char *hint;
		size_t hl;

		/* the hint names the key for a key store; we are given the key */
		if ((rc = str_member(r, pk, "verificationMaterial.publicKey", "hint", false, &hint, &hl)))
			return rc;
		b->have_pubkey = true;
	} else if (chain) {
		if ((rc = member(r, chain, "verificationMaterial.x509CertificateChain", "certificates", json_type_array, true,
				 &arr)))
			return rc;
		if ((rc = read_certs(r, b, arr, "verificationMaterial.x509CertificateChain.certificates")))
			return rc;
	} else {
		struct json_object *one = json_object_new_array();

		if (!one)
			return nomem(r);
		json_object_array_add(one, json_object_get(cert));
		rc = read_certs(r, b, one, "verificationMaterial.certificate");
		json_object_put(one);
		if (rc)
			return rc;
	}
	if ((rc = member(r, m, path, "tlogEntries", json_type_array, false, &arr)))
		return rc;
	if (arr) {
		size_t n = json_object_array_length(arr);

		if (n > MAX_TLOG)
			return bad(r, "verificationMaterial.tlogEntries", "lists more than 8 entries%s", NULL);
		if (n && !(b->tlog = calloc(n, sizeof(*b->tlog))))
			return nomem(r);
		for (size_t i = 0; i < n; i++) {
			char p[64];

			snprintf(p, sizeof(p), "verificationMaterial.tlogEntries[%zu]", i);
			b->ntlog = i + 1;
			if ((rc = read_entry(r, &b->tlog[i], json_object_array_get_idx(arr, i), p)))
				return rc;
		}
	}
	if ((rc = member(r, m, path, "timestampVerificationData", json_type_object, false, &x)))
		return rc;
	if (x) {
		if ((rc = member(r, x, "verificationMaterial.timestampVerificationData", "rfc3161Timestamps",
				 json_type_array, false, &arr)))
			return rc;
		b->nrfc3161 = arr ? json_object_array_length(arr) : 0;
	}
	return 0;
}

static int read_message_signature(struct rd *r, struct bg_sig_bundle *b, struct json_object *ms)
{
	static const char path[] = "messageSignature";
	struct json_object *md;
	const char *alg;
	size_t n;
	int rc;

	if ((rc = member(r, ms, path, "messageDigest", json_type_object, false, &md)))
		return rc;
	if (md) {
		if ((rc = str_member(r, md, "messageSignature.messageDigest", "algorithm", true, &alg, &n)))
			return rc;
		if (strcmp(alg, "SHA2_256"))
			return bad(r, "messageSignature.messageDigest.algorithm", "is not SHA2_256 (the only digest cosign signs blobs with)%s",
				   NULL);
		if ((rc = bytes32_member(r, md, "messageSignature.messageDigest", "digest", b->digest)))
			return rc;
		b->have_digest = true;
	}
	if ((rc = bytes_member(r, ms, path, "signature", true, &b->sig, &b->siglen)))
		return rc;
	if (!b->siglen)
		return bad(r, "messageSignature.signature", "is empty%s", NULL);
	return 0;
}

static int read_dsse(struct rd *r, struct bg_sig_bundle *b, struct json_object *env)
{
	static const char path[] = "dsseEnvelope";
	struct json_object *sigs, *s0;
	const char *t;
	size_t n;
	int rc;

	b->dsse = true;
	if ((rc = bytes_member(r, env, path, "payload", true, &b->payload, &b->payloadlen)))
		return rc;
	if ((rc = str_member(r, env, path, "payloadType", true, &t, &n)))
		return rc;
	if (!(b->payload_type = strdup(t)))
		return nomem(r);
	if ((rc = member(r, env, path, "signatures", json_type_array, true, &sigs)))
		return rc;
	/* one signature: several would need a threshold policy we have no
	 * place to say (sigstore-go refuses them too) */
	if (json_object_array_length(sigs) != 1)
		return bad(r, "dsseEnvelope.signatures", "does not hold exactly one signature%s", NULL);
	s0 = json_object_array_get_idx(sigs, 0);
	if (!json_object_is_type(s0, json_type_object))
		return bad(r, "dsseEnvelope.signatures[0]", "is not an object%s", NULL);
	if ((rc = bytes_member(r, s0, "dsseEnvelope.signatures[0]", "sig", true, &b->sig, &b->siglen)))
		return rc;
	if (!b->siglen)
		return bad(r, "dsseEnvelope.signatures[0].sig", "is empty%s", NULL);
	return 0;
}

int bg_sig_bundle_parse(const char *buf, size_t len, const char *origin, struct bg_sig_bundle **out,
			struct bg_diag *d)
{
	struct rd r = { origin, d };
	struct bg_sig_bundle *b;
	struct json_object *root, *m, *ms, *env;
	const char *mt, *why;
	size_t n;
	int rc;

	*out = NULL;
	if (len > BUNDLE_MAX || len > INT32_MAX) {
		bg_diag_at(d, origin, 0, "bundle larger than %u MiB; give the .sigstore.json file", BUNDLE_MAX >> 20);
		return BG_EXIT_SIG_MALFORMED;
	}
	root = bg_sig_json_parse(buf, len, &why);
	if (!root) {
		bg_diag_at(d, origin, 0, "bundle is not JSON (%s); give the .sigstore.json file cosign wrote", why);
		return BG_EXIT_SIG_MALFORMED;
	}
	if (!json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		bg_diag_at(d, origin, 0, "bundle is not a JSON object; give the .sigstore.json file cosign wrote");
		return BG_EXIT_SIG_MALFORMED;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		json_object_put(root);
		return nomem(&r);
	}
	snprintf(b->origin, sizeof(b->origin), "%s", origin);
	/* cosign before v3 writes its own older format with --bundle unless
	 * asked for the Sigstore one: say so rather than "damaged" */
	if (!json_object_object_get_ex(root, "mediaType", NULL) &&
	    (json_object_object_get_ex(root, "base64Signature", NULL) ||
	     json_object_object_get_ex(root, "rekorBundle", NULL))) {
		bg_diag_at(d, origin, 0, "bundle is in cosign's legacy format (base64Signature, rekorBundle), not a Sigstore bundle; sign again with `cosign sign-blob --new-bundle-format --bundle` (the default from cosign v3)");
		rc = BG_EXIT_SIG_MALFORMED;
		goto out;
	}
	if ((rc = str_member(&r, root, "", "mediaType", true, &mt, &n)))
		goto out;
	if (!strcmp(mt, "application/vnd.dev.sigstore.bundle+json;version=0.1")) {
		b->version = 1;
	} else if (!strcmp(mt, "application/vnd.dev.sigstore.bundle+json;version=0.2")) {
		b->version = 2;
	} else if (!strcmp(mt, "application/vnd.dev.sigstore.bundle.v0.3+json") ||
		   !strcmp(mt, "application/vnd.dev.sigstore.bundle+json;version=0.3")) {
		b->version = 3;
	} else {
		char q[80];

		snprintf(q, sizeof(q), "%.60s", mt);
		bg_diag_at(d, origin, 0, "unknown bundle media type '%s'; bpfguard reads Sigstore bundles v0.1 to v0.3 (a newer cosign may need a newer bpfguard)",
			   q);
		rc = BG_EXIT_SIG_MALFORMED;
		goto out;
	}
	if ((rc = member(&r, root, "", "verificationMaterial", json_type_object, true, &m)) ||
	    (rc = read_material(&r, b, m)))
		goto out;
	if ((rc = member(&r, root, "", "messageSignature", json_type_object, false, &ms)) ||
	    (rc = member(&r, root, "", "dsseEnvelope", json_type_object, false, &env)))
		goto out;
	if (!!ms + !!env != 1) {
		rc = bad(&r, "messageSignature/dsseEnvelope", ms ? "are both present (the bundle holds one content)%s"
								  : "are both missing (nothing signed)%s",
			 NULL);
		goto out;
	}
	rc = ms ? read_message_signature(&r, b, ms) : read_dsse(&r, b, env);
	if (rc)
		goto out;
	*out = b;
	b = NULL;
out:
	bg_sig_bundle_free(b);
	json_object_put(root);
	return rc;
}

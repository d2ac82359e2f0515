// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tlog.c - a Rekor transparency-log entry checked offline with the log's
 * public key: that the entry is about THIS signature (its body names the
 * file's digest, the signature and the key or certificate; a genuine entry
 * of another artifact must not vouch for this one), then its inclusion
 * promise (the signed entry timestamp) and its inclusion proof (an RFC
 * 6962 Merkle path up to a root hash that a signed checkpoint names).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "sig_int.h"
#include "util.h"

static int tl_fail(struct bg_diag *d, const char *origin, int code, const char *fmt, const char *x)
{
	char m[512];

	snprintf(m, sizeof(m), fmt, x ? x : "");
	bg_diag_at(d, origin, 0, "%s", m);
	return code;
}

/* ------------------------------------------------------------------------ */
/* the entry's body */

static struct json_object *path_get(struct json_object *o, const char *const *keys, json_type t)
{
	for (; *keys; keys++) {
		if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, *keys, &o))
			return NULL;
	}
	return json_object_is_type(o, t) ? o : NULL;
}

static const char *path_str(struct json_object *o, const char *const *keys)
{
	struct json_object *v = path_get(o, keys, json_type_string);

	if (!v || strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v))
		return NULL;
	return json_object_get_string(v);
}

static bool b64_equals(const char *b64, const uint8_t *want, size_t wantlen)
{
	uint8_t *v;
	size_t n;
	bool eq;

	if (!b64 || bg_sig_b64_decode(b64, strlen(b64), &v, &n))
		return false;
	eq = n == wantlen && !memcmp(v, want, n);
	free(v);
	return eq;
}

/* The verifier the body names (base64 of a PEM PUBLIC KEY or CERTIFICATE)
 * is the one that verified: the same key, or the same leaf certificate. */
static bool verifier_equals(const char *b64pem, const struct bg_sig_subject *s)
{
	uint8_t *pem, *der = NULL;
	size_t pl, dl;
	char *label = NULL;
	bool eq = false;

	if (!b64pem || bg_sig_b64_decode(b64pem, strlen(b64pem), &pem, &pl))
		return false;
	if (bg_sig_pem_decode((const char *)pem, pl, NULL, &label, &der, &dl, NULL))
		goto out;
	if (!strcmp(label, "PUBLIC KEY")) {
		eq = dl == s->key->derlen && !memcmp(der, s->key->der, dl);
	} else if (!strcmp(label, "CERTIFICATE")) {
		if (s->cert) {
			eq = dl == s->certlen && !memcmp(der, s->cert, dl);
		} else {
			struct bg_sig_key *ck = NULL;

			/* a certificate bundle verified with --key: the entry's
			 * certificate must carry that key */
			if (!bg_sig_cert_key(der, dl, NULL, &ck, NULL))
				eq = ck->derlen == s->key->derlen && !memcmp(ck->der, s->key->der, ck->derlen);
			bg_sig_key_free(ck);
		}
	}
out:
	free(label);
	free(der);
	free(pem);
	return eq;
}

/* h is {"algorithm": "sha256", "value": HEX of want}: Rekor's hash form. */
static bool hash_is(struct json_object *h, const uint8_t want[32])
{
	static const char *const k_alg[] = { "algorithm", NULL }, *const k_val[] = { "value", NULL };
	const char *alg = path_str(h, k_alg), *hex = path_str(h, k_val);
	char w[65];

	bg_sha256_hex(want, w);
	return alg && hex && !strcmp(alg, "sha256") && !strcmp(hex, w);
}

/* A list of {SIGKEY: base64 signature, VERKEY: base64 PEM} names this
 * signature and verifier; twice: the signature is base64-encoded once
 * more (intoto v0.0.2 stores the envelope's base64 text). */
static bool sigs_name(struct json_object *sigs, const char *sigkey, const char *verkey, bool twice,
		      const struct bg_sig_subject *s)
{
	for (size_t i = 0; sigs && i < json_object_array_length(sigs); i++) {
		const char *const k_s[] = { sigkey, NULL }, *const k_v[] = { verkey, NULL };
		struct json_object *o = json_object_array_get_idx(sigs, i);
		const char *sb = path_str(o, k_s);
		uint8_t *inner = NULL;
		size_t il;
		bool eq;

		if (!sb || !verifier_equals(path_str(o, k_v), s))
			continue;
		if (twice) {
			if (bg_sig_b64_decode(sb, strlen(sb), &inner, &il))
				continue;
			if (strlen((const char *)inner) != il) {
				free(inner);
				continue;
			}
			sb = (const char *)inner;
		}
		eq = b64_equals(sb, s->sig, s->siglen);
		free(inner);
		if (eq)
			return true;
	}
	return false;
}

/* 0, or the reason the body is not about this signature. */
static const char *body_mismatch(const struct bg_sig_tlog_entry *e, const struct bg_sig_subject *s)
{
	static const char *const k_kind[] = { "kind", NULL }, *const k_api[] = { "apiVersion", NULL };
	struct json_object *body;
	const char *kind, *api, *why = NULL, *jwhy;
	uint8_t ph[32];

	if (!e->body)
		return "has no canonicalizedBody";
	body = bg_sig_json_parse(e->body, e->bodylen, &jwhy);
	if (!body)
		return "has a canonicalizedBody that is not JSON";
	kind = path_str(body, k_kind);
	api = path_str(body, k_api);
	if (!kind || !api || strcmp(kind, e->kind) || strcmp(api, e->version)) {
		why = "has a body whose kind or apiVersion is not its kindVersion's";
		goto out;
	}
	if (!strcmp(kind, "hashedrekord") && !strcmp(api, "0.0.1")) {
		static const char *const k_hash[] = { "spec", "data", "hash", NULL },
				  *const k_sig[] = { "spec", "signature", "content", NULL },
				  *const k_pk[] = { "spec", "signature", "publicKey", "content", NULL };

		if (s->b && s->b->dsse)
			why = "is a hashedrekord entry, but the bundle holds a DSSE envelope";
		else if (!hash_is(path_get(body, k_hash, json_type_object), s->digest))
			why = "names another file's digest (an entry of another artifact)";
		else if (!b64_equals(path_str(body, k_sig), s->sig, s->siglen))
			why = "names another signature";
		else if (!verifier_equals(path_str(body, k_pk), s))
			why = "names another key or certificate";
		goto out;
	}
	if (!s->b || !s->b->dsse) {
		why = "is a DSSE or in-toto entry, but the signature is not a DSSE envelope";
		goto out;
	}
	bg_sig_sha256(s->b->payload, s->b->payloadlen, ph);
	if (!strcmp(kind, "dsse") && !strcmp(api, "0.0.1")) {
		static const char *const k_hash[] = { "spec", "payloadHash", NULL },
				  *const k_sigs[] = { "spec", "signatures", NULL };

		if (!hash_is(path_get(body, k_hash, json_type_object), ph))
			why = "names another DSSE payload (an entry of another artifact)";
		else if (!sigs_name(path_get(body, k_sigs, json_type_array), "signature", "verifier", false, s))
			why = "names another signature or key";
		goto out;
	}
	if (!strcmp(kind, "intoto") && !strcmp(api, "0.0.2")) {
		static const char *const k_hash[] = { "spec", "content", "payloadHash", NULL },
				  *const k_sigs[] = { "spec", "content", "envelope", "signatures", NULL };

		if (!hash_is(path_get(body, k_hash, json_type_object), ph))
			why = "names another in-toto payload (an entry of another artifact)";
		else if (!sigs_name(path_get(body, k_sigs, json_type_array), "sig", "publicKey", true, s))
			why = "names another signature or key";
		goto out;
	}
	why = "is of a kind bpfguard cannot match to a signature (hashedrekord 0.0.1, dsse 0.0.1 and intoto 0.0.2 are read)";
out:
	json_object_put(body);
	return why;
}

/* ------------------------------------------------------------------------ */
/* the checkpoint: a signed note (golang.org/x/mod/sumdb/note's format) */

bool bg_sig_checkpoint_ok(const struct bg_sig_tlog_entry *e, const struct bg_sig_key *logkey, const char **why)
{
	const char *cp = e->checkpoint, *sep, *p, *nl;
	size_t bodylen, n;
	uint8_t hint[32];
	char size[24], *root_b64 = NULL;
	uint8_t *root = NULL;
	size_t rl;
	bool ok = false, signed_ok = false;

	if (!cp) {
		*why = "has an inclusion proof without a checkpoint (nothing signs its root hash)";
		return false;
	}
	sep = strstr(cp, "\n\n");
	if (!sep) {
		*why = "has a checkpoint that is not a signed note (no blank line before the signatures)";
		return false;
	}
	bodylen = (size_t)(sep - cp) + 1;
	/* line 1: the log's origin; line 2: the tree size; line 3: the root */
	nl = memchr(cp, '\n', bodylen);
	p = nl + 1;
	nl = memchr(p, '\n', bodylen - (size_t)(p - cp));
	if (!nl || (size_t)(nl - p) >= sizeof(size) || nl == p)
		goto malformed;
	snprintf(size, sizeof(size), "%lld", (long long)e->tree_size);
	if (strlen(size) != (size_t)(nl - p) || memcmp(size, p, (size_t)(nl - p))) {
		*why = "has a checkpoint for another tree size than its inclusion proof";
		return false;
	}
	p = nl + 1;
	nl = memchr(p, '\n', bodylen - (size_t)(p - cp));
	if (!nl)
		goto malformed;
	root_b64 = strndup(p, (size_t)(nl - p));
	if (!root_b64 || bg_sig_b64_decode(root_b64, strlen(root_b64), &root, &rl) || rl != 32) {
		free(root_b64);
		free(root);
		goto malformed;
	}
	ok = !memcmp(root, e->root, 32);
	free(root_b64);
	free(root);
	if (!ok) {
		*why = "has a checkpoint for another root hash than its inclusion proof";
		return false;
	}
	bg_sig_sha256(logkey->der, logkey->derlen, hint);
	/* signature lines: "\u2014 NAME BASE64(keyhint[4] || signature)" */
	for (p = sep + 2; *p; p = nl + 1) {
		const char *sp;
		uint8_t *sig;
		size_t sl;
		char *b64;

		nl = strchr(p, '\n');
		if (!nl)
			goto malformed;
		n = (size_t)(nl - p);
		if (n < 4 || memcmp(p, "\xe2\x80\x94 ", 4))
			goto malformed;
		sp = memrchr(p + 4, ' ', n - 4);
		if (!sp)
			goto malformed;
		b64 = strndup(sp + 1, (size_t)(nl - sp - 1));
		if (!b64)
			goto malformed;
		if (bg_sig_b64_decode(b64, strlen(b64), &sig, &sl)) {
			free(b64);
			goto malformed;
		}
		free(b64);
		if (sl > 4 && !memcmp(sig, hint, 4) &&
		    !bg_sig_verify(logkey, (const uint8_t *)cp, bodylen, sig + 4, sl - 4, NULL))
			signed_ok = true;
		free(sig);
	}
	if (!signed_ok)
		*why = "has a checkpoint not signed by the log key";
	return signed_ok;
malformed:
	*why = "has a checkpoint that is not a well-formed signed note";
	return false;
}

int bg_sig_tlog_check(const struct bg_sig_tlog_entry *e, const struct bg_sig_key *logkey,
		      const struct bg_sig_subject *s, const char *origin, bool *time_ok, bool *verified,
		      struct bg_diag *d)
{
	const char *why;
	char hex[65];
	uint8_t leaf[32];

	*time_ok = false;
	*verified = false;
	why = body_mismatch(e, s);
	if (why)
		return tl_fail(d, origin, BG_EXIT_SIG_TLOG,
			       "the transparency-log entry %s: it does not vouch for this signature; get the bundle made with this signature",
			       why);
	if (!e->set && !e->have_proof)
		return tl_fail(d, origin, BG_EXIT_SIG_OFFLINE,
			       "the transparency-log entry has neither an inclusion promise nor an inclusion proof, and checking it would need Rekor online%s; supply a bundle with inclusionPromise or inclusionProof (cosign sign-blob --bundle writes them)",
			       NULL);
	if (e->set) {
		char *payload;
		int rc;

		bg_sha256_hex(e->log_id, hex);
		payload = e->body_b64 ? bg_sig_set_payload(e->body_b64, e->integrated_time, hex, e->log_index) : NULL;
		if (!payload) {
			bg_diag_at(d, origin, 0, "out of memory");
			return BG_EXIT_FAIL;
		}
		rc = bg_sig_verify(logkey, (const uint8_t *)payload, strlen(payload), e->set, e->setlen, NULL);
		free(payload);
		if (rc)
			return tl_fail(d, origin, BG_EXIT_SIG_TLOG,
				       "the transparency-log entry's signed entry timestamp does not verify with the log key%s: the entry, its time or index were changed, or another log signed it; get the bundle again, or check --tlog-key / the trusted root",
				       NULL);
		*time_ok = true;
		*verified = true;
	}
	if (e->have_proof) {
		bg_sig_merkle_leaf(e->body, e->bodylen, leaf);
		if (!bg_sig_merkle_verify((uint64_t)e->proof_index, (uint64_t)e->tree_size, leaf,
					  (const uint8_t(*)[32])e->hashes, e->nhashes, e->root))
			return tl_fail(d, origin, BG_EXIT_SIG_TLOG,
				       "the transparency-log entry's inclusion proof does not lead to its root hash%s: the entry or the proof was changed; get the bundle again",
				       NULL);
		if (!bg_sig_checkpoint_ok(e, logkey, &why))
			return tl_fail(d, origin, BG_EXIT_SIG_TLOG,
				       "the transparency-log entry %s; get the bundle again, or check --tlog-key / the trusted root",
				       why);
		*verified = true;
	}
	return 0;
}

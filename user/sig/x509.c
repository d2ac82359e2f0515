// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * x509.c - keyless (Fulcio) signatures: the trusted root a user gives
 * (Sigstore's trusted_root.json), the certificate chain checked against it
 * at the log's time, and the identity the certificate names (SAN, OIDC
 * issuer extension) compared with what the user asked for.
 *
 * The chain is libcrypto's X509_verify_cert; the extensions are read with
 * our DER reader (sig_util.c), so what the identity is made of is ours to
 * bound-check.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>

#include "sig_int.h"
#include "util.h"

#define ROOT_MAX (8u << 20)

int bg_sig_cert_key(const uint8_t *der, size_t len, const char *origin, struct bg_sig_key **k, struct bg_diag *d)
{
	const unsigned char *p = der;
	unsigned char *spki = NULL;
	X509 *x;
	int n, rc;

	*k = NULL;
	x = len <= INT32_MAX ? d2i_X509(NULL, &p, (long)len) : NULL;
	if (!x || p != der + len) {
		if (x)
			X509_free(x);
		ERR_clear_error();
		bg_diag_at(d, origin, 0, "the certificate is not DER X.509; the bundle is damaged, get it again");
		return BG_EXIT_SIG_MALFORMED;
	}
	n = i2d_PUBKEY(X509_get0_pubkey(x), &spki);
	ERR_clear_error();
	X509_free(x);
	if (n <= 0) {
		bg_diag_at(d, origin, 0, "the certificate's public key cannot be read; the bundle is damaged, get it again");
		return BG_EXIT_SIG_MALFORMED;
	}
	rc = bg_sig_key_from_der(spki, (size_t)n, origin, "the certificate's key", k, d);
	OPENSSL_free(spki);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* trusted_root.json */

void bg_sig_root_free(struct bg_sig_root *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nca; i++) {
		for (size_t j = 0; j < r->ca[i].ncerts; j++)
			free(r->ca[i].certs[j]);
		free(r->ca[i].certs);
		free(r->ca[i].certlens);
	}
	free(r->ca);
	for (size_t i = 0; i < r->nlogs; i++)
		bg_sig_key_free(r->logs[i].key);
	free(r->logs);
	free(r);
}

static int root_bad(struct bg_diag *d, const char *path, const char *what)
{
	bg_diag_at(d, path, 0, "trusted root %s; give Sigstore's trusted_root.json (from `cosign trusted-root create` or the TUF repository)",
		   what);
	return BG_EXIT_SIG_MALFORMED;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string) ||
	    strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v))
		return NULL;
	return json_object_get_string(v);
}

static bool jb64(struct json_object *o, const char *key, uint8_t **out, size_t *n)
{
	const char *s = jstr(o, key);

	*out = NULL;
	return s && !bg_sig_b64_decode(s, strlen(s), out, n) && *n;
}

/* validFor {start, end}: start required, end optional. */
static bool valid_for(struct json_object *o, int64_t *start, int64_t *end)
{
	struct json_object *v;
	const char *s;

	*start = 0;
	*end = 0;
	if (!json_object_object_get_ex(o, "validFor", &v) || !json_object_is_type(v, json_type_object))
		return false;
	s = jstr(v, "start");
	if (!s || !bg_sig_parse_time(s, start))
		return false;
	if (json_object_object_get_ex(v, "end", NULL)) {
		s = jstr(v, "end");
		if (!s || !bg_sig_parse_time(s, end))
			return false;
	}
	return true;
}

int bg_sig_root_load(const char *path, struct bg_sig_root **out, struct bg_diag *d)
{
	char *buf;
	size_t n;
	int rc;

	*out = NULL;
	rc = bg_sig_read_input(path, ROOT_MAX, "trusted root", &buf, &n, d);
	if (rc)
		return rc;
	rc = bg_sig_root_parse(buf, n, path, out, d);
	free(buf);
	return rc;
}

int bg_sig_root_parse(const char *buf, size_t len, const char *path, struct bg_sig_root **out, struct bg_diag *d)
{
	struct bg_sig_root *r;
	struct json_object *root, *cas, *logs, *tsas;
	const char *why;
	int rc;

	*out = NULL;
	root = bg_sig_json_parse(buf, len, &why);
	if (!root)
		return root_bad(d, path, why && !strcmp(why, "truncated") ? "is not JSON (truncated)" : "is not JSON");
	if (!json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return root_bad(d, path, "is not a JSON object");
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		json_object_put(root);
		bg_diag_at(d, path, 0, "out of memory");
		return BG_EXIT_FAIL;
	}
	rc = BG_EXIT_SIG_MALFORMED;
	if (!jstr(root, "mediaType") || strncmp(jstr(root, "mediaType"), "application/vnd.dev.sigstore.trustedroot", 40)) {
		root_bad(d, path, "has no mediaType application/vnd.dev.sigstore.trustedroot...");
		goto out;
	}
	if (json_object_object_get_ex(root, "certificateAuthorities", &cas)) {
		if (!json_object_is_type(cas, json_type_array) || json_object_array_length(cas) > 64) {
			root_bad(d, path, "certificateAuthorities is not a list (of at most 64)");
			goto out;
		}
		r->ca = calloc(json_object_array_length(cas) + 1, sizeof(*r->ca));
		if (!r->ca)
			goto nomem;
		for (size_t i = 0; i < json_object_array_length(cas); i++) {
			struct json_object *ca = json_object_array_get_idx(cas, i), *chain, *certs;
			struct bg_sig_root_ca *c = &r->ca[i];
			size_t nc;

			r->nca = i + 1;
			if (!json_object_is_type(ca, json_type_object) || !json_object_object_get_ex(ca, "certChain", &chain) ||
			    !json_object_object_get_ex(chain, "certificates", &certs) ||
			    !json_object_is_type(certs, json_type_array) || !(nc = json_object_array_length(certs)) ||
			    nc > 10 || !valid_for(ca, &c->start, &c->end)) {
				root_bad(d, path, "has a certificate authority without certChain.certificates (1 to 10) or validFor.start");
				goto out;
			}
			c->certs = calloc(nc, sizeof(*c->certs));
			c->certlens = calloc(nc, sizeof(*c->certlens));
			if (!c->certs || !c->certlens)
				goto nomem;
			for (size_t j = 0; j < nc; j++) {
				struct json_object *cj = json_object_array_get_idx(certs, j);

				c->ncerts = j + 1;
				if (!json_object_is_type(cj, json_type_object) ||
				    !jb64(cj, "rawBytes", &c->certs[j], &c->certlens[j])) {
					root_bad(d, path, "has a certificate whose rawBytes is not base64");
					goto out;
				}
			}
		}
	}
	if (json_object_object_get_ex(root, "tlogs", &logs)) {
		if (!json_object_is_type(logs, json_type_array) || json_object_array_length(logs) > 64) {
			root_bad(d, path, "tlogs is not a list (of at most 64)");
			goto out;
		}
		r->logs = calloc(json_object_array_length(logs) + 1, sizeof(*r->logs));
		if (!r->logs)
			goto nomem;
		for (size_t i = 0; i < json_object_array_length(logs); i++) {
			struct json_object *l = json_object_array_get_idx(logs, i), *pk, *lid;
			struct bg_sig_root_log *g = &r->logs[i];
			uint8_t *der = NULL, *id = NULL;
			size_t dl, il;

			if (!json_object_is_type(l, json_type_object) || !json_object_object_get_ex(l, "publicKey", &pk) ||
			    !json_object_is_type(pk, json_type_object) || !jb64(pk, "rawBytes", &der, &dl) ||
			    !valid_for(pk, &g->start, &g->end) || !json_object_object_get_ex(l, "logId", &lid) ||
			    !jb64(lid, "keyId", &id, &il) || il != 32) {
				free(der);
				free(id);
				root_bad(d, path, "has a tlog without publicKey.rawBytes, publicKey.validFor.start or a 32-byte logId.keyId");
				goto out;
			}
			memcpy(g->log_id, id, 32);
			free(id);
			rc = bg_sig_key_from_der(der, dl, path, "a tlog's publicKey", &g->key, d);
			free(der);
			if (rc)
				goto out;
			rc = BG_EXIT_SIG_MALFORMED;
			r->nlogs = i + 1;
		}
	}
	if (json_object_object_get_ex(root, "timestampAuthorities", &tsas) && json_object_is_type(tsas, json_type_array))
		r->ntsa = json_object_array_length(tsas);
	*out = r;
	r = NULL;
	rc = 0;
	goto out;
nomem:
	bg_diag_at(d, path, 0, "out of memory");
	rc = BG_EXIT_FAIL;
out:
	bg_sig_root_free(r);
	json_object_put(root);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* identity */

/* The SANs: rfc822Name [1] and uniformResourceIdentifier [6] (IA5String,
 * implicit); true when one equals want.  *first gets the first for the
 * message. */
static bool san_matches(X509 *x, const char *want, char *first, size_t flen)
{
	int i = X509_get_ext_by_NID(x, NID_subject_alt_name, -1);
	const ASN1_OCTET_STRING *os;
	struct bg_der in, seq, v;
	uint8_t tag;
	bool found = false;

	if (i < 0)
		return false;
	os = X509_EXTENSION_get_data(X509_get_ext(x, i));
	in.p = ASN1_STRING_get0_data(os);
	in.n = (size_t)ASN1_STRING_length(os);
	if (!bg_der_next(&in, &tag, &seq) || tag != 0x30 || in.n)
		return false;
	while (seq.n) {
		if (!bg_der_next(&seq, &tag, &v))
			return false;
		if (tag != 0x81 && tag != 0x86)
			continue;
		if (memchr(v.p, 0, v.n))
			continue;
		if (!first[0])
			snprintf(first, flen, "%.*s", (int)(v.n > 200 ? 200 : v.n), (const char *)v.p);
		if (strlen(want) == v.n && !memcmp(want, v.p, v.n))
			found = true;
	}
	return found;
}

/* The OIDC issuer: 1.3.6.1.4.1.57264.1.8 (a DER UTF8String) or the older
 * 1.3.6.1.4.1.57264.1.1 (the raw string), in out. */
static bool fulcio_issuer(X509 *x, char *out, size_t olen)
{
	static const char *const oids[] = { "1.3.6.1.4.1.57264.1.8", "1.3.6.1.4.1.57264.1.1" };

	for (int k = 0; k < 2; k++) {
		ASN1_OBJECT *obj = OBJ_txt2obj(oids[k], 1);
		const ASN1_OCTET_STRING *os;
		struct bg_der in, v;
		uint8_t tag;
		int i;

		if (!obj)
			continue;
		i = X509_get_ext_by_OBJ(x, obj, -1);
		ASN1_OBJECT_free(obj);
		if (i < 0)
			continue;
		os = X509_EXTENSION_get_data(X509_get_ext(x, i));
		in.p = ASN1_STRING_get0_data(os);
		in.n = (size_t)ASN1_STRING_length(os);
		if (k == 0) {
			if (!bg_der_next(&in, &tag, &v) || tag != 0x0c || in.n)
				return false;
		} else {
			v = in;
		}
		if (!v.n || v.n >= olen || memchr(v.p, 0, v.n))
			return false;
		memcpy(out, v.p, v.n);
		out[v.n] = 0;
		return true;
	}
	return false;
}

static X509 *der_x509(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x = len <= INT32_MAX ? d2i_X509(NULL, &p, (long)len) : NULL;

	if (x && p != der + len) {
		X509_free(x);
		x = NULL;
	}
	return x;
}

int bg_sig_cert_check(const struct bg_sig_bundle *b, const struct bg_sig_root *r, int64_t t, const char *identity,
		      const char *issuer, char *san, size_t sanlen, struct bg_diag *d)
{
	X509 *leaf = NULL;
	X509_STORE *store = NULL;
	X509_STORE_CTX *ctx = NULL;
	OPENSSL_STACK *untrusted = NULL;
	X509 *tmp[16];
	size_t ntmp = 0;
	char iss[512] = "", when[40];
	int rc = BG_EXIT_SIG_IDENTITY, err = 0;
	bool any_ca = false;

	san[0] = 0;
	{
		time_t tt = (time_t)t;
		struct tm tm;

		if (!gmtime_r(&tt, &tm) || !strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm))
			snprintf(when, sizeof(when), "%lld", (long long)t);
	}
	leaf = der_x509(b->certs[0], b->certlens[0]);
	store = X509_STORE_new();
	ctx = X509_STORE_CTX_new();
	untrusted = OPENSSL_sk_new_null();
	if (!leaf || !store || !ctx || !untrusted) {
		bg_diag_at(d, b->origin, 0, leaf ? "out of memory" : "the certificate is not DER X.509; the bundle is damaged, get it again");
		rc = leaf ? BG_EXIT_FAIL : BG_EXIT_SIG_MALFORMED;
		goto out;
	}
	/* the authorities valid at the log's time are the anchors */
	for (size_t i = 0; i < r->nca; i++) {
		const struct bg_sig_root_ca *c = &r->ca[i];

		if (t < c->start || (c->end && t > c->end))
			continue;
		for (size_t j = 0; j < c->ncerts && ntmp < 16; j++) {
			X509 *x = der_x509(c->certs[j], c->certlens[j]);

			if (!x) {
				bg_diag_at(d, b->origin, 0, "a certificate of the trusted root is not DER X.509; get the trusted root again");
				rc = BG_EXIT_SIG_MALFORMED;
				goto out;
			}
			tmp[ntmp++] = x;
			X509_STORE_add_cert(store, x);
			any_ca = true;
		}
	}
	ERR_clear_error();
	if (!any_ca) {
		bg_diag_at(d, b->origin, 0, "no certificate authority of the trusted root was valid at the log's time %s; the certificate is not from this root (use the trusted root of the Sigstore instance that signed)",
			   when);
		goto out;
	}
	for (size_t i = 1; i < b->ncerts && ntmp < 16; i++) {
		X509 *x = der_x509(b->certs[i], b->certlens[i]);

		if (!x) {
			bg_diag_at(d, b->origin, 0, "a certificate of the bundle's chain is not DER X.509; get the bundle again");
			rc = BG_EXIT_SIG_MALFORMED;
			goto out;
		}
		tmp[ntmp++] = x;
		OPENSSL_sk_push(untrusted, x);
	}
	if (!X509_STORE_CTX_init(ctx, store, leaf, (STACK_OF(X509) *)untrusted)) {
		ERR_clear_error();
		bg_diag_at(d, b->origin, 0, "out of memory");
		rc = BG_EXIT_FAIL;
		goto out;
	}
	/* a Fulcio certificate lives ten minutes: it is checked at the time
	 * the log recorded the signature, not now */
	X509_STORE_CTX_set_time(ctx, 0, (time_t)t);
	if (X509_verify_cert(ctx) != 1) {
		err = X509_STORE_CTX_get_error(ctx);
		ERR_clear_error();
		bg_diag_at(d, b->origin, 0, "the certificate does not chain to the trusted root at the log's time %s (%s); it was not issued by this Sigstore instance, or was not valid when logged: use the right --trusted-root",
			   when, X509_verify_cert_error_string(err));
		goto out;
	}
	if (!(X509_get_extended_key_usage(leaf) & XKU_CODE_SIGN) || X509_get_extended_key_usage(leaf) == UINT32_MAX) {
		bg_diag_at(d, b->origin, 0, "the certificate is not for code signing (no codeSigning extended key usage); it was not made by Fulcio for signing");
		goto out;
	}
	if (!san_matches(leaf, identity, san, sanlen)) {
		bg_diag_at(d, b->origin, 0, "the certificate names the identity '%s', not '%s'; someone else signed, or give the signer's --certificate-identity",
			   san[0] ? san : "(none)", identity);
		goto out;
	}
	snprintf(san, sanlen, "%s", identity);
	if (!fulcio_issuer(leaf, iss, sizeof(iss))) {
		bg_diag_at(d, b->origin, 0, "the certificate has no OIDC issuer extension (1.3.6.1.4.1.57264.1.8 or .1.1); it is not a Fulcio certificate");
		goto out;
	}
	if (strcmp(iss, issuer)) {
		bg_diag_at(d, b->origin, 0, "the certificate's OIDC issuer is '%.200s', not '%s'; the identity was vouched for by another issuer, or give the right --certificate-oidc-issuer",
			   iss, issuer);
		goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < ntmp; i++)
		X509_free(tmp[i]);
	if (untrusted)
		OPENSSL_sk_free(untrusted);
	if (ctx)
		X509_STORE_CTX_free(ctx);
	if (store)
		X509_STORE_free(store);
	if (leaf)
		X509_free(leaf);
	return rc;
}

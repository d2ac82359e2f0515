// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sig_request.c - bg_sig_verify_request: everything `verify-blob` does,
 * in the order that gives each failure its own exit code: inputs read
 * (usage, malformed), the content bound to the file (digest), the
 * signature (mismatch), the transparency-log entry (tlog, offline), the
 * certificate's chain and identity (identity).  docs/signatures.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "sig_int.h"
#include "util.h"

#define BUNDLE_FILE_MAX (32u << 20)

static int usage(struct bg_diag *d, const char *what)
{
	bg_diag_set(d, "%s", what);
	return BG_EXIT_USAGE;
}

/* The in-toto statement of a DSSE payload names the file: a subject whose
 * digest.sha256 is the file's SHA-256. */
static int statement_names(const struct bg_sig_bundle *b, const uint8_t digest[32], struct bg_diag *d)
{
	struct json_object *st, *subj;
	const char *why;
	char want[65];
	int rc = BG_EXIT_SIG_DIGEST;

	if (strcmp(b->payload_type, "application/vnd.in-toto+json")) {
		bg_diag_at(d, b->origin, 0, "the DSSE payload is of type '%.80s', not an in-toto statement (application/vnd.in-toto+json), so it names no file; give a bundle of `cosign attest-blob` or `sign-blob`",
			   b->payload_type);
		return BG_EXIT_SIG_MALFORMED;
	}
	st = bg_sig_json_parse(b->payload, b->payloadlen, &why);
	if (!st || !json_object_object_get_ex(st, "subject", &subj) || !json_object_is_type(subj, json_type_array)) {
		json_object_put(st);
		bg_diag_at(d, b->origin, 0, "the DSSE payload is not an in-toto statement with a subject list; the signer signed something else");
		return BG_EXIT_SIG_MALFORMED;
	}
	bg_sha256_hex(digest, want);
	for (size_t i = 0; i < json_object_array_length(subj); i++) {
		struct json_object *s = json_object_array_get_idx(subj, i), *dg, *h;

		if (json_object_object_get_ex(s, "digest", &dg) && json_object_object_get_ex(dg, "sha256", &h) &&
		    json_object_is_type(h, json_type_string) && !strcmp(json_object_get_string(h), want) &&
		    (size_t)json_object_get_string_len(h) == 64) {
			rc = 0;
			break;
		}
	}
	json_object_put(st);
	if (rc)
		bg_diag_at(d, b->origin, 0, "the signed in-toto statement names no subject with this file's sha256 %s: the file changed, or the statement is about another file",
			   want);
	return rc;
}

/* The log key for entry e: --tlog-key, or the trusted root's log of the
 * entry's logId.  NULL and 0: no key to check it with; NULL and a code:
 * the entry is from another log than the one given. */
static int log_key(const struct bg_sig_tlog_entry *e, const struct bg_sig_key *given, const struct bg_sig_root *root,
		   const char *origin, const struct bg_sig_key **k, struct bg_diag *d)
{
	uint8_t id[32];

	*k = NULL;
	if (given) {
		bg_sig_sha256(given->der, given->derlen, id);
		if (memcmp(id, e->log_id, 32)) {
			bg_diag_at(d, origin, 0, "the transparency-log entry is from another log than --tlog-key (its logId is not the key's SHA-256); give that log's public key");
			return BG_EXIT_SIG_TLOG;
		}
		*k = given;
		return 0;
	}
	for (size_t i = 0; root && i < root->nlogs; i++) {
		if (memcmp(root->logs[i].log_id, e->log_id, 32))
			continue;
		bg_sig_sha256(root->logs[i].key->der, root->logs[i].key->derlen, id);
		if (memcmp(id, e->log_id, 32)) {
			bg_diag_at(d, origin, 0, "the trusted root's log of this entry has a logId that is not its key's SHA-256; get the trusted root again");
			return BG_EXIT_SIG_MALFORMED;
		}
		if (e->integrated_time < root->logs[i].start || (root->logs[i].end && e->integrated_time > root->logs[i].end)) {
			bg_diag_at(d, origin, 0, "the transparency-log entry's time is outside its log key's validFor in the trusted root; the entry was not made while the key was in use, get the bundle again");
			return BG_EXIT_SIG_TLOG;
		}
		*k = root->logs[i].key;
		return 0;
	}
	if (root) {
		bg_diag_at(d, origin, 0, "the transparency-log entry is from a log the trusted root does not list; use the trusted root of the Sigstore instance that signed");
		return BG_EXIT_SIG_TLOG;
	}
	return 0;
}

static int verify_bundle(const struct bg_sig_request *rq, int fd, struct bg_sig_key *key, struct bg_sig_key *tkey,
			 struct bg_sig_root *root, struct bg_sig_result *res, struct bg_diag *d)
{
	struct bg_sig_bundle *b = NULL;
	struct bg_sig_key *certkey = NULL;
	const struct bg_sig_key *vk;
	uint8_t *whole = NULL, *pae = NULL;
	size_t wlen = 0, plen;
	char *buf = NULL;
	size_t n, unchecked = 0;
	bool keyless, have_time = false;
	int64_t when = 0;
	int rc;

	rc = bg_sig_read_input(rq->bundle, BUNDLE_FILE_MAX, "bundle", &buf, &n, d);
	if (rc)
		return rc;
	rc = bg_sig_bundle_parse(buf, n, rq->bundle, &b, d);
	free(buf);
	if (rc)
		return rc;
	res->bundle = true;
	keyless = b->ncerts && !key;
	if (b->have_pubkey && !key) {
		rc = usage(d, "the bundle was signed with a key (verificationMaterial.publicKey); give that key with --key");
		goto out;
	}
	if (keyless && !root) {
		bg_diag_at(d, rq->bundle, 0, "the bundle is keyless (a Fulcio certificate), and checking its chain would need Sigstore's trusted root from the network; supply it with --trusted-root trusted_root.json (and --certificate-identity, --certificate-oidc-issuer), or verify with --key");
		rc = BG_EXIT_SIG_OFFLINE;
		goto out;
	}
	if (keyless && (!rq->identity || !rq->issuer)) {
		rc = usage(d, "a keyless bundle is verified for an identity: give --certificate-identity and --certificate-oidc-issuer (who must have signed)");
		goto out;
	}
	if (keyless) {
		rc = bg_sig_cert_key(b->certs[0], b->certlens[0], rq->bundle, &certkey, d);
		if (rc)
			goto out;
	}
	vk = key ? key : certkey;
	rc = bg_sig_hash_fd(fd, vk->kind == BG_SIG_ED25519 && !b->dsse, res->sha256, &whole, &wlen, d);
	if (rc)
		goto out;
	if (!b->dsse) {
		if (b->have_digest && memcmp(b->digest, res->sha256, 32)) {
			char h[65];

			bg_sha256_hex(b->digest, h);
			bg_diag_at(d, rq->bundle, 0, "the bundle signs the digest sha256:%s, not this file's: the file changed, or the bundle is another file's",
				   h);
			rc = BG_EXIT_SIG_DIGEST;
			goto out;
		}
		rc = bg_sig_verify_prehashed(vk, res->sha256, whole, wlen, b->sig, b->siglen, d);
	} else {
		uint8_t h[32];

		pae = bg_sig_dsse_pae(b->payload_type, b->payload, b->payloadlen, &plen);
		if (!pae) {
			rc = BG_EXIT_FAIL;
			bg_diag_set(d, "out of memory");
			goto out;
		}
		bg_sig_sha256(pae, plen, h);
		rc = bg_sig_verify_prehashed(vk, h, pae, plen, b->sig, b->siglen, d);
		if (!rc)
			rc = statement_names(b, res->sha256, d);
	}
	if (rc)
		goto out;

	for (size_t i = 0; i < b->ntlog; i++) {
		const struct bg_sig_tlog_entry *e = &b->tlog[i];
		const struct bg_sig_key *lk;
		struct bg_sig_subject s = { res->sha256, b->sig, b->siglen, vk, keyless ? b->certs[0] : NULL,
					    keyless ? b->certlens[0] : 0, b };
		bool time_ok, ok;

		rc = log_key(e, tkey, root, rq->bundle, &lk, d);
		if (rc)
			goto out;
		if (!lk) {
			unchecked++;
			continue;
		}
		rc = bg_sig_tlog_check(e, lk, &s, rq->bundle, &time_ok, &ok, d);
		if (rc)
			goto out;
		if (ok)
			res->tlog_verified = true;
		if (time_ok && !have_time) {
			have_time = true;
			when = e->integrated_time;
		}
	}
	if ((rq->require_tlog || keyless) && !res->tlog_verified) {
		if (unchecked)
			bg_diag_at(d, rq->bundle, 0, "the transparency-log entry cannot be checked without the log's public key; give --tlog-key (Rekor's public key) or --trusted-root");
		else if (!b->ntlog && keyless && b->nrfc3161)
			goto rfc3161;
		else
			bg_diag_at(d, rq->bundle, 0, "the bundle has no transparency-log entry%s; sign with the log (cosign sign-blob --bundle, without --tlog-upload=false)",
				   keyless ? ", and a keyless signature needs the log's time to check its short-lived certificate" : "");
		rc = BG_EXIT_SIG_TLOG;
		goto out;
	}
	if (keyless) {
		if (!have_time) {
			if (b->nrfc3161)
				goto rfc3161;
			bg_diag_at(d, rq->bundle, 0, "no verified log time (the entry has an inclusion proof but no signed entry timestamp), and the certificate lives ten minutes; supply a bundle whose entry has its inclusionPromise");
			rc = BG_EXIT_SIG_TLOG;
			goto out;
		}
		res->integrated_time = (uint64_t)when;
		rc = bg_sig_cert_check(b, root, when, rq->identity, rq->issuer, res->signer, sizeof(res->signer), d);
		if (rc)
			goto out;
		snprintf(res->signer, sizeof(res->signer), "%.300s (%.190s)", rq->identity, rq->issuer);
	} else {
		if (have_time)
			res->integrated_time = (uint64_t)when;
		snprintf(res->signer, sizeof(res->signer), "key %s", vk->id);
	}
	snprintf(res->key_id, sizeof(res->key_id), "%s", vk->id);
	rc = 0;
	goto out;
rfc3161:
	bg_diag_at(d, rq->bundle, 0, "the certificate's time would come from an RFC 3161 timestamp, which bpfguard does not verify (its authority's chain is not checked offline); supply a bundle with a transparency-log entry with its inclusionPromise");
	rc = BG_EXIT_SIG_OFFLINE;
out:
	free(pae);
	free(whole);
	bg_sig_key_free(certkey);
	bg_sig_bundle_free(b);
	return rc;
}

static int verify_request(const struct bg_sig_request *rq, int fd, struct bg_sig_result *res, struct bg_diag *d)
{
	struct bg_sig_key *key = NULL, *tkey = NULL;
	struct bg_sig_root *root = NULL;
	uint8_t *sig = NULL, *whole = NULL;
	size_t siglen, wlen;
	int rc;

	memset(res, 0, sizeof(*res));
	if (!rq->bundle && !(rq->key && rq->signature))
		return usage(d, "nothing to verify with: give --key KEY.pub --signature FILE.sig, or --bundle FILE.sigstore.json");
	if (rq->key && (rq->identity || rq->issuer))
		return usage(d, "--certificate-identity and --certificate-oidc-issuer name a keyless signer, and --key was given: the key alone is trusted; give one or the other");
	if (rq->bundle && rq->signature)
		return usage(d, "--signature and --bundle both given: the bundle holds the signature; give one");
	if (rq->key && (rc = bg_sig_key_load(rq->key, &key, d)))
		goto out;
	if (rq->tlog_key && (rc = bg_sig_key_load(rq->tlog_key, &tkey, d)))
		goto out;
	if (rq->trusted_root && (rc = bg_sig_root_load(rq->trusted_root, &root, d)))
		goto out;
	if (rq->bundle) {
		rc = verify_bundle(rq, fd, key, tkey, root, res, d);
		goto out;
	}
	if (rq->require_tlog) {
		rc = BG_EXIT_SIG_TLOG;
		bg_diag_set(d, "a .sig file carries no transparency-log entry, and --require-tlog asks for one; verify a bundle (--bundle) instead");
		goto out;
	}
	rc = bg_sig_read_sigfile(rq->signature, &sig, &siglen, d);
	if (rc)
		goto out;
	rc = bg_sig_hash_fd(fd, key->kind == BG_SIG_ED25519, res->sha256, &whole, &wlen, d);
	if (rc)
		goto out;
	rc = bg_sig_verify_prehashed(key, res->sha256, whole, wlen, sig, siglen, d);
	if (rc)
		goto out;
	snprintf(res->signer, sizeof(res->signer), "key %s", key->id);
	snprintf(res->key_id, sizeof(res->key_id), "%s", key->id);
out:
	free(sig);
	free(whole);
	bg_sig_key_free(key);
	bg_sig_key_free(tkey);
	bg_sig_root_free(root);
	return rc;
}

int bg_sig_verify_request(const struct bg_sig_request *rq, int fd, const char *name, struct bg_sig_result *res,
			  struct bg_diag *d)
{
	int rc = verify_request(rq, fd, res, d);

	/* every refusal is about the file: its name leads the line, before
	 * the input that refused it ("f: f.sig: not base64 ...") */
	if (rc && d && name) {
		char *m = strdup(d->msg);

		if (m)
			bg_diag_at(d, name, 0, "%s", m);
		free(m);
	}
	return rc;
}

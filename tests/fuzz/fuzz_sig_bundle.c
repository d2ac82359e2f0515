// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_sig_bundle.c - libFuzzer target for the Sigstore bundle reader
 * (user/sig/bundle.c), what reads the log entries' untrusted parts
 * (tlog.c: the canonicalized body, the checkpoint note) and the trusted
 * root reader (x509.c: the same bytes read as a trusted_root.json).  Any
 * bytes either parse or are refused with a message and a BG_EXIT_SIG_*
 * code, never both, never a crash; an entry checked with a key that
 * signed nothing never verifies.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "sig_int.h"

/* a P-256 test key: it signed no input, so nothing may verify with it */
static const char pub[] = "-----BEGIN PUBLIC KEY-----\n"
			  "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE6K1fAak/Yt1wIGIBFQi7VY4cqk4A\n"
			  "vC4H0iSfHjs/66UPYV22jjJDQhcwsh5B8QSeaAUI6BIk+SsZiG5Sk8o/vA==\n"
			  "-----END PUBLIC KEY-----\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bg_sig_key *key;
	struct bg_sig_bundle *b = NULL;
	struct bg_sig_root *r = NULL;
	struct bg_diag d = {};
	int rc;

	if (!key && bg_sig_key_parse(pub, strlen(pub), "pub", &key, NULL))
		abort();
	rc = bg_sig_root_parse((const char *)data, size, "fuzz-root.json", &r, &d);
	CHECK(!rc == !!r);
	CHECK(!rc || bg_diag_failed(&d));
	bg_sig_root_free(r);
	memset(&d, 0, sizeof(d));
	rc = bg_sig_bundle_parse((const char *)data, size, "fuzz.json", &b, &d);
	if (rc) {
		CHECK(!b);
		CHECK(bg_diag_failed(&d));
		CHECK(rc == BG_EXIT_SIG_MALFORMED || rc == BG_EXIT_FAIL);
		return 0;
	}
	CHECK(b);
	CHECK(!bg_diag_failed(&d));
	for (size_t i = 0; i < b->ntlog; i++) {
		const struct bg_sig_tlog_entry *e = &b->tlog[i];
		uint8_t digest[32] = { 0 };
		struct bg_sig_subject s = { digest, b->sig, b->siglen, key, NULL, 0, b };
		bool time_ok = false, ok = false;
		const char *why = NULL;
		struct bg_diag d2 = {};

		rc = bg_sig_tlog_check(e, key, &s, "fuzz.json", &time_ok, &ok, &d2);
		CHECK(rc && !time_ok && !ok && bg_diag_failed(&d2));
		if (e->have_proof) {
			CHECK(!bg_sig_checkpoint_ok(e, key, &why));
			CHECK(why);
		}
	}
	bg_sig_bundle_free(b);
	return 0;
}

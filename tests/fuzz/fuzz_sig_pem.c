// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_sig_pem.c - libFuzzer target for the PEM, public-key and cosign
 * .sig readers and the DER signature check (user/sig/sig_util.c,
 * sig_key.c).  Invariants: what the strict base64 reader accepts encodes
 * back to the same text (one encoding per byte string); a DER signature
 * accepted once is accepted again and refused with a byte more.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto_fns.h"
#include "fuzz_check.h"
#include "sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct bg_sig_key *k = NULL;
	struct bg_diag d = {};
	char *label = NULL;
	uint8_t *der = NULL, *sig = NULL;
	size_t dl, sl;
	const char *why;

	if (!bg_sig_pem_decode(text, size, "fuzz.pem", &label, &der, &dl, &d)) {
		CHECK(label && der && dl);
		free(label);
		free(der);
	}
	if (!bg_sig_key_parse(text, size, "fuzz.pem", &k, &d)) {
		CHECK(!strncmp(bg_sig_key_id(k), "sha256:", 7));
		bg_sig_key_free(k);
	}
	if (!bg_sig_parse_sigfile(text, size, "fuzz.sig", &sig, &sl, &d)) {
		size_t n = size;
		char *enc = malloc(sl / 3 * 4 + 8);

		CHECK(sig && sl);
		if (n && text[n - 1] == '\n')
			n--;
		if (n && text[n - 1] == '\r')
			n--;
		CHECK(enc);
		CHECK((size_t)EVP_EncodeBlock((unsigned char *)enc, sig, (int)sl) == n);
		CHECK(!memcmp(enc, text, n));
		free(enc);
		free(sig);
	}
	if (size <= 200 && !bg_sig_der_ecdsa_check(data, size, 48, &why)) {
		uint8_t more[201];

		memcpy(more, data, size);
		more[size] = 0;
		CHECK(bg_sig_der_ecdsa_check(more, size + 1, 48, &why) == BG_EXIT_SIG_MALFORMED);
		CHECK(size < 2 || bg_sig_der_ecdsa_check(data, size - 1, 48, &why) == BG_EXIT_SIG_MALFORMED);
	}
	return 0;
}

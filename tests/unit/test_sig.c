// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * user/sig's strict readers and the byte strings that get signed: base64
 * (one encoding per byte string), PEM armor (one block, labels matched),
 * the cosign .sig file, the DER ECDSA signature (BER, leading zeros,
 * trailing bytes, truncation refused), RFC 6962 inclusion proofs against
 * trees built here from the RFC's recursive definitions, DSSE's PAE,
 * Rekor's SET payload, the bundle reader's refusals, and signing (the
 * module proxy's) against verifying.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sig.h"
#include "crypto_fns.h"

static int b64(const char *s, const char *want, size_t wantlen)
{
	uint8_t *o;
	size_t n;
	int rc = bg_sig_b64_decode(s, strlen(s), &o, &n);

	if (!rc) {
		if (want && (n != wantlen || memcmp(o, want, n)))
			rc = 99;
		free(o);
	}
	return rc;
}

static void test_base64(void **state)
{
	(void)state;
	assert_int_equal(b64("", "", 0), 0);
	assert_int_equal(b64("Zg==", "f", 1), 0);
	assert_int_equal(b64("Zm8=", "fo", 2), 0);
	assert_int_equal(b64("Zm9v", "foo", 3), 0);
	assert_int_equal(b64("+/+/", "\xfb\xff\xbf", 3), 0);
	/* not the standard alphabet, no padding, white space, bad padding */
	assert_int_equal(b64("-_-_", NULL, 0), -EINVAL);
	assert_int_equal(b64("Zg", NULL, 0), -EINVAL);
	assert_int_equal(b64("Zm9v\n", NULL, 0), -EINVAL);
	assert_int_equal(b64("Zm 9", NULL, 0), -EINVAL);
	assert_int_equal(b64("Z===", NULL, 0), -EINVAL);
	assert_int_equal(b64("Zg=a", NULL, 0), -EINVAL);
	assert_int_equal(b64("Zg==Zg==", NULL, 0), -EINVAL);
	assert_int_equal(b64("=Zg=", NULL, 0), -EINVAL);
	/* unused bits set: a second spelling of "f" and "fo" */
	assert_int_equal(b64("Zh==", NULL, 0), -EINVAL);
	assert_int_equal(b64("Zm9=", NULL, 0), -EINVAL);
}

static const char pub_p256[] = "-----BEGIN PUBLIC KEY-----\n"
			       "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEg2ghlRZoB80uSse2qsgM66R4iked\n"
			       "Nr2sQ0HKg/kJhLXOaleCs0ww/9GJTZFTPiENxbQbJaGa2sDZkOWUVvq+Sg==\n"
			       "-----END PUBLIC KEY-----\n";

static int pem(const char *text, const char *want_label)
{
	struct bg_diag d = {};
	char *label;
	uint8_t *der;
	size_t n;
	int rc = bg_sig_pem_decode(text, strlen(text), "t.pem", &label, &der, &n, &d);

	if (!rc) {
		if (want_label && strcmp(label, want_label))
			rc = 99;
		free(label);
		free(der);
	} else {
		assert_true(bg_diag_failed(&d));
	}
	return rc;
}

static void test_pem(void **state)
{
	char buf[1024];

	(void)state;
	assert_int_equal(pem(pub_p256, "PUBLIC KEY"), 0);
	/* blank lines around, CRLF */
	snprintf(buf, sizeof(buf), "\n\n%s\n", pub_p256);
	assert_int_equal(pem(buf, "PUBLIC KEY"), 0);
	assert_int_equal(pem("-----BEGIN PUBLIC KEY-----\r\nZm9v\r\n-----END PUBLIC KEY-----\r\n", "PUBLIC KEY"), 0);
	/* labels that differ, no END, two blocks, text before, bad base64 */
	assert_int_equal(pem("-----BEGIN PUBLIC KEY-----\nZm9v\n-----END PRIVATE KEY-----\n", NULL),
			 BG_EXIT_SIG_MALFORMED);
	assert_int_equal(pem("-----BEGIN PUBLIC KEY-----\nZm9v\n", NULL), BG_EXIT_SIG_MALFORMED);
	snprintf(buf, sizeof(buf), "%s%s", pub_p256, pub_p256);
	assert_int_equal(pem(buf, NULL), BG_EXIT_SIG_MALFORMED);
	snprintf(buf, sizeof(buf), "comment\n%s", pub_p256);
	assert_int_equal(pem(buf, NULL), BG_EXIT_SIG_MALFORMED);
	assert_int_equal(pem("-----BEGIN PUBLIC KEY-----\nZm9v!\n-----END PUBLIC KEY-----\n", NULL),
			 BG_EXIT_SIG_MALFORMED);
	/* a short line before a full one; an encrypted key's headers */
	assert_int_equal(pem("-----BEGIN X-----\nZm8=\nZm9v\n-----END X-----\n", NULL), BG_EXIT_SIG_MALFORMED);
	assert_int_equal(pem("-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\n\nZm9v\n-----END X-----\n", NULL),
			 BG_EXIT_SIG_MALFORMED);
	assert_int_equal(pem("-----BEGIN  X-----\nZm9v\n-----END  X-----\n", NULL), BG_EXIT_SIG_MALFORMED);
	assert_int_equal(pem("-----BEGIN x-----\nZm9v\n-----END x-----\n", NULL), BG_EXIT_SIG_MALFORMED);
	assert_int_equal(pem("-----BEGIN X-----\n-----END X-----\n", NULL), BG_EXIT_SIG_MALFORMED);
	assert_int_equal(pem("", NULL), BG_EXIT_SIG_MALFORMED);
}

static void test_key(void **state)
{
	struct bg_sig_key *k = NULL;
	struct bg_diag d = {};

	(void)state;
	assert_int_equal(bg_sig_key_parse(pub_p256, strlen(pub_p256), "k.pub", &k, &d), 0);
	assert_string_equal(bg_sig_key_alg(k), "ecdsa-p256");
	assert_int_equal(strlen(bg_sig_key_id(k)), 7 + 64);
	assert_int_equal(strncmp(bg_sig_key_id(k), "sha256:", 7), 0);
	bg_sig_key_free(k);
	/* a valid PEM of something that is not a key */
	{
		static const char notkey[] = "-----BEGIN PUBLIC KEY-----\nZm9v\n-----END PUBLIC KEY-----\n";

		assert_int_equal(bg_sig_key_parse(notkey, strlen(notkey), "k.pub", &k, &d), BG_EXIT_SIG_MALFORMED);
	}
	assert_null(k);
}

static void test_sigfile(void **state)
{
	struct bg_diag d = {};
	uint8_t *s;
	size_t n;

	(void)state;
	assert_int_equal(bg_sig_parse_sigfile("MEUC", 4, "s", &s, &n, &d), 0);
	assert_int_equal(n, 3);
	free(s);
	assert_int_equal(bg_sig_parse_sigfile("MEUC\n", 5, "s", &s, &n, &d), 0);
	free(s);
	assert_int_equal(bg_sig_parse_sigfile("MEUC\n\n", 6, "s", &s, &n, &d), BG_EXIT_SIG_MALFORMED);
	assert_int_equal(bg_sig_parse_sigfile("ME UC", 5, "s", &s, &n, &d), BG_EXIT_SIG_MALFORMED);
	assert_int_equal(bg_sig_parse_sigfile("", 0, "s", &s, &n, &d), BG_EXIT_SIG_MALFORMED);
	assert_int_equal(bg_sig_parse_sigfile("\n", 1, "s", &s, &n, &d), BG_EXIT_SIG_MALFORMED);
}

static int der(const char *hex, size_t order)
{
	uint8_t b[256];
	size_t n = strlen(hex) / 2;
	const char *why = NULL;
	int rc;

	for (size_t i = 0; i < n; i++)
		sscanf(hex + 2 * i, "%2hhx", &b[i]);
	rc = bg_sig_der_ecdsa_check(b, n, order, &why);
	if (rc)
		assert_non_null(why);
	return rc;
}

static void test_der_ecdsa(void **state)
{
	(void)state;
	/* r = 1, s = 0x80 (needs its sign byte) */
	assert_int_equal(der("3007020101020200" "80", 32), 0);
	/* BER long-form length of the SEQUENCE */
	assert_int_equal(der("308107020101020200" "80", 32), BG_EXIT_SIG_MALFORMED);
	/* indefinite length */
	assert_int_equal(der("3080020101020200800000", 32), BG_EXIT_SIG_MALFORMED);
	/* a leading zero r does not need */
	assert_int_equal(der("300802020001020200" "80", 32), BG_EXIT_SIG_MALFORMED);
	/* no sign byte: a negative s */
	assert_int_equal(der("30060201010201" "80", 32), BG_EXIT_SIG_MALFORMED);
	/* zero */
	assert_int_equal(der("3006020100020101", 32), BG_EXIT_SIG_MALFORMED);
	/* trailing byte, truncation, a third integer, the wrong tag */
	assert_int_equal(der("3007020101020200" "80" "00", 32), BG_EXIT_SIG_MALFORMED);
	assert_int_equal(der("3007020101020200", 32), BG_EXIT_SIG_MALFORMED);
	assert_int_equal(der("3009020101020200800201" "01", 32), BG_EXIT_SIG_MALFORMED);
	assert_int_equal(der("3107020101020200" "80", 32), BG_EXIT_SIG_MALFORMED);
	assert_int_equal(der("", 32), BG_EXIT_SIG_MALFORMED);
	/* larger than the curve's order */
	assert_int_equal(der("300702020101020200" "80", 1), BG_EXIT_SIG_MALFORMED);
}

/* RFC 6962 2.1: MTH and PATH, recursively, as the oracle */
static void h_node(const uint8_t l[32], const uint8_t r[32], uint8_t out[32])
{
	uint8_t b[65];

	b[0] = 1;
	memcpy(b + 1, l, 32);
	memcpy(b + 33, r, 32);
	EVP_Digest(b, 65, out, NULL, EVP_sha256(), NULL);
}

static size_t split(size_t n)
{
	size_t k = 1;

	while (k * 2 < n)
		k *= 2;
	return k;
}

static void mth(uint8_t (*leaves)[32], size_t n, uint8_t out[32])
{
	uint8_t l[32], r[32];
	size_t k;

	if (n == 1) {
		memcpy(out, leaves[0], 32);
		return;
	}
	k = split(n);
	mth(leaves, k, l);
	mth(leaves + k, n - k, r);
	h_node(l, r, out);
}

static size_t path(size_t m, uint8_t (*leaves)[32], size_t n, uint8_t (*out)[32])
{
	size_t k, np;

	if (n == 1)
		return 0;
	k = split(n);
	if (m < k) {
		np = path(m, leaves, k, out);
		mth(leaves + k, n - k, out[np]);
	} else {
		np = path(m - k, leaves + k, n - k, out);
		mth(leaves, k, out[np]);
	}
	return np + 1;
}

static void test_merkle(void **state)
{
	uint8_t leaves[33][32], root[32], p[16][32];

	(void)state;
	for (size_t i = 0; i < 33; i++) {
		char e[16];

		snprintf(e, sizeof(e), "entry %zu", i);
		bg_sig_merkle_leaf((const uint8_t *)e, strlen(e), leaves[i]);
	}
	for (size_t n = 1; n <= 33; n++) {
		mth(leaves, n, root);
		for (size_t m = 0; m < n; m++) {
			size_t np = path(m, leaves, n, p);

			assert_true(bg_sig_merkle_verify(m, n, leaves[m], (const uint8_t(*)[32])p, np, root));
			/* another index, another leaf, a changed hash, a path cut or grown */
			if (n > 1)
				assert_false(bg_sig_merkle_verify((m ^ 1) < n ? (m ^ 1) : m - 1, n, leaves[m],
								  (const uint8_t(*)[32])p, np, root));
			assert_false(bg_sig_merkle_verify(m, n, leaves[(m + 1) % 33], (const uint8_t(*)[32])p, np, root));
			if (np) {
				p[np - 1][0] ^= 1;
				assert_false(bg_sig_merkle_verify(m, n, leaves[m], (const uint8_t(*)[32])p, np, root));
				p[np - 1][0] ^= 1;
				assert_false(bg_sig_merkle_verify(m, n, leaves[m], (const uint8_t(*)[32])p, np - 1, root));
			}
			memcpy(p[np], root, 32);
			assert_false(bg_sig_merkle_verify(m, n, leaves[m], (const uint8_t(*)[32])p, np + 1, root));
		}
		assert_false(bg_sig_merkle_verify(n, n, leaves[0], (const uint8_t(*)[32])p, 0, root));
	}
	/* the leaf hash is SHA-256(0x00 || data): RFC 6962's empty-leaf value */
	bg_sig_merkle_leaf((const uint8_t *)"", 0, root);
	assert_int_equal(root[0], 0x6e);
	assert_int_equal(root[31], 0x1d);
}

static void test_pae_and_set(void **state)
{
	size_t n;
	uint8_t *p = bg_sig_dsse_pae("application/vnd.in-toto+json", (const uint8_t *)"{}", 2, &n);
	char *s;

	(void)state;
	assert_non_null(p);
	assert_int_equal(n, strlen("DSSEv1 28 application/vnd.in-toto+json 2 {}"));
	assert_memory_equal(p, "DSSEv1 28 application/vnd.in-toto+json 2 {}", n);
	free(p);
	p = bg_sig_dsse_pae("", NULL, 0, &n);
	assert_memory_equal(p, "DSSEv1 0  0 ", n);
	free(p);
	s = bg_sig_set_payload("eyJ9", 1700000000, "abcd", 12345);
	assert_string_equal(s, "{\"body\":\"eyJ9\",\"integratedTime\":1700000000,\"logID\":\"abcd\",\"logIndex\":12345}");
	free(s);
}

static int bundle(const char *json)
{
	struct bg_sig_bundle *b = NULL;
	struct bg_diag d = {};
	int rc = bg_sig_bundle_parse(json, strlen(json), "b.json", &b, &d);

	if (rc)
		assert_null(b);
	bg_sig_bundle_free(b);
	return rc;
}

#define MT3 "\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\""
#define MS "\"messageSignature\":{\"signature\":\"MEUC\"}"

static void test_bundle(void **state)
{
	(void)state;
	assert_int_equal(bundle("{" MT3 ",\"verificationMaterial\":{\"publicKey\":{\"hint\":\"x\"}}," MS "}"), 0);
	/* unknown media type, the v0.3 certificate field in v0.1 */
	assert_int_equal(bundle("{\"mediaType\":\"application/vnd.dev.sigstore.bundle+json;version=0.4\","
				"\"verificationMaterial\":{\"publicKey\":{}}," MS "}"),
			 BG_EXIT_SIG_MALFORMED);
	assert_int_equal(bundle("{\"mediaType\":\"application/vnd.dev.sigstore.bundle+json;version=0.1\","
				"\"verificationMaterial\":{\"certificate\":{\"rawBytes\":\"MEUC\"}}," MS "}"),
			 BG_EXIT_SIG_MALFORMED);
	/* two materials, none, two contents, none */
	assert_int_equal(bundle("{" MT3 ",\"verificationMaterial\":{\"publicKey\":{},\"certificate\":{\"rawBytes\":\"MEUC\"}}," MS "}"),
			 BG_EXIT_SIG_MALFORMED);
	assert_int_equal(bundle("{" MT3 ",\"verificationMaterial\":{}," MS "}"), BG_EXIT_SIG_MALFORMED);
	assert_int_equal(bundle("{" MT3 ",\"verificationMaterial\":{\"publicKey\":{}}," MS
				",\"dsseEnvelope\":{\"payload\":\"\",\"payloadType\":\"t\",\"signatures\":[{\"sig\":\"MEUC\"}]}}"),
			 BG_EXIT_SIG_MALFORMED);
	assert_int_equal(bundle("{" MT3 ",\"verificationMaterial\":{\"publicKey\":{}}}"), BG_EXIT_SIG_MALFORMED);
	/* wrong types, bad base64, a digest of the wrong size, not JSON,
	 * comments, trailing garbage */
	assert_int_equal(bundle("{" MT3 ",\"verificationMaterial\":{\"publicKey\":{}},\"messageSignature\":{\"signature\":5}}"),
			 BG_EXIT_SIG_MALFORMED);
	assert_int_equal(bundle("{" MT3 ",\"verificationMaterial\":{\"publicKey\":{}},\"messageSignature\":{\"signature\":\"ME-C\"}}"),
			 BG_EXIT_SIG_MALFORMED);
	assert_int_equal(bundle("{" MT3 ",\"verificationMaterial\":{\"publicKey\":{}},\"messageSignature\":{\"signature\":\"MEUC\","
				"\"messageDigest\":{\"algorithm\":\"SHA2_256\",\"digest\":\"MEUC\"}}}"),
			 BG_EXIT_SIG_MALFORMED);
	assert_int_equal(bundle("{" MT3 ",\"verificationMaterial\":{\"publicKey\":{}}," MS "} x"), BG_EXIT_SIG_MALFORMED);
	assert_int_equal(bundle("{" MT3 ",/* c */\"verificationMaterial\":{\"publicKey\":{}}," MS "}"),
			 BG_EXIT_SIG_MALFORMED);
	assert_int_equal(bundle("[]"), BG_EXIT_SIG_MALFORMED);
	/* cosign's legacy --bundle format */
	assert_int_equal(bundle("{\"base64Signature\":\"MEUC\",\"rekorBundle\":{}}"), BG_EXIT_SIG_MALFORMED);
	assert_int_equal(bundle("{" MT3), BG_EXIT_SIG_MALFORMED);
	/* DSSE: exactly one signature */
	assert_int_equal(bundle("{" MT3 ",\"verificationMaterial\":{\"publicKey\":{}},"
				"\"dsseEnvelope\":{\"payload\":\"\",\"payloadType\":\"t\",\"signatures\":[]}}"),
			 BG_EXIT_SIG_MALFORMED);
	/* log entries: int64 as a string or a number, not negative, logId 32 bytes */
	assert_int_equal(bundle("{" MT3 ",\"verificationMaterial\":{\"publicKey\":{},\"tlogEntries\":[{\"logIndex\":\"7\","
				"\"logId\":{\"keyId\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"},"
				"\"kindVersion\":{\"kind\":\"hashedrekord\",\"version\":\"0.0.1\"},\"integratedTime\":17}]}," MS "}"),
			 0);
	assert_int_equal(bundle("{" MT3 ",\"verificationMaterial\":{\"publicKey\":{},\"tlogEntries\":[{\"logIndex\":\"-7\","
				"\"logId\":{\"keyId\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"},"
				"\"kindVersion\":{\"kind\":\"hashedrekord\",\"version\":\"0.0.1\"}}]}," MS "}"),
			 BG_EXIT_SIG_MALFORMED);
	assert_int_equal(bundle("{" MT3 ",\"verificationMaterial\":{\"publicKey\":{},\"tlogEntries\":[{\"logIndex\":\"07\","
				"\"logId\":{\"keyId\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"},"
				"\"kindVersion\":{\"kind\":\"hashedrekord\",\"version\":\"0.0.1\"}}]}," MS "}"),
			 BG_EXIT_SIG_MALFORMED);
	assert_int_equal(bundle("{" MT3 ",\"verificationMaterial\":{\"publicKey\":{},\"tlogEntries\":[{\"logIndex\":\"7\","
				"\"logId\":{\"keyId\":\"AAAA\"},"
				"\"kindVersion\":{\"kind\":\"hashedrekord\",\"version\":\"0.0.1\"}}]}," MS "}"),
			 BG_EXIT_SIG_MALFORMED);
}

/* test keys, made for this file only */
static const char ec_priv[] = "-----BEGIN PRIVATE KEY-----\n"
			      "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgOaPH1htelxaD/i3M\n"
			      "S0lWb8ohUYg4Br7FvsNWV+FgjOahRANCAATorV8BqT9i3XAgYgEVCLtVjhyqTgC8\n"
			      "LgfSJJ8eOz/rpQ9hXbaOMkNCFzCyHkHxBJ5oBQjoEiT5KxmIblKTyj+8\n"
			      "-----END PRIVATE KEY-----\n";
static const char ec_sec1[] = "-----BEGIN EC PRIVATE KEY-----\n"
			      "MHcCAQEEIDmjx9YbXpcWg/4tzEtJVm/KIVGIOAa+xb7DVlfhYIzmoAoGCCqGSM49\n"
			      "AwEHoUQDQgAE6K1fAak/Yt1wIGIBFQi7VY4cqk4AvC4H0iSfHjs/66UPYV22jjJD\n"
			      "Qhcwsh5B8QSeaAUI6BIk+SsZiG5Sk8o/vA==\n"
			      "-----END EC PRIVATE KEY-----\n";
static const char ec_pub[] = "-----BEGIN PUBLIC KEY-----\n"
			     "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE6K1fAak/Yt1wIGIBFQi7VY4cqk4A\n"
			     "vC4H0iSfHjs/66UPYV22jjJDQhcwsh5B8QSeaAUI6BIk+SsZiG5Sk8o/vA==\n"
			     "-----END PUBLIC KEY-----\n";
static const char ed_priv[] = "-----BEGIN PRIVATE KEY-----\n"
			      "MC4CAQAwBQYDK2VwBCIEIPL375HoSIET6lSjIMQhII0IxCH4tZqSki8dhCtTH1DN\n"
			      "-----END PRIVATE KEY-----\n";
static const char ed_pub[] = "-----BEGIN PUBLIC KEY-----\n"
			     "MCowBQYDK2VwAyEAX3+M+uoaZZKjiN6gxUVomI/30yJ9L3UoHC3ER/w2dh0=\n"
			     "-----END PUBLIC KEY-----\n";

static char *tmpfile_with(const char *text)
{
	char *path = strdup("/tmp/test_sig.XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* bg_sig_sign makes what bg_sig_verify and bg_sig_verify_fd accept, for
 * the key of its public half, and nothing else verifies */
static void sign_verify(const char *priv, const char *pub, const char *alg)
{
	static const char msg[] = "a response body";
	struct bg_sig_privkey *sk = NULL;
	struct bg_sig_key *k = NULL;
	struct bg_diag d = {};
	char *path = tmpfile_with(priv), *mpath;
	uint8_t *sig;
	size_t sl;
	int fd;

	assert_int_equal(bg_sig_privkey_load(path, &sk, &d), 0);
	unlink(path);
	free(path);
	assert_int_equal(bg_sig_key_parse(pub, strlen(pub), "pub", &k, &d), 0);
	assert_string_equal(bg_sig_key_alg(k), alg);
	assert_string_equal(bg_sig_privkey_id(sk), bg_sig_key_id(k));
	assert_int_equal(bg_sig_sign(sk, (const uint8_t *)msg, strlen(msg), &sig, &sl, &d), 0);
	assert_int_equal(bg_sig_verify(k, (const uint8_t *)msg, strlen(msg), sig, sl, &d), 0);
	assert_int_equal(bg_sig_verify(k, (const uint8_t *)msg, strlen(msg) - 1, sig, sl, &d), BG_EXIT_SIG_MISMATCH);
	mpath = tmpfile_with(msg);
	fd = open(mpath, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(bg_sig_verify_fd(k, fd, sig, sl, &d), 0);
	close(fd);
	unlink(mpath);
	free(mpath);
	assert_int_equal(bg_sig_verify(k, (const uint8_t *)msg, strlen(msg), sig, sl - 1, &d), BG_EXIT_SIG_MALFORMED);
	free(sig);
	bg_sig_key_free(k);
	bg_sig_privkey_free(sk);
}

static void test_sign(void **state)
{
	struct bg_sig_privkey *sk = NULL;
	struct bg_diag d = {};
	char *path;

	(void)state;
	sign_verify(ec_priv, ec_pub, "ecdsa-p256");
	sign_verify(ec_sec1, ec_pub, "ecdsa-p256");
	sign_verify(ed_priv, ed_pub, "ed25519");
	/* a public key is not a private key */
	path = tmpfile_with(ec_pub);
	assert_int_equal(bg_sig_privkey_load(path, &sk, &d), BG_EXIT_SIG_MALFORMED);
	assert_null(sk);
	unlink(path);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64),   cmocka_unit_test(test_pem),	       cmocka_unit_test(test_key),
		cmocka_unit_test(test_sigfile),  cmocka_unit_test(test_der_ecdsa), cmocka_unit_test(test_merkle),
		cmocka_unit_test(test_pae_and_set), cmocka_unit_test(test_bundle), cmocka_unit_test(test_sign),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_goproxy_req.c - libFuzzer target for what the module proxy reads
 * from the network: the request head parser and the GOPROXY path parser
 * (server side), the response head parser (the client of http://
 * upstreams and `go verify-download`), base64 of the signature header,
 * and the semver order @latest relies on.
 *
 * Invariants: a parsed head's length is within the input; a path that
 * parses has a canonical spelling that parses to the same module, version
 * and kind (so a signature over the canonical path means one thing); the
 * module path never has an empty, "." or ".." element; semver comparison
 * is antisymmetric.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "http.h"
#include "sig.h"
#include "proxy.h"

static void check_path(const char *target)
{
	static struct bg_gp_path p, q;
	static char canon[BG_HTTP_MAX_TARGET * 2];
	char why[256];

	if (bg_gp_parse_path(target, &p, why, sizeof(why)))
		return;
	CHECK(p.module[0] && p.module[0] != '/');
	CHECK(!strstr(p.module, "//") && !strstr(p.module, "/./") && !strstr(p.module, "/../"));
	CHECK(strcmp(p.module, "..") && strncmp(p.module, "../", 3));
	if (bg_gp_canonical(&p, canon, sizeof(canon)) < 0)
		return;
	CHECK(bg_gp_parse_path(canon, &q, why, sizeof(why)) == 0);
	CHECK(q.kind == p.kind && !strcmp(q.module, p.module) && !strcmp(q.version, p.version));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bg_http_req req;
	static struct bg_http_resp resp;
	char why[256];
	char *s = malloc(size + 1);
	int r;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	/* the request head, as the server's buffer holds it (no NUL) */
	r = bg_http_parse_request((const char *)data, size, &req, why, sizeof(why));
	CHECK(r <= (int)size);
	if (r > 0)
		check_path(req.target);
	/* the bytes as a target directly: reaches the path rules faster */
	if (size <= BG_HTTP_MAX_TARGET && !memchr(data, 0, size))
		check_path(s);

	r = bg_http_parse_response((const char *)data, size, &resp, why, sizeof(why));
	CHECK(r <= (int)size);
	if (r > 0) {
		CHECK(resp.status >= 100 && resp.status <= 999);
		CHECK(!(resp.chunked && resp.content_length >= 0));
		CHECK(strlen(resp.sig_b64) <= BG_HTTP_MAX_SIG_B64);
	}

	uint8_t *dec;
	size_t dn;

	if (bg_sig_b64_decode(s, size, &dec, &dn) == 0) {
		CHECK(dn <= size / 4 * 3);
		free(dec);
	}

	/* two versions split at the first newline */
	char *nl = strchr(s, '\n');
	if (nl) {
		*nl = '\0';
		int ab = bg_gp_semver_cmp(s, nl + 1), ba = bg_gp_semver_cmp(nl + 1, s);

		CHECK((ab > 0) - (ab < 0) == -((ba > 0) - (ba < 0)));
		CHECK(bg_gp_semver_cmp(s, s) == 0);
		(void)bg_gp_is_pseudo(s);
	}
	free(s);
	return 0;
}

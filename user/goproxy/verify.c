// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * verify.c - `bpfguard go verify-download`: the client half of the
 * proxy's response signatures.  The body is streamed into an unlinked
 * temporary file (in the output's directory, so the final step is a
 * rename, not a copy), hashed on the way; only when the hash equals the
 * X-Bpfguard-Content-Sha256 header and the signature over
 * "bpfguard-goproxy-v1 PATH sha256:HEX" verifies with the given key does
 * the file get a name.  A failure leaves nothing behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcodes.h"
#include "go_zip.h"
#include "http.h"
#include "proxy.h"
#include "sig.h"
#include "upstream.h"
#include "util.h"

#define VERIFY_TIMEOUT_MS 30000

/* An unlinked file in dir (for linkat later), else $TMPDIR's. */
static int tmp_in(const char *out, struct bg_diag *d)
{
	char dir[PATH_MAX];
	int fd;

	if (!out)
		return bg_tmpfile(d);
	if (!bg_strlcpy(dir, out, sizeof(dir))) {
		bg_diag_set(d, "%s: path too long", out);
		return -1;
	}
	fd = open(dirname(dir), O_TMPFILE | O_RDWR | O_CLOEXEC, 0644);
	if (fd < 0)
		bg_diag_set(d, "%s: cannot create a file in its directory: %s; check the directory exists and is writable",
			    out, strerror(errno));
	return fd;
}

/* Gives the verified temporary file its name: linked under a temporary
 * name, then renamed over out (atomic: a reader sees the old file or the
 * whole new one). */
static int publish(int fd, const char *out, struct bg_diag *d)
{
	char src[64], tmp[PATH_MAX];

	snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%d", out, (int)getpid()) >= sizeof(tmp)) {
		bg_diag_set(d, "%s: path too long", out);
		return -1;
	}
	unlink(tmp);
	if (linkat(AT_FDCWD, src, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW)) {
		bg_diag_set(d, "%s: cannot create it: %s", out, strerror(errno));
		return -1;
	}
	if (fsync(fd) || rename(tmp, out)) {
		bg_diag_set(d, "%s: cannot write it: %s", out, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int copy_out(int fd, struct bg_diag *d)
{
	char buf[65536];
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n) {
			bg_diag_set(d, "writing to stdout: %s", strerror(errno));
			return -1;
		}
	if (n < 0 || fflush(stdout)) {
		bg_diag_set(d, "writing to stdout: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int bg_goproxy_verify_download(const char *url, const char *key_path, const char *out,
			       char *key_id_out, struct bg_diag *d)
{
	struct bg_http_url u;
	struct bg_http_resp *resp = NULL;
	struct bg_sig_key *key = NULL;
	uint8_t sha[32], *sig = NULL;
	char errbody[512], hex[65], *msg = NULL, target[8], why[256] = "";
	char canon[BG_HTTP_MAX_TARGET * 2];
	struct bg_gp_path gp;
	size_t ml, sl = 0;
	int fd = -1, rc;

	if (key_id_out)
		key_id_out[0] = '\0';
	if (bg_http_url_parse(url, &u, d))
		return BG_EXIT_USAGE;
	if (bg_gp_parse_path(u.path, &gp, why, sizeof(why)) || bg_gp_canonical(&gp, canon, sizeof(canon)) < 0) {
		bg_diag_set(d, "%s: %s; give the URL of a file the proxy serves (http://HOST:PORT/MODULE/@v/VERSION.zip)",
			    url, why[0] ? why : "path too long");
		return BG_EXIT_USAGE;
	}
	rc = bg_sig_key_load(key_path, &key, d);
	if (rc)
		return rc;
	rc = BG_EXIT_FAIL;
	resp = calloc(1, sizeof(*resp));
	if (!resp) {
		bg_diag_set(d, "out of memory");
		goto out;
	}
	fd = tmp_in(out, d);
	if (fd < 0)
		goto out;
	/* the URL's whole path is the target: u.path is sent, nothing added */
	target[0] = '\0';
	if (bg_http_get(&u, target, fd, BG_GOZIP_MAX_SIZE, VERIFY_TIMEOUT_MS, resp, sha, errbody,
			sizeof(errbody), d))
		goto out;
	if (resp->status != 200) {
		for (char *p = errbody; *p; p++)
			if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
				*p = ' ';
		bg_diag_set(d, "%s: the server answered %d: %.300s", url, resp->status, errbody);
		goto out;
	}
	if (!resp->have_sha256 || !resp->sig_b64[0]) {
		bg_diag_set(d, "%s: the response has no X-Bpfguard-Content-Sha256 or X-Bpfguard-Signature header; is the proxy run with --sign-key?",
			    url);
		rc = BG_EXIT_SIG_MALFORMED;
		goto out;
	}
	if (key_id_out)
		snprintf(key_id_out, 96, "%s", resp->key_id);
	if (memcmp(sha, resp->sha256, 32)) {
		char want[65];

		bg_sha256_hex(resp->sha256, want);
		bg_sha256_hex(sha, hex);
		bg_diag_set(d, "%s: the body hashes to sha256:%s, the header names sha256:%s; the body was changed in transit: not written",
			    url, hex, want);
		rc = BG_EXIT_SIG_DIGEST;
		goto out;
	}
	/* the one strict base64 reader (user/sig): padding required, no
	 * second encoding of the same bytes */
	if (bg_sig_b64_decode(resp->sig_b64, strlen(resp->sig_b64), &sig, &sl) || !sl) {
		bg_diag_set(d, "%s: X-Bpfguard-Signature is not base64", url);
		rc = BG_EXIT_SIG_MALFORMED;
		goto out;
	}
	bg_sha256_hex(sha, hex);
	ml = strlen(BG_GP_SIG_CONTEXT) + strlen(canon) + 80;
	msg = malloc(ml);
	if (!msg) {
		bg_diag_set(d, "out of memory");
		goto out;
	}
	snprintf(msg, ml, BG_GP_SIG_CONTEXT " %s sha256:%s", canon, hex);
	rc = bg_sig_verify(key, (const uint8_t *)msg, strlen(msg), sig, sl, d);
	if (rc) {
		char why[BG_DIAG_MSG_MAX / 2];

		snprintf(why, sizeof(why), "%s", d ? bg_diag_message(d) : "");
		bg_diag_set(d, "%s: the signature does not verify with %s (%s; signed by key %s): not written",
			    url, key_path, why, resp->key_id[0] ? resp->key_id : "(not named)");
		goto out;
	}
	rc = out ? publish(fd, out, d) : copy_out(fd, d);
	rc = rc ? BG_EXIT_FAIL : 0;
out:
	free(msg);
	free(sig);
	free(resp);
	if (fd >= 0)
		close(fd);
	if (key)
		bg_sig_key_free(key);
	return rc;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * upstream.c - fetching from the upstream the proxy verifies: a file tree
 * or an http:// proxy, always into an unlinked temporary file.  Copying a
 * file tree's file too (rather than sending it in place) is deliberate:
 * the bytes hashed must be the bytes sent, and a file in a tree someone
 * else can write may change between the two.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto_fns.h"
#include "exitcodes.h"
#include "upstream.h"

/* Time for each step of an http:// fetch (connect, each read). */
#define UPSTREAM_TIMEOUT_MS 30000
/* Copy stride: large enough for long SHA-256 runs, small enough to stay
 * in cache; allocated per fetch, never the whole file. */
#define COPY_BUF (256 * 1024)

int bg_upstream_init(struct bg_upstream *u, const char *spec, struct bg_diag *d)
{
	struct stat st;
	const char *dir = spec;
	size_t n;

	memset(u, 0, sizeof(*u));
	u->timeout_ms = UPSTREAM_TIMEOUT_MS;
	snprintf(u->shown, sizeof(u->shown), "%s", spec);
	if (!strncmp(spec, "http://", 7) || !strncmp(spec, "https://", 8)) {
		if (bg_http_url_parse(spec, &u->url, d))
			return BG_EXIT_USAGE;
		u->http = true;
		return 0;
	}
	if (!strncmp(spec, "file://", 7)) {
		dir = spec + 7;
		if (dir[0] != '/') {
			bg_diag_set(d, "--upstream %s: a file:// URL needs an absolute path (file:///DIR)", spec);
			return BG_EXIT_USAGE;
		}
	} else if (strstr(spec, "://")) {
		bg_diag_set(d, "--upstream %s: unknown scheme; give DIR, file:///DIR or http://HOST:PORT/PATH", spec);
		return BG_EXIT_USAGE;
	}
	n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (!n || n >= sizeof(u->dir)) {
		bg_diag_set(d, "--upstream %s: empty or too long a path", spec);
		return BG_EXIT_USAGE;
	}
	memcpy(u->dir, dir, n);
	if (stat(u->dir, &st) || !S_ISDIR(st.st_mode)) {
		bg_diag_set(d, "--upstream %s: %s; give the root of a GOPROXY file tree (MODULE/@v/VERSION.zip)",
			    spec, access(u->dir, F_OK) ? strerror(errno) : "not a directory");
		return BG_EXIT_USAGE;
	}
	return 0;
}

int bg_tmpfile(struct bg_diag *d)
{
	const char *dir = getenv("TMPDIR");
	char path[PATH_MAX];
	int fd;

	if (!dir || !*dir)
		dir = "/var/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC | O_EXCL, 0600);
	if (fd >= 0)
		return fd;
	/* a file system without O_TMPFILE: the same, by unlinking at once */
	if ((size_t)snprintf(path, sizeof(path), "%s/bpfguard-goproxy.XXXXXX", dir) >= sizeof(path)) {
		bg_diag_set(d, "TMPDIR %s: path too long", dir);
		return -1;
	}
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0) {
		bg_diag_set(d, "cannot create a temporary file in %s: %s; set TMPDIR to a writable directory",
			    dir, strerror(errno));
		return -1;
	}
	unlink(path);
	return fd;
}

/* A file tree: copy the file into out while hashing it. */
/* Would n more bytes take a copy of rel past max?  Says so (EFBIG). */
static bool grew_over(const struct bg_upstream *u, const char *rel, uint64_t size, uint64_t n, uint64_t max,
		      struct bg_diag *d)
{
	if (size + n <= max)
		return false;
	bg_diag_set(d, "upstream %s: %s grew over the %llu-byte limit", u->shown, rel, (unsigned long long)max);
	if (d)
		d->err_no = EFBIG;
	return true;
}

static int fetch_dir(const struct bg_upstream *u, const char *rel, uint64_t max, int out,
		     uint64_t *size, EVP_MD_CTX *md, struct bg_diag *d)
{
	char path[PATH_MAX], *buf = NULL;
	struct stat st;
	int fd, rc = -1;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", u->dir, rel) >= sizeof(path)) {
		bg_diag_set(d, "upstream path too long");
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 1;
		bg_diag_set(d, "upstream %s: cannot open %s: %s", u->shown, rel, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		bg_diag_set(d, "upstream %s: %s is not a regular file", u->shown, rel);
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		bg_diag_set(d, "upstream %s: %s is %lld bytes, over the %llu-byte limit", u->shown, rel,
			    (long long)st.st_size, (unsigned long long)max);
		if (d)
			d->err_no = EFBIG;
		goto out;
	}
	*size = 0;
	/* nothing to hash on the way: the kernel copies (page cache to page
	 * cache, or a reflink), no byte passes through this process */
	while (!md) {
		ssize_t n = copy_file_range(fd, NULL, out, NULL, COPY_BUF * 16, 0);

		if (n == 0) {
			rc = 0;
			goto out;
		}
		if (n < 0) {
			if (*size == 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL ||
					   errno == EOPNOTSUPP))
				break; /* not between these files: read and write */
			bg_diag_set(d, "upstream %s: copying %s: %s; check the space in $TMPDIR", u->shown, rel,
				    strerror(errno));
			goto out;
		}
		if (grew_over(u, rel, *size, (uint64_t)n, max, d))
			goto out;
		*size += (uint64_t)n;
	}
	buf = malloc(COPY_BUF);
	if (!buf) {
		bg_diag_set(d, "out of memory");
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf, COPY_BUF);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			bg_diag_set(d, "upstream %s: reading %s: %s", u->shown, rel, strerror(errno));
			goto out;
		}
		if (!n)
			break;
		/* a file growing while it is copied stops at the limit too */
		if (grew_over(u, rel, *size, (uint64_t)n, max, d))
			goto out;
		if (md && !EVP_DigestUpdate(md, buf, (size_t)n)) {
			bg_diag_set(d, "SHA-256 failed");
			goto out;
		}
		for (ssize_t w, o = 0; o < n; o += w) {
			w = write(out, buf + o, (size_t)(n - o));
			if (w < 0 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w <= 0) {
				bg_diag_set(d, "writing a temporary file: %s; check the space in $TMPDIR",
					    strerror(w < 0 ? errno : ENOSPC));
				goto out;
			}
		}
		*size += (uint64_t)n;
	}
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

int bg_upstream_fetch(const struct bg_upstream *u, const char *rel, uint64_t max, int *fdp,
		      uint64_t *size, uint8_t sha256[32], struct bg_diag *d)
{
	EVP_MD_CTX *md = NULL;
	unsigned int mdlen;
	int fd, rc = -1;

	*fdp = -1;
	*size = 0;
	fd = bg_tmpfile(d);
	if (fd < 0)
		return -1;
	if (u->http) {
		struct bg_http_resp resp;
		char target[BG_HTTP_MAX_TARGET + 2], errbody[256];
		struct stat st;

		if ((size_t)snprintf(target, sizeof(target), "/%s", rel) >= sizeof(target)) {
			bg_diag_set(d, "upstream path too long");
			goto out;
		}
		if (bg_http_get(&u->url, target, fd, max, u->timeout_ms, &resp, sha256, errbody,
				sizeof(errbody), d))
			goto out;
		if (resp.status == 404 || resp.status == 410) {
			rc = 1;
			goto out;
		}
		if (resp.status != 200) {
			for (char *p = errbody; *p; p++)
				if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
					*p = ' ';
			bg_diag_set(d, "upstream %s answered %d for %s: %.200s", u->shown, resp.status, rel,
				    errbody);
			goto out;
		}
		if (fstat(fd, &st)) {
			bg_diag_set(d, "fstat: %s", strerror(errno));
			goto out;
		}
		*size = (uint64_t)st.st_size;
	} else {
		if (sha256) {
			md = EVP_MD_CTX_new();
			if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
				bg_diag_set(d, "SHA-256 unavailable");
				goto out;
			}
		}
		rc = fetch_dir(u, rel, max, fd, size, md, d);
		if (rc)
			goto out;
		rc = -1;
		if (md && !EVP_DigestFinal_ex(md, sha256, &mdlen)) {
			bg_diag_set(d, "SHA-256 failed");
			goto out;
		}
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		bg_diag_set(d, "lseek: %s", strerror(errno));
		goto out;
	}
	*fdp = fd;
	fd = -1;
	rc = 0;
out:
	if (md)
		EVP_MD_CTX_free(md);
	if (fd >= 0)
		close(fd);
	return rc;
}

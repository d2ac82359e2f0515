/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * proxy.h - `bpfguard go proxy`: a GOPROXY-protocol server that serves a
 * module version only when its zip and go.mod hash (h1:) to what pinned
 * go.sum lines say, optionally signing every answer; and
 * `bpfguard go verify-download`, the client that checks those signatures.
 * docs/go-proxy.md describes the protocol served, the trust decisions,
 * the status codes and the signature format.
 */
#ifndef BG_GOPROXY_PROXY_H
#define BG_GOPROXY_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* Bounds of what is served (docs/go-proxy.md "Limits"). */
#define BG_GP_MAX_MODPATH 512     /* a module path, decoded */
#define BG_GP_MAX_VERSION 128     /* a version, decoded */
#define BG_GP_MAX_MOD (16u << 20)  /* a go.mod (Go's MaxGoMod) */
#define BG_GP_MAX_INFO (64u << 10) /* a .info */
#define BG_GP_MAX_LIST (4u << 20)  /* an upstream @v/list */
/* The signed message's prefix: "bpfguard-goproxy-v1 PATH sha256:HEX". */
#define BG_GP_SIG_CONTEXT "bpfguard-goproxy-v1"

/* What a protocol path asks for. */
enum bg_gp_kind {
	BG_GP_LIST,   /* $mod/@v/list */
	BG_GP_INFO,   /* $mod/@v/$ver.info */
	BG_GP_MOD,    /* $mod/@v/$ver.mod */
	BG_GP_ZIP,    /* $mod/@v/$ver.zip */
	BG_GP_LATEST, /* $mod/@latest */
};

struct bg_gp_path {
	enum bg_gp_kind kind;
	char module[BG_GP_MAX_MODPATH + 1];  /* decoded: "github.com/Foo/bar" */
	char version[BG_GP_MAX_VERSION + 1]; /* decoded; "" for list and latest */
};

/*
 * Parses a request target ("/github.com/!foo/bar/@v/v1.2.3.zip", a query
 * is ignored) into p: case-decoding ('!' + lowercase is the uppercase
 * letter; a raw uppercase letter or any other '!' is a bad escape),
 * percent-decoding, and Go's module-path and version rules (no empty, "."
 * or ".." element, no leading or trailing dot or slash, only the bytes
 * module paths may hold).  0, or -1 with why set (the 400's body).
 */
int bg_gp_parse_path(const char *target, struct bg_gp_path *p, char *why, size_t whylen);

/* The canonical target of p ("/example.com/!foo/@v/v1.0.0.zip": case
 * encoded, no percent-escapes): what a signature names, so every spelling
 * of one path verifies and no other path does.  Its length, or -1. */
int bg_gp_canonical(const struct bg_gp_path *p, char *out, size_t outlen);

/* Case-encodes s ("Foo" -> "!foo") into out (outlen bytes): its length,
 * or -1 when it does not fit. */
int bg_gp_escape(const char *s, char *out, size_t outlen);

/* Go's semver order (golang.org/x/mod/semver.Compare): <0, 0, >0; an
 * invalid version sorts before every valid one. */
int bg_gp_semver_cmp(const char *a, const char *b);
bool bg_gp_semver_valid(const char *v);
/* A pseudo-version (v0.0.0-20200101000000-abcdefabcdef and its forms). */
bool bg_gp_is_pseudo(const char *v);

struct bg_goproxy_config {
	const char *listen;              /* "127.0.0.1:8080", "[::1]:0" */
	const char *upstream;            /* DIR, file:///DIR or http://HOST:PORT/PATH */
	const char *const *gosum;        /* go.sum files: the pins (their union) */
	size_t ngosum;
	const char *sign_key;            /* PEM private key, or NULL: no signatures */
	unsigned max_conns;              /* connections at once (0: 64) */
	unsigned timeout_ms;             /* header/idle/write deadline (0: 10000) */
	bool quiet;                      /* no per-request log lines */
	/* Called once the socket listens, with the address it bound (the
	 * port chosen when :0 was asked); may be NULL. */
	void (*ready)(void *ctx, const char *addr);
	void *ready_ctx;
};

/*
 * Loads the pins and the key, listens, and serves until SIGINT or SIGTERM
 * (then waits for the requests being served, at most a few seconds).  One
 * log line per request on stderr ("bpfguard: go proxy: ADDR METHOD PATH
 * STATUS [reason]") unless quiet.  0 after a signal, or an exit code
 * (BG_EXIT_USAGE for bad configuration, BG_EXIT_FAIL) with d set.
 */
int bg_goproxy_serve(const struct bg_goproxy_config *c, struct bg_diag *d);

/*
 * `go verify-download`: GETs url, checks the body's SHA-256 against
 * X-Bpfguard-Content-Sha256 and the X-Bpfguard-Signature over the signed
 * message (BG_GP_SIG_CONTEXT, the URL's path, the hash) with the public
 * key at key_path, and only then writes the body to out (atomically:
 * a temporary file in out's directory renamed over it) or, when out is
 * NULL, to stdout.  0, or an exit code of exitcodes.h:
 * BG_EXIT_SIG_MALFORMED (a header missing or not parseable),
 * BG_EXIT_SIG_DIGEST (the body is not what the header names),
 * BG_EXIT_SIG_MISMATCH (the signature does not verify with this key),
 * BG_EXIT_FAIL (the fetch failed or did not answer 200),
 * BG_EXIT_USAGE (bad URL or key file); d says why.  key_id_out (when
 * non-NULL, 96 bytes) gets the signer's key id.
 */
int bg_goproxy_verify_download(const char *url, const char *key_path, const char *out,
			       char *key_id_out, struct bg_diag *d);

#endif

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * http.h - the small, bounded HTTP/1.1 the module proxy speaks: a parser of
 * request heads (the server side) and of response heads (the client side,
 * for http:// upstreams and `go verify-download`), socket I/O with
 * deadlines, and a GET that streams a body into a file descriptor.
 *
 * Only what the GOPROXY protocol needs: GET and HEAD, no request bodies,
 * origin-form targets, Content-Length or chunked response bodies.  Every
 * size is bounded (BG_HTTP_MAX_*) and every wait has a deadline, so a slow
 * or hostile peer costs one connection slot for a bounded time.
 */
#ifndef BG_GOPROXY_HTTP_H
#define BG_GOPROXY_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* A request or response head (request line and every header) larger than
 * this is refused: Go's client sends ~200 bytes, Go's own server allows
 * 1 MiB but nothing in the protocol needs more than a path. */
#define BG_HTTP_MAX_HEAD 8192
/* A request target (path and query). */
#define BG_HTTP_MAX_TARGET 2048
/* Header lines in one head. */
#define BG_HTTP_MAX_FIELDS 64
/* The signature header's base64 (an RSA-4096 signature is 684 bytes). */
#define BG_HTTP_MAX_SIG_B64 1024

/* A parsed request head. */
struct bg_http_req {
	char method[16];
	char target[BG_HTTP_MAX_TARGET + 1]; /* as sent, NUL-terminated */
	int minor;                           /* HTTP/1.minor */
	bool keep_alive;                     /* what the client asked */
	bool head;                           /* method HEAD: no body in the answer */
};

/*
 * Parses the request head at buf[0..len).  Returns the head's length
 * (through its blank line) when it is complete and valid, 0 when more
 * bytes are needed (and len is still under BG_HTTP_MAX_HEAD), or minus the
 * HTTP status to answer (-400, -405, -431, -501, -505) with why set to
 * one line saying what is wrong.
 */
int bg_http_parse_request(const char *buf, size_t len, struct bg_http_req *r, char *why,
			  size_t whylen);

/* A parsed response head (the fields the client acts on). */
struct bg_http_resp {
	int status;
	int minor;
	int64_t content_length; /* -1: none given */
	bool chunked;
	bool close;                           /* the server will close after it */
	bool have_sha256;
	uint8_t sha256[32];                   /* X-Bpfguard-Content-Sha256 */
	char sig_b64[BG_HTTP_MAX_SIG_B64 + 1]; /* X-Bpfguard-Signature ("" if absent) */
	char key_id[96];                      /* X-Bpfguard-Key-Id ("" if absent) */
};

/* The same for a response head: its length, 0 for more, -1 with why set
 * when it is not a valid HTTP/1.x response head. */
int bg_http_parse_response(const char *buf, size_t len, struct bg_http_resp *r, char *why,
			   size_t whylen);


/* Formats a parser's reason into why (whylen bytes; nothing when why is
 * NULL): the one-line "why" the parsers here hand back. */
void bg_http_whyf(char *why, size_t whylen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Milliseconds of CLOCK_MONOTONIC. */
uint64_t bg_http_now_ms(void);

/* Writes all of buf to a socket, waiting at most timeout_ms for each step
 * of progress.  0, or -errno (-ETIMEDOUT). */
int bg_http_write_all(int fd, const void *buf, size_t len, int timeout_ms);
/* The same with send(2) flags added (MSG_MORE: a head whose body follows
 * goes out in the same segments, not as a small packet of its own). */
int bg_http_write_flags(int fd, const void *buf, size_t len, int timeout_ms, int flags);

/* An http:// URL split: host (a name or an address, [v6] without the
 * brackets), port, and the path ("" or starting with '/'). */
struct bg_http_url {
	char host[256];
	char port[8];
	char path[BG_HTTP_MAX_TARGET + 1];
};
/* 0, or -1 with d set ("https:// is not supported", no host, ...). */
int bg_http_url_parse(const char *url, struct bg_http_url *u, struct bg_diag *d);

/*
 * GET http://u->host:u->port/<target>: the response head in *resp and, for
 * a 200, the body streamed into out_fd (from its current offset) while its
 * SHA-256 is computed into sha256 (when non-NULL).  A body larger than max
 * bytes is refused before or while it is read.  Non-200 bodies are read
 * into errbody (NUL-terminated, at most errlen - 1 bytes kept) so the
 * caller can quote the server's reason.  Every step waits at most
 * timeout_ms.  Returns 0 when a response was received (whatever its
 * status), -1 with d set when the exchange failed (connect, time-out,
 * malformed head, body too large or short), d->err_no = EFBIG when it was
 * the size.
 */
int bg_http_get(const struct bg_http_url *u, const char *target, int out_fd, uint64_t max,
		int timeout_ms, struct bg_http_resp *resp, uint8_t sha256[32], char *errbody,
		size_t errlen, struct bg_diag *d);

#endif

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * http.c - the proxy's bounded HTTP/1.1: head parsers for both directions,
 * I/O with deadlines, and the client GET of http:// upstreams and
 * `go verify-download`.
 *
 * Heads come from the network, so the parsers take a length and never read
 * past it, accept only CRLF line ends (a bare LF or a folded line is where
 * request smuggling between two parsers starts: refused), and refuse
 * anything that would make the message length ambiguous (two different
 * Content-Lengths, Transfer-Encoding on a request).
 */
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "crypto_fns.h"
#include "http.h"
#include "textsafe.h"

uint64_t bg_http_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void bg_http_whyf(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || !whylen)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* RFC 9110 token characters (method and field names). */
static bool tchar(unsigned char c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Finds the end of the head: the offset just past "\r\n\r\n", or 0. */
static size_t head_end(const char *buf, size_t len)
{
	for (size_t i = 0; i + 3 < len; i++)
		if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n')
			return i + 4;
	return 0;
}

/* Whether the comma-separated list v[0..n) holds token tok (any case). */
static bool list_has(const char *v, size_t n, const char *tok)
{
	size_t tl = strlen(tok), i = 0;

	while (i < n) {
		size_t s, e;

		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - s == tl && !strncasecmp(v + s, tok, tl))
			return true;
	}
	return false;
}

/* A decimal length, no sign, no spaces: -1 if not one or over 2^62. */
static int64_t parse_len(const char *v, size_t n)
{
	int64_t x = 0;

	if (!n || n > 18)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	return x;
}

typedef int (*field_fn)(void *ctx, const char *name, size_t nlen, const char *val, size_t vlen,
			char *why, size_t whylen);

/* Walks the header lines of head[start..end) (end is past the blank line):
 * name ":" OWS value OWS CRLF, no folding.  -1 with why set when a line is
 * malformed or there are too many, else what fn returned first non-zero. */
static int walk_fields(const char *head, size_t start, size_t end, field_fn fn, void *ctx,
		       char *why, size_t whylen)
{
	size_t i = start, nf = 0;

	while (i + 2 <= end) {
		size_t ls = i, le, c, vs, ve;
		int r;

		while (i + 1 < end && !(head[i] == '\r' && head[i + 1] == '\n'))
			i++;
		le = i;
		i += 2;
		if (le == ls)
			return 0; /* the blank line */
		if (++nf > BG_HTTP_MAX_FIELDS) {
			bg_http_whyf(why, whylen, "more than %d header lines", BG_HTTP_MAX_FIELDS);
			return -1;
		}
		for (c = ls; c < le && tchar((unsigned char)head[c]); c++)
			;
		if (c == ls || c == le || head[c] != ':') {
			bg_http_whyf(why, whylen, "malformed header line (no 'name:' or a folded line)");
			return -1;
		}
		vs = c + 1;
		while (vs < le && (head[vs] == ' ' || head[vs] == '\t'))
			vs++;
		ve = le;
		while (ve > vs && (head[ve - 1] == ' ' || head[ve - 1] == '\t'))
			ve--;
		for (size_t k = vs; k < ve; k++) {
			unsigned char ch = (unsigned char)head[k];

			if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
				bg_http_whyf(why, whylen, "control character in a header value");
				return -1;
			}
		}
		r = fn(ctx, head + ls, c - ls, head + vs, ve - vs, why, whylen);
		if (r)
			return r;
	}
	return 0;
}

static bool name_is(const char *n, size_t nl, const char *want)
{
	return nl == strlen(want) && !strncasecmp(n, want, nl);
}

struct req_fields {
	struct bg_http_req *r;
	bool conn_close, conn_keep;
};

static int req_field(void *ctx, const char *n, size_t nl, const char *v, size_t vl, char *why,
		     size_t whylen)
{
	struct req_fields *f = ctx;

	if (name_is(n, nl, "Connection")) {
		f->conn_close |= list_has(v, vl, "close");
		f->conn_keep |= list_has(v, vl, "keep-alive");
	} else if (name_is(n, nl, "Content-Length")) {
		if (parse_len(v, vl) != 0) {
			bg_http_whyf(why, whylen, "a request body is not accepted (Content-Length %.*s); send GET without one",
			     (int)(vl > 20 ? 20 : vl), v);
			return -400;
		}
	} else if (name_is(n, nl, "Transfer-Encoding")) {
		bg_http_whyf(why, whylen, "a request body is not accepted (Transfer-Encoding); send GET without one");
		return -400;
	}
	return 0;
}

int bg_http_parse_request(const char *buf, size_t len, struct bg_http_req *r, char *why,
			  size_t whylen)
{
	struct req_fields f = { .r = r };
	size_t end, i = 0, ms, ts, te;
	int st;

	memset(r, 0, sizeof(*r));
	end = head_end(buf, len);
	if (!end) {
		if (len >= BG_HTTP_MAX_HEAD) {
			bg_http_whyf(why, whylen, "request head over %d bytes", BG_HTTP_MAX_HEAD);
			return -431;
		}
		/* a bare LF line end would never complete: say so at once */
		for (size_t k = 0; k < len; k++)
			if (buf[k] == '\n' && (k == 0 || buf[k - 1] != '\r')) {
				bg_http_whyf(why, whylen, "bare LF line end; HTTP lines end with CRLF");
				return -400;
			}
		return 0;
	}
	if (end > BG_HTTP_MAX_HEAD) {
		bg_http_whyf(why, whylen, "request head over %d bytes", BG_HTTP_MAX_HEAD);
		return -431;
	}
	/* method SP target SP HTTP/1.x CRLF */
	ms = i;
	while (i < end && tchar((unsigned char)buf[i]))
		i++;
	if (i == ms || i - ms >= sizeof(r->method) || buf[i] != ' ') {
		bg_http_whyf(why, whylen, "malformed request line (no method)");
		return -400;
	}
	memcpy(r->method, buf + ms, i - ms);
	ts = ++i;
	while (i < end && buf[i] != ' ' && buf[i] != '\r')
		i++;
	te = i;
	if (te == ts || buf[i] != ' ') {
		bg_http_whyf(why, whylen, "malformed request line (no target or no version)");
		return -400;
	}
	if (te - ts > BG_HTTP_MAX_TARGET) {
		bg_http_whyf(why, whylen, "request target over %d bytes", BG_HTTP_MAX_TARGET);
		return -400;
	}
	for (size_t k = ts; k < te; k++)
		if ((unsigned char)buf[k] <= 0x20 || (unsigned char)buf[k] >= 0x7f) {
			bg_http_whyf(why, whylen, "request target has a byte outside printable ASCII");
			return -400;
		}
	memcpy(r->target, buf + ts, te - ts);
	r->target[te - ts] = '\0';
	i++;
	if (end - i < 10 || memcmp(buf + i, "HTTP/1.", 7) || buf[i + 8] != '\r' || buf[i + 9] != '\n') {
		if (end - i >= 5 && !memcmp(buf + i, "HTTP/", 5)) {
			bg_http_whyf(why, whylen, "only HTTP/1.0 and HTTP/1.1 are spoken");
			return -505;
		}
		bg_http_whyf(why, whylen, "malformed request line (version)");
		return -400;
	}
	if (buf[i + 7] != '0' && buf[i + 7] != '1') {
		bg_http_whyf(why, whylen, "only HTTP/1.0 and HTTP/1.1 are spoken");
		return -505;
	}
	r->minor = buf[i + 7] - '0';
	i += 10;
	st = walk_fields(buf, i, end, req_field, &f, why, whylen);
	if (st)
		return st < 0 && st != -1 ? st : -400;
	r->keep_alive = r->minor == 1 ? !f.conn_close : (f.conn_keep && !f.conn_close);
	if (!strcmp(r->method, "HEAD"))
		r->head = true;
	else if (strcmp(r->method, "GET")) {
		bg_http_whyf(why, whylen, "method %s not allowed; the GOPROXY protocol is GET only", r->method);
		return -405;
	}
	if (r->target[0] != '/') {
		bg_http_whyf(why, whylen, "request target must be a path starting with '/'");
		return -400;
	}
	return (int)end;
}

struct resp_fields {
	struct bg_http_resp *r;
};

static int resp_field(void *ctx, const char *n, size_t nl, const char *v, size_t vl, char *why,
		      size_t whylen)
{
	struct bg_http_resp *r = ((struct resp_fields *)ctx)->r;

	if (name_is(n, nl, "Content-Length")) {
		int64_t x = parse_len(v, vl);

		if (x < 0 || (r->content_length >= 0 && r->content_length != x)) {
			bg_http_whyf(why, whylen, "invalid or conflicting Content-Length");
			return -1;
		}
		r->content_length = x;
	} else if (name_is(n, nl, "Transfer-Encoding")) {
		if (vl != 7 || strncasecmp(v, "chunked", 7)) {
			bg_http_whyf(why, whylen, "Transfer-Encoding other than chunked");
			return -1;
		}
		r->chunked = true;
	} else if (name_is(n, nl, "Connection")) {
		r->close |= list_has(v, vl, "close");
	} else if (name_is(n, nl, "X-Bpfguard-Content-Sha256")) {
		if (r->have_sha256 || vl != 64) {
			bg_http_whyf(why, whylen, "X-Bpfguard-Content-Sha256 is not one 64-digit hex SHA-256");
			return -1;
		}
		for (size_t k = 0; k < 32; k++) {
			int hi = bg_unhex((char)v[2 * k]), lo = bg_unhex((char)v[2 * k + 1]);

			if (hi < 0 || lo < 0) {
				bg_http_whyf(why, whylen, "X-Bpfguard-Content-Sha256 is not hex");
				return -1;
			}
			r->sha256[k] = (uint8_t)(hi << 4 | lo);
		}
		r->have_sha256 = true;
	} else if (name_is(n, nl, "X-Bpfguard-Signature")) {
		if (r->sig_b64[0] || !vl || vl > BG_HTTP_MAX_SIG_B64) {
			bg_http_whyf(why, whylen, "X-Bpfguard-Signature repeated, empty or over %d bytes",
			     BG_HTTP_MAX_SIG_B64);
			return -1;
		}
		memcpy(r->sig_b64, v, vl);
		r->sig_b64[vl] = '\0';
	} else if (name_is(n, nl, "X-Bpfguard-Key-Id")) {
		if (r->key_id[0] || !vl || vl >= sizeof(r->key_id)) {
			bg_http_whyf(why, whylen, "X-Bpfguard-Key-Id repeated, empty or too long");
			return -1;
		}
		memcpy(r->key_id, v, vl);
		r->key_id[vl] = '\0';
	}
	return 0;
}

int bg_http_parse_response(const char *buf, size_t len, struct bg_http_resp *r, char *why,
			   size_t whylen)
{
	struct resp_fields f = { .r = r };
	size_t end, i;

	memset(r, 0, sizeof(*r));
	r->content_length = -1;
	end = head_end(buf, len);
	if (!end || end > BG_HTTP_MAX_HEAD) {
		if (len >= BG_HTTP_MAX_HEAD || end > BG_HTTP_MAX_HEAD) {
			bg_http_whyf(why, whylen, "response head over %d bytes", BG_HTTP_MAX_HEAD);
			return -1;
		}
		return 0;
	}
	/* HTTP/1.x SP 3DIGIT SP reason CRLF */
	if (end < 14 || memcmp(buf, "HTTP/1.", 7) || (buf[7] != '0' && buf[7] != '1') || buf[8] != ' ' ||
	    !isdigit((unsigned char)buf[9]) || !isdigit((unsigned char)buf[10]) ||
	    !isdigit((unsigned char)buf[11]) || (buf[12] != ' ' && buf[12] != '\r')) {
		bg_http_whyf(why, whylen, "not an HTTP/1.x status line");
		return -1;
	}
	r->minor = buf[7] - '0';
	r->status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	if (r->status < 100) {
		bg_http_whyf(why, whylen, "status %d out of range", r->status);
		return -1;
	}
	for (i = 12; i + 1 < end && !(buf[i] == '\r' && buf[i + 1] == '\n'); i++)
		if ((unsigned char)buf[i] < 0x20 && buf[i] != '\t') {
			bg_http_whyf(why, whylen, "control character in the status line");
			return -1;
		}
	i += 2;
	if (walk_fields(buf, i, end, resp_field, &f, why, whylen))
		return -1;
	if (r->chunked && r->content_length >= 0) {
		/* RFC 9112 6.3: both is how responses are smuggled */
		bg_http_whyf(why, whylen, "both Content-Length and Transfer-Encoding");
		return -1;
	}
	if (r->minor == 0)
		r->close = true;
	return (int)end;
}

/* Waits until fd is ready for events or timeout_ms passes: 0, -ETIMEDOUT
 * or -errno. */
static int wait_fd(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r ? 0 : -ETIMEDOUT;
}

int bg_http_write_all(int fd, const void *buf, size_t len, int timeout_ms)
{
	return bg_http_write_flags(fd, buf, len, timeout_ms, 0);
}

int bg_http_write_flags(int fd, const void *buf, size_t len, int timeout_ms, int flags)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT | flags);

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			int w = wait_fd(fd, POLLOUT, timeout_ms);

			if (w)
				return w;
			continue;
		}
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int bg_http_url_parse(const char *url, struct bg_http_url *u, struct bg_diag *d)
{
	const char *h, *he, *p, *colon = NULL;
	size_t hl;

	memset(u, 0, sizeof(*u));
	if (!strncmp(url, "https://", 8)) {
		bg_diag_set(d, "%s: https:// is not supported; use http:// on a trusted network or a file tree (docs/go-proxy.md)", url);
		return -1;
	}
	if (strncmp(url, "http://", 7)) {
		bg_diag_set(d, "%s: not an http:// URL; give http://HOST:PORT/PATH", url);
		return -1;
	}
	h = url + 7;
	p = h + strcspn(h, "/?#");
	if (*p == '?' || *p == '#') {
		bg_diag_set(d, "%s: a query or fragment is not supported in the URL; drop it", url);
		return -1;
	}
	if (*h == '[') {
		he = memchr(h, ']', (size_t)(p - h));
		if (!he) {
			bg_diag_set(d, "%s: unterminated [IPv6] host", url);
			return -1;
		}
		hl = (size_t)(he - h - 1);
		h++;
		if (he + 1 < p) {
			if (he[1] != ':') {
				bg_diag_set(d, "%s: junk after the [IPv6] host", url);
				return -1;
			}
			colon = he + 1;
		}
	} else {
		colon = memchr(h, ':', (size_t)(p - h));
		hl = (size_t)((colon ? colon : p) - h);
	}
	if (!hl || hl >= sizeof(u->host) || memchr(h, '@', hl)) {
		bg_diag_set(d, "%s: no host, a host over %zu bytes, or user info; give http://HOST:PORT/PATH",
			    url, sizeof(u->host) - 1);
		return -1;
	}
	memcpy(u->host, h, hl);
	if (colon) {
		size_t pl = (size_t)(p - colon - 1);

		if (!pl || pl >= sizeof(u->port) || strspn(colon + 1, "0123456789") < pl) {
			bg_diag_set(d, "%s: the port is not a number", url);
			return -1;
		}
		memcpy(u->port, colon + 1, pl);
	} else {
		strcpy(u->port, "80");
	}
	if (strlen(p) > BG_HTTP_MAX_TARGET / 2) {
		bg_diag_set(d, "%s: path over %d bytes", url, BG_HTTP_MAX_TARGET / 2);
		return -1;
	}
	for (const char *q = p; *q; q++)
		if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7f) {
			bg_diag_set(d, "%s: the path has a space or a byte outside printable ASCII; percent-encode it", url);
			return -1;
		}
	strcpy(u->path, p);
	/* no trailing slash: targets are joined as path + "/..." */
	while (u->path[0] && u->path[strlen(u->path) - 1] == '/')
		u->path[strlen(u->path) - 1] = '\0';
	return 0;
}

/* Connects to host:port within timeout_ms: the socket or -1 with d set. */
static int dial(const struct bg_http_url *u, int timeout_ms, struct bg_diag *d)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL, *a;
	int fd = -1, gai, err = 0;

	gai = getaddrinfo(u->host, u->port, &hints, &res);
	if (gai) {
		bg_diag_set(d, "cannot resolve %s: %s; check the host name", u->host, gai_strerror(gai));
		return -1;
	}
	for (a = res; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (!connect(fd, a->ai_addr, a->ai_addrlen))
			break;
		if (errno == EINPROGRESS) {
			int w = wait_fd(fd, POLLOUT, timeout_ms), e = 0;
			socklen_t el = sizeof(e);

			if (!w && !getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) && !e)
				break;
			err = w ? -w : e;
		} else {
			err = errno;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		bg_diag_set(d, "cannot connect to %s:%s: %s; is the server running?", u->host, u->port,
			    strerror(err ? err : ECONNREFUSED));
		if (d)
			d->err_no = err;
	}
	return fd;
}

/* The client's buffered reader over a socket with a per-read deadline. */
struct rd {
	int fd, timeout_ms;
	char buf[BG_HTTP_MAX_HEAD];
	size_t off, len;
};

/* Reads more into the buffer (after compacting): bytes read, 0 at EOF, -1
 * with d set. */
static ssize_t rd_more(struct rd *r, struct bg_diag *d)
{
	ssize_t n;

	if (r->off) {
		memmove(r->buf, r->buf + r->off, r->len - r->off);
		r->len -= r->off;
		r->off = 0;
	}
	if (r->len == sizeof(r->buf))
		return -1;
	for (;;) {
		n = recv(r->fd, r->buf + r->len, sizeof(r->buf) - r->len, MSG_DONTWAIT);
		if (n >= 0)
			break;
		if (errno == EAGAIN || errno == EINTR) {
			int w = wait_fd(r->fd, POLLIN, r->timeout_ms);

			if (w) {
				bg_diag_set(d, "reading the response: %s", strerror(-w));
				return -1;
			}
			continue;
		}
		bg_diag_set(d, "reading the response: %s", strerror(errno));
		return -1;
	}
	r->len += (size_t)n;
	return n;
}

/* The body sink: writes to out_fd (200) or keeps a prefix in errbody. */
struct sink {
	int fd;
	EVP_MD_CTX *md;
	char *errbody;
	size_t errlen, errused;
	uint64_t total, max;
};

static int sink_put(struct sink *s, const char *p, size_t n, struct bg_diag *d)
{
	if (s->total + n > s->max) {
		bg_diag_set(d, "response body over the %llu-byte limit; refused",
			    (unsigned long long)s->max);
		if (d)
			d->err_no = EFBIG;
		return -1;
	}
	s->total += n;
	if (s->fd >= 0) {
		if (s->md && !EVP_DigestUpdate(s->md, p, n)) {
			bg_diag_set(d, "SHA-256 failed");
			return -1;
		}
		while (n) {
			ssize_t w = write(s->fd, p, n);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				bg_diag_set(d, "writing the body to a temporary file: %s; check the space in $TMPDIR",
					    strerror(w < 0 ? errno : ENOSPC));
				return -1;
			}
			p += w;
			n -= (size_t)w;
		}
	} else if (s->errbody && s->errused + 1 < s->errlen) {
		size_t k = s->errlen - 1 - s->errused;

		k = k < n ? k : n;
		memcpy(s->errbody + s->errused, p, k);
		s->errused += k;
		s->errbody[s->errused] = '\0';
	}
	return 0;
}

/* Passes exactly n body bytes (or to EOF when n < 0) from r to s. */
static int body_copy(struct rd *r, int64_t n, struct sink *s, struct bg_diag *d)
{
	for (;;) {
		size_t have = r->len - r->off, k = have;

		if (n >= 0 && (uint64_t)n < k)
			k = (size_t)n;
		if (k) {
			if (sink_put(s, r->buf + r->off, k, d))
				return -1;
			r->off += k;
			if (n >= 0)
				n -= (int64_t)k;
		}
		if (n == 0)
			return 0;
		ssize_t m = rd_more(r, d);

		if (m < 0)
			return -1;
		if (m == 0) {
			if (n < 0)
				return 0;
			bg_diag_set(d, "the connection closed %lld bytes before the body's end", (long long)n);
			return -1;
		}
	}
}

/* Reads one CRLF-ended line of at most 256 bytes into line. */
static int rd_line(struct rd *r, char *line, size_t linelen, struct bg_diag *d)
{
	for (;;) {
		char *nl = memchr(r->buf + r->off, '\n', r->len - r->off);

		if (nl) {
			size_t l = (size_t)(nl - (r->buf + r->off));

			if (!l || r->buf[r->off + l - 1] != '\r' || l > linelen) {
				bg_diag_set(d, "malformed chunk line in the response");
				return -1;
			}
			memcpy(line, r->buf + r->off, l - 1);
			line[l - 1] = '\0';
			r->off += l + 1;
			return 0;
		}
		if (r->len - r->off > 256) {
			bg_diag_set(d, "chunk line over 256 bytes in the response");
			return -1;
		}
		ssize_t m = rd_more(r, d);

		if (m <= 0) {
			if (!m)
				bg_diag_set(d, "the connection closed inside a chunked body");
			return -1;
		}
	}
}

/* A chunked body (RFC 9112 7.1): size [;ext] CRLF data CRLF ... 0 CRLF
 * trailers CRLF. */
static int chunked_copy(struct rd *r, struct sink *s, struct bg_diag *d)
{
	char line[260];

	for (;;) {
		uint64_t sz = 0;
		size_t k;

		if (rd_line(r, line, 257, d))
			return -1;
		for (k = 0; line[k] && line[k] != ';'; k++) {
			int h = bg_unhex((char)line[k]);

			if (h < 0 || sz >> 56) {
				bg_diag_set(d, "malformed chunk size in the response");
				return -1;
			}
			sz = sz << 4 | (uint64_t)h;
		}
		if (!k) {
			bg_diag_set(d, "empty chunk size in the response");
			return -1;
		}
		if (!sz)
			break;
		if (sz > s->max) {
			bg_diag_set(d, "response body over the %llu-byte limit; refused",
				    (unsigned long long)s->max);
			if (d)
				d->err_no = EFBIG;
			return -1;
		}
		if (body_copy(r, (int64_t)sz, s, d) || rd_line(r, line, 257, d))
			return -1;
		if (line[0]) {
			bg_diag_set(d, "chunk data longer than its size in the response");
			return -1;
		}
	}
	/* trailers, up to the blank line; bounded by rd_line and a count */
	for (int t = 0; t < BG_HTTP_MAX_FIELDS; t++) {
		if (rd_line(r, line, 257, d))
			return -1;
		if (!line[0])
			return 0;
	}
	bg_diag_set(d, "too many trailer lines in the response");
	return -1;
}

int bg_http_get(const struct bg_http_url *u, const char *target, int out_fd, uint64_t max,
		int timeout_ms, struct bg_http_resp *resp, uint8_t sha256[32], char *errbody,
		size_t errlen, struct bg_diag *d)
{
	struct rd *r = NULL;
	struct sink s = { .fd = -1, .errbody = errbody, .errlen = errlen, .max = max };
	char req[BG_HTTP_MAX_TARGET * 2 + 512], why[160];
	int fd, n, rc = -1, hl;
	unsigned int mdlen;

	if (errbody && errlen)
		errbody[0] = '\0';
	n = snprintf(req, sizeof(req),
		     "GET %s%s HTTP/1.1\r\nHost: %s%s%s:%s\r\nUser-Agent: bpfguard/" BPFGUARD_VERSION
		     "\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n",
		     u->path, target, strchr(u->host, ':') ? "[" : "", u->host,
		     strchr(u->host, ':') ? "]" : "", u->port);
	if (n < 0 || (size_t)n >= sizeof(req)) {
		bg_diag_set(d, "request target too long");
		return -1;
	}
	fd = dial(u, timeout_ms, d);
	if (fd < 0)
		return -1;
	r = calloc(1, sizeof(*r));
	if (!r) {
		bg_diag_set(d, "out of memory");
		goto out;
	}
	r->fd = fd;
	r->timeout_ms = timeout_ms;
	n = bg_http_write_all(fd, req, (size_t)n, timeout_ms);
	if (n) {
		bg_diag_set(d, "sending the request to %s:%s: %s", u->host, u->port, strerror(-n));
		goto out;
	}
	for (;;) {
		ssize_t m;

		hl = bg_http_parse_response(r->buf, r->len, resp, why, sizeof(why));
		if (hl < 0) {
			bg_diag_set(d, "%s:%s sent a bad response head: %s", u->host, u->port, why);
			goto out;
		}
		if (hl > 0)
			break;
		m = rd_more(r, d);
		if (m <= 0) {
			if (!m)
				bg_diag_set(d, "%s:%s closed the connection before a whole response head",
					    u->host, u->port);
			goto out;
		}
	}
	r->off = (size_t)hl;
	if (resp->status == 200) {
		s.fd = out_fd;
		if (sha256) {
			s.md = EVP_MD_CTX_new();
			if (!s.md || !EVP_DigestInit_ex(s.md, EVP_sha256(), NULL)) {
				bg_diag_set(d, "SHA-256 unavailable");
				goto out;
			}
		}
		if (resp->content_length >= 0 && (uint64_t)resp->content_length > max) {
			bg_diag_set(d, "response body of %lld bytes is over the %llu-byte limit; refused",
				    (long long)resp->content_length, (unsigned long long)max);
			if (d)
				d->err_no = EFBIG;
			goto out;
		}
	} else {
		/* an error's reason: keep what fits, read no more than 64 KiB */
		s.max = 65536;
	}
	{
		/* an error body cut short still says what it says: its
		 * failures are not the exchange's */
		struct bg_diag *bd = resp->status == 200 ? d : NULL;

		if (resp->chunked)
			n = chunked_copy(r, &s, bd);
		else
			n = body_copy(r, resp->content_length, &s, bd);
		if (n && resp->status == 200)
			goto out;
	}
	if (s.md && !EVP_DigestFinal_ex(s.md, sha256, &mdlen)) {
		bg_diag_set(d, "SHA-256 failed");
		goto out;
	}
	rc = 0;
out:
	if (s.md)
		EVP_MD_CTX_free(s.md);
	free(r);
	close(fd);
	return rc;
}

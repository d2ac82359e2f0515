// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * proxy.c - `bpfguard go proxy`: the GOPROXY protocol served from an
 * upstream, each answer verified against pinned go.sum lines before a
 * byte of it is sent.  docs/go-proxy.md is the user's description.
 *
 * Trust: the upstream is not trusted at all; the go.sum files are.  A
 * .zip is sent only when its h1: (the module-zip rules checked too, as the
 * go command checks them) is one go.sum pins for that module and version,
 * a .mod only when its h1: is the pinned "/go.mod" line; .info, list and
 * @latest carry no hash in go.sum, so they are limited to pinned versions
 * and checked for form.  Refusals are 403 (the go command stops: a 404 or
 * 410 would make it try the next proxy in GOPROXY, which must not be how a
 * refused module gets in), absence is 404, a bad request 400, an upstream
 * failure 502; each body is one line saying why.
 *
 * Serving: one thread per connection up to max_conns (the 2 to 8
 * connections a go command opens are the normal load; a cap, not a pool,
 * because a connection spends its time in I/O and hashing threads of its
 * own), keep-alive with a request cap, and a deadline on every read and
 * write so a slow client holds its slot for a bounded time.  A zip goes
 * upstream -> unlinked temporary file (hashed while copied) -> h1:
 * verification from that file -> sendfile: its size never shows in the
 * proxy's memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto_fns.h"
#include "exitcodes.h"
#include "go_dirhash.h"
#include "gosum.h"
#include "http.h"
#include "proxy.h"
#include "sig.h"
#include "upstream.h"
#include "util.h"

/* Requests on one connection before it is closed (Go's client reopens). */
#define MAX_REQS_PER_CONN 1000
/* Connection thread stack: handlers keep their buffers on the heap. */
#define CONN_STACK (1u << 20)
/* How long a stop waits for requests in flight. */
#define STOP_WAIT_MS 5000
/* Verified zips kept (their unlinked copies in $TMPDIR), at most this many
 * and this many bytes: a zip asked again is sent without fetching and
 * hashing it again.  Safe because the copy is the proxy's own unlinked
 * file, which nothing else can open or change. */
#define ZCACHE_MAX 32
#define ZCACHE_BYTES (1ULL << 30)

struct pins {
	struct bg_gosum *gs;
	size_t n;
	char names[1024]; /* "a/go.sum, b/go.sum" for messages */
};

struct zcache_ent {
	char key[BG_GP_MAX_MODPATH + BG_GP_MAX_VERSION + 2]; /* "mod@ver"; "" when free */
	int fd;
	uint64_t size, used;
	uint8_t sha256[32];
};

struct server {
	const struct bg_goproxy_config *c;
	struct bg_upstream up;
	struct pins pins;
	struct bg_sig_privkey *key;
	unsigned max_conns;
	int timeout_ms;
	atomic_uint active;
	pthread_mutex_t lock;
	int *conn_fds; /* max_conns slots, -1 when free: shut down at stop */
	struct zcache_ent zc[ZCACHE_MAX]; /* under lock */
	uint64_t zc_bytes, zc_tick;
};

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* ------------------------------------------------------------------------
 * Pins: the union of the go.sum files.
 */

static int pins_load(struct pins *p, const char *const *files, size_t n, struct bg_diag *d)
{
	size_t o = 0;

	p->gs = calloc(n ? n : 1, sizeof(*p->gs));
	if (!p->gs) {
		bg_diag_set(d, "out of memory");
		return BG_EXIT_FAIL;
	}
	for (size_t i = 0; i < n; i++) {
		int r = bg_gosum_load(files[i], &p->gs[i], d);

		if (r)
			return r == -ENOMEM ? BG_EXIT_FAIL : BG_EXIT_USAGE;
		p->n++;
		if (o < sizeof(p->names))
			o += (size_t)snprintf(p->names + o, sizeof(p->names) - o, "%s%s", i ? ", " : "",
					      files[i]);
	}
	if (o >= sizeof(p->names))
		strcpy(p->names + sizeof(p->names) - 5, "...");
	return 0;
}

static void pins_free(struct pins *p)
{
	for (size_t i = 0; i < p->n; i++)
		bg_gosum_free(&p->gs[i]);
	free(p->gs);
	p->gs = NULL;
}

/* Whether any line pins mod@ver (gomod: the "/go.mod" line; -1: either). */
static bool pinned(const struct pins *p, const char *mod, const char *ver, int gomod)
{
	for (size_t i = 0; i < p->n; i++) {
		size_t cnt = 0;

		if (gomod != 1)
			bg_gosum_lookup(&p->gs[i], mod, ver, false, &cnt);
		if (!cnt && gomod != 0)
			bg_gosum_lookup(&p->gs[i], mod, ver, true, &cnt);
		if (cnt)
			return true;
	}
	return false;
}

/* Whether h is one of the pinned hashes; the pinned ones, joined with
 * " or ", into shown. */
static bool pin_matches(const struct pins *p, const char *mod, const char *ver, bool gomod,
			const char *h, char *shown, size_t shownlen)
{
	size_t o = 0;
	bool hit = false;

	shown[0] = '\0';
	for (size_t i = 0; i < p->n; i++) {
		size_t cnt;
		const struct bg_gosum_entry *e = bg_gosum_lookup(&p->gs[i], mod, ver, gomod, &cnt);

		for (size_t k = 0; e && k < cnt; k++) {
			hit |= !strcmp(e[k].hash, h);
			if (o < shownlen && !strstr(shown, e[k].hash))
				o += (size_t)snprintf(shown + o, shownlen - o, "%s%s", o ? " or " : "",
						      e[k].hash);
		}
	}
	return hit;
}

static int cmp_ver(const void *a, const void *b)
{
	return bg_gp_semver_cmp(*(const char *const *)a, *(const char *const *)b);
}

/* The versions of mod with a pinned zip line, tagged (no pseudo-versions,
 * as @v/list has them), semver-sorted, duplicates removed: a malloc'd
 * array of pointers into the go.sum buffers. */
static const char **pinned_versions(const struct pins *p, const char *mod, size_t *np)
{
	const char **v = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < p->n; i++) {
		const struct bg_gosum *g = &p->gs[i];
		size_t lo = 0, hi = g->n;

		/* lower bound of mod: the entries are sorted by path */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (strcmp(g->e[mid].path, mod) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t k = lo; k < g->n && !strcmp(g->e[k].path, mod); k++) {
			if (g->e[k].gomod || bg_gp_is_pseudo(g->e[k].version) ||
			    !bg_gp_semver_valid(g->e[k].version))
				continue;
			if (n == cap) {
				const char **nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));

				if (!nv) {
					free(v);
					*np = 0;
					return NULL;
				}
				v = nv;
			}
			v[n++] = g->e[k].version;
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_ver);
	size_t u = 0;
	for (size_t i = 0; i < n; i++)
		if (!u || strcmp(v[u - 1], v[i]))
			v[u++] = v[i];
	*np = u;
	return v;
}

/* ------------------------------------------------------------------------
 * Answers.
 */

struct answer {
	int status;
	const char *ctype;
	char *body; /* malloc'd; or the file below */
	size_t blen;
	int fd; /* a verified file to send (-1: none) */
	uint64_t fsize;
	uint8_t sha256[32]; /* of the body, for the signature headers */
	char reason[BG_DIAG_MSG_MAX]; /* the error body, one line */
	char canon[BG_HTTP_MAX_TARGET * 2]; /* the canonical path, for the signature */
};

static void answer_reset(struct answer *a)
{
	free(a->body);
	if (a->fd >= 0)
		close(a->fd);
	memset(a, 0, sizeof(*a));
	a->fd = -1;
}

static void refuse(struct answer *a, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void refuse(struct answer *a, int status, const char *fmt, ...)
{
	va_list ap;

	a->status = status;
	va_start(ap, fmt);
	vsnprintf(a->reason, sizeof(a->reason), fmt, ap);
	va_end(ap);
	/* one line whatever a quoted upstream body held */
	for (char *p = a->reason; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
}

/* A body from memory: takes buf. */
static int answer_mem(struct answer *a, char *buf, size_t len, const char *ctype)
{
	a->status = 200;
	a->body = buf;
	a->blen = len;
	a->ctype = ctype;
	if (!EVP_Digest(buf, len, a->sha256, NULL, EVP_sha256(), NULL)) {
		refuse(a, 500, "SHA-256 failed");
		return -1;
	}
	return 0;
}

/* Reads a small fetched file whole (len bytes) and closes it. */
static char *slurp(int fd, uint64_t len)
{
	char *b = malloc(len + 1);
	size_t o = 0;

	while (b && o < len) {
		ssize_t n = read(fd, b + o, len - o);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(b);
			b = NULL;
			break;
		}
		o += (size_t)n;
	}
	if (b)
		b[len] = '\0';
	close(fd);
	return b;
}

/* The upstream-relative path of mod's file ("list", "v1.0.0.zip" ...). */
static int rel_path(char *out, size_t outlen, const char *mod, const char *file)
{
	char em[BG_GP_MAX_MODPATH * 2 + 1];

	if (bg_gp_escape(mod, em, sizeof(em)) < 0)
		return -1;
	return (size_t)snprintf(out, outlen, "%s/%s", em, file) >= outlen ? -1 : 0;
}

/* Fetches mod's FILE into a temporary file: 0, or the answer is set. */
static int fetch(struct server *s, struct answer *a, const char *mod, const char *file, uint64_t max,
		 int *fd, uint64_t *size, const char *what)
{
	char rel[BG_HTTP_MAX_TARGET * 2];
	struct bg_diag d = {};
	int r;

	if (rel_path(rel, sizeof(rel), mod, file)) {
		refuse(a, 400, "path too long");
		return -1;
	}
	/* the whole body's SHA-256 is for the signature header only */
	r = bg_upstream_fetch(&s->up, rel, max, fd, size, s->key ? a->sha256 : NULL, &d);
	if (r == 1) {
		refuse(a, 404, "upstream %s has no %s", s->up.shown, what);
		return -1;
	}
	if (r) {
		if (d.err_no == EFBIG)
			refuse(a, 403, "%s of %s is over the %llu-byte limit%s: refused", what, mod,
			       (unsigned long long)max,
			       max == BG_GOZIP_MAX_SIZE ? " (Go's own limit for module zips, 500 MiB)" : "");
		else
			refuse(a, 502, "%s; the upstream failed, retry later or check --upstream", d.msg);
		return -1;
	}
	return 0;
}

static void not_pinned(struct server *s, struct answer *a, const char *mod, const char *ver)
{
	refuse(a, 403, "module %s@%s is not in the pin list (go.sum files: %s); add its go.sum lines to serve it",
	       mod, ver, s->pins.names);
}

/* Whether the zip (or the go.mod) of mod@ver is pinned; if not, the
 * refusal says whether the version is pinned at all. */
static bool require_pin(struct server *s, struct answer *a, const char *mod, const char *ver, bool gomod)
{
	if (pinned(&s->pins, mod, ver, gomod))
		return true;
	if (pinned(&s->pins, mod, ver, !gomod))
		refuse(a, 403, "%s of %s@%s is not pinned (the go.sum files %s have only its %s line); add its %s line",
		       gomod ? "go.mod" : "zip", mod, ver, s->pins.names, gomod ? "zip" : "/go.mod",
		       gomod ? "/go.mod" : "zip");
	else
		not_pinned(s, a, mod, ver);
	return false;
}

/* The .info of mod@ver: the upstream's, checked for form, or one made
 * from the version alone when the upstream has none (Time is optional to
 * the go command). */
static void do_info(struct server *s, struct answer *a, const char *mod, const char *ver)
{
	char file[BG_GP_MAX_VERSION * 2 + 16], ev[BG_GP_MAX_VERSION * 2 + 1], *b;
	struct json_tokener *tok;
	struct json_object *o = NULL, *v;
	uint64_t size;
	int fd;

	if (bg_gp_escape(ver, ev, sizeof(ev)) < 0) {
		refuse(a, 400, "version too long");
		return;
	}
	snprintf(file, sizeof(file), "@v/%s.info", ev);
	if (fetch(s, a, mod, file, BG_GP_MAX_INFO, &fd, &size, "info")) {
		if (a->status != 404)
			return;
		/* synthesise: the version is all the go command needs */
		a->status = 0;
		b = malloc(BG_GP_MAX_VERSION + 32);
		if (!b) {
			refuse(a, 500, "out of memory");
			return;
		}
		snprintf(b, BG_GP_MAX_VERSION + 32, "{\"Version\":\"%s\"}", ver);
		answer_mem(a, b, strlen(b), "application/json");
		return;
	}
	b = slurp(fd, size);
	if (!b) {
		refuse(a, 502, "reading the upstream's .info of %s@%s failed", mod, ver);
		return;
	}
	tok = json_tokener_new_ex(8);
	if (tok)
		o = json_tokener_parse_ex(tok, b, (int)size);
	if (!o || json_tokener_get_error(tok) != json_tokener_success || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "Version", &v) || !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), ver)) {
		refuse(a, 502, "upstream .info of %s@%s is not a JSON object naming Version %s; the upstream is broken or lying",
		       mod, ver, ver);
		free(b);
	} else {
		answer_mem(a, b, size, "application/json");
	}
	json_object_put(o);
	if (tok)
		json_tokener_free(tok);
}

static void do_mod(struct server *s, struct answer *a, const char *mod, const char *ver)
{
	char file[BG_GP_MAX_VERSION * 2 + 16], ev[BG_GP_MAX_VERSION * 2 + 1], h1[BG_H1_LEN], shown[512];
	const char *name = "go.mod";
	struct bg_diag d = {};
	uint64_t size;
	size_t len;
	char *b;
	int fd;

	if (!require_pin(s, a, mod, ver, true))
		return;
	bg_gp_escape(ver, ev, sizeof(ev));
	snprintf(file, sizeof(file), "@v/%s.mod", ev);
	if (fetch(s, a, mod, file, BG_GP_MAX_MOD, &fd, &size, "go.mod"))
		return;
	b = slurp(fd, size);
	if (!b) {
		refuse(a, 502, "reading the upstream's go.mod of %s@%s failed", mod, ver);
		return;
	}
	len = (size_t)size;
	if (bg_h1_buffers(&name, (const void *const *)&b, &len, 1, h1, &d)) {
		refuse(a, 500, "hashing go.mod: %s", d.msg);
		free(b);
		return;
	}
	if (!pin_matches(&s->pins, mod, ver, true, h1, shown, sizeof(shown))) {
		refuse(a, 403, "h1 mismatch: go.sum pins %s, upstream go.mod of %s@%s hashes to %s; the upstream's go.mod was changed: not served",
		       shown, mod, ver, h1);
		free(b);
		return;
	}
	answer_mem(a, b, len, "text/plain; charset=utf-8");
}

/* A verified zip from the cache: a dup of its descriptor (sendfile reads
 * at its own offsets, and eviction closing the original does not close
 * this one), or -1. */
static int zcache_get(struct server *s, const char *key, uint64_t *size, uint8_t sha[32])
{
	int fd = -1;

	pthread_mutex_lock(&s->lock);
	for (int i = 0; i < ZCACHE_MAX; i++)
		if (s->zc[i].key[0] && !strcmp(s->zc[i].key, key)) {
			fd = fcntl(s->zc[i].fd, F_DUPFD_CLOEXEC, 0);
			*size = s->zc[i].size;
			memcpy(sha, s->zc[i].sha256, 32);
			s->zc[i].used = ++s->zc_tick;
			break;
		}
	pthread_mutex_unlock(&s->lock);
	return fd;
}

static void zcache_drop(struct server *s, int i)
{
	close(s->zc[i].fd);
	s->zc_bytes -= s->zc[i].size;
	s->zc[i].key[0] = '\0';
}

/* Keeps a dup of a verified zip, evicting the least recently used. */
static void zcache_put(struct server *s, const char *key, int fd, uint64_t size, const uint8_t sha[32])
{
	if (size > ZCACHE_BYTES)
		return;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		int lru = -1, nfree = -1;

		for (int i = 0; i < ZCACHE_MAX; i++) {
			if (!s->zc[i].key[0]) {
				nfree = i;
				continue;
			}
			if (!strcmp(s->zc[i].key, key))
				goto out; /* another request verified it meanwhile */
			if (lru < 0 || s->zc[i].used < s->zc[lru].used)
				lru = i;
		}
		if (nfree >= 0 && s->zc_bytes + size <= ZCACHE_BYTES) {
			int d = fcntl(fd, F_DUPFD_CLOEXEC, 0);

			if (d >= 0) {
				struct zcache_ent *e = &s->zc[nfree];

				snprintf(e->key, sizeof(e->key), "%s", key);
				e->fd = d;
				e->size = size;
				e->used = ++s->zc_tick;
				memcpy(e->sha256, sha, 32);
				s->zc_bytes += size;
			}
			goto out;
		}
		if (lru < 0)
			goto out;
		zcache_drop(s, lru);
	}
out:
	pthread_mutex_unlock(&s->lock);
}

/* The first module-zip rule violation, for the refusal's words. */
struct first_viol {
	char text[300];
};

static void first_viol(void *ctx, const char *name, size_t name_len, const char *why)
{
	struct first_viol *f = ctx;
	char q[160];

	if (f->text[0])
		return;
	if (name)
		bg_zip_quote(name, name_len, q, sizeof(q));
	else
		snprintf(q, sizeof(q), "(zip)");
	snprintf(f->text, sizeof(f->text), "%s: %s", q, why);
}

static void do_zip(struct server *s, struct answer *a, const char *mod, const char *ver)
{
	char file[BG_GP_MAX_VERSION * 2 + 16], ev[BG_GP_MAX_VERSION * 2 + 1], h1[BG_H1_LEN], shown[512];
	char path[64], prefix[BG_GP_MAX_MODPATH + BG_GP_MAX_VERSION + 2];
	struct first_viol fv = {};
	struct bg_modzip_sink rules = { .report = first_viol, .ctx = &fv };
	struct bg_diag d = {};
	uint64_t size;
	int fd, st;

	if (!require_pin(s, a, mod, ver, false))
		return;
	snprintf(prefix, sizeof(prefix), "%s@%s", mod, ver);
	fd = zcache_get(s, prefix, &size, a->sha256);
	if (fd >= 0)
		goto serve;
	bg_gp_escape(ver, ev, sizeof(ev));
	snprintf(file, sizeof(file), "@v/%s.zip", ev);
	if (fetch(s, a, mod, file, BG_GOZIP_MAX_SIZE, &fd, &size, "zip"))
		return;
	/* the zip reader opens a path: this process's view of the unlinked
	 * file is one, and it is the same inode the bytes are sent from */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	st = bg_h1_zip_file(path, prefix, &rules, h1, &d);
	if (st) {
		if (st == BG_ZIP_ERULES)
			refuse(a, 403, "upstream zip of %s@%s breaks the module-zip rules (%zu violations; first %s): the go command would refuse it, not served",
			       mod, ver, rules.nviol, fv.text);
		else if (st == BG_ZIP_EFORMAT)
			refuse(a, 403, "upstream zip of %s@%s is not a readable zip (%s): not served", mod, ver,
			       d.msg);
		else
			refuse(a, 500, "verifying the zip of %s@%s: %s", mod, ver, d.msg);
		close(fd);
		return;
	}
	if (!pin_matches(&s->pins, mod, ver, false, h1, shown, sizeof(shown))) {
		refuse(a, 403, "h1 mismatch: go.sum pins %s, upstream zip hashes to %s (%s@%s); the upstream's zip was changed: not served",
		       shown, h1, mod, ver);
		close(fd);
		return;
	}
	zcache_put(s, prefix, fd, size, a->sha256);
serve:
	a->status = 200;
	a->fd = fd;
	a->fsize = size;
	a->ctype = "application/zip";
}

/* The upstream's list, cut to the pinned versions. */
static void do_list(struct server *s, struct answer *a, const char *mod, bool latest)
{
	size_t np = 0, o = 0, cap;
	const char **pv = pinned_versions(&s->pins, mod, &np);
	const char *best = NULL;
	uint64_t size;
	char *ul, *b;
	int fd;

	if (!np) {
		free(pv);
		refuse(a, 404, "module %s has no version in the pin list (go.sum files: %s)", mod,
		       s->pins.names);
		return;
	}
	if (fetch(s, a, mod, "@v/list", BG_GP_MAX_LIST, &fd, &size, "version list")) {
		free(pv);
		return;
	}
	ul = slurp(fd, size);
	cap = 1;
	for (size_t i = 0; i < np; i++)
		cap += strlen(pv[i]) + 1;
	b = malloc(cap);
	if (!ul || !b) {
		free(ul);
		free(b);
		free(pv);
		refuse(a, 502, "reading the upstream's version list of %s failed", mod);
		return;
	}
	/* each pinned version the upstream lists too, in semver order */
	for (size_t i = 0; i < np; i++) {
		size_t vl = strlen(pv[i]);

		for (char *l = ul; *l;) {
			size_t ll = strcspn(l, "\r\n");

			if (ll == vl && !memcmp(l, pv[i], vl)) {
				memcpy(b + o, pv[i], vl);
				o += vl;
				b[o++] = '\n';
				best = pv[i];
				break;
			}
			l += ll;
			l += strspn(l, "\r\n");
		}
	}
	b[o] = '\0';
	free(ul);
	if (!latest) {
		answer_mem(a, b, o, "text/plain; charset=utf-8");
		free(pv);
		return;
	}
	free(b);
	if (!best) {
		refuse(a, 404, "no pinned version of %s is in the upstream's list", mod);
		free(pv);
		return;
	}
	do_info(s, a, mod, best);
	free(pv);
}

static void handle(struct server *s, const char *target, struct answer *a)
{
	struct bg_gp_path p;
	char why[256];

	if (!strncmp(target, "/sumdb/", 7)) {
		refuse(a, 404, "this proxy does not proxy checksum databases: it verifies against pinned go.sum lines; set GOSUMDB=off (or GONOSUMDB) for the modules it serves");
		return;
	}
	if (bg_gp_parse_path(target, &p, why, sizeof(why))) {
		refuse(a, 400, "bad request: %s", why);
		return;
	}
	if (bg_gp_canonical(&p, a->canon, sizeof(a->canon)) < 0) {
		refuse(a, 400, "bad request: path too long");
		return;
	}
	switch (p.kind) {
	case BG_GP_LIST:
		do_list(s, a, p.module, false);
		break;
	case BG_GP_LATEST:
		do_list(s, a, p.module, true);
		break;
	case BG_GP_INFO:
		if (!pinned(&s->pins, p.module, p.version, -1))
			not_pinned(s, a, p.module, p.version);
		else
			do_info(s, a, p.module, p.version);
		break;
	case BG_GP_MOD:
		do_mod(s, a, p.module, p.version);
		break;
	case BG_GP_ZIP:
		do_zip(s, a, p.module, p.version);
		break;
	}
}

/* ------------------------------------------------------------------------
 * Signatures: over the ASCII line
 *   "bpfguard-goproxy-v1 <canonical path> sha256:<hex of the body>"
 * (no newline; the path as bg_gp_canonical spells it), so a signature
 * names the path it was made for and cannot be replayed on another one.
 */

static int sign_headers(struct server *s, const char *target, const uint8_t sha[32], char *out,
			size_t outlen)
{
	char hex[65], msg[BG_HTTP_MAX_TARGET * 2 + 128];
	uint8_t *sig = NULL;
	size_t siglen = 0;
	struct bg_diag d = {};
	char *b64;
	int n;

	bg_sha256_hex(sha, hex);
	n = snprintf(msg, sizeof(msg), BG_GP_SIG_CONTEXT " %s sha256:%s", target, hex);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return -1;
	if (bg_sig_sign(s->key, (const uint8_t *)msg, (size_t)n, &sig, &siglen, &d)) {
		bg_err("go proxy: signing %s: %s", target, d.msg);
		return -1;
	}
	b64 = malloc(4 * ((siglen + 2) / 3) + 1);
	if (!b64) {
		free(sig);
		return -1;
	}
	EVP_EncodeBlock((unsigned char *)b64, sig, (int)siglen);
	n = snprintf(out, outlen,
		     "X-Bpfguard-Content-Sha256: %s\r\nX-Bpfguard-Signature: %s\r\nX-Bpfguard-Key-Id: %s\r\n",
		     hex, b64, bg_sig_privkey_id(s->key));
	free(b64);
	free(sig);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

static const char *status_text(int st)
{
	switch (st) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 431: return "Request Header Fields Too Large";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Internal Server Error";
	}
}

/* Sends a (head only for HEAD); -1 when the connection is unusable. */
static int send_answer(struct server *s, int fd, bool head_only, bool keep,
		       struct answer *a)
{
	char hdr[BG_HTTP_MAX_SIG_B64 + 1024];
	uint64_t len;
	int n, r;

	if (a->status != 200) {
		free(a->body);
		a->blen = strlen(a->reason);
		a->body = malloc(a->blen + 2);
		if (!a->body)
			return -1;
		memcpy(a->body, a->reason, a->blen);
		a->body[a->blen++] = '\n';
		a->ctype = "text/plain; charset=utf-8";
	}
	len = a->fd >= 0 ? a->fsize : a->blen;
	n = snprintf(hdr, sizeof(hdr),
		     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %llu\r\n"
		     "Cache-Control: no-store\r\nConnection: %s\r\n",
		     a->status, status_text(a->status), a->ctype, (unsigned long long)len,
		     keep ? "keep-alive" : "close");
	if (a->status == 200 && s->key &&
	    sign_headers(s, a->canon, a->sha256, hdr + n, sizeof(hdr) - (size_t)n - 2)) {
		/* an answer that should be signed and is not is not sent */
		return -1;
	}
	n = (int)strlen(hdr);
	memcpy(hdr + n, "\r\n", 3);
	n += 2;
	if ((r = bg_http_write_flags(fd, hdr, (size_t)n, s->timeout_ms, head_only ? 0 : MSG_MORE)))
		return -1;
	if (head_only)
		return 0;
	if (a->fd < 0)
		return bg_http_write_all(fd, a->body, a->blen, s->timeout_ms) ? -1 : 0;
	for (off_t off = 0; (uint64_t)off < a->fsize;) {
		size_t want = a->fsize - (uint64_t)off > (1u << 30) ? (1u << 30) : (size_t)(a->fsize - (uint64_t)off);
		ssize_t w = sendfile(fd, a->fd, &off, want);

		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			int r;

			do
				r = poll(&p, 1, s->timeout_ms);
			while (r < 0 && errno == EINTR);
			if (r <= 0)
				return -1; /* a reader slower than the deadline */
			continue;
		}
		if (w <= 0)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Connections.
 */

struct conn {
	struct server *s;
	int fd, slot;
	char peer[64];
	char buf[BG_HTTP_MAX_HEAD];
	size_t len;
};

static void log_line(struct server *s, const struct conn *c, const char *method, const char *target,
		     const struct answer *a)
{
	char t[200];

	if (s->c->quiet)
		return;
	bg_zip_quote(target, strlen(target), t, sizeof(t));
	bg_err("go proxy: %s %s %s %d%s%s", c->peer, method, t, a->status, a->status == 200 ? "" : " ",
	       a->status == 200 ? "" : a->reason);
}

/* Reads until a whole head is buffered; the head's length, 0 on a clean
 * close before any byte, or -status with why. */
static int read_head(struct conn *c, struct bg_http_req *req, char *why, size_t whylen)
{
	uint64_t deadline = bg_http_now_ms() + (uint64_t)c->s->timeout_ms;

	for (;;) {
		int r = c->len ? bg_http_parse_request(c->buf, c->len, req, why, whylen) : 0;
		uint64_t now;
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		ssize_t n;

		if (r)
			return r;
		now = bg_http_now_ms();
		/* the whole head within the deadline: a client sending a
		 * byte at a time (slowloris) is cut off too */
		if (now >= deadline || poll(&p, 1, (int)(deadline - now)) == 0) {
			snprintf(why, whylen, "request head not received within %d ms", c->s->timeout_ms);
			return c->len ? -408 : 0;
		}
		n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return 0;
		c->len += (size_t)n;
	}
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;
	struct server *s = c->s;
	struct bg_http_req *req = malloc(sizeof(*req));
	struct answer a = { .fd = -1 };
	sigset_t stop;

	/* SIGINT and SIGTERM go to the accept loop, which stops the server;
	 * a transfer in this thread is not interrupted by them */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);

	for (int nreq = 0; req && nreq < MAX_REQS_PER_CONN && !stop_flag; nreq++) {
		char why[256];
		int hl = read_head(c, req, why, sizeof(why));
		bool keep;

		if (hl == 0)
			break;
		answer_reset(&a);
		if (hl < 0) {
			refuse(&a, -hl, "bad request: %s", why);
			send_answer(s, c->fd, false, false, &a);
			log_line(s, c, "-", "-", &a);
			break;
		}
		keep = req->keep_alive && nreq + 1 < MAX_REQS_PER_CONN && !stop_flag;
		handle(s, req->target, &a);
		if (a.status >= 500 && a.status != 502)
			keep = false;
		log_line(s, c, req->method, req->target, &a);
		if (send_answer(s, c->fd, req->head, keep, &a) || !keep)
			break;
		/* a pipelined next request stays in the buffer */
		memmove(c->buf, c->buf + hl, c->len - (size_t)hl);
		c->len -= (size_t)hl;
	}
	answer_reset(&a);
	free(req);
	pthread_mutex_lock(&s->lock);
	s->conn_fds[c->slot] = -1;
	pthread_mutex_unlock(&s->lock);
	close(c->fd);
	free(c);
	atomic_fetch_sub(&s->active, 1);
	return NULL;
}

/* "HOST:PORT" / "[V6]:PORT" -> a listening socket; the bound address in
 * shown.  -1 with d set. */
static int listen_on(const char *addr, char *shown, size_t shownlen, struct bg_diag *d)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[256], port[16], h2[NI_MAXHOST], p2[NI_MAXSERV];
	const char *colon = strrchr(addr, ':');
	size_t hl;
	int fd, one = 1, gai;

	if (!colon || !colon[1] || strlen(colon + 1) >= sizeof(port)) {
		bg_diag_set(d, "--listen %s: want HOST:PORT (127.0.0.1:8080; port 0 picks one)", addr);
		return -1;
	}
	hl = (size_t)(colon - addr);
	if (hl >= 2 && addr[0] == '[' && addr[hl - 1] == ']') {
		addr++;
		hl -= 2;
	}
	if (!hl || hl >= sizeof(host)) {
		bg_diag_set(d, "--listen %s: want HOST:PORT (127.0.0.1:8080)", addr);
		return -1;
	}
	memcpy(host, addr, hl);
	host[hl] = '\0';
	strcpy(port, colon + 1);
	gai = getaddrinfo(host, port, &hints, &res);
	if (gai) {
		bg_diag_set(d, "--listen %s: %s", addr, gai_strerror(gai));
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, res->ai_addr, res->ai_addrlen) || listen(fd, 128) ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl)) {
		bg_diag_set(d, "--listen %s:%s: %s; pick a free port", host, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return -1;
	}
	freeaddrinfo(res);
	if (getnameinfo((struct sockaddr *)&ss, sl, h2, sizeof(h2), p2, sizeof(p2),
			NI_NUMERICHOST | NI_NUMERICSERV))
		snprintf(shown, shownlen, "%s:%s", host, port);
	else
		snprintf(shown, shownlen, strchr(h2, ':') ? "[%s]:%s" : "%s:%s", h2, p2);
	return fd;
}

static void peer_name(int fd, char *out, size_t outlen)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	/* numeric: an address and a port fit in 64 bytes */
	char h[48], p[8];

	if (getpeername(fd, (struct sockaddr *)&ss, &sl) ||
	    getnameinfo((struct sockaddr *)&ss, sl, h, sizeof(h), p, sizeof(p), NI_NUMERICHOST | NI_NUMERICSERV))
		snprintf(out, outlen, "?");
	else
		snprintf(out, outlen, "%.47s:%.7s", h, p);
}

int bg_goproxy_serve(const struct bg_goproxy_config *c, struct bg_diag *d)
{
	struct server *s = calloc(1, sizeof(*s));
	struct sigaction sa = { .sa_handler = on_stop }, ign = { .sa_handler = SIG_IGN };
	pthread_attr_t attr;
	char shown[300];
	int lfd = -1, rc = BG_EXIT_FAIL;

	if (!s) {
		bg_diag_set(d, "out of memory");
		return BG_EXIT_FAIL;
	}
	s->c = c;
	s->max_conns = c->max_conns ? c->max_conns : 64;
	s->timeout_ms = c->timeout_ms ? (int)c->timeout_ms : 10000;
	pthread_mutex_init(&s->lock, NULL);
	if (!c->ngosum) {
		bg_diag_set(d, "no --gosum: every module would be refused; give the go.sum files whose lines the proxy may serve");
		rc = BG_EXIT_USAGE;
		goto out;
	}
	if ((rc = bg_upstream_init(&s->up, c->upstream, d)) || (rc = pins_load(&s->pins, c->gosum, c->ngosum, d)))
		goto out;
	if (c->sign_key && (rc = bg_sig_privkey_load(c->sign_key, &s->key, d))) {
		if (rc != BG_EXIT_FAIL)
			rc = BG_EXIT_USAGE;
		goto out;
	}
	rc = BG_EXIT_FAIL;
	s->conn_fds = malloc(s->max_conns * sizeof(int));
	if (!s->conn_fds) {
		bg_diag_set(d, "out of memory");
		goto out;
	}
	for (unsigned i = 0; i < s->max_conns; i++)
		s->conn_fds[i] = -1;
	lfd = listen_on(c->listen, shown, sizeof(shown), d);
	if (lfd < 0) {
		rc = BG_EXIT_USAGE;
		goto out;
	}
	/* a client gone mid-sendfile must not kill the proxy */
	sigaction(SIGPIPE, &ign, NULL);
	stop_flag = 0;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (c->ready)
		c->ready(c->ready_ctx, shown);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, CONN_STACK);
	while (!stop_flag) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		struct conn *cn;
		pthread_t th;
		int fd, slot = -1;

		if (poll(&p, 1, 500) <= 0)
			continue;
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			continue;
		pthread_mutex_lock(&s->lock);
		for (unsigned i = 0; i < s->max_conns; i++)
			if (s->conn_fds[i] < 0) {
				s->conn_fds[i] = fd;
				slot = (int)i;
				break;
			}
		pthread_mutex_unlock(&s->lock);
		if (slot < 0) {
			static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
						   "Content-Length: 52\r\nConnection: close\r\nRetry-After: 1\r\n\r\n"
						   "too many connections to the proxy; retry in a moment\n";

			(void)!send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			close(fd);
			continue;
		}
		cn = calloc(1, sizeof(*cn));
		if (!cn) {
			pthread_mutex_lock(&s->lock);
			s->conn_fds[slot] = -1;
			pthread_mutex_unlock(&s->lock);
			close(fd);
			continue;
		}
		/* answers are written whole (MSG_MORE joins head and body):
		 * Nagle would only hold the last segment back for an ACK */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
		cn->s = s;
		cn->fd = fd;
		cn->slot = slot;
		peer_name(fd, cn->peer, sizeof(cn->peer));
		atomic_fetch_add(&s->active, 1);
		if (pthread_create(&th, &attr, conn_main, cn)) {
			atomic_fetch_sub(&s->active, 1);
			pthread_mutex_lock(&s->lock);
			s->conn_fds[slot] = -1;
			pthread_mutex_unlock(&s->lock);
			close(fd);
			free(cn);
		}
	}
	pthread_attr_destroy(&attr);
	/* stop: wake every connection blocked in a read, let the requests in
	 * flight finish, within STOP_WAIT_MS */
	pthread_mutex_lock(&s->lock);
	for (unsigned i = 0; i < s->max_conns; i++)
		if (s->conn_fds[i] >= 0)
			shutdown(s->conn_fds[i], SHUT_RD);
	pthread_mutex_unlock(&s->lock);
	for (int w = 0; w < STOP_WAIT_MS / 50 && atomic_load(&s->active); w++)
		usleep(50000);
	if (atomic_load(&s->active)) {
		/* threads still use s: leave it to the exit */
		close(lfd);
		return 0;
	}
	rc = 0;
out:
	for (int i = 0; i < ZCACHE_MAX; i++)
		if (s->zc[i].key[0])
			zcache_drop(s, i);
	if (lfd >= 0)
		close(lfd);
	if (s->key)
		bg_sig_privkey_free(s->key);
	pins_free(&s->pins);
	free(s->conn_fds);
	pthread_mutex_destroy(&s->lock);
	free(s);
	return rc;
}

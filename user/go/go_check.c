// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * go_check.c - loading a Go binary for the readers (bounded, mapped
 * read-only, SIGBUS-safe) and checking one dependency against go.sum:
 * shared by `bpfguard go inspect|verify` and `bpfguard run`'s pre-flight
 * checks (--deny-cgo, --require-static, --gosum).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto_fns.h"
#include "go_check.h"
#include "util.h"

const char *const bg_go_vstatus_name[] = { "ok", "missing", "mismatch", "unverifiable", "skipped" };

/* One line on stderr: "bpfguard go VERB: FILE: what; what to do" (VERB
 * "run" for bpfguard run's checks: "bpfguard run: FILE: ..."). */
void bg_go_err(const char *verb, const char *file, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!verb)
		return; /* the caller words its own message */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* the one prefix of every error line: "bpfguard: " */
	fprintf(stderr, "bpfguard: %s%s: %s%s%s\n", strcmp(verb, "run") ? "go " : "", verb,
		file ? file : "", file ? ": " : "", msg);
}

/* Larger than any real Go binary; mapping more buys nothing but risk. */
#define GO_BINARY_MAX (1ull << 30)

/* ------------------------------------------------------------------------ */
/* Loading: mmap a regular file, read anything else, both bounded */

int bg_go_image_load(const char *verb, const char *path, struct bg_go_image *im)
{
	struct stat st;
	int fd, r;

	memset(im, 0, sizeof(*im));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		bg_go_err(verb, path, "%s; give the path of a Go binary", strerror(errno));
		return BG_GO_EXIT_IO;
	}
	if (fstat(fd, &st) < 0) {
		bg_go_err(verb, path, "%s", strerror(errno));
		close(fd);
		return BG_GO_EXIT_IO;
	}
	if (S_ISDIR(st.st_mode)) {
		bg_go_err(verb, path, "is a directory; give the path of a Go binary");
		close(fd);
		return BG_GO_EXIT_IO;
	}
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
		bg_go_err(verb, path, "is a device, not read; give the path of a Go binary (a pipe works too)");
		close(fd);
		return BG_GO_EXIT_IO;
	}
	if (S_ISREG(st.st_mode)) {
		if ((unsigned long long)st.st_size > GO_BINARY_MAX) {
			bg_go_err(verb, path, "larger than 1 GiB (%lld bytes); not a plausible Go binary, not read",
			       (long long)st.st_size);
			close(fd);
			return BG_GO_EXIT_IO;
		}
		im->len = (size_t)st.st_size;
		if (im->len == 0) {
			close(fd);
			im->buf = (const uint8_t *)"";
			return 0;
		}
		im->map = mmap(NULL, im->len, PROT_READ, MAP_PRIVATE, fd, 0);
		close(fd);
		if (im->map == MAP_FAILED) {
			im->map = NULL;
			bg_go_err(verb, path, "cannot map: %s", strerror(errno));
			return BG_GO_EXIT_IO;
		}
		im->buf = im->map;
		return 0;
	}
	/* a pipe or device: read it, at most 1 GiB */
	close(fd);
	r = bg_read_file(path, GO_BINARY_MAX, &im->malloced, &im->len);
	if (r == -EFBIG) {
		bg_go_err(verb, path, "larger than 1 GiB; not a plausible Go binary, not read");
		return BG_GO_EXIT_IO;
	}
	if (r) {
		bg_go_err(verb, path, "%s", strerror(-r));
		return BG_GO_EXIT_IO;
	}
	im->buf = (const uint8_t *)im->malloced;
	return 0;
}

void bg_go_image_unload(struct bg_go_image *im)
{
	if (im->map)
		munmap(im->map, im->len);
	free(im->malloced);
	memset(im, 0, sizeof(*im));
}

/*
 * A mapped file that shrinks while we read it raises SIGBUS.  Turn that
 * into an error message instead of a crash: the parser only reads the
 * mapping, so jumping out of it leaves nothing half-written that we use.
 */
static sigjmp_buf bus_jump;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(bus_jump, 1);
}

static void parse_guarded(struct bg_go_file *g, enum bg_go_status *st, struct bg_diag *d)
{
	*st = bg_go_read(g->im.buf, g->im.len, &g->elf, &g->bi, d);
	if (*st == BG_GO_OK && !bg_go_verdicts(&g->elf, &g->bi, &g->v))
		*st = BG_GO_NOMEM;
}

void bg_go_file_close(struct bg_go_file *g)
{
	bg_go_verdict_free(&g->v);
	bg_go_buildinfo_free(&g->bi);
}

static int file_open(const char *verb, const char *path, struct bg_go_file *g, bool hash);

int bg_go_file_open(const char *verb, const char *path, struct bg_go_file *g)
{
	return file_open(verb, path, g, false);
}

int bg_go_file_open_hashed(const char *verb, const char *path, struct bg_go_file *g)
{
	return file_open(verb, path, g, true);
}

/* Loads and parses path; on failure prints the line and returns the exit code. */
static int file_open(const char *verb, const char *path, struct bg_go_file *g, bool hash)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	enum bg_go_status st;
	struct bg_diag d = {};
	int r;

	memset(g, 0, sizeof(*g));
	r = bg_go_image_load(verb, path, &g->im);
	if (r)
		return r;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(bus_jump, 1)) {
		sigaction(SIGBUS, &old, NULL);
		bg_go_err(verb, path, "file shrank while being read; try again when it is no longer written");
		return BG_GO_EXIT_IO;
	}
	parse_guarded(g, &st, &d);
	/* the hash of the very bytes parsed, still under the SIGBUS guard */
	if (hash && st == BG_GO_OK)
		g->have_sha256 = EVP_Digest(g->im.buf, g->im.len, g->sha256, NULL, EVP_sha256(), NULL) == 1;
	sigaction(SIGBUS, &old, NULL);
	/* everything kept from here on was copied out of the mapping */
	bg_go_image_unload(&g->im);

	if (st != BG_GO_OK)
		bg_go_file_close(g); /* whatever was parsed before the failure */
	switch (st) {
	case BG_GO_OK:
		return 0;
	case BG_GO_NOT_ELF:
	case BG_GO_NOT_GO:
		bg_go_err(verb, path, "not a Go binary (no Go build info found)");
		return BG_GO_EXIT_NOT_GO;
	case BG_GO_BAD_ELF:
		bg_go_err(verb, path, "not a Go binary (no Go build info found; malformed ELF: %s)", d.msg);
		return BG_GO_EXIT_NOT_GO;
	case BG_GO_BAD_MODINFO:
		bg_go_err(verb, path, "malformed Go build info: %s; the binary was altered or is damaged", d.msg);
		return BG_GO_EXIT_USAGE;
	default:
		bg_go_err(verb, path, "out of memory");
		return BG_GO_EXIT_IO;
	}
}


/* ------------------------------------------------------------------------ */
/* go verify: one dependency */


void bg_go_verify_dep(const struct bg_go_dep *d, const struct bg_gosum *gs, bool allow_dir,
		       struct bg_go_vresult *v)
{
	memset(v, 0, sizeof(*v));
	v->dep = d;
	v->m = d->replaced ? &d->rep : &d->mod;
	if (d->replaced && bg_go_is_dir_replacement(&d->rep)) {
		v->st = allow_dir ? BG_GO_V_SKIPPED : BG_GO_V_UNVERIFIABLE;
		snprintf(v->detail, sizeof(v->detail), "replaced by directory %s", d->rep.path);
		v->m = &d->mod;
		return;
	}
	v->gs = bg_gosum_lookup(gs, v->m->path, v->m->version, false, &v->ngs);
	if (!v->m->sum[0]) {
		v->st = BG_GO_V_UNVERIFIABLE;
		snprintf(v->detail, sizeof(v->detail), "no sum in the build info (built with -mod=vendor?)");
		return;
	}
	if (!v->ngs) {
		v->st = BG_GO_V_MISSING;
		return;
	}
	v->st = bg_gosum_has(gs, v->m->path, v->m->version, false, v->m->sum) ? BG_GO_V_OK : BG_GO_V_MISMATCH;
}

void bg_go_verify_all(const struct bg_go_buildinfo *bi, const struct bg_gosum *gs, bool allow_dir,
		      struct bg_go_vresult *res, struct bg_go_vcount *c)
{
	*c = (struct bg_go_vcount){ 0 };
	for (size_t i = 0; i < bi->ndeps; i++) {
		bg_go_verify_dep(&bi->deps[i], gs, allow_dir, &res[i]);
		if (res[i].st == BG_GO_V_OK)
			c->ok++;
		else if (res[i].st == BG_GO_V_SKIPPED)
			c->skipped++;
		else
			c->failed++;
	}
}

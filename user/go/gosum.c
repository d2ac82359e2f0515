// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * gosum.c - go.sum parser and lookup for `bpfguard go verify`.
 *
 * The file is copied once and split in place; entries point into the copy
 * and are sorted so a lookup is a binary search (a large monorepo go.sum
 * has tens of thousands of lines, a binary hundreds of modules).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gosum.h"
#include "util.h"
#include "vec.h"

/*
 * An old go command bug wrote this hash (of an empty go.mod) into go.sum;
 * the go command drops such lines when reading, and so do we.
 */
static const char empty_gomod_hash[] = "h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=";
static const char gomod_suffix[] = "/go.mod";

/* strings.Fields white space, ASCII part (non-ASCII spaces never occur in go.sum) */
static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int cmp_key(const char *path, const char *version, bool gomod, const struct bg_gosum_entry *b)
{
	int c = strcmp(path, b->path);

	if (c)
		return c;
	c = strcmp(version, b->version);
	if (c)
		return c;
	return (int)gomod - (int)b->gomod;
}

static int cmp_entry(const void *pa, const void *pb)
{
	const struct bg_gosum_entry *a = pa, *b = pb;
	int c = cmp_key(a->path, a->version, a->gomod, b);

	if (c)
		return c;
	return a->line < b->line ? -1 : a->line > b->line;
}

int bg_gosum_parse(const char *data, size_t len, const char *name, struct bg_gosum *gs,
		   struct bg_diag *diag)
{
	size_t cap = 0;
	unsigned line = 0;
	char *p, *end;

	memset(gs, 0, sizeof(*gs));
	if (len > BG_GOSUM_MAX_BYTES) {
		bg_diag_at(diag, name, 0, "larger than %u MiB", BG_GOSUM_MAX_BYTES >> 20);
		return -EFBIG;
	}
	gs->buf = malloc(len + 1);
	if (!gs->buf)
		return -ENOMEM;
	if (len)
		memcpy(gs->buf, data, len);
	gs->buf[len] = '\0';
	p = gs->buf;
	end = p + len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *f[4];
		size_t nf = 0, vlen;
		struct bg_gosum_entry *ent;

		if (!nl)
			nl = end;
		line++;
		if (line > BG_GOSUM_MAX_LINES) {
			bg_diag_at(diag, name, line, "more than %u lines", BG_GOSUM_MAX_LINES);
			goto invalid;
		}
		if (memchr(p, '\0', (size_t)(nl - p))) {
			bg_diag_at(diag, name, line, "NUL byte; go.sum is a text file");
			goto invalid;
		}
		*nl = '\0';
		/* split into fields in place */
		while (*p) {
			while (*p && is_space(*p))
				p++;
			if (!*p)
				break;
			if (nf < 4)
				f[nf] = p;
			nf++;
			while (*p && !is_space(*p))
				p++;
			if (*p)
				*p++ = '\0';
		}
		p = nl + 1;
		if (nf == 0)
			continue;
		if (nf != 3) {
			bg_diag_set(diag,
				    "%s:%u: wrong number of fields (%zu); want <path> <version>[/go.mod] <hash>",
				    name, line, nf);
			goto invalid;
		}
		if (!strcmp(f[2], empty_gomod_hash))
			continue;
		if (BG_VEC_RESERVE(gs->e, cap, gs->n + 1)) {
			bg_gosum_free(gs);
			return -ENOMEM;
		}
		ent = &gs->e[gs->n++];
		ent->path = f[0];
		ent->version = f[1];
		ent->hash = f[2];
		ent->line = line;
		vlen = strlen(f[1]);
		ent->gomod = vlen >= sizeof(gomod_suffix) - 1 &&
			     !strcmp(f[1] + vlen - (sizeof(gomod_suffix) - 1), gomod_suffix);
		if (ent->gomod)
			f[1][vlen - (sizeof(gomod_suffix) - 1)] = '\0';
	}
	if (gs->n)
		qsort(gs->e, gs->n, sizeof(*gs->e), cmp_entry);
	return 0;
invalid:
	bg_gosum_free(gs);
	return -EINVAL;
}

int bg_gosum_load(const char *path, struct bg_gosum *gs, struct bg_diag *diag)
{
	char *data;
	size_t len;
	int r;

	memset(gs, 0, sizeof(*gs));
	r = bg_read_file(path, BG_GOSUM_MAX_BYTES, &data, &len);
	if (r == -EFBIG) {
		bg_diag_at(diag, path, 0, "larger than %u MiB; not a go.sum file",
			   BG_GOSUM_MAX_BYTES >> 20);
		return r;
	}
	if (r) {
		bg_diag_at(diag, path, 0, "%s", strerror(-r));
		return r;
	}
	r = bg_gosum_parse(data, len, path, gs, diag);
	free(data);
	return r;
}

void bg_gosum_free(struct bg_gosum *gs)
{
	free(gs->e);
	free(gs->buf);
	memset(gs, 0, sizeof(*gs));
}

const struct bg_gosum_entry *bg_gosum_lookup(const struct bg_gosum *gs, const char *path,
					     const char *version, bool gomod, size_t *count)
{
	size_t lo = 0, hi = gs->n, n = 0;

	/* lower bound: the first entry not less than the key */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_key(path, version, gomod, &gs->e[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo + n < gs->n && cmp_key(path, version, gomod, &gs->e[lo + n]) == 0)
		n++;
	*count = n;
	return n ? &gs->e[lo] : NULL;
}

bool bg_gosum_has(const struct bg_gosum *gs, const char *path, const char *version, bool gomod,
		  const char *hash)
{
	size_t n;
	const struct bg_gosum_entry *e = bg_gosum_lookup(gs, path, version, gomod, &n);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(e[i].hash, hash))
			return true;
	return false;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * modcache.c - list and check the versions of a Go module cache
 * (modcache.h), without a Go toolchain or a main module.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vec.h"
#include "modcache.h"
#include "util.h"

const char *const bg_modcache_status_name[] = { "verified", "modified", "invalid", "missing", "partial", "error" };

static char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *str_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* module.UnescapePath / UnescapeVersion: "!x" is "X"; an upper-case letter
 * or a '!' not followed by a lower-case letter cannot occur. */
static char *unescape(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		if (*s == '!') {
			if (s[1] < 'a' || s[1] > 'z')
				goto bad;
			*o++ = (char)(s[1] - 'a' + 'A');
			s++;
		} else if (*s >= 'A' && *s <= 'Z') {
			goto bad;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

char *bg_modcache_default(void)
{
	const char *e = getenv("GOMODCACHE"), *home;

	if (e && *e)
		return strdup(e);
	e = getenv("GOPATH");
	if (e && *e) {
		size_t n = strcspn(e, ":");

		if (n)
			return str_printf("%.*s/pkg/mod", (int)n, e);
	}
	home = getenv("HOME");
	if (!home || !*home)
		return NULL;
	return str_printf("%s/go/pkg/mod", home);
}

/* ------------------------------------------------------------------------
 * Listing
 */

static int add_version(struct bg_modcache *l, const char *esc_path, size_t plen, const char *vdir,
		       const char *ver, size_t vlen)
{
	struct bg_modcache_ver *m;

	if (BG_VEC_RESERVE(l->m, l->cap, l->n + 1))
		return -1;
	m = &l->m[l->n];
	m->esc_path = strndup(esc_path, plen);
	m->esc_ver = strndup(ver, vlen);
	m->vdir = strdup(vdir);
	if (!m->esc_path || !m->esc_ver || !m->vdir) {
		free(m->esc_path);
		free(m->esc_ver);
		free(m->vdir);
		return -1;
	}
	l->n++;
	return 0;
}

static bool has_suffix(const char *s, const char *suf, size_t *stem)
{
	size_t n = strlen(s), k = strlen(suf);

	if (n <= k || strcmp(s + n - k, suf))
		return false;
	*stem = n - k;
	return true;
}

/*
 * cache/download/<escaped module path>/@v/<escaped version>.{zip,ziphash}:
 * every directory named @v holds the versions of the module whose path is
 * the directories above it.  Symbolic links are not followed.
 */
static int scan_download(struct bg_modcache *l, char *path, size_t len, size_t root_len, struct bg_diag *diag)
{
	struct dirent *de;
	bool is_v;
	DIR *d;
	int st = 0;

	d = opendir(path);
	if (!d) {
		bg_diag_at(diag, path, 0, "%s; make the module cache readable", strerror(errno));
		return -1;
	}
	is_v = len >= 3 && !strcmp(path + len - 3, "/@v");
	while ((de = readdir(d)) && !st) {
		size_t nl = strlen(de->d_name), stem;
		struct stat sb;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (is_v) {
			if ((has_suffix(de->d_name, ".ziphash", &stem) || has_suffix(de->d_name, ".zip", &stem)) &&
			    len - 3 > root_len) {
				if (add_version(l, path + root_len + 1, len - 3 - root_len - 1, path, de->d_name, stem))
					st = -2;
			}
			continue;
		}
		if (len + 1 + nl >= PATH_MAX)
			continue; /* no module path is that long */
		path[len] = '/';
		memcpy(path + len + 1, de->d_name, nl + 1);
		if (!lstat(path, &sb) && S_ISDIR(sb.st_mode))
			st = scan_download(l, path, len + 1 + nl, root_len, diag);
		path[len] = '\0';
	}
	closedir(d);
	if (st == -2) {
		bg_diag_set(diag, "out of memory listing the module cache");
		st = -1;
	}
	return st;
}

static int modver_cmp(const void *a, const void *b)
{
	const struct bg_modcache_ver *x = a, *y = b;
	int c = strcmp(x->esc_path, y->esc_path);

	return c ? c : strverscmp(x->esc_ver, y->esc_ver);
}

static void ver_free(struct bg_modcache_ver *m)
{
	free(m->esc_path);
	free(m->esc_ver);
	free(m->vdir);
}

int bg_modcache_scan(const char *cache, struct bg_modcache *l, struct bg_diag *diag)
{
	char *path = malloc(PATH_MAX);
	struct stat sb;
	size_t k = 0;
	int ret = -1;

	*l = (struct bg_modcache){ 0 };
	if (!path) {
		bg_diag_set(diag, "out of memory");
		return -1;
	}
	if (snprintf(path, PATH_MAX, "%s/cache/download", cache) >= PATH_MAX) {
		bg_diag_at(diag, cache, 0, "path too long");
		goto out;
	}
	if (stat(cache, &sb)) {
		bg_diag_at(diag, cache, 0, "%s; pass the module cache (go env GOMODCACHE)", strerror(errno));
		goto out;
	}
	if (stat(path, &sb) || !S_ISDIR(sb.st_mode)) {
		bg_diag_at(diag, cache, 0, "no cache/download directory, not a Go module cache; pass the path "
			   "`go env GOMODCACHE` prints");
		goto out;
	}
	if (scan_download(l, path, strlen(path), strlen(path), diag))
		goto out;
	if (l->n > 1)
		qsort(l->m, l->n, sizeof(*l->m), modver_cmp);
	/* .zip and .ziphash of one version were listed separately */
	for (size_t i = 0; i < l->n; i++) {
		if (k && !strcmp(l->m[i].esc_path, l->m[k - 1].esc_path) &&
		    !strcmp(l->m[i].esc_ver, l->m[k - 1].esc_ver))
			ver_free(&l->m[i]);
		else
			l->m[k++] = l->m[i];
	}
	l->n = k;
	ret = 0;
out:
	free(path);
	return ret;
}

void bg_modcache_free(struct bg_modcache *l)
{
	for (size_t i = 0; i < l->n; i++)
		ver_free(&l->m[i]);
	free(l->m);
	*l = (struct bg_modcache){ 0 };
}

/* ------------------------------------------------------------------------
 * Checking one version
 */

/* The .ziphash content, trimmed of white space as go mod verify does. */
static int read_ziphash(const char *file, char **out, int *err)
{
	char *buf, *s, *e;
	size_t len;
	int r = bg_read_file(file, 4096, &buf, &len);

	if (r) {
		*err = -r;
		return -1;
	}
	for (s = buf; *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\v' || *s == '\f'; s++)
		;
	e = buf + len;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r' || e[-1] == '\v' || e[-1] == '\f'))
		e--;
	*e = '\0';
	*out = strdup(s);
	free(buf);
	if (!*out) {
		*err = ENOMEM;
		return -1;
	}
	return 0;
}

static void note(struct bg_modcache_result *r, int code)
{
	if (code == BG_GO_EXIT_MODIFIED || !r->fail)
		r->fail = code;
	r->ok = false;
}

/* bg_h1_zip_file's violation report: the first few kept, all counted. */
static void keep_violation(void *ctx, const char *name, size_t name_len, const char *why)
{
	struct bg_modcache_result *r = ctx;
	char q[300], **v;

	if (r->nviol_kept >= BG_MODCACHE_MAX_SHOWN)
		return;
	if (name)
		bg_zip_quote(name, name_len, q, sizeof(q));
	else
		snprintf(q, sizeof(q), "(zip)");
	if (!r->viol && !(r->viol = calloc(BG_MODCACHE_MAX_SHOWN, sizeof(*r->viol))))
		return;
	v = &r->viol[r->nviol_kept];
	if (asprintf(v, "%s: %s", q, why) < 0)
		*v = NULL;
	else
		r->nviol_kept++;
}

static void check_zip(const char *prefix, struct bg_modcache_result *r)
{
	struct bg_modzip_sink rules = { .report = keep_violation, .ctx = r };
	struct bg_diag d = { 0 };
	struct bg_modcache_part *z = &r->zipp;

	z->hash_st = bg_h1_zip_file(r->zip, prefix, &rules, z->hash, &d);
	z->nviol = rules.nviol;
	if (!z->hash_st)
		z->st = strcmp(z->hash, r->want) ? BG_MC_MODIFIED : BG_MC_VERIFIED;
	else if (z->hash_st == BG_ZIP_ERULES || z->hash_st == BG_ZIP_EFORMAT)
		/* a zip the go command would refuse, or cannot read, is not
		 * the zip that was verified at download */
		z->st = BG_MC_INVALID;
	else
		z->st = BG_MC_ERROR;
	if (z->hash_st)
		bg_strlcpy(z->msg, d.msg, sizeof(z->msg));
}

static void check_dir(const char *prefix, struct bg_modcache_result *r)
{
	struct bg_diag d = { 0 };
	struct bg_modcache_part *p = &r->dirp;

	p->hash_st = bg_h1_dir(r->dir, prefix, p->hash, &d);
	if (!p->hash_st) {
		p->st = strcmp(p->hash, r->want) ? BG_MC_MODIFIED : BG_MC_VERIFIED;
	} else {
		p->st = BG_MC_ERROR;
		bg_strlcpy(p->msg, d.msg, sizeof(p->msg));
	}
}

/* verifyMod of cmd/go/internal/modcmd/verify.go for one cached version. */
void bg_modcache_check(const char *cache, const struct bg_modcache_ver *m, struct bg_modcache_result *r)
{
	char *partial = NULL, *prefix = NULL;
	struct stat sb;

	*r = (struct bg_modcache_result){ .ok = true };
	r->zipp.st = r->dirp.st = BG_MC_MISSING;
	r->path = unescape(m->esc_path);
	r->version = unescape(m->esc_ver);
	if (!r->path || !r->version) {
		r->outcome = BG_MC_BAD_ESCAPE;
		r->where = str_printf("%s/@v/%s", m->esc_path, m->esc_ver);
		note(r, BG_GO_EXIT_FAIL);
		return;
	}
	r->zip = str_printf("%s/%s.zip", m->vdir, m->esc_ver);
	r->ziphash = str_printf("%s/%s.ziphash", m->vdir, m->esc_ver);
	partial = str_printf("%s/%s.partial", m->vdir, m->esc_ver);
	r->dir = str_printf("%s/%s@%s", cache, m->esc_path, m->esc_ver);
	prefix = str_printf("%s@%s", r->path, r->version);
	r->modver = str_printf("%s %s", r->path, r->version);
	if (!r->zip || !r->ziphash || !partial || !r->dir || !prefix || !r->modver) {
		r->outcome = BG_MC_NOMEM;
		note(r, BG_GO_EXIT_FAIL);
		goto out;
	}

	/* Go: a missing zip or directory is not an error, and a directory that
	 * is not completely extracted (.partial next to the zip, or no
	 * .ziphash) counts as missing: the go command would extract it again
	 * before using it. */
	r->zipp.exists = stat(r->zip, &sb) == 0 || errno != ENOENT;
	r->dirp.exists = stat(r->dir, &sb) == 0 && S_ISDIR(sb.st_mode);
	if (r->dirp.exists && stat(partial, &sb) == 0) {
		r->dirp.exists = false;
		r->dirp.st = BG_MC_PARTIAL;
	}
	if (read_ziphash(r->ziphash, &r->want, &r->ziphash_errno)) {
		if (!r->zipp.exists && !r->dirp.exists) {
			r->outcome = BG_MC_NOTHING; /* nothing downloaded yet */
			goto out;
		}
		r->outcome = BG_MC_NO_ZIPHASH;
		note(r, r->ziphash_errno == ENOENT ? BG_GO_EXIT_MODIFIED : BG_GO_EXIT_FAIL);
		goto out;
	}
	r->outcome = BG_MC_CHECKED;
	if (r->zipp.exists)
		check_zip(prefix, r);
	if (r->dirp.exists)
		check_dir(prefix, r);
	if (r->zipp.st == BG_MC_MODIFIED || r->zipp.st == BG_MC_INVALID || r->dirp.st == BG_MC_MODIFIED)
		note(r, BG_GO_EXIT_MODIFIED);
	if (r->zipp.st == BG_MC_ERROR || r->dirp.st == BG_MC_ERROR)
		note(r, BG_GO_EXIT_FAIL);
out:
	free(partial);
	free(prefix);
}

void bg_modcache_result_free(struct bg_modcache_result *r)
{
	for (size_t i = 0; i < r->nviol_kept; i++)
		free(r->viol[i]);
	free(r->viol);
	free(r->where);
	free(r->path);
	free(r->version);
	free(r->modver);
	free(r->zip);
	free(r->ziphash);
	free(r->dir);
	free(r->want);
	*r = (struct bg_modcache_result){ 0 };
}

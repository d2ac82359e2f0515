// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_go_hash.c - `bpfguard go hash` prints the h1: hash go.sum would
 * record for a module zip, an extracted module directory or a go.mod file;
 * `bpfguard go verify-modcache` checks a whole module cache the way
 * `go mod verify` checks the modules of one build (recomputes each cached
 * zip's and extracted directory's hash and compares it with the .ziphash
 * the go command wrote when it downloaded the module), without a Go
 * toolchain or a main module.  docs/go.md describes both.
 */
#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "go_dirhash.h"
#include "util.h"

#define HASH_USAGE "usage: bpfguard go hash zip FILE [--prefix MODULE@VERSION] | dir DIR --prefix MODULE@VERSION | gomod FILE"
#define VERIFY_USAGE "usage: bpfguard go verify-modcache [GOMODCACHE] [--json]"

/* Violations shown per zip; the count is always exact. */
#define MAX_SHOWN 20

struct viol_print {
	const char *file;   /* hash: the zip */
	const char *modver; /* verify-modcache: "path version" */
	size_t shown;
	struct json_object *arr; /* --json: collected instead of printed */
};

static void print_violation(void *ctx, const char *name, size_t name_len, const char *why)
{
	struct viol_print *v = ctx;
	char q[300];

	if (name)
		bg_zip_quote(name, name_len, q, sizeof(q));
	else
		snprintf(q, sizeof(q), "(zip)");
	if (v->arr) {
		if (json_object_array_length(v->arr) < MAX_SHOWN) {
			char line[900];

			snprintf(line, sizeof(line), "%s: %s", q, why);
			json_object_array_add(v->arr, json_object_new_string(line));
		}
		return;
	}
	if (v->shown++ >= MAX_SHOWN)
		return;
	if (v->modver)
		printf("%s: invalid module zip: %s: %s\n", v->modver, q, why);
	else
		fprintf(stderr, "bpfguard go hash: %s: %s: %s\n", v->file, q, why);
}

/* One error line for a failed hash of FILE, with what to do about it. */
static int hash_failed(const char *file, int st, const struct bg_diag *d, size_t nviol)
{
	switch (st) {
	case BG_ZIP_EIO:
		fprintf(stderr, "bpfguard go hash: %s: %s; check the path exists and is readable\n", file, d->msg);
		return BG_GO_EXIT_FAIL;
	case BG_ZIP_ERULES:
		fprintf(stderr, "bpfguard go hash: %s: %zu module-zip rule violation%s; not a valid Go module zip (the go command refuses it), no hash printed\n",
			file, nviol, nviol == 1 ? "" : "s");
		return BG_GO_EXIT_USAGE;
	case BG_ZIP_EFORMAT:
		fprintf(stderr, "bpfguard go hash: %s: %s; not a readable module zip, download it again\n", file, d->msg);
		return BG_GO_EXIT_USAGE;
	default:
		fprintf(stderr, "bpfguard go hash: %s: %s; retry with more memory\n", file, d->msg);
		return BG_GO_EXIT_FAIL;
	}
}

int cmd_go_hash(int argc, char **argv)
{
	const char *kind = NULL, *file = NULL, *prefix = NULL;
	struct viol_print vp = { 0 };
	struct bg_modzip_sink rules = { .report = print_violation, .ctx = &vp };
	struct bg_diag d = { 0 };
	char out[BG_H1_LEN];
	int st;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf("%s\n", HASH_USAGE);
			return BG_GO_EXIT_OK;
		} else if (!strcmp(a, "--prefix")) {
			if (++i >= argc) {
				fprintf(stderr, "bpfguard go hash: --prefix needs MODULE@VERSION; %s\n", HASH_USAGE);
				return BG_GO_EXIT_USAGE;
			}
			prefix = argv[i];
		} else if (!strncmp(a, "--prefix=", 9)) {
			prefix = a + 9;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "bpfguard go hash: unknown option '%s'; %s\n", a, HASH_USAGE);
			return BG_GO_EXIT_USAGE;
		} else if (!kind) {
			kind = a;
		} else if (!file) {
			file = a;
		} else {
			fprintf(stderr, "bpfguard go hash: unexpected argument '%s'; %s\n", a, HASH_USAGE);
			return BG_GO_EXIT_USAGE;
		}
	}
	if (!kind) {
		fprintf(stderr, "bpfguard go hash: say what to hash; %s\n", HASH_USAGE);
		return BG_GO_EXIT_USAGE;
	}
	if (strcmp(kind, "zip") && strcmp(kind, "dir") && strcmp(kind, "gomod")) {
		fprintf(stderr, "bpfguard go hash: '%s' is not zip, dir or gomod; %s\n", kind, HASH_USAGE);
		return BG_GO_EXIT_USAGE;
	}
	if (!file) {
		fprintf(stderr, "bpfguard go hash: %s: missing the %s to hash; %s\n", kind,
			strcmp(kind, "dir") ? "file" : "directory", HASH_USAGE);
		return BG_GO_EXIT_USAGE;
	}
	if (prefix && !prefix[0]) {
		fprintf(stderr, "bpfguard go hash: %s: empty --prefix; give MODULE@VERSION\n", file);
		return BG_GO_EXIT_USAGE;
	}

	if (!strcmp(kind, "zip")) {
		vp.file = file;
		st = bg_h1_zip_file(file, prefix, &rules, out, &d);
		if (st == BG_ZIP_ERULES && vp.shown > MAX_SHOWN)
			fprintf(stderr, "bpfguard go hash: %s: (%zu more violations not shown)\n", file,
				vp.shown - MAX_SHOWN);
	} else if (!strcmp(kind, "dir")) {
		if (!prefix) {
			fprintf(stderr, "bpfguard go hash: %s: a directory needs --prefix MODULE@VERSION (the hash covers names MODULE@VERSION/path); add it\n",
				file);
			return BG_GO_EXIT_USAGE;
		}
		st = bg_h1_dir(file, prefix, out, &d);
	} else {
		if (prefix) {
			fprintf(stderr, "bpfguard go hash: %s: --prefix does not apply to gomod (the file is always named go.mod); drop it\n",
				file);
			return BG_GO_EXIT_USAGE;
		}
		st = bg_h1_gomod(file, out, &d);
	}
	if (st)
		return hash_failed(file, st, &d, rules.nviol);
	printf("%s\n", out);
	return BG_GO_EXIT_OK;
}

/* ------------------------------------------------------------------------
 * verify-modcache
 */

struct modver {
	char *esc_path; /* as in the cache: "example.com/!upper" */
	char *esc_ver;
	char *vdir; /* .../cache/download/<esc_path>/@v */
};

struct modlist {
	struct modver *m;
	size_t n, cap;
};

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

static int add_version(struct modlist *l, const char *esc_path, size_t plen, const char *vdir,
		       const char *ver, size_t vlen)
{
	struct modver *m;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct modver *p = realloc(l->m, cap * sizeof(*p));

		if (!p)
			return -1;
		l->m = p;
		l->cap = cap;
	}
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
static int scan_download(struct modlist *l, char *path, size_t len, size_t root_len)
{
	struct dirent *de;
	bool is_v;
	DIR *d;
	int st = 0;

	d = opendir(path);
	if (!d) {
		fprintf(stderr, "bpfguard go verify-modcache: %s: %s; make the module cache readable\n", path, strerror(errno));
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
			st = scan_download(l, path, len + 1 + nl, root_len);
		path[len] = '\0';
	}
	closedir(d);
	if (st == -2) {
		fprintf(stderr, "bpfguard go verify-modcache: out of memory listing the module cache\n");
		st = -1;
	}
	return st;
}

static int modver_cmp(const void *a, const void *b)
{
	const struct modver *x = a, *y = b;
	int c = strcmp(x->esc_path, y->esc_path);

	return c ? c : strverscmp(x->esc_ver, y->esc_ver);
}

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

enum part_status { P_VERIFIED, P_MODIFIED, P_INVALID, P_MISSING, P_PARTIAL, P_ERROR };
static const char *const part_names[] = { "verified", "modified", "invalid", "missing", "partial", "error" };

struct verdict {
	int fail; /* 0, BG_GO_EXIT_MODIFIED or BG_GO_EXIT_FAIL */
};

static void note(struct verdict *v, int code)
{
	if (code == BG_GO_EXIT_MODIFIED || !v->fail)
		v->fail = code;
}

static struct json_object *part_json(const char *what, const char *file, enum part_status s,
				     const char *hash, const char *err, struct json_object *viol)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, what, json_object_new_string(file));
	json_object_object_add(o, "status", json_object_new_string(part_names[s]));
	if (hash)
		json_object_object_add(o, "hash", json_object_new_string(hash));
	if (err)
		json_object_object_add(o, "error", json_object_new_string(err));
	if (viol)
		json_object_object_add(o, "violations", viol);
	return o;
}

/* verifyMod of cmd/go/internal/modcmd/verify.go for one cached version. */
static bool verify_one(const char *cache, const struct modver *m, struct json_object *arr, struct verdict *v)
{
	char *path = unescape(m->esc_path), *ver = unescape(m->esc_ver);
	char *zip = NULL, *ziphash = NULL, *partial = NULL, *dir = NULL, *prefix = NULL, *modver = NULL;
	char *want = NULL, zh[BG_H1_LEN], dh[BG_H1_LEN];
	struct json_object *jm = NULL, *viol = NULL;
	enum part_status zs = P_MISSING, ds = P_MISSING;
	struct bg_diag d = { 0 };
	struct viol_print vp = { 0 };
	struct bg_modzip_sink rules = { .report = print_violation, .ctx = &vp };
	bool zip_exists, dir_exists, ok = true;
	struct stat sb;
	int err = 0, st;

	if (!path || !ver) {
		char *where = str_printf("%s/@v/%s", m->esc_path, m->esc_ver);

		if (arr) {
			jm = json_object_new_object();
			json_object_object_add(jm, "cache_entry", json_object_new_string(where ? where : ""));
			json_object_object_add(jm, "error", json_object_new_string("not a valid escaped module path or version"));
			json_object_object_add(jm, "ok", json_object_new_boolean(0));
			json_object_array_add(arr, jm);
		} else {
			printf("%s: not a valid escaped module path or version in cache/download\n", where ? where : m->esc_path);
		}
		free(where);
		free(path);
		free(ver);
		note(v, BG_GO_EXIT_FAIL);
		return false;
	}
	zip = str_printf("%s/%s.zip", m->vdir, m->esc_ver);
	ziphash = str_printf("%s/%s.ziphash", m->vdir, m->esc_ver);
	partial = str_printf("%s/%s.partial", m->vdir, m->esc_ver);
	dir = str_printf("%s/%s@%s", cache, m->esc_path, m->esc_ver);
	prefix = str_printf("%s@%s", path, ver);
	modver = str_printf("%s %s", path, ver);
	if (!zip || !ziphash || !partial || !dir || !prefix || !modver) {
		fprintf(stderr, "bpfguard go verify-modcache: out of memory\n");
		note(v, BG_GO_EXIT_FAIL);
		ok = false;
		goto out;
	}
	if (arr) {
		jm = json_object_new_object();
		json_object_object_add(jm, "path", json_object_new_string(path));
		json_object_object_add(jm, "version", json_object_new_string(ver));
	}

	/* Go: a missing zip or directory is not an error, and a directory that
	 * is not completely extracted (.partial next to the zip, or no
	 * .ziphash) counts as missing: the go command would extract it again
	 * before using it. */
	zip_exists = stat(zip, &sb) == 0 || errno != ENOENT;
	dir_exists = stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode);
	if (dir_exists && stat(partial, &sb) == 0) {
		dir_exists = false;
		ds = P_PARTIAL;
	}
	if (read_ziphash(ziphash, &want, &err)) {
		if (!zip_exists && !dir_exists)
			goto out; /* nothing downloaded yet */
		if (arr) {
			char *e = str_printf("missing ziphash: %s: %s", ziphash, strerror(err));

			json_object_object_add(jm, "error", json_object_new_string(e ? e : "missing ziphash"));
			free(e);
		} else {
			printf("%s: missing ziphash: open %s: %s\n", modver, ziphash, strerror(err));
		}
		note(v, err == ENOENT ? BG_GO_EXIT_MODIFIED : BG_GO_EXIT_FAIL);
		ok = false;
		goto out;
	}
	if (arr)
		json_object_object_add(jm, "ziphash", json_object_new_string(want));

	if (zip_exists) {
		if (arr)
			viol = json_object_new_array();
		vp.modver = modver;
		vp.arr = viol;
		st = bg_h1_zip_file(zip, prefix, &rules, zh, &d);
		if (!st) {
			zs = strcmp(zh, want) ? P_MODIFIED : P_VERIFIED;
			if (zs == P_MODIFIED && !arr)
				printf("%s: zip has been modified (%s)\n", modver, zip);
		} else if (st == BG_ZIP_ERULES || st == BG_ZIP_EFORMAT) {
			/* a zip the go command would refuse, or cannot read,
			 * is not the zip that was verified at download */
			zs = P_INVALID;
			if (!arr) {
				if (st == BG_ZIP_EFORMAT)
					printf("%s: zip has been modified (%s): %s\n", modver, zip, d.msg);
				else
					printf("%s: zip has been modified (%s): %zu module-zip rule violation%s\n",
					       modver, zip, rules.nviol, rules.nviol == 1 ? "" : "s");
			}
		} else {
			zs = P_ERROR;
			if (!arr)
				printf("%s: %s: %s\n", modver, zip, d.msg);
		}
		if (arr)
			json_object_object_add(jm, "zip", part_json("file", zip, zs, st ? NULL : zh,
								     st && st != BG_ZIP_ERULES ? d.msg : NULL,
								     st == BG_ZIP_ERULES ? viol : NULL));
		if (st != BG_ZIP_ERULES && viol)
			json_object_put(viol);
		viol = NULL;
	} else if (arr) {
		json_object_object_add(jm, "zip", part_json("file", zip, P_MISSING, NULL, NULL, NULL));
	}

	if (dir_exists) {
		memset(&d, 0, sizeof(d));
		st = bg_h1_dir(dir, prefix, dh, &d);
		if (!st) {
			ds = strcmp(dh, want) ? P_MODIFIED : P_VERIFIED;
			if (ds == P_MODIFIED && !arr)
				printf("%s: dir has been modified (%s)\n", modver, dir);
		} else {
			ds = P_ERROR;
			if (!arr)
				printf("%s: %s\n", modver, d.msg);
		}
		if (arr)
			json_object_object_add(jm, "dir", part_json("path", dir, ds, st ? NULL : dh, st ? d.msg : NULL, NULL));
	} else if (arr) {
		json_object_object_add(jm, "dir", part_json("path", dir, ds, NULL, NULL, NULL));
	}
	if (zs == P_MODIFIED || zs == P_INVALID || ds == P_MODIFIED) {
		note(v, BG_GO_EXIT_MODIFIED);
		ok = false;
	}
	if (zs == P_ERROR || ds == P_ERROR) {
		note(v, BG_GO_EXIT_FAIL);
		ok = false;
	}
out:
	if (jm) {
		json_object_object_add(jm, "ok", json_object_new_boolean(ok));
		json_object_array_add(arr, jm);
	}
	free(path);
	free(ver);
	free(zip);
	free(ziphash);
	free(partial);
	free(dir);
	free(prefix);
	free(modver);
	free(want);
	return ok;
}

/* GOMODCACHE, else the first GOPATH element's pkg/mod, else ~/go/pkg/mod
 * (what `go env GOMODCACHE` gives without a go env file). */
static char *default_modcache(void)
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

int cmd_go_verify_modcache(int argc, char **argv)
{
	struct modlist l = { 0 };
	struct verdict v = { 0 };
	struct json_object *root = NULL, *arr = NULL;
	const char *arg = NULL;
	char *cache = NULL, *path = NULL;
	size_t failed = 0, n = 0;
	bool json = false;
	struct stat sb;
	int rc = BG_GO_EXIT_FAIL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j")) {
			json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("%s\n", VERIFY_USAGE);
			return BG_GO_EXIT_OK;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "bpfguard go verify-modcache: unknown option '%s'; %s\n", argv[i], VERIFY_USAGE);
			return BG_GO_EXIT_USAGE;
		} else if (!arg) {
			arg = argv[i];
		} else {
			fprintf(stderr, "bpfguard go verify-modcache: unexpected argument '%s'; %s\n", argv[i], VERIFY_USAGE);
			return BG_GO_EXIT_USAGE;
		}
	}
	cache = arg ? strdup(arg) : default_modcache();
	if (!cache) {
		fprintf(stderr, "bpfguard go verify-modcache: no GOMODCACHE, GOPATH or HOME to find the module cache; pass its path\n");
		return BG_GO_EXIT_USAGE;
	}
	/* trailing slashes would double in the paths we print */
	for (size_t k = strlen(cache); k > 1 && cache[k - 1] == '/'; k--)
		cache[k - 1] = '\0';
	path = malloc(PATH_MAX);
	if (!path) {
		fprintf(stderr, "bpfguard go verify-modcache: out of memory\n");
		goto out;
	}
	if (snprintf(path, PATH_MAX, "%s/cache/download", cache) >= PATH_MAX) {
		fprintf(stderr, "bpfguard go verify-modcache: %s: path too long\n", cache);
		goto out;
	}
	if (stat(cache, &sb)) {
		fprintf(stderr, "bpfguard go verify-modcache: %s: %s; pass the module cache (go env GOMODCACHE)\n",
			cache, strerror(errno));
		goto out;
	}
	if (stat(path, &sb) || !S_ISDIR(sb.st_mode)) {
		fprintf(stderr, "bpfguard go verify-modcache: %s: no cache/download directory, not a Go module cache; pass the path `go env GOMODCACHE` prints\n",
			cache);
		goto out;
	}
	if (scan_download(&l, path, strlen(path), strlen(path)))
		goto out;
	if (l.n > 1)
		qsort(l.m, l.n, sizeof(*l.m), modver_cmp);
	if (json) {
		root = json_object_new_object();
		arr = json_object_new_array();
	}
	for (size_t i = 0; i < l.n; i++) {
		/* .zip and .ziphash of one version were listed separately */
		if (i && !strcmp(l.m[i].esc_path, l.m[i - 1].esc_path) && !strcmp(l.m[i].esc_ver, l.m[i - 1].esc_ver))
			continue;
		n++;
		if (!verify_one(cache, &l.m[i], arr, &v))
			failed++;
	}
	rc = v.fail;
	if (json) {
		json_object_object_add(root, "gomodcache", json_object_new_string(cache));
		json_object_object_add(root, "modules", arr);
		json_object_object_add(root, "checked", json_object_new_int64((int64_t)n));
		json_object_object_add(root, "failed", json_object_new_int64((int64_t)failed));
		json_object_object_add(root, "all_verified", json_object_new_boolean(rc == 0));
		printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	} else if (!rc) {
		printf("all modules verified\n");
	} else {
		fprintf(stderr, "bpfguard go verify-modcache: %zu of %zu module versions failed verification%s\n",
			failed, n, rc == BG_GO_EXIT_MODIFIED ? "; remove them (go clean -modcache, or delete the listed files) and download again" : "");
	}
out:
	for (size_t i = 0; i < l.n; i++) {
		free(l.m[i].esc_path);
		free(l.m[i].esc_ver);
		free(l.m[i].vdir);
	}
	free(l.m);
	free(path);
	free(cache);
	return rc;
}

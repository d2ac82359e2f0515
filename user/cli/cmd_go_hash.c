// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_go_hash.c - `bpfguard go hash` prints the h1: hash go.sum would
 * record for a module zip, an extracted module directory or a go.mod file;
 * `bpfguard go verify-modcache` checks a whole module cache the way
 * `go mod verify` checks the modules of one build (recomputes each cached
 * zip's and extracted directory's hash and compares it with the .ziphash
 * the go command wrote when it downloaded the module), without a Go
 * toolchain or a main module (go/modcache.c does the work).  docs/go.md
 * describes both.
 */
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "go_dirhash.h"
#include "modcache.h"
#include "util.h"

#define HASH_USAGE "usage: bpfguard go hash zip FILE [--prefix MODULE@VERSION] | dir DIR --prefix MODULE@VERSION | gomod FILE"
#define VERIFY_USAGE "usage: bpfguard go verify-modcache [GOMODCACHE] [--json]"

/* Violations shown per zip; the count is always exact. */
#define MAX_SHOWN 20

struct viol_print {
	const char *file; /* the zip */
	size_t shown;
};

static void print_violation(void *ctx, const char *name, size_t name_len, const char *why)
{
	struct viol_print *v = ctx;
	char q[300];

	if (v->shown++ >= MAX_SHOWN)
		return;
	if (name)
		bg_zip_quote(name, name_len, q, sizeof(q));
	else
		snprintf(q, sizeof(q), "(zip)");
	fprintf(stderr, "bpfguard: go hash: %s: %s: %s\n", v->file, q, why);
}

/* One error line for a failed hash of FILE, with what to do about it. */
static int hash_failed(const char *file, int st, const struct bg_diag *d, size_t nviol)
{
	switch (st) {
	case BG_ZIP_EIO:
		fprintf(stderr, "bpfguard: go hash: %s: %s; check the path exists and is readable\n", file, d->msg);
		return BG_GO_EXIT_FAIL;
	case BG_ZIP_ERULES:
		fprintf(stderr, "bpfguard: go hash: %s: %zu module-zip rule violation%s; not a valid Go module zip (the go command refuses it), no hash printed\n",
			file, nviol, nviol == 1 ? "" : "s");
		return BG_GO_EXIT_USAGE;
	case BG_ZIP_EFORMAT:
		fprintf(stderr, "bpfguard: go hash: %s: %s; not a readable module zip, download it again\n", file, d->msg);
		return BG_GO_EXIT_USAGE;
	default:
		fprintf(stderr, "bpfguard: go hash: %s: %s; retry with more memory\n", file, d->msg);
		return BG_GO_EXIT_FAIL;
	}
}

const struct option bg_opts_go_hash[] = {
	{ "prefix", required_argument, NULL, 'P' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

int cmd_go_hash(int argc, char **argv)
{
	const char *kind = NULL, *file = NULL, *prefix = NULL;
	struct viol_print vp = { 0 };
	struct bg_modzip_sink rules = { .report = print_violation, .ctx = &vp };
	struct bg_diag d = { 0 };
	char out[BG_H1_LEN];
	int c, st;

	optind = 1;
	opterr = 0; /* our own one-line messages */
	while ((c = getopt_long(argc, argv, ":h", bg_opts_go_hash, NULL)) != -1) {
		switch (c) {
		case 'P': prefix = optarg; break;
		case 'h': bg_cmd_usage(stdout); return BG_GO_EXIT_OK;
		case ':':
			fprintf(stderr, "bpfguard: go hash: --prefix needs MODULE@VERSION; %s\n", HASH_USAGE);
			return BG_GO_EXIT_USAGE;
		default:
			fprintf(stderr, "bpfguard: go hash: unknown option '%s'; %s\n", argv[optind - 1], HASH_USAGE);
			return BG_GO_EXIT_USAGE;
		}
	}
	if (optind < argc)
		kind = argv[optind];
	if (optind + 1 < argc)
		file = argv[optind + 1];
	if (optind + 2 < argc) {
		fprintf(stderr, "bpfguard: go hash: unexpected argument '%s'; %s\n", argv[optind + 2], HASH_USAGE);
		return BG_GO_EXIT_USAGE;
	}
	if (!kind) {
		fprintf(stderr, "bpfguard: go hash: say what to hash; %s\n", HASH_USAGE);
		return BG_GO_EXIT_USAGE;
	}
	if (strcmp(kind, "zip") && strcmp(kind, "dir") && strcmp(kind, "gomod")) {
		fprintf(stderr, "bpfguard: go hash: '%s' is not zip, dir or gomod; %s\n", kind, HASH_USAGE);
		return BG_GO_EXIT_USAGE;
	}
	if (!file) {
		fprintf(stderr, "bpfguard: go hash: %s: missing the %s to hash; %s\n", kind,
			strcmp(kind, "dir") ? "file" : "directory", HASH_USAGE);
		return BG_GO_EXIT_USAGE;
	}
	if (prefix && !prefix[0]) {
		fprintf(stderr, "bpfguard: go hash: %s: empty --prefix; give MODULE@VERSION\n", file);
		return BG_GO_EXIT_USAGE;
	}

	if (!strcmp(kind, "zip")) {
		vp.file = file;
		st = bg_h1_zip_file(file, prefix, &rules, out, &d);
		if (st == BG_ZIP_ERULES && vp.shown > MAX_SHOWN)
			fprintf(stderr, "bpfguard: go hash: %s: (%zu more violations not shown)\n", file,
				vp.shown - MAX_SHOWN);
	} else if (!strcmp(kind, "dir")) {
		if (!prefix) {
			fprintf(stderr, "bpfguard: go hash: %s: a directory needs --prefix MODULE@VERSION (the hash covers names MODULE@VERSION/path); add it\n",
				file);
			return BG_GO_EXIT_USAGE;
		}
		st = bg_h1_dir(file, prefix, out, &d);
	} else {
		if (prefix) {
			fprintf(stderr, "bpfguard: go hash: %s: --prefix does not apply to gomod (the file is always named go.mod); drop it\n",
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
 * verify-modcache: the checking is go/modcache.c's; here the rendering.
 */

static struct json_object *part_json(const char *what, const char *file, const struct bg_modcache_part *p,
				     struct json_object *viol)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, what, json_object_new_string(file));
	json_object_object_add(o, "status", json_object_new_string(bg_modcache_status_name[p->st]));
	if (p->exists && !p->hash_st)
		json_object_object_add(o, "hash", json_object_new_string(p->hash));
	if (p->exists && p->hash_st && p->hash_st != BG_ZIP_ERULES)
		json_object_object_add(o, "error", json_object_new_string(p->msg));
	if (viol)
		json_object_object_add(o, "violations", viol);
	return o;
}

static struct json_object *result_json(const struct bg_modcache_result *r)
{
	struct json_object *jm = json_object_new_object(), *viol = NULL;

	if (r->outcome == BG_MC_BAD_ESCAPE) {
		json_object_object_add(jm, "cache_entry", json_object_new_string(r->where ? r->where : ""));
		json_object_object_add(jm, "error", json_object_new_string("not a valid escaped module path or version"));
		json_object_object_add(jm, "ok", json_object_new_boolean(0));
		return jm;
	}
	json_object_object_add(jm, "path", json_object_new_string(r->path));
	json_object_object_add(jm, "version", json_object_new_string(r->version));
	if (r->outcome == BG_MC_NO_ZIPHASH) {
		char *e = NULL;

		if (asprintf(&e, "missing ziphash: %s: %s", r->ziphash, strerror(r->ziphash_errno)) < 0)
			e = NULL;
		json_object_object_add(jm, "error", json_object_new_string(e ? e : "missing ziphash"));
		free(e);
	} else if (r->outcome == BG_MC_CHECKED) {
		json_object_object_add(jm, "ziphash", json_object_new_string(r->want));
		if (r->zipp.exists && r->zipp.hash_st == BG_ZIP_ERULES) {
			viol = json_object_new_array();
			for (size_t i = 0; i < r->nviol_kept; i++) {
				char line[900];

				snprintf(line, sizeof(line), "%s", r->viol[i]);
				json_object_array_add(viol, json_object_new_string(line));
			}
		}
		json_object_object_add(jm, "zip", part_json("file", r->zip, &r->zipp, viol));
		json_object_object_add(jm, "dir", part_json("path", r->dir, &r->dirp, NULL));
	}
	json_object_object_add(jm, "ok", json_object_new_boolean(r->ok));
	return jm;
}

/* The lines `go mod verify` would print for this version (none if fine). */
static void result_text(const struct bg_modcache_ver *m, const struct bg_modcache_result *r)
{
	const struct bg_modcache_part *z = &r->zipp, *d = &r->dirp;

	switch (r->outcome) {
	case BG_MC_BAD_ESCAPE:
		printf("%s: not a valid escaped module path or version in cache/download\n",
		       r->where ? r->where : m->esc_path);
		return;
	case BG_MC_NO_ZIPHASH:
		printf("%s: missing ziphash: open %s: %s\n", r->modver, r->ziphash, strerror(r->ziphash_errno));
		return;
	case BG_MC_CHECKED:
		break;
	default:
		return;
	}
	for (size_t i = 0; i < r->nviol_kept; i++)
		printf("%s: invalid module zip: %s\n", r->modver, r->viol[i]);
	if (z->exists) {
		if (z->st == BG_MC_MODIFIED)
			printf("%s: zip has been modified (%s)\n", r->modver, r->zip);
		else if (z->hash_st == BG_ZIP_EFORMAT)
			printf("%s: zip has been modified (%s): %s\n", r->modver, r->zip, z->msg);
		else if (z->hash_st == BG_ZIP_ERULES)
			printf("%s: zip has been modified (%s): %zu module-zip rule violation%s\n",
			       r->modver, r->zip, z->nviol, z->nviol == 1 ? "" : "s");
		else if (z->hash_st)
			printf("%s: %s: %s\n", r->modver, r->zip, z->msg);
	}
	if (d->exists) {
		if (d->st == BG_MC_MODIFIED)
			printf("%s: dir has been modified (%s)\n", r->modver, r->dir);
		else if (d->hash_st)
			printf("%s: %s\n", r->modver, d->msg);
	}
}

const struct option bg_opts_go_modcache[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

int cmd_go_verify_modcache(int argc, char **argv)
{
	struct bg_modcache l = { 0 };
	struct json_object *root = NULL, *arr = NULL;
	const char *arg = NULL;
	struct bg_diag d = {};
	char *cache = NULL;
	size_t failed = 0;
	bool json;
	int c, rc = BG_GO_EXIT_FAIL, fail = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jh", bg_opts_go_modcache, NULL)) != -1) {
		switch (c) {
		case 'j': bg_json_want(); break;
		case 'h': bg_cmd_usage(stdout); return BG_GO_EXIT_OK;
		default:
			fprintf(stderr, "bpfguard: go verify-modcache: unknown option '%s'; %s\n", argv[optind - 1],
				VERIFY_USAGE);
			return BG_GO_EXIT_USAGE;
		}
	}
	json = bg_json_mode != BG_JSON_OFF;
	if (optind < argc)
		arg = argv[optind];
	if (optind + 1 < argc) {
		fprintf(stderr, "bpfguard: go verify-modcache: unexpected argument '%s'; %s\n", argv[optind + 1],
			VERIFY_USAGE);
		return BG_GO_EXIT_USAGE;
	}
	cache = arg ? strdup(arg) : bg_modcache_default();
	if (!cache) {
		fprintf(stderr, "bpfguard: go verify-modcache: no GOMODCACHE, GOPATH or HOME to find the module cache; pass its path\n");
		return BG_GO_EXIT_USAGE;
	}
	/* trailing slashes would double in the paths we print */
	for (size_t k = strlen(cache); k > 1 && cache[k - 1] == '/'; k--)
		cache[k - 1] = '\0';
	if (bg_modcache_scan(cache, &l, &d)) {
		fprintf(stderr, "bpfguard: go verify-modcache: %s\n", d.msg);
		goto out;
	}
	if (json) {
		root = json_object_new_object();
		arr = json_object_new_array();
	}
	/* one version at a time: checked, then rendered (a cache can be large) */
	for (size_t i = 0; i < l.n; i++) {
		struct bg_modcache_result r;

		bg_modcache_check(cache, &l.m[i], &r);
		if (r.outcome == BG_MC_NOMEM)
			fprintf(stderr, "bpfguard: go verify-modcache: out of memory\n");
		else if (json)
			json_object_array_add(arr, result_json(&r));
		else
			result_text(&l.m[i], &r);
		if (!r.ok)
			failed++;
		if (r.fail == BG_GO_EXIT_MODIFIED || !fail)
			fail = r.fail;
		bg_modcache_result_free(&r);
	}
	rc = fail;
	if (json) {
		json_object_object_add(root, "gomodcache", json_object_new_string(cache));
		json_object_object_add(root, "modules", arr);
		json_object_object_add(root, "checked", json_object_new_int64((int64_t)l.n));
		json_object_object_add(root, "failed", json_object_new_int64((int64_t)failed));
		json_object_object_add(root, "all_verified", json_object_new_boolean(rc == 0));
		bg_json_print(root);
		json_object_put(root);
	} else if (!rc) {
		printf("all modules verified\n");
	} else {
		fprintf(stderr, "bpfguard: go verify-modcache: %zu of %zu module versions failed verification%s\n",
			failed, l.n, rc == BG_GO_EXIT_MODIFIED ? "; remove them (go clean -modcache, or delete the listed files) and download again" : "");
	}
out:
	bg_modcache_free(&l);
	free(cache);
	return rc;
}

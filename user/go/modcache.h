/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * modcache.h - `bpfguard go verify-modcache`'s work: list the module
 * versions of a Go module cache and check each the way `go mod verify`
 * does (verifyMod in cmd/go/internal/modcmd/verify.go): recompute the h1:
 * hash of the cached zip and of the extracted directory and compare them
 * with the .ziphash the go command wrote at download.  The command
 * renders the results.  docs/go.md.
 */
#ifndef BG_GO_MODCACHE_H
#define BG_GO_MODCACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "go_dirhash.h"

/* One version found under cache/download (escaped as in the cache). */
struct bg_modcache_ver {
	char *esc_path; /* "example.com/!upper" */
	char *esc_ver;
	char *vdir; /* .../cache/download/<esc_path>/@v */
};

struct bg_modcache {
	struct bg_modcache_ver *m; /* sorted by path, then version; no duplicates */
	size_t n, cap;
};

/* GOMODCACHE, else the first GOPATH element's pkg/mod, else ~/go/pkg/mod
 * (what `go env GOMODCACHE` gives without a go env file); malloc'd, NULL
 * if none can be told (or out of memory). */
char *bg_modcache_default(void);
/* Lists the versions of the cache at `cache` (no trailing '/').  0, or -1
 * with one line in d (not a module cache, unreadable, out of memory). */
int bg_modcache_scan(const char *cache, struct bg_modcache *l, struct bg_diag *d);
void bg_modcache_free(struct bg_modcache *l);

/* Violations kept per zip; the count (nviol) is always exact. */
#define BG_MODCACHE_MAX_SHOWN 20

enum bg_modcache_status {
	BG_MC_VERIFIED, BG_MC_MODIFIED, BG_MC_INVALID, BG_MC_MISSING, BG_MC_PARTIAL, BG_MC_ERROR,
};
extern const char *const bg_modcache_status_name[];

/* How the check of one version ended. */
enum bg_modcache_outcome {
	BG_MC_BAD_ESCAPE, /* not a valid escaped module path or version (where says which) */
	BG_MC_NOMEM,
	BG_MC_NOTHING,    /* neither zip nor directory: nothing downloaded yet */
	BG_MC_NO_ZIPHASH, /* something downloaded but no readable .ziphash (ziphash_errno) */
	BG_MC_CHECKED,    /* zip and dir below say what was found */
};

/* The zip or the extracted directory of a version. */
struct bg_modcache_part {
	bool exists; /* zip: there (or not stat-able); dir: there and complete */
	enum bg_modcache_status st;
	int hash_st;            /* bg_zip_status of hashing it; 0: hash is set */
	char hash[BG_H1_LEN];
	char msg[512];          /* with hash_st != 0 */
	size_t nviol;           /* zip: module-zip rule violations */
};

struct bg_modcache_result {
	enum bg_modcache_outcome outcome;
	char *where;                /* BG_MC_BAD_ESCAPE: "<esc_path>/@v/<esc_ver>" (NULL: out of memory) */
	char *path, *version;       /* unescaped */
	char *modver;               /* "path version" */
	char *zip, *ziphash, *dir;  /* the files looked at */
	char *want;                 /* the .ziphash content */
	int ziphash_errno;
	struct bg_modcache_part zipp, dirp;
	char **viol;                /* "NAME: why" of the first BG_MODCACHE_MAX_SHOWN violations */
	size_t nviol_kept;
	bool ok;
	int fail; /* 0, BG_GO_EXIT_MODIFIED or BG_GO_EXIT_FAIL */
};

/* Checks one listed version of the cache. */
void bg_modcache_check(const char *cache, const struct bg_modcache_ver *m, struct bg_modcache_result *r);
void bg_modcache_result_free(struct bg_modcache_result *r);

#endif

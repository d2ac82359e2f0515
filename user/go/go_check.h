/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * go_check.h - a Go binary loaded and read (build info and verdicts), and
 * one dependency checked against go.sum.  Used by `bpfguard go inspect|
 * verify` and by `bpfguard run`'s pre-flight checks.
 */
#ifndef BG_GO_CHECK_H
#define BG_GO_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "go_buildinfo.h"
#include "gosum.h"

/* The file's bytes while it is parsed: mapped, or read for non-regular
 * files; released once parsing is done (the results are copies). */
struct bg_go_image {
	const uint8_t *buf;
	size_t len;
	void *map;      /* mmap'd (munmap map, len) */
	char *malloced; /* or read into memory */
};

struct bg_go_file {
	struct bg_go_image im;
	struct bg_elf elf;
	struct bg_go_buildinfo bi;
	struct bg_go_verdict v;
	bool have_sha256;   /* bg_go_file_open_hashed: the file's SHA-256, */
	uint8_t sha256[32]; /* of the very bytes parsed */
};

/* One line on stderr: "bpfguard go VERB: FILE: what; what to do"
 * ("bpfguard run: FILE: ..." for VERB "run"); file may be NULL; VERB NULL
 * prints nothing (the caller reports). */
void bg_go_err(const char *verb, const char *file, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The bytes of a file (mapped if regular, else read), at most 1 GiB. 0 or
 * a BG_GO_EXIT_* code after printing one line. */
int bg_go_image_load(const char *verb, const char *path, struct bg_go_image *im);
void bg_go_image_unload(struct bg_go_image *im);

/* Loads and parses path; on failure prints one line ("bpfguard go VERB:
 * FILE: ...", or "bpfguard run: FILE: ..." for VERB "run") and returns the
 * BG_GO_EXIT_* code.  Close with bg_go_file_close() after success. */
int bg_go_file_open(const char *verb, const char *path, struct bg_go_file *g);
/* The same, and the SHA-256 of the bytes it parsed (an SBOM's hash). */
int bg_go_file_open_hashed(const char *verb, const char *path, struct bg_go_file *g);
void bg_go_file_close(struct bg_go_file *g);

enum bg_go_vstatus { BG_GO_V_OK, BG_GO_V_MISSING, BG_GO_V_MISMATCH, BG_GO_V_UNVERIFIABLE, BG_GO_V_SKIPPED };
extern const char *const bg_go_vstatus_name[];

struct bg_go_vresult {
	const struct bg_go_dep *dep;
	const struct bg_go_mod *m; /* what go.sum must vouch for: the replacement if any */
	enum bg_go_vstatus st;
	const struct bg_gosum_entry *gs; /* go.sum lines found for it */
	size_t ngs;
	char detail[320];
};

/* Checks one dependency (its replacement if it has one) against go.sum;
 * allow_dir: a directory replacement is SKIPPED instead of UNVERIFIABLE. */
void bg_go_verify_dep(const struct bg_go_dep *d, const struct bg_gosum *gs, bool allow_dir,
		      struct bg_go_vresult *v);

/* `bpfguard go verify`: every dependency of bi checked (res has room for
 * bi->ndeps), and how many were OK, SKIPPED, or failed (anything else). */
struct bg_go_vcount {
	size_t ok, failed, skipped;
};
void bg_go_verify_all(const struct bg_go_buildinfo *bi, const struct bg_gosum *gs, bool allow_dir,
		      struct bg_go_vresult *res, struct bg_go_vcount *c);

#endif

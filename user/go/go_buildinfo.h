/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * go_buildinfo.h - the build information the Go linker embeds in every
 * binary (`go version -m`), read without a Go toolchain, plus the "does it
 * link C?" and "is it static?" verdicts.  Formats: docs/go.md and
 * ../shared/reference/go-formats.md.
 */
#ifndef BG_GO_BUILDINFO_H
#define BG_GO_BUILDINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "go_elf.h"
#include "go_strconv.h"

/* Exit codes of `bpfguard go inspect|verify` (docs/go.md). */
enum {
	BG_GO_EXIT_OK = 0,
	BG_GO_EXIT_IO = 1,       /* cannot read the file */
	BG_GO_EXIT_USAGE = 2,    /* bad arguments, malformed go.sum or build info */
	BG_GO_EXIT_NOT_GO = 4,   /* not a Go binary (no build info) */
	BG_GO_EXIT_MISMATCH = 5, /* go verify: a module is missing, differs or is unverifiable */
};

/* Bounds on hostile input (real binaries are far below them). */
#define BG_GO_MODINFO_MAX (4u << 20)  /* bytes of modinfo */
#define BG_GO_LINES_MAX 100000u       /* dep lines, and build lines */
#define BG_GO_OLD_STRING_MAX (1u << 20) /* a string behind a <1.18 pointer, as Go */
#define BG_GO_SEARCH_WINDOW (64u << 10) /* where the magic is looked for, as Go */

struct bg_go_mod {
	const char *path, *version, *sum; /* never NULL; "" when absent */
};

struct bg_go_dep {
	struct bg_go_mod mod;
	bool replaced; /* an => line followed */
	struct bg_go_mod rep;
};

struct bg_go_setting {
	struct bg_go_str key, value; /* unquoted */
};

struct bg_go_buildinfo {
	struct bg_go_str go_version; /* "go1.19.8" */
	const char *path;            /* main package path, "" if none */
	bool has_main;               /* mod line present and not all empty */
	struct bg_go_dep main;
	struct bg_go_dep *deps;
	size_t ndeps;
	struct bg_go_setting *settings;
	size_t nsettings;

	/* where and how it was found */
	const char *source;  /* ".go.buildinfo section" or "writable PT_LOAD segment" */
	uint64_t addr;       /* virtual address of the blob */
	bool inline_strings; /* Go >= 1.18 layout; else pointers (< 1.18) */
	unsigned ptr_size;

	char *arena; /* the modinfo copy the module strings point into */
};

enum bg_go_status {
	BG_GO_OK = 0,
	BG_GO_NOT_ELF,     /* not an ELF file at all */
	BG_GO_BAD_ELF,     /* ELF but malformed/truncated headers */
	BG_GO_NOT_GO,      /* ELF without Go build info */
	BG_GO_BAD_MODINFO, /* build info found, module lines malformed */
	BG_GO_NOMEM,
};

/*
 * The raw strings: where the magic is, and the Go version and modinfo
 * (sentinels already stripped; empty when Go would treat it as empty),
 * pointing into the ELF buffer.  BG_GO_OK or BG_GO_NOT_GO.
 */
struct bg_go_raw {
	const char *source;
	uint64_t addr;
	bool inline_strings;
	unsigned ptr_size;
	const uint8_t *version, *modinfo;
	size_t version_len, modinfo_len;
};
enum bg_go_status bg_go_find_raw(const struct bg_elf *e, struct bg_go_raw *raw);

/*
 * Parses modinfo lines into bi (runtime/debug.ParseBuildInfo rules: the same
 * lines are accepted and rejected).  On BG_GO_BAD_MODINFO d says which
 * line and why.  bi must be zeroed (or freed) first.
 */
enum bg_go_status bg_go_modinfo_parse(const uint8_t *mod, size_t len, struct bg_go_buildinfo *bi,
				      struct bg_diag *d);

/* Everything: ELF header, build info, modinfo.  d explains a failure. */
enum bg_go_status bg_go_read(const uint8_t *buf, size_t len, struct bg_elf *e,
			     struct bg_go_buildinfo *bi, struct bg_diag *d);
void bg_go_buildinfo_free(struct bg_go_buildinfo *bi);

/*
 * The exact text `go version -m` prints after its "FILE: goversion" line
 * (tab-indented path/mod/dep/=>/build lines, including Go 1.19's blank
 * "\t" line after each => line).  Returns false on allocation failure.
 */
bool bg_go_buildinfo_write(const struct bg_go_buildinfo *bi, FILE *f);

/* Verdicts.  Evidence: short human-readable strings (docs/go.md). */
struct bg_go_verdict {
	bool cgo;       /* C code is linked in */
	bool is_static; /* no PT_INTERP and no PT_DYNAMIC */
	char **cgo_evidence;
	size_t ncgo;
	char **static_evidence;
	size_t nstatic;
	char *cgo_enabled; /* copy of the build CGO_ENABLED value, or NULL */
};
bool bg_go_verdicts(const struct bg_elf *e, const struct bg_go_buildinfo *bi, struct bg_go_verdict *v);
void bg_go_verdict_free(struct bg_go_verdict *v);

/* A replacement by a local directory (no version, no sum: cannot be verified). */
bool bg_go_is_dir_replacement(const struct bg_go_mod *rep);

#endif

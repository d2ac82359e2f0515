/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * derive_policy.h - the policy `bpfguard policy derive` writes from what
 * user/go/derive.c found in a Go binary (docs/derive.md): the same shape
 * as a learned policy (docs/learn.md), one `allow NAME` line per syscall
 * with a comment naming its first call-site functions, so `bpfguard
 * policy diff` compares a derived and a learned policy directly.
 *
 * Here and not in user/go because it needs the syscall names (user/policy).
 */
#ifndef BG_DERIVE_POLICY_H
#define BG_DERIVE_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "derive.h"
#include "diag.h"

struct json_object;

struct bg_derive_opts {
	const char *binary; /* path, for the header comment and the default name */
	const char *name;   /* the `name` line; NULL: derived-<basename> */
	bool kill;          /* default kill instead of errno(EPERM) */
	bool no_namespaces; /* clone/unshare without namespace flags, setns killed */
};

/* Counts over the sites, for summaries. */
struct bg_derive_summary {
	unsigned syscalls;   /* distinct named x86_64 syscalls allowed */
	size_t resolved;     /* sites with a named number */
	size_t unresolved;   /* sites whose number is not a constant */
	size_t unnamed;      /* sites with a constant no syscall has */
};
void bg_derive_summarize(const struct bg_derive *dv, struct bg_derive_summary *s);

/*
 * The policy text (malloc'd, in *text and *len), parsed back and checked to allow
 * every derived syscall before it is returned.  -1 with d set on failure.
 */
int bg_derive_policy(const struct bg_derive *dv, const struct bg_derive_opts *o, char **text,
		     size_t *len, struct bg_diag *d);

/* Writes text to path through a temporary file renamed into place. */
int bg_derive_write(const char *path, const char *text, size_t len, struct bg_diag *d);

/*
 * What was derived as JSON: binary, go_version, pclntab (layout, source,
 * functions), cgo, static, decoded (functions, unmapped, instructions,
 * bytes, undecodable_bytes, ms), syscalls[] (syscall, nr, conditions[]
 * when derived, sites[]), unresolved[] and unnamed[] (each site: function,
 * pc, kind "syscall" or "call", via: the wrapper called, args: the
 * constant arguments).
 */
struct json_object *bg_derive_to_json(const struct bg_derive *dv, const struct bg_derive_opts *o);

#endif

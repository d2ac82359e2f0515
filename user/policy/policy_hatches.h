/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * policy_hatches.h - escape hatches a policy leaves open, and the implied
 * io_uring rule.
 *
 * An analysis pass over the IR (struct bg_policy): for an attacker inside a
 * guarded cgroup (root included) or the payload of `bpfguard run`, which
 * allowed calls undo what the policy is for.  Computing (bg_hatches_find)
 * is separate from printing (bg_hatch_line, bg_hatches_to_json) and from
 * the commands' gate (bg_hatches_gate).  docs/policy.md, "Escape hatches",
 * is the list in prose.
 */
#ifndef BG_POLICY_HATCHES_H
#define BG_POLICY_HATCHES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "policy.h"

/* Who the attacker is. */
enum bg_hatch_target {
	BG_HATCH_CGROUP = 0, /* attach: any process in the cgroup, root included */
	BG_HATCH_RUN = 1,    /* bpfguard run: the payload (no capabilities, own namespaces) */
};

enum bg_hatch_state {
	BG_HATCH_OPEN = 0,      /* nothing stops it: a warning, an error under --strict */
	BG_HATCH_CONTAINED = 1, /* bpfguard itself holds it (said, never an error) */
};

#define BG_HATCH_MAX 32

struct bg_hatch {
	int cls;            /* index of the class (bg_hatch_name) */
	uint8_t state;      /* enum bg_hatch_state */
	bool accepted;      /* `hatch accept` names it */
	char what[320];     /* what is open, with the calls: "bpf is allowed" */
	const char *why;    /* why it matters (static) */
	char fix[320];      /* what to add */
};

struct bg_hatches {
	unsigned n;
	struct bg_hatch h[BG_HATCH_MAX];
};

/* Finds the hatches `p` leaves open for `target` (enum bg_hatch_target),
 * in class order.  Pure: reads the IR only. */
void bg_hatches_find(const struct bg_policy *p, int target, struct bg_hatches *out);

/* Hatch class names ("io-uring", "bpf", ...): index <-> name. */
const char *bg_hatch_name(int cls);
int bg_hatch_id(const char *name); /* -1 if unknown */

/* "hatch bpf: bpf is allowed: WHY; add `kill bpf`" (+ " [accepted]"). */
void bg_hatch_line(const struct bg_hatch *h, char *buf, size_t len);
/* Array of {hatch, state, accepted, what, why, fix}. */
struct json_object *bg_hatches_to_json(const struct bg_hatches *hs);
/* The implied io_uring rule as JSON (null-free object; applied false if none). */
struct json_object *bg_uring_implied_to_json(const struct bg_policy *p);

/* Whether io_uring is open while the policy denies something io_uring can
 * perform: --require-deny never passes then. */
bool bg_hatch_uring_open(const struct bg_policy *p);

/* Open findings not accepted: how many, and their names (", "-separated,
 * the first few) for the --strict refusal, which the second prints. */
unsigned bg_hatches_open(const struct bg_hatches *hs, char *names, size_t len);
void bg_hatches_strict_error(const struct bg_policy *p, unsigned nopen, const char *names);

/* `hatch accept ...` line for bg_policy_print. */
void bg_hatch_print_accept(const struct bg_policy *p, FILE *f);

/* The commands' gate (attach, run): prints the implied io_uring rule as a
 * note and each finding as a warning on stderr, then refuses (returns -1,
 * one error line printed) under `strict` if a finding is open and not
 * accepted, or under `require_deny` if the io_uring path is open. */
struct bg_hatch_gate {
	int target; /* enum bg_hatch_target */
	bool strict;
	bool require_deny;
	bool quiet; /* findings only, no note */
	bool silent; /* decide only (refusals still say why): the caller reports the
		      * findings once its own input checks passed, so a bad-input
		      * error stays one line */
};
int bg_hatches_gate(const struct bg_policy *p, const struct bg_hatch_gate *g);
/* Same for a policy file not loaded yet (NULL: run's built-in policy).  A
 * file that does not load passes: the caller's own load reports it. */
int bg_hatches_gate_file(const char *path, const struct bg_hatch_gate *g);

#endif

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * learn.h - record the syscalls of a cgroup subtree and write them out as
 * a minimal native policy (`bpfguard learn`, `bpfguard run --learn`;
 * docs/learn.md).
 *
 * A session loads its own copy of learn.bpf.o and holds the link itself:
 * nothing is pinned, nothing is shared with attached policies or other
 * sessions, and if the process dies the kernel detaches the program.
 * Counting happens in the kernel, per syscall, exactly.
 *
 * Use:
 *	bg_learn_check_output(out, &d);      before starting anything
 *	bg_learn_start(&l, cgroup_abs, cgid, &d);
 *	... the workload runs in the cgroup (or below it) ...
 *	bg_learn_stop_write(l, out, name, &d);
 *	bg_learn_free(l);
 * All functions that fail leave a one-line message (what, where, what to
 * do) in d (struct bg_diag, diag.h) and return -1; nothing stays attached
 * after a failure.
 */
#ifndef BG_LEARN_H
#define BG_LEARN_H

#include <stddef.h>
#include <stdint.h>

#include "bpfguard.h"
#include "diag.h"

struct bg_learn;
struct json_object;

/* Fails unless a file can be created next to out_path (a temporary file is
 * created and removed there): checks -o before a long session, not after. */
int bg_learn_check_output(const char *out_path, struct bg_diag *d);

/* Starts recording every syscall of the cgroup v2 directory
 * cgroup_abs_path and of every cgroup below it, existing or created
 * later.  cgid is its id (the directory's inode), or 0 to look it up; a
 * mismatch is an error (the directory was replaced).  Needs root. */
int bg_learn_start(struct bg_learn **l, const char *cgroup_abs_path, uint64_t cgid,
		   struct bg_diag *d);

/* A path by which this process can open a file the workload will run
 * under another name (`run --learn`: the payload is exec'd by its path in
 * the sandbox).  Used only for a file with the same device and inode as
 * one the kernel saw run.  -1 when out of room or memory. */
int bg_learn_hint_exe(struct bg_learn *l, const char *path);

/* Detaches the program and takes the final counts (idempotent).  After
 * this the workload costs nothing; the record stays in *l. */
void bg_learn_stop(struct bg_learn *l);

/* Stops (if not yet) and writes the policy to out_path (a temporary file
 * renamed into place: a reader never sees half a policy).  name: the
 * policy's `name` line, NULL for "learned-<cgroup basename>".  The text is
 * parsed back before it is written, and every call seen is checked to be
 * allowed by it. */
int bg_learn_stop_write(struct bg_learn *l, const char *out_path, const char *name,
			struct bg_diag *d);

/* What was recorded, as JSON (caller puts it): name (of the policy
 * written, once bg_learn_stop_write() succeeded), cgroup, cgroup_id,
 * duration_ms, calls_total, syscalls (distinct), per-ABI totals, and
 * `seen`: one object per syscall with abi, syscall, nr, count,
 * first_pid, first_comm and, for the recorded arguments, `values`;
 * `executables` run in the session (path, execs, kind go|other|unchecked,
 * go_version, cgo) and, when a Go binary ran, `added_for_go_runtime`: the
 * runtime's calls the policy allows although they were not seen. */
struct json_object *bg_learn_to_json(const struct bg_learn *l);

/* How `values[].args` of the JSON above are laid out for a syscall (by
 * name, either ABI): value k is register argument arg[k] masked with
 * mask[k].  Returns how many values are recorded, 0 for a syscall whose
 * arguments are not (`bpfguard policy test` reads learned JSON back). */
int bg_learn_value_layout(const char *syscall, uint8_t arg[BG_LEARN_NVALS],
			  uint64_t mask[BG_LEARN_NVALS]);

/* Totals, for a one-line summary. */
uint64_t bg_learn_calls(const struct bg_learn *l);
unsigned bg_learn_syscalls(const struct bg_learn *l);

void bg_learn_free(struct bg_learn *l);

#endif

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * record.h - decisions taken outside BPF (bpfguard run's seccomp filter,
 * the fanotify exec gate)
 * into bpfguard's counters and event stream, through record.bpf.c.
 */
#ifndef BG_RECORD_H
#define BG_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "bpfguard.h"

struct record_bpf;

struct bg_recorder {
	struct record_bpf *skel;
	int prog_fd;
	bool pinned_fd; /* prog_fd is ours to close (the pinned program's) */
	unsigned long long puts;   /* records given to the program */
	unsigned long long failed; /* records the program did not take */
};

/* Loads record.bpf.c against bpfguard's pinned maps, which must exist
 * (an attachment was made).  Returns 0 or -1 with err set. */
int bg_recorder_open(struct bg_recorder *rc, struct bg_diag *diag);
/* The same for the exec gate's refusals (bg_record_exec). */
int bg_recorder_open_exec(struct bg_recorder *rc, struct bg_diag *diag);
int bg_recorder_put_exec(struct bg_recorder *rc, const struct bg_exec_record_in *in);
/* Counts one decision and emits its event (rate limit applies). */
int bg_recorder_put(struct bg_recorder *rc, const struct bg_record_in *in);
void bg_recorder_close(struct bg_recorder *rc);

#endif

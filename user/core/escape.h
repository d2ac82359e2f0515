/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * escape.h - the cgroup escape guard's user side (bpf/escape.bpf.c):
 * bringing its programs up and down, and tagging the tasks an attachment
 * finds already running in its subtree.
 */
#ifndef BG_ESCAPE_H
#define BG_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "loader.h"

/* Does the running kernel export the bpf_send_signal_task kfunc (6.13+)?
 * Decides whether another task's escape kills at once or at its next
 * syscall.  Cached after the first call. */
bool bg_kernel_can_signal_task(void);

/* Loads escape.bpf.c against the pinned maps and pins its links, unless
 * they are pinned already.  0 or -1 with err filled. */
int bg_escape_up(struct bg_diag *diag);
/* Unpins the links (the last attachment went). */
void bg_escape_down(void);
bool bg_escape_present(void);

/* A fresh epoch for a new attachment: nonzero, unlike the previous one. */
uint32_t bg_escape_new_epoch(void);

/* Tags every task (thread) in the cgroup directory `abs` as guarded by
 * (owner, epoch), keeping a tag that is still valid (an outer attachment's).
 * Returns the number of tasks tagged, or -errno. */
int bg_escape_tag_cgroup(const struct bg_state *st, const char *abs, uint64_t owner, uint32_t epoch);

#endif

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * daemon_drain.h - the daemon's reader of bpfguard's event ring buffer.
 *
 * Like `bpfguard events --follow`: the caller holds the follower lock
 * (bg_state_follow_begin) so the maps stay pinned while nothing is
 * attached; if nothing is pinned the maps are created, so every later
 * attach writes to the ring we read; and when the pinned ring is replaced
 * (`bpfguard reset`, the last detach and a new attach) the old one is read
 * to the end and the new one followed.  Each record is formatted once per
 * format (events.c plus daemon_enrich.c's fields) and written to every
 * output whose filter takes it.
 */
#ifndef BG_DAEMON_DRAIN_H
#define BG_DAEMON_DRAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "loader.h"

struct ring_buffer;
struct bg_event_resolver;
struct bgd_output;

#define BGD_DRAIN_BATCH 4096 /* records per consume call, so the loop stays responsive */

struct bgd_drain {
	struct bg_state st;
	bool open;
	struct ring_buffer *rb;
	struct bg_event_resolver *res;
	uint32_t ring_id;              /* kernel id of the ring we read */
	int64_t offset;                /* boot -> realtime */
	struct bgd_output *outs;       /* owned by the caller, may change between calls */
	unsigned nouts;
	unsigned long long events;     /* records read */
	unsigned batch;
};

/* Opens (or creates) the pinned maps and the ring buffer.  0, or -1 with
 * a message. */
int bgd_drain_open(struct bgd_drain *d, struct bg_diag *diag);
/* The descriptor to poll for "records ready" (-1 if not open). */
int bgd_drain_fd(const struct bgd_drain *d);
/* Reads up to BGD_DRAIN_BATCH records into the outputs (flushed after).
 * 1 if more may be waiting, 0 if the ring is empty, -1 on error. */
int bgd_drain_consume(struct bgd_drain *d);
/* Is the ring we read still the pinned one? */
bool bgd_drain_current(const struct bgd_drain *d);
/* Forget cached names (policy and cgroup per id), e.g. after attachments changed. */
void bgd_drain_forget_names(struct bgd_drain *d);
void bgd_drain_close(struct bgd_drain *d);

#endif

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * event_reader.h - reads the pinned ring buffer of events for `bpfguard
 * events`: what is queued, or (follow) everything until stopped, across
 * the pins being removed and made anew.  The caller renders each event.
 * One reader at a time: the ring buffer has a single consumer position.
 */
#ifndef BG_EVENT_READER_H
#define BG_EVENT_READER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "events.h"

struct bg_event_reader {
	bool follow;
	double timeout;         /* seconds; 0: none */
	unsigned long long max; /* stop after this many events; 0: no limit */
	/* set (by a signal handler) to stop following */
	const volatile sig_atomic_t *stop;
	/* One whole record, its names resolved.  A negative return stops
	 * reading and is returned by bg_event_read. */
	int (*on_event)(void *ctx, const struct bg_event *e, const struct bg_event_names *names);
	/* after every batch of records (flush the output) */
	void (*on_round)(void *ctx);
	void *ctx;
	unsigned long long delivered; /* events given to on_event that it took */
};

/* The state could not be opened (d says why). */
#define BG_EVENT_READ_NOSTATE 1

/* Reads events until done: nothing queued (not following), max reached,
 * timeout, stop, or an error.  0 when done (also when bpfguard has no
 * state and r->follow is false), BG_EVENT_READ_NOSTATE, or -errno
 * (on_event's own negative returns included); d holds a line to print
 * when there is more to say than the errno (bg_diag_failed(d) false
 * otherwise). */
int bg_event_read(struct bg_event_reader *r, struct bg_diag *d);

#endif

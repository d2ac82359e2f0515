// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * event_reader.c - the consumer of the pinned event ring buffer
 * (event_reader.h).
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "event_reader.h"
#include "loader.h"
#include "util.h"

struct drain {
	struct bg_event_reader *r;
	struct bg_event_resolver *resolver;
};

static int on_record(void *ctx, void *data, size_t size)
{
	struct drain *d = ctx;
	struct bg_event_reader *r = d->r;
	struct bg_event_names names;
	int ret;

	if (size < sizeof(struct bg_event) ||
	    (((const struct bg_event *)data)->type == BG_EVENT_EXEC && size < sizeof(struct bg_exec_event)))
		return 0; /* not ours: ignore rather than misread */
	bg_event_resolve(d->resolver, data, &names);
	ret = r->on_event(r->ctx, data, &names);
	if (ret < 0)
		return ret;
	r->delivered++;
	if (r->max && r->delivered >= r->max)
		return -ECANCELED; /* libbpf stops on a negative return, past this record */
	return 0;
}

static bool timed_out(const struct timespec *t0, double timeout)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return timeout > 0 && (now.tv_sec - t0->tv_sec) + (now.tv_nsec - t0->tv_nsec) / 1e9 >= timeout;
}

static void round_done(struct bg_event_reader *r)
{
	if (r->on_round)
		r->on_round(r->ctx);
}

/*
 * Drains the ring buffer of an opened state; closes the state.  Returns 0
 * when done (no follow, max, timeout, stop), -ENOENT when following and
 * the pins went away (the caller waits for new ones), or a negative error.
 */
static int drain_state(struct bg_state *st, struct bg_event_reader *r, const struct timespec *t0,
		       struct bg_diag *diag)
{
	uint32_t ring_id;
	struct drain d = { .r = r };
	struct ring_buffer *rb;
	unsigned rounds = 0;
	int ret;

	/* Consumers do not change enforcement: do not hold the state lock
	 * while following, or attach/detach would wait for us. */
	bg_state_close_lock(st);
	ring_id = bg_map_id(st->map[BG_MAP_EVENTS]);
	d.resolver = bg_event_resolver_new(st);
	rb = ring_buffer__new(st->map[BG_MAP_EVENTS], on_record, &d, NULL);
	if (!rb || !d.resolver) {
		bg_diag_set(diag, "cannot open the event ring buffer: %s", strerror(errno));
		ring_buffer__free(rb);
		bg_event_resolver_free(d.resolver);
		bg_state_close(st);
		return -EIO;
	}
	do {
		ret = r->follow ? ring_buffer__poll(rb, 200) : ring_buffer__consume(rb);
		round_done(r);
		if (ret == -EINTR)
			ret = 0;
		if (ret < 0 || (r->max && r->delivered >= r->max))
			break;
		if (timed_out(t0, r->timeout))
			break;
		/* every second: is our ring buffer still the pinned one? */
		if (r->follow && ++rounds % 5 == 0 && bg_pinned_events_id() != ring_id) {
			ret = ring_buffer__consume(rb); /* what is left in the old one */
			round_done(r);
			if (ret >= 0)
				ret = -ENOENT;
			break;
		}
	} while (r->follow && !(r->stop && *r->stop));
	ring_buffer__free(rb);
	bg_event_resolver_free(d.resolver);
	bg_state_close(st);
	/* consume/poll return how many records they took: success */
	return ret == -ECANCELED || ret > 0 ? 0 : ret;
}

int bg_event_read(struct bg_event_reader *r, struct bg_diag *diag)
{
	struct bg_state st;
	struct timespec t0;
	int follow_lock = -1, ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Following outlives bpfguard's state: it waits for pins to appear
	 * and, when they are removed (the last detach, the end of a
	 * `bpfguard run` that brought them) and made anew, follows the new
	 * ring buffer. */
	if (r->follow)
		follow_lock = bg_state_follow_begin();
	for (;;) {
		struct bg_diag d = {};

		if (diag)
			diag->msg[0] = '\0'; /* only this round's failure is worth a line */
		ret = bg_state_open(&st, false, &d);
		if (ret == -ENOENT && r->follow) {
			/* Nothing pinned: pin the maps ourselves, so every attach
			 * and run from now on writes to the ring we read. */
			ret = bg_state_open_maps(&st, &d);
			bg_state_close(&st);
			if (!ret)
				continue;
		}
		if (ret == -ENOENT)
			return 0; /* nothing attached, nothing queued */
		if (ret) {
			if (diag)
				*diag = d;
			ret = BG_EVENT_READ_NOSTATE;
			break;
		}
		ret = drain_state(&st, r, &t0, diag);
		if (ret != -ENOENT || (r->stop && *r->stop))
			break;
	}
	if (follow_lock >= 0) {
		close(follow_lock);
		bg_state_release_if_unused(); /* the pins were only for us */
	}
	return ret;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * events: drain the pinned ring buffer of denial events.
 *
 * Without --follow it prints what is queued and exits; with --follow it
 * waits for more until interrupted (or --timeout).  One reader at a time:
 * the ring buffer has a single consumer position.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <limits.h>
#include <stdbool.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "events.h"
#include "loader.h"
#include "util.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct drain {
	struct bg_event_resolver *resolver;
	int64_t offset;
	int json;
	unsigned long long printed, max;
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct drain *d = ctx;
	struct bg_event_names names;
	char line[BG_EVENT_LINE_MAX];

	if (size < sizeof(struct bg_event) ||
	    (((const struct bg_event *)data)->type == BG_EVENT_EXEC && size < sizeof(struct bg_exec_event)))
		return 0; /* not ours: ignore rather than misread */
	bg_event_resolve(d->resolver, data, &names);
	if (d->json)
		bg_event_format_json(data, d->offset, &names, line, sizeof(line));
	else
		bg_event_format_text(data, d->offset, &names, line, sizeof(line));
	if (puts(line) == EOF)
		return -EPIPE;
	d->printed++;
	if (d->max && d->printed >= d->max)
		return -ECANCELED; /* libbpf stops on a negative return, past this record */
	return 0;
}

static bool timed_out(const struct timespec *t0, double timeout)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return timeout > 0 && (now.tv_sec - t0->tv_sec) + (now.tv_nsec - t0->tv_nsec) / 1e9 >= timeout;
}

/* The id of the ring buffer pinned now, 0 if none. */
static __u32 pinned_events_id(void)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char p[PATH_MAX];
	int fd;

	bg_pin_path(p, sizeof(p), BG_PIN_MAPS, bg_map_name(BG_MAP_EVENTS));
	fd = bpf_obj_get(p);
	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		info.id = 0;
	close(fd);
	return info.id;
}

/*
 * Drains the ring buffer of an opened state; closes the state.  Returns 0
 * when done (no --follow, --count, --timeout, a signal), -ENOENT when
 * following and the pins went away (the caller waits for new ones), or a
 * negative error.
 */
static int drain_state(struct bg_state *st, struct drain *d, int follow, double timeout,
		       const struct timespec *t0)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct ring_buffer *rb;
	unsigned rounds = 0;
	int ret;

	/* Consumers do not change enforcement: do not hold the state lock
	 * while following, or attach/detach would wait for us. */
	bg_state_close_lock(st);
	bpf_obj_get_info_by_fd(st->map[BG_MAP_EVENTS], &info, &len);
	d->resolver = bg_event_resolver_new(st);
	rb = ring_buffer__new(st->map[BG_MAP_EVENTS], on_event, d, NULL);
	if (!rb || !d->resolver) {
		bg_err("cannot open the event ring buffer: %s", strerror(errno));
		ring_buffer__free(rb);
		bg_event_resolver_free(d->resolver);
		bg_state_close(st);
		return -EIO;
	}
	do {
		ret = follow ? ring_buffer__poll(rb, 200) : ring_buffer__consume(rb);
		fflush(stdout);
		if (ret == -EINTR)
			ret = 0;
		if (ret < 0 || (d->max && d->printed >= d->max))
			break;
		if (timed_out(t0, timeout))
			break;
		/* every second: is our ring buffer still the pinned one? */
		if (follow && ++rounds % 5 == 0 && pinned_events_id() != info.id) {
			ret = ring_buffer__consume(rb); /* what is left in the old one */
			fflush(stdout);
			if (ret >= 0)
				ret = -ENOENT;
			break;
		}
	} while (follow && !stop);
	ring_buffer__free(rb);
	bg_event_resolver_free(d->resolver);
	d->resolver = NULL;
	bg_state_close(st);
	/* consume/poll return how many records they took: success */
	return ret == -ECANCELED || ret > 0 ? 0 : ret;
}

int cmd_events(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "count", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct drain d = {};
	struct bg_state st;
	double timeout = 0;
	int follow = 0, c, ret;
	struct bg_diag diag = {};
	char *end;
	struct timespec t0;
	int follow_lock = -1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "fjt:n:h", lo, NULL)) != -1) {
		switch (c) {
		case 'f': follow = 1; break;
		case 'j': d.json = 1; break;
		case 't':
			timeout = strtod(optarg, &end);
			if (*end || timeout <= 0) {
				bg_err("--timeout '%s': expected seconds > 0", optarg);
				return BG_EXIT_USAGE;
			}
			break;
		case 'n':
			d.max = strtoull(optarg, &end, 10);
			if (*end || !d.max) {
				bg_err("--count '%s': expected a positive number", optarg);
				return BG_EXIT_USAGE;
			}
			break;
		case 'h':
			printf("Usage: bpfguard events [--follow] [--json] [--timeout SEC] [--count N]\n");
			return 0;
		default:
			return BG_EXIT_USAGE;
		}
	}
	/* A terminal sees each event as it comes; a pipe or file gets full
	 * buffers, flushed after every poll round, so a burst costs a few
	 * writes instead of one per event. */
	if (isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	d.offset = bg_boot_to_realtime_offset();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* --follow outlives bpfguard's state: it waits for pins to appear and,
	 * when they are removed (the last detach, the end of a `bpfguard run`
	 * that brought them) and made anew, follows the new ring buffer. */
	if (follow)
		follow_lock = bg_state_follow_begin();
	for (;;) {
		ret = bg_state_open(&st, false, &diag);
		if (ret == -ENOENT && follow) {
			/* Nothing pinned: pin the maps ourselves, so every attach
			 * and run from now on writes to the ring we read. */
			ret = bg_state_open_maps(&st, &diag);
			bg_state_close(&st);
			if (!ret)
				continue;
		}
		if (ret == -ENOENT)
			return 0; /* nothing attached, nothing queued */
		if (ret) {
			bg_diag_print(&diag);
			ret = BG_EXIT_FAIL;
			break;
		}
		ret = drain_state(&st, &d, follow, timeout, &t0);
		if (ret != -ENOENT || stop)
			break;
	}
	if (follow_lock >= 0) {
		close(follow_lock);
		bg_state_release_if_unused(); /* the pins were only for us */
	}
	if (ret == BG_EXIT_FAIL)
		return BG_EXIT_FAIL;
	if (ret < 0 && ret != -EPIPE && ret != -ECANCELED && ret != -ENOENT) {
		bg_err("reading events: %s", strerror(-ret));
		return BG_EXIT_FAIL;
	}
	return 0;
}

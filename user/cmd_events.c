// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * events: drain the pinned ring buffer of denial events.
 *
 * Without --follow it prints what is queued and exits; with --follow it
 * waits for more until interrupted (or --timeout).  One reader at a time:
 * the ring buffer has a single consumer position.
 */
#include <bpf/libbpf.h>
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
	char line[2048];

	if (size < sizeof(struct bg_event))
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
	struct ring_buffer *rb;
	struct bg_state st;
	double timeout = 0;
	int follow = 0, c, ret;
	char err[512], *end;
	struct timespec t0, now;

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
	ret = bg_state_open(&st, false, err, sizeof(err));
	if (ret == -ENOENT) {
		if (!follow)
			return 0; /* nothing attached, nothing queued */
		bg_err("nothing is attached yet; attach a cgroup first (bpfguard attach)");
		return BG_EXIT_FAIL;
	}
	if (ret) {
		bg_err("%s", err);
		return BG_EXIT_FAIL;
	}
	/* Consumers do not change enforcement: do not hold the state lock
	 * while following, or attach/detach would wait for us. */
	bg_state_close_lock(&st);
	/* A terminal sees each event as it comes; a pipe or file gets full
	 * buffers, flushed after every poll round, so a burst costs a few
	 * writes instead of one per event. */
	if (isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	d.resolver = bg_event_resolver_new(&st);
	d.offset = bg_boot_to_realtime_offset();
	rb = ring_buffer__new(st.map[BG_MAP_EVENTS], on_event, &d, NULL);
	if (!rb || !d.resolver) {
		bg_err("cannot open the event ring buffer: %s", strerror(errno));
		bg_state_close(&st);
		return BG_EXIT_FAIL;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = 0;
	do {
		ret = follow ? ring_buffer__poll(rb, 200) : ring_buffer__consume(rb);
		fflush(stdout);
		if (ret == -EINTR || ret == -ECANCELED)
			ret = ret == -ECANCELED ? -ECANCELED : 0;
		if (ret < 0 || (d.max && d.printed >= d.max))
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (timeout > 0 && (now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9 >= timeout)
			break;
	} while (follow && !stop);
	ring_buffer__free(rb);
	bg_event_resolver_free(d.resolver);
	bg_state_close(&st);
	if (ret < 0 && ret != -EPIPE && ret != -ECANCELED) {
		bg_err("reading events: %s", strerror(-ret));
		return BG_EXIT_FAIL;
	}
	return 0;
}

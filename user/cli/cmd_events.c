// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * events: drain the pinned ring buffer of denial events.
 *
 * Without --follow it prints what is queued and exits; with --follow it
 * waits for more until interrupted (or --timeout).  One reader at a time:
 * the ring buffer has a single consumer position.  core/event_reader.c
 * reads; this file parses the arguments and prints each event.
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "event_reader.h"
#include "events.h"
#include "util.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* How events are printed: one line each, text or JSON. */
struct render {
	int64_t offset; /* boot time to wall clock */
	enum bg_json_mode json;
};

static int print_event(void *ctx, const struct bg_event *e, const struct bg_event_names *names)
{
	struct render *o = ctx;
	char line[BG_EVENT_LINE_MAX];

	if (o->json)
		bg_event_format_json(e, o->offset, names, line, sizeof(line));
	else
		bg_event_format_text(e, o->offset, names, line, sizeof(line));
	if (o->json == BG_JSON_PRETTY) {
		/* -p: the same object indented (the line is the schema's source) */
		struct json_object *j = json_tokener_parse(line);

		if (j) {
			bg_json_print(j);
			json_object_put(j);
			goto printed;
		}
	}
	if (puts(line) == EOF)
		return -EPIPE;
printed:
	return 0;
}

static void flush_round(void *ctx)
{
	(void)ctx;
	fflush(stdout);
}

const struct option bg_opts_events[] = {
	{ "follow", no_argument, NULL, 'f' },
	{ "json", no_argument, NULL, 'j' },
	{ "timeout", required_argument, NULL, 't' },
	{ "count", required_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

int cmd_events(int argc, char **argv)
{
	struct render out = {};
	struct bg_event_reader r = { .stop = &stop, .on_event = print_event, .on_round = flush_round, .ctx = &out };
	struct bg_diag d = {};
	char *end;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "fjt:n:h", bg_opts_events, NULL)) != -1) {
		switch (c) {
		case 'f': r.follow = true; break;
		case 'j': bg_json_want(); break;
		case 't':
			r.timeout = strtod(optarg, &end);
			if (*end || r.timeout <= 0) {
				bg_err("--timeout '%s': expected seconds > 0", optarg);
				return BG_EXIT_USAGE;
			}
			break;
		case 'n':
			r.max = strtoull(optarg, &end, 10);
			if (*end || !r.max) {
				bg_err("--count '%s': expected a positive number", optarg);
				return BG_EXIT_USAGE;
			}
			break;
		case 'h':
			printf("Usage: bpfguard events [--follow] [--json] [--timeout SEC] [--count N]\n");
			return 0;
		default:
			return bg_cmd_bad_option(argv, c);
		}
	}
	out.json = bg_json_mode;
	/* A terminal sees each event as it comes; a pipe or file gets full
	 * buffers, flushed after every poll round, so a burst costs a few
	 * writes instead of one per event. */
	if (isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	out.offset = bg_boot_to_realtime_offset();
	ret = bg_event_read(&r, &d);
	if (ret == BG_EVENT_READ_NOSTATE) {
		bg_diag_print(&d);
		return BG_EXIT_FAIL;
	}
	if (ret < 0 && bg_diag_failed(&d))
		bg_diag_print(&d);
	if (ret < 0 && ret != -EPIPE && ret != -ECANCELED && ret != -ENOENT) {
		bg_err("reading events: %s", strerror(-ret));
		return BG_EXIT_FAIL;
	}
	return 0;
}

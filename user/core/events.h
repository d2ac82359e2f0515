/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* events.h - denial event records: naming, JSON lines, text. */
#ifndef BG_EVENTS_H
#define BG_EVENTS_H

#include <stdint.h>
#include <stdio.h>

#include "bpfguard.h"

struct bg_state;

/* What the record itself does not carry, looked up by the drainer. */
struct bg_event_names {
	const char *policy; /* "" if the attachment is gone */
	const char *cgroup; /* path relative to the cgroup2 mount, "" if gone */
	const char *mode;   /* "audit" / "enforce", "" if unknown */
	/* the daemon's enrichment (daemon_enrich.c); NULL or "": left out */
	const char *unit, *container_id, *pod_uid;
};

/* The JSON line's schema (docs/event.schema.json): raised when a field
 * changes meaning or goes; new optional fields keep it. */
#define BG_EVENT_SCHEMA_VERSION 1

/* A buffer that holds any event line, JSON or text, whole: every name
 * escaped at its longest (textsafe.h) still fits. */
#define BG_EVENT_LINE_MAX 8192

/* One JSON line (no newline) into buf; returns its length, -1 (buf "")
 * if it does not fit. */
int bg_event_format_json(const struct bg_event *e, int64_t boot_to_realtime,
			 const struct bg_event_names *n, char *buf, size_t len);
/* The same event as one line of Elastic Common Schema JSON (ECS 8.11; the
 * mapping is in docs/daemon.md); -1 if it does not fit. */
int bg_event_format_ecs(const struct bg_event *e, int64_t boot_to_realtime,
			const struct bg_event_names *n, char *buf, size_t len);
/* One human line (no newline). */
int bg_event_format_text(const struct bg_event *e, int64_t boot_to_realtime,
			 const struct bg_event_names *n, char *buf, size_t len);

/* Caches id -> names for a stream of events. */
struct bg_event_resolver;
struct bg_event_resolver *bg_event_resolver_new(const struct bg_state *st);
void bg_event_resolver_free(struct bg_event_resolver *r);
void bg_event_resolve(struct bg_event_resolver *r, const struct bg_event *e,
		      struct bg_event_names *n);

#endif

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * daemon_metrics.h - Prometheus metrics of `bpfguard daemon` over HTTP.
 *
 * A tiny single-threaded HTTP/1.0 responder driven by the daemon's poll()
 * loop: GET /metrics (and HEAD) answer the text exposition format 0.0.4,
 * anything else 404/405, one request per connection, at most
 * BGD_MAX_CLIENTS at once, each closed after BGD_CLIENT_TIMEOUT seconds.
 * The denial counters come from the exact kernel counters (bg_counters,
 * bg_hook_counters), not from events, so they are right even when events
 * were rate-limited or lost.  Metric names: docs/daemon.md.
 */
#ifndef BG_DAEMON_METRICS_H
#define BG_DAEMON_METRICS_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

#define BGD_MAX_CLIENTS 16
#define BGD_CLIENT_TIMEOUT 5 /* seconds */

struct bg_state;
struct bgd_output;

/* What the daemon knows that the maps do not. */
struct bgd_metrics_src {
	const struct bg_state *st;           /* NULL while no state is open */
	const struct bgd_output *outs;
	unsigned nouts;
	unsigned long long events_read;      /* records the daemon drained */
	bool per_cgroup;                     /* a `cgroup` label per cgroup, not per attachment */
	unsigned owned;                      /* attachments the daemon made */
	unsigned long long attach_failures;
	unsigned long long attach_limit_failures; /* of those: a capacity limit */
	bool stats_held;                     /* the daemon holds BPF_ENABLE_STATS */
};

struct bgd_client {
	int fd;
	char in[2048];
	size_t inlen;
	char *out;
	size_t outlen, outoff;
	long long deadline_ms;
};

struct bgd_metrics {
	int lfd;                             /* -1: no endpoint */
	struct bgd_client cl[BGD_MAX_CLIENTS];
	unsigned long long scrapes;
};

void bgd_metrics_init(struct bgd_metrics *m);
/* Listens on "ADDRESS:PORT".  0, or -1 with a message in err. */
int bgd_metrics_listen(struct bgd_metrics *m, const char *listen, struct bg_diag *diag);
void bgd_metrics_close(struct bgd_metrics *m);

/* The descriptors to poll (listener and clients) into pfd[0..max); the
 * count used.  After poll(), hand the same entries to handle(). */
unsigned bgd_metrics_pollfds(const struct bgd_metrics *m, struct pollfd *pfd, unsigned max);
void bgd_metrics_handle(struct bgd_metrics *m, const struct pollfd *pfd, unsigned n,
			const struct bgd_metrics_src *src);
/* Closes clients past their deadline (call about once a second). */
void bgd_metrics_expire(struct bgd_metrics *m);

/* The exposition text (malloc'd, *len bytes), for the endpoint and tests. */
char *bgd_metrics_render(const struct bgd_metrics_src *src, size_t *len);

#endif

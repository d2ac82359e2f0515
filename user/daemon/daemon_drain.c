// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * daemon_drain.c - ring buffer to outputs (daemon_drain.h).
 *
 * The record is named once (bg_event_resolve: policy, mode, cgroup),
 * enriched once (daemon_enrich.c: unit, container, pod), and formatted at
 * most once per format however many outputs take it.  Records are
 * validated by size exactly as `bpfguard events` does.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "daemon_config.h"
#include "daemon_drain.h"
#include "daemon_enrich.h"
#include "daemon_output.h"
#include "events.h"
#include "textsafe.h"
#include "util.h"

#define STOP_BATCH (-ECANCELED) /* our callback's "enough for this round" */

/* denied and killed are warnings, recorded calls notices */
static int syslog_prio(const struct bg_event *e)
{
	return e->effect == BG_EFFECT_RECORD ? LOG_NOTICE : LOG_WARNING;
}


/* One event's lines, each formatted at most once however many outputs
 * take it. */
struct lines {
	const struct bg_event *e;
	const struct bgd_drain *d;
	struct bg_event_names *names;
	const struct bgd_enrich *en;
	char json[BG_EVENT_LINE_MAX], ecs[BG_EVENT_LINE_MAX + 1024], text[BG_EVENT_LINE_MAX + 2048];
	size_t jlen, elen, tlen;
	bool have_json, have_ecs, have_text;
};

/* The JSON line (the same one-pass writer as `bpfguard events --json`) or
 * its ECS form, made on first use: its length, 0 if it did not fit. */
static size_t json_line(struct lines *l, bool ecs)
{
	size_t *len = ecs ? &l->elen : &l->jlen;
	bool *have = ecs ? &l->have_ecs : &l->have_json;

	if (!*have) {
		int n = ecs ? bg_event_format_ecs(l->e, l->d->offset, l->names, l->ecs, sizeof(l->ecs))
			    : bg_event_format_json(l->e, l->d->offset, l->names, l->json, sizeof(l->json));

		*len = n < 0 ? 0 : (size_t)n;
		*have = true;
	}
	return *len;
}

static size_t text_line(struct lines *l)
{
	const struct bgd_enrich *en = l->en;
	char eunit[4 * BGD_UNIT_MAX + 1];
	size_t cap = sizeof(l->text), t;
	int n;

	if (l->have_text)
		return l->tlen;
	n = bg_event_format_text(l->e, l->d->offset, l->names, l->text, cap - 2048);
	t = n < 0 ? 0 : (size_t)n < cap - 2048 ? (size_t)n : cap - 2049;
	if (en->unit[0]) {
		bg_text_escape(en->unit, strlen(en->unit), eunit, sizeof(eunit), BG_ESC_SPACE);
		t += (size_t)snprintf(l->text + t, cap - t, " unit=%s", eunit);
	}
	if (en->container_id[0] && t < cap)
		t += (size_t)snprintf(l->text + t, cap - t, " container_id=%s", en->container_id);
	if (en->pod_uid[0] && t < cap)
		t += (size_t)snprintf(l->text + t, cap - t, " pod_uid=%s", en->pod_uid);
	if (t >= cap)
		t = cap - 1;
	l->tlen = t;
	l->have_text = true;
	return t;
}

static int on_event(void *ctx, void *data, size_t size)
{
	const struct bg_event *e = data;
	struct bgd_drain *d = ctx;
	struct bg_event_names names;
	struct bgd_enrich en;
	static struct lines l; /* 30 KB: not on the stack of every event */

	if (size < sizeof(struct bg_event) || (e->type == BG_EVENT_EXEC && size < sizeof(struct bg_exec_event)))
		return 0; /* not ours: ignore rather than misread */
	d->events++;
	bg_event_resolve(d->res, e, &names);
	bgd_enrich_cgroup(names.cgroup, &en);
	names.unit = en.unit;
	names.container_id = en.container_id;
	names.pod_uid = en.pod_uid;
	l.e = e;
	l.d = d;
	l.names = &names;
	l.en = &en;
	l.have_json = l.have_ecs = l.have_text = false;
	for (unsigned i = 0; i < d->nouts; i++) {
		struct bgd_output *o = &d->outs[i];
		size_t n;

		if (!bgd_filter_match(&o->cfg.filter, e->type, e->verdict, e->effect, names.policy, names.cgroup))
			continue;
		if (o->cfg.type == BGD_OUT_JOURNAL) {
			if (json_line(&l, false))
				bgd_output_journal(o, l.json, l.text, text_line(&l), syslog_prio(e));
		} else if (o->cfg.format == BGD_FMT_ECS) {
			if ((n = json_line(&l, true)))
				bgd_output_line(o, l.ecs, n, syslog_prio(e));
		} else if (o->cfg.format == BGD_FMT_JSON) {
			if ((n = json_line(&l, false)))
				bgd_output_line(o, l.json, n, syslog_prio(e));
		} else {
			bgd_output_line(o, l.text, text_line(&l), syslog_prio(e));
		}
	}
	return ++d->batch >= BGD_DRAIN_BATCH ? STOP_BATCH : 0;
}

int bgd_drain_open(struct bgd_drain *d, struct bg_diag *diag)
{
	int ret;

	d->open = false;
	d->offset = bg_boot_to_realtime_offset();
	ret = bg_state_open(&d->st, false, diag);
	if (ret == -ENOENT) {
		/* Nothing pinned: pin the maps ourselves, so every attach and
		 * run from now on writes to the ring we read. */
		ret = bg_state_open_maps(&d->st, diag);
		bg_state_close(&d->st);
		if (!ret)
			ret = bg_state_open(&d->st, false, diag);
	}
	if (ret) {
		if (ret == -ENOENT)
			bg_diag_set(diag, "bpfguard's maps vanished while opening them; retrying");
		return -1;
	}
	/* A reader changes no enforcement: holding the state lock would make
	 * every attach wait for us. */
	bg_state_close_lock(&d->st);
	d->ring_id = bg_map_id(d->st.map[BG_MAP_EVENTS]);
	d->res = bg_event_resolver_new(&d->st);
	d->rb = ring_buffer__new(d->st.map[BG_MAP_EVENTS], on_event, d, NULL);
	if (!d->rb || !d->res) {
		bg_diag_set(diag, "cannot open the event ring buffer: %s", strerror(errno));
		ring_buffer__free(d->rb);
		bg_event_resolver_free(d->res);
		d->rb = NULL;
		d->res = NULL;
		bg_state_close(&d->st);
		return -1;
	}
	d->open = true;
	return 0;
}

int bgd_drain_fd(const struct bgd_drain *d)
{
	return d->open ? ring_buffer__epoll_fd(d->rb) : -1;
}

int bgd_drain_consume(struct bgd_drain *d)
{
	int ret;

	if (!d->open)
		return 0;
	d->batch = 0;
	ret = ring_buffer__consume(d->rb);
	for (unsigned i = 0; i < d->nouts; i++)
		bgd_output_flush(&d->outs[i]);
	if (ret == STOP_BATCH)
		return 1;
	if (ret < 0 && ret != -EINTR) {
		bgd_log(LOG_ERR, "reading the event ring buffer: %s", strerror(-ret));
		return -1;
	}
	return 0;
}

bool bgd_drain_current(const struct bgd_drain *d)
{
	return d->open && bg_pinned_events_id() == d->ring_id;
}

void bgd_drain_forget_names(struct bgd_drain *d)
{
	struct bg_event_resolver *r;

	if (!d->open)
		return;
	r = bg_event_resolver_new(&d->st);
	if (!r)
		return;
	bg_event_resolver_free(d->res);
	d->res = r;
}

void bgd_drain_close(struct bgd_drain *d)
{
	if (!d->open)
		return;
	ring_buffer__free(d->rb);
	bg_event_resolver_free(d->res);
	d->rb = NULL;
	d->res = NULL;
	bg_state_close(&d->st);
	d->open = false;
}

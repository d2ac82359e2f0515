// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * daemon_metrics.c - the /metrics endpoint (daemon_metrics.h).
 *
 * Rendering reads the pinned maps at scrape time: the exact counters,
 * bg_stats, the attachment records, and the run statistics of every
 * program pinned under <bpffs>/bpfguard (links and progs).  Series with the
 * same labels (a syscall counted under two ABIs, two removed cgroups both
 * named "") are summed, since the exposition format wants each label set
 * once.
 */
#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "attachment.h"
#include "cghooks.h"
#include "cgroup.h"
#include "daemon.h"
#include "daemon_config.h"
#include "daemon_metrics.h"
#include "daemon_output.h"
#include "loader.h"
#include "mechanism.h"
#include "policy.h"
#include "syscalls.h"
#include "textsafe.h"
#include "util.h"
#include "vec.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* An output's name as a label value (the configuration's bytes). */
static const char *out_label(const struct bgd_output *o, char lab[3 * BGD_NAME_MAX])
{
	bg_prom_escape(o->cfg.name, lab, 3 * BGD_NAME_MAX);
	return lab;
}

/* ------------------------------------------------------------------ */
/* bpfguard_denials_total */

struct series {
	uint64_t cgid, owner;
	const char *policy, *cgroup, *action, *effect;
	char syscall[32];
	unsigned long long n;
};

struct series_list {
	struct series *v;
	size_t n, cap;
};

static struct series *series_add(struct series_list *l)
{
	if (BG_VEC_RESERVE(l->v, l->cap, l->n + 1))
		return NULL;
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

/* A series for a counter of cgroup cgid (attachment owner), value v. */
static struct series *counter_series(struct series_list *l, uint64_t cgid, uint64_t owner, const void *v)
{
	struct series *s = series_add(l);

	if (s) {
		s->cgid = cgid;
		s->owner = owner;
		s->n = *(const __u64 *)v;
	}
	return s;
}

static void syscall_series(const void *k, const void *v, void *ctx)
{
	const struct bg_counter_key *key = k;
	struct series *s = counter_series(ctx, key->cgid, key->owner, v);
	const char *name;

	if (!s)
		return;
	name = key->abi < BG_NR_TABLES ? bg_syscall_name(key->abi, (int)key->nr) : NULL;
	if (name)
		bg_strlcpy(s->syscall, name, sizeof(s->syscall));
	else
		snprintf(s->syscall, sizeof(s->syscall), "%s:%u", bg_abi_name(key->abi), key->nr);
	s->action = bg_verdict_name(key->verdict);
	s->effect = bg_effect_name(key->effect);
}

static void hook_series(const void *k, const void *v, void *ctx)
{
	const struct bg_hook_counter_key *key = k;
	struct series *s = counter_series(ctx, key->cgid, key->owner, v);

	if (!s)
		return;
	bg_strlcpy(s->syscall, bg_hook_name(key->hook), sizeof(s->syscall));
	/* what the events of these hooks say (events.c) */
	s->action = bg_verdict_name(key->hook == BG_HOOK_EXEC ? BG_VERDICT_KILL : BG_VERDICT_ERRNO);
	s->effect = bg_effect_name(key->effect);
}

static void read_syscall_counters(const struct bg_state *st, struct series_list *l)
{
	bg_map_for_each(st->map[BG_MAP_COUNTERS], sizeof(struct bg_counter_key), sizeof(__u64), syscall_series, l);
}

static void read_hook_counters(struct series_list *l)
{
	char p[PATH_MAX];
	int fd;

	bg_pin_path(p, sizeof(p), BG_PIN_MAPS, "bg_hook_counters");
	fd = bpf_obj_get(p);
	if (fd < 0)
		return;
	bg_map_for_each(fd, sizeof(struct bg_hook_counter_key), sizeof(__u64), hook_series, l);
	close(fd);
}

static int by_cgid(const void *a, const void *b)
{
	const struct series *x = a, *y = b;

	return x->cgid < y->cgid ? -1 : x->cgid > y->cgid;
}

static int by_labels(const void *a, const void *b)
{
	const struct series *x = a, *y = b;
	int c;

	if ((c = strcmp(x->policy, y->policy)) || (c = strcmp(x->cgroup, y->cgroup)) ||
	    (c = strcmp(x->syscall, y->syscall)) || (c = strcmp(x->action, y->action)))
		return c;
	return strcmp(x->effect, y->effect);
}

/* One family from the merged series: the calls that were denied or killed
 * (recorded = false), or those that proceeded and were recorded (log
 * rules, audit mode: no `effect` label, it is always "recorded"). */
static void print_family(FILE *f, const struct series_list *l, bool recorded)
{
	const char *name = recorded ? "bpfguard_recorded_total" : "bpfguard_denials_total";

	if (recorded)
		fprintf(f, "# HELP %s Calls that ran and were recorded (log rules, audit mode), from the kernel's exact "
			   "counters.\n# TYPE %s counter\n", name, name);
	else
		fprintf(f, "# HELP %s Calls denied or killed, from the kernel's exact counters.\n"
			   "# TYPE %s counter\n", name, name);
	for (size_t i = 0; i < l->n; i++) {
		const struct series *s = &l->v[i];
		char pol[3 * BG_NAME_MAX], cg[3 * PATH_MAX];

		if (s->n == 0 || (strcmp(s->effect, "recorded") == 0) != recorded)
			continue; /* merged into the next one, or the other family */
		/* escaped and made valid UTF-8: names are bytes others chose */
		bg_prom_escape(s->policy, pol, sizeof(pol));
		bg_prom_escape(s->cgroup, cg, sizeof(cg));
		if (recorded)
			fprintf(f, "%s{policy=\"%s\",cgroup=\"%s\",syscall=\"%s\",action=\"%s\"} %llu\n", name, pol,
				cg, s->syscall, s->action, s->n);
		else
			fprintf(f, "%s{policy=\"%s\",cgroup=\"%s\",syscall=\"%s\",action=\"%s\",effect=\"%s\"} %llu\n",
				name, pol, cg, s->syscall, s->action, s->effect, s->n);
	}
}

/*
 * bpfguard_denials_total and bpfguard_recorded_total.  The `cgroup` label
 * is the attachment's cgroup by default, so the number of series is
 * bounded by attachments x syscalls x actions, whatever churns below an
 * attached parent (a pod per cgroup would add series without end);
 * [metrics] per_cgroup = on labels each cgroup instead.
 */
static void print_decisions(FILE *f, const struct bgd_metrics_src *src, const struct bg_attachment *atts,
			    unsigned natt)
{
	struct series_list l = {};
	char **paths = NULL;
	size_t npaths = 0;

	if (src->st) {
		read_syscall_counters(src->st, &l);
		read_hook_counters(&l);
	}
	if (!src->per_cgroup)
		for (size_t i = 0; i < l.n; i++)
			l.v[i].cgid = l.v[i].owner;
	/* names: one path lookup per cgroup, the policy from its attachment */
	qsort(l.v, l.n, sizeof(l.v[0]), by_cgid);
	paths = l.n ? calloc(l.n, sizeof(*paths)) : NULL;
	for (size_t i = 0; i < l.n; i++) {
		struct series *s = &l.v[i];

		if (i == 0 || s->cgid != l.v[i - 1].cgid) {
			char rel[PATH_MAX];
			char *p;

			if (bg_cgroup_path_by_id(s->cgid, rel, sizeof(rel)))
				rel[0] = '\0';
			p = paths ? strdup(rel) : NULL;
			if (p)
				paths[npaths++] = p;
			s->cgroup = p ? p : "";
		} else {
			s->cgroup = l.v[i - 1].cgroup;
		}
		s->policy = "";
		for (unsigned a = 0; a < natt; a++)
			if (atts[a].cgid == s->owner)
				s->policy = atts[a].policy;
	}
	/* equal labels summed into the last of each run */
	qsort(l.v, l.n, sizeof(l.v[0]), by_labels);
	for (size_t i = 0; i + 1 < l.n; i++)
		if (!by_labels(&l.v[i], &l.v[i + 1])) {
			l.v[i + 1].n += l.v[i].n;
			l.v[i].n = 0;
		}
	print_family(f, &l, false);
	print_family(f, &l, true);
	for (size_t i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);
	free(l.v);
}

/* ------------------------------------------------------------------ */
/* program run statistics */

struct prog_stat {
	__u32 id;
	char name[BPF_OBJ_NAME_LEN];
	unsigned long long run_ns, runs;
};

struct prog_list {
	struct prog_stat v[256];
	unsigned n;
};

/* The program id behind a pinned link or program, from fdinfo. */
static __u32 pinned_prog_id(const char *path)
{
	char fdinfo[64], line[256];
	__u32 id = 0;
	FILE *f;
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return 0;
	snprintf(fdinfo, sizeof(fdinfo), "/proc/self/fdinfo/%d", fd);
	f = fopen(fdinfo, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "prog_id: %u", &id) == 1)
			break;
	if (f)
		fclose(f);
	close(fd);
	return id;
}

static void collect_progs(const char *dir, struct prog_list *pl, int depth)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d)) && pl->n < ARRAY_SIZE(pl->v)) {
		char p[PATH_MAX];
		__u32 id;
		bool dup = false;

		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, de->d_name) >= sizeof(p))
			continue;
		if (de->d_type == DT_DIR) {
			if (depth < 4)
				collect_progs(p, pl, depth + 1);
			continue;
		}
		id = pinned_prog_id(p);
		for (unsigned i = 0; i < pl->n && !dup; i++)
			dup = pl->v[i].id == id;
		if (id && !dup)
			pl->v[pl->n++].id = id;
	}
	closedir(d);
}

static void print_programs(FILE *f)
{
	struct prog_list *pl = calloc(1, sizeof(*pl));
	char dir[PATH_MAX];
	unsigned nout = 0;
	struct prog_stat *out;

	fprintf(f, "# HELP bpfguard_program_run_time_seconds_total Time bpfguard's BPF programs ran (needs bpf stats on).\n"
		   "# TYPE bpfguard_program_run_time_seconds_total counter\n");
	if (!pl)
		return;
	snprintf(dir, sizeof(dir), "%s/%s/%s", BG_BPFFS, BG_PIN_ROOT, BG_PIN_LINKS);
	collect_progs(dir, pl, 0);
	snprintf(dir, sizeof(dir), "%s/%s/%s", BG_BPFFS, BG_PIN_ROOT, BG_PIN_PROGS);
	collect_progs(dir, pl, 0);
	out = pl->v; /* summed by name, in place */
	for (unsigned i = 0; i < pl->n; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(pl->v[i].id);
		unsigned j;

		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			continue;
		}
		close(fd);
		for (j = 0; j < nout; j++)
			if (!strcmp(out[j].name, info.name))
				break;
		if (j == nout) {
			memcpy(out[j].name, info.name, sizeof(out[j].name));
			out[j].name[sizeof(out[j].name) - 1] = '\0';
			out[j].run_ns = out[j].runs = 0;
			nout++;
		}
		out[j].run_ns += info.run_time_ns;
		out[j].runs += info.run_cnt;
	}
	for (unsigned j = 0; j < nout; j++)
		fprintf(f, "bpfguard_program_run_time_seconds_total{program=\"%s\"} %.9f\n", out[j].name,
			out[j].run_ns / 1e9);
	fprintf(f, "# HELP bpfguard_program_run_count_total Runs of bpfguard's BPF programs (needs bpf stats on).\n"
		   "# TYPE bpfguard_program_run_count_total counter\n");
	for (unsigned j = 0; j < nout; j++)
		fprintf(f, "bpfguard_program_run_count_total{program=\"%s\"} %llu\n", out[j].name, out[j].runs);
	free(pl);
}

static int bpf_stats_sysctl(void)
{
	char buf[8] = "";
	int fd = open("/proc/sys/kernel/bpf_stats_enabled", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 && buf[0] == '1';
}

/* ------------------------------------------------------------------ */

static void metric(FILE *f, const char *name, const char *type, const char *help, double v)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n%s %.17g\n", name, help, name, type, name, v);
}

/* A counter with one series per output (files_only: per file output), the
 * counter at byte offset `field` of struct bgd_output. */
static void output_counter(FILE *f, const struct bgd_metrics_src *src, const char *name, const char *help,
			   size_t field, bool files_only)
{
	char lab[3 * BGD_NAME_MAX];

	fprintf(f, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
	for (unsigned i = 0; i < src->nouts; i++) {
		const struct bgd_output *o = &src->outs[i];
		unsigned long long v;

		if (files_only && o->cfg.type != BGD_OUT_FILE)
			continue;
		memcpy(&v, (const char *)o + field, sizeof(v));
		fprintf(f, "%s{output=\"%s\"} %llu\n", name, out_label(o, lab), v);
	}
}

char *bgd_metrics_render(const struct bgd_metrics_src *src, size_t *len)
{
	struct bg_attachment *atts = NULL;
	unsigned natt = 0;
	struct rusage ru;
	char *text = NULL;
	double user, sys;
	FILE *f = open_memstream(&text, len);

	if (!f)
		return NULL;
	if (src->st && bg_att_list(src->st, &atts, &natt))
		natt = 0;
	/* what this bpfguard is: the usual info metric, value 1 */
	fprintf(f, "# HELP bpfguard_build_info bpfguard's version and kernel/user layout, as labels.\n"
		   "# TYPE bpfguard_build_info gauge\n"
		   "bpfguard_build_info{version=\"%s\",layout=\"%u\"} 1\n", BPFGUARD_VERSION, BG_LAYOUT_VERSION);
	print_decisions(f, src, atts, natt);
	metric(f, "bpfguard_events_total", "counter", "Events the kernel submitted to the ring buffer.",
	       src->st ? (double)bg_state_stat(src->st, BG_STAT_EVENTS) : 0);
	metric(f, "bpfguard_events_lost_total", "counter", "Events dropped because the ring buffer was full.",
	       src->st ? (double)bg_state_stat(src->st, BG_STAT_LOST) : 0);
	metric(f, "bpfguard_events_rate_limited_total", "counter",
	       "Denials not sent as events because of the per-cgroup rate limit (carried in later events' count).",
	       src->st ? (double)bg_state_stat(src->st, BG_STAT_SUPPRESSED) : 0);
	metric(f, "bpfguard_decisions_overflow_total", "counter",
	       "Decisions counted here, not per cgroup and syscall, because bg_counters was full.",
	       src->st ? (double)bg_state_stat(src->st, BG_STAT_COUNTER_FULL) : 0);
	metric(f, "bpfguard_escapes_killed_total", "counter",
	       "Guarded tasks killed for leaving their guarded cgroup subtree (or entering an unmapped cgroup in it).",
	       src->st ? (double)bg_state_stat(src->st, BG_STAT_ESCAPES) : 0);
	metric(f, "bpfguard_cgroups_created_while_full_total", "counter",
	       "Cgroups created under a guarded cgroup while bg_cgroups was full (tasks entering them are killed).",
	       src->st ? (double)bg_state_stat(src->st, BG_STAT_CGROUP_FULL) : 0);
	metric(f, "bpfguard_cgroups_guarded", "gauge", "Entries in bg_cgroups (guarded cgroups, descendants included).",
	       src->st ? (double)bg_guarded_count(src->st, 0) : 0);
	metric(f, "bpfguard_cgroups_capacity", "gauge", "Capacity of bg_cgroups (BG_MAX_CGROUPS).", BG_MAX_CGROUPS);
	metric(f, "bpfguard_daemon_events_read_total", "counter", "Events the daemon read from the ring buffer.",
	       (double)src->events_read);
	metric(f, "bpfguard_attachments", "gauge", "Attached cgroups (all of bpfguard's attachment records).", natt);
	metric(f, "bpfguard_daemon_attachments", "gauge", "Attachments the daemon made from attach.d.", src->owned);
	metric(f, "bpfguard_daemon_attach_failures_total", "counter", "Declarative attachments that failed.",
	       (double)src->attach_failures);
	metric(f, "bpfguard_daemon_attach_limit_total", "counter",
	       "Declarative attachments refused because a capacity limit was reached (distinct policies, "
	       "attachments or guarded cgroups; the log names which).",
	       (double)src->attach_limit_failures);
	output_counter(f, src, "bpfguard_output_lines_total", "Event lines written per output.",
		       offsetof(struct bgd_output, lines), false);
	output_counter(f, src, "bpfguard_output_errors_total", "Event lines lost to write errors per output.",
		       offsetof(struct bgd_output, errors), false);
	output_counter(f, src, "bpfguard_output_rotations_total", "File rotations per output.",
		       offsetof(struct bgd_output, rotations), true);
	metric(f, "bpfguard_bpf_stats_enabled", "gauge",
	       "1 if the kernel keeps BPF run statistics (kernel.bpf_stats_enabled or [metrics] program_stats).",
	       src->stats_held || bpf_stats_sysctl());
	print_programs(f);
	getrusage(RUSAGE_SELF, &ru);
	user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
	sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	fprintf(f, "# HELP bpfguard_daemon_cpu_seconds_total CPU time of the daemon by mode.\n"
		   "# TYPE bpfguard_daemon_cpu_seconds_total counter\n"
		   "bpfguard_daemon_cpu_seconds_total{mode=\"user\"} %.6f\n"
		   "bpfguard_daemon_cpu_seconds_total{mode=\"system\"} %.6f\n", user, sys);
	metric(f, "process_cpu_seconds_total", "counter", "Total user and system CPU time of the daemon.", user + sys);
	free(atts);
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

/* ------------------------------------------------------------------ */
/* HTTP/1.0 */

void bgd_metrics_init(struct bgd_metrics *m)
{
	memset(m, 0, sizeof(*m));
	m->lfd = -1;
	for (unsigned i = 0; i < BGD_MAX_CLIENTS; i++)
		m->cl[i].fd = -1;
}

int bgd_metrics_listen(struct bgd_metrics *m, const char *listen_on, struct bg_diag *diag)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, fd;

	if (bgd_parse_listen(listen_on, &ss, &len)) {
		bg_diag_set(diag, "metrics: '%s' is not ADDRESS:PORT", listen_on);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		bg_diag_set(diag, "metrics: socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 16)) {
		bg_diag_set(diag, "metrics: cannot listen on %s: %s; pick a free port in [metrics] listen",
			    listen_on, strerror(errno));
		close(fd);
		return -1;
	}
	m->lfd = fd;
	return 0;
}

static void client_close(struct bgd_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

void bgd_metrics_close(struct bgd_metrics *m)
{
	for (unsigned i = 0; i < BGD_MAX_CLIENTS; i++)
		client_close(&m->cl[i]);
	if (m->lfd >= 0)
		close(m->lfd);
	m->lfd = -1;
}

unsigned bgd_metrics_pollfds(const struct bgd_metrics *m, struct pollfd *pfd, unsigned max)
{
	unsigned n = 0;

	if (m->lfd < 0 || !max)
		return 0;
	pfd[n++] = (struct pollfd){ .fd = m->lfd, .events = POLLIN };
	for (unsigned i = 0; i < BGD_MAX_CLIENTS && n < max; i++)
		if (m->cl[i].fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = m->cl[i].fd, .events = m->cl[i].out ? POLLOUT : POLLIN };
	return n;
}

static void respond(struct bgd_client *c, const char *status, const char *ctype, const char *extra,
		    const char *body, size_t blen, bool head)
{
	char hdr[512];
	int h = snprintf(hdr, sizeof(hdr),
			 "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%sConnection: close\r\n\r\n",
			 status, ctype, blen, extra);

	c->outlen = (size_t)h + (head ? 0 : blen);
	c->out = malloc(c->outlen ? c->outlen : 1);
	if (!c->out) {
		c->outlen = 0;
		return;
	}
	memcpy(c->out, hdr, (size_t)h);
	if (!head)
		memcpy(c->out + h, body, blen);
	c->outoff = 0;
}

/* A complete request head is in c->in: answer it. */
static void serve(struct bgd_metrics *m, struct bgd_client *c, const struct bgd_metrics_src *src)
{
	char method[16], target[256];
	bool head;

	c->in[c->inlen] = '\0';
	if (sscanf(c->in, "%15s %255s", method, target) != 2) {
		static const char b[] = "bad request\n";

		respond(c, "400 Bad Request", "text/plain", "", b, sizeof(b) - 1, false);
		return;
	}
	target[strcspn(target, "?#")] = '\0';
	head = !strcmp(method, "HEAD");
	if (strcmp(method, "GET") && !head) {
		static const char b[] = "only GET /metrics\n";

		respond(c, "405 Method Not Allowed", "text/plain", "Allow: GET, HEAD\r\n", b, sizeof(b) - 1, false);
		return;
	}
	if (strcmp(target, "/metrics")) {
		static const char b[] = "not found: try /metrics\n";

		respond(c, "404 Not Found", "text/plain", "", b, sizeof(b) - 1, head);
		return;
	}
	{
		size_t len = 0;
		char *text = bgd_metrics_render(src, &len);
		static const char b[] = "cannot render metrics\n";

		if (!text) {
			respond(c, "500 Internal Server Error", "text/plain", "", b, sizeof(b) - 1, head);
			return;
		}
		respond(c, "200 OK", "text/plain; version=0.0.4; charset=utf-8", "", text, len, head);
		free(text);
		m->scrapes++;
	}
}

static void accept_all(struct bgd_metrics *m)
{
	for (;;) {
		int fd = accept4(m->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		unsigned i;

		if (fd < 0)
			return; /* EAGAIN, or an error the next poll shows again */
		for (i = 0; i < BGD_MAX_CLIENTS && m->cl[i].fd >= 0; i++)
			;
		if (i == BGD_MAX_CLIENTS) {
			close(fd); /* busy: the scraper retries */
			continue;
		}
		m->cl[i].fd = fd;
		m->cl[i].deadline_ms = now_ms() + BGD_CLIENT_TIMEOUT * 1000;
	}
}

static void client_io(struct bgd_metrics *m, struct bgd_client *c, short revents,
		      const struct bgd_metrics_src *src)
{
	ssize_t n;

	if (c->out) {
		if (!(revents & (POLLOUT | POLLERR | POLLHUP)))
			return;
		n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			client_close(c);
			return;
		}
		c->outoff += (size_t)n;
		if (c->outoff == c->outlen)
			client_close(c); /* HTTP/1.0: the close ends the body */
		return;
	}
	if (!(revents & (POLLIN | POLLERR | POLLHUP)))
		return;
	n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - 1 - c->inlen, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(c);
		return;
	}
	c->inlen += (size_t)n;
	c->in[c->inlen] = '\0';
	if (strstr(c->in, "\r\n\r\n") || strstr(c->in, "\n\n")) {
		serve(m, c, src);
		if (!c->out)
			client_close(c);
	} else if (c->inlen == sizeof(c->in) - 1) {
		static const char b[] = "request head too large\n";

		respond(c, "431 Request Header Fields Too Large", "text/plain", "", b, sizeof(b) - 1, false);
		if (!c->out)
			client_close(c);
	}
}

void bgd_metrics_handle(struct bgd_metrics *m, const struct pollfd *pfd, unsigned n,
			const struct bgd_metrics_src *src)
{
	for (unsigned k = 0; k < n; k++) {
		if (!pfd[k].revents)
			continue;
		if (pfd[k].fd == m->lfd) {
			accept_all(m);
			continue;
		}
		for (unsigned i = 0; i < BGD_MAX_CLIENTS; i++)
			if (m->cl[i].fd == pfd[k].fd) {
				client_io(m, &m->cl[i], pfd[k].revents, src);
				break;
			}
	}
}

void bgd_metrics_expire(struct bgd_metrics *m)
{
	long long now = now_ms();

	for (unsigned i = 0; i < BGD_MAX_CLIENTS; i++)
		if (m->cl[i].fd >= 0 && now > m->cl[i].deadline_ms)
			client_close(&m->cl[i]);
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * daemon.c - the daemon's main loop (cli/cmd_daemon.c parses `bpfguard
 * daemon [--config FILE] [--foreground] [--check]` and calls bgd_main()).
 *
 * One long-running, single-threaded process (systemd style: it never
 * forks; --foreground is the only mode) that
 *   - drains bpfguard's event ring buffer into its outputs (daemon_drain.c,
 *     daemon_output.c),
 *   - keeps the attachments declared in attach.d in force, for cgroups that
 *     exist at start and for those created later (daemon_apply.c,
 *     daemon_watch.c),
 *   - serves Prometheus metrics (daemon_metrics.c).
 * Everything is driven by one poll() loop: the ring buffer's epoll fd, a
 * signalfd (SIGHUP reloads, SIGTERM/SIGINT stop), inotify, a one-second
 * timerfd and the metrics sockets.  Stopping drains what is queued and
 * leaves every attachment in force: enforcement lives in the kernel, the
 * daemon only reports and declares.  docs/daemon.md.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "exitcodes.h"
#include "daemon.h"
#include "daemon_apply.h"
#include "daemon_attachd.h"
#include "daemon_config.h"
#include "daemon_drain.h"
#include "daemon_metrics.h"
#include "daemon_output.h"
#include "daemon_watch.h"
#include "loader.h"
#include "policy.h"
#include "textsafe.h"
#include "util.h"


struct daemon {
	const char *config_path;
	bool config_given;
	struct bgd_config *cfg;
	struct bgd_output *outs;
	unsigned nouts;
	struct bgd_drain drain;
	struct bgd_attachd set;
	struct bgd_apply apply;
	struct bgd_watch watch;
	int signed_fd; /* inotify on the policies' `exec signed-in` directories */
	bool signed_pending;       /* a change seen, its pass deferred (below) */
	long long signed_last_ms;  /* when the last such pass ran */
	struct bgd_metrics metrics;
	int sfd, tfd, follow_lock, stats_fd;
	unsigned ticks;
	char drain_err[512];     /* the last error opening the ring, logged once */
	bool stop;
};


/* ------------------------------------------------------------------ */
/* configuration */

static void close_outputs(struct bgd_output *outs, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		bgd_output_close(&outs[i]);
	free(outs);
}

/* Opens the outputs of cfg; one that cannot be opened is logged and left
 * out (the others still work).  *failed counts those. */
static struct bgd_output *open_outputs(const struct bgd_config *cfg, unsigned *n, unsigned *failed)
{
	struct bgd_output *outs = calloc(cfg->noutputs ? cfg->noutputs : 1, sizeof(*outs));
	struct bg_diag diag = {};

	*n = 0;
	*failed = 0;
	if (!outs)
		return NULL;
	for (unsigned i = 0; i < cfg->noutputs; i++) {
		if (bgd_output_open(&outs[*n], &cfg->out[i], &diag)) {
			bgd_log(LOG_ERR, "%s:%u: %s", cfg->origin, cfg->out[i].line, diag.msg);
			(*failed)++;
			continue;
		}
		(*n)++;
	}
	return outs;
}

static void report_attachd(void *ctx, const char *msg)
{
	(void)ctx;
	bgd_log(LOG_ERR, "%s", msg);
}

/* attach.d into d->set; an unreadable directory is "nothing read", which
 * detaches nothing. */
static void load_attachd(struct daemon *d)
{
	struct stat st;
	int r;

	bgd_attachd_free(&d->set);
	if (!d->cfg->attach_dir_set && stat(d->cfg->attach_dir, &st) && errno == ENOENT)
		return; /* the default directory is optional */
	r = bgd_attachd_load(d->cfg->attach_dir, d->cfg->attach_policy, &d->set, report_attachd, NULL);
	if (r)
		bgd_log(LOG_ERR, "%s: cannot read attach directory %s: %s; declarative attachments are left as they are",
			d->cfg->origin, d->cfg->attach_dir, strerror(-r));
}

static void set_rate_limit(long rate)
{
	struct bg_config kc;
	struct bg_state st;
	__u32 zero = 0;
	struct bg_diag diag = {};

	if (rate < 0)
		return;
	if (bg_state_open_maps(&st, &diag)) {
		bgd_log(LOG_ERR, "cannot set the event rate limit: %s", diag.msg);
		return;
	}
	if (bpf_map_lookup_elem(st.map[BG_MAP_CONFIG], &zero, &kc) == 0 && kc.rate_limit != (__u32)rate) {
		kc.rate_limit = (__u32)rate;
		if (bpf_map_update_elem(st.map[BG_MAP_CONFIG], &zero, &kc, BPF_ANY))
			bgd_log(LOG_ERR, "cannot set the event rate limit: %s", strerror(errno));
		else
			bgd_log(LOG_INFO, "event rate limit set to %ld per second per cgroup", rate);
	}
	bg_state_close(&st);
}

static void program_stats(struct daemon *d)
{
	if (d->cfg->program_stats && d->stats_fd < 0) {
		d->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (d->stats_fd < 0)
			bgd_log(LOG_WARNING, "cannot enable BPF run statistics: %s; set kernel.bpf_stats_enabled=1 instead",
				strerror(errno));
	} else if (!d->cfg->program_stats && d->stats_fd >= 0) {
		close(d->stats_fd);
		d->stats_fd = -1;
	}
}

static void apply_pass(struct daemon *d, bool full)
{
	if (bgd_apply_pass(&d->apply, &d->set, full))
		bgd_drain_forget_names(&d->drain); /* policy names per cgroup changed */
}

/* The `exec signed-in` directories of the policies attach.d uses, watched:
 * a file added, replaced, re-signed or removed there changes what those
 * attachments admit, so the policies are read again and the pass attaches
 * again whatever changed (daemon_apply.c folds the directories into the
 * policy's hash).  Without inotify the periodic rescan does it. */
#define SIGNED_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB)
static void signed_watch(struct daemon *d)
{
	/* one descriptor for the daemon's life: a watch added again for the
	 * same directory is the same watch, and events that arrive while a
	 * pass runs stay queued (a new descriptor would drop them: a
	 * signature written right after its file was created went unseen) */
	for (unsigned i = 0; i < d->apply.npc; i++) {
		const struct bg_policy *p = d->apply.pc[i].policy;

		for (unsigned k = 0; p && k < p->exec.ndirs; k++) {
			if (d->signed_fd < 0 && (d->signed_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0) {
				bgd_log(LOG_WARNING, "inotify: %s; signed executables added later are found by the "
					"periodic rescan only", strerror(errno));
				return;
			}
			if (inotify_add_watch(d->signed_fd, p->exec.signed_dirs[k], SIGNED_MASK) < 0)
				bgd_log(LOG_WARNING, "cannot watch %s (exec signed-in of %s): %s; files signed there "
					"later are found by the periodic rescan only", p->exec.signed_dirs[k],
					d->apply.pc[i].path, strerror(errno));
		}
	}
}

static long long mono_ms(void);

/* A pass reads and verifies every signed file again, and whoever may
 * write a signed-in directory (a guarded process, perhaps) can make
 * changes as fast as it likes: at most one such pass a second, the rest
 * folded into the next (tick() runs a deferred one). */
#define SIGNED_PASS_MS 1000
static void signed_pass(struct daemon *d)
{
	d->signed_pending = false;
	d->signed_last_ms = mono_ms();
	bgd_apply_forget_policies(&d->apply);
	apply_pass(d, true);
	signed_watch(d);
}

static void signed_changed(struct daemon *d)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	while (read(d->signed_fd, buf, sizeof(buf)) > 0)
		;
	if (mono_ms() - d->signed_last_ms >= SIGNED_PASS_MS)
		signed_pass(d);
	else
		d->signed_pending = true;
}

/* SIGHUP: a new configuration if it parses (else the old one stays),
 * files reopened either way, attach.d re-read and applied. */
static void reload(struct daemon *d)
{
	struct bgd_config *nc = malloc(sizeof(*nc));
	struct bg_diag diag = {};

	bgd_log(LOG_INFO, "SIGHUP: reloading %s", d->config_path);
	if (nc && bgd_config_load(d->config_path, !d->config_given, nc, &diag) == 0) {
		bool relisten = strcmp(nc->metrics_listen, d->cfg->metrics_listen) != 0;

		unsigned failed;

		close_outputs(d->outs, d->nouts);
		free(d->cfg);
		d->cfg = nc;
		d->outs = open_outputs(d->cfg, &d->nouts, &failed);
		if (failed)
			bgd_log(LOG_ERR, "%u output(s) not open; fix them and send SIGHUP again", failed);
		if (relisten) {
			bgd_metrics_close(&d->metrics);
			if (d->cfg->metrics_listen[0] &&
			    bgd_metrics_listen(&d->metrics, d->cfg->metrics_listen, &diag))
				bgd_log_diag(LOG_ERR, &diag);
		}
		if (strcmp(d->apply.state_path, d->cfg->attach_state)) {
			bgd_apply_free(&d->apply);
			bgd_apply_init(&d->apply, d->cfg->attach_state);
		}
	} else {
		if (nc)
			bgd_log(LOG_ERR, "%s; keeping the previous configuration", diag.msg);
		free(nc);
		for (unsigned i = 0; i < d->nouts; i++)
			if (bgd_output_reopen(&d->outs[i], &diag))
				bgd_log_diag(LOG_ERR, &diag);
	}
	d->drain.outs = d->outs;
	d->drain.nouts = d->nouts;
	program_stats(d);
	set_rate_limit(d->cfg->rate_limit);
	load_attachd(d);
	bgd_apply_forget_policies(&d->apply);
	apply_pass(d, true);
	bgd_watch_setup(&d->watch, &d->set);
	signed_watch(d);
}

/* ------------------------------------------------------------------ */
/* the loop */

static void open_drain(struct daemon *d)
{
	struct bg_diag diag = {};

	if (bgd_drain_open(&d->drain, &diag)) {
		if (strcmp(diag.msg, d->drain_err)) /* once, not every second */
			bgd_log(LOG_ERR, "%s; retrying every second", diag.msg);
		bg_strlcpy(d->drain_err, diag.msg, sizeof(d->drain_err));
	} else {
		if (d->drain_err[0])
			bgd_log(LOG_NOTICE, "reading events again");
		d->drain_err[0] = '\0';
	}
	d->drain.outs = d->outs;
	d->drain.nouts = d->nouts;
}

/* Every second: the events-per-second window, the ring still the pinned
 * one, metrics clients' deadlines, the periodic rescan. */
static void tick(struct daemon *d)
{
	uint64_t exp;

	if (read(d->tfd, &exp, sizeof(exp)) < 0)
		return;
	d->ticks++;
	bgd_metrics_expire(&d->metrics);
	if (!d->drain.open) {
		open_drain(d);
	} else if (!bgd_drain_current(&d->drain)) {
		/* state reset or made anew: finish the old ring, follow the new */
		while (bgd_drain_consume(&d->drain) > 0)
			;
		bgd_drain_close(&d->drain);
		bgd_log(LOG_NOTICE, "bpfguard's state was replaced; following the new event ring buffer");
		open_drain(d);
		set_rate_limit(d->cfg->rate_limit);
		if (d->set.n)
			apply_pass(d, true); /* declared attachments back in force */
	}
	if (d->cfg->rescan && d->ticks % d->cfg->rescan == 0 && d->set.n) {
		bool signed_dirs = false;

		for (unsigned i = 0; i < d->apply.npc; i++)
			signed_dirs |= d->apply.pc[i].policy && d->apply.pc[i].policy->exec.ndirs;
		if (signed_dirs)
			signed_pass(d); /* the directories read again too */
		else
			apply_pass(d, true);
	} else if (d->signed_pending && mono_ms() - d->signed_last_ms >= SIGNED_PASS_MS) {
		signed_pass(d);
	}
}

static void metrics_src(struct daemon *d, struct bgd_metrics_src *src)
{
	*src = (struct bgd_metrics_src){
		.st = d->drain.open ? &d->drain.st : NULL,
		.outs = d->outs,
		.nouts = d->nouts,
		.events_read = d->drain.events,
		.per_cgroup = d->cfg->metrics_per_cgroup,
		.owned = d->apply.nown,
		.attach_failures = d->apply.failures,
		.attach_limit_failures = d->apply.limit_failures,
		.stats_held = d->stats_fd >= 0,
	};
}

static void on_signal(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			reload(d);
		else
			d->stop = true;
	}
}

#define NFIXED 5
#define MAXFDS (NFIXED + 1 + BGD_MAX_CLIENTS)

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * After a drain round that emptied the ring, the ring is left out of
 * poll() for BATCH_MS: the kernel wakes a reader for every record, and at
 * a few thousand events per second waking per event would cost more than
 * formatting them.  Events wait at most BATCH_MS; the 4 MiB ring holds
 * far more than arrives in that time.
 */
#define BATCH_MS 5

static void loop(struct daemon *d)
{
	long long hold_until = 0;
	bool more = false;

	while (!d->stop) {
		struct pollfd pfd[MAXFDS];
		long long now = mono_ms();
		bool hold = !more && now < hold_until;
		int n, timeout = more ? 0 : hold ? (int)(hold_until - now) : 1000;
		unsigned nm;

		pfd[0] = (struct pollfd){ .fd = d->sfd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = d->tfd, .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = hold ? -1 : bgd_drain_fd(&d->drain), .events = POLLIN };
		pfd[3] = (struct pollfd){ .fd = d->watch.fd, .events = POLLIN };
		pfd[4] = (struct pollfd){ .fd = d->signed_fd, .events = POLLIN };
		nm = bgd_metrics_pollfds(&d->metrics, pfd + NFIXED, MAXFDS - NFIXED);
		n = poll(pfd, NFIXED + nm, timeout);
		if (n < 0 && errno != EINTR) {
			bgd_log(LOG_ERR, "poll: %s", strerror(errno));
			break;
		}
		if (n < 0)
			continue;
		if (pfd[0].revents)
			on_signal(d);
		if (pfd[2].revents || more || (hold && mono_ms() >= hold_until) || n == 0) {
			more = bgd_drain_consume(&d->drain) > 0;
			if (!more)
				hold_until = mono_ms() + BATCH_MS;
		}
		if (pfd[3].revents && bgd_watch_handle(&d->watch, &d->set))
			apply_pass(d, false);
		if (pfd[4].revents)
			signed_changed(d);
		if (pfd[1].revents)
			tick(d);
		if (nm) {
			struct bgd_metrics_src src;

			metrics_src(d, &src);
			bgd_metrics_handle(&d->metrics, pfd + NFIXED, nm, &src);
		}
	}
}

static int setup_fds(struct daemon *d)
{
	struct itimerspec its = { .it_interval = { 1, 0 }, .it_value = { 1, 0 } };
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		return -1;
	signal(SIGPIPE, SIG_IGN);
	d->sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	d->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->sfd < 0 || d->tfd < 0 || timerfd_settime(d->tfd, 0, &its, NULL))
		return -1;
	return 0;
}

/* --check: the configuration, attach.d and the policies its lines name;
 * nothing else touched. */
static int check_only(struct daemon *d)
{
	unsigned bad_policies = 0;

	load_attachd(d);
	for (unsigned i = 0; i < d->set.n; i++) {
		const struct bgd_line *l = &d->set.v[i];
		struct bg_policy *p = NULL;
		struct bg_diag diag = {};
		bool seen = false;

		for (unsigned j = 0; j < i && !seen; j++)
			seen = !strcmp(d->set.v[j].policy, l->policy);
		if (seen)
			continue;
		if (bg_policy_load(l->policy, &p, &diag)) {
			bgd_log(LOG_ERR, "%s:%u: %s", l->file, l->line, diag.msg);
			bad_policies++;
		}
		bg_policy_free(p);
	}
	printf("%s: ok, %u output(s)%s%s\n", d->cfg->origin, d->cfg->noutputs,
	       d->cfg->metrics_listen[0] ? ", metrics on " : "", d->cfg->metrics_listen);
	printf("%s: %u declared attachment line(s), %u file(s) with errors, %u policy file(s) with errors\n",
	       d->cfg->attach_dir, d->set.n, d->set.nbad, bad_policies);
	return d->set.nbad || bad_policies ? BG_EXIT_USAGE : BG_EXIT_OK;
}

int bgd_main(const char *config_path, bool check)
{
	struct daemon d = { .config_path = config_path ? config_path : BGD_DEFAULT_CONFIG,
			    .config_given = config_path != NULL, .sfd = -1, .tfd = -1, .follow_lock = -1, .signed_fd = -1,
			    .stats_fd = -1 };
	struct bg_diag diag = {};
	int ret = BG_EXIT_OK;

	bg_warn_cap(0); /* long-lived: every warning goes to the log */
	d.cfg = malloc(sizeof(*d.cfg));
	if (!d.cfg)
		return BG_EXIT_FAIL;
	if (bgd_config_load(d.config_path, !d.config_given, d.cfg, &diag)) {
		bg_diag_print(&diag);
		free(d.cfg);
		return BG_EXIT_USAGE;
	}
	if (check) {
		ret = check_only(&d);
		bgd_attachd_free(&d.set);
		free(d.cfg);
		return ret;
	}
	bgd_metrics_init(&d.metrics);
	d.watch.fd = -1;
	if (setup_fds(&d)) {
		bg_err("daemon: cannot set up signals and timers: %s", strerror(errno));
		ret = BG_EXIT_FAIL;
		goto out;
	}
	openlog("bpfguard", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	{
		unsigned failed;

		/* at start a broken output is fatal: better no daemon than one
		 * that silently drops events */
		d.outs = open_outputs(d.cfg, &d.nouts, &failed);
		if (!d.outs || failed) {
			bg_err("daemon: %s: %u output(s) cannot be opened (see above); fix the configuration",
			       d.cfg->origin, failed);
			ret = BG_EXIT_FAIL;
			goto out;
		}
	}
	if (d.cfg->metrics_listen[0] && bgd_metrics_listen(&d.metrics, d.cfg->metrics_listen, &diag)) {
		bg_err("daemon: %s", diag.msg);
		ret = BG_EXIT_FAIL;
		goto out;
	}
	/* the follower lock keeps the maps (and so our ring) pinned while
	 * nothing is attached */
	d.follow_lock = bg_state_follow_begin();
	open_drain(&d);
	program_stats(&d);
	set_rate_limit(d.cfg->rate_limit);
	bgd_apply_init(&d.apply, d.cfg->attach_state);
	load_attachd(&d);
	apply_pass(&d, true);
	bgd_watch_setup(&d.watch, &d.set);
	signed_watch(&d);
	bgd_log(LOG_INFO, "ready: config %s, %u output(s), metrics %s, %u attach.d line(s) from %s, %u attachment(s) made by the daemon",
		d.cfg->origin, d.nouts, d.cfg->metrics_listen[0] ? d.cfg->metrics_listen : "off", d.set.n,
		d.cfg->attach_dir, d.apply.nown);
	loop(&d);
	/* drain what is queued, then go; attachments stay in force */
	while (bgd_drain_consume(&d.drain) > 0)
		;
	bgd_log(LOG_INFO, "stopping: %llu event(s) read; attachments stay in force", d.drain.events);
out:
	bgd_drain_close(&d.drain);
	close_outputs(d.outs, d.nouts);
	bgd_metrics_close(&d.metrics);
	bgd_watch_close(&d.watch);
	if (d.signed_fd >= 0)
		close(d.signed_fd);
	bgd_attachd_free(&d.set);
	bgd_apply_free(&d.apply);
	if (d.stats_fd >= 0)
		close(d.stats_fd);
	if (d.sfd >= 0)
		close(d.sfd);
	if (d.tfd >= 0)
		close(d.tfd);
	if (d.follow_lock >= 0) {
		close(d.follow_lock);
		bg_state_release_if_unused(); /* pins kept only for us go */
	}
	free(d.cfg);
	closelog();
	return ret;
}

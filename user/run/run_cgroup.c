// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * run_cgroup.c - the cgroups of one `bpfguard run`: <cg2>/bpfguard.run/<id>
 * (init, cgroup v2 limits) and <id>/payload (the BPF attachment), cgroup v1
 * limit groups where v2 lacks a controller, rlimits where neither exists;
 * their removal on every path, and the sweep of runs whose bpfguard died.
 *
 * Separate from run.c because it is the one part that writes the cgroup
 * file systems: run.c orders the steps, this file knows the files.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attach.h"
#include "attachment.h"
#include "cghooks.h"
#include "cgroup.h"
#include "loader.h"
#include "run_internal.h"
#include "util.h"

const char *const run_res_ctrl[RES__COUNT] = { "memory", "pids", "cpu" };

int run_write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;
	ssize_t n = (ssize_t)strlen(s);

	if (fd < 0)
		return -errno;
	if (write(fd, s, n) != n)
		ret = -errno;
	close(fd);
	return ret;
}
int run_writef(const char *dir, const char *file, const char *fmt, ...)
{
	char path[PATH_MAX + 64], buf[128];
	va_list ap;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return run_write_str(path, buf);
}

/* A "key value" line of a flat run_keyed file (memory.events, pids.events,
 * memory.oom_control); -1 if absent. */
long long run_keyed(const char *dir, const char *file, const char *key)
{
	char path[PATH_MAX + 64], k[64];
	long long v, ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", k, &v) == 2)
		if (!strcmp(k, key)) {
			ret = v;
			break;
		}
	fclose(f);
	return ret;
}

long long run_read_ll(const char *dir, const char *file)
{
	char path[PATH_MAX + 64];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static bool file_has_word(const char *path, const char *word)
{
	char buf[512], *tok, *save;
	bool found = false;
	FILE *f = fopen(path, "re");

	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f))
		for (tok = strtok_r(buf, " \n", &save); tok && !found; tok = strtok_r(NULL, " \n", &save))
			found = !strcmp(tok, word);
	fclose(f);
	return found;
}

/* Mount point of the cgroup v1 hierarchy that has `ctrl`. */
static int v1_mount(const char *ctrl, char *out, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f) && ret) {
		char *sep = strstr(line, " - "), fstype[32], opts[1024], mnt[PATH_MAX], *tok, *save;

		if (!sep || sscanf(sep + 3, "%31s %*s %1023s", fstype, opts) != 2 || strcmp(fstype, "cgroup"))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		for (tok = strtok_r(opts, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			if (!strcmp(tok, ctrl)) {
				ret = bg_strlcpy(out, mnt, len) ? 0 : -ENAMETOOLONG;
				break;
			}
	}
	fclose(f);
	return ret;
}

static int rmdir_retry(const char *path)
{
	for (int i = 0; i < 200; i++) {
		if (rmdir(path) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -errno;
		usleep(10000);
	}
	return -EBUSY;
}

/* ------------------------------------------------------------------ */
/* cgroups and limits */

static int v2_enable(struct run *r, const char *ctrl)
{
	char path[PATH_MAX + 64], plus[40];

	snprintf(path, sizeof(path), "%s/cgroup.controllers", r->cg2);
	if (!file_has_word(path, ctrl))
		return -ENOENT;
	snprintf(plus, sizeof(plus), "+%s", ctrl);
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", r->cg2);
	if (!file_has_word(path, ctrl) && run_write_str(path, plus))
		return -EPERM;
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", r->base);
	if (!file_has_word(path, ctrl) && run_write_str(path, plus))
		return -EPERM;
	return 0;
}

int run_setup_cgroups(struct run *r)
{
	const struct bg_run_opts *o = r->o;
	bool want[RES__COUNT] = { o->memory > 0, o->pids > 0, o->cpu > 0 };
	int ret;

	if (bg_cgroup2_mount(r->cg2, sizeof(r->cg2))) {
		bg_err("run: cgroup v2 is not mounted; bpfguard run needs it (mount -t cgroup2 none /sys/fs/cgroup/unified)");
		return -1;
	}
	snprintf(r->base, sizeof(r->base), "%s/" BG_RUN_CGROUP, r->cg2);
	snprintf(r->dir, sizeof(r->dir), "%s/%s", r->base, r->id);
	snprintf(r->payload_cg, sizeof(r->payload_cg), "%s/payload", r->dir);
	for (int tries = 0;; tries++) {
		if (mkdir(r->base, 0755) && errno != EEXIST)
			break;
		if (mkdir(r->dir, 0755) == 0 || tries == 3 || errno != ENOENT)
			break; /* ENOENT: another run removed the base just now */
	}
	if (access(r->dir, F_OK)) {
		bg_err("run: cannot create cgroup %s: %s", r->dir, strerror(errno));
		return -1;
	}
	r->made_dir = true;

	/* limits: cgroup v2 controllers, else v1 hierarchies, else rlimits.
	 * BPFGUARD_RUN_LIMITS=v1|rlimit starts lower down the list, so the
	 * tests reach every tier on one machine (docs/run.md). */
	const char *tier = getenv("BPFGUARD_RUN_LIMITS");
	bool skip_v2 = tier && (!strcmp(tier, "v1") || !strcmp(tier, "rlimit"));
	bool skip_v1 = tier && !strcmp(tier, "rlimit");

	for (int i = 0; i < RES__COUNT; i++) {
		char mnt[PATH_MAX], d[PATH_MAX + 16];

		if (!want[i])
			continue;
		if (!skip_v2 && v2_enable(r, run_res_ctrl[i]) == 0) {
			r->via[i] = VIA_V2;
			continue;
		}
		if (!skip_v1 && v1_mount(run_res_ctrl[i], mnt, sizeof(mnt)) == 0) {
			snprintf(d, sizeof(d), "%s/" BG_RUN_CGROUP, mnt);
			if (mkdir(d, 0755) && errno != EEXIST)
				goto v1_fail;
			snprintf(r->v1dir[i], sizeof(r->v1dir[i]), "%s/%s", d, r->id);
			if (mkdir(r->v1dir[i], 0755) && errno != EEXIST) {
				r->v1dir[i][0] = '\0';
				goto v1_fail;
			}
			r->via[i] = VIA_V1;
			continue;
		}
v1_fail:
		if (i == RES_CPU) {
			bg_err("run: --cpu: no cpu controller on this machine (neither cgroup v2 nor v1)");
			return -1;
		}
		r->via[i] = VIA_RLIMIT;
	}
	if (mkdir(r->payload_cg, 0755)) {
		bg_err("run: cannot create cgroup %s: %s", r->payload_cg, strerror(errno));
		return -1;
	}
	r->made_payload = true;
	{
		struct stat st;

		if (stat(r->payload_cg, &st) == 0)
			r->payload_cgid = st.st_ino;
	}

	ret = 0;
	if (r->via[RES_MEMORY] == VIA_V2) {
		ret = run_writef(r->dir, "memory.max", "%llu", (unsigned long long)o->memory);
		run_writef(r->dir, "memory.swap.max", "0");
	} else if (r->via[RES_MEMORY] == VIA_V1) {
		ret = run_writef(r->v1dir[RES_MEMORY], "memory.limit_in_bytes", "%llu", (unsigned long long)o->memory);
		run_writef(r->v1dir[RES_MEMORY], "memory.memsw.limit_in_bytes", "%llu", (unsigned long long)o->memory);
	}
	if (ret) {
		bg_err("run: cannot set the memory limit: %s", strerror(-ret));
		return -1;
	}
	if (r->via[RES_PIDS] == VIA_V2)
		ret = run_writef(r->dir, "pids.max", "%ld", o->pids);
	else if (r->via[RES_PIDS] == VIA_V1)
		ret = run_writef(r->v1dir[RES_PIDS], "pids.max", "%ld", o->pids);
	if (ret) {
		bg_err("run: cannot set the pids limit: %s", strerror(-ret));
		return -1;
	}
	if (o->cpu > 0) {
		long period = 100000, quota = (long)(o->cpu * period + 0.5);

		if (r->via[RES_CPU] == VIA_V2)
			ret = run_writef(r->dir, "cpu.max", "%ld %ld", quota, period);
		else if (r->via[RES_CPU] == VIA_V1)
			ret = run_writef(r->v1dir[RES_CPU], "cpu.cfs_period_us", "%ld", period) ?:
			      run_writef(r->v1dir[RES_CPU], "cpu.cfs_quota_us", "%ld", quota);
		if (ret) {
			bg_err("run: cannot set the cpu limit: %s", strerror(-ret));
			return -1;
		}
	}
	return 0;
}

void run_kill_tree(struct run *r)
{
	if (r->made_dir)
		run_writef(r->dir, "cgroup.kill", "1"); /* 5.14+; the pid namespace covers older kernels */
	if (r->init > 0 && !r->init_reaped)
		kill(r->init, SIGKILL);
}

void run_reap_init(struct run *r, bool block)
{
	int st;

	if (r->init <= 0 || r->init_reaped)
		return;
	if (waitpid(r->init, &st, block ? 0 : WNOHANG) == r->init) {
		r->init_status = st;
		r->init_reaped = true;
	}
}

void run_teardown(struct run *r)
{
	if (r->init > 0 && !r->init_reaped) {
		run_kill_tree(r);
		run_reap_init(r, true);
	}
	bg_phase("run: init reaped");
	/* bpfguard's maps (and the recorder) stay pinned when the last run
	 * ends: creating them again is most of a run's start-up (~3 ms of
	 * ~10), and they are a cache, complete and consistent, not a half
	 * state.  `bpfguard reset` removes them. */
	if (r->attached) {
		struct bg_detach_run_opts d = {
			.st = r->bpf_state_open ? &r->bpf_state : NULL, .cgid = r->payload_cgid,
			.recorded = r->rec.puts > 0, /* counters exist only for what it recorded */
			.hooks = bg_cghooks_wanted(r->policy),
			.exec = r->policy->exec.present,
			.escape = r->o->user_root,
		};

		if (bg_detach_run(r->payload_cg, &d) == 0)
			r->attached = false;
	}
	if (r->bpf_state_open) {
		bg_state_close(&r->bpf_state);
		r->bpf_state_open = false;
	}
	bg_phase("run: detached");
	if (r->made_payload && rmdir_retry(r->payload_cg))
		bg_warn("run: cannot remove cgroup %s: %s", r->payload_cg, strerror(errno));
	if (r->made_dir && rmdir_retry(r->dir))
		bg_warn("run: cannot remove cgroup %s: %s", r->dir, strerror(errno));
	if (r->made_dir)
		rmdir(r->base); /* if no other run uses it */
	for (int i = 0; i < RES__COUNT; i++) {
		char parent[sizeof(r->v1dir[i])], *slash;

		if (!r->v1dir[i][0])
			continue;
		if (rmdir_retry(r->v1dir[i]))
			bg_warn("run: cannot remove cgroup %s: %s", r->v1dir[i], strerror(errno));
		bg_strlcpy(parent, r->v1dir[i], sizeof(parent));
		slash = strrchr(parent, '/');
		if (slash) {
			*slash = '\0';
			rmdir(parent);
		}
	}
}

/* Runs whose bpfguard died (SIGKILL, power loss of the tty ...): ids are
 * "<pid>-<random>"; a directory whose pid is gone and that holds no
 * process is removed, with its attachment. */
void run_sweep_stale(const char *cg2)
{
	char base[PATH_MAX + 16], d[PATH_MAX * 2], p[PATH_MAX * 3];
	struct dirent *e;
	DIR *dir;

	snprintf(base, sizeof(base), "%s/" BG_RUN_CGROUP, cg2);
	dir = opendir(base);
	if (!dir)
		return;
	while ((e = readdir(dir))) {
		long pid;
		char *end;

		if (e->d_name[0] == '.')
			continue;
		pid = strtol(e->d_name, &end, 10);
		if (pid <= 0 || *end != '-' || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(d, sizeof(d), "%s/%s", base, e->d_name);
		snprintf(p, sizeof(p), "%s/payload", d);
		run_writef(d, "cgroup.kill", "1");
		if (access(p, F_OK) == 0) {
			int saved = dup(2), null = open("/dev/null", O_WRONLY | O_CLOEXEC);

			if (null >= 0) { /* "not attached" is expected here */
				dup2(null, 2);
				close(null);
			}
			bg_detach_cgroup(p, NULL);
			if (saved >= 0) {
				dup2(saved, 2);
				close(saved);
			}
			rmdir_retry(p);
		}
		rmdir_retry(d);
		for (int i = 0; i < RES__COUNT; i++) {
			char mnt[PATH_MAX];

			if (v1_mount(run_res_ctrl[i], mnt, sizeof(mnt)) == 0) {
				snprintf(p, sizeof(p), "%s/" BG_RUN_CGROUP "/%s", mnt, e->d_name);
				rmdir_retry(p);
			}
		}
	}
	closedir(dir);
}

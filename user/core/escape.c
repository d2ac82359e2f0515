// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bpfguard.h"
#include "escape.h"
#include "escape.skel.h"
#include "util.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* 6.9+: a pidfd for one thread */
#endif

/* The pin names do not say which build is loaded: one move and one fork
 * program is up at a time. */
static const char *const pins[] = { "bg_esc_move", "bg_esc_fork" };

/* By version rather than by parsing the kernel's BTF (tens of ms, which
 * bpfguard run's start-up would pay): the kfunc came with 6.13 and is not
 * optional there.  A kernel that claims 6.13 and lacks it fails to load
 * the _kf programs, and attach fails closed saying so. */
bool bg_kernel_can_signal_task(void)
{
	static int cached = -1;
	struct utsname u;
	unsigned maj = 0, min = 0;

	if (cached >= 0)
		return cached;
	if (uname(&u) == 0)
		sscanf(u.release, "%u.%u", &maj, &min);
	cached = maj > 6 || (maj == 6 && min >= 13);
	return cached;
}

bool bg_escape_present(void)
{
	return bg_links_pinned(pins, ARRAY_SIZE(pins));
}

int bg_escape_up(struct bg_diag *diag)
{
	bool kf = bg_kernel_can_signal_task();
	struct bpf_program *use[2];
	struct escape_bpf *skel;
	int ret;

	if (bg_escape_present())
		return 0;
	skel = escape_bpf__open();
	if (!skel) {
		bg_diag_set(diag, "cannot open escape.bpf.o: %s", strerror(errno));
		return -1;
	}
	if (bg_pin_object_maps(skel->obj)) {
		bg_diag_set(diag, "internal: cannot set pin paths for escape.bpf.o");
		goto fail;
	}
	use[0] = kf ? skel->progs.bg_esc_move_kf : skel->progs.bg_esc_move;
	use[1] = kf ? skel->progs.bg_esc_fork_kf : skel->progs.bg_esc_fork;
	bpf_program__set_autoload(skel->progs.bg_esc_move, !kf);
	bpf_program__set_autoload(skel->progs.bg_esc_fork, !kf);
	bpf_program__set_autoload(skel->progs.bg_esc_move_kf, kf);
	bpf_program__set_autoload(skel->progs.bg_esc_fork_kf, kf);
	ret = escape_bpf__load(skel);
	if (ret) {
		bg_diag_set(diag, "cannot load escape.bpf.o: %s; rerun with BPFGUARD_DEBUG=1 for the verifier log",
			    strerror(-ret));
		goto fail;
	}
	/* fork before move: a child born while we attach is tagged by the
	 * time its parent could move it */
	for (int i = 1; i >= 0; i--) {
		char p[PATH_MAX];
		struct bpf_link *link = bpf_program__attach(use[i]);

		if (!link) {
			bg_diag_set(diag, "cannot attach %s: %s", pins[i], strerror(errno));
			goto fail;
		}
		bg_pin_path(p, sizeof(p), BG_PIN_LINKS, pins[i]);
		ret = bpf_link__pin(link, p);
		bpf_link__destroy(link); /* the pin keeps it attached */
		if (ret) {
			bg_diag_set(diag, "cannot pin %s: %s", p, strerror(-ret));
			goto fail;
		}
	}
	escape_bpf__destroy(skel);
	return 0;
fail:
	escape_bpf__destroy(skel);
	bg_escape_down();
	return -1;
}

void bg_escape_down(void)
{
	char p[PATH_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(pins); i++) {
		bg_pin_path(p, sizeof(p), BG_PIN_LINKS, pins[i]);
		unlink(p);
	}
}

uint32_t bg_escape_new_epoch(void)
{
	uint32_t e = 0;

	/* Random rather than a counter: nothing to keep, and an epoch from a
	 * detached attachment is not handed out again by design. */
	while (e == 0)
		if (getrandom(&e, sizeof(e), 0) != sizeof(e))
			e = (uint32_t)time(NULL) ^ (uint32_t)getpid();
	return e;
}

static bool tag_still_valid(const struct bg_state *st, const struct bg_tag *t)
{
	struct bg_cgroup oc;
	__u64 owner = t->owner;

	return owner && bpf_map_lookup_elem(st->map[BG_MAP_CGROUPS], &owner, &oc) == 0 &&
	       oc.owner == owner && oc.epoch == t->epoch;
}

static int tag_one(const struct bg_state *st, int tid, unsigned flags, uint64_t owner, uint32_t epoch)
{
	struct bg_tag t = { .owner = owner, .epoch = epoch }, old;
	int pfd = (int)syscall(SYS_pidfd_open, tid, flags), ret = 0;

	if (pfd < 0)
		return errno == ESRCH ? 0 : -errno; /* gone: nothing to guard */
	if (bpf_map_lookup_elem(st->map[BG_MAP_TASKTAG], &pfd, &old) == 0 && tag_still_valid(st, &old))
		goto out; /* an outer attachment's tag stands */
	if (bpf_map_update_elem(st->map[BG_MAP_TASKTAG], &pfd, &t, BPF_ANY))
		ret = errno == ESRCH || errno == ENOENT ? 0 : -errno; /* exited meanwhile */
	else
		ret = 1;
out:
	close(pfd);
	return ret;
}

int bg_escape_tag_cgroup(const struct bg_state *st, const char *abs, uint64_t owner, uint32_t epoch)
{
	static int thread_pidfds = -1; /* PIDFD_THREAD known to work */
	char p[PATH_MAX];
	int n = 0, ret = 0;
	FILE *f;
	int id;

	/* Threads where the kernel gives a pidfd per thread (6.9+); else
	 * the processes (their leaders), and the BPF side falls back from a
	 * thread to its leader's tag. */
	snprintf(p, sizeof(p), "%s/%s", abs, thread_pidfds == 0 ? "cgroup.procs" : "cgroup.threads");
	f = fopen(p, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fscanf(f, "%d", &id) == 1) {
		int r = tag_one(st, id, thread_pidfds == 0 ? 0 : PIDFD_THREAD, owner, epoch);

		if (r == -EINVAL && thread_pidfds < 0) {
			/* no per-thread pidfds here: start over with the processes */
			thread_pidfds = 0;
			fclose(f);
			return bg_escape_tag_cgroup(st, abs, owner, epoch);
		}
		if (r == -EINVAL && thread_pidfds == 1)
			continue; /* cannot happen once known to work; be safe */
		if (r < 0) {
			ret = r;
			break;
		}
		if (thread_pidfds < 0)
			thread_pidfds = 1;
		n += r;
	}
	fclose(f);
	return ret < 0 ? ret : n;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * record.c - runs record.bpf.c's bg_record once per decision with
 * BPF_PROG_TEST_RUN.  The program is never attached.  It stays pinned
 * between users (progs/bg_record_<hash of record.bpf.o>): loading it is a
 * verifier run, ~0.4 ms of every `bpfguard run`'s start-up, and a pin is
 * reused only if it was built from this very object and still writes to
 * the maps pinned now (a reset or another build makes it stale; a stale
 * pin is replaced).
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "loader.h"
#include "record.h"
#include "record.objid.h"
#include "record.skel.h"
#include "util.h"

/* progs/<name>_<SHA-256 of the embedded object, 16 digits, computed by
 * the build> (bpffs refuses dots in names): another build of bpfguard
 * never reuses this one's program. */
static void pin_name(const char *prog, char *out, size_t len)
{
	char name[64];

	snprintf(name, sizeof(name), "%s_%s", prog, BG_OBJID_record);
	bg_pin_path(out, len, BG_PIN_PROGS, name);
}

/* Does the program behind fd use exactly the maps pinned now?  Each map
 * it references, by name, must be the pinned map of that name. */
static bool uses_pinned_maps(int fd)
{
	__u32 ids[16], len;
	struct bpf_prog_info info = {};

	len = sizeof(info);
	info.nr_map_ids = 16;
	info.map_ids = (__u64)(uintptr_t)ids;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.nr_map_ids == 0 || info.nr_map_ids > 16)
		return false;
	for (__u32 i = 0; i < info.nr_map_ids; i++) {
		struct bpf_map_info mi = {};
		__u32 mlen = sizeof(mi);
		char p[PATH_MAX];
		int mfd = bpf_map_get_fd_by_id(ids[i]), pfd;
		bool same;

		if (mfd < 0)
			return false;
		same = bpf_obj_get_info_by_fd(mfd, &mi, &mlen) == 0;
		close(mfd);
		if (!same)
			return false;
		/* .rodata and friends are the program's own, not pins */
		if (strchr(mi.name, '.'))
			continue;
		bg_pin_path(p, sizeof(p), BG_PIN_MAPS, mi.name);
		pfd = bpf_obj_get(p);
		same = pfd >= 0 && bg_map_id(pfd) == ids[i];
		if (pfd >= 0)
			close(pfd);
		if (!same)
			return false;
	}
	return true;
}

/* Loads one of record.bpf.c's programs: bg_record (seccomp decisions) or
 * bg_record_exec (the exec gate's refusals; a syscall program, 5.14+, so
 * never loaded where it is not wanted). */
static int recorder_open(struct bg_recorder *rc, bool exec, struct bg_diag *diag)
{
	const char *prog = exec ? "bg_record_exec" : "bg_record";
	char pin[PATH_MAX];
	int ret;

	memset(rc, 0, sizeof(*rc));
	rc->prog_fd = -1;
	pin_name(prog, pin, sizeof(pin));
	rc->prog_fd = bpf_obj_get(pin);
	if (rc->prog_fd >= 0) {
		if (uses_pinned_maps(rc->prog_fd)) {
			rc->pinned_fd = true;
			return 0;
		}
		close(rc->prog_fd);
		rc->prog_fd = -1;
		unlink(pin); /* stale: the maps were made again */
	}
	rc->skel = record_bpf__open();
	if (!rc->skel) {
		bg_diag_set(diag, "cannot open record.bpf.o: %s", strerror(errno));
		return -1;
	}
	/* The maps are bpfguard's pins (bg_events, bg_counters, ...): the
	 * records land where every other decision does. */
	if (bg_pin_object_maps(rc->skel->obj)) {
		bg_diag_set(diag, "internal: cannot set pin paths for record.bpf.o");
		goto fail;
	}
	bpf_program__set_autoload(rc->skel->progs.bg_record, !exec);
	bpf_program__set_autoload(rc->skel->progs.bg_record_exec, exec);
	ret = record_bpf__load(rc->skel);
	if (ret) {
		bg_diag_set(diag, "cannot load record.bpf.o: %s; rerun with BPFGUARD_DEBUG=1",
			    strerror(-ret));
		goto fail;
	}
	rc->prog_fd = bpf_program__fd(exec ? rc->skel->progs.bg_record_exec : rc->skel->progs.bg_record);
	/* For the next user.  Best effort: a failure (EEXIST: another run
	 * was faster with the same object) only costs the next one a load. */
	(void)bpf_obj_pin(rc->prog_fd, pin);
	return 0;
fail:
	record_bpf__destroy(rc->skel);
	rc->skel = NULL;
	return -1;
}

int bg_recorder_open(struct bg_recorder *rc, struct bg_diag *diag)
{
	return recorder_open(rc, false, diag);
}

int bg_recorder_open_exec(struct bg_recorder *rc, struct bg_diag *diag)
{
	return recorder_open(rc, true, diag);
}

/* One test run of the loaded program with `in` as its context. */
static int put(struct bg_recorder *rc, const void *in, size_t len)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = in, .ctx_size_in = (__u32)len);

	rc->puts++;
	if (rc->prog_fd < 0)
		return -EBADF;
	if (bpf_prog_test_run_opts(rc->prog_fd, &o) || o.retval) {
		rc->failed++;
		return -EIO;
	}
	return 0;
}

int bg_recorder_put_exec(struct bg_recorder *rc, const struct bg_exec_record_in *in)
{
	return put(rc, in, sizeof(*in));
}

int bg_recorder_put(struct bg_recorder *rc, const struct bg_record_in *in)
{
	return put(rc, in, sizeof(*in));
}

void bg_recorder_close(struct bg_recorder *rc)
{
	if (rc->skel)
		record_bpf__destroy(rc->skel);
	else if (rc->pinned_fd)
		close(rc->prog_fd); /* the pinned program's */
	rc->pinned_fd = false;
	rc->skel = NULL;
	rc->prog_fd = -1;
}

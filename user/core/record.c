// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * record.c - runs record.bpf.c's bg_record once per decision with
 * BPF_PROG_TEST_RUN.  The program is loaded per user (bpfguard run loads
 * it for the length of a run), never attached and never pinned: nothing
 * is left behind when the process exits.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "loader.h"
#include "record.h"
#include "record.skel.h"

/* Loads one of record.bpf.c's programs: bg_record (seccomp decisions) or
 * bg_record_exec (the exec gate's refusals; a syscall program, 5.14+, so
 * never loaded where it is not wanted). */
static int recorder_open(struct bg_recorder *rc, bool exec, struct bg_diag *diag)
{
	int ret;

	memset(rc, 0, sizeof(*rc));
	rc->prog_fd = -1;
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
	rc->skel = NULL;
	rc->prog_fd = -1;
}

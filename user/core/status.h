/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * status.h - what `bpfguard status` reports, read from the pinned maps
 * into one model (struct bg_status) that the command renders as text or
 * JSON.  Reading only: nothing is changed.
 */
#ifndef BG_STATUS_H
#define BG_STATUS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compile_bpf.h"
#include "exec_gate.h"
#include "loader.h"

/* Exact denial counter of one attachment, merged over its cgroups (cgid 0). */
struct bg_status_counter {
	struct bg_counter_key key;
	unsigned long long n;
};

struct bg_status_att {
	struct bg_attachment a;
	/* the cgroup's directory now, and whether it is still the attached
	 * cgroup (same inode); have_path is false without a cgroup2 mount */
	bool have_path, cgroup_exists;
	char cgroup_path[PATH_MAX * 2];
	char cghooks[512];     /* bg_cghooks_summary_slot, "" if none */
	char executables[512]; /* bg_exec_summary_slot, "" if none */
	unsigned long long hook_denied[BG_HOOK__COUNT], hook_recorded[BG_HOOK__COUNT];
	unsigned guarded; /* bg_cgroups entries it owns */
	struct bg_status_counter *counters; /* most frequent first */
	unsigned ncounters;
	unsigned long long denials_total;
	/* every rule that is not `allow` nor the default, and the mechanism
	 * the kernel enforces it with (bg_rule_mechs) */
	struct bg_rule_mech *rules;
	unsigned nrules;
};

struct bg_status {
	bool have_state; /* false: bpfguard has no state on this machine */
	struct bg_status_att *att;
	unsigned natt;
	unsigned long long stat[BG_STAT__COUNT]; /* enum bg_stat; 0 without state */
	unsigned cgroups_guarded;
	bool sys_enter_attached, lsm_attached, escape_attached;
	struct bg_gate_status gate; /* the fanotify exec gate (exec_gate.h) */
};

/* Fills *s from the pins.  0 (no state at all is have_state false), or -1
 * with a one-line reason in err. */
int bg_status_read(struct bg_status *s, struct bg_diag *d);
void bg_status_free(struct bg_status *s);

#endif

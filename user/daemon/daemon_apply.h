/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * daemon_apply.h - makes the attachments match attach.d.
 *
 * A pass walks the cgroups each line's glob can match and, per matched
 * cgroup (the first line that matches it wins):
 *   - already attached with the same policy file, mode and fallback (and,
 *     for an attachment the daemon made, the same file content): left
 *     alone, so a restart neither re-attaches nor opens a window;
 *   - otherwise attached with bpfguard's own attach (bg_attach_policy:
 *     a replacement switches each cgroup from the complete old policy to
 *     the complete new one).
 * A match below a cgroup the same line already matched is not attached
 * again: the kernel's inheritance gives it the same policy.
 *
 * Which attachments the daemon made is kept in a small JSON file
 * ([attach] state, default /run/bpfguard/daemon-attachments.json): cgroup
 * id, path, policy source, mode, fallback, the policy's SHA-256, the
 * attach time of the record and the FILE:LINE it came from.  An entry
 * counts only while the kernel-side record still has that attach time:
 * an attachment someone replaced or detached by hand is no longer the
 * daemon's.  The daemon detaches only its own attachments, and only when
 * no readable line declares them any more (or their cgroup is gone); what
 * a skipped (bad) file declared is left as it was.
 */
#ifndef BG_DAEMON_APPLY_H
#define BG_DAEMON_APPLY_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfguard.h"

struct bgd_attachd;
struct bg_policy;

struct bgd_owned {
	uint64_t cgid;
	uint64_t attached_ns;      /* bg_attachment.attached_realtime_ns when we made it */
	char path[BG_PATH_MAX];    /* relative to the cgroup2 mount */
	char source[BG_PATH_MAX];
	int mode, fallback;
	char sha256[65];           /* of the policy file we attached */
	char file[PATH_MAX];       /* the attach.d file and line */
	unsigned line;
};

struct bgd_policy_cache {
	char path[BG_PATH_MAX];
	struct bg_policy *policy;  /* NULL if it failed to load */
	char sha256[65];
	char err[512];
	bool reported;
};

struct bgd_apply {
	char state_path[PATH_MAX];
	struct bgd_owned *own;
	unsigned nown;
	size_t capown;
	struct bgd_policy_cache *pc;
	unsigned npc;
	size_t cappc;
	uint64_t *failed;          /* cgroups whose attach failed since the last full pass */
	unsigned nfailed;
	size_t capfailed;
	unsigned long long attached, detached, failures;
	unsigned long long limit_failures; /* of failures: a capacity limit (BG_MAX_*) was reached */
	bool reported;             /* conflicts of this configuration logged */
};

/* Loads the ownership record (a missing file is an empty record). */
void bgd_apply_init(struct bgd_apply *a, const char *state_path);
/* Forget the parsed policies (SIGHUP: files may have changed). */
void bgd_apply_forget_policies(struct bgd_apply *a);
/* One pass.  full: a start, SIGHUP or periodic rescan (retries failed
 * attaches and detaches); otherwise a cgroup appeared or vanished.
 * Conflicts between lines are logged once per configuration.
 * Returns the number of attachments changed. */
int bgd_apply_pass(struct bgd_apply *a, const struct bgd_attachd *set, bool full);
void bgd_apply_free(struct bgd_apply *a);

#endif

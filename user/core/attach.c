// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * attach.c - the attach core: one policy onto one cgroup, and detach.
 *
 * Used by `bpfguard attach|detach` (cli/cmd_attach.c prints the outcome),
 * `bpfguard run` (the payload's cgroup, seccomp target) and the daemon
 * (attach.d).  Nothing here prints on success; errors are one line on
 * stderr, or in the caller's bg_attach_result (the daemon logs them).
 *
 * attach either fully applies or changes nothing: everything that can fail
 * on user input (policy, plan, cgroup path) is checked before bpffs is
 * touched, and a failure after that rolls back to the previous records.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "attachment.h"
#include "cghooks.h"
#include "escape.h"
#include "exec_allow.h"
#include "exec_gate.h"
#include "cgroup.h"
#include "compile_bpf.h"
#include "exitcodes.h"
#include "loader.h"
#include "lsm.h"
#include "mechanism.h"
#include "policy.h"
#include "probe.h"
#include "testhooks.h"
#include "util.h"

/* Probe the kernel and decide mechanisms; shared with status and run via
 * mechanism.c.  The probe is cached for the boot (probe_cache.c): the
 * first attach of a boot pays its ~70 ms, later ones read a file. */
static void current_mechs(struct bg_mechs *m)
{
	struct bg_probe p;

	bg_probe_cached(&p, NULL);
	bg_mechs_from_probe(&p, m);
}

/* What bg_attach() was asked, in the form the steps below read it. */
struct attach_opts {
	const char *cgroup;
	const char *policy; /* the source recorded */
	int mode;
	int fallback;
	long rate_limit; /* -1 = leave as is */
	int require_deny;
	int quiet;  /* no warnings */
	int target; /* enum bg_plan_target */
	bool no_escape_guard; /* see bg_attach_req.escape_guard */
};

struct attach_job {
	struct attach_opts o;
	const struct bg_policy *policy;
	struct bg_bpf_policy compiled;
	struct bg_plan plan;
	struct bg_cgpath cg;
	char summary[1024];
	char hooks_summary[512];
	char exec_summary[256];
	unsigned long shared_before; /* bg_filter_marked_shared() before the subtree was marked */
	struct bg_state *keep; /* bg_attach_req.keep_state */
	/* the outcome, for bg_attach_out */
	struct bg_attachment rec;
	int guarded;
	bool replaced;
};

/* Everything that depends only on user input and the loaded policy,
 * before any state changes. */
static int prepare(struct attach_job *j)
{
	struct bg_mechs mechs;
	struct bg_diag dg = {};
	char err[512];

	if (j->o.target == BG_TARGET_SECCOMP) {
		/* run: a seccomp filter denies; the cgroup side only records,
		 * which every kernel with sys_enter can do (no probe needed). */
		mechs = (struct bg_mechs){ .seccomp = true, .kill = true };
		snprintf(mechs.lsm_why, sizeof(mechs.lsm_why), "not used: seccomp denies for bpfguard run");
	} else {
		current_mechs(&mechs);
	}
	bg_plan_init(&j->plan, &mechs, j->o.target, j->o.mode, j->o.fallback);
	if (bg_compile_bpf(j->policy, &j->plan, &j->compiled)) {
		if (j->plan.n_refused) {
			bg_plan_refusal(&j->plan, j->policy->name, err, sizeof(dg.msg));
			bg_err("%s", err);
			return BG_EXIT_REFUSED;
		}
		bg_err("cannot compile policy '%s': out of memory", j->policy->name);
		return BG_EXIT_FAIL;
	}
	if (bg_cghooks_has_errnos(j->policy) && j->o.mode == BG_MODE_ENFORCE && !j->plan.mechs.set_retval) {
		if (j->o.target == BG_TARGET_CGROUP) {
			bg_err("policy '%s': a net rule denies with an errno other than EPERM, and the cgroup "
			       "hooks of this kernel can return only EPERM (no bpf_set_retval, Linux 5.18+); "
			       "write 'deny' for those rules", j->policy->name);
			return BG_EXIT_REFUSED;
		}
		if (!j->o.quiet)
			bg_warn("policy '%s': net rules fail with EPERM under bpfguard run, whatever errno they name",
				j->policy->name);
	}
	if (j->o.require_deny && j->plan.n_fallback) {
		bg_err("--require-deny: policy '%s' has %u errno decisions (%s%s) that nothing on this "
		       "kernel denies before they run (%s); drop --require-deny to use --fallback %s",
		       j->policy->name, j->plan.n_fallback, j->plan.fallback_examples,
		       j->plan.n_fallback > 6 ? ", ..." : "", j->plan.mechs.lsm_why,
		       bg_fallback_name(j->o.fallback));
		return BG_EXIT_REFUSED;
	}
	if (bg_cgroup_resolve(j->o.cgroup, &j->cg, &dg)) {
		bg_diag_print(&dg);
		return BG_EXIT_USAGE;
	}
	if (j->policy->exec.present && j->policy->exec.libraries && !j->plan.mechs.lsm_deny) {
		if (j->o.fallback == BG_FALLBACK_REFUSE) {
			bg_err("policy '%s' line %u: `exec libraries` needs BPF LSM to refuse executable mappings, "
			       "and this kernel has none (%s); drop the line, or attach with --fallback audit to run "
			       "with executables checked and libraries not", j->policy->name, j->policy->exec.line,
			       j->plan.mechs.lsm_why);
			return BG_EXIT_REFUSED;
		}
		if (!j->o.quiet)
			bg_warn("policy '%s': `exec libraries` is not enforced here (no BPF LSM); executables are",
				j->policy->name);
	}
	bg_plan_summary(&j->plan, j->summary, sizeof(j->summary));
	bg_cghooks_summary(j->policy, j->hooks_summary, sizeof(j->hooks_summary));
	bg_exec_summary(j->policy, j->plan.mechs.lsm_deny, j->exec_summary, sizeof(j->exec_summary));
	return 0;
}

/*
 * The LSM programs attached are exactly those the attachment records need
 * (plus `extra`, the policy being attached): each errno rule that the LSM
 * path enforces needs its hooks, and no hook runs for nothing.  With extra
 * set this only adds (the old policy stays in force until the switch).
 */
static int lsm_sync_records(struct bg_state *st, const uint64_t extra[2], struct bg_diag *diag)
{
	uint64_t want[2] = { extra ? extra[0] : 0, extra ? extra[1] : 0 };
	struct bg_attachment *list;
	unsigned n;

	/* Nothing to add and nothing of ours attached (every attach on a
	 * kernel without BPF LSM whose policies need no bg_sys_exit): no
	 * need to read every attachment record, which made attach O(N). */
	if (!want[0] && !want[1] && !bg_lsm_any_pinned())
		return 0;
	if (bg_att_list(st, &list, &n) == 0) {
		for (unsigned i = 0; i < n; i++) {
			want[0] |= list[i].lsm_progs[0];
			want[1] |= list[i].lsm_progs[1];
		}
		free(list);
	}
	return bg_lsm_sync(st, want, diag);
}

static void fill_record(const struct attach_job *j, uint32_t slot, struct bg_attachment *a)
{
	struct timespec ts;

	memset(a, 0, sizeof(*a));
	clock_gettime(CLOCK_REALTIME, &ts);
	a->cgid = j->cg.id;
	a->attached_realtime_ns = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	a->slot = slot;
	a->mode = j->o.mode;
	a->fallback = j->o.fallback;
	for (unsigned m = 0; m < ARRAY_SIZE(a->nrules_by_mech); m++)
		a->nrules_by_mech[m] = j->plan.n_by_mech[m];
	a->lsm_progs[0] = j->plan.lsm_need[0];
	a->lsm_progs[1] = j->plan.lsm_need[1];
	a->flags = j->o.target == BG_TARGET_SECCOMP ? BG_ATT_F_SECCOMP : 0;
	bg_strlcpy(a->policy, j->policy->name, sizeof(a->policy));
	bg_strlcpy(a->path, j->cg.rel, sizeof(a->path));
	bg_strlcpy(a->source, j->o.policy, sizeof(a->source));
}

/* Expected bg_exec_pol flags of a slot for this policy, as bg_exec_apply
 * writes them (0 without an exec section). */
static uint32_t exec_flags(const struct bg_policy *p, bool lsm, bool audit)
{
	if (!p->exec.present)
		return 0;
	return BG_EXEC_ON | (p->exec.trusted ? BG_EXEC_TRUSTED : 0) |
	       (p->exec.libraries && lsm ? BG_EXEC_MMAP : 0) | (audit ? BG_EXEC_AUDIT : 0) |
	       (lsm ? 0 : BG_EXEC_KILL);
}

static int open_pinned(const char *name)
{
	char p[PATH_MAX];

	bg_pin_path(p, sizeof(p), BG_PIN_MAPS, name);
	return bpf_obj_get(p);
}

/* Does the slot hold this policy's exec section: the same flags, and
 * exactly the identities its files have now (each hashed and checked as
 * bg_exec_apply would: a file whose content no longer matches never
 * matches, so the fresh-slot path refuses it with its reason)? */
static bool exec_slot_holds(uint32_t slot, const struct bg_policy *p, bool lsm, bool audit)
{
	uint32_t want = exec_flags(p, lsm, audit);
	struct bg_exec_key k, next, *prev = NULL;
	struct bg_exec_pol pol = {};
	unsigned stored = 0, distinct = 0;
	bool same = true;
	int fd = open_pinned("bg_exec_pol"), afd;

	if (fd < 0)
		return want == 0; /* never pinned: no slot has an exec section */
	if (bpf_map_lookup_elem(fd, &slot, &pol))
		pol.flags = 0;
	close(fd);
	if (pol.flags != want)
		return false;
	if (!want)
		return true;
	afd = open_pinned("bg_exec_allow");
	if (afd < 0)
		return false;
	while (bpf_map_get_next_key(afd, prev, &next) == 0) {
		stored += next.slot == slot;
		k = next;
		prev = &k;
	}
	struct bg_file_vouch *v = NULL;
	unsigned nv = 0;

	/* the same files bg_exec_apply would admit, signed ones included */
	same = bg_exec_vouch_all(p, &v, &nv, NULL) == 0;
	for (unsigned i = 0; same && i < nv; i++) {
		struct bg_exec_val cur;
		bool dup = false;

		v[i].key.slot = slot;
		for (unsigned j = 0; j < i && !dup; j++)
			dup = !memcmp(&v[j].key, &v[i].key, sizeof(v[i].key));
		distinct += !dup;
		same = bpf_map_lookup_elem(afd, &v[i].key, &cur) == 0 &&
		       cur.ctime_sec == v[i].val.ctime_sec && cur.ctime_nsec == v[i].val.ctime_nsec;
	}
	free(v);
	close(afd);
	return same && distinct == stored;
}

/* A slot in use that holds exactly what this attach would write: the
 * compiled syscall policy, the network/device/sysctl value, the exec
 * section.  For bpfguard run (seccomp target) also a slot no attachment
 * uses that a finished run left filled (bg_detach_run): the next run of
 * the same policy finds it ready.  -1 if none. */
static int find_shared_slot(const struct bg_state *st, const unsigned refs[BG_MAX_POLICIES],
			    const struct attach_job *j)
{
	bool kept_too = j->o.target == BG_TARGET_SECCOMP;

	for (int s = 0; s < BG_MAX_POLICIES; s++)
		if ((refs[s] || kept_too) && bg_slot_holds(st, (uint32_t)s, &j->compiled) &&
		    bg_cghooks_slot_holds((uint32_t)s, j->policy, j->o.mode, j->plan.hook_marks) &&
		    exec_slot_holds((uint32_t)s, j->policy, j->plan.mechs.lsm_deny, j->o.mode == BG_MODE_AUDIT))
			return s;
	return -1;
}

/* Empties every per-slot map of a slot no attachment names.  0, or -1
 * with what failed appended to `left` (the slot is not referenced, so what
 * remains enforces nothing; a fresh slot is emptied again before use). */
static int free_slot(struct bg_state *st, uint32_t slot, char *left, size_t len)
{
	int r1 = bg_slot_clear(st, slot), r2 = bg_cghooks_clear_slot(st, slot), r3 = bg_exec_clear_slot(st, slot);
	size_t n;

	bg_exec_sync_links(st);
	if (!r1 && !r2 && !r3)
		return 0;
	n = strlen(left);
	snprintf(left + n, len - n, "%sunused policy slot %u not emptied (%s)", n ? "; " : "", slot,
		 strerror(-(r1 ? r1 : r2 ? r2 : r3)));
	return -1;
}

static void add_left(char *left, size_t len, const char *what, int err)
{
	size_t n = strlen(left);

	snprintf(left + n, len - n, "%s%s (%s)", n ? "; " : "", what, strerror(err < 0 ? -err : err));
}

/* Where attach reports: stderr, or the caller's result (the daemon). */
static void report(struct bg_attach_result *res, bool limit, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void report(struct bg_attach_result *res, bool limit, const char *fmt, ...)
{
	char msg[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (res) {
		bg_strlcpy(res->err, msg, sizeof(res->err));
		res->limit = limit;
	} else {
		bg_err("%s", msg);
	}
}

/* Opens the state and picks the slot: the one already holding identical
 * content (*shared), else an unused one.  A replace never writes into the
 * slot the cgroup has now (others may share it): it takes another one,
 * copy-on-write, unless the new content is that slot's already.
 * BG_EXIT_OK with st open, or BG_EXIT_FAIL (said; st closed, nothing
 * changed). */
static int pick_slot(struct attach_job *j, struct bg_attach_result *res, struct bg_state *st,
		     struct bg_attachment *old, bool *replacing, unsigned refs[BG_MAX_POLICIES],
		     int *slot, bool *shared)
{
	bool seccomp = j->o.target == BG_TARGET_SECCOMP;
	unsigned natt = 0;
	struct bg_diag d = {};
	int ret;

	/* bpfguard run's seccomp attachments need no sys_enter program: skip
	 * loading (verifying) guard.bpf.c's programs for them. */
	if (seccomp ? bg_state_open_maps(st, &d) : bg_state_open(st, true, &d)) {
		report(res, false, "%s", d.msg);
		return BG_EXIT_FAIL;
	}
	*replacing = bg_att_get(st, j->cg.id, old) == 0;
	ret = bg_slot_refs(st, refs, &natt);
	if (ret) {
		report(res, false, "attach failed, nothing changed: cannot read the attachment records: %s", strerror(-ret));
		bg_state_close(st);
		return BG_EXIT_FAIL;
	}
	/* The counts may be high after a crash (bpfguard.h): before they
	 * refuse anything, count the records themselves. */
	if ((!*replacing && natt >= BG_MAX_ATTACHMENTS) || bg_slot_unused(refs) < 0) {
		if (bg_slot_refs_recount(st) == 0)
			bg_slot_refs(st, refs, &natt);
	}
	if (!*replacing && natt >= BG_MAX_ATTACHMENTS) {
		report(res, true, "attach failed, nothing changed: %d cgroups already have an attachment "
		       "(BG_MAX_ATTACHMENTS); detach one first", BG_MAX_ATTACHMENTS);
		bg_state_close(st);
		return BG_EXIT_FAIL;
	}
	/* Identical content shares a slot. */
	*slot = find_shared_slot(st, refs, j);
	*shared = *slot >= 0;
	if (!*shared) {
		*slot = bg_slot_unused(refs);
		if (*slot < 0) {
			report(res, true, "attach failed, nothing changed: %d distinct policies already attached "
			       "(BG_MAX_POLICIES); attach a policy that is already in use (identical policies share "
			       "one slot) or detach one first", BG_MAX_POLICIES);
			bg_state_close(st);
			return BG_EXIT_FAIL;
		}
	}
	return BG_EXIT_OK;
}

/* The exec section: every listed file hashed and matched, then its
 * identities in the slot and the exec programs up (undoes itself).  A
 * shared slot has them already; only the trust store is re-read, as a
 * fresh attach would.  0, or -1 with d set. */
static int exec_section(struct bg_state *st, const struct attach_job *j, int slot, bool shared,
			struct bg_diag *d)
{
	if (!shared)
		return bg_exec_apply(st, slot, j->policy, j->plan.mechs.lsm_deny, j->o.mode == BG_MODE_AUDIT,
				     d) ? -1 : 0;
	if (j->policy->exec.present && j->policy->exec.trusted) {
		struct bg_trust t;

		if (bg_trust_load(&t, d) || bg_exec_sync_trusted(&t, d)) {
			bg_trust_free(&t);
			return -1;
		}
		bg_trust_free(&t);
	}
	return bg_exec_gate_sync(d); /* a gate that died comes back with the next attach */
}

/* The global rate limit (j->o.rate_limit >= 0); *cfg_old keeps what to
 * restore.  0, or -1 with d set. */
static int set_rate_limit(struct bg_state *st, const struct attach_job *j, struct bg_config *cfg_old,
			  struct bg_diag *d)
{
	struct bg_config cfg;
	__u32 zero = 0;
	int ret;

	ret = bpf_map_lookup_elem(st->map[BG_MAP_CONFIG], &zero, cfg_old) ? -errno : 0;
	if (!ret) {
		cfg = *cfg_old;
		cfg.rate_limit = (__u32)j->o.rate_limit;
		ret = bg_map_write(st->map[BG_MAP_CONFIG], &zero, &cfg, "ratelimit");
	}
	if (ret) {
		bg_diag_set(d, "cannot set the rate limit: %s", strerror(-ret));
		return -1;
	}
	return 0;
}

/* The attachment record.  0, or -1 with d set (*limit: a table is full). */
static int put_record(struct bg_state *st, const struct bg_attachment *rec, bool *limit,
		      struct bg_diag *d)
{
	int ret = bg_fault("record");

	if (!ret)
		ret = bg_att_put(st, rec);
	if (!ret)
		return 0;
	*limit = ret == -E2BIG || ret == -ENOSPC;
	if (*limit)
		bg_diag_set(d, "cannot record attachment: bg_attachments is full (%d, BG_MAX_ATTACHMENTS)",
			 BG_MAX_ATTACHMENTS);
	else
		bg_diag_set(d, "cannot record attachment: %s", strerror(-ret));
	return -1;
}

/* Points the subtree at the new slot; each cgroup switches in one map
 * update from the complete old policy to the complete new one.  Twice:
 * the second pass catches a cgroup created mid-walk whose inheritance
 * raced with the first.  The number of cgroups guarded (> 0), or -1 with
 * d set (*limit: a table is full). */
static int guard_subtree(struct bg_state *st, const struct attach_job *j, bool *limit,
			 struct bg_diag *d)
{
	int guarded = bg_reconcile(st, j->cg.abs, j->cg.id);

	if (guarded >= 0)
		guarded = bg_reconcile(st, j->cg.abs, j->cg.id);
	if (guarded >= 0 && bg_fault("reconcile"))
		guarded = -EIO;
	if (guarded == BG_WALK_TOO_DEEP) {
		bg_diag_set(d, "cgroup %.300s has cgroups nested more than %d levels below it "
			 "(BG_CGROUP_MAX_DEPTH); bpfguard cannot guard those, so it attaches nothing there; "
			 "attach to the deeper cgroups themselves", j->cg.rel, BG_CGROUP_MAX_DEPTH);
		return -1;
	}
	if (guarded == -E2BIG || guarded == -ENOSPC) {
		*limit = true;
		bg_diag_set(d, "cannot guard the cgroups under %.300s: the guarded-cgroup table is full "
			 "(%d cgroups, BG_MAX_CGROUPS); detach something first", j->cg.rel, BG_MAX_CGROUPS);
		return -1;
	}
	if (guarded < 0) {
		bg_diag_set(d, "cannot guard the cgroups under %.300s: %s", j->cg.rel, strerror(-guarded));
		return -1;
	}
	if (guarded == 0) {
		/* The directory vanished between resolve and walk. */
		bg_diag_set(d, "cgroup %.300s disappeared while attaching", j->cg.rel);
		return -1;
	}
	return guarded;
}

/* After the commit, tidying: hook programs the new policy does not need,
 * and the old slot if nothing names it any more.  A failure here leaves
 * only unused state behind; it is said, not undone. */
static void tidy(struct bg_state *st, const struct attach_job *j, int slot, bool replacing,
		 const struct bg_attachment *old, const unsigned refs[BG_MAX_POLICIES])
{
	struct bg_diag d2 = {};
	char left[1024] = "";

	bg_cghooks_sync(st, j->cg.id, slot);
	/* Slots the subtree made shared (EXACT) while an id it collided with
	 * was guarded, or that a replaced policy left: back to the fast path
	 * where one guarded id is left.  Marking already left every slot
	 * correct (EXACT is always right), so this only costs speed if it
	 * fails. */
	if (j->o.target != BG_TARGET_SECCOMP && bg_filter_marked_shared() != j->shared_before &&
	    bg_filter_rebuild(st))
		add_left(left, sizeof(left), "some sys_enter filter slots stay shared (slower, still exact)", EIO);
	if (j->o.target != BG_TARGET_SECCOMP && lsm_sync_records(st, NULL, &d2))
		add_left(left, sizeof(left), "LSM hooks only the old policy needed stay attached", EIO);
	if (replacing && (uint32_t)slot != old->slot && refs[old->slot] == 1)
		free_slot(st, old->slot, left, sizeof(left));
	if (left[0] && !j->o.quiet)
		bg_warn("attached, but: %s; harmless (unused), `bpfguard reset` removes it", left);
}

/*
 * The attach, in the order that keeps every cgroup on a complete policy:
 * slot written, programs up, sections, record, subtree switched, tidied.
 * The steps are functions; the undo ladder stays here, as labels in one
 * function, because its order (newest first, each label undoing one step
 * and falling through to the older ones) is the point and reads best as
 * one list.
 */
static int apply(struct attach_job *j, struct bg_attach_result *res)
{
	struct bg_attachment old, rec;
	bool had_state = access(BG_BPFFS "/" BG_PIN_ROOT "/" BG_PIN_MAPS "/bg_attachments", F_OK) == 0;
	bool replacing, shared, had_links = bg_state_links_present(), had_escape = bg_escape_present(), cfg_changed = false, limit = false;
	bool seccomp = j->o.target == BG_TARGET_SECCOMP;
	unsigned refs[BG_MAX_POLICIES];
	struct bg_config cfg_old;
	struct bg_state st;
	struct bg_diag dg = {}, dg2 = {};
	char *err = dg.msg, left[1024] = "";
	int slot, guarded = 0, ret;
	__u32 zero = 0;

	if (pick_slot(j, res, &st, &old, &replacing, refs, &slot, &shared))
		return BG_EXIT_FAIL;
	fill_record(j, slot, &rec);

	/* 1. a fresh slot: emptied (an earlier failed clear may have left
	 * something) and the new policy written, while nothing points at it */
	if (!shared) {
		ret = bg_exec_clear_slot(&st, slot);
		if (!ret)
			ret = bg_slot_write(&st, slot, &j->compiled);
		if (ret) {
			bg_diag_set(&dg, "cannot write policy slot %d: %s", slot, strerror(-ret));
			goto undo_slot;
		}
	}
	/* 2. programs up (inheritance before sys_enter; the LSM hooks before
	 * any task can be marked), 3. the record */
	err[0] = '\0';
	if ((!seccomp && (bg_state_links_up(&st, &dg) ||
			  lsm_sync_records(&st, j->plan.lsm_need, &dg))) ||
	    (!j->o.no_escape_guard && bg_escape_up(&dg)) || bg_fault("links")) {
		if (!err[0])
			bg_diag_set(&dg, "cannot attach programs (injected)");
		goto undo_links;
	}
	/* network/device/sysctl sections: cgroup-BPF hooks on this cgroup
	 * (unpins its own links on failure) */
	if (bg_cghooks_apply(&st, j->cg.id, j->cg.abs, slot, shared, j->policy, j->o.mode,
			     &(struct bg_hook_caps){ .marks = j->plan.hook_marks,
						     .set_retval = j->plan.mechs.set_retval,
						     .task_marks = j->plan.mechs.hook_marks }, &dg))
		goto undo_cghooks;
	if (exec_section(&st, j, slot, shared, &dg))
		goto undo_cghooks;
	/* the global rate limit, restored if anything below fails */
	if (j->o.rate_limit >= 0) {
		if (set_rate_limit(&st, j, &cfg_old, &dg))
			goto undo_hooks;
		cfg_changed = true;
	}
	if (put_record(&st, &rec, &limit, &dg))
		goto undo_rate;
	/* 4. point the subtree at the new slot */
	j->shared_before = bg_filter_marked_shared();
	guarded = guard_subtree(&st, j, &limit, &dg);
	if (guarded < 0)
		goto undo_record;
	/* 5. committed */
	tidy(&st, j, slot, replacing, &old, refs);
	j->rec = rec;
	j->guarded = guarded;
	j->replaced = replacing;
	if (j->keep) {
		/* kept without the lock: other attaches go on meanwhile;
		 * bg_detach_run takes it again */
		bg_state_close_lock(&st);
		*j->keep = st;
	} else
		bg_state_close(&st);
	return BG_EXIT_OK;

	/* Undo, newest first.  Every step is checked: what could not be undone
	 * is listed in `left` and said in the one error line. */
undo_record:
	ret = replacing ? bg_att_put(&st, &old) : bg_att_del(&st, j->cg.id);
	if (ret)
		add_left(left, sizeof(left), replacing ? "the old attachment record is not restored"
						       : "the new attachment record is not removed", ret);
	else {
		int r = bg_reconcile(&st, j->cg.abs, j->cg.id);

		if (!replacing && !(r < 0 && r != BG_WALK_TOO_DEEP))
			r = bg_sweep_owner(&st, j->cg.id);
		if (r < 0 && r != BG_WALK_TOO_DEEP)
			add_left(left, sizeof(left), "some cgroups below still point at the new policy", r);
	}
	ret = bg_filter_rebuild(&st);
	if (ret)
		add_left(left, sizeof(left), "the sys_enter filter is not rebuilt", ret);
	if (left[0]) {
		/* Cgroups may still use the new slot: keep it whole (clearing it
		 * would leave them with an empty, allow-everything policy). */
		shared = true;
	}
undo_rate:
	if (cfg_changed && (ret = bg_map_write(st.map[BG_MAP_CONFIG], &zero, &cfg_old, "undo-ratelimit")))
		add_left(left, sizeof(left), "the rate limit keeps the new value", ret);
undo_hooks:
	if (!shared && (ret = bg_exec_clear_slot(&st, slot)))
		add_left(left, sizeof(left), "the new slot's exec allowlist is not emptied", ret);
	bg_exec_sync_links(&st);
undo_cghooks:
	if (replacing)
		bg_cghooks_sync(&st, j->cg.id, old.slot);
	else
		bg_cghooks_remove(j->cg.id);
	if (!shared && (ret = bg_cghooks_clear_slot(&st, slot)))
		add_left(left, sizeof(left), "the new slot's network value is not emptied", ret);
undo_links:
	if (!seccomp)
		lsm_sync_records(&st, NULL, &dg2);
	if (!had_links)
		bg_state_links_down(&st);
	if (!had_escape)
		bg_escape_down();
undo_slot:
	if (!shared && (ret = bg_slot_clear(&st, slot)))
		add_left(left, sizeof(left), "the new policy slot is not emptied", ret);
	bg_state_close(&st);
	if (!had_state && !left[0])
		bg_state_reset(NULL);
	if (left[0])
		report(res, limit, "attach failed: %s; undoing it failed too, and this remains: %s; "
		       "`bpfguard detach --cgroup %s` or `bpfguard reset` clears it", err, left, j->cg.rel);
	else
		report(res, limit, "attach failed, nothing changed: %s", err);
	return BG_EXIT_FAIL;
}

int bg_attach(const struct bg_attach_req *req, struct bg_attach_out *out, struct bg_attach_result *res)
{
	struct attach_job j = {};
	int ret;

	j.o = (struct attach_opts){ .cgroup = req->cgroup, .policy = req->source, .mode = req->mode,
				    .fallback = req->fallback,
				    .rate_limit = req->set_rate_limit ? (long)req->rate_limit : -1,
				    .require_deny = req->require_deny, .quiet = req->quiet,
				    .target = req->target,
				    .no_escape_guard = req->target == BG_TARGET_SECCOMP && !req->escape_guard };
	j.policy = req->policy;
	j.keep = req->keep_state;
	ret = prepare(&j);
	bg_phase("attach: prepared");
	if (!ret)
		ret = apply(&j, res);
	bg_phase("attach: applied");
	if (out) {
		out->plan = j.plan;
		out->cg = j.cg;
		out->rec = j.rec;
		out->guarded = j.guarded;
		out->replaced = j.replaced;
		bg_strlcpy(out->summary, j.summary, sizeof(out->summary));
		bg_strlcpy(out->hooks_summary, j.hooks_summary, sizeof(out->hooks_summary));
		bg_strlcpy(out->exec_summary, j.exec_summary, sizeof(out->exec_summary));
		out->rules = NULL;
		out->nrules = 0;
		if (ret == 0)
			bg_rule_mechs(&j.compiled.slot, j.compiled.argrules, j.compiled.nargrules,
				      &out->rules, &out->nrules);
	}
	bg_bpf_policy_free(&j.compiled);
	return ret;
}

int bg_attach_policy(const struct bg_attach_req *req, struct bg_plan *plan_out)
{
	return bg_attach_policy_r(req, plan_out, NULL);
}

int bg_attach_policy_r(const struct bg_attach_req *req, struct bg_plan *plan_out, struct bg_attach_result *res)
{
	struct bg_attach_req q = *req;
	struct bg_attach_out out;
	int ret;

	q.quiet = true;
	ret = bg_attach(&q, &out, res);
	if (!ret && plan_out)
		*plan_out = out.plan;
	bg_attach_out_free(&out);
	return ret;
}

void bg_attach_out_free(struct bg_attach_out *out)
{
	free(out->rules);
	out->rules = NULL;
	out->nrules = 0;
}

/* ------------------------------------------------------------------ */

/* PATH as attach recorded it: relative to the cgroup2 mount, leading '/'. */
static void recorded_path(const char *path, char *out, size_t len)
{
	char mnt[PATH_MAX];
	size_t mlen, n;

	if (bg_cgroup2_mount(mnt, sizeof(mnt)) == 0 && (mlen = strlen(mnt)) &&
	    !strncmp(path, mnt, mlen) && path[mlen] == '/')
		path += mlen;
	snprintf(out, len, "%s%s", path[0] == '/' ? "" : "/", path);
	n = strlen(out);
	while (n > 1 && out[n - 1] == '/')
		out[--n] = '\0';
}

/* The attachment for PATH: by the directory's id if it exists, else by the
 * recorded path (a cgroup removed while attached can still be detached). */
static int find_for_detach(const struct bg_state *st, const char *path,
			   struct bg_attachment *a, struct bg_cgpath *cg, bool *exists)
{
	struct bg_attachment *list;
	char want[PATH_MAX];
	unsigned n;
	int found = -ENOENT;

	*exists = bg_cgroup_resolve(path, cg, NULL) == 0;
	if (*exists)
		return bg_att_get(st, cg->id, a);
	if (bg_att_list(st, &list, &n))
		return -ENOMEM;
	recorded_path(path, want, sizeof(want));
	for (unsigned i = 0; i < n; i++) {
		if (!strcmp(list[i].path, want)) {
			*a = list[i];
			found = 0;
			break;
		}
	}
	free(list);
	return found;
}

/* Everything a detach removes once the record `a` is chosen; cg_abs is
 * the attached cgroup's directory if it still exists (its children fall
 * back to an outer attachment), else NULL.  `st` open with maps.  The
 * slot is emptied only if no other attachment shares it.  Every step that
 * keeps a policy in force is checked; 0, or BG_EXIT_FAIL with one line
 * saying what remains. */
/* Nothing guarded at all any more: no task for the escape guard to follow. */
static void escape_down_if_unguarded(const struct bg_state *st)
{
	unsigned refs[BG_MAX_POLICIES], nall = 1;

	if (bg_slot_refs(st, refs, &nall) == 0 && nall == 0)
		bg_escape_down();
}

static int remove_record(struct bg_state *st, const struct bg_attachment *a, const char *cg_abs)
{
	unsigned refs[BG_MAX_POLICIES];
	char left[1024] = "";
	int ret;

	ret = bg_att_del(st, a->cgid);
	if (ret) {
		bg_err("detach of %s failed, nothing changed: cannot remove its attachment record: %s", a->path,
		       strerror(-ret));
		return BG_EXIT_FAIL;
	}
	lsm_sync_records(st, NULL, NULL); /* hooks nobody needs any more */
	if (cg_abs && (ret = bg_reconcile(st, cg_abs, a->cgid)) < 0 && ret != BG_WALK_TOO_DEEP)
		add_left(left, sizeof(left), "cgroups below it keep its policy", ret);
	if ((ret = bg_sweep_owner(st, a->cgid)))
		add_left(left, sizeof(left), "some cgroups keep its policy", ret);
	/* bpfguard run's cgroups (seccomp judges) are never in the filter
	 * (filter.c leaves BG_CG_F_SECCOMP entries out): nothing to rebuild,
	 * and a rebuild touches all 2.4 MB of it (~0.3 ms of every run). */
	if (!(a->flags & BG_ATT_F_SECCOMP) && (ret = bg_filter_rebuild(st)))
		add_left(left, sizeof(left), "the sys_enter filter is not rebuilt (cgroups under an outer "
			 "attachment may be judged late)", ret);
	bg_cghooks_remove(a->cgid);
	/* Shared: others still use the slot.  Unreadable: keep it (an emptied
	 * slot in use would allow everything). */
	if (left[0] == '\0' && bg_slot_refs(st, refs, NULL) == 0 && a->slot < BG_MAX_POLICIES && !refs[a->slot])
		free_slot(st, a->slot, left, sizeof(left));
	else
		bg_exec_sync_links(st);
	bg_counters_drop(st, a->cgid);
	/* nothing judged by sys_enter: nothing on sys_enter */
	if (bg_att_count_judged(st) == 0)
		bg_state_links_down(st);
	escape_down_if_unguarded(st);
	if (left[0]) {
		bg_err("detached policy '%s' from cgroup %s, but: %s; `bpfguard reset` removes everything", a->policy,
		       a->path, left);
		return BG_EXIT_FAIL;
	}
	return BG_EXIT_OK;
}

/* The detach itself: errors printed, the removed record in *a. */
static int detach_core(const char *path, struct bg_attachment *out)
{
	struct bg_attachment a;
	struct bg_cgpath cg;
	struct bg_state st;
	struct bg_diag dg = {};
	bool exists;
	int ret;

	if (bg_state_open(&st, false, NULL) == -ENOENT) {
		bg_err("cgroup %s is not attached (nothing is); see bpfguard status", path);
		return BG_EXIT_USAGE;
	}
	bg_state_close(&st);
	/* Detaching only removes: no program needs loading. */
	if (bg_state_open_maps(&st, &dg)) {
		bg_diag_print(&dg);
		return BG_EXIT_FAIL;
	}
	if (find_for_detach(&st, path, &a, &cg, &exists)) {
		bg_err("cgroup %s is not attached; see bpfguard status", path);
		bg_state_close(&st);
		return BG_EXIT_USAGE;
	}
	ret = remove_record(&st, &a, exists ? cg.abs : NULL);
	bg_state_close(&st);
	*out = a;
	return ret;
}

int bg_detach_cgid(uint64_t cgid)
{
	struct bg_attachment a;
	struct bg_state st;
	struct bg_diag dg = {};
	int ret;

	if (bg_state_open_maps(&st, &dg)) {
		bg_diag_print(&dg);
		return BG_EXIT_FAIL;
	}
	ret = bg_att_get(&st, cgid, &a) == 0 ? remove_record(&st, &a, NULL) : BG_EXIT_OK;
	bg_state_close(&st);
	return ret;
}

/* nr_descendants from PATH/cgroup.stat; -1 if unreadable */
static long descendants(const char *path)
{
	char p[PATH_MAX + 16], line[128];
	long n = -1;
	FILE *f;

	snprintf(p, sizeof(p), "%s/cgroup.stat", path);
	f = fopen(p, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "nr_descendants %ld", &n) == 1)
			break;
	if (f)
		fclose(f);
	return n;
}

int bg_detach_run(const char *path, const struct bg_detach_run_opts *o)
{
	unsigned refs[BG_MAX_POLICIES];
	struct bg_attachment a;
	struct bg_cgpath cg;
	struct bg_state own;
	struct bg_state *st = o->st;
	struct bg_diag dg = {};
	char left[1024] = "";
	int ret;

	uint64_t cgid;

	/* a kept state comes with the cgroup's id (its path is absolute) */
	if (st) {
		if (descendants(path) != 0)
			st = NULL;
		cgid = o->cgid;
	} else if (bg_cgroup_resolve(path, &cg, NULL) == 0 && descendants(cg.abs) == 0) {
		cgid = cg.id;
	} else {
		return bg_detach_cgroup(path, NULL);
	}
	if (!st && o->st)
		return bg_detach_cgroup(path, NULL);
	if (st && bg_state_relock(st, &dg))
		st = NULL; /* reset meanwhile, or the lock failed: open afresh */
	if (!st) {
		if (bg_state_open_maps(&own, &dg)) {
			bg_diag_print(&dg);
			return BG_EXIT_FAIL;
		}
		st = &own;
	}
	if (bg_att_get(st, cgid, &a) || !(a.flags & BG_ATT_F_SECCOMP)) {
		if (st == &own)
			bg_state_close(&own);
		return bg_detach_cgroup(path, NULL);
	}
	ret = bg_att_del(st, a.cgid);
	if (ret) {
		bg_err("detach of %s failed, nothing changed: cannot remove its attachment record: %s", a.path,
		       strerror(-ret));
		if (st == &own)
			bg_state_close(&own);
		return BG_EXIT_FAIL;
	}
	/* its one bg_cgroups entry: nothing below it (cgroup.stat) */
	if ((ret = bg_map_remove(st->map[BG_MAP_CGROUPS], &a.cgid, "sweep")) && ret != -ENOENT)
		add_left(left, sizeof(left), "its cgroup keeps its policy", ret);
	if (o->hooks)
		bg_cghooks_remove(a.cgid);
	/* A slot no attachment uses any more is left filled when all it
	 * holds is the syscall policy: nothing points at it, so it enforces
	 * nothing; the next run of the same policy reuses it as it is
	 * (find_shared_slot), and any other attach clears it before writing
	 * (bg_slot_write).  Emptying it was ~50 us of every run's exit.  Slots
	 * with network/device/sysctl or exec parts are emptied: those parts
	 * keep programs attached while any slot has them. */
	if (left[0] == '\0' && (o->hooks || o->exec) && bg_slot_refs(st, refs, NULL) == 0 &&
	    a.slot < BG_MAX_POLICIES && !refs[a.slot])
		free_slot(st, a.slot, left, sizeof(left));
	else if (o->exec)
		bg_exec_sync_links(st);
	if (o->recorded)
		bg_counters_drop(st, a.cgid);
	if (o->escape)
		escape_down_if_unguarded(st);
	if (st == &own)
		bg_state_close(&own);
	if (left[0]) {
		bg_err("detached policy '%s' from cgroup %s, but: %s; `bpfguard reset` removes everything", a.policy,
		       a.path, left);
		return BG_EXIT_FAIL;
	}
	return BG_EXIT_OK;
}

int bg_detach_cgroup(const char *path, struct bg_attachment *out)
{
	struct bg_attachment a;

	return detach_core(path, out ? out : &a);
}


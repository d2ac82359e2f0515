// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * attach / detach / reset.
 *
 * attach either fully applies or changes nothing: everything that can fail
 * on user input (policy, plan, cgroup path) is checked before bpffs is
 * touched, and a failure after that rolls back to the previous records.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attachment.h"
#include "cghooks.h"
#include "escape.h"
#include "exec_allow.h"
#include "cgroup.h"
#include "commands.h"
#include "compile_bpf.h"
#include "loader.h"
#include "lsm.h"
#include "mechanism.h"
#include "policy.h"
#include "policy_hatches.h"
#include "probe.h"
#include "run.h"
#include "util.h"

struct attach_opts {
	const char *cgroup;
	const char *policy;
	int mode;
	int fallback;
	long rate_limit; /* -1 = leave as is */
	int json;
	int require_deny;
	int strict; /* escape hatches refuse (user/policy_hatches.c) */
	int quiet;  /* print nothing on success (bg_attach_policy) */
	int target; /* enum bg_plan_target */
};

static void usage_attach(FILE *f)
{
	fprintf(f,
		"Usage: bpfguard attach --cgroup PATH --policy FILE [--mode audit|enforce]\n"
		"                       [--fallback refuse|kill|audit] [--require-deny] [--strict] [--rate-limit N] [--json]\n"
		"  PATH is a cgroup v2 directory, absolute or relative to the cgroup2 mount.\n"
		"  --mode      enforce (default) acts on denials; audit only records them.\n"
		"  --fallback  what an errno(N) rule becomes where the kernel cannot fail the call\n"
		"              before it runs: refuse to attach (default), kill, or audit.\n"
		"  --require-deny  fail unless every errno(N) rule is denied before effect.\n"
		"  --strict    refuse a policy that leaves an escape hatch open (docs/policy.md).\n"
		"  --rate-limit  denial events per second per cgroup (all attachments; 0 = no limit).\n");
}

/* Test hook: BPFGUARD_FAIL_AT=<step> makes attach fail at that step, so
 * the tests can prove the rollback leaves nothing changed. */
static int fault(const char *step)
{
	const char *f = getenv("BPFGUARD_FAIL_AT");

	return f && !strcmp(f, step) ? -EIO : 0;
}

/* Probe the kernel and decide mechanisms; shared with status and run via
 * mechanism.c.  The probe takes a few ms and leaves nothing behind. */
static void current_mechs(struct bg_mechs *m)
{
	struct bg_probe p;

	bg_probe_run(&p);
	bg_mechs_from_probe(&p, m);
}

static int parse_attach(int argc, char **argv, struct attach_opts *o)
{
	static const struct option lo[] = {
		{ "cgroup", required_argument, NULL, 'c' },
		{ "policy", required_argument, NULL, 'p' },
		{ "mode", required_argument, NULL, 'm' },
		{ "fallback", required_argument, NULL, 'f' },
		{ "rate-limit", required_argument, NULL, 'r' },
		{ "require-deny", no_argument, NULL, 'D' },
		{ "strict", no_argument, NULL, 'X' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	*o = (struct attach_opts){ .mode = BG_MODE_ENFORCE, .fallback = BG_FALLBACK_REFUSE, .rate_limit = -1 };
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:p:m:f:r:jh", lo, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'c': o->cgroup = optarg; break;
		case 'p': o->policy = optarg; break;
		case 'j': o->json = 1; break;
		case 'D': o->require_deny = 1; break;
		case 'X': o->strict = 1; break;
		case 'm':
			o->mode = bg_mode_parse(optarg);
			if (o->mode < 0) {
				bg_err("--mode '%s': expected audit or enforce", optarg);
				return -1;
			}
			break;
		case 'f':
			o->fallback = bg_fallback_parse(optarg);
			if (o->fallback < 0) {
				bg_err("--fallback '%s': expected refuse, kill or audit", optarg);
				return -1;
			}
			break;
		case 'r':
			errno = 0;
			o->rate_limit = strtol(optarg, &end, 10);
			if (errno || *end || o->rate_limit < 0 || o->rate_limit > 1000000) {
				bg_err("--rate-limit '%s': expected events per second, 0..1000000", optarg);
				return -1;
			}
			break;
		case 'h': usage_attach(stdout); exit(0);
		default: usage_attach(stderr); return -1;
		}
	}
	if (optind < argc) {
		bg_err("attach: unexpected argument '%s'; see bpfguard attach --help", argv[optind]);
		return -1;
	}
	if (!o->cgroup || !o->policy) {
		bg_err("attach needs --cgroup PATH and --policy FILE; see bpfguard attach --help");
		return -1;
	}
	return 0;
}

struct attach_job {
	struct attach_opts o;
	const struct bg_policy *policy;
	struct bg_bpf_policy compiled;
	struct bg_plan plan;
	struct bg_cgpath cg;
	char summary[1024];
	char hooks_summary[512];
	char exec_summary[256];
};

/* Everything that depends only on user input and the loaded policy,
 * before any state changes. */
static int prepare(struct attach_job *j)
{
	struct bg_mechs mechs;
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
			bg_plan_refusal(&j->plan, j->policy->name, err, sizeof(err));
			bg_err("%s", err);
			return BG_EXIT_REFUSED;
		}
		bg_err("cannot compile policy '%s': out of memory", j->policy->name);
		return BG_EXIT_FAIL;
	}
	if (j->o.require_deny && j->plan.n_fallback) {
		bg_err("--require-deny: policy '%s' has %u errno decisions (%s%s) that nothing on this "
		       "kernel denies before they run (%s); drop --require-deny to use --fallback %s",
		       j->policy->name, j->plan.n_fallback, j->plan.fallback_examples,
		       j->plan.n_fallback > 6 ? ", ..." : "", j->plan.mechs.lsm_why,
		       bg_fallback_name(j->o.fallback));
		return BG_EXIT_REFUSED;
	}
	if (bg_cgroup_resolve(j->o.cgroup, &j->cg, err, sizeof(err))) {
		bg_err("%s", err);
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
static int lsm_sync_records(struct bg_state *st, const uint64_t extra[2], char *err, size_t errlen)
{
	uint64_t want[2] = { extra ? extra[0] : 0, extra ? extra[1] : 0 };
	struct bg_attachment *list;
	unsigned n;

	if (bg_att_list(st, &list, &n) == 0) {
		for (unsigned i = 0; i < n; i++) {
			want[0] |= list[i].lsm_progs[0];
			want[1] |= list[i].lsm_progs[1];
		}
		free(list);
	}
	return bg_lsm_sync(st, want, err, errlen);
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

static void print_attached(const struct attach_job *j, const struct bg_attachment *a,
			   int guarded, bool replaced)
{
	if (j->o.json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "cgroup", json_object_new_string(j->cg.rel));
		json_object_object_add(o, "cgroup_id", json_object_new_uint64(j->cg.id));
		json_object_object_add(o, "policy", json_object_new_string(a->policy));
		json_object_object_add(o, "replaced", json_object_new_boolean(replaced));
		json_object_object_add(o, "guarded_cgroups", json_object_new_int(guarded));
		json_object_object_add(o, "enforcement", bg_plan_to_json(&j->plan));
		json_object_object_add(o, "cgroup_hooks", json_object_new_string(j->hooks_summary));
		json_object_object_add(o, "executables", json_object_new_string(j->exec_summary));
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
		return;
	}
	printf("%s policy '%s' on cgroup %s (id %llu, %d cgroup%s guarded)\n",
	       replaced ? "replaced" : "attached", a->policy, j->cg.rel,
	       (unsigned long long)j->cg.id, guarded, guarded == 1 ? "" : "s");
	printf("enforcement: %s\n", j->summary);
	if (j->hooks_summary[0])
		printf("network/devices: %s (cgroup-hook: EPERM before any effect)\n", j->hooks_summary);
	if (j->exec_summary[0])
		printf("executables: %s\n", j->exec_summary);
}

static int apply(struct attach_job *j)
{
	struct bg_attachment old, rec;
	bool had_state = access(BG_BPFFS "/" BG_PIN_ROOT "/" BG_PIN_MAPS "/bg_attachments", F_OK) == 0;
	bool replacing, had_links = bg_state_links_present(), had_escape = bg_escape_present();
	bool seccomp = j->o.target == BG_TARGET_SECCOMP;
	struct bg_state st;
	char err[512], err2[512];
	int slot, guarded = 0, ret;

	/* bpfguard run's seccomp attachments need no sys_enter program: skip
	 * loading (verifying) guard.bpf.c's programs for them. */
	if (seccomp ? bg_state_open_maps(&st, err, sizeof(err)) : bg_state_open(&st, true, err, sizeof(err))) {
		bg_err("%s", err);
		return BG_EXIT_FAIL;
	}
	replacing = bg_att_get(&st, j->cg.id, &old) == 0;
	slot = bg_slot_alloc(&st);
	if (slot < 0) {
		bg_err("all %d policy slots are in use; detach a cgroup first", BG_MAX_POLICIES);
		bg_state_close(&st);
		return BG_EXIT_FAIL;
	}
	fill_record(j, slot, &rec);

	/* 1. the new policy, in a slot nothing points at yet */
	ret = bg_slot_write(&st, slot, &j->compiled);
	if (!ret)
		ret = fault("slot");
	if (ret) {
		snprintf(err, sizeof(err), "cannot write policy slot: %s", strerror(-ret));
		goto undo_slot;
	}
	/* 2. programs up (inheritance before sys_enter; the LSM hooks before
	 * any task can be marked), 3. the record */
	err[0] = '\0';
	if ((!seccomp && (bg_state_links_up(&st, err, sizeof(err)) ||
			  lsm_sync_records(&st, j->plan.lsm_need, err, sizeof(err)))) ||
	    bg_escape_up(err, sizeof(err)) || fault("links")) {
		if (!err[0])
			snprintf(err, sizeof(err), "cannot attach programs (injected)");
		goto undo_links;
	}
	/* network/device/sysctl sections: cgroup-BPF hooks on this cgroup
	 * (undoes itself on failure) */
	if (bg_cghooks_apply(&st, j->cg.id, j->cg.abs, slot, j->policy, j->o.mode, err, sizeof(err)))
		goto undo_links;
	/* exec section: every listed file hashed and matched, then its
	 * identities in the slot and the exec programs up (undoes itself) */
	if (bg_exec_apply(&st, slot, j->policy, j->plan.mechs.lsm_deny, j->o.mode == BG_MODE_AUDIT,
			  err, sizeof(err)))
		goto undo_cghooks;
	ret = bg_att_put(&st, &rec);
	if (ret) {
		snprintf(err, sizeof(err), "cannot record attachment: %s", strerror(-ret));
		goto undo_hooks;
	}
	/* 4. point the subtree at the new slot; each cgroup switches in one map
	 * update from the complete old policy to the complete new one.  Twice:
	 * the second pass catches a cgroup created mid-walk whose inheritance
	 * raced with the first. */
	guarded = bg_reconcile(&st, j->cg.abs, j->cg.id);
	if (guarded >= 0)
		guarded = bg_reconcile(&st, j->cg.abs, j->cg.id);
	if (guarded >= 0 && fault("reconcile"))
		guarded = -EIO;
	if (guarded < 0) {
		snprintf(err, sizeof(err), "cannot guard the cgroups under %.300s: %s (bg_cgroups holds %d)",
			 j->cg.rel, strerror(-guarded), BG_MAX_CGROUPS);
		goto undo_record;
	}
	if (guarded == 0) {
		/* The directory vanished between resolve and walk. */
		snprintf(err, sizeof(err), "cgroup %.300s disappeared while attaching", j->cg.rel);
		goto undo_record;
	}
	/* 5. the old slot is unreferenced now, and so are hook programs the
	 * new policy does not need */
	bg_cghooks_sync(&st, j->cg.id, slot);
	if (!seccomp)
		lsm_sync_records(&st, NULL, err, sizeof(err)); /* drop hooks only the old policy used */
	if (replacing) {
		bg_slot_clear(&st, old.slot);
		bg_cghooks_clear_slot(&st, old.slot);
		bg_exec_clear_slot(&st, old.slot);
		bg_exec_sync_links(&st);
	}
	if (j->o.rate_limit >= 0) {
		struct bg_config cfg;
		__u32 zero = 0;

		if (bpf_map_lookup_elem(st.map[BG_MAP_CONFIG], &zero, &cfg) == 0) {
			cfg.rate_limit = (__u32)j->o.rate_limit;
			bpf_map_update_elem(st.map[BG_MAP_CONFIG], &zero, &cfg, BPF_ANY);
		}
	}
	if (!j->o.quiet)
		print_attached(j, &rec, guarded, replacing);
	bg_state_close(&st);
	return BG_EXIT_OK;

undo_record:
	if (replacing)
		bg_att_put(&st, &old);
	else
		bg_att_del(&st, j->cg.id);
	bg_reconcile(&st, j->cg.abs, j->cg.id);
	bg_sweep_owner(&st, j->cg.id);
	if (replacing)
		bg_reconcile(&st, j->cg.abs, j->cg.id);
	bg_filter_rebuild(&st);
undo_hooks:
	bg_exec_clear_slot(&st, slot);
	bg_exec_sync_links(&st);
undo_cghooks:
	if (replacing)
		bg_cghooks_sync(&st, j->cg.id, old.slot);
	else
		bg_cghooks_remove(j->cg.id);
	bg_cghooks_clear_slot(&st, slot);
undo_links:
	if (!seccomp)
		lsm_sync_records(&st, NULL, err2, sizeof(err2));
	if (!had_links)
		bg_state_links_down(&st);
	if (!had_escape)
		bg_escape_down();
undo_slot:
	bg_slot_clear(&st, slot);
	bg_state_close(&st);
	if (!had_state)
		bg_state_reset(NULL, 0);
	bg_err("attach failed, nothing changed: %s", err);
	return BG_EXIT_FAIL;
}

int cmd_attach(int argc, char **argv)
{
	struct attach_job j = {};
	struct bg_policy *loaded = NULL;
	struct bg_diag d = {};
	int ret;

	if (parse_attach(argc, argv, &j.o))
		return BG_EXIT_USAGE;
	if (bg_policy_load(j.o.policy, &loaded, &d)) {
		bg_err("%s", d.msg);
		return BG_EXIT_USAGE;
	}
	j.policy = loaded;
	ret = bg_hatches_gate(loaded, &(struct bg_hatch_gate){ .strict = j.o.strict,
			      .require_deny = j.o.require_deny }) ? BG_EXIT_REFUSED : prepare(&j);
	if (!ret)
		ret = apply(&j);
	bg_bpf_policy_free(&j.compiled);
	bg_policy_free(loaded);
	return ret;
}

int bg_attach_policy(const struct bg_attach_req *req, struct bg_plan *plan_out)
{
	struct attach_job j = {};
	int ret;

	j.o = (struct attach_opts){ .cgroup = req->cgroup, .policy = req->source, .mode = req->mode,
				    .fallback = req->fallback, .rate_limit = -1, .quiet = 1,
				    .target = req->target };
	j.policy = req->policy;
	ret = prepare(&j);
	if (!ret)
		ret = apply(&j);
	if (!ret && plan_out)
		*plan_out = j.plan;
	bg_bpf_policy_free(&j.compiled);
	return ret;
}

/* ------------------------------------------------------------------ */

static int parse_cgroup_only(int argc, char **argv, const char *verb, const char **cgroup, int *json)
{
	static const struct option lo[] = {
		{ "cgroup", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	*cgroup = NULL;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:jh", lo, NULL)) != -1) {
		switch (c) {
		case 'c': *cgroup = optarg; break;
		case 'j': *json = 1; break;
		case 'h': printf("Usage: bpfguard %s --cgroup PATH\n", verb); exit(0);
		default: return -1;
		}
	}
	if (!*cgroup || optind < argc) {
		bg_err("usage: bpfguard %s --cgroup PATH", verb);
		return -1;
	}
	return 0;
}

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
	char err[512], want[PATH_MAX];
	unsigned n;
	int found = -ENOENT;

	*exists = bg_cgroup_resolve(path, cg, err, sizeof(err)) == 0;
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

/* The detach itself: errors printed, the removed record in *a. */
/* Everything a detach removes once the record `a` is chosen; cg_abs is
 * the attached cgroup's directory if it still exists (its children fall
 * back to an outer attachment), else NULL.  `st` open with maps. */
static void remove_record(struct bg_state *st, const struct bg_attachment *a, const char *cg_abs)
{
	struct bg_attachment *left;
	unsigned nleft = 0;
	char err[512];

	bg_att_del(st, a->cgid);
	lsm_sync_records(st, NULL, err, sizeof(err)); /* hooks nobody needs any more */
	if (cg_abs)
		bg_reconcile(st, cg_abs, a->cgid);
	bg_sweep_owner(st, a->cgid);
	bg_filter_rebuild(st);
	bg_slot_clear(st, a->slot);
	bg_cghooks_remove(a->cgid);
	bg_cghooks_clear_slot(st, a->slot);
	bg_exec_clear_slot(st, a->slot);
	bg_exec_sync_links(st);
	bg_counters_drop(st, a->cgid);
	/* nothing judged by sys_enter: nothing on sys_enter */
	if (bg_att_count_judged(st) == 0)
		bg_state_links_down(st);
	/* nothing guarded at all: no task to follow */
	if (bg_att_list(st, &left, &nleft) == 0) {
		free(left);
		if (nleft == 0)
			bg_escape_down();
	}
}

/* The detach itself: errors printed, the removed record in *a. */
static int detach_core(const char *path, struct bg_attachment *out)
{
	struct bg_attachment a;
	struct bg_cgpath cg;
	struct bg_state st;
	char err[512];
	bool exists;

	if (bg_state_open(&st, false, err, sizeof(err)) == -ENOENT) {
		bg_err("cgroup %s is not attached (nothing is); see bpfguard status", path);
		return BG_EXIT_USAGE;
	}
	bg_state_close(&st);
	/* Detaching only removes: no program needs loading. */
	if (bg_state_open_maps(&st, err, sizeof(err))) {
		bg_err("%s", err);
		return BG_EXIT_FAIL;
	}
	if (find_for_detach(&st, path, &a, &cg, &exists)) {
		bg_err("cgroup %s is not attached; see bpfguard status", path);
		bg_state_close(&st);
		return BG_EXIT_USAGE;
	}
	remove_record(&st, &a, exists ? cg.abs : NULL);
	bg_state_close(&st);
	*out = a;
	return BG_EXIT_OK;
}

int bg_detach_cgid(uint64_t cgid)
{
	struct bg_attachment a;
	struct bg_state st;
	char err[512];

	if (bg_state_open_maps(&st, err, sizeof(err))) {
		bg_err("%s", err);
		return BG_EXIT_FAIL;
	}
	if (bg_att_get(&st, cgid, &a) == 0)
		remove_record(&st, &a, NULL);
	bg_state_close(&st);
	return BG_EXIT_OK;
}

int bg_detach_cgroup(const char *path)
{
	struct bg_attachment a;

	return detach_core(path, &a);
}

int cmd_detach(int argc, char **argv)
{
	struct bg_attachment a;
	const char *path;
	int json = 0, ret;

	if (parse_cgroup_only(argc, argv, "detach", &path, &json))
		return BG_EXIT_USAGE;
	ret = detach_core(path, &a);
	if (ret)
		return ret;
	if (json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "detached", json_object_new_string(a.path));
		json_object_object_add(o, "cgroup_id", json_object_new_uint64(a.cgid));
		json_object_object_add(o, "policy", json_object_new_string(a.policy));
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else
		printf("detached policy '%s' from cgroup %s\n", a.policy, a.path);
	return BG_EXIT_OK;
}

int cmd_reset(int argc, char **argv)
{
	char err[512];

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("Usage: bpfguard reset\n  detaches everything and removes every pin bpfguard made under %s/%s\n",
		       BG_BPFFS, BG_PIN_ROOT);
		return BG_EXIT_OK;
	}
	if (argc > 1 && strcmp(argv[1], "--json")) {
		bg_err("usage: bpfguard reset");
		return BG_EXIT_USAGE;
	}
	if (bg_state_reset(err, sizeof(err))) {
		bg_err("%s", err);
		return BG_EXIT_FAIL;
	}
	printf("removed everything bpfguard pinned under %s/%s\n", BG_BPFFS, BG_PIN_ROOT);
	return BG_EXIT_OK;
}

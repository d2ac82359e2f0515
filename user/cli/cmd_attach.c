// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * attach / detach / reset: parse the arguments, call the attach core
 * (core/attach.c), print the outcome.
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attach.h"
#include "attachment.h"
#include "cgroup.h"
#include "commands.h"
#include "exec_allow.h"
#include "loader.h"
#include "policy.h"
#include "policy_hatches.h"
#include "util.h"

struct attach_opts {
	const char *cgroup;
	const char *policy;
	int mode;
	int fallback;
	long rate_limit; /* -1 = leave as is */
	int require_deny;
	int strict; /* escape hatches refuse (user/policy/policy_hatches.c) */
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

const struct option bg_opts_attach[] = {
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

static int parse_attach(int argc, char **argv, struct attach_opts *o)
{
	int c;

	*o = (struct attach_opts){ .mode = BG_MODE_ENFORCE, .fallback = BG_FALLBACK_REFUSE, .rate_limit = -1 };
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:p:m:f:r:jh", bg_opts_attach, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'c': o->cgroup = optarg; break;
		case 'p': o->policy = optarg; break;
		case 'j': bg_json_want(); break;
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
		default: bg_cmd_bad_option(argv, c); return -1;
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

static void print_attached(const struct bg_attach_out *j)
{
	if (bg_json_mode) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "cgroup", json_object_new_string(j->cg.rel));
		json_object_object_add(o, "cgroup_id", json_object_new_uint64(j->cg.id));
		json_object_object_add(o, "policy", json_object_new_string(j->rec.policy));
		json_object_object_add(o, "replaced", json_object_new_boolean(j->replaced));
		json_object_object_add(o, "guarded_cgroups", json_object_new_int(j->guarded));
		json_object_object_add(o, "enforcement", bg_plan_to_json(&j->plan));
		{
			struct json_object *rules = json_object_new_array();

			for (unsigned i = 0; i < j->nrules; i++)
				json_object_array_add(rules, bg_rule_mech_json(&j->rules[i]));
			json_object_object_add(o, "rules", rules);
		}
		json_object_object_add(o, "cgroup_hooks", json_object_new_string(j->hooks_summary));
		json_object_object_add(o, "executables", json_object_new_string(j->exec_summary));
		if (j->exec_summary[0])
			json_object_object_add(o, "exec_mechanism",
					       json_object_new_string(bg_exec_mechanism_slot(j->rec.slot)));
		bg_json_print(o);
		json_object_put(o);
		return;
	}
	printf("%s policy '%s' on cgroup %s (id %llu, %d cgroup%s guarded)\n",
	       j->replaced ? "replaced" : "attached", j->rec.policy, j->cg.rel,
	       (unsigned long long)j->cg.id, j->guarded, j->guarded == 1 ? "" : "s");
	printf("enforcement: %s\n", j->summary);
	for (unsigned i = 0; i < j->nrules && i < 40; i++) {
		char line[512];

		bg_rule_mech_str(&j->rules[i], line, sizeof(line));
		printf("  rule %s\n", line);
	}
	if (j->nrules > 40)
		printf("  ... %u more rules (attach --json lists them all)\n", j->nrules - 40);
	if (j->hooks_summary[0])
		printf("network/devices: %s (cgroup-hook: before any effect)\n", j->hooks_summary);
	if (j->exec_summary[0])
		printf("executables: %s\n", j->exec_summary);
}

int cmd_attach(int argc, char **argv)
{
	struct attach_opts o;
	struct bg_attach_out out;
	struct bg_policy *loaded = NULL;
	struct bg_diag d = {};
	int ret;

	if (parse_attach(argc, argv, &o))
		return BG_EXIT_USAGE;
	if (bg_policy_load(o.policy, &loaded, &d)) {
		bg_diag_print(&d);
		return BG_EXIT_USAGE;
	}
	ret = bg_hatches_gate(loaded, &(struct bg_hatch_gate){ .strict = o.strict,
			      .require_deny = o.require_deny, .silent = true }) ? BG_EXIT_REFUSED : 0;
	if (!ret)
		ret = bg_attach(&(struct bg_attach_req){ .policy = loaded, .source = o.policy, .cgroup = o.cgroup,
				.mode = o.mode, .fallback = o.fallback, .target = BG_TARGET_CGROUP,
				.set_rate_limit = o.rate_limit >= 0, .rate_limit = (uint32_t)(o.rate_limit < 0 ? 0 : o.rate_limit),
				.require_deny = o.require_deny }, &out, NULL);
	if (!ret) {
		print_attached(&out);
		bg_attach_out_free(&out);
	}
	/* the findings once attached, so a failed attach says one line */
	if (!ret)
		bg_hatches_gate(loaded, &(struct bg_hatch_gate){ 0 });
	bg_policy_free(loaded);
	return ret;
}

/* ------------------------------------------------------------------ */

const struct option bg_opts_detach[] = {
	{ "cgroup", required_argument, NULL, 'c' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

static int parse_cgroup_only(int argc, char **argv, const char *verb, const char **cgroup)
{
	int c;

	*cgroup = NULL;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:jh", bg_opts_detach, NULL)) != -1) {
		switch (c) {
		case 'c': *cgroup = optarg; break;
		case 'j': bg_json_want(); break;
		case 'h': printf("Usage: bpfguard %s --cgroup PATH\n", verb); exit(0);
		default: bg_cmd_bad_option(argv, c); return -1;
		}
	}
	if (!*cgroup || optind < argc) {
		bg_err("usage: bpfguard %s --cgroup PATH", verb);
		return -1;
	}
	return 0;
}

int cmd_detach(int argc, char **argv)
{
	struct bg_attachment a;
	const char *path;
	int ret;

	if (parse_cgroup_only(argc, argv, "detach", &path))
		return BG_EXIT_USAGE;
	ret = bg_detach_cgroup(path, &a);
	if (ret)
		return ret;
	if (bg_json_mode) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "detached", json_object_new_string(a.path));
		json_object_object_add(o, "cgroup_id", json_object_new_uint64(a.cgid));
		json_object_object_add(o, "policy", json_object_new_string(a.policy));
		bg_json_print(o);
		json_object_put(o);
	} else
		printf("detached policy '%s' from cgroup %s\n", a.policy, a.path);
	return BG_EXIT_OK;
}

/* --json is accepted (scripts pass it to every command); the output is one line */
const struct option bg_opts_reset[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

int cmd_reset(int argc, char **argv)
{
	struct bg_diag diag = {};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jh", bg_opts_reset, NULL)) != -1) {
		switch (c) {
		case 'j': break;
		case 'h':
			printf("Usage: bpfguard reset\n  detaches everything and removes every pin bpfguard made under %s/%s\n",
			       BG_BPFFS, BG_PIN_ROOT);
			return BG_EXIT_OK;
		default:
			return bg_cmd_bad_option(argv, c);
		}
	}
	if (optind < argc) {
		bg_err("usage: bpfguard reset");
		return BG_EXIT_USAGE;
	}
	if (bg_state_reset(&diag)) {
		bg_diag_print(&diag);
		return BG_EXIT_FAIL;
	}
	printf("removed everything bpfguard pinned under %s/%s\n", BG_BPFFS, BG_PIN_ROOT);
	return BG_EXIT_OK;
}

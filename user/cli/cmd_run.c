// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* run - the command line of `bpfguard run` (the work is in run.c). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "mechanism.h"
#include "policy_hatches.h"
#include "run.h"
#include "util.h"

static void usage_run(FILE *f)
{
	fprintf(f,
		"Usage: bpfguard run [--policy FILE] [--mode audit|enforce] [--net none|host]\n"
		"                    [--memory SIZE] [--pids N|max] [--cpu CORES] [--timeout DURATION]\n"
		"                    [--fs minimal|host] [--ro PATH]... [--rw PATH]... [--tmp-size SIZE]\n"
		"                    [--shm-size SIZE] [--workdir DIR] [--env K=V]...\n"
		"                    [--user UID|nobody|root] [--no-landlock] [--no-bpf] [--json]\n"
		"                    [--sha256 HEX] [--key K --signature S | --bundle B ...]\n"
		"                    [--require-static] [--deny-cgo] [--gosum FILE] -- CMD [ARGS...]\n"
		"  Runs CMD in new user, pid, mount, net, uts, ipc and cgroup namespaces, under a\n"
		"  seccomp filter compiled from the policy (installed just before exec), in a fresh\n"
		"  cgroup with the policy attached, as a per-run unprivileged host id, seeing a\n"
		"  minimal read-only file system (/usr, the libraries, a curated /etc), behind a\n"
		"  Landlock ruleset that matches that view.\n"
		"  --policy    policy file (native or Docker/OCI JSON); default: the built-in\n"
		"              go-static policy (static Go programs)\n"
		"  --mode      enforce (default): denied calls fail with the policy's errno, kill\n"
		"              rules kill; audit: everything runs and is recorded\n"
		"  --net       none (default: only a loopback) or host\n"
		"  --memory    e.g. 64M, 1G (cgroup v2, else cgroup v1, else RLIMIT_DATA)\n"
		"  --pids      most processes+threads at once (default %d; max: no limit)\n"
		"  --cpu       cores, e.g. 0.5 (cgroup v2 cpu.max or v1 CFS quota)\n"
		"  --timeout   e.g. 30s, 500ms, 2m; kills the whole tree\n"
		"  --fs        minimal (default): /usr, /lib..., a curated /etc, private /tmp;\n"
		"              host: all of / read-only (weaker: the host's files are readable)\n"
		"  --ro/--rw   bind a host path read-only / writable at the same place\n"
		"  --tmp-size  size cap of the private /tmp (default 64M); --shm-size: /dev/shm's (64M)\n"
		"  --user      the host id the sandbox's root maps to: a per-run id from %u-%u\n"
		"              (default), nobody, a UID, or root (DANGEROUS: host uid 0)\n"
		"  --no-landlock  leave out the Landlock layer (the mount view still applies)\n"
		"  --no-bpf    seccomp, namespaces and limits only: no BPF state (no events in\n"
		"              bpfguard events, no cgroup hooks: refused for policies with\n"
		"              net/dev/sysctl/exec sections); starts a few ms faster\n"
		"  --json      a JSON summary on stderr at the end\n"
		"  --strict    refuse (exit 125) a policy that leaves the payload an escape hatch\n"
		"              (bpfguard policy check --run lists them; docs/policy.md)\n"
		"  --learn FILE  record every syscall the payload makes into a policy (implies\n"
		"              --mode audit unless --mode is given; docs/learn.md)\n"
		"  Pre-flight checks of CMD's file (nothing runs if one fails; the checked file\n"
		"  is the one exec'd):\n"
		"  --sha256 HEX      its SHA-256 must be HEX (exit 110 otherwise)\n"
		"  --key KEY.pub --signature FILE.sig | --bundle FILE.sigstore.json [...]\n"
		"                    it must be signed so (cosign's formats, checked offline;\n"
		"                    the options of verify-blob; exit 115 otherwise)\n"
		"  --deny-cgo        refuse a Go binary that links C code (111; 114 if not Go)\n"
		"  --require-static  refuse a dynamically linked program (112)\n"
		"  --gosum FILE      every module in the Go build info must match go.sum (113)\n"
		"Exit: the payload's exit code; 128+N if signal N killed it; 110-114 a pre-flight\n"
		"check refused CMD; 120 killed by the\n"
		"policy; 121 timeout; 122 killed by the memory limit; 123 the pids limit was hit\n"
		"and the payload failed; 125 bpfguard error before the payload ran; 126 CMD not\n"
		"executable; 127 CMD not found.  See docs/run.md.\n",
		BG_RUN_DEFAULT_PIDS, BG_RUN_ID_MIN, BG_RUN_ID_MIN + BG_RUN_ID_COUNT - 1);
}

/* 64M, 1G, 512k, 1048576, 1.5G (binary units) */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	double v;
	uint64_t mul = 1;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v <= 0 || !isfinite(v))
		return -1;
	switch (*end) {
	case 'k': case 'K': mul = 1ULL << 10; end++; break;
	case 'm': case 'M': mul = 1ULL << 20; end++; break;
	case 'g': case 'G': mul = 1ULL << 30; end++; break;
	case 't': case 'T': mul = 1ULL << 40; end++; break;
	}
	if (mul > 1 && (*end == 'i' || *end == 'I'))
		end++;
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end || v * mul > 9.2e18 || v * mul < 4096)
		return -1;
	*out = (uint64_t)(v * mul);
	return 0;
}

static int add_bind(struct bg_run_opts *o, const char *path, bool rw, char store[][PATH_MAX])
{
	if (o->nbinds == BG_RUN_MAX_BINDS) {
		bg_err("run: at most %d --ro/--rw binds", BG_RUN_MAX_BINDS);
		return -1;
	}
	if (!realpath(path, store[o->nbinds])) {
		bg_err("run: --%s %s: %s", rw ? "rw" : "ro", path, strerror(errno));
		return -1;
	}
	o->binds[o->nbinds].path = store[o->nbinds];
	o->binds[o->nbinds].rw = rw;
	o->nbinds++;
	return 0;
}

static int opt_pids(struct bg_run_opts *o, const char *arg)
{
	char *end;

	o->pids_default = false;
	if (!strcmp(arg, "max")) {
		o->pids = 0;
		return 0;
	}
	errno = 0;
	o->pids = strtol(arg, &end, 10);
	if (errno || *end || o->pids < 1 || o->pids > 4194304) {
		bg_err("run: --pids '%s': expected a number of processes, 1..4194304, or max", arg);
		return -1;
	}
	return 0;
}

static int opt_cpu(struct bg_run_opts *o, const char *arg)
{
	char *end;

	errno = 0;
	o->cpu = strtod(arg, &end);
	if (errno || *end || end == arg || !(o->cpu >= 0.01 && o->cpu <= 1024)) {
		bg_err("run: --cpu '%s': expected cores, e.g. 0.5 or 2", arg);
		return -1;
	}
	return 0;
}

static int opt_env(struct bg_run_opts *o, char *arg)
{
	if (!strchr(arg, '=') || arg[0] == '=') {
		bg_err("run: --env '%s': expected NAME=VALUE", arg);
		return -1;
	}
	if (o->nenv == BG_RUN_MAX_ENV) {
		bg_err("run: at most %d --env", BG_RUN_MAX_ENV);
		return -1;
	}
	o->env[o->nenv++] = arg;
	return 0;
}

static int opt_user(struct bg_run_opts *o, const char *arg)
{
	char *end;

	o->user_nobody = o->user_root = false;
	o->uid = -1;
	if (!strcmp(arg, "nobody")) {
		o->user_nobody = true;
		return 0;
	}
	if (!strcmp(arg, "root")) {
		o->user_root = true;
		return 0;
	}
	errno = 0;
	o->uid = strtol(arg, &end, 10);
	if (errno || *end || end == arg || o->uid < 0 || o->uid >= 4294967295L) {
		bg_err("run: --user '%s': expected a numeric uid, nobody or root", arg);
		return -1;
	}
	if (o->uid == 0) {
		/* host root is only ever given when asked for by name */
		bg_err("run: --user 0: the payload would be host root; say --user root if that is "
		       "really meant (docs/run.md)");
		return -1;
	}
	return 0;
}

/* The sizes and limits: --memory, --pids, --cpu, --timeout, --tmp-size,
 * --shm-size. */
static int opt_limit(struct bg_run_opts *o, int c, char *arg)
{
	switch (c) {
	case 'M':
		if (parse_size(arg, &o->memory)) {
			bg_err("run: --memory '%s': expected a size of at least 4K, e.g. 64M or 1G", arg);
			return -1;
		}
		return 0;
	case 'P':
		return opt_pids(o, arg);
	case 'C':
		return opt_cpu(o, arg);
	case 't':
		if (bg_parse_duration_ms(arg, &o->timeout_ms)) {
			bg_err("run: --timeout '%s': expected a duration, e.g. 30s, 500ms or 2m", arg);
			return -1;
		}
		return 0;
	default: /* 'Z', 'z' */
		if (parse_size(arg, c == 'Z' ? &o->tmp_size : &o->shm_size)) {
			bg_err("run: --%s '%s': expected a size of at least 4K, e.g. 64M or 1G",
			       c == 'Z' ? "tmp-size" : "shm-size", arg);
			return -1;
		}
		return 0;
	}
}

/* Flags of the command line that are not run options themselves. */
struct run_flags {
	bool mode_given, strict;
};

/* One option other than --json and --help: 0, or -1 after one line. */
static int run_opt(struct bg_run_opts *o, struct run_flags *f, int c, char *arg)
{
	static char bindpaths[BG_RUN_MAX_BINDS][PATH_MAX];

	switch (c) {
	case 'p': o->policy_file = arg; return 0;
	case 'B': o->no_bpf = true; return 0;
	case 'G': o->deny_cgo = true; return 0;
	case 'T': o->require_static = true; return 0;
	case 'g': o->gosum = arg; return 0;
	case 'L': o->learn_out = arg; return 0;
	case 'X': f->strict = true; return 0;
	case 'd': o->workdir = arg; return 0;
	case 'N': o->no_landlock = true; return 0;
	case 'S':
		if (!bg_sha256_parse(arg, o->sha256)) {
			bg_err("run: --sha256 '%s': expected 64 hex digits (sha256sum prints them)", arg);
			return -1;
		}
		o->has_sha256 = true;
		return 0;
	case 'm':
		f->mode_given = true;
		o->mode = bg_mode_parse(arg);
		if (o->mode < 0) {
			bg_err("run: --mode '%s': expected audit or enforce", arg);
			return -1;
		}
		return 0;
	case 'n':
		if (strcmp(arg, "none") && strcmp(arg, "host")) {
			bg_err("run: --net '%s': expected none or host", arg);
			return -1;
		}
		o->net_host = !strcmp(arg, "host");
		return 0;
	case 'F':
		if (strcmp(arg, "minimal") && strcmp(arg, "host")) {
			bg_err("run: --fs '%s': expected minimal or host", arg);
			return -1;
		}
		o->fs = strcmp(arg, "host") ? BG_FS_MINIMAL : BG_FS_HOST;
		return 0;
	case 'M': case 'P': case 'C': case 't': case 'Z': case 'z':
		return opt_limit(o, c, arg);
	case 'r':
	case 'w':
		return add_bind(o, arg, c == 'w', bindpaths);
	case 'e':
		return opt_env(o, arg);
	case 'u':
		return opt_user(o, arg);
	default:
		bg_err("run: bad arguments; see bpfguard run --help");
		return -1;
	}
}

/* What holds only for the options together, once all are read. */
static int run_check(struct bg_run_opts *o, const struct run_flags *f)
{
	if (o->workdir && o->workdir[0] != '/') {
		bg_err("run: --workdir '%s': expected an absolute path (inside the sandbox)", o->workdir);
		return -1;
	}
	if (geteuid() != 0) {
		bg_err("run: needs root (cgroups, BPF); run it with sudo");
		return -1;
	}
	if (o->learn_out && !f->mode_given)
		o->mode = BG_MODE_AUDIT; /* learn what the program does, not what the policy lets it */
	if (o->learn_out && o->no_bpf) {
		bg_err("run: --learn counts calls with a BPF program; drop --no-bpf");
		return -1;
	}
	return 0;
}

const struct option bg_opts_run[] = {
	{ "policy", required_argument, NULL, 'p' },
	{ "mode", required_argument, NULL, 'm' },
	{ "net", required_argument, NULL, 'n' },
	{ "memory", required_argument, NULL, 'M' },
	{ "pids", required_argument, NULL, 'P' },
	{ "cpu", required_argument, NULL, 'C' },
	{ "timeout", required_argument, NULL, 't' },
	{ "ro", required_argument, NULL, 'r' },
	{ "rw", required_argument, NULL, 'w' },
	{ "workdir", required_argument, NULL, 'd' },
	{ "env", required_argument, NULL, 'e' },
	{ "user", required_argument, NULL, 'u' },
	{ "json", no_argument, NULL, 'j' },
	{ "no-bpf", no_argument, NULL, 'B' },
	{ "sha256", required_argument, NULL, 'S' },
	BG_SIG_LONGOPTS,
	{ "deny-cgo", no_argument, NULL, 'G' },
	{ "require-static", no_argument, NULL, 'T' },
	{ "gosum", required_argument, NULL, 'g' },
	{ "learn", required_argument, NULL, 'L' },
	{ "strict", no_argument, NULL, 'X' },
	{ "fs", required_argument, NULL, 'F' },
	{ "tmp-size", required_argument, NULL, 'Z' },
	{ "shm-size", required_argument, NULL, 'z' },
	{ "no-landlock", no_argument, NULL, 'N' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

int cmd_run(int argc, char **argv)
{
	struct bg_run_opts o = {
		.mode = BG_MODE_ENFORCE, .uid = -1, .pids = BG_RUN_DEFAULT_PIDS, .pids_default = true,
		.tmp_size = BG_RUN_DEFAULT_TMP_SIZE, .shm_size = BG_RUN_DEFAULT_SHM_SIZE,
	};
	struct run_flags f = {};
	int c;

	optind = 1;
	/* '+': options end at the first non-option, CMD's own options are its own */
	while ((c = getopt_long(argc, argv, "+p:m:n:M:P:C:t:r:w:d:e:u:F:jh", bg_opts_run, NULL)) != -1) {
		switch (c) {
		case 'j': bg_json_want(); break;
		case 'h':
			usage_run(stdout);
			return 0;
		case '?':
		case ':':
			bg_cmd_bad_option(argv, c);
			return BG_RUN_EXIT_ERROR;
		default:
			if (bg_sig_option(c, optarg, &o.sig)) {
				o.has_sig = true;
				break;
			}
			if (run_opt(&o, &f, c, optarg))
				return BG_RUN_EXIT_ERROR;
			break;
		}
	}
	if (o.has_sig && bg_sig_request_check("run", &o.sig))
		return BG_RUN_EXIT_ERROR;
	/* the summary (stderr) is one line whatever -p says: run.c prints it */
	o.json = bg_json_mode != BG_JSON_OFF;
	if (optind >= argc) {
		bg_err("run: missing CMD; usage: bpfguard run [OPTIONS] -- CMD [ARGS...]");
		return BG_RUN_EXIT_ERROR;
	}
	if (run_check(&o, &f))
		return BG_RUN_EXIT_ERROR;
	o.argv = argv + optind;
	/* --strict refuses before anything runs; without it this silent
	 * pass could only answer "go on", and loading the policy twice was
	 * 0.3 ms of every run's start-up (run.c says the hatches once) */
	if (f.strict && bg_hatches_gate_file(o.policy_file, &(struct bg_hatch_gate){ .target = BG_HATCH_RUN,
					     .strict = true, .silent = true }))
		return BG_RUN_EXIT_ERROR;
	return bg_run(&o);
}

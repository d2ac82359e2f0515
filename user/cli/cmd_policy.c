// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * policy check | groups | export | diff | merge: the policy tools.  Each
 * verb loads policies through the front ends (bg_policy_load: native or
 * Docker/OCI JSON) and hands the IR to a back end or to the IR tools of
 * user/seccomp/policy_diff.c; nothing here knows a format.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "compile_seccomp.h"
#include "policy.h"
#include "policy_diff.h"
#include "policy_export.h"
#include "policy_hatches.h"
#include "syscalls.h"
#include "util.h"

/* getopt_long's '?' and ':' as one line naming the option (opterr is 0) */
static int bad_option(const char *verb, char **argv, int c)
{
	(void)verb; /* the framework knows which command runs */
	return bg_cmd_bad_option(argv, c);
}

static const struct option check_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "strict", no_argument, NULL, 'S' },
	{ "run", no_argument, NULL, 'R' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

static void check_json(const struct bg_policy *p, enum bg_hatch_target target, const struct bg_hatches *hs)
{
	struct json_object *o = bg_policy_to_json(p);

	json_object_object_add(o, "implied_io_uring", bg_uring_implied_to_json(p));
	json_object_object_add(o, "hatches_for", json_object_new_string(target == BG_HATCH_RUN ? "run" : "cgroup"));
	json_object_object_add(o, "hatches", bg_hatches_to_json(hs));
	bg_json_print(o);
	json_object_put(o);
}

/* The policy normalised, then its hatches as comment lines: the output
 * stays a policy that parses. */
static void check_text(const struct bg_policy *p, const struct bg_hatches *hs)
{
	char line[800];

	bg_policy_print(p, stdout);
	for (unsigned i = 0; i < hs->n; i++) {
		bg_hatch_line(&hs->h[i], line, sizeof(line));
		printf("# %s\n", line);
	}
}

static int policy_check(int argc, char **argv)
{
	static const char usage[] = "usage: bpfguard policy check FILE [--json] [--strict] [--run]";
	struct bg_hatch_gate g = { .target = BG_HATCH_CGROUP };
	struct bg_hatches hs;
	const char *file = NULL;
	struct bg_policy *p;
	struct bg_diag d = {};
	unsigned nopen;
	int c, ret = 0;
	char names[160];

	optind = 1;
	opterr = 0; /* our own one-line messages */
	while ((c = getopt_long(argc, argv, ":jh", check_opts, NULL)) != -1) {
		switch (c) {
		case 'j': bg_json_want(); break;
		case 'S': g.strict = true; break;
		case 'R': g.target = BG_HATCH_RUN; break;
		case 'h': bg_cmd_usage(stdout); return BG_EXIT_OK;
		default: return bad_option("check", argv, c);
		}
	}
	if (optind < argc)
		file = argv[optind];
	if (optind + 1 < argc) {
		bg_err("policy check: unexpected argument '%s'; %s", argv[optind + 1], usage);
		return BG_EXIT_USAGE;
	}
	if (!file) {
		bg_err("%s", usage);
		return BG_EXIT_USAGE;
	}
	if (bg_policy_load(file, &p, &d)) {
		bg_diag_print(&d);
		return BG_EXIT_USAGE;
	}
	bg_hatches_find(p, g.target, &hs);
	nopen = bg_hatches_open(&hs, names, sizeof(names));
	if (bg_json_mode)
		check_json(p, g.target, &hs);
	else
		check_text(p, &hs);
	if (g.strict && nopen) {
		bg_hatches_strict_error(p, nopen, names);
		ret = BG_EXIT_REFUSED;
	}
	bg_policy_free(p);
	return ret;
}

static const struct option groups_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

static int policy_groups(int argc, char **argv)
{
	struct json_object *arr = NULL;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jh", groups_opts, NULL)) != -1) {
		switch (c) {
		case 'j': bg_json_want(); break;
		case 'h': bg_cmd_usage(stdout); return BG_EXIT_OK;
		default: return bad_option("groups", argv, c);
		}
	}
	/* NAME...: those groups only (with or without '@'); one unknown is
	 * an error, not an empty answer */
	for (int i = optind; i < argc; i++) {
		const char *want = argv[i][0] == '@' ? argv[i] + 1 : argv[i];
		bool known = false;

		for (const char *const *g = bg_group_names(); *g && !known; g++)
			known = !strcmp((*g)[0] == '@' ? *g + 1 : *g, want);
		if (!known) {
			bg_err("policy groups: no group '%s'; `bpfguard policy groups` lists them all", argv[i]);
			return BG_EXIT_USAGE;
		}
	}
	if (bg_json_mode)
		arr = json_object_new_array();
	for (const char *const *g = bg_group_names(); *g; g++) {
		const char *help = bg_group_help(*g);
		bool listed = optind >= argc;

		for (int i = optind; i < argc && !listed; i++)
			listed = !strcmp((*g)[0] == '@' ? *g + 1 : *g, argv[i][0] == '@' ? argv[i] + 1 : argv[i]);
		if (!listed)
			continue;

		if (arr) {
			struct json_object *o = json_object_new_object(), *m = json_object_new_array();
			char name[128];

			snprintf(name, sizeof(name), "%s%s", (*g)[0] == '@' ? "" : "@", *g);
			json_object_object_add(o, "name", json_object_new_string(name));
			json_object_object_add(o, "help", help ? json_object_new_string(help) : NULL);
			for (const char *const *s = bg_group_members(*g); s && *s; s++)
				json_object_array_add(m, json_object_new_string(*s));
			json_object_object_add(o, "syscalls", m);
			json_object_array_add(arr, o);
			continue;
		}
		printf("%s%s%s\n", (*g)[0] == '@' ? "" : "@", *g, help ? "" : "");
		if (help)
			printf("    %s\n", help);
		printf("   ");
		for (const char *const *m = bg_group_members(*g); m && *m; m++)
			printf(" %s", *m);
		printf("\n");
	}
	if (arr) {
		bg_json_print(arr);
		json_object_put(arr);
	}
	return 0;
}

/* Loads a policy; warnings (Docker profiles) go to stderr. */
static struct bg_policy *load(const char *file)
{
	struct bg_policy *p;
	struct bg_diag d = {};

	if (bg_policy_load(file, &p, &d)) {
		bg_diag_print(&d);
		return NULL;
	}
	return p;
}

/* Creates OUT for writing, or returns stdout's fd when out is NULL. */
static int open_out(const char *out)
{
	int fd;

	if (!out)
		return STDOUT_FILENO;
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		bg_err("policy: cannot create %s: %s; check the path and permissions", out, strerror(errno));
	return fd;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Closes OUT; on failure removes the partial file.  Exit code. */
static int finish_out(int fd, const char *out, int werr)
{
	if (!out)
		return werr ? BG_EXIT_FAIL : 0;
	if (close(fd) && !werr)
		werr = -errno;
	if (werr) {
		bg_err("policy: cannot write %s: %s; check the disk", out, strerror(-werr));
		unlink(out);
		return BG_EXIT_FAIL;
	}
	return 0;
}

static int export_bpf(const struct bg_policy *p, const char *out)
{
	struct bg_diag d = {};
	scmp_filter_ctx ctx;
	int fd, r;

	ctx = bg_seccomp_compile(p, BG_MODE_ENFORCE, &d);
	if (!ctx) {
		bg_err("policy export: %s: cannot be written as a seccomp filter: %s", p->source, d.msg);
		return BG_EXIT_REFUSED;
	}
	fd = open_out(out);
	if (fd < 0) {
		seccomp_release(ctx);
		return BG_EXIT_FAIL;
	}
	r = bg_seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	return finish_out(fd, out, r);
}

static int export_json(const struct bg_policy *p, const struct bg_export_opts *o, const char *out)
{
	struct json_object *j;
	struct bg_diag d = {};
	const char *text;
	int fd, r;

	if (bg_export_seccomp_json(p, o, &j, &d)) {
		bg_err("policy export: %s", d.msg);
		return BG_EXIT_REFUSED;
	}
	text = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						      JSON_C_TO_STRING_NOSLASHESCAPE);
	fd = open_out(out);
	if (fd < 0) {
		json_object_put(j);
		return BG_EXIT_FAIL;
	}
	r = write_all(fd, text, strlen(text));
	if (!r)
		r = write_all(fd, "\n", 1);
	json_object_put(j);
	return finish_out(fd, out, r);
}

static const struct option export_opts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "drop-sections", no_argument, NULL, 'D' },
	{ "no-ia32", no_argument, NULL, 'I' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

static int policy_export(int argc, char **argv)
{
	struct bg_export_opts o = { .format = -1 };
	const char *file = NULL, *out = NULL;
	bool bpf = false;
	struct bg_policy *p;
	struct bg_diag d = {};
	int c, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:o:h", export_opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "docker")) {
				o.format = BG_EXPORT_DOCKER;
			} else if (!strcmp(optarg, "oci")) {
				o.format = BG_EXPORT_OCI;
			} else if (!strcmp(optarg, "bpf")) {
				o.format = BG_EXPORT_DOCKER;
				bpf = true;
			} else {
				bg_err("policy export: unknown format '%s'; use docker, oci or bpf", optarg);
				return BG_EXIT_USAGE;
			}
			break;
		case 'o': out = optarg; break;
		case 'D': o.drop_sections = true; break;
		case 'I': o.no_ia32 = true; break;
		case 'h': bg_cmd_usage(stdout); return BG_EXIT_OK;
		default: return bad_option("export", argv, c);
		}
	}
	if (optind < argc)
		file = argv[optind];
	if (optind + 1 < argc) {
		bg_err("policy export: unexpected argument '%s'; usage: bpfguard policy export "
		       "--format docker|oci|bpf [-o OUT] [--drop-sections] [--no-ia32] FILE", argv[optind + 1]);
		return BG_EXIT_USAGE;
	}
	if (!file || o.format < 0) {
		bg_err("usage: bpfguard policy export --format docker|oci|bpf [-o OUT] [--drop-sections] "
		       "[--no-ia32] FILE");
		return BG_EXIT_USAGE;
	}
	if (bpf && !out && isatty(STDOUT_FILENO)) {
		bg_err("policy export: refusing to write a binary seccomp program to a terminal; pass -o FILE "
		       "or redirect stdout");
		return BG_EXIT_USAGE;
	}
	p = load(file);
	if (!p)
		return BG_EXIT_USAGE;
	if (bpf && o.no_ia32)
		bg_warn("policy export: --no-ia32 is for JSON profiles; the bpf program judges ia32 calls "
			"as the policy says");
	if (bpf && bg_export_check_sections(p, o.drop_sections, &d)) {
		bg_err("policy export: %s", d.msg);
		bg_policy_free(p);
		return BG_EXIT_REFUSED;
	}
	ret = bpf ? export_bpf(p, out) : export_json(p, &o, out);
	bg_policy_free(p);
	return ret;
}

static const struct option diff_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

static int policy_diff(int argc, char **argv)
{
	const char *files[2] = { NULL, NULL };
	struct bg_policy *a = NULL, *b = NULL;
	struct bg_diag d = {};
	unsigned nf = 0;
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jh", diff_opts, NULL)) != -1) {
		switch (c) {
		case 'j': bg_json_want(); break;
		case 'h': bg_cmd_usage(stdout); return BG_EXIT_OK;
		default: return bad_option("diff", argv, c);
		}
	}
	for (; optind < argc; optind++) {
		if (nf == 2) {
			bg_err("policy diff: unexpected argument '%s'; usage: bpfguard policy diff A B [--json]",
			       argv[optind]);
			return BG_EXIT_USAGE;
		}
		files[nf++] = argv[optind];
	}
	if (nf != 2) {
		bg_err("usage: bpfguard policy diff A B [--json]");
		return BG_EXIT_USAGE;
	}
	a = load(files[0]);
	b = a ? load(files[1]) : NULL;
	if (!a || !b) {
		bg_policy_free(a);
		return BG_EXIT_USAGE;
	}
	r = bg_policy_diff(a, b, bg_json_mode != BG_JSON_OFF, stdout, &d);
	if (r < 0)
		bg_err("policy diff: %s", d.msg);
	if (fflush(stdout) && r >= 0) {
		bg_err("policy diff: cannot write the output: %s", strerror(errno));
		r = -1;
	}
	bg_policy_free(a);
	bg_policy_free(b);
	return r < 0 ? BG_EXIT_USAGE : r > 0 ? BG_EXIT_NO : BG_EXIT_OK;
}

static int parse_action_opt(const char *opt, const char *s, struct bg_action *a)
{
	if (bg_action_parse(s, a) == 0)
		return 0;
	bg_err("policy merge: %s '%s' is not an action; use allow, log, kill, deny or errno(N|ENAME)",
	       opt, s);
	return -1;
}

static const struct option merge_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "name", required_argument, NULL, 'n' },
	{ "default", required_argument, NULL, 'd' },
	{ "default-ia32", required_argument, NULL, 'i' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

static int policy_merge(int argc, char **argv)
{
	struct bg_policy *in[BG_MERGE_MAX_INPUTS] = { NULL }, *m = NULL;
	struct bg_merge_opts o = {};
	struct bg_diag d = {};
	const char *out = NULL;
	unsigned n = 0;
	int c, ret = BG_EXIT_USAGE;
	FILE *f = stdout;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", merge_opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'n':
			o.name = optarg;
			if (!bg_policy_name_valid(o.name)) {
				bg_err("policy merge: name '%s' is not valid; use 1..63 of A-Z a-z 0-9 . _ -", o.name);
				goto out;
			}
			break;
		case 'd':
			if (parse_action_opt("--default", optarg, &o.dflt))
				goto out;
			o.has_dflt = true;
			break;
		case 'i':
			if (parse_action_opt("--default-ia32", optarg, &o.ia32_dflt))
				goto out;
			o.has_ia32_dflt = true;
			break;
		case 'h': bg_cmd_usage(stdout); return BG_EXIT_OK;
		default: return bad_option("merge", argv, c);
		}
	}
	for (; optind < argc; optind++) {
		if (n >= BG_MERGE_MAX_INPUTS) {
			bg_err("policy merge: more than %d policies; merge in steps", BG_MERGE_MAX_INPUTS);
			goto out;
		}
		in[n] = load(argv[optind]);
		if (!in[n])
			goto out;
		n++;
	}
	if (n < 2) {
		bg_err("usage: bpfguard policy merge A B... [-o OUT] [--name NAME] [--default ACTION] "
		       "[--default-ia32 ACTION]");
		goto out;
	}
	if (bg_policy_merge(in, n, &o, &m, &d)) {
		bg_err("policy %s", d.msg);
		goto out;
	}
	if (out) {
		f = fopen(out, "we");
		if (!f) {
			bg_err("policy merge: cannot create %s: %s; check the path and permissions", out,
			       strerror(errno));
			ret = BG_EXIT_FAIL;
			goto out;
		}
	}
	bg_policy_print(m, f);
	ret = 0;
	if ((out ? fclose(f) : fflush(f)) != 0) {
		bg_err("policy merge: cannot write %s: %s; check the disk", out ? out : "the output",
		       strerror(errno));
		if (out)
			unlink(out);
		ret = BG_EXIT_FAIL;
	}
out:
	bg_policy_free(m);
	for (unsigned i = 0; i < n; i++)
		bg_policy_free(in[i]);
	return ret;
}

const struct bg_cmd bg_policy_cmds[] = {
	{ "check", policy_check, "validate a policy (native or Docker/OCI JSON), print it normalised "
	  "with the escape hatches it leaves open", "FILE [--json] [--strict] [--run]", .opts = check_opts },
	{ "groups", policy_groups, "the @groups and their syscalls (all, or the NAMEs given)", "[--json] [NAME...]", .opts = groups_opts },
	{ "export", policy_export, "write a policy as a seccomp profile (JSON) or classic-BPF program",
	  "--format docker|oci|bpf [-o OUT] [--drop-sections] [--no-ia32] FILE", .opts = export_opts },
	{ "diff", policy_diff, "what A and B decide differently (exit 0 same, 4 different, 2 bad input)",
	  "A B [--json]", .opts = diff_opts },
	{ "merge", policy_merge, "the union of what the inputs allow, as a native policy",
	  "A B... [-o OUT] [--name NAME] [--default ACTION] [--default-ia32 ACTION]", .opts = merge_opts },
	{ "eval", cmd_policy_eval, "the action a policy gives one call and the rule that decides it "
	  "(exit 0 allowed, 4 denied, 5 undecidable)", "POLICY SYSCALL [ARG...] [--abi x86_64|ia32] [--json]",
	  .opts = bg_opts_policy_eval },
	{ "test", cmd_policy_test, "replay recorded calls (strace -f, events --json, learn --json) and "
	  "report those the policy would deny (exit 0 none, 4 denied, 5 undecidable)",
	  "POLICY TRACE... [--json]", .opts = bg_opts_policy_test },
	{ "derive", cmd_policy_derive, "the syscalls a static Go binary can make, read from its code, as a policy",
	  "BINARY [-o OUT] [--name NAME] [--default errno|kill] [--allow-cgo] [--no-namespaces] [--strict] [--json]",
	  .opts = bg_opts_policy_derive },
	{}
};

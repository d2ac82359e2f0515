// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_trust.c - `bpfguard trust add|list|remove`: bpfguard's trust store,
 * the executables a policy admits with `exec trusted`.  Each entry is a
 * file's SHA-256 and its path; changes reach the kernel at once (the
 * bg_exec_trusted map, if anything attached uses it).  docs/exec.md.
 * The operations are in core/trust.c; here: arguments and output.
 */
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "sig.h"
#include "trust.h"
#include "util.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: bpfguard trust add FILE...        hash FILE and trust that content at that path\n"
		   "       bpfguard trust add --key KEY.pub --signature FILE.sig FILE\n"
		   "       bpfguard trust add --bundle FILE.sigstore.json [--key KEY.pub | --trusted-root R\n"
		   "                 --certificate-identity ID --certificate-oidc-issuer URL] [--tlog-key K] FILE\n"
		   "                                         trust FILE only if its signature verifies; the\n"
		   "                                         store remembers the signer (docs/signatures.md)\n"
		   "       bpfguard trust remove FILE|sha256:HEX...\n"
		   "       bpfguard trust list [--verify] [--json]\n"
		   "The store is %s (BPFGUARD_TRUST_STORE overrides).\n", bg_trust_path());
}

/* Saves the store and pushes it to the kernel (under the caller's lock). */
static int commit(const struct bg_trust *t)
{
	struct bg_diag diag = {};

	if (bg_trust_commit(t, &diag)) {
		bg_err("trust: %s", diag.msg);
		return BG_EXIT_FAIL;
	}
	return BG_EXIT_OK;
}

/* trust add with a signature: one file, verified on the descriptor that
 * is hashed, recorded with its signer. */
static int trust_add_signed(struct bg_trust *t, int argc, char **argv, const struct bg_sig_request *rq)
{
	struct bg_diag diag = {};
	struct bg_sig_result res;
	struct bg_file_vouch v;
	char abs[PATH_MAX], hex[65];
	int ret;

	if (argc != 1) {
		bg_err("trust add: a signature covers one file; name exactly one (got %d)", argc);
		return BG_EXIT_USAGE;
	}
	ret = bg_trust_vouch_signed(argv[0], abs, &v, rq, &res, &diag);
	if (ret < 0) {
		bg_err("trust add: %s: %s; nothing was added", argv[0], diag.msg);
		return BG_EXIT_USAGE;
	}
	if (ret) { /* the signature's words name the file */
		bg_err("trust add: %s; nothing was added", diag.msg);
		return ret;
	}
	if (bg_trust_set(t, abs, v.sha256, res.signer)) {
		bg_err("trust add: out of memory; nothing was added");
		return BG_EXIT_FAIL;
	}
	bg_sha256_hex(v.sha256, hex);
	printf("trusted sha256:%s %s (signed by %s)\n", hex, abs, res.signer);
	return commit(t);
}

static int trust_add(struct bg_trust *t, int argc, char **argv)
{
	struct bg_diag diag = {};
	char hex[65];
	struct bg_file_vouch *v = calloc((size_t)argc, sizeof(*v));
	char (*abs)[PATH_MAX] = calloc((size_t)argc, PATH_MAX);
	int ret = BG_EXIT_FAIL;

	if (!v || !abs)
		goto oom;
	/* all or nothing: every file opened and hashed before the store changes */
	for (int i = 0; i < argc; i++) {
		if (bg_trust_vouch_arg(argv[i], abs[i], &v[i], &diag)) {
			bg_err("trust add: %s: %s; nothing was added", argv[i], diag.msg);
			ret = BG_EXIT_USAGE;
			goto out;
		}
	}
	for (int i = 0; i < argc; i++) {
		if (bg_trust_set(t, abs[i], v[i].sha256, NULL))
			goto oom;
		bg_sha256_hex(v[i].sha256, hex);
		printf("trusted sha256:%s %s\n", hex, abs[i]);
	}
	ret = commit(t);
	goto out;
oom:
	bg_err("trust add: out of memory; nothing was added");
out:
	free(v);
	free(abs);
	return ret;
}

static int trust_remove(struct bg_trust *t, int argc, char **argv)
{
	struct bg_trust_entry *removed = calloc(t->n ? t->n : 1, sizeof(*removed));

	if (!removed) {
		bg_err("trust remove: out of memory; nothing was removed");
		return BG_EXIT_FAIL;
	}
	for (int i = 0; i < argc; i++) {
		unsigned n = bg_trust_remove(t, argv[i], removed);

		for (unsigned k = 0; k < n; k++) {
			printf("removed %s\n", removed[k].path);
			free(removed[k].path);
			free(removed[k].signer);
		}
		if (!n) {
			bg_err("trust remove: %s is not in %s; see bpfguard trust list", argv[i], t->file);
			free(removed);
			return BG_EXIT_USAGE;
		}
	}
	free(removed);
	return commit(t);
}

/* --verify: the state of every entry now (refusals warned about here). */
static enum bg_trust_state *trust_verify(const struct bg_trust *t)
{
	enum bg_trust_state *states = calloc(t->n ? t->n : 1, sizeof(*states));

	if (!states)
		return NULL;
	for (unsigned k = 0; k < t->n; k++) {
		struct bg_diag diag = {};

		states[k] = bg_trust_check(&t->e[k], &diag);
		if (states[k] == BG_TRUST_REFUSED)
			bg_warn("trust list: %s", diag.msg);
	}
	return states;
}

static void trust_list_json(const struct bg_trust *t, const enum bg_trust_state *states)
{
	struct json_object *arr = json_object_new_array();

	for (unsigned k = 0; k < t->n; k++) {
		struct json_object *o = json_object_new_object();
		char hex[65];

		bg_sha256_hex(t->e[k].sha256, hex);
		json_object_object_add(o, "sha256", json_object_new_string(hex));
		json_object_object_add(o, "path", json_object_new_string(t->e[k].path));
		json_object_object_add(o, "signer", t->e[k].signer ? json_object_new_string(t->e[k].signer) : NULL);
		if (states)
			json_object_object_add(o, "state", json_object_new_string(bg_trust_state_name(states[k])));
		json_object_array_add(arr, o);
	}
	bg_json_print(arr);
	json_object_put(arr);
}

static void trust_list_text(const struct bg_trust *t, const enum bg_trust_state *states)
{
	for (unsigned k = 0; k < t->n; k++) {
		char hex[65];

		bg_sha256_hex(t->e[k].sha256, hex);
		printf("sha256:%s %s%s%s%s%s\n", hex, t->e[k].path, states ? "  " : "",
		       states ? bg_trust_state_name(states[k]) : "", t->e[k].signer ? "  signed by " : "",
		       t->e[k].signer ? t->e[k].signer : "");
	}
	if (!t->n)
		printf("the trust store %s is empty\n", t->file);
}

static int trust_list(const struct bg_trust *t, bool verify, bool json)
{
	enum bg_trust_state *states = NULL;
	unsigned bad = 0;

	if (verify && !(states = trust_verify(t))) {
		bg_err("trust list: out of memory");
		return BG_EXIT_FAIL;
	}
	for (unsigned k = 0; states && k < t->n; k++)
		bad += states[k] != BG_TRUST_OK;
	if (json)
		trust_list_json(t, states);
	else
		trust_list_text(t, states);
	free(states);
	return bad ? BG_EXIT_FAIL : BG_EXIT_OK;
}

/* add, remove and list share one parser (they always have: --verify and
 * --json are accepted by each verb and used by list) */
static const struct option trust_opts[] = {
	BG_SIG_LONGOPTS,
	{ "json", no_argument, NULL, 'j' },
	{ "verify", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

static int cmd_trust(int argc, char **argv)
{
	struct bg_diag diag = {};
	struct bg_sig_request rq = {};
	bool verify = false;
	struct bg_trust t;
	const char *verb = argv[0];
	int c, ret, lock = -1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jvh", trust_opts, NULL)) != -1) {
		switch (c) {
		case 'j': bg_json_want(); break;
		case 'v': verify = true; break;
		case 'h': usage(stdout); return BG_EXIT_OK;
		default:
			if (bg_sig_option(c, optarg, &rq))
				break;
			return bg_cmd_bad_option(argv, c);
		}
	}
	if (bg_sig_requested(&rq)) {
		if (strcmp(verb, "add")) {
			bg_err("trust %s: --key, --signature and --bundle are for trust add", verb);
			return BG_EXIT_USAGE;
		}
		if ((ret = bg_sig_request_check("trust add", &rq)))
			return ret;
	}
	if (strcmp(verb, "list") && optind >= argc) {
		bg_err("trust %s: name at least one file%s", verb, verb[0] == 'r' ? " or sha256:HEX" : "");
		return BG_EXIT_USAGE;
	}
	/* writers serialize with attach (which reads the store) */
	if (strcmp(verb, "list"))
		lock = bg_trust_lock();
	if (bg_trust_load(&t, &diag)) {
		bg_err("trust: %s", diag.msg);
		if (lock >= 0)
			close(lock);
		return BG_EXIT_USAGE;
	}
	if (!strcmp(verb, "add") && bg_sig_requested(&rq))
		ret = trust_add_signed(&t, argc - optind, argv + optind, &rq);
	else if (!strcmp(verb, "add"))
		ret = trust_add(&t, argc - optind, argv + optind);
	else if (!strcmp(verb, "remove"))
		ret = trust_remove(&t, argc - optind, argv + optind);
	else
		ret = trust_list(&t, verify, bg_json_mode != BG_JSON_OFF);
	bg_trust_free(&t);
	if (lock >= 0)
		close(lock);
	return ret;
}

const struct bg_cmd bg_trust_cmds[] = {
	{ "add", cmd_trust, "hash FILE and trust that content at that path (with --key/--bundle: only if signed)",
	  "FILE... | --key KEY.pub --signature FILE.sig FILE | --bundle B FILE", .opts = trust_opts },
	{ "remove", cmd_trust, "forget a file, by path or by hash", "FILE|sha256:HEX...", .opts = trust_opts },
	{ "list", cmd_trust, "the trusted files; --verify: are they unchanged", "[--verify] [--json]",
	  .opts = trust_opts },
	{}
};

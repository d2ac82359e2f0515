// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_verify_blob.c - `bpfguard verify-blob`: what `cosign verify-blob`
 * checks, offline.  The checking is user/sig's (bg_sig_verify_request);
 * here the options and the rendering.  docs/signatures.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>

#include "commands.h"
#include "sig.h"
#include "util.h"

const struct option bg_opts_verify_blob[] = {
	BG_SIG_LONGOPTS, /* the same for trust add, run and go inspect (sig_opts.c) */
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

static struct json_object *result_json(const char *file, const struct bg_sig_result *r)
{
	struct json_object *o = json_object_new_object();
	char hex[65];

	bg_sha256_hex(r->sha256, hex);
	json_object_object_add(o, "file", json_object_new_string(file));
	json_object_object_add(o, "verified", json_object_new_boolean(1));
	json_object_object_add(o, "signer", json_object_new_string(r->signer));
	json_object_object_add(o, "key_id", json_object_new_string(r->key_id));
	json_object_object_add(o, "sha256", json_object_new_string(hex));
	json_object_object_add(o, "bundle", json_object_new_boolean(r->bundle));
	json_object_object_add(o, "tlog_verified", json_object_new_boolean(r->tlog_verified));
	json_object_object_add(o, "integrated_time",
			       r->integrated_time ? json_object_new_int64((int64_t)r->integrated_time) : NULL);
	return o;
}

int cmd_verify_blob(int argc, char **argv)
{
	struct bg_sig_request rq = { 0 };
	struct bg_sig_result res;
	struct bg_diag d = {};
	const char *file;
	struct stat st;
	int c, fd, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jh", bg_opts_verify_blob, NULL)) != -1) {
		switch (c) {
		case 'j': bg_json_want(); break;
		case 'h': bg_cmd_usage(stdout); return BG_EXIT_OK;
		default:
			if (bg_sig_option(c, optarg, &rq))
				break;
			return bg_cmd_bad_option(argv, c);
		}
	}
	if (optind >= argc) {
		bg_err("verify-blob: name the file to verify; see bpfguard verify-blob --help");
		return BG_EXIT_USAGE;
	}
	if (optind + 1 < argc) {
		bg_err("verify-blob: unexpected argument '%s' (one file at a time); see bpfguard verify-blob --help",
		       argv[optind + 1]);
		return BG_EXIT_USAGE;
	}
	file = argv[optind];
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		bg_err("verify-blob: %s: cannot open: %s; check the path", file, strerror(errno));
		return BG_EXIT_USAGE;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		bg_err("verify-blob: %s: not a regular file; give the file that was signed", file);
		close(fd);
		return BG_EXIT_USAGE;
	}
	rc = bg_sig_verify_request(&rq, fd, file, &res, &d);
	close(fd);
	if (rc) {
		bg_err("verify-blob: %s", d.msg); /* "FILE: what; why; what to do" */
		if (bg_json_mode != BG_JSON_OFF) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "file", json_object_new_string(file));
			json_object_object_add(o, "verified", json_object_new_boolean(0));
			json_object_object_add(o, "exit_code", json_object_new_int(rc));
			json_object_object_add(o, "error", bg_diag_json(&d));
			bg_json_print(o);
			json_object_put(o);
		}
		return rc;
	}
	if (bg_json_mode != BG_JSON_OFF) {
		struct json_object *o = result_json(file, &res);

		bg_json_print(o);
		json_object_put(o);
		return BG_EXIT_OK;
	}
	printf("Verified OK\n");
	printf("signer: %s\n", res.signer);
	if (res.bundle)
		printf("tlog: %s\n", res.tlog_verified ? "entry verified offline" : "not checked (no log key given)");
	return BG_EXIT_OK;
}

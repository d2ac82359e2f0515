// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * policy derive BINARY: the syscalls a static Go binary can issue, read
 * from its machine code (user/go/derive.c), written as a native policy
 * (user/core/derive_policy.c).  docs/derive.md.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "derive.h"
#include "derive_policy.h"
#include "util.h"

#define DERIVE_MAX_FILE (1ull << 30)

const struct option bg_opts_policy_derive[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "name", required_argument, NULL, 'n' },
	{ "default", required_argument, NULL, 'd' },
	{ "allow-cgo", no_argument, NULL, 'C' },
	{ "no-namespaces", no_argument, NULL, 'N' },
	{ "strict", no_argument, NULL, 'S' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

int cmd_policy_derive(int argc, char **argv)
{
	static const char usage[] = "usage: bpfguard policy derive BINARY [-o OUT] [--name NAME] "
				    "[--default errno|kill] [--allow-cgo] [--no-namespaces] [--strict] [--json]";
	struct bg_derive_opts o = {};
	struct bg_derive_summary s;
	struct bg_derive dv;
	struct bg_diag d = {};
	const char *out = NULL;
	bool allow_cgo = false, strict = false;
	char *buf = NULL, *text = NULL;
	size_t len = 0, tlen = 0;
	int c, r, ret = BG_EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:n:d:jh", bg_opts_policy_derive, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'n': o.name = optarg; break;
		case 'd':
			if (!strcmp(optarg, "kill")) {
				o.kill = true;
			} else if (strcmp(optarg, "errno")) {
				bg_err("policy derive: --default '%s' is neither errno nor kill; %s", optarg, usage);
				return BG_EXIT_USAGE;
			}
			break;
		case 'C': allow_cgo = true; break;
		case 'N': o.no_namespaces = true; break;
		case 'S': strict = true; break;
		case 'j': bg_json_want(); break;
		case 'h': bg_cmd_usage(stdout); return BG_EXIT_OK;
		case ':':
			bg_err("policy derive: %s needs a value; %s", argv[optind - 1], usage);
			return BG_EXIT_USAGE;
		default:
			bg_err("policy derive: unexpected argument '%s'; %s", argv[optind - 1], usage);
			return BG_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		bg_err("policy derive: %s; %s", optind < argc ? "one BINARY only" : "no BINARY given", usage);
		return BG_EXIT_USAGE;
	}
	o.binary = argv[optind];
	r = bg_read_file(o.binary, DERIVE_MAX_FILE, &buf, &len);
	if (r) {
		bg_err("policy derive: cannot read %s: %s", o.binary,
		       r == -EFBIG ? "larger than 1 GiB" : r == -ENODEV ? "a device, not read; give a Go binary" : strerror(-r));
		return BG_EXIT_FAIL;
	}
	if (!bg_derive_binary((const uint8_t *)buf, len, &dv, &d)) {
		bg_err("policy derive: %s: %s", o.binary, d.msg);
		free(buf);
		return BG_EXIT_USAGE;
	}
	if (dv.cgo && !allow_cgo) {
		bg_err("policy derive: %s links C (cgo%s%s): libc's syscalls cannot be derived from it; "
		       "use bpfguard learn (docs/learn.md), or --allow-cgo for the Go code's calls only",
		       o.binary, dv.cgo_why[0] ? ": " : "", dv.cgo_why);
		ret = BG_EXIT_USAGE;
		goto out;
	}
	bg_derive_summarize(&dv, &s);
	if (bg_derive_policy(&dv, &o, &text, &tlen, &d)) {
		bg_diag_print(&d);
		ret = BG_EXIT_FAIL;
		goto out;
	}
	if (strict && s.unresolved) {
		bg_err("policy derive: %s: %zu call sites pass a syscall number that is not a constant "
		       "(see --json's unresolved); --strict refuses that, nothing written", o.binary, s.unresolved);
		ret = BG_EXIT_REFUSED;
		goto out;
	}
	if (out && bg_derive_write(out, text, tlen, &d)) {
		bg_diag_print(&d);
		ret = BG_EXIT_FAIL;
		goto out;
	}
	if (bg_json_mode) {
		struct json_object *j = bg_derive_to_json(&dv, &o);

		json_object_object_add(j, "policy_file", out ? json_object_new_string(out) : NULL);
		bg_json_print(j);
		json_object_put(j);
	} else if (!out) {
		fwrite(text, 1, tlen, stdout);
	} else {
		printf("policy derived from %s: %u syscalls, %zu sites unresolved, written to %s\n", o.binary,
		       s.syscalls, s.unresolved, out);
	}
	if (dv.cgo)
		bg_warn("policy derive: %s links C (cgo): the policy has only the Go code's calls; libc's "
			"will be refused (docs/derive.md)", o.binary);
	if (s.unresolved)
		bg_warn("policy derive: %s: %zu call sites pass a syscall number that is not a constant; "
			"their calls are not allowed unless named elsewhere (see the policy's comments)",
			o.binary, s.unresolved);
out:
	free(text);
	bg_derive_free(&dv);
	free(buf);
	return ret;
}

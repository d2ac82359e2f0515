// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * seccomp_plain - the baseline of scripts/bench-run: installs the seccomp
 * filter bpfguard compiles from POLICY (the same allowlist, the same
 * libseccomp back end) on itself and execs CMD.  No namespaces, no cgroup,
 * no BPF: what a plain libseccomp filter costs.
 *
 *   seccomp_plain POLICY CMD [ARGS...]
 *
 * Built by scripts/bench-run with cc against the build's libbgcore.a.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "compile_seccomp.h"
#include "policy.h"

int main(int argc, char **argv)
{
	struct bg_policy *p;
	struct bg_diag d = {};
	scmp_filter_ctx ctx;
	struct bg_diag dg = {};

	if (argc < 3) {
		fprintf(stderr, "usage: seccomp_plain POLICY CMD [ARGS...]\n");
		return 2;
	}
	if (bg_policy_load(argv[1], &p, &d)) {
		fprintf(stderr, "seccomp_plain: %s\n", d.msg);
		return 2;
	}
	ctx = bg_seccomp_compile(p, BG_MODE_ENFORCE, &dg);
	if (!ctx || bg_seccomp_install(ctx)) {
		fprintf(stderr, "seccomp_plain: %s\n", ctx ? "cannot install the filter" : dg.msg);
		return 2;
	}
	execv(argv[2], argv + 2);
	perror("seccomp_plain: execv");
	return 127;
}

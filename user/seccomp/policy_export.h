/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * policy_export.h - back end: policy IR -> Docker (moby) or OCI seccomp
 * JSON profile, the format user/policy/policy_docker.c imports.
 *
 * A profile is enforced by a container runtime through libseccomp, which
 * knows neither rule order nor per-ABI tables; the export therefore writes
 * the seccomp back end's disjoint rules (user/seccomp/compile_seccomp.h) and
 * refuses whatever a profile cannot say exactly, with a one-line reason.
 */
#ifndef BG_POLICY_EXPORT_H
#define BG_POLICY_EXPORT_H

#include <stdbool.h>

#include "policy.h"

struct json_object;

enum bg_export_format {
	BG_EXPORT_DOCKER = 0, /* moby profile: archMap */
	BG_EXPORT_OCI = 1,    /* runtime-spec linux.seccomp: architectures */
};

struct bg_export_opts {
	int format;          /* enum bg_export_format */
	bool drop_sections;  /* drop net/dev/sysctl/exec (warning) instead of refusing */
	bool no_ia32;        /* leave SCMP_ARCH_X86 out: every ia32 call is killed */
};

/* The net, dev, sysctl and exec sections have no seccomp equivalent:
 * -1 with d->msg naming the first one, unless drop is set, in which case
 * each present section is a warning and 0 is returned. */
int bg_export_check_sections(const struct bg_policy *p, bool drop, struct bg_diag *d);

/* Builds the profile.  0 with *out (caller puts it), or -1 with d->msg
 * saying why the policy cannot be exported faithfully; warnings go
 * through d. */
int bg_export_seccomp_json(const struct bg_policy *p, const struct bg_export_opts *o,
			   struct json_object **out, struct bg_diag *d);

#endif

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfguard learn --cgroup PATH [--duration D] -o FILE [--name NAME] [--json]
 *
 * Records every syscall made in a cgroup subtree (user/core/learn.c) until the
 * duration ends or SIGINT/SIGTERM/SIGHUP arrives, then writes a minimal
 * policy.  Everything that can fail on user input (options, cgroup,
 * output path) is checked before the program is attached, so a bad
 * invocation attaches nothing; the link is held by this process only, so
 * even `kill -9` leaves nothing attached.
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cgroup.h"
#include "commands.h"
#include "learn.h"
#include "policy.h"
#include "util.h"

struct learn_opts {
	const char *cgroup;
	const char *out;
	const char *name;
	uint64_t duration_ms; /* 0 = until a signal */
};

static void usage_learn(FILE *f)
{
	fprintf(f,
		"Usage: bpfguard learn --cgroup PATH [--duration D] -o FILE [--name NAME] [--json]\n"
		"  Records every syscall made in cgroup PATH and below it (cgroups created\n"
		"  meanwhile included) and writes a policy allowing exactly those (docs/learn.md).\n"
		"  --duration  stop after D (30s, 2m, 500ms, 1h; a bare number is seconds);\n"
		"              default: until SIGINT, SIGTERM or SIGHUP\n"
		"  -o FILE     the policy to write (replaced atomically)\n"
		"  --name      the policy's name (default learned-<cgroup directory>)\n"
		"  --json      print what was recorded as JSON on stdout\n");
}

const struct option bg_opts_learn[] = {
	{ "cgroup", required_argument, NULL, 'c' },
	{ "duration", required_argument, NULL, 'd' },
	{ "output", required_argument, NULL, 'o' },
	{ "name", required_argument, NULL, 'n' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

static int parse_learn(int argc, char **argv, struct learn_opts *o)
{
	int c;

	*o = (struct learn_opts){};
	optind = 1;
	opterr = 0; /* our own one-line messages */
	while ((c = getopt_long(argc, argv, "c:d:o:n:jh", bg_opts_learn, NULL)) != -1) {
		switch (c) {
		case 'c': o->cgroup = optarg; break;
		case 'o': o->out = optarg; break;
		case 'n': o->name = optarg; break;
		case 'j': bg_json_want(); break;
		case 'd':
			if (bg_parse_duration_ms(optarg, &o->duration_ms)) {
				bg_err("learn: --duration '%s': expected a duration such as 30s, 500ms, 2m or 1h", optarg);
				return -1;
			}
			break;
		case 'h': usage_learn(stdout); exit(0);
		default:
			bg_cmd_bad_option(argv, c);
			return -1;
		}
	}
	if (optind < argc) {
		bg_err("learn: unexpected argument '%s'; see bpfguard learn --help", argv[optind]);
		return -1;
	}
	if (!o->cgroup || !o->out) {
		bg_err("learn needs --cgroup PATH and -o FILE; see bpfguard learn --help");
		return -1;
	}
	if (o->name && !bg_policy_name_valid(o->name)) {
		bg_err("learn: --name '%s' is not a valid policy name; use 1..63 of [A-Za-z0-9._-]", o->name);
		return -1;
	}
	return 0;
}

/* Sleeps until the duration ends or a stop signal arrives (blocked by the
 * caller, so one arriving while loading is not lost).  Returns the signal,
 * or 0 when the time was up. */
static int wait_stop(const sigset_t *stop, uint64_t duration_ms)
{
	struct timespec end, now, left;
	siginfo_t si;
	int sig;

	if (!duration_ms) {
		for (;;) {
			sig = sigwaitinfo(stop, &si);
			if (sig > 0)
				return sig;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += (time_t)(duration_ms / 1000);
	end.tv_nsec += (long)(duration_ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = end.tv_sec - now.tv_sec;
		left.tv_nsec = end.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (left.tv_sec < 0)
			return 0;
		sig = sigtimedwait(stop, &si, &left);
		if (sig > 0)
			return sig;
		if (errno == EAGAIN)
			return 0;
	}
}

/* What was learned: one JSON object, or one line. */
static void print_result(const struct bg_learn *l, const struct learn_opts *o, const struct bg_cgpath *cg)
{
	if (bg_json_mode) {
		struct json_object *j = bg_learn_to_json(l);

		json_object_object_add(j, "policy_file", json_object_new_string(o->out));
		bg_json_print(j);
		json_object_put(j);
	} else {
		printf("learned %u syscall%s (%llu calls) in cgroup %s; wrote %s; review it before enforcing (docs/learn.md)\n",
		       bg_learn_syscalls(l), bg_learn_syscalls(l) == 1 ? "" : "s",
		       (unsigned long long)bg_learn_calls(l), cg->rel, o->out);
	}
}

int cmd_learn(int argc, char **argv)
{
	struct learn_opts o;
	struct bg_learn *l;
	struct bg_cgpath cg;
	sigset_t stop, old;
	int sig;

	if (parse_learn(argc, argv, &o))
		return BG_EXIT_USAGE;
	struct bg_diag diag = {};
	if (bg_cgroup_resolve(o.cgroup, &cg, &diag)) {
		bg_err("learn: %s", diag.msg);
		return BG_EXIT_USAGE;
	}
	if (bg_learn_check_output(o.out, &diag)) {
		bg_err("learn: %s", diag.msg);
		return BG_EXIT_USAGE;
	}

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, &old);
	if (bg_learn_start(&l, cg.abs, cg.id, &diag)) {
		bg_err("learn: %s", diag.msg);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return strstr(diag.msg, "root cgroup") ? BG_EXIT_USAGE : BG_EXIT_FAIL;
	}
	if (o.duration_ms)
		fprintf(stderr, "bpfguard: learning cgroup %s (id %llu) for %.3gs; SIGINT or SIGTERM stops early\n",
			cg.rel, (unsigned long long)cg.id, o.duration_ms / 1000.0);
	else
		fprintf(stderr, "bpfguard: learning cgroup %s (id %llu) until SIGINT or SIGTERM\n",
			cg.rel, (unsigned long long)cg.id);

	sig = wait_stop(&stop, o.duration_ms);
	bg_learn_stop(l);
	sigprocmask(SIG_SETMASK, &old, NULL);
	(void)sig;

	if (bg_learn_stop_write(l, o.out, o.name, &diag)) {
		bg_err("learn: %s", diag.msg);
		bg_learn_free(l);
		return BG_EXIT_FAIL;
	}
	print_result(l, &o, &cg);
	bg_learn_free(l);
	return BG_EXIT_OK;
}

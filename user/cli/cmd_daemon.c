// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* `bpfguard daemon`: arguments; the daemon itself is daemon/daemon.c. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "commands.h"
#include "daemon.h"
#include "daemon_config.h"
#include "util.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bpfguard daemon [--config FILE] [--foreground] [--check]\n"
		"  Drains denial events to the configured outputs, keeps attach.d's attachments\n"
		"  in force and serves metrics (docs/daemon.md).  Runs in the foreground (it never\n"
		"  forks); SIGHUP reloads the configuration and attach.d and reopens files;\n"
		"  SIGTERM/SIGINT stop it, leaving every attachment in force.\n"
		"  --config FILE  configuration (default %s; if absent: JSON lines on stdout)\n"
		"  --check        validate the configuration, attach.d and its policies, then exit\n"
		"                 (0 ok, 2 errors)\n",
		BGD_DEFAULT_CONFIG);
}

const struct option bg_opts_daemon[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "foreground", no_argument, NULL, 'f' },
	{ "check", no_argument, NULL, 'C' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

int cmd_daemon(int argc, char **argv)
{
	const char *config = NULL;
	bool check = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:fh", bg_opts_daemon, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'f': break; /* the only mode */
		case 'C': check = true; break;
		case 'h': usage(stdout); return 0;
		default: return bg_cmd_bad_option(argv, c);
		}
	}
	if (optind < argc) {
		bg_err("daemon: unexpected argument '%s'; see bpfguard daemon --help", argv[optind]);
		return BG_EXIT_USAGE;
	}
	return bgd_main(config, check);
}

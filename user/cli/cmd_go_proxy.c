// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_go_proxy.c - `bpfguard go proxy`, the verifying GOPROXY server, and
 * `bpfguard go verify-download`, the client check of its signed answers.
 * The work is user/goproxy's; docs/go-proxy.md describes both.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "proxy.h"
#include "util.h"

#define PROXY_USAGE "usage: bpfguard go proxy --listen HOST:PORT --upstream DIR|file:///DIR|http://HOST:PORT/PATH --gosum FILE... [--sign-key KEY.pem] [--max-conns N] [--timeout DURATION] [--quiet]"
#define VERIFY_USAGE "usage: bpfguard go verify-download --key KEY.pub URL [-o FILE]"

const struct option bg_opts_go_proxy[] = {
	{ "listen", required_argument, NULL, 'l' },
	{ "upstream", required_argument, NULL, 'u' },
	{ "gosum", required_argument, NULL, 'g' },
	{ "sign-key", required_argument, NULL, 'k' },
	{ "max-conns", required_argument, NULL, 'c' },
	{ "timeout", required_argument, NULL, 't' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

/* The address bound, on stdout, so a script that asked for port 0 can
 * read the port. */
static void ready(void *ctx, const char *addr)
{
	(void)ctx;
	printf("listening on http://%s\n", addr);
	fflush(stdout);
}

int cmd_go_proxy(int argc, char **argv)
{
	struct bg_goproxy_config c = { .ready = ready };
	const char **gosum = calloc((size_t)argc, sizeof(*gosum));
	struct bg_diag d = {};
	uint64_t ms;
	char *end;
	long v;
	int ch, rc;

	if (!gosum) {
		bg_err("go proxy: out of memory");
		return BG_EXIT_FAIL;
	}
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":hq", bg_opts_go_proxy, NULL)) != -1) {
		switch (ch) {
		case 'l': c.listen = optarg; break;
		case 'u': c.upstream = optarg; break;
		case 'g': gosum[c.ngosum++] = optarg; break;
		case 'k': c.sign_key = optarg; break;
		case 'q': c.quiet = true; break;
		case 'c':
			v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 4096) {
				bg_err("go proxy: --max-conns %s: want a number from 1 to 4096", optarg);
				free(gosum);
				return BG_EXIT_USAGE;
			}
			c.max_conns = (unsigned)v;
			break;
		case 't':
			if (bg_parse_duration_ms(optarg, &ms) || ms < 100 || ms > 3600000) {
				bg_err("go proxy: --timeout %s: want a duration from 100ms to 1h (10s)", optarg);
				free(gosum);
				return BG_EXIT_USAGE;
			}
			c.timeout_ms = (unsigned)ms;
			break;
		case 'h':
			bg_cmd_usage(stdout);
			free(gosum);
			return BG_EXIT_OK;
		default:
			free(gosum);
			return bg_cmd_bad_option(argv, ch);
		}
	}
	if (optind < argc || !c.listen || !c.upstream) {
		if (optind < argc)
			bg_err("go proxy: unexpected argument '%s'; %s", argv[optind], PROXY_USAGE);
		else
			bg_err("go proxy: --listen and --upstream are needed; %s", PROXY_USAGE);
		free(gosum);
		return BG_EXIT_USAGE;
	}
	c.gosum = gosum;
	rc = bg_goproxy_serve(&c, &d);
	if (rc)
		bg_err("go proxy: %s", d.msg);
	free(gosum);
	return rc;
}

const struct option bg_opts_go_verify_download[] = {
	{ "key", required_argument, NULL, 'k' },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

int cmd_go_verify_download(int argc, char **argv)
{
	const char *key = NULL, *out = NULL;
	struct bg_diag d = {};
	char key_id[96];
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":ho:", bg_opts_go_verify_download, NULL)) != -1) {
		switch (ch) {
		case 'k': key = optarg; break;
		case 'o': out = optarg; break;
		case 'h': bg_cmd_usage(stdout); return BG_EXIT_OK;
		default: return bg_cmd_bad_option(argv, ch);
		}
	}
	if (!key || optind + 1 != argc) {
		bg_err("go verify-download: %s; %s",
		       !key ? "--key is needed" : optind < argc ? "one URL, please" : "missing the URL", VERIFY_USAGE);
		return BG_EXIT_USAGE;
	}
	rc = bg_goproxy_verify_download(argv[optind], key, out, key_id, &d);
	if (rc) {
		bg_err("go verify-download: %s", d.msg);
		return rc;
	}
	if (out)
		fprintf(stderr, "bpfguard: go verify-download: %s: verified (key %s), written to %s\n",
			argv[optind], key_id, out);
	return BG_EXIT_OK;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sig_opts.c - the signature options every command that checks a
 * signature takes (verify-blob, trust add, run, go inspect): one list,
 * one meaning, the words of cosign's own options.  docs/signatures.md.
 */
#include <stdio.h>

#include "commands.h"
#include "sig.h"
#include "util.h"

bool bg_sig_option(int c, const char *arg, struct bg_sig_request *rq)
{
	switch (c) {
	case BG_SIGOPT_KEY: rq->key = arg; return true;
	case BG_SIGOPT_SIGNATURE: rq->signature = arg; return true;
	case BG_SIGOPT_BUNDLE: rq->bundle = arg; return true;
	case BG_SIGOPT_TLOG_KEY: rq->tlog_key = arg; return true;
	case BG_SIGOPT_TRUSTED_ROOT: rq->trusted_root = arg; return true;
	case BG_SIGOPT_IDENTITY: rq->identity = arg; return true;
	case BG_SIGOPT_ISSUER: rq->issuer = arg; return true;
	case BG_SIGOPT_REQUIRE_TLOG: rq->require_tlog = true; return true;
	default: return false;
	}
}

bool bg_sig_requested(const struct bg_sig_request *rq)
{
	return rq->key || rq->signature || rq->bundle || rq->trusted_root || rq->identity || rq->issuer ||
	       rq->tlog_key || rq->require_tlog;
}

int bg_sig_request_check(const char *cmd, const struct bg_sig_request *rq)
{
	if (rq->signature && !rq->key) {
		bg_err("%s: --signature needs --key (the public key that made it); see bpfguard %s --help", cmd, cmd);
		return BG_EXIT_USAGE;
	}
	if (!rq->signature && !rq->bundle) {
		bg_err("%s: a signature check needs --key KEY --signature FILE.sig, or --bundle FILE.sigstore.json; "
		       "see bpfguard %s --help", cmd, cmd);
		return BG_EXIT_USAGE;
	}
	return BG_EXIT_OK;
}

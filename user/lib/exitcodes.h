/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* exitcodes.h - the exit codes every command shares (README documents them);
 * library code returns them so a command can pass them on unchanged. */
#ifndef BG_EXITCODES_H
#define BG_EXITCODES_H

/* Exit codes shared by every command (documented in README). */
enum {
	BG_EXIT_OK = 0,
	BG_EXIT_FAIL = 1,  /* runtime failure */
	BG_EXIT_USAGE = 2, /* bad arguments or input */
	BG_EXIT_REFUSED = 3, /* policy cannot be enforced as asked (--fallback refuse) */
	/* the command asked a question and the answer is "no": policy diff
	 * (they differ), policy eval/test (a call is denied, policy_test.h) */
	BG_EXIT_NO = 4,
	/* a signature check refused the file (sig.h, docs/signatures.md);
	 * one code per reason, so a script can tell them apart */
	BG_EXIT_SIG_MALFORMED = 5, /* signature, bundle, certificate or key cannot be parsed */
	BG_EXIT_SIG_MISMATCH = 6,  /* does not verify: another key, or the file changed */
	BG_EXIT_SIG_DIGEST = 7,    /* the bundle names another file's digest: the file changed */
	BG_EXIT_SIG_IDENTITY = 8,  /* certificate not from the trusted root, or another identity */
	BG_EXIT_SIG_TLOG = 9,      /* the transparency-log entry is missing or does not verify */
	BG_EXIT_SIG_OFFLINE = 10,  /* verifying would need the network: refused */
};

#endif

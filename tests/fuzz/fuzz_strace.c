/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * fuzz_strace.c - libFuzzer target for the strace reader of `bpfguard
 * policy test` (user/core/policy_test.c).
 *
 * The input is split into lines, each passed as an exact-size copy (so
 * ASan flags any read past its end) to bg_strace_line, every other one
 * also marked as cut; each call that comes out must be well-formed.  The
 * whole input then goes through bg_ptest_buffer, which sniffs the format
 * (strace, events JSON lines, learned JSON) and judges every call.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "policy_test.h"

static struct bg_policy *pol;

static void check_call(void *ctx, const struct bg_trace_call *c)
{
	(void)ctx;
	if (c->abi < 0 || c->abi > BG_ABI_X32 || c->nr < -1 || c->count == 0 ||
	    strnlen(c->name, sizeof(c->name)) >= sizeof(c->name))
		abort();
	for (int i = 0; i < 6; i++)
		if (c->args[i] & ~c->known[i])
			abort(); /* an unknown bit is never reported as set */
}

static void quiet(void *ctx, unsigned line, const char *msg)
{
	(void)ctx;
	(void)line;
	if (strnlen(msg, 1024) >= 1024)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bg_strace *s = bg_strace_new(check_call, quiet, NULL);
	const char *buf = (const char *)data;
	unsigned lineno = 0;
	size_t pos = 0;

	if (!pol) {
		struct bg_diag d = {};
		static const char text[] = "default errno(EPERM)\nallow read write\n"
					   "errno(EACCES) socket if arg0 == AF_INET and arg1 & 0xf == SOCK_STREAM\n"
					   "allow openat if arg2 & O_WRONLY == 0\nkill ptrace\nallow mmap if arg2 < 4\n";
		if (bg_policy_parse(text, sizeof(text) - 1, "fuzz", &pol, &d))
			abort();
	}
	if (!s)
		return 0;
	while (pos < size) {
		const char *nl = memchr(buf + pos, '\n', size - pos);
		size_t len = nl ? (size_t)(nl - (buf + pos)) : size - pos;
		char *line = malloc(len ? len : 1);

		if (!line)
			break;
		memcpy(line, buf + pos, len);
		lineno++;
		bg_strace_line(s, line, len, (lineno & 1) == 0, lineno);
		uint64_t v, k;
		bg_strace_arg(line, len, (int)(lineno % 2), &v, &k);
		free(line);
		pos += len + 1;
	}
	bg_strace_finish(s);
	bg_strace_free(s);

	struct bg_ptest *t = bg_ptest_new(pol);
	struct bg_diag d = {};
	char *copy = malloc(size ? size : 1);

	if (t && copy) {
		memcpy(copy, data, size);
		bg_ptest_buffer(t, copy, size, "fuzz", &d);
		FILE *f = fopen("/dev/null", "w");
		if (f) {
			bg_ptest_print(t, f);
			fclose(f);
		}
	}
	free(copy);
	bg_ptest_free(t);
	return 0;
}

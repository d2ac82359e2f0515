/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * fuzz_policy.c - libFuzzer target for the policy parsers.
 *
 * The bytes go to bg_policy_parse (which sniffs the format) and, so both
 * parsers see every input, to the native and Docker parsers directly.
 * Inputs are passed without a terminating NUL, as files are.  A parsed
 * policy is printed and re-parsed: printing must always produce text the
 * native parser accepts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "policy.h"

static void quiet_warning(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

static void check_print_reparses(const struct bg_policy *p)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return;
	bg_policy_print(p, f);
	fclose(f);
	struct bg_diag d = { .warn = quiet_warning };
	struct bg_policy *q = NULL;
	if (bg_policy_parse_native(text, len, "printed", &q, &d) != 0) {
		fprintf(stderr, "printed policy does not re-parse: %s\n%s\n", d.msg, text);
		abort();
	}
	bg_policy_free(q);
	free(text);
}

static void run(int (*parse)(const char *, size_t, const char *, struct bg_policy **,
			     struct bg_diag *),
		const char *buf, size_t len)
{
	struct bg_diag d = { .warn = quiet_warning };
	struct bg_policy *p = NULL;
	if (parse(buf, len, "fuzz.policy", &p, &d) == 0) {
		uint64_t args[6] = { 0 };
		for (int nr = 0; nr < 8; nr++)
			bg_policy_eval(p, nr & 1, nr * 60, args);
		check_print_reparses(p);
		bg_policy_free(p);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy so ASan flags any read past the end. */
	char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	for (size_t i = 0; i < size; i++)
		buf[i] = (char)data[i];
	run(bg_policy_parse, buf, size);
	run(bg_policy_parse_native, buf, size);
	run(bg_policy_parse_docker, buf, size);
	free(buf);
	return 0;
}

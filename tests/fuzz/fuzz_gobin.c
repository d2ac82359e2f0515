// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_gobin.c - libFuzzer target for the Go binary readers.
 *
 * The bytes are an untrusted "binary": the ELF reader, the build-info
 * finder (section and segment fallback, inline and pointer layouts), the
 * modinfo parser and the cgo/static verdicts all run on them, and the
 * result is printed the way `go inspect` prints it.  The same bytes also
 * go straight to the modinfo parser and the Go unquoter, which a wrapped
 * ELF rarely reaches.  Checked property: Go quoting round-trips, i.e.
 * Unquote(Quote(v)) == v for every build setting parsed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "go_buildinfo.h"
#include "go_elf.h"

static void check_quote_roundtrip(const struct bg_go_str *v)
{
	char *q = NULL;
	size_t qlen = 0;
	struct bg_go_str back = { 0 };
	FILE *f = open_memstream(&q, &qlen);

	if (!f)
		return;
	bg_go_quote(v->s, v->len, f);
	fclose(f);
	if (!bg_go_unquote(q, qlen, &back) || back.len != v->len || memcmp(back.s, v->s, v->len)) {
		fprintf(stderr, "quote/unquote round trip failed: %s\n", q);
		abort();
	}
	free(back.s);
	free(q);
}

static void print_all(const struct bg_go_buildinfo *bi)
{
	FILE *f = fopen("/dev/null", "w");

	if (!f)
		return;
	bg_go_buildinfo_write(bi, f);
	fclose(f);
	for (size_t i = 0; i < bi->nsettings; i++) {
		check_quote_roundtrip(&bi->settings[i].key);
		check_quote_roundtrip(&bi->settings[i].value);
	}
}

static bool count_cb(void *ctx, const char *name)
{
	*(size_t *)ctx += strlen(name);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy so ASan flags any read past the end */
	uint8_t *buf = malloc(size ? size : 1);
	struct bg_go_buildinfo bi;
	struct bg_go_verdict v;
	struct bg_go_str s = { 0 };
	struct bg_elf e;
	struct bg_diag d = {};

	if (!buf)
		return 0;
	memcpy(buf, data, size);

	if (bg_go_read(buf, size, &e, &bi, &d) == BG_GO_OK) {
		print_all(&bi);
		if (bg_go_verdicts(&e, &bi, &v))
			bg_go_verdict_free(&v);
	}
	bg_go_buildinfo_free(&bi);

	/* the ELF accessors on their own, whatever the build info said */
	if (bg_elf_open(&e, buf, size) == BG_ELF_OK) {
		struct bg_elf_shdr sh;
		size_t n = 0, ilen;
		const char *ip;

		for (size_t i = 0; i < e.shnum && i < 256; i++)
			if (bg_elf_shdr(&e, i, &sh))
				n += bg_elf_section_name(&e, &sh) != NULL;
		bg_elf_needed(&e, count_cb, &n);
		bg_elf_interp(&e, &ip, &ilen);
		if (bg_go_verdicts(&e, NULL, &v))
			bg_go_verdict_free(&v);
	}

	/* modinfo lines and Go strings directly */
	memset(&bi, 0, sizeof(bi));
	if (bg_go_modinfo_parse(buf, size, &bi, &d) == BG_GO_OK)
		print_all(&bi);
	bg_go_buildinfo_free(&bi);
	if (bg_go_unquote((const char *)buf, size, &s)) {
		check_quote_roundtrip(&s);
		free(s.s);
	}
	bg_go_quoted_prefix((const char *)buf, size);

	free(buf);
	return 0;
}

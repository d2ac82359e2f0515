// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_daemon_config.c - libFuzzer target for the daemon's text inputs:
 * the configuration parser, the attach.d line parser, and what runs on
 * their results (cgroup globs, output filters), plus the cgroup-path
 * enrichment on the same bytes.
 *
 * The bytes are passed without a terminating NUL, as files are; an
 * exact-size copy lets ASan flag any read past the end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon_attachd.h"
#include "daemon_config.h"
#include "daemon_enrich.h"
#include "daemon_glob.h"

static const char *const paths[] = {
	"/", "/system.slice/nginx.service", "/kubepods/burstable/pod1/abc", "/a/b/c/d/e/f/g/h",
	"/docker/0123", "/x",
};

static void exercise_config(const struct bgd_config *c)
{
	for (unsigned i = 0; i < c->noutputs; i++)
		for (unsigned p = 0; p < sizeof(paths) / sizeof(paths[0]); p++)
			(void)bgd_filter_match(&c->out[i].filter, 1 + p % 5, p % 4, p % 6, "policy", paths[p]);
}

static void exercise_lines(const struct bgd_attachd *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		for (unsigned p = 0; p < sizeof(paths) / sizeof(paths[0]); p++) {
			(void)bgd_glob_match(s->v[i].pattern, paths[p]);
			(void)bgd_glob_could_descend(s->v[i].pattern, paths[p]);
		}
		(void)bgd_glob_literal_prefix(s->v[i].pattern);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bgd_config cfg;
	struct bgd_attachd set = {};
	char *buf = malloc(size ? size : 1), *str = malloc(size + 1);
	struct bg_diag dg = {};
	struct bgd_enrich en;

	if (!buf || !str) {
		free(buf);
		free(str);
		return 0;
	}
	memcpy(buf, data, size);
	if (bgd_config_parse(buf, size, "fuzz.conf", &cfg, &dg) == 0)
		exercise_config(&cfg);
	if (bgd_attachd_parse(buf, size, "fuzz.d/a.conf", "/etc/bpfguard/attach.d", "default.policy", &set,
			      &dg) == 0)
		exercise_lines(&set);
	bgd_attachd_free(&set);
	/* the same bytes as a cgroup path and as a glob */
	memcpy(str, data, size);
	str[size] = '\0';
	bgd_enrich_cgroup(str, &en);
	{
		char pat[BGD_GLOB_MAX];
		const char *why;

		if (bgd_glob_normalize(str, pat, sizeof(pat), &why) == 0)
			for (unsigned p = 0; p < sizeof(paths) / sizeof(paths[0]); p++)
				(void)bgd_glob_match(pat, paths[p]);
	}
	free(buf);
	free(str);
	return 0;
}

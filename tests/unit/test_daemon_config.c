// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The daemon's configuration, attach.d lines, cgroup globs and output
 * filters: every key, the defaults, and the FILE:LINE of each error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <stdio.h>
#include <unistd.h>
#include <cmocka.h>

#include "daemon_attachd.h"
#include "daemon_config.h"
#include "daemon_glob.h"
#include "mechanism.h"

static struct bgd_config *cfg;
static struct bg_diag dg;

static int setup(void **state)
{
	(void)state;
	cfg = malloc(sizeof(*cfg));
	return cfg ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(cfg);
	return 0;
}

static int parse(const char *text)
{
	dg = (struct bg_diag){ 0 };
	return bgd_config_parse(text, strlen(text), "t.conf", cfg, &dg);
}

/* parse must fail with this exact message prefix */
#define BAD(text, want) do { \
	assert_int_equal(parse(text), -1); \
	if (strncmp(dg.msg, want, strlen(want))) \
		fail_msg("error '%s', wanted it to start with '%s'", dg.msg, want); \
} while (0)

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(parse("# nothing but comments\n; and this\n\n"), 0);
	assert_int_equal(cfg->noutputs, 1); /* the default: JSON lines on stdout */
	assert_int_equal(cfg->out[0].type, BGD_OUT_STDOUT);
	assert_int_equal(cfg->out[0].format, BGD_FMT_JSON);
	assert_string_equal(cfg->metrics_listen, "");
	assert_string_equal(cfg->attach_dir, BGD_DEFAULT_ATTACH_DIR);
	assert_false(cfg->attach_dir_set);
	assert_string_equal(cfg->attach_state, BGD_DEFAULT_STATE);
	assert_int_equal(cfg->rescan, BGD_DEFAULT_RESCAN);
	assert_int_equal(cfg->rate_limit, -1);
	assert_false(cfg->program_stats);
}

static void test_missing_file(void **state)
{
	(void)state;
	assert_int_equal(bgd_config_load("/nonexistent/bpfguard.conf", true, cfg, &dg), 0);
	assert_int_equal(cfg->noutputs, 1);
	assert_int_equal(bgd_config_load("/nonexistent/bpfguard.conf", false, cfg, &dg), -1);
	assert_non_null(strstr(dg.msg, "/nonexistent/bpfguard.conf"));
}

static void test_full(void **state)
{
	static const char text[] =
		"# all keys\n"
		"[output journal]\n"
		"type = stdout\n"
		"\n"
		"[output log]\n"
		"  type=file  \n"
		"path = /var/log/bpfguard/events.json\n"
		"max_size = 10M\n"
		"keep = 7\n"
		"format = text\n"
		"filter.policy = web*, strict\n"
		"filter.action = kill errno\n"
		"filter.effect = denied\n"
		"filter.cgroup = /system.slice/*.service, kubepods/**\n"
		"filter.type = syscall,net\n"
		"[output sys]\n"
		"type = syslog\n"
		"facility = local3\n"
		"[metrics]\n"
		"listen = [::1]:9464\n"
		"program_stats = on\n"
		"[attach]\n"
		"dir = /srv/attach.d\n"
		"policy = /etc/bpfguard/default.policy\n"
		"state = /run/x.json\n"
		"rescan = 0\n"
		"[events]\n"
		"rate_limit = 1000\n";
	const struct bgd_output_cfg *o;

	(void)state;
	assert_int_equal(parse(text), 0);
	assert_int_equal(cfg->noutputs, 3);
	assert_string_equal(cfg->out[0].name, "journal");
	assert_int_equal(cfg->out[0].type, BGD_OUT_STDOUT);
	o = &cfg->out[1];
	assert_string_equal(o->name, "log");
	assert_int_equal(o->type, BGD_OUT_FILE);
	assert_int_equal(o->format, BGD_FMT_TEXT);
	assert_string_equal(o->path, "/var/log/bpfguard/events.json");
	assert_true(o->max_size == 10ULL << 20);
	assert_int_equal(o->keep, 7);
	assert_int_equal(o->filter.npolicy, 2);
	assert_string_equal(o->filter.policy[0], "web*");
	assert_string_equal(o->filter.policy[1], "strict");
	assert_int_equal(o->filter.actions, (1u << BG_VERDICT_KILL) | (1u << BG_VERDICT_ERRNO));
	assert_int_equal(o->filter.effects, BGD_EFF_DENIED);
	assert_int_equal(o->filter.ncgroup, 2);
	assert_string_equal(o->filter.cgroup[0], "system.slice/*.service"); /* normalised */
	assert_string_equal(o->filter.cgroup[1], "kubepods/**");
	assert_int_equal(o->filter.types, (1u << BG_EVENT_SYSCALL) | (1u << BG_EVENT_NET));
	assert_int_equal(cfg->out[2].type, BGD_OUT_SYSLOG);
	assert_int_equal(cfg->out[2].facility, LOG_LOCAL3);
	assert_string_equal(cfg->metrics_listen, "[::1]:9464");
	assert_true(cfg->program_stats);
	assert_string_equal(cfg->attach_dir, "/srv/attach.d");
	assert_true(cfg->attach_dir_set);
	assert_string_equal(cfg->attach_policy, "/etc/bpfguard/default.policy");
	assert_string_equal(cfg->attach_state, "/run/x.json");
	assert_int_equal(cfg->rescan, 0);
	assert_int_equal(cfg->rate_limit, 1000);
}

static void test_file_defaults(void **state)
{
	(void)state;
	assert_int_equal(parse("[output f]\ntype = file\npath = /tmp/e.json\n[output s]\ntype = syslog\n"), 0);
	assert_true(cfg->out[0].max_size == 0); /* never rotates unless asked */
	assert_int_equal(cfg->out[0].keep, 5);
	assert_int_equal(cfg->out[1].facility, LOG_DAEMON);
	assert_int_equal(parse("[output f]\ntype = file\npath = /tmp/e\nmax_size = 4KiB\n"), 0);
	assert_true(cfg->out[0].max_size == 4096);
	assert_int_equal(parse("[output f]\ntype = file\npath = /tmp/e\nmax_size = 1g\n"), 0);
	assert_true(cfg->out[0].max_size == 1ULL << 30);
	/* the journal and ECS (issue 15) */
	assert_int_equal(parse("[output j]\ntype = journal\n[output e]\ntype = file\nformat = ecs\npath = /tmp/e\n"), 0);
	assert_int_equal(cfg->out[0].type, BGD_OUT_JOURNAL);
	assert_int_equal(cfg->out[1].format, BGD_FMT_ECS);
	assert_string_equal(bgd_format_name(cfg->out[1].format), "ecs");
	BAD("[output j]\ntype = journal\npath = /tmp/x\n", "t.conf:1: [output j]: path, max_size and keep are for type = file");
	assert_int_equal(parse("[metrics]\nper_cgroup = on\n"), 0);
	assert_true(cfg->metrics_per_cgroup);
	BAD("[metrics]\nper_cgroup = maybe\n", "t.conf:2: per_cgroup 'maybe': expected on or off");
}

static void test_errors(void **state)
{
	(void)state;
	BAD("listen = 1.2.3.4:9\n", "t.conf:1: 'listen' outside a section");
	BAD("[bogus]\n", "t.conf:1: unknown section [bogus]");
	BAD("[output]\n", "t.conf:1: [output] needs a name");
	BAD("[output a b]\n", "t.conf:1: [output NAME]: the name must be one word");
	BAD("[metrics\n", "t.conf:1: malformed section header");
	BAD("[metrics] x\n", "t.conf:1: malformed section header");
	BAD("\n[output a]\ntype = stdout\n[output a]\ntype = stdout\n", "t.conf:4: [output a] defined twice (first at line 2)");
	BAD("[output a]\n# no type\n[metrics]\n", "t.conf:1: [output a] has no type");
	BAD("[output a]\ntype = file\n", "t.conf:1: [output a] is a file output without a path");
	BAD("[output a]\ntype = stdout\npath = /x\n", "t.conf:1: [output a]: path, max_size and keep are for type = file");
	BAD("[output a]\ntype = file\nfacility = local0\npath = /x\n", "t.conf:1: [output a]: facility is for type = syslog");
	BAD("[output a]\ntype = pipe\n", "t.conf:2: type 'pipe': expected stdout, file, syslog or journal");
	BAD("[output a]\ntype = stdout\ntype = stdout\n", "t.conf:3: type given twice");
	BAD("[output a]\ntype = file\npath = rel/x\n", "t.conf:3: path 'rel/x': give an absolute path");
	BAD("[output a]\ntype = file\npath = /x\nmax_size = 10X\n", "t.conf:4: max_size '10X'");
	BAD("[output a]\ntype = file\npath = /x\nmax_size = 100\n", "t.conf:4: max_size 100: at least 4096 bytes");
	BAD("[output a]\ntype = file\npath = /x\nmax_size = 99999999999999999999\n", "t.conf:4: max_size");
	BAD("[output a]\ntype = file\npath = /x\nkeep = 0\n", "t.conf:4: keep '0': expected 1..1000");
	BAD("[output a]\ntype = syslog\nfacility = kern\n", "t.conf:3: facility 'kern'");
	BAD("[output a]\ntype = stdout\nformat = xml\n", "t.conf:3: format 'xml'");
	BAD("[output a]\ntype = stdout\nfilter.action = allow\n", "t.conf:3: filter.action 'allow'");
	BAD("[output a]\ntype = stdout\nfilter.effect = none\n", "t.conf:3: filter.effect 'none'");
	BAD("[output a]\ntype = stdout\nfilter.type = file\n", "t.conf:3: filter.type 'file'");
	BAD("[output a]\ntype = stdout\nfilter.type = ,\n", "t.conf:3: filter.type: empty list");
	BAD("[output a]\ntype = stdout\nfilter.cgroup = a/../b\n", "t.conf:3: filter.cgroup 'a/../b': '.' and '..'");
	BAD("[output a]\ntype = stdout\ncolour = red\n", "t.conf:3: unknown key 'colour' in [output a]");
	BAD("[output a]\ntype = stdout\nnovalue\n", "t.conf:3: expected `key = value` or a [section]");
	BAD("[output a]\ntype = stdout\n= x\n", "t.conf:3: missing key before '='");
	BAD("[metrics]\nlisten = localhost:9464\n", "t.conf:2: listen 'localhost:9464'");
	BAD("[metrics]\nlisten = 127.0.0.1:0\n", "t.conf:2: listen");
	BAD("[metrics]\nlisten = 127.0.0.1:65536\n", "t.conf:2: listen");
	BAD("[metrics]\nlisten = [::1]9464\n", "t.conf:2: listen");
	BAD("[metrics]\nprogram_stats = maybe\n", "t.conf:2: program_stats 'maybe'");
	BAD("[metrics]\nport = 1\n", "t.conf:2: unknown key 'port' in [metrics]");
	BAD("[attach]\ndir = attach.d\n", "t.conf:2: dir 'attach.d': give an absolute path");
	BAD("[attach]\nrescan = -1\n", "t.conf:2: rescan '-1'");
	BAD("[attach]\nrescan = 86401\n", "t.conf:2: rescan '86401'");
	BAD("[events]\nrate_limit = 1000001\n", "t.conf:2: rate_limit '1000001'");
	BAD("[events]\nrate = 1\n", "t.conf:2: unknown key 'rate' in [events]");
}

static void test_bounds(void **state)
{
	char *big = malloc(8192), *many = malloc(64 * 40);
	size_t n = 0;

	(void)state;
	assert_non_null(big);
	assert_non_null(many);
	memset(big, 'a', 8191);
	big[8191] = '\0';
	BAD(big, "t.conf:1: line longer than 4096 bytes");
	free(big);
	for (int i = 0; i <= BGD_MAX_OUTPUTS; i++)
		n += (size_t)snprintf(many + n, 64 * 40 - n, "[output o%d]\ntype = stdout\n", i);
	BAD(many, "t.conf:33: more than 16 [output] sections");
	free(many);
	/* a NUL inside: not a text file; the exact length is honoured */
	assert_int_equal(bgd_config_parse("[metrics]\nli\0sten = x\n", 20, "t.conf", cfg, &dg), -1);
	assert_non_null(strstr(dg.msg, "t.conf:2: NUL byte"));
	/* nothing is kept from a bad file */
	assert_int_equal(parse("[metrics]\nlisten = 127.0.0.1:1\n[bogus]\n"), -1);
	assert_string_equal(cfg->metrics_listen, "");
}

static void test_listen(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len;

	(void)state;
	assert_int_equal(bgd_parse_listen("127.0.0.1:9464", &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(bgd_parse_listen("0.0.0.0:1", &ss, &len), 0);
	assert_int_equal(bgd_parse_listen("[::]:9464", &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(bgd_parse_listen(":9464", &ss, &len), -1);
	assert_int_equal(bgd_parse_listen("127.0.0.1", &ss, &len), -1);
	assert_int_equal(bgd_parse_listen("127.0.0.1:+9", &ss, &len), -1);
	assert_int_equal(bgd_parse_listen("::1:9464", &ss, &len), -1);
}

/* ------------------------------------------------------------------ */

static void test_glob(void **state)
{
	char out[BGD_GLOB_MAX];
	const char *why;

	(void)state;
	assert_int_equal(bgd_glob_normalize("//a//b/", out, sizeof(out), &why), 0);
	assert_string_equal(out, "a/b");
	assert_int_equal(bgd_glob_normalize("/", out, sizeof(out), &why), 0);
	assert_string_equal(out, "");
	assert_int_equal(bgd_glob_normalize("a/./b", out, sizeof(out), &why), -1);
	assert_int_equal(bgd_glob_normalize("**/**/**/**/**", out, sizeof(out), &why), -1);
	assert_int_equal(bgd_glob_normalize("**/**/**/**", out, sizeof(out), &why), 0);

	/* one component per level, FNM_PATHNAME: * never crosses a / */
	assert_true(bgd_glob_match("system.slice/*.service", "/system.slice/nginx.service"));
	assert_false(bgd_glob_match("system.slice/*.service", "/system.slice/nginx.service/sub"));
	assert_false(bgd_glob_match("*", "/a/b"));
	assert_true(bgd_glob_match("*", "a"));
	assert_true(bgd_glob_match("a/b?/[xy]", "a/b1/y"));
	assert_false(bgd_glob_match("a/b?/[xy]", "a/b1/z"));
	/* ** is any depth, none included */
	assert_true(bgd_glob_match("kubepods/**", "/kubepods"));
	assert_true(bgd_glob_match("kubepods/**", "/kubepods/burstable/pod1/abc"));
	assert_true(bgd_glob_match("**/docker-*.scope", "/system.slice/docker-1.scope"));
	assert_true(bgd_glob_match("**/docker-*.scope", "docker-1.scope"));
	assert_false(bgd_glob_match("**/docker-*.scope", "/system.slice/docker-1.scope/init"));
	assert_true(bgd_glob_match("a/**/z", "a/z"));
	assert_true(bgd_glob_match("a/**/z", "a/b/c/z"));
	assert_false(bgd_glob_match("a/**/z", "a/b/c/zz"));
	assert_true(bgd_glob_match("**", "/anything/at/all"));
	assert_true(bgd_glob_match("", "/"));
	assert_false(bgd_glob_match("", "/a"));
	assert_false(bgd_glob_match("a", "/"));

	/* could something below PATH match? */
	assert_true(bgd_glob_could_descend("a/b/*", ""));
	assert_true(bgd_glob_could_descend("a/b/*", "a"));
	assert_true(bgd_glob_could_descend("a/b/*", "a/b"));
	assert_false(bgd_glob_could_descend("a/b/*", "a/b/c"));
	assert_false(bgd_glob_could_descend("a/b/*", "x"));
	assert_true(bgd_glob_could_descend("**/x", "p/q/r"));
	assert_true(bgd_glob_could_descend("a/**", "a/b"));
	assert_false(bgd_glob_could_descend("a/**", "b"));
	assert_false(bgd_glob_could_descend("", ""));

	assert_int_equal(bgd_glob_literal_prefix("a/b/x*"), 3);
	assert_int_equal(bgd_glob_literal_prefix("*/b"), 0);
	assert_int_equal(bgd_glob_literal_prefix("a/b"), 3);
}

static void test_filter(void **state)
{
	(void)state;
	assert_int_equal(parse("[output a]\ntype = stdout\nfilter.policy = web*\nfilter.action = errno\n"
			       "filter.cgroup = system.slice/*.service\nfilter.type = net\nfilter.effect = denied\n"), 0);
	const struct bgd_filter *f = &cfg->out[0].filter;

	assert_true(bgd_filter_match(f, BG_EVENT_NET, BG_VERDICT_ERRNO, BG_EFFECT_HOOK_DENY, "webapp",
				     "/system.slice/x.service"));
	assert_false(bgd_filter_match(f, BG_EVENT_SYSCALL, BG_VERDICT_ERRNO, BG_EFFECT_HOOK_DENY, "webapp",
				      "/system.slice/x.service"));
	assert_false(bgd_filter_match(f, BG_EVENT_NET, BG_VERDICT_KILL, BG_EFFECT_HOOK_DENY, "webapp",
				      "/system.slice/x.service"));
	assert_false(bgd_filter_match(f, BG_EVENT_NET, BG_VERDICT_ERRNO, BG_EFFECT_RECORD, "webapp",
				      "/system.slice/x.service"));
	assert_false(bgd_filter_match(f, BG_EVENT_NET, BG_VERDICT_ERRNO, BG_EFFECT_HOOK_DENY, "strict",
				      "/system.slice/x.service"));
	assert_false(bgd_filter_match(f, BG_EVENT_NET, BG_VERDICT_ERRNO, BG_EFFECT_HOOK_DENY, "webapp",
				      "/user.slice/x.service"));
	/* an empty filter takes everything, odd codes included */
	assert_int_equal(parse("[output a]\ntype = stdout\n"), 0);
	assert_true(bgd_filter_match(&cfg->out[0].filter, 99, 99, 99, "", ""));
	/* effects: killed and the three deny effects */
	assert_int_equal(parse("[output a]\ntype = stdout\nfilter.effect = killed, denied\n"), 0);
	assert_true(bgd_filter_match(&cfg->out[0].filter, 1, 3, BG_EFFECT_KILL, "", ""));
	assert_true(bgd_filter_match(&cfg->out[0].filter, 1, 2, BG_EFFECT_LSM_DENY, "", ""));
	assert_true(bgd_filter_match(&cfg->out[0].filter, 1, 2, BG_EFFECT_SECCOMP_DENY, "", ""));
	assert_false(bgd_filter_match(&cfg->out[0].filter, 1, 1, BG_EFFECT_RECORD, "", ""));
}

/* ------------------------------------------------------------------ */

static int attachd(const char *text, struct bgd_attachd *set, const char *dflt)
{
	dg = (struct bg_diag){ 0 };
	return bgd_attachd_parse(text, strlen(text), "/etc/bpfguard/attach.d/10-web.conf", "/etc/bpfguard/attach.d",
				 dflt, set, &dg);
}

#define BAD_LINE(text, want) do { \
	struct bgd_attachd s_ = {}; \
	assert_int_equal(attachd(text, &s_, ""), -1); \
	assert_int_equal(s_.n, 0); \
	if (strncmp(dg.msg, "/etc/bpfguard/attach.d/10-web.conf:" want, strlen("/etc/bpfguard/attach.d/10-web.conf:" want))) \
		fail_msg("error '%s', wanted '%s'", dg.msg, want); \
	bgd_attachd_free(&s_); \
} while (0)

static void test_attachd_lines(void **state)
{
	struct bgd_attachd set = {};

	(void)state;
	assert_int_equal(attachd("# web services\n"
				 "\n"
				 "system.slice/web-*.service /etc/bpfguard/web.policy mode=audit fallback=kill\n"
				 "   /kubepods/**/cri-containerd-*.scope  pods.policy   # relative: next to the file\n"
				 "/srv strict.policy fallback=audit mode=enforce\n", &set, ""), 0);
	assert_int_equal(set.n, 3);
	assert_string_equal(set.v[0].file, "/etc/bpfguard/attach.d/10-web.conf");
	assert_int_equal(set.v[0].line, 3);
	assert_string_equal(set.v[0].pattern, "system.slice/web-*.service");
	assert_string_equal(set.v[0].policy, "/etc/bpfguard/web.policy");
	assert_int_equal(set.v[0].mode, BG_MODE_AUDIT);
	assert_int_equal(set.v[0].fallback, BG_FALLBACK_KILL);
	assert_int_equal(set.v[1].line, 4);
	assert_string_equal(set.v[1].pattern, "kubepods/**/cri-containerd-*.scope");
	assert_string_equal(set.v[1].policy, "/etc/bpfguard/attach.d/pods.policy");
	assert_int_equal(set.v[1].mode, BG_MODE_ENFORCE); /* attach's defaults */
	assert_int_equal(set.v[1].fallback, BG_FALLBACK_REFUSE);
	assert_string_equal(set.v[2].pattern, "srv");
	assert_int_equal(set.v[2].fallback, BG_FALLBACK_AUDIT);
	bgd_attachd_free(&set);

	/* the default policy of [attach] policy = */
	assert_int_equal(attachd("a mode=audit\n", &set, "/etc/bpfguard/default.policy"), 0);
	assert_string_equal(set.v[0].policy, "/etc/bpfguard/default.policy");
	bgd_attachd_free(&set);
}

static void test_attachd_errors(void **state)
{
	struct bgd_attachd set = {};
	char longp[400];

	(void)state;
	BAD_LINE("a p mode=sometimes\n", "1: 'mode=sometimes': expected mode=audit or mode=enforce");
	BAD_LINE("\n\na p fallback=ignore\n", "3: 'fallback=ignore'");
	BAD_LINE("a p mode=audit mode=enforce\n", "1: mode= given twice");
	BAD_LINE("a p fallback=kill fallback=kill\n", "1: fallback= given twice");
	BAD_LINE("a p rate=5\n", "1: unknown option 'rate=5'");
	BAD_LINE("a p q\n", "1: unexpected 'q' after the policy file");
	BAD_LINE("a mode=audit p\n", "1: policy file 'p' after the options");
	BAD_LINE("a mode=audit\n", "1: no policy file for cgroup 'a'");
	BAD_LINE("mode=audit a p\n", "1: line starts with 'mode=audit'");
	BAD_LINE("a/../b p\n", "1: cgroup 'a/../b': '.' and '..' are not allowed");
	memset(longp, 'p', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	{
		char line[512];

		snprintf(line, sizeof(line), "a /%s\n", longp);
		BAD_LINE(line, "1: policy path");
	}
	/* a file is all or nothing: the good first line is not kept */
	assert_int_equal(attachd("good p\nbad p mode=x\n", &set, ""), -1);
	assert_int_equal(set.n, 0);
	assert_non_null(strstr(dg.msg, "10-web.conf:2: "));
	/* lines of an earlier good file stay */
	assert_int_equal(attachd("good p\n", &set, ""), 0);
	assert_int_equal(attachd("x p\ny p mode=x\n", &set, ""), -1);
	assert_int_equal(set.n, 1);
	bgd_attachd_free(&set);
}

static void collect(void *ctx, const char *msg)
{
	char *buf = ctx;
	size_t n = strlen(buf);

	snprintf(buf + n, 4096 - n, "%s\n", msg);
}

static void put(const char *dir, const char *name, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A directory: files in name order, a bad file skipped and reported,
 * non-.conf files ignored, a missing directory an error. */
static void test_attachd_dir(void **state)
{
	char dir[] = "/tmp/bg-attachd-XXXXXX", msgs[4096] = "", p[512], bad[600];
	struct bgd_attachd set = {};

	(void)state;
	assert_non_null(mkdtemp(dir));
	put(dir, "20-b.conf", "b p\n");
	put(dir, "10-a.conf", "a p\n");
	put(dir, "15-bad.conf", "# comment\nx p mode=nope\n");
	put(dir, "30-c.conf.disabled", "c p\n");
	put(dir, ".hidden.conf", "h p\n");
	assert_int_equal(bgd_attachd_load(dir, "", &set, collect, msgs), 0);
	assert_true(set.read);
	assert_int_equal(set.n, 2);
	assert_string_equal(set.v[0].pattern, "a");
	assert_string_equal(set.v[1].pattern, "b");
	snprintf(p, sizeof(p), "%s/p", dir);
	assert_string_equal(set.v[0].policy, p);
	assert_int_equal(set.nbad, 1);
	snprintf(bad, sizeof(bad), "%s/15-bad.conf", dir);
	assert_true(bgd_attachd_file_bad(&set, bad));
	snprintf(bad, sizeof(bad), "%s/15-bad.conf:2: 'mode=nope'", dir);
	assert_non_null(strstr(msgs, bad));
	bgd_attachd_free(&set);
	for (const char *n = "20-b.conf\0" "10-a.conf\0" "15-bad.conf\0" "30-c.conf.disabled\0" ".hidden.conf\0"; *n;
	     n += strlen(n) + 1) {
		snprintf(p, sizeof(p), "%s/%s", dir, n);
		unlink(p);
	}
	rmdir(dir);
	assert_true(bgd_attachd_load(dir, "", &set, collect, msgs) < 0);
	assert_false(set.read);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_file_defaults),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_attachd_lines),
		cmocka_unit_test(test_attachd_errors),
		cmocka_unit_test(test_attachd_dir),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

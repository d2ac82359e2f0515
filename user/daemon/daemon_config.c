// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * daemon_config.c - parser of the daemon's configuration file
 * (daemon_config.h, docs/daemon.md).
 *
 * Hand-written because the format is tiny and every error must name its
 * FILE:LINE with a fix; there is no INI library among our dependencies.
 * Input is untrusted bytes: every copy is bounded, lines longer than
 * LINE_MAX_LEN are refused rather than cut, and nothing is kept from a
 * file with an error.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "daemon_config.h"
#include "util.h"

#define LINE_MAX_LEN 4096

enum section { SEC_NONE, SEC_OUTPUT, SEC_METRICS, SEC_ATTACH, SEC_EVENTS };

struct parser {
	const char *origin;
	unsigned line;
	struct bg_diag *diag;
	struct bgd_config *c;
	enum section sec;
	struct bgd_output_cfg *out; /* current [output] */
	unsigned seen;              /* keys given in this section (bit per key index) */
	bool type_seen;
};

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bg_diag_vat(p->diag, p->origin, p->line, fmt, ap);
	va_end(ap);
	return -1;
}

const char *bgd_out_type_name(int type)
{
	switch (type) {
	case BGD_OUT_STDOUT: return "stdout";
	case BGD_OUT_FILE: return "file";
	case BGD_OUT_SYSLOG: return "syslog";
	case BGD_OUT_JOURNAL: return "journal";
	}
	return "?";
}

const char *bgd_format_name(int format)
{
	return format == BGD_FMT_TEXT ? "text" : format == BGD_FMT_ECS ? "ecs" : "json";
}

void bgd_config_defaults(struct bgd_config *c, const char *origin)
{
	memset(c, 0, sizeof(*c));
	bg_strlcpy(c->origin, origin ? origin : "(defaults)", sizeof(c->origin));
	bg_strlcpy(c->attach_dir, BGD_DEFAULT_ATTACH_DIR, sizeof(c->attach_dir));
	bg_strlcpy(c->attach_state, BGD_DEFAULT_STATE, sizeof(c->attach_state));
	c->rescan = BGD_DEFAULT_RESCAN;
	c->rate_limit = -1;
}

static void add_default_output(struct bgd_config *c)
{
	struct bgd_output_cfg *o = &c->out[c->noutputs++];

	memset(o, 0, sizeof(*o));
	bg_strlcpy(o->name, "stdout", sizeof(o->name));
	o->type = BGD_OUT_STDOUT;
	o->format = BGD_FMT_JSON;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int bgd_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[64];
	const char *colon;
	unsigned long port;
	char *end;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':')
			return -1;
		hl = (size_t)(rb - s - 1);
		if (hl == 0 || hl >= sizeof(host))
			return -1;
		memcpy(host, s + 1, hl);
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		hl = (size_t)(colon - s);
		if (hl == 0 || hl >= sizeof(host))
			return -1;
		memcpy(host, s, hl);
	}
	host[hl] = '\0';
	if (!isdigit((unsigned char)colon[1]))
		return -1;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || port == 0 || port > 65535)
		return -1;
	if (s[0] == '[') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return -1;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return -1;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		*len = sizeof(*a);
	}
	return 0;
}

/* "100M", "64k", "1G", "4096": bytes, KiB/MiB/GiB multiples. */
static int parse_size(const char *v, unsigned long long *out)
{
	unsigned long long n, mul = 1;
	char *end;

	if (!isdigit((unsigned char)v[0]))
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno)
		return -1;
	switch (tolower((unsigned char)*end)) {
	case '\0': break;
	case 'k': mul = 1ULL << 10; end++; break;
	case 'm': mul = 1ULL << 20; end++; break;
	case 'g': mul = 1ULL << 30; end++; break;
	default: return -1;
	}
	if (mul > 1 && (!strcasecmp(end, "ib") || !strcasecmp(end, "b")))
		end += strlen(end);
	if (*end || n > (1ULL << 50) / mul)
		return -1;
	*out = n * mul;
	return 0;
}

static int parse_uint(const char *v, unsigned long max, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)v[0]))
		return -1;
	errno = 0;
	*out = strtoul(v, &end, 10);
	return errno || *end || *out > max ? -1 : 0;
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
		*out = false;
	else
		return -1;
	return 0;
}

static int parse_facility(const char *v)
{
	static const struct { const char *n; int f; } tab[] = {
		{ "daemon", LOG_DAEMON }, { "user", LOG_USER }, { "auth", LOG_AUTH },
		{ "authpriv", LOG_AUTHPRIV }, { "syslog", LOG_SYSLOG }, { "security", LOG_AUTH },
		{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
		{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
		{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(tab); i++)
		if (!strcmp(v, tab[i].n))
			return tab[i].f;
	return -1;
}

/* Splits a list value ("a, b c") into words; calls fn for each.  The
 * value is modified. */
static int each_word(struct parser *p, char *v, const char *key,
		     int (*fn)(struct parser *p, const char *key, const char *w))
{
	char *save = NULL, *w;
	unsigned n = 0;

	for (w = strtok_r(v, ", \t", &save); w; w = strtok_r(NULL, ", \t", &save)) {
		if (fn(p, key, w))
			return -1;
		n++;
	}
	if (!n)
		return fail(p, "%s: empty list; give at least one value or drop the line", key);
	return 0;
}

static int word_index(const char *w, const char *const *names, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (names[i] && !strcmp(w, names[i]))
			return (int)i;
	return -1;
}

static int filter_word(struct parser *p, const char *key, const char *w)
{
	static const char *const actions[] = { [BG_VERDICT_LOG] = "log", [BG_VERDICT_ERRNO] = "errno",
						[BG_VERDICT_KILL] = "kill" };
	static const char *const effects[] = { "recorded", "killed", "denied" };
	static const char *const types[] = { [BG_EVENT_SYSCALL] = "syscall", [BG_EVENT_NET] = "net",
					     [BG_EVENT_DEV] = "dev", [BG_EVENT_SYSCTL] = "sysctl",
					     [BG_EVENT_EXEC] = "exec" };
	struct bgd_filter *f = &p->out->filter;
	const char *why;
	int i;

	if (!strcmp(key, "filter.action")) {
		i = word_index(w, actions, ARRAY_SIZE(actions));
		if (i < 0)
			return fail(p, "filter.action '%s': expected log, errno or kill", w);
		f->actions |= 1u << i;
	} else if (!strcmp(key, "filter.effect")) {
		i = word_index(w, effects, ARRAY_SIZE(effects));
		if (i < 0)
			return fail(p, "filter.effect '%s': expected recorded, killed or denied", w);
		f->effects |= 1u << i;
	} else if (!strcmp(key, "filter.type")) {
		i = word_index(w, types, ARRAY_SIZE(types));
		if (i < 0)
			return fail(p, "filter.type '%s': expected syscall, net, dev, sysctl or exec", w);
		f->types |= 1u << i;
	} else if (!strcmp(key, "filter.policy")) {
		if (f->npolicy >= BGD_FILTER_MAX)
			return fail(p, "filter.policy: more than %d names; use a glob", BGD_FILTER_MAX);
		if (!bg_strlcpy(f->policy[f->npolicy], w, sizeof(f->policy[0])))
			return fail(p, "filter.policy '%.80s': longer than %d bytes", w, BG_NAME_MAX - 1);
		f->npolicy++;
	} else { /* filter.cgroup */
		if (f->ncgroup >= BGD_FILTER_MAX)
			return fail(p, "filter.cgroup: more than %d patterns; use a glob", BGD_FILTER_MAX);
		if (bgd_glob_normalize(w, f->cgroup[f->ncgroup], sizeof(f->cgroup[0]), &why))
			return fail(p, "filter.cgroup '%.80s': %s", w, why);
		f->ncgroup++;
	}
	return 0;
}

/* Bit per key of a section, so a key given twice is an error. */
static int once(struct parser *p, unsigned bit, const char *key)
{
	if (p->seen & (1u << bit))
		return fail(p, "%s given twice in this section; keep one", key);
	p->seen |= 1u << bit;
	return 0;
}

static int output_key(struct parser *p, const char *key, char *v)
{
	static const char *const keys[] = { "type", "format", "path", "max_size", "keep", "facility",
					    "filter.policy", "filter.action", "filter.effect",
					    "filter.cgroup", "filter.type" };
	struct bgd_output_cfg *o = p->out;
	unsigned long n;
	int k = word_index(key, keys, ARRAY_SIZE(keys));

	if (k < 0)
		return fail(p, "unknown key '%.64s' in [output %s]; expected one of type, format, path, max_size, "
			    "keep, facility, filter.policy, filter.action, filter.effect, filter.cgroup, filter.type",
			    key, o->name);
	if (once(p, (unsigned)k, key))
		return -1;
	switch (k) {
	case 0:
		if (!strcmp(v, "stdout"))
			o->type = BGD_OUT_STDOUT;
		else if (!strcmp(v, "file"))
			o->type = BGD_OUT_FILE;
		else if (!strcmp(v, "syslog"))
			o->type = BGD_OUT_SYSLOG;
		else if (!strcmp(v, "journal"))
			o->type = BGD_OUT_JOURNAL;
		else
			return fail(p, "type '%.64s': expected stdout, file, syslog or journal", v);
		p->type_seen = true;
		return 0;
	case 1:
		if (!strcmp(v, "json"))
			o->format = BGD_FMT_JSON;
		else if (!strcmp(v, "text"))
			o->format = BGD_FMT_TEXT;
		else if (!strcmp(v, "ecs"))
			o->format = BGD_FMT_ECS;
		else
			return fail(p, "format '%.64s': expected json, ecs or text", v);
		return 0;
	case 2:
		if (v[0] != '/')
			return fail(p, "path '%.200s': give an absolute path", v);
		if (!bg_strlcpy(o->path, v, sizeof(o->path) - 16)) /* room for .N */
			return fail(p, "path: longer than %d bytes", PATH_MAX - 17);
		return 0;
	case 3:
		if (parse_size(v, &o->max_size))
			return fail(p, "max_size '%.64s': expected bytes with an optional K, M or G suffix (0 = never rotate)", v);
		if (o->max_size && o->max_size < 4096)
			return fail(p, "max_size %llu: at least 4096 bytes (or 0 = never rotate)", o->max_size);
		return 0;
	case 4:
		if (parse_uint(v, 1000, &n) || n == 0)
			return fail(p, "keep '%.64s': expected 1..1000 rotated files", v);
		o->keep = (unsigned)n;
		return 0;
	case 5:
		o->facility = parse_facility(v);
		if (o->facility < 0)
			return fail(p, "facility '%.64s': expected daemon, user, auth, authpriv, syslog or local0..local7", v);
		return 0;
	default:
		return each_word(p, v, key, filter_word);
	}
}

/* A finished [output] section: what its type needs. */
static int output_end(struct parser *p)
{
	struct bgd_output_cfg *o = p->out;
	unsigned line = p->line;
	int ret = 0;

	if (!o)
		return 0;
	p->line = o->line;
	if (!p->type_seen)
		ret = fail(p, "[output %s] has no type; add `type = stdout`, `file`, `syslog` or `journal`", o->name);
	else if (o->type == BGD_OUT_FILE && !o->path[0])
		ret = fail(p, "[output %s] is a file output without a path; add `path = /var/log/bpfguard/events.json`", o->name);
	else if (o->type != BGD_OUT_FILE && (o->path[0] || o->max_size || o->keep))
		ret = fail(p, "[output %s]: path, max_size and keep are for type = file", o->name);
	else if (o->type != BGD_OUT_SYSLOG && (p->seen & (1u << 5)))
		ret = fail(p, "[output %s]: facility is for type = syslog", o->name);
	if (o->type == BGD_OUT_FILE && !o->keep)
		o->keep = 5;
	if (o->type == BGD_OUT_SYSLOG && !(p->seen & (1u << 5)))
		o->facility = LOG_DAEMON;
	p->line = line;
	p->out = NULL;
	return ret;
}

static int section_header(struct parser *p, char *s)
{
	char *end = strchr(s, ']'), *name;

	if (output_end(p))
		return -1;
	if (!end || *trim(end + 1))
		return fail(p, "malformed section header; expected [output NAME], [metrics], [attach] or [events]");
	*end = '\0';
	s = trim(s + 1);
	p->seen = 0;
	p->type_seen = false;
	if (!strcmp(s, "metrics")) {
		p->sec = SEC_METRICS;
	} else if (!strcmp(s, "attach")) {
		p->sec = SEC_ATTACH;
	} else if (!strcmp(s, "events")) {
		p->sec = SEC_EVENTS;
	} else if (!strncmp(s, "output", 6) && (s[6] == ' ' || s[6] == '\t')) {
		name = trim(s + 6);
		if (!*name || strpbrk(name, " \t\"\\"))
			return fail(p, "[output NAME]: the name must be one word");
		if (strlen(name) >= BGD_NAME_MAX)
			return fail(p, "[output %.40s...]: name longer than %d bytes", name, BGD_NAME_MAX - 1);
		for (unsigned i = 0; i < p->c->noutputs; i++)
			if (!strcmp(p->c->out[i].name, name))
				return fail(p, "[output %s] defined twice (first at line %u); rename one",
					    name, p->c->out[i].line);
		if (p->c->noutputs >= BGD_MAX_OUTPUTS)
			return fail(p, "more than %d [output] sections", BGD_MAX_OUTPUTS);
		p->out = &p->c->out[p->c->noutputs++];
		memset(p->out, 0, sizeof(*p->out));
		bg_strlcpy(p->out->name, name, sizeof(p->out->name));
		p->out->line = p->line;
		p->sec = SEC_OUTPUT;
	} else if (!strcmp(s, "output")) {
		return fail(p, "[output] needs a name: [output NAME]");
	} else {
		return fail(p, "unknown section [%.64s]; expected [output NAME], [metrics], [attach] or [events]", s);
	}
	return 0;
}

static int simple_key(struct parser *p, const char *key, char *v)
{
	struct bgd_config *c = p->c;
	unsigned long n;

	switch (p->sec) {
	case SEC_METRICS:
		if (!strcmp(key, "listen")) {
			struct sockaddr_storage ss;
			socklen_t len;

			if (once(p, 0, key))
				return -1;
			if (!strcmp(v, "off") || !strcmp(v, "")) {
				c->metrics_listen[0] = '\0';
				return 0;
			}
			if (strlen(v) >= sizeof(c->metrics_listen) || bgd_parse_listen(v, &ss, &len))
				return fail(p, "listen '%.64s': expected ADDRESS:PORT, e.g. 127.0.0.1:9464 or [::1]:9464", v);
			bg_strlcpy(c->metrics_listen, v, sizeof(c->metrics_listen));
			return 0;
		}
		if (!strcmp(key, "program_stats")) {
			if (once(p, 1, key))
				return -1;
			if (parse_bool(v, &c->program_stats))
				return fail(p, "program_stats '%.64s': expected on or off", v);
			return 0;
		}
		if (!strcmp(key, "per_cgroup")) {
			if (once(p, 2, key))
				return -1;
			if (parse_bool(v, &c->metrics_per_cgroup))
				return fail(p, "per_cgroup '%.64s': expected on or off", v);
			return 0;
		}
		return fail(p, "unknown key '%.64s' in [metrics]; expected listen, program_stats or per_cgroup", key);
	case SEC_ATTACH:
		if (!strcmp(key, "dir") || !strcmp(key, "policy") || !strcmp(key, "state")) {
			char *dst = key[0] == 'd' ? c->attach_dir : key[0] == 'p' ? c->attach_policy : c->attach_state;

			if (once(p, key[0] == 'd' ? 0 : key[0] == 'p' ? 1 : 2, key))
				return -1;
			if (v[0] != '/')
				return fail(p, "%s '%.200s': give an absolute path", key, v);
			if (!bg_strlcpy(dst, v, key[0] == 'p' ? BG_PATH_MAX : PATH_MAX - 64))
				return fail(p, "%s: path too long", key);
			if (key[0] == 'd')
				c->attach_dir_set = true;
			return 0;
		}
		if (!strcmp(key, "rescan")) {
			if (once(p, 3, key))
				return -1;
			if (parse_uint(v, 86400, &n))
				return fail(p, "rescan '%.64s': expected seconds, 0..86400 (0 = inotify only)", v);
			c->rescan = (unsigned)n;
			return 0;
		}
		return fail(p, "unknown key '%.64s' in [attach]; expected dir, policy, state or rescan", key);
	case SEC_EVENTS:
		if (!strcmp(key, "rate_limit")) {
			if (once(p, 0, key))
				return -1;
			if (parse_uint(v, 1000000, &n))
				return fail(p, "rate_limit '%.64s': expected events per second per cgroup, 0..1000000 (0 = no limit)", v);
			c->rate_limit = (long)n;
			return 0;
		}
		return fail(p, "unknown key '%.64s' in [events]; expected rate_limit", key);
	default:
		return fail(p, "'%.64s' outside a section; put it under [output NAME], [metrics], [attach] or [events]", key);
	}
}

static int parse_line(struct parser *p, char *s)
{
	char *eq, *key, *val;

	s = trim(s);
	if (!*s || *s == '#' || *s == ';')
		return 0;
	if (*s == '[')
		return section_header(p, s);
	eq = strchr(s, '=');
	if (!eq)
		return fail(p, "expected `key = value` or a [section]");
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (!*key)
		return fail(p, "missing key before '='");
	if (p->sec == SEC_OUTPUT)
		return output_key(p, key, val);
	return simple_key(p, key, val);
}

int bgd_config_parse(const char *buf, size_t len, const char *origin, struct bgd_config *c,
		     struct bg_diag *diag)
{
	struct parser p = { .origin = origin, .diag = diag, .c = c };
	char *line = malloc(LINE_MAX_LEN + 1);
	size_t off = 0;
	int ret = 0;

	bgd_config_defaults(c, origin);
	if (!line) {
		bg_diag_set(diag, "%s: out of memory", origin);
		return -1;
	}
	while (off < len && !ret) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;

		p.line++;
		if (n > LINE_MAX_LEN) {
			ret = fail(&p, "line longer than %d bytes", LINE_MAX_LEN);
			break;
		}
		if (memchr(buf + off, '\0', n)) {
			ret = fail(&p, "NUL byte; this is not a text file");
			break;
		}
		memcpy(line, buf + off, n);
		line[n] = '\0';
		ret = parse_line(&p, line);
		off += n + (nl ? 1 : 0);
	}
	if (!ret)
		ret = output_end(&p);
	free(line);
	if (ret) {
		bgd_config_defaults(c, origin); /* nothing from a bad file */
		return -1;
	}
	if (!c->noutputs)
		add_default_output(c);
	return 0;
}

int bgd_config_load(const char *path, bool missing_ok, struct bgd_config *c, struct bg_diag *diag)
{
	size_t len;
	char *buf;
	int ret = bg_read_file(path, 1 << 20, &buf, &len);

	if (ret == -ENOENT && missing_ok) {
		bgd_config_defaults(c, "(defaults)");
		add_default_output(c);
		return 0;
	}
	if (ret) {
		bg_diag_set(diag, "cannot read config %s: %s; %s", path, strerror(-ret),
			    ret == -EFBIG ? "it is larger than 1 MiB" : "give an existing file with --config");
		return -1;
	}
	ret = bgd_config_parse(buf, len, path, c, diag);
	free(buf);
	return ret;
}

static unsigned effect_bit(unsigned effect)
{
	switch (effect) {
	case BG_EFFECT_RECORD: return BGD_EFF_RECORDED;
	case BG_EFFECT_KILL: return BGD_EFF_KILLED;
	case BG_EFFECT_LSM_DENY:
	case BG_EFFECT_HOOK_DENY:
	case BG_EFFECT_SECCOMP_DENY: return BGD_EFF_DENIED;
	}
	return 0;
}

bool bgd_filter_match(const struct bgd_filter *f, unsigned type, unsigned verdict, unsigned effect,
		      const char *policy, const char *cgroup)
{
	bool ok;

	if (f->actions && (verdict >= 32 || !(f->actions & (1u << verdict))))
		return false;
	if (f->effects && !(f->effects & effect_bit(effect)))
		return false;
	if (f->types && (type >= 32 || !(f->types & (1u << type))))
		return false;
	if (f->npolicy) {
		ok = false;
		for (unsigned i = 0; i < f->npolicy && !ok; i++)
			ok = fnmatch(f->policy[i], policy, 0) == 0;
		if (!ok)
			return false;
	}
	if (f->ncgroup) {
		ok = false;
		for (unsigned i = 0; i < f->ncgroup && !ok; i++)
			ok = bgd_glob_match(f->cgroup[i], cgroup);
		if (!ok)
			return false;
	}
	return true;
}

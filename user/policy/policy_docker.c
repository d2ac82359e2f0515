/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * policy_docker.c - Docker (moby) and OCI runtime-spec seccomp profiles.
 *
 * The goal is to enforce what `docker run` would enforce for a default
 * container on this host, so conditional parts are resolved the way moby
 * resolves them (profiles/seccomp/seccomp_linux.go):
 *   - the native architecture is amd64;
 *   - the capability set is Docker's default container set;
 *   - minKernel is compared with the running kernel's release;
 *   - includes.caps needs every listed capability, excludes.caps any one.
 * Actions map the way runc maps them (an ERRNO rule without errnoRet
 * returns EPERM; defaultErrnoRet applies to the default action only).
 *
 * JSON parsing is json-c: a hand-written parser for untrusted input is a
 * liability, and json-c is already a dependency of the loader.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "policy.h"
#include "syscalls.h"

/* Docker's default capability set for a container (moby oci/caps/defaults.go). */
static const char *const docker_default_caps[] = {
	"CAP_CHOWN",	"CAP_DAC_OVERRIDE", "CAP_FSETID",	    "CAP_FOWNER",
	"CAP_MKNOD",	"CAP_NET_RAW",	    "CAP_SETGID",	    "CAP_SETUID",
	"CAP_SETFCAP",	"CAP_SETPCAP",	    "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
	"CAP_KILL",	"CAP_AUDIT_WRITE",  NULL,
};

struct kver {
	unsigned major, minor, patch;
};

struct docker_parser {
	const char *origin;
	struct bg_diag *d;
	struct bg_policy *p;
	bool ia32;          /* rules apply to the i386 table too */
	bool saw_docker_only; /* archMap / includes / excludes: Docker, not OCI */
	struct kver kernel;
	char where[64];     /* "syscalls[3]" for messages */
};

__attribute__((format(printf, 2, 3)))
static int derr(struct docker_parser *dp, const char *fmt, ...)
{
	char what[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	bg_diag_at(dp->d, dp->origin, 0, "%s", what);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Small JSON helpers (json-c returns NULL for absent keys) */

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static bool is_type(struct json_object *o, enum json_type t)
{
	return o && json_object_is_type(o, t);
}

static bool string_in_array(struct json_object *arr, const char *s)
{
	size_t n = json_object_array_length(arr);
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		if (is_type(e, json_type_string) && strcmp(json_object_get_string(e), s) == 0)
			return true;
	}
	return false;
}

/* An array of strings, or absent (NULL).  Anything else is an error. */
static int string_array(struct docker_parser *dp, struct json_object *o, const char *key,
			struct json_object **out)
{
	struct json_object *v = get(o, key);
	*out = NULL;
	if (!v || is_type(v, json_type_null))
		return 0;
	if (!is_type(v, json_type_array))
		return derr(dp, "%s.%s must be an array of strings; fix the profile", dp->where, key);
	size_t n = json_object_array_length(v);
	for (size_t i = 0; i < n; i++)
		if (!is_type(json_object_array_get_idx(v, i), json_type_string))
			return derr(dp, "%s.%s[%zu] must be a string; fix the profile", dp->where,
				    key, i);
	*out = v;
	return 0;
}

/* Unsigned integer up to 64 bits (personality's 4294967295, masks ...). */
static int get_u64(struct docker_parser *dp, struct json_object *o, const char *key,
		   uint64_t *out, bool *present)
{
	struct json_object *v = get(o, key);
	*present = false;
	*out = 0;
	if (!v || is_type(v, json_type_null))
		return 0;
	if (!is_type(v, json_type_int))
		return derr(dp, "%s.%s must be an integer; fix the profile", dp->where, key);
	/* json-c keeps values above INT64_MAX as uint64; negatives are errors. */
	if (json_object_get_int64(v) < 0 && json_object_get_uint64(v) == 0)
		return derr(dp, "%s.%s must not be negative; fix the profile", dp->where, key);
	*out = json_object_get_uint64(v);
	*present = true;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Actions */

static int map_action(struct docker_parser *dp, const char *name, bool has_errno,
		      uint64_t err, struct bg_action *a)
{
	memset(a, 0, sizeof(*a));
	if (strcmp(name, "SCMP_ACT_ALLOW") == 0) {
		a->verdict = BG_VERDICT_ALLOW;
	} else if (strcmp(name, "SCMP_ACT_LOG") == 0) {
		a->verdict = BG_VERDICT_LOG;
	} else if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0 ||
		   strcmp(name, "SCMP_ACT_KILL_THREAD") == 0) {
		a->verdict = BG_VERDICT_KILL;
	} else if (strcmp(name, "SCMP_ACT_TRAP") == 0) {
		bg_diag_warn(dp->d, "%s: %s: SCMP_ACT_TRAP (SIGSYS) is enforced as kill", dp->origin,
			     dp->where);
		a->verdict = BG_VERDICT_KILL;
	} else if (strcmp(name, "SCMP_ACT_TRACE") == 0 || strcmp(name, "SCMP_ACT_NOTIFY") == 0) {
		bg_diag_warn(dp->d, "%s: %s: %s needs a tracer/supervisor bpfguard does not have; "
			     "enforced as errno(EPERM)", dp->origin, dp->where, name);
		a->verdict = BG_VERDICT_ERRNO;
		a->err = EPERM;
	} else if (strcmp(name, "SCMP_ACT_ERRNO") == 0) {
		if (has_errno && (err < 1 || err > 4095))
			return derr(dp, "%s: errno %llu out of range; use 1..4095", dp->where,
				    (unsigned long long)err);
		a->verdict = BG_VERDICT_ERRNO;
		a->err = has_errno ? (uint16_t)err : EPERM;
	} else {
		return derr(dp, "%s: unknown action '%.64s'; use SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, "
			    "SCMP_ACT_KILL_PROCESS, SCMP_ACT_LOG ...", dp->where, name);
	}
	return 0;
}

/* "action" + "errnoRet"-style key of an object. */
static int parse_action(struct docker_parser *dp, struct json_object *o, const char *act_key,
			const char *err_key, struct bg_action *a)
{
	struct json_object *act = get(o, act_key);
	if (!is_type(act, json_type_string))
		return derr(dp, "%s.%s missing or not a string; set it to e.g. SCMP_ACT_ERRNO",
			    dp->where, act_key);
	uint64_t err;
	bool has_err;
	if (get_u64(dp, o, err_key, &err, &has_err) < 0)
		return -1;
	return map_action(dp, json_object_get_string(act), has_err, err, a);
}

/* ------------------------------------------------------------------ */
/* Architectures */

/* Docker: archMap entry for SCMP_ARCH_X86_64 lists SCMP_ARCH_X86 among its
 * subArchitectures.  OCI (and old Docker): flat "architectures". */
static int parse_arches(struct docker_parser *dp, struct json_object *root)
{
	struct json_object *map = get(root, "archMap");
	if (map && !is_type(map, json_type_null)) {
		dp->saw_docker_only = true;
		if (!is_type(map, json_type_array))
			return derr(dp, "archMap must be an array; fix the profile");
		size_t n = json_object_array_length(map);
		for (size_t i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(map, i);
			struct json_object *arch = is_type(e, json_type_object) ? get(e, "architecture") : NULL;
			if (!is_type(arch, json_type_string) ||
			    strcmp(json_object_get_string(arch), "SCMP_ARCH_X86_64") != 0)
				continue;
			struct json_object *subs;
			snprintf(dp->where, sizeof(dp->where), "archMap[%zu]", i);
			if (string_array(dp, e, "subArchitectures", &subs) < 0)
				return -1;
			if (subs && string_in_array(subs, "SCMP_ARCH_X86"))
				dp->ia32 = true;
		}
	}
	struct json_object *flat;
	snprintf(dp->where, sizeof(dp->where), "profile");
	if (string_array(dp, root, "architectures", &flat) < 0)
		return -1;
	if (flat && string_in_array(flat, "SCMP_ARCH_X86"))
		dp->ia32 = true;
	return 0;
}

/* ------------------------------------------------------------------ */
/* includes / excludes */

static int parse_kver(const char *s, struct kver *v)
{
	char *end;
	memset(v, 0, sizeof(*v));
	if (*s < '0' || *s > '9')
		return -1;
	v->major = (unsigned)strtoul(s, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		return -1;
	v->minor = (unsigned)strtoul(end + 1, &end, 10);
	if (*end == '.' && end[1] >= '0' && end[1] <= '9')
		v->patch = (unsigned)strtoul(end + 1, &end, 10);
	return 0;
}

static int kver_cmp(const struct kver *a, const struct kver *b)
{
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	if (a->patch != b->patch)
		return a->patch < b->patch ? -1 : 1;
	return 0;
}

static bool has_default_cap(const char *cap)
{
	for (const char *const *c = docker_default_caps; *c; c++)
		if (strcmp(*c, cap) == 0)
			return true;
	return false;
}

static bool native_arch(const char *arch)
{
	/* Docker compares with Go's runtime.GOARCH. */
	return strcmp(arch, "amd64") == 0 || strcmp(arch, "x86_64") == 0;
}

struct filter_view {
	struct json_object *arches, *caps;
	bool has_kernel;
	struct kver kernel;
};

static int parse_filter(struct docker_parser *dp, struct json_object *rule, const char *key,
			struct filter_view *f)
{
	memset(f, 0, sizeof(*f));
	struct json_object *o = get(rule, key);
	if (!o || is_type(o, json_type_null))
		return 0;
	if (!is_type(o, json_type_object))
		return derr(dp, "%s.%s must be an object; fix the profile", dp->where, key);
	dp->saw_docker_only = true;
	if (string_array(dp, o, "arches", &f->arches) < 0 || string_array(dp, o, "caps", &f->caps) < 0)
		return -1;
	struct json_object *mk = get(o, "minKernel");
	if (mk && !is_type(mk, json_type_null)) {
		if (!is_type(mk, json_type_string) || parse_kver(json_object_get_string(mk), &f->kernel) < 0)
			return derr(dp, "%s.%s.minKernel must be a string like \"4.8\"; fix the profile",
				    dp->where, key);
		f->has_kernel = true;
	}
	return 0;
}

static bool any_arch_native(struct json_object *arches)
{
	size_t n = json_object_array_length(arches);
	for (size_t i = 0; i < n; i++)
		if (native_arch(json_object_get_string(json_object_array_get_idx(arches, i))))
			return true;
	return false;
}

/* Mirrors moby's loop: excludes first (any match skips), then includes
 * (every condition must hold). */
static int rule_applies(struct docker_parser *dp, struct json_object *rule, bool *applies)
{
	struct filter_view inc, exc;
	*applies = false;
	if (parse_filter(dp, rule, "includes", &inc) < 0 || parse_filter(dp, rule, "excludes", &exc) < 0)
		return -1;
	if (exc.arches && any_arch_native(exc.arches))
		return 0;
	if (exc.caps) {
		size_t n = json_object_array_length(exc.caps);
		for (size_t i = 0; i < n; i++)
			if (has_default_cap(json_object_get_string(json_object_array_get_idx(exc.caps, i))))
				return 0;
	}
	if (exc.has_kernel && kver_cmp(&dp->kernel, &exc.kernel) >= 0)
		return 0;
	if (inc.arches && json_object_array_length(inc.arches) && !any_arch_native(inc.arches))
		return 0;
	if (inc.caps) {
		size_t n = json_object_array_length(inc.caps);
		for (size_t i = 0; i < n; i++)
			if (!has_default_cap(json_object_get_string(json_object_array_get_idx(inc.caps, i))))
				return 0;
	}
	if (inc.has_kernel && kver_cmp(&dp->kernel, &inc.kernel) < 0)
		return 0;
	*applies = true;
	return 0;
}

/* ------------------------------------------------------------------ */
/* args */

static int parse_op(struct docker_parser *dp, const char *s, uint8_t *op)
{
	static const struct {
		const char *name;
		uint8_t op;
	} ops[] = {
		{ "SCMP_CMP_EQ", BG_OP_EQ }, { "SCMP_CMP_NE", BG_OP_NE },
		{ "SCMP_CMP_LT", BG_OP_LT }, { "SCMP_CMP_LE", BG_OP_LE },
		{ "SCMP_CMP_GT", BG_OP_GT }, { "SCMP_CMP_GE", BG_OP_GE },
		{ "SCMP_CMP_MASKED_EQ", BG_OP_MASKED_EQ },
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(ops[i].name, s) == 0) {
			*op = ops[i].op;
			return 0;
		}
	}
	return derr(dp, "%s: unknown op '%.64s'; use SCMP_CMP_EQ, NE, LT, LE, GT, GE or MASKED_EQ",
		    dp->where, s);
}

static int parse_arg(struct docker_parser *dp, struct json_object *a, struct bg_cond *c)
{
	uint64_t index, value, value2;
	bool has_index, has_value, has_value2;
	memset(c, 0, sizeof(*c));
	if (!is_type(a, json_type_object))
		return derr(dp, "%s must be an object {index, value, valueTwo, op}; fix the profile",
			    dp->where);
	if (get_u64(dp, a, "index", &index, &has_index) < 0 ||
	    get_u64(dp, a, "value", &value, &has_value) < 0 ||
	    get_u64(dp, a, "valueTwo", &value2, &has_value2) < 0)
		return -1;
	if (!has_index || index > 5)
		return derr(dp, "%s.index missing or not 0..5; fix the profile", dp->where);
	struct json_object *op = get(a, "op");
	if (!is_type(op, json_type_string))
		return derr(dp, "%s.op missing; set it to e.g. SCMP_CMP_EQ", dp->where);
	if (parse_op(dp, json_object_get_string(op), &c->op) < 0)
		return -1;
	c->arg = (uint8_t)index;
	if (c->op == BG_OP_MASKED_EQ) {
		/* libseccomp's SCMP_A0(SCMP_CMP_MASKED_EQ, mask, datum). */
		c->mask = value;
		c->val = value2;
	} else {
		c->val = value;
	}
	return 0;
}

static int parse_args(struct docker_parser *dp, struct json_object *rule, struct bg_rule *r)
{
	struct json_object *args = get(rule, "args");
	if (!args || is_type(args, json_type_null))
		return 0;
	if (!is_type(args, json_type_array))
		return derr(dp, "%s.args must be an array; fix the profile", dp->where);
	size_t n = json_object_array_length(args);
	if (n > BG_MAX_CONDS)
		return derr(dp, "%s: %zu args conditions, at most %d supported; split the rule",
			    dp->where, n, BG_MAX_CONDS);
	size_t base = strlen(dp->where);
	for (size_t i = 0; i < n; i++) {
		snprintf(dp->where + base, sizeof(dp->where) - base, ".args[%zu]", i);
		if (parse_arg(dp, json_object_array_get_idx(args, i), &r->cond[i]) < 0)
			return -1;
	}
	dp->where[base] = '\0';
	r->ncond = (unsigned)n;
	return 0;
}

/* ------------------------------------------------------------------ */
/* syscalls[] */

static int add_one(struct docker_parser *dp, int abi, int nr, const struct bg_rule *r)
{
	int e = bg_policy_add(dp->p, abi, nr, r);
	/* A profile has no groups: every name is written out. */
	dp->p->sys[abi][nr].named = true;
	if (e == -EEXIST) {
		/* Later wins, as in libseccomp where the last rule added for
		 * a syscall replaces the earlier action. */
		char was[32], now[32];
		struct bg_sysrules *s = &dp->p->sys[abi][nr];
		bg_diag_warn(dp->d, "%s: %s: %s%s was %s, now %s (the later rule wins)",
			     dp->origin, dp->where, abi == BG_ABI_IA32 ? "ia32:" : "",
			     bg_syscall_name(abi, nr), bg_action_str(&s->base, was, sizeof(was)),
			     bg_action_str(&r->action, now, sizeof(now)));
		s->base = r->action;
		return 0;
	}
	if (e == -E2BIG)
		return derr(dp, "%s: more than %d conditional rules for %s; merge some",
			    dp->where, BG_MAX_ARGRULES, bg_syscall_name(abi, nr));
	if (e < 0)
		return derr(dp, "%s: cannot add rule (%s); report this bug", dp->where, strerror(-e));
	return 0;
}

static int add_name(struct docker_parser *dp, const char *name, const struct bg_rule *r)
{
	int nr64 = bg_syscall_nr(BG_ABI_X86_64, name);
	int nr32 = bg_syscall_nr(BG_ABI_IA32, name);
	if (nr64 < 0 && nr32 < 0) {
		/* Profiles name syscalls of every architecture and of newer
		 * kernels; skipping is what runc does, but say so. */
		bg_diag_warn(dp->d, "%s: %s: unknown syscall '%.64s' skipped", dp->origin,
			     dp->where, name);
		return 0;
	}
	if (nr64 >= 0 && add_one(dp, BG_ABI_X86_64, nr64, r) < 0)
		return -1;
	if (dp->ia32 && nr32 >= 0 && add_one(dp, BG_ABI_IA32, nr32, r) < 0)
		return -1;
	return 0;
}

static int parse_syscall_entry(struct docker_parser *dp, struct json_object *e)
{
	if (!is_type(e, json_type_object))
		return derr(dp, "%s must be an object; fix the profile", dp->where);
	bool applies;
	if (rule_applies(dp, e, &applies) < 0)
		return -1;
	if (!applies)
		return 0;
	struct bg_rule r = { 0 };
	if (parse_action(dp, e, "action", "errnoRet", &r.action) < 0 || parse_args(dp, e, &r) < 0)
		return -1;

	struct json_object *names, *legacy = get(e, "name");
	if (string_array(dp, e, "names", &names) < 0)
		return -1;
	if (names) {
		size_t n = json_object_array_length(names);
		for (size_t i = 0; i < n; i++)
			if (add_name(dp, json_object_get_string(json_object_array_get_idx(names, i)), &r) < 0)
				return -1;
		return 0;
	}
	if (is_type(legacy, json_type_string))
		return add_name(dp, json_object_get_string(legacy), &r);
	return derr(dp, "%s has no 'names'; list the syscalls it applies to", dp->where);
}

static int parse_syscalls(struct docker_parser *dp, struct json_object *root)
{
	struct json_object *calls = get(root, "syscalls");
	if (!calls || is_type(calls, json_type_null))
		return 0;
	if (!is_type(calls, json_type_array))
		return derr(dp, "syscalls must be an array; fix the profile");
	size_t n = json_object_array_length(calls);
	for (size_t i = 0; i < n; i++) {
		snprintf(dp->where, sizeof(dp->where), "syscalls[%zu]", i);
		if (parse_syscall_entry(dp, json_object_array_get_idx(calls, i)) < 0)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Top level */

static void running_kernel(struct kver *v)
{
	struct utsname u;
	memset(v, 0, sizeof(*v));
	if (uname(&u) == 0)
		parse_kver(u.release, v);
}

/* Line of a byte offset, for JSON syntax errors. */
static unsigned line_of(const char *buf, size_t len, size_t off)
{
	unsigned line = 1;
	for (size_t i = 0; i < off && i < len; i++)
		line += buf[i] == '\n';
	return line;
}

static struct json_object *parse_json(struct docker_parser *dp, const char *buf, size_t len)
{
	if (len > INT32_MAX) {
		derr(dp, "profile too large; this is not a seccomp profile");
		return NULL;
	}
	/* json-c rejects a UTF-8 byte order mark; editors on Windows add one. */
	size_t skip = len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	struct json_tokener *tok = json_tokener_new();
	if (!tok) {
		derr(dp, "out of memory; free some memory");
		return NULL;
	}
	struct json_object *root = json_tokener_parse_ex(tok, buf + skip, (int)(len - skip));
	enum json_tokener_error err = json_tokener_get_error(tok);
	size_t end = skip + json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!root || err != json_tokener_success) {
		json_object_put(root);
		bg_diag_at(dp->d, dp->origin, line_of(buf, len, end), "invalid JSON (%s); fix the syntax",
			   err == json_tokener_continue ? "unexpected end of input"
							: json_tokener_error_desc(err));
		return NULL;
	}
	for (size_t i = end; i < len; i++) {
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n' && buf[i] != '\r') {
			json_object_put(root);
			bg_diag_at(dp->d, dp->origin, line_of(buf, len, i),
				   "text after the JSON object; remove it");
			return NULL;
		}
	}
	return root;
}

static int parse_name_and_default(struct docker_parser *dp, struct json_object *root)
{
	struct json_object *name = get(root, "name");
	if (is_type(name, json_type_string)) {
		if (!bg_policy_name_valid(json_object_get_string(name)))
			return derr(dp, "name '%.64s' is not a valid policy name; use 1..63 of "
				    "A-Z a-z 0-9 . _ -", json_object_get_string(name));
		snprintf(dp->p->name, sizeof(dp->p->name), "%s", json_object_get_string(name));
	}
	snprintf(dp->where, sizeof(dp->where), "profile");
	return parse_action(dp, root, "defaultAction", "defaultErrnoRet", &dp->p->dflt);
}

static int parse_profile(struct docker_parser *dp, const char *buf, size_t len)
{
	struct json_object *root = parse_json(dp, buf, len);
	if (!root)
		return -1;
	int r = -1;
	if (!is_type(root, json_type_object)) {
		derr(dp, "a seccomp profile is a JSON object; fix the profile");
		goto out;
	}
	if (parse_name_and_default(dp, root) < 0 || parse_arches(dp, root) < 0 ||
	    parse_syscalls(dp, root) < 0)
		goto out;
	/* A profile that lists the x86 sub-architecture gives ia32 calls the
	 * same default seccomp would; otherwise seccomp kills a call from an
	 * architecture the filter does not list, and so do we (the model's
	 * ia32 default is kill). */
	if (dp->ia32)
		dp->p->ia32_dflt = dp->p->dflt;
	dp->p->format = dp->saw_docker_only || !get(root, "architectures") ? "docker" : "oci";
	r = 0;
out:
	json_object_put(root);
	return r;
}

int bg_policy_parse_docker(const char *buf, size_t len, const char *origin,
			   struct bg_policy **out, struct bg_diag *d)
{
	struct docker_parser dp = { .origin = origin ? origin : "<memory>", .d = d };
	*out = NULL;
	dp.p = bg_policy_new(NULL);
	if (!dp.p) {
		bg_diag_at(d, dp.origin, 0, "out of memory; free some memory");
		return -1;
	}
	bg_policy_name_from_origin(dp.origin, dp.p->name, sizeof(dp.p->name));
	snprintf(dp.p->source, sizeof(dp.p->source), "%s", dp.origin);
	running_kernel(&dp.kernel);
	if (parse_profile(&dp, buf, len) < 0) {
		bg_policy_free(dp.p);
		return -1;
	}
	*out = dp.p;
	return 0;
}

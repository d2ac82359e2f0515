// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cghooks.h"
#include "cgroup.h"
#include "events.h"
#include "jsonw.h"
#include "loader.h"
#include "exec_allow.h"
#include "mechanism.h"
#include "cgroup.h"
#include "policy.h"
#include "syscalls.h"
#include "textsafe.h"
#include "util.h"

static const char *type_name(uint32_t type)
{
	switch (type) {
	case BG_EVENT_SYSCALL: return "syscall";
	case BG_EVENT_NET: return "net";
	case BG_EVENT_DEV: return "dev";
	case BG_EVENT_SYSCTL: return "sysctl";
	case BG_EVENT_EXEC: return "exec";
	case BG_EVENT_ESCAPE: return "escape";
	}
	return "unknown";
}

static bool is_hook_event(const struct bg_event *e)
{
	return e->type == BG_EVENT_NET || e->type == BG_EVENT_DEV || e->type == BG_EVENT_SYSCTL ||
	       e->type == BG_EVENT_EXEC || e->type == BG_EVENT_ESCAPE;
}

/* Escape events (escape.bpf.c): how the task left, why that counts as
 * leaving, and how it was killed. */
static const char *escape_how(uint32_t hook)
{
	return hook == BG_HOOK_ESC_CLONE ? "clone-into-cgroup" : hook == BG_HOOK_ESC_LATE ? "moved-by-another" :
	       "cgroup-move";
}

static const char *escape_why(uint32_t why)
{
	return why == BG_ESC_WHY_UNMAPPED ? "unmapped-cgroup" : "left-subtree";
}

static const char *escape_kill(uint32_t kill)
{
	return kill == BG_ESC_KILL_SELF ? "at-once" : kill == BG_ESC_KILL_TASK ? "at-once-remote" :
	       "next-syscall";
}

/* An exec event's path (the record is a bg_exec_event; callers check the
 * size), always NUL-terminated. */
static void exec_path(const struct bg_event *e, char out[BG_EXEC_PATH_MAX])
{
	memcpy(out, ((const struct bg_exec_event *)e)->path, BG_EXEC_PATH_MAX);
	out[BG_EXEC_PATH_MAX - 1] = '\0';
}

/* The content hash of the file an exec event names, if the file at that
 * path is still the very inode the kernel refused (same device, inode and
 * ctime): computed here, at drain time, since the kernel cannot hash. */
static bool exec_hash(const struct bg_event *e, const char *path, char hex[65])
{
	struct bg_file_vouch v;
	struct bg_diag diag = {};

	if (path[0] != '/' || bg_file_vouch(path, &v, &diag))
		return false;
	if (v.key.dev != e->exec.dev || v.key.ino != e->exec.ino || v.val.ctime_sec != e->exec.ctime_sec ||
	    v.val.ctime_nsec != e->exec.ctime_nsec)
		return false;
	bg_sha256_hex(v.sha256, hex);
	return true;
}

static const char *effect_name(unsigned effect)
{
	return effect == BG_EFFECT_HOOK_DENY ? "denied" : bg_effect_name(effect);
}

static const char *family_name(uint32_t f)
{
	return f == AF_INET ? "inet" : f == AF_INET6 ? "inet6" : "other";
}

static const char *sock_type_name(uint32_t t)
{
	static const char *const n[] = { [1] = "stream", [2] = "dgram", [3] = "raw",
					 [4] = "rdm", [5] = "seqpacket", [6] = "dccp", [10] = "packet" };
	return t < ARRAY_SIZE(n) && n[t] ? n[t] : "other";
}

static const char *proto_name(uint32_t p)
{
	switch (p) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmpv6";
	case IPPROTO_SCTP: return "sctp";
	case 0: return "default";
	}
	return "other";
}

/* Address of a net event ("" for socket(), which has none). */
static void net_addr_str(const struct bg_event *e, char *buf, size_t len)
{
	buf[0] = '\0';
	if (e->nr == BG_HOOK_SOCK_CREATE)
		return;
	if (!inet_ntop(e->net.family == AF_INET6 ? AF_INET6 : AF_INET, e->net.addr, buf, (socklen_t)len))
		buf[0] = '\0';
}


/* sysctl name: bounded even if the kernel filled the whole field. */
static void sysctl_name(const struct bg_event *e, char *out)
{
	memcpy(out, e->sysctl.name, BG_SYSCTL_NAME_LEN);
	out[BG_SYSCTL_NAME_LEN] = '\0';
}

/* The fields of net/dev/sysctl events (docs/events.md). */
static void hook_fields_json(const struct bg_event *e, struct jw *w)
{
	char addr[INET6_ADDRSTRLEN], acc[4], name[BG_SYSCTL_NAME_LEN + 1];

	jw_str(w, "hook", bg_hook_name(e->nr));
	switch (e->type) {
	case BG_EVENT_NET:
		jw_str(w, "family", family_name(e->net.family));
		jw_str(w, "socket_type", sock_type_name(e->net.type));
		jw_str(w, "protocol", proto_name(e->net.protocol));
		if (e->nr != BG_HOOK_SOCK_CREATE) {
			net_addr_str(e, addr, sizeof(addr));
			jw_str(w, "address", addr);
			jw_i64(w, "port", e->net.port);
		}
		break;
	case BG_EVENT_DEV:
		jw_str(w, "device_type", e->dev.type == BG_DEV_BLOCK ? "b" : e->dev.type == BG_DEV_CHAR ? "c" : "?");
		jw_i64(w, "major", e->dev.major);
		jw_i64(w, "minor", e->dev.minor);
		bg_dev_access_str(e->dev.access, acc);
		jw_str(w, "access", acc);
		break;
	case BG_EVENT_SYSCTL:
		sysctl_name(e, name);
		jw_text(w, "sysctl", name, strlen(name));
		jw_str(w, "access", e->sysctl.write ? "write" : "read");
		break;
	case BG_EVENT_EXEC: {
		char path[BG_EXEC_PATH_MAX], hex[65];

		exec_path(e, path);
		jw_text(w, "path", path, strlen(path));
		jw_str(w, "why", bg_exec_why_name(e->exec.why, false));
		jw_u64(w, "dev", e->exec.dev);
		jw_u64(w, "ino", e->exec.ino);
		if (exec_hash(e, path, hex))
			jw_str(w, "sha256", hex);
		break;
	}
	case BG_EVENT_ESCAPE:
		jw_str(w, "how", escape_how(e->nr));
		jw_str(w, "why", escape_why(e->escape.why));
		jw_str(w, "killed", escape_kill(e->escape.kill));
		jw_u64(w, "to_cgroup_id", e->escape.dst_cgid);
		jw_i64(w, "mover_pid", e->escape.mover_pid);
		break;
	}
}

/* comm is not guaranteed to be NUL-terminated in a hostile world. */
static void comm_str(const struct bg_event *e, char *out)
{
	memcpy(out, e->comm, BG_COMM_LEN);
	out[BG_COMM_LEN] = '\0';
}

/* Events of `bpfguard run` payloads carry the run id: the cgroup is
 * /bpfguard.run/<run id>/payload (run.c). */
static void run_id_json(const char *cgroup, struct jw *w)
{
	static const char pfx[] = "/" BG_RUN_CGROUP "/";
	size_t n;

	if (strncmp(cgroup, pfx, sizeof(pfx) - 1))
		return;
	cgroup += sizeof(pfx) - 1;
	n = strcspn(cgroup, "/");
	if (n)
		jw_text(w, "run_id", cgroup, n);
}

/* What was decided and done, the same for syscall and hook events. */
static void verdict_fields_json(const struct bg_event *e, struct jw *w)
{
	jw_str(w, "action", bg_verdict_name(e->verdict));
	if (e->verdict == BG_VERDICT_ERRNO && e->err) /* 0: a seccomp record that cannot tell */
		jw_i64(w, "errno", e->err);
	jw_str(w, "effect", effect_name(e->effect));
	jw_str(w, "mechanism", bg_mech_name(e->mech));
	jw_i64(w, "count", e->count);
	jw_i64(w, "suppressed", e->suppressed);
}

static void opt_text(struct jw *w, const char *k, const char *v)
{
	if (v && v[0])
		jw_text(w, k, v, strlen(v));
}

/* Which machine and which boot an event is from, read once per process:
 * log pipelines merge many hosts, and pids and cgroup ids repeat across
 * boots.  The host name is as it was at the first event (a drainer that
 * outlives a rename says the old one, as syslog's HOSTNAME does). */
static const char *host_name(void)
{
	static char host[65]; /* HOST_NAME_MAX + 1 */
	static bool done;

	if (!done) {
		if (gethostname(host, sizeof(host) - 1))
			host[0] = '\0';
		host[sizeof(host) - 1] = '\0';
		done = true;
	}
	return host;
}


/* schema_version, host and boot_id: the same in every line a process
 * writes, so escaped once (the three cost ~6% of the drain's rate when
 * written per line; docs/performance.md). */
static char constant_buf[256];
static size_t constant_len;
static pthread_once_t constant_once = PTHREAD_ONCE_INIT;

static void constant_render(void)
{
	char obj[sizeof(constant_buf) + 2];
	struct jw w;
	int n;

	jw_begin(&w, obj, sizeof(obj));
	jw_i64(&w, "schema_version", BG_EVENT_SCHEMA_VERSION);
	jw_text(&w, "host", host_name(), strlen(host_name()));
	jw_str(&w, "boot_id", bg_boot_id());
	n = jw_members_of(obj, jw_end(&w), constant_buf, sizeof(constant_buf));
	constant_len = n < 0 ? 0 : (size_t)n; /* < 0 cannot happen: 65-byte host, 36-byte id */
}

static const char *constant_members(size_t *n)
{
	pthread_once(&constant_once, constant_render);
	*n = constant_len;
	return constant_buf;
}

/*
 * The one place an event's JSON fields are written (docs/events.md, the
 * JSON Schema docs/event.schema.json), in one pass into buf: no tree per
 * event.
 */
int bg_event_format_json(const struct bg_event *e, int64_t boot_to_realtime,
			 const struct bg_event_names *n, char *buf, size_t len)
{
	const char *sys = e->abi < BG_NR_TABLES ? bg_syscall_name(e->abi, (int)e->nr) : NULL;
	char ts[48], comm[BG_COMM_LEN + 1];
	const char *cm;
	size_t cmlen;
	struct jw w;

	bg_format_rfc3339(e->ts_ns + boot_to_realtime, ts, sizeof(ts));
	comm_str(e, comm);
	jw_begin(&w, buf, len);
	jw_str(&w, "time", ts);
	jw_str(&w, "type", type_name(e->type));
	cm = constant_members(&cmlen);
	jw_members(&w, cm, cmlen);
	/* policy, cgroup, comm, path, sysctl: bytes others chose (textsafe.h) */
	jw_text(&w, "policy", n->policy, strlen(n->policy));
	jw_str(&w, "mode", n->mode);
	jw_text(&w, "cgroup", n->cgroup, strlen(n->cgroup));
	run_id_json(n->cgroup, &w);
	jw_u64(&w, "cgroup_id", e->cgid);
	jw_u64(&w, "attached_cgroup_id", e->owner);
	jw_i64(&w, "pid", e->pid);
	jw_i64(&w, "tid", e->tid);
	jw_i64(&w, "uid", e->uid);
	jw_text(&w, "comm", comm, strlen(comm));
	if (is_hook_event(e)) {
		hook_fields_json(e, &w);
		verdict_fields_json(e, &w);
	} else {
		if (sys)
			jw_str(&w, "syscall", sys);
		else
			jw_null(&w, "syscall");
		jw_i64(&w, "nr", e->nr);
		jw_str(&w, "abi", bg_abi_name(e->abi));
		verdict_fields_json(e, &w);
		if (!(e->flags & BG_EVF_NO_ARGS)) /* a seccomp record carries no registers */
			jw_u64s(&w, "args", (const uint64_t *)e->args, 6);
	}
	/* the daemon's enrichment from the cgroup's name */
	opt_text(&w, "unit", n->unit);
	opt_text(&w, "container_id", n->container_id);
	opt_text(&w, "pod_uid", n->pod_uid);
	return jw_end(&w);
}

/*
 * The same event in the Elastic Common Schema (ECS 8.11), for pipelines
 * that index ECS (docs/daemon.md maps every field): ECS's own fields where
 * ECS has one, everything else under "bpfguard" with the names and values
 * of the native line, so nothing is lost in the mapping.
 */
#define BG_ECS_VERSION "8.11.0"

static void ecs_categorization(const struct bg_event *e, struct jw *w, const char *action)
{
	static const char *const proc[] = { "process" }, *const net[] = { "network" },
			  *const host[] = { "host" }, *const conf[] = { "configuration" },
			  *const esc[] = { "process", "intrusion_detection" };
	const char *const *cat = proc;
	size_t ncat = 1;
	bool ran = e->effect == BG_EFFECT_RECORD;
	const char *type[] = { ran ? "info" : "denied" };

	switch (e->type) {
	case BG_EVENT_NET: cat = net; break;
	case BG_EVENT_DEV: cat = host; break;
	case BG_EVENT_SYSCTL: cat = conf; break;
	case BG_EVENT_ESCAPE: cat = esc; ncat = 2; break;
	}
	jw_open(w, "event");
	jw_str(w, "kind", "event");
	jw_strs(w, "category", cat, ncat);
	jw_strs(w, "type", type, 1);
	jw_str(w, "action", action);
	/* the call: failed or killed, or it ran (recorded) */
	jw_str(w, "outcome", ran ? "success" : "failure");
	jw_str(w, "module", "bpfguard");
	jw_str(w, "dataset", "bpfguard.events");
	if (e->type == BG_EVENT_EXEC)
		jw_str(w, "reason", bg_exec_why_name(e->exec.why, false));
	jw_close(w);
}

int bg_event_format_ecs(const struct bg_event *e, int64_t boot_to_realtime, const struct bg_event_names *n,
			char *buf, size_t len)
{
	const char *sys = e->abi < BG_NR_TABLES ? bg_syscall_name(e->abi, (int)e->nr) : NULL;
	bool hook = is_hook_event(e);
	char ts[48], comm[BG_COMM_LEN + 1], uid[16], num[24], path[BG_EXEC_PATH_MAX], hex[65];
	struct jw w;

	bg_format_rfc3339(e->ts_ns + boot_to_realtime, ts, sizeof(ts));
	comm_str(e, comm);
	if (e->type == BG_EVENT_SYSCALL) {
		if (!sys) {
			snprintf(num, sizeof(num), "%s:%u", bg_abi_name(e->abi), e->nr);
			sys = num;
		}
	} else {
		sys = e->type == BG_EVENT_ESCAPE ? escape_how(e->nr) : bg_hook_name(e->nr);
	}
	jw_begin(&w, buf, len);
	jw_str(&w, "@timestamp", ts);
	jw_open(&w, "ecs");
	jw_str(&w, "version", BG_ECS_VERSION);
	jw_close(&w);
	ecs_categorization(e, &w, sys);
	jw_open(&w, "rule");
	jw_text(&w, "name", n->policy, strlen(n->policy));
	jw_str(&w, "ruleset", "bpfguard");
	jw_close(&w);
	jw_open(&w, "host");
	jw_text(&w, "name", host_name(), strlen(host_name()));
	jw_open(&w, "boot");
	jw_str(&w, "id", bg_boot_id());
	jw_close(&w);
	jw_close(&w);
	jw_open(&w, "process");
	jw_i64(&w, "pid", e->pid);
	jw_text(&w, "name", comm, strlen(comm));
	jw_open(&w, "thread");
	jw_i64(&w, "id", e->tid);
	jw_close(&w);
	jw_close(&w);
	snprintf(uid, sizeof(uid), "%u", e->uid);
	jw_open(&w, "user");
	jw_str(&w, "id", uid); /* a keyword in ECS */
	jw_close(&w);
	if (n->container_id && n->container_id[0]) {
		jw_open(&w, "container");
		jw_text(&w, "id", n->container_id, strlen(n->container_id));
		jw_close(&w);
	}
	if (e->type == BG_EVENT_NET) {
		char addr[INET6_ADDRSTRLEN];

		jw_open(&w, "network");
		jw_str(&w, "type", e->net.family == AF_INET6 ? "ipv6" : "ipv4");
		jw_str(&w, "transport", proto_name(e->net.protocol));
		jw_close(&w);
		if (e->nr != BG_HOOK_SOCK_CREATE) {
			net_addr_str(e, addr, sizeof(addr));
			jw_open(&w, "destination");
			jw_str(&w, "ip", addr);
			jw_i64(&w, "port", e->net.port);
			jw_close(&w);
		}
	}
	if (e->type == BG_EVENT_EXEC) {
		exec_path(e, path);
		jw_open(&w, "file");
		jw_text(&w, "path", path, strlen(path));
		snprintf(num, sizeof(num), "%llu", (unsigned long long)e->exec.ino);
		jw_str(&w, "inode", num); /* a keyword in ECS */
		if (exec_hash(e, path, hex)) {
			jw_open(&w, "hash");
			jw_str(&w, "sha256", hex);
			jw_close(&w);
		}
		jw_close(&w);
	}
	/* the rest, as the native line names it (docs/events.md) */
	jw_open(&w, "bpfguard");
	jw_i64(&w, "schema_version", BG_EVENT_SCHEMA_VERSION);
	jw_str(&w, "type", type_name(e->type));
	jw_str(&w, "mode", n->mode);
	jw_text(&w, "cgroup", n->cgroup, strlen(n->cgroup));
	run_id_json(n->cgroup, &w);
	jw_u64(&w, "cgroup_id", e->cgid);
	jw_u64(&w, "attached_cgroup_id", e->owner);
	if (hook) {
		hook_fields_json(e, &w);
	} else {
		if (e->abi < BG_NR_TABLES && bg_syscall_name(e->abi, (int)e->nr))
			jw_str(&w, "syscall", bg_syscall_name(e->abi, (int)e->nr));
		else
			jw_null(&w, "syscall");
		jw_i64(&w, "nr", e->nr);
		jw_str(&w, "abi", bg_abi_name(e->abi));
		if (!(e->flags & BG_EVF_NO_ARGS))
			jw_u64s(&w, "args", (const uint64_t *)e->args, 6);
	}
	verdict_fields_json(e, &w);
	opt_text(&w, "unit", n->unit);
	opt_text(&w, "pod_uid", n->pod_uid);
	jw_close(&w);
	return jw_end(&w);
}

/* A value of the key=value text line: escaped, spaces included, so no
 * name can end the line or forge a field (textsafe.h). */
static const char *text_val(const char *s, char *out, size_t len)
{
	if (!s[0])
		return "?";
	bg_text_escape(s, strlen(s), out, len, BG_ESC_SPACE);
	return out;
}

int bg_event_format_text(const struct bg_event *e, int64_t boot_to_realtime,
			 const struct bg_event_names *n, char *buf, size_t len)
{
	const char *sys = e->abi < BG_NR_TABLES ? bg_syscall_name(e->abi, (int)e->nr) : NULL;
	char ts[48], comm[BG_COMM_LEN + 1], act[32];
	char ecomm[4 * BG_COMM_LEN + 1], ecg[4 * BG_PATH_MAX + 1], epol[4 * BG_NAME_MAX + 1];
	struct bg_action a = { .verdict = e->verdict, .err = e->err };

	bg_format_rfc3339(e->ts_ns + boot_to_realtime, ts, sizeof(ts));
	comm_str(e, comm);
	bg_text_escape(comm, strlen(comm), ecomm, sizeof(ecomm), BG_ESC_SPACE);
	text_val(n->cgroup, ecg, sizeof(ecg));
	text_val(n->policy, epol, sizeof(epol));
	if (is_hook_event(e)) {
		char what[4 * BG_EXEC_PATH_MAX + 64], addr[INET6_ADDRSTRLEN], acc[4], name[BG_SYSCTL_NAME_LEN + 1];
		char ev[4 * BG_EXEC_PATH_MAX + 1];

		if (e->type == BG_EVENT_NET && e->nr == BG_HOOK_SOCK_CREATE) {
			snprintf(what, sizeof(what), "family=%s type=%s protocol=%s", family_name(e->net.family),
				 sock_type_name(e->net.type), proto_name(e->net.protocol));
		} else if (e->type == BG_EVENT_NET) {
			net_addr_str(e, addr, sizeof(addr));
			snprintf(what, sizeof(what), "address=%s%s%s port=%u protocol=%s",
				 e->net.family == AF_INET6 ? "[" : "", addr, e->net.family == AF_INET6 ? "]" : "",
				 e->net.port, proto_name(e->net.protocol));
		} else if (e->type == BG_EVENT_EXEC) {
			char path[BG_EXEC_PATH_MAX];

			exec_path(e, path);
			snprintf(what, sizeof(what), "path=%s why=%s", text_val(path, ev, sizeof(ev)),
				 bg_exec_why_name(e->exec.why, true));
		} else if (e->type == BG_EVENT_ESCAPE) {
			snprintf(what, sizeof(what), "how=%s why=%s killed=%s to_cgroup_id=%llu mover_pid=%u",
				 escape_how(e->nr), escape_why(e->escape.why), escape_kill(e->escape.kill),
				 (unsigned long long)e->escape.dst_cgid, e->escape.mover_pid);
		} else if (e->type == BG_EVENT_DEV) {
			bg_dev_access_str(e->dev.access, acc);
			snprintf(what, sizeof(what), "device=%c%u:%u access=%s",
				 e->dev.type == BG_DEV_BLOCK ? 'b' : 'c', e->dev.major, e->dev.minor, acc);
		} else {
			sysctl_name(e, name);
			snprintf(what, sizeof(what), "sysctl=%s access=%s", text_val(name, ev, sizeof(ev)),
				 e->sysctl.write ? "write" : "read");
		}
		return snprintf(buf, len, "%s %s cgroup=%s policy=%s pid=%u comm=%s hook=%s %s action=%s effect=%s count=%u",
				ts, type_name(e->type), ecg, epol, e->pid, ecomm, bg_hook_name(e->nr), what,
				bg_action_str(&a, act, sizeof(act)), effect_name(e->effect), e->count);
	}
	return snprintf(buf, len, "%s %s cgroup=%s policy=%s pid=%u comm=%s syscall=%s(%u) abi=%s action=%s effect=%s count=%u",
			ts, type_name(e->type), ecg, epol, e->pid, ecomm, sys ? sys : "?", e->nr, bg_abi_name(e->abi),
			bg_action_str(&a, act, sizeof(act)), effect_name(e->effect), e->count);
}

/* ------------------------------------------------------------------ */

#define RESOLVER_SLOTS 256

struct resolved {
	uint64_t cgid, owner;
	char cgroup[BG_PATH_MAX];
	char policy[BG_NAME_MAX];
	const char *mode;
};

struct bg_event_resolver {
	const struct bg_state *st;
	struct resolved slot[RESOLVER_SLOTS];
};

struct bg_event_resolver *bg_event_resolver_new(const struct bg_state *st)
{
	struct bg_event_resolver *r = calloc(1, sizeof(*r));

	if (r)
		r->st = st;
	return r;
}

void bg_event_resolver_free(struct bg_event_resolver *r)
{
	free(r);
}

void bg_event_resolve(struct bg_event_resolver *r, const struct bg_event *e,
		      struct bg_event_names *n)
{
	struct resolved *s = &r->slot[(e->cgid ^ (e->owner * 31)) % RESOLVER_SLOTS];
	struct bg_attachment a;
	__u64 key = e->owner;

	if (s->cgid != e->cgid || s->owner != e->owner || !s->mode) {
		memset(s, 0, sizeof(*s));
		s->cgid = e->cgid;
		s->owner = e->owner;
		s->mode = "";
		if (r->st && bpf_map_lookup_elem(r->st->map[BG_MAP_ATTACHMENTS], &key, &a) == 0) {
			bg_strlcpy(s->policy, a.policy, sizeof(s->policy));
			s->mode = bg_mode_name((int)a.mode);
			if (e->cgid == e->owner)
				bg_strlcpy(s->cgroup, a.path, sizeof(s->cgroup));
		}
		if (!s->cgroup[0] && bg_cgroup_path_by_id(e->cgid, s->cgroup, sizeof(s->cgroup)))
			s->cgroup[0] = '\0'; /* removed since: the id still identifies it */
	}
	n->policy = s->policy;
	n->cgroup = s->cgroup;
	n->mode = s->mode;
	n->unit = n->container_id = n->pod_uid = NULL;
}

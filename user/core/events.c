// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cghooks.h"
#include "cgroup.h"
#include "events.h"
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
static void hook_fields_json(const struct bg_event *e, struct json_object *o)
{
	char addr[INET6_ADDRSTRLEN], acc[4], name[BG_SYSCTL_NAME_LEN + 1];

	json_object_object_add(o, "hook", json_object_new_string(bg_hook_name(e->nr)));
	switch (e->type) {
	case BG_EVENT_NET:
		json_object_object_add(o, "family", json_object_new_string(family_name(e->net.family)));
		json_object_object_add(o, "socket_type", json_object_new_string(sock_type_name(e->net.type)));
		json_object_object_add(o, "protocol", json_object_new_string(proto_name(e->net.protocol)));
		if (e->nr != BG_HOOK_SOCK_CREATE) {
			net_addr_str(e, addr, sizeof(addr));
			json_object_object_add(o, "address", json_object_new_string(addr));
			json_object_object_add(o, "port", json_object_new_int(e->net.port));
		}
		break;
	case BG_EVENT_DEV:
		json_object_object_add(o, "device_type", json_object_new_string(
			e->dev.type == BG_DEV_BLOCK ? "b" : e->dev.type == BG_DEV_CHAR ? "c" : "?"));
		json_object_object_add(o, "major", json_object_new_int64(e->dev.major));
		json_object_object_add(o, "minor", json_object_new_int64(e->dev.minor));
		bg_dev_access_str(e->dev.access, acc);
		json_object_object_add(o, "access", json_object_new_string(acc));
		break;
	case BG_EVENT_SYSCTL:
		sysctl_name(e, name);
		bg_json_add_str(o, "sysctl", name);
		json_object_object_add(o, "access", json_object_new_string(e->sysctl.write ? "write" : "read"));
		break;
	case BG_EVENT_EXEC: {
		char path[BG_EXEC_PATH_MAX], hex[65];

		exec_path(e, path);
		bg_json_add_str(o, "path", path);
		json_object_object_add(o, "why", json_object_new_string(
			bg_exec_why_name(e->exec.why, false)));
		json_object_object_add(o, "dev", json_object_new_uint64(e->exec.dev));
		json_object_object_add(o, "ino", json_object_new_uint64(e->exec.ino));
		if (exec_hash(e, path, hex))
			json_object_object_add(o, "sha256", json_object_new_string(hex));
		break;
	}
	case BG_EVENT_ESCAPE:
		json_object_object_add(o, "how", json_object_new_string(escape_how(e->nr)));
		json_object_object_add(o, "why", json_object_new_string(escape_why(e->escape.why)));
		json_object_object_add(o, "killed", json_object_new_string(escape_kill(e->escape.kill)));
		json_object_object_add(o, "to_cgroup_id", json_object_new_uint64(e->escape.dst_cgid));
		json_object_object_add(o, "mover_pid", json_object_new_int64(e->escape.mover_pid));
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
static void run_id_json(const char *cgroup, struct json_object *o)
{
	static const char pfx[] = "/" BG_RUN_CGROUP "/";
	size_t n;

	if (strncmp(cgroup, pfx, sizeof(pfx) - 1))
		return;
	cgroup += sizeof(pfx) - 1;
	n = strcspn(cgroup, "/");
	if (n)
		bg_json_add_bytes(o, "run_id", cgroup, n);
}

/* What was decided and done, the same for syscall and hook events. */
static void verdict_fields_json(const struct bg_event *e, struct json_object *o)
{
	json_object_object_add(o, "action", json_object_new_string(bg_verdict_name(e->verdict)));
	if (e->verdict == BG_VERDICT_ERRNO && e->err) /* 0: a seccomp record that cannot tell */
		json_object_object_add(o, "errno", json_object_new_int(e->err));
	json_object_object_add(o, "effect", json_object_new_string(effect_name(e->effect)));
	json_object_object_add(o, "mechanism", json_object_new_string(bg_mech_name(e->mech)));
	json_object_object_add(o, "count", json_object_new_int64(e->count));
	json_object_object_add(o, "suppressed", json_object_new_int64(e->suppressed));
}

struct json_object *bg_event_to_json(const struct bg_event *e, int64_t boot_to_realtime,
				     const struct bg_event_names *n)
{
	struct json_object *o = json_object_new_object(), *args = json_object_new_array();
	const char *sys = e->abi < BG_NR_TABLES ? bg_syscall_name(e->abi, (int)e->nr) : NULL;
	char ts[48], comm[BG_COMM_LEN + 1];

	bg_format_rfc3339(e->ts_ns + boot_to_realtime, ts, sizeof(ts));
	comm_str(e, comm);
	json_object_object_add(o, "time", json_object_new_string(ts));
	json_object_object_add(o, "type", json_object_new_string(type_name(e->type)));
	/* policy, cgroup, comm, path, sysctl: bytes others chose (textsafe.h) */
	bg_json_add_str(o, "policy", n->policy);
	json_object_object_add(o, "mode", json_object_new_string(n->mode));
	bg_json_add_str(o, "cgroup", n->cgroup);
	run_id_json(n->cgroup, o);
	json_object_object_add(o, "cgroup_id", json_object_new_uint64(e->cgid));
	json_object_object_add(o, "attached_cgroup_id", json_object_new_uint64(e->owner));
	json_object_object_add(o, "pid", json_object_new_int64(e->pid));
	json_object_object_add(o, "tid", json_object_new_int64(e->tid));
	json_object_object_add(o, "uid", json_object_new_int64(e->uid));
	bg_json_add_str(o, "comm", comm);
	if (is_hook_event(e)) {
		hook_fields_json(e, o);
		verdict_fields_json(e, o);
		json_object_put(args);
		return o;
	}
	json_object_object_add(o, "syscall", sys ? json_object_new_string(sys) : NULL);
	json_object_object_add(o, "nr", json_object_new_int64(e->nr));
	json_object_object_add(o, "abi", json_object_new_string(bg_abi_name(e->abi)));
	verdict_fields_json(e, o);
	if (e->flags & BG_EVF_NO_ARGS) {
		json_object_put(args); /* a seccomp record carries no registers */
		return o;
	}
	for (int i = 0; i < 6; i++)
		json_object_array_add(args, json_object_new_uint64(e->args[i]));
	json_object_object_add(o, "args", args);
	return o;
}

int bg_event_format_json(const struct bg_event *e, int64_t boot_to_realtime,
			 const struct bg_event_names *n, char *buf, size_t len)
{
	struct json_object *o = bg_event_to_json(e, boot_to_realtime, n);
	int r = snprintf(buf, len, "%s",
			 json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));

	json_object_put(o);
	return r;
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
}

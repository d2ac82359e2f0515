// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_event_json.c - libFuzzer target for the one-pass event JSON writer
 * (events.c on lib/jsonw.c), checked against json-c's parser.
 *
 * The input is a struct bg_event (any bytes: the ring is written by our
 * programs, but a record's strings carry what hostile tasks named) and
 * then the names a resolver would give (policy, cgroup, unit, ...: bytes
 * others chose, split at 0xff).  Invariants:
 *   - the line parses with json-c, strictly, as one object;
 *   - every string others chose comes back as bg_utf8_replace of its bytes,
 *     with key_hex (the raw bytes in hex) exactly when that was lossy;
 *   - the numbers come back exact (ids, pid, args).
 * Exec events are left out: their formatting hashes the file at the path.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfguard.h"
#include "events.h"
#include "fuzz_check.h"
#include "textsafe.h"


static void check_text(struct json_object *o, const char *key, const char *in)
{
	char want[3 * 512 + 1], hk[64], hex[2 * 512 + 1];
	struct json_object *v, *h;
	size_t n = strlen(in);
	bool lossy;

	if (!in[0] && strcmp(key, "policy") && strcmp(key, "cgroup") && strcmp(key, "comm"))
		return; /* optional fields are left out when empty */
	CHECK(n <= 512);
	bg_utf8_replace(in, n, want, sizeof(want), true, &lossy);
	CHECK(json_object_object_get_ex(o, key, &v));
	CHECK(json_object_is_type(v, json_type_string));
	CHECK(!strcmp(json_object_get_string(v), want));
	snprintf(hk, sizeof(hk), "%s_hex", key);
	CHECK(json_object_object_get_ex(o, hk, &h) == lossy);
	if (lossy) {
		bg_hex(in, n, hex);
		CHECK(!strcmp(json_object_get_string(h), hex));
	}
}

/* The next field of the tail: up to 0xff or the end, NUL-terminated. */
static const uint8_t *field(const uint8_t *p, const uint8_t *end, char *out, size_t cap)
{
	size_t n = 0;

	while (p < end && *p != 0xff && n + 1 < cap)
		out[n++] = (char)*p++;
	out[n] = '\0';
	return p < end ? p + 1 : p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char policy[BG_NAME_MAX], cgroup[BG_PATH_MAX], unit[256], cid[80], pod[80], comm[BG_COMM_LEN + 1];
	char line[BG_EVENT_LINE_MAX];
	struct bg_event_names names = { .policy = policy, .cgroup = cgroup, .mode = "enforce",
					.unit = unit, .container_id = cid, .pod_uid = pod };
	struct json_tokener *tok;
	struct json_object *o, *v;
	struct bg_event e;
	const uint8_t *p, *end = data + size;
	int n;

	if (size < sizeof(e))
		return 0;
	memcpy(&e, data, sizeof(e));
	if (e.type == BG_EVENT_EXEC)
		e.type = BG_EVENT_SYSCALL;
	p = data + sizeof(e);
	p = field(p, end, policy, sizeof(policy));
	p = field(p, end, cgroup, sizeof(cgroup));
	p = field(p, end, unit, sizeof(unit));
	p = field(p, end, cid, sizeof(cid));
	field(p, end, pod, sizeof(pod));

	n = bg_event_format_json(&e, 0, &names, line, sizeof(line));
	CHECK(n > 0 && (size_t)n == strlen(line));
	tok = json_tokener_new();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, line, n);
	CHECK(o && json_tokener_get_error(tok) == json_tokener_success);
	CHECK(json_object_is_type(o, json_type_object));
	check_text(o, "policy", policy);
	check_text(o, "cgroup", cgroup);
	check_text(o, "unit", unit);
	check_text(o, "container_id", cid);
	check_text(o, "pod_uid", pod);
	memcpy(comm, e.comm, BG_COMM_LEN);
	comm[BG_COMM_LEN] = '\0';
	check_text(o, "comm", comm);
	CHECK(json_object_object_get_ex(o, "cgroup_id", &v) && json_object_get_uint64(v) == e.cgid);
	CHECK(json_object_object_get_ex(o, "attached_cgroup_id", &v) && json_object_get_uint64(v) == e.owner);
	CHECK(json_object_object_get_ex(o, "pid", &v) && json_object_get_int64(v) == (int64_t)e.pid);
	if (json_object_object_get_ex(o, "args", &v)) {
		CHECK(json_object_array_length(v) == 6);
		for (size_t i = 0; i < 6; i++)
			CHECK(json_object_get_uint64(json_object_array_get_idx(v, i)) == e.args[i]);
	}
	json_object_put(o);

	/* the ECS line of the same event: whole, strict JSON, nested, with
	 * the native fields under "bpfguard" (check_ecs.py checks the
	 * mapping on real events) */
	{
		char ecs[BG_EVENT_LINE_MAX + 1024];
		struct json_object *b;

		n = bg_event_format_ecs(&e, 0, &names, ecs, sizeof(ecs));
		CHECK(n > 0 && (size_t)n == strlen(ecs));
		json_tokener_reset(tok);
		o = json_tokener_parse_ex(tok, ecs, n);
		CHECK(o && json_tokener_get_error(tok) == json_tokener_success);
		CHECK(json_object_object_get_ex(o, "bpfguard", &b) && json_object_is_type(b, json_type_object));
		check_text(b, "cgroup", cgroup);
		CHECK(json_object_object_get_ex(b, "cgroup_id", &v) && json_object_get_uint64(v) == e.cgid);
		CHECK(json_object_object_get_ex(o, "rule", &b));
		check_text(b, "name", policy);
		json_object_put(o);
	}
	json_tokener_free(tok);
	return 0;
}

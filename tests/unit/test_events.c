// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Event records -> JSON lines and text: every documented field, exact values. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "cghooks.h"
#include "events.h"
#include "util.h"

static struct bg_event sample(void)
{
	struct bg_event e = {
		.ts_ns = 5000000123ULL, .cgid = 4242, .owner = 4241,
		.args = { 1, 2, 0xffffffffffffffffULL, 4, 5, 6 },
		.type = BG_EVENT_SYSCALL, .pid = 100, .tid = 101, .uid = 1000,
		.nr = 83, .count = 7, .suppressed = 6, .abi = BG_ABI_X86_64, .err = 13,
		.verdict = BG_VERDICT_ERRNO, .effect = BG_EFFECT_KILL, .mech = BG_MECH_KILL,
	};

	memcpy(e.comm, "evil\"name\\x", 12);
	return e;
}

static const struct bg_event_names NAMES = { .policy = "strict", .cgroup = "/demo/child", .mode = "enforce" };

static void test_json_fields(void **state)
{
	struct bg_event e = sample();
	char line[2048];
	struct json_object *o, *v;
	/* boot ts 5.000000123 s + offset -> 2026-01-01T00:00:05.000000123Z */
	int64_t offset = 1767225600LL * 1000000000LL;

	(void)state;
	bg_event_format_json(&e, offset, &NAMES, line, sizeof(line));
	assert_null(strchr(line, '\n'));
	o = json_tokener_parse(line);
	assert_non_null(o);
#define STR(k, want) do { assert_true(json_object_object_get_ex(o, k, &v)); assert_string_equal(json_object_get_string(v), want); } while (0)
#define INT(k, want) do { assert_true(json_object_object_get_ex(o, k, &v)); assert_int_equal(json_object_get_int64(v), want); } while (0)
	STR("time", "2026-01-01T00:00:05.000000123Z");
	STR("type", "syscall");
	STR("policy", "strict");
	STR("cgroup", "/demo/child");
	STR("mode", "enforce");
	INT("cgroup_id", 4242);
	INT("attached_cgroup_id", 4241);
	INT("pid", 100);
	INT("tid", 101);
	INT("uid", 1000);
	STR("comm", "evil\"name\\x");
	STR("syscall", "mkdir");
	INT("nr", 83);
	STR("abi", "x86_64");
	STR("action", "errno");
	INT("errno", 13);
	STR("effect", "killed");
	STR("mechanism", "kill");
	INT("count", 7);
	INT("suppressed", 6);
	assert_true(json_object_object_get_ex(o, "args", &v));
	assert_int_equal(json_object_array_length(v), 6);
	assert_true(json_object_get_uint64(json_object_array_get_idx(v, 2)) == 0xffffffffffffffffULL);
	json_object_put(o);
}

static void test_json_abis_and_unknown(void **state)
{
	struct bg_event e = sample();
	char line[2048];
	struct json_object *o, *v;

	(void)state;
	e.abi = BG_ABI_IA32;
	e.nr = 39; /* ia32 mkdir, not getpid */
	e.verdict = BG_VERDICT_KILL;
	bg_event_format_json(&e, 0, &NAMES, line, sizeof(line));
	o = json_tokener_parse(line);
	STR("syscall", "mkdir");
	STR("abi", "ia32");
	assert_false(json_object_object_get_ex(o, "errno", &v)); /* only for errno actions */
	json_object_put(o);

	e.abi = BG_ABI_X32;
	e.nr = 39;
	bg_event_format_json(&e, 0, &NAMES, line, sizeof(line));
	o = json_tokener_parse(line);
	STR("abi", "x32");
	assert_true(json_object_object_get_ex(o, "syscall", &v));
	assert_null(v); /* x32 numbers are not named: null, never a wrong name */
	json_object_put(o);

	e.abi = BG_ABI_X86_64;
	e.nr = 100000;
	bg_event_format_json(&e, 0, &NAMES, line, sizeof(line));
	o = json_tokener_parse(line);
	assert_non_null(o);
	INT("nr", 100000);
	json_object_put(o);
}

static void test_comm_not_terminated(void **state)
{
	struct bg_event e = sample();
	char line[2048];
	struct json_object *o, *v;

	(void)state;
	memset(e.comm, 'A', sizeof(e.comm)); /* no NUL at all */
	bg_event_format_json(&e, 0, &NAMES, line, sizeof(line));
	o = json_tokener_parse(line);
	STR("comm", "AAAAAAAAAAAAAAAA");
	json_object_put(o);
}

static void test_text_line(void **state)
{
	struct bg_event e = sample();
	char line[1024];

	(void)state;
	bg_event_format_text(&e, 0, &NAMES, line, sizeof(line));
	assert_non_null(strstr(line, "cgroup=/demo/child policy=strict pid=100"));
	assert_non_null(strstr(line, "syscall=mkdir(83) abi=x86_64 action=errno(13) effect=killed count=7"));
}

/* net / dev / sysctl events: hook-specific fields, no syscall fields */
static struct bg_event hook_sample(uint32_t type, uint32_t hook)
{
	struct bg_event e = sample();

	memset(e.args, 0, sizeof(e.args));
	e.type = type;
	e.nr = hook;
	e.abi = 0;
	e.count = 1;
	e.suppressed = 0;
	e.err = 1;
	e.verdict = BG_VERDICT_ERRNO;
	e.effect = BG_EFFECT_HOOK_DENY;
	e.mech = BG_MECH_CGROUP_HOOK;
	return e;
}

static void test_hook_events(void **state)
{
	struct bg_event e = hook_sample(BG_EVENT_NET, BG_HOOK_CONNECT4);
	char line[2048];
	struct json_object *o, *v;

	(void)state;
	e.net.family = 2;
	e.net.type = 1;
	e.net.protocol = 6;
	e.net.port = 8081;
	e.net.addr[0] = htonl(0x7f000001);
	bg_event_format_json(&e, 0, &NAMES, line, sizeof(line));
	o = json_tokener_parse(line);
	assert_non_null(o);
	STR("type", "net");
	STR("hook", "connect4");
	STR("family", "inet");
	STR("socket_type", "stream");
	STR("protocol", "tcp");
	STR("address", "127.0.0.1");
	INT("port", 8081);
	STR("action", "errno");
	INT("errno", 1);
	STR("effect", "denied");
	STR("mechanism", "cgroup-hook");
	STR("policy", "strict");
	INT("cgroup_id", 4242);
	INT("attached_cgroup_id", 4241);
	assert_false(json_object_object_get_ex(o, "syscall", &v));
	assert_false(json_object_object_get_ex(o, "args", &v));
	assert_false(json_object_object_get_ex(o, "abi", &v));
	json_object_put(o);
	bg_event_format_text(&e, 0, &NAMES, line, sizeof(line));
	assert_non_null(strstr(line, " net cgroup=/demo/child policy=strict pid=100 comm=evil\"name\\\\x hook=connect4 "
				     "address=127.0.0.1 port=8081 protocol=tcp action=errno(1) effect=denied count=1"));

	e = hook_sample(BG_EVENT_NET, BG_HOOK_CONNECT6);
	e.net.family = 10;
	e.net.type = 2;
	e.net.protocol = 17;
	e.net.port = 53;
	e.net.addr[0] = htonl(0x20010db8);
	e.net.addr[3] = htonl(1);
	e.effect = BG_EFFECT_RECORD;
	e.mech = BG_MECH_AUDIT;
	bg_event_format_json(&e, 0, &NAMES, line, sizeof(line));
	o = json_tokener_parse(line);
	STR("hook", "connect6");
	STR("family", "inet6");
	STR("address", "2001:db8::1");
	STR("protocol", "udp");
	STR("effect", "recorded");
	STR("mechanism", "audit");
	json_object_put(o);
	bg_event_format_text(&e, 0, &NAMES, line, sizeof(line));
	assert_non_null(strstr(line, "address=[2001:db8::1] port=53"));

	e = hook_sample(BG_EVENT_NET, BG_HOOK_SOCK_CREATE);
	e.net.family = 2;
	e.net.type = 3;
	e.net.protocol = 1;
	bg_event_format_json(&e, 0, &NAMES, line, sizeof(line));
	o = json_tokener_parse(line);
	STR("hook", "sock_create");
	STR("socket_type", "raw");
	STR("protocol", "icmp");
	assert_false(json_object_object_get_ex(o, "address", &v)); /* socket() has none */
	assert_false(json_object_object_get_ex(o, "port", &v));
	json_object_put(o);

	e = hook_sample(BG_EVENT_DEV, BG_HOOK_DEV);
	e.dev.type = BG_DEV_CHAR;
	e.dev.major = 1;
	e.dev.minor = 5;
	e.dev.access = BG_DEV_ACC_READ | BG_DEV_ACC_MKNOD;
	bg_event_format_json(&e, 0, &NAMES, line, sizeof(line));
	o = json_tokener_parse(line);
	STR("type", "dev");
	STR("hook", "dev");
	STR("device_type", "c");
	INT("major", 1);
	INT("minor", 5);
	STR("access", "rm");
	json_object_put(o);
	bg_event_format_text(&e, 0, &NAMES, line, sizeof(line));
	assert_non_null(strstr(line, "hook=dev device=c1:5 access=rm"));

	e = hook_sample(BG_EVENT_SYSCTL, BG_HOOK_SYSCTL);
	e.sysctl.write = 1;
	memset(e.sysctl.name, 'n', sizeof(e.sysctl.name)); /* no NUL: still bounded */
	bg_event_format_json(&e, 0, &NAMES, line, sizeof(line));
	o = json_tokener_parse(line);
	STR("type", "sysctl");
	STR("access", "write");
	assert_true(json_object_object_get_ex(o, "sysctl", &v));
	assert_int_equal(strlen(json_object_get_string(v)), BG_SYSCTL_NAME_LEN);
	json_object_put(o);
	strcpy(e.sysctl.name, "kernel/domainname");
	bg_event_format_text(&e, 0, &NAMES, line, sizeof(line));
	assert_non_null(strstr(line, " sysctl cgroup=/demo/child"));
	assert_non_null(strstr(line, "hook=sysctl sysctl=kernel/domainname access=write"));
}

static void test_rfc3339(void **state)
{
	char buf[64];

	(void)state;
	bg_format_rfc3339(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:00.000000000Z");
	bg_format_rfc3339(1700000000123456789ULL, buf, sizeof(buf));
	assert_string_equal(buf, "2023-11-14T22:13:20.123456789Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_fields),
		cmocka_unit_test(test_json_abis_and_unknown),
		cmocka_unit_test(test_comm_not_terminated),
		cmocka_unit_test(test_text_line),
		cmocka_unit_test(test_hook_events),
		cmocka_unit_test(test_rfc3339),
	};
	return cmocka_run_group_tests_name("events", tests, NULL, NULL);
}

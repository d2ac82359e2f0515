/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * test_cghooks.c - the back end of the net/dev/sysctl sections.
 *
 * The compiled bg_netpol is judged with bpf/hook_match.h, the code the
 * kernel programs run, and compared with the IR's reference evaluator
 * (policy.c: bit-by-bit prefixes, byte addresses) over hand-picked cases
 * and many random policies and addresses near the rules' boundaries.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "cghooks.h"
#include "policy.h"

static struct bg_policy *parse_ok(const char *text)
{
	struct bg_diag d = { 0 };
	struct bg_policy *p = NULL;
	if (bg_policy_parse_native(text, strlen(text), "t.policy", &p, &d) != 0)
		fail_msg("parse failed: %s", d.msg);
	return p;
}

static struct bg_netpol *compile_ok(const struct bg_policy *p)
{
	static struct bg_netpol v;
	assert_int_equal(bg_cghooks_compile(p, &v), 0);
	return &v;
}

/* Kernel decision and reference decision for one address; both must agree. */
static int decide(const struct bg_policy *p, const struct bg_netpol *v, int dir, const char *ip,
		  uint16_t port, int proto)
{
	uint8_t a[16];
	int fam = strchr(ip, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(fam, ip, a), 1);
	int k = bg_cghooks_eval_addr(v, dir, fam, a, port, proto);
	int r = bg_net_eval_addr(&p->net, dir, fam, a, port, proto);
	if (k != r)
		fail_msg("%s %s port %u proto %d: kernel %d, reference %d", bg_net_dir_name(dir), ip, port,
			 proto, k, r);
	return k;
}

#define ALLOW BG_NET_ALLOW
#define DENY BG_NET_DENY
#define TCP IPPROTO_TCP
#define UDP IPPROTO_UDP

static void test_prefixes_ports_protocols(void **state)
{
	(void)state;
	struct bg_policy *p = parse_ok(
		"net connect deny 127.0.0.2/32\n"
		"net connect allow 127.0.0.0/8 port 80,443,8000-8080 tcp\n"
		"net connect allow 10.1.2.128/25 udp\n"
		"net connect allow ::1/128 port 53\n"
		"net connect allow 2001:db8::/33 port 1-2\n"
		"net bind allow 0.0.0.0/0 port 8080\n"
		"net sendmsg allow any port 53 udp\n"
		"net sendmsg default allow\n");
	const struct bg_netpol *v = compile_ok(p);
	const int C = BG_NET_CONNECT, B = BG_NET_BIND, S = BG_NET_SENDMSG;

	/* first match wins: the /32 deny shadows the /8 allow */
	assert_int_equal(decide(p, v, C, "127.0.0.2", 80, TCP), DENY);
	assert_int_equal(decide(p, v, C, "127.0.0.1", 80, TCP), ALLOW);
	assert_int_equal(decide(p, v, C, "127.255.255.255", 443, TCP), ALLOW);
	assert_int_equal(decide(p, v, C, "128.0.0.1", 80, TCP), DENY);
	assert_int_equal(decide(p, v, C, "126.255.255.255", 80, TCP), DENY);
	/* port list and range edges */
	assert_int_equal(decide(p, v, C, "127.0.0.1", 8000, TCP), ALLOW);
	assert_int_equal(decide(p, v, C, "127.0.0.1", 8080, TCP), ALLOW);
	assert_int_equal(decide(p, v, C, "127.0.0.1", 7999, TCP), DENY);
	assert_int_equal(decide(p, v, C, "127.0.0.1", 8081, TCP), DENY);
	assert_int_equal(decide(p, v, C, "127.0.0.1", 81, TCP), DENY);
	/* protocol */
	assert_int_equal(decide(p, v, C, "127.0.0.1", 80, UDP), DENY);
	assert_int_equal(decide(p, v, C, "10.1.2.200", 9, UDP), ALLOW);
	assert_int_equal(decide(p, v, C, "10.1.2.127", 9, UDP), DENY);
	assert_int_equal(decide(p, v, C, "10.1.2.200", 9, TCP), DENY);
	/* IPv6: exact, /33 edges, and no rule of one family matches the other */
	assert_int_equal(decide(p, v, C, "::1", 53, TCP), ALLOW);
	assert_int_equal(decide(p, v, C, "::2", 53, TCP), DENY);
	assert_int_equal(decide(p, v, C, "::1", 54, UDP), DENY);
	assert_int_equal(decide(p, v, C, "2001:db8:7fff:ffff::1", 2, TCP), ALLOW);
	assert_int_equal(decide(p, v, C, "2001:db8:8000::", 2, TCP), DENY);
	assert_int_equal(decide(p, v, C, "2001:db9::", 1, TCP), DENY);
	assert_int_equal(decide(p, v, C, "0.0.0.1", 53, TCP), DENY);
	/* mapped IPv4 through an IPv6 socket: the IPv4 rules */
	assert_int_equal(decide(p, v, C, "::ffff:127.0.0.1", 80, TCP), ALLOW);
	assert_int_equal(decide(p, v, C, "::ffff:127.0.0.2", 80, TCP), DENY);
	assert_int_equal(decide(p, v, C, "::ffff:128.0.0.1", 80, TCP), DENY);
	/* bind: 0.0.0.0/0 is all of IPv4, not IPv6 (default deny: it has rules) */
	assert_int_equal(decide(p, v, B, "0.0.0.0", 8080, TCP), ALLOW);
	assert_int_equal(decide(p, v, B, "255.255.255.255", 8080, UDP), ALLOW);
	assert_int_equal(decide(p, v, B, "0.0.0.0", 0, TCP), DENY);
	assert_int_equal(decide(p, v, B, "::", 8080, TCP), DENY);
	/* 'any' is both families; explicit default allow */
	assert_int_equal(decide(p, v, S, "8.8.8.8", 53, UDP), ALLOW);
	assert_int_equal(decide(p, v, S, "2001:4860::8888", 53, UDP), ALLOW);
	assert_int_equal(decide(p, v, S, "8.8.8.8", 54, UDP), ALLOW);
	assert_int_equal(v->dir[S].dflt, ALLOW);
	assert_int_equal(v->dir[C].dflt, DENY);
	/* the port list became three rules */
	assert_int_equal(p->net.dir[C].nrules, 7);
	bg_policy_free(p);
}

static void test_defaults_and_none(void **state)
{
	(void)state;
	struct bg_policy *p = parse_ok("net family inet6\n");
	const struct bg_netpol *v = compile_ok(p);
	uint8_t lo4[4] = { 127, 0, 0, 1 };

	/* a direction without rules or default allows */
	for (int d = 0; d < BG_NET_NDIRS; d++)
		assert_int_equal(bg_cghooks_eval_addr(v, d, AF_INET, lo4, 1, TCP), ALLOW);
	assert_int_equal(bg_cghooks_eval_socket(v, AF_INET, SOCK_STREAM), DENY);
	assert_int_equal(bg_cghooks_eval_socket(v, AF_INET6, SOCK_STREAM), ALLOW);
	assert_int_equal(bg_cghooks_eval_socket(v, AF_UNIX, SOCK_STREAM), ALLOW);
	assert_int_equal(bg_cghooks_needed(v), 1u << BG_HOOK_SOCK_CREATE);
	bg_policy_free(p);

	p = parse_ok("net none\n");
	v = compile_ok(p);
	for (int fam = 0; fam < 46; fam++)
		assert_int_equal(bg_cghooks_eval_socket(v, fam, SOCK_DGRAM),
				 bg_net_eval_socket(&p->net, fam, SOCK_DGRAM));
	assert_int_equal(bg_cghooks_eval_socket(v, AF_INET, SOCK_DGRAM), DENY);
	assert_int_equal(bg_cghooks_eval_socket(v, AF_NETLINK, SOCK_DGRAM), ALLOW);
	for (int d = 0; d < BG_NET_NDIRS; d++)
		assert_int_equal(bg_cghooks_eval_addr(v, d, AF_INET, lo4, 1, TCP), DENY);
	assert_int_equal(bg_cghooks_needed(v), 0x7fu << BG_HOOK_SOCK_CREATE);
	bg_policy_free(p);

	p = parse_ok("net type stream\n");
	v = compile_ok(p);
	assert_int_equal(bg_cghooks_eval_socket(v, AF_INET, SOCK_STREAM), ALLOW);
	assert_int_equal(bg_cghooks_eval_socket(v, AF_INET, SOCK_DGRAM), DENY);
	assert_int_equal(bg_cghooks_eval_socket(v, AF_INET6, SOCK_RAW), DENY);
	assert_int_equal(bg_net_eval_socket(&p->net, AF_INET6, SOCK_RAW), DENY);
	bg_policy_free(p);

	/* no sections: an all-zero value, no programs */
	p = parse_ok("allow read\n");
	v = compile_ok(p);
	static const struct bg_netpol zero;
	assert_memory_equal(v, &zero, sizeof(zero));
	assert_int_equal(bg_cghooks_needed(v), 0);
	assert_false(bg_cghooks_wanted(p));
	bg_policy_free(p);
}

static void test_dev(void **state)
{
	(void)state;
	struct bg_policy *p = parse_ok("dev allow c 1:3 rw\ndev allow c 136:* rwm\ndev allow a 7:0 r\n");
	const struct bg_netpol *v = compile_ok(p);
	const unsigned R = BG_DEV_ACC_READ, W = BG_DEV_ACC_WRITE, M = BG_DEV_ACC_MKNOD;
	static const struct { char t; uint32_t mj, mn; unsigned acc; int want; } cases[] = {
		{ 'c', 1, 3, BG_DEV_ACC_READ | BG_DEV_ACC_WRITE, BG_NET_ALLOW },
		{ 'c', 1, 3, BG_DEV_ACC_MKNOD, BG_NET_DENY },
		{ 'c', 1, 5, BG_DEV_ACC_READ, BG_NET_DENY },
		{ 'b', 1, 3, BG_DEV_ACC_READ, BG_NET_DENY },
		{ 'c', 136, 0, BG_DEV_ACC_MKNOD, BG_NET_ALLOW },
		{ 'c', 136, 4095, BG_DEV_ACC_READ | BG_DEV_ACC_WRITE, BG_NET_ALLOW },
		{ 'b', 7, 0, BG_DEV_ACC_READ, BG_NET_ALLOW },
		{ 'c', 7, 0, BG_DEV_ACC_READ, BG_NET_ALLOW },
		{ 'b', 7, 0, BG_DEV_ACC_READ | BG_DEV_ACC_WRITE, BG_NET_DENY },
		{ 'b', 7, 1, BG_DEV_ACC_READ, BG_NET_DENY },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(bg_cghooks_eval_dev(v, cases[i].t, cases[i].mj, cases[i].mn, cases[i].acc),
				 cases[i].want);
		assert_int_equal(bg_dev_eval(&p->dev, cases[i].t, cases[i].mj, cases[i].mn, cases[i].acc),
				 cases[i].want);
	}
	/* exhaustive over small numbers and every access combination */
	for (char t = 'b'; t <= 'c'; t++)
		for (uint32_t mj = 0; mj < 140; mj++)
			for (uint32_t mn = 0; mn < 8; mn++)
				for (unsigned acc = 1; acc <= (R | W | M); acc++)
					assert_int_equal(bg_cghooks_eval_dev(v, t, mj, mn, acc),
							 bg_dev_eval(&p->dev, t, mj, mn, acc));
	assert_int_equal(bg_cghooks_needed(v), 1u << BG_HOOK_DEV);
	bg_policy_free(p);

	p = parse_ok("dev none\nsysctl none\n");
	v = compile_ok(p);
	assert_int_equal(bg_cghooks_eval_dev(v, 'c', 1, 3, BG_DEV_ACC_READ), BG_NET_DENY);
	assert_int_equal(v->sysctl, BG_SYSCTL_DENY_WRITE | BG_SYSCTL_DENY_READ);
	assert_int_equal(bg_cghooks_needed(v), (1u << BG_HOOK_DEV) | (1u << BG_HOOK_SYSCTL));
	bg_policy_free(p);
	p = parse_ok("sysctl read-only\n");
	assert_int_equal(compile_ok(p)->sysctl, BG_SYSCTL_DENY_WRITE);
	bg_policy_free(p);
}

/* ------------------------------------------------------------------ */
/* Random policies against the reference */

static uint32_t rnd(unsigned *seed)
{
	return ((uint32_t)rand_r(seed) << 16) ^ (uint32_t)rand_r(seed);
}

static void random_rule(unsigned *seed, struct bg_netrule *r)
{
	memset(r, 0, sizeof(*r));
	r->action = (uint8_t)(rnd(seed) & 1);
	r->family = (uint8_t)(rnd(seed) % 5 == 0 ? 0 : rnd(seed) % 2 ? 4 : 6);
	r->proto = (uint8_t)(rnd(seed) % 3 == 0 ? 0 : rnd(seed) % 2 ? TCP : UDP);
	r->port_lo = (uint16_t)(rnd(seed) % 3 == 0 ? 0 : rnd(seed) % 1000);
	r->port_hi = (uint16_t)(rnd(seed) % 3 == 0 ? 65535 : r->port_lo + rnd(seed) % 50);
	if (r->family == 0)
		return;
	unsigned max = r->family == 4 ? 32 : 128;
	r->prefix = (uint8_t)(rnd(seed) % (max + 1));
	for (unsigned i = 0; i < max / 8; i++)
		r->addr[i] = (uint8_t)(rnd(seed) % 4 ? rnd(seed) : 0);
	if (r->family == 6 && rnd(seed) % 4 == 0) { /* some ::ffff:0:0/96-ish rules too */
		memset(r->addr, 0, 10);
		r->addr[10] = r->addr[11] = 0xff;
	}
	for (unsigned bit = r->prefix; bit < max; bit++)
		r->addr[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
}

/* An address near a rule: the rule's own address with a bit flipped
 * around its prefix boundary (or random, or mapped). */
static int sample_addr(unsigned *seed, const struct bg_netdir *d, uint8_t *a)
{
	const struct bg_netrule *r = d->nrules ? &d->rule[rnd(seed) % d->nrules] : NULL;
	int fam = rnd(seed) % 2 ? AF_INET : AF_INET6;
	unsigned max;

	if (r && r->family)
		fam = r->family == 4 ? AF_INET : AF_INET6;
	max = fam == AF_INET ? 32 : 128;
	for (unsigned i = 0; i < 16; i++)
		a[i] = (uint8_t)rnd(seed);
	if (r && r->family && rnd(seed) % 4) {
		memcpy(a, r->addr, max / 8);
		int bit = (int)r->prefix - 2 + (int)(rnd(seed) % 4);
		if (bit >= 0 && bit < (int)max && rnd(seed) % 2)
			a[bit / 8] ^= (uint8_t)(0x80u >> (bit % 8));
	}
	if (fam == AF_INET6 && rnd(seed) % 5 == 0) { /* mapped IPv4 */
		memset(a, 0, 10);
		a[10] = a[11] = 0xff;
	}
	return fam;
}

static void test_random_against_reference(void **state)
{
	(void)state;
	unsigned seed = 4242;
	uint8_t a[16];
	for (int round = 0; round < 300; round++) {
		struct bg_policy *p = bg_policy_new("random");
		bg_net_init(&p->net);
		for (int d = 0; d < BG_NET_NDIRS; d++) {
			struct bg_netdir *nd = &p->net.dir[d];
			nd->nrules = rnd(&seed) % (BG_NET_MAX_RULES + 1);
			for (unsigned i = 0; i < nd->nrules; i++)
				random_rule(&seed, &nd->rule[i]);
			nd->has_default = rnd(&seed) % 2;
			nd->dflt = (uint8_t)(rnd(&seed) & 1);
		}
		const struct bg_netpol *v = compile_ok(p);
		for (int s = 0; s < 400; s++) {
			int d = (int)(rnd(&seed) % BG_NET_NDIRS);
			int fam = sample_addr(&seed, &p->net.dir[d], a);
			uint16_t port = (uint16_t)(rnd(&seed) % 4 ? rnd(&seed) % 1100 : rnd(&seed));
			int proto = rnd(&seed) % 2 ? TCP : UDP;
			int k = bg_cghooks_eval_addr(v, d, fam, a, port, proto);
			int r = bg_net_eval_addr(&p->net, d, fam, a, port, proto);
			if (k != r)
				fail_msg("round %d sample %d: kernel %d reference %d", round, s, k, r);
		}
		bg_policy_free(p);
	}
}

static void test_compile_rejects_bad_ir(void **state)
{
	(void)state;
	struct bg_netpol v;
	struct bg_policy *p = bg_policy_new("bad");
	bg_net_init(&p->net);
	p->net.dir[0].nrules = 1;
	p->net.dir[0].rule[0] = (struct bg_netrule){ .family = 4, .prefix = 33, .port_hi = 65535 };
	assert_int_equal(bg_cghooks_compile(p, &v), -EINVAL);
	p->net.dir[0].rule[0] = (struct bg_netrule){ .family = 5, .port_hi = 65535 };
	assert_int_equal(bg_cghooks_compile(p, &v), -EINVAL);
	p->net.dir[0].rule[0] = (struct bg_netrule){ .family = 6, .prefix = 128, .port_lo = 9, .port_hi = 8 };
	assert_int_equal(bg_cghooks_compile(p, &v), -EINVAL);
	p->net.dir[0].rule[0] = (struct bg_netrule){ .family = 6, .prefix = 128, .port_hi = 1, .proto = 1 };
	assert_int_equal(bg_cghooks_compile(p, &v), -EINVAL);
	p->net.dir[0].rule[0] = (struct bg_netrule){ .family = 6, .prefix = 128, .port_hi = 1, .proto = UDP };
	assert_int_equal(bg_cghooks_compile(p, &v), 0);
	p->net.dir[0].nrules = BG_NET_MAX_RULES + 1;
	assert_int_equal(bg_cghooks_compile(p, &v), -EINVAL);
	p->net.dir[0].nrules = 0;
	p->dev.present = true;
	p->dev.nrules = 1;
	p->dev.rule[0] = (struct bg_devrule){ .type = 'x', .access = BG_DEV_ACC_READ };
	assert_int_equal(bg_cghooks_compile(p, &v), -EINVAL);
	bg_policy_free(p);
}

static void test_summary(void **state)
{
	(void)state;
	char buf[512];
	struct bg_policy *p = parse_ok("net family unix inet\n"
				       "net connect allow 127.0.0.0/8 port 80,443 tcp\n"
				       "net bind default deny\n"
				       "dev allow c 1:3 rw\ndev allow c 1:5 r\ndev allow c 136:* rw\n"
				       "sysctl read-only\n");
	bg_cghooks_summary(p, buf, sizeof(buf));
	assert_string_equal(buf, "net: families inet; connect: 2 rules, default deny; bind: none; "
				 "dev: 3 allow rules, default deny; sysctl: read-only");
	bg_policy_free(p);
	p = parse_ok("net none\n");
	bg_cghooks_summary(p, buf, sizeof(buf));
	assert_string_equal(buf, "net: no inet/inet6 sockets; connect: none; bind: none; sendmsg: none");
	bg_policy_free(p);
	p = parse_ok("allow read\n");
	bg_cghooks_summary(p, buf, sizeof(buf));
	assert_string_equal(buf, "");
	bg_policy_free(p);
	/* never overruns a short buffer */
	p = parse_ok("net none\ndev none\nsysctl none\n");
	bg_cghooks_summary(p, buf, 10);
	assert_true(strlen(buf) < 10);
	bg_policy_free(p);
	assert_string_equal(bg_hook_name(BG_HOOK_CONNECT6), "connect6");
	assert_string_equal(bg_hook_name(BG_HOOK_SOCK_CREATE), "sock_create");
	assert_string_equal(bg_hook_name(0), "?");
	assert_string_equal(bg_hook_name(BG_HOOK__COUNT), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefixes_ports_protocols),
		cmocka_unit_test(test_defaults_and_none),
		cmocka_unit_test(test_dev),
		cmocka_unit_test(test_random_against_reference),
		cmocka_unit_test(test_compile_rejects_bad_ir),
		cmocka_unit_test(test_summary),
	};
	return cmocka_run_group_tests_name("cghooks", tests, NULL, NULL);
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The kernel/user contract (bpf/bpfguard.h) may not change shape without a
 * BG_LAYOUT_VERSION bump: pinned maps outlive the bpfguard that created
 * them, and only the version tells a newer bpfguard that the bytes in
 * them mean something else (it then asks for `bpfguard reset`).
 *
 * The table below lists every shared struct with every member; the test
 * hashes what the compiler makes of it (sizes, offsets, member sizes) and
 * compares the hash with the one recorded for the current version.  The
 * header's own _Static_asserts catch most changes at compile time; this
 * catches the rest (a member that moves inside an unchanged size, a
 * retyped member) and checks that no struct has a byte no member owns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bpfguard.h"

/* The fingerprint of the layout that BG_LAYOUT_VERSION names.  When the
 * test fails, bump BG_LAYOUT_VERSION (if the layout really changed) and
 * copy the computed fingerprint from its message here. */
#define RECORDED_VERSION 9
#define RECORDED_FINGERPRINT 0x6828d5b72940832eULL

#define MAX_MEMBERS 32

struct member {
	const char *name;
	size_t off, size;
};

struct layout {
	const char *name;
	size_t size;
	struct member m[MAX_MEMBERS]; /* in declaration order, up to a NULL name */
};

#define F(s, f) { #f, offsetof(struct s, f), sizeof(((struct s *)0)->f) }
#define S(s, ...) { #s, sizeof(struct s), { __VA_ARGS__ } }

/* Pinned maps, the ring buffer, bg_record's input, and the learning maps
 * (not pinned, but read and written by userspace all the same).  bg_event's
 * union members all start at its offset 24. */
static const struct layout LAYOUT[] = {
	S(bg_slotref, F(bg_slotref, refs)),
	S(bg_sysent, F(bg_sysent, verdict), F(bg_sysent, effect), F(bg_sysent, flags), F(bg_sysent, mech),
	  F(bg_sysent, err), F(bg_sysent, pad)),
	S(bg_policy_slot, F(bg_policy_slot, sys), F(bg_policy_slot, dflt), F(bg_policy_slot, x32),
	  F(bg_policy_slot, generation), F(bg_policy_slot, flags)),
	S(bg_argcond, F(bg_argcond, arg), F(bg_argcond, op), F(bg_argcond, pad0), F(bg_argcond, pad1),
	  F(bg_argcond, val), F(bg_argcond, mask)),
	S(bg_argrule, F(bg_argrule, act), F(bg_argrule, ncond), F(bg_argrule, pad), F(bg_argrule, cond)),
	S(bg_argrules_key, F(bg_argrules_key, slot), F(bg_argrules_key, abi), F(bg_argrules_key, nr)),
	S(bg_argrules, F(bg_argrules, nrules), F(bg_argrules, pad), F(bg_argrules, rule)),
	S(bg_filter_ent, F(bg_filter_ent, tag), F(bg_filter_ent, allow)),
	S(bg_cgroup, F(bg_cgroup, slot), F(bg_cgroup, flags), F(bg_cgroup, owner), F(bg_cgroup, epoch),
	  F(bg_cgroup, pad)),
	S(bg_counter_key, F(bg_counter_key, cgid), F(bg_counter_key, owner), F(bg_counter_key, nr),
	  F(bg_counter_key, abi), F(bg_counter_key, verdict), F(bg_counter_key, effect)),
	S(bg_mark, F(bg_mark, active), F(bg_mark, nr), F(bg_mark, ret), F(bg_mark, abi), F(bg_mark, flags),
	  F(bg_mark, hooks_denied)),
	S(bg_rate, F(bg_rate, window_start_ns), F(bg_rate, emitted), F(bg_rate, suppressed)),
	S(bg_config, F(bg_config, layout_version), F(bg_config, rate_limit)),
	S(bg_net_rule, F(bg_net_rule, addr), F(bg_net_rule, mask), F(bg_net_rule, port_lo),
	  F(bg_net_rule, port_hi), F(bg_net_rule, family), F(bg_net_rule, proto), F(bg_net_rule, action),
	  F(bg_net_rule, pad), F(bg_net_rule, err), F(bg_net_rule, pad2)),
	S(bg_net_dirpol, F(bg_net_dirpol, nrules), F(bg_net_dirpol, dflt), F(bg_net_dirpol, dflt_err),
	  F(bg_net_dirpol, rule)),
	S(bg_dev_rule, F(bg_dev_rule, major), F(bg_dev_rule, minor), F(bg_dev_rule, type),
	  F(bg_dev_rule, access)),
	S(bg_netpol, F(bg_netpol, flags), F(bg_netpol, types), F(bg_netpol, families),
	  F(bg_netpol, sysctl), F(bg_netpol, ndev), F(bg_netpol, dir), F(bg_netpol, dev)),
	S(bg_hook_counter_key, F(bg_hook_counter_key, cgid), F(bg_hook_counter_key, owner),
	  F(bg_hook_counter_key, hook), F(bg_hook_counter_key, effect), F(bg_hook_counter_key, pad)),
	S(bg_exec_key, F(bg_exec_key, slot), F(bg_exec_key, pad), F(bg_exec_key, dev),
	  F(bg_exec_key, ino)),
	S(bg_exec_val, F(bg_exec_val, ctime_sec), F(bg_exec_val, ctime_nsec), F(bg_exec_val, pad)),
	S(bg_exec_pol, F(bg_exec_pol, flags)),
	S(bg_exec_info, F(bg_exec_info, dev), F(bg_exec_info, ino), F(bg_exec_info, ctime_sec),
	  F(bg_exec_info, ctime_nsec), F(bg_exec_info, why)),
	S(bg_tag, F(bg_tag, owner), F(bg_tag, epoch), F(bg_tag, flags)),
	S(bg_escape_info, F(bg_escape_info, dst_cgid), F(bg_escape_info, mover_pid),
	  F(bg_escape_info, why), F(bg_escape_info, kill), F(bg_escape_info, pad)),
	S(bg_net_info, F(bg_net_info, family), F(bg_net_info, type), F(bg_net_info, protocol),
	  F(bg_net_info, port), F(bg_net_info, pad), F(bg_net_info, addr)),
	S(bg_dev_info, F(bg_dev_info, type), F(bg_dev_info, major), F(bg_dev_info, minor),
	  F(bg_dev_info, access)),
	S(bg_sysctl_info, F(bg_sysctl_info, write), F(bg_sysctl_info, pad), F(bg_sysctl_info, name)),
	S(bg_event, F(bg_event, ts_ns), F(bg_event, cgid), F(bg_event, owner), F(bg_event, args),
	  F(bg_event, net), F(bg_event, dev), F(bg_event, sysctl), F(bg_event, exec), F(bg_event, escape),
	  F(bg_event, type), F(bg_event, pid), F(bg_event, tid), F(bg_event, uid), F(bg_event, nr),
	  F(bg_event, count), F(bg_event, suppressed), F(bg_event, abi), F(bg_event, err),
	  F(bg_event, verdict), F(bg_event, effect), F(bg_event, mech), F(bg_event, flags),
	  F(bg_event, comm), F(bg_event, pad)),
	S(bg_exec_event, F(bg_exec_event, e), F(bg_exec_event, path)),
	S(bg_exec_record_in, F(bg_exec_record_in, ts_ns), F(bg_exec_record_in, cgid),
	  F(bg_exec_record_in, owner), F(bg_exec_record_in, pid), F(bg_exec_record_in, tid),
	  F(bg_exec_record_in, uid), F(bg_exec_record_in, pad), F(bg_exec_record_in, id),
	  F(bg_exec_record_in, comm), F(bg_exec_record_in, path)),
	S(bg_record_in, F(bg_record_in, ts_ns), F(bg_record_in, cgid), F(bg_record_in, owner),
	  F(bg_record_in, pid), F(bg_record_in, tid), F(bg_record_in, uid), F(bg_record_in, nr),
	  F(bg_record_in, abi), F(bg_record_in, err), F(bg_record_in, verdict), F(bg_record_in, effect),
	  F(bg_record_in, mech), F(bg_record_in, pad), F(bg_record_in, comm)),
	S(bg_attachment, F(bg_attachment, cgid), F(bg_attachment, attached_realtime_ns),
	  F(bg_attachment, slot), F(bg_attachment, mode), F(bg_attachment, fallback),
	  F(bg_attachment, nrules_by_mech), F(bg_attachment, flags), F(bg_attachment, lsm_progs),
	  F(bg_attachment, policy), F(bg_attachment, path), F(bg_attachment, source)),
	S(bg_learn_watch, F(bg_learn_watch, nvals), F(bg_learn_watch, arg), F(bg_learn_watch, pad),
	  F(bg_learn_watch, mask)),
	S(bg_learn_slot, F(bg_learn_slot, watch), F(bg_learn_slot, seen), F(bg_learn_slot, args_full),
	  F(bg_learn_slot, first_ns), F(bg_learn_slot, first_pid), F(bg_learn_slot, first_tid),
	  F(bg_learn_slot, first_comm)),
	S(bg_learn_arg_key, F(bg_learn_arg_key, idx), F(bg_learn_arg_key, pad), F(bg_learn_arg_key, val)),
	S(bg_learn_exec_key, F(bg_learn_exec_key, ino), F(bg_learn_exec_key, dev),
	  F(bg_learn_exec_key, pad)),
	S(bg_learn_exec, F(bg_learn_exec, count), F(bg_learn_exec, first_pid), F(bg_learn_exec, pad),
	  F(bg_learn_exec, path)),
};

/* FNV-1a, 64 bit: small, stable, and enough to notice a change. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
	return fnv(h, s, strlen(s) + 1);
}

static uint64_t fnv_num(uint64_t h, size_t v)
{
	uint64_t x = v; /* fixed width: the fingerprint must not depend on size_t */

	return fnv(h, &x, sizeof(x));
}

static uint64_t fingerprint(void)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < sizeof(LAYOUT) / sizeof(LAYOUT[0]); i++) {
		const struct layout *l = &LAYOUT[i];

		h = fnv_num(fnv_str(h, l->name), l->size);
		for (const struct member *m = l->m; m->name; m++)
			h = fnv_num(fnv_num(fnv_str(h, m->name), m->off), m->size);
	}
	return h;
}

static void print_layout(void)
{
	for (size_t i = 0; i < sizeof(LAYOUT) / sizeof(LAYOUT[0]); i++) {
		print_message("  struct %s: %zu bytes\n", LAYOUT[i].name, LAYOUT[i].size);
		for (const struct member *m = LAYOUT[i].m; m->name; m++)
			print_message("    %-22s %5zu +%zu\n", m->name, m->off, m->size);
	}
}

static void test_fingerprint_matches_version(void **state)
{
	uint64_t fp = fingerprint();

	(void)state;
	if (BG_LAYOUT_VERSION != RECORDED_VERSION) {
		print_layout();
		fail_msg("BG_LAYOUT_VERSION is %d but tests/unit/test_layout.c records the layout of version %d: "
			 "set RECORDED_VERSION to %d and RECORDED_FINGERPRINT to 0x%016llxULL",
			 BG_LAYOUT_VERSION, RECORDED_VERSION, BG_LAYOUT_VERSION, (unsigned long long)fp);
	}
	if (fp != RECORDED_FINGERPRINT) {
		print_layout();
		fail_msg("the kernel/user contract's layout changed (fingerprint 0x%016llx, version %d recorded "
			 "0x%016llx): bump BG_LAYOUT_VERSION in bpf/bpfguard.h and update the fingerprint in "
			 "tests/unit/test_layout.c (RECORDED_VERSION, RECORDED_FINGERPRINT)",
			 (unsigned long long)fp, RECORDED_VERSION, (unsigned long long)RECORDED_FINGERPRINT);
	}
}

/* Every byte of every struct belongs to a member: no hole between members
 * and no tail padding (bpfguard.h's -Wpadded says the same at compile
 * time; this also names the byte, and catches a member left out of the
 * table).  Members sharing an offset are a union's. */
static void test_no_implicit_padding(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(LAYOUT) / sizeof(LAYOUT[0]); i++) {
		const struct layout *l = &LAYOUT[i];
		size_t end = 0;

		for (const struct member *m = l->m; m->name; m++) {
			if (m->off > end)
				fail_msg("struct %s: %zu implicit padding byte(s) before %s (offset %zu): "
					 "name them (a pad member)", l->name, m->off - end, m->name, m->off);
			if (m->off + m->size > end)
				end = m->off + m->size;
		}
		if (end != l->size)
			fail_msg("struct %s: %zu byte(s) of tail padding after offset %zu: name them (a pad member)",
				 l->name, l->size - end, end);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fingerprint_matches_version),
		cmocka_unit_test(test_no_implicit_padding),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

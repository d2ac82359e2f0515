// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The escape-hatch pass and the implied io_uring rule (user/policy/policy_hatches.c):
 * which policies get the implied denial and with which action, that only
 * names written out count as "allowed in so many words", that exports and
 * the printed form carry it, and that each hatch class is reported when,
 * and only when, the policy leaves it open for the target's attacker.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "policy.h"
#include "policy_export.h"
#include "policy_hatches.h"
#include "syscalls.h"
#include "util.h"

static struct bg_policy *parse(const char *text)
{
	struct bg_policy *p = NULL;
	struct bg_diag d = {};

	if (bg_policy_parse(text, strlen(text), "test", &p, &d))
		fail_msg("parse failed: %s", d.msg);
	return p;
}

static struct bg_action act(const struct bg_policy *p, int abi, const char *name)
{
	return bg_policy_eval(p, abi, bg_syscall_nr(abi, name), NULL);
}

static bool has_hatch(const struct bg_policy *p, int target, const char *name)
{
	struct bg_hatches hs;

	bg_hatches_find(p, target, &hs);
	for (unsigned i = 0; i < hs.n; i++)
		if (!strcmp(bg_hatch_name(hs.h[i].cls), name))
			return true;
	return false;
}

static void test_implied_kill(void **state)
{
	struct bg_policy *p = parse("default allow\nkill unlinkat\n");

	(void)state;
	assert_true(p->uring.applied);
	assert_int_equal(act(p, BG_ABI_X86_64, "io_uring_setup").verdict, BG_VERDICT_KILL);
	assert_int_equal(act(p, BG_ABI_X86_64, "io_uring_enter").verdict, BG_VERDICT_KILL);
	assert_int_equal(act(p, BG_ABI_X86_64, "io_uring_register").verdict, BG_VERDICT_KILL);
	assert_true(p->sys[BG_ABI_X86_64][bg_syscall_nr(BG_ABI_X86_64, "io_uring_setup")].implied);
	assert_non_null(strstr(p->uring.ops, "unlinkat"));
	/* io_uring has no ia32 reach here: the ia32 default kills it already */
	assert_false(p->sys[BG_ABI_IA32][bg_syscall_nr(BG_ABI_IA32, "io_uring_setup")].implied);
	assert_false(bg_hatch_uring_open(p));
	assert_false(has_hatch(p, BG_HATCH_CGROUP, "io-uring"));
	bg_policy_free(p);
}

static void test_implied_errno_and_strongest(void **state)
{
	struct bg_policy *p = parse("default allow\nerrno(EACCES) unlink unlinkat\n");
	struct bg_action a;

	(void)state;
	a = act(p, BG_ABI_X86_64, "io_uring_setup");
	assert_int_equal(a.verdict, BG_VERDICT_ERRNO);
	assert_int_equal(a.err, 13);
	/* enter/register: no LSM hook stops them, a ring from outside would */
	assert_int_equal(act(p, BG_ABI_X86_64, "io_uring_enter").verdict, BG_VERDICT_KILL);
	bg_policy_free(p);

	/* a conditional errno counts, and a kill anywhere beats errno */
	p = parse("default allow\nerrno(EROFS) openat if arg2 & 3 == 1\nkill mkdir\n");
	assert_int_equal(act(p, BG_ABI_X86_64, "io_uring_setup").verdict, BG_VERDICT_KILL);
	bg_policy_free(p);
}

static void test_explicit_vs_group(void **state)
{
	struct bg_policy *p;

	(void)state;
	/* named: kept as written, reported, and --require-deny's open path */
	p = parse("default allow\nkill unlinkat\nallow io_uring_setup\n");
	assert_int_equal(act(p, BG_ABI_X86_64, "io_uring_setup").verdict, BG_VERDICT_ALLOW);
	assert_int_equal(act(p, BG_ABI_X86_64, "io_uring_enter").verdict, BG_VERDICT_KILL);
	assert_true(bg_hatch_uring_open(p));
	assert_true(has_hatch(p, BG_HATCH_CGROUP, "io-uring"));
	assert_true(has_hatch(p, BG_HATCH_RUN, "io-uring"));
	bg_policy_free(p);

	/* a conditional allow by name is still the author's decision */
	p = parse("default allow\nkill unlinkat\nallow io_uring_setup if arg0 < 8\n");
	assert_false(p->sys[BG_ABI_X86_64][bg_syscall_nr(BG_ABI_X86_64, "io_uring_setup")].implied);
	assert_true(bg_hatch_uring_open(p));
	bg_policy_free(p);

	/* a group is not "in so many words" */
	p = parse("default errno(EPERM)\nallow @aio read write\n");
	assert_true(p->uring.applied);
	assert_int_equal(act(p, BG_ABI_X86_64, "io_uring_setup").verdict, BG_VERDICT_ERRNO);
	assert_false(bg_hatch_uring_open(p));
	bg_policy_free(p);
}

static void test_not_applied(void **state)
{
	struct bg_policy *p;

	(void)state;
	p = parse("default allow\nkill bpf ptrace\n"); /* nothing io_uring does */
	assert_false(p->uring.applied);
	assert_int_equal(act(p, BG_ABI_X86_64, "io_uring_setup").verdict, BG_VERDICT_ALLOW);
	bg_policy_free(p);
	p = parse("default errno(EPERM)\nallow read write\n"); /* denied by default */
	assert_false(p->uring.applied);
	bg_policy_free(p);
}

static void test_idempotent_and_printed(void **state)
{
	struct bg_policy *p = parse("default allow\nkill unlinkat\n"), *q;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	bg_policy_imply_io_uring(p);
	assert_int_equal(act(p, BG_ABI_X86_64, "io_uring_setup").verdict, BG_VERDICT_KILL);
	f = open_memstream(&buf, &len);
	bg_policy_print(p, f);
	fclose(f);
	assert_non_null(strstr(buf, "# implied: io_uring_setup kill"));
	q = parse(buf);
	for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++)
		assert_int_equal(bg_policy_eval(p, BG_ABI_X86_64, nr, NULL).verdict,
				 bg_policy_eval(q, BG_ABI_X86_64, nr, NULL).verdict);
	free(buf);
	bg_policy_free(q);
	bg_policy_free(p);
}

static void test_docker_and_export(void **state)
{
	const char *allow_all = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":"
				"[{\"names\":[\"unlinkat\"],\"action\":\"SCMP_ACT_ERRNO\"}]}";
	const char *named = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":"
			    "[{\"names\":[\"unlinkat\"],\"action\":\"SCMP_ACT_ERRNO\"},"
			    "{\"names\":[\"io_uring_setup\"],\"action\":\"SCMP_ACT_ALLOW\"}]}";
	struct bg_export_opts o = { .format = BG_EXPORT_DOCKER };
	struct bg_policy *p = parse(allow_all);
	struct json_object *j = NULL;
	struct bg_diag d = {};

	(void)state;
	assert_int_equal(act(p, BG_ABI_X86_64, "io_uring_setup").verdict, BG_VERDICT_ERRNO);
	assert_int_equal(bg_export_seccomp_json(p, &o, &j, &d), 0);
	assert_non_null(strstr(json_object_to_json_string(j), "io_uring_setup"));
	json_object_put(j);
	bg_policy_free(p);

	/* a profile names every syscall it lists: that is an explicit allow */
	p = parse(named);
	assert_int_equal(act(p, BG_ABI_X86_64, "io_uring_setup").verdict, BG_VERDICT_ALLOW);
	assert_true(bg_hatch_uring_open(p));
	bg_policy_free(p);
}

static void test_moby_default(void **state)
{
	const char *shared = getenv("BG_SHARED");
	struct bg_policy *p = NULL;
	struct bg_diag d = {};
	char path[4096];

	(void)state;
	if (!shared)
		skip();
	snprintf(path, sizeof(path), "%s/data/seccomp/moby-default.json", shared);
	assert_int_equal(bg_policy_load(path, &p, &d), 0);
	/* io_uring_* are not in its allow list: its default refuses them */
	assert_false(p->uring.applied);
	assert_int_equal(act(p, BG_ABI_X86_64, "io_uring_setup").verdict, BG_VERDICT_ERRNO);
	assert_false(bg_hatch_uring_open(p));
	/* what a container relies on capabilities for is open to host root */
	assert_true(has_hatch(p, BG_HATCH_CGROUP, "ptrace"));
	assert_true(has_hatch(p, BG_HATCH_CGROUP, "clock"));
	assert_false(has_hatch(p, BG_HATCH_CGROUP, "bpf"));
	assert_false(has_hatch(p, BG_HATCH_CGROUP, "namespaces"));
	bg_policy_free(p);
}

/* Per class: a policy that opens it, for the target whose attacker has it. */
static const struct {
	const char *hatch;
	const char *open;
	bool run; /* the payload of run has it too */
} cases[] = {
	{ "namespaces", "default allow\n", true },
	{ "ia32", "default errno(EPERM)\ndefault ia32 allow\n", true },
	{ "bpf", "default errno(EPERM)\nallow bpf\n", false },
	{ "ptrace", "default errno(EPERM)\nallow process_vm_readv\n", false },
	{ "mount", "default errno(EPERM)\nallow fsmount\n", false },
	{ "handles", "default errno(EPERM)\nallow open_by_handle_at\n", false },
	{ "modules", "default errno(EPERM)\nallow finit_module\n", false },
	{ "kexec", "default errno(EPERM)\nallow kexec_file_load\n", false },
	{ "ioports", "default errno(EPERM)\nallow iopl\n", false },
	{ "swap", "default errno(EPERM)\nallow swapon\n", false },
	{ "reboot", "default errno(EPERM)\nallow reboot\n", false },
	{ "clock", "default errno(EPERM)\nallow clock_settime\n", false },
	{ "keyring", "default errno(EPERM)\nallow add_key\n", false },
	{ "userfaultfd", "default errno(EPERM)\nallow userfaultfd\n", true },
	{ "perf", "default errno(EPERM)\nallow perf_event_open\n", true },
	{ "fanotify", "default errno(EPERM)\nallow fanotify_init\n", false },
	{ "cgroupfs", "default errno(EPERM)\nallow openat if arg2 & 3 == 2\n", false },
	{ "sysctl", "default errno(EPERM)\nallow openat\ndev allow c 1:3 rw\n", false },
	{ "devices", "default errno(EPERM)\nallow mknodat\n", false },
	{ "io-uring", "default allow\nkill connect\nallow io_uring_enter\n", true },
};

static void test_classes(void **state)
{
	struct bg_policy *closed = parse("default errno(EPERM)\nallow read write close\n");

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bg_policy *p = parse(cases[i].open);
		struct bg_hatches hs;

		assert_true(bg_hatch_id(cases[i].hatch) >= 0);
		if (!has_hatch(p, BG_HATCH_CGROUP, cases[i].hatch))
			fail_msg("%s: not reported for: %s", cases[i].hatch, cases[i].open);
		if (has_hatch(p, BG_HATCH_RUN, cases[i].hatch) != cases[i].run)
			fail_msg("%s: for run: reported %d, wanted %d", cases[i].hatch, !cases[i].run,
				 cases[i].run);
		assert_false(has_hatch(closed, BG_HATCH_CGROUP, cases[i].hatch));
		/* one finding per class, and every line names its class */
		bg_hatches_find(p, BG_HATCH_CGROUP, &hs);
		for (unsigned k = 0; k < hs.n; k++) {
			char line[1024], want[64];

			bg_hatch_line(&hs.h[k], line, sizeof(line));
			snprintf(want, sizeof(want), "hatch %s: ", bg_hatch_name(hs.h[k].cls));
			assert_true(!strncmp(line, want, strlen(want)));
			assert_null(strchr(line, '\n'));
		}
		bg_policy_free(p);
	}
	bg_policy_free(closed);
}

static void test_conditional_precision(void **state)
{
	struct bg_policy *p;

	(void)state;
	/* clone without CLONE_NEWUSER is not the namespaces hatch... */
	p = parse("default errno(EPERM)\nallow clone if arg0 & CLONE_NEWUSER == 0\n");
	assert_false(has_hatch(p, BG_HATCH_CGROUP, "namespaces"));
	bg_policy_free(p);
	/* ...but clone3, whose flags are in memory, is */
	p = parse("default errno(EPERM)\nallow clone3\n");
	assert_true(has_hatch(p, BG_HATCH_RUN, "namespaces"));
	bg_policy_free(p);
	/* read-only opens write nothing: no cgroupfs, sysctl or devices hatch */
	p = parse("default errno(EPERM)\nallow openat if arg2 & 3 == 0\n");
	assert_false(has_hatch(p, BG_HATCH_CGROUP, "cgroupfs"));
	assert_false(has_hatch(p, BG_HATCH_CGROUP, "sysctl"));
	assert_false(has_hatch(p, BG_HATCH_CGROUP, "devices"));
	bg_policy_free(p);
	/* ia32 rules that mirror the x86_64 ones leave no ia32 hatch */
	p = parse("default allow\ndefault ia32 allow\nkill bpf ia32:bpf\n");
	assert_false(has_hatch(p, BG_HATCH_CGROUP, "ia32"));
	assert_false(has_hatch(p, BG_HATCH_CGROUP, "bpf"));
	bg_policy_free(p);
	p = parse("default allow\ndefault ia32 allow\nkill bpf\n");
	assert_true(has_hatch(p, BG_HATCH_CGROUP, "ia32"));
	assert_true(has_hatch(p, BG_HATCH_CGROUP, "bpf")); /* as ia32:bpf */
	bg_policy_free(p);
}

static void test_accept(void **state)
{
	struct bg_policy *p = parse("default errno(EPERM)\nallow perf_event_open bpf\nhatch accept perf\n");
	struct bg_hatches hs;
	struct bg_diag d = {};
	struct bg_policy *bad = NULL;
	const char *text = "default allow\nhatch accept nosuch\n";

	(void)state;
	bg_hatches_find(p, BG_HATCH_CGROUP, &hs);
	assert_int_equal(hs.n, 2);
	for (unsigned i = 0; i < hs.n; i++)
		assert_int_equal(hs.h[i].accepted, !strcmp(bg_hatch_name(hs.h[i].cls), "perf"));
	bg_policy_free(p);
	assert_int_not_equal(bg_policy_parse(text, strlen(text), "t", &bad, &d), 0);
	assert_non_null(strstr(d.msg, "unknown hatch 'nosuch'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_implied_kill),
		cmocka_unit_test(test_implied_errno_and_strongest),
		cmocka_unit_test(test_explicit_vs_group),
		cmocka_unit_test(test_not_applied),
		cmocka_unit_test(test_idempotent_and_printed),
		cmocka_unit_test(test_docker_and_export),
		cmocka_unit_test(test_moby_default),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_conditional_precision),
		cmocka_unit_test(test_accept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

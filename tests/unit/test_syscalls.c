/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* test_syscalls.c - syscall tables, groups and errno names. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <seccomp.h>
#include <stdlib.h>

#include "policy.h"
#include "syscalls.h"

/* The numbers that make the ia32 bypass matter: 39 is mkdir in one table
 * and getpid in the other. */
static void test_known_numbers(void **state)
{
	(void)state;
	assert_int_equal(bg_syscall_nr(BG_ABI_X86_64, "mkdir"), 83);
	assert_int_equal(bg_syscall_nr(BG_ABI_IA32, "mkdir"), 39);
	assert_int_equal(bg_syscall_nr(BG_ABI_X86_64, "getpid"), 39);
	assert_int_equal(bg_syscall_nr(BG_ABI_IA32, "getpid"), 20);
	assert_int_equal(bg_syscall_nr(BG_ABI_X86_64, "read"), 0);
	assert_int_equal(bg_syscall_nr(BG_ABI_IA32, "read"), 3);
	assert_int_equal(bg_syscall_nr(BG_ABI_X86_64, "io_uring_setup"), 425);
	assert_int_equal(bg_syscall_nr(BG_ABI_IA32, "socket"), 359);
	assert_string_equal(bg_syscall_name(BG_ABI_X86_64, 39), "getpid");
	assert_string_equal(bg_syscall_name(BG_ABI_IA32, 39), "mkdir");
	assert_string_equal(bg_syscall_name(BG_ABI_X86_64, 59), "execve");
}

/* Names libseccomp 2.5.4 does not know come from our top-up table. */
static void test_newer_syscalls(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		int nr;
	} both[] = {
		{ "cachestat", 451 },	      { "fchmodat2", 452 },	{ "futex_wake", 454 },
		{ "futex_wait", 455 },	      { "futex_requeue", 456 }, { "statmount", 457 },
		{ "listmount", 458 },	      { "lsm_get_self_attr", 459 },
		{ "lsm_set_self_attr", 460 }, { "lsm_list_modules", 461 },
		{ "mseal", 462 },	      { "setxattrat", 463 },	{ "getxattrat", 464 },
		{ "listxattrat", 465 },	      { "removexattrat", 466 },
		{ "open_tree_attr", 467 },    { "file_getattr", 468 },	{ "file_setattr", 469 },
	};
	for (size_t i = 0; i < sizeof(both) / sizeof(both[0]); i++) {
		assert_int_equal(bg_syscall_nr(BG_ABI_X86_64, both[i].name), both[i].nr);
		assert_int_equal(bg_syscall_nr(BG_ABI_IA32, both[i].name), both[i].nr);
		assert_string_equal(bg_syscall_name(BG_ABI_X86_64, both[i].nr), both[i].name);
	}
	assert_int_equal(bg_syscall_nr(BG_ABI_X86_64, "uretprobe"), 335);
	assert_int_equal(bg_syscall_nr(BG_ABI_IA32, "uretprobe"), -1);
}

static void test_unknown(void **state)
{
	(void)state;
	/* libseccomp's negative pseudo-numbers must read as "unknown". */
	assert_int_equal(bg_syscall_nr(BG_ABI_X86_64, "socketcall"), -1);
	assert_int_equal(bg_syscall_nr(BG_ABI_X86_64, "mmap2"), -1);
	assert_int_equal(bg_syscall_nr(BG_ABI_X86_64, "recv"), -1);
	assert_int_equal(bg_syscall_nr(BG_ABI_IA32, "arch_prctl"), 384);
	assert_int_equal(bg_syscall_nr(BG_ABI_X86_64, "no_such_call"), -1);
	assert_int_equal(bg_syscall_nr(BG_ABI_X86_64, ""), -1);
	assert_int_equal(bg_syscall_nr(BG_ABI_X86_64, NULL), -1);
	assert_int_equal(bg_syscall_nr(BG_ABI_X32, "read"), -1);
	assert_null(bg_syscall_name(BG_ABI_X86_64, -1));
	assert_null(bg_syscall_name(BG_ABI_X86_64, BG_MAX_SYSCALLS));
	assert_null(bg_syscall_name(BG_ABI_X86_64, 400)); /* the 387..423 hole */
	assert_null(bg_syscall_name(7, 0));
}

/* Every number with a name maps back to itself, in both ABIs. */
static void test_tables_round_trip(void **state)
{
	(void)state;
	for (int abi = 0; abi < BG_NR_TABLES; abi++) {
		int named = 0;
		for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++) {
			const char *n = bg_syscall_name(abi, nr);
			if (!n)
				continue;
			named++;
			assert_int_equal(bg_syscall_nr(abi, n), nr);
		}
		assert_true(named > 350);
	}
}

/* The tables generated at build time (syscalls.c) are in use on the
 * machine that built them, and say exactly what the libseccomp loaded
 * says: every number it names has that name, and the only names it does
 * not know are the top-ups for newer kernels. */
static void test_tables_match_libseccomp(void **state)
{
	(void)state;
	assert_string_equal(bg_syscall_tables_source(), "build");
	for (int abi = 0; abi < BG_NR_TABLES; abi++) {
		uint32_t arch = abi == BG_ABI_IA32 ? SCMP_ARCH_X86 : SCMP_ARCH_X86_64;
		int extras = 0;

		for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++) {
			char *want = seccomp_syscall_resolve_num_arch(arch, nr);
			const char *got = bg_syscall_name(abi, nr);

			if (want) {
				assert_non_null(got);
				assert_string_equal(got, want);
			} else if (got) {
				extras++;
				assert_int_equal(seccomp_syscall_resolve_name_arch(arch, got), __NR_SCMP_ERROR);
			}
			free(want);
		}
		assert_true(extras < 25);
	}
}

/* A typo in a group table must not hide: every member resolves in at
 * least one ABI, and every member that is not an i386-only spelling
 * resolves for x86_64. */
static void test_group_members_resolve(void **state)
{
	(void)state;
	int groups = 0;
	for (const char *const *g = bg_group_names(); *g; g++, groups++) {
		const char *const *m = bg_group_members(*g);
		assert_non_null(m);
		assert_non_null(bg_group_help(*g));
		assert_int_equal((*g)[0], '@');
		for (; *m; m++) {
			if ((*m)[0] == '@') {
				if (!bg_group_members(*m))
					fail_msg("%s: unknown nested group %s", *g, *m);
				continue;
			}
			int nr64 = bg_syscall_nr(BG_ABI_X86_64, *m);
			int nr32 = bg_syscall_nr(BG_ABI_IA32, *m);
			if (nr64 < 0 && nr32 < 0)
				fail_msg("%s: member '%s' resolves in no ABI (typo?)", *g, *m);
		}
	}
	assert_true(groups >= 30);
}

static int count(const unsigned char *set)
{
	int n = 0;
	for (int i = 0; i < BG_MAX_SYSCALLS; i++)
		n += set[i];
	return n;
}

static void test_group_expand(void **state)
{
	(void)state;
	unsigned char set[BG_MAX_SYSCALLS] = { 0 };
	assert_true(bg_group_expand("@go-net", BG_ABI_X86_64, set) > 40);
	/* @go-net includes @go-runtime. */
	assert_true(set[bg_syscall_nr(BG_ABI_X86_64, "futex")]);
	assert_true(set[bg_syscall_nr(BG_ABI_X86_64, "accept4")]);
	assert_false(set[bg_syscall_nr(BG_ABI_X86_64, "ptrace")]);

	memset(set, 0, sizeof(set));
	assert_true(bg_group_expand("aio", BG_ABI_X86_64, set) > 0); /* '@' optional */
	assert_true(set[bg_syscall_nr(BG_ABI_X86_64, "io_uring_setup")]);
	assert_true(set[bg_syscall_nr(BG_ABI_X86_64, "io_setup")]);

	/* Expanding twice adds nothing new. */
	assert_int_equal(bg_group_expand("@aio", BG_ABI_X86_64, set), 0);

	/* i386-only spellings appear only in the ia32 expansion. */
	memset(set, 0, sizeof(set));
	bg_group_expand("@basic-io", BG_ABI_IA32, set);
	assert_true(set[bg_syscall_nr(BG_ABI_IA32, "_llseek")]);
	int n32 = count(set);
	memset(set, 0, sizeof(set));
	bg_group_expand("@basic-io", BG_ABI_X86_64, set);
	assert_int_equal(count(set) + 1, n32);

	assert_int_equal(bg_group_expand("@nope", BG_ABI_X86_64, set), -ENOENT);
	assert_int_equal(bg_group_expand("@aio", BG_ABI_X32, set), -EINVAL);
	assert_null(bg_group_members("@nope"));
	assert_null(bg_group_help("nope"));
}

/* @default has what every program needs; @system-service is composed. */
static void test_group_contents(void **state)
{
	(void)state;
	static const char *const must_default[] = { "execve", "exit", "exit_group", "brk",
						    "arch_prctl", "rt_sigreturn", "futex",
						    "getpid", NULL };
	unsigned char set[BG_MAX_SYSCALLS] = { 0 };
	bg_group_expand("@default", BG_ABI_X86_64, set);
	for (const char *const *n = must_default; *n; n++)
		assert_true(set[bg_syscall_nr(BG_ABI_X86_64, *n)]);
	assert_false(set[bg_syscall_nr(BG_ABI_X86_64, "ptrace")]);

	memset(set, 0, sizeof(set));
	bg_group_expand("@system-service", BG_ABI_X86_64, set);
	assert_true(set[bg_syscall_nr(BG_ABI_X86_64, "openat")]);
	assert_true(set[bg_syscall_nr(BG_ABI_X86_64, "socket")]);
	assert_false(set[bg_syscall_nr(BG_ABI_X86_64, "mount")]);
	assert_false(set[bg_syscall_nr(BG_ABI_X86_64, "init_module")]);
	assert_false(set[bg_syscall_nr(BG_ABI_X86_64, "bpf")]);

	memset(set, 0, sizeof(set));
	bg_group_expand("@privileged", BG_ABI_X86_64, set);
	assert_true(set[bg_syscall_nr(BG_ABI_X86_64, "reboot")]);   /* via @reboot */
	assert_true(set[bg_syscall_nr(BG_ABI_X86_64, "chown")]);    /* via @chown */
}

static void test_errno_names(void **state)
{
	(void)state;
	assert_int_equal(bg_errno_from_name("EPERM"), 1);
	assert_int_equal(bg_errno_from_name("EACCES"), 13);
	assert_int_equal(bg_errno_from_name("ENOSYS"), 38);
	assert_int_equal(bg_errno_from_name("EWOULDBLOCK"), EAGAIN);
	assert_int_equal(bg_errno_from_name("ENOTSUP"), EOPNOTSUPP);
	assert_int_equal(bg_errno_from_name("EFOO"), -1);
	assert_int_equal(bg_errno_from_name("eperm"), -1);
	assert_int_equal(bg_errno_from_name(NULL), -1);
	assert_string_equal(bg_errno_name(1), "EPERM");
	assert_string_equal(bg_errno_name(13), "EACCES");
	assert_null(bg_errno_name(0));
	assert_null(bg_errno_name(4000));
	assert_null(bg_errno_name(-1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_numbers),
		cmocka_unit_test(test_newer_syscalls),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_tables_round_trip),
		cmocka_unit_test(test_tables_match_libseccomp),
		cmocka_unit_test(test_group_members_resolve),
		cmocka_unit_test(test_group_expand),
		cmocka_unit_test(test_group_contents),
		cmocka_unit_test(test_errno_names),
	};
	return cmocka_run_group_tests_name("syscalls", tests, NULL, NULL);
}

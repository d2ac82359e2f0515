/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* test_policy_docker.c - Docker/OCI seccomp profiles. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cmocka.h>

#include "policy.h"
#include "syscalls.h"

struct warnings {
	unsigned n;
	char last[512];
};

static void collect_warning(void *ctx, const char *msg)
{
	struct warnings *w = ctx;
	w->n++;
	snprintf(w->last, sizeof(w->last), "%s", msg);
}

static int nr64(const char *name)
{
	int nr = bg_syscall_nr(BG_ABI_X86_64, name);
	assert_true(nr >= 0);
	return nr;
}

static struct bg_action ev(const struct bg_policy *p, int abi, const char *name, uint64_t a0,
			   uint64_t a1)
{
	uint64_t args[6] = { a0, a1 };
	int nr = bg_syscall_nr(abi, name);
	assert_true(nr >= 0);
	return bg_policy_eval(p, abi, nr, args);
}

#define assert_verdict(a, v) assert_int_equal((a).verdict, (v))

static struct bg_policy *parse_json(const char *text, struct warnings *w)
{
	struct bg_diag d = { .warn = collect_warning, .warn_ctx = w };
	struct bg_policy *p = NULL;
	size_t len = strlen(text);
	char *copy = malloc(len);
	memcpy(copy, text, len); /* not NUL-terminated on purpose */
	int r = bg_policy_parse_docker(copy, len, "/x/prof.json", &p, &d);
	free(copy);
	if (r != 0)
		fail_msg("parse failed: %s", d.msg);
	return p;
}

static const char *parse_json_err(const char *text, struct bg_diag *d)
{
	struct bg_policy *p = NULL;
	struct warnings w = { 0 };
	memset(d, 0, sizeof(*d));
	d->warn = collect_warning;
	d->warn_ctx = &w;
	assert_int_equal(bg_policy_parse_docker(text, strlen(text), "/x/prof.json", &p, d), -1);
	assert_null(p);
	return d->msg;
}

static const char *moby_path(void)
{
	static char path[1024];
	const char *shared = getenv("BG_SHARED");
	snprintf(path, sizeof(path), "%s/data/seccomp/moby-default.json", shared ? shared : "/work/shared");
	return path;
}

static void test_moby_default(void **state)
{
	(void)state;
	struct warnings w = { 0 };
	struct bg_diag d = { .warn = collect_warning, .warn_ctx = &w };
	struct bg_policy *p = NULL;
	if (bg_policy_load(moby_path(), &p, &d) != 0)
		fail_msg("%s", d.msg);
	assert_string_equal(p->format, "docker");
	assert_string_equal(p->name, "moby-default");
	assert_verdict(p->dflt, BG_VERDICT_ERRNO);
	assert_int_equal(p->dflt.err, EPERM);
	/* Only names no table knows are warned about (recv/send are
	 * libseccomp pseudo-calls, riscv_hwprobe is another arch). */
	assert_true(w.n <= 5);

	/* Plain allows, both ABIs (archMap lists SCMP_ARCH_X86). */
	assert_verdict(ev(p, BG_ABI_X86_64, "read", 0, 0), BG_VERDICT_ALLOW);
	assert_verdict(ev(p, BG_ABI_IA32, "read", 0, 0), BG_VERDICT_ALLOW);
	assert_verdict(ev(p, BG_ABI_IA32, "_llseek", 0, 0), BG_VERDICT_ALLOW);
	assert_verdict(ev(p, BG_ABI_X86_64, "arch_prctl", 0, 0), BG_VERDICT_ALLOW); /* arches: amd64 */

	/* clone: allowed only without namespace flags (mask 0x7E020000). */
	assert_verdict(ev(p, BG_ABI_X86_64, "clone", 0x3d0f00, 0), BG_VERDICT_ALLOW);
	assert_verdict(ev(p, BG_ABI_X86_64, "clone", 0x10000000, 0), BG_VERDICT_ERRNO);
	assert_verdict(ev(p, BG_ABI_X86_64, "clone", 0x00020000, 0), BG_VERDICT_ERRNO);
	/* The s390 variant (mask on arg1) must not have been applied. */
	assert_int_equal(p->sys[0][nr64("clone")].nargrules, 1);
	/* clone3 -> ENOSYS without CAP_SYS_ADMIN, so libcs fall back to clone. */
	struct bg_action a = ev(p, BG_ABI_X86_64, "clone3", 0, 0);
	assert_verdict(a, BG_VERDICT_ERRNO);
	assert_int_equal(a.err, ENOSYS);

	/* personality: a few exact values. */
	assert_verdict(ev(p, BG_ABI_X86_64, "personality", 0, 0), BG_VERDICT_ALLOW);
	assert_verdict(ev(p, BG_ABI_X86_64, "personality", 8, 0), BG_VERDICT_ALLOW);
	assert_verdict(ev(p, BG_ABI_X86_64, "personality", 0x20008, 0), BG_VERDICT_ALLOW);
	assert_verdict(ev(p, BG_ABI_X86_64, "personality", 0xffffffff, 0), BG_VERDICT_ALLOW);
	assert_verdict(ev(p, BG_ABI_X86_64, "personality", 0x0040000, 0), BG_VERDICT_ERRNO);

	/* socket: every family except 38 (AF_ALG) and 40 (AF_VSOCK). */
	assert_verdict(ev(p, BG_ABI_X86_64, "socket", 2, 1), BG_VERDICT_ALLOW);
	assert_verdict(ev(p, BG_ABI_X86_64, "socket", 38, 1), BG_VERDICT_ERRNO);
	assert_verdict(ev(p, BG_ABI_X86_64, "socket", 39, 1), BG_VERDICT_ALLOW);
	assert_verdict(ev(p, BG_ABI_X86_64, "socket", 40, 1), BG_VERDICT_ERRNO);
	assert_verdict(ev(p, BG_ABI_X86_64, "socket", 41, 1), BG_VERDICT_ALLOW);

	/* Not allowed for a default container. */
	assert_verdict(ev(p, BG_ABI_X86_64, "io_uring_setup", 0, 0), BG_VERDICT_ERRNO);
	assert_verdict(ev(p, BG_ABI_X86_64, "io_uring_enter", 0, 0), BG_VERDICT_ERRNO);
	assert_verdict(ev(p, BG_ABI_X86_64, "reboot", 0, 0), BG_VERDICT_ERRNO);       /* CAP_SYS_BOOT */
	assert_verdict(ev(p, BG_ABI_X86_64, "mount", 0, 0), BG_VERDICT_ERRNO);        /* CAP_SYS_ADMIN */
	assert_verdict(ev(p, BG_ABI_X86_64, "bpf", 0, 0), BG_VERDICT_ERRNO);
	assert_verdict(ev(p, BG_ABI_X86_64, "init_module", 0, 0), BG_VERDICT_ERRNO);
	assert_verdict(ev(p, BG_ABI_X86_64, "open_by_handle_at", 0, 0), BG_VERDICT_ERRNO);
	/* CAP_SYS_CHROOT is in Docker's default set. */
	assert_verdict(ev(p, BG_ABI_X86_64, "chroot", 0, 0), BG_VERDICT_ALLOW);

	/* ptrace: includes minKernel 4.8 -> allowed on any kernel we run on. */
	struct utsname u;
	uname(&u);
	if (atoi(u.release) >= 5)
		assert_verdict(ev(p, BG_ABI_X86_64, "ptrace", 0, 0), BG_VERDICT_ALLOW);

	/* x32 always killed. */
	assert_verdict(bg_policy_eval(p, BG_ABI_X32, 0, NULL), BG_VERDICT_KILL);
	bg_policy_free(p);
}

/* Podman/containers-common ships its own profile; load it when present. */
static void test_containers_profile(void **state)
{
	(void)state;
	const char *path = "/usr/share/containers/seccomp.json";
	if (access(path, R_OK) != 0) {
		print_message("skipping: %s not present\n", path);
		skip();
	}
	struct warnings w = { 0 };
	struct bg_diag d = { .warn = collect_warning, .warn_ctx = &w };
	struct bg_policy *p = NULL;
	if (bg_policy_load(path, &p, &d) != 0)
		fail_msg("%s", d.msg);
	assert_verdict(ev(p, BG_ABI_X86_64, "read", 0, 0), BG_VERDICT_ALLOW);
	bg_policy_free(p);
}

static void test_oci_profile(void **state)
{
	(void)state;
	struct warnings w = { 0 };
	struct bg_policy *p = parse_json(
		"{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\",\n"
		" \"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],\n"
		" \"syscalls\":[\n"
		"  {\"names\":[\"read\",\"write\",\"mmap2\"],\"action\":\"SCMP_ACT_ALLOW\"},\n"
		"  {\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13},\n"
		"  {\"names\":[\"openat\"],\"action\":\"SCMP_ACT_ERRNO\"},\n"
		"  {\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_LOG\"},\n"
		"  {\"names\":[\"kill\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[\n"
		"     {\"index\":1,\"value\":0,\"op\":\"SCMP_CMP_EQ\"},\n"
		"     {\"index\":0,\"value\":100,\"op\":\"SCMP_CMP_GT\"}]},\n"
		"  {\"names\":[\"fcntl\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[\n"
		"     {\"index\":1,\"value\":255,\"valueTwo\":4,\"op\":\"SCMP_CMP_MASKED_EQ\"}]},\n"
		"  {\"names\":[\"brand_new_call\"],\"action\":\"SCMP_ACT_ALLOW\"}\n"
		" ]}", &w);
	assert_string_equal(p->format, "oci");
	assert_string_equal(p->name, "prof");
	assert_verdict(p->dflt, BG_VERDICT_KILL);
	assert_verdict(ev(p, BG_ABI_X86_64, "read", 0, 0), BG_VERDICT_ALLOW);
	assert_verdict(ev(p, BG_ABI_IA32, "read", 0, 0), BG_VERDICT_ALLOW);
	assert_verdict(ev(p, BG_ABI_IA32, "mmap2", 0, 0), BG_VERDICT_ALLOW);
	/* x86_64 mkdir 83 and ia32 mkdir 39 both get EACCES; x86_64 39 does not. */
	assert_int_equal(bg_policy_eval(p, BG_ABI_X86_64, 83, NULL).err, EACCES);
	assert_int_equal(bg_policy_eval(p, BG_ABI_IA32, 39, NULL).err, EACCES);
	assert_verdict(bg_policy_eval(p, BG_ABI_X86_64, 39, NULL), BG_VERDICT_LOG);
	/* ERRNO without errnoRet: EPERM, as runc does. */
	assert_int_equal(ev(p, BG_ABI_X86_64, "openat", 0, 0).err, EPERM);
	/* args are ANDed. */
	assert_verdict(ev(p, BG_ABI_X86_64, "kill", 101, 0), BG_VERDICT_ALLOW);
	assert_verdict(ev(p, BG_ABI_X86_64, "kill", 101, 9), BG_VERDICT_KILL);
	assert_verdict(ev(p, BG_ABI_X86_64, "kill", 100, 0), BG_VERDICT_KILL);
	/* MASKED_EQ: value is the mask, valueTwo the datum. */
	assert_verdict(ev(p, BG_ABI_X86_64, "fcntl", 0, 0x104), BG_VERDICT_ALLOW);
	assert_verdict(ev(p, BG_ABI_X86_64, "fcntl", 0, 0x3), BG_VERDICT_KILL);
	/* The unknown name was skipped with a warning, not allowed. */
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.last, "unknown syscall 'brand_new_call' skipped"));
	bg_policy_free(p);
}

static void test_docker_resolution(void **state)
{
	(void)state;
	struct warnings w = { 0 };
	struct bg_policy *p = parse_json(
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,\"name\":\"mine\",\n"
		" \"archMap\":[{\"architecture\":\"SCMP_ARCH_AARCH64\",\"subArchitectures\":[\"SCMP_ARCH_X86\"]}],\n"
		" \"syscalls\":[\n"
		"  {\"name\":\"read\",\"action\":\"SCMP_ACT_ALLOW\"},\n"
		"  {\"names\":[\"write\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_CHOWN\",\"CAP_KILL\"]}},\n"
		"  {\"names\":[\"close\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\"]}},\n"
		"  {\"names\":[\"dup\"],\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"caps\":[\"CAP_SYS_ADMIN\",\"CAP_KILL\"]}},\n"
		"  {\"names\":[\"dup2\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"arches\":[\"arm64\"]}},\n"
		"  {\"names\":[\"dup3\"],\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"arches\":[\"amd64\"]}},\n"
		"  {\"names\":[\"pipe\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"minKernel\":\"99.0\"}},\n"
		"  {\"names\":[\"pipe2\"],\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"minKernel\":\"99.0\"}},\n"
		"  {\"names\":[\"lseek\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"minKernel\":\"3.10\",\"arches\":[\"amd64\",\"x86\"]}},\n"
		"  {\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ALLOW\"},\n"
		"  {\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_KILL_THREAD\"},\n"
		"  {\"names\":[\"gettid\"],\"action\":\"SCMP_ACT_TRAP\"},\n"
		"  {\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_NOTIFY\"}\n"
		" ]}", &w);
	assert_string_equal(p->format, "docker");
	assert_string_equal(p->name, "mine");
	assert_int_equal(p->dflt.err, ENOSYS);
	/* archMap of another native arch: no ia32 rules, ia32 calls killed
	 * as seccomp kills a call from an architecture the filter lacks. */
	assert_verdict(ev(p, BG_ABI_IA32, "read", 0, 0), BG_VERDICT_KILL);
	assert_verdict(ev(p, BG_ABI_X86_64, "read", 0, 0), BG_VERDICT_ALLOW);
	assert_verdict(ev(p, BG_ABI_X86_64, "write", 0, 0), BG_VERDICT_ALLOW); /* all caps held */
	assert_verdict(ev(p, BG_ABI_X86_64, "close", 0, 0), BG_VERDICT_ERRNO); /* one missing */
	assert_verdict(ev(p, BG_ABI_X86_64, "dup", 0, 0), BG_VERDICT_ERRNO);   /* one excluded held */
	assert_verdict(ev(p, BG_ABI_X86_64, "dup2", 0, 0), BG_VERDICT_ERRNO);
	assert_verdict(ev(p, BG_ABI_X86_64, "dup3", 0, 0), BG_VERDICT_ERRNO);
	assert_verdict(ev(p, BG_ABI_X86_64, "pipe", 0, 0), BG_VERDICT_ERRNO);
	assert_verdict(ev(p, BG_ABI_X86_64, "pipe2", 0, 0), BG_VERDICT_ALLOW);
	assert_verdict(ev(p, BG_ABI_X86_64, "lseek", 0, 0), BG_VERDICT_ALLOW);
	/* Later unconditional rule wins, with a warning; TRAP->kill and
	 * NOTIFY->errno(EPERM) warn too. */
	assert_verdict(ev(p, BG_ABI_X86_64, "getpid", 0, 0), BG_VERDICT_KILL);
	assert_verdict(ev(p, BG_ABI_X86_64, "gettid", 0, 0), BG_VERDICT_KILL);
	assert_int_equal(ev(p, BG_ABI_X86_64, "getppid", 0, 0).err, EPERM);
	assert_int_equal(w.n, 3);
	bg_policy_free(p);
}

static void test_docker_errors(void **state)
{
	(void)state;
	struct bg_diag d;
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\n\"syscalls\":[}",
		  "/x/prof.json:2: invalid JSON (unexpected character); fix the syntax" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\"", "/x/prof.json:1: invalid JSON (unexpected end of input); fix the syntax" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\"} x", "/x/prof.json:1: text after the JSON object; remove it" },
		{ "[]", "/x/prof.json: a seccomp profile is a JSON object; fix the profile" },
		{ "{}", "/x/prof.json: profile.defaultAction missing or not a string; set it to e.g. SCMP_ACT_ERRNO" },
		{ "{\"defaultAction\":\"SCMP_ACT_BOGUS\"}",
		  "/x/prof.json: profile: unknown action 'SCMP_ACT_BOGUS'; use SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL_PROCESS, SCMP_ACT_LOG ..." },
		{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":5000}",
		  "/x/prof.json: profile: errno 5000 out of range; use 1..4095" },
		{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
		  "/x/prof.json: syscalls[0].args[0].index missing or not 0..5; fix the profile" },
		{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":-1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
		  "/x/prof.json: syscalls[0].args[0].value must not be negative; fix the profile" },
		{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_XX\"}]}]}",
		  "/x/prof.json: syscalls[0].args[0]: unknown op 'SCMP_CMP_XX'; use SCMP_CMP_EQ, NE, LT, LE, GT, GE or MASKED_EQ" },
		{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":\"read\",\"action\":\"SCMP_ACT_ALLOW\"}]}",
		  "/x/prof.json: syscalls[0].names must be an array of strings; fix the profile" },
		{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"action\":\"SCMP_ACT_ALLOW\"}]}",
		  "/x/prof.json: syscalls[0] has no 'names'; list the syscalls it applies to" },
		{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"minKernel\":\"four\"}}]}",
		  "/x/prof.json: syscalls[0].includes.minKernel must be a string like \"4.8\"; fix the profile" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse_json_err(cases[i].text, &d);
		if (strcmp(d.msg, cases[i].msg) != 0)
			fail_msg("case %zu:\n got: %s\nwant: %s", i, d.msg, cases[i].msg);
	}
}

/* Docker profile -> native text -> same decisions. */
static void test_moby_round_trip(void **state)
{
	(void)state;
	struct warnings w = { 0 };
	struct bg_diag d = { .warn = collect_warning, .warn_ctx = &w };
	struct bg_policy *p = NULL, *q = NULL;
	assert_int_equal(bg_policy_load(moby_path(), &p, &d), 0);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	bg_policy_print(p, f);
	fclose(f);
	if (bg_policy_parse_native(text, len, "moby.policy", &q, &d) != 0)
		fail_msg("%s", d.msg);
	unsigned seed = 7;
	for (int abi = 0; abi < BG_NR_TABLES; abi++)
		for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++)
			for (int s = 0; s < 16; s++) {
				uint64_t args[6];
				for (int a = 0; a < 6; a++)
					args[a] = s < 4 ? (uint64_t)s * 8 : (uint64_t)rand_r(&seed) << (s % 40);
				struct bg_action x = bg_policy_eval(p, abi, nr, args);
				struct bg_action y = bg_policy_eval(q, abi, nr, args);
				assert_int_equal(x.verdict, y.verdict);
				assert_int_equal(x.err, y.err);
			}
	free(text);
	bg_policy_free(q);
	bg_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_moby_default),
		cmocka_unit_test(test_containers_profile),
		cmocka_unit_test(test_oci_profile),
		cmocka_unit_test(test_docker_resolution),
		cmocka_unit_test(test_docker_errors),
		cmocka_unit_test(test_moby_round_trip),
	};
	return cmocka_run_group_tests_name("policy_docker", tests, NULL, NULL);
}

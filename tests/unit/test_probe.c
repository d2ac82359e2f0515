// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_probe.c - `bpfguard probe` on the real kernel (runs as root).
 *
 * The probe is run once (group setup) and its answers are checked against
 * (a) the facts of the CI host kind (tracepoints, ring buffer, signals,
 * cgroup hooks and seccomp work there), and (b) independent, direct
 * attempts made here - so the assertions read the truth of the machine
 * instead of hard-coding today's kernel: e.g. lsm_prog must be "no" exactly
 * when a hand-built LSM program is refused by bpf(BPF_PROG_LOAD).
 * Then: nothing may be left behind, and the JSON/table must be complete.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "probe.h"

static struct bg_probe P;
static double elapsed_ms;
static char cgroup_before[4096];
static int fds_before;
static libbpf_print_fn_t print_after;

/* ------------------------------------------------------------------ */
/* helpers                                                             */

static void read_file(const char *path, char *buf, size_t sz)
{
	FILE *f = fopen(path, "re");
	size_t n = 0;

	buf[0] = '\0';
	if (f) {
		n = fread(buf, 1, sz - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int quiet_print(enum libbpf_print_level l, const char *fmt, va_list ap)
{
	(void)l;
	(void)fmt;
	(void)ap;
	return 0;
}

static const char *errno_name(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "?";
}

/* "y", "n" (explicitly "is not set") or "" (absent) for CONFIG_<name>. */
static char kconfig(const char *name)
{
	gzFile gz = gzopen("/proc/config.gz", "rb");
	char line[512], want[128], unset[160];
	char r = 0;

	if (!gz)
		return 0;
	snprintf(want, sizeof(want), "CONFIG_%s=", name);
	snprintf(unset, sizeof(unset), "# CONFIG_%s is not set", name);
	while (!r && gzgets(gz, line, sizeof(line))) {
		if (strncmp(line, want, strlen(want)) == 0)
			r = line[strlen(want)];
		else if (strncmp(line, unset, strlen(unset)) == 0)
			r = 'n';
	}
	gzclose(gz);
	return r;
}

/* A minimal "return 0" program of the given type, attached by BTF name,
 * loaded straight through bpf(2): the direct attempt the probe must agree
 * with.  Returns 0 or -errno. */
static int direct_load(enum bpf_prog_type type, enum bpf_attach_type at, const char *func)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct btf *vm = btf__load_vmlinux_btf();
	int id, fd;

	if (!vm)
		return -ENOENT;
	id = btf__find_by_name_kind(vm, func, BTF_KIND_FUNC);
	btf__free(vm);
	if (id < 0)
		return -ESRCH;
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = at, .attach_btf_id = (__u32)id);
	fd = bpf_prog_load(type, "direct_probe", "GPL", insns, 2, &o);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* ------------------------------------------------------------------ */
/* setup: one real run                                                 */

static int setup(void **state)
{
	struct timespec a, b;

	(void)state;
	read_file("/proc/self/cgroup", cgroup_before, sizeof(cgroup_before));
	fds_before = count_fds();
	libbpf_set_print(quiet_print);
	clock_gettime(CLOCK_MONOTONIC, &a);
	bg_probe_run(&P);
	clock_gettime(CLOCK_MONOTONIC, &b);
	print_after = libbpf_set_print(NULL);
	elapsed_ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	bg_probe_print(&P, stderr);
	fprintf(stderr, "probe took %.1f ms\n", elapsed_ms);
	return 0;
}

/* ------------------------------------------------------------------ */
/* facts of the host kind                                              */

static void test_bounded_in_time(void **state)
{
	(void)state;
	assert_true(elapsed_ms < 2000.0);
}

static void test_kernel_and_btf(void **state)
{
	(void)state;
	assert_true(P.kernel[0] != '\0');
	/* btf: yes exactly when the kernel exports BTF. */
	assert_int_equal(P.btf.state,
			 access("/sys/kernel/btf/vmlinux", R_OK) == 0 ? BG_PROBE_YES : BG_PROBE_NO);
}

static void test_tracing_works(void **state)
{
	(void)state;
	assert_int_equal(P.ringbuf.state, BG_PROBE_YES);
	assert_non_null(strstr(P.ringbuf.detail, "read back"));
	assert_int_equal(P.tp_sys_enter.state, BG_PROBE_YES);
	assert_int_equal(P.raw_tp.state, BG_PROBE_YES);
	assert_int_equal(P.tp_exec.state, BG_PROBE_YES);
	assert_non_null(strstr(P.tp_exec.detail, "fired"));
	assert_int_equal(P.send_signal.state, BG_PROBE_YES);
}

static void test_cgroup2(void **state)
{
	char mi[65536], needle[300];
	struct statfs sfs;

	(void)state;
	assert_int_equal(P.cgroup2.state, BG_PROBE_YES);
	assert_true(P.cgroup2_mount[0] == '/');
	assert_int_equal(statfs(P.cgroup2_mount, &sfs), 0);
	assert_true(sfs.f_type == CGROUP2_SUPER_MAGIC);
	/* Found in mountinfo, not assumed. */
	read_file("/proc/self/mountinfo", mi, sizeof(mi));
	snprintf(needle, sizeof(needle), " %s ", P.cgroup2_mount);
	assert_non_null(strstr(mi, needle));
}

static void test_cgroup_hooks(void **state)
{
	(void)state;
	assert_int_equal(P.cgroup_sock.state, BG_PROBE_YES);
	assert_non_null(strstr(P.cgroup_sock.detail, "EPERM"));
	assert_int_equal(P.cgroup_dev.state, BG_PROBE_YES);
	assert_int_equal(P.cgroup_sockaddr.state, BG_PROBE_YES);
}

static void test_seccomp(void **state)
{
	(void)state;
	assert_int_equal(P.seccomp.state, BG_PROBE_YES);
	assert_non_null(strstr(P.seccomp.detail, "EPERM"));
}

/* lsm_prog agrees with the LSM list and with a direct BPF_PROG_LOAD. */
static void test_lsm_consistent(void **state)
{
	int direct = direct_load(BPF_PROG_TYPE_LSM, BPF_LSM_MAC, "bpf_lsm_file_open");

	(void)state;
	print_message("direct lsm/file_open load: %s\n", direct ? errno_name(-direct) : "ok");
	assert_int_not_equal(P.lsm_listed.state, BG_PROBE_UNKNOWN); /* root can read it */
	assert_non_null(strstr(P.lsm_listed.detail, "lsm="));
	if (P.lsm_prog.state == BG_PROBE_YES) {
		/* It fired, so the BPF LSM is active and programs load. */
		assert_int_equal(P.lsm_listed.state, BG_PROBE_YES);
		assert_int_equal(direct, 0);
	}
	if (P.lsm_listed.state == BG_PROBE_NO)
		assert_int_not_equal(P.lsm_prog.state, BG_PROBE_YES);
	if (direct) {
		/* Refused here too: the probe says no, with the same errno. */
		assert_int_equal(P.lsm_prog.state, BG_PROBE_NO);
		assert_non_null(strstr(P.lsm_prog.detail, "load refused"));
		assert_non_null(strstr(P.lsm_prog.detail, errno_name(-direct)));
	} else {
		assert_null(strstr(P.lsm_prog.detail, "load refused"));
	}
}

/* trampoline agrees with a direct fentry load on the same target. */
static void test_trampoline_consistent(void **state)
{
	int direct = direct_load(BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, "do_unlinkat");

	(void)state;
	print_message("direct fentry/do_unlinkat load: %s\n", direct ? errno_name(-direct) : "ok");
	if (direct == -ESRCH) { /* target not in this kernel's BTF */
		assert_int_equal(P.trampoline.state, BG_PROBE_UNKNOWN);
		return;
	}
	if (direct) {
		assert_int_equal(P.trampoline.state, BG_PROBE_NO);
		assert_non_null(strstr(P.trampoline.detail, errno_name(-direct)));
	} else {
		assert_int_equal(P.trampoline.state, BG_PROBE_YES);
	}
}

/* ia32/x32 agree with the kernel config and a direct x32 call. */
static void test_abis(void **state)
{
	long r;
	int e;

	(void)state;
	assert_int_not_equal(P.ia32.state, BG_PROBE_UNKNOWN);
	assert_int_not_equal(P.x32.state, BG_PROBE_UNKNOWN);
	if (kconfig("IA32_EMULATION") == 'n')
		assert_int_equal(P.ia32.state, BG_PROBE_NO);
	if (kconfig("X86_X32_ABI") == 'n')
		assert_int_equal(P.x32.state, BG_PROBE_NO);
	/* x32 getpid is harmless to try here: ENOSYS or our pid. */
	r = syscall(0x40000000L | 39);
	e = errno;
	if (r < 0) {
		assert_int_equal(P.x32.state, BG_PROBE_NO);
		assert_non_null(strstr(P.x32.detail, errno_name(e)));
	} else {
		assert_int_equal(r, getpid());
		assert_int_equal(P.x32.state, BG_PROBE_YES);
	}
}

static void test_bpffs(void **state)
{
	struct statfs sfs;

	(void)state;
	assert_int_equal(P.bpffs.state, BG_PROBE_YES);
	assert_int_equal(statfs("/sys/fs/bpf", &sfs), 0);
	assert_true(sfs.f_type == BPF_FS_MAGIC);
}

/* ------------------------------------------------------------------ */
/* cleanup                                                             */

static void test_nothing_left_behind(void **state)
{
	char cgroup_after[4096];
	DIR *d;
	struct dirent *e;
	int st;

	(void)state;
	/* No probe cgroup. */
	d = opendir(P.cgroup2_mount);
	assert_non_null(d);
	while ((e = readdir(d)))
		if (strncmp(e->d_name, "bpfguard-probe-", 15) == 0)
			fail_msg("left behind: %s/%s", P.cgroup2_mount, e->d_name);
	closedir(d);
	/* We were never moved. */
	read_file("/proc/self/cgroup", cgroup_after, sizeof(cgroup_after));
	assert_string_equal(cgroup_before, cgroup_after);
	/* Every child reaped. */
	assert_int_equal(waitpid(-1, &st, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	/* No fd (program, map, link, pipe, cgroup dir) leaked. */
	assert_int_equal(count_fds(), fds_before);
	/* libbpf's print callback restored. */
	assert_ptr_equal(print_after, quiet_print);
}

/* A second run gives the same answers (and cleans up again). */
static void test_second_run_agrees(void **state)
{
	struct bg_probe q;

	(void)state;
	bg_probe_run(&q);
	assert_int_equal(q.tp_sys_enter.state, P.tp_sys_enter.state);
	assert_int_equal(q.lsm_prog.state, P.lsm_prog.state);
	assert_int_equal(q.trampoline.state, P.trampoline.state);
	assert_int_equal(q.cgroup_sock.state, P.cgroup_sock.state);
	assert_int_equal(q.ia32.state, P.ia32.state);
	assert_int_equal(q.bpffs.state, BG_PROBE_YES);
	assert_string_equal(q.cgroup2_mount, P.cgroup2_mount);
	assert_int_equal(count_fds(), fds_before);
}

/* ------------------------------------------------------------------ */
/* output                                                              */

static const char *const keys[] = {
	"btf",        "ringbuf",     "tp_sys_enter", "raw_tp",          "tp_exec",
	"send_signal", "lsm_listed", "lsm_prog",     "trampoline",      "cgroup2",
	"cgroup_sock", "cgroup_dev", "cgroup_sockaddr", "cgroup_mark", "cgroup_retval", "seccomp", "ia32",
	"x32",        "bpffs",
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static void test_json_has_every_key(void **state)
{
	struct json_object *o = bg_probe_to_json(&P), *v, *s, *d;

	(void)state;
	assert_non_null(o);
	assert_int_equal(json_object_object_length(o), NKEYS + 2);
	for (size_t i = 0; i < NKEYS; i++) {
		const char *st;

		assert_true(json_object_object_get_ex(o, keys[i], &v));
		assert_true(json_object_is_type(v, json_type_object));
		assert_true(json_object_object_get_ex(v, "state", &s));
		assert_true(json_object_object_get_ex(v, "detail", &d));
		assert_true(json_object_is_type(d, json_type_string));
		assert_true(json_object_get_string_len(d) > 0);
		st = json_object_get_string(s);
		assert_true(!strcmp(st, "yes") || !strcmp(st, "no") || !strcmp(st, "unknown"));
	}
	assert_true(json_object_object_get_ex(o, "kernel", &v));
	assert_string_equal(json_object_get_string(v), P.kernel);
	assert_true(json_object_object_get_ex(o, "cgroup2_mount", &v));
	assert_string_equal(json_object_get_string(v), P.cgroup2_mount);
	json_object_put(o);
}

static void test_json_states(void **state)
{
	struct bg_probe q;
	struct json_object *o, *v, *s;

	(void)state;
	memset(&q, 0, sizeof(q));
	q.btf.state = BG_PROBE_YES;
	q.lsm_prog.state = BG_PROBE_NO;
	q.x32.state = BG_PROBE_UNKNOWN;
	snprintf(q.lsm_prog.detail, sizeof(q.lsm_prog.detail), "quote \" and \\ kept");
	o = bg_probe_to_json(&q);
	assert_non_null(o);
	json_object_object_get_ex(o, "btf", &v);
	json_object_object_get_ex(v, "state", &s);
	assert_string_equal(json_object_get_string(s), "yes");
	json_object_object_get_ex(o, "lsm_prog", &v);
	json_object_object_get_ex(v, "state", &s);
	assert_string_equal(json_object_get_string(s), "no");
	json_object_object_get_ex(v, "detail", &s);
	assert_string_equal(json_object_get_string(s), "quote \" and \\ kept");
	json_object_object_get_ex(o, "x32", &v);
	json_object_object_get_ex(v, "state", &s);
	assert_string_equal(json_object_get_string(s), "unknown");
	json_object_object_get_ex(o, "cgroup2_mount", &v);
	assert_string_equal(json_object_get_string(v), "");
	json_object_put(o);
}

/* Every mechanism on its own line, state and detail columns aligned. */
static void test_table(void **state)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int state_col = -1, detail_col = -1, rows = 0;

	(void)state;
	assert_non_null(f);
	bg_probe_print(&P, f);
	fclose(f);
	assert_non_null(strstr(buf, P.kernel));
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		for (size_t i = 0; i < NKEYS; i++) {
			size_t kl = strlen(keys[i]);
			char *st, *det;

			if (strncmp(line, keys[i], kl) || line[kl] != ' ')
				continue;
			st = line + kl + strspn(line + kl, " ");
			assert_true(!strncmp(st, "yes ", 4) || !strncmp(st, "no ", 3) ||
				    !strncmp(st, "unknown ", 8));
			det = st + strcspn(st, " ");
			det += strspn(det, " ");
			if (state_col < 0) {
				state_col = (int)(st - line);
				detail_col = (int)(det - line);
			}
			assert_int_equal((int)(st - line), state_col);
			assert_int_equal((int)(det - line), detail_col);
			rows++;
		}
	}
	assert_int_equal(rows, (int)NKEYS);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounded_in_time),
		cmocka_unit_test(test_kernel_and_btf),
		cmocka_unit_test(test_tracing_works),
		cmocka_unit_test(test_cgroup2),
		cmocka_unit_test(test_cgroup_hooks),
		cmocka_unit_test(test_seccomp),
		cmocka_unit_test(test_lsm_consistent),
		cmocka_unit_test(test_trampoline_consistent),
		cmocka_unit_test(test_abis),
		cmocka_unit_test(test_bpffs),
		cmocka_unit_test(test_nothing_left_behind),
		cmocka_unit_test(test_json_has_every_key),
		cmocka_unit_test(test_json_states),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_second_run_agrees),
	};

	if (geteuid() != 0) {
		fprintf(stderr, "test_probe: needs root (real BPF loads); skipping\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, setup, NULL);
}

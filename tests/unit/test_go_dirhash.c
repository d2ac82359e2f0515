// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * h1: hashes (user/go/go_dirhash.c): the published dirhash test vectors,
 * byte-wise name order, the newline rule, go.mod hashes, and HashDir's
 * walk over a real directory (nested directories, empty files, symbolic
 * links read through, empty directories contributing nothing, the prefix
 * joined and cleaned like filepath.Join).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "go_dirhash.h"

static void test_vectors(void **state)
{
	const char *names[] = { "xyz", "abc" }; /* out of order on purpose */
	const char *pnames[] = { "prefix/xyz", "prefix/abc" };
	const void *data[] = { "data for xyz", "data for abc" };
	size_t lens[] = { 12, 12 };
	struct bg_diag d = { 0 };
	char out[BG_H1_LEN];

	(void)state;
	assert_int_equal(bg_h1_buffers(names, data, lens, 2, out, &d), BG_ZIP_OK);
	assert_string_equal(out, "h1:EP6WfDoQTSk9klnxcjriWJOGztueJUywHNmWeq+efB8=");
	assert_int_equal(bg_h1_buffers(pnames, data, lens, 2, out, &d), BG_ZIP_OK);
	assert_string_equal(out, "h1:rLyfpGMAgqOnGE2aKOY5Xb6cOc0/YQhPjHBHBwkblhs=");
	assert_int_equal(bg_h1_buffers(NULL, NULL, NULL, 0, out, &d), BG_ZIP_OK);
	assert_string_equal(out, "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
	assert_int_equal(strlen(out), BG_H1_LEN - 1);
}

static void test_newline_rejected(void **state)
{
	const char *names[] = { "ok", "bad\nname" };
	const void *data[] = { "", "" };
	size_t lens[] = { 0, 0 };
	struct bg_diag d = { 0 };
	char out[BG_H1_LEN];

	(void)state;
	assert_int_equal(bg_h1_buffers(names, data, lens, 2, out, &d), BG_ZIP_EFORMAT);
	assert_non_null(strstr(d.msg, "newline"));
}

/* The summary sorts by bytes: "B" < "a" < "a/b" < "ab" < "é" (0xc3). */
static void test_byte_order(void **state)
{
	struct bg_h1_file f[5] = {
		{ "\xc3\xa9", 2, { 0 } }, { "ab", 2, { 0 } }, { "a/b", 3, { 0 } }, { "a", 1, { 0 } }, { "B", 1, { 0 } },
	};
	const char *sorted[] = { "B", "a", "a/b", "ab", "\xc3\xa9" };
	const void *data[] = { "", "", "", "", "" };
	size_t lens[] = { 0, 0, 0, 0, 0 };
	struct bg_diag d = { 0 };
	char want[BG_H1_LEN], got[BG_H1_LEN];

	(void)state;
	/* digests of empty content, as bg_h1_buffers computes them */
	assert_int_equal(bg_h1_buffers(sorted, data, lens, 5, want, &d), BG_ZIP_OK);
	for (int i = 0; i < 5; i++) {
		static const unsigned char empty[32] = {
			0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
			0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
		};
		memcpy(f[i].sum, empty, 32);
	}
	assert_int_equal(bg_h1_summary(f, 5, got, &d), BG_ZIP_OK);
	assert_string_equal(got, want);
	for (int i = 0; i < 5; i++)
		assert_string_equal(f[i].name, sorted[i]);
}

static char tmpdir[] = "/tmp/bg-dirhash-XXXXXX";

static void write_file(const char *rel, const void *data, size_t len)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void make_dir(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static int setup_tree(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	make_dir("sub");
	make_dir("sub/deeper");
	make_dir("empty-dir");
	write_file("go.mod", "module example.com/m\n", 21);
	write_file("sub/a b.txt", "spaces", 6);
	write_file("sub/deeper/\xc3\xa9.go", "package x\n", 10);
	write_file("empty", "", 0);
	write_file(".hidden", "h", 1);
	return 0;
}

static int teardown_tree(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_hash_dir(void **state)
{
	const char *names[] = { "example.com/m@v1.0.0/go.mod", "example.com/m@v1.0.0/sub/a b.txt",
				"example.com/m@v1.0.0/sub/deeper/\xc3\xa9.go", "example.com/m@v1.0.0/empty",
				"example.com/m@v1.0.0/.hidden", "example.com/m@v1.0.0/link" };
	const void *data[] = { "module example.com/m\n", "spaces", "package x\n", "", "h", "module example.com/m\n" };
	size_t lens[] = { 21, 6, 10, 0, 1, 21 };
	struct bg_diag d = { 0 };
	char want[BG_H1_LEN], got[BG_H1_LEN], path[600], dotted[600];

	(void)state;
	/* a symbolic link is a file of the hash, read through (os.Open) */
	snprintf(path, sizeof(path), "%s/link", tmpdir);
	assert_int_equal(symlink("go.mod", path), 0);
	assert_int_equal(bg_h1_buffers(names, data, lens, 6, want, &d), BG_ZIP_OK);
	assert_int_equal(bg_h1_dir(tmpdir, "example.com/m@v1.0.0", got, &d), BG_ZIP_OK);
	assert_string_equal(got, want);
	/* the directory given uncleaned, and the prefix with a trailing slash
	 * (filepath.Join cleans it away) */
	snprintf(dotted, sizeof(dotted), "%s/./sub/..//", tmpdir);
	assert_int_equal(bg_h1_dir(dotted, "example.com/m@v1.0.0/", got, &d), BG_ZIP_OK);
	assert_string_equal(got, want);
	/* with threads forced on, the same */
	bg_h1_set_threads(3);
	assert_int_equal(bg_h1_dir(tmpdir, "example.com/m@v1.0.0", got, &d), BG_ZIP_OK);
	bg_h1_set_threads(0);
	assert_string_equal(got, want);

	/* a dangling link cannot be read: an error, as in Go */
	snprintf(path, sizeof(path), "%s/dangling", tmpdir);
	assert_int_equal(symlink("nowhere", path), 0);
	assert_int_equal(bg_h1_dir(tmpdir, "example.com/m@v1.0.0", got, &d), BG_ZIP_EIO);
	assert_int_equal(d.err_no, ENOENT);
	assert_non_null(strstr(d.msg, "dangling"));
	unlink(path);
	/* a link to a directory is not walked into, and cannot be read */
	snprintf(path, sizeof(path), "%s/dirlink", tmpdir);
	assert_int_equal(symlink("sub", path), 0);
	assert_int_equal(bg_h1_dir(tmpdir, "example.com/m@v1.0.0", got, &d), BG_ZIP_EIO);
	assert_int_equal(d.err_no, EISDIR);
	unlink(path);
	snprintf(path, sizeof(path), "%s/link", tmpdir);
	unlink(path);
}

static void test_hash_dir_errors(void **state)
{
	struct bg_diag d = { 0 };
	char got[BG_H1_LEN], path[600];

	(void)state;
	assert_int_equal(bg_h1_dir("/nonexistent/bg-dirhash", "m@v1", got, &d), BG_ZIP_EIO);
	assert_int_equal(d.err_no, ENOENT);
	snprintf(path, sizeof(path), "%s/go.mod", tmpdir);
	assert_int_equal(bg_h1_dir(path, "m@v1", got, &d), BG_ZIP_EIO);
	assert_int_equal(d.err_no, ENOTDIR);
}

static void test_large_dir_parallel(void **state)
{
	enum { N = 12 };
	size_t len = 1 << 20;
	char *buf = malloc(len), rel[64], name[N][80];
	const char *names[N];
	const void *data[N];
	size_t lens[N];
	struct bg_diag d = { 0 };
	char want[BG_H1_LEN], one[BG_H1_LEN], many[BG_H1_LEN], dir[600], cmd[700];

	(void)state;
	assert_non_null(buf);
	snprintf(dir, sizeof(dir), "%s/big", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	for (int i = 0; i < N; i++) {
		for (size_t k = 0; k < len; k++)
			buf[k] = (char)(k * 31 + (size_t)i);
		snprintf(rel, sizeof(rel), "big/f%d", i);
		write_file(rel, buf, len - (size_t)i);
		snprintf(name[i], sizeof(name[i]), "m@v1/f%d", i);
		names[i] = name[i];
		data[i] = malloc(len);
		memcpy((void *)data[i], buf, len);
		lens[i] = len - (size_t)i;
	}
	assert_int_equal(bg_h1_buffers(names, data, lens, N, want, &d), BG_ZIP_OK);
	bg_h1_set_threads(1);
	assert_int_equal(bg_h1_dir(dir, "m@v1", one, &d), BG_ZIP_OK);
	bg_h1_set_threads(4);
	assert_int_equal(bg_h1_dir(dir, "m@v1", many, &d), BG_ZIP_OK);
	bg_h1_set_threads(0);
	assert_string_equal(one, want);
	assert_string_equal(many, want);
	for (int i = 0; i < N; i++)
		free((void *)data[i]);
	free(buf);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_gomod(void **state)
{
	struct bg_diag d = { 0 };
	char out[BG_H1_LEN], path[600];
	const char *name = "go.mod";
	const void *data = "module example.com/m\n";
	size_t len = 21;
	char want[BG_H1_LEN];

	(void)state;
	snprintf(path, sizeof(path), "%s/zero.mod", tmpdir);
	write_file("zero.mod", "", 0);
	assert_int_equal(bg_h1_gomod(path, out, &d), BG_ZIP_OK);
	assert_string_equal(out, "h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=");
	unlink(path);
	snprintf(path, sizeof(path), "%s/go.mod", tmpdir);
	assert_int_equal(bg_h1_gomod(path, out, &d), BG_ZIP_OK);
	assert_int_equal(bg_h1_buffers(&name, &data, &len, 1, want, &d), BG_ZIP_OK);
	assert_string_equal(out, want);
	/* a missing file, and a directory, are I/O errors naming the path */
	assert_int_equal(bg_h1_gomod("/nonexistent/go.mod", out, &d), BG_ZIP_EIO);
	assert_non_null(strstr(d.msg, "/nonexistent/go.mod"));
	assert_int_equal(bg_h1_gomod(tmpdir, out, &d), BG_ZIP_EIO);
	assert_int_equal(d.err_no, EISDIR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_newline_rejected),
		cmocka_unit_test(test_byte_order),
		cmocka_unit_test(test_hash_dir),
		cmocka_unit_test(test_hash_dir_errors),
		cmocka_unit_test(test_large_dir_parallel),
		cmocka_unit_test(test_gomod),
	};

	return cmocka_run_group_tests(tests, setup_tree, teardown_tree);
}

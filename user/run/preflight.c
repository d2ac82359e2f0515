// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * preflight.c - `bpfguard run`'s checks of CMD's file before anything is
 * created: --sha256 (the content is the one expected), --require-static
 * (no PT_INTERP, no PT_DYNAMIC), --deny-cgo (no C code linked in), --gosum
 * (every module the binary was built from is the one go.sum vouches for),
 * --key/--signature or --bundle (signed as asked; docs/signatures.md).
 *
 * All checks read one open descriptor of the file, and the sandbox execs
 * that same descriptor (/proc/self/fd/N): the file checked is the file
 * run, whatever happens to the path meanwhile.  A write to the inode
 * between the checks and the exec is not excluded by this alone; the
 * executable allowlist (docs/exec.md) binds content to the kernel's view.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec_allow.h"
#include "go_check.h"
#include "preflight.h"
#include "run.h"
#include "util.h"

static int check_sha256(const struct bg_run_opts *o, const char *exe, int fd)
{
	uint8_t h[32];
	char got[65], want[65];

	if (lseek(fd, 0, SEEK_SET) < 0 || bg_sha256_fd(fd, h)) {
		bg_err("run: %s: cannot read it to hash: %s", exe, strerror(errno));
		return BG_RUN_EXIT_ERROR;
	}
	if (memcmp(h, o->sha256, 32)) {
		bg_sha256_hex(h, got);
		bg_sha256_hex(o->sha256, want);
		bg_err("run: %s: sha256 is %s, not %s (--sha256); nothing was run", exe, got, want);
		return BG_RUN_EXIT_SHA256;
	}
	return 0;
}

/* --key/--signature, --bundle: the signature verifies over the bytes of
 * this descriptor, the one the sandbox executes. */
static int check_signature(const struct bg_run_opts *o, const char *exe, int fd)
{
	struct bg_sig_result res;
	struct bg_diag d = {};

	if (bg_sig_verify_request(&o->sig, fd, exe, &res, &d)) {
		bg_err("run: %s; nothing was run", d.msg);
		return BG_RUN_EXIT_SIGNATURE;
	}
	return 0;
}

/* Static or not from the program headers alone: works for any ELF. */
static int check_static(const char *exe, const char *fdpath)
{
	struct bg_go_image im;
	struct bg_elf e;
	struct bg_elf_phdr ph;
	const char *why = NULL;
	int r = bg_go_image_load(NULL, fdpath, &im);

	if (r) {
		bg_err("run: %s: cannot read it (%s)", exe, strerror(errno));
		return BG_RUN_EXIT_ERROR;
	}
	if (bg_elf_open(&e, im.buf, im.len) != BG_ELF_OK) {
		bg_go_image_unload(&im);
		bg_err("run: %s: not an ELF executable, and --require-static wants a statically linked one; "
		       "nothing was run", exe);
		return BG_RUN_EXIT_DYNAMIC;
	}
	for (size_t i = 0; i < e.phnum && !why; i++) {
		if (!bg_elf_phdr(&e, i, &ph))
			continue;
		if (ph.type == BG_PT_INTERP)
			why = "it names a program interpreter (PT_INTERP)";
		else if (ph.type == BG_PT_DYNAMIC)
			why = "it has a dynamic section (PT_DYNAMIC)";
	}
	bg_go_image_unload(&im);
	if (why) {
		bg_err("run: %s is dynamically linked: %s, and --require-static refuses it; nothing was run",
		       exe, why);
		return BG_RUN_EXIT_DYNAMIC;
	}
	return 0;
}

static int check_go(const struct bg_run_opts *o, const char *exe, const char *fdpath)
{
	struct bg_go_file g;
	int r = bg_go_file_open(NULL, fdpath, &g), ret = 0;

	if (r == BG_GO_EXIT_NOT_GO) {
		bg_err("run: %s: not a Go binary (no Go build info), and %s needs one; nothing was run", exe,
		       o->deny_cgo ? "--deny-cgo" : "--gosum");
		return BG_RUN_EXIT_NOT_GO;
	}
	if (r) {
		bg_err("run: %s: cannot read its Go build info (malformed or unreadable; bpfguard go inspect "
		       "says more); nothing was run", exe);
		return BG_RUN_EXIT_ERROR;
	}
	if (o->deny_cgo && g.v.cgo) {
		bg_err("run: %s links C code (%s) and --deny-cgo refuses it; nothing was run", exe,
		       g.v.ncgo ? g.v.cgo_evidence[0] : "cgo");
		ret = BG_RUN_EXIT_CGO;
		goto out;
	}
	if (o->gosum) {
		struct bg_gosum gs;
		struct bg_diag diag = {};
		unsigned bad = 0;
		char first[400] = "";

		if (bg_gosum_load(o->gosum, &gs, &diag)) {
			bg_err("run: --gosum %s", diag.msg);
			ret = BG_RUN_EXIT_ERROR;
			goto out;
		}
		for (size_t i = 0; i < g.bi.ndeps; i++) {
			struct bg_go_vresult v;

			bg_go_verify_dep(&g.bi.deps[i], &gs, false, &v);
			if (v.st == BG_GO_V_OK)
				continue;
			if (!bad++)
				snprintf(first, sizeof(first), "%s %s is %s%s%s", v.m->path, v.m->version,
					 bg_go_vstatus_name[v.st], v.detail[0] ? ": " : "", v.detail);
		}
		bg_gosum_free(&gs);
		if (bad) {
			bg_err("run: %s: %u module%s not vouched for by %s (first: %s; see bpfguard go verify); "
			       "nothing was run", exe, bad, bad == 1 ? "" : "s", o->gosum, first);
			ret = BG_RUN_EXIT_GOSUM;
		}
	}
out:
	bg_go_file_close(&g);
	return ret;
}

int bg_run_preflight(const struct bg_run_opts *o, const char *exe, int *exe_fd)
{
	struct stat before, after;
	char fdpath[64];
	int fd, ret = 0;

	*exe_fd = -1;
	if (!o->has_sha256 && !o->require_static && !o->deny_cgo && !o->gosum && !o->has_sig)
		return 0;
	fd = open(exe, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &before)) {
		bg_err("run: %s: %s", exe, strerror(errno));
		if (fd >= 0)
			close(fd);
		return BG_RUN_EXIT_NOEXEC;
	}
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	if (o->has_sha256)
		ret = check_sha256(o, exe, fd);
	if (!ret && o->has_sig)
		ret = check_signature(o, exe, fd);
	if (!ret && o->require_static)
		ret = check_static(exe, fdpath);
	if (!ret && (o->deny_cgo || o->gosum))
		ret = check_go(o, exe, fdpath);
	/* written to while we read it: what we checked may not be what runs */
	if (!ret && (fstat(fd, &after) || after.st_ctim.tv_sec != before.st_ctim.tv_sec ||
		     after.st_ctim.tv_nsec != before.st_ctim.tv_nsec)) {
		bg_err("run: %s changed while it was being checked; nothing was run", exe);
		ret = BG_RUN_EXIT_ERROR;
	}
	if (ret) {
		close(fd);
		return ret;
	}
	*exe_fd = fd;
	return 0;
}

void bg_run_interp(const char *exe, char *out, size_t len)
{
	char head[256];
	struct bg_go_image im;
	struct bg_elf e;
	struct bg_elf_phdr ph;
	ssize_t n;
	int fd;

	out[0] = '\0';
	fd = open(exe, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = pread(fd, head, sizeof(head) - 1, 0);
	close(fd);
	if (n > 2 && head[0] == '#' && head[1] == '!') {
		char *p = head + 2, *end;

		head[n] = '\0';
		p += strspn(p, " \t");
		end = p + strcspn(p, " \t\r\n");
		if (*p == '/' && (size_t)(end - p) < len) {
			memcpy(out, p, (size_t)(end - p));
			out[end - p] = '\0';
		}
		return;
	}
	if (bg_go_image_load(NULL, exe, &im))
		return;
	if (bg_elf_open(&e, im.buf, im.len) == BG_ELF_OK)
		for (size_t i = 0; i < e.phnum; i++) {
			if (!bg_elf_phdr(&e, i, &ph) || ph.type != BG_PT_INTERP)
				continue;
			/* a NUL-terminated path inside the file */
			if (ph.offset < im.len && ph.filesz > 1 && ph.filesz <= len && ph.filesz <= im.len - ph.offset &&
			    memchr(im.buf + ph.offset, '\0', ph.filesz) == im.buf + ph.offset + ph.filesz - 1)
				memcpy(out, im.buf + ph.offset, ph.filesz);
			break;
		}
	bg_go_image_unload(&im);
}

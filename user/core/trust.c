// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * trust.c - trust store operations for `bpfguard trust` (trust.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vec.h"
#include "loader.h"
#include "sig.h"
#include "trust.h"
#include "util.h"

/* The file ARG opens as one descriptor and the name it has (symlinks
 * resolved).  fd, or -1 with one line in *d. */
static int open_named(const char *arg, char abs[PATH_MAX], struct bg_diag *d)
{
	int fd = open(arg, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	char link[64];
	struct stat st, at;
	ssize_t n;

	if (fd < 0) {
		bg_diag_set(d, "%s", strerror(errno));
		return -1;
	}
	/* The kernel's name for the open file (symlinks resolved); without
	 * /proc, realpath, accepted only if it names the inode we hold. */
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, abs, PATH_MAX - 1);
	if (n > 0 && abs[0] == '/') {
		abs[n] = '\0';
	} else if (!realpath(arg, abs) || stat(abs, &at) || fstat(fd, &st) || at.st_dev != st.st_dev ||
		   at.st_ino != st.st_ino) {
		bg_diag_set(d, "cannot tell which path names the file opened (it moved meanwhile?)");
		close(fd);
		return -1;
	}
	if (strchr(abs, '\n') || strstr(abs, " (deleted)")) {
		bg_diag_set(d, "its path %s cannot be stored (a newline, or deleted)", abs);
		close(fd);
		return -1;
	}
	return fd;
}

int bg_trust_vouch_arg(const char *arg, char abs[PATH_MAX], struct bg_file_vouch *v, struct bg_diag *d)
{
	int fd = open_named(arg, abs, d), ret;

	if (fd < 0)
		return -1;
	ret = bg_file_vouch_fd(fd, abs, v, d);
	close(fd);
	return ret;
}

int bg_trust_vouch_signed(const char *arg, char abs[PATH_MAX], struct bg_file_vouch *v,
			  const struct bg_sig_request *rq, struct bg_sig_result *res, struct bg_diag *d)
{
	int fd = open_named(arg, abs, d), ret;

	if (fd < 0)
		return -1;
	/* vouched first (it refuses files that could change under us: open
	 * for writing, on tmpfs ...), then the same bytes verified, and the
	 * hash the signature covers must be the one vouched for */
	ret = bg_file_vouch_fd(fd, abs, v, d);
	if (!ret)
		ret = bg_sig_verify_request(rq, fd, abs, res, d);
	if (!ret && memcmp(res->sha256, v->sha256, 32)) {
		bg_diag_set(d, "%s changed between hashing and verifying; try again when nothing writes it", abs);
		ret = BG_EXIT_SIG_MISMATCH;
	}
	close(fd);
	return ret;
}

int bg_trust_set(struct bg_trust *t, const char *path, const uint8_t sha256[32], const char *signer)
{
	char *who = NULL;
	unsigned k;

	if (signer && !(who = strdup(signer)))
		return -ENOMEM;
	for (k = 0; k < t->n && strcmp(t->e[k].path, path); k++)
		;
	if (k == t->n) {
		if (BG_VEC_RESIZE(t->e, (size_t)t->n + 1) || !(t->e[t->n].path = strdup(path))) {
			free(who);
			return -ENOMEM;
		}
		t->e[t->n].signer = NULL;
		t->n++;
	}
	memcpy(t->e[k].sha256, sha256, 32);
	free(t->e[k].signer);
	t->e[k].signer = who;
	return 0;
}

unsigned bg_trust_remove(struct bg_trust *t, const char *arg, struct bg_trust_entry *removed)
{
	uint8_t h[32];
	char abs[PATH_MAX];
	bool by_hash = !strncmp(arg, "sha256:", 7) && bg_sha256_parse(arg, h);
	unsigned kept = 0, nrm = 0;

	if (!by_hash && !realpath(arg, abs))
		bg_strlcpy(abs, arg, sizeof(abs)); /* a file already gone */
	for (unsigned k = 0; k < t->n; k++) {
		bool match = by_hash ? !memcmp(t->e[k].sha256, h, 32) : !strcmp(t->e[k].path, abs);

		if (match)
			removed[nrm++] = t->e[k];
		else
			t->e[kept++] = t->e[k];
	}
	t->n = kept;
	return nrm;
}

enum bg_trust_state bg_trust_check(const struct bg_trust_entry *e, struct bg_diag *d)
{
	struct bg_file_vouch v;

	/* gone, or there but not vouchable now (open for writing, on
	 * tmpfs...): either way it does not run */
	if (bg_file_vouch(e->path, &v, d))
		return access(e->path, F_OK) ? BG_TRUST_MISSING : BG_TRUST_REFUSED;
	return memcmp(v.sha256, e->sha256, 32) ? BG_TRUST_CHANGED : BG_TRUST_OK;
}

const char *bg_trust_state_name(enum bg_trust_state s)
{
	static const char *const names[] = {
		[BG_TRUST_OK] = "ok", [BG_TRUST_CHANGED] = "changed",
		[BG_TRUST_MISSING] = "missing", [BG_TRUST_REFUSED] = "refused",
	};

	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "?";
}

/* Under bpfguard's lock (bg_trust_lock) an attach reading the store at the
 * same time sees one or the other. */
int bg_trust_commit(const struct bg_trust *t, struct bg_diag *d)
{
	if (bg_trust_save(t, d) || bg_exec_sync_trusted(t, d))
		return -1;
	return 0;
}

int bg_trust_lock(void)
{
	struct bg_diag d = {};
	struct bg_state st;

	if (bg_state_open(&st, false, &d))
		return -1; /* no state: no attach to serialize with */
	bg_state_close(&st);
	return bg_state_lock_exclusive(&d);
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * exec_allow.c - hashing files, bpfguard's trust store, and the exec
 * section of a policy into exec.bpf.c's maps and links (exec_allow.h).
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include "crypto_fns.h"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "exec.skel.h"
#include "attachment.h"
#include "exec_allow.h"
#include "exec_gate.h"
#include "loader.h"
#include "sig.h"
#include "trust.h"
#include "textsafe.h"
#include "util.h"
#include "vec.h"

#define TRUST_DEFAULT "/var/lib/bpfguard/trust.list"

uint64_t bg_kernel_dev(dev_t d)
{
	return ((uint64_t)major(d) << 20) | minor(d);
}

int bg_sha256_fd(int fd, uint8_t out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	static uint8_t buf[1 << 17];
	unsigned len = 32;
	ssize_t n;
	int ret = -1;

	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		goto out;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (!EVP_DigestUpdate(ctx, buf, (size_t)n))
			goto out;
	if (n < 0 || !EVP_DigestFinal_ex(ctx, out, &len))
		goto out;
	ret = 0;
out:
	EVP_MD_CTX_free(ctx);
	return ret;
}

/* statfs's name for the file systems BG_EXEC_FS_UNVOUCHABLE refuses. */
static const char *unvouchable_fs_name(unsigned long magic)
{
	switch (magic) {
	case BG_EXEC_FS_TMPFS: return "tmpfs";
	case BG_EXEC_FS_RAMFS: return "ramfs";
	case BG_EXEC_FS_HUGETLBFS: return "hugetlbfs";
	case BG_EXEC_FS_FUSE: return "a FUSE file system";
	}
	return NULL;
}

/* A read lease on fd: the kernel grants it only while nobody holds the
 * file open for writing (a writable descriptor, or a shared writable
 * mapping, which keeps its file open until it is unmapped), and breaks it
 * when somebody opens it for writing or truncates it.  Granting and
 * breaking signal SIGIO to the holder; it is blocked in this thread for
 * the lease's life and directed at this thread only, and a pending one is
 * consumed before the mask is restored (bpfguard's CLI is
 * single-threaded; the brief window before F_SETOWN_EX is covered by the
 * block in that case). */
struct lease {
	int fd;
	sigset_t old;
};

static int lease_take(struct lease *l, int fd)
{
	struct f_owner_ex me = { .type = F_OWNER_TID, .pid = (pid_t)syscall(SYS_gettid) };
	sigset_t io;

	sigemptyset(&io);
	sigaddset(&io, SIGIO);
	pthread_sigmask(SIG_BLOCK, &io, &l->old);
	l->fd = fd;
	if (fcntl(fd, F_SETLEASE, F_RDLCK)) {
		int e = errno;

		pthread_sigmask(SIG_SETMASK, &l->old, NULL);
		errno = e;
		return -1;
	}
	fcntl(fd, F_SETOWN_EX, &me);
	return 0;
}

/* Still ours, unbroken: nobody opened the file for writing meanwhile
 * (F_GETLEASE reports the type a lease is being broken to). */
static bool lease_held(const struct lease *l)
{
	return fcntl(l->fd, F_GETLEASE) == F_RDLCK;
}

static void lease_drop(struct lease *l)
{
	struct timespec zero = { 0, 0 };
	sigset_t io;

	fcntl(l->fd, F_SETLEASE, F_UNLCK);
	sigemptyset(&io);
	sigaddset(&io, SIGIO);
	while (sigtimedwait(&io, NULL, &zero) == SIGIO)
		;
	pthread_sigmask(SIG_SETMASK, &l->old, NULL);
}

/* Kernels before multigrain timestamps (6.13) stamp ctime with the coarse
 * clock: a write within the same tick as the change we recorded would
 * keep the recorded ctime.  Wait (while the lease keeps writers out) until
 * the coarse clock has moved past it; a bounded wait, since a clock set
 * back can leave a ctime in the future (docs/exec.md, limits). */
static void wait_past_ctime(const struct timespec *ct)
{
	for (int i = 0; i < 100; i++) {
		struct timespec now, ms = { 0, 1000000 };

		clock_gettime(CLOCK_REALTIME_COARSE, &now);
		if (now.tv_sec > ct->tv_sec || (now.tv_sec == ct->tv_sec && now.tv_nsec > ct->tv_nsec))
			return;
		nanosleep(&ms, NULL);
	}
}

int bg_file_vouch_fd(int fd, const char *name, struct bg_file_vouch *out, struct bg_diag *diag)
{
	struct stat before, after;
	struct statfs sfs;
	struct lease lease;
	const char *fs;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (fstat(fd, &before) || !S_ISREG(before.st_mode)) {
		bg_diag_set(diag, "%s: not a regular file", name);
		return -1;
	}
	if (fstatfs(fd, &sfs)) {
		bg_diag_set(diag, "%s: cannot tell its file system: %s", name, strerror(errno));
		return -1;
	}
	fs = unvouchable_fs_name((unsigned long)sfs.f_type);
	if (fs) {
		bg_diag_set(diag, "%s is on %s, where a write through a shared mapping leaves no trace "
			    "bpfguard can check (ctime stays); copy it to a disk file system (ext4, xfs, btrfs) "
			    "and list the copy", name, fs);
		return -1;
	}
	if (lease_take(&lease, fd)) {
		if (errno == EAGAIN)
			bg_diag_set(diag, "%s is open for writing (a writable descriptor or a shared writable "
				    "mapping) by some process, which could change it after hashing without a trace; "
				    "stop the writer (fuser -v %s) and try again", name, name);
		else
			bg_diag_set(diag, "%s: cannot take a read lease to prove nobody can write it: %s "
				    "(needs fs.leases-enable=1, root or the file's owner, and a file system with leases)",
				    name, strerror(errno));
		return -1;
	}
	if (lseek(fd, 0, SEEK_SET) < 0 || bg_sha256_fd(fd, out->sha256) || fstat(fd, &after)) {
		bg_diag_set(diag, "%s: cannot read it: %s", name, strerror(errno));
		goto out;
	}
	/* A write while we hashed moves the ctime or (an open for writing)
	 * breaks the lease: what we hashed may not be what the kernel sees. */
	if (!lease_held(&lease) || after.st_ctim.tv_sec != before.st_ctim.tv_sec ||
	    after.st_ctim.tv_nsec != before.st_ctim.tv_nsec) {
		bg_diag_set(diag, "%s: changed or opened for writing while being hashed; "
			    "try again when nothing writes it", name);
		goto out;
	}
	wait_past_ctime(&after.st_ctim);
	out->key.dev = bg_kernel_dev(after.st_dev);
	out->key.ino = after.st_ino;
	out->val.ctime_sec = after.st_ctim.tv_sec;
	out->val.ctime_nsec = (uint32_t)after.st_ctim.tv_nsec;
	ret = 0;
out:
	lease_drop(&lease);
	return ret;
}

int bg_file_vouch(const char *path, struct bg_file_vouch *out, struct bg_diag *diag)
{
	/* O_NONBLOCK: a FIFO at path must not hang us (it is refused as not
	 * a regular file); reads of a regular file ignore it. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	int ret;

	if (fd < 0) {
		memset(out, 0, sizeof(*out));
		bg_diag_set(diag, "%s: %s", path, strerror(errno));
		return -1;
	}
	ret = bg_file_vouch_fd(fd, path, out, diag);
	close(fd);
	return ret;
}

/* ------------------------------------------------------------------ */
/* trust store */

const char *bg_trust_path(void)
{
	const char *p = getenv("BPFGUARD_TRUST_STORE");

	return p && *p ? p : TRUST_DEFAULT;
}

void bg_trust_free(struct bg_trust *t)
{
	for (unsigned i = 0; i < t->n; i++) {
		free(t->e[i].path);
		free(t->e[i].signer);
	}
	free(t->e);
	t->e = NULL;
	t->n = 0;
}

int bg_trust_load(struct bg_trust *t, struct bg_diag *diag)
{
	char line[PATH_MAX + 128];
	unsigned lineno = 0;
	struct stat st;
	FILE *f;

	memset(t, 0, sizeof(*t));
	bg_strlcpy(t->file, bg_trust_path(), sizeof(t->file));
	f = fopen(t->file, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		bg_diag_set(diag, "%s: %s", t->file, strerror(errno));
		return -1;
	}
	/* The store says what may run: only its owner should read or write
	 * it.  Older bpfguard wrote it 0644; the next save fixes that. */
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077))
		bg_warn("trust store %s has mode %04o (readable or writable by others than its owner); "
			"chmod 600 it (the next `bpfguard trust add|remove` writes it 0600)",
			t->file, (unsigned)(st.st_mode & 07777));
	while (fgets(line, sizeof(line), f)) {
		char *sp, *nl = strchr(line, '\n');
		struct bg_trust_entry *e;

		lineno++;
		if (nl)
			*nl = '\0';
		else if (!feof(f))
			goto bad;
		if (!line[0] || line[0] == '#')
			continue;
		sp = strchr(line, ' ');
		if (!sp)
			goto bad;
		*sp = '\0';
		if (t->n >= BG_EXEC_MAX_ENTRIES * 4)
			goto bad;
		if (BG_VEC_RESIZE(t->e, t->n + 1))
			goto bad;
		e = &t->e[t->n];
		memset(e, 0, sizeof(*e));
		if (!strncmp(sp + 1, "signer=", 7)) {
			char *val = sp + 8, *end = strchr(val, ' '), who[1024];
			ssize_t n;

			if (!end || (n = bg_text_unescape(val, (size_t)(end - val), who, sizeof(who) - 1)) <= 0 ||
			    memchr(who, '\0', (size_t)n))
				goto bad;
			who[n] = '\0';
			if (!(e->signer = strdup(who)))
				goto bad;
			sp = end;
		}
		if (sp[1] != '/' || !bg_sha256_parse(line, e->sha256) || !(e->path = strdup(sp + 1))) {
			free(e->signer);
			goto bad;
		}
		t->n++;
	}
	fclose(f);
	return 0;
bad:
	bg_diag_set(diag, "%s:%u: not a trust line (want \"sha256:HEX [signer=WHO] /absolute/path\"); "
		    "fix or remove it (bpfguard trust remove)", t->file, lineno);
	fclose(f);
	bg_trust_free(t);
	return -1;
}

int bg_trust_save(const struct bg_trust *t, struct bg_diag *diag)
{
	char tmp[sizeof(t->file) + 16], dir[sizeof(t->file)], *slash, hex[65];
	FILE *f = NULL;
	bool bad;
	int fd;

	bg_strlcpy(dir, t->file, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0700); /* /var/lib/bpfguard, if bpfguard makes it */
	}
	/* mkostemp: a fresh file of our own, 0600 whatever the umask (fchmod
	 * below makes sure), never one a symlink planted at a fixed name
	 * points to; rename replaces the store, and its old mode, whole. */
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", t->file);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0 || fchmod(fd, 0600) || !(f = fdopen(fd, "w"))) {
		bg_diag_set(diag, "cannot write %s: %s: %s", t->file, tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return -1;
	}
	fprintf(f, "# bpfguard trust store: files allowed to run where a policy says `exec trusted`.\n"
		   "# Managed by `bpfguard trust add|remove`; one \"sha256:HEX [signer=WHO] PATH\" per line.\n");
	for (unsigned i = 0; i < t->n; i++) {
		bg_sha256_hex(t->e[i].sha256, hex);
		if (t->e[i].signer) {
			char who[4 * 1024];

			bg_text_escape(t->e[i].signer, strlen(t->e[i].signer), who, sizeof(who), BG_ESC_SPACE);
			fprintf(f, "sha256:%s signer=%s %s\n", hex, who, t->e[i].path);
		} else {
			fprintf(f, "sha256:%s %s\n", hex, t->e[i].path);
		}
	}
	bad = fflush(f) || fsync(fileno(f));
	bad = fclose(f) || bad;
	if (bad || rename(tmp, t->file)) {
		bg_diag_set(diag, "cannot write %s: %s", t->file, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* kernel side */

/* Bit i of a `want`/`need` mask is exec_progs[i]. */
static const char *const exec_progs[] = { "bg_exec_kill", "bg_exec_bprm", "bg_exec_mmap", "bg_exec_mprotect" };
#define PROGS_KILL 1u
#define PROGS_BPRM 2u
#define PROGS_MAPS (4u | 8u) /* `exec libraries`: mmap_file and file_mprotect */


/* Loads exec.bpf.c against the pinned maps and attaches the programs in
 * `want` (PROGS_* bits) that are not attached yet. */
static struct exec_bpf *exec_open(unsigned want, struct bg_diag *diag)
{
	struct exec_bpf *skel = exec_bpf__open();
	struct bpf_program *prog;
	int ret;

	if (!skel) {
		bg_diag_set(diag, "cannot open exec.bpf.o: %s", strerror(errno));
		return NULL;
	}
	if (bg_pin_object_maps(skel->obj)) {
		bg_diag_set(diag, "internal: cannot set pin paths for exec.bpf.o");
		goto fail;
	}
	for (unsigned i = 0; i < ARRAY_SIZE(exec_progs); i++) {
		prog = bpf_object__find_program_by_name(skel->obj, exec_progs[i]);
		bpf_program__set_autoload(prog, (want & (1u << i)) && !bg_link_pinned(exec_progs[i]));
	}
	ret = exec_bpf__load(skel);
	if (ret) {
		bg_diag_set(diag, "cannot load exec.bpf.o: %s; rerun with BPFGUARD_DEBUG=1", strerror(-ret));
		goto fail;
	}
	for (unsigned i = 0; i < ARRAY_SIZE(exec_progs); i++) {
		char p[PATH_MAX];
		struct bpf_link *link;

		prog = bpf_object__find_program_by_name(skel->obj, exec_progs[i]);
		if (!bpf_program__autoload(prog))
			continue;
		link = bpf_program__attach(prog);
		if (!link) {
			bg_diag_set(diag, "cannot attach %s: %s", exec_progs[i], strerror(errno));
			goto fail;
		}
		bg_pin_path(p, sizeof(p), BG_PIN_LINKS, exec_progs[i]);
		ret = bpf_link__pin(link, p);
		bpf_link__destroy(link);
		if (ret) {
			bg_diag_set(diag, "cannot pin %s: %s", p, strerror(-ret));
			goto fail;
		}
	}
	return skel;
fail:
	exec_bpf__destroy(skel);
	return NULL;
}

static int open_pinned(const char *name)
{
	char p[PATH_MAX];

	bg_pin_path(p, sizeof(p), BG_PIN_MAPS, name);
	return bpf_obj_get(p);
}

static bool exec_key_in_slot(const void *key, const void *ctx)
{
	return ((const struct bg_exec_key *)key)->slot == *(const uint32_t *)ctx;
}

/* Deletes the slot's entries. */
static int clear_entries(int fd, uint32_t slot)
{
	return bg_map_delete_matching(fd, sizeof(struct bg_exec_key), exec_key_in_slot, &slot, NULL);
}

/* ------------------------------------------------------------------ */
/* signed executables (exec signed-by, exec signed-in; docs/exec.md) */

struct vouches {
	struct bg_file_vouch *v;
	unsigned n;
	size_t cap;
};

static int vouches_push(struct vouches *vs, const struct bg_file_vouch *x)
{
	if (vs->n >= BG_EXEC_MAX_ENTRIES * 4)
		return -E2BIG;
	if (BG_VEC_RESERVE(vs->v, vs->cap, (size_t)vs->n + 1))
		return -ENOMEM;
	vs->v[vs->n++] = *x;
	return 0;
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && !strcmp(s + a - b, suf);
}

/* One file of a signed-in directory: admitted if a signature beside it
 * (NAME.sig, else NAME.sigstore.json) verifies with one of the keys, over
 * the very descriptor that is vouched for.  1 admitted, 0 not, -1 no
 * signature beside it (nothing was verified). */
static int signed_file(const struct bg_exec_policy *x, int dfd, const char *dir, const char *name,
		       struct bg_file_vouch *out)
{
	char file[PATH_MAX], sig[PATH_MAX], bundle[PATH_MAX];
	bool have_sig, have_bundle;
	int fd, ok = 0;

	if ((size_t)snprintf(file, sizeof(file), "%s/%s", dir, name) >= sizeof(file) ||
	    (size_t)snprintf(sig, sizeof(sig), "%s.sig", file) >= sizeof(sig) ||
	    (size_t)snprintf(bundle, sizeof(bundle), "%s.sigstore.json", file) >= sizeof(bundle))
		return 0;
	have_sig = access(sig, R_OK) == 0;
	have_bundle = access(bundle, R_OK) == 0;
	if (!have_sig && !have_bundle)
		return -1; /* unsigned: not admitted, refused like any unlisted file */
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return 0;
	if (bg_file_vouch_fd(fd, file, out, NULL) == 0) {
		for (unsigned k = 0; k < x->nsigners && !ok; k++) {
			struct bg_sig_request rq = { .key = x->signers[k] };
			struct bg_sig_result res;

			if (x->signers[k][0] != '/')
				continue; /* a key id: only the trust store's entries carry one */
			if (have_sig)
				rq.signature = sig;
			else
				rq.bundle = bundle;
			ok = bg_sig_verify_request(&rq, fd, file, &res, NULL) == 0 &&
			     !memcmp(res.sha256, out->sha256, 32);
		}
	}
	close(fd);
	return ok;
}

/* The key ids (sha256:HEX) the section's signers stand for: files read,
 * ids as written.  -1 with diag for a key file that cannot be read. */
static int signer_ids(const struct bg_policy *p, char ids[][72], struct bg_diag *diag)
{
	const struct bg_exec_policy *x = &p->exec;

	for (unsigned k = 0; k < x->nsigners; k++) {
		struct bg_sig_key *key;
		struct bg_diag why = {};

		if (x->signers[k][0] != '/') {
			bg_strlcpy(ids[k], x->signers[k], 72);
			continue;
		}
		if (bg_sig_key_load(x->signers[k], &key, &why)) {
			bg_diag_set(diag, "policy '%s': exec signed-by %s: %s", p->name, x->signers[k], why.msg);
			return -1;
		}
		bg_strlcpy(ids[k], bg_sig_key_id(key), 72);
		bg_sig_key_free(key);
	}
	return 0;
}

/* Trust-store entries recorded with a signer the section names, whose file
 * still has the content that was signed. */
static int signed_from_store(const struct bg_policy *p, char ids[][72], struct vouches *vs, struct bg_diag *diag)
{
	struct bg_trust t;
	int ret = 0;

	if (bg_trust_load(&t, diag))
		return -1;
	for (unsigned i = 0; i < t.n && !ret; i++) {
		const struct bg_trust_entry *e = &t.e[i];
		struct bg_file_vouch v;
		bool named = false;

		for (unsigned k = 0; e->signer && k < p->exec.nsigners && !named; k++)
			named = !strncmp(e->signer, "key ", 4) && !strcmp(e->signer + 4, ids[k]);
		if (named && bg_file_vouch(e->path, &v, NULL) == 0 && !memcmp(v.sha256, e->sha256, 32))
			ret = vouches_push(vs, &v);
	}
	bg_trust_free(&t);
	if (ret)
		bg_diag_set(diag, "policy '%s': too many signed executables (at most %d), or out of memory", p->name,
			    BG_EXEC_MAX_ENTRIES * 4);
	return ret ? -1 : 0;
}

/* Signatures verified per attach, over every signed-in directory: whoever
 * may write such a directory could otherwise fill it with signature files
 * and make every attach (and the daemon's pass on every change) verify
 * without end.  Past the bound the attach is refused: nothing new is
 * admitted, what is attached stays. */
#define SIGNED_CANDIDATES_MAX BG_EXEC_MAX_ENTRIES

static int signed_from_dirs(const struct bg_policy *p, struct vouches *vs, struct bg_diag *diag)
{
	const struct bg_exec_policy *x = &p->exec;
	unsigned tried = 0;

	for (unsigned d = 0; d < x->ndirs; d++) {
		DIR *dir = opendir(x->signed_dirs[d]);
		struct dirent *de;
		int ret = 0;

		if (!dir) {
			bg_diag_set(diag, "policy '%s': exec signed-in %s: %s; create it or fix the path", p->name,
				    x->signed_dirs[d], strerror(errno));
			return -1;
		}
		while (!ret && (de = readdir(dir))) {
			struct bg_file_vouch v;

			if (de->d_name[0] == '.' || has_suffix(de->d_name, ".sig") ||
			    has_suffix(de->d_name, ".sigstore.json") || has_suffix(de->d_name, ".pub"))
				continue;
			int r;

			if (tried >= SIGNED_CANDIDATES_MAX) {
				closedir(dir);
				bg_diag_set(diag, "policy '%s': exec signed-in %s: more than %d files with a signature "
					    "beside them in the signed-in directories; nothing more is verified: move "
					    "files out, or split them over policies", p->name, x->signed_dirs[d],
					    SIGNED_CANDIDATES_MAX);
				return -1;
			}
			r = signed_file(x, dirfd(dir), x->signed_dirs[d], de->d_name, &v);
			tried += r >= 0;
			if (r > 0)
				ret = vouches_push(vs, &v);
		}
		closedir(dir);
		if (ret) {
			bg_diag_set(diag, "policy '%s': too many signed executables (at most %d), or out of memory",
				    p->name, BG_EXEC_MAX_ENTRIES * 4);
			return -1;
		}
	}
	return 0;
}

int bg_exec_vouch_all(const struct bg_policy *p, struct bg_file_vouch **out, unsigned *nout, struct bg_diag *diag)
{
	const struct bg_exec_policy *x = &p->exec;
	struct vouches vs = {};
	char hex[65];

	*out = NULL;
	*nout = 0;
	for (unsigned i = 0; i < x->n; i++) {
		const struct bg_exec_entry *e = &x->e[i];
		struct bg_file_vouch v;
		struct bg_diag why = {};

		if (bg_file_vouch(e->path, &v, &why)) {
			bg_diag_set(diag, "policy '%s' line %u: exec allow %s", p->name, e->line, why.msg);
			goto fail;
		}
		if (e->has_hash && memcmp(e->sha256, v.sha256, 32)) {
			bg_sha256_hex(v.sha256, hex);
			bg_diag_set(diag, "policy '%s' line %u: %s does not have the content the policy vouches for "
				    "(its sha256 is %s); check the file, or update the policy's hash if the change is expected",
				    p->name, e->line, e->path, hex);
			goto fail;
		}
		if (vouches_push(&vs, &v)) {
			bg_diag_set(diag, "out of memory");
			goto fail;
		}
	}
	if (x->ndirs && !x->nsigners) {
		bg_diag_set(diag, "policy '%s': exec signed-in without exec signed-by: no key can admit a file; "
			    "add exec signed-by KEY.pub", p->name);
		goto fail;
	}
	if (x->nsigners) {
		char (*ids)[72] = calloc(x->nsigners, 72);

		if (!ids || signer_ids(p, ids, diag) || signed_from_store(p, ids, &vs, diag) ||
		    signed_from_dirs(p, &vs, diag)) {
			if (!ids)
				bg_diag_set(diag, "out of memory");
			free(ids);
			goto fail;
		}
		free(ids);
	}
	*out = vs.v ? vs.v : calloc(1, sizeof(*vs.v));
	*nout = vs.n;
	return *out ? 0 : -1;
fail:
	free(vs.v);
	return -1;
}

int bg_exec_apply(struct bg_state *st, uint32_t slot, const struct bg_policy *p, bool lsm, bool audit,
		  struct bg_diag *diag)
{
	struct bg_exec_pol pol = {};
	struct exec_bpf *skel;
	unsigned want;
	int allow_fd, pol_fd;
	(void)st;
	if (!p->exec.present)
		return 0;
	/* 1. every admitted file hashed, matched or verified before anything changes */
	struct bg_file_vouch *v;
	unsigned nv;

	if (bg_exec_vouch_all(p, &v, &nv, diag))
		return -1;
	/* 2. programs: LSM deny where it loads, else kill at exec */
	want = lsm ? PROGS_BPRM | (p->exec.libraries ? PROGS_MAPS : 0) : PROGS_KILL;
	skel = exec_open(want, diag);
	if (!skel) {
		free(v);
		return -1;
	}
	allow_fd = bpf_map__fd(skel->maps.bg_exec_allow);
	pol_fd = bpf_map__fd(skel->maps.bg_exec_pol);
	/* 3. entries, then the slot's flags (nothing points at the slot yet) */
	for (unsigned i = 0; i < nv; i++) {
		v[i].key.slot = slot;
		if (bpf_map_update_elem(allow_fd, &v[i].key, &v[i].val, BPF_ANY)) {
			bg_diag_set(diag, "cannot write bg_exec_allow: %s", strerror(errno));
			clear_entries(allow_fd, slot);
			exec_bpf__destroy(skel);
			free(v);
			bg_exec_sync_links(st);
			return -1;
		}
	}
	pol.flags = BG_EXEC_ON | (p->exec.trusted ? BG_EXEC_TRUSTED : 0) |
		    (p->exec.libraries && lsm ? BG_EXEC_MMAP : 0) | (audit ? BG_EXEC_AUDIT : 0) |
		    (lsm ? 0 : BG_EXEC_KILL);
	/* checked: without its flags the slot's allowlist is not enforced */
	int wr = bg_map_write(pol_fd, &slot, &pol, "exec-flags");

	if (wr) {
		bg_diag_set(diag, "cannot write bg_exec_pol[%u]: %s", slot, strerror(-wr));
		clear_entries(allow_fd, slot);
		exec_bpf__destroy(skel);
		free(v);
		bg_exec_sync_links(st);
		return -1;
	}
	exec_bpf__destroy(skel);
	free(v);
	if (p->exec.trusted) {
		struct bg_trust t;

		if (bg_trust_load(&t, diag) || bg_exec_sync_trusted(&t, diag)) {
			bg_trust_free(&t);
			bg_exec_clear_slot(st, slot);
			bg_exec_sync_links(st);
			return -1;
		}
		bg_trust_free(&t);
	}
	bg_exec_gate_bump();
	/* no BPF LSM: the fanotify gate refuses at execve, the kill stays as
	 * its backstop; a gate that cannot start refuses the attach */
	if (!lsm && !audit && bg_exec_gate_sync(diag)) {
		bg_exec_clear_slot(st, slot);
		bg_exec_sync_links(st);
		return -1;
	}
	return 0;
}

int bg_exec_clear_slot(struct bg_state *st, uint32_t slot)
{
	struct bg_exec_pol zero = {};
	int fd, ret = 0;

	(void)st;
	fd = open_pinned("bg_exec_pol");
	if (fd >= 0) {
		ret = bg_map_write(fd, &slot, &zero, "clear-exec");
		close(fd);
	}
	fd = open_pinned("bg_exec_allow");
	if (fd >= 0) {
		if (clear_entries(fd, slot) && !ret)
			ret = -EIO;
		close(fd);
	}
	bg_exec_gate_bump();
	return ret;
}

void bg_exec_sync_links(struct bg_state *st)
{
	unsigned need = 0; /* bit per exec_progs: which ones some slot still uses */
	int fd = open_pinned("bg_exec_pol");

	(void)st;
	if (fd < 0)
		return;
	for (uint32_t s = 0; s < BG_MAX_POLICIES; s++) {
		struct bg_exec_pol pol;

		if (bpf_map_lookup_elem(fd, &s, &pol) || !(pol.flags & BG_EXEC_ON))
			continue;
		need |= (pol.flags & BG_EXEC_KILL) ? PROGS_KILL : PROGS_BPRM;
		if (pol.flags & BG_EXEC_MMAP)
			need |= PROGS_MAPS;
	}
	close(fd);
	for (unsigned i = 0; i < ARRAY_SIZE(exec_progs); i++) {
		char p[PATH_MAX];

		if (need & (1u << i))
			continue;
		bg_pin_path(p, sizeof(p), BG_PIN_LINKS, exec_progs[i]);
		unlink(p);
	}
	/* the gate goes with the last exec section it enforces (a failed
	 * restart here leaves the kill at exec, which always stays) */
	bg_exec_gate_sync(NULL);
}

int bg_exec_sync_trusted(const struct bg_trust *t, struct bg_diag *diag)
{
	int fd = open_pinned("bg_exec_trusted");

	if (fd < 0)
		return 0; /* nothing attached uses it yet; attach fills it */
	clear_entries(fd, 0);
	for (unsigned i = 0; i < t->n; i++) {
		struct bg_file_vouch v;

		/* A store entry whose file is gone or changed is skipped, not
		 * fatal: it simply does not run (trust list shows why). */
		if (bg_file_vouch(t->e[i].path, &v, NULL) || memcmp(v.sha256, t->e[i].sha256, 32))
			continue;
		if (bpf_map_update_elem(fd, &v.key, &v.val, BPF_ANY)) {
			bg_diag_set(diag, "cannot write bg_exec_trusted: %s", strerror(errno));
			close(fd);
			bg_exec_gate_bump();
			return -1;
		}
	}
	close(fd);
	bg_exec_gate_bump();
	return 0;
}

void bg_exec_summary(const struct bg_policy *p, bool lsm, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!p->exec.present)
		return;
	snprintf(buf, len, "%u listed file%s%s%s, others %s%s", p->exec.n, p->exec.n == 1 ? "" : "s",
		 p->exec.trusted ? " + the trust store" : "", p->exec.nsigners ? " + signed files" : "",
		 lsm ? "refused at exec (lsm: EACCES before the program loads)"
		 : bg_exec_gate_usable() ? "refused at execve (fanotify: EPERM; killed at exec if the gate is down)"
					 : "killed at exec (before their first instruction)",
		 p->exec.libraries ? (lsm ? "; executable mappings of unlisted files refused" :
					    "; libraries NOT checked (needs BPF LSM)") : "");
}

/* The slot's bg_exec_pol flags, 0 if none. */
static uint32_t slot_flags(uint32_t slot)
{
	struct bg_exec_pol pol = {};
	int fd = open_pinned("bg_exec_pol");

	if (fd < 0)
		return 0;
	if (bpf_map_lookup_elem(fd, &slot, &pol))
		pol.flags = 0;
	close(fd);
	return pol.flags;
}

const char *bg_exec_mechanism_slot(uint32_t slot)
{
	struct bg_gate_status g;
	uint32_t flags = slot_flags(slot);

	if (!(flags & BG_EXEC_ON))
		return NULL;
	if (flags & BG_EXEC_AUDIT)
		return "audit";
	if (!(flags & BG_EXEC_KILL))
		return "lsm";
	bg_exec_gate_status(&g);
	return g.worker ? "fanotify" : "kill";
}

void bg_exec_summary_slot(uint32_t slot, char *buf, size_t len)
{
	uint32_t flags = slot_flags(slot);
	const char *mech = bg_exec_mechanism_slot(slot);

	buf[0] = '\0';
	if (flags & BG_EXEC_ON)
		snprintf(buf, len, "allowlist%s%s, others %s", (flags & BG_EXEC_TRUSTED) ? " + trust store" : "",
			 (flags & BG_EXEC_MMAP) ? " (libraries too)" : "",
			 !strcmp(mech, "audit") ? "recorded (audit)" :
			 !strcmp(mech, "fanotify") ? "refused at execve (fanotify: EPERM; kill at exec as the backstop)" :
			 !strcmp(mech, "kill") ? (bg_exec_gate_usable() ?
				"killed at exec (before their first instruction; the fanotify exec gate is NOT running)" :
				"killed at exec (before their first instruction)") :
						      "refused at exec (lsm, EACCES)");
}

const char *bg_exec_why_name(uint32_t why, bool terse)
{
	switch (why) {
	case BG_EXEC_WHY_CHANGED: return terse ? "changed" : "changed since hashed";
	case BG_EXEC_WHY_WRITABLE: return terse ? "writable" : "open for writing";
	case BG_EXEC_WHY_FSTYPE: return terse ? "fstype" : "on a file system bpfguard cannot vouch for";
	}
	return terse ? "unlisted" : "not listed";
}

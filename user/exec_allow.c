// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * exec_allow.c - hashing files, bpfguard's trust store, and the exec
 * section of a policy into exec.bpf.c's maps and links (exec_allow.h).
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "exec.skel.h"
#include "attachment.h"
#include "exec_allow.h"
#include "loader.h"
#include "util.h"

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

int bg_file_vouch(const char *path, struct bg_file_vouch *out, char *err, size_t errlen)
{
	struct stat before, after;
	int fd;

	memset(out, 0, sizeof(*out));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &before) || !S_ISREG(before.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (bg_sha256_fd(fd, out->sha256) || fstat(fd, &after)) {
		snprintf(err, errlen, "%s: cannot read it: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	/* A write while we hashed moves the ctime: what we hashed may not be
	 * what the kernel will see. */
	if (after.st_ctim.tv_sec != before.st_ctim.tv_sec || after.st_ctim.tv_nsec != before.st_ctim.tv_nsec) {
		snprintf(err, errlen, "%s: changed while being hashed; try again when it is not being written", path);
		return -1;
	}
	out->key.dev = bg_kernel_dev(after.st_dev);
	out->key.ino = after.st_ino;
	out->val.ctime_sec = after.st_ctim.tv_sec;
	out->val.ctime_nsec = (uint32_t)after.st_ctim.tv_nsec;
	return 0;
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
	for (unsigned i = 0; i < t->n; i++)
		free(t->e[i].path);
	free(t->e);
	t->e = NULL;
	t->n = 0;
}

int bg_trust_load(struct bg_trust *t, char *err, size_t errlen)
{
	char line[PATH_MAX + 128];
	unsigned lineno = 0;
	FILE *f;

	memset(t, 0, sizeof(*t));
	bg_strlcpy(t->file, bg_trust_path(), sizeof(t->file));
	f = fopen(t->file, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", t->file, strerror(errno));
		return -1;
	}
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
		if (!sp || sp[1] != '/')
			goto bad;
		*sp = '\0';
		if (t->n >= BG_EXEC_MAX_ENTRIES * 4)
			goto bad;
		e = realloc(t->e, (t->n + 1) * sizeof(*e));
		if (!e)
			goto bad;
		t->e = e;
		e = &t->e[t->n];
		if (!bg_sha256_parse(line, e->sha256) || !(e->path = strdup(sp + 1)))
			goto bad;
		t->n++;
	}
	fclose(f);
	return 0;
bad:
	snprintf(err, errlen, "%s:%u: not a trust line (want \"sha256:HEX /absolute/path\"); "
		 "fix or remove it (bpfguard trust remove)", t->file, lineno);
	fclose(f);
	bg_trust_free(t);
	return -1;
}

int bg_trust_save(const struct bg_trust *t, char *err, size_t errlen)
{
	char tmp[sizeof(t->file) + 16], dir[sizeof(t->file)], *slash, hex[65];
	FILE *f;

	bg_strlcpy(dir, t->file, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755); /* /var/lib/bpfguard */
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", t->file);
	f = fopen(tmp, "we");
	if (!f) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	fprintf(f, "# bpfguard trust store: files allowed to run where a policy says `exec trusted`.\n"
		   "# Managed by `bpfguard trust add|remove`; one \"sha256:HEX PATH\" per line.\n");
	for (unsigned i = 0; i < t->n; i++) {
		bg_sha256_hex(t->e[i].sha256, hex);
		fprintf(f, "sha256:%s %s\n", hex, t->e[i].path);
	}
	if (fflush(f) || fsync(fileno(f)) || fclose(f) || rename(tmp, t->file)) {
		snprintf(err, errlen, "cannot write %s: %s", t->file, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* kernel side */

static const char *const exec_progs[] = { "bg_exec_kill", "bg_exec_bprm", "bg_exec_mmap" };

static bool link_pinned(const char *prog)
{
	char p[PATH_MAX];

	bg_pin_path(p, sizeof(p), BG_PIN_LINKS, prog);
	return access(p, F_OK) == 0;
}

/* Loads exec.bpf.c against the pinned maps and attaches the programs in
 * `want` (bits: 1 kill, 2 bprm, 4 mmap) that are not attached yet. */
static struct exec_bpf *exec_open(unsigned want, char *err, size_t errlen)
{
	struct exec_bpf *skel = exec_bpf__open();
	struct bpf_program *prog;
	int ret;

	if (!skel) {
		snprintf(err, errlen, "cannot open exec.bpf.o: %s", strerror(errno));
		return NULL;
	}
	if (bg_pin_object_maps(skel->obj)) {
		snprintf(err, errlen, "internal: cannot set pin paths for exec.bpf.o");
		goto fail;
	}
	for (unsigned i = 0; i < ARRAY_SIZE(exec_progs); i++) {
		prog = bpf_object__find_program_by_name(skel->obj, exec_progs[i]);
		bpf_program__set_autoload(prog, (want & (1u << i)) && !link_pinned(exec_progs[i]));
	}
	ret = exec_bpf__load(skel);
	if (ret) {
		snprintf(err, errlen, "cannot load exec.bpf.o: %s; rerun with BPFGUARD_DEBUG=1", strerror(-ret));
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
			snprintf(err, errlen, "cannot attach %s: %s", exec_progs[i], strerror(errno));
			goto fail;
		}
		bg_pin_path(p, sizeof(p), BG_PIN_LINKS, exec_progs[i]);
		ret = bpf_link__pin(link, p);
		bpf_link__destroy(link);
		if (ret) {
			snprintf(err, errlen, "cannot pin %s: %s", p, strerror(-ret));
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

/* Deletes the slot's entries (collect first: get_next_key over a map we
 * delete from would restart). */
static int clear_entries(int fd, uint32_t slot)
{
	struct bg_exec_key k, next, *prev = NULL, *del = NULL;
	unsigned n = 0, cap = 0;
	int ret = 0;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		if (next.slot == slot) {
			if (n == cap) {
				struct bg_exec_key *g = realloc(del, (cap ? cap * 2 : 64) * sizeof(*g));

				if (!g) {
					ret = -ENOMEM;
					break;
				}
				del = g;
				cap = cap ? cap * 2 : 64;
			}
			del[n++] = next;
		}
		k = next;
		prev = &k;
	}
	for (unsigned i = 0; i < n; i++)
		if (bpf_map_delete_elem(fd, &del[i]) && errno != ENOENT && !ret)
			ret = -errno;
	free(del);
	return ret;
}

int bg_exec_apply(struct bg_state *st, uint32_t slot, const struct bg_policy *p, bool lsm, bool audit,
		  char *err, size_t errlen)
{
	struct bg_exec_pol pol = {};
	struct exec_bpf *skel;
	unsigned want;
	int allow_fd, pol_fd;
	char hex[65];

	(void)st;
	if (!p->exec.present)
		return 0;
	/* 1. every listed file hashed and matched before anything changes */
	struct bg_file_vouch *v = calloc(p->exec.n ? p->exec.n : 1, sizeof(*v));

	if (!v) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (unsigned i = 0; i < p->exec.n; i++) {
		const struct bg_exec_entry *e = &p->exec.e[i];
		char why[PATH_MAX + 128];

		if (bg_file_vouch(e->path, &v[i], why, sizeof(why))) {
			snprintf(err, errlen, "policy '%s' line %u: exec allow %s", p->name, e->line, why);
			free(v);
			return -1;
		}
		if (e->has_hash && memcmp(e->sha256, v[i].sha256, 32)) {
			bg_sha256_hex(v[i].sha256, hex);
			snprintf(err, errlen, "policy '%s' line %u: %s does not have the content the policy vouches for "
				 "(its sha256 is %s); check the file, or update the policy's hash if the change is expected",
				 p->name, e->line, e->path, hex);
			free(v);
			return -1;
		}
	}
	/* 2. programs: LSM deny where it loads, else kill at exec */
	want = lsm ? 2u | (p->exec.libraries ? 4u : 0) : 1u;
	skel = exec_open(want, err, errlen);
	if (!skel) {
		free(v);
		return -1;
	}
	allow_fd = bpf_map__fd(skel->maps.bg_exec_allow);
	pol_fd = bpf_map__fd(skel->maps.bg_exec_pol);
	/* 3. entries, then the slot's flags (nothing points at the slot yet) */
	for (unsigned i = 0; i < p->exec.n; i++) {
		v[i].key.slot = slot;
		if (bpf_map_update_elem(allow_fd, &v[i].key, &v[i].val, BPF_ANY)) {
			snprintf(err, errlen, "cannot write bg_exec_allow: %s", strerror(errno));
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
		snprintf(err, errlen, "cannot write bg_exec_pol[%u]: %s", slot, strerror(-wr));
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

		if (bg_trust_load(&t, err, errlen) || bg_exec_sync_trusted(&t, err, errlen)) {
			bg_trust_free(&t);
			bg_exec_clear_slot(st, slot);
			bg_exec_sync_links(st);
			return -1;
		}
		bg_trust_free(&t);
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
		need |= (pol.flags & BG_EXEC_KILL) ? 1u : 2u;
		if (pol.flags & BG_EXEC_MMAP)
			need |= 4u;
	}
	close(fd);
	for (unsigned i = 0; i < ARRAY_SIZE(exec_progs); i++) {
		char p[PATH_MAX];

		if (need & (1u << i))
			continue;
		bg_pin_path(p, sizeof(p), BG_PIN_LINKS, exec_progs[i]);
		unlink(p);
	}
}

int bg_exec_sync_trusted(const struct bg_trust *t, char *err, size_t errlen)
{
	int fd = open_pinned("bg_exec_trusted");
	char why[PATH_MAX + 128];

	if (fd < 0)
		return 0; /* nothing attached uses it yet; attach fills it */
	clear_entries(fd, 0);
	for (unsigned i = 0; i < t->n; i++) {
		struct bg_file_vouch v;

		/* A store entry whose file is gone or changed is skipped, not
		 * fatal: it simply does not run (trust list shows why). */
		if (bg_file_vouch(t->e[i].path, &v, why, sizeof(why)) || memcmp(v.sha256, t->e[i].sha256, 32))
			continue;
		if (bpf_map_update_elem(fd, &v.key, &v.val, BPF_ANY)) {
			snprintf(err, errlen, "cannot write bg_exec_trusted: %s", strerror(errno));
			close(fd);
			return -1;
		}
	}
	close(fd);
	return 0;
}

void bg_exec_summary(const struct bg_policy *p, bool lsm, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!p->exec.present)
		return;
	snprintf(buf, len, "%u listed file%s%s, others %s%s", p->exec.n, p->exec.n == 1 ? "" : "s",
		 p->exec.trusted ? " + the trust store" : "",
		 lsm ? "refused at exec (lsm: EACCES before the program loads)"
		     : "killed at exec (before their first instruction)",
		 p->exec.libraries ? (lsm ? "; executable mappings of unlisted files refused" :
					    "; libraries NOT checked (needs BPF LSM)") : "");
}

void bg_exec_summary_slot(uint32_t slot, char *buf, size_t len)
{
	struct bg_exec_pol pol = {};
	int fd = open_pinned("bg_exec_pol");

	buf[0] = '\0';
	if (fd < 0)
		return;
	if (bpf_map_lookup_elem(fd, &slot, &pol) == 0 && (pol.flags & BG_EXEC_ON))
		snprintf(buf, len, "allowlist%s%s, others %s%s", (pol.flags & BG_EXEC_TRUSTED) ? " + trust store" : "",
			 (pol.flags & BG_EXEC_MMAP) ? " (libraries too)" : "",
			 (pol.flags & BG_EXEC_AUDIT) ? "recorded (audit)" :
			 (pol.flags & BG_EXEC_KILL) ? "killed at exec (before their first instruction)" :
						      "refused at exec (lsm, EACCES)", "");
	close(fd);
}

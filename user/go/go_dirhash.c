// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * go_dirhash.c - Go's "h1:" hash (golang.org/x/mod/sumdb/dirhash Hash1):
 *
 *   sort the file names byte-wise; for each, the line
 *   "<hex sha256 of content>  <name>\n"; the result is
 *   "h1:" + base64(sha256(all lines)).
 *
 * over a module zip (names as stored), an extracted module directory
 * (HashDir: names are prefix + "/" + path relative to the directory) and a
 * go.mod file (one file named "go.mod").  SHA-256 is OpenSSL's EVP, which
 * uses the CPU's SHA extensions when it has them.
 *
 * The files of one hash are independent until the final summary, so large
 * zips and directories are hashed by a few threads, each with its own
 * inflate state, buffer and digest; the summary is computed after they
 * join, so the result does not depend on the order they finished in.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include "crypto_fns.h"
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "go_dirhash.h"
#include "util.h"
#include "vec.h"

/* Below this much content, starting threads costs more than it saves. */
#define PARALLEL_MIN_BYTES (4u << 20)
#define MAX_THREADS 8

static unsigned h1_threads;

void bg_h1_set_threads(unsigned n)
{
	h1_threads = n;
}

static unsigned thread_count(size_t items)
{
	unsigned n = h1_threads;
	const char *env;

	/* BPFGUARD_HASH_THREADS=1 measures the single-threaded cost */
	if (!n && (env = getenv("BPFGUARD_HASH_THREADS")) && *env)
		n = (unsigned)strtoul(env, NULL, 10);
	if (!n) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		n = cpus > 0 ? (unsigned)cpus : 1;
	}
	if (n > MAX_THREADS)
		n = MAX_THREADS;
	if (n > items)
		n = (unsigned)items;
	return n ? n : 1;
}

/* SHA-256 fetched once: an explicit fetch spares OpenSSL 3 a lookup per
 * digest, which shows with thousands of small files. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_init(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *sha256(void)
{
	pthread_once(&sha256_once, sha256_init);
	return sha256_md ? sha256_md : EVP_sha256();
}

/* bg_diag_set, with the errno that caused it (0: none) */
static void diag(struct bg_diag *d, int err_no, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void diag(struct bg_diag *d, int err_no, const char *fmt, ...)
{
	va_list ap;
	char msg[BG_DIAG_MSG_MAX];

	if (!d)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bg_diag_set(d, "%s", msg);
	d->err_no = err_no;
}

/* ------------------------------------------------------------------------
 * The summary.
 */

static int cmp_file(const void *a, const void *b)
{
	const struct bg_h1_file *x = a, *y = b;
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
	int c = memcmp(x->name, y->name, n);

	/* Go's string order: bytes, then the shorter first */
	if (c)
		return c;
	return (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

int bg_h1_summary(struct bg_h1_file *files, size_t n, char out[BG_H1_LEN], struct bg_diag *d)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char sum[32];
	EVP_MD_CTX *md;
	char line[64 + 2];
	int ok = 1;

	for (size_t i = 0; i < n; i++)
		if (memchr(files[i].name, '\n', files[i].name_len)) {
			char q[160];

			bg_zip_quote(files[i].name, files[i].name_len, q, sizeof(q));
			diag(d, 0, "file name %s has a newline, which dirhash does not support", q);
			return BG_ZIP_EFORMAT;
		}
	if (n > 1)
		qsort(files, n, sizeof(*files), cmp_file);
	md = EVP_MD_CTX_new();
	if (!md || !EVP_DigestInit_ex(md, sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		diag(d, ENOMEM, "cannot set up SHA-256");
		return BG_ZIP_ENOMEM;
	}
	for (size_t i = 0; i < n && ok; i++) {
		for (int k = 0; k < 32; k++) {
			line[2 * k] = hex[files[i].sum[k] >> 4];
			line[2 * k + 1] = hex[files[i].sum[k] & 15];
		}
		line[64] = ' ';
		line[65] = ' ';
		ok = EVP_DigestUpdate(md, line, sizeof(line)) &&
		     EVP_DigestUpdate(md, files[i].name, files[i].name_len) &&
		     EVP_DigestUpdate(md, "\n", 1);
	}
	ok = ok && EVP_DigestFinal_ex(md, sum, NULL);
	EVP_MD_CTX_free(md);
	if (!ok) {
		diag(d, 0, "SHA-256 failed");
		return BG_ZIP_ENOMEM;
	}
	memcpy(out, "h1:", 3);
	/* 32 bytes -> 44 base64 characters with padding, NUL-terminated */
	EVP_EncodeBlock((unsigned char *)out + 3, sum, sizeof(sum));
	return BG_ZIP_OK;
}

int bg_h1_buffers(const char *const *names, const void *const *data, const size_t *lens, size_t n,
		  char out[BG_H1_LEN], struct bg_diag *d)
{
	struct bg_h1_file *f = calloc(n ? n : 1, sizeof(*f));
	int st = BG_ZIP_OK;

	if (!f) {
		diag(d, ENOMEM, "out of memory");
		return BG_ZIP_ENOMEM;
	}
	for (size_t i = 0; i < n && !st; i++) {
		f[i].name = names[i];
		f[i].name_len = strlen(names[i]);
		if (!EVP_Digest(data[i], lens[i], f[i].sum, NULL, sha256(), NULL)) {
			diag(d, 0, "SHA-256 failed");
			st = BG_ZIP_ENOMEM;
		}
	}
	if (!st)
		st = bg_h1_summary(f, n, out, d);
	free(f);
	return st;
}

/* ------------------------------------------------------------------------
 * Hashing many files with a few threads.
 */

struct hasher {
	struct bg_zip_reader rd; /* inflate state and a bounded buffer */
	EVP_MD_CTX *md;
	char err[512];
	int err_no;
};

struct job {
	size_t n;
	size_t *order;  /* items largest first, so no big one starts last */
	uint64_t *size; /* what order sorts by */
	atomic_size_t next;
	atomic_bool stop;
	/* hashes item i into files[i].sum */
	int (*one)(struct job *j, struct hasher *h, size_t i);
	struct bg_h1_file *files;
	const struct bg_zip *zip;
	char **paths; /* directory: the files to open */
	/* the failure of the lowest-numbered item, so the message does not
	 * depend on thread timing */
	pthread_mutex_t lock;
	size_t fail_at;
	int fail_st, fail_errno;
	char fail_msg[512];
};

static int hasher_init(struct hasher *h)
{
	memset(h, 0, sizeof(*h));
	if (bg_zip_reader_init(&h->rd))
		return BG_ZIP_ENOMEM;
	h->md = EVP_MD_CTX_new();
	if (!h->md) {
		bg_zip_reader_free(&h->rd);
		return BG_ZIP_ENOMEM;
	}
	return BG_ZIP_OK;
}

static void hasher_free(struct hasher *h)
{
	bg_zip_reader_free(&h->rd);
	EVP_MD_CTX_free(h->md);
}

static void *worker(void *arg)
{
	struct job *j = arg;
	struct hasher h;
	int st;

	st = hasher_init(&h);
	if (st) {
		pthread_mutex_lock(&j->lock);
		if (!j->fail_st) {
			j->fail_st = st;
			j->fail_at = 0;
			snprintf(j->fail_msg, sizeof(j->fail_msg), "out of memory");
		}
		pthread_mutex_unlock(&j->lock);
		atomic_store(&j->stop, true);
		return NULL;
	}
	while (!atomic_load_explicit(&j->stop, memory_order_relaxed)) {
		size_t k = atomic_fetch_add(&j->next, 1), i;

		if (k >= j->n)
			break;
		i = j->order ? j->order[k] : k;
		h.err[0] = '\0';
		h.err_no = 0;
		st = j->one(j, &h, i);
		if (st) {
			pthread_mutex_lock(&j->lock);
			if (!j->fail_st || i < j->fail_at) {
				j->fail_st = st;
				j->fail_at = i;
				j->fail_errno = h.err_no;
				snprintf(j->fail_msg, sizeof(j->fail_msg), "%s", h.err);
			}
			pthread_mutex_unlock(&j->lock);
			atomic_store(&j->stop, true);
		}
	}
	hasher_free(&h);
	return NULL;
}

static int by_size_desc(const void *a, const void *b, void *size)
{
	uint64_t x = ((uint64_t *)size)[*(const size_t *)a], y = ((uint64_t *)size)[*(const size_t *)b];

	return (x < y) - (x > y);
}

static int run_job(struct job *j, uint64_t bytes, struct bg_diag *d)
{
	pthread_t tid[MAX_THREADS];
	unsigned nt = bytes >= PARALLEL_MIN_BYTES ? thread_count(j->n) : 1, started = 0;

	/* with threads, longest first: the classic cure for one large file
	 * keeping a thread busy after the others ran out of work */
	if (nt > 1 && j->size && (j->order = malloc(j->n * sizeof(*j->order)))) {
		for (size_t i = 0; i < j->n; i++)
			j->order[i] = i;
		qsort_r(j->order, j->n, sizeof(*j->order), by_size_desc, j->size);
	}

	atomic_init(&j->next, 0);
	atomic_init(&j->stop, false);
	pthread_mutex_init(&j->lock, NULL);
	j->fail_st = 0;
	/* the calling thread is one of the workers */
	for (unsigned t = 1; t < nt; t++) {
		if (pthread_create(&tid[started], NULL, worker, j))
			break;
		started++;
	}
	worker(j);
	for (unsigned t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	pthread_mutex_destroy(&j->lock);
	free(j->order);
	j->order = NULL;
	if (j->fail_st)
		diag(d, j->fail_errno, "%s", j->fail_msg);
	return j->fail_st;
}

static int digest_sink(void *ctx, const void *buf, size_t len)
{
	return EVP_DigestUpdate(ctx, buf, len) ? 0 : BG_ZIP_ENOMEM;
}

/* ------------------------------------------------------------------------
 * Zip.
 */

static int zip_one(struct job *j, struct hasher *h, size_t i)
{
	int st;

	if (!EVP_DigestInit_ex(h->md, sha256(), NULL)) {
		snprintf(h->err, sizeof(h->err), "cannot set up SHA-256");
		return BG_ZIP_ENOMEM;
	}
	struct bg_diag zd = {};

	st = bg_zip_read(j->zip, i, &h->rd, digest_sink, h->md, &zd);
	if (st) {
		bg_strlcpy(h->err, zd.msg, sizeof(h->err));
		return st;
	}
	if (!EVP_DigestFinal_ex(h->md, j->files[i].sum, NULL)) {
		snprintf(h->err, sizeof(h->err), "SHA-256 failed");
		return BG_ZIP_ENOMEM;
	}
	return BG_ZIP_OK;
}

int bg_h1_zip(const struct bg_zip *z, char out[BG_H1_LEN], struct bg_diag *d)
{
	struct job j = { .n = z->n, .one = zip_one, .zip = z };
	uint64_t bytes = 0;
	int st;

	j.files = calloc(z->n ? z->n : 1, sizeof(*j.files));
	j.size = calloc(z->n ? z->n : 1, sizeof(*j.size));
	if (!j.files || !j.size) {
		free(j.files);
		free(j.size);
		diag(d, ENOMEM, "out of memory");
		return BG_ZIP_ENOMEM;
	}
	for (size_t i = 0; i < z->n; i++) {
		j.files[i].name = z->ent[i].name;
		j.files[i].name_len = z->ent[i].name_len;
		j.size[i] = z->ent[i].usize;
		bytes += z->ent[i].usize > UINT32_MAX ? UINT32_MAX : z->ent[i].usize;
	}
	st = run_job(&j, bytes, d);
	if (!st)
		st = bg_h1_summary(j.files, z->n, out, d);
	free(j.files);
	free(j.size);
	return st;
}

int bg_h1_zip_file(const char *path, const char *prefix, struct bg_modzip_sink *rules,
		   char out[BG_H1_LEN], struct bg_diag *d)
{
	struct bg_zip z;
	int st;

	if (rules)
		rules->nviol = 0;
	st = bg_zip_open_file(&z, path);
	if (st) {
		diag(d, z.err_no, "%s", z.err);
		bg_zip_close(&z);
		return st;
	}
	st = bg_modzip_check(&z, prefix, rules ? rules->report : NULL, rules ? rules->ctx : NULL,
			     NULL, 0, rules ? &rules->nviol : NULL);
	if (st == BG_ZIP_ERULES)
		diag(d, 0, "not a valid Go module zip");
	else if (st)
		diag(d, ENOMEM, "out of memory checking the module-zip rules");
	else
		st = bg_h1_zip(&z, out, d);
	bg_zip_close(&z);
	return st;
}

/* ------------------------------------------------------------------------
 * Files on disk.
 */

/* SHA-256 of one file, read in the hasher's buffer.  The file is opened
 * like os.Open (symbolic links followed) but non-blocking, so a FIFO is an
 * error instead of a hang. */
static int hash_path(const char *path, struct hasher *h, unsigned char sum[32])
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		h->err_no = errno;
		snprintf(h->err, sizeof(h->err), "%s: %s", path, strerror(errno));
		return BG_ZIP_EIO;
	}
	if (fstat(fd, &st)) {
		h->err_no = errno;
		snprintf(h->err, sizeof(h->err), "%s: %s", path, strerror(errno));
		close(fd);
		return BG_ZIP_EIO;
	}
	if (!S_ISREG(st.st_mode)) {
		/* Go would read a directory and fail with EISDIR, and block on
		 * a FIFO; both are errors here */
		h->err_no = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		snprintf(h->err, sizeof(h->err), "%s: %s", path,
			 S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
		close(fd);
		return BG_ZIP_EIO;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (!EVP_DigestInit_ex(h->md, sha256(), NULL)) {
		close(fd);
		snprintf(h->err, sizeof(h->err), "cannot set up SHA-256");
		return BG_ZIP_ENOMEM;
	}
	for (;;) {
		ssize_t r = read(fd, h->rd.buf, h->rd.buflen);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			h->err_no = errno;
			snprintf(h->err, sizeof(h->err), "%s: %s", path, strerror(errno));
			close(fd);
			return BG_ZIP_EIO;
		}
		if (!r)
			break;
		if (!EVP_DigestUpdate(h->md, h->rd.buf, (size_t)r)) {
			close(fd);
			snprintf(h->err, sizeof(h->err), "SHA-256 failed");
			return BG_ZIP_ENOMEM;
		}
	}
	close(fd);
	if (!EVP_DigestFinal_ex(h->md, sum, NULL)) {
		snprintf(h->err, sizeof(h->err), "SHA-256 failed");
		return BG_ZIP_ENOMEM;
	}
	return BG_ZIP_OK;
}

static int dir_one(struct job *j, struct hasher *h, size_t i)
{
	return hash_path(j->paths[i], h, j->files[i].sum);
}

struct walk {
	char **paths; /* full paths to open */
	uint64_t *sizes;
	size_t n, cap, sizes_cap;
	uint64_t bytes;
	size_t root_len;
	struct bg_diag *d;
};

static int walk_add(struct walk *w, const char *path, off_t size)
{
	if (BG_VEC_RESERVE(w->paths, w->cap, w->n + 1) || BG_VEC_RESERVE(w->sizes, w->sizes_cap, w->n + 1))
		return -1;
	w->sizes[w->n] = size > 0 ? (uint64_t)size : 0;
	w->paths[w->n] = strdup(path);
	if (!w->paths[w->n])
		return -1;
	w->n++;
	w->bytes += size > 0 ? (uint64_t)size : 0;
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * filepath.Walk as DirFiles uses it: entries are lstat'ed, directories are
 * descended into, everything else (regular files, symbolic links, even
 * sockets) is a file of the hash.  A directory's names are read and the
 * directory closed before descending, so depth costs no file descriptors.
 */
static int walk_dir(struct walk *w, char *path, size_t len)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *dir;
	int st = BG_ZIP_OK;

	dir = opendir(path);
	if (!dir) {
		diag(w->d, errno, "%s: %s", path, strerror(errno));
		return BG_ZIP_EIO;
	}
	for (;;) {
		errno = 0;
		de = readdir(dir);
		if (!de)
			break;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (BG_VEC_RESERVE(names, cap, n + 1))
			goto nomem;
		names[n] = strdup(de->d_name);
		if (!names[n])
			goto nomem;
		n++;
	}
	if (errno) {
		diag(w->d, errno, "%s: %s", path, strerror(errno));
		st = BG_ZIP_EIO;
	}
	closedir(dir);
	dir = NULL;
	if (n > 1)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n && !st; i++) {
		size_t nl = strlen(names[i]);
		struct stat sb;

		if (len + 1 + nl >= PATH_MAX) {
			diag(w->d, ENAMETOOLONG, "%s/%s: %s", path, names[i], strerror(ENAMETOOLONG));
			st = BG_ZIP_EIO;
			break;
		}
		path[len] = '/';
		memcpy(path + len + 1, names[i], nl + 1);
		if (lstat(path, &sb)) {
			diag(w->d, errno, "%s: %s", path, strerror(errno));
			st = BG_ZIP_EIO;
		} else if (S_ISDIR(sb.st_mode)) {
			st = walk_dir(w, path, len + 1 + nl);
		} else if (walk_add(w, path, sb.st_size)) {
			goto nomem;
		}
		path[len] = '\0';
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return st;
nomem:
	if (dir)
		closedir(dir);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	diag(w->d, ENOMEM, "out of memory walking %s", path);
	return BG_ZIP_ENOMEM;
}

int bg_h1_dir(const char *dir, const char *prefix, char out[BG_H1_LEN], struct bg_diag *d)
{
	struct walk w = { .d = d };
	struct job j = { .one = dir_one };
	char *path;
	size_t len, plen = prefix ? strlen(prefix) : 0;
	struct stat sb;
	int st;

	if (stat(dir, &sb)) {
		diag(d, errno, "%s: %s", dir, strerror(errno));
		return BG_ZIP_EIO;
	}
	if (!S_ISDIR(sb.st_mode)) {
		diag(d, ENOTDIR, "%s: not a directory", dir);
		return BG_ZIP_EIO;
	}
	path = malloc(PATH_MAX);
	if (!path) {
		diag(d, ENOMEM, "out of memory");
		return BG_ZIP_ENOMEM;
	}
	/* filepath.Clean(dir), so relative names start after one '/' */
	len = strlen(dir);
	if (len + 1 >= PATH_MAX) {
		free(path);
		diag(d, ENAMETOOLONG, "%s: %s", dir, strerror(ENAMETOOLONG));
		return BG_ZIP_EIO;
	}
	len = bg_go_path_clean(dir, len, path);
	if (len == 1 && path[0] == '/')
		len = 0; /* root: children are "/x", relative part after the '/' */
	w.root_len = len;
	path[len] = '\0';
	st = walk_dir(&w, path, len);
	free(path);
	if (st)
		goto out;

	j.n = w.n;
	j.paths = w.paths;
	j.size = w.sizes;
	j.files = calloc(w.n ? w.n : 1, sizeof(*j.files));
	if (!j.files)
		goto nomem;
	/* names: filepath.Join(prefix, rel), i.e. Clean(prefix + "/" + rel) */
	for (size_t i = 0; i < w.n; i++) {
		const char *rel = w.paths[i] + w.root_len + 1;
		size_t rl = strlen(rel), jl = plen + 1 + rl;
		char *buf, *name;

		buf = malloc(jl + 1);
		name = malloc(jl + 3);
		if (!buf || !name) {
			free(buf);
			free(name);
			goto nomem;
		}
		if (plen) {
			memcpy(buf, prefix, plen);
			buf[plen] = '/';
			memcpy(buf + plen + 1, rel, rl + 1);
		} else {
			memcpy(buf, rel, rl + 1);
			jl = rl;
		}
		j.files[i].name_len = bg_go_path_clean(buf, jl, name);
		j.files[i].name = name;
		free(buf);
	}
	st = run_job(&j, w.bytes, d);
	if (!st)
		st = bg_h1_summary(j.files, w.n, out, d);
	goto out;
nomem:
	diag(d, ENOMEM, "out of memory");
	st = BG_ZIP_ENOMEM;
out:
	if (j.files)
		for (size_t i = 0; i < w.n; i++)
			free((char *)j.files[i].name);
	free(j.files);
	for (size_t i = 0; i < w.n; i++)
		free(w.paths[i]);
	free(w.paths);
	free(w.sizes);
	return st;
}

int bg_h1_gomod(const char *path, char out[BG_H1_LEN], struct bg_diag *d)
{
	struct bg_h1_file f = { .name = "go.mod", .name_len = 6 };
	struct hasher h;
	int st;

	if (hasher_init(&h)) {
		diag(d, ENOMEM, "out of memory");
		return BG_ZIP_ENOMEM;
	}
	st = hash_path(path, &h, f.sum);
	if (st)
		diag(d, h.err_no, "%s", h.err);
	hasher_free(&h);
	if (!st)
		st = bg_h1_summary(&f, 1, out, d);
	return st;
}

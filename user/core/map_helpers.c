// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "map_helpers.h"
#include "testhooks.h"
#include "vec.h"

/* Map writes whose failure would leave a policy unenforced go through
 * these: checked, and a test build can make each one fail by name
 * (testhooks.h) to prove the caller's rollback. */
int bg_map_write(int fd, const void *key, const void *val, const char *step)
{
	int ret = step ? bg_fault(step) : 0;

	if (ret)
		return ret;
	return bpf_map_update_elem(fd, key, val, BPF_ANY) ? -errno : 0;
}

/* A delete of something already gone succeeded. */
int bg_map_remove(int fd, const void *key, const char *step)
{
	int ret = step ? bg_fault(step) : 0;

	if (ret)
		return ret;
	return bpf_map_delete_elem(fd, key) && errno != ENOENT ? -errno : 0;
}

/*
 * In batches: one syscall per few hundred entries instead of two per
 * entry (the walk of bg_cgroups is part of every attach, and 10,000
 * guarded cgroups made the per-entry walk most of it).  Kernels or map
 * types without batch lookup take the per-entry walk.  ENOSPC means a
 * hash bucket holds more entries than the buffer: the same batch again
 * with a larger one.
 */
static int for_each_batch(int fd, size_t ksz, size_t vsz, bg_map_entry_fn fn, void *ctx)
{
	__u32 cap = 256, count;
	__u64 in = 0, out = 0;
	void *inp = NULL;
	unsigned char *keys = NULL, *vals = NULL;
	bool first = true;
	int ret = 0;

	for (;;) {
		LIBBPF_OPTS(bpf_map_batch_opts, o);
		int r, e;

		if (!keys && (!(keys = malloc((size_t)cap * ksz)) || !(vals = malloc((size_t)cap * vsz)))) {
			ret = -ENOMEM;
			break;
		}
		count = cap;
		r = bpf_map_lookup_batch(fd, inp, &out, keys, vals, &count, &o);
		e = r ? errno : 0;
		if (r && e == ENOSPC && cap < 65536) {
			cap *= 4;
			free(keys);
			free(vals);
			keys = vals = NULL;
			continue;
		}
		if (r && e != ENOENT) {
			/* no batch support: only before anything was handed out */
			ret = first ? 1 : -e;
			break;
		}
		first = false;
		for (__u32 i = 0; i < count; i++)
			fn(keys + (size_t)i * ksz, vals + (size_t)i * vsz, ctx);
		if (e == ENOENT)
			break;
		in = out;
		inp = &in;
	}
	free(keys);
	free(vals);
	return ret;
}

int bg_map_for_each(int fd, size_t ksz, size_t vsz, bg_map_entry_fn fn, void *ctx)
{
	_Alignas(8) unsigned char key[BG_MAP_KEY_MAX], next[BG_MAP_KEY_MAX], val[BG_MAP_VAL_MAX];
	void *prev = NULL;
	int ret;

	if (ksz > sizeof(key) || vsz > sizeof(val))
		return -EINVAL;
	ret = for_each_batch(fd, ksz, vsz, fn, ctx);
	if (ret <= 0)
		return ret;
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, ksz);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, val) == 0)
			fn(key, val, ctx);
	}
	return 0;
}

int bg_map_collect_keys(int fd, size_t ksz, bg_key_match_fn match, const void *ctx, void **keys,
			unsigned *n)
{
	_Alignas(8) unsigned char key[BG_MAP_KEY_MAX], next[BG_MAP_KEY_MAX];
	unsigned char *out = NULL;
	size_t cap = 0; /* in bytes: the element size is only known here */
	void *prev = NULL;
	int ret = 0;

	*keys = NULL;
	*n = 0;
	if (ksz > sizeof(key))
		return -EINVAL;
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		if (match(next, ctx)) {
			if (BG_VEC_RESERVE(out, cap, ((size_t)*n + 1) * ksz)) {
				ret = -ENOMEM;
				break;
			}
			memcpy(out + (size_t)*n * ksz, next, ksz);
			(*n)++;
		}
		memcpy(key, next, ksz);
		prev = key;
	}
	*keys = out;
	return ret;
}

int bg_map_delete_matching(int fd, size_t ksz, bg_key_match_fn match, const void *ctx, const char *step)
{
	void *collected;
	unsigned n;
	int ret = bg_map_collect_keys(fd, ksz, match, ctx, &collected, &n);
	unsigned char *keys = collected;

	for (unsigned i = 0; i < n; i++) {
		int r = bg_map_remove(fd, keys + (size_t)i * ksz, step);

		if (r && !ret)
			ret = r;
	}
	free(keys);
	return ret;
}

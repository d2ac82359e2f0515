/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * map_helpers.h - generic operations on BPF maps by file descriptor (in the
 * spirit of bcc libbpf-tools' map_helpers): the checked writes of the
 * attach and detach paths, and collect-then-delete walks.
 */
#ifndef BG_MAP_HELPERS_H
#define BG_MAP_HELPERS_H

#include <stdbool.h>
#include <stddef.h>

/* Checked map writes for the attach and detach paths: 0 or -errno.  In a
 * test build, BPFGUARD_FAIL_AT=<step> makes the write fail (testhooks.h);
 * a NULL step is no fault point.  A remove of an absent key succeeds. */
int bg_map_write(int fd, const void *key, const void *val, const char *step);
int bg_map_remove(int fd, const void *key, const char *step);

/* The largest key and value the walks below handle. */
#define BG_MAP_KEY_MAX 64
#define BG_MAP_VAL_MAX 256

/* Calls fn with every key (ksz bytes) of the map and its value (vsz
 * bytes); an entry deleted between the two lookups is skipped.  The key
 * and value are aligned for any struct.  0, or -EINVAL (too large). */
typedef void (*bg_map_entry_fn)(const void *key, const void *val, void *ctx);
int bg_map_for_each(int fd, size_t ksz, size_t vsz, bg_map_entry_fn fn, void *ctx);

typedef bool (*bg_key_match_fn)(const void *key, const void *ctx);

/* Keys (ksz bytes each) of the map that satisfy match, in a malloc'd array
 * *keys (free it) of *n keys.  0, -EINVAL (ksz > BG_MAP_KEY_MAX: nothing
 * collected) or -ENOMEM (*keys, *n hold what was collected before). */
int bg_map_collect_keys(int fd, size_t ksz, bg_key_match_fn match, const void *ctx, void **keys,
			unsigned *n);

/* Deletes every key that satisfies match, each through bg_map_remove(step).
 * Deleting the key get_next_key stands on restarts the walk, so the keys
 * are collected first and deleted afterwards.  0 or the first -errno (all
 * collected keys are tried even after an error). */
int bg_map_delete_matching(int fd, size_t ksz, bg_key_match_fn match, const void *ctx, const char *step);

#endif

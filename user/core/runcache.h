/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * runcache.h - small caches in BG_RUN_DIR (/run/bpfguard: root-only,
 * gone at reboot) for answers that are expensive to compute and cheap to
 * check: the kernel probe (probe_cache.c), the seccomp program a policy
 * compiles to (bpfguard run).
 *
 * A cache file starts with the exact key bytes it answers for and is
 * used only on a byte-for-byte match, so a key's file name is just where
 * to look (two keys may share a name; the later one replaces the other).
 * A file is read only if it is a regular file of ours, mode 0600, no
 * larger than key plus the largest value; it is written to a temporary
 * name and renamed, so a reader never sees half of one.  A forged file
 * needs root, which is outside what bpfguard defends against
 * (docs/threat-model.md).
 */
#ifndef BG_RUNCACHE_H
#define BG_RUNCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

/* This bpfguard binary, as a key part: a rebuilt or upgraded bpfguard
 * computes everything again (its answer may differ). */
struct bg_self_id {
	__u64 dev, ino, size, mtime_ns;
	__u32 euid, pad;
};
bool bg_self_id(struct bg_self_id *id);

/* The value stored under NAME for exactly KEY, copied into val (at most
 * vmax bytes): its length, or -1 (no file, another key, not ours). */
ssize_t bg_runcache_get(const char *name, const void *key, size_t klen, void *val, size_t vmax);
/* Stores it (root only; best effort: a failure costs the next caller a
 * recomputation, nothing else). */
void bg_runcache_put(const char *name, const void *key, size_t klen, const void *val, size_t vlen);

#endif

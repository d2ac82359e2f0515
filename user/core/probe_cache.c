// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * probe_cache.c - the probe's answer kept for the rest of the boot
 * (probe.h: bg_probe_cached).
 *
 * Why it is safe to reuse: every item is a property of the running kernel
 * and its boot parameters (BTF, program types, BPF LSM in lsm=, ia32
 * emulation, seccomp), none of which changes until a reboot; the few
 * that can (the cgroup2 and bpffs mounts) are re-probed each time.  The
 * key is the boot id, the kernel's release and version strings, our own
 * binary (device, inode, size, mtime: a rebuilt or upgraded bpfguard
 * probes again, its probe may differ) and the caller's euid.
 *
 * Where: BG_RUN_DIR, through runcache.h (the file is read only if it is
 * a regular file of ours, mode 0600, with exactly our key and a value of
 * exactly the probe's size; it is replaced by rename).
 */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "bpfguard.h"
#include "probe.h"
#include "runcache.h"
#include "util.h"

#define CACHE_NAME "probe.cache"

struct cache_key {
	char magic[8];
	__u32 size;   /* sizeof(struct bg_probe) */
	__u32 layout; /* BG_LAYOUT_VERSION */
	char boot_id[40];
	char release[65];
	char version[65];
	char pad[6];
	struct bg_self_id self;
};

static bool make_key(struct cache_key *k)
{
	struct utsname u;

	memset(k, 0, sizeof(*k));
	memcpy(k->magic, "BGPROBE2", 8);
	k->size = sizeof(struct bg_probe);
	k->layout = BG_LAYOUT_VERSION;
	if (!bg_boot_id()[0] || uname(&u) || !bg_self_id(&k->self))
		return false;
	snprintf(k->boot_id, sizeof(k->boot_id), "%s", bg_boot_id());
	snprintf(k->release, sizeof(k->release), "%s", u.release);
	snprintf(k->version, sizeof(k->version), "%s", u.version);
	return true;
}

static bool load(const struct cache_key *want, struct bg_probe *p)
{
	return bg_runcache_get(CACHE_NAME, want, sizeof(*want), p, sizeof(*p)) == (ssize_t)sizeof(*p);
}

void bg_probe_store(const struct bg_probe *p)
{
	struct cache_key k;

	if (make_key(&k))
		bg_runcache_put(CACHE_NAME, &k, sizeof(k), p, sizeof(*p));
}

void bg_probe_cached(struct bg_probe *p, bool *cached)
{
	struct cache_key k;
	bool hit = make_key(&k) && load(&k, p);

	if (hit) {
		bg_probe_refresh(p);
	} else {
		bg_probe_run(p);
		bg_probe_store(p);
	}
	if (cached)
		*cached = hit;
}

void bg_probe_fresh(struct bg_probe *p)
{
	bg_probe_run(p);
	bg_probe_store(p);
}

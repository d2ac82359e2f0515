/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * probe.h - what this kernel really offers, found by loading and triggering
 * tiny programs (bpf/probe.bpf.c), not by reading config alone.
 */
#ifndef BG_PROBE_H
#define BG_PROBE_H

#include <stdbool.h>
#include <stdio.h>

struct json_object;

enum bg_probe_state {
	BG_PROBE_NO = 0,      /* tried, does not work */
	BG_PROBE_YES = 1,     /* tried, works (loaded and, where possible, fired) */
	BG_PROBE_UNKNOWN = 2, /* could not be tried (reason in detail) */
};

struct bg_probe_item {
	enum bg_probe_state state;
	char detail[160]; /* one line: how it was decided, or why not */
};

struct bg_probe {
	struct bg_probe_item btf;            /* /sys/kernel/btf/vmlinux parses */
	struct bg_probe_item ringbuf;        /* BPF_MAP_TYPE_RINGBUF created + event received */
	struct bg_probe_item tp_sys_enter;   /* tp_btf/sys_enter loads, attaches, fires */
	struct bg_probe_item raw_tp;         /* raw_tp/sys_enter loads and fires */
	struct bg_probe_item tp_exec;        /* tp_btf/sched_process_exec loads */
	struct bg_probe_item send_signal;    /* bpf_send_signal usable from sys_enter */
	struct bg_probe_item lsm_listed;     /* "bpf" in /sys/kernel/security/lsm */
	struct bg_probe_item lsm_prog;       /* an lsm/ program loads, attaches, fires */
	struct bg_probe_item trampoline;     /* fentry loads + attaches */
	struct bg_probe_item cgroup2;        /* cgroup v2 mount found (detail = path) */
	struct bg_probe_item cgroup_sock;    /* cgroup/sock_create attached and denied a socket() */
	struct bg_probe_item cgroup_dev;     /* cgroup/dev loads */
	struct bg_probe_item cgroup_sockaddr;/* cgroup/connect4 loads */
	struct bg_probe_item cgroup_mark;    /* a cgroup program reads task storage (syscall rules at hooks) */
	struct bg_probe_item cgroup_retval;  /* bpf_set_retval: hooks fail calls with any errno */
	struct bg_probe_item seccomp;        /* seccomp filter mode available */
	struct bg_probe_item ia32;           /* int $0x80 works from a 64-bit task */
	struct bg_probe_item x32;            /* x32 syscalls accepted by the kernel */
	struct bg_probe_item bpffs;          /* bpffs mounted (or mountable) */
	char kernel[128];                    /* uname -r */
	char cgroup2_mount[256];             /* "" if none */
};

/* Runs every probe.  Never fails as a whole: each item says what it found. */
void bg_probe_run(struct bg_probe *p);
/* Re-runs only the cheap items that can change without a reboot (kernel
 * release string, the cgroup2 mount, bpffs): used on a cached probe. */
void bg_probe_refresh(struct bg_probe *p);

/*
 * The probe attach needs, from the cache when it is for this boot, this
 * kernel and this very bpfguard binary (probe_cache.c); else bg_probe_run()
 * and the cache rewritten.  What the kernel offers does not change between
 * two attaches of one boot, and the probe was most of an attach's time.
 * *cached says which it was (may be NULL).
 */
void bg_probe_cached(struct bg_probe *p, bool *cached);
/* Stores p as the cache; best effort, root only. */
void bg_probe_store(const struct bg_probe *p);
/* Always probes, and refreshes the cache (`bpfguard probe`). */
void bg_probe_fresh(struct bg_probe *p);
/* Human table / JSON object (caller frees with json_object_put). */
void bg_probe_print(const struct bg_probe *p, FILE *f);
struct json_object *bg_probe_to_json(const struct bg_probe *p);

static inline bool bg_probe_yes(const struct bg_probe_item *i)
{
	return i->state == BG_PROBE_YES;
}

#endif

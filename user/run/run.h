/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * run.h - `bpfguard run`: launch a command in fresh namespaces under a
 * seccomp filter compiled from a policy, in a fresh cgroup v2 with the same
 * policy attached (recording), with resource limits.  docs/run.md.
 *
 * The orchestration (run.c) is root-side: cgroups, limits, the BPF
 * attachment, timeouts, signals, the summary and the cleanup.  sandbox.c is
 * what happens inside the namespaces up to execve.
 */
#ifndef BG_RUN_H
#define BG_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "landlock.h"
#include "mechanism.h"
#include "policy.h"
#include "sig.h"

/* Exit codes of `bpfguard run` (docs/run.md); anything else is the
 * payload's own exit code, or 128+N when a signal N killed it. */
enum {
	/* pre-flight refusals (nothing was launched; docs/run.md) */
	BG_RUN_EXIT_SHA256 = 110,  /* --sha256: the binary's hash differs */
	BG_RUN_EXIT_CGO = 111,     /* --deny-cgo: the binary links C code */
	BG_RUN_EXIT_DYNAMIC = 112, /* --require-static: the binary is dynamically linked */
	BG_RUN_EXIT_GOSUM = 113,   /* --gosum: a module is missing from or differs from go.sum */
	BG_RUN_EXIT_NOT_GO = 114,  /* --deny-cgo/--gosum: not a Go binary (no build info) */
	BG_RUN_EXIT_SIGNATURE = 115, /* --key/--bundle: unsigned, or not signed as asked */
	BG_RUN_EXIT_POLICY = 120,  /* killed by the policy (seccomp kill / SIGSYS) */
	BG_RUN_EXIT_TIMEOUT = 121, /* --timeout expired; the whole tree was killed */
	BG_RUN_EXIT_MEMORY = 122,  /* killed by the --memory limit (OOM kill) */
	BG_RUN_EXIT_PIDS = 123,    /* --pids limit was hit and the payload then failed */
	BG_RUN_EXIT_ERROR = 125,   /* bpfguard error (bad input, setup) before the payload ran */
	BG_RUN_EXIT_NOEXEC = 126,  /* CMD found but cannot be executed */
	BG_RUN_EXIT_NOTFOUND = 127,/* CMD not found */
};


#define BG_RUN_MAX_BINDS 64

/* Defaults that bound a run without flags (docs/run.md, "Defaults"). */
#define BG_RUN_DEFAULT_PIDS 1024           /* --pids */
#define BG_RUN_DEFAULT_TMP_SIZE (64ULL << 20) /* --tmp-size: the private /tmp */
#define BG_RUN_DEFAULT_SHM_SIZE (64ULL << 20) /* --shm-size: /dev/shm */

/* Per-run host ids (the default --user): one id, for uid and gid, from
 * this range, held by a lock in BG_RUN_ID_DIR while the run lives.  A
 * range no distribution, systemd (its DynamicUser range is 61184-65519,
 * its container ranges 524288-1879048191) or shadow's subordinate ids
 * (from 100000) hands out, so the id is nobody else's. docs/run.md. */
#define BG_RUN_ID_MIN 2130706432U /* 0x7f000000 */
#define BG_RUN_ID_COUNT 65536U
#define BG_RUN_ID_DIR "/run/bpfguard/run-ids"

enum bg_run_fs { BG_FS_MINIMAL = 0, BG_FS_HOST };

/* The host directories --fs minimal shows besides /usr: a symlink (a
 * usr-merged system) is recreated, a real directory bound read-only. */
#define BG_RUN_NSYSDIRS 6
extern const char *const bg_run_sysdirs[BG_RUN_NSYSDIRS];
#define BG_RUN_MAX_ENV 256

struct bg_bind {
	const char *path; /* absolute, canonical (realpath) */
	bool rw;
};

struct bg_run_opts {
	const char *policy_file; /* NULL: the embedded go-static policy */
	int mode;                /* enum bg_mode */
	bool net_host;           /* --net host (default none) */
	uint64_t memory;         /* bytes, 0 = no limit */
	long pids;               /* 0 = no limit (--pids max) */
	bool pids_default;       /* pids is BG_RUN_DEFAULT_PIDS, not given */
	uint64_t tmp_size;       /* bytes: the private /tmp's size cap */
	uint64_t shm_size;       /* bytes: /dev/shm's size cap */
	int fs;                  /* enum bg_run_fs: --fs minimal (default) | host */
	bool no_landlock;        /* --no-landlock */
	double cpu;              /* cores, 0 = no limit */
	uint64_t timeout_ms;     /* 0 = none */
	struct bg_bind binds[BG_RUN_MAX_BINDS];
	unsigned nbinds;
	const char *workdir;     /* NULL: the current directory if visible, else / */
	const char *env[BG_RUN_MAX_ENV];
	unsigned nenv;
	bool json;
	bool no_bpf;             /* --no-bpf: seccomp, namespaces, limits; no BPF attachment */
	long uid;                /* --user UID: host id root maps to; -1 = a per-run id */
	bool user_nobody;        /* --user nobody (65534) */
	bool user_root;          /* --user root: host uid 0 (dangerous; docs/run.md) */
	char *const *argv;       /* CMD [ARGS...] */
	const char *learn_out;   /* --learn FILE: write the learned policy there */
	/* pre-flight checks of CMD's file, before anything is created */
	bool deny_cgo;           /* --deny-cgo */
	bool require_static;     /* --require-static */
	const char *gosum;       /* --gosum FILE */
	bool has_sha256;         /* --sha256 HEX */
	uint8_t sha256[32];
	bool has_sig;            /* --key/--signature/--bundle ...: the signature must verify */
	struct bg_sig_request sig;
};

/* Runs it; returns the exit code bpfguard should exit with. */
int bg_run(const struct bg_run_opts *o);

/* ---- what sandbox.c does in the new namespaces ---- */

/* Why a launch failed before the payload ran (child -> parent). */
struct bg_launch_err {
	int stage; /* enum bg_launch_stage */
	int err;   /* errno */
	char what[200];
};

enum bg_launch_stage {
	BG_STAGE_NONE = 0,
	BG_STAGE_SETUP,   /* namespaces, mounts, network, limits, caps */
	BG_STAGE_SECCOMP, /* installing the filter */
	BG_STAGE_EXEC,    /* execve of CMD */
};

struct bg_sandbox {
	const struct bg_run_opts *o;
	const char *exe;           /* CMD resolved on the host (absolute) */
	char *const *envp;
	const void *filter;        /* struct sock_filter[]: the back end's exported program */
	unsigned short filter_len; /* instructions; installed last, SECCOMP_FILTER_FLAG_LOG */
	char workdir[4096];
	bool workdir_explicit;     /* --workdir given: failing to enter it is an error */
	int sync_fd;               /* read: the parent's "go" (maps and cgroups done) */
	int go_fd;                 /* read: the parent's second "go", just before the payload's
				    * exec (the BPF side is up; it is made while init sets up) */
	int err_fd;                /* write: struct bg_launch_err (CLOEXEC) */
	int status_fd;             /* write: the payload's wait status (int) */
	int cgroup_fd;             /* the payload cgroup's cgroup.procs, opened by the parent */
	int exe_fd;                /* -1, or the checked CMD (pre-flight), exec'd through
				    * /proc/self/fd so the file checked is the file run */
	unsigned host_uid;         /* the host id the sandbox's root maps to */
	struct bg_landlock ll;     /* ll.abi 0: no Landlock layer */
	/* rlimit fallbacks (0 = not used) */
	uint64_t rlimit_data;
	long rlimit_nproc;
};

/* The body of the clone()d child: pid 1 of the new pid namespace.  Sets
 * up the sandbox, forks the payload and reaps until the payload exits;
 * never returns. */
void bg_sandbox_init(struct bg_sandbox *sb) __attribute__((noreturn));

#endif

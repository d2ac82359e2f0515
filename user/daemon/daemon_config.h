/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * daemon_config.h - the configuration of `bpfguard daemon`
 * (/etc/bpfguard/bpfguard.conf; format in docs/daemon.md).
 *
 * INI-like: `[output NAME]`, `[metrics]`, `[attach]` and `[events]`
 * sections of `key = value` lines, `#` or `;` comments on lines of their
 * own.  The parser works on a buffer (no I/O, bounded everywhere, fuzzed
 * by tests/fuzz/fuzz_daemon_config.c) and either accepts the whole file or
 * names the first bad line as FILE:LINE.
 */
#ifndef BG_DAEMON_CONFIG_H
#define BG_DAEMON_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "diag.h"
#include "bpfguard.h"
#include "daemon_glob.h"

#define BGD_DEFAULT_CONFIG "/etc/bpfguard/bpfguard.conf"
#define BGD_DEFAULT_ATTACH_DIR "/etc/bpfguard/attach.d"
#define BGD_DEFAULT_STATE "/run/bpfguard/daemon-attachments.json"
#define BGD_DEFAULT_RESCAN 30 /* seconds */
#define BGD_MAX_OUTPUTS 16
#define BGD_FILTER_MAX 16     /* alternatives per filter key */
#define BGD_NAME_MAX 64

enum bgd_out_type { BGD_OUT_STDOUT = 0, BGD_OUT_FILE, BGD_OUT_SYSLOG, BGD_OUT_JOURNAL };
enum bgd_format { BGD_FMT_JSON = 0, BGD_FMT_TEXT, BGD_FMT_ECS };

/* filter.effect bits */
#define BGD_EFF_RECORDED 0x1
#define BGD_EFF_KILLED 0x2
#define BGD_EFF_DENIED 0x4

/* Which events an output takes.  Keys are ANDed, the alternatives of one
 * key ORed; an empty key takes everything. */
struct bgd_filter {
	unsigned actions; /* bit (1 << enum bg_verdict) */
	unsigned effects; /* BGD_EFF_* */
	unsigned types;   /* bit (1 << enum bg_event_type) */
	unsigned npolicy, ncgroup;
	char policy[BGD_FILTER_MAX][BG_NAME_MAX];   /* fnmatch(3) globs of policy names */
	char cgroup[BGD_FILTER_MAX][BGD_GLOB_MAX];  /* cgroup globs (daemon_glob.h) */
};

struct bgd_output_cfg {
	char name[BGD_NAME_MAX];
	int type;                /* enum bgd_out_type */
	int format;              /* enum bgd_format */
	char path[PATH_MAX];     /* file: absolute */
	unsigned long long max_size; /* file: rotate before exceeding this; 0 = never */
	unsigned keep;           /* file: rotated files kept, PATH.1 .. PATH.keep */
	int facility;            /* syslog: LOG_DAEMON, LOG_LOCAL0, ... */
	struct bgd_filter filter;
	unsigned line;           /* of the [output] header, for messages */
};

struct bgd_config {
	char origin[PATH_MAX];   /* the file, "(defaults)" if there was none */
	unsigned noutputs;
	struct bgd_output_cfg out[BGD_MAX_OUTPUTS];
	char metrics_listen[128];/* "" = no metrics endpoint */
	bool program_stats;      /* hold BPF_ENABLE_STATS while running */
	bool metrics_per_cgroup; /* [metrics] per_cgroup: label each cgroup, not each attachment */
	char attach_dir[PATH_MAX];
	bool attach_dir_set;     /* given in the file: a missing directory is an error */
	char attach_policy[PATH_MAX]; /* POLICY_FILE of lines that name none ("" = required) */
	char attach_state[PATH_MAX];  /* which attachments the daemon made */
	unsigned rescan;         /* seconds between full rescans, 0 = inotify only */
	long rate_limit;         /* [events] rate_limit, -1 = leave the kernel's setting */
};

/* Defaults: no outputs yet, no metrics, attach.d, the state file. */
void bgd_config_defaults(struct bgd_config *c, const char *origin);

/* Parses a whole file held in buf (len bytes, no NUL needed) into c (which
 * it first resets to the defaults).  With no [output] section the result
 * has one: JSON lines on stdout.  0, or -1 with "ORIGIN:LINE: what; what to
 * do" in err. */
int bgd_config_parse(const char *buf, size_t len, const char *origin, struct bgd_config *c,
		     struct bg_diag *diag);

/* Reads and parses a file.  A missing file is an error unless
 * missing_ok, in which case c holds the defaults (stdout output). */
int bgd_config_load(const char *path, bool missing_ok, struct bgd_config *c, struct bg_diag *diag);

/* "127.0.0.1:9464", "[::1]:9464": 0, or -1 if not an address and port. */
int bgd_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len);

/* Does an event pass the filter?  policy and cgroup as resolved for it. */
bool bgd_filter_match(const struct bgd_filter *f, unsigned type, unsigned verdict, unsigned effect,
		      const char *policy, const char *cgroup);

/* "stdout", "file", "syslog"; "json", "text" */
const char *bgd_out_type_name(int type);
const char *bgd_format_name(int format);

#endif

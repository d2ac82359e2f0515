/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * policy.h - bpfguard's policy model (the "IR").
 *
 * Front ends (native policy files, Docker/OCI seccomp JSON, later learned
 * profiles) parse into struct bg_policy.  Back ends (BPF map contents,
 * seccomp filters, exports) compile from it.  Nothing here knows a file
 * format or a map layout.
 *
 * Semantics, for every (abi, nr):
 *   1. conditional rules, in the order added: the first whose conditions
 *      all hold gives the action;
 *   2. otherwise the unconditional rule (if any);
 *   3. otherwise the policy default of that ABI: `dflt` for x86_64,
 *      `ia32_dflt` for the i386 table.  ia32 calls reach a 64-bit system
 *      through a second table where the same number means another syscall
 *      (ia32 39 = mkdir, x86_64 39 = getpid), so an ia32 call is never
 *      judged by x86_64 rules: unless the policy names it for ia32 it gets
 *      ia32_dflt, which is kill unless the policy says otherwise.
 * x32 calls are always denied (kill), whatever the policy says.
 */
#ifndef BG_POLICY_H
#define BG_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bpfguard.h"
#include "diag.h"

struct bg_action {
	uint8_t verdict; /* enum bg_verdict */
	uint16_t err;    /* errno when verdict == BG_VERDICT_ERRNO, 1..4095 */
};

struct bg_cond {
	uint8_t arg; /* 0..5 */
	uint8_t op;  /* enum bg_op */
	uint64_t val;
	uint64_t mask; /* BG_OP_MASKED_EQ only */
};

struct bg_rule {
	struct bg_action action;
	unsigned ncond; /* 0 = unconditional */
	struct bg_cond cond[BG_MAX_CONDS];
	unsigned line; /* source line for diagnostics, 0 if none */
};

struct bg_sysrules {
	bool has_base;
	struct bg_action base;     /* the unconditional rule */
	unsigned base_line;
	unsigned nargrules;
	struct bg_rule *argrules;  /* conditional rules, heap, in order */
	/* The policy text names this syscall itself (not through a @group, not
	 * by its default): what "allowed in so many words" means for the
	 * implied io_uring rule (user/policy/policy_hatches.c). */
	bool named;
	/* The unconditional rule was added by the implied io_uring rule. */
	bool implied;
};

/*
 * Network, device and sysctl sections, enforced by cgroup-BPF hooks
 * (deny before effect, EPERM).  Each has a `present` flag; an absent
 * section allows everything, so policies without them behave as before.
 *
 * net, per direction (connect, bind, sendmsg): rules in order, the first
 * that matches (family, address/prefix, port range, protocol) decides;
 * none: the direction's default, which is `dflt` if has_default, else
 * deny if the direction has rules, else allow.  socket() is judged by the
 * families and types bitmaps (only AF_INET/AF_INET6 reach the hook).
 * dev: an allow list; a device access no rule covers is denied.
 * sysctl: deny writes (read-only) or every access (none) under /proc/sys.
 */
struct bg_netrule {
	uint8_t action;   /* enum bg_net_action */
	uint8_t family;   /* 0 = any address of either family, 4, 6 */
	uint8_t prefix;   /* 0..32 (4) or 0..128 (6); 0 for family 0 */
	uint8_t proto;    /* 0 = any, 6 = tcp, 17 = udp */
	uint8_t addr[16]; /* network byte order, host bits zero; IPv4 in addr[0..3] */
	uint16_t port_lo, port_hi; /* inclusive; 0..65535 = any port */
	uint16_t err;     /* BG_NET_DENY: errno the call fails with; 0 = EPERM */
	unsigned line;
};

struct bg_netdir {
	bool has_default;
	uint8_t dflt; /* enum bg_net_action */
	uint16_t dflt_err; /* BG_NET_DENY default: its errno; 0 = EPERM */
	unsigned default_line;
	unsigned nrules;
	struct bg_netrule rule[BG_NET_MAX_RULES];
};

#define BG_NET_FAMILIES_ALL ((1ULL << 2) | (1ULL << 10)) /* AF_INET, AF_INET6 */
#define BG_SOCK_TYPES_ALL 0x3e /* SOCK_STREAM DGRAM RAW RDM SEQPACKET (1..5) */
/* SOCK_DCCP (6) and SOCK_PACKET (10) count as allowed whenever all of the
 * above are: `net type` lists only the five types people use. */

struct bg_net_policy {
	bool present;
	uint64_t families; /* bits 1 << AF_INET / AF_INET6 allowed at socket();
			    * AF_UNIX may be set for printing, it is never judged */
	uint32_t types;    /* bits 1 << SOCK_* allowed at socket() */
	unsigned line;     /* first net line */
	struct bg_netdir dir[BG_NET_NDIRS];
};

struct bg_devrule {
	uint8_t type;   /* 'c', 'b' or 'a' (both) */
	uint8_t access; /* BG_DEV_ACC_* */
	uint32_t major; /* or BG_DEV_ANY */
	uint32_t minor; /* or BG_DEV_ANY */
	unsigned line;
};

struct bg_dev_policy {
	bool present;
	unsigned line;
	unsigned nrules;
	struct bg_devrule rule[BG_DEV_MAX_RULES];
};

enum bg_sysctl_mode { BG_SYSCTL_READ_ONLY = 1, BG_SYSCTL_NONE = 2 };

struct bg_sysctl_policy {
	bool present;
	uint8_t mode; /* enum bg_sysctl_mode */
	unsigned line;
};

/*
 * exec: the executable allowlist.  Present = a file not listed (or changed
 * since it was hashed) may not run in the guarded cgroup.  Each entry is a
 * path and, optionally, the SHA-256 its content must have when the policy
 * is attached (without one, the content at attach time is what is
 * trusted).  `trusted` adds bpfguard's trust store (bpfguard trust add);
 * `libraries` also judges executable mappings (shared objects), which
 * only BPF LSM can refuse.
 */
#define BG_EXEC_MAX_ENTRIES 4096

struct bg_exec_entry {
	char *path;        /* absolute, heap */
	bool has_hash;
	uint8_t sha256[32];
	unsigned line;
};

/* `exec signed-by KEY`: a public key file (absolute path, PEM) or a
 * signer's key id "sha256:HEX" as the trust store records it; `exec
 * signed-in DIR`: a directory whose files with a signature beside them
 * (FILE.sig, FILE.sigstore.json) are admitted when a signed-by key
 * verifies it (docs/exec.md, "Signed executables"). */
#define BG_EXEC_MAX_SIGNED 64

struct bg_exec_policy {
	bool present;
	bool trusted;   /* exec trusted */
	bool libraries; /* exec libraries */
	unsigned line;  /* first exec line */
	unsigned n;
	struct bg_exec_entry *e; /* heap, n entries */
	unsigned nsigners, ndirs;
	char *signers[BG_EXEC_MAX_SIGNED];     /* exec signed-by, heap */
	char *signed_dirs[BG_EXEC_MAX_SIGNED]; /* exec signed-in, heap */
};

/*
 * The implied io_uring rule (user/policy/policy_hatches.c, docs/policy.md): io_uring
 * performs openat, unlinkat, connect ... without those syscalls, so a policy
 * that denies any of them also denies io_uring_setup (with the strongest of
 * those denials) and io_uring_enter / io_uring_register (kill), unless it
 * names them itself.  Filled by bg_policy_imply_io_uring().
 */
struct bg_uring_implied {
	bool applied;             /* at least one io_uring_* rule was added */
	struct bg_action setup;   /* what io_uring_setup got */
	unsigned nops;            /* denied syscalls io_uring can perform */
	char ops[160];            /* the first few of them, ", "-separated */
};

struct bg_policy {
	char name[BG_NAME_MAX];
	char source[BG_PATH_MAX]; /* file it came from, "" if built in code */
	const char *format;       /* "native", "docker", "oci", ... (static string) */
	struct bg_action dflt;    /* x86_64 calls not named */
	struct bg_action ia32_dflt; /* ia32 calls not named (kill unless set) */
	struct bg_sysrules sys[BG_NR_TABLES][BG_MAX_SYSCALLS];
	struct bg_net_policy net;
	struct bg_dev_policy dev;
	struct bg_sysctl_policy sysctl;
	struct bg_exec_policy exec;
	struct bg_uring_implied uring;
	/* `hatch accept ID...` lines: bit i = hatch class i acknowledged
	 * (bg_hatch_id()); such a finding is still reported, as accepted, and
	 * no longer fails --strict. */
	uint64_t hatch_accept;
	unsigned hatch_accept_line;
};

struct bg_policy *bg_policy_new(const char *name);
/* Appends an exec entry (path copied); -ENOMEM, -E2BIG past the limit. */
int bg_policy_add_exec(struct bg_policy *p, const char *path, const uint8_t *sha256, unsigned line);
/* Adds an `exec signed-by` (dir false) or `exec signed-in` value (copied;
 * a duplicate is kept once): 0, -ENOMEM, -E2BIG past BG_EXEC_MAX_SIGNED. */
int bg_policy_add_exec_signed(struct bg_policy *p, bool dir, const char *value);
void bg_policy_free(struct bg_policy *p);

/* Adds a rule for (abi, nr).  Unconditional rules: returns -EEXIST if one
 * with a different action exists (the caller decides whether that is an
 * error); conditional: -E2BIG past BG_MAX_ARGRULES.  -EINVAL on bad
 * abi/nr/arg/op. */
int bg_policy_add(struct bg_policy *p, int abi, int nr, const struct bg_rule *r);

/* Evaluates the policy for a call (the reference semantics every back end
 * must reproduce; used by tests).  args NULL: all zero. */
struct bg_action bg_policy_eval(const struct bg_policy *p, int abi, int nr,
				const uint64_t args[6]);

enum bg_tri { BG_TRI_NO = 0, BG_TRI_YES = 1, BG_TRI_UNKNOWN = 2 };

/* What decided a call, for people (`bpfguard policy eval`, `policy test`). */
enum bg_eval_source {
	BG_EVAL_RULE = 1, /* a conditional rule: `rule` */
	BG_EVAL_BASE,     /* the syscall's unconditional rule (line: where it was named) */
	BG_EVAL_DEFAULT,  /* the ABI's default */
	BG_EVAL_X32,      /* x32 calls are always killed */
};

struct bg_eval {
	struct bg_action action;   /* decided: the action; else the first open rule's */
	int source;                /* enum bg_eval_source of `action` */
	const struct bg_rule *rule; /* BG_EVAL_RULE: the rule (points into the policy) */
	unsigned line;             /* its line in the policy, 0 if none */
	bool decided;              /* false: the outcome depends on unknown bits */
	const struct bg_rule *open; /* !decided: the first rule that may or may not apply */
	unsigned need;             /* !decided: bit i = argument i is needed to decide */
	bool may_allow, may_deny;  /* the outcomes still possible (allow/log; errno/kill) */
	bool one_action;           /* every possible outcome is the same action */
};

/* bg_policy_eval when only some bits of the arguments are known: bit b of
 * known[i] set = bit b of args[i] is known (known NULL: all are, and this
 * is bg_policy_eval).  It is the same walk, not a second evaluator: a rule
 * whose conditions the known bits cannot decide leaves the result open
 * (out->decided false) with every outcome it may have.  out may be NULL. */
struct bg_action bg_policy_eval_known(const struct bg_policy *p, int abi, int nr,
				      const uint64_t args[6], const uint64_t known[6],
				      struct bg_eval *out);

/* A condition value as policy files write it: a number (decimal, 0x hex,
 * 0 octal) or a constant bpfguard knows (AF_INET, CLONE_NEWUSER, O_WRONLY,
 * ... docs/policy.md), or several joined by '|'.  s need not be
 * NUL-terminated.  0, or -1 when some part is neither. */
int bg_policy_parse_value(const char *s, size_t len, uint64_t *out);
/* The syscall name of `abi` nearest to a mistyped one, NULL if none is near. */
const char *bg_syscall_suggest(int abi, const char *name);

/* Reference semantics of the sections (tests check the back end against
 * these).  Return BG_NET_ALLOW or BG_NET_DENY.  addr: 4 or 16 bytes in
 * network byte order; proto IPPROTO_*; dev type 'c' or 'b'. */
int bg_net_eval_socket(const struct bg_net_policy *n, int family, int type);
int bg_net_eval_addr(const struct bg_net_policy *n, int dir, int family,
		     const uint8_t *addr, uint16_t port, int proto);
int bg_net_dir_default(const struct bg_netdir *d);
int bg_dev_eval(const struct bg_dev_policy *d, char type, uint32_t major, uint32_t minor,
		unsigned access);
/* Starts the net section (families/types all allowed, no rules). */
void bg_net_init(struct bg_net_policy *n);
const char *bg_net_dir_name(int dir); /* "connect", "bind", "sendmsg" */
/* A device access (BG_DEV_ACC_*) as policy text and events spell it: "rwm"
 * or a part of it. */
void bg_dev_access_str(unsigned access, char buf[4]);

/* Loads a policy file of any supported format (sniffed: JSON object =>
 * Docker/OCI, otherwise native), then applies the implied io_uring rule
 * (bg_policy_imply_io_uring), so every back end compiles it.  Returns 0,
 * or -1 with d->msg set. */
int bg_policy_load(const char *path, struct bg_policy **out, struct bg_diag *d);
/* Same, and the file's bytes as read (malloc'd, *text_len long, not
 * NUL-terminated), for a cache keyed by exactly what was parsed. */
int bg_policy_load_text(const char *path, struct bg_policy **out, char **text, size_t *text_len,
			struct bg_diag *d);
/* Same, from memory; `origin` is used in messages. */
int bg_policy_parse(const char *buf, size_t len, const char *origin,
		    struct bg_policy **out, struct bg_diag *d);
int bg_policy_parse_native(const char *buf, size_t len, const char *origin,
			   struct bg_policy **out, struct bg_diag *d);
int bg_policy_parse_docker(const char *buf, size_t len, const char *origin,
			   struct bg_policy **out, struct bg_diag *d);

/* The implied io_uring rule (user/policy/policy_hatches.c); idempotent. */
void bg_policy_imply_io_uring(struct bg_policy *p);

/* Normalised native text: re-parsing it gives an equivalent policy. */
void bg_policy_print(const struct bg_policy *p, FILE *f);
/* Normalised JSON (json-c object, caller puts it). */
struct json_object *bg_policy_to_json(const struct bg_policy *p);

/* Action helpers: "allow", "log", "kill", "errno(13)" (names accepted on
 * input: errno(EACCES), deny = errno(EPERM)). */
int bg_action_parse(const char *s, struct bg_action *a);
const char *bg_action_str(const struct bg_action *a, char *buf, size_t len);
/* The same with errno names where glibc has one: errno(EPERM), for people. */
const char *bg_action_str_named(const struct bg_action *a, char *buf, size_t len);
const char *bg_verdict_name(unsigned verdict);
const char *bg_op_str(unsigned op); /* "==", "!=", "<", "<=", ">", ">=", "&" */
const char *bg_abi_name(unsigned abi); /* "x86_64", "ia32", "x32" */

/* Policy names: [A-Za-z0-9._-]{1,63}. */
bool bg_policy_name_valid(const char *name);
/* Default name for a policy read from `origin`: the basename without its
 * extension, other characters replaced by '_' ("policy" if empty). */
void bg_policy_name_from_origin(const char *origin, char *name, size_t len);

#endif

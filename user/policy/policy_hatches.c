// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * policy_hatches.c - escape hatches a policy leaves open, and the implied
 * io_uring rule.  See policy_hatches.h; docs/policy.md is the prose.
 *
 * The attacker: any process inside a guarded cgroup, uid 0 with the
 * host's capabilities included (target cgroup), or the payload of
 * `bpfguard run`, which has no capabilities, its own user, pid, mount and
 * cgroup namespaces and a read-only host (target run).  A hatch is a call
 * the policy allows that undoes what the rest of it is for, and it is
 * reported only when the attacker of that target can use it: loading a
 * module needs CAP_SYS_MODULE in the initial namespace, which the payload
 * of `run` never has.
 *
 * "Allowed" is judged as the kernel would see it: a call is open if any of
 * its rules (conditional ones included) or its fallback (the unconditional
 * rule, else the ABI's default) lets it run (allow or log), on x86_64 or
 * through the i386 table.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "policy_hatches.h"
#include "run_default_policy.h"
#include "syscalls.h"
#include "util.h"

/* ------------------------------------------------------------------ */
/* Reading the IR */

static bool allowing(const struct bg_action *a)
{
	return a->verdict == BG_VERDICT_ALLOW || a->verdict == BG_VERDICT_LOG;
}

static bool denying(const struct bg_action *a)
{
	return a->verdict == BG_VERDICT_ERRNO || a->verdict == BG_VERDICT_KILL;
}

static const struct bg_action *fallback(const struct bg_policy *p, int abi, int nr)
{
	const struct bg_sysrules *s = &p->sys[abi][nr];

	if (s->has_base)
		return &s->base;
	return abi == BG_ABI_IA32 ? &p->ia32_dflt : &p->dflt;
}

/* Some argument vector lets (abi, nr) run. */
static bool may_allow(const struct bg_policy *p, int abi, int nr)
{
	const struct bg_sysrules *s;

	if (nr < 0 || nr >= BG_MAX_SYSCALLS)
		return false;
	s = &p->sys[abi][nr];
	for (unsigned i = 0; i < s->nargrules; i++)
		if (allowing(&s->argrules[i].action))
			return true;
	return allowing(fallback(p, abi, nr));
}

/* Kill beats errno; among errnos the first one met. */
static void stronger(struct bg_action *best, bool *have, const struct bg_action *a)
{
	if (!*have || (a->verdict == BG_VERDICT_KILL && best->verdict != BG_VERDICT_KILL))
		*best = *a;
	*have = true;
}

/* Some argument vector makes (abi, nr) fail; *strongest is that denial. */
static bool may_deny(const struct bg_policy *p, int abi, int nr, struct bg_action *strongest)
{
	const struct bg_sysrules *s = &p->sys[abi][nr];
	bool have = false;

	for (unsigned i = 0; i < s->nargrules; i++)
		if (denying(&s->argrules[i].action))
			stronger(strongest, &have, &s->argrules[i].action);
	if (denying(fallback(p, abi, nr)))
		stronger(strongest, &have, fallback(p, abi, nr));
	return have;
}

static bool eval_allows(const struct bg_policy *p, int abi, const char *name, const uint64_t args[6])
{
	int nr = bg_syscall_nr(abi, name);
	struct bg_action a;

	if (nr < 0)
		return false;
	a = bg_policy_eval(p, abi, nr, args);
	return allowing(&a);
}

/* Appends `name` to a ", "-separated list while it fits (first few). */
static void list_add(char *buf, size_t len, unsigned *n, const char *name)
{
	size_t used = strlen(buf);

	if (*n < 6 && used + strlen(name) + 3 < len)
		snprintf(buf + used, len - used, "%s%s", used ? ", " : "", name);
	(*n)++;
}

/* ------------------------------------------------------------------ */
/* io_uring */

static const char *const uring_calls[] = { "io_uring_setup", "io_uring_enter", "io_uring_register" };

/*
 * io_uring opcodes and the x86_64 syscalls whose effect each has
 * (include/uapi/linux/io_uring.h up to 6.16).  A policy that denies any of
 * these calls denies something io_uring can do without making the call.
 */
static const struct {
	const char *op;
	const char *calls;
} uring_ops[] = {
	{ "READ READV READ_FIXED READ_MULTISHOT", "read readv pread64 preadv preadv2" },
	{ "WRITE WRITEV WRITE_FIXED", "write writev pwrite64 pwritev pwritev2" },
	{ "OPENAT OPENAT2", "open openat openat2 creat" },
	{ "CLOSE", "close" },
	{ "STATX", "statx newfstatat stat lstat fstat" },
	{ "UNLINKAT", "unlink unlinkat rmdir" },
	{ "RENAMEAT", "rename renameat renameat2" },
	{ "MKDIRAT", "mkdir mkdirat" },
	{ "SYMLINKAT", "symlink symlinkat" },
	{ "LINKAT", "link linkat" },
	{ "FSYNC SYNC_FILE_RANGE", "fsync fdatasync sync_file_range" },
	{ "FALLOCATE", "fallocate" },
	{ "FTRUNCATE", "ftruncate" },
	{ "FADVISE", "fadvise64" },
	{ "MADVISE", "madvise" },
	{ "SPLICE TEE", "splice tee" },
	{ "SOCKET", "socket" },
	{ "CONNECT", "connect" },
	{ "ACCEPT", "accept accept4" },
	{ "BIND LISTEN", "bind listen" },
	{ "SEND SENDMSG SEND_ZC SENDMSG_ZC", "sendto sendmsg" },
	{ "RECV RECVMSG", "recvfrom recvmsg" },
	{ "SHUTDOWN", "shutdown" },
	{ "SETXATTR FSETXATTR", "setxattr lsetxattr fsetxattr" },
	{ "GETXATTR FGETXATTR", "getxattr lgetxattr fgetxattr" },
	{ "EPOLL_CTL EPOLL_WAIT", "epoll_ctl epoll_wait epoll_pwait" },
	{ "WAITID", "waitid" },
	{ "FUTEX_WAIT FUTEX_WAKE FUTEX_WAITV", "futex futex_waitv" },
	{ "PIPE", "pipe pipe2" },
};

/* The x86_64 calls io_uring can perform that the policy denies for some
 * arguments: how many, the first few, and the strongest of those denials. */
static unsigned uring_denied_ops(const struct bg_policy *p, struct bg_action *strongest,
				 char *ops, size_t opslen)
{
	unsigned n = 0;
	bool have = false;

	if (ops)
		ops[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(uring_ops); i++) {
		char names[128], *save = NULL;

		bg_strlcpy(names, uring_ops[i].calls, sizeof(names));
		for (char *c = strtok_r(names, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
			int nr = bg_syscall_nr(BG_ABI_X86_64, c);
			struct bg_action a;

			if (nr < 0 || !may_deny(p, BG_ABI_X86_64, nr, &a))
				continue;
			stronger(strongest, &have, &a);
			if (ops)
				list_add(ops, opslen, &n, c);
			else
				n++;
		}
	}
	return n;
}

void bg_policy_imply_io_uring(struct bg_policy *p)
{
	const struct bg_action kill = { .verdict = BG_VERDICT_KILL };
	struct bg_action strongest = {};
	char ops[sizeof(p->uring.ops)];
	unsigned nops = uring_denied_ops(p, &strongest, ops, sizeof(ops));

	if (!nops)
		return;
	for (int abi = BG_ABI_X86_64; abi <= BG_ABI_IA32; abi++) {
		for (size_t i = 0; i < ARRAY_SIZE(uring_calls); i++) {
			int nr = bg_syscall_nr(abi, uring_calls[i]);
			struct bg_sysrules *s;

			if (nr < 0)
				continue;
			s = &p->sys[abi][nr];
			/* Named: the author decided (an allow is a hatch,
			 * reported).  Denied already: nothing to add. */
			if (s->named || s->implied || !may_allow(p, abi, nr))
				continue;
			free(s->argrules);
			s->argrules = NULL;
			s->nargrules = 0;
			s->has_base = true;
			/* setup gets the policy's own strongest denial (an
			 * errno is denied before effect by BPF LSM's
			 * file_alloc_security); enter and register only act on
			 * a ring made before the policy applied or passed in,
			 * and no LSM hook stops them: kill. */
			s->base = i == 0 ? strongest : kill;
			s->base_line = 0;
			s->implied = true;
			p->uring.applied = true;
		}
	}
	if (p->uring.applied) {
		p->uring.setup = strongest;
		p->uring.nops = nops;
		bg_strlcpy(p->uring.ops, ops, sizeof(p->uring.ops));
	}
}

bool bg_hatch_uring_open(const struct bg_policy *p)
{
	struct bg_action a;

	if (!uring_denied_ops(p, &a, NULL, 0))
		return false;
	for (int abi = BG_ABI_X86_64; abi <= BG_ABI_IA32; abi++)
		for (size_t i = 0; i < ARRAY_SIZE(uring_calls); i++)
			if (may_allow(p, abi, bg_syscall_nr(abi, uring_calls[i])))
				return true;
	return false;
}

struct json_object *bg_uring_implied_to_json(const struct bg_policy *p)
{
	struct json_object *o = json_object_new_object();
	char act[32];

	json_object_object_add(o, "applied", json_object_new_boolean(p->uring.applied));
	if (p->uring.applied) {
		json_object_object_add(o, "io_uring_setup", json_object_new_string(
			bg_action_str_named(&p->uring.setup, act, sizeof(act))));
		json_object_object_add(o, "io_uring_enter", json_object_new_string("kill"));
		json_object_object_add(o, "io_uring_register", json_object_new_string("kill"));
		json_object_object_add(o, "denied_ops", json_object_new_int((int)p->uring.nops));
		json_object_object_add(o, "denied_ops_examples", json_object_new_string(p->uring.ops));
	}
	return o;
}

/* ------------------------------------------------------------------ */
/* Hatch classes */

enum reach {
	R_ROOT,   /* needs capabilities of the initial namespaces: cgroup target only */
	R_CGROUP, /* any uid, but only where processes outside are in reach: cgroup target */
	R_ANY,    /* the payload of run too */
};

struct ctx {
	const struct bg_policy *p;
	int target;
	const struct hatch_class *k; /* the class being checked */
	struct bg_hatch *h;          /* its finding, filled when the check returns true */
};

typedef bool (*check_fn)(struct ctx *c);

struct hatch_class {
	const char *name;
	uint8_t reach;
	const char *calls;      /* for the generic check: open if any is */
	const char *fix_action; /* generic fix: "<action> NAME..." */
	const char *why;
	check_fn check;         /* NULL: generic */
};

/* The finding's "what" for n open calls listed in open (list_add keeps six). */
static void what_allowed(struct ctx *c, const char *open, unsigned n)
{
	snprintf(c->h->what, sizeof(c->h->what), "%s%s %s allowed", open, n > 6 ? ", ..." : "",
		 n > 1 ? "are" : "is");
}

/* Generic: the listed calls (k->calls) that are open, on either ABI. */
static bool check_calls(struct ctx *c)
{
	char names[256], *save = NULL, open[160] = "", fixn[160] = "";
	unsigned n = 0, nf = 0;

	bg_strlcpy(names, c->k->calls, sizeof(names));
	for (char *s = strtok_r(names, " ", &save); s; s = strtok_r(NULL, " ", &save)) {
		char buf[80];

		if (may_allow(c->p, BG_ABI_X86_64, bg_syscall_nr(BG_ABI_X86_64, s))) {
			list_add(open, sizeof(open), &n, s);
			list_add(fixn, sizeof(fixn), &nf, s);
		} else if (may_allow(c->p, BG_ABI_IA32, bg_syscall_nr(BG_ABI_IA32, s))) {
			snprintf(buf, sizeof(buf), "ia32:%s", s);
			list_add(open, sizeof(open), &n, buf);
			list_add(fixn, sizeof(fixn), &nf, buf);
		}
	}
	if (!n)
		return false;
	what_allowed(c, open, n);
	for (char *x = fixn; (x = strstr(x, ", ")); )
		memmove(x, x + 1, strlen(x + 1) + 1); /* "a, b" -> "a b" */
	snprintf(c->h->fix, sizeof(c->h->fix), "add `%s %s`", c->k->fix_action, fixn);
	return true;
}

static bool check_io_uring(struct ctx *c)
{
	struct bg_action a;
	char ops[160], open[96] = "";
	unsigned nops = uring_denied_ops(c->p, &a, ops, sizeof(ops)), n = 0;

	if (!nops)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(uring_calls); i++)
		if (may_allow(c->p, BG_ABI_X86_64, bg_syscall_nr(BG_ABI_X86_64, uring_calls[i])) ||
		    may_allow(c->p, BG_ABI_IA32, bg_syscall_nr(BG_ABI_IA32, uring_calls[i])))
			list_add(open, sizeof(open), &n, uring_calls[i]);
	if (!n)
		return false;
	snprintf(c->h->what, sizeof(c->h->what), "%s %s allowed by name while the policy denies %s%s",
		 open, n > 1 ? "are" : "is", ops, nops > 6 ? ", ..." : "");
	snprintf(c->h->fix, sizeof(c->h->fix), "drop that allow (the implied rule then denies io_uring) "
		 "or add `kill io_uring_setup io_uring_enter io_uring_register`");
	return true;
}

static bool check_namespaces(struct ctx *c)
{
	/* Anyone can make a user namespace, which brings every other kind
	 * (a mount or cgroup namespace alone gives root nothing new: mount
	 * is a hatch of its own). */
	const uint64_t args[6] = { CLONE_NEWUSER };
	char open[160] = "";
	unsigned n = 0;

	for (int abi = BG_ABI_X86_64; abi <= BG_ABI_IA32; abi++) {
		const char *pfx = abi == BG_ABI_IA32 ? "ia32:" : "";
		char buf[64];

		if (eval_allows(c->p, abi, "unshare", args)) {
			snprintf(buf, sizeof(buf), "%sunshare(CLONE_NEWUSER)", pfx);
			list_add(open, sizeof(open), &n, buf);
		}
		if (eval_allows(c->p, abi, "clone", args)) {
			snprintf(buf, sizeof(buf), "%sclone(CLONE_NEWUSER)", pfx);
			list_add(open, sizeof(open), &n, buf);
		}
		if (may_allow(c->p, abi, bg_syscall_nr(abi, "clone3"))) {
			snprintf(buf, sizeof(buf), "%sclone3 (its flags cannot be checked)", pfx);
			list_add(open, sizeof(open), &n, buf);
		}
		/* The payload of run sees only its own namespaces. */
		if (c->target == BG_HATCH_CGROUP && may_allow(c->p, abi, bg_syscall_nr(abi, "setns"))) {
			snprintf(buf, sizeof(buf), "%ssetns", pfx);
			list_add(open, sizeof(open), &n, buf);
		}
	}
	if (!n)
		return false;
	what_allowed(c, open, n);
	snprintf(c->h->fix, sizeof(c->h->fix), "add `kill unshare setns`, `errno(ENOSYS) clone3` and "
		 "`allow clone if arg0 & CLONE_NEWUSER == 0` then `kill clone`");
	return true;
}

static bool check_ia32(struct ctx *c)
{
	char ex[160] = "";
	unsigned n = 0;

	for (int nr = 0; nr < BG_MAX_SYSCALLS; nr++) {
		const char *name = bg_syscall_name(BG_ABI_X86_64, nr);
		int nr32;

		if (!name || may_allow(c->p, BG_ABI_X86_64, nr))
			continue;
		nr32 = bg_syscall_nr(BG_ABI_IA32, name);
		if (nr32 >= 0 && may_allow(c->p, BG_ABI_IA32, nr32))
			list_add(ex, sizeof(ex), &n, name);
	}
	if (!n)
		return false;
	snprintf(c->h->what, sizeof(c->h->what), "%u syscall%s the x86_64 rules deny %s allowed through "
		 "the ia32 table (%s%s)", n, n > 1 ? "s" : "", n > 1 ? "are" : "is", ex, n > 6 ? ", ..." : "");
	snprintf(c->h->fix, sizeof(c->h->fix), "set `default ia32 kill`, or deny them as ia32:NAME too");
	return true;
}

/* An open() for writing is allowed somewhere (on either ABI). */
static bool write_open_allowed(const struct bg_policy *p)
{
	for (int abi = BG_ABI_X86_64; abi <= BG_ABI_IA32; abi++) {
		uint64_t cwd = abi == BG_ABI_IA32 ? 0xffffff9cULL : (uint64_t)(int64_t)AT_FDCWD;

		for (uint64_t mode = O_WRONLY; mode <= O_RDWR; mode++) {
			uint64_t at[6] = { cwd, 0, mode }, plain[6] = { 0, mode };

			if (eval_allows(p, abi, "openat", at) || eval_allows(p, abi, "open", plain))
				return true;
		}
		if (may_allow(p, abi, bg_syscall_nr(abi, "openat2")) ||
		    may_allow(p, abi, bg_syscall_nr(abi, "creat")))
			return true;
	}
	return false;
}

static bool check_cgroupfs(struct ctx *c)
{
	if (!write_open_allowed(c->p))
		return false;
	snprintf(c->h->what, sizeof(c->h->what), "files may be opened for writing, /sys/fs/cgroup included");
	/* Leaving the cgroup is held by the escape guard (bpf/escape.bpf.c:
	 * the task is killed), but root can still write other cgroups'
	 * control files (cgroup.kill, cgroup.freeze, limits): open. */
	snprintf(c->h->fix, sizeof(c->h->fix), "moving out is contained (the escape guard kills the task), but "
		 "root can still kill, freeze or starve other cgroups through their control files: run the service "
		 "as non-root or with /sys/fs/cgroup read-only in its mount namespace");
	return true;
}

static bool check_sysctl(struct ctx *c)
{
	if (c->p->sysctl.present || !write_open_allowed(c->p))
		return false;
	snprintf(c->h->what, sizeof(c->h->what), "files may be opened for writing and there is no "
		 "`sysctl` section, so /proc/sys is writable");
	snprintf(c->h->fix, sizeof(c->h->fix), "add `sysctl read-only`");
	return true;
}

static bool check_devices(struct ctx *c)
{
	if (c->p->dev.present)
		return false;
	if (!write_open_allowed(c->p) && !may_allow(c->p, BG_ABI_X86_64, bg_syscall_nr(BG_ABI_X86_64, "mknod")) &&
	    !may_allow(c->p, BG_ABI_X86_64, bg_syscall_nr(BG_ABI_X86_64, "mknodat")))
		return false;
	snprintf(c->h->what, sizeof(c->h->what), "there is no `dev` section, so every device node may be "
		 "opened (and mknod makes any other)");
	snprintf(c->h->fix, sizeof(c->h->fix), "add a `dev` section, an allow list such as "
		 "`dev allow c 1:3 rw` (/dev/null)");
	return true;
}

/* Index = the bit of `hatch accept`: append only, never reorder. */
static const struct hatch_class classes[] = {
	{ "io-uring", R_ANY, NULL, NULL,
	  "io_uring performs those operations without their syscalls, so the rules for them do not "
	  "hold and --require-deny refuses", check_io_uring },
	{ "namespaces", R_ANY, NULL, NULL,
	  "a new user namespace gives every capability inside it and reaches kernel code otherwise "
	  "kept for root; setns joins the namespaces of processes outside the cgroup", check_namespaces },
	{ "ia32", R_ANY, NULL, NULL,
	  "int $0x80 calls are judged by the i386 table, which x86_64 rules do not cover", check_ia32 },
	{ "bpf", R_ROOT, "bpf", "kill",
	  "root can load BPF programs and read, rewrite or detach bpfguard's own pinned maps and links",
	  NULL },
	{ "ptrace", R_CGROUP,
	  "ptrace process_vm_readv process_vm_writev pidfd_getfd", "kill",
	  "processes outside the cgroup (any uid's, for root) are in reach: their memory and descriptors "
	  "become the attacker's, and they make the calls this policy denies", NULL },
	{ "mount", R_ROOT,
	  "mount umount2 fsopen fsconfig fsmount fspick move_mount open_tree mount_setattr pivot_root",
	  "kill",
	  "mounts can cover the paths the service trusts, remount bpffs or cgroupfs, and bring host "
	  "filesystems into view", NULL },
	{ "handles", R_ROOT, "open_by_handle_at", "kill name_to_handle_at",
	  "a file handle opens any file of a mounted filesystem, past mount namespaces and chroots "
	  "(the 'shocker' escape)", NULL },
	{ "modules", R_ROOT, "init_module finit_module delete_module", "kill",
	  "a module is kernel code: it undoes every policy, bpfguard's included", NULL },
	{ "kexec", R_ROOT, "kexec_load kexec_file_load", "kill",
	  "a new kernel replaces the one bpfguard runs in", NULL },
	{ "ioports", R_ROOT, "iopl ioperm", "kill",
	  "raw port I/O reaches hardware (disk controllers, PCI configuration) past every policy", NULL },
	{ "swap", R_ROOT, "swapon swapoff", "kill",
	  "a swap area root chooses exposes or corrupts the memory of every process", NULL },
	{ "reboot", R_ROOT, "reboot", "kill",
	  "the host restarts or stops, bpfguard with it", NULL },
	{ "clock", R_ROOT, "settimeofday clock_settime adjtimex clock_adjtime", "kill",
	  "the host clock moves for every process: certificate and token lifetimes, logs, time checks",
	  NULL },
	{ "keyring", R_ROOT, "keyctl add_key request_key", "kill",
	  "kernel keyrings are not per cgroup: other services' and the host's keys come in reach of root",
	  NULL },
	{ "userfaultfd", R_ANY, "userfaultfd", "kill",
	  "userfaultfd stops the kernel at a chosen page fault, the usual way to win a kernel race", NULL },
	{ "perf", R_ANY, "perf_event_open", "kill",
	  "perf events observe the kernel and other processes and are a large kernel attack surface", NULL },
	{ "fanotify", R_ROOT, "fanotify_init", "kill",
	  "fanotify watches, and can block, file access of every process on the host's mounts", NULL },
	{ "cgroupfs", R_ROOT, NULL, NULL,
	  "root can write a pid into another cgroup's cgroup.procs and leave the guarded cgroup, and "
	  "its policy with it", check_cgroupfs },
	{ "sysctl", R_ROOT, NULL, NULL,
	  "root can write /proc/sys (kernel.core_pattern, kernel.modprobe) and make the kernel run a "
	  "program of its choosing outside the cgroup", check_sysctl },
	{ "devices", R_ROOT, NULL, NULL,
	  "root can write the host's disks and memory devices directly, under every file permission",
	  check_devices },
};

_Static_assert(ARRAY_SIZE(classes) <= 64, "hatch accept is a 64-bit mask");
_Static_assert(ARRAY_SIZE(classes) <= BG_HATCH_MAX, "bg_hatches holds one finding per class");

const char *bg_hatch_name(int cls)
{
	return cls >= 0 && (size_t)cls < ARRAY_SIZE(classes) ? classes[cls].name : "unknown";
}

int bg_hatch_id(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(classes); i++)
		if (!strcmp(classes[i].name, name))
			return (int)i;
	return -1;
}

void bg_hatches_find(const struct bg_policy *p, int target, struct bg_hatches *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < ARRAY_SIZE(classes); i++) {
		const struct hatch_class *k = &classes[i];
		struct bg_hatch *h = &out->h[out->n];
		struct ctx c = { .p = p, .target = target, .k = k, .h = h };

		if (target == BG_HATCH_RUN && k->reach != R_ANY)
			continue;
		memset(h, 0, sizeof(*h));
		h->cls = (int)i;
		h->why = k->why;
		if (!(k->check ? k->check(&c) : check_calls(&c)))
			continue;
		h->accepted = (p->hatch_accept >> i) & 1;
		out->n++;
	}
}

/* ------------------------------------------------------------------ */
/* Printing */

void bg_hatch_line(const struct bg_hatch *h, char *buf, size_t len)
{
	snprintf(buf, len, "hatch %s: %s: %s; %s%s", bg_hatch_name(h->cls), h->what, h->why, h->fix,
		 h->accepted ? " [accepted by `hatch accept`]" : "");
}

struct json_object *bg_hatches_to_json(const struct bg_hatches *hs)
{
	struct json_object *a = json_object_new_array();

	for (unsigned i = 0; i < hs->n; i++) {
		const struct bg_hatch *h = &hs->h[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "hatch", json_object_new_string(bg_hatch_name(h->cls)));
		json_object_object_add(o, "state", json_object_new_string(
			h->state == BG_HATCH_CONTAINED ? "contained" : "open"));
		json_object_object_add(o, "accepted", json_object_new_boolean(h->accepted));
		json_object_object_add(o, "what", json_object_new_string(h->what));
		json_object_object_add(o, "why", json_object_new_string(h->why));
		json_object_object_add(o, "fix", json_object_new_string(h->fix));
		json_object_array_add(a, o);
	}
	return a;
}

void bg_hatch_print_accept(const struct bg_policy *p, FILE *f)
{
	fputs("hatch accept", f);
	for (size_t i = 0; i < ARRAY_SIZE(classes); i++)
		if ((p->hatch_accept >> i) & 1)
			fprintf(f, " %s", classes[i].name);
	fputc('\n', f);
}

/* ------------------------------------------------------------------ */
/* The commands' gate */

int bg_hatches_gate(const struct bg_policy *p, const struct bg_hatch_gate *g)
{
	struct bg_hatches hs;
	char line[800], act[32], names[160];
	unsigned nopen;

	bg_hatches_find(p, g->target, &hs);
	if (!g->quiet && !g->silent && p->uring.applied)
		fprintf(stderr, "bpfguard: note: policy '%s': io_uring_setup %s, io_uring_enter and "
			"io_uring_register kill: implied, because it denies %s%s, which io_uring performs "
			"without those calls\n", p->name, bg_action_str_named(&p->uring.setup, act, sizeof(act)),
			p->uring.ops, p->uring.nops > 6 ? ", ..." : "");
	for (unsigned i = 0; i < hs.n; i++) {
		const struct bg_hatch *h = &hs.h[i];

		if (g->silent)
			break;
		bg_hatch_line(h, line, sizeof(line));
		if (h->state == BG_HATCH_CONTAINED || h->accepted) {
			fprintf(stderr, "bpfguard: note: policy '%s': %s\n", p->name, line);
			continue;
		}
		bg_warn("policy '%s': %s", p->name, line);
	}
	nopen = bg_hatches_open(&hs, names, sizeof(names));
	if (g->require_deny && bg_hatch_uring_open(p)) {
		bg_err("--require-deny: policy '%s' allows io_uring while it denies %s%s; io_uring performs "
		       "them without those syscalls, so no denial holds for it; drop the io_uring allow (the "
		       "implied rule then denies it) or deny io_uring_setup, io_uring_enter, io_uring_register",
		       p->name, p->uring.nops ? p->uring.ops : "calls io_uring can make",
		       p->uring.nops > 6 ? ", ..." : "");
		return -1;
	}
	if (g->strict && nopen) {
		bg_hatches_strict_error(p, nopen, names);
		return -1;
	}
	return 0;
}

void bg_hatches_strict_error(const struct bg_policy *p, unsigned nopen, const char *names)
{
	const char *it = nopen > 1 ? "them" : "it";

	bg_err("--strict: policy '%s' leaves %u escape hatch%s open (%s); close %s as each finding "
	       "says, or name %s in a `hatch accept` line if you keep %s knowingly",
	       p->name, nopen, nopen > 1 ? "es" : "", names, it, it, it);
}

unsigned bg_hatches_open(const struct bg_hatches *hs, char *names, size_t len)
{
	unsigned n = 0;

	names[0] = '\0';
	for (unsigned i = 0; i < hs->n; i++)
		if (hs->h[i].state == BG_HATCH_OPEN && !hs->h[i].accepted)
			list_add(names, len, &n, bg_hatch_name(hs->h[i].cls));
	return n;
}

/* The caller loads the policy again and says its warnings then. */
static void no_warn(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

int bg_hatches_gate_file(const char *path, const struct bg_hatch_gate *g)
{
	struct bg_policy *p = NULL;
	struct bg_diag d = { .warn = no_warn };
	int r;

	if (path ? bg_policy_load(path, &p, &d)
		 : bg_policy_parse(bg_run_default_policy, strlen(bg_run_default_policy),
				   "go-static.policy (built in)", &p, &d))
		return 0;
	r = bg_hatches_gate(p, g);
	bg_policy_free(p);
	return r;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * run.c - `bpfguard run`, the root side (docs/run.md).
 *
 *   1. check the input: CMD resolvable and executable, the policy loads and
 *      compiles to a seccomp filter, binds exist;
 *   2. cgroups: <cg2>/bpfguard.run/<id> (init; limits when cgroup v2 has the
 *      controllers) and <id>/payload (the payload; the BPF policy is
 *      attached there, recording); cgroup v1 limit groups
 *      <v1>/bpfguard.run/<id> where v2 lacks a controller; rlimits where
 *      neither exists;
 *   3. clone() init into new user/pid/mount/uts/ipc(/net) namespaces
 *      (sandbox.c), write its id maps, move it into the cgroups, say go;
 *   4. wait: forward INT/TERM/HUP/QUIT, enforce --timeout by killing the
 *      whole cgroup, read the kernel's seccomp audit records (which syscall
 *      was denied or killed, for the summary);
 *   5. collect the status, limits hit, peak memory; remove everything
 *      (detach, rmdir) on every path; one line saying why when the payload
 *      was stopped; --json summary.
 *
 * Why the denials come from audit records and not the BPF counters: the
 * kernel runs seccomp before the sys_enter tracepoint, so a call seccomp
 * denies or kills never reaches bpfguard's BPF program.  The kernel logs
 * each such decision (SECCOMP_FILTER_FLAG_LOG; kills always) to the audit
 * netlink multicast group, which bpfguard reads.
 *
 * Files: this one orders the steps (input, launch, wait, outcome);
 * run_cgroup.c makes and removes the cgroups and limits, run_audit.c reads
 * the audit records, sandbox.c is the init inside the namespaces.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <grp.h>

#include "attachment.h"
#include "cghooks.h"
#include "cgroup.h"
#include "loader.h"
#include "exitcodes.h"
#include "compile_seccomp.h"
#include "exec_allow.h"
#include "landlock.h"
#include "learn.h"
#include "policy_hatches.h"
#include "preflight.h"
#include "record.h"
#include "run.h"
#include "runcache.h"
#include "run_internal.h"
#include "attach.h"
#include "run_default_policy.h"
#include "syscalls.h"
#include "util.h"

extern char **environ;

static const char *via_name(int v)
{
	switch (v) {
	case VIA_V2: return "cgroup-v2";
	case VIA_V1: return "cgroup-v1";
	case VIA_RLIMIT: return "rlimit";
	default: return "none";
	}
}

static double now_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* ------------------------------------------------------------------ */
/* input */

static int resolve_exe(const char *cmd, char *out, size_t len)
{
	const char *path = getenv("PATH");
	char cand[PATH_MAX];
	int saw_noexec = 0;
	struct stat st;

	if (strchr(cmd, '/')) {
		if (stat(cmd, &st))
			return errno == ENOENT || errno == ENOTDIR ? -ENOENT : -errno;
		if (S_ISDIR(st.st_mode) || access(cmd, X_OK))
			return -EACCES;
		if (!realpath(cmd, out))
			return -errno;
		(void)len;
		return 0;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";
	while (*path) {
		const char *end = strchrnul(path, ':');
		int n = (int)(end - path);

		snprintf(cand, sizeof(cand), "%.*s/%s", n, n ? path : ".", cmd);
		if (stat(cand, &st) == 0) {
			if (!S_ISDIR(st.st_mode) && access(cand, X_OK) == 0)
				return realpath(cand, out) ? 0 : -errno;
			saw_noexec = 1;
		}
		path = *end ? end + 1 : end;
	}
	return saw_noexec ? -EACCES : -ENOENT;
}

static char **build_env(const struct bg_run_opts *o)
{
	unsigned n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + o->nenv + 1, sizeof(*env));
	if (!env)
		return NULL;
	for (unsigned i = 0; i < n; i++) {
		bool overridden = false;

		for (unsigned j = 0; j < o->nenv && !overridden; j++) {
			size_t kl = strcspn(o->env[j], "=");

			overridden = !strncmp(environ[i], o->env[j], kl) && environ[i][kl] == '=';
		}
		if (!overridden)
			env[k++] = environ[i];
	}
	for (unsigned j = 0; j < o->nenv; j++)
		env[k++] = (char *)o->env[j];
	return env;
}

static int load_policy(struct run *r)
{
	struct bg_diag d = {};

	if (r->o->policy_file) {
		if (bg_policy_load_text(r->o->policy_file, &r->policy, &r->policy_text, &r->policy_text_len, &d)) {
			bg_err("run: %s", d.msg);
			return -1;
		}
		bg_strlcpy(r->source, r->o->policy_file, sizeof(r->source));
	} else {
		if (bg_policy_parse(bg_run_default_policy, strlen(bg_run_default_policy),
				    "go-static.policy (built in)", &r->policy, &d)) {
			bg_err("run: the built-in policy does not parse: %s", d.msg);
			return -1;
		}
		snprintf(r->source, sizeof(r->source), "built-in:go-static");
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* launch and wait */

static int write_maps(pid_t pid, uid_t uid, gid_t gid)
{
	char path[64], line[64];
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/setgroups", pid);
	run_write_str(path, "deny");
	snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
	snprintf(line, sizeof(line), "0 %u 1\n", (unsigned)uid);
	ret = run_write_str(path, line);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
	snprintf(line, sizeof(line), "0 %u 1\n", (unsigned)gid);
	return run_write_str(path, line);
}

/* The host ids the sandbox's root maps to (docs/run.md, "Who the payload
 * is"): never host root unless --user root says so. */
static void payload_ids(const struct run *r, uid_t *uid, gid_t *gid)
{
	const struct bg_run_opts *o = r->o;

	if (o->user_root) {
		*uid = 0;
		*gid = 0;
	} else if (o->user_nobody) {
		*uid = 65534;
		*gid = 65534;
	} else if (o->uid > 0) {
		*uid = (uid_t)o->uid;
		*gid = (gid_t)o->uid;
	} else {
		*uid = r->dyn_id;
		*gid = r->dyn_id;
	}
}

/* Does /etc/passwd or /etc/group name id?  Files only: NSS modules are not
 * loaded into bpfguard (and ids this high are nobody's in practice).  One
 * read of each file (bg_read_file), not stdio's line by line: this runs
 * before every payload. */
static bool id_named(unsigned id)
{
	static const char *const files[] = { "/etc/passwd", "/etc/group" };

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char *buf, *line, *end;
		size_t len;
		bool named = false;

		if (bg_read_file(files[i], 16 << 20, &buf, &len))
			continue;
		/* "name:x:ID:..." per line: the number after the second ':' */
		for (line = buf; !named && line < buf + len; line = end + 1) {
			char *p;

			end = memchr(line, '\n', (size_t)(buf + len - line));
			if (!end)
				end = buf + len;
			p = memchr(line, ':', (size_t)(end - line));
			if (p)
				p = memchr(p + 1, ':', (size_t)(end - p - 1));
			named = p && p + 1 < end && strtoul(p + 1, NULL, 10) == id;
		}
		free(buf);
		if (named)
			return true;
	}
	return false;
}

/* A per-run id: a random start in the range, then the first id no other
 * run holds (an flock on BG_RUN_ID_DIR/<id>, held until bpfguard and the
 * sandbox's init are gone) and no passwd/group entry names. */
static int take_run_id(struct run *r)
{
	uint32_t start = 0;
	char path[sizeof(BG_RUN_ID_DIR) + 16];

	if (getrandom(&start, sizeof(start), 0) != sizeof(start))
		start = (uint32_t)getpid();
	if ((mkdir("/run", 0755) && errno != EEXIST) || (mkdir("/run/bpfguard", 0755) && errno != EEXIST) || (mkdir(BG_RUN_ID_DIR, 0755) && errno != EEXIST)) {
		bg_err("run: cannot create %s (per-run ids): %s", BG_RUN_ID_DIR, strerror(errno));
		return -1;
	}
	for (uint32_t i = 0; i < BG_RUN_ID_COUNT; i++) {
		unsigned id = BG_RUN_ID_MIN + (start + i) % BG_RUN_ID_COUNT;
		int fd;

		snprintf(path, sizeof(path), BG_RUN_ID_DIR "/%u", id);
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0) {
			bg_err("run: cannot take a per-run id (%s): %s", path, strerror(errno));
			return -1;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) == 0 && !id_named(id)) {
			r->id_lock_fd = fd;
			r->dyn_id = id;
			return 0;
		}
		close(fd);
	}
	bg_err("run: every per-run id (%u-%u) is in use", BG_RUN_ID_MIN, BG_RUN_ID_MIN + BG_RUN_ID_COUNT - 1);
	return -1;
}

/*
 * init, created in the run's cgroup with clone3(CLONE_INTO_CGROUP) (5.7+)
 * rather than moved there after the clone: a move takes the global
 * cgroup_threadgroup_rwsem for writing, which waits for an RCU grace
 * period whenever no other move happened just before, measured at 8-11 ms
 * in about half the runs on this machine kind, the largest single cost of
 * a run's start-up.  A clone into a cgroup takes it for reading only.
 * Returns the pid (0 in the child), -1 with errno; *into says whether the
 * cgroup was set (old kernels: ENOSYS/E2BIG/EINVAL, a plain clone).
 */
#define CLONE_INTO_CGROUP_FLAG 0x200000000ULL /* <linux/sched.h>'s, which clashes with <sched.h> */
static pid_t clone_init(unsigned long flags, const char *dir, bool *into)
{
	struct {
		__u64 flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
			set_tid_size, cgroup;
	} args = { .flags = flags | CLONE_INTO_CGROUP_FLAG, .exit_signal = SIGCHLD };
	int cfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	pid_t pid = -1;

	*into = false;
	if (cfd >= 0) {
		args.cgroup = (__u64)cfd;
		pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
		if (pid >= 0)
			*into = true;
		close(cfd); /* the child closes its copy too */
	}
	if (pid < 0)
		pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
	return pid;
}

static int launch(struct run *r, struct bg_sandbox *sb, int sfd)
{
	const struct bg_run_opts *o = r->o;
	int sync[2], errp[2], statp[2], gop[2], cgfd;
	unsigned long flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC;
	char c = 'g', path[sizeof(r->payload_cg) + 16];
	uid_t uid;
	gid_t gid;

	payload_ids(r, &uid, &gid);
	sb->host_uid = uid;
	if (!o->net_host)
		flags |= CLONE_NEWNET;
	snprintf(path, sizeof(path), "%s/cgroup.procs", r->payload_cg);
	cgfd = open(path, O_WRONLY | O_CLOEXEC);
	if (cgfd < 0) {
		bg_err("run: cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (pipe2(sync, O_CLOEXEC) || pipe2(errp, O_CLOEXEC) || pipe2(statp, O_CLOEXEC) || pipe2(gop, O_CLOEXEC)) {
		bg_err("run: cannot create pipes: %s", strerror(errno));
		close(cgfd);
		return -1;
	}
	/* no supplementary groups of ours (root's) may reach the payload */
	if (setgroups(0, NULL))
		bg_warn("run: cannot drop supplementary groups: %s", strerror(errno));
	sb->sync_fd = sync[0];
	sb->err_fd = errp[1];
	sb->status_fd = statp[1];
	sb->go_fd = gop[0];
	sb->cgroup_fd = cgfd;
	fflush(NULL);
	bool into;

	r->init = clone_init(flags, r->dir, &into);
	if (r->init < 0) {
		bg_err("run: cannot create the namespaces: %s", strerror(errno));
		close(cgfd);
		return -1;
	}
	if (r->init == 0) {
		close(sfd);
		close(sync[1]);
		close(errp[0]);
		close(statp[0]);
		close(gop[1]);
		if (r->audit_fd >= 0)
			close(r->audit_fd);
		bg_sandbox_init(sb);
	}
	close(cgfd);
	close(sync[0]);
	close(errp[1]);
	close(statp[1]);
	close(gop[0]);
	r->go_fd = gop[1];
	r->lerr_fd = errp[0];
	r->status_fd = statp[0];
	bg_phase("run: cloned");
	int ret = write_maps(r->init, uid, gid);
	bg_phase("run: ids mapped");

	if (ret) {
		bg_err("run: cannot write the uid/gid maps of the sandbox: %s", strerror(-ret));
		close(sync[1]);
		return -1;
	}
	if (!into && bg_cgroup_enter(r->dir, r->init)) {
		bg_err("run: cannot move the sandbox into %s: %s", r->dir, strerror(errno));
		close(sync[1]);
		return -1;
	}
	for (int i = 0; i < RES__COUNT; i++)
		if (r->v1dir[i][0] && bg_cgroup_enter(r->v1dir[i], r->init)) {
			bg_err("run: cannot move the sandbox into %s: %s", r->v1dir[i], strerror(errno));
			close(sync[1]);
			return -1;
		}
	bg_phase("run: cloned, ids mapped, cgroups entered");
	if (write(sync[1], &c, 1) != 1) {
		close(sync[1]);
		return -1;
	}
	close(sync[1]);
	return 0;
}

static void wait_loop(struct run *r, int sfd)
{
	struct timespec deadline;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)(r->o->timeout_ms / 1000);
	deadline.tv_nsec += (long)(r->o->timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	while (!r->init_reaped) {
		struct pollfd p[2] = { { .fd = sfd, .events = POLLIN }, { .fd = r->audit_fd, .events = POLLIN } };
		int timeout = -1;

		if (r->o->timeout_ms && !r->timed_out) {
			struct timespec t;
			long long left;

			clock_gettime(CLOCK_MONOTONIC, &t);
			left = (deadline.tv_sec - t.tv_sec) * 1000LL + (deadline.tv_nsec - t.tv_nsec) / 1000000LL;
			if (left <= 0) {
				r->timed_out = true;
				run_kill_tree(r);
				continue;
			}
			timeout = left > 1000000 ? 1000000 : (int)left + 1;
		}
		if (poll(p, r->audit_fd >= 0 ? 2 : 1, timeout) < 0 && errno != EINTR)
			break;
		if (p[1].revents & POLLIN)
			run_audit_drain(r);
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGCHLD) {
					run_reap_init(r, false);
					continue;
				}
				/* forwarded to init, which passes it to the
				 * payload; the third one kills the tree */
				if (++r->forwarded >= 3)
					run_kill_tree(r);
				else
					kill(r->init, (int)si.ssi_signo);
			}
		}
		run_reap_init(r, false);
	}
}

/* ------------------------------------------------------------------ */
/* results */

struct outcome {
	int code;
	const char *reason; /* "exited", "signal", "policy", "timeout", "memory", "pids", "error" */
	char line[512];     /* printed on stderr when not empty */
	long long peak;
	const char *peak_src;
	long long oom_kills, pids_hit;
};

static const char *sysname(int abi, int nr, char *buf, size_t len)
{
	const char *n = abi <= BG_ABI_IA32 ? bg_syscall_name(abi, nr) : NULL;

	if (n)
		snprintf(buf, len, "%s%s", n, abi == BG_ABI_IA32 ? " (ia32)" : "");
	else
		snprintf(buf, len, "%s syscall %d", bg_abi_name(abi), nr);
	return buf;
}

/* Kills at exec (exec allowlist, no BPF LSM) counted for the payload. */
static unsigned long long exec_kills(const struct run *r)
{
	unsigned long long denied[BG_HOOK__COUNT] = {}, recorded[BG_HOOK__COUNT] = {};

	if (bg_cghooks_counts(r->payload_cgid, denied, recorded))
		return 0;
	return denied[BG_HOOK_EXEC];
}

static void fmt_size(unsigned long long b, char *buf, size_t len)
{
	if (b >= (1ULL << 30) && b % (1ULL << 30) == 0)
		snprintf(buf, len, "%lluG", b >> 30);
	else if (b >= (1ULL << 20) && b % (1ULL << 20) == 0)
		snprintf(buf, len, "%lluM", b >> 20);
	else if (b >= (1ULL << 20))
		snprintf(buf, len, "%.1fM", b / 1048576.0);
	else
		snprintf(buf, len, "%lluK", (b + 1023) >> 10);
}

static void decide(struct run *r, struct outcome *out)
{
	const struct bg_run_opts *o = r->o;
	int st = r->have_payload_status ? r->payload_status : r->init_status;
	char name[64], sz[32], pk[32];

	memset(out, 0, sizeof(*out));
	/* limits and peak memory */
	out->oom_kills = out->pids_hit = -1;
	if (r->via[RES_MEMORY] == VIA_V2) {
		out->oom_kills = run_keyed(r->dir, "memory.events", "oom_kill");
		out->peak = run_read_ll(r->dir, "memory.peak");
		out->peak_src = "cgroup-v2 memory.peak";
	} else if (r->via[RES_MEMORY] == VIA_V1) {
		out->oom_kills = run_keyed(r->v1dir[RES_MEMORY], "memory.oom_control", "oom_kill");
		out->peak = run_read_ll(r->v1dir[RES_MEMORY], "memory.max_usage_in_bytes");
		out->peak_src = "cgroup-v1 memory.max_usage_in_bytes";
	}
	if (out->peak <= 0) {
		struct rusage ru;

		getrusage(RUSAGE_CHILDREN, &ru);
		out->peak = (long long)ru.ru_maxrss * 1024;
		out->peak_src = "getrusage maxrss (largest process)";
	}
	if (r->via[RES_PIDS] == VIA_V2)
		out->pids_hit = run_keyed(r->dir, "pids.events", "max");
	else if (r->via[RES_PIDS] == VIA_V1)
		out->pids_hit = run_keyed(r->v1dir[RES_PIDS], "pids.events", "max");

	if (r->have_lerr) {
		if (r->lerr.stage == BG_STAGE_EXEC) {
			out->code = r->lerr.err == ENOENT ? BG_RUN_EXIT_NOTFOUND : BG_RUN_EXIT_NOEXEC;
			out->reason = "error";
			snprintf(out->line, sizeof(out->line), "run: cannot execute %s in the sandbox: %s%s",
				 r->lerr.what, strerror(r->lerr.err),
				 r->lerr.err == EPERM ? " (does the policy allow execve?)" : "");
		} else {
			out->code = BG_RUN_EXIT_ERROR;
			out->reason = "error";
			snprintf(out->line, sizeof(out->line), "run: sandbox setup failed: %s: %s",
				 r->lerr.what, strerror(r->lerr.err));
		}
		return;
	}
	if (r->timed_out) {
		out->code = BG_RUN_EXIT_TIMEOUT;
		out->reason = "timeout";
		snprintf(out->line, sizeof(out->line), "run: timeout: killed the whole tree after %.3gs%s",
			 o->timeout_ms / 1000.0, out->pids_hit > 0 ? " (the pids limit was hit meanwhile)" : "");
		return;
	}
	if (WIFSIGNALED(st)) {
		int sig = WTERMSIG(st);

		if (sig == SIGSYS) {
			out->code = BG_RUN_EXIT_POLICY;
			out->reason = "policy";
			if (r->kill_nr >= 0)
				snprintf(out->line, sizeof(out->line), "run: killed by policy '%s': syscall %s",
					 r->policy->name, sysname(r->kill_abi, r->kill_nr, name, sizeof(name)));
			else
				snprintf(out->line, sizeof(out->line),
					 "run: killed by policy '%s' (SIGSYS from seccomp; the kernel's record naming the syscall was not available)",
					 r->policy->name);
			return;
		}
		if (sig == SIGKILL && r->attached && exec_kills(r) > 0) {
			out->code = BG_RUN_EXIT_POLICY;
			out->reason = "policy";
			snprintf(out->line, sizeof(out->line),
				 "run: killed by policy '%s': it exec'd a file not in the exec allowlist "
				 "(before that file ran; bpfguard events names it)", r->policy->name);
			return;
		}
		if (sig == SIGKILL && out->oom_kills > 0) {
			fmt_size(o->memory, sz, sizeof(sz));
			fmt_size((unsigned long long)out->peak, pk, sizeof(pk));
			out->code = BG_RUN_EXIT_MEMORY;
			out->reason = "memory";
			snprintf(out->line, sizeof(out->line), "run: killed by the memory limit (--memory %s, %s, peak %s)",
				 sz, via_name(r->via[RES_MEMORY]), pk);
			return;
		}
		out->code = 128 + sig;
		out->reason = "signal";
		snprintf(out->line, sizeof(out->line), "run: the payload was killed by signal %d (%s)", sig, strsignal(sig));
		return;
	}
	out->code = WEXITSTATUS(st);
	out->reason = "exited";
	if (out->pids_hit > 0 && out->code != 0) {
		out->code = BG_RUN_EXIT_PIDS;
		out->reason = "pids";
		snprintf(out->line, sizeof(out->line),
			 "run: the pids limit (--pids %ld, %s) was hit %lld times and the payload then exited with %d",
			 o->pids, via_name(r->via[RES_PIDS]), out->pids_hit, WEXITSTATUS(st));
	} else if (out->pids_hit > 0) {
		snprintf(out->line, sizeof(out->line), "run: note: the pids limit (--pids %ld, %s) was hit %lld times",
			 o->pids, via_name(r->via[RES_PIDS]), out->pids_hit);
	} else if (out->oom_kills > 0) {
		snprintf(out->line, sizeof(out->line), "run: note: the memory limit killed %lld process(es) of the tree",
			 out->oom_kills);
	} else if (out->code != 0 && (r->via[RES_MEMORY] == VIA_RLIMIT || r->via[RES_PIDS] == VIA_RLIMIT)) {
		/* An rlimit makes calls fail; it kills nothing and counts
		 * nothing, so whether it caused the exit cannot be known. */
		snprintf(out->line, sizeof(out->line),
			 "run: note: the payload exited with %d; %s%s%s enforced by rlimit here (no cgroup controller): "
			 "calls past the limit fail (ENOMEM, EAGAIN) instead of a kill", out->code,
			 r->via[RES_MEMORY] == VIA_RLIMIT ? "--memory (RLIMIT_DATA)" : "",
			 r->via[RES_MEMORY] == VIA_RLIMIT && r->via[RES_PIDS] == VIA_RLIMIT ? " and " : "",
			 r->via[RES_PIDS] == VIA_RLIMIT ? "--pids (RLIMIT_NPROC)" : "");
	}
}

static int by_n_desc(const void *a, const void *b)
{
	const struct denial *x = a, *y = b;

	return x->n < y->n ? 1 : x->n > y->n ? -1 : 0;
}

static const char *ll_kind_name(int kind)
{
	switch (kind) {
	case BG_LL_RO: return "read-exec";
	case BG_LL_RW: return "all";
	case BG_LL_READ: return "read";
	case BG_LL_DEV: return "devices";
	default: return "list";
	}
}

/* Who the payload is, what it sees, and the Landlock layer. */
static void json_sandbox(struct json_object *j, const struct run *r, const struct bg_sandbox *sb)
{
	const struct bg_run_opts *o = r->o;
	struct json_object *u = json_object_new_object(), *ll = json_object_new_object();
	struct json_object *fs = json_object_new_object();

	json_object_object_add(u, "host_uid", json_object_new_int64(sb->host_uid));
	json_object_object_add(u, "kind", json_object_new_string(
		o->user_root ? "root" : o->user_nobody ? "nobody" : o->uid > 0 ? "uid" : "per-run"));
	json_object_object_add(j, "user", u);
	json_object_object_add(fs, "view", json_object_new_string(o->fs == BG_FS_HOST ? "host" : "minimal"));
	json_object_object_add(fs, "tmp_bytes", json_object_new_uint64(o->tmp_size));
	json_object_object_add(fs, "shm_bytes", json_object_new_uint64(o->shm_size));
	json_object_object_add(j, "fs", fs);
	json_object_object_add(ll, "abi", json_object_new_int(sb->ll.abi));
	if (sb->ll.abi > 0) {
		struct json_object *rules = json_object_new_object(), *net = json_object_new_object();
		struct json_object *sc = json_object_new_array();

		for (unsigned i = 0; i < sb->ll.nrules; i++)
			json_object_object_add(rules, sb->ll.rule[i].path,
					       json_object_new_string(ll_kind_name(sb->ll.rule[i].kind)));
		json_object_object_add(ll, "fs", rules);
		json_object_object_add(net, "connect", json_object_new_string(sb->ll.net_what[0]));
		json_object_object_add(net, "bind", json_object_new_string(sb->ll.net_what[1]));
		json_object_object_add(ll, "net", net);
		if (sb->ll.scoped) {
			json_object_array_add(sc, json_object_new_string("abstract-unix-sockets"));
			json_object_array_add(sc, json_object_new_string("signals"));
		}
		json_object_object_add(ll, "scoped", sc);
	} else {
		json_object_object_add(ll, "note", json_object_new_string(sb->ll.note));
	}
	json_object_object_add(j, "landlock", ll);
}

static void print_json(struct run *r, const struct bg_sandbox *sb, const struct outcome *out, double wall)
{
	struct json_object *j = json_object_new_object(), *d = json_object_new_object();
	struct json_object *lim = json_object_new_object(), *mech = json_object_new_object();
	unsigned long long total = 0;
	int st = r->have_payload_status ? r->payload_status : r->init_status;
	char name[64];

	json_object_object_add(j, "run_id", json_object_new_string(r->id));
	json_object_object_add(j, "cgroup", json_object_new_string(r->payload_cg + strlen(r->cg2)));
	json_object_object_add(j, "cgroup_id", json_object_new_uint64(r->payload_cgid));
	json_object_object_add(j, "policy", json_object_new_string(r->policy->name));
	json_object_object_add(j, "policy_source", json_object_new_string(r->source));
	json_object_object_add(j, "mode", json_object_new_string(bg_mode_name(r->o->mode)));
	json_object_object_add(mech, "errno", json_object_new_string(r->o->mode == BG_MODE_AUDIT ? "audit" : "seccomp"));
	json_object_object_add(mech, "kill", json_object_new_string(r->o->mode == BG_MODE_AUDIT ? "audit" : "seccomp"));
	json_object_object_add(mech, "log", json_object_new_string("audit"));
	json_object_object_add(mech, "events", json_object_new_string(
		r->o->no_bpf ? "none (--no-bpf)" : "bpfguard events (from seccomp's audit records)"));
	{
		char ex[256];

		bg_exec_summary(r->policy, false, ex, sizeof(ex));
		json_object_object_add(mech, "executables", json_object_new_string(ex[0] ? ex : "any (no exec section)"));
	}
	json_object_object_add(mech, "net_dev_sysctl", json_object_new_string(
		!bg_cghooks_wanted(r->policy) ? "none (no such sections)" :
		r->o->mode == BG_MODE_AUDIT ? "audit (cgroup-hook)" : "cgroup-hook"));
	json_object_object_add(j, "mechanism", mech);
	json_object_object_add(j, "exit_code", json_object_new_int(out->code));
	json_object_object_add(j, "reason", json_object_new_string(out->reason));
	if (out->line[0])
		json_object_object_add(j, "reason_detail", json_object_new_string(out->line + 5));
	if (!r->have_lerr && WIFEXITED(st))
		json_object_object_add(j, "payload_exit", json_object_new_int(WEXITSTATUS(st)));
	if (!r->have_lerr && WIFSIGNALED(st))
		json_object_object_add(j, "payload_signal", json_object_new_int(WTERMSIG(st)));
	if (r->nden)
		qsort(r->den, r->nden, sizeof(*r->den), by_n_desc);
	for (unsigned i = 0; i < r->nden; i++) {
		struct json_object *prev;
		const char *k = sysname(r->den[i].abi, r->den[i].nr, name, sizeof(name));

		total += r->den[i].n;
		if (json_object_object_get_ex(d, k, &prev))
			json_object_object_add(d, k, json_object_new_uint64(json_object_get_uint64(prev) + r->den[i].n));
		else
			json_object_object_add(d, k, json_object_new_uint64(r->den[i].n));
	}
	json_object_object_add(j, "denials_total", json_object_new_uint64(total));
	json_object_object_add(j, "denials", d);
	json_object_object_add(j, "denials_source",
			       json_object_new_string(r->audit_fd >= 0 ? "kernel seccomp audit records" : "unavailable (audit netlink)"));
	if (r->audit_lost)
		json_object_object_add(j, "denials_lost", json_object_new_uint64(r->audit_lost));
	json_object_object_add(j, "peak_memory_bytes", json_object_new_int64(out->peak));
	json_object_object_add(j, "peak_memory_source", json_object_new_string(out->peak_src ? out->peak_src : "none"));
	json_object_object_add(j, "wall_time_ms", json_object_new_double(wall));
	for (int i = 0; i < RES__COUNT; i++) {
		struct json_object *l = json_object_new_object();

		json_object_object_add(l, "via", json_object_new_string(via_name(r->via[i])));
		if (i == RES_MEMORY)
			json_object_object_add(l, "bytes", json_object_new_uint64(r->o->memory));
		if (i == RES_PIDS)
			json_object_object_add(l, "max", json_object_new_int64(r->o->pids));
		if (i == RES_CPU)
			json_object_object_add(l, "cores", json_object_new_double(r->o->cpu));
		if (i == RES_MEMORY && out->oom_kills >= 0)
			json_object_object_add(l, "oom_kills", json_object_new_int64(out->oom_kills));
		if (i == RES_PIDS && out->pids_hit >= 0)
			json_object_object_add(l, "hit", json_object_new_int64(out->pids_hit));
		json_object_object_add(lim, run_res_ctrl[i], l);
	}
	json_object_object_add(j, "limits", lim);
	json_object_object_add(j, "network", json_object_new_string(r->o->net_host ? "host" : "none"));
	json_sandbox(j, r, sb);
	fprintf(stderr, "%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(j);
}

/* ------------------------------------------------------------------ */

static int export_filter(struct run *r)
{
	int fd = memfd_create("bpfguard-seccomp", MFD_CLOEXEC);
	struct stat st;
	int ret = -1;

	if (fd < 0)
		return -1;
	if (bg_seccomp_export_bpf(r->filter, fd) == 0 && fstat(fd, &st) == 0 && st.st_size > 0 &&
	    st.st_size % sizeof(struct sock_filter) == 0 && st.st_size / sizeof(struct sock_filter) <= 65535) {
		r->prog = malloc(st.st_size);
		if (r->prog && pread(fd, r->prog, st.st_size, 0) == st.st_size) {
			r->prog_len = st.st_size / sizeof(struct sock_filter);
			ret = 0;
		}
	}
	close(fd);
	return ret;
}

/* Is path (canonical) in the sandbox's view?  --fs host: everything but
 * the private /tmp; --fs minimal: /usr, the host's real (not symlinked)
 * library and binary directories; both: the --ro/--rw binds. */
/*
 * The seccomp program a policy compiles to, cached in BG_RUN_DIR
 * (runcache.h) by exactly what decides it: this bpfguard binary, the
 * policy's bytes, the mode, libseccomp's version and the boot (libseccomp
 * asks the running kernel which actions it has).  Compiling and exporting
 * is ~0.3 ms of a run's start-up; the key is compared byte for byte, so a
 * hit is the very program a compile would give.
 */
struct filter_key_head {
	char magic[8];
	struct bg_self_id self;
	char boot_id[40];
	__u32 mode, scmp_major, scmp_minor, scmp_micro;
	__u64 text_len;
};

static unsigned char *filter_key(const struct run *r, size_t *len, char name[32])
{
	const char *text = r->policy_text ? r->policy_text : bg_run_default_policy;
	size_t tlen = r->policy_text ? r->policy_text_len : strlen(bg_run_default_policy);
	const struct scmp_version *v = seccomp_version();
	struct filter_key_head h = { .magic = "BGSECC01", .mode = (__u32)r->o->mode, .text_len = tlen };
	unsigned char *k;

	if (!v || !bg_self_id(&h.self) || !bg_boot_id()[0])
		return NULL;
	h.scmp_major = v->major;
	h.scmp_minor = v->minor;
	h.scmp_micro = v->micro;
	snprintf(h.boot_id, sizeof(h.boot_id), "%s", bg_boot_id());
	k = malloc(sizeof(h) + tlen);
	if (!k)
		return NULL;
	memcpy(k, &h, sizeof(h));
	memcpy(k + sizeof(h), text, tlen);
	*len = sizeof(h) + tlen;
	/* 256 names at most: a policy's file just says where to look */
	snprintf(name, 32, "seccomp-%02x.bpf", (unsigned)(bg_fnv1a64(k, *len) & 0xff));
	return k;
}

/* 0 with r->prog set from the cache, or -1 (compile it). */
static int filter_cached(struct run *r)
{
	size_t klen, max = 65535 * sizeof(struct sock_filter);
	char name[32];
	unsigned char *k = filter_key(r, &klen, name);
	ssize_t n = -1;

	if (!k)
		return -1;
	r->prog = malloc(max);
	if (r->prog)
		n = bg_runcache_get(name, k, klen, r->prog, max);
	free(k);
	if (n <= 0 || n % (ssize_t)sizeof(struct sock_filter)) {
		free(r->prog);
		r->prog = NULL;
		return -1;
	}
	r->prog_len = (size_t)n / sizeof(struct sock_filter);
	return 0;
}

static void filter_store(const struct run *r)
{
	size_t klen;
	char name[32];
	unsigned char *k = filter_key(r, &klen, name);

	if (k)
		bg_runcache_put(name, k, klen, r->prog, r->prog_len * sizeof(struct sock_filter));
	free(k);
}

static bool in_view(const struct bg_run_opts *o, const char *path)
{
	size_t n;

	for (unsigned i = 0; i < o->nbinds; i++) {
		n = strlen(o->binds[i].path);
		if (!strncmp(path, o->binds[i].path, n) && (path[n] == '/' || path[n] == '\0' || n == 1))
			return true;
	}
	if (o->fs == BG_FS_HOST)
		return strncmp(path, "/tmp/", 5) != 0;
	if (!strncmp(path, "/usr/", 5))
		return true;
	for (size_t i = 0; i < BG_RUN_NSYSDIRS; i++) {
		struct stat st;

		n = strlen(bg_run_sysdirs[i]);
		if (!strncmp(path, bg_run_sysdirs[i], n) && path[n] == '/' && lstat(bg_run_sysdirs[i], &st) == 0 &&
		    S_ISDIR(st.st_mode))
			return true;
	}
	return false;
}

/* CMD and its interpreter must stay visible: a file outside the view (under
 * the private /tmp, in /home, /opt ...) is bound read-only at its path. */
static int keep_visible(struct bg_run_opts *o, const char *path)
{
	if (in_view(o, path))
		return 0;
	if (o->nbinds == BG_RUN_MAX_BINDS) {
		bg_err("run: at most %d --ro/--rw binds, and %s needs one more", BG_RUN_MAX_BINDS - 1, path);
		return -1;
	}
	o->binds[o->nbinds++] = (struct bg_bind){ .path = path, .rw = false };
	return 0;
}

/* A --rw directory the payload's host id cannot write to is almost always
 * a mistake now that the payload is not the invoking user: say so once
 * (mode bits only; an ACL may still allow it). */
static void warn_unwritable(const struct bg_run_opts *o, uid_t uid)
{
	for (unsigned i = 0; i < o->nbinds; i++) {
		struct stat st;
		bool w;

		if (!o->binds[i].rw || stat(o->binds[i].path, &st) || !S_ISDIR(st.st_mode) || uid == 0)
			continue;
		w = st.st_uid == uid ? st.st_mode & S_IWUSR : st.st_gid == uid ? st.st_mode & S_IWGRP : st.st_mode & S_IWOTH;
		if (!w)
			bg_warn("run: --rw %s: the payload (host uid %u) cannot write there (owner %u, mode %04o); "
				"make it writable, or choose the id with --user", o->binds[i].path, (unsigned)uid,
				(unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
	}
}

/* The Landlock layer: the same view, as access rights (docs/run.md). */
static void plan_landlock(struct bg_sandbox *sb, const struct bg_policy *p)
{
	const struct bg_run_opts *o = sb->o;
	struct bg_landlock *ll = &sb->ll;
	int abi = o->no_landlock ? 0 : bg_landlock_abi();

	bg_landlock_init(ll, abi);
	if (o->no_landlock) {
		snprintf(ll->note, sizeof(ll->note), "skipped (--no-landlock)");
		return;
	}
	if (!abi) {
		snprintf(ll->note, sizeof(ll->note), "skipped: this kernel has no Landlock (or it is disabled)");
		bg_warn("run: note: no Landlock on this kernel; the sandbox's file system view is its only "
			"file-system layer");
		return;
	}
	if (o->fs == BG_FS_HOST) {
		bg_landlock_add(ll, "/", BG_LL_RO);
	} else {
		bg_landlock_add(ll, "/", BG_LL_LIST);
		bg_landlock_add(ll, "/usr", BG_LL_RO);
		for (size_t i = 0; i < BG_RUN_NSYSDIRS; i++) {
			struct stat st;

			/* a symlink resolves into /usr: the rule is for real ones */
			if (lstat(bg_run_sysdirs[i], &st) == 0 && S_ISDIR(st.st_mode))
				bg_landlock_add(ll, bg_run_sysdirs[i], BG_LL_RO);
		}
		bg_landlock_add(ll, "/etc", BG_LL_READ);
		bg_landlock_add(ll, "/sys", BG_LL_READ);
	}
	bg_landlock_add(ll, "/proc", BG_LL_READ);
	bg_landlock_add(ll, "/dev", BG_LL_DEV);
	bg_landlock_add(ll, "/dev/shm", BG_LL_RW);
	bg_landlock_add(ll, "/tmp", BG_LL_RW);
	for (unsigned i = 0; i < o->nbinds; i++)
		bg_landlock_add(ll, o->binds[i].path, o->binds[i].rw ? BG_LL_RW : BG_LL_RO);
	bg_landlock_plan_net(ll, p);
}

/* Step 1, nothing created yet: CMD, the pre-flight checks, the policy and
 * its seccomp program.  o is r->o, writable: CMD and its interpreter may
 * add binds.  0, or the exit code of the refusal (what this step made is
 * released). */
static int check_input(struct run *r, struct bg_sandbox *sb, struct bg_run_opts *o)
{
	struct bg_diag d = {};
	char canon[PATH_MAX];
	int ret;

	ret = resolve_exe(o->argv[0], r->exe, sizeof(r->exe));
	if (ret) {
		bg_err("run: %s: %s", o->argv[0], ret == -ENOENT ? "command not found" : strerror(-ret));
		return ret == -ENOENT ? BG_RUN_EXIT_NOTFOUND : BG_RUN_EXIT_NOEXEC;
	}
	if (keep_visible(o, r->exe))
		return BG_RUN_EXIT_ERROR;
	bg_run_interp(r->exe, r->interp, sizeof(r->interp));
	if (r->interp[0] == '/' && realpath(r->interp, canon) &&
	    bg_strlcpy(r->interp, canon, sizeof(r->interp)) && keep_visible(o, r->interp))
		return BG_RUN_EXIT_ERROR;
	if (o->learn_out && bg_learn_check_output(o->learn_out, &d)) {
		bg_err("run: --learn %s", d.msg);
		return BG_RUN_EXIT_ERROR;
	}
	/* --sha256, --require-static, --deny-cgo, --gosum: before anything */
	ret = bg_run_preflight(o, r->exe, &sb->exe_fd);
	if (ret)
		return ret;
	if (load_policy(r)) {
		if (sb->exe_fd >= 0)
			close(sb->exe_fd);
		return BG_RUN_EXIT_ERROR;
	}
	/* escape hatches (cmd_run refused under --strict already): said once
	 * the pre-flight passed, so its refusals stay one line */
	bg_hatches_gate(r->policy, &(struct bg_hatch_gate){ .target = BG_HATCH_RUN, .quiet = o->json });
	if (o->no_bpf && (bg_cghooks_wanted(r->policy) || r->policy->exec.present)) {
		bg_err("run: policy '%s' has net/dev/sysctl/exec sections, which BPF programs enforce; drop --no-bpf",
		       r->policy->name);
		bg_policy_free(r->policy);
		return BG_RUN_EXIT_ERROR;
	}
	if (filter_cached(r) == 0)
		return 0;
	r->filter = bg_seccomp_compile(r->policy, o->mode, &d);
	if (!r->filter) {
		bg_err("run: policy '%s': %s", r->policy->name, d.msg);
		bg_policy_free(r->policy);
		return BG_RUN_EXIT_ERROR;
	}
	/* The program, exported once here; sandbox.c installs it with
	 * SECCOMP_FILTER_FLAG_LOG (bg_seccomp_install() takes no flags). */
	if (export_filter(r)) {
		bg_err("run: policy '%s': cannot export the seccomp program", r->policy->name);
		if (sb->exe_fd >= 0)
			close(sb->exe_fd);
		seccomp_release(r->filter);
		bg_policy_free(r->policy);
		return BG_RUN_EXIT_ERROR;
	}
	filter_store(r);
	return 0;
}

/* What the sandbox's init gets: environment, working directory, the
 * Landlock plan, the seccomp program. */
static void plan_sandbox(struct run *r, struct bg_sandbox *sb)
{
	const struct bg_run_opts *o = r->o;

	r->envp = build_env(o);
	if (o->workdir) {
		bg_strlcpy(sb->workdir, o->workdir, sizeof(sb->workdir));
		sb->workdir_explicit = true;
	} else if (!getcwd(sb->workdir, sizeof(sb->workdir))) {
		snprintf(sb->workdir, sizeof(sb->workdir), "/");
	}
	sb->exe = r->exe;
	sb->envp = r->envp;
	plan_landlock(sb, r->policy);
	sb->filter = r->prog;
	sb->filter_len = (unsigned short)r->prog_len;
}

/* Signals from here on arrive through the signalfd (*sfd, -1 if none): a
 * ^C during the setup still goes through the cleanup.  Also names the
 * run.  0, or -1 (said). */
static int take_signals(struct run *r, sigset_t *old, int *sfd)
{
	unsigned char rnd[4] = {};
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigprocmask(SIG_BLOCK, &mask, old);
	*sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (*sfd < 0 || getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
		bg_err("run: cannot set up signal handling: %s", strerror(errno));
		return -1;
	}
	snprintf(r->id, sizeof(r->id), "%d-%02x%02x%02x%02x", (int)getpid(), rnd[0], rnd[1], rnd[2], rnd[3]);
	return 0;
}

/* Step 2: the payload's host id, cgroups, limits, the BPF attachment, the
 * audit reader, --learn.  0, or -1 (said; run_teardown() undoes it). */
static int setup(struct run *r, struct bg_sandbox *sb)
{
	const struct bg_run_opts *o = r->o;

	if (!o->user_root && !o->user_nobody && o->uid <= 0 && take_run_id(r))
		return -1;
	{
		uid_t uid;
		gid_t gid;

		payload_ids(r, &uid, &gid);
		warn_unwritable(o, uid);
	}
	if (bg_cgroup2_mount(r->cg2, sizeof(r->cg2)) == 0)
		run_sweep_stale(r->cg2);
	if (run_setup_cgroups(r))
		return -1;
	bg_phase("run: cgroups made");
	/* before the clone: the fresh audit session it starts is inherited */
	run_audit_open(r);
	if (r->via[RES_MEMORY] == VIA_RLIMIT)
		sb->rlimit_data = o->memory;
	if (r->via[RES_PIDS] == VIA_RLIMIT) {
		uid_t uid;
		gid_t gid;

		/* The kernel exempts the host's root user from RLIMIT_NPROC
		 * (whatever the user namespace says): a limit that would not
		 * hold is refused, not pretended. */
		payload_ids(r, &uid, &gid);
		if (uid == 0) {
			if (o->pids_default)
				bg_err("run: --user root: no pids controller here (cgroup v2 or v1), and RLIMIT_NPROC "
				       "does not bind host root, so the default pids limit (%d) cannot hold; drop "
				       "--user root, or add --pids max to run without one", BG_RUN_DEFAULT_PIDS);
			else
				bg_err("run: --pids: no pids controller here (cgroup v2 or v1), and RLIMIT_NPROC does "
				       "not bind a payload mapped to host root; drop --user root");
			return -1;
		}
		sb->rlimit_nproc = o->pids;
	}
	return 0;
}

/* Step 3b, while init sets the sandbox up: the BPF side, the audit
 * socket, --learn; then the payload may exec.  The two overlap: ~1 ms of
 * attach, recorder and audit work is no longer on the start-up path. */
static int setup_bpf(struct run *r)
{
	const struct bg_run_opts *o = r->o;
	struct bg_diag d = {};

	if (!o->no_bpf) {
		struct bg_attach_req req = {
			.policy = r->policy, .source = r->source, .cgroup = r->payload_cg, .mode = o->mode,
			.fallback = BG_FALLBACK_AUDIT, .target = BG_TARGET_SECCOMP,
			.escape_guard = o->user_root, .keep_state = &r->bpf_state,
		};

		if (bg_attach_policy(&req, NULL))
			return -1;
		r->bpf_state_open = true;
		bg_phase("run: attached");
		r->attached = true;
		struct bg_diag diag = {};

		if (bg_recorder_open(&r->rec, &diag)) {
			bg_err("run: %s", diag.msg);
			return -1;
		}
		r->recording = true;
		r->realtime_to_boot = -bg_boot_to_realtime_offset();
	}
	bg_phase("run: recorder open");
	/* --learn: count every call of the payload cgroup in the kernel (the
	 * filter runs first, so only what it lets through is seen; --learn
	 * defaults to --mode audit, where everything runs) */
	if (o->learn_out && bg_learn_start(&r->learn, r->payload_cg, r->payload_cgid, &d)) {
		bg_err("run: --learn: %s", d.msg);
		return -1;
	}
	if (r->learn && bg_learn_hint_exe(r->learn, r->exe)) {
		bg_err("run: --learn: out of memory");
		return -1;
	}
	if (write(r->go_fd, "g", 1) != 1) {
		bg_err("run: cannot start the payload: %s", strerror(errno));
		return -1;
	}
	close(r->go_fd);
	r->go_fd = -1;
	return 0;
}

/* Step 4, after the wait: what init and the payload reported, the late
 * audit records, the outcome. */
static void collect(struct run *r, struct outcome *out)
{
	if (r->lerr_fd >= 0 && read(r->lerr_fd, &r->lerr, sizeof(r->lerr)) == sizeof(r->lerr))
		r->have_lerr = true;
	if (r->status_fd >= 0 && read(r->status_fd, &r->payload_status, sizeof(int)) == sizeof(int))
		r->have_payload_status = true;
	/* late audit records (kauditd delivers asynchronously) */
	run_audit_sync(r);
	bg_phase("run: audit synced");
	decide(r, out);
}

/* --learn: the learned policy into its file; the exit code, made an error
 * if writing failed on an otherwise clean run. */
static int write_learned(struct run *r, int code)
{
	const struct bg_run_opts *o = r->o;
	struct bg_diag d = {};
	char lname[64];
	const char *base = strrchr(r->exe, '/') ? strrchr(r->exe, '/') + 1 : r->exe;

	/* the policy is named after the program: learned-<name> */
	snprintf(lname, sizeof(lname), "learned-%.40s", base);
	for (char *c = lname; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_')
			*c = '-';
	if (bg_learn_stop_write(r->learn, o->learn_out, lname, &d)) {
		bg_err("run: --learn: %s", d.msg);
		if (code == 0)
			code = BG_RUN_EXIT_ERROR;
	} else if (!o->json) {
		fprintf(stderr, "bpfguard: run: learned %u syscalls (%llu calls) into %s\n",
			bg_learn_syscalls(r->learn), (unsigned long long)bg_learn_calls(r->learn), o->learn_out);
	}
	return code;
}

/* Everything a run holds once its cgroups are gone. */
static void release(struct run *r, struct bg_sandbox *sb, int sfd, const sigset_t *old)
{
	if (sfd >= 0)
		close(sfd);
	if (r->audit_fd >= 0)
		close(r->audit_fd);
	if (r->lerr_fd >= 0)
		close(r->lerr_fd);
	if (r->status_fd >= 0)
		close(r->status_fd);
	if (r->go_fd >= 0)
		close(r->go_fd);
	if (r->id_lock_fd >= 0)
		close(r->id_lock_fd); /* the id is free again once init is gone too */
	sigprocmask(SIG_SETMASK, old, NULL);
	bg_recorder_close(&r->rec);
	bg_learn_free(r->learn); /* detaches if a failure left it running */
	if (sb->exe_fd >= 0)
		close(sb->exe_fd);
	if (r->filter)
		seccomp_release(r->filter);
	bg_policy_free(r->policy);
	free(r->policy_text);
	free(r->envp);
	free(r->den);
	free(r->prog);
}

int bg_run(const struct bg_run_opts *opts)
{
	struct bg_run_opts oo = *opts, *o = &oo;
	struct run r = { .o = o, .audit_fd = -1, .kill_nr = -1, .lerr_fd = -1, .status_fd = -1, .go_fd = -1, .id_lock_fd = -1 };
	struct bg_sandbox sb = { .o = o, .exe_fd = -1 };
	struct outcome out;
	sigset_t old;
	int sfd = -1, code;

	clock_gettime(CLOCK_MONOTONIC, &r.t0);
	bg_phase("run: start");
	/* 1. input, nothing created yet */
	code = check_input(&r, &sb, o);
	if (code) {
		free(r.policy_text); /* the rest was freed where it failed */
		return code;
	}
	code = BG_RUN_EXIT_ERROR;
	plan_sandbox(&r, &sb);
	if (take_signals(&r, &old, &sfd))
		goto out;

	/* 2. the payload's host id, cgroups, limits, the BPF attachment */
	bg_phase("run: input checked");
	if (setup(&r, &sb))
		goto out;

	/* 3. launch; the BPF side while init sets up */
	if (launch(&r, &sb, sfd) || setup_bpf(&r))
		goto out;

	/* 4. wait */
	bg_phase("run: BPF side up, payload released");
	wait_loop(&r, sfd);
	bg_phase("run: payload exited");
	collect(&r, &out);
	code = out.code;
	if (r.learn)
		code = write_learned(&r, code);
	run_teardown(&r);
	bg_phase("run: torn down");
	if (out.line[0])
		bg_err("%s", out.line);
	if (o->json)
		print_json(&r, &sb, &out, now_ms(&r.t0));
	release(&r, &sb, sfd, &old);
	bg_phase("run: released");
	return code;
out:
	run_teardown(&r);
	release(&r, &sb, sfd, &old);
	return code;
}

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * groups.c - named syscall groups ("@basic-io", ...).
 *
 * The vocabulary is systemd's SystemCallFilter= groups, because that is
 * what operators already know; the contents follow systemd's lists,
 * restricted to the two x86 ABIs we have tables for.  Members are x86_64
 * names plus the i386-only spellings of the same operations (mmap2,
 * _llseek, fcntl64, ...): a member that does not exist in an ABI is skipped
 * when the group is expanded for that ABI.  A unit test checks that every
 * member resolves in at least one ABI, so a typo cannot hide here.
 *
 * bpfguard adds @memory, @go-runtime and @go-net.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "policy.h"
#include "syscalls.h"

struct group {
	const char *name; /* without '@' */
	const char *help;
	const char *const *members;
};

#define MEMBERS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const struct group groups[] = {
	{ "@default", "calls every program needs: process start/exit, ids, time, futex",
	  MEMBERS("arch_prctl", "brk", "clock_getres", "clock_getres_time64",
		  "clock_gettime", "clock_gettime64", "clock_nanosleep",
		  "clock_nanosleep_time64", "execve", "exit", "exit_group", "futex",
		  "futex_time64", "futex_waitv", "futex_wait", "futex_wake",
		  "futex_requeue", "get_robust_list", "get_thread_area", "getegid",
		  "getegid32", "geteuid", "geteuid32", "getgid", "getgid32",
		  "getgroups", "getgroups32", "getpgid", "getpgrp", "getpid",
		  "getppid", "getrandom", "getresgid", "getresgid32", "getresuid",
		  "getresuid32", "getrlimit", "getsid", "gettid", "gettimeofday",
		  "getuid", "getuid32", "membarrier", "mmap", "mmap2", "munmap",
		  "nanosleep", "pause", "prlimit64", "restart_syscall", "rseq",
		  "rt_sigreturn", "sched_getaffinity", "sched_yield",
		  "set_robust_list", "set_thread_area", "set_tid_address",
		  "sigreturn", "time", "ugetrlimit") },
	{ "@basic-io", "read, write, seek and close file descriptors",
	  MEMBERS("_llseek", "close", "close_range", "dup", "dup2", "dup3", "lseek",
		  "pread64", "preadv", "preadv2", "pwrite64", "pwritev", "pwritev2",
		  "read", "readv", "write", "writev") },
	{ "@file-system", "open, stat, create, rename, remove files; xattrs; inotify",
	  MEMBERS("access", "chdir", "chmod", "close", "creat", "faccessat",
		  "faccessat2", "fallocate", "fchdir", "fchmod", "fchmodat",
		  "fchmodat2", "fcntl", "fcntl64", "fgetxattr", "flistxattr",
		  "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64",
		  "fstatfs", "fstatfs64", "ftruncate", "ftruncate64", "futimesat",
		  "getcwd", "getdents", "getdents64", "getxattr", "getxattrat",
		  "inotify_add_watch", "inotify_init", "inotify_init1",
		  "inotify_rm_watch", "lgetxattr", "link", "linkat", "listxattr",
		  "listxattrat", "llistxattr", "lremovexattr", "lsetxattr", "lstat",
		  "lstat64", "mkdir", "mkdirat", "mknod", "mknodat", "mmap", "mmap2",
		  "munmap", "newfstatat", "open", "openat", "openat2", "readlink",
		  "readlinkat", "removexattr", "removexattrat", "rename", "renameat",
		  "renameat2", "rmdir", "setxattr", "setxattrat", "stat", "stat64",
		  "statfs", "statfs64", "statx", "symlink", "symlinkat", "truncate",
		  "truncate64", "unlink", "unlinkat", "utime", "utimensat",
		  "utimensat_time64", "utimes", "file_getattr", "file_setattr") },
	{ "@io-event", "event loops: select, poll, epoll, eventfd",
	  MEMBERS("_newselect", "epoll_create", "epoll_create1", "epoll_ctl",
		  "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait",
		  "epoll_wait_old", "eventfd", "eventfd2", "poll", "ppoll",
		  "ppoll_time64", "pselect6", "pselect6_time64", "select") },
	{ "@ipc", "pipes, SysV IPC, POSIX message queues, memfd, cross-process memory",
	  MEMBERS("ipc", "memfd_create", "mq_getsetattr", "mq_notify", "mq_open",
		  "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend",
		  "mq_timedsend_time64", "mq_unlink", "msgctl", "msgget", "msgrcv",
		  "msgsnd", "pipe", "pipe2", "process_madvise", "process_vm_readv",
		  "process_vm_writev", "semctl", "semget", "semop", "semtimedop",
		  "semtimedop_time64", "shmat", "shmctl", "shmdt", "shmget") },
	{ "@network-io", "sockets: create, connect, listen, send, receive",
	  MEMBERS("accept", "accept4", "bind", "connect", "getpeername",
		  "getsockname", "getsockopt", "listen", "recvfrom", "recvmmsg",
		  "recvmmsg_time64", "recvmsg", "sendmmsg", "sendmsg", "sendto",
		  "setsockopt", "shutdown", "socket", "socketcall", "socketpair") },
	{ "@process", "create, signal, wait for and reconfigure processes and threads",
	  MEMBERS("capget", "clone", "clone3", "execveat", "fork", "getrusage",
		  "kill", "pidfd_open", "pidfd_send_signal", "prctl",
		  "rt_sigqueueinfo", "rt_tgsigqueueinfo", "setns", "tgkill", "times",
		  "tkill", "unshare", "vfork", "wait4", "waitid", "waitpid") },
	{ "@signal", "signal handlers, masks and signalfd",
	  MEMBERS("rt_sigaction", "rt_sigpending", "rt_sigprocmask",
		  "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
		  "sigaction", "sigaltstack", "signal", "signalfd", "signalfd4",
		  "sigpending", "sigprocmask", "sigsuspend") },
	{ "@memory", "map, protect, advise and lock memory (bpfguard group)",
	  MEMBERS("brk", "mmap", "mmap2", "munmap", "mremap", "mprotect", "madvise",
		  "mincore", "msync", "mlock", "mlock2", "munlock", "mlockall",
		  "munlockall", "pkey_alloc", "pkey_free", "pkey_mprotect",
		  "membarrier", "map_shadow_stack", "mseal") },
	{ "@sync", "flush files and file systems to storage",
	  MEMBERS("fdatasync", "fsync", "msync", "sync", "sync_file_range",
		  "syncfs") },
	{ "@timer", "interval timers, POSIX timers, timerfd",
	  MEMBERS("alarm", "getitimer", "setitimer", "timer_create",
		  "timer_delete", "timer_getoverrun", "timer_gettime",
		  "timer_gettime64", "timer_settime", "timer_settime64",
		  "timerfd_create", "timerfd_gettime", "timerfd_gettime64",
		  "timerfd_settime", "timerfd_settime64", "times") },
	{ "@clock", "set the system clock",
	  MEMBERS("adjtimex", "clock_adjtime", "clock_adjtime64", "clock_settime",
		  "clock_settime64", "settimeofday", "stime") },
	{ "@resources", "change scheduling, NUMA placement, priorities and limits",
	  MEMBERS("ioprio_set", "mbind", "migrate_pages", "move_pages", "nice",
		  "sched_setaffinity", "sched_setattr", "sched_setparam",
		  "sched_setscheduler", "set_mempolicy", "set_mempolicy_home_node",
		  "setpriority", "setrlimit") },
	{ "@credentials", "query user, group and capability credentials",
	  MEMBERS("capget", "getegid", "getegid32", "geteuid", "geteuid32",
		  "getgid", "getgid32", "getgroups", "getgroups32", "getresgid",
		  "getresgid32", "getresuid", "getresuid32", "getuid", "getuid32") },
	{ "@setuid", "change user and group ids",
	  MEMBERS("setgid", "setgid32", "setgroups", "setgroups32", "setregid",
		  "setregid32", "setresgid", "setresgid32", "setresuid",
		  "setresuid32", "setreuid", "setreuid32", "setuid", "setuid32") },
	{ "@chown", "change file ownership",
	  MEMBERS("chown", "chown32", "fchown", "fchown32", "fchownat", "lchown",
		  "lchown32") },
	{ "@mount", "mount, unmount, pivot_root and the new mount API",
	  MEMBERS("chroot", "fsconfig", "fsmount", "fsopen", "fspick", "mount",
		  "mount_setattr", "move_mount", "open_tree", "open_tree_attr",
		  "pivot_root", "umount", "umount2", "statmount", "listmount") },
	{ "@module", "load and unload kernel modules",
	  MEMBERS("delete_module", "finit_module", "init_module") },
	{ "@raw-io", "raw I/O port access",
	  MEMBERS("ioperm", "iopl") },
	{ "@reboot", "reboot and kexec",
	  MEMBERS("kexec_file_load", "kexec_load", "reboot") },
	{ "@swap", "enable and disable swap",
	  MEMBERS("swapoff", "swapon") },
	{ "@debug", "ptrace, perf and other ways to inspect other processes",
	  MEMBERS("lookup_dcookie", "perf_event_open", "pidfd_getfd", "ptrace",
		  "kcmp") },
	{ "@obsolete", "unused or unimplemented historic calls",
	  MEMBERS("_sysctl", "afs_syscall", "bdflush", "break", "create_module",
		  "ftime", "get_kernel_syms", "getpmsg", "gtty", "idle", "lock",
		  "mpx", "oldfstat", "oldlstat", "oldolduname", "oldstat",
		  "olduname", "prof", "profil", "putpmsg", "query_module",
		  "security", "sgetmask", "ssetmask", "stty", "sysfs", "tuxcall",
		  "ulimit", "uselib", "ustat", "vserver") },
	{ "@cpu-emulation", "LDT changes and vm86 mode",
	  MEMBERS("modify_ldt", "vm86", "vm86old") },
	{ "@keyring", "kernel keyring",
	  MEMBERS("add_key", "keyctl", "request_key") },
	{ "@aio", "asynchronous I/O, including io_uring (which bypasses per-call checks)",
	  MEMBERS("io_cancel", "io_destroy", "io_getevents", "io_pgetevents",
		  "io_pgetevents_time64", "io_setup", "io_submit", "io_uring_enter",
		  "io_uring_register", "io_uring_setup") },
	{ "@privileged", "calls that need privileges: modules, clock, raw I/O, reboot, swap, bpf, setuid",
	  MEMBERS("@chown", "@clock", "@module", "@raw-io", "@reboot", "@swap",
		  "_sysctl", "acct", "bpf", "capset", "chroot", "fanotify_init",
		  "fanotify_mark", "nfsservctl", "open_by_handle_at", "pivot_root",
		  "quotactl", "quotactl_fd", "setdomainname", "setfsuid",
		  "setfsuid32", "setgroups", "setgroups32", "sethostname",
		  "setresuid", "setresuid32", "setreuid", "setreuid32", "setuid",
		  "setuid32", "vhangup") },
	{ "@system-service", "what a typical service needs (like systemd's, includes @aio)",
	  MEMBERS("@aio", "@basic-io", "@chown", "@credentials", "@default",
		  "@file-system", "@io-event", "@ipc", "@keyring", "@memory",
		  "@network-io", "@process", "@resources", "@setuid", "@signal",
		  "@sync", "@timer", "capset", "copy_file_range", "fadvise64",
		  "fadvise64_64", "flock", "get_mempolicy", "getcpu", "getpriority",
		  "ioctl", "ioprio_get", "kcmp", "name_to_handle_at", "personality",
		  "readahead", "readdir", "sched_get_priority_max",
		  "sched_get_priority_min", "sched_getattr", "sched_getparam",
		  "sched_getscheduler", "sched_rr_get_interval",
		  "sched_rr_get_interval_time64", "sendfile", "sendfile64",
		  "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setpgid",
		  "setsid", "splice", "sysinfo", "tee", "umask", "uname",
		  "userfaultfd", "vmsplice") },
	/* Measured with strace on Debian's Go 1.19 and per the Go runtime
	 * sources for 1.20..1.24 (docs/policy.md has the evidence). */
	{ "@go-runtime", "what a static Go program (1.19..1.24) needs to start, schedule and exit",
	  MEMBERS("arch_prctl",        /* rt0: set FS base for TLS */
		  "clone",             /* new Ms (threads); Go never uses clone3 */
		  "close",             /* closing fds (e.g. after reading THP size) */
		  "execve",            /* the exec that starts the program */
		  "exit",              /* an M exiting (locked goroutine ends) */
		  "exit_group",        /* os.Exit / return from main */
		  "fcntl",             /* os: check/set O_NONBLOCK on std fds */
		  "futex",             /* M park/unpark, notesleep */
		  "getrlimit",         /* Go <= 1.20: RLIMIT_NOFILE / stack */
		  "prlimit64",         /* Go >= 1.21: raise RLIMIT_NOFILE */
		  "gettid",            /* per-M thread id (signals, profiling) */
		  "madvise",           /* scavenger returns memory, THP hints */
		  "mmap",              /* heap arenas, stacks */
		  "munmap",            /* freeing mappings */
		  "mincore",           /* Go <= 1.20 probes physPageSize */
		  "nanosleep",         /* usleep in sysmon and spin loops */
		  "openat",            /* /sys/kernel/mm/transparent_hugepage */
		  "read",              /* reading that file, os.Stdin */
		  "readlinkat",        /* os.Executable (/proc/self/exe) */
		  "fstat",             /* os.File.Stat on std fds */
		  "newfstatat",        /* os.Stat / Lstat */
		  "rt_sigaction",      /* installing the runtime signal handlers */
		  "rt_sigprocmask",    /* signal masks around clone, minit */
		  "rt_sigreturn",      /* returning from any signal handler */
		  "sigaltstack",       /* per-M signal stack (gsignal) */
		  "sched_getaffinity", /* GOMAXPROCS = number of usable CPUs */
		  "sched_yield",       /* osyield in spin locks */
		  "getpid",            /* async preemption: tgkill(getpid(), ...) */
		  "tgkill",            /* async preemption signal (SIGURG) */
		  "uname",             /* kernel version checks (1.20+ on amd64) */
		  "epoll_create1", "epoll_ctl", "epoll_pwait", /* the netpoller: os.File
		                        I/O, time.Sleep timers and os/exec use it,
		                        not only the net package */
		  "epoll_wait",        /* older runtimes */
		  "pipe2",             /* netpoll wakeup, Go <= 1.20 */
		  "eventfd2",          /* netpoll wakeup, Go >= 1.21 */
		  "write") },          /* output, and the runtime's crash messages */
	{ "@go-net", "@go-runtime plus what a Go net/http server or client adds",
	  MEMBERS("@go-runtime",
		  "accept4",       /* net.Listener.Accept */
		  "bind", "listen", "socket", "connect", "shutdown",
		  "setsockopt",    /* SO_REUSEADDR, TCP_NODELAY, keepalive */
		  "getsockopt",    /* SO_ERROR after a non-blocking connect */
		  "getsockname", "getpeername",
		  "sendto", "recvfrom", "sendmsg", "recvmsg", /* UDP, DNS */
		  "writev", "readv",
		  "getrandom",     /* crypto/rand, map seeds */
		  "clock_gettime", /* vDSO fallback */
		  "close_range") },
};

#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

static const struct group *find_group(const char *name)
{
	if (!name)
		return NULL;
	if (name[0] == '@')
		name++;
	for (size_t i = 0; i < NGROUPS; i++)
		if (strcmp(groups[i].name + 1, name) == 0)
			return &groups[i];
	return NULL;
}

const char *const *bg_group_members(const char *group)
{
	const struct group *g = find_group(group);
	return g ? g->members : NULL;
}

const char *bg_group_help(const char *group)
{
	const struct group *g = find_group(group);
	return g ? g->help : NULL;
}

static const char *group_names[NGROUPS + 1];
static pthread_once_t group_names_once = PTHREAD_ONCE_INIT;

static void fill_group_names(void)
{
	for (size_t i = 0; i < NGROUPS; i++)
		group_names[i] = groups[i].name;
	group_names[NGROUPS] = NULL;
}

const char *const *bg_group_names(void)
{
	pthread_once(&group_names_once, fill_group_names);
	return group_names;
}

/* Groups nest only a couple of levels today; the limit keeps a future
 * table mistake (or a cycle) from recursing without bound. */
#define GROUP_MAX_DEPTH 8

static int expand(const struct group *g, int abi, unsigned char *set,
		  const struct group **stack, int depth)
{
	if (depth >= GROUP_MAX_DEPTH)
		return -ELOOP;
	for (int i = 0; i < depth; i++)
		if (stack[i] == g)
			return -ELOOP;
	stack[depth] = g;

	int added = 0;
	for (const char *const *m = g->members; *m; m++) {
		if ((*m)[0] == '@') {
			const struct group *sub = find_group(*m);
			if (!sub)
				return -ENOENT;
			int r = expand(sub, abi, set, stack, depth + 1);
			if (r < 0)
				return r;
			added += r;
			continue;
		}
		int nr = bg_syscall_nr(abi, *m);
		if (nr < 0 || set[nr])
			continue; /* not in this ABI, or already there */
		set[nr] = 1;
		added++;
	}
	return added;
}

int bg_group_expand(const char *group, int abi, unsigned char *set)
{
	const struct group *g = find_group(group);
	const struct group *stack[GROUP_MAX_DEPTH];
	if (!g)
		return -ENOENT;
	if (abi < 0 || abi >= BG_NR_TABLES)
		return -EINVAL;
	return expand(g, abi, set, stack, 0);
}

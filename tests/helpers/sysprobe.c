// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sysprobe - makes exactly the syscalls a test asks for, from inside a
 * cgroup, and reports what happened.  Used by tests/integration.
 *
 *   sysprobe [--cgroup DIR] ACTION [ARG] ...
 *
 * Network actions take ADDR PORT and use a fresh socket of ADDR's family
 * (IPv6 if it has a ':'): connect-tcp, connect-udp, bind-tcp, sendto-udp.
 * open-dev PATH r|w|rw, mknod-dev PATH MAJOR MINOR, write-sysctl PATH VALUE,
 * hog MIB (allocate and touch MIB mebibytes), mmap-exec PATH (map a file
 * executable).
 *
 * socket FAMILY TYPE (raw numbers: the type register as given, flags
 * included), setsockopt-reuse (SO_REUSEADDR on a fresh AF_INET socket, then
 * prints "reuseaddr: V" as read back), setsockopt-pre (the same on the
 * socket --socket-before made outside the cgroup).
 *
 * --socket-before (first) makes an AF_INET socket before entering the
 * cgroup: a socket whose cgroup is not the guarded one.
 * --cgroup moves the process into DIR first, so every later syscall is
 * judged by the policy there and nothing else (no shell, no loader) runs
 * inside the cgroup.  Actions run in order; each prints "ACTION: ok" or
 * "ACTION: errno N"; the exit code is the number of failed actions.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "enter_cgroup.h"

static int report(const char *what, long r)
{
	if (r < 0) {
		printf("%s: errno %d\n", what, errno);
		fflush(stdout);
		return 1;
	}
	printf("%s: ok\n", what);
	fflush(stdout);
	return 0;
}

/* int $0x80 takes 32-bit pointers: keep the path in the low 4 GiB. */
static long ia32_mkdir(const char *path)
{
	char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	long ret;

	if (low == MAP_FAILED)
		return -1;
	snprintf(low, 4096, "%s", path);
	/* ia32 39 = mkdir (x86_64 39 is getpid) */
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(39), "b"((uint32_t)(uintptr_t)low), "c"(0755) : "memory", "r8", "r9", "r10", "r11", "cc");
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}

static long ia32_getpid(void)
{
	long ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20) : "memory", "r8", "r9", "r10", "r11", "cc");
	return ret;
}

/* ADDR PORT -> sockaddr; an IPv6 address (has ':') gives AF_INET6. */
static socklen_t make_addr(const char *addr, const char *port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)atoi(port));
		if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1)
			return 0;
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)atoi(port));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) != 1)
		return 0;
	return sizeof(*s4);
}

/* connect / bind / sendto on a fresh socket of the address's family.
 * op: 'c' connect (tcp), 'u' connect (udp), 'b' bind (tcp), 's' sendto (udp). */
static long net_op(char op, const char *addr, const char *port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(addr, port, &ss);
	int type = op == 'c' || op == 'b' ? SOCK_STREAM : SOCK_DGRAM;
	long r;
	int fd;

	if (!len) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(ss.ss_family, type, 0);
	if (fd < 0)
		return -1;
	if (op == 'b') {
		int one = 1;

		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	}
	if (op == 'c' || op == 'u')
		r = connect(fd, (struct sockaddr *)&ss, len);
	else if (op == 'b')
		r = bind(fd, (struct sockaddr *)&ss, len);
	else
		r = sendto(fd, "x", 1, 0, (struct sockaddr *)&ss, len);
	int e = errno;

	close(fd);
	errno = e;
	return r;
}

/* Writes VALUE to a file (a /proc/sys entry); reports the write itself. */
static long write_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY);
	long r;

	if (fd < 0)
		return -1;
	r = write(fd, value, strlen(value));
	int e = errno;

	close(fd);
	errno = e;
	return r;
}

/* SO_REUSEADDR := 1 on fd; then prints what the socket holds. */
static int reuse(const char *what, int fd)
{
	int one = 1, v = -1, failed;
	socklen_t len = sizeof(v);

	failed = report(what, fd < 0 ? -1 : setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
	if (fd >= 0 && getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, &len) == 0)
		printf("reuseaddr: %d\n", v);
	fflush(stdout);
	return failed;
}

int main(int argc, char **argv)
{
	int failed = 0, i = 1, pre = -1;

	if (argc > 1 && !strcmp(argv[1], "--socket-before")) {
		pre = socket(AF_INET, SOCK_STREAM, 0);
		i = 2;
	}
	if (argc > i + 1 && !strcmp(argv[i], "--cgroup")) {
		if (enter_cgroup(argv[i + 1])) {
			fprintf(stderr, "sysprobe: cannot enter cgroup %s: %s\n", argv[i + 1], strerror(errno));
			return 100;
		}
		i += 2;
	}
	for (; i < argc; i++) {
		const char *a = argv[i], *arg = i + 1 < argc ? argv[i + 1] : "";

		if (!strcmp(a, "mkdir")) {
			failed += report(a, mkdir(arg, 0755)), i++;
		} else if (!strcmp(a, "rmdir")) {
			failed += report(a, rmdir(arg)), i++;
		} else if (!strcmp(a, "unlink")) {
			failed += report(a, unlink(arg)), i++;
		} else if (!strcmp(a, "pid")) {
			printf("pid: %d\n", getpid());
			fflush(stdout);
		} else if (!strcmp(a, "getpid")) {
			failed += report(a, getpid());
		} else if (!strcmp(a, "ia32-getpid")) {
			failed += report(a, ia32_getpid());
		} else if (!strcmp(a, "ia32-mkdir")) {
			failed += report(a, ia32_mkdir(arg)), i++;
		} else if (!strcmp(a, "x32-getpid")) {
			failed += report(a, syscall(0x40000000 | SYS_getpid));
		} else if (!strcmp(a, "socket")) {
			/* socket FAMILY TYPE: raw register values */
			long fam = strtol(arg, NULL, 0), type = i + 2 < argc ? strtol(argv[i + 2], NULL, 0) : 0;
			int fd = (int)syscall(SYS_socket, fam, type, 0);

			failed += report(a, fd);
			if (fd >= 0)
				close(fd);
			i += 2;
		} else if (!strcmp(a, "setsockopt-reuse")) {
			int fd = socket(AF_INET, SOCK_STREAM, 0);

			failed += reuse(a, fd);
			if (fd >= 0)
				close(fd);
		} else if (!strcmp(a, "setsockopt-pre")) {
			failed += reuse(a, pre);
		} else if (!strcmp(a, "socket-inet")) {
			int fd = socket(AF_INET, SOCK_DGRAM, 0);

			failed += report(a, fd);
			if (fd >= 0)
				close(fd);
		} else if (!strcmp(a, "socket-unix")) {
			int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

			failed += report(a, fd);
			if (fd >= 0)
				close(fd);
		} else if (!strcmp(a, "socket-inet6")) {
			int fd = socket(AF_INET6, SOCK_DGRAM, 0);

			failed += report(a, fd);
			if (fd >= 0)
				close(fd);
		} else if (!strcmp(a, "socket-inet-raw")) {
			int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);

			failed += report(a, fd);
			if (fd >= 0)
				close(fd);
		} else if (!strcmp(a, "connect-tcp") || !strcmp(a, "connect-udp") ||
			   !strcmp(a, "bind-tcp") || !strcmp(a, "sendto-udp")) {
			/* ADDR PORT; IPv6 when ADDR has a ':' (::ffff:a.b.c.d = mapped) */
			char op = a[0] == 'b' ? 'b' : a[0] == 's' ? 's' : a[8] == 't' ? 'c' : 'u';
			const char *port = i + 2 < argc ? argv[i + 2] : "0";

			failed += report(a, net_op(op, arg, port));
			i += 2;
		} else if (!strcmp(a, "open-dev")) {
			/* PATH MODE: r, w or rw */
			const char *m = i + 2 < argc ? argv[i + 2] : "r";
			int flags = !strcmp(m, "rw") ? O_RDWR : !strcmp(m, "w") ? O_WRONLY : O_RDONLY;
			int fd = open(arg, flags);

			failed += report(a, fd);
			if (fd >= 0)
				close(fd);
			i += 2;
		} else if (!strcmp(a, "mknod-dev")) {
			/* PATH MAJOR MINOR: a character device node */
			unsigned mj = i + 2 < argc ? (unsigned)atoi(argv[i + 2]) : 1;
			unsigned mn = i + 3 < argc ? (unsigned)atoi(argv[i + 3]) : 3;

			failed += report(a, mknod(arg, S_IFCHR | 0600, makedev(mj, mn)));
			i += 3;
		} else if (!strcmp(a, "write-sysctl")) {
			/* PATH VALUE */
			failed += report(a, write_file(arg, i + 2 < argc ? argv[i + 2] : ""));
			i += 2;
		} else if (!strcmp(a, "read-file")) {
			char buf[256];
			int fd = open(arg, O_RDONLY);
			long n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));

			failed += report(a, n);
			if (fd >= 0)
				close(fd);
			i++;
		} else if (!strcmp(a, "unshare-user")) {
			failed += report(a, unshare(CLONE_NEWUSER));
		} else if (!strcmp(a, "ptrace-traceme")) {
			failed += report(a, ptrace(PTRACE_TRACEME, 0, NULL, NULL));
		} else if (!strcmp(a, "repeat-mkdir")) {
			/* mkdir N times on an existing path: each call is a
			 * denial-worthy syscall that fails harmlessly with EEXIST */
			long n = strtol(arg, NULL, 10);

			for (long k = 0; k < n; k++)
				mkdir("/", 0755);
			i++;
			printf("repeat-mkdir: done %ld\n", n);
		} else if (!strcmp(a, "mmap-exec")) {
			/* mmap-exec PATH: map the file's first page executable */
			int fd = open(arg, O_RDONLY);
			void *m = fd < 0 ? MAP_FAILED : mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);

			failed += report(a, m == MAP_FAILED ? -1 : 0);
			if (m != MAP_FAILED)
				munmap(m, 4096);
			if (fd >= 0)
				close(fd);
			i++;
		} else if (!strcmp(a, "hog")) {
			/* hog MIB: allocate and touch MIB mebibytes, kept */
			long mib = strtol(arg, NULL, 10);

			for (long m = 0; m < mib; m++) {
				char *b = malloc(1 << 20);

				if (!b) {
					failed += report(a, -1);
					break;
				}
				for (int off = 0; off < (1 << 20); off += 4096)
					b[off] = 1;
				if (m + 1 == mib)
					failed += report(a, 0);
			}
			i++;
		} else if (!strcmp(a, "sleep")) {
			usleep((useconds_t)(strtod(arg, NULL) * 1e6));
			i++;
		} else if (!strcmp(a, "connect4")) {
			/* connect4 ADDR PORT: TCP connect, then close */
			struct sockaddr_in sin = { .sin_family = AF_INET };
			int fd = socket(AF_INET, SOCK_STREAM, 0);
			const char *port = i + 2 < argc ? argv[i + 2] : "0";

			sin.sin_port = htons((uint16_t)atoi(port));
			inet_pton(AF_INET, arg, &sin.sin_addr);
			failed += report(a, fd < 0 ? -1 : connect(fd, (struct sockaddr *)&sin, sizeof(sin)));
			if (fd >= 0)
				close(fd);
			i += 2;
		} else if (!strcmp(a, "rename")) {
			/* rename FROM TO */
			const char *to = i + 2 < argc ? argv[i + 2] : "";

			failed += report(a, rename(arg, to));
			i += 2;
		} else if (!strcmp(a, "open-write")) {
			int fd = open(arg, O_WRONLY | O_TRUNC);

			failed += report(a, fd);
			if (fd >= 0)
				close(fd);
			i++;
		} else if (!strcmp(a, "io-uring-setup")) {
			/* struct io_uring_params is 120 bytes of zeros for a plain ring */
			unsigned char params[120] = { 0 };
			long fd = syscall(425 /* io_uring_setup */, 4, params);

			failed += report(a, fd);
			if (fd >= 0)
				close((int)fd);
		} else if (!strcmp(a, "try-exec")) {
			/* execve ARG; reports only if it failed (success replaces us) */
			char *const av[] = { (char *)arg, NULL };

			execv(arg, av);
			failed += report(a, -1);
			i++;
		} else if (!strcmp(a, "exec")) {
			/* exec the rest of argv */
			execv(argv[i + 1], &argv[i + 1]);
			return report("exec", -1) + 100;
		} else {
			fprintf(stderr, "sysprobe: unknown action %s\n", a);
			return 100;
		}
	}
	return failed;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * uring - does file operations through io_uring, with raw syscalls (no
 * liburing), so the tests can check that a policy denying unlinkat or
 * openat also holds when the same operation arrives as an io_uring opcode.
 *
 *   uring [--cgroup DIR] unlinkat PATH     IORING_OP_UNLINKAT
 *   uring [--cgroup DIR] openat PATH       IORING_OP_OPENAT, O_CREAT|O_WRONLY
 *
 * Prints "setup: errno N" if io_uring_setup fails, else "ACTION: ok" or
 * "ACTION: errno N" with the operation's result.  Exit 0 if the operation
 * ran, 1 if it failed, 2 if the ring could not be made, 3 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "enter_cgroup.h"

int main(int argc, char **argv)
{
	struct io_uring_params p;
	struct io_uring_sqe *sqes, *sqe;
	struct io_uring_cqe *cqe;
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	void *sq, *cq;
	size_t sqlen, cqlen;
	const char *act, *path;
	int fd, ret;

	if (argc > 2 && !strcmp(argv[1], "--cgroup")) {
		if (enter_cgroup(argv[2])) {
			perror("enter cgroup");
			return 3;
		}
		argc -= 2;
		argv += 2;
	}
	if (argc != 3 || (strcmp(argv[1], "unlinkat") && strcmp(argv[1], "openat"))) {
		fprintf(stderr, "usage: uring [--cgroup DIR] unlinkat|openat PATH\n");
		return 3;
	}
	act = argv[1];
	path = argv[2];

	memset(&p, 0, sizeof(p));
	fd = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (fd < 0) {
		printf("setup: errno %d\n", errno);
		fflush(stdout);
		return 2;
	}
	sqlen = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	cqlen = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	sq = mmap(NULL, sqlen, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
	cq = mmap(NULL, cqlen, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_CQ_RING);
	sqes = mmap(NULL, p.sq_entries * sizeof(*sqes), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		    fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED) {
		printf("mmap: errno %d\n", errno);
		return 2;
	}
	sq_tail = (unsigned *)((char *)sq + p.sq_off.tail);
	sq_mask = (unsigned *)((char *)sq + p.sq_off.ring_mask);
	sq_array = (unsigned *)((char *)sq + p.sq_off.array);
	cq_head = (unsigned *)((char *)cq + p.cq_off.head);
	cq_tail = (unsigned *)((char *)cq + p.cq_off.tail);
	cq_mask = (unsigned *)((char *)cq + p.cq_off.ring_mask);

	sqe = &sqes[0];
	memset(sqe, 0, sizeof(*sqe));
	sqe->fd = AT_FDCWD;
	sqe->addr = (unsigned long)path;
	if (!strcmp(act, "unlinkat")) {
		sqe->opcode = IORING_OP_UNLINKAT;
	} else {
		sqe->opcode = IORING_OP_OPENAT;
		sqe->open_flags = O_CREAT | O_WRONLY | O_CLOEXEC;
		sqe->len = 0644; /* mode */
	}
	sq_array[*sq_tail & *sq_mask] = 0;
	__atomic_store_n(sq_tail, *sq_tail + 1, __ATOMIC_RELEASE);

	ret = (int)syscall(__NR_io_uring_enter, fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0);
	if (ret < 0) {
		printf("enter: errno %d\n", errno);
		return 2;
	}
	if (__atomic_load_n(cq_tail, __ATOMIC_ACQUIRE) == *cq_head) {
		printf("%s: no completion\n", act);
		return 2;
	}
	cqe = (struct io_uring_cqe *)((char *)cq + p.cq_off.cqes) + (*cq_head & *cq_mask);
	if (cqe->res < 0) {
		printf("%s: errno %d\n", act, -cqe->res);
		return 1;
	}
	printf("%s: ok\n", act);
	return 0;
}

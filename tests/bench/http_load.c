// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * http_load.c - the HTTP load generator of scripts/bench-proxy (wrk and ab
 * are not installed, and the benchmark must not need the network): N
 * connections, one thread each, GET the same path for S seconds, keep-alive
 * when the server keeps the connection (HTTP/1.1 without "Connection:
 * close"), a new connection otherwise or with --close.  Bodies are read and
 * discarded.  Prints one line: requests=N ok=N bytes=B seconds=S errors=E.
 * Built by scripts/bench-proxy with cc -O2; not part of the CMake build.
 *
 *   http_load HOST PORT PATH CONNS SECONDS [--close]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *host, *path;
static int port;
static bool force_close;
static double deadline;
static atomic_ullong n_req, n_ok, n_bytes, n_err;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dial(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	inet_pton(AF_INET, host, &a.sin_addr);
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One request on fd: 1 ok and the connection stays, 0 ok and it closes,
 * -1 error. */
static int one(int fd, char *buf, size_t buflen, const char *req, size_t reqlen)
{
	size_t have = 0, hl;
	long long clen = -1, got;
	char *e;
	int status;
	bool close_after;

	if (send(fd, req, reqlen, MSG_NOSIGNAL) != (ssize_t)reqlen)
		return -1;
	for (;;) {
		ssize_t n = recv(fd, buf + have, buflen - 1 - have, 0);

		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = '\0';
		if ((e = strstr(buf, "\r\n\r\n")))
			break;
		if (have >= buflen - 1)
			return -1;
	}
	hl = (size_t)(e + 4 - buf);
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
		return -1;
	close_after = force_close || !strncmp(buf, "HTTP/1.0", 8);
	for (char *l = strstr(buf, "\r\n"); l && l < e; l = strstr(l + 2, "\r\n")) {
		if (!strncasecmp(l + 2, "Content-Length:", 15))
			clen = atoll(l + 17);
		if (!strncasecmp(l + 2, "Connection: close", 17))
			close_after = true;
		if (!strncasecmp(l + 2, "Connection: keep-alive", 22) && strncmp(buf, "HTTP/1.0", 8) == 0 && !force_close)
			close_after = false;
	}
	got = (long long)(have - hl);
	while (clen < 0 || got < clen) {
		ssize_t n = recv(fd, buf, buflen, 0);

		if (n < 0)
			return -1;
		if (n == 0) {
			if (clen < 0)
				break;
			return -1;
		}
		got += n;
	}
	atomic_fetch_add(&n_bytes, (unsigned long long)got);
	atomic_fetch_add(&n_req, 1);
	if (status == 200)
		atomic_fetch_add(&n_ok, 1);
	return clen < 0 || close_after ? 0 : 1;
}

static void *worker(void *arg)
{
	size_t buflen = 1 << 20;
	char *buf = malloc(buflen), req[2048];
	int fd = -1, reqlen;

	(void)arg;
	reqlen = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s:%d\r\n%s\r\n", path, host, port,
			  force_close ? "Connection: close\r\n" : "");
	while (now() < deadline) {
		int r;

		if (fd < 0 && (fd = dial()) < 0) {
			atomic_fetch_add(&n_err, 1);
			usleep(1000);
			continue;
		}
		r = one(fd, buf, buflen, req, (size_t)reqlen);
		if (r < 0)
			atomic_fetch_add(&n_err, 1);
		if (r <= 0) {
			close(fd);
			fd = -1;
		}
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[256];
	int conns;
	double t0, secs;

	if (argc < 6) {
		fprintf(stderr, "usage: http_load HOST PORT PATH CONNS SECONDS [--close]\n");
		return 2;
	}
	host = argv[1];
	port = atoi(argv[2]);
	path = argv[3];
	conns = atoi(argv[4]);
	if (conns < 1 || conns > 256)
		conns = 1;
	force_close = argc > 6 && !strcmp(argv[6], "--close");
	t0 = now();
	deadline = t0 + atof(argv[5]);
	for (int i = 0; i < conns; i++)
		pthread_create(&th[i], NULL, worker, NULL);
	for (int i = 0; i < conns; i++)
		pthread_join(th[i], NULL);
	secs = now() - t0;
	printf("requests=%llu ok=%llu bytes=%llu seconds=%.3f errors=%llu\n", (unsigned long long)n_req,
	       (unsigned long long)n_ok, (unsigned long long)n_bytes, secs, (unsigned long long)n_err);
	return 0;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * landlock.c - the Landlock layer of `bpfguard run` (landlock.h).
 *
 * The structures and constants are spelled out here rather than taken
 * from <linux/landlock.h>: Debian 12's headers stop at ABI 3, and the
 * kernels this runs on go up to ABI 7.  They are the kernel's UAPI
 * (include/uapi/linux/landlock.h), which only grows.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock.h"
#include "util.h"

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif

/* UAPI: struct landlock_ruleset_attr (ABI 1: fs, 4: net, 6: scoped) */
struct bg_ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

/* UAPI: struct landlock_path_beneath_attr (packed) */
struct bg_ll_path_beneath {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

/* UAPI: struct landlock_net_port_attr */
struct bg_ll_net_port {
	uint64_t allowed_access;
	uint64_t port;
};

enum { BG_LL_RULE_PATH_BENEATH = 1, BG_LL_RULE_NET_PORT = 2 };
#define BG_LL_CREATE_VERSION (1U << 0)

#define FS_EXECUTE (1ULL << 0)
#define FS_WRITE_FILE (1ULL << 1)
#define FS_READ_FILE (1ULL << 2)
#define FS_READ_DIR (1ULL << 3)
#define FS_REFER (1ULL << 13)      /* ABI 2 */
#define FS_TRUNCATE (1ULL << 14)   /* ABI 3 */
#define FS_IOCTL_DEV (1ULL << 15)  /* ABI 5 */
/* the rights a rule on a file (not a directory) may carry */
#define FS_FILE_RIGHTS (FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV)
#define NET_BIND_TCP (1ULL << 0)    /* ABI 4 */
#define NET_CONNECT_TCP (1ULL << 1) /* ABI 4 */
#define SCOPE_ABSTRACT_UNIX (1ULL << 0) /* ABI 6 */
#define SCOPE_SIGNAL (1ULL << 1)        /* ABI 6 */

int bg_landlock_abi(void)
{
	long v = syscall(__NR_landlock_create_ruleset, NULL, 0, BG_LL_CREATE_VERSION);

	return v > 0 ? (int)v : 0;
}

void bg_landlock_init(struct bg_landlock *ll, int abi)
{
	memset(ll, 0, sizeof(*ll));
	ll->abi = abi;
	if (abi <= 0)
		return;
	/* every right this ABI knows: denied unless a rule grants it */
	ll->fs_handled = abi >= 5 ? (1ULL << 16) - 1 : abi >= 3 ? (1ULL << 15) - 1 :
			 abi == 2 ? (1ULL << 14) - 1 : (1ULL << 13) - 1;
	if (abi >= 6)
		ll->scoped = SCOPE_ABSTRACT_UNIX | SCOPE_SIGNAL;
}

int bg_landlock_add(struct bg_landlock *ll, const char *path, int kind)
{
	if (ll->nrules == BG_LL_MAX_RULES)
		return -1;
	ll->rule[ll->nrules++] = (struct bg_ll_rule){ .path = path, .kind = kind };
	return 0;
}

/* Does the direction allow a TCP connect/bind to port for some address?
 * Rules in order, first match wins; a deny of every address of a family
 * (prefix 0) ends that family for the rules after it. */
static bool port_reachable(const struct bg_net_policy *n, const struct bg_netdir *d, unsigned port)
{
	bool gone4 = !(n->families & (1ULL << 2)), gone6 = !(n->families & (1ULL << 10));

	for (unsigned i = 0; i < d->nrules && !(gone4 && gone6); i++) {
		const struct bg_netrule *r = &d->rule[i];

		if ((r->proto && r->proto != 6) || port < r->port_lo || port > r->port_hi)
			continue;
		if (r->action == BG_NET_ALLOW) {
			if ((r->family != 6 && !gone4) || (r->family != 4 && !gone6))
				return true;
			continue;
		}
		if (r->family == 0 || (r->family == 4 && r->prefix == 0))
			gone4 = true;
		if (r->family == 0 || (r->family == 6 && r->prefix == 0))
			gone6 = true;
	}
	return bg_net_dir_default(d) == BG_NET_ALLOW && !(gone4 && gone6);
}

void bg_landlock_plan_net(struct bg_landlock *ll, const struct bg_policy *p)
{
	static const int dirs[2] = { BG_NET_CONNECT, BG_NET_BIND };
	static const uint64_t right[2] = { NET_CONNECT_TCP, NET_BIND_TCP };

	for (int k = 0; k < 2; k++) {
		const struct bg_netdir *d = &p->net.dir[dirs[k]];
		unsigned bounds[2 * BG_NET_MAX_RULES + 2], nb = 0, allowed = 0;

		ll->nport[k] = 0;
		if (ll->abi < 4) {
			snprintf(ll->net_what[k], sizeof(ll->net_what[k]), "not restricted (Landlock ABI %d < 4)", ll->abi);
			continue;
		}
		if (!p->net.present) {
			snprintf(ll->net_what[k], sizeof(ll->net_what[k]), "not restricted (the policy has no net section)");
			continue;
		}
		/* the answer only changes at rule boundaries: judge one port
		 * per interval */
		bounds[nb++] = 0;
		for (unsigned i = 0; i < d->nrules; i++) {
			bounds[nb++] = d->rule[i].port_lo;
			bounds[nb++] = (unsigned)d->rule[i].port_hi + 1;
		}
		bounds[nb++] = 65536;
		for (unsigned i = 1; i < nb; i++) /* insertion sort: at most 66 */
			for (unsigned j = i; j > 0 && bounds[j - 1] > bounds[j]; j--) {
				unsigned t = bounds[j];

				bounds[j] = bounds[j - 1];
				bounds[j - 1] = t;
			}
		for (unsigned i = 0; i + 1 < nb; i++)
			if (bounds[i] < bounds[i + 1] && port_reachable(&p->net, d, bounds[i]))
				allowed += bounds[i + 1] - bounds[i];
		if (allowed == 65536) {
			snprintf(ll->net_what[k], sizeof(ll->net_what[k]), "not restricted (the policy allows every port)");
			continue;
		}
		if (allowed > BG_LL_MAX_PORTS) {
			snprintf(ll->net_what[k], sizeof(ll->net_what[k]),
				 "not restricted (%u ports allowed: too many to list; the cgroup hook judges)", allowed);
			continue;
		}
		for (unsigned i = 0; i + 1 < nb; i++)
			if (bounds[i] < bounds[i + 1] && port_reachable(&p->net, d, bounds[i]))
				for (unsigned port = bounds[i]; port < bounds[i + 1]; port++)
					ll->port[k][ll->nport[k]++] = (uint16_t)port;
		ll->net_handled |= right[k];
		snprintf(ll->net_what[k], sizeof(ll->net_what[k]), "tcp: %u port%s allowed", ll->nport[k],
			 ll->nport[k] == 1 ? "" : "s");
	}
}

static uint64_t kind_rights(const struct bg_landlock *ll, int kind)
{
	switch (kind) {
	case BG_LL_RO:
		return FS_EXECUTE | FS_READ_FILE | FS_READ_DIR;
	case BG_LL_READ:
		return FS_READ_FILE | FS_READ_DIR;
	case BG_LL_DEV:
		return (FS_READ_FILE | FS_WRITE_FILE | FS_READ_DIR | FS_IOCTL_DEV) & ll->fs_handled;
	case BG_LL_LIST:
		return FS_READ_DIR;
	default:
		return ll->fs_handled;
	}
}

static int add_path_rule(int rfd, int fd, uint64_t rights)
{
	struct bg_ll_path_beneath pb = { .allowed_access = rights, .parent_fd = fd };
	struct stat st;

	if (fstat(fd, &st))
		return -1;
	if (!S_ISDIR(st.st_mode))
		pb.allowed_access &= FS_FILE_RIGHTS;
	if (!pb.allowed_access)
		return 0;
	return (int)syscall(__NR_landlock_add_rule, rfd, BG_LL_RULE_PATH_BENEATH, &pb, 0);
}

int bg_landlock_apply(const struct bg_landlock *ll, const char **what)
{
	struct bg_ll_ruleset_attr a = {
		.handled_access_fs = ll->fs_handled, .handled_access_net = ll->net_handled, .scoped = ll->scoped,
	};
	int rfd, e;

	*what = "cannot create the Landlock ruleset";
	rfd = (int)syscall(__NR_landlock_create_ruleset, &a, sizeof(a), 0);
	if (rfd < 0)
		return -1;
	for (unsigned i = 0; i < ll->nrules; i++) {
		int fd = open(ll->rule[i].path, O_PATH | O_CLOEXEC);

		if (fd < 0) {
			/* not in this view, or not reachable by the payload: no
			 * rule needed (this only takes access away) */
			if (errno == ENOENT || errno == EACCES || errno == ENOTDIR)
				continue;
			*what = ll->rule[i].path;
			goto fail;
		}
		if (add_path_rule(rfd, fd, kind_rights(ll, ll->rule[i].kind))) {
			e = errno;
			close(fd);
			errno = e;
			*what = ll->rule[i].path;
			goto fail;
		}
		close(fd);
	}
	/* stdio: a file or device bpfguard was started with lies outside the
	 * view; /dev/stdout (a reopen through /proc/self/fd) must still work,
	 * for that file alone and as it was opened */
	for (int fd = 0; fd <= 2; fd++) {
		struct stat st;
		int fl = fcntl(fd, F_GETFL);
		uint64_t r = 0;

		if (fl < 0 || fstat(fd, &st) || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode)))
			continue;
		if ((fl & O_ACCMODE) != O_WRONLY)
			r |= FS_READ_FILE;
		if ((fl & O_ACCMODE) != O_RDONLY)
			r |= FS_WRITE_FILE | FS_TRUNCATE;
		if (S_ISCHR(st.st_mode))
			r |= FS_IOCTL_DEV;
		/* a pseudo file system (a pipe, a socket) cannot carry a rule
		 * and needs none */
		if (add_path_rule(rfd, fd, r & ll->fs_handled) && errno != EBADFD && errno != EBADF) {
			*what = fd == 0 ? "stdin" : fd == 1 ? "stdout" : "stderr";
			goto fail;
		}
	}
	for (int k = 0; k < 2; k++) {
		uint64_t right = k == 0 ? NET_CONNECT_TCP : NET_BIND_TCP;

		if (!(ll->net_handled & right))
			continue;
		for (unsigned i = 0; i < ll->nport[k]; i++) {
			struct bg_ll_net_port np = { .allowed_access = right, .port = ll->port[k][i] };

			if (syscall(__NR_landlock_add_rule, rfd, BG_LL_RULE_NET_PORT, &np, 0)) {
				*what = "a TCP port rule";
				goto fail;
			}
		}
	}
	*what = "cannot enforce the Landlock ruleset";
	if (syscall(__NR_landlock_restrict_self, rfd, 0))
		goto fail;
	close(rfd);
	return 0;
fail:
	e = errno;
	close(rfd);
	errno = e;
	return -1;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * daemon_enrich.c - systemd unit, container id and pod UID from a cgroup
 * path (daemon_enrich.h).
 *
 * Layouts recognised (innermost match wins, so a container's own
 * sub-cgroups still name it):
 *   systemd:   .../NAME.service, .../NAME.scope, .../NAME.slice
 *   docker:    /system.slice/docker-<64 hex>.scope, /docker/<64 hex>
 *   podman:    /machine.slice/libpod-<64 hex>.scope
 *   CRI-O:     crio-<64 hex>.scope (not crio-conmon-*: that is the monitor)
 *   containerd (CRI): cri-containerd-<64 hex>.scope
 *   Kubernetes, systemd driver: kubepods.slice/kubepods-<qos>.slice/
 *              kubepods-<qos>-pod<uid, '_' for '-'>.slice/<runtime>-<id>.scope
 *   Kubernetes, cgroupfs driver: /kubepods/<qos>/pod<uid>/<64 hex>
 */
#include <stdbool.h>
#include <string.h>

#include "daemon_enrich.h"
#include "util.h"

static bool ends_with(const char *s, size_t n, const char *suf)
{
	size_t m = strlen(suf);

	return n > m && !memcmp(s + n - m, suf, m);
}

static bool is_hex64(const char *s, size_t n)
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static void copy(char *dst, size_t len, const char *s, size_t n)
{
	if (n >= len)
		n = len - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* "<prefix><64 hex>.scope" for the runtimes' scope names. */
static bool runtime_scope(const char *c, size_t n, char id[65])
{
	static const char *const prefixes[] = { "docker-", "crio-", "cri-containerd-", "libpod-" };

	if (!ends_with(c, n, ".scope"))
		return false;
	n -= 6;
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
		size_t p = strlen(prefixes[i]);

		if (n > p && !memcmp(c, prefixes[i], p) && is_hex64(c + p, n - p)) {
			copy(id, 65, c + p, n - p);
			return true;
		}
	}
	return false;
}

/* A pod UID: 8-4-4-4-12 hex digits, with '-' (cgroupfs) or '_' (systemd
 * escapes '-' in slice names) as separator; stored with '-'. */
static bool pod_uid(const char *s, size_t n, char out[37])
{
	if (n != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		bool sep = i == 8 || i == 13 || i == 18 || i == 23;
		char ch = s[i];

		if (sep ? (ch != '-' && ch != '_') : !((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
			return false;
	}
	for (size_t i = 0; i < 36; i++)
		out[i] = s[i] == '_' ? '-' : s[i];
	out[36] = '\0';
	return true;
}

/* kubepods-burstable-pod<uid>.slice, kubepods-pod<uid>.slice, pod<uid> */
static void kube_pod(const char *c, size_t n, char out[37])
{
	const char *p;

	if (n > 3 && !memcmp(c, "pod", 3)) {
		pod_uid(c + 3, n - 3, out);
		return;
	}
	if (!ends_with(c, n, ".slice") || n < 8 || memcmp(c, "kubepods", 8))
		return;
	n -= 6;
	for (p = c; p + 4 <= c + n; p++)
		if (!memcmp(p, "-pod", 4) && pod_uid(p + 4, (size_t)(c + n - p - 4), out))
			return;
}

void bgd_enrich_cgroup(const char *cgroup, struct bgd_enrich *e)
{
	const char *s = cgroup, *prev = NULL;
	char slice[BGD_UNIT_MAX] = "";
	size_t prevn = 0;
	bool kube = false;

	memset(e, 0, sizeof(*e));
	while (*s) {
		const char *c;
		size_t n;

		while (*s == '/')
			s++;
		if (!*s)
			break;
		c = s;
		n = strcspn(s, "/");
		s += n;
		if (n >= 8 && !memcmp(c, "kubepods", 8))
			kube = true;
		if (ends_with(c, n, ".service") || ends_with(c, n, ".scope"))
			copy(e->unit, sizeof(e->unit), c, n);
		else if (ends_with(c, n, ".slice"))
			copy(slice, sizeof(slice), c, n);
		if (!runtime_scope(c, n, e->container_id) && is_hex64(c, n) &&
		    (kube || (prev && prevn == 6 && !memcmp(prev, "docker", 6))))
			copy(e->container_id, sizeof(e->container_id), c, n);
		if (kube)
			kube_pod(c, n, e->pod_uid);
		prev = c;
		prevn = n;
	}
	if (!e->unit[0])
		bg_strlcpy(e->unit, slice, sizeof(e->unit));
}

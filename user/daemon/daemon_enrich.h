/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * daemon_enrich.h - what a cgroup path says about who made the call: the
 * systemd unit, the container and the Kubernetes pod.  Pure string parsing
 * of the path (no lookups, nothing read from the system), so it works for
 * cgroups already gone at drain time and costs nothing; unit-tested in
 * tests/unit/test_enrich.c.  The recognised layouts are in docs/daemon.md.
 */
#ifndef BG_DAEMON_ENRICH_H
#define BG_DAEMON_ENRICH_H

#define BGD_UNIT_MAX 256

struct bgd_enrich {
	char unit[BGD_UNIT_MAX];   /* innermost *.service or *.scope, else innermost *.slice; "" */
	char container_id[65];     /* 64 lowercase hex digits, "" */
	char pod_uid[37];          /* Kubernetes pod UID with dashes, "" */
};

/* Fills e from a cgroup path relative to the cgroup2 mount ("/a/b"). */
void bgd_enrich_cgroup(const char *cgroup, struct bgd_enrich *e);

#endif

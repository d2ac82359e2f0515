// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit, container id and pod UID from cgroup paths: systemd, docker,
 * podman, CRI-O, containerd, Kubernetes (systemd and cgroupfs drivers),
 * and paths that must not be mistaken for any of them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "daemon_enrich.h"

#define ID "4b825dc642cb6eb9a060e54bf8d69288fbee4904c2a5e9d2f5a1c7a9e0b1c2d3"
#define UID "0e4a5c1f-8d2b-4c3a-9f7e-6b5d4c3b2a10"
#define UID_ "0e4a5c1f_8d2b_4c3a_9f7e_6b5d4c3b2a10"

static void expect(const char *cgroup, const char *unit, const char *cid, const char *pod)
{
	struct bgd_enrich e;

	bgd_enrich_cgroup(cgroup, &e);
	if (strcmp(e.unit, unit) || strcmp(e.container_id, cid) || strcmp(e.pod_uid, pod))
		fail_msg("%s: got unit '%s' container '%s' pod '%s', wanted '%s' '%s' '%s'", cgroup, e.unit,
			 e.container_id, e.pod_uid, unit, cid, pod);
}

static void test_systemd(void **state)
{
	(void)state;
	expect("/system.slice/nginx.service", "nginx.service", "", "");
	expect("/system.slice/nginx.service/worker", "nginx.service", "", "");
	expect("/user.slice/user-1000.slice/session-2.scope", "session-2.scope", "", "");
	expect("/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome.scope",
	       "app-gnome.scope", "", ""); /* the innermost unit */
	expect("/system.slice", "system.slice", "", ""); /* only slices: the innermost slice */
	expect("/user.slice/user-1000.slice", "user-1000.slice", "", "");
	expect("/init.scope", "init.scope", "", "");
	expect("/", "", "", "");
	expect("", "", "", "");
	expect("/bpfguard-demo/child", "", "", "");
	expect("/a.service.d/x", "", "", ""); /* suffix must end the component */
	expect("/.service", "", "", "");      /* and name something */
}

static void test_containers(void **state)
{
	(void)state;
	expect("/system.slice/docker-" ID ".scope", "docker-" ID ".scope", ID, "");
	expect("/docker/" ID, "", ID, "");
	expect("/docker/" ID "/sub", "", ID, "");
	expect("/machine.slice/libpod-" ID ".scope/container", "libpod-" ID ".scope", ID, "");
	expect("/system.slice/crio-" ID ".scope", "crio-" ID ".scope", ID, "");
	expect("/system.slice/crio-conmon-" ID ".scope", "crio-conmon-" ID ".scope", "", ""); /* the monitor */
	expect("/system.slice/cri-containerd-" ID ".scope", "cri-containerd-" ID ".scope", ID, "");
	/* not containers */
	expect("/system.slice/docker.service", "docker.service", "", "");
	expect("/" ID, "", "", "");                       /* bare hex outside docker/kubepods */
	expect("/docker/" "4B825DC642CB6EB9A060E54BF8D69288FBEE4904C2A5E9D2F5A1C7A9E0B1C2D3", "", "", "");
	expect("/system.slice/docker-abc.scope", "docker-abc.scope", "", ""); /* short id */
	expect("/system.slice/docker-" ID "0.scope", "docker-" ID "0.scope", "", ""); /* 65 digits */
}

static void test_kubernetes(void **state)
{
	(void)state;
	/* systemd cgroup driver */
	expect("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/cri-containerd-" ID ".scope",
	       "cri-containerd-" ID ".scope", ID, UID);
	expect("/kubepods.slice/kubepods-pod" UID_ ".slice/crio-" ID ".scope", "crio-" ID ".scope", ID, UID);
	expect("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice",
	       "kubepods-besteffort-pod" UID_ ".slice", "", UID); /* the pod itself */
	/* cgroupfs driver */
	expect("/kubepods/burstable/pod" UID "/" ID, "", ID, UID);
	expect("/kubepods/pod" UID "/" ID, "", ID, UID);
	expect("/kubepods/besteffort/pod" UID, "", "", UID);
	/* kind / nested: a node's own cgroup above; slices below a scope do
	 * not replace it as the unit (innermost service or scope first) */
	expect("/system.slice/docker-" ID ".scope/kubelet.slice/kubepods.slice/kubepods-pod" UID_ ".slice",
	       "docker-" ID ".scope", ID, UID);
	/* pod-looking names outside kubepods, malformed UIDs */
	expect("/pod" UID, "", "", "");
	expect("/kubepods/podnot-a-uid", "", "", "");
	expect("/kubepods/pod" UID "x", "", "", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_systemd),
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_kubernetes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

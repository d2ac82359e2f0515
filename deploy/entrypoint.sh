#!/bin/sh
# bpfguard-k8s-entrypoint - entry point of the DaemonSet's containers
# (installed as /usr/local/bin/bpfguard-k8s-entrypoint by deploy/Dockerfile;
# docs/deploy.md).
#
#   bpfguard-k8s-entrypoint preflight
#       The init container: checks what the node must provide and says
#       what to fix; exit 0 or 1.  Needs no capability.
#   bpfguard-k8s-entrypoint [DAEMON OPTIONS...]
#       The daemon container: prints `bpfguard probe` to stderr (what this
#       node's kernel can enforce, into the pod log), starts the reload loop,
#       then becomes `bpfguard daemon DAEMON OPTIONS...` (exec: same pid, so
#       the kubelet's SIGTERM reaches the daemon, which drains, flushes and
#       exits 0 with every attachment left in force).
#
# Why a reload loop: the daemon re-reads bpfguard.conf, attach.d and changed
# policy files on SIGHUP only (it watches cgroups with inotify, not its own
# configuration).  The kubelet updates a ConfigMap volume by writing a new
# timestamped directory and swapping the symlink DIR/..data to it; the loop
# compares those symlink targets every BPFGUARD_RELOAD_INTERVAL seconds and
# sends SIGHUP when one changed.  It runs inside the daemon's container, so
# it needs no shared process namespace (which a hostPID pod cannot have) and
# no signal across containers.  `kill -HUP 1` would be wrong in this pod:
# with hostPID, pid 1 is the host's init.
#
# Environment (defaults in brackets):
#   BPFGUARD                  the program [/usr/bin/bpfguard]
#   BPFGUARD_RELOAD_WATCH     ConfigMap mount points, blank-separated
#                             [/etc/bpfguard /etc/bpfguard/attach.d /etc/bpfguard/policies]
#   BPFGUARD_RELOAD_INTERVAL  seconds between looks, 0 = no loop [10]
#   BPFGUARD_PROBE_AT_START   1: `bpfguard probe` to stderr first, 0: not [1]
#   BPFGUARD_BPFFS, BPFGUARD_CGROUP2, BPFGUARD_BTF
#                             what preflight checks [/sys/fs/bpf,
#                             /sys/fs/cgroup, /sys/kernel/btf/vmlinux]
set -eu

BPFGUARD=${BPFGUARD:-/usr/bin/bpfguard}
WATCH=${BPFGUARD_RELOAD_WATCH:-/etc/bpfguard /etc/bpfguard/attach.d /etc/bpfguard/policies}
INTERVAL=${BPFGUARD_RELOAD_INTERVAL:-10}
me=bpfguard-k8s-entrypoint

# statfs(2) magic numbers as stat -f %t prints them
BPF_FS_MAGIC=cafe4a11
CGROUP2_SUPER_MAGIC=63677270

preflight() {
	bpffs=${BPFGUARD_BPFFS:-/sys/fs/bpf}
	cg=${BPFGUARD_CGROUP2:-/sys/fs/cgroup}
	btf=${BPFGUARD_BTF:-/sys/kernel/btf/vmlinux}
	bad=0
	if [ "$(stat -f -c %t "$bpffs" 2>/dev/null)" != "$BPF_FS_MAGIC" ]; then
		echo "$me: preflight: $bpffs is not a bpf filesystem on this node; mount it on the host" \
			"(mount -t bpf bpf /sys/fs/bpf; systemd does at boot).  The pod does not mount it itself:" \
			"pins in a mount of its own would vanish with the pod, and enforcement with them" >&2
		bad=1
	fi
	if [ "$(stat -f -c %t "$cg" 2>/dev/null)" != "$CGROUP2_SUPER_MAGIC" ]; then
		echo "$me: preflight: $cg is not cgroup v2 on this node; bpfguard needs the unified" \
			"hierarchy (systemd.unified_cgroup_hierarchy=1, the default of current distributions)" >&2
		bad=1
	fi
	if [ ! -r "$btf" ]; then
		echo "$me: preflight: no readable $btf: the kernel has no BTF (CONFIG_DEBUG_INFO_BTF=y)," \
			"which bpfguard's tp_btf programs need" >&2
		bad=1
	fi
	[ "$bad" = 0 ] || exit 1
	echo "$me: preflight: bpffs at $bpffs, cgroup v2 at $cg, kernel BTF: ok" >&2
	exit 0
}

if [ "${1:-}" = preflight ]; then
	preflight
fi

case $INTERVAL in
'' | *[!0-9]*)
	echo "$me: BPFGUARD_RELOAD_INTERVAL='$INTERVAL' is not a number of seconds" >&2
	exit 2
	;;
esac

# stdout carries the daemon's JSON events: the probe's table goes to stderr.
if [ "${BPFGUARD_PROBE_AT_START:-1}" = 1 ]; then
	"$BPFGUARD" probe >&2 || echo "$me: bpfguard probe failed (exit $?); starting the daemon anyway" >&2
fi

# One word per watched directory: where its ..data points (or "-").
stamp() {
	for d in $WATCH; do
		printf '%s=%s ' "$d" "$(readlink "$d/..data" 2>/dev/null || echo -)"
	done
}

# After the exec below, this shell's pid is the daemon's.
daemon=$$

if [ "$INTERVAL" -gt 0 ]; then
	(
		last=$(stamp)
		# ends by itself once the daemon is gone
		while sleep "$INTERVAL" && kill -0 "$daemon" 2>/dev/null; do
			now=$(stamp)
			[ "$now" = "$last" ] && continue
			last=$now
			echo "$me: a ConfigMap changed ($now); sending SIGHUP to the daemon (pid $daemon)" >&2
			kill -HUP "$daemon" 2>/dev/null || exit 0
		done
	) </dev/null >&2 &
fi

exec "$BPFGUARD" daemon "$@"

#!/bin/sh
# The same syscall rules as tests/integration/test_hook_deny.sh, on a
# kernel with BPF LSM: the strongest mechanism wins and the reports say
# so.  lsm/socket_create sees every family, so the unconditional socket
# rule that --require-deny refuses on the CI host (no hook sees AF_UNIX
# there) passes here, and AF_UNIX fails with the errno instead of a kill.
cd "$(dirname "$0")/../.." || exit 1
. tests/vm/lib.sh
BG=${BPFGUARD:-$PWD/build-static/bpfguard}
SP=${BG_HELPERS:-$PWD/build-static/tests/helpers}/sysprobe
CG2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
CG=$CG2/bpfguard-hookdeny
T=/tmp/bpfguard-hookdeny
has() { grep -q -- "$2" "$1"; }

rm -rf "$T"; mkdir -p "$T" "$CG"
"$BG" reset > /dev/null 2>&1

"$BG" probe --json > "$T/probe.json"
check "probe: socket rules are the LSM's here" has "$T/probe.json" '"socket":"lsm"'

cat > "$T/sock.json" <<'POL'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
POL
"$BG" attach --cgroup bpfguard-hookdeny --policy "$T/sock.json" --require-deny > "$T/out" 2>&1
check "the Docker profile's socket rule attaches with --require-deny" test $? = 0
check "attach names lsm for the socket rule" has "$T/out" "rule socket: errno(EPERM) -> lsm"
check "no cgroup-hook split where the LSM covers every family" sh -c "! grep -q 'cgroup/sock_create' '$T/out'"
"$SP" --cgroup "$CG" socket 2 1 socket 1 1 > "$T/o" 2>&1
check "socket(AF_INET) fails with EPERM" has "$T/o" "socket: errno 1"
check "socket(AF_UNIX) fails too (and the process lives)" test "$(grep -c 'socket: errno 1' "$T/o")" = 2
"$BG" status > "$T/st"
check "status: the rule and its mechanism" has "$T/st" "rule socket: errno(EPERM) -> lsm"

cat > "$T/c.policy" <<'POL'
name cond
default allow
errno(ECONNREFUSED) socket if arg0 == 2 and arg1 == 2
errno(EACCES) setsockopt if arg1 == 1 and arg2 == 2
POL
"$BG" attach --cgroup bpfguard-hookdeny --policy "$T/c.policy" --require-deny > "$T/out" 2>&1
check "conditional socket/setsockopt rules attach with --require-deny" test $? = 0
check "setsockopt: lsm, not the cgroup hook" has "$T/out" "rule setsockopt if arg1 == 1 && arg2 == 2: errno(EACCES) -> lsm"
"$SP" --cgroup "$CG" socket 2 2 socket 2 0x80002 setsockopt-reuse > "$T/o" 2>&1
check "socket(AF_INET, SOCK_DGRAM): ECONNREFUSED (111)" has "$T/o" "socket: errno 111"
check "SOCK_DGRAM|SOCK_CLOEXEC: allowed, as the rule says" has "$T/o" "socket: ok"
check "setsockopt(SO_REUSEADDR): EACCES (13)" has "$T/o" "setsockopt-reuse: errno 13"
check "and the option was not set" has "$T/o" "reuseaddr: 0"

"$BG" detach --cgroup bpfguard-hookdeny > /dev/null 2>&1
"$BG" reset > /dev/null 2>&1
rmdir "$CG" 2>/dev/null
vm_done

#!/bin/sh
# bpfguard run where the CI host cannot show it: IA-32 emulation on (the
# host has it off, so `int $0x80` faults there before seccomp sees it) and
# a pure cgroup v2 hierarchy with the memory and pids controllers (the host
# keeps them on v1).  Runs inside the VM (scripts/vmtest), static build,
# busybox userland.  Proves: the run's seccomp filter kills an ia32 call
# the policy does not name for ia32 (exit 120, the line names the i386
# syscall), lets through one it names, the kill is an event of the run in
# the shared event stream; --pids and --memory use cgroup v2 (a fork bomb
# is contained, a memory hog is OOM-killed: exit 122).
cd "$(dirname "$0")/../.." || exit 1
. tests/vm/lib.sh
BG=${BG:-$PWD/build-static/bpfguard}
SP=${SP:-$PWD/build-static/tests/helpers/sysprobe}
T=/tmp/bpfguard-run-ia32
rm -rf "$T"; mkdir -p "$T"; chmod 1777 "$T" # writable by the payload's per-run id
"$BG" reset > /dev/null 2>&1

# A static glibc program needs more than go-static allows: allow x86_64,
# name ia32:getpid only; every other ia32 call takes the ia32 default, kill.
printf 'name run-ia32\ndefault allow\nallow ia32:getpid\n' > "$T/p.policy"

"$BG" events --follow --json > "$T/ev" 2>/dev/null &
follower=$!
sleep 1
"$BG" run --policy "$T/p.policy" --rw "$T" -- "$SP" ia32-getpid > "$T/o" 2> "$T/e"
rc=$?
check "ia32 getpid, named for ia32, runs under bpfguard run (exit $rc)" test "$rc" = 0
check "... and returned" grep -q "ia32-getpid: ok" "$T/o"
"$BG" run --policy "$T/p.policy" --rw "$T" -- "$SP" ia32-mkdir "$T/d32" > "$T/o" 2> "$T/e"
rc=$?
check "ia32 mkdir (not named for ia32) is killed by the run's seccomp filter: exit $rc" test "$rc" = 120
check "... the line names the i386 syscall" grep -q "killed by policy 'run-ia32': syscall mkdir (ia32)" "$T/e"
check "... and it had no effect" test ! -e "$T/d32"
"$BG" run --policy "$T/p.policy" --rw "$T" -- "$SP" mkdir "$T/d64" > "$T/o" 2> "$T/e"
check "the same call through the x86_64 ABI is allowed" test -d "$T/d64"

# limits through cgroup v2
"$BG" run --policy "$T/p.policy" --pids 16 --timeout 4s --json -- /bin/sh -c 'b() { b | b & }; b; while :; do sleep 60; done' > "$T/o" 2> "$T/e"
rc=$?
check "a fork bomb under --pids 16 is contained until the timeout (exit $rc)" test "$rc" = 121
check "... the pids limit was hit, through cgroup v2" grep -q '"pids":{"via":"cgroup-v2","max":16,"hit":[1-9]' "$T/e"
"$BG" run --policy "$T/p.policy" --memory 32M --json -- "$SP" hog 200 > "$T/o" 2> "$T/e"
rc=$?
check "--memory 32M: a memory hog is OOM-killed (exit $rc)" test "$rc" = 122
check "... one line names the limit and cgroup v2" grep -q "killed by the memory limit (--memory 32M, cgroup-v2" "$T/e"

sleep 2 # the follower looks for new pins every second
kill "$follower"; wait "$follower" 2>/dev/null
check "the kill is an event of the run: ia32 mkdir, killed, seccomp" \
	grep -q '"syscall":"mkdir","nr":39,"abi":"ia32","action":"kill","effect":"killed","mechanism":"seccomp"' "$T/ev"
check "... tagged with a run id" grep -q '"run_id":' "$T/ev"
check "nothing left pinned or in bpfguard.run" sh -c '! ls /sys/fs/bpf/bpfguard 2>/dev/null && ! ls -d /sys/fs/cgroup/bpfguard.run/* 2>/dev/null'
vm_done

#!/bin/sh
# bpfguard learn where ia32 calls exist (the CI host has IA-32 emulation
# off): calls made through int $0x80 are counted by the i386 table, the
# learned policy names them `ia32:...` with the deny default for ia32, and
# enforcing it lets the same workload run again while an ia32 call it never
# made is denied before any effect.  Runs inside the VM (scripts/vmtest).
cd "$(dirname "$0")/../.." || exit 1
. tests/vm/lib.sh
BG=${BG:-$PWD/build-static/bpfguard}
SP=${SP:-$PWD/build-static/tests/helpers/sysprobe}
CG2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
CG=$CG2/bpfguard-learn32
T=/tmp/bpfguard-learn32
rm -rf "$T"; mkdir -p "$T" "$CG"
"$BG" reset > /dev/null 2>&1

"$BG" learn --cgroup bpfguard-learn32 --duration 4s -o "$T/learned.policy" > "$T/learn.out" 2>&1 &
LP=$!
sleep 2
"$SP" --cgroup "$CG" ia32-getpid getpid > "$T/o" 2>&1
check "the workload ran while learning" grep -q "ia32-getpid: ok" "$T/o"
wait "$LP"
check "learn finished (exit $?)" test -s "$T/learned.policy"
check "the ia32 call is learned by the i386 table" grep -q "^allow ia32:getpid" "$T/learned.policy"
check "... and the x86_64 one by its own" grep -q "^allow getpid" "$T/learned.policy"
"$BG" policy check "$T/learned.policy" > /dev/null 2>&1
check "bpfguard policy check accepts it" test $? = 0
"$BG" attach --cgroup bpfguard-learn32 --policy "$T/learned.policy" --fallback kill > "$T/a" 2>&1
check "enforced" test $? = 0
"$SP" --cgroup "$CG" ia32-getpid getpid > "$T/o" 2>&1
check "the same workload runs again (exit $?)" grep -q "ia32-getpid: ok" "$T/o"
"$SP" --cgroup "$CG" ia32-mkdir "$T/d" > "$T/o" 2>&1
rc=$?
# ia32 was seen, so the learned ia32 default is the deny default
# (errno(EPERM)), which BPF LSM enforces before the call has an effect
check "an ia32 call it never made is denied (exit $rc, EPERM) and had no effect" \
	sh -c "grep -q 'ia32-mkdir: errno 1' '$T/o' && [ ! -e '$T/d' ]"
"$BG" reset > /dev/null 2>&1
rmdir "$CG" 2>/dev/null
vm_done

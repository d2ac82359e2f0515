#!/bin/sh
# io_uring under BPF LSM (VM half of tests/security/test_io_uring.sh).
# With errno rules denied before effect by BPF LSM and --require-deny, an
# IORING_OP_UNLINKAT / IORING_OP_OPENAT must not carry out what the rules
# deny: the implied io_uring rule fails io_uring_setup with the policy's
# errno (file_alloc_security), so the file survives and nothing is created.
# A policy that allows io_uring by name is refused under --require-deny;
# attached without it, the ring really does unlink the file: the LSM hooks
# judge the call being made (io_uring_enter, allowed), not the opcode.
cd "$(dirname "$0")/../../.." || exit 1
. tests/vm/lib.sh
BG=${BPFGUARD:-$PWD/build-static/bpfguard}
UR=${BG_HELPERS:-$PWD/build-static/tests/helpers}/uring
CG2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
CG=$CG2/bpfguard-uring
T=/tmp/bpfguard-uring
has() { grep -q -- "$2" "$1"; }

rm -rf "$T"; mkdir -p "$T" "$CG"
"$BG" reset > /dev/null 2>&1

cat > "$T/p.policy" <<'POL'
name uring-lsm
default allow
errno(EACCES) unlink unlinkat
errno(EROFS) openat if arg2 & 3 == 1
errno(EROFS) openat if arg2 & 3 == 2
POL

"$BG" attach --cgroup bpfguard-uring --policy "$T/p.policy" --require-deny > "$T/out" 2>&1
check "attach --require-deny succeeds: io_uring_setup is denied by the LSM too" test $? = 0
check "attach names the implied io_uring rule" has "$T/out" "io_uring_setup errno(EROFS).*implied"

echo precious > "$T/keep"
"$UR" --cgroup "$CG" unlinkat "$T/keep" > "$T/o" 2>&1
check "IORING_OP_UNLINKAT: io_uring_setup fails with EROFS (30)" has "$T/o" "setup: errno 30"
check "the file survived" test "$(cat "$T/keep" 2>/dev/null)" = precious
"$UR" --cgroup "$CG" openat "$T/new" > "$T/o" 2>&1
check "IORING_OP_OPENAT: io_uring_setup fails" has "$T/o" "setup: errno 30"
check "nothing was created" test ! -e "$T/new"
"$UR" openat "$T/outside" > "$T/o" 2>&1
check "outside the cgroup the helper's io_uring works (the check can fail)" test -e "$T/outside"

cat > "$T/a.policy" <<'POL'
name uring-allowed
default allow
errno(EACCES) unlink unlinkat
allow io_uring_setup io_uring_enter io_uring_register
POL
"$BG" attach --cgroup bpfguard-uring --policy "$T/a.policy" --require-deny > "$T/out" 2>&1
rc=$?
check "io_uring allowed by name: --require-deny refuses (exit $rc)" test "$rc" = 3
check "the refusal says the io_uring path is open" has "$T/out" "require-deny.*io_uring"
"$BG" attach --cgroup bpfguard-uring --policy "$T/a.policy" > "$T/out" 2>&1
check "without --require-deny it attaches, with the hatch warning" has "$T/out" "hatch io-uring"
"$UR" --cgroup "$CG" unlinkat "$T/keep" > "$T/o" 2>&1
check "why: the ring unlinks what unlink may not (LSM judges io_uring_enter)" test ! -e "$T/keep"
"$BG" reset > /dev/null 2>&1
rmdir "$CG" 2>/dev/null
vm_done

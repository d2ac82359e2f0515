#!/bin/sh
# Deny before effect with BPF LSM.  Runs inside the VM (scripts/vmtest):
# a Debian kernel booted with bpf in lsm=, busybox userland, static build.
# Proves: denied unlink/rename/open-for-write leave the file as it was, a
# denied connect makes no connection, a denied execve runs nothing, a
# denied io_uring_setup fails, errnos are the policy's, allowed calls work,
# audit mode changes nothing and logs, ia32 calls are judged by the i386
# table, and the same CO-RE objects load here.
cd "$(dirname "$0")/../.." || exit 1
BG=${BG:-$PWD/build-static/bpfguard}
SP=${SP:-$PWD/build-static/tests/helpers/sysprobe}
CG2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
CG=$CG2/bpfguard-lsm
T=/tmp/bpfguard-lsm
PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok - $*"; }
no() { FAIL=$((FAIL + 1)); echo "not ok - $*"; }
check() { d=$1; shift; if "$@"; then ok "$d"; else no "$d"; fi; }
has() { grep -q -- "$2" "$1"; }

rm -rf "$T"; mkdir -p "$T" "$CG"
"$BG" reset > /dev/null 2>&1
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up 2>/dev/null

cat > "$T/p.policy" <<'POL'
name lsm-deny
default allow
errno(EACCES) unlink unlinkat
errno(EXDEV) rename renameat renameat2
errno(EROFS) openat if arg2 & 3 == 1
errno(EROFS) openat if arg2 & 3 == 2
errno(ENETUNREACH) connect
errno(EPERM) execve
errno(ENXIO) io_uring_setup
allow ia32:getpid
POL

"$BG" attach --cgroup bpfguard-lsm --policy "$T/p.policy" --require-deny > "$T/out" 2>&1
check "attach with --require-deny succeeds: every errno rule is LSM-covered" test $? = 0
check "attach reports the lsm mechanism" has "$T/out" "lsm (fails with the errno before any effect"
check "LSM programs pinned" test -e /sys/fs/bpf/bpfguard/links/bg_sys_exit
check "the hooks the policy needs are attached (inode_unlink)" test -e /sys/fs/bpf/bpfguard/links/bg_inode_unlink_2
check "hooks no rule needs are not (inode_permission, file_permission)" \
	test ! -e /sys/fs/bpf/bpfguard/links/bg_inode_permission_2 -a ! -e /sys/fs/bpf/bpfguard/links/bg_file_permission_2

echo original > "$T/f1"
"$SP" --cgroup "$CG" unlink "$T/f1" > "$T/o" 2>&1
check "unlink fails with EACCES (13)" has "$T/o" "unlink: errno 13"
check "the file survived" test -f "$T/f1"

"$SP" --cgroup "$CG" rename "$T/f1" "$T/f2" > "$T/o" 2>&1
check "rename fails with EXDEV (18)" has "$T/o" "rename: errno 18"
check "rename left both names as they were" test -f "$T/f1" -a ! -e "$T/f2"

"$SP" --cgroup "$CG" open-write "$T/f1" read-file "$T/f1" getpid > "$T/o" 2>&1
check "open for writing fails with EROFS (30)" has "$T/o" "open-write: errno 30"
check "O_TRUNC never happened: content unchanged" test "$(cat "$T/f1")" = original
check "open for reading still works" has "$T/o" "read-file: ok"
check "an allowed syscall works" has "$T/o" "getpid: ok"

# connect: a listener on loopback must see no connection
nc -l -p 9123 > "$T/nc.out" 2>/dev/null &
ncpid=$!
sleep 1
"$SP" --cgroup "$CG" connect4 127.0.0.1 9123 > "$T/o" 2>&1
check "connect fails with ENETUNREACH (101)" has "$T/o" "connect4: errno 101"
sleep 1
check "the listener got no connection (still waiting)" kill -0 "$ncpid"
echo "from outside" | nc 127.0.0.1 9123 > /dev/null 2>&1
sleep 1
check "the same connect from outside the cgroup works" has "$T/nc.out" "from outside"
kill "$ncpid" 2>/dev/null

# execve: the target would leave a trace if any of it ran
printf '#!/bin/sh\necho ran > %s/ran\n' "$T" > "$T/mark.sh"
chmod +x "$T/mark.sh"
"$SP" --cgroup "$CG" try-exec "$T/mark.sh" > "$T/o" 2>&1
check "execve fails with EPERM (1)" has "$T/o" "try-exec: errno 1"
check "nothing of the new program ran" test ! -e "$T/ran"
"$SP" try-exec "$T/mark.sh" > /dev/null 2>&1
check "outside the cgroup the same exec runs (the check can fail)" test -e "$T/ran"

"$SP" --cgroup "$CG" io-uring-setup > "$T/o" 2>&1
check "io_uring_setup fails with ENXIO (6)" has "$T/o" "io-uring-setup: errno 6"
"$SP" io-uring-setup > "$T/o2" 2>&1
check "io_uring_setup works outside the cgroup" has "$T/o2" "io-uring-setup: ok"

# ia32: judged by the i386 table; unnamed ia32 calls get the ia32 default (kill)
"$SP" --cgroup "$CG" ia32-getpid > "$T/o" 2>&1
check "ia32 getpid, named for ia32, is allowed" has "$T/o" "ia32-getpid: ok"
"$SP" --cgroup "$CG" ia32-mkdir "$T/d32" > "$T/o" 2>&1
rc=$?
check "ia32 mkdir (ia32 39, x86_64 getpid) is killed: exit $rc" test "$rc" = 137

"$BG" events --json > "$T/ev"
check "event: unlink denied by lsm with errno 13" grep -q '"syscall":"unlink".*"errno":13,"effect":"denied","mechanism":"lsm"' "$T/ev"
check "event: ia32 mkdir named by the i386 table" grep -q '"syscall":"mkdir","nr":39,"abi":"ia32"' "$T/ev"
"$BG" status --json > "$T/st"
check "status: no LSM-denied call slipped past the hooks" grep -q '"lsm_missed":0' "$T/st"
check "status: LSM attached" grep -q '"lsm_attached":true' "$T/st"

# audit mode: nothing changes, everything is logged
"$BG" attach --cgroup bpfguard-lsm --policy "$T/p.policy" --mode audit > "$T/out" 2>&1
check "re-attach in audit mode" test $? = 0
check "audit mode needs no LSM hooks: they and sys_exit are gone" test ! -e /sys/fs/bpf/bpfguard/links/bg_sys_exit -a ! -e /sys/fs/bpf/bpfguard/links/bg_inode_unlink_2
"$SP" --cgroup "$CG" unlink "$T/f1" > "$T/o" 2>&1
check "audit: unlink works" has "$T/o" "unlink: ok"
check "audit: the file is gone" test ! -e "$T/f1"
"$BG" events --json > "$T/ev"
check "audit: the unlink was recorded" grep -q '"syscall":"unlink".*"effect":"recorded","mechanism":"audit"' "$T/ev"

"$BG" detach --cgroup bpfguard-lsm > /dev/null 2>&1
check "detach removes every link (LSM hooks too)" test -z "$(ls /sys/fs/bpf/bpfguard/links 2>/dev/null)"
echo again > "$T/f3"
"$SP" --cgroup "$CG" unlink "$T/f3" > "$T/o" 2>&1
check "after detach unlink works again" has "$T/o" "unlink: ok"

"$BG" reset > /dev/null 2>&1
rmdir "$CG" 2>/dev/null
echo "# $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]

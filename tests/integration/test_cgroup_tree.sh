#!/bin/bash
# A policy covers descendants, including cgroups created after attach; the
# nearest attached ancestor wins; detach restores; nothing stays on
# sys_enter once the last cgroup is detached.
. "$(dirname "$0")/lib.sh"

A=$(policy outer <<'POL'
name outer
default allow
kill mkdir
POL
)
B=$(policy inner <<'POL'
name inner
default allow
kill rmdir
POL
)
mkdir "$CG/before"
expect_rc 0 "attach outer policy to the parent" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$A"
check "attach counted the existing child" grep -q "2 cgroups guarded" "$TMP/out"

"$SYSPROBE" --cgroup "$CG/before" mkdir "$TMP/a1" > /dev/null 2>&1
check "existing child is covered" test $? = 137

mkdir -p "$CG/after/deeper"
"$SYSPROBE" --cgroup "$CG/after/deeper" mkdir "$TMP/a2" > /dev/null 2>&1
check "grandchild created after attach is covered" test $? = 137

mkdir "$CG/inner"
expect_rc 0 "attach inner policy to a child" "$BPFGUARD" attach --cgroup "$CGREL/inner" --policy "$B"
mkdir "$CG/inner/late"
"$SYSPROBE" --cgroup "$CG/inner/late" mkdir "$TMP/a3" rmdir "$TMP/a3" > "$TMP/p" 2>&1
rc=$?
check "nearest ancestor wins: inner allows mkdir" grep -q "mkdir: ok" "$TMP/p"
check "nearest ancestor wins: inner kills rmdir (exit $rc)" test "$rc" = 137

expect_rc 0 "detach inner" "$BPFGUARD" detach --cgroup "$CGREL/inner"
"$SYSPROBE" --cgroup "$CG/inner/late" mkdir "$TMP/a4" > /dev/null 2>&1
check "after detaching inner, the outer policy covers it again" test $? = 137

"$BPFGUARD" status --json > "$TMP/st"
check "status shows one attachment guarding 6 cgroups" test "$(json_eval "$TMP/st" "(len(j['attachments']), j['attachments'][0]['guarded_cgroups'])")" = "(1, 6)"

expect_rc 0 "detach outer" "$BPFGUARD" detach --cgroup "$CG"
"$SYSPROBE" --cgroup "$CG/after/deeper" mkdir "$TMP/a5" rmdir "$TMP/a5" > /dev/null 2>&1
check "after detach everything is allowed again" test $? = 0
check "no link pinned: nothing attached to sys_enter" bash -c "[ -z \"\$(ls /sys/fs/bpf/bpfguard/links 2>/dev/null)\" ]"
# the kernel frees a detached program after an RCU grace period
gone() { for _ in $(seq 50); do bpftool prog show 2>/dev/null | grep -q bg_sys_enter || return 0; sleep 0.1; done; return 1; }
check "no bg_sys_enter program left in the kernel" gone
expect_rc 2 "detaching a cgroup that is not attached fails clearly" "$BPFGUARD" detach --cgroup "$CGREL"
check "and says so in one line" grep -q "not attached" "$TMP/err"

# A cgroup removed while attached can still be detached by path.
mkdir "$CG/gone"
"$BPFGUARD" attach --cgroup "$CGREL/gone" --policy "$A" > /dev/null
rmdir "$CG/gone"
expect_rc 0 "detach a cgroup removed while attached" "$BPFGUARD" detach --cgroup "$CGREL/gone"
finish

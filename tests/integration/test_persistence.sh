#!/bin/bash
# Enforcement outlives the CLI (pins), re-attach replaces atomically,
# concurrent invocations do not corrupt state, reset removes everything.
. "$(dirname "$0")/lib.sh"

A=$(policy one <<'POL'
name one
default allow
kill mkdir
POL
)
B=$(policy two <<'POL'
name two
default allow
kill rmdir
POL
)
expect_rc 0 "attach" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$A"
for f in maps/bg_cgroups maps/bg_events maps/bg_policies links/bg_sys_enter links/bg_cgroup_mkdir progs/bg_sys_enter; do
	check "pinned $f" test -e "/sys/fs/bpf/bpfguard/$f"
done
"$SYSPROBE" --cgroup "$CG" mkdir "$TMP/p1" > /dev/null 2>&1
check "enforced after the CLI exited" test $? = 137

# Replacement: the new slot is written before any cgroup points at it.
expect_rc 0 "re-attach with another policy" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$B"
check "re-attach says replaced" grep -q "replaced policy 'two'" "$TMP/out"
"$SYSPROBE" --cgroup "$CG" mkdir "$TMP/p2" rmdir "$TMP/p2" > "$TMP/pr" 2>&1
check "new policy in force (mkdir ok, rmdir killed)" test $? = 137 -a -n "$(grep 'mkdir: ok' "$TMP/pr")"
"$BPFGUARD" status --json > "$TMP/st"
check "status shows only the new policy" test "$(json_eval "$TMP/st" "[a['policy'] for a in j['attachments']]")" = "['two']"

# Concurrency: 6 attaches at once on 6 cgroups, then 6 detaches at once.
for i in 1 2 3 4 5 6; do mkdir "$CG/c$i"; done
for i in 1 2 3 4 5 6; do "$BPFGUARD" attach --cgroup "$CGREL/c$i" --policy "$A" > "$TMP/c$i.out" 2>&1 & done
wait
"$BPFGUARD" status --json > "$TMP/st"
check "7 attachments after concurrent attach" test "$(json_eval "$TMP/st" "len(j['attachments'])")" = 7
check "each concurrently attached cgroup guards itself" test "$(json_eval "$TMP/st" "sorted(a['guarded_cgroups'] for a in j['attachments'])")" = "[1, 1, 1, 1, 1, 1, 1]"
for i in 1 2 3 4 5 6; do "$BPFGUARD" detach --cgroup "$CGREL/c$i" > /dev/null 2>&1 & done
wait
"$SYSPROBE" --cgroup "$CG/c3" mkdir "$TMP/p3" rmdir "$TMP/p3" > /dev/null 2>&1
check "after concurrent detach, children fall back to the parent policy" test $? = 137
"$BPFGUARD" status --json > "$TMP/st"
check "1 attachment left" test "$(json_eval "$TMP/st" "len(j['attachments'])")" = 1

expect_rc 0 "reset" "$BPFGUARD" reset
check "reset removed every pin" test ! -e /sys/fs/bpf/bpfguard
"$SYSPROBE" --cgroup "$CG" mkdir "$TMP/p4" rmdir "$TMP/p4" > /dev/null 2>&1
check "nothing enforced after reset" test $? = 0
finish

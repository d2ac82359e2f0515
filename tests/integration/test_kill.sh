#!/bin/bash
# enforce + kill: SIGKILL from the kernel, allowed calls keep working,
# and the honest limit: the killed call itself ran (no LSM on this host).
. "$(dirname "$0")/lib.sh"

P=$(policy kill <<'POL'
name kill-mkdir
default allow
kill mkdir
POL
)
expect_rc 0 "attach enforce" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$P"
check "attach summary says kill and that the call still runs" grep -q "kill.*still runs" "$TMP/out"

"$SYSPROBE" --cgroup "$CG" getpid socket-unix > "$TMP/probe" 2>&1
check "allowed syscalls keep working" test $? = 0

"$SYSPROBE" --cgroup "$CG" mkdir "$TMP/k1" getpid > "$TMP/probe" 2>&1
rc=$?
check "mkdir got the process killed by SIGKILL (exit $rc)" test "$rc" = 137
check "the killed process never reached its next action" bash -c "! grep -q getpid '$TMP/probe'"
check "sys_enter kills after the call ran: the directory exists (documented limit)" test -d "$TMP/k1"

drain_events
check "kill event recorded with effect killed" json_any "$TMP/events" \
	"e['syscall']=='mkdir' and e['action']=='kill' and e['effect']=='killed' and e['mechanism']=='kill'"

# outside the cgroup nothing changes
"$SYSPROBE" mkdir "$TMP/outside" > /dev/null
check "a process outside the cgroup is not judged" test -d "$TMP/outside"
"$BPFGUARD" events --json > "$TMP/ev2"
check "and produced no event" test ! -s "$TMP/ev2"

# errno with no deny-before-effect mechanism: refused unless a fallback is chosen
E=$(policy errno <<'POL'
name errno-mkdir
default allow
errno(EACCES) mkdir
POL
)
expect_rc 3 "errno rule with default --fallback refuse is refused" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$E"
check "refusal names the syscall and the fallbacks" grep -q "mkdir.*--fallback kill" "$TMP/err"
check "refusal is one line" test "$(wc -l < "$TMP/err")" = 1
check "refused re-attach kept the old policy" test "$("$BPFGUARD" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["attachments"][0]["policy"])')" = kill-mkdir

expect_rc 0 "errno rule with --fallback kill attaches" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$E" --fallback kill
check "attach says which errno decisions fell back" grep -q "fallback kill" "$TMP/out"
"$SYSPROBE" --cgroup "$CG" mkdir "$TMP/k2" > /dev/null 2>&1
check "errno->kill fallback kills" test $? = 137
"$BPFGUARD" status --json > "$TMP/status"
check "status reports fallback kill and the kill mechanism" test "$(json_eval "$TMP/status" "(j['attachments'][0]['fallback'], j['attachments'][0]['mechanisms'].get('kill', 0) > 0)")" = "('kill', True)"

expect_rc 0 "errno rule with --fallback audit attaches" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$E" --fallback audit
"$SYSPROBE" --cgroup "$CG" mkdir "$TMP/k3" > /dev/null 2>&1
check "errno->audit fallback lets the call run" test $? = 0 -a -d "$TMP/k3"
finish

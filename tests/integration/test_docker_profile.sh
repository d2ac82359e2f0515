#!/bin/bash
# Docker's current default seccomp profile (and an OCI one) load as
# policies and enforce on a real cgroup.
. "$(dirname "$0")/lib.sh"

MOBY=${BG_SHARED:-$BG_SRCDIR/../shared}/data/seccomp/moby-default.json
[ -r "$MOBY" ] || { not_ok "moby profile not found at $MOBY"; finish; }

expect_rc 0 "policy check loads moby's default profile" "$BPFGUARD" policy check "$MOBY"
check "normalised output has the errno(EPERM) default" grep -q "^default errno(EPERM)" "$TMP/out"
check "unknown names are skipped with a warning, not an error" grep -q "warning" "$TMP/err"
"$BPFGUARD" policy check --json "$MOBY" > "$TMP/moby.json" 2>/dev/null
check "JSON form parses" python3 -c "import json; json.load(open('$TMP/moby.json'))"

expect_rc 0 "attach moby's profile in audit mode" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$MOBY" --mode audit
"$SYSPROBE" --cgroup "$CG" getpid unshare-user mkdir "$TMP/m1" > /dev/null 2>&1
check "audit: process unaffected" test $? = 0
drain_events
check "unshare (needs CAP_SYS_ADMIN in Docker) recorded as errno(EPERM)" json_any "$TMP/events" \
	"e['syscall']=='unshare' and e['action']=='errno' and e['errno']==1 and e['effect']=='recorded'"
check "mkdir (allowed by Docker) produced no event" bash -c "! grep -q '\"mkdir\"' '$TMP/events'"

OCI=$TMP/oci.json
cat > "$OCI" <<'JSON'
{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],
 "syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_KILL_PROCESS"},
             {"names":["socket"],"action":"SCMP_ACT_KILL","args":[{"index":0,"value":2,"op":"SCMP_CMP_EQ"}]}]}
JSON
expect_rc 0 "attach an OCI profile in enforce mode" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$OCI"
"$SYSPROBE" --cgroup "$CG" socket-unix getpid > /dev/null 2>&1
check "OCI: allowed calls run" test $? = 0
"$SYSPROBE" --cgroup "$CG" socket-inet > /dev/null 2>&1
check "OCI: socket(AF_INET) killed by the args rule" test $? = 137
"$SYSPROBE" --cgroup "$CG" mkdir "$TMP/m2" > /dev/null 2>&1
check "OCI: mkdir killed" test $? = 137

echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ {"names": ["read"], "action": "SCMP_ACT_BOGUS"} ]}' > "$TMP/bad.json"
expect_rc 2 "a bad action in a JSON profile is refused" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/bad.json"
check "message names the file and the place" grep -q "bad.json: syscalls\[0\]" "$TMP/err"
finish

#!/bin/bash
# Syscall rules served by cgroup-BPF hooks (deny before effect without BPF
# LSM).  On a kernel without BPF LSM (this host), an errno rule on socket()
# that pins the family to AF_INET/AF_INET6, and any errno rule on
# setsockopt(), fail the call with the policy's errno before any effect;
# `--require-deny` accepts them.  What no hook sees (socket() of other
# families) keeps the fallback, and a marked call the hook never saw (a
# socket made outside the cgroup) is killed at sys_exit.  On BPF LSM
# kernels the LSM wins (tests/vm/test_hook_deny_lsm.sh).
. "$(dirname "$0")/lib.sh"

if "$BPFGUARD" probe --json | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["enforcement"]["errno_deny"] == "lsm" else 1)'; then
	echo "# this kernel has BPF LSM: the LSM serves these rules (see tests/vm)"
fi

probe_in() { "$SYSPROBE" --cgroup "$CG" "$@" > "$TMP/probe" 2>&1; echo "rc $?" >> "$TMP/probe"; }
has() { grep -qx "$1" "$TMP/probe"; }
status_json() { "$BPFGUARD" status --json > "$TMP/status.json"; }

# -------------------------------------------- the probe says what is there
"$BPFGUARD" probe --json > "$TMP/probe.json"
check "probe: socket errno rules at cgroup/sock_create" \
	test "$(json_eval "$TMP/probe.json" 'j["enforcement"]["syscall_rules_at_cgroup_hooks"]["socket"]')" = \
	"cgroup-hook (AF_INET/AF_INET6; other families: fallback)"
check "probe: the policy's errno (bpf_set_retval)" \
	test "$(json_eval "$TMP/probe.json" 'j["enforcement"]["syscall_rules_at_cgroup_hooks"]["errno_other_than_eperm"]')" = True

# ------------------------- a Docker profile whose only rule is socket -> ERRNO
cat > "$TMP/sock.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
EOF
# The hook sees inet sockets only: AF_UNIX, AF_NETLINK, ... socket() reach
# nothing before effect, so --require-deny must refuse, naming them.
expect_rc 3 "require-deny refuses an unconditional socket rule" \
	"$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/sock.json" --require-deny
check "the refusal names the families no hook sees" grep -q "families other than AF_INET/AF_INET6" "$TMP/err"
check "and nothing was attached" test -z "$(ls /sys/fs/bpf/bpfguard/links 2>/dev/null | grep "^cg-$(stat -c %i "$CG")-")"

expect_rc 0 "attach it with --fallback kill" \
	"$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/sock.json" --fallback kill
check "attach names the hook for the inet part" grep -q "rule socket if arg0 == 2: errno(EPERM) -> cgroup-hook (cgroup/sock_create)" "$TMP/out"
check "attach names the fallback for the rest" grep -q "rule socket: errno(EPERM) -> kill" "$TMP/out"
probe_in socket 2 1 socket 10 2 socket 2 0x80001
check "inside: socket(AF_INET, SOCK_STREAM) fails with EPERM" grep -q "^socket: errno 1$" "$TMP/probe"
check "inside: all three inet calls failed and the process lives" has "rc 3"
probe_in socket 1 1
check "inside: socket(AF_UNIX) is killed (no hook sees it)" has "rc 137"
"$SYSPROBE" socket 2 1 > "$TMP/probe" 2>&1
check "outside: socket(AF_INET) works" has "socket: ok"
status_json
check "status --json: the hook rule with its mechanism" json_any "$TMP/status.json" \
	'any(r["syscall"] == "socket" and r["conditions"] == "arg0 == 2" and r["mechanism"] == "cgroup-hook" and r["hook"] == "cgroup/sock_create" for r in e["attachments"][0]["rules"])'
check "status --json: the fallback part" json_any "$TMP/status.json" \
	'any(r["syscall"] == "socket" and r["conditions"] == "" and r["mechanism"] == "kill" for r in e["attachments"][0]["rules"])'
"$BPFGUARD" status > "$TMP/status.txt"
check "status: the rule line" grep -q "rule socket if arg0 == 10: errno(EPERM) -> cgroup-hook (cgroup/sock_create)" "$TMP/status.txt"
drain_events
check "the denial is an event (mechanism cgroup-hook)" json_any "$TMP/events" \
	'e.get("syscall") == "socket" and e.get("mechanism") == "cgroup-hook" and e.get("errno") == 1'

# --------------- the same profile narrowed to inet families: --require-deny
cat > "$TMP/sock_inet.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [
  {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]},
  {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "args": [{"index": 0, "value": 10, "op": "SCMP_CMP_EQ"}]}]}
EOF
expect_rc 0 "require-deny accepts socket rules on AF_INET/AF_INET6" \
	"$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/sock_inet.json" --require-deny
probe_in socket 2 1 socket 10 2 socket 1 1
check "inside: socket(AF_INET) fails with errno 1" grep -q "^socket: errno 1$" "$TMP/probe"
check "inside: AF_INET and AF_INET6 fail, AF_UNIX works" has "rc 2"
check "inside: AF_UNIX works" has "socket: ok"

# ------------------------------- conditions the hook cannot see stay exact
P=$(policy cond <<'POL'
name cond
default allow
errno(ECONNREFUSED) socket if arg0 == 2 and arg1 == 2
errno(EACCES) setsockopt if arg1 == 1 and arg2 == 2
POL
)
expect_rc 0 "attach socket(AF_INET, SOCK_DGRAM) and SO_REUSEADDR rules, --require-deny" \
	"$BPFGUARD" attach --cgroup "$CGREL" --policy "$P" --require-deny
check "attach: setsockopt served by cgroup/setsockopt" grep -q "rule setsockopt if arg1 == 1 && arg2 == 2: errno(EACCES) -> cgroup-hook (cgroup/setsockopt)" "$TMP/out"
# 0x80002 = SOCK_DGRAM|SOCK_CLOEXEC: another register value, so the rule
# (as seccomp would) does not match it, though the hook sees type DGRAM
probe_in socket 2 2 socket 2 0x80002 socket 2 1 setsockopt-reuse
check "socket(AF_INET, SOCK_DGRAM): the policy's errno (ECONNREFUSED)" grep -q "^socket: errno 111$" "$TMP/probe"
check "SOCK_DGRAM|SOCK_CLOEXEC and SOCK_STREAM: allowed, exactly as the rule says" \
	test "$(grep -c '^socket: ok$' "$TMP/probe")" = 2
check "setsockopt(SO_REUSEADDR) fails with EACCES" has "setsockopt-reuse: errno 13"
check "and the option was not set (no effect)" has "reuseaddr: 0"
"$SYSPROBE" setsockopt-reuse > "$TMP/probe" 2>&1
check "outside: setsockopt works" has "reuseaddr: 1"

# A socket made before entering the cgroup runs its own cgroup's hooks, not
# ours: the marked call succeeds, so sys_exit kills the caller (fail closed).
status_json
MISSED0=$(json_eval "$TMP/status.json" 'j["hook_missed_killed"]')
"$SYSPROBE" --socket-before --cgroup "$CG" setsockopt-pre > "$TMP/probe" 2>&1
echo "rc $?" >> "$TMP/probe"
check "a socket from outside: the setsockopt caller is killed" has "rc 137"
status_json
check "and counted (hook_missed_killed)" test "$(json_eval "$TMP/status.json" 'j["hook_missed_killed"]')" -gt "$MISSED0"

# ---------------------------------------------- net rules with an errno
P=$(policy neterr <<'POL'
name neterr
default allow
net connect errno(ENETUNREACH) 127.0.0.1 port 9 tcp
net connect allow 0.0.0.0/0
net connect allow ::/0
net bind errno(EADDRNOTAVAIL) 127.0.0.1 port 1000-65535 tcp
net bind allow 0.0.0.0/0
POL
)
expect_rc 0 "attach a net connect rule with errno(ENETUNREACH)" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$P"
probe_in connect-tcp 127.0.0.1 9
check "connect to port 9: the rule's errno (ENETUNREACH)" has "connect-tcp: errno 101"
"$SYSPROBE" connect-tcp 127.0.0.1 9 > "$TMP/probe" 2>&1
check "outside: not ENETUNREACH" sh -c "! grep -q 'errno 101' '$TMP/probe'"
BPORT=$((30000 + $$ % 20000))
probe_in bind-tcp 127.0.0.1 "$BPORT"
check "bind to a port the rule names: its errno (EADDRNOTAVAIL)" has "bind-tcp: errno 99"
"$SYSPROBE" bind-tcp 127.0.0.1 "$BPORT" > "$TMP/probe" 2>&1
check "outside: the same bind works" has "bind-tcp: ok"

# ------------------------------------------------------------ audit mode
expect_rc 0 "audit mode: nothing refused" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/sock_inet.json" --mode audit
probe_in socket 2 1
check "audit: socket(AF_INET) works" has "socket: ok"

expect_rc 0 "detach" "$BPFGUARD" detach --cgroup "$CGREL"
check "no bg_sys_exit link is left" test ! -e /sys/fs/bpf/bpfguard/links/bg_sys_exit
finish

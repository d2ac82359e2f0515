#!/bin/bash
# net / dev / sysctl sections: cgroup-BPF hooks deny before effect (EPERM)
# on this host (no BPF LSM needed).  Inside the guarded cgroup the calls
# fail, outside they work; replace, audit mode, nesting, rollback and
# detach leave exactly the links and behaviour they should.
. "$(dirname "$0")/lib.sh"

LINKS=/sys/fs/bpf/bpfguard/links
LPID=
trap '[ -n "$LPID" ] && kill "$LPID" 2>/dev/null; cleanup' EXIT

# Loopback listeners for the connect tests, bounded to 120 s.
BASE=$((20000 + $$ % 20000))
P_OK=$BASE P_NO=$((BASE + 1)) P_BIND=$((BASE + 2)) P_BIND_NO=$((BASE + 3))
HAVE6=0
ip -6 addr show lo 2>/dev/null | grep -q '::1/128' && HAVE6=1
timeout 120 python3 - "$TMP/ready" "$HAVE6" "$P_OK" "$P_NO" <<'PY' &
import socket, sys, threading
ready, have6, ports = sys.argv[1], sys.argv[2] == "1", [int(p) for p in sys.argv[3:]]
socks = []
for p in ports:
    for fam, addr in [(socket.AF_INET, "127.0.0.1")] + ([(socket.AF_INET6, "::1")] if have6 else []):
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((addr, p))
        s.listen(64)
        socks.append(s)
def serve(s):
    while True:
        c, _ = s.accept()
        c.close()
for s in socks:
    threading.Thread(target=serve, args=(s,), daemon=True).start()
open(ready, "w").write("ok")
threading.Event().wait()
PY
LPID=$!
for _ in $(seq 50); do [ -s "$TMP/ready" ] && break; sleep 0.1; done
check "loopback listeners are up" test -s "$TMP/ready"

probe_in() { "$SYSPROBE" --cgroup "$CG" "$@" > "$TMP/probe" 2>&1; }
# has LINE: the last probe printed exactly this line
has() { grep -qx "$1" "$TMP/probe"; }
links_of() { ls "$LINKS" 2>/dev/null | grep "^cg-$1-" | sed "s/^cg-$1-//" | sort | tr '\n' ' '; }
CGID=$(stat -c %i "$CG")

# ---------------------------------------------------------------- net none
N=$(policy netnone <<'POL'
name netnone
default allow
net none
POL
)
expect_rc 0 "attach net none" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$N"
probe_in socket-inet socket-inet6 socket-unix
check "inside: socket(AF_INET) fails with EPERM" has "socket-inet: errno 1"
check "inside: socket(AF_INET6) fails with EPERM" has "socket-inet6: errno 1"
check "inside: AF_UNIX sockets still work" has "socket-unix: ok"
"$SYSPROBE" socket-inet socket-inet6 > "$TMP/probe" 2>&1
check "outside: socket(AF_INET) works" has "socket-inet: ok"
check "outside: socket(AF_INET6) works" has "socket-inet6: ok"
check "net none links sock_create and the address hooks" \
	test "$(links_of "$CGID")" = "bg_bind4 bg_bind6 bg_connect4 bg_connect6 bg_sendmsg4 bg_sendmsg6 bg_sock_create "
drain_events
check "event: type net, hook sock_create, inet, denied by cgroup-hook" json_any "$TMP/events" \
	"e['type']=='net' and e['hook']=='sock_create' and e['family']=='inet' and e['socket_type']=='dgram' and e['effect']=='denied' and e['mechanism']=='cgroup-hook' and e['action']=='errno' and e['errno']==1 and e['comm']=='sysprobe' and e['cgroup_id']==$CGID"
check "event for inet6 too" json_any "$TMP/events" "e['hook']=='sock_create' and e['family']=='inet6'"
check "exactly two events (one per denied call)" test "$(wc -l < "$TMP/events")" = 2
check "net events valid under the v1 schema (docs/event.schema.json)" events_valid "$TMP/events" --types net
# hook_count OWNER HOOK EFFECT: the exact counter, summed over cgroups
BPFTOOL=$(command -v bpftool || echo /usr/sbin/bpftool)
hook_count() {
	"$BPFTOOL" -j map dump pinned /sys/fs/bpf/bpfguard/maps/bg_hook_counters | python3 -c '
import json, sys
o, h, e = map(int, sys.argv[1:])
print(sum(x["formatted"]["value"] for x in json.load(sys.stdin)
          if x["formatted"]["key"]["owner"] == o and x["formatted"]["key"]["hook"] == h
          and x["formatted"]["key"]["effect"] == e))' "$@"
}
probe_in socket-inet socket-inet socket-inet
check "denials are counted exactly per (cgroup, hook): 2 + 3 socket() calls" \
	test "$(hook_count "$CGID" 1 4)" = 5
drain_events

# ---------------------------------------------------- address rules (replace)
R=$(policy netrules <<POL
name netrules
default allow
net family inet inet6
net connect allow 127.0.0.1/32 port $P_OK tcp
net connect allow ::1/128 port $P_OK tcp
net bind allow 127.0.0.0/8 port $P_BIND
net sendmsg allow 127.0.0.1/32 port 5353 udp
POL
)
expect_rc 0 "replace with address rules" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$R"
check "replace dropped the sock_create link (families all allowed)" \
	test "$(links_of "$CGID")" = "bg_bind4 bg_bind6 bg_connect4 bg_connect6 bg_sendmsg4 bg_sendmsg6 "
probe_in socket-inet connect-tcp 127.0.0.1 "$P_OK" connect-tcp 127.0.0.1 "$P_NO" connect-udp 127.0.0.1 "$P_OK" \
	bind-tcp 127.0.0.1 "$P_BIND" bind-tcp 127.0.0.1 "$P_BIND_NO" \
	sendto-udp 127.0.0.1 5353 sendto-udp 127.0.0.2 5353 \
	connect-tcp ::ffff:127.0.0.1 "$P_OK" connect-tcp ::ffff:127.0.0.1 "$P_NO"
cp "$TMP/probe" "$TMP/probe4"
check "socket(AF_INET) allowed again" grep -qx "socket-inet: ok" "$TMP/probe4"
check "connect to the allowed 127.0.0.1 port succeeds" test "$(grep -c '^connect-tcp: ok$' "$TMP/probe4")" = 2
check "connect to the other port fails with EPERM" test "$(grep -c '^connect-tcp: errno 1$' "$TMP/probe4")" = 2
check "a UDP connect is a connect too: tcp-only rule denies it" grep -qx "connect-udp: errno 1" "$TMP/probe4"
check "bind to the allowed port works, the other fails with EPERM" \
	test "$(grep -c '^bind-tcp: ok$' "$TMP/probe4")/$(grep -c '^bind-tcp: errno 1$' "$TMP/probe4")" = 1/1
check "sendto the allowed destination works, another fails with EPERM" \
	test "$(grep -c '^sendto-udp: ok$' "$TMP/probe4")/$(grep -c '^sendto-udp: errno 1$' "$TMP/probe4")" = 1/1
# order of the probe: the mapped pair is the last two connect-tcp lines
check "IPv4-mapped IPv6 connect is judged by the IPv4 rules" \
	test "$(grep '^connect-tcp' "$TMP/probe4" | tail -2 | tr '\n' ' ')" = "connect-tcp: ok connect-tcp: errno 1 "
"$SYSPROBE" connect-tcp 127.0.0.1 "$P_NO" bind-tcp 127.0.0.1 "$P_BIND_NO" sendto-udp 127.0.0.2 5353 > "$TMP/probe" 2>&1
check "outside: the same connect, bind and sendto work" test $? = 0
if [ "$HAVE6" = 1 ]; then
	probe_in connect-tcp ::1 "$P_OK" connect-tcp ::1 "$P_NO"
	check "IPv6: connect to the allowed ::1 port succeeds, the other fails with EPERM" \
		test "$(tr '\n' ' ' < "$TMP/probe")" = "connect-tcp: ok connect-tcp: errno 1 "
	"$SYSPROBE" connect-tcp ::1 "$P_NO" > "$TMP/probe" 2>&1
	check "IPv6 outside: works" has "connect-tcp: ok"
else
	echo "# skip: no IPv6 loopback here"
fi
drain_events
check "connect event: hook, address, port, protocol" json_any "$TMP/events" \
	"e['type']=='net' and e['hook']=='connect4' and e['address']=='127.0.0.1' and e['port']==$P_NO and e['protocol']=='tcp' and e['effect']=='denied'"
check "mapped connect event: hook connect6, reported as the IPv4 peer" json_any "$TMP/events" \
	"e['hook']=='connect6' and e['family']=='inet' and e['address']=='127.0.0.1' and e['port']==$P_NO"
check "bind event" json_any "$TMP/events" "e['hook']=='bind4' and e['port']==$P_BIND_NO"
check "sendmsg event" json_any "$TMP/events" \
	"e['hook']=='sendmsg4' and e['address']=='127.0.0.2' and e['port']==5353 and e['protocol']=='udp'"
if [ "$HAVE6" = 1 ]; then
	check "IPv6 connect event" json_any "$TMP/events" \
		"e['hook']=='connect6' and e['family']=='inet6' and e['address']=='::1' and e['port']==$P_NO"
fi

# ------------------------------------------------------------------ audit
expect_rc 0 "same policy in audit mode" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$R" --mode audit
probe_in connect-tcp 127.0.0.1 "$P_NO"
check "audit: the denied connect runs" has "connect-tcp: ok"
drain_events
check "audit: recorded, mechanism audit" json_any "$TMP/events" \
	"e['hook']=='connect4' and e['effect']=='recorded' and e['mechanism']=='audit' and e['mode']=='audit'"

# ------------------------------------------------------------ dev + sysctl
D=$(policy devsys <<'POL'
name devsys
default allow
dev allow c 1:3 rw      # /dev/null
sysctl read-only
POL
)
expect_rc 0 "replace with dev + sysctl" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$D"
check "only bg_dev and bg_sysctl are linked now" test "$(links_of "$CGID")" = "bg_dev bg_sysctl "
SYSCTL=/proc/sys/kernel/domainname
ORIG=$(cat "$SYSCTL")
probe_in open-dev /dev/null rw open-dev /dev/zero r mknod-dev "$TMP/null2" 1 3 \
	read-file "$SYSCTL" write-sysctl "$SYSCTL" "$ORIG" socket-inet
check "open /dev/null rw works" has "open-dev: ok"
check "open /dev/zero fails with EPERM" has "open-dev: errno 1"
check "mknod of an allowed device without 'm' fails with EPERM" has "mknod-dev: errno 1"
check "sysctl read works" has "read-file: ok"
check "sysctl write fails with EPERM" has "write-sysctl: errno 1"
check "net is unrestricted without a net section" has "socket-inet: ok"
check "the sysctl kept its value" test "$(cat "$SYSCTL")" = "$ORIG"
"$SYSPROBE" open-dev /dev/zero r write-sysctl "$SYSCTL" "$ORIG" > "$TMP/probe" 2>&1
check "outside: /dev/zero and the sysctl write work" test $? = 0
drain_events
check "dev event: c 1:5 read" json_any "$TMP/events" \
	"e['type']=='dev' and e['hook']=='dev' and e['device_type']=='c' and e['major']==1 and e['minor']==5 and e['access']=='r' and e['effect']=='denied'"
check "dev event for mknod" json_any "$TMP/events" "e['type']=='dev' and e['minor']==3 and e['access']=='m'"
check "sysctl event: name and write" json_any "$TMP/events" \
	"e['type']=='sysctl' and e['sysctl']=='kernel/domainname' and e['access']=='write' and e['effect']=='denied'"
check "dev and sysctl events valid under the v1 schema" events_valid "$TMP/events" --types dev,sysctl
check "exactly three events" test "$(wc -l < "$TMP/events")" = 3

# ------------------------------------------------- nesting: nearest wins, counted once
mkdir "$CG/child"
C=$(policy child <<'POL'
name child
default allow
net family inet
net connect default deny
POL
)
expect_rc 0 "parent net none" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$N"
expect_rc 0 "child: inet allowed, connect denied" "$BPFGUARD" attach --cgroup "$CGREL/child" --policy "$C"
"$SYSPROBE" --cgroup "$CG/child" socket-inet connect-tcp 127.0.0.1 "$P_OK" > "$TMP/probe" 2>&1
check "child's policy decides in the child (socket ok, connect EPERM)" \
	test "$(tr '\n' ' ' < "$TMP/probe")" = "socket-inet: ok connect-tcp: errno 1 "
probe_in socket-inet
check "the parent keeps net none" has "socket-inet: errno 1"
drain_events
check "one denial in the child is one event (the parent's instance steps aside)" \
	test "$(python3 -c "import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)['hook']=='connect4'))" "$TMP/events")" = 1
CHILD=$(stat -c %i "$CG/child")
check "the child's event names the child as the attached cgroup" json_any "$TMP/events" \
	"e['hook']=='connect4' and e['attached_cgroup_id']==$CHILD"
expect_rc 0 "detach the child" "$BPFGUARD" detach --cgroup "$CGREL/child"
check "the child's links are gone" test -z "$(links_of "$CHILD")"
"$SYSPROBE" --cgroup "$CG/child" socket-inet > "$TMP/probe" 2>&1
check "the child falls back to the parent's net none" has "socket-inet: errno 1"

# ------------------------------------------------------------ rollback
# (test builds: fault injection; a default build must ignore the variable)
if test_hooks; then
	mkdir "$CG/rb"
	RB=$(stat -c %i "$CG/rb")
	expect_rc 1 "attach failing while linking the hooks" env BPFGUARD_FAIL_AT=cghooks \
		"$BPFGUARD" attach --cgroup "$CGREL/rb" --policy "$R"
	check "failed attach says nothing changed" grep -q "nothing changed.*cgroup hooks (injected)" "$TMP/err"
	check "no link of the failed attach is left" test -z "$(links_of "$RB")"
	expect_rc 1 "attach failing after the hooks are up" env BPFGUARD_FAIL_AT=reconcile \
		"$BPFGUARD" attach --cgroup "$CGREL/rb" --policy "$C"
	check "its links are removed too" test -z "$(links_of "$RB")"
	"$SYSPROBE" --cgroup "$CG/rb" socket-inet > "$TMP/probe" 2>&1
	check "rb still follows the parent's net none" has "socket-inet: errno 1"
	expect_rc 1 "a failed replace of the parent" env BPFGUARD_FAIL_AT=reconcile \
		"$BPFGUARD" attach --cgroup "$CGREL" --policy "$D"
	check "keeps the parent's links" \
		test "$(links_of "$CGID")" = "bg_bind4 bg_bind6 bg_connect4 bg_connect6 bg_sendmsg4 bg_sendmsg6 bg_sock_create "
	probe_in socket-inet open-dev /dev/zero r
	check "and its behaviour (net none, devices open)" test "$(tr '\n' ' ' < "$TMP/probe")" = "socket-inet: errno 1 open-dev: ok "
else
	mkdir -p "$CG/rb"
	ignores_fault "attach with hooks" --cgroup "$CGREL/rb" --policy "$R"
	"$BPFGUARD" detach --cgroup "$CGREL/rb" > /dev/null
fi

# ------------------------------------------------------------ detach
expect_rc 0 "detach" "$BPFGUARD" detach --cgroup "$CGREL"
check "its hook counters are dropped" test "$(hook_count "$CGID" 1 4)" = 0
check "no cgroup hook links left" test -z "$(ls "$LINKS" 2>/dev/null | grep '^cg-')"
probe_in socket-inet socket-inet6 connect-tcp 127.0.0.1 "$P_NO" open-dev /dev/zero r write-sysctl "$SYSCTL" "$ORIG"
check "after detach everything works inside again" test $? = 0
finish

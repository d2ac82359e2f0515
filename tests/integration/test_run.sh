#!/bin/bash
# bpfguard run: real Go binaries (Debian's Go toolchain, CGO_ENABLED=0) in
# the sandbox: the default policy runs hello world; forbidden calls fail
# with the policy's errno and have no effect or kill; --net none; limits on
# whatever controllers this machine has; --timeout; signals; bad input; and
# nothing is left behind (cgroups, pins, processes).
. "$(dirname "$0")/lib.sh"

command -v go > /dev/null || { echo "go missing: scripts/setup installs golang-go" >&2; exit 1; }
export GOCACHE=$TMP/gocache GOPATH=$TMP/gopath GO111MODULE=off GOFLAGS=
for prog in hello server forbidden; do
	(cd "$BG_SRCDIR/tests/go/$prog" && CGO_ENABLED=0 go build -o "$TMP/$prog" .) ||
		{ not_ok "go build $prog"; finish; }
done
ok "built hello, server and forbidden with $(go version | awk '{print $3}')"
# The payload runs as a per-run host id: let it in.
chmod 755 "$TMP"
F=$TMP/forbidden
PY=$(command -v /usr/bin/python3 || command -v python3)
run() { "$BPFGUARD" run "$@"; }
# last JSON line of a file (the --json summary is the last line on stderr)
summary() { grep '^{' "$1" | tail -1 > "$TMP/summary.json"; }
sum() { json_eval "$TMP/summary.json" "$1"; }

# Policies for the tests.  go-static as shipped (its @go-runtime includes
# the netpoller that os.Open, time.Sleep and os/exec start).
sed 's/^name go-static$/name go-static-test/' "$BG_SRCDIR/policies/go-static.policy" > "$TMP/gotest.policy"
{ sed 's/^name go-static$/name go-deny/; s/\bmkdirat\b//' "$BG_SRCDIR/policies/go-static.policy"
  echo 'errno(EACCES) mkdirat'; } > "$TMP/godeny.policy"
{ sed 's/^name go-static$/name go-net/' "$BG_SRCDIR/policies/go-static.policy"
  echo 'allow socket connect'; } > "$TMP/gonet.policy"
printf 'name allow-all\ndefault allow\n' > "$TMP/allow.policy"
"$BPFGUARD" policy check "$TMP/godeny.policy" > /dev/null || not_ok "test policy godeny parses"

# --- the default policy runs a static Go hello world
run -- "$TMP/hello" a b > "$TMP/out" 2> "$TMP/err"
check "hello exits 0 under the built-in policy (exit $?)" test $? = 0
check "hello printed its output" grep -q "hello, world" "$TMP/out"
check "hello got its arguments" grep -q "args: \[a b\]" "$TMP/out"
check "nothing on stderr for a clean run" test ! -s "$TMP/err"
run --json -- "$TMP/hello" > /dev/null 2> "$TMP/err"; summary "$TMP/err"
check "--json summary: exit 0, zero denials, mechanism seccomp" \
	test "$(sum 'j["exit_code"], j["denials_total"], j["mechanism"]["errno"], j["policy"]')" = "(0, 0, 'seccomp', 'go-static')"
check "--json summary: wall time and peak memory" test "$(sum 'j["wall_time_ms"] > 0 and j["peak_memory_bytes"] > 0')" = True
check "--json summary: the cgroup carries the run id" test "$(sum '("/bpfguard.run/" + j["run_id"] + "/") in j["cgroup"]')" = True

run --no-bpf --json -- "$F" socket > "$TMP/out" 2> "$TMP/err"; summary "$TMP/err"
check "--no-bpf: seccomp alone still denies (EPERM)" grep -qx "socket: errno 1" "$TMP/out"
check "--no-bpf: ... and counts the denial" test "$(sum 'j["denials"].get("socket")')" = 1
{ cat "$TMP/gotest.policy"; echo 'net connect deny 10.0.0.0/8'; } | sed 's/^name .*/name go-netsec/' > "$TMP/netsec.policy"
expect_rc 125 "--no-bpf refuses a policy with net sections" \
	run --no-bpf --policy "$TMP/netsec.policy" -- "$TMP/hello"
check "... one line saying why" grep -q "net/dev/sysctl/exec sections" "$TMP/err"

# --- forbidden calls: the policy's errno, no effect
mkdir -p "$TMP/rw"; chmod 1777 "$TMP/rw" # writable by the payload's per-run id
run --json -- "$F" socket mount > "$TMP/out" 2> "$TMP/err"; summary "$TMP/err"
check "socket() fails with EPERM (default errno of go-static)" grep -qx "socket: errno 1" "$TMP/out"
check "mount() fails with EPERM" grep -qx "mount: errno 1" "$TMP/out"
check "summary counts the denials by syscall" test "$(sum 'j["denials"].get("socket"), j["denials"].get("mount")')" = "(1, 1)"
run --policy "$TMP/godeny.policy" --rw "$TMP/rw" -- "$F" mkdir "$TMP/rw/made" > "$TMP/out" 2>&1
check "mkdir fails with the policy's errno (EACCES), even where writable" grep -qx "mkdir: errno 13" "$TMP/out"
check "... and had no effect" test ! -e "$TMP/rw/made"
# go-static allows execve (the payload's own exec needs it; a policy that
# denies execve cannot start anything): the exec'd program is still under
# the filter, and a dynamic /bin/true dies in its loader (mprotect: EPERM).
run --json -- "$F" exec /bin/true > "$TMP/out" 2> "$TMP/err"; summary "$TMP/err"
check "an exec'd program stays under the policy (its loader's mprotect is denied)" \
	test "$(sum 'j["denials"].get("mprotect", 0) >= 1 and j["exit_code"] == 127')" = True
run -- "$F" mkdir /usr/bg-run-$$ write "$TMP/rw/x" > "$TMP/out" 2>&1
check "mkdir outside /tmp fails: the view is read-only (EROFS)" grep -qx "mkdir: errno 30" "$TMP/out"
check "... and had no effect" test ! -e /usr/bg-run-$$
run --fs host -- "$F" mkdir /var/tmp/bg-run-$$ > "$TMP/out" 2>&1
check "--fs host: the host is read-only too (EROFS)" grep -qx "mkdir: errno 30" "$TMP/out"
check "... and had no effect" test ! -e /var/tmp/bg-run-$$
run --policy "$TMP/gotest.policy" --rw "$TMP/rw" -- "$F" write "$TMP/rw/x" write /tmp/private-$$ > "$TMP/out" 2>&1
check "--rw PATH is writable" test "$(grep -c ': ok' "$TMP/out")" = 2 -a -e "$TMP/rw/x"
check "/tmp is private (nothing reached the host's /tmp)" test ! -e /tmp/private-$$
run --ro "$TMP/rw" -- "$F" write "$TMP/rw/y" > "$TMP/out" 2>&1
check "--ro PATH is read-only (EROFS)" grep -qx "write: errno 30" "$TMP/out"

# --- kill rules: exit 120, one line naming the syscall
for sc in ptrace io_uring_setup; do
	expect_rc 120 "$sc is killed by the policy" run -- "$F" "$sc"
	check "the line names $sc" grep -q "killed by policy 'go-static': syscall $sc" "$TMP/err"
	check "$sc never returned" test "$(grep -c "^$sc: " "$TMP/out")" = 1
done

# --- int $0x80: seccomp kills ia32 calls the policy does not allow; with
# IA-32 emulation off the kernel faults the instruction before seccomp.
bash -c '"$0" ia32-getpid; exit $?' "$SYSPROBE" > /dev/null 2>&1
ia32=$?
if [ $ia32 = 139 ] || [ $ia32 = 134 ]; then
	echo "# IA-32 emulation is off on this kernel: int \$0x80 faults (SIGSEGV) before seccomp sees it;"
	echo "# the ia32 kill itself is checked in the VM tests (tests/vm), not here"
	run -- "$F" int80 > "$TMP/out" 2> "$TMP/err"
	rc=$?
	check "int \$0x80 faults (Go reports SIGSEGV, exit $rc), the call never returns" \
		sh -c "[ $rc = 2 ] && grep -q SIGSEGV '$TMP/err' && ! grep -q 'int80: returned' '$TMP/out'"
else
	expect_rc 120 "int \$0x80 (ia32 getpid) is killed: ia32 is not in the policy" run -- "$F" int80
fi

# --- events: seccomp's decisions reach bpfguard's event stream.  A
# follower started before any state exists pins the maps itself; the run
# then needs no sys_enter program (seccomp judges); every denial, errno and
# kill, is a JSON event of the run's payload cgroup tagged with the run id;
# and once the follower leaves, nothing stays pinned.
"$BPFGUARD" reset > /dev/null
"$BPFGUARD" events --follow --json > "$TMP/follow0" 2>/dev/null &
follower=$!
sleep 0.5
run --policy "$TMP/godeny.policy" --json -- "$F" socket mkdir /tmp/x sleep 0.3 > "$TMP/out" 2> "$TMP/err" &
runner=$!
sleep 0.2
check "while a run is active, nothing is attached to sys_enter (seccomp judges the payload)" \
	test ! -e /sys/fs/bpf/bpfguard/links/bg_sys_enter
"$BPFGUARD" status --json > "$TMP/status.json" 2>/dev/null
check "... and status lists the run's attachment" grep -q 'bpfguard.run' "$TMP/status.json"
wait $runner; summary "$TMP/err"
rid=$(sum 'j["run_id"]')
run --json -- "$F" ptrace > /dev/null 2> "$TMP/err2"
sleep 1.5 # the follower checks for new pins every second
kill $follower; wait $follower 2>/dev/null
check "enforce mode: the seccomp EPERM of socket() is an event (denied, seccomp, run $rid)" \
	json_any "$TMP/follow0" "e['syscall'] == 'socket' and e['effect'] == 'denied' and e['mechanism'] == 'seccomp' and e['errno'] == 1 and e['run_id'] == '$rid'"
check "... so is mkdirat's EACCES, with the policy's errno" \
	json_any "$TMP/follow0" "e['syscall'] == 'mkdirat' and e['errno'] == 13 and e['policy'] == 'go-deny' and e['mode'] == 'enforce'"
check "... and the next run's ptrace kill (a new run id)" \
	json_any "$TMP/follow0" "e['syscall'] == 'ptrace' and e['effect'] == 'killed' and e['action'] == 'kill' and e['run_id'] != '$rid'"
check "... events carry no register values a seccomp record does not have" \
	json_any "$TMP/follow0" "e['syscall'] == 'socket' and 'args' not in e"
check "the follower gone, no pins are left" test ! -e /sys/fs/bpf/bpfguard
check "seccomp events of runs valid under the v1 schema (docs/event.schema.json)" events_valid "$TMP/follow0" --types syscall
# controls: the check can fail (a field gone, a field undocumented)
"$PY" -c "import json,sys; e=json.loads(open(sys.argv[1]).readline()); del e['schema_version']; print(json.dumps(e))" "$TMP/follow0" > "$TMP/bad1"
"$PY" -c "import json,sys; e=json.loads(open(sys.argv[1]).readline()); e['surprise']=1; print(json.dumps(e))" "$TMP/follow0" > "$TMP/bad2"
schema_rejects() { ! events_valid "$@"; }
check "... control: an event without schema_version is rejected" schema_rejects "$TMP/bad1"
check "... control: an event with a field the schema does not name is rejected" schema_rejects "$TMP/bad2"
check "... with schema_version 1, the host name and this boot's id" \
	json_any "$TMP/follow0" "e['schema_version'] == 1 and e['host'] == '$(hostname)' and e['boot_id'] == '$(cat /proc/sys/kernel/random/boot_id)'"

# --- audit mode: everything runs, each denial is recorded (seccomp LOG
# records), so it is an event of the run's payload cgroup: its path
# (/bpfguard.run/<run id>/payload, for a reader following along while the
# run lives) and its id (also in the summary).  Another attachment keeps
# bpfguard's pins, and so the event buffer, after the run.
expect_rc 0 "an unrelated attachment keeps the pins" \
	"$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/allow.policy" --mode audit
"$BPFGUARD" events --json > /dev/null 2>&1
"$BPFGUARD" events --follow --json > "$TMP/follow" 2>/dev/null &
follower=$!
sleep 0.5
run --mode audit --json -- "$F" socket sleep 1 > "$TMP/out" 2> "$TMP/err"; summary "$TMP/err"
sleep 0.5
kill $follower; wait $follower 2>/dev/null
check "audit mode: socket() runs" grep -qx "socket: ok" "$TMP/out"
check "audit mode: the denial is counted" test "$(sum 'j["denials"].get("socket")')" = 1
rid=$(sum 'j["run_id"]') cgid=$(sum 'j["cgroup_id"]')
check "audit mode: a JSON event for socket from the run's cgroup (id $cgid)" \
	json_any "$TMP/follow" "e['syscall'] == 'socket' and e['cgroup_id'] == $cgid"
check "... its cgroup path carries the run id ($rid)" \
	json_any "$TMP/follow" "e['syscall'] == 'socket' and e['cgroup'] == '/bpfguard.run/$rid/payload'"
check "... exactly once, although sys_enter is attached for the other cgroup (it leaves seccomp's payload alone)" \
	test "$(grep -c "\"syscall\":\"socket\".*\"cgroup_id\":$cgid\|\"cgroup_id\":$cgid.*\"syscall\":\"socket\"" "$TMP/follow")" = 1
check "the run left the other attachment alone" sh -c "\"$BPFGUARD\" detach --cgroup '$CGREL' > /dev/null"

# --- --learn: record what the payload does (audit mode), then enforce it
run --learn "$TMP/hello.learned" -- "$TMP/hello" > "$TMP/out" 2> "$TMP/err"
check "--learn: the payload runs (exit $?) and the policy is written" \
	sh -c "grep -q 'hello, world' '$TMP/out' && grep -q '^name learned-hello' '$TMP/hello.learned'"
check "... bpfguard policy check accepts it" "$BPFGUARD" policy check "$TMP/hello.learned"
run --policy "$TMP/hello.learned" --json -- "$TMP/hello" > "$TMP/out" 2> "$TMP/err"; summary "$TMP/err"
check "... enforced, the same program runs again with zero denials" \
	test "$(sum 'j["exit_code"], j["denials_total"]')" = "(0, 0)"
run --policy "$TMP/hello.learned" -- "$F" socket > "$TMP/out" 2>&1
check "... and a call it never made is denied (socket: EPERM)" grep -qx "socket: errno 1" "$TMP/out"
expect_rc 125 "--learn with --no-bpf: refused" run --learn "$TMP/x.learned" --no-bpf -- "$TMP/hello"
expect_rc 125 "--learn to an unwritable place: refused before anything runs" \
	run --learn /proc/nope/x.policy -- "$TMP/hello"

# --- network
run --policy "$TMP/gonet.policy" -- "$F" connect 1.1.1.1:80 connect 127.0.0.1:9 > "$TMP/out" 2>&1
check "--net none: an outbound connect fails (ENETUNREACH)" grep -qx "connect: errno 101" "$TMP/out"
check "--net none: loopback is up (connection refused, not unreachable)" grep -qx "connect: errno 111" "$TMP/out"
PORT=$((18000 + $$ % 1000))
run --net host --policy "$BG_SRCDIR/policies/go-server.policy" -- "$TMP/server" "127.0.0.1:$PORT" 2 > "$TMP/srv" 2>&1 &
srv=$!
got=$(python3 -c "
import sys, time, urllib.request
out = []
for _ in range(2):
    for _ in range(200):
        try:
            out.append(urllib.request.urlopen('http://127.0.0.1:$PORT/', timeout=2).read().decode().strip()); break
        except OSError:
            time.sleep(0.05)
print(' '.join(out))")
wait $srv
check "net/http server under go-server, --net host: served 2 requests (got '$got'), exit $?" test "$got" = "ok ok"
run -- "$TMP/server" "127.0.0.1:$PORT" 1 > "$TMP/out" 2>&1
check "the server under the default policy cannot listen (exit $?)" grep -q "operation not permitted" "$TMP/out"

# --- limits, on whatever controllers this machine has
run --policy "$TMP/gotest.policy" --pids 20 --json -- "$F" spawn 40 > "$TMP/out" 2> "$TMP/err"; summary "$TMP/err"
started=$(sed -n 's/^spawn: started \([0-9]*\) of 40$/\1/p' "$TMP/out")
check "--pids 20: fork fails with EAGAIN past the limit (started ${started:-?} of 40)" \
	sh -c "[ -n '$started' ] && [ '$started' -lt 20 ] && grep -qx 'spawn: errno 11' '$TMP/out'"
check "--pids: the summary says the limit was hit and which mechanism ($(sum 'j["limits"]["pids"]["via"]'))" \
	test "$(sum 'j["limits"]["pids"].get("hit", 0) > 0 and j["limits"]["pids"]["via"] in ("cgroup-v2", "cgroup-v1", "rlimit")')" = True
expect_rc 121 "a shell fork bomb under --pids 20 is contained until the timeout" \
	run --policy "$TMP/allow.policy" --pids 20 --timeout 3s --json -- /bin/sh -c 'b() { b | b & }; b; while :; do sleep 60; done'
summary "$TMP/err"
check "... the pids limit was hit" test "$(sum 'j["limits"]["pids"].get("hit", 0) > 0')" = True
expect_rc 122 "--memory 64M: a memory hog is killed" run --memory 64M --json -- "$F" hog 400
summary "$TMP/err"
check "... one line names the limit and the mechanism ($(sum 'j["limits"]["memory"]["via"]'))" \
	grep -q "killed by the memory limit (--memory 64M, cgroup-v" "$TMP/err"
check "... the summary's peak memory is at the limit" test "$(sum 'j["peak_memory_bytes"] >= 60 << 20')" = True
expect_rc 0 "--cpu 0.5 runs (quota set)" run --cpu 0.5 -- "$TMP/hello"

# --- the last tier, rlimits (this host has v1 controllers; the VM tests
# cover cgroup v2): BPFGUARD_RUN_LIMITS=rlimit skips both cgroup tiers.
export BPFGUARD_RUN_LIMITS=rlimit
expect_rc 125 "rlimit tier: --pids for a payload mapped to host root is refused (RLIMIT_NPROC does not bind it)" \
	run --user root --pids 20 -- "$F" spawn 40
check "... one line with what to do" grep -q "drop --user root" "$TMP/err"
expect_rc 125 "rlimit tier: --user root with the default pids limit is refused too" run --user root -- "$TMP/hello"
check "... one line with what to do" grep -q "add --pids max" "$TMP/err"
expect_rc 0 "... --pids max lifts it" run --user root --pids max -- "$TMP/hello"
run --user nobody --pids 20 --json -- "$F" spawn 40 > "$TMP/out" 2> "$TMP/err"; summary "$TMP/err"
started=$(sed -n 's/^spawn: started \([0-9]*\) of 40$/\1/p' "$TMP/out")
check "rlimit tier: --user nobody --pids 20: fork fails with EAGAIN past the limit (started ${started:-?} of 40)" \
	sh -c "[ '${started:-40}' -lt 40 ] && grep -qx 'spawn: errno 11' '$TMP/out'"
check "... the summary says rlimit" test "$(sum 'j["limits"]["pids"]["via"]')" = rlimit
run --memory 64M --json -- "$F" hog 400 > "$TMP/out" 2> "$TMP/err"; summary "$TMP/err"
check "rlimit tier: --memory 64M (RLIMIT_DATA): the hog's allocations fail, it stops short of 400 MiB" \
	sh -c "! grep -q 'hog: done' '$TMP/out' && grep -q 'out of memory' '$TMP/err'"
check "... its exit code (2, Go's fatal error) passes through, the summary says rlimit" \
	test "$(sum 'j["exit_code"] == 2 and j["limits"]["memory"]["via"] == "rlimit"')" = True
check "... with a note naming RLIMIT_DATA" grep -q "note: .*RLIMIT_DATA" "$TMP/err"
expect_rc 0 "rlimit tier: a Go program well under the limit runs" run --memory 64M -- "$F" hog 20
unset BPFGUARD_RUN_LIMITS
expect_rc 0 "--user nobody: the sandbox's root maps to nobody and can still write its /tmp" \
	run --user nobody -- "$F" write /tmp/x

# --- timeout and signals
start=$(date +%s%N)
expect_rc 121 "--timeout 1s kills a sleeping payload" run --policy "$TMP/gotest.policy" --timeout 1s -- "$F" sleep 30
check "... after about 1s ($(( ($(date +%s%N) - start) / 1000000 )) ms)" test $(( ($(date +%s%N) - start) / 1000000 )) -lt 5000
check "... with one line saying why" grep -q "timeout: killed the whole tree after 1s" "$TMP/err"
"$BPFGUARD" run --policy "$TMP/gotest.policy" -- "$F" sleep 30 > /dev/null 2> "$TMP/err" &
bg=$!
sleep 1
kill -TERM $bg
wait $bg
check "SIGTERM is forwarded to the payload (exit $?, 143 = 128+15)" test $? = 143

# --- exit codes pass through
expect_rc 3 "the payload's exit code passes through" run --policy "$TMP/allow.policy" -- /bin/sh -c 'exit 3'

# --- bad input: one clear line, non-zero exit, nothing created
printf '#!/bin/sh\n' > "$TMP/noexec"; chmod 644 "$TMP/noexec"
expect_rc 125 "missing CMD" run --
check "... one line" test "$(wc -l < "$TMP/err")" = 1
expect_rc 125 "unknown policy file" run --policy /nonexistent.policy -- "$TMP/hello"
check "... one line naming the file" sh -c "[ \$(wc -l < '$TMP/err') = 1 ] && grep -q nonexistent.policy '$TMP/err'"
expect_rc 125 "bad --memory size" run --memory 12X -- "$TMP/hello"
expect_rc 125 "bad --timeout" run --timeout soon -- "$TMP/hello"
expect_rc 125 "--ro of a missing path" run --ro /nonexistent-$$ -- "$TMP/hello"
expect_rc 126 "CMD not executable" run -- "$TMP/noexec"
check "... one line" test "$(wc -l < "$TMP/err")" = 1
expect_rc 127 "CMD not found" run -- no-such-command-$$
expect_rc 127 "CMD not found (path)" run -- "$TMP/nothing"
expect_rc 125 "a setup failure inside the sandbox (--workdir that does not exist)" \
	run --workdir /nonexistent-$$ -- "$TMP/hello"
check "... one line saying what" grep -q "working directory /nonexistent-$$" "$TMP/err"

# --- what a run keeps for the next: the maps and the recorder, pinned.
# The recorder's pin is reused only while it writes to the maps pinned now:
# maps made again (here: their pins removed by hand, nothing attached)
# make the next run load and pin it anew.
map_id() { bpftool -j map show pinned "/sys/fs/bpf/bpfguard/maps/$1" > "$TMP/m.json" && json_eval "$TMP/m.json" 'j["id"]'; }
rec_pin() { ls -t /sys/fs/bpf/bpfguard/progs/bg_record_* 2>/dev/null | head -1; } # the newest: other builds pin their own
rec_prog() { bpftool -j prog show pinned "$(rec_pin)" > "$TMP/p.json" && json_eval "$TMP/p.json" "$1"; }
rec_maps() { rec_prog '" ".join(str(i) for i in j.get("map_ids", []))'; }
run -- "$TMP/hello" > /dev/null 2>&1
check "after a run, bpfguard's maps stay pinned" test -e /sys/fs/bpf/bpfguard/maps/bg_events
check "... and the recorder, named after its object's hash" test -n "$(rec_pin)"
check "... which writes to the pinned bg_events" sh -c "echo ' $(rec_maps) ' | grep -q ' $(map_id bg_events) '"
old_prog=$(rec_prog 'j["id"]')
rm -f /sys/fs/bpf/bpfguard/maps/*
run --policy "$TMP/godeny.policy" -- "$F" mkdir /tmp/x > /dev/null 2>&1
check "maps made again: the stale recorder pin was replaced (a new program)" \
	test "$(rec_prog 'j["id"]')" != "$old_prog"
check "... which writes to the new bg_events" sh -c "echo ' $(rec_maps) ' | grep -q ' $(map_id bg_events) '"

# --- the seccomp program cache (/run/bpfguard/seccomp-*.bpf): a hit is
# exactly what the policy's bytes compile to; anything else compiles again
cache_file() { ls -t /run/bpfguard/seccomp-*.bpf 2>/dev/null | head -1; }
rm -f /run/bpfguard/seccomp-*.bpf
run --policy "$TMP/godeny.policy" --rw "$TMP/rw" -- "$F" mkdir "$TMP/rw/c1" > "$TMP/out" 2>&1
check "a run caches its compiled filter (mode 0600)" test "$(stat -c %a "$(cache_file)" 2>/dev/null)" = 600
ino1=$(stat -c %i "$(cache_file)")
run --policy "$TMP/godeny.policy" --rw "$TMP/rw" -- "$F" mkdir "$TMP/rw/c2" > "$TMP/out" 2>&1
check "... the next run of the same policy is served from it (not compiled and stored again)" \
	test "$(stat -c %i "$(cache_file)")" = "$ino1"
check "... and still denies mkdir with EACCES" sh -c "grep -qx 'mkdir: errno 13' '$TMP/out' && test ! -e '$TMP/rw/c2'"
{ grep -v '^errno(EACCES) mkdirat' "$TMP/godeny.policy"; echo 'allow mkdirat'; } > "$TMP/godeny2.policy"
run --policy "$TMP/godeny2.policy" --rw "$TMP/rw" -- "$F" mkdir "$TMP/rw/c3" > "$TMP/out" 2>&1
check "... a changed policy is compiled, not served another's program (mkdir now allowed)" test -d "$TMP/rw/c3"
cf=$(cache_file); chmod 644 "$cf"
run --policy "$TMP/godeny2.policy" --rw "$TMP/rw" -- "$F" mkdir "$TMP/rw/c4" > /dev/null 2>&1
check "... a cache file not mode 0600 is not read, and is replaced" \
	sh -c "test -d '$TMP/rw/c4' && test \"\$(stat -c %a '$cf')\" = 600"
# a file with the right key but another program: the key is the whole
# policy text, so editing the stored text makes it answer nothing
python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); i=b.find(b'allow mkdirat'); b[i:i+5]=b'ALLOW'; open(p,'wb').write(b)" "$cf"
run --policy "$TMP/godeny2.policy" --rw "$TMP/rw" -- "$F" mkdir "$TMP/rw/c5" > /dev/null 2>&1
check "... a file whose key differs by one byte is not used (compiled again)" sh -c "test -d '$TMP/rw/c5' && ! grep -q ALLOW '$cf'"

# --- a run's state and slot (user/core/attach.c: bg_detach_run).  The
# state stays open from attach to detach but without bpfguard's lock, so
# other commands are not held up by a running payload; a finished run
# leaves its policy slot filled for the next run of the same policy, and
# that slot never answers for another policy.
rules_of() { # rules_of CGROUP-SUBSTRING: "syscall action" lines of its attachment
	"$BPFGUARD" status --json | python3 -c '
import json, sys
for a in json.load(sys.stdin)["attachments"]:
    if sys.argv[1] in a["cgroup"]:
        for r in a["rules"]:
            print(r["syscall"], r["action"])' "$1"
}
run --policy "$TMP/godeny.policy" -- "$F" sleep 0.1 > /dev/null 2>&1
mkdir -p "$CG/slot"
"$BPFGUARD" attach --cgroup "$CGREL/slot" --policy "$TMP/allow.policy" > /dev/null 2>&1 ||
	not_ok "attach of another policy after a run"
run --policy "$TMP/godeny.policy" -- "$F" sleep 2 > /dev/null 2>&1 &
runner=$!
wait_for 5 sh -c "\"$BPFGUARD\" status 2>/dev/null | grep -q bpfguard.run"
t0=$(date +%s%N)
"$BPFGUARD" attach --cgroup "$CGREL/slot" --policy "$TMP/gonet.policy" > /dev/null 2>&1
t1=$(date +%s%N)
check "an attach while a run is active is not held up by it ($(((t1 - t0) / 1000000)) ms)" \
	sh -c "kill -0 $runner && [ $(((t1 - t0) / 1000000)) -lt 1000 ]"
rules_of bpfguard.run > "$TMP/run.rules"
rules_of "$CGREL/slot" > "$TMP/slot.rules"
check "the run's attachment has its own policy's rule (mkdirat errno(EACCES))" grep -qx 'mkdirat errno(EACCES)' "$TMP/run.rules"
check "... and the other cgroup has its own (no mkdirat errno(EACCES))" sh -c "! grep -q 'mkdirat errno' '$TMP/slot.rules'"
wait "$runner"
check "the run ended cleanly (exit $?)" test $? = 0
"$BPFGUARD" detach --cgroup "$CGREL/slot" > /dev/null 2>&1 || not_ok "detach of the other cgroup"
rmdir "$CG/slot"

# --- nothing left behind
left=$(find /sys/fs/cgroup -maxdepth 3 -path '*bpfguard.run/*' 2>/dev/null)
check "no bpfguard.run/* cgroups left (v2 or v1)${left:+: $left}" test -z "$left"
check "no run attachments or pins left" sh -c "! ls /sys/fs/bpf/bpfguard/links 2>/dev/null | grep -q . && ! \"$BPFGUARD\" status 2>/dev/null | grep -q bpfguard.run"
# the maps stay pinned (above), so they must be empty of runs: every
# record, guarded-cgroup entry and counter a run made is gone with it
for m in bg_attachments bg_cgroups bg_counters; do
	check "$m holds nothing of the runs (nothing else is attached)" \
		test "$(bpftool -j map dump pinned /sys/fs/bpf/bpfguard/maps/$m 2>/dev/null)" = "[]"
done
check "no payload processes left" sh -c "! pgrep -f '$TMP/(forbidden|server|hello)' > /dev/null"
check "no sandbox mounts left on the host" sh -c "! grep -q ' /tmp/tmp' /proc/self/mountinfo"
finish

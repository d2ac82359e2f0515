#!/bin/bash
# The executable allowlist refused at execve on this kernel (no BPF LSM):
# the fanotify exec gate answers FAN_OPEN_EXEC_PERM from the maps exec.bpf.c
# reads, so an unlisted program in the guarded cgroup makes execve fail
# with EPERM (the caller sees it and goes on; the program never ran), a
# listed one runs (dynamic: its ELF interpreter is admitted with it), the
# same file runs outside the cgroup, a changed file is refused, trust
# add/remove change a cached answer at once.  The gate
# outlives the CLI; killed, the kill at exec (backstop) still stops every
# unlisted program before its first instruction; stopped (SIGSTOP), a
# guarded exec waits a bounded time, then the backstop judges it and a new
# worker answers; detach and reset stop it; status shows it.
. "$(dirname "$0")/lib.sh"

export BPFGUARD_TRUST_STORE=$TMP/trust.list
unset BPFGUARD_EXEC_GATE
B=$TMP/bin
mkdir -p "$B"
chmod 755 "$TMP" "$B"
cp /bin/true "$B/allowed"
cp /usr/bin/touch "$B/toucher"      # unlisted: its first act would be to create a file
cp /usr/bin/touch "$B/listed-touch" # listed, dynamically linked
in_cg() { "$SYSPROBE" --cgroup "$CG" "$@"; }
# gone PID: exited (a zombie counts: init here may reap late)
gone() { [ ! -e "/proc/$1" ] || grep -q '^State:.*[ZX]' "/proc/$1/status" 2>/dev/null; }
wait_gone() { for _ in $(seq 50); do gone "$1" && return 0; sleep 0.1; done; return 1; }
gate_json() { "$BPFGUARD" status --json > "$TMP/st" 2>&1 && json_eval "$TMP/st" "$1"; }

policy exec > /dev/null <<POL
name exec-fanotify
default allow
exec allow $B/allowed
exec allow $B/listed-touch
POL
expect_rc 0 "attach with an exec section" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/exec.policy"
check "... attach says the fanotify gate refuses at execve" \
	grep -q "executables: 2 listed files, others refused at execve (fanotify: EPERM" "$TMP/out"
GPID=$(gate_json "j['exec_gate']['pid']")
check "the gate runs after the CLI exited (pid $GPID)" kill -0 "$GPID"
check "status --json: exec_mechanism fanotify" \
	test "$(gate_json "j['attachments'][0]['exec_mechanism']")" = fanotify
check "... exec_gate running and answering" test "$(gate_json "j['exec_gate']['answering']")" = True
check "the backstop stays attached" test -e /sys/fs/bpf/bpfguard/links/bg_exec_kill

# EPERM at execve, the caller goes on
expect_rc 1 "an unlisted exec in the guarded cgroup returns to its caller" in_cg try-exec "$B/toucher" getpid
check "... with EPERM (errno 1)" grep -q "try-exec: errno 1" "$TMP/out"
check "... and the caller went on" grep -q "getpid: ok" "$TMP/out"
expect_rc 101 "an unlisted program with arguments: execve fails" in_cg exec "$B/toucher" "$TMP/made"
check "... EPERM, and it never ran (no file)" sh -c "grep -q 'exec: errno 1' '$TMP/out' && [ ! -e '$TMP/made' ]"
check "... the gate's log names the refused file and why" \
	grep -q "refused exec of $B/toucher by tid [0-9]*: not listed" /run/bpfguard/exec-gate.log
expect_rc 0 "a listed dynamic program runs (its interpreter admitted)" in_cg exec "$B/listed-touch" "$TMP/made-listed"
check "... and did its work" test -e "$TMP/made-listed"
expect_rc 0 "the same unlisted program outside every guarded cgroup runs" "$SYSPROBE" exec "$B/toucher" "$TMP/made-out"
check "... and did its work" test -e "$TMP/made-out"
expect_rc 0 "a listed file runs" in_cg exec "$B/allowed"
expect_rc 0 "... twice" in_cg exec "$B/allowed"
check "status: the second exec of the same file was a cache hit" \
	test "$(gate_json "j['exec_gate']['cache_hits']")" -ge 1
check "status: denials counted" test "$(gate_json "j['exec_gate']['denied']")" -ge 2
# every refusal is a bpfguard event, like the LSM's and the kill's
drain_events
check "the refusal is an exec event (mechanism fanotify, EPERM, the path)" json_any "$TMP/events" \
	"e.get('type') == 'exec' and e.get('mechanism') == 'fanotify' and e.get('errno') == 1 and e.get('path') == '$B/toucher' and e.get('effect') == 'denied'"
check "status: the attachment counts the gate's refusals (hook fan_exec)" \
	test "$(gate_json "j['attachments'][0]['hook_decisions']['fan_exec']['denied']")" -ge 2
"$BPFGUARD" status > "$TMP/st.txt" 2>&1
check "status text: the gate line" grep -q "exec gate (fanotify): running, pid $GPID" "$TMP/st.txt"
check "status text: the attachment names the mechanism" grep -q "refused at execve (fanotify" "$TMP/st.txt"
printf '\n' >> "$B/allowed"
expect_rc 101 "a listed file changed after hashing (new ctime) is refused at execve" in_cg exec "$B/allowed"
check "... counted as changed" test "$(gate_json "j['exec_gate']['denied_by_why'].get('changed', 0)")" -ge 1
check "... EPERM" grep -q "exec: errno 1" "$TMP/out"
if [ -d /dev/shm ] && cp /bin/true /dev/shm/bg-fan-true-$$ 2>/dev/null; then
	chmod 755 /dev/shm/bg-fan-true-$$
	in_cg exec /dev/shm/bg-fan-true-$$ > "$TMP/out" 2>&1
	check "a file on tmpfs is refused at execve (exit $?)" grep -q "exec: errno 1" "$TMP/out"
	rm -f /dev/shm/bg-fan-true-$$
fi
cp /bin/true "$B/allowed" # the vouched content again (another ctime: still refused, as the map says)

# stalled gate: SIGSTOP its worker.  Every exec on the machine waits for
# it then (fanotify has no per-process marks), so between the stop and the
# measurement the test itself execs nothing: a subshell already in the
# guarded cgroup execs (bash's exec builtin) when told through a FIFO.
WPID=$(gate_json "j['exec_gate']['worker_pid']")
check "the worker's pid is known ($WPID)" test "$WPID" -gt 1
mkfifo "$TMP/go"
( echo "$BASHPID" > "$CG/cgroup.procs"; read -r _ < "$TMP/go"; exec "$B/toucher" "$TMP/made-stall" ) 2>/dev/null &
SUB=$!
sleep 0.3
[ "$WPID" -gt 1 ] && kill -STOP "$WPID"
t0=${EPOCHREALTIME//[.,]/}
echo go > "$TMP/go"
wait "$SUB"
rc=$?
ms=$(( (${EPOCHREALTIME//[.,]/} - t0) / 1000 ))
check "worker stopped: the guarded exec waits a bounded time ($ms ms, bound $((1000 + 100)) ms + restart, < 3000)" \
	test "$ms" -lt 3000
check "... it waited for the watchdog (1000 ms without a heartbeat, which is at most 200 ms old when stopped): $ms ms >= 700" test "$ms" -ge 700
check "... then the backstop killed it before its first instruction (exit $rc, no file)" \
	sh -c "[ $rc = 137 ] && [ ! -e '$TMP/made-stall' ]"
check "... the stopped worker was killed" wait_gone "$WPID"
sleep 0.3
check "... and a new worker answers" test "$(gate_json "j['exec_gate']['answering']")" = True
check "... status counts the stall" test "$(gate_json "j['exec_gate']['stalls']")" -ge 1
expect_rc 101 "... which refuses at execve again" in_cg exec "$B/toucher" "$TMP/made-after"

# dead gate: kill -9 the supervisor (its worker dies with it)
kill -9 "$GPID"
check "the gate is dead" wait_gone "$GPID"
sleep 0.2
check "status: the gate is not running" test "$(gate_json "j['exec_gate']['running']")" = False
check "... the mechanism in force is the kill" test "$(gate_json "j['attachments'][0]['exec_mechanism']")" = kill
in_cg exec "$B/toucher" "$TMP/made-dead" > /dev/null 2>&1
rc=$?
check "gate dead: an unlisted program is killed before its first instruction (exit $rc, no file)" \
	sh -c "[ $rc = 137 ] && [ ! -e '$TMP/made-dead' ]"
expect_rc 0 "gate dead: a listed program still runs" in_cg exec "$B/listed-touch" "$TMP/made-listed2"
check "... and did its work" test -e "$TMP/made-listed2"

# the next attach brings it back; detach stops it
expect_rc 0 "attach again" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/exec.policy"
GPID=$(gate_json "j['exec_gate']['pid']")
check "... the gate runs again (pid $GPID)" kill -0 "$GPID"
expect_rc 101 "... and refuses at execve" in_cg exec "$B/toucher" "$TMP/made-again"
expect_rc 0 "detach" "$BPFGUARD" detach --cgroup "$CGREL"
check "the last detach stopped the gate" gone "$GPID"
check "... status says so" test "$(gate_json "j['exec_gate']['running']")" = False

# audit: recorded by the backstop path, the gate does not refuse
expect_rc 0 "attach in audit mode" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/exec.policy" --mode audit
expect_rc 0 "audit: an unlisted program runs" in_cg exec "$B/toucher" "$TMP/made-audit"
check "... and did its work" test -e "$TMP/made-audit"
expect_rc 0 "attach enforcing again" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/exec.policy"

# the cache follows the policy: trust add/remove change the answer at once
cp /bin/true "$B/trusted"
policy trusted > /dev/null <<POL
name exec-fanotify-trusted
default allow
exec trusted
POL
expect_rc 0 "attach a policy that admits the trust store" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/trusted.policy"
expect_rc 101 "not trusted yet: refused at execve" in_cg exec "$B/trusted"
expect_rc 101 "... again (now a cached decision)" in_cg exec "$B/trusted"
expect_rc 0 "trust add" "$BPFGUARD" trust add "$B/trusted"
expect_rc 0 "trusted now: runs at once (the cached refusal was dropped)" in_cg exec "$B/trusted"
expect_rc 0 "... again (cached)" in_cg exec "$B/trusted"
expect_rc 0 "trust remove" "$BPFGUARD" trust remove "$B/trusted"
expect_rc 101 "removed: refused at once" in_cg exec "$B/trusted"
GPID=$(gate_json "j['exec_gate']['pid']")
expect_rc 0 "reset" "$BPFGUARD" reset
check "reset stopped the gate (gone within 5 s: its lock goes a moment before the process)" wait_gone "$GPID"

# BPFGUARD_EXEC_GATE=off: the kill at exec alone, and attach says so
expect_rc 0 "attach with BPFGUARD_EXEC_GATE=off" env BPFGUARD_EXEC_GATE=off "$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/exec.policy"
check "... attach says killed at exec" grep -q "others killed at exec" "$TMP/out"
check "... no gate" test "$(gate_json "j['exec_gate']['running']")" = False
finish

#!/bin/bash
# bpfguard learn: real kernel, real cgroups, real processes.
#  1. a C workload learned, then enforced: same output, zero denials; a
#     syscall, a socket family and a clone flag it never used are killed;
#  2. a Go net/http server (Debian's Go) answering real HTTP requests,
#     learned and then enforced with zero denials;
#  3. counts are exact (the kernel counts, not events), under load;
#  4. cgroups created below the learned one while learning are included,
#     siblings are not; two sessions and an attached policy coexist;
#  5. bad input: one line, non-zero exit, nothing left attached; a learner
#     killed with SIGKILL leaves nothing attached either.
. "$(dirname "$0")/lib.sh"

LOAD=$BG_HELPERS/learnload
[ -x "$LOAD" ] || { echo "learnload missing: build the test helpers" >&2; exit 1; }

denials() { denials_total; }
# learn programs (bg_learn_sys_enter) currently loaded in the kernel: a
# link holds its program, so none loaded means none attached either
learn_progs() { bpftool prog show 2>/dev/null | grep -c 'bg_learn_sys' ; }
# and its companion on sched_process_exec (which executables ran)
learn_exec_progs() { bpftool prog show 2>/dev/null | grep -c 'bg_learn_exec' ; }
# a learn link pinned by anyone (bpfguard learn never pins one)
learn_pins() { compgen -G "/sys/fs/bpf/bpfguard/links/*learn*" > /dev/null; }
# waits until no learn program is loaded (the kernel frees it once the
# last reference, our link, is gone; allow it a moment)
no_learn_left() {
	for _ in $(seq 50); do
		[ "$(learn_progs)" = 0 ] && [ "$(learn_exec_progs)" = 0 ] && ! learn_pins && return 0
		sleep 0.1
	done
	return 1
}

# runs a command that may be killed, without bash's "Killed" notice
killable() { bash -c '"$@" > /dev/null 2>&1; exit $?' _ "$@" 2>/dev/null; }

test_not() { ! "$@"; }
declare -A LEARN # tag -> pid of its bpfguard learn

# learn_start TAG ARGS... : bpfguard learn ARGS in the background, stdout
# in $TMP/TAG.out, stderr in $TMP/TAG.err; returns once it is recording.
learn_start() {
	local tag=$1
	shift
	"$BPFGUARD" learn "$@" > "$TMP/$tag.out" 2> "$TMP/$tag.err" &
	LEARN[$tag]=$!
	for _ in $(seq 100); do
		grep -q "learning cgroup" "$TMP/$tag.err" && return 0
		kill -0 "${LEARN[$tag]}" 2>/dev/null || break
		sleep 0.1
	done
	not_ok "learn $tag did not start: $(cat "$TMP/$tag.err")"
	return 1
}
# learn_stop TAG : SIGTERM, wait; the exit code is returned
learn_stop() {
	kill -TERM "${LEARN[$1]}"
	wait "${LEARN[$1]}"
}
# count TAG SYSCALL : calls of SYSCALL (x86_64) in TAG's --json output
count() {
	json_eval "$TMP/$1.out" "sum(s['count'] for s in j['seen'] if s['abi'] == 'x86_64' and s['syscall'] == '$2')"
}

check "no learn program loaded before the test" test "$(learn_progs)" = 0

# ---------------------------------------------------------------- 1. C workload
mkdir "$CG/c"
learn_start c --cgroup "$CGREL/c" -o "$TMP/c.policy" --json || finish
"$LOAD" --cgroup "$CG/c" mix > "$TMP/mix1" 2>&1
check "the workload ran while learning (exit $?)" test $? = 0
check "while learning, the program is attached (one bg_learn program)" test "$(learn_progs)" = 1
check "... and one exec recorder" test "$(learn_exec_progs)" = 1
check "... and nothing is pinned for it" test_not learn_pins
learn_stop c
check "learn exits 0 on SIGTERM (exit $?)" test $? = 0
check "the program is gone once learn exits" no_learn_left
"$BPFGUARD" policy check "$TMP/c.policy" > /dev/null 2>&1
check "the policy parses back (policy check exit $?)" test $? = 0
check "default errno(EPERM)" grep -qx "default errno(EPERM)" "$TMP/c.policy"
check "default ia32 kill (no ia32 call seen)" grep -q "^default ia32 kill" "$TMP/c.policy"
check "one allow line per syscall with its count and first caller" \
	grep -Eq "^allow pipe2? +# 1 call, first: learnload\[[0-9]+\]" "$TMP/c.policy"
check "socket allowed only for the families and types seen" \
	test "$(grep -c '^allow socket if arg0 == ' "$TMP/c.policy")" = 2
check "... AF_INET datagram" grep -q "^allow socket if arg0 == AF_INET and arg1 & 0xf == SOCK_DGRAM" "$TMP/c.policy"
check "... AF_UNIX stream" grep -q "^allow socket if arg0 == AF_UNIX and arg1 & 0xf == SOCK_STREAM" "$TMP/c.policy"
check "clone allowed only without the namespace flags (none seen)" \
	grep -q "^allow clone if arg0 & 0x7e020000 == 0" "$TMP/c.policy"
check "prctl allowed only with the option seen (PR_SET_NAME)" grep -q "^allow prctl if arg0 == 15 .*PR_SET_NAME" "$TMP/c.policy"
allowed() { grep -Eq "^allow ([^#]* )?$1( |\$)" "$2"; }
exit_extras() { allowed exit "$1" && allowed exit_group "$1" && allowed rt_sigreturn "$1"; }
check "exit, exit_group, rt_sigreturn are allowed, seen or not (docs/learn.md)" exit_extras "$TMP/c.policy"
check "--json: the counts are in the summary" test "$(count c socket)" = 2

expect_rc 0 "attach the learned policy, enforce (errno falls back to kill here)" \
	"$BPFGUARD" attach --cgroup "$CGREL/c" --policy "$TMP/c.policy" --mode enforce --fallback kill
"$LOAD" --cgroup "$CG/c" mix > "$TMP/mix2" 2>&1
check "the same workload runs under the learned policy (exit $?)" test $? = 0
check "... with the same output" cmp -s "$TMP/mix1" "$TMP/mix2"
check "... and zero denials" test "$(denials)" = 0
killable "$LOAD" --cgroup "$CG/c" sys getcpu
check "a syscall never seen is killed (getcpu, exit $?)" test $? = 137
killable "$LOAD" --cgroup "$CG/c" socket6
check "a socket family never seen is killed (AF_INET6, exit $?)" test $? = 137
killable "$LOAD" --cgroup "$CG/c" fork-newuser
check "clone with a namespace flag never seen is killed (CLONE_NEWUSER, exit $?)" test $? = 137
drain_events
check "the events name getcpu, socket and clone" sh -c "
	grep -q '\"syscall\":\"getcpu\"' '$TMP/events' && grep -q '\"syscall\":\"socket\"' '$TMP/events' &&
	grep -q '\"syscall\":\"clone\"' '$TMP/events'"
expect_rc 0 "detach" "$BPFGUARD" detach --cgroup "$CGREL/c"

# ---------------------------------------------------------------- 3. exact counts
mkdir "$CG/n"
N=100000
for k in 1 2; do
	learn_start n$k --cgroup "$CGREL/n" -o "$TMP/n$k.policy" --json || finish
	"$LOAD" --cgroup "$CG/n" getppid $((k * N)) > /dev/null
	learn_stop n$k
done
c1=$(count n1 getppid) c2=$(count n2 getppid)
check "getppid counted exactly: $c2 - $c1 = $N" test $((c2 - c1)) = $N
base=$((c1 - N)) # the program's own (0; an ASan runtime makes one)
check "the policy comment carries the same count" grep -Eq "^allow getppid +# $c2 calls" "$TMP/n2.policy"
# under load: 2 processes x 4 threads x N on this machine's CPUs at once
learn_start n3 --cgroup "$CGREL/n" -o "$TMP/n3.policy" --json || finish
"$LOAD" --cgroup "$CG/n" getppid-mt $N 4 > /dev/null &
"$LOAD" --cgroup "$CG/n" getppid-mt $N 4 > /dev/null
wait $!
learn_stop n3
check "under load (8 threads, 2 processes): exactly 8 x $N + 2 x $base getppid" \
	test "$(count n3 getppid)" = $((8 * N + 2 * base))

# ------------------------------------------- 4. descendants, siblings, coexistence
mkdir -p "$CG/tree/old" "$CG/side"
printf 'name audit-all\ndefault allow\nlog getcpu\n' > "$TMP/audit.policy"
expect_rc 0 "an audit policy is attached to the learned cgroup" \
	"$BPFGUARD" attach --cgroup "$CGREL/tree" --policy "$TMP/audit.policy" --mode audit
learn_start t --cgroup "$CGREL/tree" -o "$TMP/t.policy" --json || finish
learn_start s --cgroup "$CG/side" -o "$TMP/s.policy" --json || finish
check "two sessions at once: two learn programs" test "$(learn_progs)" = 2
mkdir -p "$CG/tree/new/deeper"
"$LOAD" --cgroup "$CG/tree/new/deeper" sys getcpu > /dev/null
"$LOAD" --cgroup "$CG/tree/old" sys times > /dev/null
"$LOAD" --cgroup "$CG/side" sys sysinfo > /dev/null
"$SYSPROBE" --cgroup "$CG/tree/old" exec /bin/true
learn_stop t
learn_stop s
check "a cgroup created two levels down while learning is included (getcpu)" grep -q "^allow getcpu " "$TMP/t.policy"
check "a child that existed before is included (times)" grep -q "^allow times " "$TMP/t.policy"
check "a sibling cgroup is not (sysinfo)" sh -c "! grep -q '^allow sysinfo ' '$TMP/t.policy'"
check "the other session saw its own cgroup only (sysinfo, no getcpu, no times)" sh -c "
	grep -q '^allow sysinfo ' '$TMP/s.policy' && ! grep -q '^allow getcpu ' '$TMP/s.policy' &&
	! grep -q '^allow times ' '$TMP/s.policy'"
drain_events
check "the attached policy kept working while learning (getcpu logged)" \
	json_any "$TMP/events" "e['syscall'] == 'getcpu' and e['effect'] == 'recorded'"
check "the first caller is recorded (learnload, its pid)" \
	test "$(json_eval "$TMP/t.out" "[s['first_comm'] for s in j['seen'] if s['syscall'] == 'getcpu'][0]")" = learnload
check "the program is gone after both sessions" no_learn_left
check "the executables run are listed (/bin/true, not go)" grep -q "^#   /bin/true: not go, 1 exec$" "$TMP/t.policy"
check "... and nothing is added for a runtime that did not run" sh -c "! grep -q 'added: @go-runtime' '$TMP/t.policy'"
check "... --json lists them" \
	test "$(json_eval "$TMP/t.out" "sorted(set(x['kind'] for x in j['executables']))")" = "['other']"
expect_rc 0 "detach" "$BPFGUARD" detach --cgroup "$CGREL/tree"

# ---------------------------------------------------------------- 2. Go server
if command -v go > /dev/null; then
	export GOCACHE=$TMP/gocache GOPATH=$TMP/gopath GO111MODULE=off GOFLAGS=
	if (cd "$BG_SRCDIR/tests/go/server" && CGO_ENABLED=0 go build -o "$TMP/server" .); then
		ok "built tests/go/server with $(go version | awk '{print $3}')"
		PORT=$((18000 + $$ % 1000))
		fetch() { http_get "$PORT" 20; }
		serve() { # serve TAG: the server answers 3 requests; $TMP/TAG.resp, exit code
			"$SYSPROBE" --cgroup "$CG/go" exec "$TMP/server" "127.0.0.1:$PORT" 3 > "$TMP/$1.srv" 2>&1 &
			local srv=$!
			for _ in 1 2 3; do fetch; done > "$TMP/$1.resp"
			wait $srv
		}
		mkdir "$CG/go"
		learn_start go --cgroup "$CGREL/go" -o "$TMP/go.policy" --name go-learned --json || finish
		# several runs into one session, as one would learn a service:
		# the Go runtime's rarer paths (preemption signals, the
		# scavenger) show up in some runs and not in others
		for r in 1 2 3 4 5; do serve learn$r; done
		learn_stop go
		check "learned from five server runs (exit $?)" test $? = 0
		check "the server's responses while learning" \
			test "$(cat "$TMP"/learn*.resp)" = "$(printf 'ok\n%.0s' $(seq 15))"
		[ "$(cat "$TMP"/learn*.resp)" = "$(printf 'ok\n%.0s' $(seq 15))" ] ||
			head "$TMP"/learn*.resp "$TMP"/learn*.srv | sed 's/^/    /'
		"$BPFGUARD" policy check "$TMP/go.policy" > /dev/null 2>&1
		check "the Go policy parses back (exit $?)" test $? = 0
		check "the server's sockets are limited to what it opened" grep -q "^allow socket if arg0 == AF_INET" "$TMP/go.policy"
		check "--name is used" grep -qx "name go-learned" "$TMP/go.policy"
		check "--json names it too" test "$(json_eval "$TMP/go.out" "j['name']")" = go-learned
		check "the server is recognised as a Go binary" grep -q "^#   $TMP/server: go go1" "$TMP/go.policy"
		check "... --json says so" test "$(json_eval "$TMP/go.out" \
			"[x['kind'] for x in j['executables'] if x['path'] == '$TMP/server'][0]")" = go
		# the calls the runtime makes only on a contended lock or a
		# preemption: present whether this session happened to see them
		# or not, and marked when they were added
		for c in sched_yield getpid tgkill madvise; do
			check "the Go runtime's $c is allowed (seen or added)" grep -q "^allow $c " "$TMP/go.policy"
		done
		added=$(json_eval "$TMP/go.out" "' '.join(j['added_for_go_runtime'])")
		check "... and every added one is marked in the policy" sh -c '
			for c in $1; do grep -q "^allow $c  *# added: .*, not seen" "$2" || exit 1; done' - "$added" "$TMP/go.policy"
		# a static Go binary's calls are read from its code (policy
		# derive): what the five runs did not show is added from there
		check "the server's code was read (derived syscalls)" test "$(json_eval "$TMP/go.out" \
			"[x['derived_syscalls'] for x in j['executables'] if x['path'] == '$TMP/server'][0]")" -gt 30
		check "... the calls added come from it" test "$(json_eval "$TMP/go.out" \
			"sorted(set(j['added_why'].values()))")" = "['derived']"
		check "... and say so in the policy" grep -q "# added: in the binary's code (derive), not seen" "$TMP/go.policy"
		check "every call derive finds in the server is allowed (seen or added)" sh -c '
			"$1" policy derive "$2" --json > "$3/derived.json" || exit 1
			python3 - "$3/derived.json" "$4" <<"PY"
import json, re, sys
d = json.load(open(sys.argv[1]))
pol = open(sys.argv[2]).read()
names = d["syscalls"] if isinstance(d.get("syscalls"), list) else list(d["syscalls"])
names = [n if isinstance(n, str) else n["syscall"] for n in names]
allowed = set()
for line in pol.splitlines():
    w = line.split("#")[0].split()
    if w[:1] == ["allow"]:
        allowed.update(x for x in w[1:] if x != "if" and not x[0].isdigit())
missing = [n for n in names if n not in allowed]
print(missing, file=sys.stderr) if missing else None
sys.exit(1 if missing else 0)
PY' - "$BPFGUARD" "$TMP/server" "$TMP" "$TMP/go.policy"
		expect_rc 0 "attach the learned Go policy, enforce" \
			"$BPFGUARD" attach --cgroup "$CGREL/go" --policy "$TMP/go.policy" --mode enforce --fallback kill
		# several runs: one run of five used to meet a call the learning
		# runs had not shown (async preemption's getpid)
		rc=0
		for r in 1 2 3 4 5; do serve enforced$r || rc=$?; done
		check "the server answers the same requests under it, five runs (exit $rc)" test $rc = 0
		check "... every response ok" test "$(cat "$TMP"/enforced*.resp)" = "$(printf 'ok\n%.0s' $(seq 15))"
		[ "$(cat "$TMP"/enforced*.resp)" = "$(printf 'ok\n%.0s' $(seq 15))" ] ||
			head "$TMP"/enforced*.resp "$TMP"/enforced*.srv | sed 's/^/    /'
		check "... with zero denials" test "$(denials)" = 0
		[ "$(denials)" = 0 ] || { drain_events; cat "$TMP/events"; }
		expect_rc 0 "detach" "$BPFGUARD" detach --cgroup "$CGREL/go"
	else
		not_ok "go build tests/go/server"
	fi
else
	not_ok "go missing: scripts/setup installs golang-go"
fi

# ---------------------------------------------------------------- 5. bad input
one_line() { test "$(wc -l < "$TMP/err")" = 1 && grep -q "^bpfguard: " "$TMP/err"; }
expect_rc 2 "missing --cgroup" "$BPFGUARD" learn -o "$TMP/x.policy" --duration 1s
check "... one line" one_line
expect_rc 2 "missing -o" "$BPFGUARD" learn --cgroup "$CGREL" --duration 1s
check "... one line" one_line
expect_rc 2 "bad duration" "$BPFGUARD" learn --cgroup "$CGREL" --duration 5x -o "$TMP/x.policy"
check "... one line" one_line
check "... naming the value" grep -q "'5x'" "$TMP/err"
expect_rc 2 "zero duration" "$BPFGUARD" learn --cgroup "$CGREL" --duration 0 -o "$TMP/x.policy"
expect_rc 2 "unwritable -o (no such directory)" "$BPFGUARD" learn --cgroup "$CGREL" --duration 1s -o /nonexistent-$$/x.policy
check "... one line naming the file" sh -c "grep -q 'cannot write /nonexistent-$$/x.policy' '$TMP/err'"
expect_rc 2 "unwritable -o (a file system that refuses new files)" "$BPFGUARD" learn --cgroup "$CGREL" --duration 1s -o /proc/x.policy
check "... one line" one_line
expect_rc 2 "-o is a directory" "$BPFGUARD" learn --cgroup "$CGREL" --duration 1s -o "$TMP"
expect_rc 2 "no such cgroup" "$BPFGUARD" learn --cgroup "$CGREL/nope" --duration 1s -o "$TMP/x.policy"
check "... one line" one_line
expect_rc 2 "the root cgroup is refused" "$BPFGUARD" learn --cgroup "$CG2" --duration 1s -o "$TMP/x.policy"
check "... one line saying why" sh -c "grep -q 'root cgroup' '$TMP/err'"
expect_rc 2 "bad --name" "$BPFGUARD" learn --cgroup "$CGREL" --name 'a b' -o "$TMP/x.policy"
check "nothing written for bad input" test ! -e "$TMP/x.policy"
check "no temporary files left next to -o" sh -c "! ls '$TMP' | grep -q 'x.policy.'"
check "nothing attached after bad input" no_learn_left

# --duration ends it by itself
expect_rc 0 "--duration 1s stops by itself" "$BPFGUARD" learn --cgroup "$CGREL" --duration 1s -o "$TMP/d.policy"
check "... and says what it wrote" grep -q "wrote $TMP/d.policy" "$TMP/out"
# a learner killed with SIGKILL: the kernel drops its link with its fds
no_learn_left
learn_start k --cgroup "$CGREL" -o "$TMP/k.policy" || finish
check "learning (one program)" test "$(learn_progs)" = 1
{ kill -KILL "${LEARN[k]}"; wait "${LEARN[k]}"; } 2>/dev/null # (no "Killed" notice)
check "a learner killed with SIGKILL leaves no program attached" no_learn_left
check "... and no link pinned" test_not learn_pins
check "... and no partial policy" test ! -e "$TMP/k.policy"
finish

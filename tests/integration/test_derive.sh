#!/bin/bash
# bpfguard policy derive: the Go test programs (Debian's Go, CGO_ENABLED=0:
# hello, a net/http server and client, os/exec, file I/O, goroutines,
# signals) derived from their code; every syscall strace sees them make is
# in the derived set; the derived policy runs each 20 times under
# `bpfguard run` and under `attach` with zero denials (and a policy missing one derived call does not: the check can
# fail); stripped, PIE and section-less copies derive the same set; cgo is
# refused with one line unless --allow-cgo; malformed input is one line.
. "$(dirname "$0")/lib.sh"

command -v go > /dev/null || { echo "go missing: scripts/setup installs golang-go" >&2; exit 1; }
command -v strace > /dev/null || { echo "strace missing: scripts/setup installs it" >&2; exit 1; }
export GOCACHE=$TMP/gocache GOPATH=$TMP/gopath GO111MODULE=off GOFLAGS=
build() { # build OUT DIR ENV... -- GOBUILDARGS...
	local out=$1 dir=$2 envs=()
	shift 2
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	(cd "$BG_SRCDIR/tests/go/$dir" && env "${envs[@]}" go build "$@" -o "$TMP/$out" .) > "$TMP/build.log" 2>&1 ||
		{ not_ok "go build $out"; sed 's/^/    /' "$TMP/build.log"; finish; }
}
build hello hello CGO_ENABLED=0 --
build server server CGO_ENABLED=0 --
build hello-pie hello CGO_ENABLED=0 -- -buildmode=pie
build cgo cgo CGO_ENABLED=1 --
strip -o "$TMP/hello-strip" "$TMP/hello"
strip -o "$TMP/server-strip" "$TMP/server"
# section headers removed (as sstrip does): the table is found by its magic
python3 - "$TMP/server" "$TMP/server-nosh" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read())
struct.pack_into('<Q', b, 0x28, 0)   # e_shoff
struct.pack_into('<H', b, 0x3c, 0)   # e_shnum
struct.pack_into('<H', b, 0x3e, 0)   # e_shstrndx
open(sys.argv[2], 'wb').write(b)
PY
# the programs the derived policy must run beyond hello and server: a
# net/http client, os/exec, file I/O, a busy scheduler, signal handling
MORE="client exec fileio goroutines signals"
for p in $MORE; do build "$p" "$p" CGO_ENABLED=0 --; done
ok "built hello, server, $MORE, a PIE, a cgo program with $(go version | awk '{print $3}')"
mkdir -p "$TMP/fio" && chmod 777 "$TMP/fio"
# each one's arguments: exec runs itself (-self), so the derived policy
# covers every process of the run (/bin/true would need libc's calls);
# fileio works in a directory it may write ($1: /tmp inside `run`)
more_args() { case $1 in exec) echo -self ;; fileio) echo "$2" ;; esac; }
chmod 755 "$TMP" # bpfguard run's payload runs as a per-run host id

allowed() { grep -E '^allow ' "$1" | awk '{print $2}' | sort -u; }
# the syscall names of an strace -f log (resumed calls and signals skipped)
# strace names a negative orig_rax "syscall_0xfff...": not a call the code
# makes (the kernel answers ENOSYS without judging it); seen once in CI on
# a server thread interrupted by a signal, so it is left out
traced() { sed -E 's/^[0-9]+ +//' "$1" | grep -oE '^[a-z0-9_]+\(' | tr -d '(' |
	grep -vE '^syscall_0x[89a-f][0-9a-f]{15}$' | sort -u; }
PORT=$((18000 + $$ % 1000))
fetch() { http_get "$PORT"; }

# --- derive
for p in hello server; do
	expect_rc 0 "derive $p" "$BPFGUARD" policy derive "$TMP/$p" -o "$TMP/$p.policy"
	check "$p.policy parses" "$BPFGUARD" policy check "$TMP/$p.policy" > /dev/null
	check "$p: no unresolved call site" grep -q "; 0 sites unresolved" "$TMP/$p.policy"
	check "$p: the runtime's calls are derived (clone, futex, mmap, rt_sigreturn, exit_group)" \
		sh -c "for s in clone futex mmap rt_sigreturn exit_group; do grep -q \"^allow \$s \" '$TMP/$p.policy' || exit 1; done"
done
for p in $MORE; do
	"$BPFGUARD" policy derive "$TMP/$p" -o "$TMP/$p.policy" > /dev/null 2> "$TMP/err"
	check "derive $p: a policy that parses, no unresolved site" sh -c \
		"'$BPFGUARD' policy check '$TMP/$p.policy' > /dev/null 2>&1 && grep -q '; 0 sites unresolved' '$TMP/$p.policy'"
done
check "server: the net calls are derived (socket, bind, listen, accept4, setsockopt)" \
	sh -c "for s in socket bind listen accept4 setsockopt; do grep -q \"^allow \$s \" '$TMP/server.policy' || exit 1; done"
check "hello: no net call is derived (it has none)" sh -c "! grep -qE '^allow (socket|bind|listen|connect) ' '$TMP/hello.policy'"
"$BPFGUARD" policy derive "$TMP/server" --json > "$TMP/server.json"
allowed "$TMP/server.policy" | tr '\n' ' ' > "$TMP/server.allowed"
check "--json: the set (the policy's less execve, restart_syscall), the sites, no unresolved" \
	test "$(json_eval "$TMP/server.json" '(set(open("'"$TMP/server.allowed"'").read().split()) - {s["syscall"] for s in j["syscalls"]} <= {"execve", "restart_syscall"}, {s["syscall"] for s in j["syscalls"]} <= set(open("'"$TMP/server.allowed"'").read().split()), len(j["syscalls"]) > 40, j["unresolved"], j["go_version"].startswith("go1."), all(s["sites"] and s["sites"][0]["function"] for s in j["syscalls"]))')" = "(True, True, True, [], True, True)"

# --- the same set from the stripped, PIE and section-less copies
for v in hello-strip:hello hello-pie:hello server-strip:server server-nosh:server; do
	c=${v%%:*} o=${v##*:}
	"$BPFGUARD" policy derive "$TMP/$c" > "$TMP/$c.policy" 2> "$TMP/err"
	check "$c derives the same set as $o" diff <(allowed "$TMP/$o.policy") <(allowed "$TMP/$c.policy")
done
check "the PIE's and the section-less table are found by their magic" \
	sh -c "grep -q 'magic in a PT_LOAD segment' '$TMP/hello-pie.policy' && grep -q 'magic in a PT_LOAD segment' '$TMP/server-nosh.policy'"

# --- soundness against strace: every syscall seen is derived, and every
# call, arguments included (-e raw=all: each one a number), is one the
# derived policy allows (policy test: argument conditions count too)
strace -f -qq -e trace=all -e raw=all -o "$TMP/st-hello" "$TMP/hello" a b > /dev/null
strace -f -qq -e trace=all -e raw=all -o "$TMP/st-server" "$TMP/server" "127.0.0.1:$PORT" 3 > /dev/null &
srv=$!
for i in 1 2 3; do fetch > /dev/null; done
wait $srv
for p in $MORE; do
	# shellcheck disable=SC2046 # more_args prints zero or one word
	strace -f -qq -e trace=all -e raw=all -o "$TMP/st-$p" "$TMP/$p" $(more_args "$p" "$TMP/fio") > "$TMP/out" 2>&1 ||
		{ not_ok "$p under strace failed: $(head -c 200 "$TMP/out")"; }
done
for p in hello server $MORE; do
	n=$(traced "$TMP/st-$p" | wc -l)
	miss=$(comm -23 <(traced "$TMP/st-$p") <(allowed "$TMP/$p.policy") | tr '\n' ' ')
	check "$p: every syscall strace saw ($n) is derived ($(allowed "$TMP/$p.policy" | wc -l) allowed)${miss:+; missing: $miss}" \
		test -z "$miss" -a "$n" -gt 10
	grep -vE '^[0-9]+ +syscall_0x[89a-f][0-9a-f]{15}\(' "$TMP/st-$p" > "$TMP/st-$p.calls"
	"$BPFGUARD" policy test "$TMP/$p.policy" "$TMP/st-$p.calls" > "$TMP/pt" 2>&1
	rc=$?
	check "$p: policy test replays the trace through the derived policy: nothing denied or undecidable (rc $rc: $(tail -1 "$TMP/pt"))" \
		test $rc = 0
done
grep -v '^allow write ' "$TMP/hello.policy" > "$TMP/nowrite-pt.policy"
expect_rc 4 "control: policy test finds hello's writes denied by a policy without 'allow write'" \
	"$BPFGUARD" policy test "$TMP/nowrite-pt.policy" "$TMP/st-hello.calls"

# --- enforced: the derived policies run the programs with zero denials
summary() { grep '^{' "$1" | tail -1 > "$TMP/summary.json"; }
"$BPFGUARD" run --policy "$TMP/hello.policy" --json -- "$TMP/hello" a b > "$TMP/out" 2> "$TMP/err"; summary "$TMP/err"
check "hello under its derived policy: exit 0, zero denials" \
	test "$(json_eval "$TMP/summary.json" '(j["exit_code"], j["denials_total"])')" = "(0, 0)"
check "hello printed its output" grep -q "hello, world" "$TMP/out"
"$BPFGUARD" run --net host --timeout 30s --policy "$TMP/server.policy" --json -- "$TMP/server" "127.0.0.1:$PORT" 3 \
	> "$TMP/out" 2> "$TMP/err" &
srv=$!
for i in 1 2 3; do fetch > "$TMP/resp$i"; done
wait $srv
summary "$TMP/err"
check "server under its derived policy: served 3 requests, exit 0, zero denials" \
	test "$(json_eval "$TMP/summary.json" '(j["exit_code"], j["denials_total"])')-$(cat "$TMP"/resp?)" = "(0, 0)-$(printf 'ok\nok\nok')"
# 20 runs each: a sleep a signal interrupts, a lock contended, a thread
# started late must not bring a call the code does not have
runs() { # runs N OUT CMD...: the "exit,denials" of each --json summary into OUT
	local n=$1 out=$2
	shift 2
	: > "$out"
	for i in $(seq "$n"); do
		"$@" 2>&1 > /dev/null | grep '^{' | tail -1 |
			python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["exit_code"], j["denials_total"])' >> "$out"
	done
}
runs 20 "$TMP/r-hello" "$BPFGUARD" run --policy "$TMP/hello.policy" --json -- "$TMP/hello" a b
check "hello: 20 runs under its derived policy, all exit 0 with zero denials ($(sort "$TMP/r-hello" | uniq -c | tr -s ' \n' ' '))" \
	test "$(grep -cx '0 0' "$TMP/r-hello")" = 20
: > "$TMP/r-server"
for i in $(seq 20); do
	"$BPFGUARD" run --net host --timeout 30s --policy "$TMP/server.policy" --json -- "$TMP/server" "127.0.0.1:$PORT" 2 \
		> /dev/null 2> "$TMP/err" &
	srv=$!
	fetch > /dev/null; fetch > /dev/null
	wait $srv
	grep '^{' "$TMP/err" | tail -1 | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["exit_code"], j["denials_total"])' >> "$TMP/r-server"
done
check "server: 20 runs of 2 requests under its derived policy, all exit 0 with zero denials ($(sort "$TMP/r-server" | uniq -c | tr -s ' \n' ' '))" \
	test "$(grep -cx '0 0' "$TMP/r-server")" = 20
# a binary we did not build: Debian's gofmt (static, Go 1.19), 20 runs
GOFMT=$(dirname "$(readlink -f "$(command -v go)")")/gofmt
"$BPFGUARD" policy derive "$GOFMT" -o "$TMP/gofmt.policy" > /dev/null 2>&1
runs 20 "$TMP/r-gofmt" "$BPFGUARD" run --policy "$TMP/gofmt.policy" --json -- "$GOFMT" -l "$(go env GOROOT)/src/net/http"
check "Debian's gofmt: 20 runs under its derived policy, all exit 0 with zero denials ($(sort "$TMP/r-gofmt" | uniq -c | tr -s ' \n' ' '))" \
	test "$(grep -cx '0 0' "$TMP/r-gofmt")" = 20
for p in $MORE; do
	# shellcheck disable=SC2046
	runs 20 "$TMP/r-$p" "$BPFGUARD" run --policy "$TMP/$p.policy" --json -- "$TMP/$p" $(more_args "$p" /tmp)
	check "$p: 20 runs under its derived policy, all exit 0 with zero denials ($(sort "$TMP/r-$p" | uniq -c | tr -s ' \n' ' '))" \
		test "$(grep -cx '0 0' "$TMP/r-$p")" = 20
done
# The same under `attach` (sys_enter on this kernel; errno rules are
# killed here, the default needs --fallback kill): 20 runs each inside a
# guarded cgroup, zero denials in the exact counters.
att_runs() { # att_runs POLICY LABEL CMD...: 20 runs in $CG, prints "exit-ok-count denials"
	local pol=$1 label=$2 ok=0
	shift 2
	"$BPFGUARD" attach --cgroup "$CGREL" --policy "$pol" --fallback kill > /dev/null 2>&1 || { echo "attach failed"; return; }
	for i in $(seq 20); do "$SYSPROBE" --cgroup "$CG" exec "$@" > /dev/null 2>&1 && ok=$((ok + 1)); done
	echo "$ok $(denials_total)"
	"$BPFGUARD" detach --cgroup "$CGREL" > /dev/null 2>&1
}
r=$(att_runs "$TMP/hello.policy" hello "$TMP/hello" a b)
check "hello: 20 runs under attach of its derived policy, all exit 0, zero denials ($r)" test "$r" = "20 0"
r=$(att_runs "$TMP/gofmt.policy" gofmt "$GOFMT" -l "$(go env GOROOT)/src/net/http")
check "Debian's gofmt: 20 runs under attach, all exit 0, zero denials ($r)" test "$r" = "20 0"
for p in $MORE; do
	# shellcheck disable=SC2046
	r=$(att_runs "$TMP/$p.policy" "$p" "$TMP/$p" $(more_args "$p" "$TMP/fio"))
	check "$p: 20 runs under attach of its derived policy, all exit 0, zero denials ($r)" test "$r" = "20 0"
done
"$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/server.policy" --fallback kill > /dev/null 2>&1
ok=0
for i in $(seq 20); do
	"$SYSPROBE" --cgroup "$CG" exec "$TMP/server" "127.0.0.1:$PORT" 2 > /dev/null 2>&1 &
	srv=$!
	fetch > /dev/null; fetch > /dev/null
	wait $srv && ok=$((ok + 1))
done
r="$ok $(denials_total)"
"$BPFGUARD" detach --cgroup "$CGREL" > /dev/null 2>&1
check "server: 20 runs of 2 requests under attach, all exit 0, zero denials ($r)" test "$r" = "20 0"
# --no-namespaces: clone only without namespace flags; the hatch is closed
"$BPFGUARD" policy derive --no-namespaces "$TMP/server" -o "$TMP/server-nons.policy" > /dev/null 2>&1
check "--no-namespaces: clone conditional, then kill" sh -c "grep -q '^allow clone if arg0 & 0x7e020000 == 0 ' '$TMP/server-nons.policy' && grep -q '^kill clone ' '$TMP/server-nons.policy'"
"$BPFGUARD" run --net host --timeout 30s --policy "$TMP/server-nons.policy" --json -- "$TMP/server" "127.0.0.1:$PORT" 1 \
	> /dev/null 2> "$TMP/err" &
srv=$!
fetch > /dev/null
wait $srv
summary "$TMP/err"
r=$(json_eval "$TMP/summary.json" '(j["exit_code"], j["denials_total"])')
check "--no-namespaces: the server runs ($r) with zero denials and no namespaces hatch warning" \
	sh -c "test '$r' = '(0, 0)' && ! grep -q 'hatch namespaces' '$TMP/err'"
"$BPFGUARD" run --policy "$TMP/hello.policy" -- "$TMP/hello" > /dev/null 2> "$TMP/err"
check "control: without --no-namespaces, run warns of the namespaces hatch" grep -q 'hatch namespaces' "$TMP/err"
# negative control: without one derived call (write), hello is refused
grep -v '^allow write ' "$TMP/hello.policy" > "$TMP/nowrite.policy"
"$BPFGUARD" run --policy "$TMP/nowrite.policy" --json -- "$TMP/hello" > "$TMP/out" 2> "$TMP/err"; summary "$TMP/err"
check "control: hello without 'allow write' is denied write" \
	test "$(json_eval "$TMP/summary.json" 'j["denials"].get("write", 0) > 0')" = True

# --- cgo: refused with one line naming learn; --allow-cgo derives with a warning
expect_rc 2 "cgo binary refused" "$BPFGUARD" policy derive "$TMP/cgo"
"$BPFGUARD" policy derive "$TMP/cgo" > /dev/null 2> "$TMP/err"
check "one line, pointing to learn" sh -c "test \$(wc -l < '$TMP/err') = 1 && grep -q 'links C (cgo' '$TMP/err' && grep -q 'bpfguard learn' '$TMP/err'"
"$BPFGUARD" policy derive --allow-cgo "$TMP/cgo" > "$TMP/cgo.policy" 2> "$TMP/err"
check "--allow-cgo: a policy with the warning in it and on stderr" \
	sh -c "grep -q 'WARNING: this binary links C' '$TMP/cgo.policy' && grep -q 'warning: .*links C' '$TMP/err'"

# --- unresolved sites (a crafted binary has two): listed, warned, --strict refuses
E=$BG_SRCDIR/tests/fuzz/corpus/fuzz_pclntab/elf-118
"$BPFGUARD" policy derive "$E" > "$TMP/e.policy" 2> "$TMP/err"
check "unresolved sites: listed in the policy with their functions, one warning line" \
	sh -c "grep -q '^# unresolved: 2 sites' '$TMP/e.policy' && grep -q '^#   main.main calls syscall.Syscall at 0x40103d' '$TMP/e.policy' && test \$(grep -c 'warning: .*2 call sites' '$TMP/err') = 1"
expect_rc 3 "--strict refuses a binary with unresolved sites" "$BPFGUARD" policy derive --strict "$E" -o "$TMP/strict.policy"
check "--strict wrote nothing" test ! -e "$TMP/strict.policy"

# --- bad input: one line, exit 2
head -c 300000 "$TMP/hello" > "$TMP/trunc"
printf 'not a binary' > "$TMP/text"
for f in /bin/true "$TMP/trunc" "$TMP/text"; do
	"$BPFGUARD" policy derive "$f" > /dev/null 2> "$TMP/err"
	rc=$?
	check "$(basename "$f"): exit 2 with one line (rc $rc: $(head -c 120 "$TMP/err"))" \
		sh -c "test $rc = 2 && test \$(wc -l < '$TMP/err') = 1"
done
expect_rc 2 "no BINARY" "$BPFGUARD" policy derive
expect_rc 2 "--default bogus" "$BPFGUARD" policy derive --default bogus "$TMP/hello"
"$BPFGUARD" policy derive --default kill --name hello-kill "$TMP/hello" > "$TMP/k.policy"
check "--default kill --name" sh -c "grep -q '^default kill$' '$TMP/k.policy' && grep -q '^name hello-kill$' '$TMP/k.policy'"
finish

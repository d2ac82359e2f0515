#!/bin/bash
# bpfguard policy derive, part two: argument conditions and the stack ABI,
# on real binaries.
#  - tests/go/execattr (os/exec with SysProcAttr.Pdeathsig) derives
#    `allow prctl if arg0 == 1`, `allow ioctl if arg1 == ...` and nothing
#    unconditional for them; strace -X raw replayed through `policy test`
#    finds no denial; 20 runs under `bpfguard run` and 20 under `attach`
#    with zero denials; without the PR_SET_PDEATHSIG line it is refused
#    (the condition is what allows it).
#  - Debian 11's Go 1.15 toolchain (scripts/go-old; Go before 1.17 passes
#    arguments on the stack): the Go 1.2-1.15 table, no register ABI, no
#    unresolved site, prctl/ioctl conditions read from stack slots, and
#    gofmt/nm traced and enforced with zero denials.
. "$(dirname "$0")/lib.sh"

command -v go > /dev/null || { echo "go missing: scripts/setup installs golang-go" >&2; exit 1; }
command -v strace > /dev/null || { echo "strace missing: scripts/setup installs it" >&2; exit 1; }
export GOCACHE=$TMP/gocache GOPATH=$TMP/gopath GO111MODULE=off GOFLAGS=
(cd "$BG_SRCDIR/tests/go/execattr" && CGO_ENABLED=0 go build -o "$TMP/execattr" .) > "$TMP/build.log" 2>&1 ||
	{ not_ok "go build execattr"; sed 's/^/    /' "$TMP/build.log"; finish; }
(cd "$BG_SRCDIR/tests/go/hello" && CGO_ENABLED=0 go build -o "$TMP/hello" .) > "$TMP/build.log" 2>&1 ||
	{ not_ok "go build hello"; sed 's/^/    /' "$TMP/build.log"; finish; }
chmod 755 "$TMP" # bpfguard run's payload runs as a per-run host id

# the calls of a strace -f -Y log made by tasks named COMM (the program and
# its children between fork and exec), for policy test
own() { grep -E "^[0-9]+<$2> " "$1" | sed -E 's/^([0-9]+)<[^>]*>/\1/' > "$1.own"; }
ptest() { # ptest POLICY LOG -> "rc calls denied undecidable"
	"$BPFGUARD" policy test "$1" "$2" > "$TMP/pt.out" 2>&1
	echo "$? $(sed -nE 's/^policy test: ([0-9]+) calls read .*; ([0-9]+) denied, ([0-9]+) undecidable$/\1 \2 \3/p' "$TMP/pt.out")"
}
summary_pair() { grep '^{' "$1" | tail -1 | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["exit_code"], j["denials_total"])'; }

# --- conditions on a program we built
expect_rc 0 "derive execattr" "$BPFGUARD" policy derive "$TMP/execattr" -o "$TMP/ea.policy"
check "prctl: only PR_SET_PDEATHSIG, PR_CAP_AMBIENT, PR_SET_KEEPCAPS (constants of forkAndExecInChild1)" \
	sh -c "grep -q '^allow prctl if arg0 == 1 ' '$TMP/ea.policy' && grep -q '^allow prctl if arg0 == 47 ' '$TMP/ea.policy' &&
	       grep -q '^allow prctl if arg0 == 8 ' '$TMP/ea.policy' && ! grep -qE '^allow prctl +(#|$)' '$TMP/ea.policy'"
check "ioctl: only TIOCSCTTY, TIOCNOTTY, TIOCSPGRP" \
	sh -c "test \$(grep -cE '^allow ioctl if arg1 == 0x54(0e|22|10) ' '$TMP/ea.policy') = 3 && ! grep -qE '^allow ioctl +(#|$)' '$TMP/ea.policy'"
check "socket and clone stay unconditional, each saying why" \
	sh -c "grep -q '^# clone: any flags (not a constant at runtime.clone)' '$TMP/ea.policy' && grep -qE '^allow clone( |$)' '$TMP/ea.policy'"
"$BPFGUARD" policy derive "$TMP/execattr" --json > "$TMP/ea.json"
check "--json: conditions per syscall, args per site" \
	test "$(json_eval "$TMP/ea.json" '([e.get("conditions") for e in j["syscalls"] if e["syscall"] == "prctl"][0] == ["arg0 == 8", "arg0 == 47", "arg0 == 1"] or sorted([e.get("conditions") for e in j["syscalls"] if e["syscall"] == "prctl"][0]) == sorted(["arg0 == 8", "arg0 == 47", "arg0 == 1"]), all("arg0" in s["args"] for e in j["syscalls"] if e["syscall"] == "prctl" for s in e["sites"]))')" = "(True, True)"
expect_rc 4 "policy eval: prctl(PR_SET_NAME) is refused" "$BPFGUARD" policy eval "$TMP/ea.policy" prctl 15
expect_rc 4 "policy eval: prctl(PR_SET_SECCOMP) is refused" "$BPFGUARD" policy eval "$TMP/ea.policy" prctl 22 2
expect_rc 0 "policy eval: prctl(PR_SET_PDEATHSIG, SIGKILL) is allowed" "$BPFGUARD" policy eval "$TMP/ea.policy" prctl 1 9

# what it really calls, arguments included: strace -X raw through policy test
for i in 1 2 3; do strace -f -qq -X raw -Y -o "$TMP/st-ea.$i" "$TMP/execattr" > /dev/null; done
cat "$TMP"/st-ea.? > "$TMP/st-ea"
own "$TMP/st-ea" execattr
check "the trace has the child's prctl(PR_SET_PDEATHSIG) (the condition is exercised)" grep -qE '^[0-9]+ prctl\(0x1, ' "$TMP/st-ea.own"
r=$(ptest "$TMP/ea.policy" "$TMP/st-ea.own")
check "policy test of 3 traced runs: no call denied or undecidable ($r)" sh -c "set -- $r; test \$1 = 0 -a \$2 -gt 500 -a \$3 = 0 -a \$4 = 0"

: > "$TMP/r-run"
for i in $(seq 20); do
	"$BPFGUARD" run --policy "$TMP/ea.policy" --json -- "$TMP/execattr" 2>&1 > /dev/null | grep '^{' | tail -1 |
		python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["exit_code"], j["denials_total"])' >> "$TMP/r-run"
done
check "20 runs under bpfguard run (seccomp with the conditions): all exit 0, zero denials ($(sort "$TMP/r-run" | uniq -c | tr -s ' \n' ' '))" \
	test "$(grep -cx '0 0' "$TMP/r-run")" = 20
grep -v '^allow prctl if arg0 == 1 ' "$TMP/ea.policy" > "$TMP/ea-nopdeath.policy"
"$BPFGUARD" run --policy "$TMP/ea-nopdeath.policy" --json -- "$TMP/execattr" > /dev/null 2> "$TMP/err"
grep '^{' "$TMP/err" | tail -1 > "$TMP/s.json"
check "control: without 'allow prctl if arg0 == 1' the child's prctl is refused" \
	test "$(json_eval "$TMP/s.json" '(j["exit_code"] != 0, j["denials"].get("prctl", 0) >= 1)')" = "(True, True)"

"$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/ea.policy" --fallback kill > "$TMP/att" 2>&1
check "attach of the derived policy" grep -q "attached" "$TMP/att"
ok_runs=0
for i in $(seq 20); do "$SYSPROBE" --cgroup "$CG" exec "$TMP/execattr" > /dev/null 2>&1 && ok_runs=$((ok_runs + 1)); done
r="$ok_runs $(denials_total)"
check "20 runs under attach (argument rules in the BPF maps): all exit 0, zero denials ($r)" test "$r" = "20 0"
"$BPFGUARD" detach --cgroup "$CGREL" > /dev/null 2>&1
"$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/ea-nopdeath.policy" --fallback kill > /dev/null 2>&1
"$SYSPROBE" --cgroup "$CG" exec "$TMP/execattr" > /dev/null 2>&1
rc=$?
r=$(denials_total)
"$BPFGUARD" detach --cgroup "$CGREL" > /dev/null 2>&1
check "control under attach: without the PR_SET_PDEATHSIG line the run fails (rc $rc) and is counted ($r)" \
	sh -c "test $rc != 0 -a '$r' -ge 1"

# --- Go 1.15: the stack ABI, real binaries from Debian 11
G=$("$BG_SRCDIR/scripts/go-old" 2> "$TMP/goold.err") ||
	{ not_ok "scripts/go-old: $(tail -1 "$TMP/goold.err")"; finish; }
T=$G/pkg/tool/linux_amd64
ok "Debian 11's Go 1.15 toolchain at $G ($(cut -d' ' -f1,2 "$G/../../../.source"), signature and hashes verified)"
for b in "$G/bin/gofmt" "$T/vet" "$T/nm" "$T/objdump" "$T/compile" "$T/link"; do
	n=$(basename "$b")
	"$BPFGUARD" policy derive "$b" -o "$TMP/$n-115.policy" > /dev/null 2> "$TMP/err"
	"$BPFGUARD" policy derive "$b" --json > "$TMP/$n-115.json" 2> /dev/null
	check "go1.15 $n: Go 1.2-1.15 table, stack ABI, no unresolved site, > 30 syscalls" \
		test "$(json_eval "$TMP/$n-115.json" '(j["go_version"].startswith("go1.15"), j["pclntab"]["layout"], j["register_abi"], len(j["unresolved"]), len(j["syscalls"]) > 30)')" = "(True, 'Go 1.2-1.15', False, 0, True)"
done
check "go1.15 vet: the prctl and ioctl conditions come from stack slots (ABI0 calls)" \
	sh -c "grep -q '^allow prctl if arg0 == 1 ' '$TMP/vet-115.policy' && grep -q '^allow ioctl if arg1 == 0x540e ' '$TMP/vet-115.policy' && ! grep -qE '^allow prctl +(#|$)' '$TMP/vet-115.policy'"
SRC=$(go env GOROOT)/src/net/http
for i in 1 2 3; do strace -f -qq -X raw -Y -o "$TMP/st-gofmt.$i" "$G/bin/gofmt" -l "$SRC" > /dev/null; done
cat "$TMP"/st-gofmt.? > "$TMP/st-gofmt"
own "$TMP/st-gofmt" gofmt
r=$(ptest "$TMP/gofmt-115.policy" "$TMP/st-gofmt.own")
check "go1.15 gofmt -l net/http, 3 traced runs through policy test: nothing denied ($r)" sh -c "set -- $r; test \$1 = 0 -a \$2 -gt 300 -a \$3 = 0"
strace -f -qq -X raw -Y -o "$TMP/st-nm" "$T/nm" "$TMP/hello" > /dev/null
own "$TMP/st-nm" nm
r=$(ptest "$TMP/nm-115.policy" "$TMP/st-nm.own")
check "go1.15 nm on a binary, traced through policy test: nothing denied ($r)" sh -c "set -- $r; test \$1 = 0 -a \$2 -gt 50 -a \$3 = 0"
: > "$TMP/r-gofmt"
for i in $(seq 20); do
	"$BPFGUARD" run --policy "$TMP/gofmt-115.policy" --json -- "$G/bin/gofmt" -l "$SRC" 2>&1 > /dev/null | grep '^{' | tail -1 |
		python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["exit_code"], j["denials_total"])' >> "$TMP/r-gofmt"
done
check "go1.15 gofmt: 20 runs under its derived policy, all exit 0, zero denials ($(sort "$TMP/r-gofmt" | uniq -c | tr -s ' \n' ' '))" \
	test "$(grep -cx '0 0' "$TMP/r-gofmt")" = 20
finish

#!/bin/bash
# bpfguard policy eval / policy test on real traces: a small program
# (sysprobe) recorded with `strace -f -o`, from a guarded cgroup in audit
# mode with `bpfguard events --json`, and with `bpfguard learn --json`.
# `policy test` must report exactly the calls a policy denies, with their
# counts and first lines; the program's own policy passes (exit 0); a rule
# on an argument the trace cannot show is undecidable (exit 5), never
# guessed.
. "$(dirname "$0")/lib.sh"

command -v strace > /dev/null || { echo "strace missing: scripts/setup installs it (scripts/deps.txt)" >&2; exit 1; }
BG=$BPFGUARD

# LeakSanitizer cannot run under ptrace: in sanitizer builds the helper
# would fail at exit under strace.
ASAN_OPTIONS=detect_leaks=0 strace -f -e quiet=none -o "$TMP/st" \
	"$SYSPROBE" getpid getpid getpid mkdir "$TMP/made" socket 2 1 ia32-getpid > "$TMP/probe" 2>&1
check "the program ran under strace" grep -q "ia32-getpid: ok" "$TMP/probe"
check "strace recorded the ia32 call's personality change" grep -q "runs in 32 bit mode" "$TMP/st"

# The oracle, independent of bpfguard: the syscall names per ABI, from
# strace's own personality lines.
python3 - "$TMP/st" > "$TMP/names" <<'PY'
import re, sys
abi, names = {}, {"x86_64": {}, "ia32": {}}
for l in open(sys.argv[1]):
    m = re.match(r'(\d+)\s+\[ Process PID=(\d+) runs in (\d+) bit mode', l)
    if m:
        abi[m.group(2)] = "ia32" if m.group(3) == "32" else "x86_64"
        continue
    m = re.match(r'(\d+)\s+([a-z_0-9]+)\(', l)
    if m:
        a = abi.get(m.group(1), "x86_64")
        names[a][m.group(2)] = names[a].get(m.group(2), 0) + 1
for a in names:
    for n, c in sorted(names[a].items()):
        print(a, n, c)
PY
N64=$(awk '$1 == "x86_64" && $2 == "getpid" { print $3 }' "$TMP/names")
check "the trace has the x86_64 getpid calls (${N64:-0}) and one ia32 getpid" \
	sh -c "[ '${N64:-0}' -ge 3 ] && grep -qx 'ia32 getpid 1' '$TMP/names'"

# --- a policy that denies one call the program makes: that call, its count
P=$(policy deny-getpid <<'POL'
default allow
default ia32 allow
errno(EPERM) getpid
POL
)
expect_rc 4 "policy test: a denied call exits 4" "$BG" policy test "$P" "$TMP/st"
check "... exactly one group reported (and the summary)" test "$(grep -c ': x86_64 ' "$TMP/out")" = 1
check "... it is x86_64 getpid errno(EPERM) with the count strace shows ($N64)" \
	grep -q ": x86_64 getpid: errno(EPERM), $N64 calls (line 3: errno(EPERM) getpid)" "$TMP/out"
first=$(grep -n -m1 -E '^[0-9]+ +getpid\(' "$TMP/st" | cut -d: -f1)
check "... first seen at the first getpid line ($first)" grep -q "^$TMP/st:$first: x86_64 getpid" "$TMP/out"
check "... the ia32 getpid (another table) is not reported" bash -c "! grep -q 'ia32 getpid' '$TMP/out'"
"$BG" policy test --json "$P" "$TMP/st" > "$TMP/j"
check "--json: one group, getpid, x86_64, errno 1, count $N64, first line $first, exit 4" test "$(json_eval "$TMP/j" \
	"[(g['syscall'], g['abi'], g['errno'], g['count'], g['rule']['line'], g['first_line']) for g in j['groups']] == [('getpid', 'x86_64', 1, $N64, 3, $first)] and j['exit'] == 4 and j['traces'][0]['format'] == 'strace'")" = True

P=$(policy deny-ia32 <<'POL'
default allow
default ia32 allow
kill ia32:getpid
POL
)
expect_rc 4 "policy test: the ia32 call is judged by the ia32 table" "$BG" policy test "$P" "$TMP/st"
check "... ia32 getpid kill, 1 call" grep -q ": ia32 getpid: kill, 1 call (line 3: kill ia32:getpid)" "$TMP/out"

# --- the program's own policy: every name it used, mkdir and socket only
# with the arguments it passed; everything else killed
{
	echo "name own"
	echo "default kill"
	echo "default ia32 kill"
	awk '$1 == "x86_64" && $2 != "mkdir" && $2 != "socket" { printf "allow %s\n", $2 }' "$TMP/names"
	awk '$1 == "ia32" { printf "allow ia32:%s\n", $2 }' "$TMP/names"
	echo "allow mkdir if arg1 == 0755"
	echo "allow socket if arg0 == AF_INET and arg1 & 0xf == SOCK_STREAM"
} > "$TMP/own.policy"
expect_rc 0 "policy test: the program's own policy denies nothing" "$BG" policy test "$TMP/own.policy" "$TMP/st"
check "... and says so" grep -q "; 0 denied, 0 undecidable" "$TMP/out"
sed 's/arg1 == 0755/arg1 == 0700/' "$TMP/own.policy" > "$TMP/own2.policy"
expect_rc 4 "policy test: mkdir with another mode than the rule's is denied" "$BG" policy test "$TMP/own2.policy" "$TMP/st"
check "... mkdir kill, 1 call, by the default" grep -q ": x86_64 mkdir: kill, 1 call (the x86_64 default: kill)" "$TMP/out"
check "... nothing else" test "$(grep -c ': x86_64 \|: ia32 ' "$TMP/out")" = 1
sed 's/allow mkdir if arg1 == 0755/allow mkdir if arg0 == 0/' "$TMP/own.policy" > "$TMP/own3.policy"
expect_rc 5 "policy test: a rule on a string argument is undecidable from strace (exit 5)" \
	"$BG" policy test "$TMP/own3.policy" "$TMP/st"
check "... reported as undecidable, naming the argument" \
	grep -q ": x86_64 mkdir: undecidable from this trace, 1 call (line [0-9]*: allow mkdir if arg0 == 0x0 tests arg0" "$TMP/out"

# --- -X raw and -e raw=all traces decide the same
ASAN_OPTIONS=detect_leaks=0 strace -f -e raw=all -o "$TMP/raw" "$SYSPROBE" mkdir "$TMP/made2" socket 2 1 > /dev/null 2>&1
P=$(policy deny-inet-stream <<'POL'
default allow
errno(EACCES) socket if arg0 == AF_INET and arg1 & 0xf == SOCK_STREAM
POL
)
expect_rc 4 "policy test -e raw=all: the socket rule decided from raw registers" "$BG" policy test "$P" "$TMP/raw"
check "... socket errno(EACCES), 1 call" grep -q ": x86_64 socket: errno(EACCES), 1 call (line 2:" "$TMP/out"

# --- events from a guarded cgroup (audit: every non-allowed call recorded)
A=$(policy audit <<'POL'
name trace-audit
default allow
log getpid
log socket
errno(EACCES) mkdir
POL
)
expect_rc 0 "attach the recording policy in audit mode" "$BG" attach --cgroup "$CGREL" --policy "$A" --mode audit
"$SYSPROBE" --cgroup "$CG" getpid getpid mkdir "$TMP/made3" socket 2 1 > "$TMP/probe" 2>&1
"$BG" events --json > "$TMP/ev"
"$BG" detach --cgroup "$CGREL" > /dev/null 2>&1
NEV=$(grep -c '"syscall":"getpid"' "$TMP/ev")
check "the events hold the getpid calls (${NEV:-0}), the mkdir and the socket" \
	sh -c "[ '${NEV:-0}' -ge 2 ] && grep -q '\"syscall\":\"mkdir\"' '$TMP/ev' && grep -q '\"syscall\":\"socket\"' '$TMP/ev'"
P=$(policy deny-getpid-ev <<'POL'
default allow
errno(EPERM) getpid
POL
)
expect_rc 4 "policy test on events: a denied call exits 4" "$BG" policy test "$P" "$TMP/ev"
first=$(grep -n -m1 '"syscall":"getpid"' "$TMP/ev" | cut -d: -f1)
check "... getpid errno(EPERM), $NEV calls, first at line $first, nothing else" \
	sh -c "grep -q '^$TMP/ev:$first: x86_64 getpid: errno(EPERM), $NEV calls' '$TMP/out' && [ \$(grep -c ': x86_64 ' '$TMP/out') = 1 ]"
P=$(policy own-ev <<'POL'
default kill
allow getpid
allow mkdir if arg1 == 0755
allow socket if arg0 == AF_INET and arg1 & 0xf == SOCK_STREAM
POL
)
expect_rc 0 "policy test on events: conditions decided from the recorded registers, nothing denied" \
	"$BG" policy test "$P" "$TMP/ev"
sed 's/arg0 == AF_INET and/arg0 == AF_INET6 and/' "$P" > "$TMP/own-ev2.policy"
expect_rc 4 "... a socket rule for another family: the socket call is denied" \
	"$BG" policy test "$TMP/own-ev2.policy" "$TMP/ev"
check "... socket kill, 1 call" grep -q ": x86_64 socket: kill, 1 call (the x86_64 default: kill)" "$TMP/out"
expect_rc 4 "several traces at once: strace and events" "$BG" policy test "$TMP/own2.policy" "$TMP/st" "$TMP/ev"
check "... counts summed over both files" grep -q "read from 2 traces" "$TMP/out"

# --- learn --json: counts per syscall, socket's recorded family and type
mkdir "$CG/l"
"$BG" learn --cgroup "$CGREL/l" -o "$TMP/l.policy" --json > "$TMP/learn.json" 2> "$TMP/learn.err" &
LPID=$!
for _ in $(seq 100); do grep -q "learning cgroup" "$TMP/learn.err" && break; sleep 0.1; done
"$SYSPROBE" --cgroup "$CG/l" getpid getpid socket 2 1 socket 10 2 > /dev/null 2>&1
kill -TERM $LPID
wait $LPID
check "learn --json recorded the workload (exit $?)" grep -q '"seen"' "$TMP/learn.json"
NL=$(json_eval "$TMP/learn.json" "sum(s['count'] for s in j['seen'] if s['abi'] == 'x86_64' and s['syscall'] == 'getpid')")
P=$(policy deny-getpid-learn <<'POL'
default allow
errno(EPERM) getpid
POL
)
expect_rc 4 "policy test on learned JSON: a denied call exits 4" "$BG" policy test "$P" "$TMP/learn.json"
check "... getpid errno(EPERM) with learn's count ($NL), first at seen[N]" \
	grep -q "^$TMP/learn.json:seen\[[0-9]*\]: x86_64 getpid: errno(EPERM), $NL calls" "$TMP/out"
P=$(policy inet-only <<'POL'
default allow
allow socket if arg0 == AF_INET and arg1 & 0xf == SOCK_STREAM
errno(EAFNOSUPPORT) socket
POL
)
expect_rc 4 "policy test on learned JSON: socket rules decided from the recorded family and type" \
	"$BG" policy test "$P" "$TMP/learn.json"
check "... only the AF_INET6 datagram socket is denied, and nothing is undecidable" \
	sh -c "grep -q ': x86_64 socket: errno(EAFNOSUPPORT), 1 call (line 3: errno(EAFNOSUPPORT) socket); first (0xa, 0x2&0xf' '$TMP/out' && grep -q '; 1 denied, 0 undecidable' '$TMP/out'"
sed 's/arg1 & 0xf == SOCK_STREAM/arg1 == SOCK_STREAM/' "$P" > "$TMP/inet2.policy"
expect_rc 4 "... a rule on socket's whole type (learn keeps its low four bits): still exit 4 for AF_INET6" \
	"$BG" policy test "$TMP/inet2.policy" "$TMP/learn.json"
check "... and the AF_INET stream socket is undecidable, naming arg1" \
	grep -q ": x86_64 socket: undecidable from this trace, 1 call (line 2: allow socket if arg0 == 0x2 and arg1 == 0x1 tests arg1, not known here" "$TMP/out"

# --- bad input: one line, exit 2; hostile traces: warnings, no crash
expect_rc 2 "policy test: a missing trace" "$BG" policy test "$TMP/own.policy" "$TMP/nonexistent"
check "... one line naming it" sh -c "[ \$(wc -l < '$TMP/err') = 1 ] && grep -q nonexistent '$TMP/err'"
head -c 65536 /dev/urandom > "$TMP/noise"
printf 'getpid(\n(((((\n%s\n' "$(head -c 40000 /dev/zero | tr '\0' 'x')" >> "$TMP/noise"
"$BG" policy test "$TMP/own.policy" "$TMP/noise" > "$TMP/out" 2> "$TMP/err"
rc=$?
check "policy test on noise: no crash (exit $rc is 0, 4 or 5)" sh -c "[ $rc = 0 ] || [ $rc = 4 ] || [ $rc = 5 ]"
check "... warnings name file:line" grep -q "warning: $TMP/noise:[0-9]*: " "$TMP/err"

# --- policy eval
P=$(policy eval <<'POL'
default errno(EPERM)
allow read write
errno(EACCES) socket if arg0 == AF_INET and arg1 & 0xf == SOCK_STREAM
allow socket
errno(EACCES) ia32:mkdir
POL
)
expect_rc 0 "policy eval: an allowed call exits 0" "$BG" policy eval "$P" read
check "... allow, by line 2" grep -q "^x86_64 read(): allow (line 2: allow read)$" "$TMP/out"
expect_rc 4 "policy eval: errno with conditions exits 4" "$BG" policy eval "$P" socket AF_INET 'SOCK_STREAM|SOCK_CLOEXEC' 0
check "... errno(EACCES) and the rule's line and conditions" \
	grep -q "socket(0x2, 0x80001, 0x0): errno(EACCES) (line 3: errno(EACCES) socket if arg0 == 0x2 and arg1 & 0xf == 0x1)" "$TMP/out"
"$BG" policy eval --json "$P" socket 2 1 > "$TMP/j"
check "... --json: action, errno, rule line and conditions" test "$(json_eval "$TMP/j" \
	"(j['verdict'], j['errno'], j['rule']['line'], len(j['rule']['conditions']), j['allowed'])")" = "('errno', 13, 3, 2, False)"
expect_rc 0 "policy eval: another family falls through to the unconditional rule" "$BG" policy eval "$P" socket 10 1
check "... allow, line 4" grep -q "allow (line 4: allow socket)" "$TMP/out"
expect_rc 5 "policy eval: an argument the rule tests not given: undecidable (exit 5)" "$BG" policy eval "$P" socket AF_INET
check "... names the argument" grep -q "undecidable: line 3: .* tests arg1, which was not given" "$TMP/out"
expect_rc 4 "policy eval --abi ia32: 39 is mkdir there" "$BG" policy eval "$P" 39 --abi ia32
check "... ia32 mkdir errno(EACCES) by line 5" grep -q "^ia32 mkdir(): errno(EACCES) (line 5: errno(EACCES) ia32:mkdir)$" "$TMP/out"
expect_rc 4 "policy eval: x86_64 39 is getpid, the default" "$BG" policy eval "$P" 39
check "... getpid by the x86_64 default" grep -q "^x86_64 getpid(): errno(EPERM) (the x86_64 default: errno(EPERM))$" "$TMP/out"
expect_rc 4 "policy eval --abi ia32: an ia32 call not named gets the ia32 default (kill)" "$BG" policy eval --abi ia32 "$P" read
expect_rc 2 "policy eval: an unknown syscall name exits 2" "$BG" policy eval "$P" opn
check "... one clear line naming it" sh -c "[ \$(wc -l < '$TMP/err') = 1 ] && grep -q \"unknown syscall 'opn' for x86_64; check the name (did you mean 'open'?)\" '$TMP/err' && ! [ -s '$TMP/out' ]"
expect_rc 2 "policy eval: a bad argument exits 2" "$BG" policy eval "$P" read AF_NOPE
expect_rc 2 "policy eval: seven arguments exit 2" "$BG" policy eval "$P" read 1 2 3 4 5 6 7
finish

#!/bin/bash
# A learned policy cannot be widened by the names a learned workload
# chooses (docs/threat-model.md, hostile inputs).  `bpfguard learn` lists
# the executables that ran and, for a Go binary, names it in the comment
# above the runtime calls it adds.  The workload picks those bytes: a file
# named "x<newline>allow ptrace" must stay inside its comment line, so the
# policy written allows ptrace only if ptrace was called (it is not here).
. "$(dirname "$0")/../integration/lib.sh"

SYSPROBE=$BG_HELPERS/sysprobe
command -v go > /dev/null || { not_ok "go missing: scripts/setup installs golang-go"; finish; }
export GOCACHE=$TMP/gocache GOPATH=$TMP/gopath GO111MODULE=off GOFLAGS=
NAME=$'hello\nallow ptrace\nallow bpf # \x1b[31m'
(cd "$BG_SRCDIR/tests/go/hello" && CGO_ENABLED=0 go build -o "$TMP/$NAME" .) ||
	{ not_ok "go build tests/go/hello"; finish; }
cp /bin/true "$TMP/true"$'\nallow kexec_load'

mkdir "$CG/l"
"$BPFGUARD" learn --cgroup "$CGREL/l" -o "$TMP/l.policy" --json > "$TMP/l.out" 2> "$TMP/l.err" &
LPID=$!
for _ in $(seq 100); do grep -q "learning cgroup" "$TMP/l.err" && break; sleep 0.1; done
"$SYSPROBE" --cgroup "$CG/l" exec "$TMP/$NAME" > /dev/null 2>&1
"$SYSPROBE" --cgroup "$CG/l" exec "$TMP/true"$'\nallow kexec_load' > /dev/null 2>&1
kill -TERM $LPID
wait $LPID
check "learn wrote the policy (exit $?)" test -s "$TMP/l.policy"
check "the Go binary was recognised (its runtime's calls are added)" grep -qE "added: (in the binary's code|@go-runtime)" "$TMP/l.policy"
check "no line starts with a name's forged rule (ptrace, bpf, kexec_load)" \
	sh -c "! grep -qE '^allow (ptrace|bpf|kexec_load)' '$TMP/l.policy'"
check "no raw control byte in the policy" sh -c "! LC_ALL=C grep -q \$(printf '\\033') '$TMP/l.policy'"
check "the names are there, escaped" grep -qF 'hello\nallow ptrace' "$TMP/l.policy"
"$BPFGUARD" policy check "$TMP/l.policy" > "$TMP/l.checked" 2>&1
check "the policy parses (exit $?)" test $? = 0
check "... and allows none of the forged calls" \
	sh -c "! grep -qE '^allow .*\\b(ptrace|bpf|kexec_load)\\b' '$TMP/l.checked'"
check "--json carries the names as JSON strings" python3 -c "
import json, sys
j = json.load(open('$TMP/l.out'))
paths = [x.get('path', '') for x in j['executables']]
sys.exit(0 if any('allow ptrace' in p for p in paths) and all('\n' not in x.get('go_version', '') for x in j['executables']) else 1)"
finish

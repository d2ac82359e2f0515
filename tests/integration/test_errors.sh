#!/bin/bash
# Bad input: one clear line, non-zero exit, nothing changed.
. "$(dirname "$0")/lib.sh"

GOOD=$(policy good <<'POL'
name good
default allow
kill mkdir
POL
)
BAD=$(policy bad <<'POL'
name bad
default allow
kill mkdri
POL
)
pins() { find /sys/fs/bpf/bpfguard 2>/dev/null | sort; }
one_line() { test "$(wc -l < "$TMP/err")" = 1; }

expect_rc 2 "unknown syscall in policy" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$BAD"
check "message names file, line and the bad name" grep -q "bad.policy:3: .*mkdri" "$TMP/err"
check "one line" one_line
check "nothing pinned" test -z "$(pins)"

expect_rc 2 "missing policy file" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/nope.policy"
check "message names the file" grep -q "nope.policy" "$TMP/err"
check "one line" one_line

expect_rc 2 "missing cgroup" "$BPFGUARD" attach --cgroup "$CGREL/nope" --policy "$GOOD"
check "message names the path" grep -q "nope" "$TMP/err"
check "one line" one_line
check "nothing pinned" test -z "$(pins)"

expect_rc 2 "a cgroup v1 directory is rejected" "$BPFGUARD" attach --cgroup /sys/fs/cgroup/memory --policy "$GOOD"
check "message says it is not cgroup v2" grep -q "cgroup v2" "$TMP/err"
expect_rc 2 "a plain directory is rejected" "$BPFGUARD" attach --cgroup "$TMP" --policy "$GOOD"
expect_rc 2 "bad --mode" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$GOOD" --mode loud
expect_rc 2 "bad --fallback" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$GOOD" --fallback maybe
expect_rc 2 "missing --policy" "$BPFGUARD" attach --cgroup "$CGREL"
expect_rc 2 "unknown command" "$BPFGUARD" frobnicate
expect_rc 2 "policy check on a bad file" "$BPFGUARD" policy check "$BAD"
check "policy check names file and line" grep -q "bad.policy:3:" "$TMP/err"

# Failure after bpffs was touched rolls back completely (test builds:
# fault injection; a default build must ignore the variable).
if ! test_hooks; then
	ignores_fault "attach" --cgroup "$CGREL" --policy "$GOOD"
	finish
fi
expect_rc 1 "injected failure on a fresh machine" env BPFGUARD_FAIL_AT=reconcile "$BPFGUARD" attach --cgroup "$CGREL" --policy "$GOOD"
check "says nothing changed" grep -q "nothing changed" "$TMP/err"
check "no pins left behind" test -z "$(pins)"

expect_rc 0 "attach good" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$GOOD"
mkdir "$CG/sub"
before=$("$BPFGUARD" status --json | python3 -c 'import json,sys; j=json.load(sys.stdin); print([(a["policy"], a["mode"], a["guarded_cgroups"]) for a in j["attachments"]])')
for step in slot links reconcile; do
	expect_rc 1 "injected failure at $step while replacing" env BPFGUARD_FAIL_AT=$step "$BPFGUARD" attach --cgroup "$CGREL" --policy "$GOOD" --mode audit
done
after=$("$BPFGUARD" status --json | python3 -c 'import json,sys; j=json.load(sys.stdin); print([(a["policy"], a["mode"], a["guarded_cgroups"]) for a in j["attachments"]])')
check "attachments unchanged after failed replaces ($after)" test "$before" = "$after"
"$SYSPROBE" --cgroup "$CG/sub" mkdir "$TMP/e1" > /dev/null 2>&1
check "old policy (enforce, kill) still in force" test $? = 137
expect_rc 1 "injected failure attaching a second cgroup" env BPFGUARD_FAIL_AT=reconcile "$BPFGUARD" attach --cgroup "$CGREL/sub" --policy "$GOOD"
"$BPFGUARD" status --json > "$TMP/st"
check "still exactly one attachment" test "$(json_eval "$TMP/st" "len(j['attachments'])")" = 1
# pins of another layout (an older bpfguard left them): one line naming
# the layout and the remedy, before libbpf trips over the maps
bpftool map update pinned /sys/fs/bpf/bpfguard/maps/bg_config key 0 0 0 0 value 7 0 0 0 200 0 0 0
"$BPFGUARD" attach --cgroup "$CGREL" --policy "$GOOD" > "$TMP/out" 2> "$TMP/err"
rc=$?
check "pins of layout 7: attach refuses (rc $rc) with one line naming the layout and 'bpfguard reset'" \
	sh -c "test $rc -ne 0 && test \$(wc -l < '$TMP/err') = 1 && grep -q 'has layout 7, this bpfguard uses' '$TMP/err' && grep -q 'bpfguard reset' '$TMP/err'"
finish

#!/bin/bash
# The executable allowlist on this kernel (no BPF LSM: kill at
# sched_process_exec, before the first instruction): listed files run, an
# unlisted file and a listed file modified after hashing are killed before
# they do anything, a policy whose hash does not match the file is refused
# with nothing changed, the trust store (bpfguard trust) admits and revokes
# at once, audit mode records without killing, events name the path, the
# reason and the file's hash; bpfguard run applies the list to its payload.
. "$(dirname "$0")/lib.sh"

# This is the kill at exec: alone where the kernel has no fanotify
# permission events, the backstop behind the fanotify exec gate elsewhere
# (test_exec_fanotify.sh tests the gate, whose refusals are EPERM at
# execve with no ring-buffer event).  The gate stays off here so the
# backstop's own behaviour (exit 137, its events) is what is tested.
export BPFGUARD_EXEC_GATE=off

export BPFGUARD_TRUST_STORE=$TMP/trust.list
B=$TMP/bin
mkdir -p "$B"
chmod 755 "$TMP" "$B"
cp /bin/true "$B/allowed"
cp /bin/true "$B/copy"          # same content, another inode: not listed
cp /usr/bin/touch "$B/toucher"  # its first act would be to create a file
cp /bin/true "$B/trusted"
exe() { "$SYSPROBE" --cgroup "$CG" exec "$@"; }

sha=$(sha256sum "$B/allowed" | cut -c1-64)
policy exec > /dev/null <<POL
name exec-test
default allow
exec allow $B/allowed sha256:$sha
exec allow $B/toucher2
POL
# a listed file that does not exist: refused, one line
expect_rc 1 "attach refuses an exec line whose file is missing" \
	"$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/exec.policy"
check "... one line naming the file" grep -q "toucher2" "$TMP/err"
check "... and nothing was pinned" test ! -e /sys/fs/bpf/bpfguard/maps/bg_attachments
sed -i "s|^exec allow $B/toucher2\$|exec allow /bin/sh|" "$TMP/exec.policy"
# a hash that is not the file's: refused
sed "s/sha256:$sha/sha256:$(printf '%064d' 0)/" "$TMP/exec.policy" > "$TMP/badhash.policy"
expect_rc 1 "attach refuses a file whose content is not the one vouched for" \
	"$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/badhash.policy"
check "... the line gives the file's real sha256" grep -q "its sha256 is $sha" "$TMP/err"

expect_rc 0 "attach with an exec section" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/exec.policy"
check "... attach says who enforces it (kill at exec here)" grep -q "executables: 2 listed files, others killed at exec" "$TMP/out"
"$BPFGUARD" events --json > /dev/null
expect_rc 0 "a listed file runs" exe "$B/allowed"
exe "$B/copy" > /dev/null 2>&1
check "an unlisted copy with the same content is killed (exit $?)" test $? = 137
exe "$B/toucher" "$TMP/made" > /dev/null 2>&1
check "an unlisted file is killed before its first instruction (exit $?, it never created its file)" \
	sh -c "[ $? = 137 ] && [ ! -e '$TMP/made' ]"
"$BPFGUARD" events --json > "$TMP/ev"
check "event: exec of the unlisted file, killed, with its path and why" \
	json_any "$TMP/ev" "e['type'] == 'exec' and e['path'] == '$B/toucher' and e['effect'] == 'killed' and e['why'] == 'not listed'"
check "... and the file's sha256, computed at drain" \
	json_any "$TMP/ev" "e['type'] == 'exec' and e['path'] == '$B/toucher' and e.get('sha256') == '$(sha256sum "$B/toucher" | cut -c1-64)'"
printf '\n' >> "$B/allowed"
exe "$B/allowed" > /dev/null 2>&1
check "a listed file modified after hashing is killed (exit $?)" test $? = 137
"$BPFGUARD" events --json > "$TMP/ev"
check "... event says changed since hashed" json_any "$TMP/ev" "e['type'] == 'exec' and e['why'] == 'changed since hashed'"
check "exec events valid under the v1 schema (docs/event.schema.json)" events_valid "$TMP/ev" --types exec
"$BPFGUARD" status --json > "$TMP/status" 2>&1
check "status counts the exec denials" grep -q 'exec_kill' "$TMP/status"

# trust store: exec trusted admits what `bpfguard trust add` vouched for
policy trusted > /dev/null <<POL
name exec-trusted
default allow
exec trusted
POL
expect_rc 0 "attach a policy that admits the trust store" \
	"$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/trusted.policy"
exe "$B/trusted" > /dev/null 2>&1
check "not yet trusted: killed (exit $?)" test $? = 137
expect_rc 0 "trust add" "$BPFGUARD" trust add "$B/trusted"
check "... prints the hash" grep -q "trusted sha256:$(sha256sum "$B/trusted" | cut -c1-64) $B/trusted" "$TMP/out"
expect_rc 0 "trusted now: runs at once" exe "$B/trusted"
expect_rc 0 "trust list --verify: ok" "$BPFGUARD" trust list --verify
check "... lists it" grep -q "$B/trusted  ok" "$TMP/out"
printf 'x' >> "$B/trusted"
expect_rc 1 "trust list --verify after the file changed: exit 1" "$BPFGUARD" trust list --verify
check "... says changed" grep -q "$B/trusted  changed" "$TMP/out"
exe "$B/trusted" > /dev/null 2>&1
check "a trusted file changed afterwards is killed (exit $?)" test $? = 137
expect_rc 0 "trust add again (re-vouch)" "$BPFGUARD" trust add "$B/trusted"
expect_rc 0 "... runs" exe "$B/trusted"
expect_rc 0 "trust remove" "$BPFGUARD" trust remove "$B/trusted"
exe "$B/trusted" > /dev/null 2>&1
check "removed from the store: killed at once (exit $?)" test $? = 137
expect_rc 2 "trust remove of something not there: clear error" "$BPFGUARD" trust remove "$B/nothing"
expect_rc 2 "trust add of a missing file: clear error" "$BPFGUARD" trust add "$B/nothing"
echo "garbage" >> "$BPFGUARD_TRUST_STORE"
expect_rc 2 "a malformed trust store line: FILE:LINE" "$BPFGUARD" trust list
check "... names the line" grep -q "trust.list:3:" "$TMP/err"

# audit mode: recorded, not killed
cp /bin/true "$B/allowed" # back to the vouched content
expect_rc 0 "attach in audit mode" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/exec.policy" --mode audit
"$BPFGUARD" events --json > /dev/null
expect_rc 0 "audit: an unlisted file runs" exe "$B/copy"
"$BPFGUARD" events --json > "$TMP/ev"
check "... and is recorded" json_any "$TMP/ev" "e['type'] == 'exec' and e['path'] == '$B/copy' and e['effect'] == 'recorded'"
expect_rc 0 "detach" "$BPFGUARD" detach --cgroup "$CGREL"
check "... the exec program is gone with the last exec section" test ! -e /sys/fs/bpf/bpfguard/links/bg_exec_kill

# bpfguard run: the list applies to the payload
printf 'name run-exec\ndefault allow\nexec allow %s\n' "$(readlink -f "$SYSPROBE")" > "$TMP/run.policy"
expect_rc 0 "run: the listed payload runs" "$BPFGUARD" run --policy "$TMP/run.policy" -- "$SYSPROBE" getpid
expect_rc 120 "run: the payload's exec of an unlisted file is killed by the policy" \
	"$BPFGUARD" run --policy "$TMP/run.policy" --rw "$B" -- "$SYSPROBE" exec "$B/toucher" "$B/made-in-run"
check "... one line says so" grep -q "killed by policy 'run-exec': it exec'd a file not in the exec allowlist" "$TMP/err"
check "... it never ran" test ! -e "$B/made-in-run"
finish

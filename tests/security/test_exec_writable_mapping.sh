#!/bin/bash
# Attack (docs/threat-model.md): root inside a guarded cgroup runs
# code the exec allowlist never vouched for by changing a vouched file in a
# way its identity (device, inode, ctime) does not show.
#  - A shared writable mapping made before the file is hashed: its pages are
#    already writable, so later writes through it never fault and ctime
#    stays (ext4 here; /tmp is ext4).  Closed: trust add / attach refuse a
#    file anyone holds open for writing or writably mapped (read lease).
#  - tmpfs: a write through a mapping never moves ctime at all.  Closed:
#    files on tmpfs are refused, with one line saying to copy them to disk.
#  - Writing the file while it is exec'd: refused (ETXTBSY by the kernel's
#    own deny-write on this kernel, else the i_writecount check kills it).
# The plain cases keep working: a quiet file on ext4 is trusted and runs; a
# mapping made after hashing moves ctime on its first write and is caught.
# Refused means either mechanism of this kernel: the fanotify exec gate
# (execve fails with EPERM, "exec: errno 1") or, with the gate down or off,
# the kill at exec (137); the program never runs either way.
. "$(dirname "$0")/../integration/lib.sh"

export BPFGUARD_TRUST_STORE=$TMP/trust.list
H=$BG_HELPERS/execattack
B=$TMP/bin
mkdir -p "$B"
chmod 755 "$TMP" "$B"
exe() { "$SYSPROBE" --cgroup "$CG" exec "$@"; }
marker_offset() { "$H" marker-offset "$1"; }
check "the victim binary carries its marker" test -n "$(marker_offset "$H")"

# An attacker process holding a writable mapping of $1, made and dirtied
# before anything else happens; `release_mapping` makes it write STR at
# the marker through that old mapping, unmap and exit.
hold_mapping() {
	rm -f "$TMP/go"
	mkfifo "$TMP/go"
	"$H" map-patch "$1" "$(marker_offset "$1")" BGMARK:evil__ < "$TMP/go" > "$TMP/mp.out" 2>&1 &
	MP=$!
	exec 7> "$TMP/go"
	for _ in $(seq 50); do grep -q mapped "$TMP/mp.out" && break; sleep 0.1; done
	grep -q mapped "$TMP/mp.out"
}
release_mapping() {
	echo go >&7
	exec 7>&-
	wait "$MP"
	grep -q patched "$TMP/mp.out"
}

policy trusted > /dev/null <<POL
name exec-writable
default allow
exec trusted
POL
expect_rc 0 "attach a policy that admits the trust store" \
	"$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/trusted.policy"
"$BPFGUARD" status --json > "$TMP/status"
MECH=$(json_eval "$TMP/status" "j['attachments'][0]['exec_mechanism']")
# refused RC: the gate's EPERM or the backstop's kill
refused() { [ "$1" = 137 ] || grep -q 'exec: errno 1$' "$TMP/o"; }

# plain case: a quiet file on ext4
cp "$H" "$B/plain"
expect_rc 0 "trust add of a quiet file on ext4" "$BPFGUARD" trust add "$B/plain"
exe "$B/plain" whoami > "$TMP/o" 2>&1
check "... it runs (exit $?)" grep -q "BGMARK:benign" "$TMP/o"

# 1. a writable mapping that exists while the file is hashed
cp "$H" "$B/victim"
check "attacker: shared writable mapping of the file, every page dirtied" hold_mapping "$B/victim"
expect_rc 2 "trust add refuses a file someone holds writably mapped" "$BPFGUARD" trust add "$B/victim"
check "... one line: open for writing, what to do" grep -q "is open for writing.*stop the writer" "$TMP/err"
check "... and nothing was added" sh -c "! grep -q '$B/victim' '$BPFGUARD_TRUST_STORE'"
check "attacker: patch through the old mapping, unmap, exit" release_mapping
"$B/victim" whoami > "$TMP/o" 2>&1
check "... the file really is modified now" grep -q "BGMARK:evil" "$TMP/o"
exe "$B/victim" whoami > "$TMP/o" 2>&1
rc=$?
! grep -q BGMARK "$TMP/o" && refused "$rc"
check "the modified file does not run in the guarded cgroup (exit $rc, $MECH)" test $? = 0

# the same at attach: a policy's exec allow line is hashed the same way
cp "$H" "$B/listed"
check "attacker: writable mapping of a file a policy lists" hold_mapping "$B/listed"
printf 'name exec-writable-list\ndefault allow\nexec allow %s\n' "$B/listed" > "$TMP/list.policy"
expect_rc 1 "attach refuses to hash a listed file someone holds writably mapped" \
	"$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/list.policy"
check "... one line naming the policy line and the writer" grep -q "line 3: exec allow $B/listed is open for writing" "$TMP/err"
release_mapping

# 2. a mapping made after hashing: its first write fault moves ctime
cp "$H" "$B/late"
expect_rc 0 "trust add of a quiet file" "$BPFGUARD" trust add "$B/late"
hold_mapping "$B/late"
release_mapping
exe "$B/late" whoami > "$TMP/o" 2>&1
rc=$?
! grep -q BGMARK "$TMP/o" && refused "$rc"
check "a file patched through a mapping made after hashing is refused (exit $rc, $MECH)" test $? = 0

# 3. open for writing at exec
cp "$H" "$B/busy"
expect_rc 0 "trust add of a quiet file" "$BPFGUARD" trust add "$B/busy"
rm -f "$TMP/go"; mkfifo "$TMP/go"
"$H" hold-write "$B/busy" < "$TMP/go" > "$TMP/hw.out" 2>&1 &
HW=$!
exec 7> "$TMP/go"
for _ in $(seq 50); do grep -q open "$TMP/hw.out" && break; sleep 0.1; done
exe "$B/busy" whoami > "$TMP/o" 2>&1
rc=$?
! grep -q BGMARK "$TMP/o" && { refused "$rc" || grep -q 'exec: errno 26' "$TMP/o"; }
check "a trusted file open for writing at exec does not run (exit $rc: EPERM, ETXTBSY or killed)" test $? = 0
echo >&7; exec 7>&-; wait "$HW"
expect_rc 0 "... once the writer is gone it runs" exe "$B/busy" whoami

# 4. tmpfs: a mapping write never moves ctime there
SHM=$(mktemp -d /dev/shm/bpfguard-test.XXXXXX)
cp "$H" "$SHM/tool"
expect_rc 2 "trust add refuses a file on tmpfs" "$BPFGUARD" trust add "$SHM/tool"
check "... one line: it is on tmpfs, copy it to a disk file system" \
	grep -q "is on tmpfs.*copy it to a disk file system" "$TMP/err"
printf 'name exec-tmpfs\ndefault allow\nexec allow %s\n' "$SHM/tool" > "$TMP/shm.policy"
expect_rc 1 "attach refuses a policy listing a file on tmpfs" \
	"$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/shm.policy"
check "... the same line" grep -q "is on tmpfs" "$TMP/err"
rm -rf "$SHM"

if [ "$MECH" = fanotify ]; then
	# the gate's refusals are counted by the gate (no ring-buffer event)
	"$BPFGUARD" status --json > "$TMP/status"
	check "the gate counts the refusals: the never-trusted victim, the changed file, the one open for writing" \
		test "$(json_eval "$TMP/status" "min(j['exec_gate']['denied_by_why'].get('unlisted', 0), j['exec_gate']['denied_by_why'].get('changed', 0), j['exec_gate']['denied_by_why'].get('writable', 0))")" -ge 1
else
	"$BPFGUARD" events --json > "$TMP/ev"
	check "events name the killed exec of the unvouched file" \
		json_any "$TMP/ev" "e['type'] == 'exec' and e['path'] == '$B/victim' and e['effect'] == 'killed'"
fi
finish

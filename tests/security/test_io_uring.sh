#!/bin/bash
# io_uring carries out openat and unlinkat without those syscalls.  A
# policy that kills unlink/openat must hold against IORING_OP_UNLINKAT and
# IORING_OP_OPENAT too: the implied io_uring rule denies io_uring_setup, so
# the file survives and the new one is never created, attached to a cgroup
# (kill at sys_enter) and under bpfguard run (seccomp).  A policy that
# allows io_uring by name next to such rules gets a warning, and
# --require-deny / --strict refuse it (exit 3).
. "$(dirname "$0")/../integration/lib.sh"

URING=$BG_HELPERS/uring
[ -x "$URING" ] || URING=${BG_BUILD:-$BG_SRCDIR/build}/tests/helpers/uring
[ -x "$URING" ] || { echo "no uring helper (build tests/helpers/uring.c)" >&2; exit 1; }

P=$(policy killfs <<'POL'
name killfs
default allow
kill unlink unlinkat rmdir
kill open openat openat2 creat
POL
)

# The helper's own exec opens files: it must start outside the cgroup and
# enter it itself (--cgroup) before the ring is made.
expect_rc 0 "attach a policy that kills unlink and openat" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$P"
check "attach says io_uring is denied because of the kill rules" grep -q "io_uring_setup kill.*implied" "$TMP/err"

echo precious > "$TMP/keep"
"$URING" --cgroup "$CG" unlinkat "$TMP/keep" > "$TMP/o1" 2>&1
rc=$?
check "IORING_OP_UNLINKAT in the cgroup: the process is killed at io_uring_setup (exit $rc)" test "$rc" = 137
check "the file io_uring was asked to unlink survived" test "$(cat "$TMP/keep" 2>/dev/null)" = precious
check "the operation never completed" bash -c "! grep -q 'unlinkat: ok' '$TMP/o1'"

"$URING" --cgroup "$CG" openat "$TMP/created" > "$TMP/o2" 2>&1
rc=$?
check "IORING_OP_OPENAT in the cgroup: killed (exit $rc)" test "$rc" = 137
check "the file io_uring was asked to create does not exist" test ! -e "$TMP/created"

# outside the cgroup io_uring works: the helper really does the operations
"$URING" openat "$TMP/outside" > "$TMP/o3" 2>&1
check "outside the cgroup the same helper creates the file" test -e "$TMP/outside"

# io_uring allowed in so many words: kept, but said, and refused where asked
A=$(policy allowuring <<'POL'
name allowuring
default allow
kill unlink unlinkat rmdir
allow io_uring_setup io_uring_enter io_uring_register
POL
)
expect_rc 0 "a policy allowing io_uring by name next to kill unlink still attaches" \
	"$BPFGUARD" attach --cgroup "$CGREL" --policy "$A"
check "with a warning naming the io-uring hatch" grep -q "warning: .*hatch io-uring: io_uring_setup.*allowed by name.*unlink" "$TMP/err"
expect_rc 3 "--require-deny refuses it: the io_uring path is open" \
	"$BPFGUARD" attach --cgroup "$CGREL" --policy "$A" --require-deny
check "the refusal says why" grep -q "require-deny.*io_uring" "$TMP/err"
expect_rc 3 "--strict refuses it" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$A" --strict
expect_rc 0 "policy check without --strict validates it" "$BPFGUARD" policy check "$A"
check "policy check names the hatch" grep -q "^# hatch io-uring:" "$TMP/out"

# bpfguard run: the seccomp filter carries the implied rule.  The filter
# is in force from exec on, so the helper's dynamic loader must be able to
# open its libraries: creating opens are killed, read-only ones are not.
P=$(policy killcreat <<'POL'
name killcreat
default allow
kill unlink unlinkat rmdir
kill openat if arg2 & O_CREAT == O_CREAT
kill open if arg1 & O_CREAT == O_CREAT
kill openat2 creat
POL
)
mkdir -p "$TMP/rw"
echo precious > "$TMP/rw/keep"
"$BPFGUARD" run --policy "$P" --rw "$TMP/rw" -- "$URING" unlinkat "$TMP/rw/keep" > "$TMP/o4" 2> "$TMP/e4"
rc=$?
check "run: IORING_OP_UNLINKAT killed by the policy (exit $rc, 120 = killed by the policy)" test "$rc" = 120
check "run: the file survived" test "$(cat "$TMP/rw/keep" 2>/dev/null)" = precious
"$BPFGUARD" run --policy "$P" --rw "$TMP/rw" -- "$URING" openat "$TMP/rw/new" > "$TMP/o5" 2>&1
rc=$?
check "run: IORING_OP_OPENAT killed (exit $rc)" test "$rc" = 120
check "run: nothing was created" test ! -e "$TMP/rw/new"

# errno rules: io_uring_setup gets the policy's errno, the program lives on
E=$(policy errnofs <<'POL'
name errnofs
default allow
errno(EACCES) unlink unlinkat
POL
)
"$BPFGUARD" run --policy "$E" --rw "$TMP/rw" -- "$URING" unlinkat "$TMP/rw/keep" > "$TMP/o6" 2>&1
check "run, errno rule: io_uring_setup fails with the policy's EACCES (13)" grep -q "setup: errno 13" "$TMP/o6"
check "run, errno rule: the file survived" test -f "$TMP/rw/keep"

expect_rc 125 "run --strict refuses a policy allowing io_uring next to a kill rule" \
	"$BPFGUARD" run --strict --policy "$A" --rw "$TMP/rw" -- "$URING" unlinkat "$TMP/rw/keep"
check "run --strict: the payload never ran (the file is still there)" test -f "$TMP/rw/keep"

# exports carry the implied rule
P=$TMP/killfs.policy
"$BPFGUARD" policy export --format docker "$P" > "$TMP/docker.json" 2>/dev/null
check "a Docker export of the kill policy denies io_uring_setup" python3 -c "
import json,sys
d=json.load(open('$TMP/docker.json'))
sys.exit(0 if any('io_uring_setup' in s['names'] and s['action']=='SCMP_ACT_KILL_PROCESS' for s in d['syscalls']) else 1)"
finish

#!/bin/bash
# The files bpfguard creates hold against an unprivileged local user
# (docs/threat-model.md).  Before: the state lock lived
# in world-writable /run/lock, opened with O_CREAT and no O_NOFOLLOW, and
# was waited for forever, so `nobody` could create and hold it first
# (root's status/attach/run hung) or plant a symlink there (root created a
# file of nobody's choosing).  Now: /run/bpfguard, 0700 root; locks opened
# O_NOFOLLOW; a bounded wait that fails with one line naming the holder; a
# hostile /run/bpfguard (another owner, writable by others, a symlink) is
# refused with one line.
. "$(dirname "$0")/../integration/lib.sh"

RUN_DIR=/run/bpfguard
OLD=/run/lock/bpfguard.lock
OLD_FOLLOW=/run/lock/bpfguard.events.lock
NOBODY=(setpriv --reuid nobody --regid nogroup --clear-groups)
HOLDER=
# flock runs `sleep` as its child: end both, or the sleeper keeps ctest's
# output pipe open for its full 300 s.
stop_holder() {
	[ -n "$HOLDER" ] || return 0
	pkill -P "$HOLDER" 2>/dev/null
	kill "$HOLDER" 2>/dev/null
	wait "$HOLDER" 2>/dev/null
	return 0
}
restore() {
	stop_holder
	HOLDER=
	# put /run/lock back as a pristine machine has it (bpfguards of other
	# builds recreate their files there as root), and ours as ours makes it
	rm -f "$OLD" "$OLD_FOLLOW"
	[ -L "$RUN_DIR" ] && rm -f "$RUN_DIR"
	[ -d "$RUN_DIR" ] && [ "$(stat -c %u "$RUN_DIR")" != 0 ] && rm -rf "$RUN_DIR"
	[ -d "$RUN_DIR" ] && [ "$(stat -c %a "$RUN_DIR")" != 700 ] && rm -rf "$RUN_DIR"
	return 0
}
trap 'restore; cleanup' EXIT
chmod 755 "$TMP" # nobody must reach the targets' directory to aim at them
# from scratch: the directory must be made by bpfguard as this test runs
# it (it holds only the locks of the bpfguard under test; we hold the tests' lock)
rm -rf "$RUN_DIR"

P=$(policy plain <<'POL'
name plain
default allow
log getppid
POL
)
# timed LIMIT WHAT CMD...: runs CMD with a hard limit of 60 s; passes when
# it ended (any exit code is kept in $RC) within LIMIT seconds
timed() {
	local limit=$1 what=$2 t0 t1
	shift 2
	t0=$(date +%s%N)
	timeout 60 "$@" > "$TMP/out" 2> "$TMP/err"
	RC=$?
	t1=$(date +%s%N)
	MS=$(((t1 - t0) / 1000000))
	if [ "$RC" != 124 ] && [ "$MS" -le $((limit * 1000)) ]; then ok "$what (exit $RC, ${MS} ms)"; else
		not_ok "$what: exit $RC after ${MS} ms (limit ${limit} s)"; sed 's/^/    /' "$TMP/err" | head -5; fi
}

# ------------------------------------------------------------ the old lock, held by nobody
rm -f "$OLD" "$OLD_FOLLOW"
"${NOBODY[@]}" flock "$OLD" sleep 300 >/dev/null 2>&1 &
HOLDER=$!
for _ in $(seq 50); do [ -e "$OLD" ] && break; sleep 0.1; done
check "nobody created and holds $OLD" test "$(stat -c %U "$OLD" 2>/dev/null)" = nobody
timed 15 "status does not hang on a lock nobody holds" "$BPFGUARD" status
check "... and succeeds" test "$RC" = 0
timed 20 "attach does not hang" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$P" --mode audit
check "... and succeeds" test "$RC" = 0
timed 20 "run does not hang" "$BPFGUARD" run --policy "$P" -- /bin/true
check "... and succeeds" test "$RC" = 0
timed 20 "detach does not hang" "$BPFGUARD" detach --cgroup "$CGREL"
stop_holder
HOLDER=

# ------------------------------------------------------------ symlinks planted in /run/lock
rm -f "$OLD" "$OLD_FOLLOW"
"${NOBODY[@]}" ln -s "$TMP/made-by-root-1" "$OLD"
"${NOBODY[@]}" ln -s "$TMP/made-by-root-2" "$OLD_FOLLOW"
check "nobody planted symlinks at the old lock paths" test -L "$OLD" -a -L "$OLD_FOLLOW"
timed 15 "status with planted symlinks" "$BPFGUARD" status
check "... succeeds" test "$RC" = 0
timed 20 "attach with planted symlinks" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$P" --mode audit
check "... succeeds" test "$RC" = 0
timed 15 "events --follow with planted symlinks" "$BPFGUARD" events --follow --timeout 1
"$BPFGUARD" detach --cgroup "$CGREL" > /dev/null 2>&1
check "no file was created through the symlinks" test ! -e "$TMP/made-by-root-1" -a ! -e "$TMP/made-by-root-2"
rm -f "$OLD" "$OLD_FOLLOW"

# ------------------------------------------------------------ the directory
check "$RUN_DIR is a directory, mode 700, owned by root" \
	test "$(stat -c '%F %a %U' "$RUN_DIR" 2>/dev/null)" = "directory 700 root"
check "its lock file is 600 root" test "$(stat -c '%a %U' "$RUN_DIR/bpfguard.lock" 2>/dev/null)" = "600 root"

# ------------------------------------------------------------ a lock held too long
flock "$RUN_DIR/bpfguard.lock" sleep 300 >/dev/null 2>&1 &
HOLDER=$!
sleep 0.3
BPFGUARD_LOCK_TIMEOUT=1s timed 10 "a held lock: status gives up after the timeout" "$BPFGUARD" status
check "... with a failure" test "$RC" != 0
check "... in one line naming the holder's pid" \
	sh -c "test \$(wc -l < '$TMP/err') = 1 && grep -q 'bpfguard.lock is held by pid [0-9]* (flock)' '$TMP/err'"
stop_holder
HOLDER=

# ------------------------------------------------------------ a hostile /run/bpfguard
# refused: one line, non-zero, nothing created in it, and in bounded time
refused() { # refused WHAT: status refuses the directory
	timed 15 "$1: status refuses" "$BPFGUARD" status
	check "... with a failure" test "$RC" != 0
	check "... in one line naming $RUN_DIR" \
		sh -c "test \$(wc -l < '$TMP/err') = 1 && grep -q '$RUN_DIR' '$TMP/err'"
	timed 20 "$1: attach refuses" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$P" --mode audit
	check "... with a failure" test "$RC" != 0
}
rm -rf "$RUN_DIR"
mkdir -m 755 "$RUN_DIR" && chown nobody:nogroup "$RUN_DIR"
refused "$RUN_DIR owned by nobody"
check "... nothing created in it" test -z "$(ls -A "$RUN_DIR")"
rm -rf "$RUN_DIR"
mkdir -m 777 "$RUN_DIR"
refused "$RUN_DIR writable by all"
rm -rf "$RUN_DIR"
mkdir -m 755 "$TMP/elsewhere" && chown nobody:nogroup "$TMP/elsewhere"
ln -s "$TMP/elsewhere" "$RUN_DIR"
refused "$RUN_DIR a symlink"
check "... nothing created where it points" test -z "$(ls -A "$TMP/elsewhere")"
rm -f "$RUN_DIR"

# root's own, merely readable by others (a kubelet hostPath): tightened, used
mkdir -m 755 "$RUN_DIR"
timed 15 "$RUN_DIR root's, mode 755: status works" "$BPFGUARD" status
check "... succeeds" test "$RC" = 0
check "... and the directory is now 700" test "$(stat -c %a "$RUN_DIR")" = 700
finish

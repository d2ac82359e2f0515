#!/bin/bash
# Attacker (a): root inside a guarded cgroup tries to run a call its policy
# kills after leaving the cgroup: its pid into another cgroup's
# cgroup.procs (or the root's), one thread via cgroup.threads, a child
# moved by its parent, clone3(CLONE_INTO_CGROUP).  The guarantee
# (docs/threat-model.md): no syscall of a task that was guarded runs
# unjudged afterwards; the task is killed and an escape event says so.
# Before the escape guard each of these created its directory.
. "$(dirname "$0")/../integration/lib.sh"
ESC=$BG_HELPERS/escaper
OUT=$CG2/bpfguard-test-out-$$
mkdir -p "$OUT" "$CG/inner"
trap 'cleanup; rmdir "$OUT" 2>/dev/null' EXIT

P=$(policy kill <<'POL'
name kill-mkdir
default allow
kill mkdir
POL
)
expect_rc 0 "attach (kill mkdir)" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$P"

# 1. moving itself out, to a sibling and to the root cgroup
for dst in "$OUT" "$CG2"; do
	"$ESC" --cgroup "$CG" move-self "$dst" "$TMP/self-$$" > "$TMP/o" 2>&1
	rc=$?
	check "move-self to ${dst#"$CG2"}/: killed (exit $rc)" test "$rc" = 137
	check "move-self to ${dst#"$CG2"}/: the killed call never ran" test ! -e "$TMP/self-$$"
	check "move-self to ${dst#"$CG2"}/: it got no further than the move" bash -c "! grep -q mkdir '$TMP/o'"
done

# 2. inside its own subtree it may move freely (still judged there)
"$ESC" --cgroup "$CG" move-self "$CG/inner" "$TMP/inner" > "$TMP/o" 2>&1
rc=$?
check "a move within the guarded subtree is allowed, and still judged (killed at mkdir, exit $rc)" \
	test "$rc" = 137 -a "$(grep -c '^move: ok' "$TMP/o")" = 1

# 3. a thread that is not the leader moves the whole process.  (Single
# threads cannot leave: cgroup.threads moves stay inside one threaded
# domain, which the kernel enforces.)
"$ESC" --cgroup "$CG" move-thread "$OUT" "$TMP/thread" > "$TMP/o" 2>&1
rc=$?
check "move-thread: killed (exit $rc)" test "$rc" = 137
check "move-thread: the thread's mkdir never ran" test ! -e "$TMP/thread"

# 4. a parent moves its child out, then lets it run
"$ESC" --cgroup "$CG" move-child "$OUT" "$TMP/child" > "$TMP/o" 2>&1
check "move-child: the moved child was killed" grep -q "child: killed by signal 9" "$TMP/o"
check "move-child: its mkdir never ran" test ! -e "$TMP/child"

# 5. a child born outside with clone3(CLONE_INTO_CGROUP)
"$ESC" --cgroup "$CG" clone-into "$OUT" "$TMP/clone" > "$TMP/o" 2>&1
check "clone-into: the clone itself succeeded (the kernel allows it)" grep -q "clone: ok" "$TMP/o"
check "clone-into: the child was killed before running" grep -q "child: killed by signal 9" "$TMP/o"
check "clone-into: its mkdir never ran" test ! -e "$TMP/clone"

# 6. events say what happened, and status counts it
drain_events
check "escape events recorded (moved out, killed)" json_any "$TMP/events" \
	"e['type']=='escape' and e['why']=='left-subtree' and e['effect']=='killed'"
check "the clone3 escape is reported as such" json_any "$TMP/events" \
	"e['type']=='escape' and e['how']=='clone-into-cgroup'"
check "escape events valid under the v1 schema (docs/event.schema.json)" events_valid "$TMP/events" --types escape
"$BPFGUARD" status --json > "$TMP/status"
check "status counts the escapes" python3 -c "
import json,sys; j=json.load(open('$TMP/status')); sys.exit(0 if j['escapes_killed'] >= 5 else 1)"

# 7. after detach the task is free to go: the tag is no longer valid
"$BPFGUARD" detach --cgroup "$CGREL" > /dev/null
"$ESC" --cgroup "$CG" move-self "$OUT" "$TMP/free" > "$TMP/o" 2>&1
rc=$?
check "after detach a move out is allowed (exit $rc)" test "$rc" = 0 -a -d "$TMP/free"

# 8. the operator may still move tasks into a guarded cgroup: they are
# guarded from then on (tagged on the move)
expect_rc 0 "re-attach" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$P"
sleep 30 >/dev/null 2>&1 & sl=$!
echo "$sl" > "$CG/cgroup.procs"
echo "$sl" > "$OUT/cgroup.procs" 2>/dev/null
sleep 0.2
check "a task the operator moved in and then out again is killed (guard holds until detach)" \
	bash -c "! kill -0 $sl 2>/dev/null"
wait "$sl" 2>/dev/null
finish

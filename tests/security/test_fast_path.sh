#!/bin/bash
# The guarded fast path (bg_cgfilter's tag + allow bitmap, struct
# bg_filter_ent): the slot of an attached cgroup carries its tag and the
# policy's allowed x86_64 calls; a cgroup made after attach gets its own
# from cgroup_mkdir; a collision makes the slot shared (EXACT) and both
# cgroups are still judged exactly; a replaced policy changes the bitmap
# at once; detach frees the slot; an unguarded cgroup hashing to a
# guarded slot is not judged.  Behaviour is checked with real calls, the
# slot contents with bpftool.
. "$(dirname "$0")/../integration/lib.sh"

MAP=/sys/fs/bpf/bpfguard/maps/bg_cgfilter
cgid() { stat -c %i "$1"; }
SLOTS=
# slot DIR -> "TAG BIT(getpid=39) BIT(mkdir=83) BIT(rmdir=84)" of DIR's slot; tag
# printed as fast:<id>, exact, busy or 0
slot() {
	local id h
	id=$(cgid "$1")
	h=$((id % SLOTS))
	bpftool -j map lookup pinned "$MAP" key $((h & 255)) $((h >> 8)) 0 0 | python3 -c '
import json, sys
v = json.load(sys.stdin)["formatted"]["value"]
t, a = int(v["tag"]), [int(x) for x in v["allow"]]
tag = "fast:%d" % (t >> 1) if t & 1 else {0: "0", 2: "exact", 4: "busy"}.get(t, "?%d" % t)
bit = lambda n: (a[n // 64] >> (n % 64)) & 1
print(tag, bit(39), bit(83), bit(84))'
}

P=$(policy fp <<'POL'
name fast-path
default allow
kill mkdir
POL
)
expect_rc 0 "attach" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$P"
SLOTS=$(bpftool -j map show pinned "$MAP" | python3 -c 'import json,sys; print(json.load(sys.stdin)["max_entries"])')
check "the attached cgroup's slot: its own tag, getpid allowed, mkdir not (kill)" \
	test "$(slot "$CG")" = "fast:$(cgid "$CG") 1 0 1"
"$SYSPROBE" --cgroup "$CG" getpid getpid > /dev/null 2>&1
check "an allowed call in the guarded cgroup works" test $? = 0
"$SYSPROBE" --cgroup "$CG" mkdir "$TMP/k1" getpid > /dev/null 2>&1
check "mkdir (not in the bitmap) takes the exact path and is killed" test $? = 137

# a cgroup made after attach: cgroup_mkdir fills its slot
mkdir "$CG/kid"
check "a child made after attach has its own tag and the same bitmap" \
	test "$(slot "$CG/kid")" = "fast:$(cgid "$CG/kid") 1 0 1"
"$SYSPROBE" --cgroup "$CG/kid" getpid > /dev/null 2>&1
r1=$?
"$SYSPROBE" --cgroup "$CG/kid" mkdir "$TMP/k2" > /dev/null 2>&1
r2=$?
check "the child: getpid works ($r1), mkdir is killed ($r2)" test "$r1 $r2" = "0 137"

# collisions, forced: cgroup ids come from one counter per hierarchy that
# every kernfs node (each cgroup's files too) advances by the same stride
# per cgroup; scratch cgroups (made and removed at once, unguarded)
# advance it until the next id hashes to the slot we want
SCRATCH=$CG2/$CGREL-scratch
mkdir "$SCRATCH"
trap 'find "$SCRATCH" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null; rmdir "$SCRATCH" 2>/dev/null; cleanup' EXIT
collide() { # collide NEWDIR SLOT: mkdir NEWDIR with an id that hashes to SLOT
	python3 - "$SCRATCH" "$1" "$2" "$SLOTS" <<'PY2'
import os, sys
scratch, target, want, slots = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
tmp = os.path.join(scratch, "step")
def step():
    os.mkdir(tmp); i = os.stat(tmp).st_ino; os.rmdir(tmp); return i
for attempt in range(5):
    a = step(); b = step(); s = b - a
    if s <= 0 or s % 2 == 0:
        continue
    k = ((want - b - s) * pow(s, -1, slots)) % slots  # steps before the target
    for _ in range(k):
        step()
    os.mkdir(target)
    if os.stat(target).st_ino % slots == want:
        sys.exit(0)
    os.rmdir(target)
sys.exit(1)
PY2
}
A=$CG/kid/a B=$CG/kid/b
mkdir "$A"
collide "$B" $(($(cgid "$A") % SLOTS)) || B=-
[ "$B" = - ] && A=-
G=$A U=$SCRATCH/u
[ "$A" != - ] && { collide "$U" $(($(cgid "$A") % SLOTS)) || U=-; }
check "found two guarded cgroups sharing a slot ($A, $B)" test "$A" != -
if [ "$A" != - ]; then
	check "the shared slot is exact" test "$(slot "$A" | cut -d' ' -f1)" = exact
	"$SYSPROBE" --cgroup "$A" getpid > /dev/null 2>&1; r1=$?
	"$SYSPROBE" --cgroup "$A" mkdir "$TMP/k3" > /dev/null 2>&1; r2=$?
	"$SYSPROBE" --cgroup "$B" getpid > /dev/null 2>&1; r3=$?
	"$SYSPROBE" --cgroup "$B" mkdir "$TMP/k4" > /dev/null 2>&1; r4=$?
	check "both judged exactly: getpid $r1/$r3, mkdir killed $r2/$r4" test "$r1 $r2 $r3 $r4" = "0 137 0 137"
	# one of them gone, a re-attach rebuilds the filter: the slot is the other's own again
	rmdir "$B"
	expect_rc 0 "re-attach (same policy)" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$P"
	check "after one of the pair is gone, the slot serves the other on the fast path" \
		test "$(slot "$A")" = "fast:$(cgid "$A") 1 0 1"
fi
check "found an unguarded cgroup sharing a guarded one's slot ($U with $G)" test "$U" != -
if [ "$U" != - ]; then
	"$SYSPROBE" --cgroup "$U" mkdir "$TMP/u1" getpid > /dev/null 2>&1
	check "the unguarded cgroup's mkdir is not judged (exit $?)" test -d "$TMP/u1"
	"$SYSPROBE" --cgroup "$G" mkdir "$TMP/u2" > /dev/null 2>&1
	rc=$?
	check "the guarded one sharing the slot still is: mkdir killed (exit $rc)" test "$rc" = 137
fi
rmdir "$A" "$U" 2>/dev/null
check "the attached cgroup's own slot is still its own" test "$(slot "$CG")" = "fast:$(cgid "$CG") 1 0 1"

# a replaced policy changes the bitmap at once
P2=$(policy fp2 <<'POL'
name fast-path-2
default allow
kill rmdir
POL
)
expect_rc 0 "replace the policy" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$P2"
check "the slot now says mkdir allowed, rmdir not" test "$(slot "$CG")" = "fast:$(cgid "$CG") 1 1 0"
"$SYSPROBE" --cgroup "$CG" mkdir "$TMP/k5" > /dev/null 2>&1
check "mkdir works under the new policy" test $? = 0
"$SYSPROBE" --cgroup "$CG" rmdir "$TMP/k5" > /dev/null 2>&1
check "rmdir is killed under the new policy" test $? = 137

# audit mode records every denial: nothing it would refuse is fast
expect_rc 0 "audit mode" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$P2" --mode audit
check "audit: rmdir (would be refused) not in the bitmap, getpid is" test "$(slot "$CG" | cut -d' ' -f2,4)" = "1 0"

# detach frees the slot
expect_rc 0 "detach" "$BPFGUARD" detach --cgroup "$CGREL"
check "after detach the slot is free" test "$(slot "$CG" | cut -d' ' -f1)" = 0
finish

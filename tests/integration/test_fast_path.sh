#!/bin/bash
# The guarded fast path (bg_cgfilter's tag + allow bitmap, struct
# bg_filter_ent): the slot of an attached cgroup carries its tag and the
# policy's allowed x86_64 calls; a cgroup made after attach gets its own
# from cgroup_mkdir; a collision makes the slot shared (EXACT) and both
# cgroups are still judged exactly; a replaced policy changes the bitmap
# at once; detach frees the slot; an unguarded cgroup hashing to a
# guarded slot is not judged.  Behaviour is checked with real calls, the
# slot contents with bpftool.
. "$(dirname "$0")/lib.sh"

MAP=/sys/fs/bpf/bpfguard/maps/bg_cgfilter
cgid() { stat -c %i "$1"; }
# slot DIR -> "TAG BIT(getpid=39) BIT(mkdir=83) BIT(rmdir=84)" of DIR's slot; tag
# printed as fast:<id>, exact, busy or 0
slot() {
	local id h
	id=$(cgid "$1")
	h=$((id & 4095))
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

# collisions: a guarded cgroup whose id hashes to the attached cgroup's
# slot.  Cgroup ids come from one counter that every kernfs node (each
# cgroup's files too) advances, by the same stride per cgroup: scratch
# cgroups (made and removed, unguarded) advance it to the id we want.
SCRATCH=$CG2/$CGREL-scratch
mkdir "$SCRATCH"
trap 'rmdir "$SCRATCH"/* "$SCRATCH" 2>/dev/null; cleanup' EXIT
collide() { # collide DIR WANT: mkdir DIR with an id that hashes to WANT
	local a b k try
	for try in 1 2 3 4 5; do
		mkdir "$SCRATCH/a"; a=$(cgid "$SCRATCH/a"); rmdir "$SCRATCH/a"
		mkdir "$SCRATCH/a"; b=$(cgid "$SCRATCH/a"); rmdir "$SCRATCH/a"
		# steps k with b + k*(b-a) == WANT (mod 4096), the stride odd
		k=$(python3 -c "s=$b-$a; print(((($2)-$b-s) * pow(s, -1, 4096)) % 4096 if s % 2 else -1)")
		[ "$k" -ge 0 ] || continue
		for _ in $(seq "$k"); do mkdir "$SCRATCH/a"; rmdir "$SCRATCH/a"; done
		mkdir "$1"
		[ $(($(cgid "$1") & 4095)) = "$2" ] && return 0
		rmdir "$1"
	done
	return 1
}
want=$(($(cgid "$CG") & 4095))
col=$CG/kid/col
collide "$col" "$want" || col=
check "made a guarded cgroup hashing to the attached one's slot (${col:-none})" test -n "$col"
if [ -n "$col" ]; then
	check "the shared slot is exact" test "$(slot "$CG" | cut -d' ' -f1)" = exact
	"$SYSPROBE" --cgroup "$CG" getpid > /dev/null 2>&1; r1=$?
	"$SYSPROBE" --cgroup "$CG" mkdir "$TMP/k3" > /dev/null 2>&1; r2=$?
	"$SYSPROBE" --cgroup "$col" getpid > /dev/null 2>&1; r3=$?
	"$SYSPROBE" --cgroup "$col" mkdir "$TMP/k4" > /dev/null 2>&1; r4=$?
	check "both colliding cgroups judged exactly: getpid $r1/$r3, mkdir killed $r2/$r4" test "$r1 $r2 $r3 $r4" = "0 137 0 137"
fi
# the cgroups we made are removed; a re-attach rebuilds the filter: the slot is the attached one's again
rmdir "$CG/kid/col" 2>/dev/null
expect_rc 0 "re-attach (same policy)" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$P"
check "after the colliding cgroup is gone, the slot is the attached cgroup's own again" \
	test "$(slot "$CG")" = "fast:$(cgid "$CG") 1 0 1"

# an unguarded cgroup hashing to a guarded slot: the tag is not its own
out=$SCRATCH/out
collide "$out" "$want" || out=
check "made an unguarded cgroup hashing to the guarded slot (${out:-none})" test -n "$out"
if [ -n "$out" ]; then
	"$SYSPROBE" --cgroup "$out" mkdir "$TMP/u1" getpid > /dev/null 2>&1
	check "the unguarded cgroup's mkdir is not judged (exit $?)" test -d "$TMP/u1"
fi

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

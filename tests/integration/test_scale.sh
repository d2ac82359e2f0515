#!/bin/bash
# 10,000 guarded cgroups under one attached parent (issue 13's scale
# goal): made after attach, every one inherits the policy and gets its own
# filter slot from cgroup_mkdir (the fast path); a process in the first,
# a middle and the last is judged; an unguarded sibling is not; removing
# them all frees their slots and their bg_cgroups entries.  The figures
# (per-syscall time against 1 cgroup, memory, separate attachments) are
# scripts/bench-scale's; the daemon's 10,000 separate attachments are
# security.test_attachd_scale.
. "$(dirname "$0")/lib.sh"
N=${BG_SCALE_N:-10000}
MAP=/sys/fs/bpf/bpfguard/maps/bg_cgfilter
P=$(policy sc <<'POL'
name scale
default allow
kill mkdir
POL
)
expect_rc 0 "attach the parent" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$P"
t0=$(date +%s%N)
(cd "$CG" && seq -f 'c%g' "$N" | xargs mkdir)
echo "# made $N cgroups under the attached parent in $((($(date +%s%N) - t0) / 1000000)) ms"
"$BPFGUARD" status --json > "$TMP/st"
check "status: $N + 1 cgroups guarded" \
	test "$(json_eval "$TMP/st" "sum(a['guarded_cgroups'] for a in j['attachments'])")" = $((N + 1))
"$BPFGUARD" status --json > /dev/null
# every child's slot is its own: dump the filter once
fast() { bpftool -j map dump pinned "$MAP" | python3 -c '
import json, os, sys
cg, n = sys.argv[1], int(sys.argv[2])
tags = {int(e["formatted"]["key"]): int(e["formatted"]["value"]["tag"]) for e in json.load(sys.stdin)}
size = len(tags)
own = sum(1 for i in range(1, n + 1) for ino in [os.stat(f"{cg}/c{i}").st_ino] if tags[ino % size] == (ino << 1 | 1))
busy = sum(1 for t in tags.values() if t == 4)
print(own, busy)' "$CG" "$N"; }
read -r own busy <<< "$(fast)"
check "every child is on the fast path: its slot holds its own tag ($own of $N), none left BUSY ($busy)" \
	test "$own $busy" = "$N 0"
for c in c1 c$((N / 2)) c$N; do
	"$SYSPROBE" --cgroup "$CG/$c" getpid mkdir "$TMP/k-$c" getpid > "$TMP/probe" 2>&1
	rc=$?
	check "$c: getpid allowed, mkdir killed (exit $rc)" sh -c "test $rc = 137 && grep -q getpid '$TMP/probe'"
done
mkdir "$CG2/$CGREL-sib"
"$SYSPROBE" --cgroup "$CG2/$CGREL-sib" mkdir "$TMP/sib" > /dev/null 2>&1
rc=$?
rmdir "$CG2/$CGREL-sib"
check "an unguarded sibling is not judged (exit $rc)" test "$rc" = 0
(cd "$CG" && seq -f 'c%g' "$N" | xargs rmdir)
"$BPFGUARD" status --json > "$TMP/st"
check "removed: 1 cgroup guarded again" \
	test "$(json_eval "$TMP/st" "sum(a['guarded_cgroups'] for a in j['attachments'])")" = 1
tags=$(bpftool -j map dump pinned "$MAP" | python3 -c 'import json,sys; print(sum(1 for e in json.load(sys.stdin) if int(e["formatted"]["value"]["tag"]) != 0))')
check "removed: their slots are free again (slots in use: $tags, the parent's)" test "$tags" = 1
finish

#!/bin/bash
# A subtree deeper than bpfguard's cgroup walk goes (BG_CGROUP_MAX_DEPTH,
# 64 levels below the attached cgroup) under a cgroup being attached: the
# walk that writes the policy into every existing descendant used to stop
# at the limit silently, leaving the deeper cgroups with no policy while
# attach reported success.  Now attach refuses with one line naming the
# limit and leaves nothing attached; a tree at the limit still attaches
# and its deepest cgroup is judged.
. "$(dirname "$0")/../integration/lib.sh"

KILLMK=$(policy killmk <<'POL'
name killmk
default allow
kill mkdir
POL
)
# deep/l1/l2/.../l65: 65 levels below deep
p=$CG/deep
for i in $(seq 1 65); do p=$p/l$i; done
mkdir -p "$p"
expect_rc 1 "attach over a subtree 65 levels deep is refused" \
	"$BPFGUARD" attach --cgroup "$CGREL/deep" --policy "$KILLMK"
check "... with one line naming the limit" grep -q "more than 64 levels below it (BG_CGROUP_MAX_DEPTH)" "$TMP/err"
check "... exactly one line" test "$(wc -l < "$TMP/err")" = 1
"$BPFGUARD" status --json > "$TMP/st"
check "... and nothing attached" test "$(json_eval "$TMP/st" "len(j.get('attachments', []))")" = 0
"$SYSPROBE" --cgroup "$CG/deep" mkdir "$TMP/k0" > /dev/null 2>&1
rc=$?
check "... not even half: mkdir at the top is not judged (exit $rc)" test "$rc" = 0

# the same tree cut to exactly 64 levels: attached, deepest cgroup judged
rmdir "$p"
expect_rc 0 "a subtree exactly 64 levels deep attaches" \
	"$BPFGUARD" attach --cgroup "$CGREL/deep" --policy "$KILLMK"
"$SYSPROBE" --cgroup "${p%/l65}" mkdir "$TMP/k1" > /dev/null 2>&1
rc=$?
check "the cgroup 64 levels down is judged: mkdir killed it (exit $rc)" test "$rc" = 137
finish

#!/bin/bash
# bg_slotrefs (bpf/bpfguard.h): the attachment records counted per policy
# slot, so attach and detach read 66 numbers instead of every record.
# The counts follow attach, replace and detach exactly; after a crash they
# can only be high, and a count that high never refuses an attach (the
# records are counted again first).
. "$(dirname "$0")/lib.sh"
REFS=/sys/fs/bpf/bpfguard/maps/bg_slotrefs
# refs: "TOTAL JUDGED s:n ..." for the slots in use
refs() {
	bpftool -j map dump pinned "$REFS" | python3 -c '
import json, sys
v = {int(e["formatted"]["key"]): int(e["formatted"]["value"]["refs"]) for e in json.load(sys.stdin)}
n = len(v) - 2
print(("%d %d " % (v[n], v[n + 1]) + " ".join("%d:%d" % (s, v[s]) for s in range(n) if v[s])).rstrip())'
}
# the records themselves, counted the same way
records() {
	bpftool -j map dump pinned /sys/fs/bpf/bpfguard/maps/bg_attachments | python3 -c '
import json, sys
recs = [e["formatted"]["value"] for e in json.load(sys.stdin)]
slots = {}
for r in recs:
    slots[int(r["slot"])] = slots.get(int(r["slot"]), 0) + 1
judged = sum(1 for r in recs if not int(r["flags"]) & 1)
print(("%d %d " % (len(recs), judged) + " ".join("%d:%d" % (s, slots[s]) for s in sorted(slots))).rstrip())'
}
P1=$(policy one <<'POL'
name one
default allow
kill mkdir
POL
)
P2=$(policy two <<'POL'
name two
default allow
kill rmdir
POL
)
mkdir -p "$CG/a" "$CG/b" "$CG/c" "$CG/d"
"$BPFGUARD" attach --cgroup "$CGREL/a" --policy "$P1" > /dev/null || not_ok "attach a"
"$BPFGUARD" attach --cgroup "$CGREL/b" --policy "$P1" > /dev/null || not_ok "attach b"
"$BPFGUARD" attach --cgroup "$CGREL/c" --policy "$P2" > /dev/null || not_ok "attach c"
export -f refs records; export REFS
check "three attachments, two slots: the counts are the records' ($(refs))" \
	bash -c "[ \"\$(refs)\" = \"\$(records)\" ] && refs | grep -q '^3 3 '"
check "... one slot holds 2, the other 1" bash -c "refs | grep -Eq ' [0-9]+:2' && refs | grep -Eq ' [0-9]+:1'"
"$BPFGUARD" attach --cgroup "$CGREL/b" --policy "$P2" > /dev/null || not_ok "replace b"
check "a replace moves b's count to the other slot ($(refs))" bash -c "[ \"\$(refs)\" = \"\$(records)\" ]"
"$BPFGUARD" detach --cgroup "$CGREL/a" > /dev/null || not_ok "detach a"
check "a detach lowers them ($(refs))" bash -c "[ \"\$(refs)\" = \"\$(records)\" ] && refs | grep -q '^2 2 '"
# a crash between a count and its record leaves counts high: every slot
# counted as used must not refuse a new policy
for s in $(seq 0 63); do
	bpftool map update pinned "$REFS" key $s 0 0 0 value 1 0 0 0
done
check "counts set high by hand: every slot looks used" bash -c "refs | awk '{ exit !(NF == 66) }'"
P3=$(policy three <<'POL'
name three
default allow
kill rmdir mkdir
POL
)
expect_rc 0 "an attach of a third policy still succeeds (the records are counted again)" \
	"$BPFGUARD" attach --cgroup "$CGREL/d" --policy "$P3"
check "... and the counts are the records' again ($(refs))" bash -c "[ \"\$(refs)\" = \"\$(records)\" ]"
"$SYSPROBE" --cgroup "$CG/d" mkdir "$TMP/x" > "$TMP/probe" 2>&1
check "... and d's policy is in force (mkdir killed, exit $?)" test $? = 137
for c in b c d; do "$BPFGUARD" detach --cgroup "$CGREL/$c" > /dev/null || not_ok "detach $c"; done
check "all detached: every count 0 ($(refs))" bash -c "[ \"\$(refs)\" = '0 0' ]"
finish

#!/bin/bash
# Attacker (a): root inside a guarded cgroup fills bg_cgroups (capacity
# BG_MAX_CGROUPS = 16384) by creating cgroups below its own, then runs in
# one that got no entry.  Before the fix such a cgroup ran unguarded and
# nothing said so.  Now: the overflow is counted and shown by status, and
# any task that enters an unmapped cgroup under a guard is killed (fails
# closed), guarded or not; the event says why.
. "$(dirname "$0")/../integration/lib.sh"
ESC=$BG_HELPERS/escaper
CAP=16384

P=$(policy kill <<'POL'
name kill-mkdir
default allow
kill mkdir
POL
)
expect_rc 0 "attach (kill mkdir)" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$P"

# Fill the map from inside: the attached cgroup has one entry, each child
# inherits one in cgroup_mkdir.  Two levels keep directories small.
python3 - "$CG" "$CAP" <<'PY'
import os, sys
base, cap = sys.argv[1], int(sys.argv[2])
n = 0
for i in range(cap // 1000 + 2):
    d = os.path.join(base, "f%d" % i)
    os.mkdir(d)
    n += 1
    for j in range(1000):
        os.mkdir(os.path.join(d, "c%d" % j))
        n += 1
print("created", n)
PY
"$BPFGUARD" status --json > "$TMP/status"
check "status shows the map full and counts cgroups created while full" python3 -c "
import json,sys; j=json.load(open('$TMP/status'))
print(j['cgroups_guarded'], j['cgroups_capacity'], j['cgroups_created_while_full'])
sys.exit(0 if j['cgroups_guarded'] == j['cgroups_capacity'] == $CAP and j['cgroups_created_while_full'] > 0 else 1)"
"$BPFGUARD" status > "$TMP/status.txt"
check "status text warns about it" grep -q "created under guarded ones while bg_cgroups was full" "$TMP/status.txt"

# Which cgroups got no entry: the kernel's element count for a
# no-prealloc hash is per-CPU and approximate near the limit, so ask the
# map rather than assume the last ones created.
bpftool -j map dump pinned /sys/fs/bpf/bpfguard/maps/bg_cgroups > "$TMP/dump"
last=$(python3 - "$CG" "$TMP/dump" <<'PY'
import json, os, sys
keys = set()
for e in json.load(open(sys.argv[2])):
    k = e.get("key")
    if isinstance(k, list):
        keys.add(int.from_bytes(bytes(int(b, 16) for b in k), "little"))
    else:
        keys.add(int(k))
for root, dirs, _ in os.walk(sys.argv[1]):
    for d in dirs:
        p = os.path.join(root, d)
        if os.stat(p).st_ino not in keys:
            print(p)
            sys.exit(0)
PY
)
check "some cgroup under the guard has no entry (the map is full)" test -n "$last"
# An outsider's task moved into an unmapped cgroup of the guarded subtree
"$SYSPROBE" --cgroup "$last" getpid mkdir "$TMP/unmapped" > "$TMP/o" 2>&1
rc=$?
check "a task entering an unmapped cgroup under the guard is killed (exit $rc)" test "$rc" = 137 || cat "$TMP/o"
check "its mkdir never ran" test ! -e "$TMP/unmapped"

# A guarded task moving there from inside
"$ESC" --cgroup "$CG" move-self "$last" "$TMP/unmapped2" > "$TMP/o" 2>&1
rc=$?
check "a guarded task moving into an unmapped cgroup is killed (exit $rc)" test "$rc" = 137
check "its mkdir never ran" test ! -e "$TMP/unmapped2"
drain_events
check "the event says why: unmapped cgroup" json_any "$TMP/events" \
	"e['type']=='escape' and e['why']=='unmapped-cgroup'"

# A mapped cgroup still works normally
first=$(ls -d "$CG"/f0/c0)
"$SYSPROBE" --cgroup "$first" getpid > /dev/null 2>&1
check "a task in a mapped descendant runs (exit $?)" test $? = 0
"$SYSPROBE" --cgroup "$first" mkdir "$TMP/mapped" > /dev/null 2>&1
check "and is judged there (killed at mkdir, exit $?)" test $? = 137

# Remove the tree quickly (lib.sh's cleanup walks with find, fine too)
"$BPFGUARD" reset > /dev/null 2>&1
find "$CG" -mindepth 1 -depth -type d -delete 2>/dev/null
finish

#!/bin/sh
# The cgroup escape guard where BPF LSM denies (Debian 6.1 and 6.12 in the
# VM; neither has bpf_send_signal_task, which came in 6.13).  A guarded
# root task leaves its cgroup itself (killed at once), moves its child out
# or clones one into another cgroup (the child is a fugitive: its first
# syscall is refused by the LSM mark and it is killed).  In every case the
# errno-denied call never takes effect.  Host half:
# tests/security/test_cgroup_escape.sh.
cd "$(dirname "$0")/../../.." || exit 1
. tests/vm/lib.sh
BG=${BPFGUARD:-$PWD/build-static/bpfguard}
ESC=${BG_HELPERS:-$PWD/build-static/tests/helpers}/escaper
CG2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
CG=$CG2/bpfguard-esc
OUT=$CG2/bpfguard-esc-out
T=/tmp/bpfguard-esc
rm -rf "$T"; mkdir -p "$T" "$CG" "$OUT"
"$BG" reset > /dev/null 2>&1

cat > "$T/p.policy" <<'POL'
name escape-lsm
default allow
errno(EACCES) mkdir mkdirat
POL
check "attach errno(EACCES) mkdir with --require-deny (LSM)" \
	"$BG" attach --cgroup bpfguard-esc --policy "$T/p.policy" --require-deny

"$ESC" --cgroup "$CG" move-self "$CG" "$T/inside" > "$T/o" 2>&1
check "inside the cgroup mkdir is denied with EACCES (13)" grep -q "mkdir: errno 13" "$T/o"
check "and had no effect" test ! -e "$T/inside"

"$ESC" --cgroup "$CG" move-self "$OUT" "$T/self" > "$T/o" 2>&1
rc=$?
check "move-self out: killed at once (exit $rc)" test "$rc" = 137
check "move-self out: its mkdir never ran" test ! -e "$T/self"

# The kernel may refuse a migration for reasons of its own (the attack
# did not happen then): try until the move itself went through.
for _ in 1 2 3; do
	"$ESC" --cgroup "$CG" move-child "$OUT" "$T/child" > "$T/o" 2>&1
	grep -q "^move: ok" "$T/o" && break
done
check "move-child: the parent moved it out" grep -q "^move: ok" "$T/o"
check "move-child: the child is killed" grep -q "child: killed by signal 9" "$T/o"
grep -q "child: killed by signal 9" "$T/o" || sed 's/^/    /' "$T/o"
check "move-child: its mkdir had no effect" test ! -e "$T/child"

"$ESC" --cgroup "$CG" clone-into "$OUT" "$T/clone" > "$T/o" 2>&1
check "clone-into: the child is killed" grep -q "child: killed by signal 9" "$T/o"
grep -q "child: killed by signal 9" "$T/o" || sed 's/^/    /' "$T/o"
check "clone-into: its mkdir had no effect" test ! -e "$T/clone"

"$BG" events --json > "$T/ev"
check "escape events: killed at once" grep -q '"killed":"at-once"' "$T/ev"
check "escape events: fugitive killed at its next syscall" grep -q '"killed":"next-syscall"' "$T/ev"
check "escape events: the late kill itself is reported" grep -q '"how":"moved-by-another"' "$T/ev"

"$BG" reset > /dev/null 2>&1
for d in "$OUT" "$CG"; do
	while read -r p; do echo "$p" > "$CG2/cgroup.procs"; done < "$d/cgroup.procs" 2>/dev/null
	rmdir "$d" 2>/dev/null
done
vm_done

#!/bin/bash
# Capacity of attachments (issues 10 and 13): a daemon attach.d glob
# matching 10,000 cgroups guards all 10,000 (identical policies share one policy
# slot; before, each took one of 64 slots and the rest failed one by one),
# a process in the last of them is judged, and the limits that remain are
# errors that name themselves with nothing half-attached: the 65th
# distinct policy through `bpfguard attach` and through attach.d.
. "$(dirname "$0")/../integration/lib.sh"

N=${BG_SCALE_N:-10000}
DPID=
stop_daemon() { [ -n "$DPID" ] && { kill -TERM "$DPID" 2>/dev/null; wait "$DPID"; DPID=; }; return 0; }
trap 'stop_daemon; cleanup' EXIT
wait_for() { local n=$(($1 * 10)); shift; while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done; return 1; }
ready_in() { grep -q "ready:" "$1"; }
start_daemon() { # start_daemon LOG
	"$BPFGUARD" daemon --config "$TMP/daemon.conf" --foreground >> "$TMP/stdout" 2> "$1" &
	DPID=$!
	wait_for 600 ready_in "$1"
}
status_count() { # status_count PYEXPR-over-attachments-a -> number of attachments matching
	"$BPFGUARD" status --json > "$TMP/st" && json_eval "$TMP/st" "sum(1 for a in j['attachments'] if $1)"
}
write_config() { # write_config DIR
	cat > "$TMP/daemon.conf" <<EOF
[attach]
dir = $1
state = $TMP/owned.json
rescan = 0
EOF
}

KILLMK=$(policy killmk <<'POL'
name killmk
default allow
kill mkdir
POL
)
for i in $(seq -w 1 "$N"); do echo "$CG/c$i"; done | xargs mkdir -p
LAST=c$(seq -w 1 "$N" | tail -1)

# ------------------------------------------------- N cgroups, one line
mkdir -p "$TMP/attach.d"
printf '%s/c* %s\n' "$CGREL" "$KILLMK" > "$TMP/attach.d/10-all.conf"
write_config "$TMP/attach.d"
t0=$(date +%s.%N)
check "daemon ready after attaching the glob's matches" start_daemon "$TMP/daemon.log"
t1=$(date +%s.%N)
echo "# attach.d: $N cgroups attached in $(echo "$t1 - $t0" | bc) s"
check "all $N matched cgroups are attached (status)" \
	test "$(status_count "a['cgroup'].startswith('/$CGREL/c')")" = "$N"
check "no attach failed in the daemon's log" bash -c "! grep -q 'not attached\|failed' '$TMP/daemon.log'"
"$SYSPROBE" --cgroup "$CG/$LAST" mkdir "$TMP/k1" getpid > "$TMP/probe" 2>&1
rc=$?
check "a process in the last cgroup ($LAST) is judged: mkdir killed it (exit $rc)" test "$rc" = 137
"$SYSPROBE" --cgroup "$CG/c$(seq -w 1 "$N" | head -1)" mkdir "$TMP/k0" > /dev/null 2>&1
rc=$?
check "... and one in the first cgroup too (exit $rc)" test "$rc" = 137
stop_daemon

# --------------------------------- the 65th distinct policy: the CLI
"$BPFGUARD" reset > /dev/null
mkdir -p "$CG/d"
for i in $(seq 1 65); do
	mkdir -p "$CG/d/p$i"
	# distinct policies: each logs a different set of calls
	printf 'name p%s\ndefault allow\nkill mkdir\nlog getpid if arg0 == %s\n' "$i" "$i" > "$TMP/p$i.policy"
done
okn=0
for i in $(seq 1 64); do
	"$BPFGUARD" attach --cgroup "$CGREL/d/p$i" --policy "$TMP/p$i.policy" > /dev/null 2>&1 && okn=$((okn + 1))
done
check "64 distinct policies attach (one slot each)" test "$okn" = 64
expect_rc 1 "the 65th distinct policy is refused" "$BPFGUARD" attach --cgroup "$CGREL/d/p65" --policy "$TMP/p65.policy"
check "... with one line naming the limit" grep -q "64 distinct policies already attached (BG_MAX_POLICIES)" "$TMP/err"
check "... exactly one line" test "$(wc -l < "$TMP/err")" = 1
check "... and no record for it" test "$(status_count "a['cgroup'] == '/$CGREL/d/p65'")" = 0
"$SYSPROBE" --cgroup "$CG/d/p65" mkdir "$TMP/k65" > /dev/null 2>&1
rc=$?
check "... and nothing half-attached: mkdir in it is not judged (exit $rc)" test "$rc" = 0
expect_rc 0 "an identical copy of an attached policy still attaches (shares its slot)" \
	"$BPFGUARD" attach --cgroup "$CGREL/d/p65" --policy "$TMP/p1.policy"
"$SYSPROBE" --cgroup "$CG/d/p65" mkdir "$TMP/k66" > /dev/null 2>&1
rc=$?
check "... and is enforced (exit $rc)" test "$rc" = 137
# copy-on-write: replacing the policy of p65 (sharing p1's slot) leaves p1 as it was
printf 'name p1b\ndefault allow\nlog getpid\n' > "$TMP/p1b.policy"
expect_rc 1 "replacing one cgroup of a shared slot needs a fresh slot: refused at the limit too" \
	"$BPFGUARD" attach --cgroup "$CGREL/d/p65" --policy "$TMP/p1b.policy"
"$BPFGUARD" detach --cgroup "$CGREL/d/p64" > /dev/null
expect_rc 0 "with a slot free, the replace goes through" \
	"$BPFGUARD" attach --cgroup "$CGREL/d/p65" --policy "$TMP/p1b.policy"
"$SYSPROBE" --cgroup "$CG/d/p1" mkdir "$TMP/k67" > /dev/null 2>&1
rc=$?
check "the other cgroup of the shared slot keeps its policy: mkdir killed (exit $rc)" test "$rc" = 137
"$SYSPROBE" --cgroup "$CG/d/p65" mkdir "$TMP/k68" > /dev/null 2>&1
rc=$?
check "the replaced one has the new policy: mkdir allowed (exit $rc)" test "$rc" = 0

# ------------------------------ the 65th distinct policy: attach.d
"$BPFGUARD" reset > /dev/null
mkdir -p "$TMP/attach65.d"
for i in $(seq 1 65); do
	printf '%s/d/p%s %s\n' "$CGREL" "$i" "$TMP/p$i.policy"
done > "$TMP/attach65.d/10-distinct.conf"
write_config "$TMP/attach65.d"
check "daemon ready with 65 distinct policies declared" start_daemon "$TMP/daemon65.log"
check "64 are attached" test "$(status_count "a['cgroup'].startswith('/$CGREL/d/')")" = 64
check "the daemon says which line hit which limit, once" \
	test "$(grep -c "10-distinct.conf:[0-9]*: 1 matched cgroup not attached: .*BG_MAX_POLICIES" "$TMP/daemon65.log")" = 1
stop_daemon
finish

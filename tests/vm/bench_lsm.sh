#!/bin/sh
# Benchmark (not a test) inside the VM: what the BPF LSM path adds per
# syscall.  Run with: scripts/vmtest --kernel 6.1 -- tests/vm/bench_lsm.sh
# Configurations, interleaved over rounds, median per configuration:
#   bare      nothing of bpfguard attached
#   enter     bpfguard attached with a kill-only policy (sys_enter only)
#   lsm       bpfguard attached with an errno policy whose LSM hooks the ops
#             reach (sys_enter + file_alloc_security + inode_getattr +
#             sys_exit); the caller is NOT guarded, so it is never marked
#   guarded   same as lsm, caller guarded and its calls allowed
# Ops: getppid (no hooks), openclose and stat (several LSM hooks each).
cd "$(dirname "$0")/../.." || exit 1
BG=${BG:-$PWD/build-static/bpfguard}
LOOP=${LOOP:-$PWD/build-static/tests/helpers/sysloop}
ROUNDS=${ROUNDS:-8}
N=${N:-20000}
CG2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
mkdir -p "$CG2/bench-g" "$CG2/bench-free"
T=/tmp/bench-lsm
mkdir -p $T
printf 'name kill-only\ndefault allow\nkill ptrace\n' > $T/kill.policy
# errno rules whose hooks the measured ops reach (file_alloc_security for
# open, inode_getattr for stat), so the unguarded caller passes through
# attached LSM programs on every call without ever being marked
printf 'name errno\ndefault allow\nerrno(EROFS) openat if arg2 & 3 == 1\nerrno(EPERM) newfstatat stat if arg1 == 0\n' > $T/errno.policy
"$BG" reset > /dev/null 2>&1

setup() {
	"$BG" reset > /dev/null 2>&1
	case $1 in
	enter) "$BG" attach --cgroup bench-g --policy $T/kill.policy > /dev/null ;;
	lsm|guarded) "$BG" attach --cgroup bench-g --policy $T/errno.policy --require-deny > /dev/null ;;
	esac
}
run() { # config op
	cg=$CG2/bench-free
	[ "$1" = guarded ] && cg=$CG2/bench-g
	"$LOOP" --cgroup "$cg" "$2" "$N" | awk '{ print $3 }'
}
: > $T/raw
r=0 # round 0 warms caches and the JIT and is not recorded
while [ $r -le $ROUNDS ]; do
	# rotate the order each round so no configuration always follows the
	# teardown of another (freeing programs costs the next one time)
	case $((r % 4)) in
	0) order="bare enter lsm guarded" ;;
	1) order="enter lsm guarded bare" ;;
	2) order="lsm guarded bare enter" ;;
	*) order="guarded bare enter lsm" ;;
	esac
	for c in $order; do
		setup $c
		sleep 1 # let the previous configuration's teardown settle
		for op in getppid openclose stat; do
			v=$(run $c $op)
			[ $r -gt 0 ] && echo "$c $op $v" >> $T/raw
		done
	done
	r=$((r + 1))
done
"$BG" reset > /dev/null 2>&1
rmdir "$CG2/bench-g" "$CG2/bench-free" 2>/dev/null
echo "kernel $(uname -r), $ROUNDS rounds x $N calls, median ns per call (ratio to bare)"
echo "| op | bare | sys_enter only | + LSM hooks, unmarked caller | guarded, allowed |"
echo "|---|---:|---:|---:|---:|"
for op in getppid openclose stat; do
	line="| $op"
	for c in bare enter lsm guarded; do
		m=$(awk -v c=$c -v o=$op '$1 == c && $2 == o { print $3 }' $T/raw | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
		eval "m_$c=$m"
		if [ $c = bare ]; then line="$line | $m"; else line="$line | $m ($(awk -v a=$m -v b=$m_bare 'BEGIN { printf "%.2fx", a / b }'))"; fi
	done
	echo "$line |"
done

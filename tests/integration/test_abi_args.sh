#!/bin/bash
# ABI awareness (x32 always denied; ia32 judged by the i386 table) and
# register-argument conditions evaluated in the kernel.
. "$(dirname "$0")/lib.sh"

P=$(policy abi <<'POL'
name abi-args
default allow
kill socket if arg0 == AF_INET
allow socket
POL
)
expect_rc 0 "attach" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$P"

"$SYSPROBE" --cgroup "$CG" socket-unix getpid > /dev/null 2>&1
check "socket(AF_UNIX) allowed: arg0 condition does not match" test $? = 0
"$SYSPROBE" --cgroup "$CG" socket-unix socket-inet getpid > "$TMP/p" 2>&1
check "socket(AF_INET) killed: arg0 == AF_INET matched in the kernel" test $? = 137
drain_events
check "event shows socket with args[0] == 2" json_any "$TMP/events" "e['syscall']=='socket' and e['args'][0]==2 and e['effect']=='killed'"

# x32: bit 30 set. The kernel here rejects x32 (ENOSYS) but the attempt is
# caught and killed whatever the policy says (default allow here).
"$SYSPROBE" --cgroup "$CG" getpid x32-getpid getpid > "$TMP/p" 2>&1
check "x32 getpid attempt killed under a default-allow policy" test $? = 137
drain_events
check "x32 event: abi x32, nr 39, syscall null" json_any "$TMP/events" "e['abi']=='x32' and e['nr']==39 and e['syscall'] is None and e['action']=='kill'"

# ia32: int $0x80 from a 64-bit task. Only where the kernel has IA-32
# emulation; otherwise say so (the VM test runs it on Debian kernels).
if "$BPFGUARD" probe --json | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["ia32"]["state"]=="yes" else 1)'; then
	I=$(policy ia32 <<'POL'
name ia32
default allow
allow mkdir
POL
)
	expect_rc 0 "attach a policy that allows x86_64 mkdir only" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$I"
	"$SYSPROBE" --cgroup "$CG" mkdir "$TMP/x" ia32-mkdir "$TMP/y" > "$TMP/p" 2>&1
	check "ia32 mkdir (not named for ia32) killed" test $? = 137
	drain_events
	check "ia32 event: abi ia32, nr 39, syscall mkdir" json_any "$TMP/events" "e['abi']=='ia32' and e['nr']==39 and e['syscall']=='mkdir'"
else
	ASAN_OPTIONS=handle_segv=0 "$SYSPROBE" ia32-getpid > /dev/null 2>&1
	rc=$?
	check "IA-32 emulation is off here: int \$0x80 faults without bpfguard (exit $rc); ia32 judging runs in the VM tests" test "$rc" = 139
fi
finish

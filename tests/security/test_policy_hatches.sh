#!/bin/bash
# Escape hatches: for each class, a policy that leaves it open gets its one
# line from `policy check`, a warning from attach (and from run for the
# classes the payload of run can use), and is refused by --strict (exit 3;
# run: 125); the policy that closes every hatch gets none.  The attacker is
# root inside the guarded cgroup (docs/threat-model.md).
. "$(dirname "$0")/../integration/lib.sh"

# Every line is tagged with the hatches it closes; dropping the lines of one
# tag opens exactly that hatch (and the ones sharing the line, named too).
cat > "$TMP/closed.src" <<'POL'
name closed
default allow
default ia32 kill                                                     #ia32
kill unshare setns                                                    #namespaces
kill clone3                                                           #namespaces
allow clone if arg0 & CLONE_NEWUSER == 0                              #namespaces
kill clone                                                            #namespaces
kill bpf                                                              #bpf
kill ptrace process_vm_readv process_vm_writev pidfd_getfd            #ptrace
kill mount umount2 fsopen fsconfig fsmount fspick move_mount          #mount
kill open_tree mount_setattr pivot_root                               #mount
kill open_by_handle_at name_to_handle_at                              #handles
kill init_module finit_module delete_module                           #modules
kill kexec_load kexec_file_load                                       #kexec
kill iopl ioperm                                                      #ioports
kill swapon swapoff                                                   #swap
kill reboot                                                           #reboot
kill settimeofday clock_settime adjtimex clock_adjtime                #clock
kill keyctl add_key request_key                                       #keyring
kill userfaultfd                                                      #userfaultfd
kill perf_event_open                                                  #perf
kill fanotify_init                                                    #fanotify
kill openat if arg2 & 3 == 1                                          #cgroupfs #sysctl #devices
kill openat if arg2 & 3 == 2                                          #cgroupfs #sysctl #devices
kill open if arg1 & 3 == 1                                            #cgroupfs #sysctl #devices
kill open if arg1 & 3 == 2                                            #cgroupfs #sysctl #devices
kill openat2 creat                                                    #cgroupfs #sysctl #devices
kill mknod mknodat                                                    #devices
sysctl read-only                                                      #sysctl
dev allow c 1:3 rw                                                    #devices
POL
sed 's/#.*//' "$TMP/closed.src" > "$TMP/closed.policy"
variant() { # variant HATCH -> $TMP/open-HATCH.policy
	grep -v "#$1\b" "$TMP/closed.src" | sed 's/#.*//; s/^name closed/name open-'"$1"'/' > "$TMP/open-$1.policy"
	case $1 in
	ia32) echo "default ia32 allow" >> "$TMP/open-$1.policy" ;;
	io-uring) echo "allow io_uring_setup io_uring_enter io_uring_register" >> "$TMP/open-$1.policy" ;;
	esac
	echo "$TMP/open-$1.policy"
}

expect_rc 0 "policy check --strict passes the policy that closes every hatch" \
	"$BPFGUARD" policy check --strict "$TMP/closed.policy"
check "and names no hatch" bash -c "! grep -q '^# hatch' '$TMP/out'"
expect_rc 0 "attach --strict attaches it" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/closed.policy" --strict
check "attach printed no hatch warning" bash -c "! grep -q 'hatch' '$TMP/err'"

for h in io-uring namespaces ia32 bpf ptrace mount handles modules kexec ioports swap reboot clock \
	keyring userfaultfd perf fanotify cgroupfs sysctl devices; do
	V=$(variant "$h")
	"$BPFGUARD" policy check "$V" > "$TMP/chk" 2>&1
	check "$h: policy check names it in one line" test "$(grep -c "^# hatch $h: .*: .*; " "$TMP/chk")" = 1
	expect_rc 3 "$h: policy check --strict refuses" "$BPFGUARD" policy check --strict "$V"
	expect_rc 0 "$h: attach warns and attaches" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$V"
	check "$h: attach warning names it" grep -q "warning: policy 'open-$h': hatch $h: " "$TMP/err"
	expect_rc 3 "$h: attach --strict refuses" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$V" --strict
	check "$h: the refusal names it" grep -q -- "--strict: .*[(, ]$h[,)]" "$TMP/err"
done
check "refused attaches kept the last accepted policy" test "$("$BPFGUARD" status --json |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["attachments"][0]["policy"])')" = open-devices

# The payload of run has no capabilities: root-only hatches are not its;
# the ones any process can use are, and run warns and --strict refuses.
for h in bpf modules cgroupfs sysctl devices ptrace; do
	"$BPFGUARD" policy check --run "$TMP/open-$h.policy" > "$TMP/chk" 2>&1
	check "$h: not a hatch for the payload of run" bash -c "! grep -q '^# hatch $h:' '$TMP/chk'"
done
for h in io-uring namespaces ia32 userfaultfd perf; do
	expect_rc 0 "$h: run warns and runs" "$BPFGUARD" run --policy "$TMP/open-$h.policy" -- /bin/true
	check "$h: run warning names it" grep -q "warning: policy 'open-$h': hatch $h: " "$TMP/err"
	expect_rc 125 "$h: run --strict refuses" "$BPFGUARD" run --strict --policy "$TMP/open-$h.policy" -- /bin/true
done

# Acknowledged: `hatch accept` keeps the line (marked) and stops --strict.
{ cat "$TMP/open-perf.policy"; echo "hatch accept perf"; } > "$TMP/accepted.policy"
expect_rc 0 "hatch accept perf: policy check --strict passes" "$BPFGUARD" policy check --strict "$TMP/accepted.policy"
check "the finding is still printed, marked accepted" grep -q "^# hatch perf: .*\[accepted" "$TMP/out"
check "the normalised policy keeps the accept line" grep -q "^hatch accept perf$" "$TMP/out"
printf 'default allow\nhatch accept nosuch\n' > "$TMP/bad.policy"
expect_rc 2 "an unknown hatch name is bad input" "$BPFGUARD" policy check "$TMP/bad.policy"
check "one line naming it" grep -q "bad.policy:2: unknown hatch 'nosuch'" "$TMP/err"

# JSON: the findings and the implied io_uring rule are in policy check --json
"$BPFGUARD" policy check --json "$TMP/open-bpf.policy" > "$TMP/j" 2>/dev/null
check "--json lists the hatch with what/why/fix" test "$(json_eval "$TMP/j" \
	"[(h['hatch'], h['state'], bool(h['why']), 'kill bpf' in h['fix']) for h in j['hatches']]")" = \
	"[('bpf', 'open', True, True)]"
check "--json: the implied io_uring rule (write opens are killed)" test "$(json_eval "$TMP/j" \
	"(j['implied_io_uring']['applied'], j['implied_io_uring']['io_uring_setup'])")" = "(True, 'kill')"
finish

# Smoke test of the VM harness: the BPF LSM is active, bpfguard probe sees
# LSM programs and IA-32 emulation, and an int $0x80 syscall works.
. tests/vm/lib.sh
out=/tmp/smoke.$$
mkdir -p "$out"

# (a) bpf is among the active LSMs.
lsm=$(cat /sys/kernel/security/lsm)
echo "lsm: $lsm"
check "securityfs lists the bpf LSM" sh -c "echo '$lsm' | tr , '\n' | grep -qx bpf"

# (b) probe: LSM programs load and run; ia32 syscalls work.
"$BPFGUARD" probe >"$out/probe.txt" 2>&1
echo "probe exit $?"
cat "$out/probe.txt"
if "$BPFGUARD" probe --json >"$out/probe.json" 2>"$out/probe.err"; then
	ok "bpfguard probe --json exits 0"
else
	fail "bpfguard probe --json exited $?"
	cat "$out/probe.err"
fi
expect_state "$out/probe.json" lsm_prog yes
expect_state "$out/probe.json" ia32 yes
expect_state "$out/probe.json" lsm_listed yes
expect_state "$out/probe.json" btf yes

# (c) the helper issues an int $0x80 getpid.
"$BG_HELPERS/sysprobe" ia32-getpid >"$out/sysprobe.txt" 2>&1
rc=$?
cat "$out/sysprobe.txt"
check "sysprobe ia32-getpid exits 0" [ "$rc" = 0 ]
check "sysprobe reports ia32-getpid: ok" grep -qx 'ia32-getpid: ok' "$out/sysprobe.txt"

rm -rf "$out"
vm_done

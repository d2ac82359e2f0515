#!/bin/sh
# The executable allowlist with BPF LSM (inside the VM, scripts/vmtest):
# an unlisted program's execve fails with EACCES before anything of it is
# loaded (the caller lives on, unlike the kill-at-exec fallback of the CI
# host), a listed one runs, a listed file modified after hashing is
# refused, and with `exec libraries` an executable mapping of an unlisted
# file fails while a listed one maps.
cd "$(dirname "$0")/../.." || exit 1
. tests/vm/lib.sh
BG=${BG:-$PWD/build-static/bpfguard}
SP=${SP:-$PWD/build-static/tests/helpers/sysprobe}
CG2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
CG=$CG2/bpfguard-exec
T=/tmp/bpfguard-exec
# listed files live on a disk file system: the guest's /tmp is tmpfs,
# which the allowlist refuses (docs/exec.md, "Identity")
vm_diskfs_done "$T"; rm -rf "$T"
check "an ext2 file system for the listed files" vm_diskfs "$T"
mkdir -p "$T/ok" "$T/no" "$CG"
"$BG" reset > /dev/null 2>&1
cp "$SP" "$T/sysprobe"
SP=$T/sysprobe
# busybox runs the applet its file is named after
cp /bin/busybox "$T/ok/true"
cp /bin/busybox "$T/no/true"
cp /bin/busybox "$T/lib-listed"
cp /bin/busybox "$T/lib-unlisted"
printf 'name exec-lsm\ndefault allow\nexec libraries\nexec allow %s\nexec allow %s\nexec allow %s\n' \
	"$T/ok/true" "$T/lib-listed" "$SP" > "$T/p.policy"

"$BG" attach --cgroup bpfguard-exec --policy "$T/p.policy" > "$T/out" 2>&1
check "attach with an exec section" test $? = 0
check "... enforced by LSM, libraries included" \
	grep -q "others refused at exec (lsm: EACCES before the program loads); executable mappings of unlisted files refused" "$T/out"
"$SP" --cgroup "$CG" exec "$T/ok/true" > "$T/o" 2>&1
check "a listed program runs" test $? = 0
"$SP" --cgroup "$CG" exec "$T/no/true" > "$T/o" 2>&1
rc=$?
check "an unlisted program's execve fails with EACCES; the caller survives to say so (exit $rc)" \
	sh -c "[ $rc = 101 ] && grep -q 'exec: errno 13' '$T/o'"
"$SP" --cgroup "$CG" mmap-exec "$T/lib-listed" mmap-exec "$T/lib-unlisted" > "$T/o" 2>&1
check "exec libraries: a listed file maps executable" grep -q "^mmap-exec: ok" "$T/o"
check "... an unlisted one fails with EACCES" grep -q "^mmap-exec: errno 13" "$T/o"
echo x >> "$T/ok/true"
"$SP" --cgroup "$CG" exec "$T/ok/true" > "$T/o" 2>&1
check "a listed file changed after hashing is refused" grep -q "exec: errno 13" "$T/o"
"$BG" events --json > "$T/ev" 2>&1
check "event: the refused exec, denied by lsm" \
	grep -q '"hook":"exec_bprm","path":"'"$T"'/no/true","why":"not listed".*"effect":"denied","mechanism":"lsm"' "$T/ev"
check "event: the refused mapping" grep -q '"hook":"exec_mmap","path":"lib-unlisted"' "$T/ev"
"$BG" detach --cgroup bpfguard-exec > /dev/null 2>&1
check "detach removes the exec programs" sh -c '! ls /sys/fs/bpf/bpfguard/links/ 2>/dev/null | grep -q bg_exec'
"$BG" reset > /dev/null 2>&1
rmdir "$CG" 2>/dev/null
vm_diskfs_done "$T"
vm_done

#!/bin/sh
# Attack (docs/threat-model.md), with BPF LSM (scripts/vmtest):
# root inside a guarded cgroup with `exec libraries` runs code from a file
# the allowlist does not list, or from a listed file it can still write.
#  - mmap(PROT_READ) then mprotect(PROT_READ|PROT_EXEC) of an unlisted
#    file: lsm/file_mprotect refuses it with EACCES like lsm/mmap_file
#    refuses mmap(PROT_EXEC); a listed file works both ways.
#  - A listed file somebody holds open for writing (its pages can change
#    under the mapping without moving ctime): an executable mapping of it
#    fails with EACCES; once the writer is gone it maps.
#  - A listed file on tmpfs (the guest's /tmp): attach refuses it.
#  - A file writably mapped while a policy hashes it: attach refuses it.
cd "$(dirname "$0")/../../.." || exit 1
. tests/vm/lib.sh
BG=${BPFGUARD:-$PWD/build-static/bpfguard}
HB=${BG_HELPERS:-$PWD/build-static/tests/helpers}
CG2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
CG=$CG2/bpfguard-mprot
T=/tmp/bpfguard-mprot
vm_diskfs_done "$T"; rm -rf "$T"
check "an ext2 file system for the listed files" vm_diskfs "$T"
mkdir -p "$CG"
"$BG" reset > /dev/null 2>&1
cp "$HB/execattack" "$T/attack"
cp /bin/busybox "$T/lib-listed"
cp /bin/busybox "$T/lib-unlisted"
cp /bin/busybox "$T/lib-busy"
A=$T/attack
printf 'name exec-mprot\ndefault allow\nexec libraries\nexec allow %s\nexec allow %s\nexec allow %s\n' \
	"$A" "$T/lib-listed" "$T/lib-busy" > "$T/p.policy"
"$BG" attach --cgroup bpfguard-mprot --policy "$T/p.policy" > "$T/out" 2>&1
check "attach with exec libraries (files on ext2)" test $? = 0

"$A" --cgroup "$CG" mprotect-exec "$T/lib-unlisted" > "$T/o" 2>&1
check "mmap(PROT_READ) + mprotect(PROT_EXEC) of an unlisted file fails with EACCES" \
	grep -q "^mprotect-exec: errno 13" "$T/o"
"$A" --cgroup "$CG" mprotect-exec "$T/lib-listed" > "$T/o" 2>&1
check "... of a listed file works" grep -q "^mprotect-exec: ok" "$T/o"
"$A" --cgroup "$CG" mmap-exec "$T/lib-unlisted" > "$T/o" 2>&1
check "mmap(PROT_EXEC) of an unlisted file fails with EACCES (as before)" grep -q "^mmap-exec: errno 13" "$T/o"

# a writer holds the listed file open
rm -f "$T/go"; mkfifo "$T/go"
"$A" hold-write "$T/lib-busy" < "$T/go" > "$T/hw" 2>&1 &
hw=$!
exec 7> "$T/go"
i=0; while [ $i -lt 50 ] && ! grep -q open "$T/hw"; do sleep 0.1; i=$((i + 1)); done
"$A" --cgroup "$CG" mmap-exec "$T/lib-busy" > "$T/o" 2>&1
check "a listed file open for writing elsewhere cannot be mapped executable (EACCES)" \
	grep -q "^mmap-exec: errno 13" "$T/o"
"$A" --cgroup "$CG" mprotect-exec "$T/lib-busy" > "$T/o" 2>&1
check "... nor made executable by mprotect (EACCES)" grep -q "^mprotect-exec: errno 13" "$T/o"
echo >&7; exec 7>&-; wait $hw
"$A" --cgroup "$CG" mmap-exec "$T/lib-busy" > "$T/o" 2>&1
check "... once the writer is gone it maps" grep -q "^mmap-exec: ok" "$T/o"

"$BG" events --json > "$T/ev" 2>&1
check "event: the refused mprotect, denied by lsm" \
	grep -q '"hook":"exec_mprotect","path":"lib-unlisted","why":"not listed".*"effect":"denied","mechanism":"lsm"' "$T/ev"
check "event: the writable file, why open for writing" \
	grep -q '"path":"lib-busy","why":"open for writing"' "$T/ev"

# tmpfs, and a writable mapping while the policy is hashed: refused at attach
cp /bin/busybox /tmp/bpfguard-mprot-tmpfs
printf 'name exec-tmpfs\ndefault allow\nexec allow /tmp/bpfguard-mprot-tmpfs\n' > "$T/tmpfs.policy"
"$BG" attach --cgroup bpfguard-mprot --policy "$T/tmpfs.policy" > "$T/o" 2>&1
rc=$?
check "attach refuses a listed file on tmpfs (exit $rc)" sh -c "[ $rc = 1 ] && grep -q 'is on tmpfs' '$T/o'"
rm -f /tmp/bpfguard-mprot-tmpfs
cp "$HB/execattack" "$T/victim"
off=$("$A" marker-offset "$T/victim")
rm -f "$T/go"; mkfifo "$T/go"
"$A" map-patch "$T/victim" "$off" BGMARK:evil__ < "$T/go" > "$T/mp" 2>&1 &
mp=$!
exec 7> "$T/go"
i=0; while [ $i -lt 50 ] && ! grep -q mapped "$T/mp"; do sleep 0.1; i=$((i + 1)); done
printf 'name exec-victim\ndefault allow\nexec allow %s\n' "$T/victim" > "$T/victim.policy"
"$BG" attach --cgroup bpfguard-mprot --policy "$T/victim.policy" > "$T/o" 2>&1
rc=$?
check "attach refuses a listed file someone holds writably mapped (exit $rc)" \
	sh -c "[ $rc = 1 ] && grep -q 'is open for writing' '$T/o'"
echo >&7; exec 7>&-; wait $mp

"$BG" detach --cgroup bpfguard-mprot > /dev/null 2>&1
check "detach removes the exec programs" sh -c '! ls /sys/fs/bpf/bpfguard/links/ 2>/dev/null | grep -q bg_exec'
"$BG" reset > /dev/null 2>&1
rmdir "$CG" 2>/dev/null
vm_diskfs_done "$T"
vm_done

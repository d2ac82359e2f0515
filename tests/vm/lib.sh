# tests/vm/lib.sh: assertions for the VM tests (busybox sh: grep/awk only).
# Source it: . tests/vm/lib.sh.  Every failed check prints "FAIL: ..." and
# counts; finish with `vm_done` (exit 1 when a check failed).
vm_failures=0

fail() { echo "FAIL: $*"; vm_failures=$((vm_failures + 1)); }
ok() { echo "ok: $*"; }

# check DESCRIPTION COMMAND...: COMMAND must exit 0.
check() {
	d=$1
	shift
	if "$@"; then ok "$d"; else fail "$d (exit $?: $*)"; fi
}

# json_state FILE KEY: the "state" of KEY in `bpfguard probe --json` output
# (objects of the form "KEY":{ "state":"yes", "detail":"..." }).
json_state() {
	tr -d '\n' <"$1" | sed 's/"[a-z0-9_]*":{/\n&/g' |
		awk -v k="\"$2\":{" 'index($0, k) == 1 {
			if (match($0, /"state": *"[^"]*"/)) {
				s = substr($0, RSTART, RLENGTH); sub(/^"state": *"/, "", s); sub(/"$/, "", s); print s
			}
			exit
		}'
}

# expect_state FILE KEY WANT
expect_state() {
	got=$(json_state "$1" "$2")
	if [ "$got" = "$3" ]; then ok "probe $2 = $3"; else fail "probe $2 = '${got:-<missing>}', want '$3'"; fi
}

vm_done() {
	[ "$vm_failures" = 0 ] || { echo "$vm_failures check(s) failed"; exit 1; }
	exit 0
}

# vm_diskfs DIR: mounts a fresh ext2 file system (16 MiB image on /tmp, a
# loop device, the ext4 driver) at DIR.  The guest's own file systems are
# tmpfs and 9p; files the exec allowlist must vouch for live on a disk file
# system (docs/exec.md, "Identity").  Undo with vm_diskfs_done DIR.
vm_diskfs() {
	mkdir -p "$1" &&
		dd if=/dev/zero of="$1.img" bs=1M count=16 2>/dev/null &&
		mke2fs -q -F "$1.img" > /dev/null 2>&1 &&
		mount -o loop "$1.img" "$1"
}
vm_diskfs_done() {
	umount "$1" 2>/dev/null
	rm -f "$1.img"
	rmdir "$1" 2>/dev/null
}

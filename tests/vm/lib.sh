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

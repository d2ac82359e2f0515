# shellcheck shell=bash
# Shared setup for integration tests: real kernel, real cgroups, as root.
# Each test sources this, gets a fresh cgroup $CG (absolute) / $CGREL
# (relative to the cgroup2 mount) and a clean bpfguard state, and has
# everything removed on exit, pass or fail.
set -u

BPFGUARD=${BPFGUARD:?set BPFGUARD to the bpfguard binary}
BG_HELPERS=${BG_HELPERS:?set BG_HELPERS to the test helpers dir}
SYSPROBE=$BG_HELPERS/sysprobe
BG_SRCDIR=${BG_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
TMP=$(mktemp -d /tmp/bpfguard-test.XXXXXX)
PASS=0
FAIL=0

if [ "$(id -u)" != 0 ]; then
	echo "integration tests need root (real BPF programs, real cgroups)" >&2
	exit 1
fi

CG2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
[ -n "$CG2" ] || { echo "no cgroup2 mount" >&2; exit 1; }
CGREL=bpfguard-test-$$
CG=$CG2/$CGREL

# Tests that use no BPF state (the Go supply-chain readers) set
# BG_TEST_NO_BPF=1 before sourcing: no reset, no cgroup, so they can run
# next to tests that do.
BG_TEST_NO_BPF=${BG_TEST_NO_BPF:-0}

cleanup() {
	if [ "$BG_TEST_NO_BPF" = 1 ]; then rm -rf "$TMP"; return; fi
	"$BPFGUARD" reset >/dev/null 2>&1
	# children first; move any stragglers out before removing
	if [ -d "$CG" ]; then
		find "$CG" -depth -type d | while read -r d; do
			while read -r p; do echo "$p" > "$CG2/cgroup.procs" 2>/dev/null; done < "$d/cgroup.procs"
			rmdir "$d" 2>/dev/null
		done
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

if [ "$BG_TEST_NO_BPF" != 1 ]; then
	# bpfguard's BPF state is one per machine: tests that use it run one at
	# a time, even from several build trees or shells at once.
	exec 9>/run/lock/bpfguard-tests.lock
	flock 9
	"$BPFGUARD" reset >/dev/null 2>&1
	mkdir -p "$CG"
fi

# Fault injection (BPFGUARD_FAIL_AT) exists only in test builds
# (-DBPFGUARD_TEST_HOOKS=ON; ctest passes BG_TEST_HOOKS).  test_hooks: is
# it compiled into $BPFGUARD?  Without BG_TEST_HOOKS, the binary tells.
test_hooks() {
	case ${BG_TEST_HOOKS:-} in
	ON) return 0 ;;
	OFF) return 1 ;;
	*) grep -q BPFGUARD_FAIL_AT "$BPFGUARD" ;;
	esac
}
# ignores_fault DESCRIPTION ATTACH-ARGS...: in a default build an injected
# step must not fail (the variable is not read at all).
ignores_fault() {
	local what=$1
	shift
	expect_rc 0 "$what: a default build ignores BPFGUARD_FAIL_AT" env BPFGUARD_FAIL_AT=reconcile "$BPFGUARD" attach "$@"
}

ok() { PASS=$((PASS + 1)); echo "ok - $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "not ok - $*"; }

# check DESCRIPTION COMMAND... : passes when COMMAND succeeds
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# expect_rc WANT DESCRIPTION COMMAND...
# wait_for SECONDS COMMAND...: polls every 0.1 s until COMMAND succeeds
wait_for() {
	local n=$(($1 * 10))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

expect_rc() {
	local want=$1 what=$2 rc
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" = "$want" ]; then ok "$what (exit $rc)"; else
		not_ok "$what: exit $rc, wanted $want"; sed 's/^/    /' "$TMP/out" "$TMP/err"; fi
}

# The JSON events currently queued, one per line, into $TMP/events.
drain_events() { "$BPFGUARD" events --json > "$TMP/events"; }

# jq is not assumed: python3 evaluates a JSON expression per line.
# json_check FILE PYEXPR  (e is the decoded object; passes if any line matches)
json_any() {
	python3 - "$1" "$2" <<'PY'
import json, sys
path, expr = sys.argv[1], sys.argv[2]
for line in open(path):
    line = line.strip()
    if not line:
        continue
    e = json.loads(line)
    if eval(expr, {}, {"e": e}):
        sys.exit(0)
sys.exit(1)
PY
}

# events_valid FILE... [--types T,T]: every event line valid under
# docs/event.schema.json (tests/helpers/check_events.py says which is not)
events_valid() {
	/usr/bin/python3 "$BG_SRCDIR/tests/helpers/check_events.py" "$BG_SRCDIR/docs/event.schema.json" "$@" \
		> "$TMP/events_valid.out" 2>&1
	local rc=$?
	sed 's/^/#   schema: /' "$TMP/events_valid.out" | head -5
	return $rc
}

json_eval() { # json_eval FILE PYEXPR -> prints the value (whole-file JSON as j)
	python3 - "$1" "$2" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
print(eval(sys.argv[2], {}, {"j": j}))
PY
}

# denials_total: the exact denial count over every attachment (status --json)
denials_total() { "$BPFGUARD" status --json | python3 -c 'import json,sys; print(sum(a["denials_total"] for a in json.load(sys.stdin)["attachments"]))'; }

# http_get PORT [TIMEOUT]: the body of GET http://127.0.0.1:PORT/, retried
# for 5 s while a server starts; exit 1 if it never answered
http_get() { python3 -c "
import sys, time, urllib.request
for _ in range(100):
    try:
        print(urllib.request.urlopen('http://127.0.0.1:$1/', timeout=${2:-2}).read().decode(), end='')
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)"; }

policy() { # policy NAME <<EOF ... -> writes $TMP/NAME.policy
	cat > "$TMP/$1.policy"
	echo "$TMP/$1.policy"
}

finish() {
	echo "# $PASS passed, $FAIL failed"
	[ "$FAIL" = 0 ]
	exit $?
}

#!/bin/bash
# Outputs keep their integrity whatever bytes a hostile process chooses
# (docs/threat-model.md).  The attacker names things:
# its comm (prctl PR_SET_NAME: invalid UTF-8, ESC, a newline), a file it
# executes (a path with a newline, a fake key=value, ESC, invalid UTF-8),
# a cgroup (ESC and invalid UTF-8; cgroupfs refuses newlines).  Every
# output must stay one valid record per line: `events --json` lines parse
# as strict UTF-8 JSON and give the raw bytes back in *_hex, `events` text,
# the daemon's JSON and text files and its syslog datagrams carry no raw
# control byte and exactly one line per record, `status` prints no escape
# code, `status --json` is valid JSON, metrics labels pass promtool.
. "$(dirname "$0")/../integration/lib.sh"

PY=$(command -v /usr/bin/python3 || command -v python3)
DPID=
trap 'stop_ns; cleanup' EXIT
stop_ns() { [ -n "$DPID" ] && { touch "$TMP/ns.done"; wait "$DPID"; DPID=; }; return 0; }

wait_for() { # wait_for SECONDS COMMAND...
	local n=$(($1 * 10))
	shift
	while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done
	return 1
}
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

COMM=$'x\xff\n\x1b[2Jy\xc0\x80'                 # 10 bytes: fits TASK_COMM_LEN
HOSTILE_CG=$'cg\x1b[2J\x1b]0;pwned\x07\xff\xc0\x80'
EXE="$TMP/"$'run\nforged=1 \x1b[31m\xff'
mkdir "$CG/$HOSTILE_CG" || { not_ok "cannot create the hostile cgroup"; finish; }
cp /usr/bin/true "$EXE"
P=$(policy hostile <<'POL'
name hostile
default allow
errno(EACCES) mkdir
exec allow /usr/bin/true
POL
)
expect_rc 0 "attach in audit mode to a cgroup named with ESC and invalid UTF-8" \
	"$BPFGUARD" attach --cgroup "$CGREL/$HOSTILE_CG" --policy "$P" --mode audit

# hostile N: a process in the hostile cgroup names itself COMM, mkdirs
# (audited: an event) and execs EXE (unlisted, audited: an event)
hostile() {
	"$PY" - "$(hex "$CG/$HOSTILE_CG")" "$(hex "$COMM")" "$TMP/made.$1" "$(hex "$EXE")" <<'PY'
import ctypes, os, sys
cg, comm, made, exe = bytes.fromhex(sys.argv[1]), bytes.fromhex(sys.argv[2]), sys.argv[3], bytes.fromhex(sys.argv[4])
with open(cg + b"/cgroup.procs", "wb") as f:
    f.write(str(os.getpid()).encode())
libc = ctypes.CDLL(None, use_errno=True)
assert libc.prctl(15, ctypes.c_char_p(comm), 0, 0, 0) == 0
os.mkdir(made)
os.execv(exe, [exe])
PY
}

# check_lines FILE MODE: MODE json (strict UTF-8 JSON per line, *_hex
# gives back COMM and EXE) or text (escaped COMM present); in both, no raw
# control byte, every line ends with a newline.  Prints what it found.
check_lines() {
	"$PY" - "$1" "$2" "$(hex "$COMM")" "$(hex "$EXE")" "$(hex "/$CGREL/$HOSTILE_CG")" <<'PY'
import json, sys
path, mode = sys.argv[1], sys.argv[2]
comm, exe, cg = (bytes.fromhex(a) for a in sys.argv[3:6])
data = open(path, "rb").read()
problems, seen = [], set()
if data and not data.endswith(b"\n"):
    problems.append("no final newline")
lines = data.split(b"\n")[:-1]
for raw in lines:
    bad = sorted({b for b in raw if b < 0x20 or b == 0x7f})
    if bad:
        problems.append("raw control bytes %s in %r" % (bad, raw[:120]))
    if mode == "json":
        try:
            e = json.loads(raw.decode("utf-8"))
        except Exception as x:
            problems.append("not strict UTF-8 JSON (%s): %r" % (x, raw[:120]))
            continue
        for k, v in e.items():
            if isinstance(v, str) and any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f for c in v):
                problems.append("control character in %s: %r" % (k, v))
        if e.get("type") == "syscall" and e.get("syscall") == "mkdir" and bytes.fromhex(e.get("comm_hex", "")) == comm:
            seen.add("comm")
        if e.get("type") == "exec" and bytes.fromhex(e.get("path_hex", "")) == exe:
            seen.add("path")
        if bytes.fromhex(e.get("cgroup_hex", "")) == cg:
            seen.add("cgroup")
    else:
        t = raw.decode("utf-8", "replace")
        if "comm=x\\xff\\n\\x1b[2Jy\\xc0\\x80 " in t and "syscall=mkdir" in t:
            seen.add("comm")
        if "run\\nforged=1\\x20\\x1b[31m\\xff why=" in t:
            seen.add("path")
        if "/cg\\x1b[2J\\x1b]0;pwned\\x07\\xff\\xc0\\x80 " in t:
            seen.add("cgroup")
want = {"comm", "path", "cgroup"}
for p in problems[:5]:
    print("#   " + p)
print("#   %d lines, found %s of %s" % (len(lines), sorted(seen), sorted(want)))
sys.exit(0 if not problems and seen == want else 1)
PY
}

# ----------------------------------------------------------- events
hostile 1 > /dev/null 2>&1
check "the hostile process ran (audit mode changed nothing)" test -d "$TMP/made.1"
"$BPFGUARD" events --json > "$TMP/events.json" 2> "$TMP/events.err"
check "events --json: strict UTF-8 JSON per line, no control byte, comm_hex/path_hex/cgroup_hex give the raw bytes" \
	check_lines "$TMP/events.json" json
check "events --json: exactly the two records (mkdir, exec), one line each" \
	test "$(wc -l < "$TMP/events.json")" = 2
hostile 2 > /dev/null 2>&1
"$BPFGUARD" events > "$TMP/events.txt" 2> "$TMP/events.err"
check "events (text): escaped comm, path and cgroup, no control byte" check_lines "$TMP/events.txt" text
check "events (text): exactly two lines for two records" test "$(wc -l < "$TMP/events.txt")" = 2

# ----------------------------------------------------------- status
"$BPFGUARD" status > "$TMP/status.txt" 2>&1
check "status: no raw control byte except line ends" \
	"$PY" -c 'import sys; d = open(sys.argv[1], "rb").read(); sys.exit(any(b < 0x20 and b != 10 or b == 0x7f for b in d))' "$TMP/status.txt"
check "status: the cgroup is named, escaped" grep -qF 'cg\x1b[2J\x1b]0;pwned\x07\xff\xc0\x80 (id' "$TMP/status.txt"
"$BPFGUARD" status --json > "$TMP/status.json" 2>&1
check "status --json: strict UTF-8 JSON, cgroup_hex gives the raw name" "$PY" -c '
import json, sys
j = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
sys.exit(not any(bytes.fromhex(a.get("cgroup_hex", "")) == bytes.fromhex(sys.argv[2]) for a in j["attachments"]))' \
	"$TMP/status.json" "$(hex "/$CGREL/$HOSTILE_CG")"

# ----------------------------------------------------------- daemon
# The daemon runs in a private mount namespace whose /dev/log is ours
# (syslog_ns.sh); each datagram is kept hex-encoded.
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$TMP/log"
cat > "$TMP/daemon.conf" <<EOF
[output j]
type = file
format = json
path = $TMP/log/events.json
filter.policy = hostile
[output t]
type = file
format = text
path = $TMP/log/events.txt
filter.policy = hostile
[output sys]
type = syslog
format = text
filter.policy = hostile
[metrics]
listen = 127.0.0.1:$PORT
[attach]
state = $TMP/owned.json
EOF
unshare -m --propagation private bash "$BG_SRCDIR/tests/integration/syslog_ns.sh" \
	"$TMP" ns "$TMP/daemon.conf" "$BPFGUARD" "$PY" hex > "$TMP/ns.log" 2>&1 &
DPID=$!
check "daemon started" wait_for 60 test -e "$TMP/ns.go"
sleep 1.1 # a fresh rate window
hostile 3 > /dev/null 2>&1
lines_ge() { test -f "$1" && test "$(wc -l < "$1")" -ge "$2"; }
wait_for 20 lines_ge "$TMP/log/events.json" 2
wait_for 20 lines_ge "$TMP/log/events.txt" 2
wait_for 20 lines_ge "$TMP/ns.out" 2
check "daemon JSON file: strict UTF-8 JSON per line, raw bytes in *_hex" check_lines "$TMP/log/events.json" json
check "daemon JSON file: one line per record (2)" test "$(wc -l < "$TMP/log/events.json")" = 2
check "daemon text file: escaped, no control byte" check_lines "$TMP/log/events.txt" text
check "daemon text file: one line per record (2)" test "$(wc -l < "$TMP/log/events.txt")" = 2
"$PY" -c '
import sys
with open(sys.argv[2], "wb") as out:
    for l in open(sys.argv[1]):
        out.write(bytes.fromhex(l.strip()) + b"\n")' "$TMP/ns.out" "$TMP/syslog.txt" 2>/dev/null
check "syslog: escaped, no control byte in any datagram" check_lines "$TMP/syslog.txt" text
check "syslog: one datagram per record (2)" test "$(grep -c . "$TMP/ns.out")" = 2

"$PY" - "$PORT" > "$TMP/metrics" <<'PY'
import sys, urllib.request
sys.stdout.buffer.write(urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=10).read())
PY
promtool check metrics < "$TMP/metrics" > "$TMP/promtool.out" 2>&1
PRC=$?
# exit 3 would be a lint remark (naming advice), 1 a parse error: neither
check "metrics: promtool passes the exposition, lint included (exit $PRC)" test "$PRC" = 0
check "metrics: the hostile cgroup's recorded calls (audit mode) are exported under its (escaped) name" \
	grep -qa "bpfguard_recorded_total{policy=\"hostile\",cgroup=\"/$CGREL/cg" "$TMP/metrics"
sed 's/^/#   promtool: /' "$TMP/promtool.out" | head -5
stop_ns
check "daemon stopped cleanly" test "$(cat "$TMP/ns.rc" 2>/dev/null)" = 0
check "daemon log: no raw control byte" \
	"$PY" -c 'import sys; d = open(sys.argv[1], "rb").read(); sys.exit(any(b < 0x20 and b != 10 or b == 0x7f for b in d))' "$TMP/ns-daemon.log"
finish

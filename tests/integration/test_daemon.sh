#!/bin/bash
# bpfguard daemon, end to end on the real kernel: declarative attachments
# from attach.d (an existing cgroup, one created after start and found by
# inotify, a bad file skipped with FILE:LINE while the others apply, a
# removed line detached on SIGHUP), a denial storm drained into a rotating
# JSON file (no split line, counts adding up to the exact counter), SIGHUP
# reopen, metrics scraped and parsed, and a restart under an enforced
# workload (no window, no duplicate attachment, attach time unchanged).
. "$(dirname "$0")/lib.sh"

SYSLOOP=$BG_HELPERS/sysloop
PY=$(command -v /usr/bin/python3 || command -v python3)
DPID=
WPID=
stop_daemon() { # stop_daemon: SIGTERM, wait, exit code in $DRC
	DRC=
	[ -n "$DPID" ] || return 0
	kill -TERM "$DPID" 2>/dev/null
	wait "$DPID"
	DRC=$?
	DPID=
}
trap '[ -n "$WPID" ] && kill "$WPID" 2>/dev/null; stop_daemon; cleanup' EXIT


ready_in() { grep -q "ready:" "$1"; }
start_daemon() { # start_daemon LOG: daemon in the background, waits for "ready"
	"$BPFGUARD" daemon --config "$TMP/daemon.conf" --foreground >> "$TMP/stdout" 2> "$1" &
	DPID=$!
	wait_for 60 ready_in "$1"
}

status() { "$BPFGUARD" status --json > "$TMP/st"; }
# attached REL: is there an attachment record for cgroup /REL?
attached() { status && test "$(json_eval "$TMP/st" "sum(1 for a in j['attachments'] if a['cgroup'] == '/$1')")" -ge 1; }
not_attached() { status && test "$(json_eval "$TMP/st" "sum(1 for a in j['attachments'] if a['cgroup'] == '/$1')")" = 0; }
denials_of() { status && json_eval "$TMP/st" "sum(a['denials_total'] for a in j['attachments'] if a['policy'] == '$1')"; }
probe_socket() { "$SYSPROBE" --cgroup "$CG/$1" socket-inet 2>&1; }

# bg_attachments record of a cgroup (id) -> attach time, from the kernel's
# map itself (status does not print it): raw value bytes, little endian.
attach_time() {
	bpftool -j map dump pinned /sys/fs/bpf/bpfguard/maps/bg_attachments | "$PY" -c '
import json, sys
want = int(sys.argv[1])
for e in json.load(sys.stdin):
    v = bytes(int(b, 16) for b in e["value"])
    if int.from_bytes(v[0:8], "little") == want:
        print(int.from_bytes(v[8:16], "little"))' "$1"
}

PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
NETNONE=$(policy netnone <<'POL'
name netnone
default allow
net none
POL
)
STORM=$(policy storm <<'POL'
name storm
default allow
log getppid
log getpid
POL
)
mkdir -p "$CG/app-1" "$CG/storm" "$CG/bad" "$CG/extra" "$CG/manual" "$TMP/attach.d" "$TMP/log"
printf '# broken on purpose: the mode below does not exist\n%s/bad %s mode=sometimes\n' "$CGREL" "$NETNONE" \
	> "$TMP/attach.d/00-bad.conf"
printf '# every app-* cgroup below the test cgroup\n%s/app-* %s mode=enforce fallback=refuse\n' "$CGREL" "$NETNONE" \
	> "$TMP/attach.d/10-apps.conf"
printf '/%s/extra netnone.policy\n' "$CGREL" > "$TMP/attach.d/20-extra.conf"
cp "$NETNONE" "$TMP/attach.d/netnone.policy" # relative policy paths: next to the .conf

write_config() { # write_config [EXTRA LINES]
	cat > "$TMP/daemon.conf" <<EOF
# bpfguard daemon configuration of test_daemon.sh
[output all]
type = file
path = $TMP/log/events.json
max_size = 64k
keep = 500

[output net]
type = file
format = json
path = $TMP/log/net.json
filter.type = net
filter.cgroup = $CGREL/app-*

[output ecs]
type = file
format = ecs
path = $TMP/log/ecs.json
filter.type = net

[output denied]
type = stdout
format = text
filter.effect = denied

[metrics]
listen = 127.0.0.1:$PORT
${METRICS_EXTRA:-}

[attach]
dir = $TMP/attach.d
state = $TMP/owned.json
rescan = 0
$*
EOF
}
write_config

# ------------------------------------------------------------- start
expect_rc 2 "--check: exit 2 for the bad attach.d file" "$BPFGUARD" daemon --config "$TMP/daemon.conf" --check
check "--check names it as FILE:LINE" grep -q "$TMP/attach.d/00-bad.conf:2: " "$TMP/err"
check "start: daemon is ready" start_daemon "$TMP/daemon.log"
check "bad attach.d file reported as FILE:LINE in the daemon's log" \
	grep -q "error: $TMP/attach.d/00-bad.conf:2: 'mode=sometimes'" "$TMP/daemon.log"
check "the bad file is skipped as a whole" not_attached "$CGREL/bad"
check "other files still applied: existing cgroup app-1 attached (glob)" attached "$CGREL/app-1"
check "other files still applied: extra attached (relative policy path)" attached "$CGREL/extra"
check "app-1 enforced: socket(AF_INET) fails with EPERM" test "$(probe_socket app-1)" = "socket-inet: errno 1"
check "cgroups no line matches are left alone" not_attached "$CGREL/storm"

# a cgroup created after start, found by inotify (rescan = 0)
mkdir "$CG/app-2"
check "cgroup created after start is attached (inotify, glob)" wait_for 20 attached "$CGREL/app-2"
check "app-2 enforced: socket(AF_INET) fails with EPERM" test "$(probe_socket app-2)" = "socket-inet: errno 1"
mkdir "$CG/app-2/sub"
sleep 0.5
check "a match's own children are covered by inheritance, not attached again" not_attached "$CGREL/app-2/sub"
check "... and enforced" test "$(probe_socket app-2/sub)" = "socket-inet: errno 1"

check "filtered output: net.json gets the app-* net denials" \
	wait_for 10 json_any "$TMP/log/net.json" "e['type'] == 'net' and e['cgroup'] == '/$CGREL/app-2'"
check "the daemon's json lines are valid under the v1 schema (docs/event.schema.json)" \
	events_valid "$TMP/log/net.json" --types net
ecs_pairs() { /usr/bin/python3 "$BG_SRCDIR/tests/helpers/check_ecs.py" "$TMP/log/net.json" "$TMP/log/ecs.json" > "$TMP/ecs.out" 2>&1; }
check "format = ecs: the same events in ECS 8, every native field mapped (check_ecs.py)" wait_for 10 ecs_pairs ||
	sed 's/^/#   /' "$TMP/ecs.out" | head -5
check "filtered output: nothing else in net.json" "$PY" - "$TMP/log/net.json" "/$CGREL/app-" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(0 if ev and all(e["type"] == "net" and e["cgroup"].startswith(sys.argv[2]) for e in ev) else 1)
PY
check "text output on stdout, filtered to effect=denied" \
	wait_for 10 grep -q "net cgroup=/$CGREL/app-1 policy=netnone .*effect=denied" "$TMP/stdout"
check "text output: no recorded events on the denied-only output" sh -c "! grep -q 'effect=recorded' '$TMP/stdout'"

# ------------------------------------------------------------- storm
expect_rc 0 "storm cgroup attached by hand (audit, rate limit 20000/s)" \
	"$BPFGUARD" attach --cgroup "$CGREL/storm" --policy "$STORM" --mode audit --rate-limit 20000
N=200000
"$SYSLOOP" --cgroup "$CG/storm" getppid $N > "$TMP/sysloop.out"
sleep 1.2 # a new rate window: the next event carries every suppressed and lost call
"$SYSPROBE" --cgroup "$CG/storm" getpid > /dev/null
WANT=$(denials_of storm)
# (a sanitizer build's runtime makes a few getpid/getppid calls of its own)
GETPPID=$(json_eval "$TMP/st" "sum(d['count'] for a in j['attachments'] if a['policy'] == 'storm' for d in a['denials'] if d['syscall'] == 'getppid')")
check "exact counter: at least the $N getppid calls of the storm ($GETPPID; $WANT in all)" \
	test "$GETPPID" -ge $N -a "$GETPPID" -lt $((N + 100)) -a "$WANT" -gt "$GETPPID"
storm_sum() {
	"$PY" - "$TMP/log" "/$CGREL/storm" > "$TMP/sum" <<'PY'
import glob, json, sys
total = 0
for f in glob.glob(sys.argv[1] + "/events.json*"):
    for line in open(f):
        e = json.loads(line)
        if e["cgroup"] == sys.argv[2]:
            total += e["count"]
print(total)
PY
	test "$(cat "$TMP/sum")" = "$WANT"
}
check "sum of count over every rotated file = exact counter" wait_for 30 storm_sum
echo "#   count sum $(cat "$TMP/sum"), counter $WANT"
NFILES=$(ls "$TMP/log"/events.json* | wc -l)
check "the file was rotated under the storm ($NFILES files)" test "$NFILES" -gt 2
check "every line of every file is whole, valid JSON, newline-terminated" "$PY" - "$TMP/log" <<'PY'
import glob, json, sys
for f in glob.glob(sys.argv[1] + "/events.json*"):
    data = open(f, "rb").read()
    if data and not data.endswith(b"\n"):
        sys.exit("%s: last line not terminated" % f)
    for n, line in enumerate(data.splitlines(), 1):
        try:
            json.loads(line)
        except ValueError as e:
            sys.exit("%s:%d: %s" % (f, n, e))
PY
check "the current file's lines are valid under the v1 schema (docs/event.schema.json)" \
	events_valid "$TMP/log/events.json" --types syscall
check "no file is over max_size (64 KiB)" "$PY" -c "
import glob, os, sys
sys.exit(any(os.path.getsize(f) > 65536 for f in glob.glob('$TMP/log/events.json*')))"
status
echo "#   events sent $(json_eval "$TMP/st" "j['events_sent']"), lost $(json_eval "$TMP/st" "j['events_lost']"), rate-limited $(json_eval "$TMP/st" "j['events_rate_limited']")"

# ------------------------------------------------------------- metrics
scrape() {
	"$PY" - "$PORT" > "$TMP/metrics" <<'PY'
import sys, urllib.request
r = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=10)
assert r.status == 200 and r.headers["Content-Type"].startswith("text/plain; version=0.0.4"), r.headers
sys.stdout.write(r.read().decode())
PY
}
check "metrics endpoint answers GET /metrics (0.0.4)" scrape
metric_sum() { # metric_sum NAME [LABEL=VALUE]: sum of the samples
	"$PY" - "$TMP/metrics" "$@" <<'PY'
import re, sys
name, want = sys.argv[2], dict(a.split("=", 1) for a in sys.argv[3:])
total, seen = 0, False
for line in open(sys.argv[1]):
    if line.startswith("#") or not line.strip():
        continue
    m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$', line.strip())
    assert m, "not exposition format: " + line
    labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
    if m.group(1) == name and all(labels.get(k) == v for k, v in want.items()):
        total += float(m.group(4))
        seen = True
print(int(total) if seen else "missing")
PY
}
check "metrics: promtool check metrics passes, lint included (exit 0)" sh -c "promtool check metrics < '$TMP/metrics'"
# storm runs in audit mode: its calls ran and were recorded, none denied
check "metrics: bpfguard_recorded_total{policy=storm} = status's counter ($WANT)" \
	test "$(metric_sum bpfguard_recorded_total policy=storm)" = "$WANT"
check "metrics: ... and none of them is a denial (bpfguard_denials_total counts denied and killed calls only)" \
	test "$(metric_sum bpfguard_denials_total policy=storm)" = missing
check "metrics: recorded by syscall label (getppid $GETPPID)" \
	test "$(metric_sum bpfguard_recorded_total policy=storm syscall=getppid)" = "$GETPPID"
check "metrics: bpfguard_build_info names the version, value 1" \
	grep -qx "bpfguard_build_info{version=\"$("$BPFGUARD" --version | awk '{print $2}')\",layout=\"[0-9]*\"} 1" "$TMP/metrics"
check "metrics: no precomputed rate (bpfguard_events_per_second is gone; rate() computes one)" \
	test "$(metric_sum bpfguard_events_per_second)" = missing
status
check "metrics: events_lost_total = status" test "$(metric_sum bpfguard_events_lost_total)" = "$(json_eval "$TMP/st" "j['events_lost']")"
check "metrics: events_total = status's events_sent" test "$(metric_sum bpfguard_events_total)" = "$(json_eval "$TMP/st" "j['events_sent']")"
check "metrics: attachments gauge = status" test "$(metric_sum bpfguard_attachments)" = "$(json_eval "$TMP/st" "len(j['attachments'])")"
for m in bpfguard_events_rate_limited_total bpfguard_build_info bpfguard_bpf_stats_enabled \
	bpfguard_daemon_attachments process_cpu_seconds_total bpfguard_output_lines_total; do
	check "metrics: $m present" test "$(metric_sum $m)" != missing
done
check "metrics: run statistics of bg_sys_enter exposed" grep -q 'bpfguard_program_run_count_total{program="bg_sys_enter"}' "$TMP/metrics"
# Bounded labels: a decision in a cgroup below an attachment is counted
# under the attachment's cgroup; [metrics] per_cgroup = on names each one.
mkdir -p "$CG/storm/pod-1"
"$SYSPROBE" --cgroup "$CG/storm/pod-1" getpid > /dev/null
scrape
check "metrics: by default a child cgroup's calls are labelled with the attachment's cgroup" \
	sh -c "grep -q 'cgroup=\"/$CGREL/storm\",syscall=\"getpid\"' '$TMP/metrics' && ! grep -q 'storm/pod-1' '$TMP/metrics'"
METRICS_EXTRA="per_cgroup = on" write_config
kill -HUP "$DPID"
sleep 1
scrape
check "metrics: per_cgroup = on labels the child cgroup itself" grep -q "cgroup=\"/$CGREL/storm/pod-1\",syscall=\"getpid\"" "$TMP/metrics"
check "metrics: ... and promtool still passes" sh -c "promtool check metrics < '$TMP/metrics'"
write_config
kill -HUP "$DPID"
sleep 1
rmdir "$CG/storm/pod-1" 2>/dev/null
check "metrics: 404 for other paths" "$PY" -c "
import urllib.request, urllib.error, sys
try: urllib.request.urlopen('http://127.0.0.1:$PORT/', timeout=5)
except urllib.error.HTTPError as e: sys.exit(e.code != 404)
sys.exit(1)"

# ------------------------------------------------------------- SIGHUP
# logrotate style: the file is renamed away, SIGHUP reopens the path; a
# line removed from attach.d is detached; the rate limit comes from
# [events]; an attachment made by hand is left alone.
expect_rc 0 "an attachment made by hand" "$BPFGUARD" attach --cgroup "$CGREL/manual" --policy "$NETNONE"
mv "$TMP/log/events.json" "$TMP/log/moved.json"
rm "$TMP/attach.d/20-extra.conf"
write_config "[events]
rate_limit = 50"
kill -HUP "$DPID"
check "SIGHUP: the line removed from attach.d is detached" wait_for 20 not_attached "$CGREL/extra"
check "SIGHUP: attachments made by hand are left alone" attached "$CGREL/manual"
check "SIGHUP: attachments still declared stay" attached "$CGREL/app-1"
before=$(wc -l < "$TMP/log/moved.json")
sleep 1.1
"$SYSPROBE" --cgroup "$CG/storm" getpid > /dev/null
check "SIGHUP: events go to a new file at the path" \
	wait_for 10 json_any "$TMP/log/events.json" "e['syscall'] == 'getpid' and e['cgroup'] == '/$CGREL/storm'"
check "SIGHUP: nothing more written to the renamed file" test "$(wc -l < "$TMP/log/moved.json")" = "$before"
RL=$(bpftool -j map dump pinned /sys/fs/bpf/bpfguard/maps/bg_config | "$PY" -c '
import json, sys
v = bytes(int(b, 16) for b in json.load(sys.stdin)[0]["value"])
print(int.from_bytes(v[4:8], "little"))')
check "SIGHUP: [events] rate_limit = 50 applied ($RL)" test "$RL" = 50

# ------------------------------------------------------------- restart
# An enforced workload keeps calling socket(AF_INET) through a restart:
# every call must fail (no window), and the attachment must be the same
# record afterwards (no detach/re-attach, no duplicate).
APP1_ID=$(stat -c %i "$CG/app-1")
T0=$(attach_time "$APP1_ID")
status
NATT=$(json_eval "$TMP/st" "len(j['attachments'])")
"$PY" - "$CG/app-1" 8 "$TMP/workload" <<'PY' &
import os, socket, sys, time
cg, secs, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
with open(cg + "/cgroup.procs", "w") as f:
    f.write(str(os.getpid()))
ok = eperm = other = 0
end = time.time() + secs
while time.time() < end:
    try:
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()
        ok += 1
    except PermissionError:
        eperm += 1
    except OSError:
        other += 1
with open(out, "w") as f:
    f.write("%d %d %d\n" % (ok, eperm, other))
PY
WPID=$!
sleep 1
stop_daemon
check "SIGTERM: the daemon exits 0" test "$DRC" = 0
check "SIGTERM: it says it drained and left attachments in force" grep -q "stopping: .*attachments stay in force" "$TMP/daemon.log"
check "stopped daemon: app-1 still attached" attached "$CGREL/app-1"
sleep 1
check "restart: daemon is ready again" start_daemon "$TMP/daemon2.log"
wait "$WPID"
WPID=
read -r ok eperm other < "$TMP/workload"
check "restart: no window, every socket() of the workload failed ($ok ok, $eperm EPERM, $other other)" \
	test "$ok" = 0 -a "$eperm" -gt 0 -a "$other" = 0
check "restart: the daemon knew its attachments (record)" grep -q "2 attachment(s) made by the daemon" "$TMP/daemon2.log"
check "restart: nothing re-attached" sh -c "! grep -q attaching '$TMP/daemon2.log'"
status
check "restart: exactly one attachment for app-1" \
	test "$(json_eval "$TMP/st" "sum(1 for a in j['attachments'] if a['cgroup'] == '/$CGREL/app-1')")" = 1
check "restart: same number of attachments ($NATT)" test "$(json_eval "$TMP/st" "len(j['attachments'])")" = "$NATT"
check "restart: app-1's attach time unchanged ($T0)" test -n "$T0" -a "$(attach_time "$APP1_ID")" = "$T0"

# a policy file whose content changed is re-applied on SIGHUP (the
# daemon's record has the SHA-256 it attached); the hand-made attachment
# of the same file is not the daemon's and stays as it was
printf 'name netnone2\ndefault allow\nnet none\n' > "$NETNONE"
kill -HUP "$DPID"
policy_of() { status && test "$(json_eval "$TMP/st" "[a['policy'] for a in j['attachments'] if a['cgroup'] == '/$1']")" = "['$2']"; }
check "SIGHUP: changed policy content replaces the daemon's attachments (app-1)" wait_for 20 policy_of "$CGREL/app-1" netnone2
check "... and app-2" policy_of "$CGREL/app-2" netnone2
check "... not the hand-made one" policy_of "$CGREL/manual" netnone
check "... still enforced" test "$(probe_socket app-1)" = "socket-inet: errno 1"

# cgroups going away: the daemon's attachments of removed cgroups are
# detached (a policy slot each); a path taken at once by a new cgroup
# (a restarted service) gets one fresh attachment, the old record goes
rmdir "$CG/app-2/sub" "$CG/app-2"
check "removed cgroup: its attachment is detached" wait_for 20 not_attached "$CGREL/app-2"
mkdir "$CG/app-3"
check "app-3 attached" wait_for 20 attached "$CGREL/app-3"
rmdir "$CG/app-3" && mkdir "$CG/app-3"
NEWID=$(stat -c %i "$CG/app-3")
one_app3() { status && test "$(json_eval "$TMP/st" "[a['cgroup_id'] for a in j['attachments'] if a['cgroup'] == '/$CGREL/app-3']")" = "[$NEWID]"; }
check "re-created path: one attachment, of the new cgroup" wait_for 20 one_app3
check "... enforced" test "$(probe_socket app-3)" = "socket-inet: errno 1"

# `bpfguard reset` under a running daemon: it follows the new ring buffer
# and puts attach.d's attachments back
expect_rc 0 "bpfguard reset while the daemon runs" "$BPFGUARD" reset
check "after reset: the daemon re-attaches app-1" wait_for 20 attached "$CGREL/app-1"
check "... enforced" test "$(probe_socket app-1)" = "socket-inet: errno 1"
check "... and its events reach the outputs through the new ring" \
	wait_for 10 json_any "$TMP/log/net.json" "e['cgroup'] == '/$CGREL/app-1' and e['policy'] == 'netnone2' and e['time'] > '$(date -u +%Y-%m-%dT%H:%M:%S -d '-2 sec')'"
check "... hand-made attachments stay gone (reset is the administrator's)" not_attached "$CGREL/manual"

stop_daemon
check "second stop: exit 0" test "$DRC" = 0

# ------------------------------------------------------------- syslog
# syslog(3) writes to /dev/log.  A private mount namespace gets its own
# /dev with a listener at /dev/log (syslog_ns.sh), so nothing of the
# host's logging is touched.
"$BPFGUARD" attach --cgroup "$CGREL/storm" --policy "$STORM" --mode audit > /dev/null # gone with the reset
printf '[output sys]\ntype = syslog\nfacility = local3\nfilter.policy = storm\n[attach]\nstate = %s/owned2.json\n' \
	"$TMP" > "$TMP/syslog.conf"
unshare -m --propagation private bash "$BG_SRCDIR/tests/integration/syslog_ns.sh" \
	"$TMP" syslog "$TMP/syslog.conf" "$BPFGUARD" "$PY" raw > "$TMP/syslog.ns" 2>&1 &
SPID=$!
wait_for 60 test -e "$TMP/syslog.go"
sleep 1.1 # a fresh rate window
"$SYSPROBE" --cgroup "$CG/storm" getpid > /dev/null
syslog_line() { grep -q '^<157>.*bpfguard\[[0-9]*\]: {"time":.*"policy":"storm".*"syscall":"getpid"' "$TMP/syslog.out"; }
check "syslog output: one JSON line per event, facility local3, priority notice (<157>)" wait_for 20 syslog_line ||
	sed 's/^/#   /' "$TMP/syslog.out"
touch "$TMP/syslog.done"
wait "$SPID"
check "syslog daemon stopped cleanly" test "$(cat "$TMP/syslog.rc" 2>/dev/null)" = 0
check "no ASan/UBSan report in the daemon's logs" sh -c "! grep -q 'runtime error\\|AddressSanitizer\\|LeakSanitizer' '$TMP/daemon.log' '$TMP/daemon2.log' '$TMP/syslog-daemon.log'"
if [ "$FAIL" != 0 ]; then
	echo "# daemon logs:"
	sed 's/^/#   /' "$TMP/daemon.log" "$TMP/daemon2.log" "$TMP/syslog-daemon.log" "$TMP/syslog.ns" 2>/dev/null | tail -n 80
fi
# --- the daemon never attaches a policy to its own cgroup (or an ancestor
# of it): the shipped policies kill bpf(2), and it would kill itself
if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then kill -TERM "$DPID"; wait "$DPID" 2>/dev/null; fi
DPID=
mkdir -p "$CG/selfd" "$TMP/self.d"
printf '%s/selfd %s mode=enforce\n' "$CGREL" "$NETNONE" > "$TMP/self.d/self.conf"
printf '[output all]\ntype = file\npath = %s/self.json\n[attach]\ndir = %s/self.d\nstate = %s/self-owned.json\n' \
	"$TMP" "$TMP" "$TMP" > "$TMP/self.conf"
sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" daemon --config "$3" --foreground' _ "$CG/selfd" "$BPFGUARD" \
	"$TMP/self.conf" 2> "$TMP/self.log" &
SELFD=$!
wait_for 60 ready_in "$TMP/self.log"
check "a line matching the daemon's own cgroup is refused, with the reason" \
	grep -q "cgroup /$CGREL/selfd holds bpfguard daemon itself; not attached" "$TMP/self.log"
check "... nothing attached there" not_attached "$CGREL/selfd"
check "... and the daemon is alive" kill -0 "$SELFD"
kill -TERM "$SELFD"; wait "$SELFD" 2>/dev/null

finish

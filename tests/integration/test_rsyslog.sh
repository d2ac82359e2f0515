#!/bin/bash
# The daemon's syslog output into a real rsyslogd (Debian's rsyslog 8),
# parsed back by rsyslog's own JSON parser (mmjsonparse) into structured
# properties, and those written out by rsyslog as JSON ($!all-json): the
# events a log pipeline gets are the same objects, schema v1 valid, with
# facility and priority as documented (warning for denied or killed calls,
# notice for recorded ones).  rsyslogd listens on a socket of ours; the
# daemon runs in a private mount namespace whose /dev/log is that socket
# (syslog_ns.sh), so the host's logging is not touched.
. "$(dirname "$0")/lib.sh"

command -v rsyslogd > /dev/null || { not_ok "rsyslogd missing: scripts/setup installs rsyslog"; finish; }
PY=$(command -v /usr/bin/python3 || command -v python3)
mkdir -p "$CG/app" "$TMP/rs"
P=$(policy rs <<'POL'
name rs
default allow
log getpid
kill mkdir mkdirat
POL
)
expect_rc 0 "policy attached (log getpid, kill mkdir)" "$BPFGUARD" attach --cgroup "$CGREL/app" --policy "$P"

# rsyslog: imuxsock on our socket, then for bpfguard's messages the raw
# line (facility.severity and the message) and, parsed by mmjsonparse
# (cookie "": the message is plain JSON), the structured properties
cat > "$TMP/rsyslog.conf" <<EOF
global(workDirectory="$TMP/rs")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$TMP/rs/log.sock" CreatePath="on")
module(load="mmjsonparse")
template(name="raw" type="list") {
  property(name="programname") constant(value=" ") property(name="syslogfacility-text")
  constant(value=".") property(name="syslogseverity-text") constant(value=" ") property(name="msg")
  constant(value="\n")
}
template(name="parsed" type="list") { property(name="\$!all-json") constant(value="\n") }
if \$programname == "bpfguard" then {
  action(type="omfile" file="$TMP/rs/raw.log" template="raw")
  action(type="mmjsonparse" cookie="")
  if \$parsesuccess == "OK" then action(type="omfile" file="$TMP/rs/parsed.json" template="parsed")
  else action(type="omfile" file="$TMP/rs/unparsed.log" template="raw")
}
EOF
expect_rc 0 "rsyslogd accepts the configuration (-N1)" rsyslogd -N1 -f "$TMP/rsyslog.conf"
rsyslogd -n -f "$TMP/rsyslog.conf" -i "$TMP/rs/rsyslogd.pid" > "$TMP/rs/rsyslogd.log" 2>&1 &
RSP=$!
check "rsyslogd listens on its socket" wait_for 20 test -S "$TMP/rs/log.sock"

printf '[output siem]\ntype = syslog\nfacility = local0\nformat = json\nfilter.policy = rs\n[attach]\nstate = %s/owned.json\n' \
	"$TMP" > "$TMP/d.conf"
unshare -m --propagation private bash "$BG_SRCDIR/tests/integration/syslog_ns.sh" \
	"$TMP" rsd "$TMP/d.conf" "$BPFGUARD" "$PY" "socket=$TMP/rs/log.sock" > "$TMP/rsd.ns" 2>&1 &
NSP=$!
check "the daemon is ready, its /dev/log bound to rsyslogd's socket" wait_for 60 test -e "$TMP/rsd.go"
"$SYSPROBE" --cgroup "$CG/app" getpid > /dev/null
("$SYSPROBE" --cgroup "$CG/app" mkdir "$TMP/rs/x") > /dev/null 2>&1 # killed
# both calls' events, not just two lines: an ASan build's runtime makes
# getpid calls of its own, which are events too
both_parsed() { grep -q '"syscall": "getpid"' "$TMP/rs/parsed.json" 2>/dev/null &&
	grep -q '"syscall": "mkdir' "$TMP/rs/parsed.json" 2>/dev/null; }
check "rsyslogd parsed both events as JSON (mmjsonparse)" wait_for 20 both_parsed
check "... nothing it could not parse" test ! -s "$TMP/rs/unparsed.log"
check "the recorded call arrives as local0.notice" grep -q '^bpfguard local0.notice .*"syscall":"getpid"' "$TMP/rs/raw.log"
check "the killed call arrives as local0.warning" grep -q '^bpfguard local0.warning .*"syscall":"mkdir' "$TMP/rs/raw.log"
check "rsyslog's structured properties are the event: valid under the v1 schema" \
	events_valid "$TMP/rs/parsed.json" --types syscall
check "... field by field (syscall, effect, policy, cgroup, numbers as numbers)" \
	json_any "$TMP/rs/parsed.json" "e['syscall'] in ('mkdir', 'mkdirat') and e['effect'] == 'killed' and e['policy'] == 'rs' and e['cgroup'] == '/$CGREL/app' and e['schema_version'] == 1 and isinstance(e['nr'], int)"

touch "$TMP/rsd.done"
wait "$NSP"
check "daemon stopped cleanly" test "$(cat "$TMP/rsd.rc" 2>/dev/null)" = 0
kill "$RSP"; wait "$RSP" 2>/dev/null
if [ "$FAIL" != 0 ]; then
	sed 's/^/#   /' "$TMP/rs/rsyslogd.log" "$TMP/rsd-daemon.log" "$TMP/rsd.ns" "$TMP/rs/raw.log" 2>/dev/null | tail -n 40
fi
"$BPFGUARD" detach --cgroup "$CGREL/app" > /dev/null
finish

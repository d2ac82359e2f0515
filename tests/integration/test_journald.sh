#!/bin/bash
# The daemon's journal output into a real systemd-journald (Debian's
# systemd 252), read back with journalctl: native fields (BPFGUARD_SYSCALL=,
# BPFGUARD_CGROUP=, ... the JSON line's fields by name) plus MESSAGE= (the
# text line), PRIORITY= and SYSLOG_IDENTIFIER=.  journald runs in a private
# mount namespace on tmpfs /run/systemd and /run/log, so the host's
# journal (if any) is not touched; the daemon runs next to it.  A hostile
# process (a comm with a newline and a forged "PRIORITY=0", a cgroup name
# with ESC and invalid UTF-8) cannot add or change a journal field.
. "$(dirname "$0")/lib.sh"

JD=/lib/systemd/systemd-journald
[ -x "$JD" ] && command -v journalctl > /dev/null ||
	{ not_ok "systemd-journald or journalctl missing (Debian's systemd package)"; finish; }
mkdir -p "$CG/app"
P=$(policy jd <<'POL'
name jd
default allow
log getpid
kill mkdir mkdirat
POL
)
expect_rc 0 "policy attached (log getpid, kill mkdir)" "$BPFGUARD" attach --cgroup "$CGREL/app" --policy "$P"
printf '[output j]\ntype = journal\nfilter.policy = jd\n[attach]\nstate = %s/owned.json\n' "$TMP" > "$TMP/d.conf"

# In the namespace: journald, the daemon, then (when the test says so)
# journalctl's JSON of our entries into $TMP/journal.json.
cat > "$TMP/ns.sh" <<EOF
mkdir -p /run/systemd /run/log
mount -t tmpfs jd-run /run/systemd && mount -t tmpfs jd-log /run/log || exit 1
$JD > "$TMP/journald.log" 2>&1 &
JP=\$!
for _ in \$(seq 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.1; done
"$BPFGUARD" daemon --config "$TMP/d.conf" 2> "$TMP/daemon.log" &
DP=\$!
for _ in \$(seq 600); do grep -q "ready:" "$TMP/daemon.log" && break; sleep 0.1; done
touch "$TMP/go"
for _ in \$(seq 600); do [ -e "$TMP/done" ] && break; sleep 0.1; done
kill -TERM \$DP; wait \$DP; echo \$? > "$TMP/daemon.rc"
journalctl -D /run/log/journal -o json --no-pager SYSLOG_IDENTIFIER=bpfguard > "$TMP/journal.json" 2> "$TMP/journalctl.err"
kill \$JP; wait \$JP 2>/dev/null
touch "$TMP/read"
EOF
unshare -m --propagation private bash "$TMP/ns.sh" > "$TMP/ns.out" 2>&1 &
NSP=$!
check "journald and the daemon are up (its journal output connected)" wait_for 60 test -e "$TMP/go"
"$SYSPROBE" --cgroup "$CG/app" getpid > /dev/null
("$SYSPROBE" --cgroup "$CG/app" mkdir "$TMP/x") > /dev/null 2>&1 # killed (the subshell keeps bash's "Killed" note out)
# the hostile process: in a cgroup below app named with ESC and invalid
# UTF-8, comm "z\nPRIORITY=0" (a forged field if a newline got through)
HCG=$'h\x1b]0;x\x07\xff'
mkdir "$CG/app/$HCG"
python3 - "$(printf '%s' "$CG/app/$HCG" | od -An -tx1 | tr -d ' \n')" <<'PY'
import ctypes, os, sys
with open(bytes.fromhex(sys.argv[1]) + b"/cgroup.procs", "wb") as f:
    f.write(str(os.getpid()).encode())
assert ctypes.CDLL(None).prctl(15, ctypes.c_char_p(b"z\nPRIORITY=0"), 0, 0, 0) == 0
os.getpid()
ctypes.CDLL(None).syscall(39)  # getpid itself, not a cached value
PY
sleep 1 # the drain's round and journald's write
touch "$TMP/done"
wait "$NSP"
check "daemon stopped cleanly" test "$(cat "$TMP/daemon.rc" 2>/dev/null)" = 0
jq_any() { json_any "$TMP/journal.json" "$1"; }
check "journalctl reads our entries back (SYSLOG_IDENTIFIER=bpfguard)" test -s "$TMP/journal.json"
check "the recorded call: BPFGUARD_SYSCALL=getpid, PRIORITY=5 (notice), native fields" \
	jq_any "e.get('BPFGUARD_SYSCALL') == 'getpid' and e['PRIORITY'] == '5' and e['BPFGUARD_EFFECT'] == 'recorded' and e['BPFGUARD_POLICY'] == 'jd' and e['BPFGUARD_CGROUP'] == '/$CGREL/app'"
check "the killed call: PRIORITY=4 (warning), effect killed, mechanism kill" \
	jq_any "e.get('BPFGUARD_SYSCALL') in ('mkdir', 'mkdirat') and e['PRIORITY'] == '4' and e['BPFGUARD_EFFECT'] == 'killed' and e['BPFGUARD_MECHANISM'] == 'kill'"
check "... with the schema's other fields (BPFGUARD_SCHEMA_VERSION, _HOST, _BOOT_ID, _CGROUP_ID, _ARGS)" \
	jq_any "e.get('BPFGUARD_SCHEMA_VERSION') == '1' and e['BPFGUARD_BOOT_ID'] == '$(cat /proc/sys/kernel/random/boot_id)' and e['BPFGUARD_CGROUP_ID'].isdigit() and len(e['BPFGUARD_ARGS'].split()) == 6"
check "MESSAGE is the text line (policy=jd ... syscall=...)" jq_any "'policy=jd' in e['MESSAGE'] and 'syscall=getpid' in e['MESSAGE']"
check "hostile comm: its entry is there, the newline replaced, the forged PRIORITY=0 only text inside BPFGUARD_COMM" \
	jq_any "isinstance(e.get('BPFGUARD_COMM'), str) and e['BPFGUARD_COMM'].startswith('z') and 'PRIORITY=0' in e['BPFGUARD_COMM'] and chr(10) not in e['BPFGUARD_COMM'] and e['PRIORITY'] == '5'"
check "hostile cgroup name: no ESC or BEL in BPFGUARD_CGROUP or MESSAGE, and the raw bytes kept in BPFGUARD_CGROUP_HEX" \
	jq_any "isinstance(e.get('BPFGUARD_CGROUP'), str) and e['BPFGUARD_CGROUP'].startswith('/$CGREL/app/h') and not set(e['BPFGUARD_CGROUP'] + e['MESSAGE']) & {chr(27), chr(7), chr(10)} and e.get('BPFGUARD_CGROUP_HEX', '').endswith('$(printf '%s' "$HCG" | od -An -tx1 | tr -d ' \n')')"
check "no entry has a PRIORITY other than 4 or 5, or a field the schema does not name" \
	python3 - "$TMP/journal.json" "$BG_SRCDIR/docs/event.schema.json" <<'PY'
import json, sys
props = set(json.load(open(sys.argv[2]))["properties"])
ok = True
for line in open(sys.argv[1]):
    e = json.loads(line)
    own = {k for k in e if k.startswith("BPFGUARD_")}
    allowed = {"BPFGUARD_" + p.upper() for p in props} | {"BPFGUARD_" + p.upper() + "_HEX" for p in props}
    if e.get("PRIORITY") not in ("4", "5") or own - allowed:
        print("#  bad entry:", e.get("PRIORITY"), sorted(own - allowed))
        ok = False
sys.exit(0 if ok else 1)
PY
if [ "$FAIL" != 0 ]; then
	sed 's/^/#   /' "$TMP/ns.out" "$TMP/journald.log" "$TMP/daemon.log" "$TMP/journalctl.err" 2>/dev/null | tail -n 30
	head -c 2000 "$TMP/journal.json" | sed 's/^/#   /'
fi
"$BPFGUARD" detach --cgroup "$CGREL/app" > /dev/null
rmdir "$CG/app/$HCG" 2> /dev/null
finish

#!/bin/bash
# Audit mode records what would be denied and changes nothing; the JSON
# event carries every documented field with the right values.
. "$(dirname "$0")/lib.sh"

P=$(policy audit <<'POL'
name audit-demo
default allow
errno(EACCES) mkdir
POL
)
expect_rc 0 "attach in audit mode" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$P" --mode audit
check "attach reports the audit mechanism" grep -q "audit" "$TMP/out"

"$SYSPROBE" --cgroup "$CG" pid mkdir "$TMP/made" getpid > "$TMP/probe" 2>&1
rc=$?
PID=$(awk '/^pid:/ {print $2}' "$TMP/probe")
check "audited process ran to the end (exit $rc)" test "$rc" = 0
check "audit mode changed nothing: the directory was created" test -d "$TMP/made"

expect_rc 0 "bpfguard events exits 0 (one event queued)" "$BPFGUARD" events --json
cp "$TMP/out" "$TMP/events"
check "an event was drained, exactly one" test "$(wc -l < "$TMP/events")" = 1
check "event names mkdir/83/x86_64 with errno 13 recorded" json_any "$TMP/events" \
	"e['syscall']=='mkdir' and e['nr']==83 and e['abi']=='x86_64' and e['action']=='errno' and e['errno']==13 and e['effect']=='recorded' and e['mechanism']=='audit'"
check "event carries policy, cgroup path and id" json_any "$TMP/events" \
	"e['policy']=='audit-demo' and e['cgroup']=='/$CGREL' and e['cgroup_id']==$(stat -c %i "$CG") and e['mode']=='audit'"
check "event carries pid, tid, uid, comm, count" json_any "$TMP/events" \
	"e['pid']==$PID and e['tid']==$PID and e['uid']==0 and e['comm']=='sysprobe' and e['count']==1 and e['type']=='syscall'"
check "time is RFC 3339 UTC with nanoseconds, close to now" json_any "$TMP/events" \
	"__import__('re').fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z', e['time']) is not None and abs(__import__('datetime').datetime.strptime(e['time'][:19], '%Y-%m-%dT%H:%M:%S').replace(tzinfo=__import__('datetime').timezone.utc).timestamp() - __import__('time').time()) < 60"
check "getpid (allowed) produced no event" bash -c "! grep -q '\"getpid\"' '$TMP/events'"
check "mkdir argument registers are recorded, mode 0755" json_any "$TMP/events" "e['args'][1]==0o755"

"$BPFGUARD" events --json > "$TMP/events2"
check "a second drain finds the queue empty" test ! -s "$TMP/events2"

"$BPFGUARD" status --json > "$TMP/status"
check "status counts exactly one mkdir denial" test "$(json_eval "$TMP/status" "[d['count'] for a in j['attachments'] for d in a['denials'] if d['syscall']=='mkdir'][0]")" = 1
check "status names policy, mode and mechanism" test "$(json_eval "$TMP/status" "(j['attachments'][0]['policy'], j['attachments'][0]['mode'], 'audit' in j['attachments'][0]['mechanisms'])")" = "('audit-demo', 'audit', True)"

"$BPFGUARD" events > "$TMP/text" # text form
"$SYSPROBE" --cgroup "$CG" mkdir "$TMP/made2" > /dev/null
"$BPFGUARD" events > "$TMP/text"
check "text events name the syscall and cgroup" grep -q "cgroup=/$CGREL policy=audit-demo .*syscall=mkdir(83)" "$TMP/text"
finish

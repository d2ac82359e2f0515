#!/bin/bash
# Exact per-(cgroup, syscall) counters under a denial storm, a bounded
# event rate per cgroup, and suppressed counts carried into later events.
. "$(dirname "$0")/lib.sh"

P=$(policy storm <<'POL'
name storm
default allow
log mkdir
POL
)
expect_rc 0 "attach with --rate-limit 50" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$P" --rate-limit 50
N=20000
"$SYSPROBE" --cgroup "$CG" repeat-mkdir $N > /dev/null
sleep 1.2 # next rate window
"$SYSPROBE" --cgroup "$CG" mkdir "$TMP/last" > /dev/null

"$BPFGUARD" status --json > "$TMP/st"
check "exact counter: $((N + 1)) mkdir calls logged" test "$(json_eval "$TMP/st" "j['attachments'][0]['denials_total']")" = $((N + 1))
check "events were rate-limited" test "$(json_eval "$TMP/st" "j['events_rate_limited'] > 0")" = True
check "no events lost" test "$(json_eval "$TMP/st" "j['events_lost']")" = 0

drain_events
python3 - "$TMP/events" > "$TMP/sum" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(len(ev), sum(e["count"] for e in ev), max(e["suppressed"] for e in ev))
PY
read -r nev total maxsup < "$TMP/sum"
check "event volume bounded ($nev events for $((N + 1)) calls)" test "$nev" -le 200
check "counts carried in events add up to every call ($total)" test "$total" = $((N + 1))
check "a later event carried the suppressed calls ($maxsup)" test "$maxsup" -gt 0

# With no rate limit every call is an event.
expect_rc 0 "re-attach with --rate-limit 0" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$P" --rate-limit 0
"$SYSPROBE" --cgroup "$CG" repeat-mkdir 300 > /dev/null
drain_events
check "300 calls, 300 events without a limit" test "$(wc -l < "$TMP/events")" = 300
finish

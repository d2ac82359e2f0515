#!/bin/bash
# Map writes of attach whose failure would leave a policy unenforced (the
# policy slot, argument rules, network value, exec flags, rate limit, the
# record, a cgroup entry, its sys_enter filter bit) used to go unchecked,
# and so did the rollback.  With fault injection (a test build:
# -DBPFGUARD_TEST_HOOKS=ON), each one failing during a replace must leave
# the previous policy in force, say one line and exit 1; a rollback that
# fails too must say what remains and what to do, and fail closed.  In a
# default build BPFGUARD_FAIL_AT must not exist at all.
. "$(dirname "$0")/../integration/lib.sh"


A=$(policy a <<'POL'
name a
default allow
kill mkdir
POL
)
B=$(policy b <<EOF
name b
default allow
log getpid if arg0 == 7
net none
exec allow /bin/true
exec allow $SYSPROBE
exec allow /bin/sh
exec allow /bin/bash
exec allow /usr/bin/bash
EOF
)
mkdir -p "$CG/x" "$CG/y"
killed() { "$SYSPROBE" --cgroup "$CG/$1" mkdir "$TMP/k.$RANDOM" > /dev/null 2>&1; test $? = 137; }
policy_of() { "$BPFGUARD" status --json > "$TMP/st" &&
	json_eval "$TMP/st" "[a['policy'] for a in j['attachments'] if a['cgroup'] == '/$CGREL/$1']"; }

if ! test_hooks; then
	# default build: the variable is not read, the string is not there
	check "a default build has no BPFGUARD_FAIL_AT in it" bash -c "! grep -q BPFGUARD_FAIL_AT '$BPFGUARD'"
	expect_rc 0 "a default build ignores BPFGUARD_FAIL_AT" env BPFGUARD_FAIL_AT=reconcile \
		"$BPFGUARD" attach --cgroup "$CGREL/x" --policy "$A"
	check "... and the attach is in force" killed x
	finish
fi

expect_rc 0 "previous state: policy a on x" "$BPFGUARD" attach --cgroup "$CGREL/x" --policy "$A"
for step in slot argrules netpol exec-flags ratelimit record cgentry filter reconcile cghooks links; do
	expect_rc 1 "replace failing at the $step write" env BPFGUARD_FAIL_AT=$step \
		"$BPFGUARD" attach --cgroup "$CGREL/x" --policy "$B" --rate-limit 5
	check "... one line: attach failed, nothing changed" \
		bash -c "test \$(wc -l < '$TMP/err') = 1 && grep -q 'attach failed, nothing changed' '$TMP/err'"
	check "... the record is still policy a" test "$(policy_of x)" = "['a']"
	check "... and policy a is still enforced" killed x
done
"$BPFGUARD" status --json > "$TMP/st"
check "the rate limit was not changed by the failed attaches" \
	bash -c "! '$BPFGUARD' status | grep -q 'rate limit: 5'"

# a fresh attach whose filter-bit write fails: nothing half-attached
expect_rc 1 "fresh attach failing at the filter bit" env BPFGUARD_FAIL_AT=filter \
	"$BPFGUARD" attach --cgroup "$CGREL/y" --policy "$A"
check "... no record for y" test "$(policy_of y)" = "[]"
check "... and y is not judged" bash -c "! killed y"

# the rollback failing too: said, with what remains and what to do; the
# cgroup keeps a whole policy (never an emptied, allow-all slot)
expect_rc 1 "attach failing, and its rollback failing too" env BPFGUARD_FAIL_AT=reconcile,cgentry-del \
	"$BPFGUARD" attach --cgroup "$CGREL/y" --policy "$A"
check "... says the undo failed and what remains" grep -q "undoing it failed too, and this remains: " "$TMP/err"
check "... and what to do about it" grep -q "bpfguard reset" "$TMP/err"
check "... one line" test "$(wc -l < "$TMP/err")" = 1
check "... fails closed: y is still judged by a whole policy" killed y
"$BPFGUARD" reset > /dev/null

# detach whose entry removal fails: said, exit 1
"$BPFGUARD" attach --cgroup "$CGREL/x" --policy "$A" > /dev/null
expect_rc 1 "detach failing to remove the cgroup entries" env BPFGUARD_FAIL_AT=cgentry-del \
	"$BPFGUARD" detach --cgroup "$CGREL/x"
check "... says what remains" grep -q "keep its policy" "$TMP/err"
finish

#!/bin/bash
# The command framework (user/cli/commands.h): every verb of every level
# answers --help (exit 0, a Usage line on stdout), an unknown verb at any
# level is one line and exit 2, the global -j/-p and a command's own --json
# give JSON that parses (compact: one line; pretty: indented), the generated
# completion offers every verb and every long option the parsers accept,
# and the top-level help is generated from the table (policy export|diff|
# merge included).  Needs no BPF state.
BG_TEST_NO_BPF=1
. "$(dirname "$0")/lib.sh"

BG=$BPFGUARD
PY=$(command -v /usr/bin/python3 || command -v python3)
P=$BG_SRCDIR/policies
"$BG" __complete-data > "$TMP/tree.json"
check "__complete-data prints the command tree as JSON" python3 -c 'import json,sys; json.load(open(sys.argv[1]))["commands"][0]["name"]' "$TMP/tree.json"

# "LEVEL VERB" lines (LEVEL is "-" at the top), and "LEVEL VERB --opt" lines
python3 - "$TMP/tree.json" > "$TMP/verbs" 3> "$TMP/opts" <<'PY'
import json, os, sys
t = json.load(open(sys.argv[1]))["commands"]
o = os.fdopen(3, "w")
for c in t:
    print("-", c["name"])
    for x in c["options"]:
        print("-", c["name"], "--" + x["name"], file=o)
    for v in c.get("commands", []):
        print(c["name"], v["name"])
        for x in v["options"]:
            print(c["name"], v["name"], "--" + x["name"], file=o)
PY
check "the tree has the objects' verbs (policy merge, go verify-modcache, trust list)" \
	sh -c "grep -qx 'policy merge' '$TMP/verbs' && grep -qx 'go verify-modcache' '$TMP/verbs' && grep -qx 'trust list' '$TMP/verbs'"

# --- --help: every verb, every level, exit 0, Usage on stdout
bad=0
while read -r level verb; do
	words=($verb)
	[ "$level" = - ] || words=("$level" "$verb")
	"$BG" "${words[@]}" --help > "$TMP/h" 2> "$TMP/he"
	rc=$?
	if [ $rc != 0 ] || ! grep -q '^Usage' "$TMP/h"; then
		bad=1
		echo "    bpfguard ${words[*]} --help: exit $rc, stdout: $(head -c 200 "$TMP/h")"
	fi
done < "$TMP/verbs"
check "--help on every verb exits 0 and prints Usage on stdout" test $bad = 0
for w in help --help -h; do
	expect_rc 0 "bpfguard $w" "$BG" $w
	check "... prints the generated table" grep -q '^Usage: bpfguard' "$TMP/out"
done
for o in policy go trust; do
	for w in help --help -h; do
		"$BG" $o $w > "$TMP/h" 2>&1
		check "bpfguard $o $w: exit 0, the level's verbs" grep -q "^Usage: bpfguard $o VERB" "$TMP/h"
	done
	expect_rc 2 "bpfguard $o with no verb" "$BG" $o
done

# --- the top-level help is the table: nothing missing
"$BG" help > "$TMP/help"
check "top-level help lists policy check|groups|export|diff|merge" \
	grep -q 'policy check|groups|export|diff|merge' "$TMP/help"
check "... go's and trust's verbs" \
	sh -c "grep -q 'go inspect|verify|hash|verify-modcache' '$TMP/help' && grep -q 'trust add|remove|list' '$TMP/help'"
check "... and the global -j/-p" sh -c "grep -q -- '-j, --json' '$TMP/help' && grep -q -- '-p, --pretty' '$TMP/help'"
missing=$(awk '$1 == "-" { print $2 }' "$TMP/verbs" | while read -r c; do grep -q "^  $c\b" "$TMP/help" || echo "$c"; done)
check "... every command of the table${missing:+ (missing: $missing)}" test -z "$missing"

# --- unknown verbs: one line, exit 2, at every level
for level in "" policy go trust; do
	expect_rc 2 "unknown verb at level '${level:-top}'" "$BG" $level frobnicate
	check "... one line on stderr, naming it and the valid ones" \
		sh -c "[ \$(wc -l < '$TMP/err') = 1 ] && grep -q \"'frobnicate'; one of \" '$TMP/err' && ! [ -s '$TMP/out' ]"
done
expect_rc 2 "unknown global option" "$BG" --frobnicate status
check "... one line" test "$(wc -l < "$TMP/err")" = 1

# --- JSON: -j compact (one line), -p pretty, a command's --json is -j
parses() { python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1"; }
json_modes() { # json_modes NAME ARGS...: -j, -p, --json after the verb
	local name=$1
	shift
	"$BG" -j "$@" > "$TMP/j" 2> "$TMP/je"
	check "$name -j: JSON that parses, one line" sh -c "python3 -c 'import json,sys; json.load(open(sys.argv[1]))' '$TMP/j' && [ \$(wc -l < '$TMP/j') = 1 ]"
	"$BG" -p "$@" > "$TMP/p" 2> "$TMP/pe"
	check "$name -p: JSON that parses, indented" sh -c "python3 -c 'import json,sys; json.load(open(sys.argv[1]))' '$TMP/p' && [ \$(wc -l < '$TMP/p') -gt 1 ]"
	check "$name -j and -p: the same object" python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' "$TMP/j" "$TMP/p"
}
json_modes "policy check" policy check "$P/go-static.policy"
"$BG" policy check "$P/go-static.policy" --json > "$TMP/own"
check "policy check --json is -j" cmp -s "$TMP/own" "$TMP/j"
"$BG" -p policy check --json "$P/go-static.policy" > "$TMP/own"
check "... and -p before it keeps it pretty" cmp -s "$TMP/own" "$TMP/p"
json_modes "policy groups" policy groups
check "policy groups -j: the groups and their syscalls" \
	python3 -c 'import json,sys; g=json.load(open(sys.argv[1])); sys.exit(not any(x["name"]=="@default" and x["syscalls"] for x in g))' "$TMP/j"
json_modes "probe" probe
# the go command is itself a Go binary: a test binary with no build step
GOBIN=$(readlink -f "$(command -v go 2>/dev/null)" 2>/dev/null)
if [ -n "$GOBIN" ] && "$BG" go inspect "$GOBIN" > /dev/null 2>&1; then
	json_modes "go inspect" go inspect "$GOBIN"
else
	echo "# no Go binary at hand (go toolchain): go inspect's JSON modes are not checked here"
fi
mkdir -p "$TMP/mc/cache/download"
json_modes "go verify-modcache (empty cache)" go verify-modcache "$TMP/mc"
BPFGUARD_TRUST_STORE=$TMP/trust.list json_modes "trust list" trust list

# --- completion: generated from the same tree, offers all of it
COMP=${BG_BUILD:?}/completion/bpfguard
check "the build generated the completion" test -f "$COMP"
comp() { # comp WORDS... -> the completions of the last word
	bash -c '. /usr/share/bash-completion/bash_completion; . "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_bpfguard; printf "%s\n" "${COMPREPLY[@]}"' _ "$COMP" "$@"
}
if [ -r /usr/share/bash-completion/bash_completion ]; then
	miss=""
	while read -r level verb; do
		if [ "$level" = - ]; then got=$(comp bpfguard "$verb"); else got=$(comp bpfguard "$level" "$verb"); fi
		printf '%s\n' "$got" | grep -qx -- "$verb" || miss="$miss $level:$verb"
	done < "$TMP/verbs"
	check "completion offers every verb${miss:+ (missing:$miss)}" test -z "$miss"
	miss=""
	while read -r a b c; do
		if [ "$a" = - ]; then got=$(comp bpfguard "$b" "$c"); else got=$(comp bpfguard "$a" "$b" "$c"); fi
		printf '%s\n' "$got" | grep -qx -- "$c" || miss="$miss $a:$b:$c"
	done < "$TMP/opts"
	check "completion offers every long option of every verb${miss:+ (missing:$miss)}" test -z "$miss"
	check "... the ones the old hand-written file missed: daemon --check" test "$(comp bpfguard daemon --ch)" = --check
	check "... run --learn" test "$(comp bpfguard run --lea)" = --learn
	check "... policy merge --default-ia32" test "$(comp bpfguard policy merge --default-i)" = --default-ia32
	check "... after global options" test "$(comp bpfguard -j stat)" = status
	check "... go hash's kinds" test "$(comp bpfguard go hash "" | tr '\n' ' ')" = "zip dir gomod "
else
	not_ok "bash-completion is not installed (scripts/deps.txt has it)"
fi
# --- input the parser must say something about, not guess (issue 15)
: > "$TMP/empty.policy"
expect_rc 2 "an empty policy file is refused, not taken as deny-everything" "$BG" policy check "$TMP/empty.policy"
check "... one line saying what to write instead" grep -q "empty policy (no rule, no default); write \`default errno(EPERM)\`" "$TMP/err"
printf '# a comment\n\n   \n' > "$TMP/comments.policy"
expect_rc 2 "a policy of comments only is empty too" "$BG" policy check "$TMP/comments.policy"
printf 'name bom\ndefault allow\nkill ptrace\n' > "$TMP/plain.policy"
{ printf '\xef\xbb\xbf'; cat "$TMP/plain.policy"; } > "$TMP/bom.policy"
expect_rc 0 "a UTF-8 byte order mark is skipped" "$BG" policy check "$TMP/bom.policy"
"$BG" policy check "$TMP/plain.policy" > "$TMP/plain.out" 2>&1
"$BG" policy check "$TMP/bom.policy" 2>&1 | sed "s|$TMP/bom.policy|$TMP/plain.policy|" > "$TMP/bom.out"
check "... and the policy is the same as without it" cmp -s "$TMP/plain.out" "$TMP/bom.out"
printf '\xff\xfen\x00a\x00' > "$TMP/u16.policy"
expect_rc 2 "UTF-16 is refused by name" "$BG" policy check "$TMP/u16.policy"
check "... 'save the policy as UTF-8'" grep -q "UTF-16 text; save the policy as UTF-8" "$TMP/err"
expect_rc 1 "go inspect refuses a device before reading it (/dev/zero)" "$BG" go inspect /dev/zero
check "... saying so" grep -q "is a device, not read" "$TMP/err"
expect_rc 1 "policy derive refuses a device too" "$BG" policy derive /dev/zero
check "... saying so" grep -q "a device, not read" "$TMP/err"
GOFMT=$(go env GOROOT)/bin/gofmt # Debian's Go (scripts/setup installs golang-go)
check "a pipe is still read (go inspect /dev/stdin < a Go binary)" \
	sh -c "cat '$GOFMT' | '$BG' go inspect /dev/stdin | grep -q '^/dev/stdin: go1'"
# --- one exit code per answer; groups by name; warnings capped
expect_rc 4 "policy diff: different policies exit 4 (the answer is no), not 1 (a failure)" \
	"$BG" policy diff "$BG_SRCDIR/policies/go-static.policy" "$BG_SRCDIR/policies/strict.policy"
expect_rc 0 "policy groups NAME: only that group" "$BG" policy groups @go-runtime
check "... and no other" sh -c "grep -c '^@' '$TMP/out' | grep -qx 1 && grep -qx '@go-runtime' '$TMP/out'"
expect_rc 0 "policy groups accepts names without '@'" "$BG" policy groups go-runtime
expect_rc 2 "policy groups: an unknown name is an error" "$BG" policy groups no-such-group
check "... naming it" grep -q "no group 'no-such-group'" "$TMP/err"
"$PY" -c "
import json
print(json.dumps({'defaultAction': 'SCMP_ACT_ERRNO',
                  'syscalls': [{'names': ['nosuchcall%d' % i], 'action': 'SCMP_ACT_ALLOW'} for i in range(2000)]}))" > "$TMP/many.json"
expect_rc 0 "a profile with 2000 unknown names still loads" "$BG" policy check "$TMP/many.json"
check "... with 50 warnings printed, not 2000" test "$(grep -c 'unknown syscall' "$TMP/err")" = 50
check "... and the rest counted in one line" grep -qx "bpfguard: warning: 1950 more warnings not shown (the first 50 were)" "$TMP/err"
# --- one error prefix, one form for a bad option, whatever the command
for cmd in "attach" "detach" "reset" "run" "daemon" "events" "status" "probe" "policy check" "policy export" \
	"go inspect" "trust list" "learn"; do
	"$BG" $cmd --no-such-option > /dev/null 2> "$TMP/err"
	rc=$?
	check "bpfguard $cmd --no-such-option: one line 'bpfguard: $cmd: unknown option' (exit $rc)" \
		sh -c "[ \$(wc -l < '$TMP/err') = 1 ] && grep -q \"^bpfguard: $cmd: unknown option '--no-such-option'; see bpfguard $cmd --help\" '$TMP/err' && [ $rc != 0 ]"
done
finish

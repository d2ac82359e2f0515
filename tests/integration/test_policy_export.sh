#!/bin/bash
# test_policy_export.sh - `bpfguard policy export | diff | merge` end to end.
#
# export: the shipped policies and Docker's default profile become Docker
# and OCI profiles that `policy check` reads and `policy diff` finds
# equivalent to the original; refusals are one line with exit 3.  The bpf
# format is the program `bwrap --seccomp FD` installs: under bwrap a denied
# call fails with the policy's errno, a killed one dies of SIGSYS, an
# allowed one works (real kernel).  Where Debian's python3-seccomp is
# present, the JSON profile is also loaded through libseccomp the way runc
# does and judged by the same calls.  Docker itself is not installed here.
# diff: exit 0 / 1 / 2, review lines, JSON.  merge: union, defaults,
# conflicts, output that `policy check` reads.
# Uses no BPF state (BG_TEST_NO_BPF).
# shellcheck disable=SC2034 # read by lib.sh
BG_TEST_NO_BPF=1
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

BG="$BPFGUARD"
P=$BG_SRCDIR/policies
MOBY=${BG_SHARED:-$BG_SRCDIR/../shared}/data/seccomp/moby-default.json
PY=$(command -v /usr/bin/python3 || command -v python3)

# json_true FILE PYEXPR: passes if PYEXPR (j = the decoded file) is true
json_true() {
	"$PY" - "$1" "$2" <<'PYX'
import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2], {}, {"j": j}) else 1)
PYX
}

# one_line FILE: stderr holds exactly one error line (warnings aside)
one_line() { [ "$(grep -vc '^bpfguard: warning:' "$1")" = 1 ]; }

# --- export: JSON round trips -------------------------------------------------
for f in "$P"/go-static.policy "$P"/go-server.policy "$P"/strict.policy "$MOBY"; do
	n=$(basename "$f")
	for fmt in docker oci; do
		out=$TMP/$n.$fmt.json
		expect_rc 0 "export $n --format $fmt" "$BG" policy export --format "$fmt" -o "$out" "$f"
		expect_rc 0 "policy check reads the $fmt export of $n" "$BG" policy check "$out"
		expect_rc 0 "policy diff: $n and its $fmt export are equivalent" "$BG" policy diff "$f" "$out"
	done
	check "docker export of $n lists no x32" bash -c "! grep -q SCMP_ARCH_X32 '$TMP/$n.docker.json'"
done
check "OCI export has architectures, Docker export an archMap" \
	json_true "$TMP/strict.policy.oci.json" "j['architectures'] == ['SCMP_ARCH_X86_64'] and 'archMap' not in j"
check "Docker default profile keeps ia32 (SCMP_ARCH_X86)" \
	json_true "$TMP/moby-default.json.docker.json" "j['archMap'][0]['subArchitectures'] == ['SCMP_ARCH_X86']"
check "strict: clone allowed only without namespace flags (one MASKED_EQ rule)" \
	json_true "$TMP/strict.policy.docker.json" \
	"[e['args'] for e in j['syscalls'] if e['names'] == ['clone'] and e['action'] == 'SCMP_ACT_ALLOW'] == [[{'index': 0, 'value': 0x70020000, 'valueTwo': 0, 'op': 'SCMP_CMP_MASKED_EQ'}]]"
check "strict: clone3 gets errnoRet ENOSYS" \
	json_true "$TMP/strict.policy.docker.json" \
	"any('clone3' in e['names'] and e['errnoRet'] == 38 for e in j['syscalls'])"

# --- export: refusals -----------------------------------------------------------
sec=$(policy sections <<'EOF'
default errno(EPERM)
allow read write
net family inet
dev allow c 1:3 rw
EOF
)
expect_rc 3 "a net section is refused" "$BG" policy export --format docker "$sec"
check "... naming the section, its line and --drop-sections" \
	grep -q "the net section (line 3) has no seccomp equivalent.*--drop-sections" "$TMP/err"
check "... on one line" one_line "$TMP/err"
expect_rc 0 "--drop-sections exports the syscall rules" "$BG" policy export --format oci --drop-sections "$sec"
check "... and warns once per dropped section" bash -c "[ \$(grep -c 'warning: .*dropping the' '$TMP/err') = 2 ]"

per_abi=$(policy per-abi <<'EOF'
default errno(EPERM)
default ia32 errno(EPERM)
allow read
EOF
)
expect_rc 3 "different rules per ABI for one name are refused" "$BG" policy export --format docker "$per_abi"
check "... saying which name and what to do" grep -q "ia32 read gives errno(1) where x86_64 read gives allow.*--no-ia32" "$TMP/err"
expect_rc 0 "--no-ia32 exports without SCMP_ARCH_X86" "$BG" policy export --format docker --no-ia32 "$per_abi"
check "... with a warning that ia32 calls are killed" grep -q "warning: .*every ia32 (int \$0x80) call will be killed" "$TMP/err"
expect_rc 2 "an unknown format is bad input" "$BG" policy export --format yaml "$P/strict.policy"
expect_rc 2 "a missing file is bad input" "$BG" policy export --format oci "$TMP/nope.policy"
if command -v script > /dev/null; then
	script -qec "$BG policy export --format bpf $P/strict.policy" /dev/null > "$TMP/tty" 2>&1
	check "bpf to a terminal is refused, suggesting -o" grep -q "refusing to write a binary seccomp program to a terminal; pass -o FILE" "$TMP/tty"
fi

# --- export --format bpf under bwrap ------------------------------------------
if ! command -v bwrap > /dev/null; then
	apt-get install -y bubblewrap > /dev/null 2>&1
fi
deny=$(policy deny <<'EOF'
# default deny: what a dynamically linked sysprobe needs, minus a few calls
default errno(EPERM)
allow @system-service
log execve
errno(EROFS) mkdir mkdirat
kill unshare
EOF
)
expect_rc 0 "export --format bpf -o" "$BG" policy export --format bpf -o "$TMP/deny.bpf" "$deny"
check "the program is struct sock_filter[] (8 bytes an instruction)" \
	bash -c "s=\$(stat -c %s '$TMP/deny.bpf'); [ \$s -gt 0 ] && [ \$((s % 8)) = 0 ]"
"$BG" policy export --format bpf "$deny" > "$TMP/deny2.bpf"
check "stdout gives the same program" cmp -s "$TMP/deny.bpf" "$TMP/deny2.bpf"

# sandboxed CMD...: run under the exported program with bwrap
sandboxed() { bwrap --bind / / --dev /dev --proc /proc --seccomp 9 "$@" 9< "$TMP/prog.bpf"; }

# under FILTER WHAT ACTION WANT: sysprobe ACTION's output line is WANT
under() {
	local prog=$1 what=$2 want=$3 out rc
	shift 3
	cp "$prog" "$TMP/prog.bpf"
	out=$(sandboxed "$SYSPROBE" "$@" 2>&1)
	rc=$?
	if [ "$want" = SIGSYS ]; then
		if [ $rc = 159 ]; then ok "$what (SIGSYS)"; else not_ok "$what: exit $rc, wanted SIGSYS: $out"; fi
	elif printf '%s\n' "$out" | grep -qx "$want"; then
		ok "$what ($want)"
	else
		not_ok "$what: '$out', wanted '$want'"
	fi
}

if ! command -v bwrap > /dev/null; then
	echo "ok - # SKIP bwrap tests: bubblewrap not installed (apt-get install bubblewrap)"
elif ! bwrap --bind / / true 2> "$TMP/err"; then
	echo "ok - # SKIP bwrap tests: bwrap does not run here: $(head -1 "$TMP/err")"
else
	under "$TMP/deny.bpf" "bwrap: allowed getpid works" "getpid: ok" getpid
	under "$TMP/deny.bpf" "bwrap: mkdir fails with the policy's errno" "mkdir: errno 30" mkdir "$TMP/d1"
	under "$TMP/deny.bpf" "bwrap: a call the policy does not name gets the default EPERM" \
		"ptrace-traceme: errno 1" ptrace-traceme
	under "$TMP/deny.bpf" "bwrap: a killed call dies of SIGSYS" SIGSYS unshare-user
	under "$TMP/deny.bpf" "bwrap: x32 calls are killed" SIGSYS x32-getpid
	check "... and the directory was not made" test ! -e "$TMP/d1"
	"$BG" policy export --format bpf -o "$TMP/static.bpf" "$P/strict.policy"
	under "$TMP/static.bpf" "bwrap + strict.policy: ptrace is killed" SIGSYS ptrace-traceme
fi

# --- the JSON profile through libseccomp, as runc loads it ----------------------
if [ -n "$PY" ] && ! "$PY" -c 'import seccomp' 2> /dev/null; then
	apt-get install -y python3-seccomp > /dev/null 2>&1
fi
cat > "$TMP/runc_load.py" <<'PY'
# Loads a Docker/OCI seccomp profile the way runc's libcontainer/seccomp
# does (one libseccomp rule per entry and name, args ANDed, entries with
# the default action and unknown names skipped), then execs argv[2:].
import json, os, sys, seccomp
prof = json.load(open(sys.argv[1]))
def act(name, err):
    return {"SCMP_ACT_ALLOW": seccomp.ALLOW, "SCMP_ACT_LOG": seccomp.LOG,
            "SCMP_ACT_KILL_PROCESS": seccomp.KILL_PROCESS,
            "SCMP_ACT_ERRNO": seccomp.ERRNO(1 if err is None else err)}[name]
ops = {"SCMP_CMP_EQ": seccomp.EQ, "SCMP_CMP_NE": seccomp.NE, "SCMP_CMP_LT": seccomp.LT,
       "SCMP_CMP_LE": seccomp.LE, "SCMP_CMP_GT": seccomp.GT, "SCMP_CMP_GE": seccomp.GE,
       "SCMP_CMP_MASKED_EQ": seccomp.MASKED_EQ}
dflt = act(prof["defaultAction"], prof.get("defaultErrnoRet"))
f = seccomp.SyscallFilter(dflt)
arches = prof.get("architectures") or (prof["archMap"][0].get("subArchitectures") or [])
if "SCMP_ARCH_X86" in arches:
    f.add_arch(seccomp.Arch.X86)
for e in prof["syscalls"]:
    a = act(e["action"], e.get("errnoRet"))
    if a == dflt:
        continue
    args = [seccomp.Arg(x["index"], ops[x["op"]], x["value"], x.get("valueTwo", 0))
            for x in e.get("args") or []]
    for n in e["names"]:
        if seccomp.resolve_syscall(seccomp.Arch.NATIVE, n) == -1:
            continue  # __NR_SCMP_ERROR: runc skips names libseccomp does not know
        f.add_rule(a, n, *args)
f.load()
os.execv(sys.argv[2], sys.argv[2:])
PY
if [ -z "$PY" ] || ! "$PY" -c 'import seccomp' 2> /dev/null; then
	echo "ok - # SKIP libseccomp loading: python3-seccomp not installed (apt-get install python3-seccomp)"
else
	expect_rc 0 "export the deny policy as an OCI profile" "$BG" policy export --format oci -o "$TMP/deny.json" "$deny"
	# runtime CMD...: the profile through libseccomp, then CMD
	runtime() {
		local what=$1 want=$2 out rc
		shift 2
		out=$("$PY" "$TMP/runc_load.py" "$TMP/deny.json" "$SYSPROBE" "$@" 2>&1)
		rc=$?
		if [ "$want" = SIGSYS ]; then
			if [ $rc = 159 ]; then ok "$what (SIGSYS)"; else not_ok "$what: exit $rc, wanted SIGSYS: $out"; fi
		elif printf '%s\n' "$out" | grep -qx "$want"; then
			ok "$what ($want)"
		else
			not_ok "$what: '$out', wanted '$want'"
		fi
	}
	runtime "libseccomp-loaded profile: getpid works" "getpid: ok" getpid
	runtime "libseccomp-loaded profile: mkdir gets EROFS" "mkdir: errno 30" mkdir "$TMP/d2"
	runtime "libseccomp-loaded profile: the default is EPERM" "ptrace-traceme: errno 1" ptrace-traceme
	runtime "libseccomp-loaded profile: unshare is killed" SIGSYS unshare-user
	runtime "libseccomp-loaded profile: x32 is killed" SIGSYS x32-getpid
fi

# --- diff ----------------------------------------------------------------------
expect_rc 4 "diff go-static go-server: different (exit 4)" "$BG" policy diff "$P/go-static.policy" "$P/go-server.policy"
check "... review lines for socket's conditional rules" grep -q "^+ socket: allow if arg0 == 0x2; allow if arg0 == 0xa; allow if arg0 == 0x1; else errno(EPERM)$" "$TMP/out"
check "... and for a plain difference" grep -q "^- pwrite64: allow$" "$TMP/out"
check "... and a summary" grep -q "^# [0-9]* syscalls differ" "$TMP/out"
expect_rc 4 "diff --json" "$BG" policy diff --json "$P/go-static.policy" "$P/go-server.policy"
cp "$TMP/out" "$TMP/diff.json"
check "... says not equivalent and lists socket with an example" json_true "$TMP/diff.json" \
	"j['equivalent'] is False and any(s['syscall'] == 'socket' and 'example' in s for s in j['syscalls'])"
expect_rc 0 "diff of a policy with itself: exit 0" "$BG" policy diff "$P/strict.policy" "$P/strict.policy"
grp=$(policy grp <<'EOF'
default errno(EPERM)
allow @basic-io
EOF
)
names=$(policy names <<'EOF'
default errno(EPERM)
allow close close_range dup dup2 dup3 lseek pread64 preadv preadv2 pwrite64 pwritev pwritev2 read readv write writev
EOF
)
expect_rc 0 "a group and its members listed one by one are equal" "$BG" policy diff "$grp" "$names"
expect_rc 2 "diff with a missing file: exit 2" "$BG" policy diff "$P/strict.policy" "$TMP/nope"
expect_rc 2 "diff with one file: exit 2" "$BG" policy diff "$P/strict.policy"

# --- merge ---------------------------------------------------------------------
expect_rc 0 "merge go-static go-server" "$BG" policy merge --name go-both -o "$TMP/both.policy" \
	"$P/go-static.policy" "$P/go-server.policy"
check "... reports the conflicting denials on stderr" grep -q "warning: merge: .*says" "$TMP/err"
expect_rc 0 "... and policy check reads the result" "$BG" policy check "$TMP/both.policy"
check "... named as asked" grep -q "^name go-both$" "$TMP/out"
expect_rc 4 "the merge differs from go-static" "$BG" policy diff "$P/go-static.policy" "$TMP/both.policy"
check "... never by denying what go-static allows" bash -c "! grep -q '^- [a-z0-9_]*: allow' '$TMP/out'"
expect_rc 0 "merging a policy with itself changes nothing" "$BG" policy merge -o "$TMP/self.policy" "$P/strict.policy" "$P/strict.policy"
expect_rc 0 "... (diff says equivalent)" "$BG" policy diff "$P/strict.policy" "$TMP/self.policy"
expect_rc 2 "merging policies whose ia32 defaults differ is refused" "$BG" policy merge "$P/strict.policy" "$MOBY"
check "... saying what to pass" grep -q "the ia32 defaults differ.*--default-ia32 ACTION" "$TMP/err"
expect_rc 0 "... and --default-ia32 kill merges them" "$BG" policy merge --default-ia32 kill -o "$TMP/sm.policy" "$P/strict.policy" "$MOBY"
expect_rc 0 "... into a policy that exports again (bpf)" "$BG" policy export --format bpf -o "$TMP/sm.bpf" "$TMP/sm.policy"
expect_rc 3 "... but not as one profile: its ia32 rules come with another default" \
	"$BG" policy export --format oci "$TMP/sm.policy"
expect_rc 2 "merge needs two policies" "$BG" policy merge "$P/strict.policy"
expect_rc 2 "merge --default takes an action" "$BG" policy merge --default maybe "$P/strict.policy" "$P/go-static.policy"

expect_rc 0 "policy help lists export, diff and merge" "$BG" policy help
check "... all three" bash -c "grep -q '^  export' '$TMP/out' && grep -q '^  diff' '$TMP/out' && grep -q '^  merge' '$TMP/out'"

finish

#!/bin/bash
# What `cmake --install` ships: man pages (generated from each command's
# --help, rendered by groff without warnings), bash completion (loaded by
# bash-completion, completing commands, verbs, option values and cgroups),
# the systemd unit (systemd-analyze verify) and the default daemon config,
# all placed under a DESTDIR by the install rules.
BG_TEST_NO_BPF=1
. "$(dirname "$0")/lib.sh"

BUILD=${BG_BUILD:?set BG_BUILD to the build directory}
D=$TMP/dest
DESTDIR=$D cmake --install "$BUILD" --prefix /usr > "$TMP/install.log" 2>&1
check "cmake --install into a DESTDIR succeeds" test $? = 0
check "... installs the program" test -x "$D/usr/bin/bpfguard"
check "... the man pages: bpfguard(8) and one per command" \
	sh -c "[ -f '$D/usr/share/man/man8/bpfguard.8' ] && [ \$(ls '$D/usr/share/man/man8' | grep -c '^bpfguard-') -ge 10 ]"
bad=0
check "... the file formats in section 5: bpfguard-policy(5), bpfguard.conf(5)" \
	test -f "$D/usr/share/man/man5/bpfguard-policy.5" -a -f "$D/usr/share/man/man5/bpfguard.conf.5"
check "... bpfguard.conf(5) documents the journal output and per_cgroup (rendered from docs/daemon.md)" \
	sh -c "grep -q 'type = journal' '$D/usr/share/man/man5/bpfguard.conf.5' && grep -q 'per_cgroup' '$D/usr/share/man/man5/bpfguard.conf.5'"
for m in "$D"/usr/share/man/man8/*.8 "$D"/usr/share/man/man5/*.5; do
	groff -man -ww -z "$m" 2> "$TMP/groff" || bad=1
	[ -s "$TMP/groff" ] && { bad=1; sed "s|^|    $(basename "$m"): |" "$TMP/groff"; }
done
check "every page renders with no groff warning" test $bad = 0
check "bpfguard-run(8) carries run's own --help (options cannot drift)" \
	grep -q 'require\\-static' "$D/usr/share/man/man8/bpfguard-run.8"
check "... the completion file" test -f "$D/usr/share/bash-completion/completions/bpfguard"
check "... the systemd unit" test -f "$D/usr/lib/systemd/system/bpfguard.service"
check "... the default config" test -f "$D/etc/bpfguard/bpfguard.conf"
check "... whose example policy path is where this install put the policies" \
	sh -c "grep -q '^#policy = /usr/share/bpfguard/policies/strict.policy' '$D/etc/bpfguard/bpfguard.conf' && test -f '$D/usr/share/bpfguard/policies/strict.policy'"
if command -v systemd-analyze > /dev/null; then
	# verify needs the ExecStart binary at its path: point it at the staged one
	sed "s|/usr/bin/bpfguard|$D/usr/bin/bpfguard|g" "$D/usr/lib/systemd/system/bpfguard.service" > "$TMP/bpfguard.service"
	systemd-analyze verify "$TMP/bpfguard.service" > "$TMP/sa" 2>&1
	check "systemd-analyze verify accepts the unit" sh -c "! grep -v -e 'Failed to prepare filename' -e 'not found' '$TMP/sa' | grep -qi 'bpfguard.service'"
else
	echo "# systemd-analyze not available: the unit is not verified here"
fi

# completion, through bash-completion's own loader
comp() { # comp WORDS... -> the completions of the last word
	bash -c '. /usr/share/bash-completion/bash_completion; . "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_bpfguard; printf "%s\n" "${COMPREPLY[@]}"' _ "$D/usr/share/bash-completion/completions/bpfguard" "$@"
}
has_line() { printf '%s\n' "$1" | grep -qx -- "$2"; }
if [ -r /usr/share/bash-completion/bash_completion ]; then
	check "completes commands: 'at' -> attach" test "$(comp bpfguard at)" = attach
	check "... go verbs" test "$(comp bpfguard go verify-m)" = verify-modcache
	check "... --mode values" test "$(comp bpfguard attach --mode "" | tr '\n' ' ')" = "audit enforce "
	check "... run options" has_line "$(comp bpfguard run --deny)" --deny-cgo
	mkdir -p "$CG2/bpfguard-comp-$$"
	check "... --cgroup from the cgroup2 mount" has_line "$(comp bpfguard attach --cgroup bpfguard-comp-)" "bpfguard-comp-$$"
	rmdir "$CG2/bpfguard-comp-$$"
else
	not_ok "bash-completion is not installed (scripts/deps.txt has it)"
fi
finish

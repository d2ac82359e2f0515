#!/bin/bash
# tests/layers/check.sh - the dependency rule of docs/architecture.md, proved
# by the compiler with the include paths the build gives each library:
#   - every header of a subsystem compiles on its own with that subsystem's
#     include path (headers are self-contained: a file can include any one
#     of them first);
#   - no header of a subsystem it does not depend on can be included (the
#     build would fail to compile such an #include; here we check that it
#     really fails, so the rule cannot silently rot into "everything sees
#     everything").
# Usage: check.sh CC SRCDIR NAME=DEP1,DEP2:INCDIR;INCDIR... [...]
# (tests/CMakeLists.txt passes one NAME=... argument per subsystem.)
set -u
cc=$1 src=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
declare -A deps incs
names=()
for a in "$@"; do
	name=${a%%=*} rest=${a#*=}
	deps[$name]=${rest%%:*}
	incs[$name]=${rest#*:}
	names+=("$name")
done
compiles() { # compiles NAME HEADER: does `#include "HEADER"` compile for NAME?
	local flags=() d
	IFS=';' read -ra dirs <<< "${incs[$1]}"
	for d in "${dirs[@]}"; do [ -n "$d" ] && flags+=("-I$d"); done
	printf '#include "%s"\nint bg_layers_check;\n' "$2" > "$tmp/t.c"
	"$cc" -std=gnu11 -fsyntax-only -Wall -Werror -D_GNU_SOURCE "${flags[@]}" "$tmp/t.c" 2> "$tmp/err"
}
for name in "${names[@]}"; do
	allowed=" $name ${deps[$name]//,/ } "
	for h in "$src"/user/"$name"/*.h; do
		[ -e "$h" ] || continue
		n=$((n + 1))
		if ! compiles "$name" "$(basename "$h")"; then
			echo "not ok - $name: $(basename "$h") does not compile on its own:"; sed 's/^/    /' "$tmp/err" | head -5
			fail=1
		fi
	done
	for other in "${names[@]}"; do
		case "$allowed" in *" $other "*) continue ;; esac
		h=$(ls "$src"/user/"$other"/*.h 2>/dev/null | head -1)
		[ -n "$h" ] || continue
		n=$((n + 1))
		if compiles "$name" "$(basename "$h")"; then
			echo "not ok - $name can include $other's $(basename "$h") although it does not depend on $other"
			fail=1
		fi
	done
done
if [ "$n" -lt 20 ]; then
	echo "not ok - only $n checks ran: the subsystem list is wrong"; fail=1
fi
[ $fail = 0 ] && echo "ok - $n layer checks: every header self-contained, no header of an undeclared layer visible"
exit $fail

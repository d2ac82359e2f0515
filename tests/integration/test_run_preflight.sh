#!/bin/bash
# bpfguard run's pre-flight checks, on real Go binaries built here with
# Debian's Go (static, cgo, with module dependencies from a file:// proxy):
# --sha256, --require-static, --deny-cgo, --gosum each pass what they
# should, refuse what they should with one line and their own exit code,
# and a refused program never starts.
. "$(dirname "$0")/lib.sh"

command -v go > /dev/null || { echo "go missing: scripts/setup installs golang-go" >&2; exit 1; }
export GOCACHE=$TMP/gocache GOPATH=$TMP/gopath GOFLAGS=
chmod 755 "$TMP"
(cd "$BG_SRCDIR/tests/go/hello" && GO111MODULE=off CGO_ENABLED=0 go build -o "$TMP/hello" .) &&
	(cd "$BG_SRCDIR/tests/go/cgo" && GO111MODULE=off CGO_ENABLED=1 go build -o "$TMP/cgo" .) ||
	{ not_ok "go build"; finish; }
# a module with real dependencies (h1: sums in its build info and go.sum)
python3 "$BG_SRCDIR/tests/go/mkproxy.py" "$TMP/proxy" "$BG_SRCDIR/tests/go/modules/greet@v1.0.0" \
	"$BG_SRCDIR/tests/go/modules/Upper@v1.2.3"
mkdir -p "$TMP/app"
cat > "$TMP/app/go.mod" <<'MOD'
module example.com/pfapp

go 1.19

require (
	example.com/Upper v1.2.3
	example.com/greet v1.0.0
)
MOD
cat > "$TMP/app/main.go" <<'GO'
package main

import (
	"fmt"

	upper "example.com/Upper"
	"example.com/greet"
)

func main() { fmt.Println(greet.Hello(), upper.Name()) }
GO
(cd "$TMP/app" && GOPROXY="file://$TMP/proxy" GOSUMDB=off GOFLAGS=-mod=mod GOMODCACHE="$TMP/modcache" \
	CGO_ENABLED=0 go build -o "$TMP/pfapp" .) || { not_ok "go build pfapp"; finish; }
ok "built hello (static), cgo (import \"C\") and pfapp (two modules)"
run() { "$BPFGUARD" run "$@"; }

sha=$(sha256sum "$TMP/hello" | cut -c1-64)
expect_rc 0 "--sha256 of the file: it runs" run --sha256 "$sha" -- "$TMP/hello"
check "... and printed its output (exec'd through the checked descriptor)" grep -q "hello, world" "$TMP/out"
expect_rc 110 "--sha256 of other content: refused" run --sha256 "$(printf '%064d' 7)" -- "$TMP/hello"
check "... one line with the real hash" sh -c "[ \$(wc -l < '$TMP/err') = 1 ] && grep -q 'sha256 is $sha' '$TMP/err'"
check "... nothing ran" test ! -s "$TMP/out"
expect_rc 125 "--sha256 that is not a hash: usage error" run --sha256 xyz -- "$TMP/hello"

expect_rc 0 "--require-static: a static Go binary runs" run --require-static -- "$TMP/hello"
expect_rc 112 "--require-static: the cgo binary (PT_INTERP) is refused" run --require-static -- "$TMP/cgo"
check "... the line says why" grep -q "dynamically linked: it names a program interpreter" "$TMP/err"
expect_rc 112 "--require-static: a dynamic C program is refused" run --require-static -- /bin/true

expect_rc 0 "--deny-cgo: pure Go runs" run --deny-cgo -- "$TMP/hello"
expect_rc 111 "--deny-cgo: import \"C\" is refused" run --deny-cgo -- "$TMP/cgo"
check "... with its evidence" grep -q "links C code (" "$TMP/err"
expect_rc 114 "--deny-cgo: a program that is not Go is refused" run --deny-cgo -- /bin/true
check "... one line" test "$(wc -l < "$TMP/err")" = 1

expect_rc 0 "--gosum: every module matches go.sum, it runs" \
	run --gosum "$TMP/app/go.sum" -- "$TMP/pfapp"
check "... and printed" grep -q "hello from greet Upper" "$TMP/out"
sed 's|^\(example.com/greet v1.0.0 h1:\).*|\1AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=|' "$TMP/app/go.sum" > "$TMP/bad.sum"
expect_rc 113 "--gosum with an altered line: refused" run --gosum "$TMP/bad.sum" -- "$TMP/pfapp"
check "... naming the module" grep -q "example.com/greet v1.0.0 is mismatch" "$TMP/err"
grep -v '^example.com/Upper v1.2.3 ' "$TMP/app/go.sum" > "$TMP/missing.sum"
expect_rc 113 "--gosum with a module missing: refused" run --gosum "$TMP/missing.sum" -- "$TMP/pfapp"
check "... naming it" grep -q "example.com/Upper v1.2.3 is missing" "$TMP/err"
expect_rc 114 "--gosum on a program that is not Go" run --gosum "$TMP/app/go.sum" -- /bin/true
expect_rc 125 "--gosum FILE that does not exist: clear error" run --gosum "$TMP/nope.sum" -- "$TMP/pfapp"
check "... nothing left behind" sh -c "! ls -d /sys/fs/cgroup/*/bpfguard.run/* 2>/dev/null"
finish

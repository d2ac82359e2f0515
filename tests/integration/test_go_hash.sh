#!/bin/bash
# test_go_hash.sh - `bpfguard go hash` and `bpfguard go verify-modcache`
# against the Go toolchain: the h1: hashes of generated zips, directories
# and go.mod files must equal what golang.org/x/mod/sumdb/dirhash computes
# (tests/go/dirhash-oracle, built offline), the hashes of real modules
# fetched by `go build` from a file:// proxy must equal the go.sum lines go
# wrote, and verify-modcache must agree with `go mod verify` on a clean
# cache and on caches tampered with in each way it can be.  Uses no BPF
# state; needs the go toolchain (Debian golang-go) and python3.
# shellcheck disable=SC2034 # read by lib.sh
BG_TEST_NO_BPF=1
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

# the distribution's interpreter when there is one: a version-manager shim
# in PATH can take seconds per start, and this test starts python often
PY=$(command -v /usr/bin/python3 || command -v python3)
if ! command -v go > /dev/null || [ -z "$PY" ]; then
	echo "not ok - the go toolchain and python3 are needed (apt-get install golang-go python3)"
	exit 1
fi

export GOCACHE=$TMP/gocache GOFLAGS='' GOENV=off GONOSUMDB='' GOPRIVATE='' GOWORK=off
unset GOMODCACHE GOPATH
BG="$BPFGUARD"
GO_SRC=$BG_SRCDIR/tests/go

# --- the oracle -------------------------------------------------------------
ORACLE=$TMP/oracle
if ! GO111MODULE=off GOPATH=/usr/share/gocode go build -o "$ORACLE" "$GO_SRC/dirhash-oracle/main.go" 2> "$TMP/err"; then
	echo "not ok - building the dirhash oracle (needs golang-golang-x-mod-dev in /usr/share/gocode)"
	cat "$TMP/err"
	exit 1
fi

# json_true FILE PYEXPR: the whole-file JSON (as j) makes PYEXPR true
json_true() { "$PY" -c 'import json, sys; j = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"; }

# same DESCRIPTION ORACLE_ARGS -- BPFGUARD_HASH_ARGS: both print the same h1:
same() {
	local what=$1 a=() b=() want got
	shift
	while [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	want=$("$ORACLE" "${a[@]}" 2>&1)
	got=$("$BG" go hash "${b[@]}" 2>&1)
	if [ "$got" = "$want" ] && [[ $want == h1:* ]]; then ok "$what ($got)"; else
		not_ok "$what: bpfguard '$got', dirhash '$want'"; fi
}

# --- generated trees: random names, nesting, empty files, MiBs, unicode ------
"$PY" - "$TMP/gen" <<'PY'
import os, random, sys, zipfile
out = sys.argv[1]
# Characters golang.org/x/mod allows in file names, plus Unicode letters.
alpha = 'abcdefghijklmnopqrstuvwxyz0123456789'
punct = "!#$%&()+,-=@[]^_{}~ "
uni = ['é', 'ü', 'ß', 'ñ', '日本', 'Ω', 'ж', 'ψ']
win = {'CON', 'PRN', 'AUX', 'NUL'} | {f'{p}{i}' for p in ('COM', 'LPT') for i in range(1, 10)}

def name(rng):
    while True:
        n = ''.join(rng.choice(alpha) for _ in range(rng.randint(1, 8)))
        if rng.random() < 0.3:
            n += rng.choice(uni)
        if rng.random() < 0.3:
            n += rng.choice(punct) + rng.choice(alpha)
        if rng.random() < 0.4:
            n += '.' + rng.choice(['go', 'txt', 'md', 'c'])
        if n.split('.')[0].upper() not in win and not n.endswith(('.', ' ')):
            return n

for seed in range(3):
    rng = random.Random(seed)
    mod = f'example.com/gen{seed}'
    ver = f'v1.{seed}.0'
    root = os.path.join(out, f'tree{seed}')
    os.makedirs(root)
    files, seen = [], set()
    dirs = ['']
    for i in range(rng.randint(30, 60)):
        d = rng.choice(dirs)
        if rng.random() < 0.25 and d.count('/') < 5:
            nd = os.path.join(d, name(rng))
            if nd.casefold() in seen:
                continue
            seen.add(nd.casefold())
            os.makedirs(os.path.join(root, nd), exist_ok=True)
            dirs.append(nd)
            continue
        f = os.path.join(d, name(rng))
        if f.casefold() in seen:
            continue
        seen.add(f.casefold())
        kind = rng.random()
        if kind < 0.2:
            data = b''
        elif kind < 0.6:
            data = (f'line {i} of {f}\n' * rng.randint(1, 2000)).encode()
        else:
            data = rng.randbytes(rng.randint(1, 50000))
        open(os.path.join(root, f), 'wb').write(data)
        files.append(f)
    # a few MiB: compressible and random
    open(os.path.join(root, 'big.txt'), 'wb').write(b'all work and no play\n' * 150000)
    open(os.path.join(root, 'big.bin'), 'wb').write(rng.randbytes(3 << 20))
    files += ['big.txt', 'big.bin']
    open(os.path.join(root, 'go.mod'), 'w').write(f'module {mod}\n\ngo 1.19\n')
    files.append('go.mod')
    with zipfile.ZipFile(os.path.join(out, f'tree{seed}.zip'), 'w') as z:
        for f in sorted(files):
            method = zipfile.ZIP_STORED if rng.random() < 0.3 else zipfile.ZIP_DEFLATED
            z.write(os.path.join(root, f), f'{mod}@{ver}/{f}', compress_type=method)
    open(os.path.join(out, f'tree{seed}.prefix'), 'w').write(f'{mod}@{ver}')
PY
for seed in 0 1 2; do
	p=$(cat "$TMP/gen/tree$seed.prefix")
	same "generated zip $seed" zip "$TMP/gen/tree$seed.zip" -- zip "$TMP/gen/tree$seed.zip"
	same "generated zip $seed, --prefix" zip "$TMP/gen/tree$seed.zip" -- zip "$TMP/gen/tree$seed.zip" --prefix "$p"
	same "generated dir $seed" dir "$TMP/gen/tree$seed" "$p" -- dir "$TMP/gen/tree$seed" --prefix "$p"
	same "generated go.mod $seed" gomod "$TMP/gen/tree$seed/go.mod" -- gomod "$TMP/gen/tree$seed/go.mod"
done
: > "$TMP/empty.mod"
same "zero-length go.mod" gomod "$TMP/empty.mod" -- gomod "$TMP/empty.mod"
check "zero-length go.mod is the published vector" \
	test "$("$BG" go hash gomod "$TMP/empty.mod")" = "h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY="
# a symbolic link in a directory is read through, as os.Open does
ln -s big.txt "$TMP/gen/tree0/link-to-big"
same "directory with a symbolic link" dir "$TMP/gen/tree0" m@v1 -- dir "$TMP/gen/tree0" --prefix m@v1

# --- real modules: go build from a file:// proxy -----------------------------
"$PY" "$GO_SRC/mkproxy.py" "$TMP/proxy" "$GO_SRC/modules/greet@v1.0.0" "$GO_SRC/modules/Upper@v1.2.3"
cp -r "$GO_SRC/modules" "$TMP/modules"
MC=$TMP/modcache
APP=$TMP/modules/app
gorun() { (cd "$APP" && env GOMODCACHE="$MC" "$@"); }
if ! gorun env GOPROXY="file://$TMP/proxy" GOSUMDB=off GOFLAGS=-mod=mod CGO_ENABLED=0 go build -o "$TMP/app" . 2> "$TMP/err"; then
	not_ok "go build of tests/go/modules/app from the file proxy"
	sed 's/^/    /' "$TMP/err"
	finish
fi
ok "go build fetched the modules into $MC"
gomodverify() { gorun env GOFLAGS=-mod=mod GOPROXY=off go mod verify; }

# every go.sum line go wrote, recomputed
n=0
while read -r path ver sum; do
	esc=$(sed 's/[A-Z]/!\L&/g' <<< "$path")
	if [[ $ver == */go.mod ]]; then
		v=${ver%/go.mod}
		check "go.sum $path $v/go.mod" test "$("$BG" go hash gomod "$MC/cache/download/$esc/@v/$v.mod")" = "$sum"
	else
		check "go.sum $path $ver: cached zip" test "$("$BG" go hash zip "$MC/cache/download/$esc/@v/$ver.zip")" = "$sum"
		check "go.sum $path $ver: cached zip, --prefix" \
			test "$("$BG" go hash zip "$MC/cache/download/$esc/@v/$ver.zip" --prefix "$path@$ver")" = "$sum"
		check "go.sum $path $ver: extracted dir" \
			test "$("$BG" go hash dir "$MC/$esc@$ver" --prefix "$path@$ver")" = "$sum"
		check "go.sum $path $ver: .ziphash" test "$(cat "$MC/cache/download/$esc/@v/$ver.ziphash")" = "$sum"
	fi
	n=$((n + 1))
done < "$APP/go.sum"
check "go.sum has the 4 lines of the 2 proxied modules" test "$n" = 4

# --- verify-modcache on the clean cache ------------------------------------
expect_rc 0 "verify-modcache on the clean cache" "$BG" go verify-modcache "$MC"
check "  says all modules verified" grep -qx "all modules verified" "$TMP/out"
gomodverify > "$TMP/gout" 2>&1
check "  as go mod verify does" grep -qx "all modules verified" "$TMP/gout"
expect_rc 0 "verify-modcache --json" "$BG" go verify-modcache "$MC" --json
check "  JSON: all verified, 2 checked, dirs and zips verified" json_true "$TMP/out" \
	'j["all_verified"] and j["checked"] == 2 and all(m["zip"]["status"] == "verified" and m["dir"]["status"] == "verified" for m in j["modules"])'
check "  JSON: the uppercase module path is unescaped" json_true "$TMP/out" \
	'any(m["path"] == "example.com/Upper" and m["version"] == "v1.2.3" for m in j["modules"])'
expect_rc 0 "GOMODCACHE from the environment" env GOMODCACHE="$MC" "$BG" go verify-modcache
mkdir -p "$TMP/gopath/pkg" && ln -s "$MC" "$TMP/gopath/pkg/mod"
expect_rc 0 "GOMODCACHE from the first GOPATH element" env GOPATH="$TMP/gopath:/nonexistent" "$BG" go verify-modcache
mkdir -p "$TMP/home/go/pkg" && ln -s "$MC" "$TMP/home/go/pkg/mod"
expect_rc 0 "GOMODCACHE from HOME/go/pkg/mod" env HOME="$TMP/home" "$BG" go verify-modcache
rm -f "$TMP/gopath/pkg/mod" "$TMP/home/go/pkg/mod"


GREET_DIR=$MC/example.com/greet@v1.0.0
GREET_V=$MC/cache/download/example.com/greet/@v
# --- tamper: a file in the extracted directory --------------------------------
chmod u+w "$GREET_DIR" "$GREET_DIR/greet.go"
cp "$GREET_DIR/greet.go" "$TMP/greet.go.orig"
echo "// tampered" >> "$GREET_DIR/greet.go"
expect_rc 5 "modified extracted file" "$BG" go verify-modcache "$MC"
check "  dir has been modified, for greet only" \
	grep -qx "example.com/greet v1.0.0: dir has been modified ($GREET_DIR)" "$TMP/out"
check "  Upper still verified (no line for it)" bash -c "! grep -q Upper '$TMP/out'"
gomodverify > "$TMP/gout" 2>&1
check "  go mod verify says the same" grep -qx "example.com/greet v1.0.0: dir has been modified ($GREET_DIR)" "$TMP/gout"
"$BG" go verify-modcache "$MC" --json > "$TMP/out"
check "  JSON: dir modified, zip verified" json_true "$TMP/out" \
	'[m["dir"]["status"] + "/" + m["zip"]["status"] for m in j["modules"] if m["path"] == "example.com/greet"] == ["modified/verified"]'
# an extra file in the directory is a modification too
cp "$TMP/greet.go.orig" "$GREET_DIR/greet.go"
echo extra > "$GREET_DIR/extra.go"
expect_rc 5 "extra file in the extracted directory" "$BG" go verify-modcache "$MC"
rm -f "$GREET_DIR/extra.go"
expect_rc 0 "restored directory verifies again" "$BG" go verify-modcache "$MC"

# --- tamper: the cached zip ---------------------------------------------------
cp "$GREET_V/v1.0.0.zip" "$TMP/greet.zip.orig"
chmod u+w "$GREET_V" "$GREET_V/v1.0.0.zip" 2> /dev/null
"$PY" - "$GREET_V/v1.0.0.zip" <<'PY'
import sys, zipfile
# the same names, one file's content changed: a valid zip with another hash
src = open(sys.argv[1], 'rb').read()
import io
zin = zipfile.ZipFile(io.BytesIO(src))
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as zout:
    for i in zin.infolist():
        data = zin.read(i)
        if i.filename.endswith('greet.go'):
            data = data.replace(b'hello', b'HELLO')
        zout.writestr(i.filename, data)
PY
expect_rc 5 "re-zipped cache zip with changed content" "$BG" go verify-modcache "$MC"
check "  zip has been modified" \
	grep -qx "example.com/greet v1.0.0: zip has been modified ($GREET_V/v1.0.0.zip)" "$TMP/out"
gomodverify > "$TMP/gout" 2>&1
check "  go mod verify says the same" grep -qx "example.com/greet v1.0.0: zip has been modified ($GREET_V/v1.0.0.zip)" "$TMP/gout"
# one byte flipped inside the compressed data
cp "$TMP/greet.zip.orig" "$GREET_V/v1.0.0.zip"
"$PY" - "$GREET_V/v1.0.0.zip" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read())
# the first local header's data starts after 30 + name + extra bytes
n, x = struct.unpack('<HH', b[26:30])
b[30 + n + x + 3] ^= 0x20
open(sys.argv[1], 'wb').write(b)
PY
expect_rc 5 "one byte flipped in the cached zip" "$BG" go verify-modcache "$MC"
check "  zip has been modified, with why" \
	grep -q "^example.com/greet v1.0.0: zip has been modified ($GREET_V/v1.0.0.zip): entry" "$TMP/out"
check "  go mod verify fails too" bash -c "! (cd '$APP' && GOMODCACHE='$MC' GOFLAGS=-mod=mod GOPROXY=off go mod verify) > /dev/null 2>&1"
cp "$TMP/greet.zip.orig" "$GREET_V/v1.0.0.zip"
expect_rc 0 "restored zip verifies again" "$BG" go verify-modcache "$MC"

# --- tamper: the .ziphash -------------------------------------------------------
cp "$GREET_V/v1.0.0.ziphash" "$TMP/greet.ziphash.orig"
chmod u+w "$GREET_V/v1.0.0.ziphash" 2> /dev/null
echo "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" > "$GREET_V/v1.0.0.ziphash"
expect_rc 5 "wrong .ziphash" "$BG" go verify-modcache "$MC"
check "  zip and dir both disagree with it" \
	test "$(grep -c "^example.com/greet v1.0.0: \(zip\|dir\) has been modified" "$TMP/out")" = 2
gomodverify > "$TMP/gout" 2>&1
check "  go mod verify says the same" \
	test "$(grep -c "^example.com/greet v1.0.0: \(zip\|dir\) has been modified" "$TMP/gout")" = 2
rm -f "$GREET_V/v1.0.0.ziphash"
expect_rc 5 "missing .ziphash" "$BG" go verify-modcache "$MC"
check "  missing ziphash" grep -q "^example.com/greet v1.0.0: missing ziphash" "$TMP/out"
gomodverify > "$TMP/gout" 2>&1
check "  go mod verify says the same" grep -q "^example.com/greet v1.0.0: missing ziphash" "$TMP/gout"
cp "$TMP/greet.ziphash.orig" "$GREET_V/v1.0.0.ziphash"

# --- a cache zip that breaks the module-zip rules, with a matching .ziphash ----
"$PY" - "$GREET_V/v1.0.0.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'a') as z:
    z.writestr('example.com/greet@v1.0.0/../../escape.go', 'package evil\n')
PY
"$ORACLE" zip "$GREET_V/v1.0.0.zip" > "$GREET_V/v1.0.0.ziphash"
expect_rc 5 "cache zip with a ../ entry, .ziphash matching it" "$BG" go verify-modcache "$MC"
check "  reported as an invalid module zip" grep -q "invalid module zip: .*escape.go.*invalid path element" "$TMP/out"
check "  and as a modified zip" grep -q "zip has been modified ($GREET_V/v1.0.0.zip): 1 module-zip rule violation" "$TMP/out"
cp "$TMP/greet.zip.orig" "$GREET_V/v1.0.0.zip"
cp "$TMP/greet.ziphash.orig" "$GREET_V/v1.0.0.ziphash"
# a directory still being extracted (.partial) is skipped, as go does
echo "// tampered" >> "$GREET_DIR/greet.go"
: > "$GREET_V/v1.0.0.partial"
expect_rc 0 "partially extracted directory is skipped" "$BG" go verify-modcache "$MC"
rm -f "$GREET_V/v1.0.0.partial"
cp "$TMP/greet.go.orig" "$GREET_DIR/greet.go"
expect_rc 0 "cache clean again" "$BG" go verify-modcache "$MC"

# --- bad input: one clear line, non-zero exit ---------------------------------
one_line() { [ "$(wc -l < "$TMP/err")" = 1 ] && grep -q "^bpfguard: go $1: " "$TMP/err"; }
expect_rc 1 "hash zip of a missing file" "$BG" go hash zip "$TMP/nonexistent.zip"
check "  one line naming the file" one_line "hash: $TMP/nonexistent.zip"
expect_rc 2 "hash zip of a file that is not a zip" "$BG" go hash zip "$APP/go.mod"
check "  one line" one_line "hash: $APP/go.mod"
expect_rc 2 "hash dir without --prefix" "$BG" go hash dir "$TMP/gen/tree1"
check "  one line asking for --prefix" bash -c "[ \$(wc -l < '$TMP/err') = 1 ] && grep -q -- '--prefix MODULE@VERSION' '$TMP/err'"
expect_rc 1 "hash dir of a missing directory" "$BG" go hash dir "$TMP/nope" --prefix m@v1
check "  one line" one_line "hash: $TMP/nope"
expect_rc 1 "hash gomod of a missing file" "$BG" go hash gomod "$TMP/nope.mod"
check "  one line" one_line "hash: $TMP/nope.mod"
expect_rc 2 "hash with no arguments" "$BG" go hash
expect_rc 2 "hash of an unknown kind" "$BG" go hash tarball x
expect_rc 2 "hash zip with a bad prefix" "$BG" go hash zip "$TMP/gen/tree1.zip" --prefix "example.com/other@v1.0.0"
check "  every entry reported, then a summary" grep -q "module-zip rule violations; not a valid Go module zip" "$TMP/err"
expect_rc 1 "verify-modcache of a missing directory" "$BG" go verify-modcache "$TMP/nope"
check "  one line" one_line "verify-modcache: $TMP/nope"
expect_rc 1 "verify-modcache of a directory that is not a module cache" "$BG" go verify-modcache "$TMP/gen"
check "  one line" one_line "verify-modcache: $TMP/gen"
expect_rc 2 "verify-modcache with two caches" "$BG" go verify-modcache "$MC" "$MC"
expect_rc 2 "verify-modcache with an unknown option" "$BG" go verify-modcache --fast

finish

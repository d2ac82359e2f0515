#!/bin/bash
# bpfguard go inspect / go verify, with Debian's Go toolchain as the oracle:
# real binaries (static, CGO_ENABLED=1 pure Go, net with cgo, import "C",
# PIE with -trimpath, strip, -s -w, a module build with proxy dependencies and
# a directory replacement, section headers removed) and the Go tools Debian
# ships.  For each: the text equals `go version -m` line for line, the cgo
# and static verdicts match the table in docs/go.md (and readelf), --json
# carries the same modules.  verify passes with the app's go.sum and fails
# (exit 5, module named) with an altered or missing line.  Non-Go input
# gives one clear line and exit 4; bad usage 2, unreadable input 1.
# Uses no BPF state.
BG_TEST_NO_BPF=1
. "$(dirname "$0")/lib.sh"

command -v go > /dev/null || { echo "go missing: scripts/setup installs golang-go" >&2; exit 1; }
command -v readelf > /dev/null || { echo "readelf missing (binutils)" >&2; exit 1; }
export GOCACHE=$TMP/gocache GOPATH=$TMP/gopath GOFLAGS= GO111MODULE=off
TAB=$'\t'
B=$TMP/bin
mkdir -p "$B"
G=$BG_SRCDIR/tests/go

# --- build everything once: NAME, cgo verdict, static verdict per the table
build() { # build OUT DIR ENV... -- GOBUILDARGS...
	local out=$1 dir=$2 envs=()
	shift 2
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	(cd "$dir" && env "${envs[@]}" go build "$@" -o "$B/$out" .) > "$TMP/build.log" 2>&1 ||
		{ not_ok "go build $out"; sed 's/^/    /' "$TMP/build.log"; finish; }
}
T0=$SECONDS
build hello-nocgo "$G/hello" CGO_ENABLED=0 --
build hello-cgo1 "$G/hello" CGO_ENABLED=1 --
# -buildmode=pie and -trimpath each rebuild the standard library (~30 s
# here; the default configurations use Debian's prebuilt one): one build
# has both
build hello-pie "$G/hello" CGO_ENABLED=0 -- -buildmode=pie -trimpath
build hello-sw "$G/hello" CGO_ENABLED=0 -- "-ldflags=-s -w"
build net-cgo "$G/server" CGO_ENABLED=1 --
build cgo "$G/cgo" CGO_ENABLED=1 --
cp "$B/hello-cgo1" "$B/hello-strip" && strip "$B/hello-strip"
cp "$B/net-cgo" "$B/net-strip" && strip "$B/net-strip"
# a module with real dependencies (file:// proxy) and a directory replacement
python3 "$G/mkproxy.py" "$TMP/proxy" "$G/modules/greet@v1.0.0" "$G/modules/Upper@v1.2.3"
cp -r "$G/modules" "$TMP/modules"
build app "$TMP/modules/app" GO111MODULE=on GOPROXY="file://$TMP/proxy" GOSUMDB=off GOFLAGS=-mod=mod \
	GOMODCACHE="$TMP/modcache" CGO_ENABLED=0 --
# section headers removed: e_shoff, e_shnum, e_shstrndx zeroed (the
# segment fallback must find the build info)
for f in hello-nocgo cgo hello-pie; do
	python3 - "$B/$f" "$B/$f-nosh" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read())
assert b[:4] == b'\x7fELF' and b[4] == 2 and b[5] == 1, 'want ELF64 little endian'
struct.pack_into('<Q', b, 0x28, 0)   # e_shoff
struct.pack_into('<H', b, 0x3c, 0)   # e_shnum
struct.pack_into('<H', b, 0x3e, 0)   # e_shstrndx
open(sys.argv[2], 'wb').write(b)
PY
	chmod +x "$B/$f-nosh"
done
ok "built 13 test binaries with $(go version | awk '{print $3}') in $((SECONDS - T0)) s"

# --- text: equal to `go version -m`, verdict lines at the end
inspect_vs_go() { # inspect_vs_go FILE
	local f=$1
	if ! "$BPFGUARD" go inspect "$f" > "$TMP/mine" 2> "$TMP/err"; then
		not_ok "go inspect $f failed"; sed 's/^/    /' "$TMP/err"; return 1
	fi
	go version -m "$f" > "$TMP/theirs" 2>&1
	grep -v -e "^${TAB}cgo${TAB}" -e "^${TAB}static${TAB}" "$TMP/mine" > "$TMP/mine.go"
	if cmp -s "$TMP/mine.go" "$TMP/theirs"; then
		ok "$(basename "$f"): same as go version -m ($(wc -l < "$TMP/theirs") lines)"
	else
		not_ok "$(basename "$f"): differs from go version -m"; diff "$TMP/theirs" "$TMP/mine.go" | sed 's/^/    /'
	fi
	# the two verdict lines are the last two
	tail -2 "$TMP/mine" | cut -f2 | tr '\n' ' ' | grep -qx 'cgo static ' ||
		not_ok "$(basename "$f"): verdict lines are not the last two"
}
verdict() { # verdict FILE CGO STATIC (yes/no), from the last text output
	local got
	got="$(awk -F'\t' '$2 == "cgo" { c = $3 } $2 == "static" { s = $3 } END { print c, s }' "$TMP/mine")"
	if [ "$got" = "$2 $3" ]; then ok "$(basename "$1"): cgo $2, static $3"; else
		not_ok "$(basename "$1"): cgo/static '$got', wanted '$2 $3'"; grep -P "^\t(cgo|static)\t" "$TMP/mine" | sed 's/^/    /'; fi
}
# --json: parses, has the keys, and holds what `go version -m` printed
json_vs_go() { # json_vs_go FILE
	"$BPFGUARD" go inspect --json "$1" > "$TMP/j.json" 2> "$TMP/err" || { not_ok "--json $1 failed"; return; }
	"$BPFGUARD" go inspect "$1" > "$TMP/j.txt"
	go version -m "$1" > "$TMP/theirs" 2>&1
	if python3 - "$TMP/j.json" "$TMP/theirs" "$TMP/j.txt" <<'PY'
import ast, json, sys
j = json.load(open(sys.argv[1]))
for k, t in [("go_version", str), ("path", str), ("deps", list), ("settings", dict),
             ("cgo", bool), ("static", bool), ("evidence", list)]:
    assert isinstance(j.get(k), t), f"key {k}: {j.get(k)!r}"
assert j["main"] is None or set(j["main"]) >= {"path", "version", "sum"}, j["main"]
assert all(isinstance(e, str) for e in j["evidence"]) and j["evidence"]
lines = open(sys.argv[2]).read().split("\n")
assert lines[0].endswith(": " + j["go_version"]), (lines[0], j["go_version"])
def unq(v):
    if v[:1] in ('"', '`'):
        return ast.literal_eval(v) if v[0] == '"' else v[1:-1]
    return v
deps, settings, path, main = [], {}, "", None
for l in lines[1:]:
    f = l.split("\t")[1:]
    if not f:
        continue
    if f[0] == "path":
        path = "\t".join(f[1:])
    elif f[0] in ("mod", "dep"):
        m = {"path": f[1], "version": f[2], "sum": f[3] if len(f) > 3 else "", "replace": None}
        if f[0] == "mod":
            main = m
        else:
            deps.append(m)
        last = m
    elif f[0] == "=>":
        last["replace"] = {"path": f[1], "version": f[2], "sum": f[3]}
    elif f[0] == "build":
        k, _, v = f[1].partition("=") if f[1][:1] not in ('"', '`') else (None, None, None)
        if k is None:
            raise SystemExit("quoted key in test binaries? " + f[1])
        settings[k] = unq(v)
assert j["path"] == path, (j["path"], path)
if main:
    assert {k: j["main"][k] for k in ("path", "version", "sum")} == {k: main[k] for k in ("path", "version", "sum")}
else:
    assert j["main"] is None
assert j["deps"] == deps, (j["deps"], deps)
assert j["settings"] == settings, (j["settings"], settings)
text = {l.split("\t")[1]: l.split("\t")[2] for l in open(sys.argv[3]).read().split("\n") if l.startswith("\tcgo\t") or l.startswith("\tstatic\t")}
assert (j["cgo"], j["static"]) == (text["cgo"] == "yes", text["static"] == "yes")
PY
	then ok "$(basename "$1"): --json has the keys and the same modules and settings"
	else not_ok "$(basename "$1"): --json"; fi
}

# name cgo static (the table in docs/go.md)
while read -r name cgo static; do
	inspect_vs_go "$B/$name" && verdict "$B/$name" "$cgo" "$static"
	json_vs_go "$B/$name"
done <<'EOF'
hello-nocgo no yes
hello-cgo1 no yes
hello-pie no no
hello-sw no yes
hello-strip no yes
net-cgo yes no
net-strip yes no
cgo yes no
app no yes
hello-nocgo-nosh no yes
cgo-nosh yes no
EOF
# Go 1.19 itself cannot read a PIE without section headers (it looks only in
# the first writable segment, here RELRO): compare with the original's text.
"$BPFGUARD" go inspect "$B/hello-pie-nosh" > "$TMP/out" 2>&1
"$BPFGUARD" go inspect "$B/hello-pie" | sed "s|^$B/hello-pie:|$B/hello-pie-nosh:|" |
	grep -v "^${TAB}cgo${TAB}" > "$TMP/want"
check "PIE without section headers: same build info as with them" \
	cmp -s <(grep -v "^${TAB}cgo${TAB}" "$TMP/out") "$TMP/want"
"$BPFGUARD" go inspect --json "$B/hello-nocgo-nosh" > "$TMP/j.json"
check "--json says where the build info was found (segment fallback)" \
	test "$(json_eval "$TMP/j.json" 'j["build_info"]["source"]')" = "writable PT_LOAD segment"
"$BPFGUARD" go inspect "$B/cgo" > "$TMP/mine"
check "import \"C\" evidence: DT_NEEDED, runtime/cgo symbols, GCC .comment, .note.ABI-tag" \
	grep -q "^${TAB}cgo${TAB}yes${TAB}(DT_NEEDED libc.so.6; runtime/cgo symbols x_cgo_init.*; section .note.ABI-tag.*GCC" "$TMP/mine"
"$BPFGUARD" go inspect "$B/hello-cgo1" > "$TMP/mine"
check "CGO_ENABLED=1 without C: evidence says cgo was enabled but no C is linked" \
	grep -q "cgo was enabled, but no C is linked" "$TMP/mine"
"$BPFGUARD" go inspect "$B/app" > "$TMP/mine"
check "app: the => line and Go 1.19's blank line after it are there" \
	grep -A1 -x "${TAB}=>${TAB}../localrep${TAB}(devel)${TAB}" "$TMP/mine" | tail -1 | grep -qx "$TAB"

# --- the Go binaries Debian ships: text equal, verdicts equal readelf's view
DEB=$(ls /usr/lib/go-1.*/bin/go /usr/lib/go-1.*/bin/gofmt /usr/lib/go-1.*/pkg/tool/linux_*/* 2>/dev/null)
ndeb=0
for f in $DEB; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	ndeb=$((ndeb + 1))
	inspect_vs_go "$f" || continue
	hdr=$(readelf -lW -d "$f" 2>/dev/null)
	s=yes; grep -qE '^ +(INTERP|DYNAMIC) ' <<< "$hdr" && s=no
	c=no; grep -q '(NEEDED)' <<< "$hdr" && c=yes
	verdict "$f" "$c" "$s"
done
[ "$ndeb" -gt 0 ] && ok "checked $ndeb Go binaries from Debian's golang package" || not_ok "no Debian Go binaries found"
json_vs_go "$(ls /usr/lib/go-1.*/bin/go | head -1)"

# --- go verify
SUM=$TMP/modules/app/go.sum
expect_rc 0 "verify: the app's own go.sum vouches for every module (--allow-dir-replace)" \
	"$BPFGUARD" go verify "$B/app" --gosum "$SUM" --allow-dir-replace
check "... and says how many" grep -qx "2 modules verified, 1 directory replacement skipped" "$TMP/out"
expect_rc 5 "verify: a directory replacement is unverifiable without --allow-dir-replace" \
	"$BPFGUARD" go verify "$B/app" --gosum "$SUM"
check "... named on its own line" grep -qx "UNVERIFIABLE example.com/replaced v0.1.0: replaced by directory ../localrep" "$TMP/out"
sed 's|^example.com/greet v1.0.0 h1:.*|example.com/greet v1.0.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=|' "$SUM" > "$TMP/altered.sum"
expect_rc 5 "verify: an altered greet hash fails" \
	"$BPFGUARD" go verify "$B/app" --gosum "$TMP/altered.sum" --allow-dir-replace
check "... MISMATCH line names the module and both hashes" \
	grep -q "^MISMATCH example.com/greet v1.0.0: binary h1:.*, go.sum h1:AAAA" "$TMP/out"
check "... the stderr line says what to do" grep -q "^bpfguard: go verify: .*app: 1 of 3 modules" "$TMP/err"
grep -v '^example.com/greet v1.0.0 h1:' "$SUM" > "$TMP/missing.sum"
expect_rc 5 "verify: a missing greet line fails" \
	"$BPFGUARD" go verify "$B/app" --gosum "$TMP/missing.sum" --allow-dir-replace
check "... MISSING line names it" grep -qx "MISSING example.com/greet v1.0.0" "$TMP/out"
expect_rc 5 "verify --json: failures in JSON" \
	"$BPFGUARD" go verify "$B/app" --gosum "$TMP/missing.sum" --json
check "... ok false, statuses per module" test "$(json_eval "$TMP/out" \
	'(j["ok"], j["verified"], j["failed"], sorted(m["status"] for m in j["modules"]))')" = \
	"(False, 1, 2, ['missing', 'ok', 'unverifiable'])"
# a crafted ELF (a fuzz seed): a dep replaced by another module, a dep
# without a sum (as -mod=vendor writes), a module with two go.sum lines
R=$TMP/replace-vendor
cp "$BG_SRCDIR/tests/fuzz/corpus/fuzz_gobin/elf64le-replace-vendor" "$R" && chmod +x "$R"
inspect_vs_go "$R"
printf '%s\n' 'ex.com/b v2.0.0 h1:bbb=' 'ex.com/a v1.0.0 h1:aaa=' 'ex.com/d v1.0.0 h1:old=' \
	'ex.com/d v1.0.0 h1:ddd=' > "$TMP/rep.sum"
expect_rc 5 "verify: a dep without a sum is unverifiable" "$BPFGUARD" go verify "$R" --gosum "$TMP/rep.sum"
check "... the replacement module is what go.sum must vouch for; any of two lines may match" \
	test "$(cat "$TMP/out")" = "UNVERIFIABLE ex.com/c v1.0.0: no sum in the build info (built with -mod=vendor?)
2 modules verified, 1 failed"
sed -i 's|^ex.com/b v2.0.0 .*|ex.com/b v2.0.0 h1:evil=|' "$TMP/rep.sum"
"$BPFGUARD" go verify "$R" --gosum "$TMP/rep.sum" > "$TMP/out" 2>&1
check "... a mismatching replacement is named with what it replaces" \
	grep -qx "MISMATCH ex.com/b v2.0.0: binary h1:bbb=, go.sum h1:evil= (replaces ex.com/a v1.0.0)" "$TMP/out"

printf 'example.com/greet v1.0.0\n' > "$TMP/bad.sum"
expect_rc 2 "verify: a malformed go.sum is bad input" "$BPFGUARD" go verify "$B/app" --gosum "$TMP/bad.sum"
check "... FILE:LINE in the message" grep -q "bad.sum:1: wrong number of fields" "$TMP/err"
expect_rc 2 "verify: --gosum is required" "$BPFGUARD" go verify "$B/app"
expect_rc 1 "verify: an unreadable go.sum" "$BPFGUARD" go verify "$B/app" --gosum "$TMP/nonexistent.sum"
expect_rc 0 "verify: a binary without modules verifies trivially" "$BPFGUARD" go verify "$B/hello-nocgo" --gosum "$SUM"
check "... 0 modules verified" grep -qx "0 modules verified" "$TMP/out"

# --- not Go, not readable, bad usage
printf 'just text\n' > "$TMP/text"
: > "$TMP/empty"
head -c 100000 "$B/hello-nocgo" > "$TMP/truncated"
head -c 32 "$B/hello-nocgo" > "$TMP/truncated-header"
for f in /bin/true "$TMP/text" "$TMP/empty" "$TMP/truncated" "$TMP/truncated-header"; do
	expect_rc 4 "not Go: $(basename "$f")" "$BPFGUARD" go inspect "$f"
	check "... one line saying so" test "$(wc -l < "$TMP/err")" = 1 -a \
		"$(cut -c1-$((${#f} + 63)) "$TMP/err")" = "bpfguard: go inspect: $f: not a Go binary (no Go build info found"
	check "... nothing on stdout" test ! -s "$TMP/out"
done
check "a cut-short ELF header is named as such" grep -q "malformed ELF: truncated ELF header" "$TMP/err"
python3 - "$B/hello-nocgo" "$TMP/badinfo" <<'PY'
import sys
b = open(sys.argv[1], 'rb').read()
assert b.count(b"\tCGO_ENABLED=0\n") >= 1  # modinfo is stored twice
open(sys.argv[2], 'wb').write(b.replace(b"\tCGO_ENABLED=0\n", b"\tCGO_ENABLED 0\n"))
PY
expect_rc 2 "a Go binary with a malformed build line" "$BPFGUARD" go inspect "$TMP/badinfo"
check "... says which line and what is wrong" \
	grep -qx "bpfguard: go inspect: $TMP/badinfo: malformed Go build info: line 3: build line missing '=' after key; the binary was altered or is damaged" "$TMP/err"
expect_rc 4 "verify on a non-Go file" "$BPFGUARD" go verify /bin/true --gosum "$SUM"
expect_rc 1 "missing file" "$BPFGUARD" go inspect "$TMP/nonexistent"
check "... says why" grep -q "^bpfguard: go inspect: $TMP/nonexistent: No such file or directory" "$TMP/err"
expect_rc 1 "a directory" "$BPFGUARD" go inspect "$TMP"
check "... says so" grep -q "is a directory" "$TMP/err"
truncate -s 1025M "$TMP/huge"
expect_rc 1 "a file over 1 GiB is refused" "$BPFGUARD" go inspect "$TMP/huge"
check "... with a clear line" grep -q "larger than 1 GiB" "$TMP/err"
rm -f "$TMP/huge"
expect_rc 2 "no BINARY" "$BPFGUARD" go inspect
expect_rc 2 "unknown option" "$BPFGUARD" go inspect --frobnicate "$B/app"
expect_rc 2 "two binaries" "$BPFGUARD" go inspect "$B/app" "$B/cgo"
expect_rc 0 "--help" "$BPFGUARD" go inspect --help

# --- --format cyclonedx: an SBOM validated against the official CycloneDX
# 1.6 JSON schema (the CycloneDX project's npm package, pinned by SHA-512,
# cached), for the test binaries and Debian's own Go binaries
GOROOT_=$(go env GOROOT)
sboms=()
for f in "$B/app" "$B/hello-nocgo" "$B/cgo" "$B/hello-pie" "$GOROOT_/bin/gofmt" "$GOROOT_/pkg/tool/linux_amd64/vet" /usr/bin/promtool; do
	n=$TMP/$(basename "$f").cdx.json
	"$BPFGUARD" go inspect --format cyclonedx "$f" > "$n" 2> "$TMP/err" || not_ok "go inspect --format cyclonedx $f"
	sboms+=("$n")
done
/usr/bin/python3 "$BG_SRCDIR/tests/helpers/check_cyclonedx.py" /var/cache/bpfguard/cyclonedx "${sboms[@]}" > "$TMP/cdx.out" 2>&1
check "CycloneDX: every SBOM is valid under the official 1.6 schema (${#sboms[@]}: test and Debian binaries)" test $? = 0
sed 's/^/#   /' "$TMP/cdx.out" | head -8
check "... app's SBOM: its modules as purls, with the h1: go version -m shows" /usr/bin/python3 - "$TMP/app.cdx.json" "$B/app" <<'PY'
import json, subprocess, sys
bom = json.load(open(sys.argv[1]))
h1 = {l.split()[1]: l.split()[3] for l in subprocess.run(["go", "version", "-m", sys.argv[2]], capture_output=True,
      text=True).stdout.splitlines() if l.strip().startswith("dep") and len(l.split()) >= 4}
comps = {c["purl"]: c for c in bom["components"]}
for path, want in h1.items():
    c = next((c for c in bom["components"] if c["name"] == path), None)
    assert c, "no component " + path
    got = [p["value"] for p in c.get("properties", []) if p["name"] == "bpfguard:go:h1"]
    assert got == [want], (path, got, want)
assert "pkg:golang/example.com/greet@v1.0.0?type=module" in comps, list(comps)
assert any(c["name"] == "std" for c in bom["components"])
rep = [c for c in bom["components"] if any(p["name"] == "bpfguard:go:replaces" for p in c.get("properties", []))]
assert rep and any(p["name"] == "bpfguard:go:replaced-by-directory" for p in rep[0]["properties"]), rep
assert bom["metadata"]["component"]["name"] == "example.com/app"
assert set(bom["dependencies"][0]["dependsOn"]) == {c["bom-ref"] for c in bom["components"]}
PY
check "... the described component carries the binary's SHA-256" test "$(/usr/bin/python3 -c "
import json, sys; print(json.load(open(sys.argv[1]))['metadata']['component']['hashes'][0]['content'])" "$TMP/app.cdx.json")" = \
	"$(sha256sum "$B/app" | cut -c1-64)"
/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d['components'][0]['type']='module'; json.dump(d, open(sys.argv[2],'w'))" \
	"$TMP/app.cdx.json" "$TMP/bad.cdx.json"
check "... control: a component type the schema does not know is refused" \
	sh -c "! /usr/bin/python3 '$BG_SRCDIR/tests/helpers/check_cyclonedx.py' /var/cache/bpfguard/cyclonedx '$TMP/bad.cdx.json' > /dev/null"
expect_rc 2 "--format xml: refused with the formats it knows" "$BPFGUARD" go inspect --format xml "$B/app"

ok "total time $((SECONDS - T0)) s"
finish

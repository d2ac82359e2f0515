#!/bin/bash
# test_go_proxy.sh - `bpfguard go proxy` against the real client: Debian's
# go command downloads and builds through it, offline, with only the proxy
# consulted (GOPROXY=http://127.0.0.1:PORT without ",direct", GOSUMDB=off,
# GOENV=off, fresh GOMODCACHE/GOPATH per client).  Clean modules build;
# a tampered zip, a tampered go.mod and a module missing from the pin list
# are refused before the client sees a byte of them; several clients at
# once; a 256 MiB zip served with bounded memory; DIR, file:// and http://
# upstreams; response signatures with `go verify-download` (good, body
# changed in transit, a response replayed for another path, wrong key);
# bad requests.  Uses no BPF state; needs go and python3.
# shellcheck disable=SC2034 # read by lib.sh
BG_TEST_NO_BPF=1
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

PY=$(command -v /usr/bin/python3 || command -v python3)
if ! command -v go > /dev/null || [ -z "$PY" ] || ! command -v curl > /dev/null || ! command -v openssl > /dev/null; then
	echo "not ok - go, python3, curl and openssl are needed (apt-get install golang-go python3 curl openssl)"
	exit 1
fi
BG="$BPFGUARD"
G=$BG_SRCDIR/tests/go
export GOCACHE=$TMP/gocache GOENV=off GOWORK=off GOTOOLCHAIN=local GOFLAGS=-mod=mod GOSUMDB=off \
	GONOSUMDB='' GOPRIVATE='' GONOPROXY='' CGO_ENABLED=0 GO111MODULE=on
unset GOPATH GOMODCACHE
PIDS=() PROXIES=() BAD_EXIT=0
stop_all() {
	for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null; done
	for p in "${PIDS[@]}"; do
		wait "$p" 2> /dev/null
		rc=$?
		case " ${PROXIES[*]} " in *" $p "*) [ "$rc" = 0 ] || BAD_EXIT=$((BAD_EXIT + 1)) ;; esac
	done
	PIDS=()
}
trap 'stop_all; cleanup' EXIT

# --- upstream trees ----------------------------------------------------------
"$PY" "$G/mkproxy.py" "$TMP/up" "$G/modules/greet@v1.0.0" "$G/modules/Upper@v1.2.3"
GZ=$TMP/up/example.com/greet/@v/v1.0.0.zip
UM=$TMP/up/example.com/!upper/@v/v1.2.3.mod
pin() { # pin MOD VER ZIP MOD: the two go.sum lines
	echo "$1 $2 $("$BG" go hash zip "$3")"
	echo "$1 $2/go.mod $("$BG" go hash gomod "$4")"
}
{
	pin example.com/greet v1.0.0 "$GZ" "$TMP/up/example.com/greet/@v/v1.0.0.mod"
	pin example.com/Upper v1.2.3 "$TMP/up/example.com/!upper/@v/v1.2.3.zip" "$UM"
} > "$TMP/pins.sum"
grep -v '^example.com/greet ' "$TMP/pins.sum" > "$TMP/nogreet.sum"
check "pins computed with go hash" test "$(grep -c ' h1:' "$TMP/pins.sum")" = 4

# the same tree with greet's zip rebuilt with other content (a valid zip,
# another hash) and Upper's go.mod changed
cp -a "$TMP/up" "$TMP/bad"
mkdir -p "$TMP/greet-evil"
cp -a "$G/modules/greet/." "$TMP/greet-evil/"
printf '\nfunc init() { println("evil") }\n' >> "$TMP/greet-evil/greet.go"
rm -rf "$TMP/bad/example.com/greet"
"$PY" "$G/mkproxy.py" "$TMP/bad" "$TMP/greet-evil@v1.0.0"
printf 'module example.com/Upper\n\ngo 1.19\n\nrequire example.com/evil v1.0.0\n' > "$TMP/bad/example.com/!upper/@v/v1.2.3.mod"

# start_proxy NAME ARGS...: bpfguard go proxy on a free port; $ADDR is
# its base URL, $TMP/NAME.log its log, $PROXY_PID its pid
start_proxy() {
	local name=$1
	shift
	"$BG" go proxy --listen 127.0.0.1:0 "$@" > "$TMP/$name.addr" 2> "$TMP/$name.log" &
	PROXY_PID=$!
	PIDS+=("$PROXY_PID")
	PROXIES+=("$PROXY_PID")
	wait_for 10 grep -q '^listening on ' "$TMP/$name.addr" || { not_ok "proxy $name did not start"; cat "$TMP/$name.log"; finish; }
	ADDR=$(sed -n 's/^listening on //p' "$TMP/$name.addr")
}

# client NAME GOCMD...: the go command in a copy of tests/go/modules/app,
# its own module cache, only $ADDR consulted; output in $TMP/NAME.out
client() {
	local name=$1 app=$TMP/app-$1
	shift
	rm -rf "$app"
	mkdir -p "$app"
	cp -a "$G/modules/app/." "$app/"
	cp -a "$G/modules/localrep" "$TMP/localrep"
	sed -i "s#=> ../localrep#=> $TMP/localrep#" "$app/go.mod"
	(cd "$app" && env GOPROXY="$ADDR" GOMODCACHE="$TMP/mc-$name" GOPATH="$TMP/gopath-$name" "$@") > "$TMP/$name.out" 2>&1
}

# builds NAME DESCRIPTION: the app builds through proxy NAME ($ADDR) and runs
builds() {
	if client "$1" go build -o "$TMP/app-$1.bin" . &&
		[ "$("$TMP/app-$1.bin")" = "hello from greet Upper local directory" ]; then
		ok "$2: the app builds and runs"
	else
		not_ok "$2: the app does not build or run"
		sed 's/^/    /' "$TMP/$1.out" "$TMP/$1.log"
	fi
}

# --- (a, g) a clean module builds: DIR, file:// and http:// upstreams ------
start_proxy dir --upstream "$TMP/up" --gosum "$TMP/pins.sum"
builds dir "go build through the proxy (DIR upstream)"
check "  the app's go.sum equals the pins" diff <(sort "$TMP/app-dir/go.sum") <(sort "$TMP/pins.sum")
check "  the proxy logged 200s for the zips" grep -q 'greet/@v/v1.0.0.zip" 200' "$TMP/dir.log"

start_proxy file --upstream "file://$TMP/up" --gosum "$TMP/pins.sum"
check "go mod download through the proxy (file:// upstream)" client file go mod download -x
check "  the zip is in the client's cache" test -f "$TMP/mc-file/cache/download/example.com/greet/@v/v1.0.0.zip"

HTTP_PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$PY" -m http.server --bind 127.0.0.1 --directory "$TMP/up" "$HTTP_PORT" > "$TMP/httpd.log" 2>&1 &
PIDS+=($!)
wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$HTTP_PORT/" || not_ok "python3 -m http.server did not start"
start_proxy http --upstream "http://127.0.0.1:$HTTP_PORT/" --gosum "$TMP/pins.sum"
builds http "go build through the proxy (http:// upstream)"

# an http:// upstream that answers HTTP/1.1 with chunked bodies (chunk
# extensions, a trailer): what proxies other than a file server send
CH_PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$PY" - "$CH_PORT" "$TMP/up" > "$TMP/chunked.log" 2>&1 <<'PY' &
import http.server, os, sys
root = sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def do_GET(self):
        p = os.path.join(root, self.path.lstrip('/'))
        if not os.path.isfile(p):
            self.send_response(404); self.send_header('Content-Length', '0'); self.end_headers(); return
        data = open(p, 'rb').read()
        self.send_response(200); self.send_header('Transfer-Encoding', 'chunked'); self.end_headers()
        for i in range(0, len(data), 100):
            self.wfile.write(b'%x;ext=1\r\n' % len(data[i:i + 100]) + data[i:i + 100] + b'\r\n')
        self.wfile.write(b'0\r\nX-Trailer: y\r\n\r\n')
http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
PY
PIDS+=($!)
wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$CH_PORT/x" || not_ok "the chunked server did not start"
start_proxy chunked --upstream "http://127.0.0.1:$CH_PORT" --gosum "$TMP/pins.sum"
check "go mod download through the proxy (http:// upstream, chunked bodies)" client chunked go mod download
check "  the zip in the client's cache is the upstream's" cmp -s "$TMP/mc-chunked/cache/download/example.com/greet/@v/v1.0.0.zip" "$GZ"

# --- (b) a tampered zip is refused before the client sees it --------------
start_proxy bad --upstream "$TMP/bad" --gosum "$TMP/pins.sum"
if client badzip go mod download example.com/greet@v1.0.0; then
	not_ok "a tampered zip was downloaded"
else
	ok "a tampered zip: go mod download fails"
fi
check "  the client's cache has no zip" test ! -e "$TMP/mc-badzip/cache/download/example.com/greet/@v/v1.0.0.zip"
check "  go shows the proxy's reason (403, h1 mismatch)" grep -q '403 Forbidden.*\|h1 mismatch: go.sum pins' "$TMP/badzip.out"
check "  go prints the body's words" grep -q 'server response: h1 mismatch: go.sum pins h1:' "$TMP/badzip.out"
check "  the proxy's log says why" grep -q 'greet/@v/v1.0.0.zip" 403 h1 mismatch: go.sum pins h1:.*upstream zip hashes to h1:' "$TMP/bad.log"
sed 's/^/#   go: /' "$TMP/badzip.out" | head -4

# --- (d) a tampered go.mod is refused --------------------------------------
if client badmod go mod download example.com/Upper@v1.2.3; then
	not_ok "a tampered go.mod was downloaded"
else
	ok "a tampered go.mod: go mod download fails"
fi
check "  the proxy's log says why" grep -q 'upper/@v/v1.2.3.mod" 403 h1 mismatch: go.sum pins h1:.*upstream go.mod of example.com/Upper@v1.2.3 hashes to' "$TMP/bad.log"
check "  the client's cache has no go.mod" test ! -e "$TMP/mc-badmod/cache/download/example.com/!upper/@v/v1.2.3.mod"

# --- (c) a module missing from the pin list is refused ---------------------
start_proxy nopin --upstream "$TMP/up" --gosum "$TMP/nogreet.sum"
if client nopin go build -o "$TMP/app-bin3" .; then
	not_ok "a build with an unpinned module succeeded"
else
	ok "an unpinned module: go build fails"
fi
check "  go shows why" grep -q 'module example.com/greet@v1.0.0 is not in the pin list' "$TMP/nopin.out"
check "  no zip of greet in the client's cache" test ! -e "$TMP/mc-nopin/cache/download/example.com/greet/@v/v1.0.0.zip"
sed 's/^/#   go: /' "$TMP/nopin.out" | head -3

# --- the protocol's other files ---------------------------------------------
A=$(sed -n 's/^listening on //p' "$TMP/dir.addr")
check "@v/list lists the pinned version" test "$(curl -s "$A/example.com/greet/@v/list")" = v1.0.0
check "@latest is the pinned version's .info" bash -c "curl -s '$A/example.com/!upper/@latest' | grep -q '\"Version\": *\"v1.2.3\"'"
check ".info of a pinned version" bash -c "curl -s '$A/example.com/greet/@v/v1.0.0.info' | grep -q v1.0.0"
expect_rc 0 ".zip is byte for byte the upstream's" bash -c "curl -sf '$A/example.com/greet/@v/v1.0.0.zip' | cmp - '$GZ'"
# code STATUS DESCRIPTION PATH [CURL ARGS]: the proxy answers PATH with STATUS
code() {
	local want=$1 what=$2 path=$3 got
	shift 3
	got=$(curl -s --path-as-is -o "$TMP/body" -w '%{http_code}' "$@" "$A$path")
	if [ "$got" = "$want" ]; then ok "$what: $want ($(head -c 120 "$TMP/body" | tr "\r\n" "  "))"; else
		not_ok "$what: $got, wanted $want"; cat "$TMP/body"; fi
}
code 403 "an unpinned version's .info" /example.com/greet/@v/v9.9.9.info
code 404 "list of a module with no pinned version" /example.com/nothere/@v/list
code 404 "the checksum database is not proxied" /sumdb/sum.golang.org/supported
code 200 "HEAD of a pinned zip" /example.com/greet/@v/v1.0.0.zip -I

# --- (i) bad requests get 400 with a reason ---------------------------------
code 400 "path traversal" '/example.com/../../etc/@v/v1.0.0.zip'
code 400 "traversal in percent-escapes" '/example.com/%2e%2e/x/@v/v1.0.0.zip'
code 400 "encoded slash" '/example.com%2f..%2fx/@v/v1.0.0.zip'
code 400 "bad escape: raw uppercase" /example.com/Greet/@v/list
code 400 "bad escape: '!' before a digit" '/example.com/!1greet/@v/list'
code 400 "bad escape in the version" '/example.com/greet/@v/V1.0.0.zip'
code 400 "not a protocol path" /example.com/greet
code 400 "unknown file kind" /example.com/greet/@v/v1.0.0.tar
code 400 "overlong module path" "/example.com/$(head -c 600 /dev/zero | tr '\0' a)/@v/list"
code 405 "POST" /example.com/greet/@v/list -X POST
long=$(head -c 9000 /dev/zero | tr '\0' a)
code 431 "a 9000-byte header" /example.com/greet/@v/list -H "X-Long: $long"
# a client that sends its head a byte at a time is cut off (slowloris)
start_proxy slow --upstream "$TMP/up" --gosum "$TMP/pins.sum" --timeout 1s
SA=$(sed -n 's#^listening on http://##p' "$TMP/slow.addr")
t0=$(date +%s%N)
"$PY" - "$SA" > "$TMP/slow.out" <<'PY'
import socket, sys, time
h, p = sys.argv[1].rsplit(':', 1)
s = socket.create_connection((h, int(p)))
try:
    for c in b'GET /example.com/greet/@v/list HTTP/1.1\r\nX-Slow: ':
        s.send(bytes([c]))
        time.sleep(0.05)
    for _ in range(100):
        s.send(b'a')
        time.sleep(0.1)
    print('not cut off')
except OSError as e:
    print('cut off', e)
PY
t1=$(date +%s%N)
check "a slowloris client is cut off within the 1 s deadline (took $(((t1 - t0) / 1000000)) ms)" \
	bash -c "grep -q 'cut off' '$TMP/slow.out' && [ $(((t1 - t0) / 1000000)) -lt 5000 ]"

# the connection cap: the third connection of --max-conns 2 is answered
# 503 at once; two pipelined requests on one connection get two answers
start_proxy cap --upstream "$TMP/up" --gosum "$TMP/pins.sum" --max-conns 2
CA=$(sed -n 's#^listening on http://##p' "$TMP/cap.addr")
"$PY" - "$CA" > "$TMP/cap.out" <<'PY'
import socket, sys, time
h, p = sys.argv[1].rsplit(':', 1)
a = socket.create_connection((h, int(p)))
b = socket.create_connection((h, int(p)))
time.sleep(0.3)
c = socket.create_connection((h, int(p)))
c.settimeout(5)
print('third:', c.recv(200).split(b'\r\n')[0].decode())
a.sendall(b'GET /example.com/greet/@v/list HTTP/1.1\r\nHost: x\r\n\r\n'
          b'GET /example.com/greet/@v/v1.0.0.info HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
a.settimeout(5)
data = b''
while True:
    d = a.recv(65536)
    if not d:
        break
    data += d
print('pipelined:', data.count(b'HTTP/1.1 200 OK'))
PY
check "--max-conns 2: a third connection gets 503" grep -q '^third: HTTP/1.1 503' "$TMP/cap.out"
check "two pipelined requests get two answers, then the connection closes as asked" grep -q '^pipelined: 2$' "$TMP/cap.out"

# --- (e) several clients at once, each with its own module cache ----------
ADDR=$(sed -n 's/^listening on //p' "$TMP/dir.addr")
for i in 1 2 3 4 5 6; do
	client "par$i" go mod download &
done
wait_clients=0
for j in $(jobs -p); do
	case " ${PIDS[*]} " in *" $j "*) continue ;; esac
	wait "$j" || wait_clients=$((wait_clients + 1))
done
check "6 concurrent go mod download clients all succeed" test "$wait_clients" = 0
n=0
for i in 1 2 3 4 5 6; do
	cmp -s "$TMP/mc-par$i/cache/download/example.com/greet/@v/v1.0.0.zip" "$GZ" && n=$((n + 1))
done
check "  each cache holds the verified zip ($n of 6)" test "$n" = 6

# --- (f) a 256 MiB zip, streamed: bounded memory ----------------------------
"$PY" - "$TMP/big" <<'PY'
import os, sys, zipfile
out = sys.argv[1]
mod, ver = 'example.com/big', 'v1.0.0'
vdir = os.path.join(out, mod, '@v')
os.makedirs(vdir)
gomod = b'module example.com/big\n\ngo 1.19\n'
open(os.path.join(vdir, 'list'), 'w').write(ver + '\n')
open(os.path.join(vdir, ver + '.info'), 'w').write('{"Version":"%s"}' % ver)
open(os.path.join(vdir, ver + '.mod'), 'wb').write(gomod)
chunk = os.urandom(1 << 20)
with zipfile.ZipFile(os.path.join(vdir, ver + '.zip'), 'w', zipfile.ZIP_STORED) as z:
    z.writestr(f'{mod}@{ver}/go.mod', gomod)
    z.writestr(f'{mod}@{ver}/big.go', b'package big\n')
    for i in range(8):
        with z.open(f'{mod}@{ver}/data/blob{i}.bin', 'w', force_zip64=True) as f:
            for k in range(32):
                f.write(bytes([i, k]) + chunk[2:])
PY
BZ=$TMP/big/example.com/big/@v/v1.0.0.zip
pin example.com/big v1.0.0 "$BZ" "$TMP/big/example.com/big/@v/v1.0.0.mod" > "$TMP/big.sum"
start_proxy big --upstream "$TMP/big" --gosum "$TMP/big.sum"
BP=$PROXY_PID
hwm0=$(awk '/^VmHWM/ { print $2 }' "/proc/$BP/status")
for i in 1 2; do curl -sf -o "$TMP/big$i.zip" "$ADDR/example.com/big/@v/v1.0.0.zip" & done
wait_big=0
for j in $(jobs -p); do
	case " ${PIDS[*]} " in *" $j "*) continue ;; esac
	wait "$j" || wait_big=1
done
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$BP/status")
check "two 256 MiB downloads at once, both byte for byte the upstream's" \
	bash -c "[ $wait_big = 0 ] && cmp -s '$TMP/big1.zip' '$BZ' && cmp -s '$TMP/big2.zip' '$BZ'"
# 64 MiB: the proxy keeps a 256 KiB copy buffer and the zip reader's
# bounded buffers per hashing thread; the zip itself lives in the page
# cache of an unlinked file, never in the heap.  Measured: 8 MiB in an
# optimized build, 27 MiB under ASan (which starts at ~20 MiB); buffering
# the zip would be over 256 MiB.
check "  the proxy's peak RSS stays under 64 MiB (VmHWM $((hwm0 / 1024)) MiB before, $((hwm / 1024)) MiB after)" \
	test "$hwm" -lt $((64 * 1024))
BSHA=$(sha256sum "$BZ" | cut -c1-64)
rm -f "$TMP/big1.zip" "$TMP/big2.zip"
"$PY" - "$TMP/big/example.com/big/@v" <<'PY'
import os, sys
p = os.path.join(sys.argv[1], 'v1.0.0.zip')
with open(p, 'r+b') as f:      # one byte of stored data: a valid zip, another hash
    f.seek(os.path.getsize(p) // 2)
    b = f.read(1)
    f.seek(-1, 1)
    f.write(bytes([b[0] ^ 1]))
PY
# the running proxy keeps serving the copy it verified (its own unlinked
# file); a fresh one fetches the changed zip and refuses it
expect_rc 0 "  after the upstream changed, the cached verified copy is still what is served" \
	bash -c "curl -sf '$ADDR/example.com/big/@v/v1.0.0.zip' | sha256sum | grep -q $BSHA"
start_proxy big2 --upstream "$TMP/big" --gosum "$TMP/big.sum"
code_big=$(curl -s -o "$TMP/body" -w '%{http_code}' "$ADDR/example.com/big/@v/v1.0.0.zip")
check "  a one-byte change in the 256 MiB zip is refused by a fresh proxy ($code_big: $(head -c 100 "$TMP/body"))" \
	bash -c "[ $code_big = 403 ] && grep -q 'CRC\|h1 mismatch\|not a readable zip' '$TMP/body'"
rm -rf "$TMP/big"

# a zip over Go's 500 MiB limit is refused by its size, before a byte is
# copied (a sparse file: no disk used)
mkdir -p "$TMP/huge/example.com/huge/@v"
truncate -s 501M "$TMP/huge/example.com/huge/@v/v1.0.0.zip"
echo 'example.com/huge v1.0.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' > "$TMP/huge.sum"
start_proxy huge --upstream "$TMP/huge" --gosum "$TMP/huge.sum"
A=$ADDR
code 403 "a 501 MiB zip (Go's limit is 500 MiB)" /example.com/huge/@v/v1.0.0.zip
check "  the reason names the limit" grep -q 'over the 524288000-byte limit' "$TMP/body"
# .info: made from the version when the upstream has none; an upstream
# .info naming another version is the upstream lying (502)
cp -a "$TMP/up" "$TMP/noinfo"
rm "$TMP/noinfo/example.com/greet/@v/v1.0.0.info"
echo '{"Version":"v9.9.9"}' > "$TMP/noinfo/example.com/!upper/@v/v1.2.3.info"
start_proxy noinfo --upstream "$TMP/noinfo" --gosum "$TMP/pins.sum"
A=$ADDR
code 200 "no upstream .info: one is made" /example.com/greet/@v/v1.0.0.info
check "  it names the version" grep -q '^{"Version":"v1.0.0"}$' "$TMP/body"
code 502 "an upstream .info naming another version" '/example.com/!upper/@v/v1.2.3.info'
A=$(sed -n 's/^listening on //p' "$TMP/dir.addr")

# --- (h) signatures and verify-download --------------------------------------
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TMP/sign.pem" 2> /dev/null
openssl pkey -in "$TMP/sign.pem" -pubout -out "$TMP/sign.pub"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TMP/other.pem" 2> /dev/null
openssl pkey -in "$TMP/other.pem" -pubout -out "$TMP/other.pub"
expect_rc 2 "a --sign-key that does not exist stops the proxy" "$BG" go proxy --listen 127.0.0.1:0 \
	--upstream "$TMP/up" --gosum "$TMP/pins.sum" --sign-key "$TMP/nonexistent.pem"
start_proxy signed --upstream "$TMP/up" --gosum "$TMP/pins.sum" --sign-key "$TMP/sign.pem"
SA=$ADDR
curl -s -D "$TMP/hdr" -o /dev/null "$SA/example.com/greet/@v/v1.0.0.zip"
check "200 answers carry the three signature headers" bash -c \
	"grep -q '^X-Bpfguard-Content-Sha256: [0-9a-f]\{64\}' '$TMP/hdr' && grep -q '^X-Bpfguard-Signature: ' '$TMP/hdr' && grep -q '^X-Bpfguard-Key-Id: sha256:' '$TMP/hdr'"
check "  the content hash is the body's SHA-256" grep -q "$(sha256sum "$GZ" | cut -c1-64)" "$TMP/hdr"
builds signed "go build through the signing proxy"
expect_rc 0 "verify-download: good signature, file written" "$BG" go verify-download --key "$TMP/sign.pub" \
	"$SA/example.com/greet/@v/v1.0.0.zip" -o "$TMP/dl.zip"
check "  the file is the zip" cmp -s "$TMP/dl.zip" "$GZ"
expect_rc 0 "verify-download of a .mod to stdout" "$BG" go verify-download --key "$TMP/sign.pub" "$SA/example.com/!upper/@v/v1.2.3.mod"
check "  stdout is the go.mod" cmp -s "$TMP/out" "$UM"
expect_rc 0 "verify-download: a percent-escaped spelling of the same path verifies" "$BG" go verify-download \
	--key "$TMP/sign.pub" "$SA/example.com/%21upper/@v/v1.2.3.mod"
expect_rc 6 "verify-download: another key" "$BG" go verify-download --key "$TMP/other.pub" \
	"$SA/example.com/greet/@v/v1.0.0.zip" -o "$TMP/dl-wrong.zip"
check "  nothing written" test ! -e "$TMP/dl-wrong.zip"
check "  one line saying why" grep -q 'the signature does not verify' "$TMP/err"

# a man in the middle: forwards to the proxy and changes what it answers,
# as $TMP/mitm.mode says: flip: one body byte changed; rehash: body changed
# and the hash header made to match; replay: another path's signed answer
# (headers and body) sent instead
echo pass > "$TMP/mitm.mode"
MITM_PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$PY" - "$MITM_PORT" "$SA" "$TMP/mitm.mode" > "$TMP/mitm.log" 2>&1 <<'PY' &
import hashlib, http.server, sys, urllib.request
port, up = int(sys.argv[1]), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        mode, path = open(sys.argv[3]).read().strip(), self.path[1:]
        if mode == 'replay':
            path = 'example.com/!upper/@v/v1.2.3.zip'   # another module's signed answer
        r = urllib.request.urlopen(up + '/' + path)
        body, hdrs = r.read(), dict(r.headers)
        if mode in ('flip', 'rehash'):
            body = bytearray(body); body[len(body) // 2] ^= 1; body = bytes(body)
        if mode == 'rehash':
            hdrs['X-Bpfguard-Content-Sha256'] = hashlib.sha256(body).hexdigest()
        self.send_response(200)
        for k in ('X-Bpfguard-Content-Sha256', 'X-Bpfguard-Signature', 'X-Bpfguard-Key-Id'):
            self.send_header(k, hdrs[k])
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
http.server.HTTPServer(('127.0.0.1', port), H).serve_forever()
PY
PIDS+=($!)
M=http://127.0.0.1:$MITM_PORT
wait_for 10 curl -sf -o /dev/null "$M/example.com/greet/@v/v1.0.0.mod" || not_ok "the man in the middle did not start"
mitm() {
	echo "$1" > "$TMP/mitm.mode"
	"$BG" go verify-download --key "$TMP/sign.pub" "$M/example.com/greet/@v/v1.0.0.zip" -o "$TMP/dl-$1.zip"
}
expect_rc 0 "verify-download through the untouched man in the middle" mitm pass
expect_rc 7 "verify-download: a body byte changed in transit" mitm flip
check "  nothing written" test ! -e "$TMP/dl-flip.zip"
expect_rc 6 "verify-download: body changed and the hash header rewritten to match" mitm rehash
check "  nothing written" test ! -e "$TMP/dl-rehash.zip"
expect_rc 6 "verify-download: another path's signed answer replayed" mitm replay
check "  nothing written" test ! -e "$TMP/dl-replay.zip"
expect_rc 5 "verify-download: an unsigned proxy's answer" "$BG" go verify-download --key "$TMP/sign.pub" \
	"$A/example.com/greet/@v/v1.0.0.zip" -o "$TMP/dl-unsigned.zip"
expect_rc 1 "verify-download: a refused module" "$BG" go verify-download --key "$TMP/sign.pub" \
	"$SA/example.com/greet/@v/v9.9.9.zip" -o "$TMP/dl-refused.zip"
check "  the proxy's reason is shown" grep -q 'answered 403: module example.com/greet@v9.9.9 is not in the pin list' "$TMP/err"

stop_all
# a sanitizer build reports memory errors and leaks at exit into the logs
check "no sanitizer report in the proxies' logs" bash -c "! grep -l 'Sanitizer' '$TMP'/*.log"
check "every proxy (${#PROXIES[@]}) exited 0 on SIGTERM" test "$BAD_EXIT" = 0
finish

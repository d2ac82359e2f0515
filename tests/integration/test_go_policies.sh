#!/bin/bash
# The shipped Go policies, verified against real Go binaries built with
# Debian's Go toolchain: enforced, they run with zero denials; the
# server under the static-only policy is caught (the check can fail).
. "$(dirname "$0")/lib.sh"

command -v go > /dev/null || { echo "go missing: scripts/setup installs golang-go" >&2; exit 1; }
export GOCACHE=$TMP/gocache GOPATH=$TMP/gopath GO111MODULE=off GOFLAGS=
for prog in hello server; do
	(cd "$BG_SRCDIR/tests/go/$prog" && CGO_ENABLED=0 go build -o "$TMP/$prog" .) ||
		{ not_ok "go build $prog"; finish; }
done
ok "built hello and server with $(go version | awk '{print $3}')"

PORT=$((18000 + $$ % 1000))
denials() { denials_total; }
fetch() { http_get "$PORT"; }

# --- go-static: hello world, enforced, every decision that is not allow kills
expect_rc 0 "attach go-static (enforce, errno falls back to kill)" \
	"$BPFGUARD" attach --cgroup "$CGREL" --policy "$BG_SRCDIR/policies/go-static.policy" --fallback kill
"$SYSPROBE" --cgroup "$CG" exec "$TMP/hello" a b > "$TMP/out" 2>&1
check "hello exits 0 under go-static (exit $?)" test $? = 0
check "hello printed its output" grep -q "hello, world" "$TMP/out"
check "zero denials for hello" test "$(denials)" = 0

# --- go-server: net/http server answering real requests
expect_rc 0 "attach go-server" \
	"$BPFGUARD" attach --cgroup "$CGREL" --policy "$BG_SRCDIR/policies/go-server.policy" --fallback kill
"$SYSPROBE" --cgroup "$CG" exec "$TMP/server" "127.0.0.1:$PORT" 3 > "$TMP/srv" 2>&1 &
srv=$!
for i in 1 2 3; do fetch > "$TMP/resp$i"; done
wait $srv
check "server served 3 requests and exited 0 under go-server (exit $?)" test $? = 0
check "responses were ok" test "$(cat "$TMP/resp1" "$TMP/resp2" "$TMP/resp3")" = "$(printf 'ok\nok\nok')"
check "zero denials for the server" test "$(denials)" = 0

# --- negative control: the server under go-static is stopped
expect_rc 0 "attach go-static again" \
	"$BPFGUARD" attach --cgroup "$CGREL" --policy "$BG_SRCDIR/policies/go-static.policy" --fallback kill
"$SYSPROBE" --cgroup "$CG" exec "$TMP/server" "127.0.0.1:$PORT" 1 > "$TMP/srv" 2>&1
rc=$?
# go-static's default is errno(EPERM): its socket(AF_INET*) is refused
# before effect by cgroup/sock_create where BPF LSM is absent (the server
# then exits with an error), or the process is killed by the fallback.
check "server stopped under go-static (exit $rc)" test "$rc" != 0
check "it served nothing" sh -c "! grep -q ok '$TMP/srv'"
drain_events
check "the denial names a network syscall, denied before effect or killed" json_any "$TMP/events" \
	"e['syscall'] in ('socket','bind','listen','setsockopt','epoll_create1') and e['effect'] in ('killed','denied')"
finish

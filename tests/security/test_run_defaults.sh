#!/bin/bash
# bpfguard run is safe by default for untrusted code (issue 10; attacker:
# the payload, docs/threat-model.md).  Started by root without sudo
# and with no flags but a permissive syscall policy (so that only the
# sandbox itself stands in the way), the payload:
#   - is not host uid 0 (the owner of a file it creates; the summary);
#   - cannot see the host's secrets: a root-only file, /home /root /var
#     /run; and with --fs host still cannot read that file (its uid);
#   - cannot reach a root-only unix socket (invisible; EACCES with --fs host);
#   - cannot write /proc/sys (host sysctl unchanged), /proc/sysrq-trigger;
#     /proc/kcore and /proc/kmsg are masked; /sys is read-only and shows no
#     cgroup/bpf mounts;
#   - is under Landlock: a write the mount view permits (/proc/self/comm)
#     is refused with EACCES, and a TCP connect to a loopback port the
#     policy's net section does not allow is refused by Landlock (EACCES)
#     before the cgroup hook (EPERM) sees it;
#   - stops at the default pids limit and at the private /tmp's and
#     /dev/shm's size caps (ENOSPC);
# and --user root (documented as dangerous) still gives host root.
. "$(dirname "$0")/../integration/lib.sh"

run() { "$BPFGUARD" run "$@"; }
summary() { grep '^{' "$1" | tail -1 > "$TMP/summary.json"; }
sum() { json_eval "$TMP/summary.json" "$1"; }
chmod 755 "$TMP"
printf 'name allow-all\ndefault allow\n' > "$TMP/allow.policy"
A=(--policy "$TMP/allow.policy")
mkdir -m 1777 "$TMP/rw"

SECRET=/etc/bg-secret-$$
SOCKDIR=/run/bg-sock-$$
SYSCTL=/proc/sys/kernel/printk_ratelimit_burst
sysctl_before=$(cat $SYSCTL)
srv=
cleanup_defaults() {
	[ -n "$srv" ] && kill "$srv" 2>/dev/null
	rm -rf "$SECRET" "$SOCKDIR"
	[ "$(cat $SYSCTL)" = "$sysctl_before" ] || echo "$sysctl_before" > $SYSCTL
	cleanup
}
trap cleanup_defaults EXIT

# --- who the payload is
run "${A[@]}" --json --rw "$TMP/rw" -- /bin/sh -c "touch $TMP/rw/made; id -u" > "$TMP/out" 2> "$TMP/err"
summary "$TMP/err"
owner=$(stat -c %u "$TMP/rw/made" 2>/dev/null)
check "default: the payload's host uid is not 0 (its file is owned by ${owner:-?})" \
	sh -c "[ -n '$owner' ] && [ '$owner' != 0 ]"
check "... it is a per-run id from the documented range 2130706432-2130771967, as the summary says" \
	test "$(sum "j['user']['kind'] == 'per-run' and j['user']['host_uid'] == ${owner:-0} and 2130706432 <= j['user']['host_uid'] < 2130706432 + 65536")" = True
run "${A[@]}" --rw "$TMP/rw" -- /bin/sh -c "touch $TMP/rw/made2" > /dev/null 2>&1
owner2=$(stat -c %u "$TMP/rw/made2" 2>/dev/null)
check "two runs get two ids ($owner, ${owner2:-?}): one payload is not the other's owner" \
	sh -c "[ -n '$owner2' ] && [ '$owner2' != 0 ] && [ '$owner2' != '$owner' ]"
expect_rc 125 "--user 0 is refused: host root only by name" run "${A[@]}" --user 0 -- /bin/true
check "... one line saying to write --user root" grep -q "say --user root" "$TMP/err"

# --- the host's secrets
printf 'top secret\n' > "$SECRET"; chmod 600 "$SECRET"
run "${A[@]}" -- /bin/sh -c "cat $SECRET; ls -d /home /root /var /run /srv 2>&1; ls /etc" > "$TMP/out" 2>&1
check "default: a root-only file in /etc is not visible" \
	sh -c "! grep -q 'top secret' '$TMP/out' && grep -q '$SECRET: No such file' '$TMP/out'"
for d in /home /root /var /run /srv; do
	check "default: $d is not in the view" grep -q "cannot access '$d': No such file" "$TMP/out"
done
check "default: /etc is curated (passwd, resolv.conf; no shadow)" \
	sh -c "grep -qx passwd '$TMP/out' && grep -qx hosts '$TMP/out' && ! grep -qx shadow '$TMP/out'"
run "${A[@]}" --fs host -- /bin/sh -c "cat $SECRET; cat /etc/shadow" > "$TMP/out" 2>&1
check "--fs host: the root-only file is visible but unreadable (the payload is not root): EACCES" \
	sh -c "! grep -q 'top secret' '$TMP/out' && grep -q '$SECRET: Permission denied' '$TMP/out' && grep -q 'shadow: Permission denied' '$TMP/out'"

# --- a root-only unix socket on the host (pathname sockets cross network
# namespaces: --net none does not isolate them)
mkdir -m 755 "$SOCKDIR"
python3 -c "
import os, socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o600); s.listen(8)
print('ready', flush=True)
while True:
    c, _ = s.accept(); c.sendall(b'root-only service\n'); c.close()
" "$SOCKDIR/s" > "$TMP/srv.out" &
srv=$!
for _ in $(seq 100); do grep -q ready "$TMP/srv.out" 2>/dev/null && break; sleep 0.05; done
probe_sock="import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1]); print('connected', s.recv(64).decode().strip())
except OSError as e:
    print('errno', e.errno)"
run "${A[@]}" -- /usr/bin/python3 -c "$probe_sock" "$SOCKDIR/s" > "$TMP/out" 2>&1
check "default: the root-only socket is unreachable (not in the view: ENOENT)" grep -qx "errno 2" "$TMP/out"
run "${A[@]}" --fs host -- /usr/bin/python3 -c "$probe_sock" "$SOCKDIR/s" > "$TMP/out" 2>&1
check "--fs host: visible, and still refused (EACCES: the payload is not root)" grep -qx "errno 13" "$TMP/out"
python3 -c "$probe_sock" "$SOCKDIR/s" > "$TMP/out.host" 2>&1
check "... while host root does connect (the listener works)" grep -q "connected root-only service" "$TMP/out.host"

# --- /proc and /sys
run "${A[@]}" -- /bin/sh -c "echo 77 > $SYSCTL; echo sysctl=\$?" > "$TMP/out" 2>&1
check "default: a /proc/sys write fails" sh -c "grep -q 'sysctl=[1-9]' '$TMP/out' && grep -q 'Read-only file system' '$TMP/out'"
check "... the host sysctl is unchanged ($(cat $SYSCTL))" test "$(cat $SYSCTL)" = "$sysctl_before"
# /proc/kcore and /proc/sysrq-trigger exist only on kernels built with
# them (this host kind has neither; the VM kernels have both:
# tests/security/vm/test_run_defaults.sh); kmsg and keys exist everywhere.
for u in "" "--user root"; do
	# shellcheck disable=SC2086 # $u is zero or two words
	run "${A[@]}" $u -- /bin/sh -c "echo 1 > $SYSCTL; echo sysctl=\$?
		(exec 3> /proc/sysrq-trigger) && echo sysrq-open; test -e /proc/sysrq-trigger || echo sysrq-absent
		for f in kcore kmsg keys timer_list; do stat -c \"\$f %t,%T\" /proc/\$f; done
		head -c 64 /proc/kmsg | wc -c" > "$TMP/out" 2>&1
	check "${u:-default}: /proc/sys is read-only even for host root" \
		sh -c "grep -q 'sysctl=[1-9]' '$TMP/out' && [ \"\$(cat $SYSCTL)\" = '$sysctl_before' ]"
	if [ -e /proc/sysrq-trigger ]; then
		check "${u:-default}: /proc/sysrq-trigger cannot be opened for writing (read-only)" \
			sh -c "! grep -q sysrq-open '$TMP/out' && grep -q 'sysrq-trigger: Read-only file system' '$TMP/out'"
	else
		check "${u:-default}: /proc/sysrq-trigger (absent on this kernel) is absent in the sandbox" \
			sh -c "! grep -q sysrq-open '$TMP/out' && grep -qx sysrq-absent '$TMP/out'"
	fi
	for f in kcore kmsg keys timer_list; do
		if [ -e /proc/$f ]; then
			check "${u:-default}: /proc/$f is masked (/dev/null, 1:3)" grep -qx "$f 1,3" "$TMP/out"
		else
			check "${u:-default}: /proc/$f (absent on this kernel) is absent in the sandbox" \
				grep -q "/proc/$f': No such file" "$TMP/out"
		fi
	done
	check "${u:-default}: ... kmsg reads 0 bytes" grep -qx 0 "$TMP/out"
done
run "${A[@]}" -- /bin/sh -c "awk '\$5 == \"/sys\" { print \"opts\", \$6 }' /proc/self/mountinfo
	find /sys/fs/cgroup /sys/fs/bpf /sys/firmware -mindepth 1 | wc -l; echo 1 > /sys/kernel/mm/ksm/run; echo w=\$?" > "$TMP/out" 2>&1
check "default: /sys is read-only, without the host's cgroup/bpf mounts, /sys/firmware masked" \
	sh -c "grep -q '^opts ro' '$TMP/out' && grep -qx 0 '$TMP/out' && grep -q 'w=[1-9]' '$TMP/out'"

run "${A[@]}" --net host -- /bin/sh -c "awk '\$5 == \"/sys\" { print \"opts\", \$6 }' /proc/self/mountinfo
	find /sys/fs/cgroup /sys/fs/bpf /sys/firmware -mindepth 1 | wc -l" > "$TMP/out" 2>&1
check "--net host (the host's sysfs): /sys read-only, its cgroup/bpf mounts hidden" \
	sh -c "grep -q '^opts ro' '$TMP/out' && grep -qx 0 '$TMP/out'"

# --- Landlock, a layer of its own
run "${A[@]}" --fs host --json -- /bin/sh -c "echo x > /proc/self/comm; echo comm=\$?" > "$TMP/out" 2> "$TMP/err"
summary "$TMP/err"
check "--fs host: Landlock refuses a write the mount view and the owner bits allow (/proc/self/comm: EACCES)" \
	sh -c "grep -q 'Permission denied' '$TMP/err' && grep -q 'comm=[1-9]' '$TMP/out'"
check "... the summary reports Landlock's ABI and the view as rules" \
	test "$(sum "j['landlock']['abi'] >= 1 and j['landlock']['fs']['/'] == 'read-exec' and j['landlock']['fs']['/tmp'] == 'all'")" = True
run "${A[@]}" --fs host --no-landlock -- /bin/sh -c "echo x > /proc/self/comm; echo comm=\$?" > "$TMP/out" 2>&1
check "... the same write with --no-landlock succeeds (so it was Landlock)" grep -qx "comm=0" "$TMP/out"
# (the file's mode lets the payload's id write it: a reopen is checked
# against the file's permissions like any open)
: > "$TMP/stdout.file"; chmod 666 "$TMP/stdout.file"
run "${A[@]}" -- /bin/sh -c "echo via-stdout > /dev/stdout" >> "$TMP/stdout.file" 2> "$TMP/err"
check "Landlock: the payload can still reopen its stdout, a host file outside the view" \
	grep -qx via-stdout "$TMP/stdout.file"

P1=$((20000 + $$ % 1000)) P2=$((21000 + $$ % 1000))
{ cat "$TMP/allow.policy"; echo "net connect allow 127.0.0.1/32 port $P1 tcp"; echo "net connect default deny"; } |
	sed 's/^name .*/name allow-net/' > "$TMP/net.policy"
probe_tcp="import socket
ls = []
for p in ($P1, $P2):
    l = socket.socket(); l.bind(('127.0.0.1', p)); l.listen(1); ls.append(l)
for p in ($P1, $P2):
    c = socket.socket()
    try:
        c.connect(('127.0.0.1', p)); print(p, 'connected')
    except OSError as e:
        print(p, 'errno', e.errno)"
run --policy "$TMP/net.policy" --json -- /usr/bin/python3 -c "$probe_tcp" > "$TMP/out" 2> "$TMP/err"
summary "$TMP/err"
check "Landlock net: connect to the allowed loopback port $P1 works" grep -qx "$P1 connected" "$TMP/out"
check "... to port $P2, not in the net section, is refused by Landlock (EACCES, before the cgroup hook)" \
	grep -qx "$P2 errno 13" "$TMP/out"
check "... the summary: connect restricted to 1 TCP port" \
	test "$(sum "j['landlock']['net']['connect']")" = "tcp: 1 port allowed"
run --policy "$TMP/net.policy" --no-landlock -- /usr/bin/python3 -c "$probe_tcp" > "$TMP/out" 2>&1
check "... without Landlock the cgroup hook refuses it instead (EPERM)" grep -qx "$P2 errno 1" "$TMP/out"

# --- bounded without flags
# (bounded at 1100 so that a build without the default limit does not take
# the machine down; the subshell dies at the first failed fork and the
# outer shell reports with builtins only: no pid is left for a fork)
run "${A[@]}" --json --timeout 60s -- /bin/sh -c '(i=0; while [ $i -lt 1100 ]; do sleep 30 & i=$((i+1)); echo $i > /tmp/n; done) 2>/dev/null; read n < /tmp/n; echo "started $n"' \
	> "$TMP/out" 2> "$TMP/err"
summary "$TMP/err"
started=$(sed -n 's/^started \([0-9]*\)$/\1/p' "$TMP/out")
check "default: a fork bomb stops at the default pids limit (started ${started:-?} of 1100)" \
	sh -c "[ -n '$started' ] && [ '$started' -lt 1024 ] && [ '$started' -gt 900 ]"
check "... the summary: pids max 1024, hit ($(sum 'j["limits"]["pids"]'))" \
	test "$(sum 'j["limits"]["pids"]["max"] == 1024 and j["limits"]["pids"].get("hit", 0) > 0')" = True
run "${A[@]}" -- /bin/sh -c 'dd if=/dev/zero of=/tmp/big bs=1M count=200 2>&1; stat -c "size %s" /tmp/big
	dd if=/dev/zero of=/dev/shm/big bs=1M count=200 2>&1; stat -c "size %s" /dev/shm/big' > "$TMP/out" 2>&1
check "default: a 200M write to /tmp stops at the 64M cap (ENOSPC)" \
	sh -c "grep -q 'No space left on device' '$TMP/out' && grep -qx 'size 67108864' '$TMP/out'"
check "... and to /dev/shm too" test "$(grep -c 'No space left on device' "$TMP/out")" = 2
run "${A[@]}" --tmp-size 8M -- /bin/sh -c 'dd if=/dev/zero of=/tmp/big bs=1M count=20 2>&1; stat -c "size %s" /tmp/big' > "$TMP/out" 2>&1
check "--tmp-size 8M: the cap moves" grep -qx "size 8388608" "$TMP/out"

# --- asked for by name: --user root
run "${A[@]}" --user root --rw "$TMP/rw" -- /bin/sh -c "touch $TMP/rw/byroot" > "$TMP/out" 2>&1
check "--user root: the payload is host root (its file is owned by $(stat -c %u "$TMP/rw/byroot" 2>/dev/null))" \
	test "$(stat -c %u "$TMP/rw/byroot" 2>/dev/null)" = 0
check "... and the help says it is dangerous" sh -c "'$BPFGUARD' run --help | grep -q 'root (DANGEROUS'"
check "... and so does docs/run.md" grep -q -- '--user root.*\*\*dangerous\*\*' "$BG_SRCDIR/docs/run.md"

check "nothing left behind (cgroups)" sh -c "! ls -d /sys/fs/cgroup/*/bpfguard.run/* 2>/dev/null"
finish

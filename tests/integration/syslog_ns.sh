#!/bin/bash
# syslog_ns.sh DIR NAME CONF BPFGUARD PYTHON raw|hex
#
# Runs `bpfguard daemon --config CONF` with a private /dev/log, so syslog
# outputs can be read without touching the host's logging.  Start it as
#   unshare -m --propagation private bash syslog_ns.sh ... &
# It mounts a tmpfs on /dev (the host's null/zero/random/urandom bound in),
# listens on /dev/log and writes each datagram to DIR/NAME.out, one per
# line: the raw bytes (raw) or their hex (hex: a datagram with a newline
# in it stays one line).  DIR/NAME.go appears once the daemon is ready;
# touching DIR/NAME.done stops it (SIGTERM); its exit code goes to
# DIR/NAME.rc, its stderr to DIR/NAME-daemon.log.
# ENC socket=PATH: no listener of ours; /dev/log is PATH, a socket a real
# syslog daemon listens on (test_rsyslog.sh: rsyslogd's imuxsock).
T=$1 N=$2 CONF=$3 BG=$4 PY=$5 ENC=$6
mkdir -p "$T/hostdev"
mount --rbind /dev "$T/hostdev" && mount -t tmpfs -o size=1m bgdev /dev || exit 1
for n in null zero random urandom; do touch /dev/$n && mount --bind "$T/hostdev/$n" /dev/$n; done
LP=
if [ "${ENC#socket=}" != "$ENC" ]; then
	touch /dev/log && mount --bind "${ENC#socket=}" /dev/log || exit 1
	touch "$T/$N.ready"
else
"$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[3], "w").close()
s.settimeout(60)
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        f.write((d.hex().encode() if sys.argv[4] == "hex" else d) + b"\n")' /dev/log "$T/$N.out" "$T/$N.ready" "$ENC" &
LP=$!
fi
for _ in $(seq 100); do [ -e "$T/$N.ready" ] && break; sleep 0.1; done
"$BG" daemon --config "$CONF" 2> "$T/$N-daemon.log" &
DP=$!
for _ in $(seq 600); do grep -q "ready:" "$T/$N-daemon.log" && break; sleep 0.1; done
touch "$T/$N.go"
for _ in $(seq 600); do [ -e "$T/$N.done" ] && break; sleep 0.1; done
kill -TERM $DP
wait $DP
echo $? > "$T/$N.rc"
[ -n "$LP" ] && kill $LP

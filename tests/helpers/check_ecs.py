#!/usr/bin/python3
"""check_ecs.py NATIVE ECS: the daemon's `format = ecs` lines against its
native json lines of the same events (paired by time, pid and tid).  Every
native field must be in the ECS line: the ones ECS has a field for at that
field (docs/daemon.md, "ECS"), all of them under "bpfguard" as well, with
the same value.  Exit 1 with one line per difference; prints the pairs."""
import json
import sys

# native field -> ECS path (and its type in ECS, when it differs)
HOMES = {
    "time": "@timestamp", "host": "host.name", "boot_id": "host.boot.id", "policy": "rule.name",
    "pid": "process.pid", "tid": "process.thread.id", "comm": "process.name", "uid": "user.id",
    "container_id": "container.id",
}
NOT_UNDER_BPFGUARD = set(HOMES) | {"comm_hex", "policy_hex", "host_hex", "container_id_hex"}


def get(d, path):
    for p in path.split(".") if path != "@timestamp" else [path]:
        if not isinstance(d, dict) or p not in d:
            return KeyError
        d = d[p]
    return d


def main():
    native = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
    ecs = [json.loads(l) for l in open(sys.argv[2]) if l.startswith("{")]
    by_key = {(e["@timestamp"], e["process"]["pid"], e["process"]["thread"]["id"]): e for e in ecs}
    bad, pairs = 0, 0
    for n in native:
        e = by_key.get((n["time"], n["pid"], n["tid"]))
        if e is None:
            continue
        pairs += 1
        if e.get("ecs", {}).get("version", "").split(".")[0] != "8" or e["event"]["kind"] != "event":
            print("no ECS 8 event: %s" % e)
            bad += 1
        want_outcome = "success" if n["effect"] == "recorded" else "failure"
        if e["event"]["outcome"] != want_outcome:
            print("event.outcome %s for effect %s" % (e["event"]["outcome"], n["effect"]))
            bad += 1
        for k, v in n.items():
            if k in HOMES:
                got = get(e, HOMES[k])
                if got != (str(v) if k == "uid" else v):
                    print("%s -> %s: %r, native %r" % (k, HOMES[k], got, v))
                    bad += 1
            if k not in NOT_UNDER_BPFGUARD and e["bpfguard"].get(k, KeyError) != v:
                print("%s -> bpfguard.%s: %r, native %r" % (k, k, e["bpfguard"].get(k), v))
                bad += 1
        if n["type"] == "net" and "address" in n and (get(e, "destination.ip") != n["address"] or
                                                        get(e, "destination.port") != n["port"]):
            print("destination.ip/port do not match address/port: %s" % e)
            bad += 1
    print("%d native events, %d ECS events, %d pairs" % (len(native), len(ecs), pairs))
    sys.exit(1 if bad or pairs == 0 else 0)


main()

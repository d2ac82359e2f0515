#!/usr/bin/python3
"""check_events.py SCHEMA FILE... [--types T,T]: every JSON line of the
files (bpfguard events --json, the daemon's json outputs) against the
event schema (docs/event.schema.json, JSON Schema 2020-12, with Debian's
python3-jsonschema).  One line per invalid event (FILE:LINE: why), exit 1
if any; with --types, also exit 1 unless each named type occurs.  Prints
the number of events and the types seen."""
import json
import sys

from jsonschema import Draft202012Validator


def main():
    args = sys.argv[1:]
    want = set()
    if "--types" in args:
        i = args.index("--types")
        want = set(args[i + 1].split(","))
        del args[i:i + 2]
    schema = json.load(open(args[0]))
    Draft202012Validator.check_schema(schema)
    v = Draft202012Validator(schema)
    bad, n, seen = 0, 0, set()
    for path in args[1:]:
        with open(path, encoding="utf-8") as f:
            for ln, line in enumerate(f, 1):
                if not line.strip() or not line.startswith("{"):
                    continue
                n += 1
                e = json.loads(line)
                seen.add(e.get("type"))
                for err in v.iter_errors(e):
                    bad += 1
                    print("%s:%d: %s (at %s)" % (path, ln, err.message,
                                                  "/".join(str(p) for p in err.absolute_path) or "top"))
    missing = want - seen
    print("%d events, types %s%s" % (n, ",".join(sorted(t for t in seen if t)),
                                      "; missing " + ",".join(sorted(missing)) if missing else ""))
    sys.exit(1 if bad or missing or n == 0 else 0)


main()

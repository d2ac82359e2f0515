#!/usr/bin/python3
"""check_refs.py SRCDIR BPFGUARD [--expect N]: what README.md and docs/*.md tell a reader
to use exists.

- Every repository path they name (docs/..., scripts/..., tests/...,
  user/..., bpf/..., policies/..., packaging/..., deploy/..., vmlinux/...)
  in code blocks or `inline code` is a file or directory of the tree.
- Every `bpfguard ...` command line in a code block names a command (and
  a verb where the command has verbs) of the program's own command table
  (`bpfguard __complete-data`), and every --long option of that line is
  one that command (or a global one) accepts.
One line per problem (FILE:LINE: what), exit 1 if any."""
import glob
import json
import os
import re
import shlex
import subprocess
import sys

ROOTS = ("docs/", "scripts/", "tests/", "user/", "bpf/", "policies/", "packaging/", "deploy/", "vmlinux/", ".ci/")
GLOBAL = {"json", "pretty", "help", "version"}


def table(bg):
    d = json.loads(subprocess.run([bg, "__complete-data"], capture_output=True, text=True, check=True).stdout)

    def walk(cmds):
        return {c["name"]: (c, walk(c.get("commands", []))) for c in cmds}
    return walk(d["commands"])


def opts_of(c):
    return {o["name"] for o in c.get("options", [])}


def check_command(words, cmds, where, problems):
    # words after "bpfguard"; global -j/-p/--json first
    while words and words[0] in ("-j", "-p", "--json", "--pretty"):
        words = words[1:]
    if not words or words[0] in ("help", "--help", "-h", "--version", "-V"):
        return
    if words[0] not in cmds:
        problems.append("%s: `bpfguard %s`: no such command" % (where, words[0]))
        return
    c, sub = cmds[words[0]]
    rest = words[1:]
    allowed = opts_of(c) | GLOBAL
    if sub:
        if rest and not rest[0].startswith("-") and rest[0] not in ("help",):
            if rest[0] not in sub:
                problems.append("%s: `bpfguard %s %s`: no such verb" % (where, words[0], rest[0]))
                return
            allowed |= opts_of(sub[rest[0]][0])
            rest = rest[1:]
    for w in rest:
        if w == "--":
            break
        m = re.match(r"--([a-z0-9-]+)", w)
        if m and m.group(1) not in allowed:
            problems.append("%s: `bpfguard %s`: no option --%s" % (where, " ".join(words[:2]), m.group(1)))


def main():
    src, bg = sys.argv[1], sys.argv[2]
    # --expect N: the control tree, where exactly N problems must be found
    expect = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--expect" else None
    cmds = table(bg)
    problems = []
    files = [os.path.join(src, "README.md")] + sorted(glob.glob(os.path.join(src, "docs", "*.md")))
    for f in files:
        rel = os.path.relpath(f, src)
        code = False
        for n, line in enumerate(open(f, encoding="utf-8"), 1):
            where = "%s:%d" % (rel, n)
            if line.lstrip().startswith("```"):
                code = not code
                continue
            spans = [line] if code else re.findall(r"`([^`]+)`", line)
            for s in spans:
                for m in re.finditer(r"(?<![\w/.$-])((?:%s)[\w./+*-]*)" % "|".join(re.escape(r) for r in ROOTS), s):
                    p = m.group(1).rstrip(".,:;)")
                    # globs and placeholders (bpf/NAME.bpf.c) name no one file
                    if any(ch in p for ch in "*<>{}$") or p.endswith("/...") or re.search(r"\b[A-Z]{2,}\b", p):
                        continue
                    # built helpers are named by their program: tests/helpers/sysloop
                    if not any(os.path.exists(os.path.join(src, p + x)) for x in ("", ".c", ".sh", ".py")):
                        problems.append("%s: %s does not exist in the tree" % (where, p))
            if code:
                s = line.split("#", 1)[0].strip()
                s = re.sub(r"^(sudo |\$ )", "", s)
                if s.startswith("bpfguard "):
                    try:
                        words = shlex.split(s)[1:]
                    except ValueError:
                        continue
                    # a pipeline or a second command ends it
                    for i, w in enumerate(words):
                        if w in ("|", "&&", ";", ">", "2>", "&", "||") or w.endswith(";"):
                            words = words[:i] + ([w[:-1]] if w.endswith(";") and len(w) > 1 else [])
                            break
                    check_command(words, cmds, where, problems)
    for p in problems:
        print(p)
    print("%d files, %d problems" % (len(files), len(problems)))
    if expect is not None:
        sys.exit(0 if len(problems) == expect else 1)
    sys.exit(1 if problems else 0)


main()

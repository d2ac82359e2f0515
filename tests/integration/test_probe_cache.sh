#!/bin/bash
# attach reuses the kernel probe for the rest of the boot
# (user/core/probe_cache.c): `bpfguard probe` writes the cache, a later
# attach reads it instead of probing (no probe cgroup made), a cache that
# is not ours (wrong mode, truncated, another binary's key) is ignored and
# rewritten, and the cached answer is the fresh one.
. "$(dirname "$0")/lib.sh"
C=/run/bpfguard/probe.cache
P=$(policy pc <<'POL'
name probe-cache
default allow
kill mkdir
POL
)
probes_made() { # probes_made CMD...: how many probe cgroups CMD made
	strace -f -qq -e trace=mkdir -o "$TMP/st" "$@" > /dev/null 2>&1
	grep -c 'bpfguard-probe-' "$TMP/st"
}
rm -f "$C"
expect_rc 0 "bpfguard probe" "$BPFGUARD" probe --json
check "probe wrote the cache, root-only" test "$(stat -c '%U %a' "$C")" = "root 600"
n=$(probes_made "$BPFGUARD" attach --cgroup "$CGREL" --policy "$P")
check "attach after a probe does not probe again ($n probe cgroups)" test "$n" = 0
"$SYSPROBE" --cgroup "$CG" mkdir "$TMP/k" > /dev/null 2>&1
check "and the attach is in force (mkdir killed)" test $? = 137
"$BPFGUARD" detach --cgroup "$CGREL" > /dev/null
# the cached answer decides as the fresh one does: the same attach report
"$BPFGUARD" attach --cgroup "$CGREL" --policy "$P" > "$TMP/cached.out" 2>&1
"$BPFGUARD" detach --cgroup "$CGREL" > /dev/null
rm -f "$C"
"$BPFGUARD" attach --cgroup "$CGREL" --policy "$P" > "$TMP/fresh.out" 2>&1
"$BPFGUARD" detach --cgroup "$CGREL" > /dev/null
check "attach reports the same from the cache as from a fresh probe" diff "$TMP/cached.out" "$TMP/fresh.out"
check "the report names its mechanism" grep -q "kill" "$TMP/fresh.out"
chmod 644 "$C"
n=$(probes_made "$BPFGUARD" attach --cgroup "$CGREL" --policy "$P")
check "a cache others can read is not trusted: probed again ($n)" test "$n" -ge 1
check "and rewritten root-only" test "$(stat -c '%a' "$C")" = 600
"$BPFGUARD" detach --cgroup "$CGREL" > /dev/null
head -c 100 "$C" > "$TMP/short"; cat "$TMP/short" > "$C"
n=$(probes_made "$BPFGUARD" attach --cgroup "$CGREL" --policy "$P")
check "a truncated cache is ignored: probed again ($n)" test "$n" -ge 1
"$BPFGUARD" detach --cgroup "$CGREL" > /dev/null
# another binary (a copy has another inode): its own probe
cp "$BPFGUARD" "$TMP/bg-copy"
n=$(probes_made "$TMP/bg-copy" attach --cgroup "$CGREL" --policy "$P")
check "another bpfguard binary probes for itself ($n)" test "$n" -ge 1
"$TMP/bg-copy" detach --cgroup "$CGREL" > /dev/null
finish

#!/bin/bash
# Attack (docs/threat-model.md): the trust store says what may run
# where a policy says `exec trusted`.
#  - It is written 0600 (the owner, root, only), whatever the umask; a store
#    left readable or writable by others by an older bpfguard draws a
#    warning on every read and is rewritten 0600 by the next change.
#  - A hostile symlink swapped while `trust add` works cannot bind one
#    file's hash to another file's path: the file is opened once, and the
#    path stored, the hash and the identity all come from that descriptor.
. "$(dirname "$0")/../integration/lib.sh"

export BPFGUARD_TRUST_STORE=$TMP/store/trust.list
H=$BG_HELPERS/execattack
mkdir -p "$TMP/store" "$TMP/f"
mode() { stat -c %a "$1"; }

cp /bin/true "$TMP/f/small"
expect_rc 0 "trust add (umask 022)" "$BPFGUARD" trust add "$TMP/f/small"
check "the new store is mode 0600 (is $(mode "$BPFGUARD_TRUST_STORE"))" test "$(mode "$BPFGUARD_TRUST_STORE")" = 600
rm -f "$BPFGUARD_TRUST_STORE"
(umask 000; "$BPFGUARD" trust add "$TMP/f/small" > /dev/null 2>&1)
check "... 0600 under umask 000 too (is $(mode "$BPFGUARD_TRUST_STORE"))" test "$(mode "$BPFGUARD_TRUST_STORE")" = 600
check "... no temporary file left beside it" test "$(ls "$TMP/store" | wc -l)" = 1

chmod 644 "$BPFGUARD_TRUST_STORE"
expect_rc 0 "trust list of a 0644 store still works" "$BPFGUARD" trust list
check "... with one warning line: mode, chmod 600" grep -q "trust store .* has mode 0644.*chmod 600" "$TMP/err"
cp /bin/true "$TMP/f/other"
expect_rc 0 "trust add to the 0644 store" "$BPFGUARD" trust add "$TMP/f/other"
check "... rewrites it 0600 (is $(mode "$BPFGUARD_TRUST_STORE"))" test "$(mode "$BPFGUARD_TRUST_STORE")" = 600
expect_rc 0 "trust list after the fix" "$BPFGUARD" trust list
check "... no warning any more" sh -c "! grep -q 'has mode' '$TMP/err'"

# Hostile symlink: LINK flips between a big file (slow to hash) and a small
# one as fast as it can while trust add runs again and again.  Every stored
# line must pair a path with that very file's hash.
rm -f "$BPFGUARD_TRUST_STORE"
head -c 48M /dev/urandom > "$TMP/f/big"
ln -s "$TMP/f/small" "$TMP/f/link"
big=$(sha256sum "$TMP/f/big" | cut -c1-64)
small=$(sha256sum "$TMP/f/small" | cut -c1-64)
misbound() { # the store's lines that pair a path with the other file's hash
	awk -v big="sha256:$big" -v small="sha256:$small" -v pb="$TMP/f/big" -v ps="$TMP/f/small" '
		/^#/ { next }
		!(($1 == big && $2 == pb) || ($1 == small && $2 == ps)) { print }' "$BPFGUARD_TRUST_STORE"
}
"$H" swap-link "$TMP/f/link" "$TMP/f/big" "$TMP/f/small" 60 > "$TMP/swap.out" 2>&1 &
SW=$!
added=0 bad=
for _ in $(seq 12); do
	"$BPFGUARD" trust add "$TMP/f/link" > /dev/null 2>&1 && added=$((added + 1))
	# after every add: a later add may overwrite a wrong line with a right one
	[ -z "$bad" ] && [ -e "$BPFGUARD_TRUST_STORE" ] && bad=$(misbound | head -n 1)
done
kill "$SW" 2>/dev/null
wait "$SW" 2>/dev/null
check "trust add succeeded under the swap ($added of 12)" test "$added" -gt 0
check "no stored line ever paired a path with another file's hash${bad:+: $bad}" test -z "$bad"
check "... and none names the symlink instead of the file" sh -c "! grep -q ' $TMP/f/link\$' '$BPFGUARD_TRUST_STORE'"
finish

#!/bin/bash
# Signed executables (docs/exec.md, "Signed executables"; docs/signatures.md):
# `trust add --key --signature` records a file only if cosign's signature
# verifies and remembers the signer; a policy's `exec signed-by KEY` with
# `exec signed-in DIR` admits the files of DIR whose signature beside them
# verifies with KEY, and the trust store's entries that KEY signed;
# everything else is refused by the existing exec mechanism (kill at exec
# here: the gate is kept off so the outcome is the exit status);
# `run --key --signature` refuses an unsigned or wrongly signed payload
# before anything starts; `go inspect --key` adds a signed verdict.
. "$(dirname "$0")/../integration/lib.sh"
export BPFGUARD_EXEC_GATE=off
export BPFGUARD_TRUST_STORE=$TMP/trust.list
chmod 755 "$TMP"
exe() { "$SYSPROBE" --cgroup "$CG" exec "$@"; }
# cosign sign-blob --key's format: base64 of a DER ECDSA P-256 signature
# over the file's SHA-256
sign() { openssl dgst -sha256 -sign "$1" "$2" | base64 -w0 > "$3"; }
openssl ecparam -name prime256v1 -genkey -noout -out "$TMP/k.pem" 2> /dev/null
openssl ec -in "$TMP/k.pem" -pubout -out "$TMP/k.pub" 2> /dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$TMP/other.pem" 2> /dev/null
openssl ec -in "$TMP/other.pem" -pubout -out "$TMP/other.pub" 2> /dev/null

D=$TMP/signed
mkdir -p "$D"
chmod 755 "$D"
for f in good other unsigned changed late; do cp /bin/true "$D/$f"; done
sign "$TMP/k.pem" "$D/good" "$D/good.sig"
sign "$TMP/other.pem" "$D/other" "$D/other.sig"
sign "$TMP/k.pem" "$D/changed" "$D/changed.sig"
printf '\n' >> "$D/changed" # signed, then modified

# --- trust add with a signature
cp /bin/true "$TMP/viastore"
sign "$TMP/k.pem" "$TMP/viastore" "$TMP/viastore.sig"
expect_rc 6 "trust add with another key's public key: refused (exit 6, the signature does not verify)" \
	"$BPFGUARD" trust add --key "$TMP/other.pub" --signature "$TMP/viastore.sig" "$TMP/viastore"
check "... one line, nothing was added" sh -c "[ \$(wc -l < '$TMP/err') = 1 ] && grep -q 'nothing was added' '$TMP/err' && ! grep -qs viastore '$TMP/trust.list'"
expect_rc 2 "trust add --signature without --key: refused" \
	"$BPFGUARD" trust add --signature "$TMP/viastore.sig" "$TMP/viastore"
expect_rc 0 "trust add --key --signature: recorded" \
	"$BPFGUARD" trust add --key "$TMP/k.pub" --signature "$TMP/viastore.sig" "$TMP/viastore"
KEYID=$("$BPFGUARD" verify-blob --json --key "$TMP/k.pub" --signature "$TMP/viastore.sig" "$TMP/viastore" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["key_id"])')
check "... the store remembers the signer ($KEYID)" grep -q "signer=key.x20$KEYID $TMP/viastore" "$TMP/trust.list"
"$BPFGUARD" trust list --json > "$TMP/list.json"
check "... trust list --json shows it" \
	json_any "$TMP/list.json" "any(x['path'] == '$TMP/viastore' and x['signer'] == 'key $KEYID' for x in e)"
cp /bin/true "$TMP/plain"
"$BPFGUARD" trust add "$TMP/plain" > /dev/null || not_ok "trust add without a signature"
expect_rc 0 "a store with signed and unsigned entries loads (trust list --verify)" "$BPFGUARD" trust list --verify

# --- exec signed-by / signed-in at attach
policy sig > /dev/null <<POL
name exec-signed
default allow
exec signed-by $TMP/k.pub
exec signed-in $D
POL
expect_rc 0 "attach exec signed-by KEY + signed-in DIR" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/sig.policy"
check "... attach says signed files are admitted" grep -q "signed files" "$TMP/out"
expect_rc 0 "a file of DIR signed by KEY runs" exe "$D/good"
exe "$D/other" > /dev/null 2>&1
check "a file signed by another key is killed (exit $?)" test $? = 137
exe "$D/unsigned" > /dev/null 2>&1
check "an unsigned file of DIR is killed (exit $?)" test $? = 137
exe "$D/changed" > /dev/null 2>&1
check "a file changed after it was signed is killed (exit $?)" test $? = 137
expect_rc 0 "the trust store's entry signed by KEY runs" exe "$TMP/viastore"
exe "$TMP/plain" > /dev/null 2>&1
check "an unsigned trust-store entry is not admitted by signed-by (exit $?)" test $? = 137
# a file signed after the attach, then the attach again (attach.d does it
# when the directory changes): admitted
sign "$TMP/k.pem" "$D/late" "$D/late.sig"
exe "$D/late" > /dev/null 2>&1
check "a file signed after the attach is not admitted yet (exit $?)" test $? = 137
expect_rc 0 "attach again" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/sig.policy"
expect_rc 0 "... now it runs" exe "$D/late"

# the signer named by its key id: the store's entries it signed
policy sigid > /dev/null <<POL
name exec-signed-id
default allow
exec signed-by $KEYID
POL
expect_rc 0 "attach exec signed-by sha256:KEYID" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/sigid.policy"
expect_rc 0 "the store's entry that key signed runs" exe "$TMP/viastore"
exe "$D/good" > /dev/null 2>&1
check "a key id alone admits no directory file (exit $?)" test $? = 137
"$BPFGUARD" detach --cgroup "$CGREL" > /dev/null

# refusals at parse and attach: one line, nothing attached
policy nokey > /dev/null <<POL
name nokey
default allow
exec signed-in $D
POL
expect_rc 1 "signed-in without signed-by: refused" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/nokey.policy"
check "... saying what to add" grep -q "add exec signed-by" "$TMP/err"
policy badkey > /dev/null <<POL
name badkey
default allow
exec signed-by relative.pub
POL
expect_rc 2 "a relative key path: refused at parse" "$BPFGUARD" policy check "$TMP/badkey.policy"
printf 'name missingkey\ndefault allow\nexec signed-by %s/none.pub\nexec signed-in %s\n' "$TMP" "$D" > "$TMP/mk.policy"
expect_rc 1 "a key file that does not exist: refused at attach" "$BPFGUARD" attach --cgroup "$CGREL" --policy "$TMP/mk.policy"
check "... nothing attached" sh -c "! \"$BPFGUARD\" status 2>/dev/null | grep -q '$CGREL'"

# a writer of a signed-in directory cannot make an attach verify without
# end: past 4096 files with a signature beside them it is refused
D2=$TMP/many
mkdir -p "$D2"
python3 - "$D/good" "$D/good.sig" "$D2" <<'PY'
import os, sys
src, sig, d = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3]
for i in range(4097):
    os.link(src, "%s/f%d" % (d, i))
    open("%s/f%d.sig" % (d, i), "w").write(sig)
PY
printf 'name many\ndefault allow\nexec signed-by %s\nexec signed-in %s\n' "$TMP/k.pub" "$D2" > "$TMP/many.policy"
mkdir -p "$CG/many"
expect_rc 1 "4097 signed files in a signed-in directory: the attach is refused" \
	"$BPFGUARD" attach --cgroup "$CGREL/many" --policy "$TMP/many.policy"
check "... one line naming the bound" grep -q "more than 4096 files with a signature" "$TMP/err"
check "... and nothing is attached there" sh -c "! \"$BPFGUARD\" status 2>/dev/null | grep -q '$CGREL/many'"
rm -f "$D2/f4096" "$D2/f4096.sig"
expect_rc 0 "4096: attached" "$BPFGUARD" attach --cgroup "$CGREL/many" --policy "$TMP/many.policy"
"$BPFGUARD" detach --cgroup "$CGREL/many" > /dev/null
rmdir "$CG/many"

# --- the daemon: attach.d attachments follow their signed-in directories
# (inotify; daemon.c, signed_watch): a file signed there later is
# admitted without anyone attaching again, one whose signature goes is not
mkdir -p "$TMP/attach.d"
printf '%s %s\n' "$CGREL" "$TMP/sig.policy" > "$TMP/attach.d/a.conf"
printf '[attach]\ndir = %s\nstate = %s/owned.json\nrescan = 0\n' "$TMP/attach.d" "$TMP" > "$TMP/d.conf"
cp /bin/true "$D/later"
"$BPFGUARD" daemon --config "$TMP/d.conf" --foreground 2> "$TMP/dlog" > /dev/null &
dpid=$!
wait_for 20 grep -q "ready:" "$TMP/dlog" || not_ok "the daemon starts"
exe "$D/later" > /dev/null 2>&1
check "daemon: a file with no signature yet is killed (exit $?)" test $? = 137
sign "$TMP/k.pem" "$D/later" "$D/later.sig"
ran() { "$SYSPROBE" --cgroup "$CG" exec "$1" > /dev/null 2>&1; }
check "daemon: once signed, it runs (no attach by hand)" wait_for 10 ran "$D/later"
rm "$D/good.sig"
check "daemon: a file whose signature is removed is killed again" wait_for 10 sh -c "! \"$SYSPROBE\" --cgroup '$CG' exec '$D/good' > /dev/null 2>&1"
kill -TERM "$dpid"
wait "$dpid"
sign "$TMP/k.pem" "$D/good" "$D/good.sig"
"$BPFGUARD" detach --cgroup "$CGREL" > /dev/null 2>&1

# --- run --key --signature: pre-flight
printf 'name allow-all\ndefault allow\n' > "$TMP/allow.policy"
expect_rc 0 "run --key --signature with a good signature runs" \
	"$BPFGUARD" run --policy "$TMP/allow.policy" --key "$TMP/k.pub" --signature "$D/good.sig" -- "$D/good"
expect_rc 115 "run with another key: refused before anything runs (exit 115)" \
	"$BPFGUARD" run --policy "$TMP/allow.policy" --key "$TMP/other.pub" --signature "$D/good.sig" -- "$D/good"
check "... one line saying nothing was run" sh -c "grep -q 'nothing was run' '$TMP/err' && [ \$(wc -l < '$TMP/err') = 1 ]"
expect_rc 115 "run of a file changed after signing: refused (exit 115)" \
	"$BPFGUARD" run --policy "$TMP/allow.policy" --key "$TMP/k.pub" --signature "$D/changed.sig" -- "$D/changed"
expect_rc 125 "run --signature without --key: a usage error" \
	"$BPFGUARD" run --policy "$TMP/allow.policy" --signature "$D/good.sig" -- "$D/good"

# --- go inspect --key --signature: the signed verdict
GOBIN=$(command -v gofmt || echo /usr/lib/go/bin/gofmt)
cp "$(readlink -f "$GOBIN")" "$TMP/gofmt"
sign "$TMP/k.pem" "$TMP/gofmt" "$TMP/gofmt.sig"
expect_rc 0 "go inspect --key --signature of a signed Go binary" \
	"$BPFGUARD" go inspect --key "$TMP/k.pub" --signature "$TMP/gofmt.sig" "$TMP/gofmt"
check "... its verdicts include signed yes, by the key" grep -qP "^\tsigned\tyes\t\(key $KEYID\)" "$TMP/out"
expect_rc 6 "go inspect with another key: the inspection, then exit 6" \
	"$BPFGUARD" go inspect --key "$TMP/other.pub" --signature "$TMP/gofmt.sig" "$TMP/gofmt"
check "... signed no in the verdicts" grep -qP "^\tsigned\tno\t" "$TMP/out"
"$BPFGUARD" go inspect --json --key "$TMP/k.pub" --signature "$TMP/gofmt.sig" "$TMP/gofmt" > "$TMP/insp.json"
check "... --json carries signature.verified and the signer" \
	json_any "$TMP/insp.json" "e['signature']['verified'] and e['signature']['signer'] == 'key $KEYID'"
finish

#!/bin/bash
# test_verify_blob.sh - `bpfguard verify-blob` against signatures made by
# openssl in exactly cosign's formats (sign-blob --key: base64 of the DER
# signature over the file's SHA-256; Ed25519 over the file; RSA PKCS#1
# v1.5, and PSS) and Sigstore bundles written field by field from the published
# protobuf-specs by tests/helpers/mkbundle.py (key and keyless, v0.1 to
# v0.3, message signature and DSSE, log entries with a signed entry
# timestamp and an inclusion proof + checkpoint of a test "Rekor" key,
# a test "Fulcio" root, intermediate and leaf).  Each refusal is checked
# for its exit code and its one line.  Uses no BPF state; needs openssl
# and python3.
# shellcheck disable=SC2034 # read by lib.sh
BG_TEST_NO_BPF=1
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

PY=$(command -v /usr/bin/python3 || command -v python3)
if ! command -v openssl > /dev/null || [ -z "$PY" ]; then
	echo "not ok - openssl and python3 are needed (apt-get install openssl python3)"
	exit 1
fi
BG="$BPFGUARD"
MK="$PY $BG_SRCDIR/tests/helpers/mkbundle.py"
cd "$TMP" || exit 1

# fails CODE DESCRIPTION LINE COMMAND...: exit CODE, nothing on stdout,
# exactly LINE on stderr
fails() {
	local code=$1 what=$2 line=$3
	shift 3
	expect_rc "$code" "$what" "$@"
	if [ ! -s "$TMP/out" ] && [ "$(cat "$TMP/err")" = "$line" ]; then ok "  the one line"; else
		not_ok "  the one line: wanted"; echo "    $line"; echo "    got:"; sed 's/^/    /' "$TMP/err"; fi
}
# verified DESCRIPTION SIGNER COMMAND...: exit 0, "Verified OK" and the signer
verified() {
	local what=$1 signer=$2
	shift 2
	expect_rc 0 "$what" "$@"
	check "  Verified OK, signer: $signer" bash -c "[ \"\$(sed -n 1,2p '$TMP/out')\" = \"Verified OK
signer: $signer\" ] && [ ! -s '$TMP/err' ]"
}
keyid() { echo "sha256:$(openssl pkey -pubin -in "$1" -outform DER | sha256sum | cut -c1-64)"; }

# --- material -----------------------------------------------------------------
printf 'the artifact\n' > f
printf 'another artifact\n' > other
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pem 2> /dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec2.pem 2> /dev/null
openssl genpkey -algorithm ED25519 -out ed.pem 2> /dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem 2> /dev/null
for k in ec ec2 ed rsa; do openssl pkey -in $k.pem -pubout -out $k.pub; done
# cosign sign-blob --key's output, byte for byte
openssl dgst -sha256 -sign ec.pem f | base64 -w0 > ec.sig
openssl pkeyutl -sign -rawin -inkey ed.pem -in f | base64 -w0 > ed.sig
openssl dgst -sha256 -sign rsa.pem f | base64 -w0 > rsa.sig
EC=$(keyid ec.pub) ED=$(keyid ed.pub) RSA=$(keyid rsa.pub)
$MK pki pki || { echo "not ok - mkbundle.py pki"; exit 1; }
read -r LEAF_START LEAF_END < pki/leaf.time
T=$((LEAF_START + 300))
ID=signer@example.com ISS=https://accounts.example.com
KL=(--trusted-root pki/trusted_root.json --certificate-identity "$ID" --certificate-oidc-issuer "$ISS")

# --- key and .sig ------------------------------------------------------------
verified "P-256 key, cosign .sig" "key $EC" "$BG" verify-blob --key ec.pub --signature ec.sig f
verified "Ed25519 key" "key $ED" "$BG" verify-blob --key ed.pub --signature ed.sig f
verified "RSA key (PKCS#1 v1.5)" "key $RSA" "$BG" verify-blob --key rsa.pub --signature rsa.sig f
openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sign rsa.pem f | base64 -w0 > rsapss.sig
verified "RSA key, PSS signature" "key $RSA" "$BG" verify-blob --key rsa.pub --signature rsapss.sig f
expect_rc 0 "--json" "$BG" verify-blob --key ec.pub --signature ec.sig --json f
check "  one object: verified, signer, the file's sha256" "$PY" -c '
import json, sys, hashlib
j = json.load(open(sys.argv[1]))
assert j["verified"] is True and j["signer"] == "key " + sys.argv[2] and j["key_id"] == sys.argv[2]
assert j["sha256"] == hashlib.sha256(open("f", "rb").read()).hexdigest() and j["bundle"] is False' "$TMP/out" "$EC"

printf 'the artifact, changed\n' > changed
# mismatch FILE KEYID ALG: the line of a signature that does not verify
mismatch() { echo "bpfguard: verify-blob: $1: the signature does not verify with key $2 ($3): the file changed, or another key signed it; check you have the right file and key"; }
fails 6 "tampered file" "$(mismatch changed "$EC" ecdsa-p256)" "$BG" verify-blob --key ec.pub --signature ec.sig changed
fails 6 "wrong key" "$(mismatch f "$(keyid ec2.pub)" ecdsa-p256)" \
	"$BG" verify-blob --key ec2.pub --signature ec.sig f
fails 6 "Ed25519: tampered file" "$(mismatch changed "$ED" ed25519)" \
	"$BG" verify-blob --key ed.pub --signature ed.sig changed
fails 6 "RSA: tampered file" "$(mismatch changed "$RSA" rsa)" \
	"$BG" verify-blob --key rsa.pub --signature rsa.sig changed
fails 6 "RSA PSS: tampered file" "$(mismatch changed "$RSA" rsa)" \
	"$BG" verify-blob --key rsa.pub --signature rsapss.sig changed

# the DER signature, re-encoded or cut: refused as malformed, not as a mismatch
base64 -d ec.sig > ec.der
head -c $(($(stat -c %s ec.der) - 3)) ec.der | base64 -w0 > trunc.sig
NOTDER="bpfguard: verify-blob: f: the signature is not a DER ECDSA signature:"
fails 5 "truncated signature" "$NOTDER not a DER SEQUENCE (truncated, or not an ECDSA signature); give the .sig cosign wrote, unmodified" \
	"$BG" verify-blob --key ec.pub --signature trunc.sig f
# the same r and s in BER: a long-form length for the SEQUENCE
"$PY" -c '
import sys
d = open("ec.der", "rb").read()
assert d[0] == 0x30 and d[1] < 0x80
sys.stdout.buffer.write(b"\x30\x81" + bytes([d[1]]) + d[2:])' | base64 -w0 > ber.sig
fails 5 "re-encoded signature (BER long-form length)" "$NOTDER not a DER SEQUENCE (truncated, or not an ECDSA signature); give the .sig cosign wrote, unmodified" \
	"$BG" verify-blob --key ec.pub --signature ber.sig f
# the same r with a needless leading zero byte
"$PY" -c '
import sys
d = open("ec.der", "rb").read()
rl = d[3]; r = d[4:4 + rl]; s = d[4 + rl:]
r2 = b"\x02" + bytes([rl + 1]) + b"\x00" + r
body = r2 + s
sys.stdout.buffer.write(b"\x30" + bytes([len(body)]) + body)' | base64 -w0 > zero.sig
fails 5 "re-encoded signature (leading zero in r)" "$NOTDER r or s is not a minimally encoded positive integer of the curve's size; give the .sig cosign wrote, unmodified" \
	"$BG" verify-blob --key ec.pub --signature zero.sig f
(cat ec.der; printf '\0') | base64 -w0 > trail.sig
fails 5 "signature with a trailing byte" "$NOTDER bytes after the DER signature; give the .sig cosign wrote, unmodified" \
	"$BG" verify-blob --key ec.pub --signature trail.sig f
printf '%s' "$(tr '+/' '-_' < ec.sig)x" > bad64.sig
fails 5 "bad base64" "bpfguard: verify-blob: f: bad64.sig: signature file is not one line of standard base64; give the .sig that cosign sign-blob wrote (base64 of the DER signature)" \
	"$BG" verify-blob --key ec.pub --signature bad64.sig f
sed 's/BEGIN PUBLIC KEY/BEGIN PUBLIC  KEY/' ec.pub > badarmor.pub
fails 5 "PEM with a broken armor line" "bpfguard: verify-blob: f: badarmor.pub:1: not PEM: expected -----BEGIN LABEL-----; give a PEM file (cosign.pub, a .pem)" \
	"$BG" verify-blob --key badarmor.pub --signature ec.sig f
fails 5 "a private key given as --key" "bpfguard: verify-blob: f: ec.pem: PEM block is PRIVATE KEY, not PUBLIC KEY; give the public key (cosign.pub), never the private one" \
	"$BG" verify-blob --key ec.pem --signature ec.sig f
fails 2 "nothing to verify with" "bpfguard: verify-blob: f: nothing to verify with: give --key KEY.pub --signature FILE.sig, or --bundle FILE.sigstore.json" \
	"$BG" verify-blob --key ec.pub f
fails 2 "an unknown option" "bpfguard: verify-blob: unknown option '--nope'; see bpfguard verify-blob --help" \
	"$BG" verify-blob --nope f
fails 2 "an option without its value" "bpfguard: verify-blob: --key needs a value; see bpfguard verify-blob --help" \
	"$BG" verify-blob --key
fails 2 "no file" "bpfguard: verify-blob: name the file to verify; see bpfguard verify-blob --help" \
	"$BG" verify-blob --key ec.pub --signature ec.sig
fails 2 "a missing key file" "bpfguard: verify-blob: f: nokey.pub: cannot read the key: No such file or directory; check the path" \
	"$BG" verify-blob --key nokey.pub --signature ec.sig f
fails 9 "--require-tlog with a .sig" "bpfguard: verify-blob: f: a .sig file carries no transparency-log entry, and --require-tlog asks for one; verify a bundle (--bundle) instead" \
	"$BG" verify-blob --key ec.pub --signature ec.sig --require-tlog f

# --- bundles with a key --------------------------------------------------------
for v in 1 2 3; do
	$MK bundle --file f --out b$v.json --key ec.pem --version $v --rekor-key pki/rekor.pem
	verified "bundle v0.$v, key, with its log entry" "key $EC" "$BG" verify-blob --bundle b$v.json --key ec.pub --tlog-key pki/rekor.pub --require-tlog f
	check "  the log entry verified" grep -qx "tlog: entry verified offline" "$TMP/out"
done
$MK bundle --file f --out dsse.json --key ec.pem --dsse --rekor-key pki/rekor.pem
verified "bundle v0.3, DSSE (in-toto statement), with its log entry" "key $EC" "$BG" verify-blob --bundle dsse.json --key ec.pub --tlog-key pki/rekor.pub --require-tlog f
$MK bundle --file f --out intoto.json --key ec.pem --dsse --intoto --rekor-key pki/rekor.pem
verified "DSSE bundle with an intoto v0.0.2 log entry" "key $EC" "$BG" verify-blob --bundle intoto.json --key ec.pub --tlog-key pki/rekor.pub --require-tlog f
$MK bundle --file f --out ed.json --key ed.pem --ed25519 --rekor-key pki/rekor.pem
verified "bundle, Ed25519 key" "key $ED" "$BG" verify-blob --bundle ed.json --key ed.pub --tlog-key pki/rekor.pub f
$MK bundle --file f --out rsa.json --key rsa.pem --version 2
verified "bundle, RSA key, no log entry" "key $RSA" "$BG" verify-blob --bundle rsa.json --key rsa.pub f
check "  no log entry checked, and said so" grep -qx "tlog: not checked (no log key given)" "$TMP/out"
verified "bundle with a log entry, no log key: signature only" "key $EC" "$BG" verify-blob --bundle b3.json --key ec.pub f
$MK bundle --file f --out proofonly.json --key ec.pem --rekor-key pki/rekor.pem --no-set
verified "bundle whose entry has only the inclusion proof + checkpoint" "key $EC" "$BG" verify-blob --bundle proofonly.json --key ec.pub --tlog-key pki/rekor.pub --require-tlog f
$MK bundle --file f --out setonly.json --key ec.pem --rekor-key pki/rekor.pem --no-proof
verified "bundle whose entry has only the signed entry timestamp" "key $EC" "$BG" verify-blob --bundle setonly.json --key ec.pub --tlog-key pki/rekor.pub --require-tlog f

fails 7 "bundle, tampered file" "bpfguard: verify-blob: changed: b3.json: the bundle signs the digest sha256:$(sha256sum f | cut -c1-64), not this file's: the file changed, or the bundle is another file's" \
	"$BG" verify-blob --bundle b3.json --key ec.pub changed
fails 6 "bundle, wrong key" "$(mismatch f "$(keyid ec2.pub)" ecdsa-p256)" \
	"$BG" verify-blob --bundle b3.json --key ec2.pub f
fails 7 "DSSE bundle, tampered file" "bpfguard: verify-blob: changed: dsse.json: the signed in-toto statement names no subject with this file's sha256 $(sha256sum changed | cut -c1-64): the file changed, or the statement is about another file" \
	"$BG" verify-blob --bundle dsse.json --key ec.pub changed
$MK bundle --file f --out tset.json --key ec.pem --rekor-key pki/rekor.pem --tamper-set
fails 9 "tampered signed entry timestamp" "bpfguard: verify-blob: f: tset.json: the transparency-log entry's signed entry timestamp does not verify with the log key: the entry, its time or index were changed, or another log signed it; get the bundle again, or check --tlog-key / the trusted root" \
	"$BG" verify-blob --bundle tset.json --key ec.pub --tlog-key pki/rekor.pub f
$MK bundle --file f --out tproof.json --key ec.pem --rekor-key pki/rekor.pem --tamper-proof
fails 9 "tampered inclusion proof" "bpfguard: verify-blob: f: tproof.json: the transparency-log entry's inclusion proof does not lead to its root hash: the entry or the proof was changed; get the bundle again" \
	"$BG" verify-blob --bundle tproof.json --key ec.pub --tlog-key pki/rekor.pub f
$MK bundle --file f --out otherart.json --key ec.pem --rekor-key pki/rekor.pem --other-artifact other
fails 9 "a genuine log entry of another artifact" "bpfguard: verify-blob: f: otherart.json: the transparency-log entry names another file's digest (an entry of another artifact): it does not vouch for this signature; get the bundle made with this signature" \
	"$BG" verify-blob --bundle otherart.json --key ec.pub --tlog-key pki/rekor.pub f
fails 9 "log entry checked with another log's key" "bpfguard: verify-blob: f: b3.json: the transparency-log entry is from another log than --tlog-key (its logId is not the key's SHA-256); give that log's public key" \
	"$BG" verify-blob --bundle b3.json --key ec.pub --tlog-key ec2.pub f
$MK bundle --file f --out notlog.json --key ec.pem
fails 9 "--require-tlog, bundle without a log entry" "bpfguard: verify-blob: f: notlog.json: the bundle has no transparency-log entry; sign with the log (cosign sign-blob --bundle, without --tlog-upload=false)" \
	"$BG" verify-blob --bundle notlog.json --key ec.pub --require-tlog f
$MK bundle --file f --out neither.json --key ec.pem --rekor-key pki/rekor.pem --no-set --no-proof
fails 10 "--require-tlog, entry with neither promise nor proof" "bpfguard: verify-blob: f: neither.json: the transparency-log entry has neither an inclusion promise nor an inclusion proof, and checking it would need Rekor online; supply a bundle with inclusionPromise or inclusionProof (cosign sign-blob --bundle writes them)" \
	"$BG" verify-blob --bundle neither.json --key ec.pub --tlog-key pki/rekor.pub --require-tlog f
$MK bundle --file f --out mt.json --key ec.pem --media-type 'application/vnd.dev.sigstore.bundle+json;version=0.9'
fails 5 "unknown media type" "bpfguard: verify-blob: f: mt.json: unknown bundle media type 'application/vnd.dev.sigstore.bundle+json;version=0.9'; bpfguard reads Sigstore bundles v0.1 to v0.3 (a newer cosign may need a newer bpfguard)" \
	"$BG" verify-blob --bundle mt.json --key ec.pub f
"$PY" -c '
import json
b = json.load(open("b3.json")); b["verificationMaterial"]["tlogEntries"][0]["logIndex"] = 12.5
json.dump(b, open("badint.json", "w"))'
fails 5 "a field of the wrong type" "bpfguard: verify-blob: f: badint.json: bundle field verificationMaterial.tlogEntries[0].logIndex is not an integer; the bundle is damaged or not a Sigstore bundle, get it again from the signer" \
	"$BG" verify-blob --bundle badint.json --key ec.pub f
printf '{"base64Signature":"%s","rekorBundle":{}}\n' "$(cat ec.sig)" > legacy.json
fails 5 "cosign's legacy bundle format" "bpfguard: verify-blob: f: legacy.json: bundle is in cosign's legacy format (base64Signature, rekorBundle), not a Sigstore bundle; sign again with \`cosign sign-blob --new-bundle-format --bundle\` (the default from cosign v3)" \
	"$BG" verify-blob --bundle legacy.json --key ec.pub f
head -c 200 b3.json > cut.json
fails 5 "truncated bundle" "bpfguard: verify-blob: f: cut.json: bundle is not JSON (truncated); give the .sigstore.json file cosign wrote" \
	"$BG" verify-blob --bundle cut.json --key ec.pub f

# --- keyless (Fulcio certificate) -------------------------------------------
for v in 1 2 3; do
	$MK bundle --file f --out kl$v.json --key pki/leaf.key --cert pki/leaf.pem --chain pki/inter.pem --version $v \
		--rekor-key pki/rekor.pem --integrated-time $T
	verified "keyless bundle v0.$v" "$ID ($ISS)" "$BG" verify-blob --bundle kl$v.json "${KL[@]}" f
done
$MK bundle --file f --out kldsse.json --key pki/leaf.key --cert pki/leaf.pem --dsse --rekor-key pki/rekor.pem --integrated-time $T
verified "keyless DSSE bundle" "$ID ($ISS)" "$BG" verify-blob --bundle kldsse.json "${KL[@]}" f
expect_rc 0 "keyless --json" "$BG" verify-blob --bundle kl3.json "${KL[@]}" --json f
check "  the log's time and the identity" "$PY" -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["verified"] and j["tlog_verified"] and j["integrated_time"] == int(sys.argv[2]) and j["signer"] == sys.argv[3]' \
	"$TMP/out" "$T" "$ID ($ISS)"

fails 8 "wrong identity" "bpfguard: verify-blob: f: kl3.json: the certificate names the identity '$ID', not 'mallory@example.com'; someone else signed, or give the signer's --certificate-identity" \
	"$BG" verify-blob --bundle kl3.json --trusted-root pki/trusted_root.json --certificate-identity mallory@example.com --certificate-oidc-issuer "$ISS" f
fails 8 "wrong issuer" "bpfguard: verify-blob: f: kl3.json: the certificate's OIDC issuer is '$ISS', not 'https://other.example.com'; the identity was vouched for by another issuer, or give the right --certificate-oidc-issuer" \
	"$BG" verify-blob --bundle kl3.json --trusted-root pki/trusted_root.json --certificate-identity "$ID" --certificate-oidc-issuer https://other.example.com f
WHEN=$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)
# the other root lists the same log, so the log entry verifies: the chain is what fails
fails 8 "untrusted root" "bpfguard: verify-blob: f: kl3.json: the certificate does not chain to the trusted root at the log's time $WHEN (unable to get local issuer certificate); it was not issued by this Sigstore instance, or was not valid when logged: use the right --trusted-root" \
	"$BG" verify-blob --bundle kl3.json --trusted-root pki/other_root.json --certificate-identity "$ID" --certificate-oidc-issuer "$ISS" f
LATE=$((LEAF_END + 600))
$MK bundle --file f --out late.json --key pki/leaf.key --cert pki/leaf.pem --rekor-key pki/rekor.pem --integrated-time $LATE
fails 8 "certificate expired at the log's time" "bpfguard: verify-blob: f: late.json: the certificate does not chain to the trusted root at the log's time $(date -u -d "@$LATE" +%Y-%m-%dT%H:%M:%SZ) (certificate has expired); it was not issued by this Sigstore instance, or was not valid when logged: use the right --trusted-root" \
	"$BG" verify-blob --bundle late.json "${KL[@]}" f
fails 2 "keyless without the identity to check" "bpfguard: verify-blob: f: a keyless bundle is verified for an identity: give --certificate-identity and --certificate-oidc-issuer (who must have signed)" \
	"$BG" verify-blob --bundle kl3.json --trusted-root pki/trusted_root.json f
fails 2 "an identity with --key" "bpfguard: verify-blob: f: --certificate-identity and --certificate-oidc-issuer name a keyless signer, and --key was given: the key alone is trusted; give one or the other" \
	"$BG" verify-blob --bundle b3.json --key ec.pub --certificate-identity "$ID" f
fails 10 "keyless without a trusted root" "bpfguard: verify-blob: f: kl3.json: the bundle is keyless (a Fulcio certificate), and checking its chain would need Sigstore's trusted root from the network; supply it with --trusted-root trusted_root.json (and --certificate-identity, --certificate-oidc-issuer), or verify with --key" \
	"$BG" verify-blob --bundle kl3.json f
"$PY" -c '
import json, sys
r = json.load(open("pki/trusted_root.json"))
r["tlogs"][0]["publicKey"]["validFor"]["start"] = sys.argv[1]
json.dump(r, open("late_log.json", "w"))' "$(date -u -d "@$((T + 60))" +%Y-%m-%dT%H:%M:%SZ)"
fails 9 "a log key not yet valid at the entry's time" "bpfguard: verify-blob: f: kl3.json: the transparency-log entry's time is outside its log key's validFor in the trusted root; the entry was not made while the key was in use, get the bundle again" \
	"$BG" verify-blob --bundle kl3.json --trusted-root late_log.json --certificate-identity "$ID" --certificate-oidc-issuer "$ISS" f
$MK bundle --file f --out klproof.json --key pki/leaf.key --cert pki/leaf.pem --rekor-key pki/rekor.pem --integrated-time $T --no-set
fails 9 "keyless, no signed log time" "bpfguard: verify-blob: f: klproof.json: no verified log time (the entry has an inclusion proof but no signed entry timestamp), and the certificate lives ten minutes; supply a bundle whose entry has its inclusionPromise" \
	"$BG" verify-blob --bundle klproof.json "${KL[@]}" f
$MK bundle --file f --out kltsa.json --key pki/leaf.key --cert pki/leaf.pem --no-tlog --rfc3161
fails 10 "keyless, only an RFC 3161 timestamp" "bpfguard: verify-blob: f: kltsa.json: the certificate's time would come from an RFC 3161 timestamp, which bpfguard does not verify (its authority's chain is not checked offline); supply a bundle with a transparency-log entry with its inclusionPromise" \
	"$BG" verify-blob --bundle kltsa.json "${KL[@]}" f
fails 7 "keyless, tampered file" "bpfguard: verify-blob: changed: kl3.json: the bundle signs the digest sha256:$(sha256sum f | cut -c1-64), not this file's: the file changed, or the bundle is another file's" \
	"$BG" verify-blob --bundle kl3.json "${KL[@]}" changed
$MK bundle --file f --out klother.json --key pki/leaf.key --cert pki/leaf.pem --rekor-key pki/rekor.pem --integrated-time $T --other-artifact other
fails 9 "keyless, log entry of another artifact" "bpfguard: verify-blob: f: klother.json: the transparency-log entry names another file's digest (an entry of another artifact): it does not vouch for this signature; get the bundle made with this signature" \
	"$BG" verify-blob --bundle klother.json "${KL[@]}" f

finish

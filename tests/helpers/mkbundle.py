#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""mkbundle.py - test material for `bpfguard verify-blob`, made without any
Sigstore code: keys, certificates and signatures by the openssl command
line (python3 here has no `cryptography`), the bundle written field by
field from the published protobuf-specs (sigstore/protobuf-specs:
protos/sigstore_bundle.proto, sigstore_common.proto, sigstore_rekor.proto,
envelope.proto), in their protobuf-JSON form (lowerCamelCase names, bytes
as standard base64, int64 as decimal strings).

  mkbundle.py pki DIR
      DIR/rekor.pem|.pub   a test "Rekor" key (ECDSA P-256)
      DIR/root.pem, inter.pem  a test "Fulcio" root and intermediate CA
      DIR/other-root.pem   an unrelated root (the untrusted case)
      DIR/leaf.pem|leaf.key  a Fulcio-style leaf: SAN email, the OIDC
                           issuer extensions (.1.8 UTF8String, .1.1 raw),
                           codeSigning, valid ten minutes from
                           DIR/leaf.time's first number (notBefore)
      DIR/trusted_root.json, DIR/other_root.json  Sigstore trusted roots
  mkbundle.py bundle --file F --out B [options, see --help]
"""
import argparse
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time


def B64(b):
    return base64.b64encode(b).decode()


def run(*args, data=None):
    return subprocess.run(args, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True).stdout


def pub_der(pem_path, private=False):
    args = ['openssl', 'pkey', '-in', pem_path, '-pubout', '-outform', 'DER']
    if not private:
        args.insert(2, '-pubin')
    return run(*args)


def pub_pem(pem_path, private=False):
    args = ['openssl', 'pkey', '-in', pem_path, '-pubout']
    if not private:
        args.insert(2, '-pubin')
    return run(*args)


def sign(key_path, data, raw=False):
    """cosign's way: ECDSA/RSA over SHA-256, DER; Ed25519 over the data."""
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        if raw:
            return run('openssl', 'pkeyutl', '-sign', '-rawin', '-inkey', key_path, '-in', f.name)
        return run('openssl', 'dgst', '-sha256', '-sign', key_path, f.name)


def cert_der(pem_path):
    return run('openssl', 'x509', '-in', pem_path, '-outform', 'DER')


def canon(o):
    return json.dumps(o, sort_keys=True, separators=(',', ':')).encode()


# --- PKI ---------------------------------------------------------------------

CA_CNF = """
[ca]
default_ca = ca_default
[ca_default]
database = {d}/index.txt
serial = {d}/serial
new_certs_dir = {d}
default_md = sha256
policy = anything
copy_extensions = none
unique_subject = no
[anything]
organizationName = optional
commonName = optional
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[v3_inter]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
subjectAltName = critical, email:{email}
authorityKeyIdentifier = keyid
1.3.6.1.4.1.57264.1.1 = DER:{issuer_raw}
1.3.6.1.4.1.57264.1.8 = ASN1:UTF8String:{issuer}
"""

EMAIL = 'signer@example.com'
ISSUER = 'https://accounts.example.com'


def utc(t):
    return time.strftime('%Y%m%d%H%M%SZ', time.gmtime(t))


def rfc3339(t):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(t))


def ca_sign(d, csr, out, ext, signer_cert, signer_key, start, end, selfsign=False):
    args = ['openssl', 'ca', '-batch', '-notext', '-config', f'{d}/ca.cnf', '-in', csr, '-out', out,
            '-extensions', ext, '-startdate', utc(start), '-enddate', utc(end), '-keyfile', signer_key]
    if selfsign:
        args.append('-selfsign')
    else:
        args += ['-cert', signer_cert]
    run(*args)


def ec_key(path):
    run('openssl', 'genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path)


def pki(d):
    os.makedirs(d, exist_ok=True)
    open(f'{d}/index.txt', 'w').close()
    with open(f'{d}/serial', 'w') as f:
        f.write('1000\n')
    with open(f'{d}/ca.cnf', 'w') as f:
        f.write(CA_CNF.format(d=d, email=EMAIL, issuer=ISSUER, issuer_raw=':'.join('%02X' % c for c in ISSUER.encode())))
    now = int(time.time())
    # the leaf's ten minutes, two hours ago: the log time makes it valid
    leaf_start = now - 7200
    with open(f'{d}/leaf.time', 'w') as f:
        f.write(f'{leaf_start} {leaf_start + 600}\n')
    ec_key(f'{d}/rekor.pem')
    with open(f'{d}/rekor.pub', 'wb') as f:
        f.write(pub_pem(f'{d}/rekor.pem', private=True))
    for name, subj in (('root', '/O=test/CN=test fulcio root'), ('other-root', '/O=other/CN=other root')):
        ec_key(f'{d}/{name}.key')
        run('openssl', 'req', '-new', '-key', f'{d}/{name}.key', '-subj', subj, '-out', f'{d}/{name}.csr')
        ca_sign(d, f'{d}/{name}.csr', f'{d}/{name}.pem', 'v3_ca', None, f'{d}/{name}.key', now - 86400 * 365,
                now + 86400 * 365, selfsign=True)
    ec_key(f'{d}/inter.key')
    run('openssl', 'req', '-new', '-key', f'{d}/inter.key', '-subj', '/O=test/CN=test fulcio intermediate',
        '-out', f'{d}/inter.csr')
    ca_sign(d, f'{d}/inter.csr', f'{d}/inter.pem', 'v3_inter', f'{d}/root.pem', f'{d}/root.key', now - 86400 * 300,
            now + 86400 * 300)
    ec_key(f'{d}/leaf.key')
    run('openssl', 'req', '-new', '-key', f'{d}/leaf.key', '-subj', '/O=sigstore.dev', '-out', f'{d}/leaf.csr')
    ca_sign(d, f'{d}/leaf.csr', f'{d}/leaf.pem', 'v3_leaf', f'{d}/inter.pem', f'{d}/inter.key', leaf_start,
            leaf_start + 600)
    rekor_der = pub_der(f'{d}/rekor.pem', private=True)
    for name, chain in (('trusted_root', ['inter', 'root']), ('other_root', ['other-root'])):
        tr = {
            'mediaType': 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
            'tlogs': [{
                'baseUrl': 'https://rekor.test',
                'hashAlgorithm': 'SHA2_256',
                'publicKey': {'rawBytes': B64(rekor_der), 'keyDetails': 'PKIX_ECDSA_P256_SHA_256',
                              'validFor': {'start': rfc3339(now - 86400 * 365)}},
                'logId': {'keyId': B64(hashlib.sha256(rekor_der).digest())},
            }],
            'certificateAuthorities': [{
                'subject': {'organization': 'test', 'commonName': 'test fulcio'},
                'uri': 'https://fulcio.test',
                'certChain': {'certificates': [{'rawBytes': B64(cert_der(f'{d}/{c}.pem'))} for c in chain]},
                'validFor': {'start': rfc3339(now - 86400 * 365)},
            }],
            'ctlogs': [],
            'timestampAuthorities': [],
        }
        with open(f'{d}/{name}.json', 'w') as f:
            json.dump(tr, f, indent=2)


# --- the log --------------------------------------------------------------------

def leaf_hash(b):
    return hashlib.sha256(b'\x00' + b).digest()


def node(l, r):
    return hashlib.sha256(b'\x01' + l + r).digest()


def split(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves):
    if len(leaves) == 1:
        return leaves[0]
    k = split(len(leaves))
    return node(mth(leaves[:k]), mth(leaves[k:]))


def audit_path(m, leaves):
    """RFC 6962 2.1.1 PATH(m, D[n])."""
    if len(leaves) == 1:
        return []
    k = split(len(leaves))
    if m < k:
        return audit_path(m, leaves[:k]) + [mth(leaves[k:])]
    return audit_path(m - k, leaves[k:]) + [mth(leaves[:k])]


def hashedrekord_body(digest, sig, verifier_pem):
    return canon({
        'apiVersion': '0.0.1', 'kind': 'hashedrekord',
        'spec': {'data': {'hash': {'algorithm': 'sha256', 'value': digest.hex()}},
                 'signature': {'content': B64(sig), 'publicKey': {'content': B64(verifier_pem)}}},
    })


def dsse_body(envelope, payload, sig, verifier_pem):
    return canon({
        'apiVersion': '0.0.1', 'kind': 'dsse',
        'spec': {'envelopeHash': {'algorithm': 'sha256', 'value': hashlib.sha256(canon(envelope)).hexdigest()},
                 'payloadHash': {'algorithm': 'sha256', 'value': hashlib.sha256(payload).hexdigest()},
                 'signatures': [{'signature': B64(sig), 'verifier': B64(verifier_pem)}]},
    })


def intoto_body(ptype, payload, sig, verifier_pem):
    # intoto v0.0.2 keeps the envelope's base64 signature base64-encoded again
    return canon({
        'apiVersion': '0.0.2', 'kind': 'intoto',
        'spec': {'content': {'envelope': {'payloadType': ptype,
                                          'signatures': [{'publicKey': B64(verifier_pem), 'sig': B64(B64(sig).encode())}]},
                             'payloadHash': {'algorithm': 'sha256', 'value': hashlib.sha256(payload).hexdigest()}}},
    })


def tlog_entry(a, body, kind, version='0.0.1'):
    rekor_der = pub_der(a.rekor_key, private=True)
    log_id = hashlib.sha256(rekor_der).digest()
    log_index = 12345
    itime = a.integrated_time
    body_b64 = B64(body)
    e = {
        'logIndex': str(log_index),
        'logId': {'keyId': B64(log_id)},
        'kindVersion': {'kind': kind, 'version': version},
        'integratedTime': str(itime),
    }
    if not a.no_set:
        payload = canon({'body': body_b64, 'integratedTime': itime, 'logID': log_id.hex(), 'logIndex': log_index})
        set_sig = sign(a.rekor_key, payload)
        if a.tamper_set:  # the log signed another time than the bundle says
            e['integratedTime'] = str(itime + 1)
        e['inclusionPromise'] = {'signedEntryTimestamp': B64(set_sig)}
    if not a.no_proof:
        # our entry at index 5 of a 7-entry tree of other entries
        leaves = [leaf_hash(b'other entry %d' % i) for i in range(7)]
        idx = 5
        leaves[idx] = leaf_hash(body)
        root = mth(leaves)
        path = audit_path(idx, leaves)
        if a.tamper_proof:
            path[0] = bytes([path[0][0] ^ 1]) + path[0][1:]
        note = f'rekor.test - 1234\n{len(leaves)}\n{B64(root)}\n'.encode()
        nsig = sign(a.rekor_key, note)
        checkpoint = note + b'\n' + '\u2014 rekor.test '.encode() + B64(log_id[:4] + nsig).encode() + b'\n'
        e['inclusionProof'] = {
            'logIndex': str(idx), 'rootHash': B64(root), 'treeSize': str(len(leaves)),
            'hashes': [B64(h) for h in path], 'checkpoint': {'envelope': checkpoint.decode()},
        }
    e['canonicalizedBody'] = body_b64
    return e


MEDIA = {
    '1': 'application/vnd.dev.sigstore.bundle+json;version=0.1',
    '2': 'application/vnd.dev.sigstore.bundle+json;version=0.2',
    '3': 'application/vnd.dev.sigstore.bundle.v0.3+json',
}


def bundle(a):
    data = open(a.file, 'rb').read()
    digest = hashlib.sha256(data).digest()
    raw = a.ed25519
    if a.cert:
        verifier_pem = run('openssl', 'x509', '-in', a.cert)  # one block, no text
    else:
        verifier_pem = pub_pem(a.key, private=True)
    if a.dsse:
        stmt = {
            '_type': 'https://in-toto.io/Statement/v1',
            'subject': [{'name': os.path.basename(a.file),
                         'digest': {'sha256': (a.subject_digest or digest.hex())}}],
            'predicateType': 'https://example.com/test/v1',
            'predicate': {},
        }
        payload = canon(stmt)
        ptype = 'application/vnd.in-toto+json'
        pae = b'DSSEv1 %d %s %d %s' % (len(ptype), ptype.encode(), len(payload), payload)
        sig = sign(a.key, pae, raw)
        content = {'dsseEnvelope': {'payload': B64(payload), 'payloadType': ptype,
                                    'signatures': [{'sig': B64(sig), 'keyid': ''}]}}
        env = {'payload': B64(payload), 'payloadType': ptype, 'signatures': [{'sig': B64(sig), 'keyid': ''}]}
        body, kind = dsse_body(env, payload, sig, verifier_pem), 'dsse'
        if a.intoto:
            body, kind = intoto_body(ptype, payload, sig, verifier_pem), 'intoto'
    else:
        sig = sign(a.key, data, raw)
        content = {'messageSignature': {'messageDigest': {'algorithm': 'SHA2_256', 'digest': B64(digest)},
                                        'signature': B64(sig)}}
        body, kind = hashedrekord_body(digest, sig, verifier_pem), 'hashedrekord'
    if a.other_artifact:
        # a genuine entry, signed by the log, of another file and signature
        odata = open(a.other_artifact, 'rb').read()
        osig = sign(a.key, odata, raw)
        body = hashedrekord_body(hashlib.sha256(odata).digest(), osig, verifier_pem)
        kind = 'hashedrekord'
    if a.cert:
        certs = [cert_der(a.cert)] + [cert_der(c) for c in (a.chain or [])]
        if a.version == '3':
            material = {'certificate': {'rawBytes': B64(certs[0])}}
        else:
            material = {'x509CertificateChain': {'certificates': [{'rawBytes': B64(c)} for c in certs]}}
    else:
        material = {'publicKey': {'hint': 'test key'}}
    if a.rekor_key and not a.no_tlog:
        material['tlogEntries'] = [tlog_entry(a, body, kind, '0.0.2' if kind == 'intoto' else '0.0.1')]
    if a.rfc3161:
        material['timestampVerificationData'] = {'rfc3161Timestamps': [{'signedTimestamp': B64(b'\x30\x00')}]}
    b = {'mediaType': a.media_type or MEDIA[a.version], 'verificationMaterial': material}
    b.update(content)
    with open(a.out, 'w') as f:
        json.dump(b, f, indent=2)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest='cmd', required=True)
    s = sub.add_parser('pki')
    s.add_argument('dir')
    s = sub.add_parser('bundle')
    s.add_argument('--file', required=True)
    s.add_argument('--out', required=True)
    s.add_argument('--key', required=True, help='the signing private key (PEM)')
    s.add_argument('--ed25519', action='store_true', help='the key is Ed25519 (signs the message itself)')
    s.add_argument('--cert', help='the leaf certificate (PEM): a keyless bundle')
    s.add_argument('--chain', nargs='*', help='intermediates after the leaf (v0.1/v0.2)')
    s.add_argument('--version', default='3', choices=['1', '2', '3'])
    s.add_argument('--media-type')
    s.add_argument('--dsse', action='store_true')
    s.add_argument('--intoto', action='store_true', help='with --dsse: the log entry is an intoto v0.0.2 one')
    s.add_argument('--subject-digest', help='the in-toto subject sha256 (default: the file\'s)')
    s.add_argument('--rekor-key', help='the log key (PEM): adds a tlog entry')
    s.add_argument('--integrated-time', type=int, default=int(time.time()))
    s.add_argument('--no-tlog', action='store_true')
    s.add_argument('--no-set', action='store_true')
    s.add_argument('--no-proof', action='store_true')
    s.add_argument('--tamper-set', action='store_true')
    s.add_argument('--tamper-proof', action='store_true')
    s.add_argument('--other-artifact', help='the log entry is of this file instead')
    s.add_argument('--rfc3161', action='store_true', help='add an (unverifiable) RFC 3161 timestamp')
    a = p.parse_args()
    if a.cmd == 'pki':
        pki(os.path.abspath(a.dir))
    else:
        bundle(a)


if __name__ == '__main__':
    sys.exit(main())

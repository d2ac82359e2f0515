#!/usr/bin/python3
"""check_cyclonedx.py CACHE_DIR SBOM...: each SBOM (JSON) against the
official CycloneDX 1.6 JSON schema, as the CycloneDX project ships it in
its npm package @cyclonedx/cyclonedx-library (res/schema/: bom-1.6 and the
spdx and jsf schemas it refers to).  The package is fetched once from the
npm registry into CACHE_DIR and used only if its SHA-512 is the one pinned
here (the registry's `integrity` for that version).  One line per error;
exit 1 if any SBOM is invalid."""
import base64
import hashlib
import io
import json
import os
import sys
import tarfile
import urllib.request

from jsonschema import Draft7Validator, RefResolver

VERSION = "10.3.0"
URL = "https://registry.npmjs.org/@cyclonedx/cyclonedx-library/-/cyclonedx-library-%s.tgz" % VERSION
SHA512 = "RIT28sp1U0PCHaaeF3yNRwk6Jig/XJ8UsYAVOMYaHQ+0VVOvsjcp0PTWQFLUqJFF8XMud+Kdq6G+wtDAh+QJFA=="
FILES = ["bom-1.6", "spdx", "jsf-0.82"]


def package(cache):
    path = os.path.join(cache, "cyclonedx-library-%s.tgz" % VERSION)
    if not os.path.exists(path):
        os.makedirs(cache, exist_ok=True)
        data = urllib.request.urlopen(URL, timeout=60).read()
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.rename(path + ".tmp", path)
    data = open(path, "rb").read()
    got = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if got != SHA512:
        os.unlink(path)
        sys.exit("check_cyclonedx: %s: sha512 %s, pinned %s; removed, run again" % (path, got, SHA512))
    return data


def main():
    cache, sboms = sys.argv[1], sys.argv[2:]
    schemas = {}
    with tarfile.open(fileobj=io.BytesIO(package(cache)), mode="r:gz") as t:
        for n in FILES:
            s = json.load(t.extractfile("package/res/schema/%s.SNAPSHOT.schema.json" % n))
            schemas[n] = s
    bom = schemas["bom-1.6"]
    # the $refs are relative to bom-1.6's $id: http://cyclonedx.org/schema/
    base = bom["$id"].rsplit("/", 1)[0] + "/"
    store = {base + n + ".SNAPSHOT.schema.json": s for n, s in schemas.items()}
    store.update({s["$id"]: s for s in schemas.values()})
    Draft7Validator.check_schema(bom)
    v = Draft7Validator(bom, resolver=RefResolver(base_uri=bom["$id"], referrer=bom, store=store))
    bad = 0
    for p in sboms:
        doc = json.load(open(p))
        errs = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
        for e in errs[:10]:
            print("%s: %s (at %s)" % (p, e.message, "/".join(str(x) for x in e.absolute_path) or "top"))
        bad += len(errs)
        if not errs:
            print("%s: valid CycloneDX %s, %d components" % (p, doc.get("specVersion"), len(doc.get("components", []))))
    sys.exit(1 if bad else 0)


main()

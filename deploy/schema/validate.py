#!/usr/bin/python3
"""Check bpfguard's Kubernetes manifests offline (docs/deploy.md).

    deploy/schema/validate.py deploy/*.yaml

1. Every object against bpfguard-deploy.schema.json (beside this file):
   the fields and values this deployment relies on (hostPID, the hostPath
   volumes, capabilities, no privileged, probes on /metrics, ...).
2. What one JSON Schema cannot say, across objects: the DaemonSet's
   selector matches its pod labels; every volumeMount has a volume; every
   ConfigMap a volume names exists, with the keys the volume lists; the
   file given to --config resolves through the mounts to a ConfigMap key;
   that configuration's attach dir is the attach ConfigMap's mount and its
   metrics port is the container's "metrics" port; every policy an attach.d
   line names (commented-out examples "#!" too) is a key of the policies
   ConfigMap; Service, ServiceMonitor and NetworkPolicy select the pods and
   name existing ports.

This is not the API server's validation: it knows nothing of the rest of
the Kubernetes schema.  Prints "ok - ..." / "not ok - ..." lines; exit 0
when all are ok, 1 otherwise, 2 if a file cannot be read.  Needs Debian's
python3-yaml and python3-jsonschema.
"""
import json
import os
import posixpath
import re
import sys

import jsonschema
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.join(HERE, "bpfguard-deploy.schema.json")

results = []


def report(ok, what):
    results.append(ok)
    print(("ok - " if ok else "not ok - ") + what)


def subset(sel, labels):
    return bool(sel) and all(labels.get(k) == v for k, v in sel.items())


def parse_conf(text):
    """bpfguard.conf's INI-like format: {section: {key: value}}."""
    out, sec = {}, None
    for line in text.splitlines():
        s = line.strip()
        if not s or s[0] in "#;":
            continue
        if s.startswith("[") and s.endswith("]"):
            sec = " ".join(s[1:-1].split())
            out.setdefault(sec, {})
        elif "=" in s and sec is not None:
            k, v = s.split("=", 1)
            out[sec][k.strip()] = v.strip()
    return out


def main(paths):
    schema = json.load(open(SCHEMA))
    validator = jsonschema.Draft7Validator(schema)
    objs = []  # (file, object)
    for p in paths:
        try:
            docs = [d for d in yaml.safe_load_all(open(p)) if d is not None]
        except (OSError, yaml.YAMLError) as e:
            print("not ok - cannot read %s: %s" % (p, e))
            return 2
        objs += [(os.path.basename(p), d) for d in docs]

    # 1. the schema, object by object
    for f, o in objs:
        name = "%s %s/%s" % (o.get("kind"), (o.get("metadata") or {}).get("namespace", "-"),
                             (o.get("metadata") or {}).get("name"))
        errs = sorted(validator.iter_errors(o), key=lambda e: list(e.absolute_path))
        report(not errs, "schema: %s: %s" % (f, name))
        for e in errs[:10]:
            if e.validator == "contains":  # the default message dumps the whole array
                msg = "no item matches " + json.dumps(e.validator_value, separators=(",", ":"))
            else:
                msg = e.message
            print("    at %s: %s" % ("/".join(str(x) for x in e.absolute_path) or "(top)", msg[:300]))

    # 2. across objects
    by = {}
    for f, o in objs:
        md = o.get("metadata") or {}
        key = (o.get("kind"), md.get("namespace"), md.get("name"))
        report(key not in by, "unique: %s %s/%s defined once" % (key[0], key[1] or "-", key[2]))
        by[key] = o

    def get(kind, ns, name):
        return by.get((kind, ns, name))

    nss = {k[2] for k in by if k[0] == "Namespace"}
    for k in by:
        if k[0] != "Namespace":
            report(k[1] in nss, "namespace: %s %s/%s: its namespace is defined" % k)

    dss = [(k, o) for k, o in by.items() if k[0] == "DaemonSet"]
    report(len(dss) == 1, "one DaemonSet (found %d)" % len(dss))
    if len(dss) != 1:
        return 1
    (_, ns, dsname), ds = dss[0]
    spec = ds.get("spec") or {}
    tmpl = spec.get("template") or {}
    podlabels = (tmpl.get("metadata") or {}).get("labels") or {}
    pod = tmpl.get("spec") or {}
    report(subset((spec.get("selector") or {}).get("matchLabels"), podlabels),
           "DaemonSet: selector.matchLabels match the pod template's labels")

    sa = pod.get("serviceAccountName")
    report(sa is not None and get("ServiceAccount", ns, sa) is not None,
           "DaemonSet: serviceAccountName %r is defined" % sa)

    volumes = {v.get("name"): v for v in pod.get("volumes") or []}
    report(len(volumes) == len(pod.get("volumes") or []), "DaemonSet: volume names are unique")
    containers = pod.get("containers") or []
    inits = pod.get("initContainers") or []
    used = set()
    for c in inits + containers:
        mps = [m.get("mountPath") for m in c.get("volumeMounts") or []]
        report(len(mps) == len(set(mps)), "container %s: no mountPath twice" % c.get("name"))
        for m in c.get("volumeMounts") or []:
            used.add(m.get("name"))
            report(m.get("name") in volumes,
                   "container %s: volumeMount %s (%s) has a volume" % (c.get("name"), m.get("name"), m.get("mountPath")))
    for vn in volumes:
        report(vn in used, "volume %s is mounted by a container" % vn)
    images = {c.get("image") for c in inits + containers}
    report(len(images) == 1, "all containers run the same image (%s)" % ", ".join(sorted(map(str, images))))

    # ConfigMap volumes: the ConfigMap exists, and so does every key listed
    cmdata = {}
    for vn, v in volumes.items():
        if "configMap" not in v:
            continue
        cmname = v["configMap"].get("name")
        cm = get("ConfigMap", ns, cmname)
        report(cm is not None, "volume %s: ConfigMap %s/%s is defined" % (vn, ns, cmname))
        data = (cm or {}).get("data") or {}
        items = v["configMap"].get("items")
        if items is None:
            cmdata[vn] = dict(data)
        else:
            cmdata[vn] = {}
            for it in items:
                report(it.get("key") in data, "volume %s: key %s is in ConfigMap %s" % (vn, it.get("key"), cmname))
                cmdata[vn][it.get("path")] = data.get(it.get("key"))

    daemon = next((c for c in containers if c.get("name") == "daemon"), None)
    report(daemon is not None, "a container named daemon")
    if daemon is None:
        return 1
    mounts = daemon.get("volumeMounts") or []

    def resolve(path):
        """The ConfigMap content a file path of the daemon container has."""
        best = None
        for m in mounts:
            mp = m["mountPath"].rstrip("/")
            if (path == mp or path.startswith(mp + "/")) and (best is None or len(mp) > len(best["mountPath"])):
                best = m
        if best is None or best["name"] not in cmdata:
            return None
        rel = posixpath.relpath(path, best["mountPath"])
        return cmdata[best["name"]].get(rel)

    def mount_of(path):
        return next((m for m in mounts if m["mountPath"].rstrip("/") == path.rstrip("/")), None)

    argv = (daemon.get("command") or []) + (daemon.get("args") or [])
    conf_path = argv[argv.index("--config") + 1] if "--config" in argv[:-1] else None
    report(conf_path is not None, "daemon: started with --config FILE (%s)" % conf_path)
    conf_text = resolve(conf_path) if conf_path else None
    report(conf_text is not None, "daemon: --config %s is a key of a mounted ConfigMap" % conf_path)
    conf = parse_conf(conf_text or "")

    ports = {p.get("name"): p.get("containerPort") for p in daemon.get("ports") or []}
    listen = (conf.get("metrics") or {}).get("listen", "")
    m = re.match(r"^(?:\[[^]]+\]|[^:]+):(\d+)$", listen)
    report(bool(m) and int(m.group(1)) == ports.get("metrics"),
           "config [metrics] listen %r is the port named metrics (%s)" % (listen, ports.get("metrics")))
    report(bool(m) and not listen.startswith(("127.", "[::1]")),
           "config [metrics] listen is reachable from the kubelet (not loopback)")
    for pn in ("startupProbe", "readinessProbe", "livenessProbe"):
        pr = daemon.get(pn)
        if pr:
            port = (pr.get("httpGet") or {}).get("port")
            report(port in ports or port in ports.values(), "daemon %s: port %r is a container port" % (pn, port))

    attach_dir = (conf.get("attach") or {}).get("dir", "/etc/bpfguard/attach.d")
    am = mount_of(attach_dir)
    report(am is not None and am["name"] in cmdata,
           "config [attach] dir %s is a mounted ConfigMap" % attach_dir)
    state = (conf.get("attach") or {}).get("state", "/run/bpfguard/daemon-attachments.json")
    sm = mount_of(posixpath.dirname(state))
    report(sm is not None and "hostPath" in volumes.get(sm["name"], {}),
           "config [attach] state %s is on a hostPath (outlives the pod)" % state)
    nlines = 0
    if am is not None and am["name"] in cmdata:
        for key, text in sorted(cmdata[am["name"]].items()):
            for ln, line in enumerate((text or "").splitlines(), 1):
                s = line.strip()
                if s.startswith("#!"):  # an example, commented out
                    s = s[2:].strip()
                if not s or s.startswith("#"):
                    continue
                f = s.split()
                pol = next((w for w in f[1:] if "=" not in w and not w.startswith("#")), None)
                if pol is None:
                    continue
                nlines += 1
                if not pol.startswith("/"):
                    pol = posixpath.normpath(posixpath.join(attach_dir, pol))
                report(resolve(pol) is not None,
                       "attach %s:%d: policy %s is a key of a mounted ConfigMap" % (key, ln, pol))
    report(nlines > 0, "attach ConfigMap: %d line(s) or examples checked" % nlines)

    # Service, ServiceMonitor, NetworkPolicy
    for k, o in by.items():
        if k[0] == "Service":
            sp = o.get("spec") or {}
            report(subset(sp.get("selector"), podlabels), "Service %s: selector matches the daemon pods" % k[2])
            for p in sp.get("ports") or []:
                tp = p.get("targetPort", p.get("port"))
                report(tp in ports or tp in ports.values(), "Service %s: targetPort %r is a container port" % (k[2], tp))
        if k[0] == "ServiceMonitor":
            sp = o.get("spec") or {}
            svcs = [so for sk, so in by.items() if sk[0] == "Service" and sk[1] == k[1] and
                    subset((sp.get("selector") or {}).get("matchLabels"), (so.get("metadata") or {}).get("labels") or {})]
            report(len(svcs) == 1, "ServiceMonitor %s: selects one Service (%d)" % (k[2], len(svcs)))
            names = {p.get("name") for s in svcs for p in (s.get("spec") or {}).get("ports") or []}
            for e in sp.get("endpoints") or []:
                report(e.get("port") in names, "ServiceMonitor %s: endpoint port %r is a Service port" % (k[2], e.get("port")))
        if k[0] == "NetworkPolicy":
            sp = o.get("spec") or {}
            report(subset((sp.get("podSelector") or {}).get("matchLabels"), podlabels),
                   "NetworkPolicy %s: podSelector matches the daemon pods" % k[2])
            for rule in sp.get("ingress") or []:
                for p in rule.get("ports") or []:
                    report(p.get("port") in ports or p.get("port") in ports.values(),
                           "NetworkPolicy %s: port %r is a container port" % (k[2], p.get("port")))
    return 0 if all(results) else 1


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__.strip())
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))

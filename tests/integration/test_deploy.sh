#!/bin/bash
# The Kubernetes deployment (deploy/, docs/deploy.md), checked offline: there
# is no cluster here, and no Debian-packaged validator with the Kubernetes
# API schemas, so the API server's own validation is NOT exercised.
#   - yamllint (Debian's) on every manifest, with deploy/.yamllint;
#   - every object against deploy/schema/bpfguard-deploy.schema.json and the
#     cross-object checks of deploy/schema/validate.py (python3-yaml,
#     python3-jsonschema), which must also reject deliberately broken copies;
#   - the policies ConfigMap byte for byte equal to policies/*.policy (and to
#     what deploy/gen-policies-configmap.sh prints), each accepted by
#     `bpfguard policy check`;
#   - the daemon configuration, attach.d (its commented examples too) and the
#     policies, laid out as the daemon pod sees them, accepted by
#     `bpfguard daemon --check`, which must refuse a broken line;
#   - deploy/label-sync.sh: its attach.d file for a fake pod list (--from-file,
#     and through a stand-in kubectl: the query it makes, the ConfigMap patch
#     it sends) accepted by `daemon --check`;
#   - deploy/entrypoint.sh: preflight on this host's filesystems and on a
#     wrong one; the reload loop sends SIGHUP to a stand-in daemon when a
#     ConfigMap's ..data symlink is swapped, and only then;
#   - deploy/Dockerfile installs a Debian package for every library the
#     binary links, and starts the entry point the DaemonSet names.
# Needs the Debian packages yamllint, python3-yaml, python3-jsonschema.
BG_TEST_NO_BPF=1
. "$(dirname "$0")/lib.sh"

D=$BG_SRCDIR/deploy
PY=/usr/bin/python3 # Debian's, with Debian's yaml and jsonschema modules
FAKE_PID=

stop_fake() {
	[ -n "$FAKE_PID" ] || return 0
	kill -TERM "$FAKE_PID" 2>/dev/null
	wait "$FAKE_PID" 2>/dev/null
	FAKE_PID=
}
trap 'stop_fake; cleanup' EXIT


# --------------------------------------------------------------- tools
missing=
command -v yamllint > /dev/null || missing="$missing yamllint"
$PY -c 'import yaml' 2> /dev/null || missing="$missing python3-yaml"
$PY -c 'import jsonschema' 2> /dev/null || missing="$missing python3-jsonschema"
if [ -n "$missing" ]; then
	not_ok "Debian packages needed by this test are missing:$missing (apt-get install$missing)"
	finish
fi

# --------------------------------------------------------------- syntax and style
yamllint -s -c "$D/.yamllint" "$D" > "$TMP/yamllint" 2>&1
check "yamllint -s (deploy/.yamllint) accepts every manifest" test $? = 0
sed 's/^/    /' "$TMP/yamllint"
check "label-sync.sh: bash -n" bash -n "$D/label-sync.sh"
check "entrypoint.sh: sh -n" sh -n "$D/entrypoint.sh"
check "the JSON schema is a valid draft-07 schema" $PY -c '
import json, sys, jsonschema
jsonschema.Draft7Validator.check_schema(json.load(open(sys.argv[1])))' "$D/schema/bpfguard-deploy.schema.json"

# --------------------------------------------------------------- schema and references
$PY "$D/schema/validate.py" "$D"/*.yaml > "$TMP/validate" 2>&1
rc=$?
nok=$(grep -c '^ok - ' "$TMP/validate")
nbad=$(grep -c '^not ok - ' "$TMP/validate")
if [ "$rc" = 0 ] && [ "$nbad" = 0 ] && [ "$nok" -ge 60 ]; then
	ok "validate.py: schema and cross-object checks ($nok) pass"
else
	not_ok "validate.py: exit $rc, $nok ok, $nbad not ok"
	grep -v '^ok - ' "$TMP/validate" | sed 's/^/    /'
fi

# Broken copies must be refused: each mutation, and a phrase the refusal
# must contain (the failing check, or the schema error's path and message).
mkdir -p "$TMP/mut"
$PY - "$D" "$TMP/mut" > "$TMP/mutations" <<'PY'
import copy, glob, os, sys, yaml
src, out = sys.argv[1], sys.argv[2]
files = {os.path.basename(p): [d for d in yaml.safe_load_all(open(p)) if d] for p in sorted(glob.glob(src + "/*.yaml"))}

def obj(fs, kind, name=None):
    for docs in fs.values():
        for d in docs:
            if d["kind"] == kind and (name is None or d["metadata"]["name"] == name):
                return d

def pod(fs):
    return obj(fs, "DaemonSet")["spec"]["template"]["spec"]

def daemon(fs):
    return next(c for c in pod(fs)["containers"] if c["name"] == "daemon")

def conf(fs, f):
    cm = obj(fs, "ConfigMap", "bpfguard-config")
    cm["data"]["bpfguard.conf"] = f(cm["data"]["bpfguard.conf"])

def drop_volume(fs, name):
    pod(fs)["volumes"] = [v for v in pod(fs)["volumes"] if v["name"] != name]

M = [
    ("no-hostpid", "at spec/template/spec/hostPID", lambda fs: pod(fs).update(hostPID=False)),
    ("privileged", "containers/0/securityContext/privileged",
     lambda fs: daemon(fs)["securityContext"].update(privileged=True)),
    ("privileged-init", "initContainers/0/securityContext/privileged",
     lambda fs: pod(fs)["initContainers"][0]["securityContext"].update(privileged=True)),
    ("bidirectional", "mountPropagation: 'Bidirectional' is not one of",
     lambda fs: daemon(fs)["volumeMounts"][0].update(mountPropagation="Bidirectional")),
    ("no-cap-bpf", 'capabilities/add: no item matches {"const":"BPF"}',
     lambda fs: daemon(fs)["securityContext"]["capabilities"]["add"].remove("BPF")),
    ("no-cap-perfmon", 'capabilities/add: no item matches {"const":"PERFMON"}',
     lambda fs: daemon(fs)["securityContext"]["capabilities"]["add"].remove("PERFMON")),
    ("cap-prefix", "'CAP_SYS_ADMIN' should not be valid",
     lambda fs: daemon(fs)["securityContext"]["capabilities"]["add"].append("CAP_SYS_ADMIN")),
    ("writable-root", "securityContext/readOnlyRootFilesystem: True was expected",
     lambda fs: daemon(fs)["securityContext"].update(readOnlyRootFilesystem=False)),
    ("no-bpffs-volume", "volumeMount bpffs", lambda fs: drop_volume(fs, "bpffs")),
    ("no-run-volume", "volumeMount run-bpfguard", lambda fs: drop_volume(fs, "run-bpfguard")),
    ("no-lock-hostpath", '"path":{"const":"/run/lock"}',
     lambda fs: pod(fs)["volumes"][[v["name"] for v in pod(fs)["volumes"]].index("run-lock")].update(
         hostPath={"path": "/var/run/lock"})),
    ("run-not-created", '"type":{"const":"DirectoryOrCreate"}',
     lambda fs: pod(fs)["volumes"][[v["name"] for v in pod(fs)["volumes"]].index("run-bpfguard")]["hostPath"].update(
         type="Directory")),
    ("no-liveness", "'livenessProbe' is a required property", lambda fs: daemon(fs).pop("livenessProbe")),
    ("surge", "rollingUpdate/maxSurge: 0 was expected",
     lambda fs: obj(fs, "DaemonSet")["spec"]["updateStrategy"]["rollingUpdate"].update(maxSurge=1)),
    ("selector", "selector.matchLabels match",
     lambda fs: obj(fs, "DaemonSet")["spec"]["selector"]["matchLabels"].update(extra="x")),
    ("policies-cm-renamed", "ConfigMap bpfguard-system/bpfguard-policies is defined",
     lambda fs: obj(fs, "ConfigMap", "bpfguard-policies")["metadata"].update(name="bpfguard-policys")),
    ("policy-key-missing", "is a key of a mounted ConfigMap",
     lambda fs: obj(fs, "ConfigMap", "bpfguard-policies")["data"].pop("strict.policy")),
    ("config-key-missing", "volume config: key daemon.conf",
     lambda fs: pod(fs)["volumes"][[v["name"] for v in pod(fs)["volumes"]].index("config")]["configMap"]["items"][0].update(key="daemon.conf")),
    ("metrics-loopback", "reachable from the kubelet",
     lambda fs: conf(fs, lambda t: t.replace("0.0.0.0:9464", "127.0.0.1:9464"))),
    ("metrics-port", "is the port named metrics",
     lambda fs: conf(fs, lambda t: t.replace("0.0.0.0:9464", "0.0.0.0:9100"))),
    ("attach-dir", "[attach] dir",
     lambda fs: conf(fs, lambda t: t.replace("dir = /etc/bpfguard/attach.d", "dir = /etc/bpfguard/attach"))),
    ("namespace", "at metadata/namespace: 'bpfguard-system' was expected",
     lambda fs: obj(fs, "ConfigMap", "bpfguard-attach")["metadata"].update(namespace="default")),
    ("service-selector", "Service bpfguard-metrics: selector",
     lambda fs: obj(fs, "Service")["spec"]["selector"].update(extra="x")),
]
for name, want, f in M:
    fs = copy.deepcopy(files)
    f(fs)
    d = os.path.join(out, name)
    os.makedirs(d)
    for fn, docs in fs.items():
        with open(os.path.join(d, fn), "w") as fh:
            yaml.safe_dump_all(docs, fh, sort_keys=False)
    print("%s\t%s" % (name, want))
PY
check "broken copies made ($(wc -l < "$TMP/mutations"))" test "$(wc -l < "$TMP/mutations")" -ge 20
while IFS=$'\t' read -r name want; do
	$PY "$D/schema/validate.py" "$TMP/mut/$name"/*.yaml > "$TMP/v.$name" 2>&1
	rc=$?
	if [ "$rc" = 1 ] && grep -q '^not ok - ' "$TMP/v.$name" && grep -qF -- "$want" "$TMP/v.$name"; then
		ok "validate.py refuses the copy '$name' ($want)"
	else
		not_ok "validate.py did not refuse the copy '$name' with '$want' (exit $rc)"
		grep -v '^ok - ' "$TMP/v.$name" | sed 's/^/    /'
	fi
done < "$TMP/mutations"

# --------------------------------------------------------------- the pod's /etc/bpfguard
# ConfigMap data into files: extract FILE.yaml CONFIGMAP DIR [PREFIX]; PREFIX
# replaces /etc/bpfguard in the files' text (paths as this test lays them out).
extract() {
	$PY - "$@" <<'PY'
import os, sys, yaml
path, name, out = sys.argv[1:4]
prefix = sys.argv[4] if len(sys.argv) > 4 else None
for d in yaml.safe_load_all(open(path)):
    if d and d["kind"] == "ConfigMap" and d["metadata"]["name"] == name:
        os.makedirs(out, exist_ok=True)
        for k, v in d["data"].items():
            if prefix:
                v = v.replace("/etc/bpfguard", prefix)
            open(os.path.join(out, k), "w").write(v)
        sys.exit(0)
sys.exit(1)
PY
}
E=$TMP/etc/bpfguard
check "ConfigMap bpfguard-policies extracted" extract "$D/configmap-policies.yaml" bpfguard-policies "$E/policies"
for f in "$BG_SRCDIR"/policies/*.policy; do
	b=$(basename "$f")
	check "ConfigMap bpfguard-policies: $b is policies/$b byte for byte" cmp -s "$f" "$E/policies/$b"
done
for f in "$E"/policies/*; do
	b=$(basename "$f")
	check "ConfigMap key $b is a file of policies/" test -f "$BG_SRCDIR/policies/$b"
	expect_rc 0 "bpfguard policy check accepts ConfigMap key $b" "$BPFGUARD" policy check "$f"
done
check "the ConfigMap carries go-static and strict" test -f "$E/policies/go-static.policy" -a -f "$E/policies/strict.policy"
"$D/gen-policies-configmap.sh" > "$TMP/gen.yaml"
check "configmap-policies.yaml is exactly what gen-policies-configmap.sh prints" cmp -s "$TMP/gen.yaml" "$D/configmap-policies.yaml"
check "gen-policies-configmap.sh: sh -n" sh -n "$D/gen-policies-configmap.sh"

check "ConfigMap bpfguard-config extracted" extract "$D/configmap-config.yaml" bpfguard-config "$E" "$E"
check "ConfigMap bpfguard-attach extracted" extract "$D/configmap-attach.yaml" bpfguard-attach "$E/attach.d" "$E"
check "the config keeps JSON lines on stdout" grep -qxE 'type = stdout' "$E/bpfguard.conf"
expect_rc 0 "bpfguard daemon --check accepts the shipped configuration and attach.d" \
	"$BPFGUARD" daemon --check --config "$E/bpfguard.conf"
check "... with no line declared (all examples are commented out)" \
	grep -q ': 0 declared attachment line(s), 0 file(s) with errors' "$TMP/out"
check "... metrics on 0.0.0.0:9464" grep -q 'metrics on 0.0.0.0:9464' "$TMP/out"
# the commented examples, uncommented, must be valid lines too
sed -i 's/^#!//' "$E/attach.d/10-static.conf"
nex=$(grep -c '^kubepods' "$E/attach.d/10-static.conf")
expect_rc 0 "bpfguard daemon --check accepts the attach.d examples uncommented" \
	"$BPFGUARD" daemon --check --config "$E/bpfguard.conf"
check "... all $nex of them declared, none with errors" \
	grep -q ": $nex declared attachment line(s), 0 file(s) with errors" "$TMP/out"
check "... (there are examples at all)" test "$nex" -ge 2
printf 'kubepods.slice/**/kubepods-*podx.slice %s/policies/strict.policy mode=bogus\n' "$E" > "$E/attach.d/90-broken.conf"
expect_rc 2 "bpfguard daemon --check refuses a broken attach.d line (the check checks)" \
	"$BPFGUARD" daemon --check --config "$E/bpfguard.conf"
rm -f "$E/attach.d/90-broken.conf"

# --------------------------------------------------------------- label-sync.sh
# A fake `kubectl get pods -o json`, turned into what label-sync's jsonpath
# template prints (uid, namespace, name, phase, node; tab-separated).
cat > "$TMP/pods.json" <<'EOF'
{"apiVersion": "v1", "kind": "List", "items": [
 {"metadata": {"uid": "5f3e2d1c-0b9a-4876-8543-210fedcba987", "namespace": "shop", "name": "web-1"},
  "spec": {"nodeName": "node-a"}, "status": {"phase": "Running", "qosClass": "Burstable"}},
 {"metadata": {"uid": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", "namespace": "shop", "name": "web-0"},
  "spec": {"nodeName": "node-b"}, "status": {"phase": "Running", "qosClass": "Guaranteed"}},
 {"metadata": {"uid": "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f", "namespace": "shop", "name": "web-2"},
  "spec": {}, "status": {"phase": "Pending", "qosClass": "BestEffort"}},
 {"metadata": {"uid": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d", "namespace": "shop", "name": "web-job"},
  "spec": {"nodeName": "node-a"}, "status": {"phase": "Succeeded", "qosClass": "BestEffort"}},
 {"metadata": {"uid": "12345678-9abc-4def-8123-456789abcdef", "namespace": "bpfguard-system", "name": "bpfguard-x"},
  "spec": {"nodeName": "node-a"}, "status": {"phase": "Running", "qosClass": "Burstable"}}
]}
EOF
$PY - "$TMP/pods.json" > "$TMP/pods.tsv" <<'PY'
import json, sys
for p in json.load(open(sys.argv[1]))["items"]:
    m = p["metadata"]
    print("\t".join([m["uid"], m["namespace"], m["name"], p["status"]["phase"], p["spec"].get("nodeName", "")]))
PY
tac "$TMP/pods.tsv" > "$TMP/pods-reversed.tsv"
LS=$D/label-sync.sh
"$LS" -l app=web --policy strict -n shop --from-file "$TMP/pods.tsv" > "$TMP/ls.conf" 2> "$TMP/ls.err"
check "label-sync.sh --from-file: exit 0" test $? = 0
check "... binds the three live pods, not the finished one" test "$(grep -c '^kubepods' "$TMP/ls.conf")" = 3
check "... never bpfguard's own pods (and says so)" \
	sh -c "! grep -q 12345678 '$TMP/ls.conf' && grep -q 'not binding bpfguard-system/bpfguard-x' '$TMP/ls.err'"
check "... systemd driver: the pod slice of any QoS class, UID with '_'" \
	grep -qxF 'kubepods.slice/**/kubepods-*pod5f3e2d1c_0b9a_4876_8543_210fedcba987.slice /etc/bpfguard/policies/strict.policy mode=audit  # shop/web-1' "$TMP/ls.conf"
check "... audit mode unless told otherwise" sh -c "! grep '^kubepods' '$TMP/ls.conf' | grep -v -q 'mode=audit'"
"$LS" -l app=web --policy strict -n shop --from-file "$TMP/pods-reversed.tsv" > "$TMP/ls2.conf" 2> /dev/null
check "... the same pods in another order give the same bytes (no reload for nothing)" cmp -s "$TMP/ls.conf" "$TMP/ls2.conf"
sed "s#/etc/bpfguard#$E#g" "$TMP/ls.conf" > "$E/attach.d/50-label-web.conf"
"$LS" -l app=api --policy go-static.policy -n shop --from-file "$TMP/pods.tsv" --driver cgroupfs \
	--mode enforce --fallback kill --name api 2> /dev/null | sed "s#/etc/bpfguard#$E#g" > "$E/attach.d/51-label-api.conf"
check "... cgroupfs driver: kubepods/**/pod<UID>" \
	grep -qF 'kubepods/**/pod5f3e2d1c-0b9a-4876-8543-210fedcba987 ' "$E/attach.d/51-label-api.conf"
expect_rc 0 "bpfguard daemon --check accepts label-sync's files" "$BPFGUARD" daemon --check --config "$E/bpfguard.conf"
check "... $((nex + 6)) lines, no errors" \
	grep -q ": $((nex + 6)) declared attachment line(s), 0 file(s) with errors" "$TMP/out"
expect_rc 2 "label-sync.sh refuses a pod list that is not one" "$LS" -l app=web --policy strict --from-file "$TMP/pods.json"
expect_rc 2 "label-sync.sh --apply needs --name" "$LS" -l app=web --policy strict --apply
expect_rc 2 "label-sync.sh refuses --policy with a relative path" "$LS" -l app=web --policy ../x.policy

# Through a stand-in kubectl: the query it makes, the patch it sends.
mkdir -p "$TMP/bin"
cat > "$TMP/bin/kubectl" <<EOF
#!/bin/bash
# records its arguments (kubectl.FIRST-ARGUMENT.args); "get" prints the pod
# list, a -p argument (patch) is saved as patch.json
printf '%s\n' "\$@" > "$TMP/kubectl.\$1.args"
[ "\$1" = get ] && exec cat "$TMP/pods.tsv"
prev=
for a; do [ "\$prev" = -p ] && printf '%s' "\$a" > "$TMP/patch.json"; prev=\$a; done
exit 0
EOF
chmod +x "$TMP/bin/kubectl"
KUBECTL=$TMP/bin/kubectl "$LS" -l 'app=web,tier!=batch' --policy strict -n shop --name web --apply 2> "$TMP/ls.err"
check "label-sync.sh --apply (stand-in kubectl): exit 0" test $? = 0
check "... asks for the pods of the namespace and selector, with the jsonpath template" \
	$PY -c '
import sys
a = open(sys.argv[1]).read().split("\n")
assert a[:2] == ["get", "pods"], a
assert a[a.index("-n") + 1] == "shop" and a[a.index("-l") + 1] == "app=web,tier!=batch", a
assert a[a.index("-o") + 1].startswith("jsonpath={range .items[*]}{.metadata.uid}"), a' "$TMP/kubectl.get.args"
check "... patches ConfigMap bpfguard-system/bpfguard-attach" \
	$PY -c '
import sys
a = open(sys.argv[1]).read().split("\n")
assert a[:2] == ["-n", "bpfguard-system"] and a[2:5] == ["patch", "configmap", "bpfguard-attach"], a
assert a[a.index("--type") + 1] == "merge", a' "$TMP/kubectl.-n.args"
"$LS" -l 'app=web,tier!=batch' --policy strict -n shop --name web --from-file "$TMP/pods.tsv" > "$TMP/ls3.conf" 2> /dev/null
check "... the patch is JSON whose key 50-label-web.conf is the printed file" \
	$PY -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert list(j) == ["data"] and list(j["data"]) == ["50-label-web.conf"], j
assert j["data"]["50-label-web.conf"] == open(sys.argv[2]).read()' "$TMP/patch.json" "$TMP/ls3.conf"
KUBECTL=$TMP/bin/kubectl "$LS" --policy strict --name web --remove 2> /dev/null
check "label-sync.sh --remove sends a patch deleting the key" \
	$PY -c '
import json, sys
assert json.load(open(sys.argv[1])) == {"data": {"50-label-web.conf": None}}' "$TMP/patch.json"

# --------------------------------------------------------------- entrypoint.sh
EP=$D/entrypoint.sh
if [ "$(stat -f -c %t /sys/fs/bpf 2> /dev/null)" = cafe4a11 ]; then
	BPFGUARD_CGROUP2=$CG2 expect_rc 0 "entrypoint preflight passes on this host (bpffs, cgroup2 at $CG2, BTF)" "$EP" preflight
else
	echo "# /sys/fs/bpf is not bpffs on this host: the positive preflight is not run"
fi
BPFGUARD_BPFFS=$TMP BPFGUARD_CGROUP2=$TMP BPFGUARD_BTF=$TMP/none expect_rc 1 \
	"entrypoint preflight fails on a node without bpffs, cgroup2, BTF" "$EP" preflight
check "... and names each" sh -c "grep -q 'is not a bpf filesystem' '$TMP/err' && grep -q 'is not cgroup v2' '$TMP/err' && grep -q 'no readable' '$TMP/err'"

# The reload loop, with a stand-in daemon that counts SIGHUPs.
cat > "$TMP/fake-bpfguard" <<'EOF'
#!/usr/bin/python3
import os, signal, sys, time
log = os.environ["FAKE_LOG"]
open(log + ".args", "w").write("%d %s\n" % (os.getpid(), " ".join(sys.argv[1:])))
def hup(sig, frm):
    with open(log + ".hup", "a") as f:
        f.write("HUP\n")
signal.signal(signal.SIGHUP, hup)
signal.signal(signal.SIGTERM, lambda s, f: sys.exit(0))
while True:
    time.sleep(0.05)
EOF
chmod +x "$TMP/fake-bpfguard"
for d in a b; do
	mkdir -p "$TMP/cm/$d/..2026_01_01_00_00_00.1"
	ln -s ..2026_01_01_00_00_00.1 "$TMP/cm/$d/..data"
done
FAKE_LOG=$TMP/fake BPFGUARD=$TMP/fake-bpfguard BPFGUARD_RELOAD_WATCH="$TMP/cm/a $TMP/cm/b" \
	BPFGUARD_RELOAD_INTERVAL=1 BPFGUARD_PROBE_AT_START=0 "$EP" --config /etc/bpfguard/bpfguard.conf \
	> "$TMP/ep.out" 2> "$TMP/ep.err" &
FAKE_PID=$!
check "entrypoint: the daemon starts" wait_for 5 test -s "$TMP/fake.args"
check "... as 'bpfguard daemon --config /etc/bpfguard/bpfguard.conf', in the entry point's pid (exec)" \
	grep -qx "$FAKE_PID daemon --config /etc/bpfguard/bpfguard.conf" "$TMP/fake.args"
loop_pids=$(ps -o pid= --ppid "$FAKE_PID" | tr -d ' ')
check "... with one reload loop beside it" test "$(echo "$loop_pids" | grep -c .)" = 1
sleep 2.5
check "... no SIGHUP while nothing changes" test ! -e "$TMP/fake.hup"
# what the kubelet does on a ConfigMap update: a new directory, the symlink swapped
mkdir "$TMP/cm/b/..2026_01_01_00_05_00.2"
ln -s ..2026_01_01_00_05_00.2 "$TMP/cm/b/..data_tmp"
mv -T "$TMP/cm/b/..data_tmp" "$TMP/cm/b/..data"
check "... a swapped ..data symlink: SIGHUP to the daemon" wait_for 5 test -s "$TMP/fake.hup"
sleep 2.5
check "... exactly one" test "$(grep -c HUP "$TMP/fake.hup")" = 1
check "... and says so on stderr" grep -q 'a ConfigMap changed' "$TMP/ep.err"
check "... stdout (the events stream) carries nothing of the loop" test ! -s "$TMP/ep.out"
stop_fake
gone() { for p in $loop_pids; do kill -0 "$p" 2> /dev/null && return 1; done; return 0; }
if wait_for 5 gone; then
	ok "... the loop ends once the daemon is gone"
else
	not_ok "... the reload loop outlived the daemon"
	for p in $loop_pids; do kill "$p" 2> /dev/null; done
fi
BPFGUARD_RELOAD_INTERVAL=x expect_rc 2 "entrypoint refuses a bad BPFGUARD_RELOAD_INTERVAL" "$EP" --config /x

# --------------------------------------------------------------- Dockerfile
DF=$D/Dockerfile
check "Dockerfile: FROM debian:bookworm-slim" grep -qx 'FROM debian:bookworm-slim' "$DF"
pkgs=$(sed -n '/apt-get install/,/&&/p' "$DF" | tr -s ' \\\t' '\n' | grep -E '^lib|^zlib' | sort -u | tr '\n' ' ')
check "Dockerfile installs libbpf1 libelf1 zlib1g libseccomp2 libjson-c5 libssl3 libcapstone4 ($pkgs)" \
	test "$pkgs" = "libbpf1 libcapstone4 libelf1 libjson-c5 libseccomp2 libssl3 zlib1g "
# every library the binary loads comes from one of them (sanitizer
# runtimes of test builds and libc's own libraries aside)
bad=0
while read -r lib path; do
	case $lib in
	linux-vdso* | ld-linux* | libc.so* | libm.so* | libpthread* | libdl.so* | librt.so* | libresolv* | \
		libasan* | libubsan* | libstdc++* | libgcc_s*) continue ;;
	esac
	pkg=$(dpkg -S "$path" 2> /dev/null || dpkg -S "${path#/usr}" 2> /dev/null || dpkg -S "/usr$path" 2> /dev/null)
	pkg=${pkg%%:*}
	case " $pkgs " in
	*" $pkg "*) ;;
	*) bad=1; echo "    $lib ($path) is from package '${pkg:-?}', which the Dockerfile does not install" ;;
	esac
done < <(ldd "$BPFGUARD" | awk '$2 == "=>" { print $1, $3 }')
check "every library bpfguard links is installed by the Dockerfile" test $bad = 0
check "Dockerfile: the entry point the DaemonSet runs" sh -c "
	grep -qx 'COPY deploy/entrypoint.sh /usr/local/bin/bpfguard-k8s-entrypoint' '$DF' &&
	grep -q 'command: \[\"/usr/local/bin/bpfguard-k8s-entrypoint\"\]' '$D/daemonset.yaml'"
check "Dockerfile.dockerignore lets the entry point in" grep -qx '!deploy/entrypoint.sh' "$D/Dockerfile.dockerignore"

finish

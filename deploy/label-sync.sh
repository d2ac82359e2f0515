#!/bin/bash
# label-sync.sh - bind a bpfguard policy to the pods a label selector matches
# (docs/deploy.md, "Binding policies to pods").
#
# Kubernetes puts no labels in cgroup paths, only pod UIDs (and the QoS
# class), so a label binding is a list of UIDs that has to follow the pods.
# This script asks the API server for the pods matching SELECTOR and writes
# one attach.d line per pod:
#
#   kubepods.slice/**/kubepods-*pod<UID, '-' as '_'>.slice POLICY mode=...   (systemd driver)
#   kubepods/**/pod<UID> POLICY mode=...                                    (cgroupfs driver)
#
# The line matches the pod's cgroup on whichever node runs it, whatever its
# QoS class; the pod's containers (and its sandbox, the "pause" process)
# inherit the policy in the kernel.  Without --apply the attach.d file is
# printed; with --apply it becomes the key 50-label-NAME.conf of the
# ConfigMap bpfguard-attach (kubectl patch; other keys are left alone).
# The daemon pods see the ConfigMap change within about a minute (kubelet
# sync) and reload (SIGHUP from their entry point's loop).
#
# It is one pass, not a controller: pods created later are bound when it
# runs again (a loop, a CronJob, a CI step) and run unguarded until then.
# An unchanged pod set gives byte-identical output, so running it often
# does not make the daemons reload.
#
# Usage:
#   label-sync.sh --selector SELECTOR --policy POLICY [--name NAME]
#                 [-n NAMESPACE | -A] [--mode audit|enforce]
#                 [--fallback refuse|kill|audit] [--driver systemd|cgroupfs]
#                 [--cgroup-root PATH] [--from-file FILE]
#                 [--apply | --remove] [--configmap NAME] [--system-namespace NS]
#
#   --selector    a kubectl label selector (-l), e.g. 'app=web,tier!=batch'
#   --policy      a key of the bpfguard-policies ConfigMap (strict or
#                 strict.policy: /etc/bpfguard/policies/strict.policy) or an
#                 absolute path as the daemon pod sees it
#   --name        the binding's name: the key 50-label-NAME.conf (needed by
#                 --apply and --remove; printing defaults to the policy's name)
#   -n, -A        pods of one namespace (default: kubectl's current one) or
#                 of all namespaces; pods in the bpfguard namespace are never
#                 bound (the daemon would be judged by the policy)
#   --mode        default audit: recorded, nothing denied (check the events,
#                 then bind again with --mode enforce)
#   --fallback    what enforce does with errno rules on nodes without BPF LSM
#                 (docs/enforcement.md); default: the daemon's (refuse)
#   --driver      the kubelet's cgroup driver (default systemd)
#   --cgroup-root the kubelet's pod cgroup root below the cgroup2 mount
#                 (default kubepods.slice for systemd, kubepods for cgroupfs)
#   --from-file   read the pod list from FILE instead of kubectl: lines
#                 "UID NAMESPACE NAME PHASE NODE" (tab-separated), as the
#                 kubectl jsonpath query of this script prints them
#   --apply       write the ConfigMap key (kubectl patch)
#   --remove      delete the ConfigMap key: the daemons detach what it bound
#   --configmap   default bpfguard-attach; --system-namespace default bpfguard-system
#
# Environment: KUBECTL (default kubectl).  Exit: 0 ok, 1 kubectl failed,
# 2 bad arguments or a pod list it cannot read.
set -euo pipefail

KUBECTL=${KUBECTL:-kubectl}
prog=label-sync.sh
selector='' policy='' name='' ns='' all=0 mode=audit fallback='' driver=systemd root=''
from='' action=print cm=bpfguard-attach sysns=bpfguard-system

die() { echo "$prog: $*" >&2; exit 2; }
need() { if [ $# -lt 2 ] || [ -z "$2" ]; then die "$1 needs a value"; fi; }

while [ $# -gt 0 ]; do
	case $1 in
	-l | --selector) need "$@"; selector=$2; shift 2 ;;
	--policy) need "$@"; policy=$2; shift 2 ;;
	--name) need "$@"; name=$2; shift 2 ;;
	-n | --namespace) need "$@"; ns=$2; shift 2 ;;
	-A | --all-namespaces) all=1; shift ;;
	--mode) need "$@"; mode=$2; shift 2 ;;
	--fallback) need "$@"; fallback=$2; shift 2 ;;
	--driver) need "$@"; driver=$2; shift 2 ;;
	--cgroup-root) need "$@"; root=$2; shift 2 ;;
	--from-file) need "$@"; from=$2; shift 2 ;;
	--apply) action=apply; shift ;;
	--remove) action=remove; shift ;;
	--configmap) need "$@"; cm=$2; shift 2 ;;
	--system-namespace) need "$@"; sysns=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) die "unknown argument '$1'; see $prog --help" ;;
	esac
done

[ -n "$policy" ] || die "--policy is required (a key of bpfguard-policies, e.g. strict)"
case $policy in
/*) policy_path=$policy ;;
*/*) die "--policy '$policy': give a ConfigMap key (strict, strict.policy) or an absolute path" ;;
*.policy) policy_path=/etc/bpfguard/policies/$policy ;;
*) policy_path=/etc/bpfguard/policies/$policy.policy ;;
esac
[[ $policy_path =~ ^/[A-Za-z0-9._/-]+$ ]] || die "--policy '$policy': only letters, digits and ._-/ in the path"
if [ -z "$name" ]; then
	# the binding's key must not be shared by accident: name it when writing
	[ "$action" = print ] || die "--apply and --remove need --name (the key 50-label-NAME.conf)"
	name=${policy_path##*/}
	name=${name%.policy}
fi
[[ $name =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$ ]] || die "--name '$name': 1-63 of [A-Za-z0-9._-]"
key=50-label-$name.conf
[[ $cm =~ ^[a-z0-9][a-z0-9.-]*$ && $sysns =~ ^[a-z0-9][a-z0-9-]*$ ]] || die "bad --configmap or --system-namespace"

if [ "$action" = remove ]; then
	"$KUBECTL" -n "$sysns" patch configmap "$cm" --type merge -p "{\"data\":{\"$key\":null}}" ||
		{ echo "$prog: kubectl patch failed" >&2; exit 1; }
	echo "$prog: removed $key from $sysns/$cm; the daemons detach its pods' attachments after their reload" >&2
	exit 0
fi

[ -n "$selector" ] || die "--selector is required (e.g. app=web)"
[[ $selector != *[[:cntrl:]]* ]] || die "--selector holds a control character"
case $mode in audit | enforce) ;; *) die "--mode '$mode': audit or enforce" ;; esac
case $fallback in '' | refuse | kill | audit) ;; *) die "--fallback '$fallback': refuse, kill or audit" ;; esac
case $driver in
systemd) root=${root:-kubepods.slice} ;;
cgroupfs) root=${root:-kubepods} ;;
*) die "--driver '$driver': systemd or cgroupfs" ;;
esac
[[ $root =~ ^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$ ]] || die "--cgroup-root '$root': a relative cgroup path without globs"
[ "$all" = 1 ] && [ -n "$ns" ] && die "-n and -A exclude each other"

# The pod list: one line per pod, tab-separated.
jsonpath='{range .items[*]}{.metadata.uid}{"\t"}{.metadata.namespace}{"\t"}{.metadata.name}{"\t"}{.status.phase}{"\t"}{.spec.nodeName}{"\n"}{end}'
if [ -n "$from" ]; then
	list=$(cat -- "$from") || die "cannot read --from-file '$from'"
else
	scope=()
	if [ "$all" = 1 ]; then scope=(--all-namespaces); elif [ -n "$ns" ]; then scope=(-n "$ns"); fi
	list=$("$KUBECTL" get pods "${scope[@]}" -l "$selector" -o "jsonpath=$jsonpath") ||
		{ echo "$prog: kubectl get pods failed" >&2; exit 1; }
fi

opts="mode=$mode"
[ -n "$fallback" ] && opts="$opts fallback=$fallback"

lines=() skipped=0
declare -A per_node=()
while IFS=$'\t' read -r uid pns pname phase node || [ -n "$uid" ]; do
	[ -n "$uid" ] || continue
	[[ $uid =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]] ||
		die "pod list: '$uid' is not a pod UID (expected: UID NAMESPACE NAME PHASE NODE, tab-separated)"
	[[ $pns =~ ^[a-z0-9][a-z0-9-]*$ && $pname =~ ^[a-z0-9][a-z0-9.-]*$ ]] ||
		die "pod list: bad namespace or name '$pns/$pname'"
	case $phase in Succeeded | Failed) continue ;; esac # no cgroup left
	if [ "$pns" = "$sysns" ]; then
		echo "$prog: not binding $pns/$pname: bpfguard's own pods are never bound" >&2
		skipped=$((skipped + 1))
		continue
	fi
	if [ "$driver" = systemd ]; then
		pattern="$root/**/kubepods-*pod${uid//-/_}.slice"
	else
		pattern="$root/**/pod$uid"
	fi
	lines+=("$pns/$pname"$'\t'"$pattern $policy_path $opts  # $pns/$pname")
	node=${node:-unscheduled}
	per_node[$node]=$((${per_node[$node]:-0} + 1))
done <<<"$list"

# bpfguard has 64 policy slots per node, one per attachment.
for node in "${!per_node[@]}"; do
	if [ "${per_node[$node]}" -gt 64 ]; then
		echo "$prog: warning: node $node runs ${per_node[$node]} matching pods; bpfguard attaches at most 64 cgroups per node (attach failures show in bpfguard_daemon_attach_failures_total)" >&2
	fi
done

# Sorted by namespace/name: the same pods give the same bytes.
content="# $key - written by deploy/label-sync.sh; edits are overwritten: run it again.
# selector: $selector
# namespace: $([ "$all" = 1 ] && echo '(all)' || echo "${ns:-(kubectl default)}")
# policy: $policy_path $opts
# driver: $driver, cgroup root: $root
# pods: ${#lines[@]}
"
if [ ${#lines[@]} -gt 0 ]; then
	content+=$(printf '%s\n' "${lines[@]}" | LC_ALL=C sort | cut -f2-)$'\n'
fi

if [ "$action" = print ]; then
	printf '%s' "$content"
	exit 0
fi

# JSON string of the content: the only characters that need escaping in it
# are the backslash, the double quote, tab and newline (everything else was
# checked above or is printable ASCII from the command line).
json=$content
json=${json//\\/\\\\}
json=${json//\"/\\\"}
json=${json//$'\t'/\\t}
json=${json//$'\n'/\\n}
if LC_ALL=C grep -q '[^[:print:]]' <<<"$json"; then
	die "the selector or a path holds a control character"
fi
"$KUBECTL" -n "$sysns" patch configmap "$cm" --type merge -p "{\"data\":{\"$key\":\"$json\"}}" ||
	{ echo "$prog: kubectl patch failed" >&2; exit 1; }
echo "$prog: $sysns/$cm key $key: ${#lines[@]} pod(s) bound to $policy_path ($opts), $skipped skipped" >&2

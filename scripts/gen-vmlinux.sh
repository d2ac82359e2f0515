#!/bin/sh
# Regenerates vmlinux/vmlinux.h from the running kernel's BTF.
set -eu
cd "$(dirname "$0")/.."
bpftool btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/vmlinux.h
echo "vmlinux/vmlinux.h regenerated from $(uname -r)"

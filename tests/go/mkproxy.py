#!/usr/bin/env python3
"""mkproxy.py OUT MODDIR@VERSION... - build a GOPROXY=file:// module proxy.

Each MODDIR holds a go.mod naming its module path; the zip gets every
regular file under MODDIR as <module>@<version>/<relative path>, the way
the go command's module zips are laid out.  Lets tests build Go programs
with real, h1:-hashed dependencies offline (GOPROXY=file://OUT,
GOSUMDB=off, GOFLAGS=-mod=mod).
"""
import json, os, sys, zipfile


def escape(path):
    # module path escaping: an uppercase letter becomes '!' + lowercase
    return ''.join('!' + c.lower() if c.isupper() else c for c in path)


def module_path(moddir):
    with open(os.path.join(moddir, 'go.mod')) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0] == 'module':
                return parts[1].strip('"')
    sys.exit(f'mkproxy: {moddir}/go.mod has no module line')


def main():
    if len(sys.argv) < 3:
        sys.exit('usage: mkproxy.py OUT MODDIR@VERSION...')
    out = sys.argv[1]
    for arg in sys.argv[2:]:
        moddir, _, version = arg.rpartition('@')
        if not moddir or not version:
            sys.exit(f'mkproxy: {arg}: want MODDIR@VERSION')
        mod = module_path(moddir)
        vdir = os.path.join(out, escape(mod), '@v')
        os.makedirs(vdir, exist_ok=True)
        ev = escape(version)
        with open(os.path.join(vdir, 'list'), 'a') as f:
            f.write(version + '\n')
        with open(os.path.join(vdir, ev + '.info'), 'w') as f:
            json.dump({'Version': version, 'Time': '2026-01-01T00:00:00Z'}, f)
        with open(os.path.join(moddir, 'go.mod'), 'rb') as src, \
                open(os.path.join(vdir, ev + '.mod'), 'wb') as dst:
            dst.write(src.read())
        with zipfile.ZipFile(os.path.join(vdir, ev + '.zip'), 'w',
                             zipfile.ZIP_DEFLATED) as z:
            for root, dirs, files in os.walk(moddir):
                dirs.sort()
                for name in sorted(files):
                    full = os.path.join(root, name)
                    if not os.path.isfile(full) or os.path.islink(full):
                        continue
                    rel = os.path.relpath(full, moddir)
                    z.write(full, f'{mod}@{version}/{rel}')


if __name__ == '__main__':
    main()

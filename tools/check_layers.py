#!/usr/bin/env python3
"""Fails when a module includes a module above it in the layer order.

The order (bottom first) is ARCHITECTURE.md's: a module may include itself and
modules listed before it. Usage: check_layers.py REPO_ROOT
"""
import pathlib
import re
import sys

ORDER = ["core", "specs", "specs/io", "compute", "network", "power", "plan", "serve", "planner", "report"]
# Modules at the same depth that must not see each other either.
PEERS = {"compute": {"network", "power"}, "network": {"compute", "power"}, "power": {"compute", "network"}}
INCLUDE = re.compile(r'^\s*#\s*include\s+"tessera/([a-z_/]+)/[^"/]+"', re.M)


def module_of(rel: str) -> str:
    """'specs/io/x.h' -> 'specs/io'; 'plan/x.h' -> 'plan'."""
    parts = rel.split("/")
    if parts[0] == "specs" and len(parts) > 1 and parts[1] == "io":
        return "specs/io"
    return parts[0]


def main(root: pathlib.Path) -> int:
    errors = []
    src = root / "tessera"
    for f in sorted(src.rglob("*")):
        if f.suffix not in (".h", ".cpp"):
            continue
        mod = module_of(str(f.relative_to(src)))
        if mod not in ORDER:
            errors.append(f"{f}: folder '{mod}' is not a known module")
            continue
        for inc in INCLUDE.findall(f.read_text()):
            dep = module_of(inc + "/x")
            if dep not in ORDER:
                errors.append(f"{f}: includes unknown module '{dep}'")
            elif ORDER.index(dep) > ORDER.index(mod) or dep in PEERS.get(mod, set()):
                errors.append(f"{f}: module '{mod}' includes '{dep}', which is above it")
    for e in errors:
        print(e)
    print(f"check_layers: {len(errors)} violation(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")))

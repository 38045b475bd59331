#!/usr/bin/python3
"""Median and max |error| per metric and per runtime over validation sets.

Usage: tools/validate_by_runtime.py [BINARY] SET...   (BINARY defaults to build/tessera)
Runs `tessera validate --set SET --json` for each set and groups the rows by their
`runtime` column, so a stack's fit can be judged on its own rows (issue 16 acceptance:
median <= 8%, max <= 25% per metric and per stack).
"""
import json
import os
import statistics
import subprocess
import sys
from collections import defaultdict


def main(argv):
    binary = "build/tessera"
    if argv and os.path.isfile(argv[0]) and os.access(argv[0], os.X_OK):
        binary, argv = argv[0], argv[1:]
    errors = defaultdict(lambda: defaultdict(list))
    for name in argv:
        out = subprocess.run([binary, "validate", "--set", name, "--json"], capture_output=True, text=True, check=True)
        for s in json.loads(out.stdout):
            for row in s["rows"]:
                for metric, e in row["error"].items():
                    if e is not None:
                        errors[row.get("runtime") or "-"][metric].append(abs(e))
    print(f"{'runtime':16s} {'metric':14s} {'n':>3s} {'median':>8s} {'max':>8s}")
    for rt in sorted(errors):
        for metric in sorted(errors[rt]):
            v = errors[rt][metric]
            print(f"{rt:16s} {metric:14s} {len(v):3d} {100 * statistics.median(v):7.1f}% {100 * max(v):7.1f}%")


if __name__ == "__main__":
    main(sys.argv[1:])

"""Shared helpers for the integration tests: run the built binary, parse JSON."""
import json
import os
import pathlib
import subprocess

BIN = os.environ.get("TESSERA_BIN", str(pathlib.Path(__file__).resolve().parents[2] / "build" / "tessera"))
SOURCE = pathlib.Path(os.environ.get("TESSERA_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
SHARED = SOURCE.parent / "shared"


def run(*args, check=False, timeout=600):
    p = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError(f"tessera {' '.join(map(str, args))} exited {p.returncode}: {p.stderr}")
    return p


def simulate_json(*args):
    p = run("simulate", *args, "--json", check=True)
    return json.loads(p.stdout)

"""Bounded memory: `simulate` over a generated 10^7-row trace (never committed; written
into the build tree and reused) must stay under a stated peak RSS.

The bound. The reader streams the trace one line at a time, so memory does not hold
the file (142 MiB) nor 10^7 parsed arrivals (>= 48 B each, 458 MiB). What does grow
with the request count is the exact latency statistics (serve/stats.h keeps every
TTFT/TPOT/E2E/queue sample: 4 doubles, 32 B per request, 305 MiB at 10^7).
Measured: 306 MiB peak RSS (Release, x86-64). Bound: 400 MiB, under what either a
whole-file read (+142 MiB) or a materialised trace (+458 MiB) would add.

Also checks the simulation loses and duplicates no request: completed == rows.
Usage: test_bounded_memory.py TESSERA_BIN WORK_DIR [ROWS]
"""
import json
import pathlib
import resource
import subprocess
import sys

BOUND_MIB = 400
HEADER = "arrival_s,input_tokens,output_tokens\n"


def generate(path: pathlib.Path, rows: int) -> None:
    """1000 requests per second; prompts of 100-149 tokens, 1-3 output tokens."""
    if path.exists() and path.stat().st_size > 0 and path.with_suffix(".rows").exists() \
            and path.with_suffix(".rows").read_text() == str(rows):
        return
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w") as f:
        f.write(HEADER)
        step = 100_000
        for s in range(0, rows, step):
            f.write("".join(f"{i // 1000}.{i % 1000:03d},{100 + i % 50},{1 + i % 3}\n"
                            for i in range(s, min(rows, s + step))))
    tmp.rename(path)
    path.with_suffix(".rows").write_text(str(rows))


def main() -> int:
    binary, work = sys.argv[1], pathlib.Path(sys.argv[2])
    rows = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000_000
    work.mkdir(parents=True, exist_ok=True)
    trace = work / f"trace_{rows}.csv"
    generate(trace, rows)
    p = subprocess.run([binary, "simulate", "--model", "llama-3.2-1b", "--hardware", "p5.48xlarge", "--tp", "1",
                        "--dp", "8", "--workload", f"trace:{trace}", "--json"], capture_output=True, text=True)
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux: KiB
    if p.returncode != 0:
        print(f"FAIL: simulate exited {p.returncode}: {p.stderr.strip()}")
        return 1
    summary = json.loads(p.stdout)["summary"]
    print(f"{rows} rows ({trace.stat().st_size / 2**20:.0f} MiB): peak RSS {peak_mib:.0f} MiB "
          f"(bound {BOUND_MIB} MiB); requests {summary['requests']}, completed {summary['completed']}")
    ok = True
    if summary["requests"] != rows or summary["completed"] + summary["rejected"] != rows:
        print(f"FAIL: {rows} rows in, {summary['requests']} requests, {summary['completed']} completed, "
              f"{summary['rejected']} rejected")
        ok = False
    if peak_mib > BOUND_MIB:
        print(f"FAIL: peak RSS {peak_mib:.0f} MiB exceeds {BOUND_MIB} MiB")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

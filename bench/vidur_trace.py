#!/usr/bin/env python3
"""Writes the request stream of the Vidur-equivalent run (issue 17) as a generic trace CSV:
the first N rows of the Azure LLM 2023 conversation trace (ContextTokens, GeneratedTokens)
that fit Llama-2's 4,096-token context (input + output <= 4096; Vidur's trace length
generator likewise keeps requests within its max_tokens of 4096), with Poisson arrivals
at QPS requests/s (exponential gaps, seeded, first arrival at 0 as in Vidur's
PoissonRequestIntervalGenerator).

Usage: vidur_trace.py AZURE_CONV_CSV OUT_CSV [N=8192] [QPS=1] [SEED=0]
"""
import csv
import random
import sys


def main():
    src, out = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 8192
    qps = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
    rng = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 0)
    rows = []
    with open(src, newline="") as f:
        for row in csv.DictReader(f):
            i, o = int(row["ContextTokens"]), int(row["GeneratedTokens"])
            if i >= 1 and o >= 1 and i + o <= 4096:
                rows.append((i, o))
            if len(rows) == n:
                break
    if len(rows) < n:
        sys.exit(f"{src}: only {len(rows)} usable rows, need {n}")
    t = 0.0
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["arrival_s", "input_tokens", "output_tokens"])
        for k, (i, o) in enumerate(rows):
            if k > 0:
                t += rng.expovariate(qps)
            w.writerow([f"{t:.6f}", i, o])


if __name__ == "__main__":
    main()

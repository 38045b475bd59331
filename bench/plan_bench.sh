#!/bin/bash
# Timing acceptance of `tessera plan` (issue 7): at least 100 deployments of
# llama-3.1-70b on the Azure LLM 2023 conversation trace searched in under 60 s on
# 2 cores, and fleet sizing in under 5 s. Prints the count, the wall time and
# PASS/FAIL for each. Usage: bench/plan_bench.sh [path/to/tessera]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
TESSERA="${1:-$here/../build/tessera}"
TRACE="${TRACE:-$here/../../shared/traces/azure_llm_2023/AzureLLMInferenceTrace_conv.csv}"
THREADS="${THREADS:-2}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

timed() {  # timed NAME LIMIT_S ARGS... -> prints searched/feasible and seconds
  local name=$1 limit=$2
  shift 2
  local t0 t1
  t0=$(date +%s.%N)
  "$TESSERA" plan "$@" --threads "$THREADS" --out "$out/$name.json" > /dev/null
  t1=$(date +%s.%N)
  python3 - "$out/$name.json" "$name" "$limit" "$t0" "$t1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
name, limit, t = sys.argv[2], float(sys.argv[3]), float(sys.argv[5]) - float(sys.argv[4])
ok = t < limit and (name != "search" or d["searched"] >= 100)
print(f"{name:8s} searched {d['searched']:4d}  feasible {d['feasible']:4d}  {t:6.1f} s  (limit {limit:g} s)  "
      f"{'PASS' if ok else 'FAIL'}")
PY
}

timed search 60 --model llama-3.1-70b --workload "trace:$TRACE" --slo ttft_p99=2s,tpot_p99=100ms
timed fleet 5 --model llama-3.1-70b --workload "trace:$TRACE" --slo ttft_p99=2s,tpot_p99=100ms \
  --hardware trn2.48xlarge --fleet chips=1000000

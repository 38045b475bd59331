#!/bin/bash
# Scaling of the simulator and of sweeps (docs/performance.md). For 10^4, 10^5 and
# 10^6 synthetic requests (llama-3-8b on p5.48xlarge, TP=1, 8 replicas, Poisson at
# 200 req/s, 512 in / 128 out) prints simulated requests/s and output tokens/s per
# wall second, wall and CPU time, and peak RSS; then sweep throughput (configs/s) of
# a 200-configuration grid on 1 and 2 threads.
# Usage: bench/run_scaling.sh [path/to/tessera]   (SIZES="10000 100000" to shorten)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
TESSERA="${1:-$here/../build/tessera}"
SIZES="${SIZES:-10000 100000 1000000}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1 /proc/loadavg)"
printf "%-9s %12s %14s %8s %8s %10s\n" requests "sim req/s" "sim out tok/s" "wall s" "cpu s" "peak RSS"
for n in $SIZES; do
  /usr/bin/time -f "%e %U %S %M" -o "$out/time" "$TESSERA" simulate --model llama-3-8b --hardware p5.48xlarge \
    --tp 1 --dp 8 --workload "poisson:rate=200,input=512,output=128,n=$n" --json > "$out/sim.json"
  python3 - "$out/sim.json" "$out/time" "$n" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
wall, user, sys_, rss = open(sys.argv[2]).read().split()[-4:]
wall, cpu = float(wall), float(user) + float(sys_)
print(f"{int(sys.argv[3]):<9d} {s['completed'] / wall:12.0f} {s['output_tokens'] / wall:14.0f} {wall:8.2f} {cpu:8.2f} "
      f"{int(rss) / 1024:7.1f} MiB")
PY
done

# A 200-configuration grid: 2 models x 4 TP degrees x 5 workloads x 5 seeds.
cat > "$out/grid.yaml" <<'YAML'
model: [llama-3-8b, llama-3.1-8b]
hardware: p5.48xlarge
tp: [1, 2, 4, 8]
workload: ["poisson:rate=5,input=512,output=128,n=200", "poisson:rate=10,input=512,output=128,n=200",
           "poisson:rate=20,input=512,output=128,n=200", "poisson:rate=40,input=512,output=128,n=200",
           "closed:concurrency=16,input=1024,output=256,n=200"]
seed: [1, 2, 3, 4, 5]
YAML
printf "\n%-8s %8s %8s %10s\n" threads configs "wall s" "configs/s"
for j in 1 2; do
  rm -f "$out/r.sqlite"
  t0=$(date +%s.%N)
  "$TESSERA" sweep --grid "$out/grid.yaml" --out "$out/r.sqlite" --jobs "$j" --quiet
  t1=$(date +%s.%N)
  python3 -c "import sys; t=float(sys.argv[2])-float(sys.argv[1]); print(f'{sys.argv[3]:<8s} {200:8d} {t:8.2f} {200/t:10.1f}')" \
    "$t0" "$t1" "$j"
done

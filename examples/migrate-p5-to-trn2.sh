#!/bin/bash
# Migrating Llama 3.1 70B (BF16) from one p5.48xlarge (8 H100, TP=8) to one trn2.48xlarge
# (16 Trainium2, TP=64 logical NeuronCores at LNC=2) under the same chat load and SLO:
# latency, tokens per chip, energy, and the price trn2 would need to match p5's cost.
# Extra arguments go to both runs (e.g. --json).
set -euo pipefail
source "$(dirname "$0")/common.sh"
WORKLOAD="poisson:rate=4,input=1024,output=256,n=300"
for hw in "p5.48xlarge --tp 8" "trn2.48xlarge --tp 64"; do
  # shellcheck disable=SC2086  # $hw is "system --tp N"
  "$TESSERA" simulate --model llama-3.1-70b --hardware $hw --workload "$WORKLOAD" --slo "$SLO" "$@"
done

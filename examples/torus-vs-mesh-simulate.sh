#!/bin/bash
# Where the collectives go: Llama 3.1 405B (FP8 weights) at TP=128 (two replicas: 64 chips), the Trn2
# UltraServer (NeuronLink 4x4 torus per instance + rings across 4 instances) vs the Trn3
# Gen1 UltraServer (NeuronSwitch all-to-all), same load and SLO. Each run's "where
# iteration time goes" shows the collective share (add --report FILE.html to one run
# to see it as a chart). Extra arguments go to both runs (e.g. --json).
set -euo pipefail
source "$(dirname "$0")/common.sh"
WORKLOAD="poisson:rate=4,input=1024,output=256,n=400"
for hw in trn2-ultraserver trn3-ultraserver-64; do
  "$TESSERA" simulate --model llama-3.1-405b --weights-dtype fp8 --hardware "$hw" --tp 128 --dp 2 \
    --workload "$WORKLOAD" --slo "$SLO" "$@"
done

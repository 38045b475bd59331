#!/bin/bash
# A mixture-of-experts model, Qwen3-235B-A22B (FP8 weights), filling one GB200 NVL72
# (72 GPUs: 9 replicas of TP=8/EP=8) and one Trn3 UltraServer-144 (144 Trainium3:
# 9 replicas of TP=64/EP=64 logical NeuronCores) at the same chat load and SLO.
# Extra arguments go to both runs (e.g. --json).
set -euo pipefail
source "$(dirname "$0")/common.sh"
WORKLOAD="poisson:rate=40,input=1024,output=256,n=1500"
for hw in "gb200-nvl72 --tp 8 --ep 8 --dp 9" "trn3-ultraserver-144 --tp 64 --ep 64 --dp 9"; do
  # shellcheck disable=SC2086  # $hw is "system --tp N --ep N --dp N"
  "$TESSERA" simulate --model qwen3-235b-a22b --weights-dtype fp8 --hardware $hw --workload "$WORKLOAD" \
    --slo "$SLO" "$@"
done

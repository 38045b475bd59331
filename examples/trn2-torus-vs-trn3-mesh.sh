#!/bin/bash
# 64 Trainium2 chips on NeuronLink torus + rings (Trn2 UltraServer) vs 64 Trainium3 chips
# on the NeuronSwitch mesh (Trn3 Gen1 UltraServer), Llama 3.1 405B in FP8: output tokens
# per chip and energy per million tokens at the same SLO.
set -euo pipefail
source "$(dirname "$0")/common.sh"
# TTFT p99 5 s, not the common 2 s: with NxD Inference's compiled context buckets (each prompt padded to the next
# power of two) no 405B deployment on one Trn2 UltraServer meets 2 s on this trace's long prompts.
exec "$TESSERA" plan --model llama-3.1-405b --weights-dtype fp8 --workload "trace:$TRACE" --slo "ttft_p99=5s,tpot_p99=100ms" \
  --compare trn2-ultraserver,trn3-ultraserver-64 --tp 64,128 "${GRID[@]}" "$@"

#!/bin/bash
# 64 Trainium2 chips on NeuronLink torus + rings (Trn2 UltraServer) vs 64 Trainium3 chips
# on the NeuronSwitch mesh (Trn3 Gen1 UltraServer), Llama 3.1 405B in FP8: output tokens
# per chip and energy per million tokens at the same SLO.
set -euo pipefail
source "$(dirname "$0")/common.sh"
exec "$TESSERA" plan --model llama-3.1-405b --weights-dtype fp8 --workload "trace:$TRACE" --slo "$SLO" \
  --compare trn2-ultraserver,trn3-ultraserver-64 --tp 32,64 "${GRID[@]}" "$@"

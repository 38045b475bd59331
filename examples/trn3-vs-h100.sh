#!/bin/bash
# Trn3 (Gen2 UltraServer, 144 chips) vs H100 (p5.48xlarge): cost and energy per million
# output tokens for Llama 3.1 70B on the Azure conversation trace under a chat SLO.
set -euo pipefail
source "$(dirname "$0")/common.sh"
exec "$TESSERA" plan --model llama-3.1-70b --workload "trace:$TRACE" --slo "$SLO" \
  --compare p5.48xlarge,trn3-ultraserver-144 --tp 4,8,16 "${GRID[@]}" "$@"

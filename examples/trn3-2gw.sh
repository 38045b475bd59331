#!/bin/bash
# 2 GW of Trn3 UltraServers (144 chips each) serving Llama 3.1 70B chat: tokens per day.
set -euo pipefail
source "$(dirname "$0")/common.sh"
exec "$TESSERA" plan --model llama-3.1-70b --workload "trace:$TRACE" --slo "$SLO" \
  --hardware trn3-ultraserver-144 --tp 8,16 --fleet power=2GW --headroom 0.2 "${GRID[@]}" "$@"

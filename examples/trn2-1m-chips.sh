#!/bin/bash
# A 1,000,000-chip Trainium2 fleet (trn2.48xlarge) serving Llama 3.1 70B on the Azure
# conversation (chat) trace: tokens per day, megawatts.
set -euo pipefail
source "$(dirname "$0")/common.sh"
exec "$TESSERA" plan --model llama-3.1-70b --workload "trace:$TRACE" --slo "$SLO" \
  --hardware trn2.48xlarge --tp 8,16,32 --fleet chips=1000000 --headroom 0.2 "${GRID[@]}" "$@"

# Shared by the example scripts: the binary and the Azure LLM 2023 conversation trace.
# TESSERA: the tessera binary (default: build/tessera of this checkout).
# TRACE:   AzureLLMInferenceTrace_conv.csv (default: ../shared/traces beside the repo).
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TESSERA="${TESSERA:-$here/../build/tessera}"
TRACE="${TRACE:-$here/../../shared/traces/azure_llm_2023/AzureLLMInferenceTrace_conv.csv}"
SLO="ttft_p99=2s,tpot_p99=100ms"
# A narrow grid keeps each example to a few seconds; widen it (or drop these flags) to search more.
GRID=(--pp 1 --schedulers vllm --max-batch 256 --probe-requests 300)

// How a model is laid out on hardware and how the serving engine is configured.
#pragma once

#include <cstdint>
#include <string>

#include "tessera/specs/dtype.h"

namespace tessera {

struct DeploymentSpec {
  // Parallelism. On Neuron hardware tp counts (logical) NeuronCores; on NVIDIA, GPUs.
  int tp = 1;
  int pp = 1;
  int ep = 1;
  int dp = 1;          // independent replicas
  int lnc = 0;         // logical NeuronCore config; 0 = the system's default
  DType weight_dtype = DType::BF16;
  DType kv_dtype = DType::BF16;
  DType act_dtype = DType::BF16;
  // Tokens routed to the busiest expert over the mean (1 = perfectly balanced).
  // Estimate: no measured skew is in the reference data; 1.0 unless the user says.
  double expert_imbalance = 1.0;
  // Serving engine.
  std::string scheduler = "vllm";
  int max_batch = 256;            // max sequences per iteration
  int64_t max_tokens = 8192;      // max tokens (prefill + decode) per iteration
  int block_tokens = 16;          // paged-KV block size (vLLM default)
  int64_t chunk_tokens = 0;       // "sarathi": per-iteration token budget; 0 = max_tokens
  // KV admission: "optimistic" (vLLM: prompt blocks only, recompute preemption) or
  // "guaranteed" (TensorRT-LLM GUARANTEED_NO_EVICT: input + output reserved, never preempts).
  std::string admission = "optimistic";
  bool prefix_caching = false;    // automatic prefix caching (vLLM APC)
  double memory_utilization = 0.90;  // fraction of device memory the engine may use
};

}  // namespace tessera

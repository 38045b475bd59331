// How a model is laid out on hardware and how the serving engine is configured.
#pragma once

#include <cstdint>
#include <string>

#include "tessera/specs/dtype.h"

namespace tessera {

// How the engine sizes its KV pool.
enum class KvPoolRule {
  // vLLM/SGLang: KV = fraction x total device memory - weights - activations
  // (gpu_memory_utilization / mem_fraction_static).
  FractionOfTotal,
  // TensorRT-LLM: KV = fraction x (memory free after weights and activations)
  // (KvCacheConfig.free_gpu_memory_fraction).
  FractionOfFree,
};

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
  // Serving engine. The runtime profile (specs/runtime.h, data/runtimes/) supplies
  // every serving field the user left unset: "" and 0 mean "the runtime's default".
  // Library code that runs without a profile (unit tests, direct serve calls) gets the
  // built-in defaults of with_serving_defaults() below.
  std::string runtime;            // runtime profile name; "" = the platform's default
  std::string scheduler;          // "vllm" | "sarathi" | "disagg"
  int max_batch = 0;              // max sequences per iteration
  int64_t max_tokens = 0;         // max tokens (prefill + decode) per iteration
  int block_tokens = 0;           // paged-KV block size
  int64_t chunk_tokens = 0;       // "sarathi": per-iteration token budget; 0 = max_tokens
  // KV admission: "optimistic" (vLLM: prompt blocks only, recompute preemption) or
  // "guaranteed" (TensorRT-LLM GUARANTEED_NO_EVICT: input + output reserved, never preempts).
  std::string admission;
  bool prefix_caching = false;    // automatic prefix caching (vLLM APC)
  double memory_utilization = 0;  // fraction of memory the engine gives the KV pool rule
  KvPoolRule kv_pool_rule = KvPoolRule::FractionOfTotal;
};

// Fills the serving fields still unset with the built-in defaults (vLLM's: prefill-first
// scheduler, 256 sequences, 8192 tokens, 16-token blocks, optimistic admission, 0.90 of
// memory). Used where no runtime profile was applied.
inline DeploymentSpec with_serving_defaults(DeploymentSpec d) {
  if (d.scheduler.empty()) d.scheduler = "vllm";
  if (d.max_batch == 0) d.max_batch = 256;
  if (d.max_tokens == 0) d.max_tokens = 8192;
  if (d.block_tokens == 0) d.block_tokens = 16;
  if (d.admission.empty()) d.admission = "optimistic";
  if (d.memory_utilization == 0) d.memory_utilization = 0.90;
  return d;
}

}  // namespace tessera

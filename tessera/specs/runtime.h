// A serving runtime (engine) as a first-class profile: what differs between vLLM,
// SGLang, TensorRT-LLM, NIM, Transformers-NeuronX, NxD Inference and vLLM on Neuron
// when the chip and the model are the same. One YAML each in data/runtimes/, every
// value with its source (the engine's documented default, the file/flag in its code,
// or a reproducible fit); `--runtime NAME` picks one, a default per platform applies.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tessera/specs/platform.h"

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

struct RuntimeProfile {
  std::string name;                    // catalog key: "vllm", "trtllm", "tnx", ...
  std::string display_name;
  std::vector<std::string> platforms;  // chip platforms it runs on: "nvidia", "neuron", "amd"
  // Serving defaults, applied to the deployment unless the user set the flag.
  std::string scheduler = "vllm";      // "vllm" (prefill-first, no chunking) | "sarathi" (chunked prefill)
  int64_t max_tokens = 8192;           // token budget per step (max_num_batched_tokens)
  int64_t chunk_tokens = 0;            // chunk size when chunked; 0 = max_tokens
  int max_batch = 256;                 // max sequences per step (max_num_seqs)
  int block_tokens = 16;               // paged-KV block size
  std::string admission = "optimistic";  // "optimistic" (may preempt) | "guaranteed" (no evict)
  std::string preemption = "recompute";  // "recompute" | "swap" | "none"
  KvPoolRule kv_pool_rule = KvPoolRule::FractionOfTotal;
  double kv_pool_fraction = 0.90;
  // FP8 GEMM kernel on Hopper/Blackwell: "per-tensor" (cuBLASLt/TRT-LLM FP8 with one
  // scale per tensor) or "block-scaled" (DeepSeek-style 1x128 / 128x128 blocks).
  std::string fp8_gemm = "per-tensor";
  // Execution costs (fixed costs, fitted efficiency, buckets, sequence parallelism).
  PlatformOverheads costs;
  // key -> where the value comes from (documented default, code path, fit, estimate).
  std::map<std::string, std::string> sources;
  std::string source;                  // the profile as a whole
};

}  // namespace tessera

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

#include "tessera/specs/deployment.h"
#include "tessera/specs/platform.h"

namespace tessera {

struct RuntimeProfile {
  std::string name;                    // catalog key: "vllm", "trtllm", "tnx", ...
  std::string display_name;
  std::vector<std::string> platforms;  // chip platforms it runs on: "nvidia", "neuron", "amd"
  std::vector<std::string> default_for;  // platforms whose default runtime this is
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
  // FP8 GEMM kernel on Hopper/Blackwell: "per-tensor" (one scale per tensor),
  // "block-scaled" (DeepSeek-style 1x128 / 128x128 blocks) or "autotuned" (the faster
  // per shape: the engine profiles its GEMM tactics). compute/fp8_kernel_choice.h.
  std::string fp8_gemm = "per-tensor";
  // Execution costs (fixed costs, fitted efficiency, buckets, sequence parallelism).
  PlatformOverheads costs;
  bool fitted = false;                 // costs come from data/calibration/runtime/NAME.yaml
  // key -> where the value comes from (documented default, code path, fit, estimate).
  std::map<std::string, std::string> sources;
  std::string source;                  // the profile as a whole
};

// Sets every serving field of `d` that is still unset ("" / 0) to the profile's value,
// and the KV pool rule, and records the runtime's name.
inline void apply_runtime_defaults(DeploymentSpec& d, const RuntimeProfile& p) {
  d.runtime = p.name;
  if (d.scheduler.empty()) d.scheduler = p.scheduler;
  if (d.max_batch == 0) d.max_batch = p.max_batch;
  if (d.max_tokens == 0) d.max_tokens = p.max_tokens;
  if (d.chunk_tokens == 0 && d.scheduler == "sarathi") d.chunk_tokens = p.chunk_tokens;
  if (d.block_tokens == 0) d.block_tokens = p.block_tokens;
  if (d.admission.empty()) d.admission = p.admission;
  if (d.memory_utilization == 0) d.memory_utilization = p.kv_pool_fraction;
  d.kv_pool_rule = p.kv_pool_rule;
}

}  // namespace tessera

// The execution costs a serving runtime adds on top of the kernels: fixed costs per
// step, per sequence, per layer, per collective and per prefill; the compiler's
// achieved tensor efficiency; element-wise fusion; compiled shape buckets (Neuron);
// sequence parallelism. One set per runtime profile (data/runtimes/, specs/runtime.h),
// never per model. The fitted parts come from `tessera calibrate --runtime NAME`
// over rows measured with that runtime only (data/calibration/runtime/NAME.yaml).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "tessera/core/units.h"

namespace tessera {

// Shapes a graph-compiling runtime (Transformers-NeuronX, NxD Inference, vLLM on
// Neuron) compiles ahead of time. A step runs the smallest compiled graph that holds
// it, so its tokens, batch and KV length are padded up to the next bucket. Empty
// vectors: the dimension is not bucketed (GPU runtimes; CUDA graphs pad the decode
// batch, which costs nothing measurable in memory-bound decode and is not modelled).
struct CompiledBuckets {
  std::vector<int64_t> context_tokens;   // context-encoding (prefill) sequence lengths, ascending
  std::vector<int64_t> decode_batch;     // token-generation batch sizes, ascending
  std::vector<int64_t> decode_kv;        // token-generation KV lengths, ascending
  [[nodiscard]] bool empty() const {
    return context_tokens.empty() && decode_batch.empty() && decode_kv.empty();
  }
  // The smallest bucket >= n; n itself past the largest bucket (the runtime would
  // refuse it; the caller checks limits), or when the dimension is not bucketed.
  [[nodiscard]] static int64_t pad(const std::vector<int64_t>& buckets, int64_t n) {
    auto it = std::lower_bound(buckets.begin(), buckets.end(), n);
    return it == buckets.end() ? n : *it;
  }
};

struct PlatformOverheads {
  std::string platform;             // the runtime profile's name ("tnx", "vllm", ...); historical field name
  Seconds per_iteration{0};         // scheduler, sampling, host->device launch per step
  Seconds per_sequence{0};          // host work per running sequence per step (sampling, detokenize)
  Seconds per_layer{0};             // per decoder layer per step (kernel launches, sync)
  Seconds per_collective{0};        // fixed cost of one collective call beyond the wire model
  Seconds per_prefill_iteration{0}; // extra fixed cost of a step that runs a prefill (context-encoding graph)
  // Achieved fraction of the matrix engine's modelled throughput for the
  // runtime's compiler-generated kernels (AWS's own roofline recipe carries the
  // same factor as "MFU", hardware.md §5d). 1 = the engine model as is.
  double tensor_efficiency = 1.0;
  // The stack fuses element-wise glue into neighbouring kernels (TensorRT-LLM:
  // residual add + RMSNorm in one kernel, RoPE and the KV-cache write inside the
  // attention kernel, SiLU x up in the GEMM epilogue / FP8 quantization).
  bool fused_elementwise = false;
  // Element-wise ops (norms, residual adds) run sequence-parallel across the TP group
  // in prefill: each rank touches tokens / tp of them (NxD Inference
  // `sequence_parallel_enabled`).
  bool sequence_parallel = false;
  CompiledBuckets buckets;
  std::string source;               // how the values were produced
};

}  // namespace tessera

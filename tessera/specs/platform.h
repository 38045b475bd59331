// Software-stack fixed costs that dominate small batches: one set per platform
// (the Neuron runtime; a TensorRT-LLM-class GPU stack), never per model. Fitted
// to published end-to-end rows by `tessera calibrate` (data/calibration/platform/).
#pragma once

#include <string>

#include "tessera/core/units.h"

namespace tessera {

struct PlatformOverheads {
  std::string platform;             // "neuron" | "nvidia"
  Seconds per_iteration{0};         // scheduler, sampling, host->device launch per step
  Seconds per_layer{0};             // per decoder layer per step (kernel launches, sync)
  Seconds per_collective{0};        // fixed cost of one collective call beyond the wire model
  Seconds per_prefill_iteration{0}; // extra fixed cost of a step that runs a prefill (context-encoding graph)
  // Achieved fraction of the matrix engine's modelled throughput for the
  // platform's compiler-generated kernels (AWS's own roofline recipe carries the
  // same factor as "MFU", hardware.md §5d). 1 = the engine model as is.
  double tensor_efficiency = 1.0;
  // The stack fuses element-wise glue into neighbouring kernels (TensorRT-LLM:
  // residual add + RMSNorm in one kernel, RoPE and the KV-cache write inside the
  // attention kernel, SiLU x up in the GEMM epilogue / FP8 quantization).
  bool fused_elementwise = false;
  std::string source;               // how the values were produced
};

}  // namespace tessera

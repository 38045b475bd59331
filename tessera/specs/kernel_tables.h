// Measured per-kernel latencies of one NVIDIA chip: the committed subsets of NVIDIA
// AIConfigurator's TensorRT-LLM tables (data/calibration/nvidia/subsets/<system>/), read by
// specs/io/kernel_table_io and interpolated by compute/measured_model (`--fidelity measured`).
// Plain rows; the interpolation grids are built in compute/.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tessera/core/units.h"
#include "tessera/specs/dtype.h"

namespace tessera {

// One TensorRT-LLM Linear call Y[m,n] = X[m,k] W[k,n], activations and weights both `dtype`.
struct GemmTableRow {
  DType dtype = DType::BF16;
  int64_t m = 0, n = 0, k = 0;
  Seconds latency{0};
};

// One causal prefill attention call: `batch` prompts of `isl` tokens each, no cached prefix.
struct PrefillTableRow {
  int heads = 0, kv_heads = 0, head_dim = 0;  // per GPU
  DType compute_dtype = DType::BF16;          // FMHA dtype (table `attn_dtype`)
  DType kv_dtype = DType::BF16;
  int64_t batch = 0, isl = 0;
  Seconds latency{0};
};

// One decode attention call: `batch` sequences, one new token each, against `kv_len` cached
// tokens including the new one (table `step` + 1).
struct DecodeTableRow {
  int heads = 0, kv_heads = 0, head_dim = 0;
  DType kv_dtype = DType::BF16;
  int64_t batch = 0, kv_len = 0;
  Seconds latency{0};
};

struct NvidiaKernelTables {
  std::string chip;    // catalog chip name the tables belong to
  std::string source;  // directory the rows were read from
  std::vector<GemmTableRow> gemm;
  std::vector<PrefillTableRow> prefill;
  std::vector<DecodeTableRow> decode;
};

}  // namespace tessera

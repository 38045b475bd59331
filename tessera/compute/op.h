// Operators as compute/ sees them: shapes and dtypes of work on ONE rank
// (a GPU, or a logical NeuronCore). plan/ produces these; a DeviceModel costs them.
#pragma once

#include <cstdint>

#include "tessera/core/units.h"
#include "tessera/specs/dtype.h"

namespace tessera {

// Y[m,n] = X[m,k] . W[k,n], repeated `count` times with distinct weights
// (e.g. several experts); weights are read from HBM once per call.
struct GemmOp {
  int64_t m = 0;
  int64_t n = 0;
  int64_t k = 0;
  int64_t count = 1;
  DType act_dtype = DType::BF16;     // X and Y
  DType weight_dtype = DType::BF16;  // W as stored
};

// Scaled dot-product attention over a batch of sequences on this rank's heads.
// `pairs` counts query-key score pairs summed over sequences (causal masking
// already applied): a prefill of s tokens with no cache has s(s+1)/2 pairs, a
// decode step against a KV length L has L pairs.
struct AttentionOp {
  bool decode = false;
  int64_t seqs = 0;
  int64_t q_tokens = 0;     // query tokens summed over sequences
  int64_t kv_tokens = 0;    // KV entries read from HBM, summed over sequences
  double pairs = 0;
  int heads = 0;            // query heads on this rank
  int kv_heads = 0;         // KV heads on this rank
  int head_dim_qk = 128;
  int head_dim_v = 128;
  int64_t kv_bytes_per_token = 0;  // per KV entry on this rank (all its kv heads, K and V)
  DType compute_dtype = DType::BF16;
  DType kv_dtype = DType::BF16;
};

// Which engine an element-wise op runs on (NeuronCore: VectorE for arithmetic and
// reductions, ScalarE for transcendental activations; GPU: CUDA cores for both).
enum class ElementwiseEngine { Vector, Scalar };

// Norms, activations, residual adds, rotary embedding, softmax-free glue.
struct ElementwiseOp {
  int64_t elements = 0;
  double flops_per_element = 1;
  Bytes bytes{0};                 // HBM bytes read + written (0 when fused in SBUF/registers)
  ElementwiseEngine engine = ElementwiseEngine::Vector;
  DType dtype = DType::BF16;
};

// The cost of one operator: time and the resources behind it.
struct OpCost {
  Seconds time{0};          // wall time of the op (critical path)
  Seconds compute{0};       // time the compute engine alone would need
  Seconds memory{0};        // time HBM traffic alone would need
  Seconds overhead{0};      // fixed per-op/instruction/DMA costs included in `time`
  Flops flops{0};
  Bytes hbm_bytes{0};
};

}  // namespace tessera

// The shape of one serving iteration as the scheduler builds it: which prefill
// chunks and which decode steps run together. plan/ turns it into a time.
#pragma once

#include <cstdint>

#include "tessera/core/units.h"

namespace tessera {

struct BatchShape {
  int32_t prefill_seqs = 0;      // sequences with a prefill chunk in this iteration
  int64_t prefill_tokens = 0;    // new prompt tokens processed, summed
  int64_t prefill_context = 0;   // already-cached tokens those chunks attend to, summed
  double prefill_pairs = 0;      // causal query-key pairs of the chunks, summed
  int32_t decode_seqs = 0;       // sequences producing one token each
  int64_t decode_kv_tokens = 0;  // KV entries the decode steps read, summed

  [[nodiscard]] int64_t tokens() const { return prefill_tokens + decode_seqs; }
  [[nodiscard]] bool empty() const { return prefill_tokens == 0 && decode_seqs == 0; }
};

// Pairs for a causal chunk of `chunk` new tokens after `context` cached ones:
// token i (0-based) attends to context + i + 1 keys.
inline double causal_pairs(int64_t context, int64_t chunk) {
  const double c = static_cast<double>(chunk);
  return c * static_cast<double>(context) + c * (c + 1.0) / 2.0;
}

// Where one iteration's time goes. The parts sum to `total`
// (overlap, where modelled, is already removed from the part it hides).
struct IterationCost {
  Seconds total{0};
  Seconds weight_read{0};      // GEMMs whose time is set by reading weights (memory-bound)
  Seconds gemm_compute{0};     // GEMMs whose time is set by the tensor engine
  Seconds kv_read{0};          // attention bound by reading the KV cache
  Seconds attention_compute{0};// attention bound by compute
  Seconds elementwise{0};      // norms, activations, rotary, residuals, embedding, sampling
  Seconds collective{0};       // TP all-reduce, PP send/recv, EP all-to-all
  Seconds overhead{0};         // framework per-iteration and per-layer fixed costs
  Flops flops{0};              // per replica
  Bytes hbm_bytes{0};          // per replica
};

// What the serving simulator needs from plan/: a time for a batch, and the KV
// budget. Implemented by plan::IterationModel; tests may substitute a fake.
class IterationCoster {
 public:
  virtual ~IterationCoster() = default;
  virtual IterationCost cost(const BatchShape& batch) = 0;
  // KV cache capacity of one replica, in blocks of block_tokens() tokens.
  virtual int64_t kv_blocks() const = 0;
  virtual int block_tokens() const = 0;
};

}  // namespace tessera

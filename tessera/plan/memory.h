// Per-rank memory budget: weights + activations + workspace + reserve, and the
// KV cache capacity what is left leaves for the scheduler.
#pragma once

#include <cstdint>
#include <string>

#include "tessera/core/status.h"
#include "tessera/core/units.h"
#include "tessera/plan/placement.h"

namespace tessera {

struct MemoryPlan {
  Bytes capacity{0};          // HBM of one rank (its share of the chip)
  Bytes reserve{0};           // (1 - memory_utilization) x capacity: runtime, fragmentation
  Bytes weights{0};           // the largest pipeline stage's weights on one rank
  Bytes activations{0};       // peak live activations of one iteration at max_tokens
  Bytes workspace{0};         // logits, collective buffers, GEMM workspace
  Bytes kv_cache{0};          // what remains for the KV cache
  Bytes kv_bytes_per_token{0};  // per rank, over the layers of its stage
  int64_t kv_blocks = 0;      // per replica, blocks of block_tokens
  int64_t kv_tokens = 0;      // kv_blocks * block_tokens
};

// Fails with infeasible (exit 3) when weights + activations + workspace exceed
// the usable memory of a rank, naming needed vs available bytes.
Result<MemoryPlan> plan_memory(const ModelSpec& model, const SystemSpec& system, const DeploymentSpec& dep,
                               const Placement& placement);

std::string format_bytes(Bytes b);  // "12.3 GiB"

}  // namespace tessera

// First collective model: ring algorithms with an alpha-beta cost inside one
// system (Hockney model, as in NCCL's ring: 2(n-1) steps for all-reduce).
// The topology-aware models (torus, switch, hierarchical) replace it per fabric.
#pragma once

#include "tessera/network/collective.h"

namespace tessera {

struct RingParams {
  Seconds step_latency{0};          // alpha: per ring step (link hop + sync)
  BytesPerSecond chip_bandwidth{0}; // beta^-1: one chip's send bandwidth on the ring
  double bandwidth_efficiency = 1.0;
};

class RingModel final : public CollectiveModel {
 public:
  explicit RingModel(RingParams params) : p_(params) {}
  CollectiveCost cost(CollectiveKind kind, Bytes bytes, const CollectiveGroup& group) const override;

 private:
  RingParams p_;
};

// Ring parameters for a system from its catalog entry: per-chip send bandwidth is
// the bandwidth of the links a ring uses out of each chip.
RingParams ring_params_for(const SystemSpec& system);

}  // namespace tessera

// Collective communication cost on a system's fabric.
#pragma once

#include <memory>
#include <string>

#include "tessera/core/units.h"
#include "tessera/specs/hardware.h"

namespace tessera {

enum class CollectiveKind { AllReduce, AllGather, ReduceScatter, AllToAll, SendRecv };

std::string_view collective_name(CollectiveKind k);

struct CollectiveCost {
  Seconds time{0};
  Seconds latency_part{0};    // fixed per-step/per-hop part of `time`
  std::string algorithm;      // "ring", "direct", ...
};

// A group of `ranks` ranks placed on consecutive chips of one system, with
// `ranks_per_chip` ranks sharing each chip (Neuron: NeuronCores of one chip).
struct CollectiveGroup {
  int ranks = 1;
  int ranks_per_chip = 1;
};

class CollectiveModel {
 public:
  virtual ~CollectiveModel() = default;
  // `bytes` is the per-rank buffer size as nccl-tests counts it (all-reduce:
  // the buffer each rank contributes and receives).
  virtual CollectiveCost cost(CollectiveKind kind, Bytes bytes, const CollectiveGroup& group) const = 0;
};

}  // namespace tessera

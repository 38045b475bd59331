// Collective communication cost on a system's fabric.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "tessera/core/status.h"
#include "tessera/core/units.h"
#include "tessera/specs/hardware.h"

namespace tessera {

enum class CollectiveKind { AllReduce, AllGather, ReduceScatter, AllToAll, SendRecv };

std::string_view collective_name(CollectiveKind k);
// "all-reduce", "allreduce", "all_reduce" all name AllReduce.
std::optional<CollectiveKind> collective_from_name(std::string_view name);
const std::vector<std::string>& collective_names();

// How a collective moves data (docs/models/network.md has the equations).
enum class CollectiveAlgorithm {
  Auto,             // the runtime's choice: the fastest algorithm it implements for this size and group
  Ring,             // (bidirectional) ring over all ranks; all-to-all: pairwise shifts
  Tree,             // NCCL double binary tree at the outermost level (all-reduce)
  Direct,           // every rank to every rank in one step (switch or mesh; link sharing on a torus)
  HalvingDoubling,  // recursive halving (reduce-scatter) and doubling (all-gather), power-of-two ranks
  Hierarchical,     // inside the chip, then along each fabric dimension/tier, then across systems
  Nvls,             // in-switch reduction (NVLink SHARP): each rank sends and receives the buffer once
  P2p,              // point-to-point send/recv
};

std::string_view algorithm_name(CollectiveAlgorithm a);
std::optional<CollectiveAlgorithm> algorithm_from_name(std::string_view name);
const std::vector<std::string>& algorithm_names();

struct CollectiveCost {
  Seconds time{0};
  Seconds latency_part{0};    // fixed per-call and per-step/per-hop part of `time`
  std::string algorithm;      // "ring", "direct", ...
  std::string protocol;       // the runtime protocol that was fastest ("simple", "ll128", ...)
};

// A group of `ranks` ranks placed on consecutive chips (then consecutive systems),
// with `ranks_per_chip` ranks sharing each chip (Neuron: logical NeuronCores of one chip).
struct CollectiveGroup {
  int ranks = 1;
  int ranks_per_chip = 1;
};

class CollectiveModel {
 public:
  virtual ~CollectiveModel() = default;
  // `bytes` is the per-rank buffer size as nccl-tests counts it (all-reduce: the buffer
  // each rank contributes and receives; all-gather/reduce-scatter: the whole gathered
  // buffer; all-to-all: each rank's send buffer).
  virtual CollectiveCost cost(CollectiveKind kind, Bytes bytes, const CollectiveGroup& group) const = 0;
  // With a forced algorithm; bad input when it does not apply (e.g. nvls without a switch).
  virtual Result<CollectiveCost> cost_with(CollectiveKind kind, Bytes bytes, const CollectiveGroup& group,
                                           CollectiveAlgorithm algo) const {
    if (algo == CollectiveAlgorithm::Auto) return cost(kind, bytes, group);
    return bad_input(fmt::format("--algo: '{}' is not modelled by this collective model", algorithm_name(algo)));
  }
};

// nccl-tests bus-bandwidth factor: busbw = algbw x factor (all-reduce 2(n-1)/n;
// all-gather, reduce-scatter, all-to-all (n-1)/n; send/recv 1).
double busbw_factor(CollectiveKind kind, int ranks);

}  // namespace tessera

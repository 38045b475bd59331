// Collective algorithms as sequences of communication phases on a Fabric. A phase
// is `steps` repetitions of one traffic pattern; its cost per step is the slowest
// path's latency plus the busiest link's bytes over its bandwidth. Bytes are stored
// per byte of the collective's buffer, so one phase list prices every size.
#pragma once

#include <string>
#include <vector>

#include "tessera/network/collective.h"
#include "tessera/network/fabric.h"

namespace tessera {

struct Phase {
  int steps = 1;
  int fabric_hops = 0;           // longest path, in fabric hops, of one step
  bool scaleout = false;         // a step crosses systems
  bool onchip = false;           // a step exchanges between ranks of one chip
  double seconds_per_byte = 0;   // busiest link of one step: (bytes on it / buffer bytes) / bandwidth
};

// One rank-to-rank flow of `fraction` x buffer bytes.
struct Flow {
  int src = 0;
  int dst = 0;
  double fraction = 0;
};

// Places ranks on chips and prices traffic patterns on a fabric.
class PhaseBuilder {
 public:
  // Rank i lives on chip chip_order[i / ranks_per_chip].
  PhaseBuilder(const Fabric& fabric, std::vector<int> chip_order, int ranks_per_chip);
  Phase price(const std::vector<Flow>& flows, int steps) const;
  // Chip-level flows (src/dst are chip ids).
  Phase price_chips(const std::vector<Flow>& flows, int steps) const;
  int chip_of(int rank) const { return order_[rank / rpc_]; }

 private:
  const Fabric& fabric_;
  std::vector<int> order_;
  int rpc_;
};

// The phases of `algo` for `kind` on `ranks` ranks, ranks_per_chip per chip;
// empty when the algorithm does not apply (reason in *why). `direct_on_switches`:
// hierarchical levels behind a switch exchange directly (else by ring).
std::vector<Phase> build_phases(const Fabric& fabric, CollectiveKind kind, CollectiveAlgorithm algo, int ranks,
                                int ranks_per_chip, bool direct_on_switches, std::string* why);

}  // namespace tessera

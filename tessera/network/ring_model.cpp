#include "tessera/network/ring_model.h"

#include <algorithm>

namespace tessera {

CollectiveCost RingModel::cost(CollectiveKind kind, Bytes bytes, const CollectiveGroup& g) const {
  CollectiveCost c;
  c.algorithm = "ring";
  const int n = g.ranks;
  if (n <= 1 || bytes.value() <= 0) return c;
  // Ranks on one chip share its links; a ring step moves bytes/n per rank.
  const BytesPerSecond bw = p_.chip_bandwidth * (p_.bandwidth_efficiency / std::max(1, g.ranks_per_chip));
  const double chunk = bytes.value() / n;
  int steps = 0;
  double per_step_bytes = chunk;
  switch (kind) {
    case CollectiveKind::AllReduce: steps = 2 * (n - 1); break;
    case CollectiveKind::AllGather:
    case CollectiveKind::ReduceScatter: steps = n - 1; break;
    case CollectiveKind::AllToAll: steps = n - 1; break;  // pairwise exchange, one peer per step
    case CollectiveKind::SendRecv: steps = 1; per_step_bytes = bytes.value(); c.algorithm = "p2p"; break;
  }
  c.latency_part = p_.step_latency * steps;
  c.time = c.latency_part + Bytes(per_step_bytes * steps) / bw;
  return c;
}

RingParams ring_params_for(const SystemSpec& system) {
  RingParams p;
  p.step_latency = system.link_latency;
  // A bidirectional ring drives two links out of each chip (one per neighbour).
  const int ring_links = std::min(2, std::max(1, system.chip.links));
  p.chip_bandwidth = system.link_bandwidth * ring_links;
  if (system.topology == TopologyKind::Switch || system.topology == TopologyKind::TwoLevelSwitch) {
    // Through a switch the catalog gives the GPU's whole NVLink/NeuronSwitch
    // bandwidth per direction; every link carries ring traffic.
    p.chip_bandwidth = system.link_bandwidth;
  }
  return p;
}

}  // namespace tessera

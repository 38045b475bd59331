// The topology-aware collective model: algorithms (ring, tree, direct, recursive
// halving-doubling, hierarchical, in-switch reduction) priced as phases on the
// system's link graph, with the runtime's protocols (data/fabrics/*.yaml). The
// automatic choice is the fastest algorithm and protocol the runtime implements,
// which is how NCCL's tuner picks (predicted time per algorithm and protocol,
// minimum wins). docs/models/network.md has the equations.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <tuple>
#include <vector>

#include "tessera/network/collective.h"
#include "tessera/network/fabric.h"
#include "tessera/network/phases.h"

namespace tessera {

class TopologyCollectiveModel final : public CollectiveModel {
 public:
  explicit TopologyCollectiveModel(SystemSpec system);

  CollectiveCost cost(CollectiveKind kind, Bytes bytes, const CollectiveGroup& group) const override;
  Result<CollectiveCost> cost_with(CollectiveKind kind, Bytes bytes, const CollectiveGroup& group,
                                   CollectiveAlgorithm algo) const override;

  // Bad input when the group cannot be placed: more systems than one and no
  // scale-out figure, or fewer than one rank.
  Status check(const CollectiveGroup& group) const;
  int systems_for(const CollectiveGroup& group) const;
  // The algorithms the automatic choice considers for this collective.
  std::vector<CollectiveAlgorithm> candidates(CollectiveKind kind) const;
  const SystemSpec& system() const { return system_; }

 private:
  using Key = std::tuple<int, int, int, int>;  // kind, algorithm, ranks, ranks per chip
  const std::vector<Phase>* phases(CollectiveKind kind, CollectiveAlgorithm algo, const CollectiveGroup& g,
                                   std::string* why) const;
  std::optional<CollectiveCost> price(CollectiveKind kind, CollectiveAlgorithm algo, Bytes bytes,
                                      const CollectiveGroup& g, std::string* why) const;
  Seconds step_latency(const CollectiveProtocol& p, const Phase& ph) const;

  SystemSpec system_;
  std::vector<CollectiveProtocol> protocols_;
  bool direct_on_switches_ = true;
  mutable std::mutex mu_;
  mutable std::map<int, std::unique_ptr<Fabric>> fabrics_;
  mutable std::map<Key, std::pair<std::vector<Phase>, std::string>> cache_;
};

// The collective model for a system (what simulate and `tessera collective` use).
std::shared_ptr<const TopologyCollectiveModel> make_collective_model(const SystemSpec& system);

}  // namespace tessera

#include "tessera/network/topology_model.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tessera {

TopologyCollectiveModel::TopologyCollectiveModel(SystemSpec system) : system_(std::move(system)) {
  const CollectiveRuntimeSpec& rt = system_.collective_runtime;
  protocols_ = rt.protocols;
  if (protocols_.empty()) protocols_.push_back({"default", Seconds(0), std::nullopt, 1.0});
  // A protocol without its own step latency takes the catalog's per-hop latency.
  for (auto& p : protocols_)
    if (!p.step_latency) p.step_latency = system_.link_latency;
  direct_on_switches_ = rt.algorithms.empty() ||
                        std::find(rt.algorithms.begin(), rt.algorithms.end(), "direct") != rt.algorithms.end();
}

int TopologyCollectiveModel::systems_for(const CollectiveGroup& g) const {
  const int rpc = std::max(1, g.ranks_per_chip);
  const int chips = (std::max(1, g.ranks) + rpc - 1) / rpc;
  return (chips + system_.chips - 1) / std::max(1, system_.chips);
}

Status TopologyCollectiveModel::check(const CollectiveGroup& g) const {
  if (g.ranks < 1) return bad_input(fmt::format("--ranks: '{}' must be >= 1", g.ranks));
  if (g.ranks_per_chip < 1) return bad_input(fmt::format("--ranks-per-chip: '{}' must be >= 1", g.ranks_per_chip));
  const int m = systems_for(g);
  if (m > 1 && !(system_.scaleout_bandwidth.value() > 0))
    return bad_input(fmt::format("--ranks: '{}' ranks ({} per chip) need {} {} systems, but '{}' has no scale-out "
                                 "(EFA/IB) bandwidth figure (scaleout_bandwidth: unknown)",
                                 g.ranks, g.ranks_per_chip, m, system_.name, system_.name));
  return {};
}

std::vector<CollectiveAlgorithm> TopologyCollectiveModel::candidates(CollectiveKind kind) const {
  // Both runtimes run all-to-all as concurrent point-to-point transfers, and send/recv is one.
  if (kind == CollectiveKind::AllToAll) return {CollectiveAlgorithm::Direct};
  if (kind == CollectiveKind::SendRecv) return {CollectiveAlgorithm::P2p};
  std::vector<CollectiveAlgorithm> out;
  const auto& listed = system_.collective_runtime.algorithms;
  if (listed.empty()) {
    out = {CollectiveAlgorithm::Ring, CollectiveAlgorithm::Tree, CollectiveAlgorithm::Direct,
           CollectiveAlgorithm::HalvingDoubling, CollectiveAlgorithm::Hierarchical, CollectiveAlgorithm::Nvls};
  } else {
    for (const auto& name : listed)
      if (auto a = algorithm_from_name(name)) out.push_back(*a);
  }
  return out;
}

const std::vector<Phase>* TopologyCollectiveModel::phases(CollectiveKind kind, CollectiveAlgorithm algo,
                                                          const CollectiveGroup& g, std::string* why) const {
  const Key key{static_cast<int>(kind), static_cast<int>(algo), g.ranks, g.ranks_per_chip};
  std::lock_guard lock(mu_);
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    const int m = systems_for(g);
    auto& fab = fabrics_[m];
    if (!fab) fab = std::make_unique<Fabric>(system_, m);
    std::string reason;
    auto ph = build_phases(*fab, kind, algo, g.ranks, g.ranks_per_chip, direct_on_switches_, &reason);
    it = cache_.emplace(key, std::make_pair(std::move(ph), std::move(reason))).first;
  }
  if (it->second.first.empty()) {
    if (why) *why = it->second.second;
    return nullptr;
  }
  return &it->second.first;
}

Seconds TopologyCollectiveModel::step_latency(const CollectiveProtocol& p, const Phase& ph) const {
  const Seconds links = *p.step_latency * ph.fabric_hops + (ph.scaleout ? system_.scaleout_latency : Seconds(0));
  const Seconds chip = ph.onchip ? system_.collective_runtime.onchip_latency : Seconds(0);
  return max(links, chip);
}

std::optional<CollectiveCost> TopologyCollectiveModel::price(CollectiveKind kind, CollectiveAlgorithm algo,
                                                             Bytes bytes, const CollectiveGroup& g,
                                                             std::string* why) const {
  const double b = bytes.value();
  if (algo == CollectiveAlgorithm::Nvls) {
    // In-switch reduction: every GPU sends its buffer up once and receives the
    // reduced buffer once (two switch traversals); only on one single-level switch.
    const auto& sr = system_.collective_runtime.switch_reduction;
    if (kind != CollectiveKind::AllReduce || system_.topology != TopologyKind::Switch || !sr ||
        systems_for(g) > 1 || g.ranks_per_chip != 1) {
      if (why) *why = "nvls needs an all-reduce on one NVSwitch domain with in-switch reduction, one rank per GPU";
      return std::nullopt;
    }
    CollectiveCost c;
    const Seconds step = sr->step_latency.value_or(system_.link_latency);
    c.latency_part = sr->base_latency + step * 2.0;
    c.time = c.latency_part + Seconds(b / (system_.link_bandwidth.value() * sr->efficiency));
    c.algorithm = "nvls";
    c.protocol = sr->name;
    return c;
  }
  const auto* ph = phases(kind, algo, g, why);
  if (!ph) return std::nullopt;
  std::optional<CollectiveCost> best;
  for (const CollectiveProtocol& p : protocols_) {
    CollectiveCost c;
    c.latency_part = p.base_latency;
    double wire = 0;
    for (const Phase& x : *ph) {
      c.latency_part += step_latency(p, x) * x.steps;
      wire += x.steps * x.seconds_per_byte * b / p.efficiency;
    }
    c.time = c.latency_part + Seconds(wire);
    c.algorithm = std::string(algorithm_name(algo));
    c.protocol = p.name;
    if (!best || c.time < best->time) best = c;
  }
  return best;
}

CollectiveCost TopologyCollectiveModel::cost(CollectiveKind kind, Bytes bytes, const CollectiveGroup& g) const {
  if (g.ranks <= 1 || bytes.value() <= 0) return {Seconds(0), Seconds(0), "none", ""};
  if (!check(g)) {
    const double inf = std::numeric_limits<double>::infinity();
    return {Seconds(inf), Seconds(inf), "unreachable", ""};
  }
  std::optional<CollectiveCost> best;
  for (CollectiveAlgorithm a : candidates(kind)) {
    auto c = price(kind, a, bytes, g, nullptr);
    if (c && (!best || c->time < best->time)) best = c;
  }
  if (!best) best = price(kind, CollectiveAlgorithm::Ring, bytes, g, nullptr);  // every fabric has a ring
  return best.value_or(CollectiveCost{});
}

Result<CollectiveCost> TopologyCollectiveModel::cost_with(CollectiveKind kind, Bytes bytes,
                                                          const CollectiveGroup& g, CollectiveAlgorithm algo) const {
  TESSERA_TRY(check(g));
  if (algo == CollectiveAlgorithm::Auto) return cost(kind, bytes, g);
  if (g.ranks <= 1 || bytes.value() <= 0) return CollectiveCost{Seconds(0), Seconds(0), std::string(algorithm_name(algo)), ""};
  std::string why;
  auto c = price(kind, algo, bytes, g, &why);
  if (!c) return bad_input(fmt::format("--algo: '{}' does not apply here: {}", algorithm_name(algo), why));
  return *c;
}

std::shared_ptr<const TopologyCollectiveModel> make_collective_model(const SystemSpec& system) {
  return std::make_shared<const TopologyCollectiveModel>(system);
}

}  // namespace tessera

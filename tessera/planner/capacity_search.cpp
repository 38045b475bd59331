#include "tessera/planner/capacity_search.h"

#include <fmt/format.h>

#include <algorithm>

#include "tessera/planner/catalog_cache.h"

namespace tessera {

namespace {

// Ranks (TP units) one system offers: NeuronCores / LNC on Neuron, GPUs on NVIDIA.
int ranks_per_system(const SystemSpec& s) {
  if (!s.chip.neuron_core) return s.chips;
  const int lnc = std::max(1, s.default_lnc);
  return s.chips * std::max(1, s.chip.cores / lnc);
}

std::vector<int> default_tp(int ranks) {
  std::vector<int> out;
  for (int t = 1; t <= ranks; t *= 2) out.push_back(t);
  return out;
}

}  // namespace

Result<std::vector<SimulationRequest>> enumerate_deployments(const SimulationRequest& base, const SearchSpace& space) {
  auto catalog = request_catalog(base);
  if (!catalog) return catalog.error();
  const std::vector<std::string> hardware = space.hardware.empty() ? (*catalog)->index().system_names() : space.hardware;
  std::vector<SimulationRequest> out;
  for (const std::string& hw : hardware) {
    auto sys = (*catalog)->system(hw);
    if (!sys) return bad_input("--hardware: " + sys.error().message);
    const int ranks = ranks_per_system(**sys);
    for (int tp : space.tp.empty() ? default_tp(ranks) : space.tp) {
      for (int pp : space.pp) {
        if (tp * pp > ranks) continue;
        for (const std::string& sched : space.schedulers) {
          for (int mb : space.max_batch) {
            SimulationRequest r = base;
            r.hardware = hw;
            r.deployment.tp = tp;
            r.deployment.pp = pp;
            r.deployment.dp = std::max(1, ranks / (tp * pp));  // fill the system with replicas
            r.deployment.scheduler = sched;
            r.deployment.max_batch = mb;
            out.push_back(std::move(r));
          }
        }
      }
    }
  }
  return out;
}

std::optional<double> cost_per_million(const CapacityResult& r) {
  if (!r.feasible) return std::nullopt;
  return r.at_max.cost_usd_per_million_output_tokens;
}

double tokens_per_s_per_chip(const CapacityResult& r) {
  return r.at_max.chips > 0 ? r.at_max.output_tokens_per_s / r.at_max.chips : 0.0;
}

std::vector<size_t> rank_by_cost(const std::vector<CapacityResult>& results) {
  std::vector<size_t> idx;
  for (size_t i = 0; i < results.size(); ++i)
    if (results[i].feasible) idx.push_back(i);
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
    const auto ca = cost_per_million(results[a]), cb = cost_per_million(results[b]);
    if (ca.has_value() != cb.has_value()) return ca.has_value();
    if (ca && *ca != *cb) return *ca < *cb;
    return tokens_per_s_per_chip(results[a]) > tokens_per_s_per_chip(results[b]);
  });
  return idx;
}

std::vector<size_t> pareto_front(const std::vector<CapacityResult>& results) {
  std::vector<size_t> priced;
  for (size_t i : rank_by_cost(results))
    if (cost_per_million(results[i])) priced.push_back(i);
  // By increasing cost (then latency): a point is on the front when its latency is
  // below every cheaper point's.
  std::stable_sort(priced.begin(), priced.end(), [&](size_t a, size_t b) {
    const double ca = *cost_per_million(results[a]), cb = *cost_per_million(results[b]);
    if (ca != cb) return ca < cb;
    return results[a].at_max.e2e.p99 < results[b].at_max.e2e.p99;
  });
  std::vector<size_t> front;
  double best_latency = 0;
  for (size_t i : priced) {
    const double lat = results[i].at_max.e2e.p99;
    if (front.empty() || lat < best_latency) {
      front.push_back(i);
      best_latency = lat;
    }
  }
  return front;
}

std::string describe(const SimulationRequest& r) {
  const DeploymentSpec& d = r.deployment;
  return fmt::format("{} tp={} pp={} dp={} {} max-batch={}", r.hardware, d.tp, d.pp, d.dp, d.scheduler, d.max_batch);
}

}  // namespace tessera

// The grid `tessera plan` searches: hardware x TP x PP x scheduler x batch cap, each
// deployment filling whole systems with independent replicas (dp), and the
// rankings of the results: cheapest first, and the Pareto front of cost per
// million output tokens against p99 end-to-end latency.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tessera/core/status.h"
#include "tessera/planner/capacity.h"

namespace tessera {

struct SearchSpace {
  std::vector<std::string> hardware;          // catalog names or paths; empty = every catalog system
  std::vector<int> tp;                        // empty = powers of two up to one system's ranks
  std::vector<int> pp = {1, 2};
  std::vector<std::string> schedulers = {"vllm", "sarathi"};
  std::vector<int> max_batch = {64, 256};
};

// Deployments of `base` (model, workload, dtypes, power/cost options) over the space.
// Grid points whose TP x PP does not fit one system are left out; the rest are
// checked for memory by the search itself.
Result<std::vector<SimulationRequest>> enumerate_deployments(const SimulationRequest& base, const SearchSpace& space);

// Sort keys. Unknown cost sorts after every known cost.
std::optional<double> cost_per_million(const CapacityResult& r);
double tokens_per_s_per_chip(const CapacityResult& r);

// Indices of feasible results, cheapest first (cost per million output tokens;
// ties and unknown costs by output tokens per second per chip, then grid order).
std::vector<size_t> rank_by_cost(const std::vector<CapacityResult>& results);

// Indices of the feasible, priced results not dominated in (cost per million output
// tokens, p99 e2e latency), by increasing cost.
std::vector<size_t> pareto_front(const std::vector<CapacityResult>& results);

// "p5.48xlarge tp=8 pp=1 dp=1 vllm max-batch=256"
std::string describe(const SimulationRequest& r);

}  // namespace tessera

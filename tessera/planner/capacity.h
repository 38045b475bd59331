// SLO-bound capacity: the maximum load a deployment sustains while its p99 TTFT
// and p99 TPOT stay within the SLO, found by bisection on the workload's rate
// (poisson `rate=`, or trace `rate-scale=`) with run_simulation. Each probe is
// limited to `probe_requests` requests (poisson `n=`, trace `limit=`) so that a
// search over hundreds of deployments stays fast; longer probes tighten the answer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/status.h"
#include "tessera/planner/simulation.h"

namespace tessera {

struct CapacityOptions {
  SloTargets slo;                // at least one target must be set
  int64_t probe_requests = 400;  // requests per probe
  double tolerance = 0.05;       // bisection stops when hi / lo - 1 <= tolerance
  int max_doublings = 14;        // the load range searched is base x 2^[-14, 14]
};

struct CapacityResult {
  SimulationRequest request;     // the deployment; workload at the sustainable load
  std::string base_workload;     // the workload as given (load scale 1)
  bool feasible = false;         // the SLO is met at some load
  std::string reason;            // why not, when infeasible
  double load_scale = 0;         // sustainable load / the workload's own load
  double requests_per_s = 0;     // offered load at that scale
  Summary at_max;                // the run at the sustainable load
  int chips_per_replica = 0, replicas = 0, systems = 0, system_chips = 0;
  std::vector<Assumption> assumptions;
  std::vector<std::string> warnings;
  int probes = 0;
};

// The workload SPEC with `key=value` set (replaced or appended). For a trace the
// first item (the path) is kept as is.
std::string with_workload_key(const std::string& spec, std::string_view key, const std::string& value);

// The workload at `scale` times its own load, limited to `requests` requests.
// Errors for workloads without a rate (batch, closed loop).
Result<std::string> scaled_workload(const std::string& spec, double scale, int64_t requests);

// True when the run meets every SLO target and served every request.
bool meets_slo(const Summary& s, const SloTargets& slo);

// Bisection for one deployment. Replicas are independent and identical: the probes
// run one replica at 1/dp of the load, and the result is scaled to all dp replicas. A deployment that does not fit, or that misses the
// SLO even at the lowest load, is returned with feasible = false and its reason;
// bad input (a wrong workload or model name) is an error.
Result<CapacityResult> max_sustainable_load(const SimulationRequest& base, const CapacityOptions& options);

// Runs max_sustainable_load for every request on `threads` threads (each run is
// independent). Results are in the order of `requests`; the first bad-input error
// stops the search and is returned.
Result<std::vector<CapacityResult>> search_capacity(const std::vector<SimulationRequest>& requests,
                                                    const CapacityOptions& options, int threads);

// The deployment of a feasible result at `fraction` of its sustainable load (the
// operating point with headroom 1 - fraction): one more single-replica run, scaled.
// `feasible` says whether that run meets the SLO.
Result<CapacityResult> run_at_fraction(const CapacityResult& r, double fraction, const CapacityOptions& options);

}  // namespace tessera

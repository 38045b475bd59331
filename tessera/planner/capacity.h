// SLO-bound capacity: the maximum steady load a deployment sustains while its p99
// TTFT and p99 TPOT stay within the SLO, found by bisection on the workload's rate
// (poisson `rate=`, or trace `rate-scale=`). A probe passes when its backlog is
// stable (steady_state.h: not growing over the probe's second half) and the requests
// of that second half meet the SLO. Probes are long enough to reach steady state:
// at least `probe_requests` requests and an arrival span of `probe_e2e_multiple` mean
// end-to-end latencies (the probe is lengthened until it is). The load found is then
// confirmed with a probe `confirm_factor` times longer, stepping down until that
// one passes too, so the answer stays put when the probe is longer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/status.h"
#include "tessera/planner/simulation.h"
#include "tessera/planner/steady_state.h"

namespace tessera {

struct CapacityOptions {
  SloTargets slo;                    // at least one target must be set
  int64_t probe_requests = 400;      // minimum requests per probe (one replica)
  double tolerance = 0.05;           // bisection stops when hi / lo - 1 <= tolerance
  int max_doublings = 14;            // the load range searched is base x 2^[-14, 14]
  // A probe's arrivals span at least this many mean end-to-end latencies: half of it
  // is warm-up, the other half the window the verdict and percentiles come from.
  double probe_e2e_multiple = 8;
  int64_t max_probe_requests = 100'000;
  int confirm_factor = 4;            // the confirmation probe is this many times longer
  StabilityLimits stability;
  // Bad input from a grid point (a TP that does not divide the heads) is an error;
  // when false (a TP list the planner made up) the point is skipped with its reason.
  bool strict = false;
};

struct CapacityResult {
  SimulationRequest request;     // the deployment; workload at the sustainable load
  std::string base_workload;     // the workload as given (load scale 1)
  bool feasible = false;         // the SLO is met at some load
  std::string reason;            // why not, when infeasible
  double load_scale = 0;         // sustainable load / the workload's own load
  double requests_per_s = 0;     // offered load at that scale
  Summary at_max;                // the confirmation run at the sustainable load
  SteadyState steady;            // its verdict and steady-state percentiles
  int64_t probe_requests = 0;    // requests per replica of the search's probes
  int64_t confirm_requests = 0;  // requests per replica of the confirmation probe
  int chips_per_replica = 0, replicas = 0, systems = 0, system_chips = 0;
  std::vector<Assumption> assumptions;
  std::vector<std::string> warnings;
  int probes = 0;
};

// The workload SPEC with `key=value` set (replaced or appended). For a trace the
// first item (the path) is kept as is.
std::string with_workload_key(const std::string& spec, std::string_view key, const std::string& value);

// The workload at `scale` times its own load, limited to `requests` requests (its
// text updated to match). Errors for workloads without a rate (batch, closed loop).
Result<WorkloadSpec> scaled_workload(const WorkloadSpec& w, double scale, int64_t requests);
Result<std::string> scaled_workload(const std::string& spec, double scale, int64_t requests);

// True when the run meets every SLO target and served every request.
bool meets_slo(const Summary& s, const SloTargets& slo);

// Bisection for one deployment. Replicas are independent and identical: the probes
// run one replica at 1/dp of the load, and the result is scaled to all dp replicas.
// A deployment that does not fit, or that misses the SLO even at the lowest load, is
// returned with feasible = false and its reason; bad input is an error.
Result<CapacityResult> max_sustainable_load(const SimulationRequest& base, const CapacityOptions& options);

// Runs max_sustainable_load for every request on `threads` threads (each run is
// independent). Results are in the order of `requests`; the first bad-input error
// stops the search and is returned.
Result<std::vector<CapacityResult>> search_capacity(const std::vector<SimulationRequest>& requests,
                                                    const CapacityOptions& options, int threads);

// The deployment of a feasible result at `fraction` of its sustainable load (the
// operating point with headroom 1 - fraction): one more single-replica run as long
// as the confirmation probe, scaled. `feasible` says whether it is stable and meets
// the SLO.
Result<CapacityResult> run_at_fraction(const CapacityResult& r, double fraction, const CapacityOptions& options);

}  // namespace tessera

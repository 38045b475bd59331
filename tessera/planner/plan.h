// `tessera plan` as a library call: SLO-bound capacity search over a grid of
// deployments, the cheapest and the Pareto front, optional fleet sizing and hardware
// comparison. The CLI (app/cmd_plan.cpp) and the Python module (`tessera.plan`) both
// build a PlanRequest and call run_plan, so they validate the same options with the
// same messages and produce the same PlanReport (report/plan_report.h renders it).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tessera/core/status.h"
#include "tessera/planner/capacity.h"
#include "tessera/planner/capacity_search.h"
#include "tessera/planner/compare.h"
#include "tessera/planner/fleet.h"
#include "tessera/planner/power_cost_options.h"

namespace tessera {

// The options of `tessera plan`, as text where the CLI takes text, so that every
// error names the flag and the value the user gave.
struct PlanRequest {
  SimulationRequest base;             // model, workload (with an arrival rate), seed; dtypes set from below
  std::string slo;                    // --slo "ttft_p99=2s,tpot_p99=100ms"; at least one target
  std::vector<std::string> hardware;  // --hardware: systems to search; empty = every catalog system
  std::vector<std::string> compare;   // --compare: systems to set side by side (instead of --hardware)
  SearchSpace space;                  // tp, pp, schedulers, max_batch (space.hardware is ignored)
  std::string weights_dtype = "bf16", kv_dtype = "bf16";
  std::string fleet;                  // --fleet "chips=N" | "power=2GW" | "tokens-per-day=N" |
                                      // "requests-per-second=N"; empty = none
  double headroom = 0.2;              // fleet: spare fraction of each unit's maximum load
  int64_t probe_requests = 400;
  double tolerance = 0.05;
  int threads = 0;                    // 0 = all cores (the result does not depend on it)
  int top = 10;
  PowerCostOptions power_cost;
};

struct PlanReport {
  std::string model, workload;
  SloTargets slo;
  std::string price_basis;
  int searched = 0, feasible = 0, top = 10;
  double elapsed_s = 0;                     // shown in text only (not deterministic)
  std::vector<CapacityResult> results;      // the whole grid
  std::vector<size_t> cheapest, pareto;     // indices into results
  std::optional<FleetPlan> fleet;
  std::optional<size_t> fleet_choice;
  std::string fleet_chosen_by;
  // --fleet requests-per-second=N: N, and the mean output tokens per request that turned
  // it into the fleet's token target.
  std::optional<double> fleet_requests_per_s, fleet_output_tokens_per_request;
  std::optional<Comparison> comparison;
};

// Bad options are bad input. A search where no deployment meets the SLO is not an
// error: the report has feasible == 0 (the CLI prints it and exits 3). Fleet sizing
// with nothing feasible is infeasible, as there is no deployment to size.
Result<PlanReport> run_plan(const PlanRequest& request);

}  // namespace tessera

// Output of `tessera plan`: the cheapest deployments and the Pareto front, fleet
// sizing, and hardware comparisons, as text and as JSON (stable keys).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tessera/planner/capacity.h"
#include "tessera/planner/compare.h"
#include "tessera/planner/fleet.h"

namespace tessera {

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
  std::optional<Comparison> comparison;
};

nlohmann::ordered_json plan_json(const PlanReport& r, const std::string& version);
std::string plan_text(const PlanReport& r);

}  // namespace tessera

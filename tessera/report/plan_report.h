// Output of `tessera plan`: the cheapest deployments and the Pareto front, fleet
// sizing, and hardware comparisons, as text and as JSON (stable keys). The report
// itself is built by run_plan (planner/plan.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tessera/planner/plan.h"

namespace tessera {

nlohmann::ordered_json plan_json(const PlanReport& r, const std::string& version);
std::string plan_text(const PlanReport& r);

}  // namespace tessera

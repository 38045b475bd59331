// The result JSON of `tessera simulate` (keys per ARCHITECTURE.md; stable).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "tessera/planner/simulation.h"

namespace tessera {

nlohmann::ordered_json simulation_json(const SimulationOutcome& o, const std::string& version);
nlohmann::ordered_json iteration_cost_json(const IterationCost& c);
nlohmann::ordered_json memory_json(const MemoryPlan& m);

}  // namespace tessera

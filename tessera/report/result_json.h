// The result JSON of `tessera simulate` (keys per ARCHITECTURE.md; stable).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "tessera/planner/simulation.h"

namespace tessera {

nlohmann::ordered_json simulation_json(const SimulationOutcome& o, const std::string& version);
// Empty when requests completed; else why the latency figures are null (the text
// summary prints it instead of a table of zeros).
std::string no_latency_reason(const Summary& s);
nlohmann::ordered_json iteration_cost_json(const IterationCost& c);
nlohmann::ordered_json memory_json(const MemoryPlan& m);

}  // namespace tessera

// The human-readable summary `tessera simulate` prints by default.
#pragma once

#include <string>

#include "tessera/planner/simulation.h"

namespace tessera {

std::string simulation_summary_text(const SimulationOutcome& o);
std::string memory_explain_text(const SimulationOutcome& o);
// The representative decode step op by op, as the plan lowered it (collectives included).
std::string ops_explain_text(const SimulationOutcome& o);

}  // namespace tessera

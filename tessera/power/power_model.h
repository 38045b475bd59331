// Power and cost from utilization. Chip power = idle + (TDP - idle) x activity,
// where activity is the larger of compute and memory utilization (the busier
// engine sets the dynamic draw). Any unknown input makes the answer unknown:
// the caller reports null and says which figure is missing — never a guess.
#pragma once

#include <optional>
#include <string>

#include "tessera/core/units.h"
#include "tessera/specs/hardware.h"

namespace tessera {

struct Utilization {
  double compute = 0;   // MFU over the run, [0, 1]
  double memory = 0;    // MBU over the run, [0, 1]
  double busy = 0;      // fraction of wall time the replicas were running iterations
};

struct PowerEstimate {
  std::optional<Watts> chip;          // average per chip
  std::optional<Watts> system_total;  // all chips + host share, whole deployment
  std::string missing;                // which figure was unknown, when empty optionals
};

PowerEstimate estimate_power(const SystemSpec& system, int chips, int systems, const Utilization& u);

struct CostEstimate {
  std::optional<UsdPerHour> per_hour;             // whole deployment
  std::optional<double> usd_per_million_output;   // at the simulated throughput
  std::string missing;
};

CostEstimate estimate_cost(const SystemSpec& system, int systems, double output_tokens_per_s);

}  // namespace tessera

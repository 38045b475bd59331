// Fleet sizing: from one target -- chips, facility power or output tokens per day --
// to the other two, plus $/day, for a deployment found by the capacity search.
// The unit of a fleet is the simulated deployment (its whole systems and their
// independent replicas); the fleet is an integer number of units, each run at
// (1 - headroom) of its SLO-bound maximum load.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tessera/core/status.h"
#include "tessera/planner/capacity.h"

namespace tessera {

struct FleetTarget {
  enum class Kind { Chips, Power, TokensPerDay } kind = Kind::Chips;
  double value = 0;   // chips | watts (facility) | output tokens per day
};

// "chips=1000000" | "power=2GW" | "tokens-per-day=1e12" (flag --fleet).
Result<FleetTarget> parse_fleet_target(std::string_view text);

// What one unit (the simulated deployment) delivers at its operating point.
struct FleetUnit {
  int chips = 0, systems = 0, replicas = 0;
  double output_tokens_per_s = 0;      // at the operating point
  std::optional<double> facility_w;    // at the operating point
  std::optional<double> usd_per_hour;
};

struct FleetPlan {
  FleetTarget target;
  double headroom = 0;
  FleetUnit unit;
  int64_t units = 0;
  int64_t chips = 0, systems = 0, replicas = 0;
  double tokens_per_day = 0;
  std::optional<double> power_w, usd_per_day;
  std::string limited_by;              // why the fleet is this size
};

// Errors: a power target with the unit's power unknown (the flag to supply it named).
Result<FleetPlan> size_fleet(const FleetUnit& unit, const FleetTarget& target, double headroom);

// The unit: a capacity result at its operating point (run_at_fraction).
FleetUnit fleet_unit(const CapacityResult& at_operating_point);

}  // namespace tessera

// Power and cost options as the user gives them (the text of `simulate` and `plan`'s
// --chip-tdp, --chip-idle, --host-power, --pue, --price-per-hour, --price-basis and
// TCO flags, or the same Python keywords), validated and applied to a request. In the
// library so that the CLI and the Python module read them identically; errors name
// the CLI flag.
#pragma once

#include <optional>
#include <string>

#include "tessera/core/status.h"
#include "tessera/planner/simulation.h"

namespace tessera {

struct PowerCostOptions {
  std::string chip_tdp, chip_idle, host_power;  // powers with a unit, e.g. "500W"; empty = the catalog's
  std::optional<double> pue;
  std::string price_per_hour;                   // "USD" (any system) or "SYSTEM=USD,SYSTEM=USD"
  std::string price_basis = "on-demand";
  std::optional<double> capex_per_system, years, usd_per_kwh;
};

// Validates the options and sets req.power / req.cost. A per-system price list is
// applied to req.hardware's entry; a bare number to any hardware.
Status apply_power_cost_options(const PowerCostOptions& options, SimulationRequest& req);

}  // namespace tessera

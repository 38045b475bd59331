// Power and cost flags shared by `simulate` and `plan`: --chip-tdp, --chip-idle,
// --host-power, --pue, --price-per-hour, --price-basis, and the TCO inputs.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "app/cli.h"
#include "tessera/planner/simulation.h"

namespace tessera::app {

struct PowerCostArgs {
  std::string chip_tdp, chip_idle, host_power;
  std::optional<double> pue;
  std::string price_per_hour;            // "USD" or "SYSTEM=USD,SYSTEM=USD"
  std::string price_basis = "on-demand";
  std::optional<double> capex_per_system, years, usd_per_kwh;
};

void add_power_cost_flags(CLI::App* app, PowerCostArgs& args);

// Validates the flags and sets req.power / req.cost. A per-system price list is
// applied to req.hardware's entry; a bare number to any hardware.
Status apply_power_cost_flags(const PowerCostArgs& args, SimulationRequest& req);

}  // namespace tessera::app

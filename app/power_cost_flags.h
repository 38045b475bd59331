// Power and cost flags shared by `simulate` and `plan`: --chip-tdp, --chip-idle,
// --host-power, --pue, --price-per-hour, --price-basis, and the TCO inputs. The
// values are validated and applied by the library (planner/power_cost_options.h),
// which the Python module shares.
#pragma once

#include "app/cli.h"
#include "tessera/planner/power_cost_options.h"

namespace tessera::app {

void add_power_cost_flags(CLI::App* app, PowerCostOptions& options);

}  // namespace tessera::app

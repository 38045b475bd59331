// The `simulate` options and their mapping onto a SimulationRequest. `simulate`
// registers them on its command line; `sweep` registers them on a private parser per
// grid point (grid keys are these option names without the dashes), so that both
// commands read every option the same way.
#pragma once

#include <string>
#include <vector>

#include "app/cli.h"
#include "app/power_cost_flags.h"
#include "app/serving_flags.h"
#include "tessera/planner/simulation.h"

namespace tessera::app {

struct SimulateOptions {
  SimulationRequest req;
  std::string weights_dtype = "bf16", kv_dtype = "bf16", fidelity = "auto", slo;
  PowerCostOptions power_cost;
  ServingArgs serving;
};

// Registers --model, --hardware, the parallelism, engine, power, cost and serving
// options (not the output options --out, --json, --explain-memory).
void add_simulate_options(CLI::App* app, SimulateOptions& o);

// Validates the text-valued options and completes o.req: dtypes, fidelity, SLO,
// expert imbalance, memory utilization, power, cost and serving pools.
Status resolve_simulate_options(SimulateOptions& o);

// Options that write files as a run goes (--trace, --requests-csv): not sweepable.
const std::vector<std::string>& simulate_output_options();

}  // namespace tessera::app

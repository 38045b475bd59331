// One simulation, end to end: compile the deployment (compile.h), set up the serving
// features (serving.h), run the serving simulator and summarize (summary.h). The CLI,
// sweeps, the capacity planner and the Python module all go through here. The flow is
// one way: request -> compile -> serving -> simulation -> summary.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tessera/core/status.h"
#include "tessera/planner/compile.h"
#include "tessera/planner/request.h"
#include "tessera/planner/summary.h"
#include "tessera/serve/simulator.h"

namespace tessera {

struct SimulationOutcome {
  ModelSpec model;
  SystemSpec system;
  DeploymentSpec deployment;   // resolved (lnc and the runtime's serving defaults filled in)
  std::shared_ptr<const RuntimeProfile> runtime;
  WorkloadSpec workload;
  SloTargets slo;
  Placement placement;
  MemoryPlan memory;
  PlatformOverheads overheads;
  Fidelity fidelity = Fidelity::Auto;
  std::string device_model;    // name of the DeviceModel used
  ServeResult serve;
  Summary summary;
  // Decode step of the first request alone at its mean context: where TPOT goes.
  IterationCost decode_step;
  BatchShape decode_step_shape;
  std::vector<CostedOp> decode_step_ops;  // the same step op by op (names may point into model.graph)
  std::vector<std::string> warnings;
  // Every power and price figure the summary used, with its provenance.
  std::vector<Assumption> assumptions;
  // Disaggregated serving: the prefill pool (the fields above describe the decode pool).
  struct PrefillPool {
    SystemSpec system;
    DeploymentSpec deployment;
    Placement placement;
    MemoryPlan memory;
    std::string kv_link;  // how KV moves between the pools
  };
  std::optional<PrefillPool> prefill_pool;
};

Result<SimulationOutcome> run_simulation(const SimulationRequest& request);

// A co-located run on a deployment compiled from `request` (its model, hardware and
// deployment): the capacity search compiles once per deployment and runs every probe
// here, reusing the iteration model's memoized costs. `workload` is what runs.
Result<SimulationOutcome> run_compiled(CompiledDeployment& compiled, const SimulationRequest& request,
                                       const WorkloadSpec& workload, const PowerParams& params);

}  // namespace tessera

// The steps of a simulation that need no serving run: resolve the names through the
// shared catalog, place the deployment, plan memory, and build the iteration model.
// run_simulation compiles once per run; the capacity search compiles once per
// deployment and reuses the compiled model (and its memoized iteration costs) for
// every probe. Also used by `--explain-memory`, calibration and tests.
#pragma once

#include <memory>

#include "tessera/core/status.h"
#include "tessera/plan/iteration_model.h"
#include "tessera/plan/memory.h"
#include "tessera/plan/placement.h"
#include "tessera/planner/request.h"
#include "tessera/specs/hardware.h"
#include "tessera/specs/model.h"
#include "tessera/specs/runtime.h"

namespace tessera {

struct CompiledDeployment {
  // Shared with the catalog, so that the chip pointer in placement.rank stays valid.
  std::shared_ptr<const ModelSpec> model;
  std::shared_ptr<const SystemSpec> system;
  DeploymentSpec deployment;   // serving fields filled from the runtime profile
  std::shared_ptr<const RuntimeProfile> runtime;
  Placement placement;
  MemoryPlan memory;
  PlatformOverheads overheads;
  Fidelity fidelity = Fidelity::Auto;
  std::unique_ptr<IterationModel> iteration;
};

Result<CompiledDeployment> compile_deployment(const SimulationRequest& request);

// The dtype the GEMMs of the deployment run in (the one its MFU is measured against):
// the wider of the weights and the activations as the GEMMs read them (FP8/MX weights
// run W8A8 where the chip has the rate, else dequantized to the activation dtype).
DType gemm_math_dtype(const ChipSpec& chip, const DeploymentSpec& deployment);

}  // namespace tessera

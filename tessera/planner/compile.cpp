#include "tessera/planner/compile.h"

#include <optional>
#include <utility>

#include "tessera/compute/fp8_kernel_choice.h"
#include "tessera/network/topology_model.h"
#include "tessera/plan/graph_layout.h"
#include "tessera/plan/lowering.h"

namespace tessera {

namespace {

// The default fidelity of each platform: the engine-level NeuronCore model, the
// calibrated NVIDIA model, and the roofline for a platform with no calibration (AMD).
Fidelity resolve_fidelity(Fidelity f, const ChipSpec& chip) {
  if (f != Fidelity::Auto) return f;
  if (chip.platform == "neuron") return Fidelity::Engine;
  if (chip.platform == "nvidia") return Fidelity::Fitted;
  return Fidelity::Roofline;
}

}  // namespace

DType gemm_math_dtype(const ChipSpec& chip, const DeploymentSpec& d) {
  const DType act = gemm_act_dtype(&chip, d.weight_dtype);
  return dtype_bits(d.weight_dtype) > dtype_bits(act) ? d.weight_dtype : act;
}

Result<CompiledDeployment> compile_deployment(const SimulationRequest& req) {
  auto catalog = request_catalog(req);
  if (!catalog) return catalog.error();
  const SharedCatalog& cat = **catalog;
  auto model = cat.model(req.model);
  if (!model) return model.error();
  auto system = cat.system(req.hardware);
  if (!system) return system.error();

  TESSERA_TRY(check_graph_lowering(*(*model)->graph));  // every model front end builds the graph
  auto runtime = cat.runtime(req.deployment.runtime, (*system)->chip);
  if (!runtime) return runtime.error();
  CompiledDeployment c;
  c.model = *model;
  c.system = *system;
  c.deployment = req.deployment;
  apply_runtime_defaults(c.deployment, **runtime);
  c.runtime = *runtime;
  auto placement = place(*c.model, *c.system, c.deployment);
  if (!placement) return placement.error();
  c.placement = *placement;
  c.deployment.lnc = c.placement.lnc;
  auto memory = plan_memory(*c.model, *c.system, c.deployment, c.placement);
  if (!memory) return memory.error();
  c.memory = *memory;

  c.overheads = req.overheads ? *req.overheads : c.runtime->costs;
  c.fidelity = resolve_fidelity(req.fidelity, c.system->chip);
  std::shared_ptr<const NvidiaComputeFit> fit;
  if (c.system->chip.platform == "nvidia" && c.fidelity != Fidelity::Roofline) {
    auto f = cat.nvidia_fit(c.system->chip.name);
    if (!f) return f.error();
    fit = std::move(*f);
  }
  // The platform's fitted compiler efficiency applies to the engine model it was
  // fitted with, not to the roofline bound.
  const double eta = c.fidelity == Fidelity::Roofline ? 1.0 : c.overheads.tensor_efficiency;
  // Measured fidelity interpolates the chip's kernel tables; a chip without them (any
  // non-NVIDIA chip too) is a bad-input error naming the chips that have them.
  std::shared_ptr<const NvidiaKernelTables> tables;
  if (c.fidelity == Fidelity::Measured) {
    auto t = cat.kernel_tables(c.system->chip.name);
    if (!t) return t.error();
    tables = std::move(*t);
  }
  auto device = make_device_model(c.placement.rank, c.fidelity, fit.get(), eta, tables.get());
  if (!device) return device.error();
  // The runtime's FP8 GEMM kernel (per-tensor, block-scaled or autotuned per shape):
  // both kernels are measured on NVIDIA; the roofline has one FP8 rate.
  if (c.system->chip.platform == "nvidia" && c.fidelity != Fidelity::Roofline)
    *device = with_fp8_gemm(std::move(*device), fp8_gemm_from_name(c.runtime->fp8_gemm));
  auto network = make_collective_model(*c.system);
  c.iteration = std::make_unique<IterationModel>(*c.model, c.deployment, c.placement, c.memory, *device,
                                                 network, c.overheads);
  return c;
}

}  // namespace tessera

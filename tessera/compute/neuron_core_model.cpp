#include "tessera/compute/neuron_core_model.h"

#include <cassert>
#include <fmt/format.h>

namespace tessera {

namespace {

Status require_positive(const ChipSpec& c, std::string_view key, double v) {
  if (v > 0) return {};
  return bad_input(fmt::format("chip '{}': neuron_core.{} must be > 0, got {}", c.name, key, v));
}

}  // namespace

Status validate_neuron_rank(const RankResources& r) {
  if (r.chip == nullptr) return bad_input("neuron model: rank has no chip");
  const ChipSpec& c = *r.chip;
  if (!c.neuron_core)
    return bad_input(fmt::format("chip '{}': neuron_core: missing (not an AWS Neuron chip)", c.name));
  const NeuronCoreSpec& nc = *c.neuron_core;
  if (r.physical_cores != 1 && r.physical_cores != 2)
    return bad_input(fmt::format("--lnc: must be 1 or 2, got {}", r.physical_cores));
  if (r.physical_cores == 2 && nc.version == "v2")
    return bad_input(fmt::format(
        "--lnc: 2 needs NeuronCore-v3/v4 (Trainium2/3); chip '{}' has NeuronCore-{}", c.name,
        nc.version));
  if (r.physical_cores > c.cores)
    return bad_input(fmt::format("--lnc: {} exceeds chip '{}' cores: {}", r.physical_cores,
                                 c.name, c.cores));
  if (!(r.chip_fraction > 0 && r.chip_fraction <= 1))
    return bad_input(fmt::format("chip '{}': chip_fraction must be in (0, 1], got {}", c.name,
                                 r.chip_fraction));
  const std::pair<std::string_view, double> positive[] = {
      {"pe_rows", nc.pe_rows},
      {"pe_cols", nc.pe_cols},
      {"moving_free_max", nc.moving_free_max},
      {"tensor_clock", nc.tensor_clock.value()},
      {"vector_clock", nc.vector_clock.value()},
      {"vector_elems_per_cycle", nc.vector_elems_per_cycle},
      {"scalar_clock", nc.scalar_clock.value()},
      {"scalar_elems_per_cycle", nc.scalar_elems_per_cycle},
      {"dma_engines", nc.dma_engines},
      {"dma_bandwidth_per_engine", nc.dma_bandwidth_per_engine.value()},
  };
  for (const auto& [key, v] : positive) TESSERA_TRY(require_positive(c, key, v));
  return {};
}

Result<NeuronCoreModel> NeuronCoreModel::create(const RankResources& r) {
  TESSERA_TRY(validate_neuron_rank(r));
  return NeuronCoreModel(r);
}

NeuronCoreModel::NeuronCoreModel(const RankResources& r) {
  assert(validate_neuron_rank(r).ok());
  p_ = neuron::make_core_params(*r.chip->neuron_core, *r.chip, r.physical_cores, r.chip_fraction);
}

NeuronBreakdown NeuronCoreModel::gemm_detail(const GemmOp& op) const {
  return neuron::cost_gemm(p_, op);
}

NeuronBreakdown NeuronCoreModel::attention_detail(const AttentionOp& op) const {
  return neuron::cost_attention(p_, op);
}

NeuronBreakdown NeuronCoreModel::elementwise_detail(const ElementwiseOp& op) const {
  return neuron::cost_elementwise(p_, op);
}

namespace neuron {

NeuronBreakdown finish(const CoreParams& p, const EngineLoad& core, int active_cores,
                       Bytes rank_bytes, Bytes rank_reread, Flops flops) {
  const CriticalPath cp = critical_path(p, core, active_cores);
  NeuronBreakdown b;
  b.tensor = cp.tensor;
  b.vector = cp.vector;
  b.scalar = cp.scalar;
  b.dma = cp.dma;
  b.fill_drain = cp.fill_drain;
  b.critical = static_cast<NeuronEngine>(cp.critical);
  b.matmuls = core.matmuls;
  b.stationary_loads = core.stationary_loads;
  b.vector_instructions = core.vector_instructions;
  b.scalar_instructions = core.scalar_instructions;
  b.dma_transfers = core.dma_transfers;
  b.reread_bytes = rank_reread;
  b.cost.time = cp.time;
  b.cost.compute = max(cp.tensor, max(cp.vector, cp.scalar));
  b.cost.memory = cp.dma;
  b.cost.overhead = cp.fixed + cp.fill_drain;
  b.cost.flops = flops;
  b.cost.hbm_bytes = rank_bytes;
  return b;
}

}  // namespace neuron

}  // namespace tessera

// `--fidelity measured`: NVIDIA kernel latencies interpolated from the committed measured
// tables (AIConfigurator subsets, specs/kernel_tables.h) where they cover the op, and the
// fitted NvidiaModel corrected by the measured/fitted ratio at the nearest table point where
// they do not (docs/models/nvidia.md, "Measured fidelity"). Element-wise ops, which have no
// tables, are the fitted model's.
#pragma once

#include <map>
#include <memory>
#include <tuple>

#include "tessera/compute/log_grid.h"
#include "tessera/compute/nvidia_model.h"
#include "tessera/specs/kernel_tables.h"

namespace tessera {

class MeasuredModel final : public DeviceModel {
 public:
  // `rank.chip_fraction` must be 1: the tables are whole-GPU measurements.
  MeasuredModel(const RankResources& rank, const NvidiaComputeFit& fit, const NvidiaKernelTables& tables);

  std::string_view name() const override { return "nvidia-measured"; }
  OpCost gemm(const GemmOp& op) const override;
  OpCost attention(const AttentionOp& op) const override;
  OpCost elementwise(const ElementwiseOp& op) const override { return fitted_.elementwise(op); }

  const NvidiaModel& fitted() const { return fitted_; }

 private:
  // (query heads, KV heads, head dim, compute dtype, KV dtype); decode keys use BF16 compute
  // (the decode tables are BF16 compute throughout).
  using HeadKey = std::tuple<int, int, int, DType, DType>;

  OpCost prefill(const AttentionOp& op) const;
  OpCost decode(const AttentionOp& op) const;

  NvidiaModel fitted_;
  std::map<DType, LogGrid> gemm_;        // (m, n, k) by dtype (activations = weights)
  std::map<HeadKey, LogGrid> prefill_;   // (batch, prompt length)
  std::map<HeadKey, LogGrid> decode_;    // (batch, KV length)
};

}  // namespace tessera

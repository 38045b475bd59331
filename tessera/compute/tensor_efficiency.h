// Derates the matrix-engine work of another DeviceModel by a platform's fitted
// tensor efficiency: the engine model gives the schedule a hand-tuned kernel
// could reach; a compiler's generated kernels reach a fraction of it, in
// instruction issue as in throughput. The matrix-engine time is stretched by
// 1/efficiency and becomes the critical path where it then exceeds the op's
// previous one (DMA/HBM). (Stretching only compute-bound ops fits the trn1 rows
// worse: TTFT median 11.3% vs 9.0%.)
#pragma once

#include <memory>

#include "tessera/compute/device_model.h"

namespace tessera {

class TensorEfficiencyModel final : public DeviceModel {
 public:
  TensorEfficiencyModel(std::shared_ptr<const DeviceModel> inner, double efficiency)
      : inner_(std::move(inner)), efficiency_(efficiency) {}
  std::string_view name() const override { return inner_->name(); }
  OpCost gemm(const GemmOp& op) const override { return derate(inner_->gemm(op)); }
  OpCost attention(const AttentionOp& op) const override { return derate(inner_->attention(op)); }
  OpCost elementwise(const ElementwiseOp& op) const override { return inner_->elementwise(op); }

 private:
  OpCost derate(OpCost c) const {
    const Seconds critical = c.time - c.overhead;
    c.compute = c.compute / efficiency_;
    c.time = max(critical, c.compute) + c.overhead;
    return c;
  }
  std::shared_ptr<const DeviceModel> inner_;
  double efficiency_;
};

}  // namespace tessera

// Derates the matrix-engine work of another DeviceModel by a platform's fitted
// tensor efficiency: the engine model gives the schedule a hand-tuned kernel
// could reach; a compiler's generated kernels reach a fraction of it in the
// throughput regime. The matrix-engine time is stretched by 1/efficiency and
// becomes the critical path where it then exceeds the op's previous one.
#pragma once

#include <memory>

#include "tessera/compute/device_model.h"

namespace tessera {

class TensorEfficiencyModel final : public DeviceModel {
 public:
  TensorEfficiencyModel(std::shared_ptr<const DeviceModel> inner, double efficiency)
      : inner_(std::move(inner)), efficiency_(efficiency) {}
  std::string_view name() const override { return inner_->name(); }
  // Only the throughput regime is derated: GEMMs whose token dimension fills the
  // 128-wide array, and prefill attention. Small-batch decode ops sit at the
  // engine's per-instruction floor or on DMA, which the engine model prices from
  // the datasheet; derating them too would make out-of-sample chips with faster
  // HBM (Trainium3) slower than their predecessors for no physical reason.
  OpCost gemm(const GemmOp& op) const override {
    OpCost c = inner_->gemm(op);
    return op.m >= kArrayRows ? derate(c) : c;
  }
  OpCost attention(const AttentionOp& op) const override {
    OpCost c = inner_->attention(op);
    return op.decode ? c : derate(c);
  }
  OpCost elementwise(const ElementwiseOp& op) const override { return inner_->elementwise(op); }

 private:
  OpCost derate(OpCost c) const {
    const Seconds critical = c.time - c.overhead;
    c.compute = c.compute / efficiency_;
    c.time = max(critical, c.compute) + c.overhead;
    return c;
  }
  static constexpr int64_t kArrayRows = 128;  // systolic array width (hardware.md §1)
  std::shared_ptr<const DeviceModel> inner_;
  double efficiency_;
};

}  // namespace tessera

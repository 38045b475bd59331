// The first-principles baseline: every operator takes the larger of its compute
// time at peak and its memory time at peak bandwidth, plus a fixed launch cost.
// It is an upper bound on speed (no efficiency losses) and the fallback for any
// chip without an engine-level or calibrated model.
#pragma once

#include "tessera/compute/device_model.h"

namespace tessera {

struct RooflineParams {
  Seconds op_overhead{0};      // fixed cost per operator launch
  double compute_efficiency = 1.0;  // achieved fraction of peak FLOP/s
  double memory_efficiency = 1.0;   // achieved fraction of peak HBM bandwidth
};

class RooflineModel final : public DeviceModel {
 public:
  RooflineModel(RankResources rank, RooflineParams params);
  std::string_view name() const override { return "roofline"; }
  OpCost gemm(const GemmOp& op) const override;
  OpCost attention(const AttentionOp& op) const override;
  OpCost elementwise(const ElementwiseOp& op) const override;

 private:
  OpCost finish(Flops flops, FlopsPerSecond peak, Bytes bytes) const;
  RankResources rank_;
  RooflineParams params_;
  BytesPerSecond bandwidth_;
};

// Bytes moved by a GEMM: weights once, activations in and out.
Bytes gemm_bytes(const GemmOp& op);
inline Flops gemm_flops(const GemmOp& op) {
  return Flops(2.0 * static_cast<double>(op.m) * static_cast<double>(op.n) *
               static_cast<double>(op.k) * static_cast<double>(op.count));
}
// QK^T and PV: 2 FLOP per multiply-add, over every score pair and head.
inline Flops attention_flops(const AttentionOp& op) {
  return Flops(2.0 * op.pairs * op.heads * static_cast<double>(op.head_dim_qk + op.head_dim_v));
}
// KV entries read plus Q in and O out.
Bytes attention_bytes(const AttentionOp& op);

}  // namespace tessera

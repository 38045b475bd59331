// The calibrated NVIDIA compute model: physically shaped closed forms (CTA tiles and waves
// over the SMs, HBM streaming, FlashAttention tiles, flash-decoding occupancy) whose few
// efficiencies and fixed costs are fitted per chip and dtype to measured kernel tables
// (tools/calibrate/fit_nvidia.py; docs/models/nvidia.md). Chips without tables use the
// generic parameter set with their own datasheet peaks and bandwidth.
#pragma once

#include <array>
#include <string_view>

#include "tessera/compute/device_model.h"
#include "tessera/specs/calibration.h"

namespace tessera {

class NvidiaModel final : public DeviceModel {
 public:
  // `rank.chip` must outlive nothing: peaks, bandwidth and SM count are copied out here.
  // The SM count is fit.sms_for(chip name), scaled by rank.chip_fraction.
  NvidiaModel(const RankResources& rank, const NvidiaComputeFit& fit);

  std::string_view name() const override { return "nvidia-fitted"; }
  OpCost gemm(const GemmOp& op) const override;
  OpCost attention(const AttentionOp& op) const override;
  OpCost elementwise(const ElementwiseOp& op) const override;

  double sms() const { return sms_; }

 private:
  static constexpr int kDTypes = 9;  // values of DType
  static int index(DType d) { return static_cast<int>(d); }

  OpCost prefill(const AttentionOp& op) const;
  OpCost decode(const AttentionOp& op) const;

  // Resolved at construction so that costing an op does no lookups in maps.
  std::array<double, kDTypes> peak_{};       // FLOP/s for ops computed in this dtype
  std::array<DType, kDTypes> peak_dtype_{};  // the dtype whose peak is used (fallback chain)
  std::array<GemmFit, kDTypes> gemm_{};
  std::array<PrefillAttentionFit, kDTypes> prefill_{};
  std::array<DecodeAttentionFit, kDTypes> decode_{};
  ElementwiseFit elementwise_;
  double bw_ = 0;          // HBM bytes/s of this rank
  double fp32_peak_ = 0;   // non-tensor FP32 FLOP/s (0 when the catalog has none)
  double sms_ = 1;
};

}  // namespace tessera

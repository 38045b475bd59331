// The seam between plan/ and the per-device cost models. One DeviceModel costs
// operators on one rank. Implementations: roofline (any chip), the engine-level
// NeuronCore model, and the calibrated NVIDIA model.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "tessera/compute/op.h"
#include "tessera/specs/hardware.h"

namespace tessera {

class DeviceModel {
 public:
  virtual ~DeviceModel() = default;
  virtual std::string_view name() const = 0;
  virtual OpCost gemm(const GemmOp& op) const = 0;
  virtual OpCost attention(const AttentionOp& op) const = 0;
  virtual OpCost elementwise(const ElementwiseOp& op) const = 0;
};

// The resources of one rank: a GPU, or `physical_cores` NeuronCores of a chip
// (1, or 2 with LNC=2). Peaks and bandwidth are this rank's share of the chip.
struct RankResources {
  const ChipSpec* chip = nullptr;
  int physical_cores = 1;
  double chip_fraction = 1.0;   // share of the chip's peak and HBM bandwidth
};

}  // namespace tessera

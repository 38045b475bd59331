#include "tessera/specs/hardware.h"

namespace tessera {

FlopsPerSecond ChipSpec::peak(DType d, DType* used) const {
  // Fallback chain: a chip without a native rate for a narrow format computes it
  // in the next wider one it supports (weights are dequantized on the fly).
  static const std::map<DType, DType> kWider{
      {DType::FP4, DType::MXFP4}, {DType::MXFP4, DType::MXFP8}, {DType::MXFP8, DType::FP8},
      {DType::FP8, DType::BF16},  {DType::INT8, DType::FP8},    {DType::FP16, DType::BF16},
      {DType::TF32, DType::BF16}, {DType::FP32, DType::BF16}};
  DType cur = d;
  for (int i = 0; i < 8; ++i) {
    if (auto it = peak_dense.find(cur); it != peak_dense.end() && it->second.value() > 0) {
      if (used) *used = cur;
      return it->second;
    }
    auto w = kWider.find(cur);
    if (w == kWider.end()) break;
    cur = w->second;
  }
  if (used) *used = DType::BF16;
  auto it = peak_dense.find(DType::BF16);
  return it == peak_dense.end() ? FlopsPerSecond(0) : it->second;
}

}  // namespace tessera

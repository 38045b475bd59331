// Which FP8 GEMM kernel a serving runtime runs (runtime profile `kernels.fp8_gemm`).
// The measured NVIDIA tables hold two FP8 GEMMs: per-tensor scaled ("fp8") and
// block-scaled ("fp8_block", costed as MXFP8). At decode shapes (M <= 64) on Blackwell
// the per-tensor kernel the tables measured streams weights at well under HBM
// bandwidth while the block-scaled one does not, so which one an engine runs decides
// whether FP8 decode beats BF16 at all.
#pragma once

#include <memory>
#include <string>

#include "tessera/compute/device_model.h"

namespace tessera {

enum class Fp8Gemm {
  PerTensor,    // the per-tensor scaled kernel only
  BlockScaled,  // the block-scaled kernel only (block-quantized checkpoints)
  Autotuned,    // the faster of the two per shape: the engine profiles GEMM tactics per shape
};

// "per-tensor" | "block-scaled" | "autotuned"; anything else is bad input naming the value.
Fp8Gemm fp8_gemm_from_name(const std::string& name);

// Wraps `inner` so that FP8 x FP8 GEMMs take the chosen kernel's time; every other op,
// and the op's bytes and FLOPs, are unchanged. PerTensor returns `inner` itself.
std::shared_ptr<const DeviceModel> with_fp8_gemm(std::shared_ptr<const DeviceModel> inner, Fp8Gemm choice);

}  // namespace tessera

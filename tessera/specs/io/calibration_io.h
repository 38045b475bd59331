// Loader of the calibrated NVIDIA compute-model parameters
// (data/calibration/nvidia/<chip>.yaml, written by tools/calibrate/fit_nvidia.py).
#pragma once

#include <filesystem>
#include <string_view>

#include "tessera/core/status.h"
#include "tessera/specs/calibration.h"

namespace tessera {

// Reads one fit file. Unknown keys, missing parameters and malformed values are
// BadInput errors "file:line: key 'gemm.bf16.blend': ...".
Result<NvidiaComputeFit> load_nvidia_fit(const std::filesystem::path& file);

// The fit file for `chip_name` under `data_dir` (data_dir/calibration/nvidia/<chip>.yaml),
// or data_dir/calibration/nvidia/generic.yaml when the chip has no file of its own.
std::filesystem::path nvidia_fit_path(const std::filesystem::path& data_dir, std::string_view chip_name);

}  // namespace tessera

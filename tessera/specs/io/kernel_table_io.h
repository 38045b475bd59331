// Loader of the measured NVIDIA kernel tables that `--fidelity measured` interpolates:
// data/calibration/nvidia/subsets/<system>/{gemm,context_attention,generation_attention}.csv
// (subsets of NVIDIA AIConfigurator's tables, written by tools/calibrate/fit_nvidia.py).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/status.h"
#include "tessera/specs/kernel_tables.h"

namespace tessera {

// Catalog chip names that have measured tables, in catalog order.
std::vector<std::string> chips_with_kernel_tables();

// The tables of `chip_name` under `data_dir`. A chip without tables is a BadInput error that
// names the chip and the chips that have tables; malformed rows are BadInput "file:line: ...".
Result<NvidiaKernelTables> load_nvidia_kernel_tables(const std::filesystem::path& data_dir,
                                                     std::string_view chip_name);

}  // namespace tessera

// Runtime profiles (data/runtimes/NAME.yaml) and their fitted execution costs
// (data/calibration/runtime/NAME.yaml, written by `tessera calibrate --runtime NAME`).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/status.h"
#include "tessera/specs/runtime.h"

namespace tessera {

// Reads one profile file. Every value under serving/kernels/costs/buckets carries its
// provenance ({value, source} or {value, estimate}); a bare number is an error. The
// fitted file, when present, replaces the fitted costs (per_* and tensor_efficiency)
// and their provenance becomes the fit's.
Result<RuntimeProfile> load_runtime_profile(const std::filesystem::path& profile_file,
                                            const std::filesystem::path& data_dir);

// The runtimes in data_dir/runtimes/, sorted; empty when the folder is absent.
Result<std::vector<std::string>> runtime_names(const std::filesystem::path& data_dir);

// Fitted costs of one runtime; `found` false (and the costs untouched) when the runtime
// has no fit file.
Status load_fitted_costs(const std::filesystem::path& data_dir, std::string_view runtime, PlatformOverheads& costs,
                         bool& found);
std::filesystem::path fitted_costs_file(const std::filesystem::path& data_dir, std::string_view runtime);

// Writes the fit `tessera calibrate --runtime` produced (atomically: temp file + rename).
Status save_fitted_costs(const std::filesystem::path& data_dir, const PlatformOverheads& o,
                         std::string_view fit_report);

}  // namespace tessera

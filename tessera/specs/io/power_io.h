// Reads data/power/model.yaml (the power model's parameters; schema in data/README.md).
#pragma once

#include <filesystem>

#include "tessera/core/status.h"
#include "tessera/specs/power_params.h"

namespace tessera {

std::filesystem::path power_params_path(const std::filesystem::path& data_dir);
Result<PowerParams> load_power_params(const std::filesystem::path& path);

}  // namespace tessera

// Loads the per-platform fixed overheads (data/calibration/platform/<platform>.yaml).
#pragma once

#include <filesystem>
#include <string_view>

#include "tessera/core/status.h"
#include "tessera/specs/platform.h"

namespace tessera {

// platform: "neuron" or "nvidia". A missing file yields zero overheads and
// source "none", so an uncalibrated tree still runs (and says so).
Result<PlatformOverheads> load_platform_overheads(const std::filesystem::path& data_dir, std::string_view platform);

// Writes the file `tessera calibrate` produced (atomically: temp file + rename).
Status save_platform_overheads(const std::filesystem::path& data_dir, const PlatformOverheads& o,
                               std::string_view fit_report);

}  // namespace tessera

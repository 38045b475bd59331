// Catalog YAML documents -> ChipSpec / SystemSpec. Internal to specs/io; the schema
// for users is data/README.md.
#pragma once

#include <filesystem>
#include <functional>
#include <string_view>

#include "tessera/core/status.h"
#include "tessera/specs/hardware.h"
#include "tessera/specs/io/yaml_util.h"

namespace tessera::catalog_detail {

inline constexpr long long kSchemaVersion = 1;

Result<ChipSpec> parse_chip(const yaml::Document& doc);

// Resolves a system's `chip:` value (`at` is its node, for error lines).
using ChipResolver = std::function<Result<ChipSpec>(std::string_view chip, const YAML::Node& at)>;
// `data_dir`: the catalog's folder, a fallback for the `collective_runtime:` path.
Result<SystemSpec> parse_system(const yaml::Document& doc, const ChipResolver& resolve_chip,
                                const std::filesystem::path& data_dir = {});

}  // namespace tessera::catalog_detail

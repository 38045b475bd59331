// data/fabrics/*.yaml -> CollectiveRuntimeSpec: how a system's collective runtime
// (NCCL, Neuron collectives) drives its fabric. Internal to specs/io; the schema for
// users is data/README.md.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/status.h"
#include "tessera/specs/hardware.h"
#include "tessera/specs/io/yaml_util.h"

namespace tessera::catalog_detail {

// Algorithm names a runtime file may list (tessera/network implements each).
const std::vector<std::string>& collective_algorithm_names();

Result<CollectiveRuntimeSpec> parse_collective_runtime(const yaml::Document& doc);

// `ref` is a system's `collective_runtime:` value: a path relative to the system file
// `system_file`, else (a system YAML copied out of the catalog) relative to the
// catalog's systems/ folder, else a file of that name in its fabrics/ folder. `at` is
// its node, for error lines; the error lists every path tried.
Result<CollectiveRuntimeSpec> load_collective_runtime(const std::string& system_file, std::string_view ref,
                                                      const YAML::Node& at, const std::filesystem::path& data_dir = {});

}  // namespace tessera::catalog_detail

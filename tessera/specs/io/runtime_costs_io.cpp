#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <system_error>
#include <vector>

#include "tessera/core/did_you_mean.h"
#include "tessera/specs/io/runtime_io.h"
#include "tessera/specs/io/units.h"

namespace tessera {

namespace fs = std::filesystem;

fs::path fitted_costs_file(const fs::path& dir, std::string_view runtime) {
  return dir / "calibration" / "runtime" / (std::string(runtime) + ".yaml");
}

namespace {

Status read_duration(const std::string& file, const YAML::Node& root, const char* key, Seconds& out) {
  if (!root[key]) return {};
  auto v = parse_duration(root[key].as<std::string>());
  if (!v)
    return bad_input(fmt::format("{}:{}: key '{}': {}", file, root[key].Mark().line + 1, key, v.error().message));
  out = *v;
  return {};
}

Status read_efficiency(const std::string& file, const YAML::Node& root, double& out) {
  if (!root["tensor_efficiency"]) return {};
  const YAML::Node n = root["tensor_efficiency"];
  double v = -1;
  try {
    v = n.as<double>();
  } catch (const YAML::Exception&) {
  }
  if (!(v > 0 && v <= 1))
    return bad_input(fmt::format("{}:{}: key 'tensor_efficiency': '{}' must be in (0, 1]", file, n.Mark().line + 1,
                                 n.as<std::string>()));
  out = v;
  return {};
}

}  // namespace

Status load_fitted_costs(const fs::path& data_dir, std::string_view runtime, PlatformOverheads& o, bool& found) {
  found = false;
  const fs::path path = fitted_costs_file(data_dir, runtime);
  std::error_code ec;
  if (!fs::exists(path, ec)) return {};
  const std::string file = path.string();
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::Exception& e) {
    return bad_input(fmt::format("{}:{}: {}", file, e.mark.line + 1, e.msg));
  }
  static const std::vector<std::string> kKeys{"schema_version", "runtime", "per_iteration", "per_sequence",
                                              "per_layer", "per_collective", "per_prefill_iteration",
                                              "tensor_efficiency", "source", "fit"};
  for (const auto& kv : root) {
    const auto key = kv.first.as<std::string>();
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end())
      return bad_input(fmt::format("{}:{}: unknown key '{}'{}", file, kv.first.Mark().line + 1, key,
                                   did_you_mean(key, kKeys)));
  }
  if (root["runtime"] && root["runtime"].as<std::string>() != runtime)
    return bad_input(fmt::format("{}: key 'runtime': '{}' but the file is for '{}'", file,
                                 root["runtime"].as<std::string>(), runtime));
  TESSERA_TRY(read_duration(file, root, "per_iteration", o.per_iteration));
  TESSERA_TRY(read_duration(file, root, "per_sequence", o.per_sequence));
  TESSERA_TRY(read_duration(file, root, "per_layer", o.per_layer));
  TESSERA_TRY(read_duration(file, root, "per_collective", o.per_collective));
  TESSERA_TRY(read_duration(file, root, "per_prefill_iteration", o.per_prefill_iteration));
  TESSERA_TRY(read_efficiency(file, root, o.tensor_efficiency));
  o.source = root["source"] ? root["source"].as<std::string>() : file;
  found = true;
  return {};
}

Status save_fitted_costs(const fs::path& data_dir, const PlatformOverheads& o, std::string_view fit_report) {
  const fs::path file = fitted_costs_file(data_dir, o.platform);
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  const fs::path tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp);
    if (!out) return bad_input("cannot write " + tmp.string());
    out << "# Fitted execution costs of runtime '" << o.platform << "', written by\n"
        << "# `tessera calibrate --runtime " << o.platform << " --write` from the data/validation rows measured\n"
        << "# with this runtime only. Do not edit by hand: rerun the command.\n"
        << "schema_version: 1\n"
        << "runtime: " << o.platform << "\n"
        << fmt::format("per_iteration: {:.2f} us\n", o.per_iteration.value() * 1e6)
        << fmt::format("per_sequence: {:.3f} us\n", o.per_sequence.value() * 1e6)
        << fmt::format("per_layer: {:.3f} us\n", o.per_layer.value() * 1e6)
        << fmt::format("per_collective: {:.3f} us\n", o.per_collective.value() * 1e6)
        << fmt::format("per_prefill_iteration: {:.2f} us\n", o.per_prefill_iteration.value() * 1e6)
        << fmt::format("tensor_efficiency: {:.3f}\n", o.tensor_efficiency)
        << "source: \"" << o.source << "\"\n"
        << "fit: |\n";
    std::string line;
    for (char c : fit_report) {
      if (c == '\n') {
        out << "  " << line << "\n";
        line.clear();
      } else {
        line += c;
      }
    }
    if (!line.empty()) out << "  " << line << "\n";
  }
  fs::rename(tmp, file, ec);
  if (ec) return bad_input("cannot write " + file.string() + ": " + ec.message());
  return {};
}

}  // namespace tessera

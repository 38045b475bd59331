#include "tessera/specs/io/platform_io.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <system_error>
#include <vector>

#include "tessera/core/did_you_mean.h"
#include "tessera/specs/io/units.h"

namespace tessera {

namespace fs = std::filesystem;

static fs::path platform_file(const fs::path& dir, std::string_view platform) {
  return dir / "calibration" / "platform" / (std::string(platform) + ".yaml");
}

Result<PlatformOverheads> load_platform_overheads(const fs::path& data_dir, std::string_view platform) {
  PlatformOverheads o;
  o.platform = std::string(platform);
  const fs::path file = platform_file(data_dir, platform);
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    o.source = "none (no calibration file " + file.string() + ")";
    return o;
  }
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::Exception& e) {
    return bad_input(fmt::format("{}:{}: {}", file.string(), e.mark.line + 1, e.msg));
  }
  static const std::vector<std::string> kKeys{"schema_version", "platform", "per_iteration", "per_layer",
                                              "per_collective", "per_prefill_iteration",
                                              "tensor_efficiency", "fused_elementwise", "source", "fit"};
  for (const auto& kv : root) {
    const auto key = kv.first.as<std::string>();
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end())
      return bad_input(fmt::format("{}:{}: unknown key '{}'{}", file.string(), kv.first.Mark().line + 1, key,
                                   did_you_mean(key, kKeys)));
  }
  auto dur = [&](const char* key, Seconds& out) -> Status {
    if (!root[key]) return bad_input(fmt::format("{}: missing key '{}'", file.string(), key));
    auto v = parse_duration(root[key].as<std::string>());
    if (!v) return bad_input(fmt::format("{}:{}: key '{}': {}", file.string(), root[key].Mark().line + 1, key,
                                         v.error().message));
    out = *v;
    return {};
  };
  TESSERA_TRY(dur("per_iteration", o.per_iteration));
  TESSERA_TRY(dur("per_layer", o.per_layer));
  TESSERA_TRY(dur("per_collective", o.per_collective));
  if (root["per_prefill_iteration"]) TESSERA_TRY(dur("per_prefill_iteration", o.per_prefill_iteration));
  if (root["fused_elementwise"]) {
    const YAML::Node n = root["fused_elementwise"];
    try {
      o.fused_elementwise = n.as<bool>();
    } catch (const YAML::Exception&) {
      return bad_input(fmt::format("{}:{}: key 'fused_elementwise': '{}' must be true or false", file.string(),
                                   n.Mark().line + 1, n.as<std::string>()));
    }
  }
  if (root["tensor_efficiency"]) {
    const YAML::Node n = root["tensor_efficiency"];
    double v = 0;
    try {
      v = n.as<double>();
    } catch (const YAML::Exception&) {
      v = -1;
    }
    if (!(v > 0 && v <= 1))
      return bad_input(fmt::format("{}:{}: key 'tensor_efficiency': '{}' must be in (0, 1]", file.string(),
                                   n.Mark().line + 1, n.as<std::string>()));
    o.tensor_efficiency = v;
  }
  o.source = root["source"] ? root["source"].as<std::string>() : file.string();
  return o;
}

Status save_platform_overheads(const fs::path& data_dir, const PlatformOverheads& o, std::string_view fit_report) {
  const fs::path file = platform_file(data_dir, o.platform);
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  const fs::path tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp);
    if (!out) return bad_input("cannot write " + tmp.string());
    out << "# Per-platform fixed overheads, fitted by `tessera calibrate --platform " << o.platform << "`.\n"
        << "# Do not edit by hand: rerun the command (it reads data/validation/*.csv).\n"
        << "# fused_elementwise describes the serving stack and is carried over, not fitted\n"
        << "# (docs/models/calibration.md).\n"
        << "schema_version: 1\n"
        << "platform: " << o.platform << "\n"
        << fmt::format("per_iteration: {:.2f} us\n", o.per_iteration.value() * 1e6)
        << fmt::format("per_layer: {:.3f} us\n", o.per_layer.value() * 1e6)
        << fmt::format("per_collective: {:.3f} us\n", o.per_collective.value() * 1e6)
        << fmt::format("per_prefill_iteration: {:.2f} us\n", o.per_prefill_iteration.value() * 1e6)
        << fmt::format("tensor_efficiency: {:.3f}\n", o.tensor_efficiency)
        << "fused_elementwise: " << (o.fused_elementwise ? "true" : "false") << "\n"
        << "source: \"" << o.source << "\"\n"
        << "fit: |\n";
    std::string line;
    for (char c : fit_report) {
      if (c == '\n') { out << "  " << line << "\n"; line.clear(); } else { line += c; }
    }
    if (!line.empty()) out << "  " << line << "\n";
  }
  fs::rename(tmp, file, ec);
  if (ec) return bad_input("cannot write " + file.string() + ": " + ec.message());
  return {};
}

}  // namespace tessera

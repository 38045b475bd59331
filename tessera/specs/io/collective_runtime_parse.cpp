#include "tessera/specs/io/collective_runtime_parse.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tessera/core/did_you_mean.h"

namespace tessera::catalog_detail {

namespace fs = std::filesystem;
using yaml::MapReader;

const std::vector<std::string>& collective_algorithm_names() {
  static const std::vector<std::string> names{"ring", "tree", "direct", "halving-doubling", "hierarchical", "nvls"};
  return names;
}

namespace {

// A plain ratio in (0, 1], written as a number or {value, source|estimate}.
Result<double> read_efficiency(const MapReader& m) {
  YAML::Node at;
  auto text = m.value_text("efficiency", &at);
  if (!text.ok()) return text.error();
  auto v = parse_number(text.value());
  if (!v.ok()) return m.error_at(at, "efficiency", v.error().message);
  if (!(v.value() > 0 && v.value() <= 1)) return m.error_at(at, "efficiency", fmt::format("'{}' is not in (0, 1]", v.value()));
  return v.value();
}

Result<CollectiveProtocol> read_protocol(const std::string& file, const YAML::Node& n, std::string label) {
  auto made = MapReader::make(file, n, label + ".");
  if (!made.ok()) return made.error();
  const MapReader& m = made.value();
  TESSERA_TRY(m.check_keys({"name", "base_latency", "step_latency", "efficiency"}));
  CollectiveProtocol p;
  auto name = m.string("name");
  if (!name.ok()) return name.error();
  p.name = name.value();
  auto base = m.quantity("base_latency", parse_duration);
  if (!base.ok()) return base.error();
  p.base_latency = base.value();
  auto step = m.optional_quantity("step_latency", parse_duration);
  if (!step.ok()) return step.error();
  p.step_latency = step.value();
  auto eff = read_efficiency(m);
  if (!eff.ok()) return eff.error();
  p.efficiency = eff.value();
  return p;
}

Status read_algorithms(const MapReader& m, CollectiveRuntimeSpec& s) {
  const YAML::Node n = m.node("algorithms");
  if (!n.IsSequence() || n.size() == 0) return m.error("algorithms", "expected a non-empty list such as [ring, tree]");
  const auto& known = collective_algorithm_names();
  for (const auto& e : n) {
    const std::string a = e.IsScalar() ? e.Scalar() : "";
    if (std::find(known.begin(), known.end(), a) == known.end())
      return m.error_at(e, "algorithms", fmt::format("'{}' is not one of {}{}", a, fmt::join(known, ", "),
                                                     did_you_mean(a, known)));
    s.algorithms.push_back(a);
  }
  return {};
}

}  // namespace

Result<CollectiveRuntimeSpec> parse_collective_runtime(const yaml::Document& doc) {
  auto made = MapReader::make(doc.file, doc.root);
  if (!made.ok()) return made.error();
  const MapReader& m = made.value();
  TESSERA_TRY(m.check_keys({"schema_version", "name", "runtime", "source", "produced_by", "algorithms", "protocols",
                            "switch_reduction", "onchip_latency", "fit_quality", "note"}));
  TESSERA_TRY(m.schema_version(1));
  CollectiveRuntimeSpec s;
  auto name = m.string("name");
  if (!name.ok()) return name.error();
  s.name = name.value();
  auto source = m.string("source");
  if (!source.ok()) return source.error();
  s.source = source.value();
  TESSERA_TRY(read_algorithms(m, s));
  const YAML::Node protos = m.node("protocols");
  if (!protos.IsSequence() || protos.size() == 0)
    return m.error("protocols", "expected a non-empty list of {name, base_latency, step_latency, efficiency}");
  for (size_t i = 0; i < protos.size(); ++i) {
    auto p = read_protocol(doc.file, protos[i], fmt::format("protocols[{}]", i));
    if (!p.ok()) return p.error();
    s.protocols.push_back(std::move(p.value()));
  }
  if (m.has("switch_reduction")) {
    auto p = read_protocol(doc.file, m.node("switch_reduction"), "switch_reduction");
    if (!p.ok()) return p.error();
    s.switch_reduction = std::move(p.value());
  }
  auto onchip = m.optional_quantity("onchip_latency", parse_duration);
  if (!onchip.ok()) return onchip.error();
  s.onchip_latency = onchip.value().value_or(Seconds(0));
  return s;
}

Result<CollectiveRuntimeSpec> load_collective_runtime(const std::string& system_file, std::string_view ref,
                                                      const YAML::Node& at, const fs::path& data_dir) {
  std::vector<fs::path> tried;
  auto candidate = [&](const fs::path& p) {
    const fs::path n = p.lexically_normal();
    if (std::find(tried.begin(), tried.end(), n) == tried.end()) tried.push_back(n);
  };
  if (fs::path(ref).is_absolute()) {
    candidate(fs::path(ref));
  } else {
    candidate(fs::path(system_file).parent_path() / ref);
    if (!data_dir.empty()) {
      candidate(data_dir / "systems" / ref);
      candidate(data_dir / "fabrics" / fs::path(ref).filename());
    }
  }
  std::error_code ec;
  const auto found = std::find_if(tried.begin(), tried.end(), [&](const fs::path& c) { return fs::is_regular_file(c, ec); });
  if (found == tried.end()) {
    std::vector<std::string> names;
    for (const fs::path& t : tried) names.push_back("'" + t.string() + "'");
    return yaml::error_at(system_file, at, fmt::format("key 'collective_runtime': no file '{}' (tried {})", ref,
                                                       fmt::join(names, ", ")));
  }
  const fs::path p = *found;
  auto doc = yaml::load_file(p, "collective runtime file");
  if (!doc.ok()) return doc.error();
  auto spec = parse_collective_runtime(doc.value());
  if (!spec.ok()) return spec.error();
  if (spec->name != p.stem().string())
    return yaml::error_at(doc->file, doc->root["name"],
                          fmt::format("key 'name': '{}' does not match the file name '{}'", spec->name, p.stem().string()));
  return spec;
}

}  // namespace tessera::catalog_detail

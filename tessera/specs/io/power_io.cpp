#include "tessera/specs/io/power_io.h"

#include <fmt/format.h>

#include "tessera/specs/io/yaml_util.h"

namespace tessera {

namespace {

using yaml::MapReader;

// A plain number with its provenance; must be finite, >= 0 and at most `max`.
Status read_param(const MapReader& m, std::string_view key, double max, double& out, Provenance& from) {
  auto v = m.number(key);
  if (!v.ok()) return v.error();
  if (!(v.value() >= 0) || v.value() > max)
    return m.error(key, fmt::format("'{}' must be in [0, {}]", v.value(), max));
  out = v.value();
  const YAML::Node n = m.node(key);
  if (n.IsMap() && n["estimate"]) {
    from.kind = Provenance::Kind::Estimate;
    from.text = n["estimate"].as<std::string>("");
  } else {
    from.kind = Provenance::Kind::Source;
    if (n.IsMap() && n["source"]) from.text = n["source"].as<std::string>("");
  }
  return {};
}

}  // namespace

std::filesystem::path power_params_path(const std::filesystem::path& data_dir) {
  return data_dir / "power" / "model.yaml";
}

Result<PowerParams> load_power_params(const std::filesystem::path& path) {
  auto doc = yaml::load_file(path, "power model file");
  if (!doc.ok()) return doc.error();
  auto made = MapReader::make(doc->file, doc->root);
  if (!made.ok()) return made.error();
  const MapReader& m = made.value();
  TESSERA_TRY(m.check_keys({"schema_version", "idle_fraction_of_tdp", "hbm_pj_per_bit", "link_pj_per_bit",
                            "host_overhead_fraction", "source"}));
  PowerParams p;
  p.file = (path.parent_path().filename() / path.filename()).string();  // "power/model.yaml"
  TESSERA_TRY(read_param(m, "idle_fraction_of_tdp", 1.0, p.idle_fraction_of_tdp, p.idle_fraction_from));
  TESSERA_TRY(read_param(m, "hbm_pj_per_bit", 1000.0, p.hbm_pj_per_bit, p.hbm_from));
  TESSERA_TRY(read_param(m, "link_pj_per_bit", 1000.0, p.link_pj_per_bit, p.link_from));
  TESSERA_TRY(read_param(m, "host_overhead_fraction", 100.0, p.host_overhead_fraction, p.host_overhead_from));
  return p;
}

}  // namespace tessera

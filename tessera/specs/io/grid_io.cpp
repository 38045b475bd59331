#include "tessera/specs/io/grid_io.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include <yaml-cpp/yaml.h>

#include "tessera/core/did_you_mean.h"
#include "tessera/specs/io/yaml_util.h"

namespace tessera {

namespace {

constexpr const char* kPointsKey = "points";

Status check_key(const std::string& file, const YAML::Node& at, const std::string& key,
                 const std::vector<std::string>& allowed, const std::vector<std::string>& reserved) {
  if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) return {};
  if (std::find(reserved.begin(), reserved.end(), key) != reserved.end())
    return yaml::error_at(file, at, fmt::format("key '{}': an output option of simulate, not sweepable", key));
  return yaml::error_at(file, at,
                        fmt::format("key '{}': not a simulate option{}", key, did_you_mean(key, allowed)));
}

Result<std::string> scalar_value(const std::string& file, const std::string& key, const YAML::Node& v) {
  if (!v.IsScalar() || v.Scalar().empty())
    return yaml::error_at(file, v, fmt::format("key '{}': expected a value or a list of values", key));
  return v.Scalar();
}

Result<GridAxis> parse_axis(const std::string& file, const std::string& key, const YAML::Node& v) {
  GridAxis axis{key, {}};
  if (v.IsSequence()) {
    if (v.size() == 0) return yaml::error_at(file, v, fmt::format("key '{}': the list is empty", key));
    for (const YAML::Node& item : v) {
      auto s = scalar_value(file, key, item);
      if (!s) return s.error();
      axis.values.push_back(*s);
    }
  } else {
    auto s = scalar_value(file, key, v);
    if (!s) return s.error();
    axis.values.push_back(*s);
  }
  return axis;
}

Result<std::vector<GridPoint>> parse_points(const std::string& file, const YAML::Node& v,
                                            const std::vector<std::string>& allowed,
                                            const std::vector<std::string>& reserved) {
  if (!v.IsSequence() || v.size() == 0)
    return yaml::error_at(file, v, "key 'points': expected a non-empty list of maps ({key: value, ...})");
  std::vector<GridPoint> points;
  for (const YAML::Node& item : v) {
    if (!item.IsMap() || item.size() == 0)
      return yaml::error_at(file, item, "key 'points': each entry must be a map of 'key: value'");
    GridPoint p;
    for (const auto& kv : item) {
      const std::string key = kv.first.Scalar();
      TESSERA_TRY(check_key(file, kv.first, key, allowed, reserved));
      auto s = scalar_value(file, "points." + key, kv.second);
      if (!s) return s.error();
      for (const auto& [k, _] : p)
        if (k == key) return yaml::error_at(file, kv.first, fmt::format("key 'points.{}': given twice", key));
      p.emplace_back(key, *s);
    }
    points.push_back(std::move(p));
  }
  return points;
}

}  // namespace

std::vector<std::string> GridSpec::keys() const {
  std::vector<std::string> out;
  for (const GridPoint& p : points)
    for (const auto& [k, _] : p)
      if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
  for (const GridAxis& a : axes) out.push_back(a.key);
  return out;
}

int64_t GridSpec::size() const {
  int64_t n = std::max<int64_t>(1, static_cast<int64_t>(points.size()));
  for (const GridAxis& a : axes) n *= static_cast<int64_t>(a.values.size());
  return n;
}

GridPoint GridSpec::at(int64_t index) const {
  GridPoint out;
  std::vector<size_t> pick(axes.size());
  for (size_t i = axes.size(); i-- > 0;) {
    const auto n = static_cast<int64_t>(axes[i].values.size());
    pick[i] = static_cast<size_t>(index % n);
    index /= n;
  }
  if (!points.empty()) out = points[static_cast<size_t>(index)];
  for (size_t i = 0; i < axes.size(); ++i) out.emplace_back(axes[i].key, axes[i].values[pick[i]]);
  return out;
}

Result<GridSpec> parse_grid(const std::string& file, const std::string& text, const std::vector<std::string>& allowed,
                            const std::vector<std::string>& reserved) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return bad_input(fmt::format("{}:{}: YAML syntax error: {}", file, e.mark.line + 1, e.msg));
  }
  if (!root.IsMap() || root.size() == 0)
    return bad_input(fmt::format("{}:1: expected a map of 'option: value' or 'option: [values]' lines", file));
  GridSpec g;
  g.file = file;
  std::set<std::string> seen;
  for (const auto& kv : root) {
    const std::string key = kv.first.Scalar();
    if (!seen.insert(key).second) return yaml::error_at(file, kv.first, fmt::format("key '{}': given twice", key));
    if (key == kPointsKey) {
      auto p = parse_points(file, kv.second, allowed, reserved);
      if (!p) return p.error();
      g.points = std::move(*p);
      continue;
    }
    TESSERA_TRY(check_key(file, kv.first, key, allowed, reserved));
    auto axis = parse_axis(file, key, kv.second);
    if (!axis) return axis.error();
    g.axes.push_back(std::move(*axis));
  }
  for (const GridPoint& p : g.points)
    for (const auto& [k, _] : p)
      if (seen.count(k))
        return bad_input(fmt::format("{}: key '{}': given both at the top level and in 'points'", file, k));
  int64_t n = std::max<int64_t>(1, static_cast<int64_t>(g.points.size()));
  for (const GridAxis& a : g.axes) {
    if (n > kMaxGridRuns / static_cast<int64_t>(a.values.size()))
      return bad_input(fmt::format("{}: key '{}': the grid exceeds {} runs", file, a.key, kMaxGridRuns));
    n *= static_cast<int64_t>(a.values.size());
  }
  return g;
}

Result<GridSpec> load_grid(const std::filesystem::path& path, const std::vector<std::string>& allowed,
                           const std::vector<std::string>& reserved) {
  auto doc = yaml::load_file(path, "--grid: grid file");
  if (!doc) return doc.error();
  return parse_grid(doc->file, doc->text, allowed, reserved);
}

std::string canonical_key(const GridPoint& point) {
  GridPoint sorted = point;
  std::sort(sorted.begin(), sorted.end());
  std::string out;
  for (const auto& [k, v] : sorted) {
    if (!out.empty()) out += '|';
    out += k + "=";
    for (char c : v) {
      if (c == '|' || c == '\\') out += '\\';
      out += c;
    }
  }
  return out;
}

}  // namespace tessera

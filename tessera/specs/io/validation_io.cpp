#include "tessera/specs/io/validation_io.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <sstream>

#include "tessera/core/did_you_mean.h"

namespace tessera {

namespace fs = std::filesystem;

std::vector<std::string> validation_set_names(const fs::path& data_dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(data_dir / "validation", ec))
    if (e.path().extension() == ".csv") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string did_you_mean_set(const std::string& name, const std::vector<std::string>& names) {
  return did_you_mean(name, names);
}

static std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : line) {
    if (c == ',') { out.push_back(cur); cur.clear(); }
    else if (c != '\r') cur += c;
  }
  out.push_back(cur);
  return out;
}

static Result<double> number(const std::string& file, int row, const std::string& col, const std::string& v) {
  double x = 0;
  const auto* end = v.data() + v.size();
  auto [p, ec] = std::from_chars(v.data(), end, x);
  if (ec != std::errc() || p != end || !(x >= 0))
    return bad_input(fmt::format("{}:row {}: column '{}': '{}' is not a non-negative number", file, row, col, v));
  return x;
}

static void load_thresholds(const fs::path& dir, ValidationSet& set) {
  const fs::path f = dir / "validation" / "threshold.yaml";
  std::error_code ec;
  if (!fs::exists(f, ec)) return;
  try {
    YAML::Node root = YAML::LoadFile(f.string());
    auto read = [&](const YAML::Node& n) {
      if (n["median_abs_error"]) set.threshold_median = n["median_abs_error"].as<double>();
      if (n["max_abs_error"]) set.threshold_max = n["max_abs_error"].as<double>();
    };
    if (root["default"]) read(root["default"]);
    if (root["sets"] && root["sets"][set.name]) read(root["sets"][set.name]);
  } catch (const YAML::Exception&) {
  }
}

Result<ValidationSet> load_validation_set(const fs::path& data_dir, const std::string& name) {
  ValidationSet set;
  set.name = name;
  const fs::path file = data_dir / "validation" / (name + ".csv");
  std::ifstream in(file);
  if (!in) return bad_input(fmt::format("{}: cannot open validation set", file.string()));
  std::string line;
  if (!std::getline(in, line)) return bad_input(fmt::format("{}: empty file", file.string()));
  const std::vector<std::string> header = split_csv(line);
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < header.size(); ++i) col[header[i]] = i;
  for (const char* req : {"model", "hardware", "tp", "batch", "input", "output"})
    if (!col.count(req)) return bad_input(fmt::format("{}: missing column '{}'", file.string(), req));
  int row_no = 1;
  while (std::getline(in, line)) {
    ++row_no;
    if (line.empty() || line[0] == '#') continue;
    const auto f = split_csv(line);
    if (f.size() != header.size())
      return bad_input(fmt::format("{}:row {}: {} columns, header has {}", file.string(), row_no, f.size(), header.size()));
    auto get = [&](const char* c) -> std::string { return col.count(c) ? f[col[c]] : std::string(); };
    ValidationRow r;
    r.model = get("model");
    r.hardware = get("hardware");
    auto num = [&](const char* c) -> Result<double> { return number(file.string(), row_no, c, get(c)); };
    auto opt = [&](const char* c, std::optional<double>& out) -> Status {
      if (get(c).empty()) return {};
      auto v = num(c);
      if (!v) return v.error();
      out = *v;
      return {};
    };
    auto tp = num("tp"); if (!tp) return tp.error();
    auto b = num("batch"); if (!b) return b.error();
    auto i = num("input"); if (!i) return i.error();
    auto o = num("output"); if (!o) return o.error();
    r.tp = static_cast<int>(*tp);
    r.batch = static_cast<int64_t>(*b);
    r.input = static_cast<int64_t>(*i);
    r.output = static_cast<int64_t>(*o);
    if (!get("requests").empty()) {
      auto n = num("requests"); if (!n) return n.error();
      r.requests = static_cast<int64_t>(*n);
    }
    if (!get("weights_dtype").empty()) r.weights_dtype = get("weights_dtype");
    if (!get("kv_dtype").empty()) r.kv_dtype = get("kv_dtype");
    for (int k = 0; k < kValidationMetrics; ++k) TESSERA_TRY(opt(kValidationMetricColumns[k], r.measured[k]));
    r.runtime = get("runtime");
    if (!get("harness").empty()) r.harness = get("harness");
    static const std::vector<std::string> kHarnesses{"closed-loop", "static-batch"};
    if (r.harness != "static-batch" && r.harness != "closed-loop")
      return bad_input(fmt::format("{}:row {}: column 'harness': '{}' is not one of static-batch, closed-loop{}",
                                   file.string(), row_no, r.harness, did_you_mean(r.harness, kHarnesses)));
    if (!get("lnc").empty()) {
      auto l = num("lnc"); if (!l) return l.error();
      r.lnc = static_cast<int>(*l);
    }
    r.label = fmt::format("{} {} tp{} {}{} {}/{}", r.model, r.hardware,
                          r.tp, r.harness == "closed-loop" ? "c" : "b", r.batch, r.input, r.output);
    set.rows.push_back(std::move(r));
  }
  std::ifstream md(data_dir / "validation" / (name + ".md"));
  while (md && std::getline(md, line)) {
    if (!line.empty() && line[0] == '#') { set.description = line.substr(line.find_first_not_of("# ")); break; }
  }
  load_thresholds(data_dir, set);
  return set;
}

}  // namespace tessera

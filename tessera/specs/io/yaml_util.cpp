#include "tessera/specs/io/yaml_util.h"

#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "tessera/core/did_you_mean.h"

namespace tessera::yaml {
namespace {

std::string where(const std::string& file, const YAML::Node& at) {
  const int line = line_of(at);
  return line > 0 ? fmt::format("{}:{}", file, line) : file;
}

bool is_blank(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
  return true;
}

// Drops comment-only lines so that a file of comments counts as empty.
bool only_comments(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const auto p = line.find_first_not_of(" \t\r");
    if (p != std::string::npos && line[p] != '#') return false;
  }
  return true;
}

}  // namespace

int line_of(const YAML::Node& node) {
  if (!node.IsDefined()) return 0;
  const YAML::Mark m = node.Mark();
  return m.is_null() ? 0 : m.line + 1;
}

Error error_at(const std::string& file, const YAML::Node& at, std::string_view msg) {
  return bad_input(fmt::format("{}: {}", where(file, at), msg));
}

Result<Document> load_file(const std::filesystem::path& path, std::string_view what) {
  const std::string file = path.string();
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status))
    return bad_input(fmt::format("{} '{}' does not exist", what, file));
  if (std::filesystem::is_directory(status))
    return bad_input(fmt::format("{} '{}' is a directory, not a YAML file", what, file));
  std::ifstream in(path, std::ios::binary);
  if (!in) return bad_input(fmt::format("{} '{}' cannot be read", what, file));
  std::ostringstream buf;
  buf << in.rdbuf();
  Document doc{file, buf.str(), {}};
  if (is_blank(doc.text) || only_comments(doc.text))
    return bad_input(fmt::format("{} '{}' is empty", what, file));
  try {
    doc.root = YAML::Load(doc.text);
  } catch (const YAML::Exception& e) {
    return bad_input(fmt::format("{}:{}: YAML syntax error: {}", file, e.mark.line + 1, e.msg));
  }
  if (!doc.root.IsMap())
    return bad_input(fmt::format("{}:1: expected a map of 'key: value' lines at the top level", file));
  return doc;
}

Result<MapReader> MapReader::make(std::string file, const YAML::Node& node, std::string prefix) {
  if (!node.IsMap()) {
    std::string key = prefix.empty() ? "" : prefix.substr(0, prefix.size() - 1);
    return yaml::error_at(file, node, fmt::format("key '{}': expected a map of 'key: value' entries", key));
  }
  return MapReader(std::move(file), node, std::move(prefix));
}

Status MapReader::check_keys(std::initializer_list<std::string_view> allowed) const {
  std::vector<std::string> names(allowed.begin(), allowed.end());
  std::set<std::string> seen;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (!it->first.IsScalar())
      return yaml::error_at(file_, it->first, "keys must be plain names");
    const std::string key = it->first.Scalar();
    if (!seen.insert(key).second)
      return yaml::error_at(file_, it->first, fmt::format("duplicate key '{}{}'", prefix_, key));
    bool known = false;
    for (auto a : allowed) known = known || a == key;
    if (!known)
      return yaml::error_at(file_, it->first, fmt::format("unknown key '{}{}'{}", prefix_, key,
                                                          did_you_mean(key, names)));
  }
  return {};
}

bool MapReader::has(std::string_view key) const { return node_[std::string(key)].IsDefined(); }

YAML::Node MapReader::node(std::string_view key) const { return node_[std::string(key)]; }

Error MapReader::error_at(const YAML::Node& at, std::string_view key, std::string_view msg) const {
  return yaml::error_at(file_, at, fmt::format("key '{}{}': {}", prefix_, key, msg));
}

Error MapReader::error(std::string_view key, std::string_view msg) const {
  const YAML::Node at = node(key);
  return error_at(at.IsDefined() ? at : node_, key, msg);
}

Error MapReader::missing(std::string_view key) const {
  return yaml::error_at(file_, node_, fmt::format("missing required key '{}{}'", prefix_, key));
}

Result<std::string> MapReader::scalar(std::string_view key) const {
  const YAML::Node n = node(key);
  if (!n.IsDefined()) return missing(key);
  if (n.IsNull()) return error_at(n, key, "has no value");
  if (!n.IsScalar()) return error_at(n, key, "expected a single value, not a list or map");
  return n.Scalar();
}

Result<std::string> MapReader::string(std::string_view key) const { return scalar(key); }

std::string MapReader::string_or(std::string_view key, std::string fallback) const {
  auto s = scalar(key);
  return s.ok() ? s.value() : fallback;
}

Result<long long> MapReader::count(std::string_view key) const {
  YAML::Node at;
  auto s = value_text(key, &at);
  if (!s.ok()) return s.error();
  auto n = parse_count(s.value());
  if (!n.ok()) return error_at(at, key, n.error().message);
  return n.value();
}

Result<long long> MapReader::count_or(std::string_view key, long long fallback) const {
  if (!has(key)) return fallback;
  return count(key);
}

Status MapReader::schema_version(long long supported) const {
  auto v = count("schema_version");
  if (!v.ok()) return v.error();
  if (v.value() != supported)
    return error("schema_version",
                 fmt::format("unsupported version '{}' (this build reads {})", v.value(), supported));
  return {};
}

Result<double> MapReader::number(std::string_view key) const {
  YAML::Node at;
  auto s = value_text(key, &at);
  if (!s.ok()) return s.error();
  auto n = parse_number(s.value());
  if (!n.ok()) return error_at(at, key, n.error().message);
  return n.value();
}

Result<std::string> MapReader::value_text(std::string_view key, YAML::Node* value_node) const {
  const YAML::Node n = node(key);
  if (!n.IsDefined()) return missing(key);
  return node_value_text(file_, n, prefix_ + std::string(key), value_node);
}

Result<std::string> node_value_text(const std::string& file, const YAML::Node& n,
                                    std::string_view label, YAML::Node* value_node) {
  if (n.IsNull()) return error_at(file, n, fmt::format("key '{}': has no value", label));
  if (n.IsScalar()) {
    if (value_node) *value_node = n;
    return n.Scalar();
  }
  if (!n.IsMap())
    return error_at(file, n, fmt::format("key '{}': expected a value, not a list", label));
  // {value, source, estimate, note}: a number that carries its own provenance.
  auto sub = MapReader::make(file, n, std::string(label) + ".");
  if (!sub.ok()) return sub.error();
  TESSERA_TRY(sub->check_keys({"value", "source", "estimate", "note"}));
  if (!sub->has("source") && !sub->has("estimate"))
    return error_at(file, n, fmt::format("key '{}': a value map needs 'source' or 'estimate' "
                                         "(else write the value alone)", label));
  auto v = sub->string("value");
  if (!v.ok()) return v.error();
  if (value_node) *value_node = sub->node("value");
  return v.value();
}

}  // namespace tessera::yaml

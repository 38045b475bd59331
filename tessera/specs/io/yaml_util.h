// Strict reading of catalog YAML: every key known, every number with its unit,
// every error "file:line: key 'k': message". Internal to specs/io.
#pragma once

#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "tessera/core/status.h"
#include "tessera/specs/io/units.h"

namespace tessera::yaml {

struct Document {
  std::string file;  // as shown in messages
  std::string text;  // raw contents (provenance for `hardware show`)
  YAML::Node root;   // a map
};

// Reads and parses `path`. `what` names the file kind in messages ("hardware file").
// Missing file, a directory, an empty file, a syntax error and a non-map document
// each get their own one-line message.
Result<Document> load_file(const std::filesystem::path& path, std::string_view what);

// 1-based line of a node (0 when yaml-cpp has no mark, e.g. for a missing node).
int line_of(const YAML::Node& node);

// A map node in a file, read key by key. `prefix` qualifies nested keys in
// messages ("neuron_core." -> "key 'neuron_core.sbuf'").
class MapReader {
 public:
  // Fails if `node` is not a map.
  static Result<MapReader> make(std::string file, const YAML::Node& node, std::string prefix = "");

  // Rejects keys outside `allowed` (with "did you mean") and duplicate keys.
  Status check_keys(std::initializer_list<std::string_view> allowed) const;

  bool has(std::string_view key) const;
  YAML::Node node(std::string_view key) const;
  const std::string& file() const { return file_; }

  // "file:line: key 'prefix.key': msg" for the given key's value (or the map when absent).
  Error error(std::string_view key, std::string_view msg) const;
  Error missing(std::string_view key) const;

  Result<std::string> string(std::string_view key) const;                 // required scalar
  std::string string_or(std::string_view key, std::string fallback) const;  // optional scalar
  Result<long long> count(std::string_view key) const;                    // required integer
  Result<long long> count_or(std::string_view key, long long fallback) const;
  Result<double> number(std::string_view key) const;                      // required plain number
  // The required `schema_version`, which must equal `supported`.
  Status schema_version(long long supported) const;

  // The text of a quantity: a scalar ("820 GiB/s"), or a map
  // {value: "...", source: "...", estimate: "...", note: "..."} carrying its provenance.
  // Returns the value text and sets *value_node to the node it came from.
  Result<std::string> value_text(std::string_view key, YAML::Node* value_node = nullptr) const;

  // A required quantity parsed by `parse` (one of units.h); "unknown" is an error.
  template <class Parse>
  auto quantity(std::string_view key, Parse parse) const
      -> Result<std::remove_cvref_t<decltype(parse(std::string_view()).value())>> {
    YAML::Node at;
    auto text = value_text(key, &at);
    if (!text.ok()) return text.error();
    if (is_unknown(text.value()))
      return error_at(at, key, "'unknown' is not allowed here; this field needs a figure");
    auto r = parse(text.value());
    if (!r.ok()) return error_at(at, key, r.error().message);
    return r.value();
  }

  // An optional quantity: absent or "unknown" give an empty optional.
  template <class Parse>
  auto optional_quantity(std::string_view key, Parse parse) const
      -> Result<std::optional<std::remove_cvref_t<decltype(parse(std::string_view()).value())>>> {
    using T = std::remove_cvref_t<decltype(parse(std::string_view()).value())>;
    if (!has(key)) return std::optional<T>{};
    YAML::Node at;
    auto text = value_text(key, &at);
    if (!text.ok()) return text.error();
    auto r = parse_or_unknown(text.value(), parse);
    if (!r.ok()) return error_at(at, key, r.error().message);
    return r.value();
  }

  Error error_at(const YAML::Node& at, std::string_view key, std::string_view msg) const;

 private:
  MapReader(std::string file, YAML::Node node, std::string prefix)
      : file_(std::move(file)), node_(std::move(node)), prefix_(std::move(prefix)) {}
  Result<std::string> scalar(std::string_view key) const;

  std::string file_;
  YAML::Node node_;
  std::string prefix_;
};

// Error for a whole node: "file:line: msg".
Error error_at(const std::string& file, const YAML::Node& at, std::string_view msg);

// The value text of a quantity node that is not under a map key (a list element):
// a scalar, or a {value, source, estimate, note} map. `label` names it in messages.
Result<std::string> node_value_text(const std::string& file, const YAML::Node& n,
                                    std::string_view label, YAML::Node* value_node = nullptr);

}  // namespace tessera::yaml

#include "tessera/specs/io/catalog.h"

#include "tessera/specs/io/runtime_io.h"
#include "tessera/specs/io/graph_io.h"

#include <cstdlib>

#include <fmt/format.h>

#include "tessera/core/did_you_mean.h"
#include "tessera/specs/io/catalog_parse.h"
#include "tessera/specs/io/hf_config.h"
#include "tessera/specs/io/yaml_util.h"

#ifndef TESSERA_DEFAULT_DATA_DIR
#define TESSERA_DEFAULT_DATA_DIR "data"
#endif

namespace tessera {
namespace fs = std::filesystem;
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool looks_like_yaml_path(std::string_view s) {
  return s.find('/') != std::string_view::npos || ends_with(s, ".yaml") || ends_with(s, ".yml");
}

bool looks_like_json_path(std::string_view s) {
  return s.find('/') != std::string_view::npos || ends_with(s, ".json");
}

// Files data_dir/sub/*<ext>, keyed by stem.
Result<std::map<std::string, fs::path, std::less<>>> index_folder(const fs::path& dir,
                                                                  std::string_view ext,
                                                                  bool required) {
  std::map<std::string, fs::path, std::less<>> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    if (!required) return out;
    return bad_input(fmt::format("data directory '{}' has no {}/ folder", dir.parent_path().string(),
                                 dir.filename().string()));
  }
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ext) continue;
    if (!entry.is_regular_file(ec) && !entry.is_symlink(ec)) continue;
    out.emplace(entry.path().stem().string(), entry.path());
  }
  if (ec) return bad_input(fmt::format("cannot list '{}': {}", dir.string(), ec.message()));
  return out;
}

std::vector<std::string> keys_of(const std::map<std::string, fs::path, std::less<>>& index) {
  std::vector<std::string> out;
  out.reserve(index.size());
  for (const auto& [name, path] : index) out.push_back(name);
  return out;
}

Error unknown_name(std::string_view what, std::string_view name, const std::vector<std::string>& known) {
  std::string hint = did_you_mean(name, known);
  if (hint.empty()) hint = fmt::format(" (known: {})", fmt::join(known, ", "));
  return bad_input(fmt::format("unknown {} '{}'{}", what, name, hint));
}

Status check_name_matches(const yaml::Document& doc, const std::string& name,
                          std::string_view expect) {
  if (expect.empty() || name == expect) return {};
  return yaml::error_at(doc.file, doc.root["name"],
                        fmt::format("key 'name': '{}' does not match the file name '{}'", name, expect));
}

}  // namespace

fs::path Catalog::default_data_dir() {
  const char* env = std::getenv("TESSERA_DATA_DIR");
  if (env != nullptr && *env != '\0') return fs::path(env);
  return fs::path(TESSERA_DEFAULT_DATA_DIR);
}

Result<Catalog> Catalog::open(const fs::path& data_dir) {
  std::error_code ec;
  if (!fs::exists(data_dir, ec))
    return bad_input(fmt::format("data directory '{}' does not exist (set TESSERA_DATA_DIR)",
                                 data_dir.string()));
  if (!fs::is_directory(data_dir, ec))
    return bad_input(fmt::format("data directory '{}' is not a directory", data_dir.string()));
  Catalog c;
  c.data_dir_ = data_dir;
  auto chips = index_folder(data_dir / "chips", ".yaml", true);
  if (!chips.ok()) return chips.error();
  auto systems = index_folder(data_dir / "systems", ".yaml", true);
  if (!systems.ok()) return systems.error();
  auto models = index_folder(data_dir / "models", ".json", false);
  if (!models.ok()) return models.error();
  auto runtimes = index_folder(data_dir / "runtimes", ".yaml", false);
  if (!runtimes.ok()) return runtimes.error();
  c.runtimes_ = std::move(runtimes.value());
  c.chips_ = std::move(chips.value());
  c.systems_ = std::move(systems.value());
  c.models_ = std::move(models.value());
  return c;
}

std::vector<std::string> Catalog::chip_names() const { return keys_of(chips_); }
std::vector<std::string> Catalog::system_names() const { return keys_of(systems_); }
std::vector<std::string> Catalog::model_names() const { return keys_of(models_); }
std::vector<std::string> Catalog::runtime_names() const { return keys_of(runtimes_); }

Result<RuntimeProfile> Catalog::runtime(std::string_view name) const {
  auto it = runtimes_.find(name);
  if (it == runtimes_.end()) return unknown_name("runtime", name, runtime_names());
  return load_runtime_profile(it->second, data_dir_);
}

Result<RuntimeProfile> Catalog::runtime_for(std::string_view name, const ChipSpec& chip) const {
  if (name.empty() && runtimes_.empty()) {
    // A data directory without runtimes/ (a minimal or test catalog): the built-in
    // serving defaults and no fixed costs, named so the output says what ran.
    RuntimeProfile p;
    p.name = "builtin";
    p.display_name = "built-in defaults (no data/runtimes)";
    p.platforms = {chip.platform};
    p.costs.platform = p.name;
    p.costs.source = "none (no runtimes/ folder in " + data_dir_.string() + ")";
    p.source = p.costs.source;
    return p;
  }
  if (name.empty()) {
    std::vector<std::string> defaults;
    for (const auto& [n, path] : runtimes_) {
      auto p = load_runtime_profile(path, data_dir_);
      if (!p.ok()) return p.error();
      if (std::find(p->default_for.begin(), p->default_for.end(), chip.platform) != p->default_for.end())
        defaults.push_back(n);
    }
    if (defaults.size() != 1)
      return bad_input(fmt::format("{}/runtimes: {} runtimes are the default for platform '{}' ({}); exactly one "
                                   "must say `default_for: [{}]`",
                                   data_dir_.string(), defaults.size(), chip.platform, fmt::join(defaults, ", "),
                                   chip.platform));
    name = defaults.front();
    auto p = runtime(name);
    return p;
  }
  auto p = runtime(name);
  if (!p.ok()) return p.error();
  if (std::find(p->platforms.begin(), p->platforms.end(), chip.platform) == p->platforms.end()) {
    std::vector<std::string> fits = runtimes_on(chip.platform);
    return bad_input(fmt::format("--runtime: '{}' does not run on {} ({} platform); runtimes there: {}", name,
                                 chip.name, chip.platform, fmt::join(fits, ", ")));
  }
  return p;
}

std::vector<std::string> Catalog::runtimes_on(std::string_view platform) const {
  std::vector<std::string> out;
  for (const auto& [n, path] : runtimes_) {
    auto p = load_runtime_profile(path, data_dir_);
    if (p.ok() && std::find(p->platforms.begin(), p->platforms.end(), platform) != p->platforms.end())
      out.push_back(n);
  }
  return out;
}

Result<ChipSpec> Catalog::chip_from_file(const fs::path& path, std::string_view expect_name) const {
  auto doc = yaml::load_file(path, "chip file");
  if (!doc.ok()) return doc.error();
  auto chip = catalog_detail::parse_chip(doc.value());
  if (!chip.ok()) return chip.error();
  TESSERA_TRY(check_name_matches(doc.value(), chip->name, expect_name));
  return chip;
}

Result<ChipSpec> Catalog::chip(std::string_view name) const {
  auto it = chips_.find(name);
  if (it == chips_.end()) return unknown_name("chip", name, chip_names());
  return chip_from_file(it->second, name);
}

Result<SystemSpec> Catalog::system_from_file(const fs::path& path,
                                             std::string_view expect_name) const {
  auto doc = yaml::load_file(path, "hardware file");
  if (!doc.ok()) return doc.error();
  const std::string file = doc->file;
  const fs::path dir = path.parent_path();
  auto resolve = [&](std::string_view chip_name, const YAML::Node& at) -> Result<ChipSpec> {
    if (looks_like_yaml_path(chip_name)) {
      const fs::path p = fs::path(chip_name).is_absolute() ? fs::path(chip_name) : dir / chip_name;
      return chip_from_file(p, "");
    }
    auto found = chips_.find(chip_name);
    if (found == chips_.end()) {
      const Error e = unknown_name("chip", chip_name, chip_names());
      return yaml::error_at(file, at, "key 'chip': " + e.message);
    }
    return chip_from_file(found->second, chip_name);
  };
  auto sys = catalog_detail::parse_system(doc.value(), resolve, data_dir_);
  if (!sys.ok()) return sys.error();
  TESSERA_TRY(check_name_matches(doc.value(), sys->name, expect_name));
  return sys;
}

Result<SystemSpec> Catalog::system(std::string_view name_or_path) const {
  if (auto it = systems_.find(name_or_path); it != systems_.end())
    return system_from_file(it->second, name_or_path);
  if (looks_like_yaml_path(name_or_path)) return system_from_file(fs::path(name_or_path), "");
  return unknown_name("hardware", name_or_path, system_names());
}

Result<ModelSpec> Catalog::model(std::string_view name_or_path) const {
  if (auto it = models_.find(name_or_path); it != models_.end())
    return load_hf_config(it->second, std::string(name_or_path));
  if (looks_like_graph_path(name_or_path)) {  // an operator graph: "llama.graph.json" is named "llama"
    const fs::path p(name_or_path);
    std::string stem = p.stem().string();
    return load_graph_model(p, stem.substr(0, stem.size() - std::string_view(".graph").size()));
  }
  if (looks_like_json_path(name_or_path)) {
    fs::path p(name_or_path);
    std::error_code ec;
    // A Hugging Face snapshot folder holds its config.json; name the model after the folder.
    if (fs::is_directory(p, ec)) {
      const std::string name = p.has_filename() ? p.filename().string() : p.parent_path().filename().string();
      return load_hf_config(p / "config.json", name);
    }
    // ".../Llama-2-70b-hf/config.json" is named after its folder, "llama-x.json" after its stem.
    const bool generic = p.filename() == "config.json" && p.parent_path().has_filename();
    return load_hf_config(p, generic ? p.parent_path().filename().string() : p.stem().string());
  }
  return unknown_name("model", name_or_path, model_names());
}

Result<std::string> Catalog::system_source_text(std::string_view name) const {
  auto it = systems_.find(name);
  if (it == systems_.end()) return unknown_name("hardware", name, system_names());
  auto doc = yaml::load_file(it->second, "hardware file");
  if (!doc.ok()) return doc.error();
  return doc->text;
}

Result<std::string> Catalog::chip_source_text(std::string_view name) const {
  auto it = chips_.find(name);
  if (it == chips_.end()) return unknown_name("chip", name, chip_names());
  auto doc = yaml::load_file(it->second, "chip file");
  if (!doc.ok()) return doc.error();
  return doc->text;
}

Status Catalog::check_all() const {
  for (const auto& [name, path] : chips_) TESSERA_TRY(chip(name));
  for (const auto& [name, path] : systems_) TESSERA_TRY(system(name));
  for (const auto& [name, path] : models_) TESSERA_TRY(model(name));
  return {};
}

}  // namespace tessera

// The catalog: chips (data/chips/*.yaml), systems (data/systems/*.yaml) and models
// (data/models/*.json) looked up by name. The schema is documented in data/README.md.
// Entries are parsed on each lookup: lookups happen once per run, not in a hot loop.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/status.h"
#include "tessera/specs/hardware.h"
#include "tessera/specs/runtime.h"
#include "tessera/specs/model.h"

namespace tessera {

// A system's fabric as the YAML writes it: "switch 8", "torus2d 4x4", "two-level-switch 4x18".
std::string topology_text(const SystemSpec& system);

class Catalog {
 public:
  // $TESSERA_DATA_DIR if set and non-empty, else the compiled-in TESSERA_DEFAULT_DATA_DIR.
  static std::filesystem::path default_data_dir();
  // Indexes data_dir/{chips,systems,models}; fails if data_dir or chips/ or systems/ is missing.
  static Result<Catalog> open(const std::filesystem::path& data_dir);

  Result<ChipSpec> chip(std::string_view name) const;
  // A catalog name, or a path to a .yaml/.yml file (anything containing '/' or ending in .yaml).
  // A file's `chip:` is a catalog chip name or a .yaml path relative to that file.
  Result<SystemSpec> system(std::string_view name_or_path) const;
  // A catalog name, or a path to a Hugging Face config.json (or a folder holding one).
  Result<ModelSpec> model(std::string_view name_or_path) const;

  std::vector<std::string> chip_names() const;  // sorted
  std::vector<std::string> system_names() const;
  std::vector<std::string> model_names() const;
  std::vector<std::string> runtime_names() const;  // data_dir/runtimes/*.yaml

  // A runtime profile by name (data/runtimes/NAME.yaml with its fitted costs).
  Result<RuntimeProfile> runtime(std::string_view name) const;
  // `name` on `chip`: "" = the chip platform's default runtime; a runtime that does not
  // run on the chip's platform is bad input naming the runtimes that do.
  Result<RuntimeProfile> runtime_for(std::string_view name, const ChipSpec& chip) const;
  std::vector<std::string> runtimes_on(std::string_view platform) const;

  // Raw YAML text of an entry, comments and all: provenance for `tessera hardware show`.
  Result<std::string> system_source_text(std::string_view name) const;
  Result<std::string> chip_source_text(std::string_view name) const;

  // Loads every entry; the first error, if any (for `tessera catalog check` and tests).
  Status check_all() const;

  const std::filesystem::path& data_dir() const { return data_dir_; }

 private:
  using Index = std::map<std::string, std::filesystem::path, std::less<>>;  // sorted by name
  Result<ChipSpec> chip_from_file(const std::filesystem::path& path, std::string_view expect_name) const;
  Result<SystemSpec> system_from_file(const std::filesystem::path& path,
                                      std::string_view expect_name) const;

  std::filesystem::path data_dir_;
  Index chips_;
  Index systems_;
  Index models_;
  Index runtimes_;
};

}  // namespace tessera

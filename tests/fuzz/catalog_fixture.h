// A scratch data directory for the catalog YAML targets: chips/ holds links to the
// shipped chip files (so a fuzzed system can name them) plus the fuzzed file.
#pragma once

#include "tessera/specs/io/catalog.h"
#include "tests/fuzz/fuzz_util.h"

#ifndef TESSERA_SOURCE_DIR
#define TESSERA_SOURCE_DIR "."
#endif

namespace tessera::fuzz {

inline const Catalog& fixture_catalog() {
  static const Catalog catalog = [] {
    namespace fs = std::filesystem;
    const fs::path root = scratch_dir() / "data";
    fs::create_directories(root / "chips");
    fs::create_directories(root / "systems");
    for (const auto& e : fs::directory_iterator(fs::path(TESSERA_SOURCE_DIR) / "data" / "chips")) {
      if (e.path().extension() == ".yaml") fs::create_symlink(fs::absolute(e.path()), root / "chips" / e.path().filename());
    }
    write_file(root / "chips" / "fuzz.yaml", nullptr, 0);
    auto c = Catalog::open(root);
    TESSERA_FUZZ_CHECK(c.ok());
    return std::move(c.value());
  }();
  return catalog;
}

}  // namespace tessera::fuzz

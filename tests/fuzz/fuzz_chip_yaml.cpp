// Chip YAML (data/chips/*.yaml): the whole load path, file reading included.
#include "tests/fuzz/catalog_fixture.h"

using namespace tessera;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Catalog& catalog = fuzz::fixture_catalog();
  fuzz::write_file(catalog.data_dir() / "chips" / "fuzz.yaml", data, size);
  auto chip = catalog.chip("fuzz");
  if (!chip.ok()) TESSERA_FUZZ_CHECK(!chip.error().message.empty());
  return 0;
}

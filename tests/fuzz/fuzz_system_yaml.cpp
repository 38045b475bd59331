// Hardware (system) YAML (data/systems/*.yaml), loaded by path as `--hardware FILE`
// does; its `chip:` resolves against the shipped chips.
#include "tests/fuzz/catalog_fixture.h"

using namespace tessera;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Catalog& catalog = fuzz::fixture_catalog();
  const auto path = catalog.data_dir() / "systems" / "fuzz.yaml";
  fuzz::write_file(path, data, size);
  auto sys = catalog.system(path.string());
  if (!sys.ok()) TESSERA_FUZZ_CHECK(!sys.error().message.empty());
  return 0;
}

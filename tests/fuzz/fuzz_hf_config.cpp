// Hugging Face config.json -> ModelSpec, from memory.
#include <string>
#include <string_view>

#include "tessera/specs/io/hf_config.h"
#include "tests/fuzz/fuzz_util.h"

using namespace tessera;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto m = parse_hf_config(text, "fuzz/config.json", "fuzz");
  if (!m.ok()) TESSERA_FUZZ_CHECK(!m.error().message.empty());
  return 0;
}

// Mooncake JSONL traces (and header detection: the input is the whole file).
#include "tests/fuzz/trace_check.h"

using namespace tessera;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = fuzz::scratch_dir() / "trace.jsonl";
  fuzz::write_file(path, data, size);
  fuzz::stream_trace(path);
  return 0;
}

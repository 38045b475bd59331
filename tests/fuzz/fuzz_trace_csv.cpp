// Trace CSV (Azure LLM 2023 and generic). The input's first byte picks the header,
// which is prepended, so the fuzzer spends its time on rows.
#include <string>

#include "tests/fuzz/trace_check.h"

using namespace tessera;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string header = (data[0] & 1) != 0 ? "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                                                 : "arrival_s,input_tokens,output_tokens\n";
  std::string text = header;
  text.append(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto path = fuzz::scratch_dir() / "trace.csv";
  fuzz::write_file(path, reinterpret_cast<const uint8_t*>(text.data()), text.size());
  fuzz::stream_trace(path);
  return 0;
}

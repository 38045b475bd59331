// Shared by the trace targets: write the input as a trace file, stream it, and check
// what the reader hands the simulator.
#pragma once

#include "tessera/specs/io/trace_reader.h"
#include "tests/fuzz/fuzz_util.h"

namespace tessera::fuzz {

inline void stream_trace(const std::filesystem::path& path) {
  auto src = open_trace(path, /*rate_scale=*/2.0, /*limit=*/0);
  if (!src.ok()) {
    TESSERA_FUZZ_CHECK(!src.error().message.empty());
    return;
  }
  double prev = 0;
  while (auto a = src.value()->next()) {
    TESSERA_FUZZ_CHECK(std::isfinite(a->arrival_s) && a->arrival_s >= prev);  // time monotone
    TESSERA_FUZZ_CHECK(a->input_tokens >= 1 && a->output_tokens >= 1);
    prev = a->arrival_s;
  }
  TESSERA_FUZZ_CHECK(one_line(src.value()->error()) || src.value()->error().empty());
}

}  // namespace tessera::fuzz

// --workload SPEC strings. An accepted spec must describe a workload the simulator
// can run: positive counts, finite rates, length ranges that are not empty.
#include <string_view>

#include "tessera/specs/io/workload_parse.h"
#include "tests/fuzz/fuzz_util.h"

using namespace tessera;

namespace {

void check_dist(const LengthDist& d) {
  TESSERA_FUZZ_CHECK(std::isfinite(d.a) && std::isfinite(d.b));
  TESSERA_FUZZ_CHECK(d.min >= 1 && d.min <= d.max);
  if (d.kind == LengthDist::Kind::Constant) TESSERA_FUZZ_CHECK(d.a >= 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto w = parse_workload(text);
  if (!w.ok()) return 0;
  const WorkloadSpec& s = w.value();
  TESSERA_FUZZ_CHECK(s.size >= 1 && s.rounds >= 1 && s.concurrency >= 1 && s.n >= 0 && s.limit >= 0);
  TESSERA_FUZZ_CHECK(fuzz::finite_nonneg(s.rate) && std::isfinite(s.rate_scale) && s.rate_scale > 0);
  TESSERA_FUZZ_CHECK(s.shared_prefix >= 0);
  if (s.kind == WorkloadKind::Poisson) TESSERA_FUZZ_CHECK(s.rate > 0);
  if (s.kind != WorkloadKind::Trace) {
    check_dist(s.input);
    check_dist(s.output);
  }
  return 0;
}

// Unit strings ("820 GB/s", "2GW", "64MiB"): every parser of specs/io/units.h on the
// same input. A parse that succeeds must give a finite, non-negative figure.
#include <string_view>

#include "tessera/specs/io/units.h"
#include "tests/fuzz/fuzz_util.h"

using namespace tessera;

namespace {

template <class R>
void check_quantity(const R& r) {
  if (r.ok()) TESSERA_FUZZ_CHECK(fuzz::finite_nonneg(r.value().value()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_quantity(parse_bytes(text));
  check_quantity(parse_bandwidth(text));
  check_quantity(parse_flops_rate(text));
  check_quantity(parse_power(text));
  check_quantity(parse_frequency(text));
  check_quantity(parse_duration(text));
  check_quantity(parse_usd_per_hour(text));
  check_quantity(parse_size(text));
  if (auto n = parse_number(text); n.ok()) TESSERA_FUZZ_CHECK(fuzz::finite_nonneg(n.value()));
  if (auto c = parse_count(text); c.ok()) TESSERA_FUZZ_CHECK(c.value() >= 0);
  auto u = parse_or_unknown(text, parse_power);
  TESSERA_FUZZ_CHECK(!is_unknown(text) || (u.ok() && !u.value().has_value()));
  return 0;
}

#include "tessera/specs/slo.h"

#include <fmt/format.h>

namespace tessera {

std::string slo_text(const SloTargets& slo) {
  std::string s;
  if (slo.ttft_p99_s) s += fmt::format("TTFT p99 <= {:g} s", *slo.ttft_p99_s);
  if (slo.tpot_p99_s) s += fmt::format("{}TPOT p99 <= {:g} s", s.empty() ? "" : ", ", *slo.tpot_p99_s);
  return s.empty() ? "none" : s;
}

}  // namespace tessera

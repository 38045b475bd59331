// Service-level objectives a run is judged against.
#pragma once

#include <optional>
#include <string>

namespace tessera {

struct SloTargets {
  std::optional<double> ttft_p99_s;
  std::optional<double> tpot_p99_s;
};

// "TTFT p99 <= 2 s, TPOT p99 <= 0.1 s", or "none".
std::string slo_text(const SloTargets& slo);

}  // namespace tessera

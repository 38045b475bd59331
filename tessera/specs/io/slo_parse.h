// The --slo flag: "ttft_p99=2s,tpot_p99=100ms".
#pragma once

#include <string_view>

#include "tessera/core/status.h"
#include "tessera/specs/slo.h"

namespace tessera {

// Empty text = no targets. Each value is a positive duration with its unit.
Result<SloTargets> parse_slo(std::string_view text);

}  // namespace tessera

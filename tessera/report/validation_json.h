// `tessera validate --json`: one object per validation set, every row's measured,
// predicted and relative error per metric, the per-metric summary and the gate.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "tessera/planner/validation.h"

namespace tessera {

nlohmann::ordered_json validation_json(const std::vector<ValidationSetResult>& sets);

}  // namespace tessera

// Software-stack fixed costs that dominate small batches: one set per platform
// (the Neuron runtime; a TensorRT-LLM-class GPU stack), never per model. Fitted
// to published end-to-end rows by `tessera calibrate` (data/calibration/platform/).
#pragma once

#include <string>

#include "tessera/core/units.h"

namespace tessera {

struct PlatformOverheads {
  std::string platform;             // "neuron" | "nvidia"
  Seconds per_iteration{0};         // scheduler, sampling, host->device launch per step
  Seconds per_layer{0};             // per decoder layer per step (kernel launches, sync)
  Seconds per_collective{0};        // fixed cost of one collective call beyond the wire model
  std::string source;               // how the values were produced
};

}  // namespace tessera

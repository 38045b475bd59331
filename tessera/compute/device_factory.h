// Chooses the cost model for a rank: the engine-level NeuronCore model on Neuron
// chips, the calibrated model on NVIDIA, or the plain roofline.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/compute/device_model.h"
#include "tessera/core/status.h"

namespace tessera {

enum class Fidelity {
  Auto,      // engine on Neuron, fitted on NVIDIA (roofline where neither applies)
  Roofline,  // peak-rate roofline, no efficiency losses: an upper bound on speed
  Engine,    // engine-level NeuronCore model (Neuron chips only)
  Fitted,    // efficiency curves fitted to measured kernel tables (NVIDIA)
  Measured,  // interpolate the committed measured tables (chips that have them)
};

std::optional<Fidelity> parse_fidelity(std::string_view s);
std::string_view fidelity_name(Fidelity f);
const std::vector<std::string>& fidelity_names();  // for "did you mean" suggestions
// parse_fidelity for an option the user gave: bad input "<flag>: unknown 'x' (did you mean ...)".
Result<Fidelity> fidelity_option(std::string_view flag, const std::string& text);

struct NvidiaComputeFit;    // specs/calibration.h
struct NvidiaKernelTables;  // specs/kernel_tables.h

// `fit` may be null (no calibration for this chip): Fitted then falls back to the
// generic parameters inside the fit file chosen by the caller, or errors.
// `tensor_efficiency` < 1 derates matrix-engine work (a platform's fitted compiler
// efficiency, see tensor_efficiency.h). Measured needs both `fit` (its fallback outside the
// tables) and `tables`, the chip's measured kernel tables (the caller loads them and reports
// a chip without tables); the model keeps no reference to either.
Result<std::shared_ptr<const DeviceModel>> make_device_model(const RankResources& rank, Fidelity fidelity,
                                                             const NvidiaComputeFit* fit,
                                                             double tensor_efficiency = 1.0,
                                                             const NvidiaKernelTables* tables = nullptr);

}  // namespace tessera

// Runs the bundled validation sets through the simulator and fits the
// per-platform fixed overheads to them (`tessera validate`, `tessera calibrate`).
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tessera/compute/device_factory.h"
#include "tessera/core/status.h"
#include "tessera/specs/io/validation_io.h"
#include "tessera/specs/platform.h"
#include "tessera/specs/runtime.h"

namespace tessera {

// The metrics of kValidationMetricColumns (specs/io/validation_io.h), in that order.
using ValidationMetrics = MetricValues;

struct ValidationRowResult {
  std::string label;
  std::string runtime;                           // the profile the row ran under
  ValidationMetrics measured, predicted, error;  // error: (predicted - measured) / measured
};

struct MetricErrorSummary {
  std::string metric;
  double median_abs = 0, max_abs = 0;
  int count = 0;
};

struct ValidationSetResult {
  std::string name, description;
  std::vector<ValidationRowResult> rows;
  std::vector<MetricErrorSummary> metrics;
  double median_abs = 0, max_abs = 0;   // over every metric of every row
  double threshold_median = 0, threshold_max = 0;
  bool median_within_target = false;  // every metric's median |error| within threshold_median
  bool max_within_target = false;     // every metric's max |error| within threshold_max
  bool passed = false;                // both (`validate --check`)
};

// The simulation request that reproduces a row's benchmark conditions.
struct SimulationRequest;
SimulationRequest validation_request(const ValidationRow& row, const std::filesystem::path& data_dir);

// `fidelity` picks the compute model for every row (`tessera validate --fidelity`).
Result<ValidationSetResult> run_validation_set(const std::filesystem::path& data_dir, const std::string& name,
                                               const PlatformOverheads* overheads = nullptr,
                                               Fidelity fidelity = Fidelity::Auto, const std::string& runtime = "");

// `tessera validate [--set NAME] [--fidelity F]` as a library call: every bundled set (or the
// one named), with the options as the user typed them; bad input names the flag, with
// "did you mean". The CLI and `tessera.validate` both call it.
// `runtime` non-empty keeps only the rows measured with that runtime (`validate --runtime`).
Result<std::vector<ValidationSetResult>> run_validation(const std::filesystem::path& data_dir, const std::string& set,
                                                        const std::string& fidelity, const std::string& runtime = "");

// min sum_r |A_r x - b_r| subject to x >= 0 (IRLS over exact active-set solves).
// per_iteration, per_layer, per_collective, per_prefill_iteration, per_sequence
constexpr int kOverheadParams = 5;
using OverheadRow = std::array<double, kOverheadParams>;
std::array<double, kOverheadParams> nnls_l1(const std::vector<OverheadRow>& A, const std::vector<double>& b);

struct OverheadFit {
  PlatformOverheads overheads;
  std::string report;   // fit quality, human-readable
};

// Least-squares fit (non-negative) of per-iteration, per-layer and per-collective
// costs over every row of every set measured with `runtime` (the row's runtime
// column, or its platform's default runtime). The
// predictions are affine in the overheads (each adds to every iteration), so the
// fit is exact linear least squares on relative errors of TTFT, TPOT and run time.
Result<OverheadFit> fit_runtime_costs(const std::filesystem::path& data_dir, const std::string& runtime);

}  // namespace tessera

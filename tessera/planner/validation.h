// Runs the bundled validation sets through the simulator and fits the
// per-platform fixed overheads to them (`tessera validate`, `tessera calibrate`).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tessera/core/status.h"
#include "tessera/specs/io/validation_io.h"
#include "tessera/specs/platform.h"

namespace tessera {

struct ValidationMetrics {
  std::optional<double> throughput;  // output tokens/s
  std::optional<double> ttft_ms;     // p50
  std::optional<double> tpot_ms;     // p50
};

struct ValidationRowResult {
  std::string label;
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
  bool passed = false;
};

// The simulation request that reproduces a row's benchmark conditions.
struct SimulationRequest;
SimulationRequest validation_request(const ValidationRow& row, const std::filesystem::path& data_dir);

Result<ValidationSetResult> run_validation_set(const std::filesystem::path& data_dir, const std::string& name,
                                               const PlatformOverheads* overheads = nullptr);

struct OverheadFit {
  PlatformOverheads overheads;
  std::string report;   // fit quality, human-readable
};

// Least-squares fit (non-negative) of per-iteration, per-layer and per-collective
// costs over every row of every set whose hardware is of `platform`. The
// predictions are affine in the overheads (each adds to every iteration), so the
// fit is exact linear least squares on relative errors of TTFT, TPOT and run time.
Result<OverheadFit> fit_platform_overheads(const std::filesystem::path& data_dir, const std::string& platform);

}  // namespace tessera

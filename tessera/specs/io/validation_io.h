// Bundled validation sets: data/validation/<set>.csv (published end-to-end
// measurements with their exact conditions) and data/validation/threshold.yaml.
#pragma once

#include <filesystem>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "tessera/core/status.h"

namespace tessera {

// The measured metrics a row may carry, in this order everywhere (CSV column names).
// Definitions as the benchmarks compute them (docs/models/serving.md, "Metrics"):
// output tokens per second of the whole instance; TTFT and per-request TPOT =
// (E2E - TTFT) / (output - 1) as p50 or mean over requests; ITL mean over gaps.
inline constexpr int kValidationMetrics = 6;
inline constexpr std::array<const char*, kValidationMetrics> kValidationMetricColumns{
    "output_tok_s", "ttft_p50_ms", "tpot_p50_ms", "ttft_mean_ms", "tpot_mean_ms", "itl_mean_ms"};
using MetricValues = std::array<std::optional<double>, kValidationMetrics>;

struct ValidationRow {
  std::string model, hardware;
  // The serving runtime the row was measured with (data/runtimes); "" = the platform's
  // default. Fits use only the rows of their own runtime.
  std::string runtime;
  // How the benchmark loads the server: "static-batch" (all `batch` requests at t=0, as
  // vendor benchmarks), "closed-loop" (`batch` concurrent clients each sending its next
  // request when the last completes: benchmark_serving --max-concurrency, genai-perf,
  // trtllm-bench's concurrency mode), for `requests` requests in all.
  std::string harness = "static-batch";
  int lnc = 0;                 // 0 = the system's default
  int tp = 1;
  int64_t batch = 1;           // concurrent requests (static batch) or max batch
  int64_t requests = 0;        // requests in the run (0 = batch)
  int64_t input = 0, output = 0;
  std::string weights_dtype = "bf16";
  std::string kv_dtype = "bf16";
  std::string label;           // short human label
  MetricValues measured;
};

struct ValidationSet {
  std::string name;
  std::string description;     // first line of the sibling <set>.md, if any
  std::vector<ValidationRow> rows;
  double threshold_median = 0.10;  // |relative error|
  double threshold_max = 0.25;
};

std::vector<std::string> validation_set_names(const std::filesystem::path& data_dir);
Result<ValidationSet> load_validation_set(const std::filesystem::path& data_dir, const std::string& name);
std::string did_you_mean_set(const std::string& name, const std::vector<std::string>& names);

}  // namespace tessera

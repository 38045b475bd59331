// Bundled validation sets: data/validation/<set>.csv (published end-to-end
// measurements with their exact conditions) and data/validation/threshold.yaml.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tessera/core/status.h"

namespace tessera {

struct ValidationRow {
  std::string model, hardware;
  int tp = 1;
  int64_t batch = 1;           // concurrent requests (static batch) or max batch
  int64_t requests = 0;        // requests in the run (0 = batch)
  int64_t input = 0, output = 0;
  std::string weights_dtype = "bf16";
  std::string kv_dtype = "bf16";
  std::string label;           // short human label
  std::optional<double> output_tok_s, ttft_p50_ms, tpot_p50_ms;
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

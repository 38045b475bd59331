#include "tessera/report/validation_json.h"

#include <optional>

namespace tessera {

namespace {

using ojson = nlohmann::ordered_json;

ojson set_json(const ValidationSetResult& r) {
  auto o = [](std::optional<double> v) { return v ? ojson(*v) : ojson(nullptr); };
  ojson rows = ojson::array();
  // Only the metrics the row measured, keyed by their CSV column names.
  auto three = [&](const ValidationMetrics& m) {
    ojson j = ojson::object();
    for (int k = 0; k < kValidationMetrics; ++k)
      if (m[k]) j[kValidationMetricColumns[k]] = o(m[k]);
    return j;
  };
  for (const auto& row : r.rows)
    rows.push_back(ojson{{"label", row.label},
                         {"runtime", row.runtime},
                         {"measured", three(row.measured)},
                         {"predicted", three(row.predicted)},
                         {"error", three(row.error)}});
  ojson metrics = ojson::array();
  for (const auto& m : r.metrics)
    metrics.push_back(ojson{
        {"metric", m.metric}, {"median_abs_error", m.median_abs}, {"max_abs_error", m.max_abs}, {"count", m.count}});
  return ojson{{"set", r.name}, {"rows", rows}, {"metrics", metrics}, {"median_abs_error", r.median_abs},
               {"max_abs_error", r.max_abs}, {"threshold_median", r.threshold_median},
               {"threshold_max", r.threshold_max}, {"passed", r.passed},
               {"median_within_target", r.median_within_target}, {"max_within_target", r.max_within_target}};
}

}  // namespace

ojson validation_json(const std::vector<ValidationSetResult>& sets) {
  ojson all = ojson::array();
  for (const ValidationSetResult& r : sets) all.push_back(set_json(r));
  return all;
}

}  // namespace tessera

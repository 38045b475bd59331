// tessera validate: predictions vs the bundled published measurements.
// tessera calibrate: refit one runtime's fixed costs to the rows measured with it.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <iostream>

#include "app/cli.h"
#include "tessera/planner/validation.h"
#include "tessera/report/validation_json.h"
#include "tessera/specs/io/catalog.h"
#include "tessera/specs/io/runtime_io.h"

namespace tessera::app {

namespace {

struct ValidateArgs {
  std::string set;
  std::string fidelity = "auto";
  std::string runtime;
  bool json = false;
  bool check = false;
};

std::string pct(std::optional<double> e) { return e ? fmt::format("{:+.1f}%", *e * 100) : "-"; }
// A figure the row has, or "-" where the source did not publish it (never "nan").
std::string num(std::optional<double> v) { return v && std::isfinite(*v) ? fmt::format("{:.2f}", *v) : "-"; }

// Column headers of the metrics, as kValidationMetricColumns orders them.
constexpr std::array<const char*, kValidationMetrics> kMetricHeaders{"tok/s", "TTFT p50 ms", "TPOT p50 ms",
                                                                     "TTFT mean ms", "TPOT mean ms", "ITL mean ms"};

// One row per measurement, with only the metrics the set measured: label (whole),
// runtime, then measured / predicted / error per metric.
void print_set(const ValidationSetResult& r) {
  std::cout << fmt::format("== {} ({} rows; {}) ==\n", r.name, r.rows.size(), r.description);
  std::array<bool, kValidationMetrics> shown{};
  size_t label_width = 3;
  for (const ValidationRowResult& row : r.rows) {
    label_width = std::max(label_width, row.label.size());
    for (int k = 0; k < kValidationMetrics; ++k) shown[k] = shown[k] || row.measured[k].has_value();
  }
  std::string head = fmt::format("{:<{}}  {:<12}", "row", label_width, "runtime");
  for (int k = 0; k < kValidationMetrics; ++k)
    if (shown[k]) head += fmt::format("  {:>12} {:>9} {:>7}", kMetricHeaders[k], "pred", "err");
  std::cout << head << "\n";
  for (const ValidationRowResult& row : r.rows) {
    std::string line = fmt::format("{:<{}}  {:<12}", row.label, label_width, row.runtime);
    for (int k = 0; k < kValidationMetrics; ++k)
      if (shown[k])
        line += fmt::format("  {:>12} {:>9} {:>7}", num(row.measured[k]), num(row.predicted[k]), pct(row.error[k]));
    std::cout << line << "\n";
  }
  for (const MetricErrorSummary& m : r.metrics)
    std::cout << fmt::format("  {:<12} median |error| {:5.1f}%   max |error| {:5.1f}%   (n={})\n", m.metric,
                             m.median_abs * 100, m.max_abs * 100, m.count);
  std::cout << fmt::format("  overall      median |error| {:5.1f}%   max |error| {:5.1f}%\n", r.median_abs * 100,
                           r.max_abs * 100);
  std::cout << fmt::format("  check: every metric's median <= {:.0f}% -> {};  every metric's max <= {:.0f}% -> {}\n",
                           r.threshold_median * 100, r.median_within_target ? "PASS" : "FAIL",
                           r.threshold_max * 100, r.max_within_target ? "PASS" : "FAIL");
}

int run_validate(const ValidateArgs& a) {
  auto sets = run_validation(Catalog::default_data_dir(), a.set, a.fidelity, a.runtime);
  if (!sets) return report_error(sets.error());
  bool ok = true;
  for (const ValidationSetResult& r : *sets) {
    ok = ok && r.passed;
    if (!a.json) print_set(r);
  }
  if (a.json) std::cout << validation_json(*sets).dump(2) << "\n";
  return (a.check && !ok) ? kInternal : kOk;
}

struct CalibrateArgs {
  std::string runtime;
  bool write = false;
};

int run_calibrate(const CalibrateArgs& a) {
  const auto dir = Catalog::default_data_dir();
  auto fit = fit_runtime_costs(dir, a.runtime);
  if (!fit) return report_error(fit.error());
  std::cout << fit->report;
  if (a.write) {
    if (Status s = save_fitted_costs(dir, fit->overheads, fit->report); !s) return report_error(s.error());
    std::cout << "wrote " << fitted_costs_file(dir, a.runtime).string() << "\n";
  }
  return kOk;
}

}  // namespace

Command add_validate(CLI::App& root) {
  auto args = std::make_shared<ValidateArgs>();
  CLI::App* c = root.add_subcommand("validate", "Compare predictions with bundled published measurements");
  c->add_option("--set", args->set, "validation set name (default: all)");
  c->add_option("--fidelity", args->fidelity, "compute model for every row: auto|roofline|engine|fitted|measured")
      ->capture_default_str();
  c->add_option("--runtime", args->runtime, "only the rows measured with this runtime (data/runtimes)");
  c->add_flag("--json", args->json, "print JSON");
  c->add_flag("--check", args->check,
              "exit 1 when a set's median or max |error| of any metric exceeds its threshold (threshold.yaml)");
  return {c, [args] { return run_validate(*args); }};
}

Command add_calibrate(CLI::App& root) {
  auto args = std::make_shared<CalibrateArgs>();
  CLI::App* c = root.add_subcommand("calibrate",
                                     "Refit a runtime's fixed costs to the validation rows measured with it");
  c->add_option("--runtime", args->runtime, "runtime profile (data/runtimes), e.g. tnx, nxdi, trtllm")->required();
  c->add_flag("--write", args->write, "write data/calibration/runtime/<runtime>.yaml");
  return {c, [args] { return run_calibrate(*args); }};
}

}  // namespace tessera::app

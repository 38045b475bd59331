// tessera validate: predictions vs the bundled published measurements.
// tessera calibrate: refit the per-platform fixed overheads to those rows.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "app/cli.h"
#include "tessera/planner/validation.h"
#include "tessera/report/validation_json.h"
#include "tessera/specs/io/catalog.h"
#include "tessera/specs/io/platform_io.h"

namespace tessera::app {

namespace {

struct ValidateArgs {
  std::string set;
  std::string fidelity = "auto";
  bool json = false;
  bool check = false;
};

std::string pct(std::optional<double> e) { return e ? fmt::format("{:+.1f}%", *e * 100) : "-"; }

// A figure the row has, or "-" where the source did not publish it (never "nan").
std::string num(std::optional<double> v, int decimals) {
  return v && std::isfinite(*v) ? fmt::format("{:.{}f}", *v, decimals) : "-";
}

void print_set(const ValidationSetResult& r) {
  std::cout << fmt::format("== {} ({} rows; {}) ==\n", r.name, r.rows.size(), r.description);
  // The label column is as wide as the longest label: labels name the configuration.
  size_t width = 3;
  for (const ValidationRowResult& row : r.rows) width = std::max(width, row.label.size());
  std::cout << fmt::format("{:<{}}  {:>12}{:>12}{:>8}{:>10}{:>10}{:>8}{:>9}{:>9}{:>8}\n", "row", width, "tok/s meas",
                           "tok/s pred", "err", "TTFT ms", "pred", "err", "TPOT ms", "pred", "err");
  for (const ValidationRowResult& row : r.rows) {
    std::cout << fmt::format("{:<{}}  {:>12}{:>12}{:>8}{:>10}{:>10}{:>8}{:>9}{:>9}{:>8}\n", row.label, width,
                             num(row.measured.throughput, 1), num(row.predicted.throughput, 1),
                             pct(row.error.throughput), num(row.measured.ttft_ms, 1), num(row.predicted.ttft_ms, 1),
                             pct(row.error.ttft_ms), num(row.measured.tpot_ms, 2), num(row.predicted.tpot_ms, 2),
                             pct(row.error.tpot_ms));
  }
  for (const MetricErrorSummary& m : r.metrics)
    std::cout << fmt::format("  {:<12} median |error| {:5.1f}%   max |error| {:5.1f}%   (n={})\n", m.metric,
                             m.median_abs * 100, m.max_abs * 100, m.count);
  std::cout << fmt::format("  overall      median |error| {:5.1f}%   max |error| {:5.1f}%\n", r.median_abs * 100,
                           r.max_abs * 100);
  std::cout << fmt::format("  gate: every metric's median <= {:.0f}% -> {};  target: every max <= {:.0f}% -> {}\n",
                           r.threshold_median * 100, r.passed ? "PASS" : "FAIL", r.threshold_max * 100,
                           r.max_within_target ? "met" : "NOT met");
}

int run_validate(const ValidateArgs& a) {
  auto sets = run_validation(Catalog::default_data_dir(), a.set, a.fidelity);
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
  std::string platform;
  bool write = false;
};

int run_calibrate(const CalibrateArgs& a) {
  const auto dir = Catalog::default_data_dir();
  auto fit = fit_platform_overheads(dir, a.platform);
  if (!fit) return report_error(fit.error());
  std::cout << fit->report;
  if (a.write) {
    if (Status s = save_platform_overheads(dir, fit->overheads, fit->report); !s) return report_error(s.error());
    std::cout << "wrote " << (dir / "calibration" / "platform" / (a.platform + ".yaml")).string() << "\n";
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
  c->add_flag("--json", args->json, "print JSON");
  c->add_flag("--check", args->check, "exit 1 when a set exceeds its committed error threshold");
  return {c, [args] { return run_validate(*args); }};
}

Command add_calibrate(CLI::App& root) {
  auto args = std::make_shared<CalibrateArgs>();
  CLI::App* c = root.add_subcommand("calibrate", "Refit per-platform fixed overheads to the validation rows");
  c->add_option("--platform", args->platform, "neuron|nvidia")->required()->check(CLI::IsMember({"neuron", "nvidia"}));
  c->add_flag("--write", args->write, "write data/calibration/platform/<platform>.yaml");
  return {c, [args] { return run_calibrate(*args); }};
}

}  // namespace tessera::app

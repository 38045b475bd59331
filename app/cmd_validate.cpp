// tessera validate: predictions vs the bundled published measurements.
// tessera calibrate: refit the per-platform fixed overheads to those rows.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli.h"
#include "tessera/core/did_you_mean.h"
#include "tessera/planner/validation.h"
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

void print_set(const ValidationSetResult& r) {
  std::cout << fmt::format("== {} ({} rows; {}) ==\n", r.name, r.rows.size(), r.description);
  std::cout << fmt::format("{:<44}{:>12}{:>12}{:>8}{:>10}{:>10}{:>8}{:>9}{:>9}{:>8}\n", "row", "tok/s meas",
                           "tok/s pred", "err", "TTFT ms", "pred", "err", "TPOT ms", "pred", "err");
  for (const ValidationRowResult& row : r.rows) {
    std::cout << fmt::format("{:<44}{:>12.1f}{:>12.1f}{:>8}{:>10.1f}{:>10.1f}{:>8}{:>9.2f}{:>9.2f}{:>8}\n",
                             row.label.substr(0, 43), row.measured.throughput.value_or(NAN),
                             row.predicted.throughput.value_or(NAN), pct(row.error.throughput),
                             row.measured.ttft_ms.value_or(NAN), row.predicted.ttft_ms.value_or(NAN),
                             pct(row.error.ttft_ms), row.measured.tpot_ms.value_or(NAN),
                             row.predicted.tpot_ms.value_or(NAN), pct(row.error.tpot_ms));
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

nlohmann::ordered_json set_json(const ValidationSetResult& r) {
  using ojson = nlohmann::ordered_json;
  auto o = [](std::optional<double> v) { return v ? ojson(*v) : ojson(nullptr); };
  ojson rows = ojson::array();
  auto three = [&](const auto& m) {
    return ojson{{"output_tok_s", o(m.throughput)}, {"ttft_p50_ms", o(m.ttft_ms)}, {"tpot_p50_ms", o(m.tpot_ms)}};
  };
  for (const auto& row : r.rows)
    rows.push_back(ojson{{"label", row.label},
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
               {"max_within_target", r.max_within_target}};
}

int run_validate(const ValidateArgs& a) {
  const auto dir = Catalog::default_data_dir();
  auto names = validation_set_names(dir);
  std::vector<std::string> sets;
  if (a.set.empty()) {
    sets = names;
  } else {
    if (std::find(names.begin(), names.end(), a.set) == names.end())
      return report_error(
          bad_input(fmt::format("--set: unknown validation set '{}'{}", a.set, did_you_mean_set(a.set, names))));
    sets = {a.set};
  }
  const auto fidelity = parse_fidelity(a.fidelity);
  if (!fidelity) {
    static const std::vector<std::string> kF{"auto", "roofline", "engine", "fitted", "measured"};
    return report_error(bad_input(fmt::format("--fidelity: unknown '{}'{}", a.fidelity, did_you_mean(a.fidelity, kF))));
  }
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  bool ok = true;
  for (const auto& s : sets) {
    auto r = run_validation_set(dir, s, nullptr, *fidelity);
    if (!r) return report_error(r.error());
    ok = ok && r->passed;
    if (a.json) all.push_back(set_json(*r)); else print_set(*r);
  }
  if (a.json) std::cout << all.dump(2) << "\n";
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

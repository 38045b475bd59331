// tessera plan: SLO-bound capacity search over deployments, the cheapest and the
// Pareto front; --fleet sizes a fleet; --compare sets hardware side by side.
// The search itself is run_plan (planner/plan.h), shared with the Python module;
// this file maps flags onto a PlanRequest and writes the outputs.
#include <iostream>

#include "app/cli.h"
#include "app/power_cost_flags.h"
#include "tessera/planner/plan.h"
#include "tessera/report/html_plan.h"
#include "tessera/report/plan_report.h"

namespace tessera::app {

namespace {

// The library's request plus the CLI's output options.
struct PlanArgs {
  PlanRequest plan;
  std::string hardware, compare;  // comma-separated; split in run() so that "a,,b" is refused
  std::string out, report;
  bool json = false;
};

int run(PlanArgs& a) {
  auto hardware = split_list("--hardware", a.hardware);
  if (!hardware) return report_error(hardware.error());
  auto compare = split_list("--compare", a.compare);
  if (!compare) return report_error(compare.error());
  a.plan.hardware = std::move(*hardware);
  a.plan.compare = std::move(*compare);
  // Checked before the search, which may take minutes.
  Status outputs = distinct_outputs({{"--out", a.out}, {"--report", a.report}});
  if (outputs) outputs = check_output_path(a.out, "--out");
  if (outputs) outputs = check_output_path(a.report, "--report");
  if (!outputs) return report_error(outputs.error());
  auto rep = run_plan(a.plan);
  if (!rep) return report_error(rep.error());
  const bool feasible = rep->feasible > 0;
  const std::string json = plan_json(*rep, version()).dump(2) + "\n";
  std::string html;
  if (!a.report.empty()) {
    auto h = plan_report_html(*rep, version());
    if (!h) return report_error(h.error());
    html = std::move(*h);
  }
  // Output files are written only on success (docs/cli.md); exit 3 prints the search
  // so that the user sees how far each deployment got.
  if (feasible && !a.out.empty())
    if (Status s = write_file_atomic(a.out, json); !s) return report_error(s.error());
  if (feasible && !a.report.empty())
    if (Status s = write_file_atomic(a.report, html, "--report"); !s) return report_error(s.error());
  std::cout << (a.json ? json : plan_text(*rep));
  if (!feasible) {
    std::cerr << "tessera: no deployment searched meets the SLO"
              << (a.out.empty() && a.report.empty() ? "" : "; --out/--report not written") << "\n";
  }
  return feasible ? kOk : kInfeasible;
}

}  // namespace

Command add_plan(CLI::App& root) {
  auto args = std::make_shared<PlanArgs>();
  PlanRequest& p = args->plan;
  CLI::App* c = root.add_subcommand("plan", "Search deployments for the cheapest that meet an SLO; size fleets");
  c->add_option("--model", p.base.model, "catalog model name or path to a Hugging Face config.json")->required();
  c->add_option("--workload", p.base.workload, "poisson:... or trace:PATH[,rate-scale=X] (the load is searched)")
      ->required();
  c->add_option("--slo", p.slo, "SLO targets, e.g. ttft_p99=2s,tpot_p99=100ms")->required();
  c->add_option("--hardware", args->hardware, "systems to search (comma-separated; default: all)");
  c->add_option("--compare", args->compare, "systems to set side by side (comma-separated)");
  c->add_option("--fleet", p.fleet, "size a fleet: chips=N | power=2GW | tokens-per-day=N | requests-per-second=N");
  c->add_option("--headroom", p.headroom, "fleet: spare fraction of each unit's maximum load")
      ->capture_default_str();
  c->add_option("--tp", p.space.tp, "TP degrees to search (default: powers of two)")->delimiter(',');
  c->add_option("--pp", p.space.pp, "PP degrees to search")->delimiter(',')->capture_default_str();
  c->add_option("--schedulers", p.space.schedulers, "schedulers to search")->delimiter(',');
  c->add_option("--max-batch", p.space.max_batch, "batch caps to search")->delimiter(',');
  c->add_option("--weights-dtype", p.weights_dtype, "bf16|fp16|fp8|int8|mxfp8|mxfp4")->capture_default_str();
  c->add_option("--kv-dtype", p.kv_dtype, "bf16|fp8")->capture_default_str();
  c->add_option("--runtime", p.base.deployment.runtime,
                 "serving runtime profile for every deployment (data/runtimes; default: each platform's)");
  c->add_option("--probe-requests", p.probe_requests, "requests per load probe")->capture_default_str();
  c->add_option("--tolerance", p.tolerance, "relative precision of the load bisection")->capture_default_str();
  c->add_option("--threads", p.threads, "worker threads (default: all cores)");
  c->add_option("--top", p.top, "cheapest deployments to list")->capture_default_str();
  c->add_option("--seed", p.base.seed, "random seed")->check(non_negative())->capture_default_str();
  c->add_option("--out", args->out, "write the plan JSON to this file");
  c->add_option("--report", args->report, "write a self-contained HTML report (Pareto chart, cheapest deployments)");
  c->add_flag("--json", args->json, "print the plan JSON instead of the tables");
  add_power_cost_flags(c, p.power_cost);
  return {c, [args] { return run(*args); }};
}

}  // namespace tessera::app

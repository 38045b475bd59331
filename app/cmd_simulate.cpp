// tessera simulate: one deployment, one workload, the result summary or JSON.
#include <iostream>

#include "app/cli.h"
#include "app/progress.h"
#include "app/simulate_options.h"
#include "tessera/report/html_simulate.h"
#include "tessera/report/result_json.h"
#include "tessera/report/summary_text.h"
#include "tessera/specs/io/catalog.h"
#include "tessera/specs/io/workload_parse.h"

namespace tessera::app {

namespace {

struct SimulateArgs {
  SimulateOptions opts;
  std::string out, report;
  bool json = false;
  bool explain_memory = false;
  bool explain_ops = false;
};

// Requests the workload will send, for the progress bar (0 = unknown: a whole trace).
int64_t expected_requests(const std::string& workload) {
  auto w = parse_workload(workload);
  if (!w) return 0;
  switch (w->kind) {
    case WorkloadKind::Batch: return w->size * w->rounds;
    case WorkloadKind::Poisson:
    case WorkloadKind::Closed: return w->n;
    case WorkloadKind::Trace: return w->limit;
  }
  return 0;
}

int run(SimulateArgs& a) {
  if (Status s = resolve_simulate_options(a.opts); !s) return report_error(s.error());
  if (Status s = distinct_outputs({{"--out", a.out}, {"--report", a.report}, {"--trace", a.opts.serving.trace},
                                   {"--requests-csv", a.opts.serving.requests_csv}});
      !s)
    return report_error(s.error());
  SimulationRequest& req = a.opts.req;
  Timelines timelines;
  if (Status s = timelines.open(a.opts.serving); !s) return report_error(s.error());
  SinkFanout sinks;
  if (ServeEventSink* t = timelines.sink()) sinks.add(t);
  ReportCollector collector;
  if (!a.report.empty()) sinks.add(&collector);
  ProgressBar bar("simulate", expected_requests(req.workload), std::cerr, progress_wanted());
  ProgressSink progress(bar);
  if (progress_wanted()) sinks.add(&progress);
  req.sink = sinks.empty() ? nullptr : &sinks;
  auto outcome = run_simulation(req);
  bar.finish();
  if (!outcome) return report_error(outcome.error());
  std::string html;
  if (!a.report.empty()) {
    auto h = simulation_report_html(*outcome, collector, version());
    if (!h) return report_error(h.error());
    html = std::move(*h);
  }
  if (Status s = timelines.commit(); !s) return report_error(s.error());
  const std::string json = simulation_json(*outcome, version()).dump(2) + "\n";
  if (!a.out.empty()) {
    if (Status s = write_file_atomic(a.out, json); !s) return report_error(s.error());
  }
  if (!a.report.empty()) {
    if (Status s = write_file_atomic(a.report, html, "--report"); !s) return report_error(s.error());
  }
  if (a.json) {
    std::cout << json;
  } else {
    std::cout << simulation_summary_text(*outcome);
    if (a.explain_memory) std::cout << memory_explain_text(*outcome);
    if (a.explain_ops) std::cout << ops_explain_text(*outcome);
  }
  return kOk;
}

}  // namespace

Command add_simulate(CLI::App& root) {
  auto args = std::make_shared<SimulateArgs>();
  CLI::App* c = root.add_subcommand("simulate", "Simulate serving a model on a hardware deployment");
  add_simulate_options(c, args->opts);
  c->add_option("--out", args->out, "write the result JSON to this file");
  c->add_option("--report", args->report,
                 "write a self-contained HTML report (latency CDFs, timelines, time breakdown, power and cost)");
  c->add_flag("--json", args->json, "print the result JSON instead of the summary");
  c->add_flag("--explain-memory", args->explain_memory, "print the per-rank memory breakdown");
  c->add_flag("--explain-ops", args->explain_ops,
              "print the representative decode step op by op, with the collectives the plan inserted");
  return {c, [args] { return run(*args); }};
}

}  // namespace tessera::app

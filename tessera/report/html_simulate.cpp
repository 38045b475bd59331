#include "tessera/report/html_simulate.h"

#include <fmt/format.h>

#include <algorithm>

#include "tessera/report/chartjs_data.h"
#include "tessera/report/result_json.h"

namespace tessera {

namespace {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

std::string opt_num(const std::optional<double>& v, const char* f, const char* unknown = "unknown") {
  return v ? fmt::format(fmt::runtime(f), *v) : std::string(unknown);
}

void add_headline(HtmlPage& page, const SimulationOutcome& o) {
  const Summary& s = o.summary;
  page.add_section("Headline");
  KeyValues kv{
      {"output throughput", fmt::format("{:.1f} tokens/s ({:.2f} tokens/s per chip)", s.output_tokens_per_s,
                                        s.chips > 0 ? s.output_tokens_per_s / s.chips : 0.0)},
      {"requests", fmt::format("{} ({} completed, {} rejected) in {:.3f} s", s.requests, s.completed, s.rejected,
                               s.duration_s)},
      {"cost", opt_num(s.cost_usd_per_million_output_tokens, "${:.3f} per million output tokens",
                       "unknown (no public price)")},
      {"energy", opt_num(s.energy_j_per_output_token, "{:.3f} J per output token")},
  };
  // With nothing completed the latency figures are undefined: say why instead of zeros.
  if (const std::string why = no_latency_reason(s); !why.empty()) {
    kv.insert(kv.begin() + 2, std::pair<std::string, std::string>("latency", why));
  } else {
    kv.insert(kv.begin() + 2,
              {{"TTFT p50 / p99", fmt::format("{:.1f} ms / {:.1f} ms", s.ttft.p50 * 1e3, s.ttft.p99 * 1e3)},
               {"TPOT p50 / p99", fmt::format("{:.2f} ms / {:.2f} ms", s.tpot.p50 * 1e3, s.tpot.p99 * 1e3)},
               {"E2E p50 / p99", fmt::format("{:.3f} s / {:.3f} s", s.e2e.p50, s.e2e.p99)}});
  }
  if (s.slo_attained_fraction)
    kv.emplace_back("SLO attained", fmt::format("{:.1f}% of requests ({})", *s.slo_attained_fraction * 100,
                                                slo_text(o.slo)));
  page.add_key_values(kv);
}

void add_inputs(HtmlPage& page, const SimulationOutcome& o) {
  const DeploymentSpec& d = o.deployment;
  const MemoryPlan& m = o.memory;
  page.add_section("Inputs and assumptions");
  KeyValues kv{
      {"model", o.model.name},
      {"hardware", fmt::format("{} ({} {} chips in {} system(s), {} replica(s) of {} chips)", o.system.name,
                               o.summary.chips, o.system.chip.name, o.summary.systems, o.placement.replicas,
                               o.placement.chips_per_replica)},
      {"parallelism", fmt::format("tp={} pp={} ep={} dp={} lnc={}", d.tp, d.pp, d.ep, d.dp, d.lnc)},
      {"dtypes", fmt::format("weights {}, KV cache {}", dtype_name(d.weight_dtype), dtype_name(d.kv_dtype))},
      {"workload", o.workload.text},
      {"scheduler", fmt::format("{} (max batch {} sequences, max {} tokens per iteration, {} admission{})",
                                d.scheduler, d.max_batch, d.max_tokens, d.admission,
                                d.prefix_caching ? ", prefix caching" : "")},
      {"cost model", fmt::format("{} (fidelity {})", o.device_model, fidelity_name(o.fidelity))},
      {"SLO", slo_text(o.slo)},
      {"memory per rank", fmt::format("{} HBM: weights {}, activations {}, workspace {}, reserve {}, KV cache {} "
                                      "({} tokens per replica)",
                                      format_bytes(m.capacity), format_bytes(m.weights), format_bytes(m.activations),
                                      format_bytes(m.workspace), format_bytes(m.reserve), format_bytes(m.kv_cache),
                                      m.kv_tokens)},
  };
  if (o.prefill_pool) {
    const auto& p = *o.prefill_pool;
    kv.emplace_back("prefill pool", fmt::format("{} replica(s) of {} tp={} ({} chips); KV link {}",
                                                p.placement.replicas, p.system.name, p.deployment.tp,
                                                p.placement.total_chips, p.kv_link));
  }
  page.add_key_values(kv);
}

// An SLO within this factor of the slowest request is drawn on the CDF's axis.
constexpr double kSloAxisStretch = 1.5;

ChartSeries slo_line(double x, double scale) {
  ChartSeries s;
  s.label = "SLO p99 target";
  s.x = {x * scale, x * scale};
  s.y = {0, 1};
  s.dashed = true;
  return s;
}

ChartSpec cdf_chart(const char* title, const char* label, const char* unit, std::vector<double> values, double scale,
                    std::optional<double> slo) {
  ChartSpec c;
  c.title = title;
  c.kind = ChartKind::Step;
  c.x_label = fmt::format("{} ({})", label, unit);
  c.y_label = "fraction of requests";
  c.y_min = 0;
  c.y_max = 1;
  double top = 0;
  for (double v : values) top = std::max(top, v);
  c.series.push_back(cdf_series(label, values, scale));
  // The axis fits the data: an SLO far beyond the slowest request would squeeze the
  // curve into a sliver at the left. Such an SLO is named in the title instead.
  if (slo && *slo <= kSloAxisStretch * top) {
    c.series.push_back(slo_line(*slo, scale));
  } else if (slo) {
    c.title += fmt::format(" (SLO p99 target {:.4g} {}: beyond the slowest request)", *slo * scale, unit);
    c.x_max = top * scale;
  }
  return c;
}

void add_latency(HtmlPage& page, const SimulationOutcome& o, const ReportCollector& rc) {
  const Summary& s = o.summary;
  page.add_section("Latency");
  std::vector<ChartSpec> charts;
  if (!rc.ttft().empty()) charts.push_back(cdf_chart("TTFT CDF", "TTFT", "ms", rc.ttft(), 1e3, o.slo.ttft_p99_s));
  if (!rc.tpot().empty()) charts.push_back(cdf_chart("TPOT CDF", "TPOT", "ms", rc.tpot(), 1e3, o.slo.tpot_p99_s));
  if (!rc.e2e().empty()) charts.push_back(cdf_chart("E2E latency CDF", "E2E", "s", rc.e2e(), 1, std::nullopt));
  if (charts.empty()) page.add_paragraph("No request completed: no latency to show.");
  page.add_chart_grid(charts);
  if (!no_latency_reason(s).empty()) return;  // a table of zeros would read as "instant"
  HtmlTable t;
  t.caption = "Percentiles over requests (ITL: over every gap between output tokens)";
  t.columns = {"latency", "mean", "p50", "p90", "p99", "max"};
  auto row = [&](const char* name, const LatencyStats& l, double scale, const char* unit) {
    auto cell = [&](double v) { return HtmlCell(fmt::format("{:.3f} {}", v * scale, unit), v); };
    t.rows.push_back({name, cell(l.mean), cell(l.p50), cell(l.p90), cell(l.p99), cell(l.max)});
  };
  row("TTFT", s.ttft, 1e3, "ms");
  row("TPOT", s.tpot, 1e3, "ms");
  row("ITL", s.itl, 1e3, "ms");
  row("E2E", s.e2e, 1, "s");
  row("queue", s.queue, 1e3, "ms");
  page.add_table(t);
}

ChartSpec time_chart(const char* title, const char* y_label) {
  ChartSpec c;
  c.title = title;
  c.kind = ChartKind::Line;
  c.x_label = "time (s)";
  c.y_label = y_label;
  c.y_min = 0;
  return c;
}

void add_timeline(HtmlPage& page, const ReportCollector& rc) {
  page.add_section("Over time");
  const std::vector<TimelineBucket> bs = rc.buckets();
  if (bs.empty()) {
    page.add_paragraph("No iteration ran: no timeline to show.");
    return;
  }
  const double w = rc.bucket_s();
  page.add_paragraph(fmt::format("{} buckets of {:.4g} s. Tokens are spread over the time of the iteration that "
                                 "processed them; batch size is the time-weighted mean over busy replicas; queue "
                                 "length is the time-weighted mean of requests waiting (arrival to admission); KV "
                                 "occupancy is the highest seen in each bucket.",
                                 bs.size(), w));
  ChartSpec tput = time_chart("Throughput", "tokens/s");
  ChartSpec batch = time_chart("Batch size", "sequences per iteration");
  ChartSpec queue = time_chart("Queue length", "waiting requests (all replicas, mean over the bucket)");
  ChartSpec kv = time_chart("KV cache occupancy", "KV blocks in use (busiest replica, %)");
  kv.y_max = 100;
  ChartSeries pre, dec, seqs, wait, occ;
  pre.label = "prefill tokens/s";
  dec.label = "decode tokens/s";
  seqs.label = "sequences";
  wait.label = "waiting";
  occ.label = "KV used";
  double last_kv = 0;
  for (size_t i = 0; i < bs.size(); ++i) {
    const TimelineBucket& b = bs[i];
    const double t = (static_cast<double>(i) + 0.5) * w;
    if (b.started) last_kv = b.kv_fraction;
    for (ChartSeries* s : {&pre, &dec, &seqs, &wait, &occ}) s->x.push_back(t);
    pre.y.push_back(b.prefill_tokens / w);
    dec.y.push_back(b.decode_tokens / w);
    seqs.y.push_back(b.busy_seconds > 0 ? b.seq_seconds / b.busy_seconds : 0.0);
    wait.y.push_back(b.queued_seconds / w);
    occ.y.push_back(last_kv * 100);
  }
  tput.series = {pre, dec};
  batch.series = {seqs};
  queue.series = {wait};
  kv.series = {occ};
  page.add_chart_grid({tput, batch, queue, kv});
}

struct Part {
  const char* name;
  Seconds IterationCost::*field;
};
constexpr Part kParts[] = {
    {"compute: GEMM", &IterationCost::gemm_compute},
    {"compute: attention", &IterationCost::attention_compute},
    {"memory: weight reads", &IterationCost::weight_read},
    {"memory: KV reads", &IterationCost::kv_read},
    {"elementwise", &IterationCost::elementwise},
    {"collectives", &IterationCost::collective},
    {"overhead", &IterationCost::overhead},
};

void add_breakdown(HtmlPage& page, const SimulationOutcome& o) {
  page.add_section("Where iteration time goes");
  const IterationCost& busy = o.serve.busy_breakdown;
  const IterationCost& step = o.decode_step;
  ChartSpec c;
  c.title = "Iteration time by part";
  c.kind = ChartKind::StackedBarH;
  c.x_label = "share of iteration time (%)";
  c.y_max = 100;
  c.categories = {"all iterations (busy time)",
                  fmt::format("one decode step (batch {}, {} KV tokens)", o.decode_step_shape.decode_seqs,
                              o.decode_step_shape.decode_kv_tokens)};
  HtmlTable t;
  t.caption = "Compute (tensor engine bound), memory (HBM bound), elementwise (norms, activations, rotary, sampling), "
              "collectives and fixed framework overhead";
  t.columns = {"part", "all iterations", "share", "one decode step", "share"};
  auto share = [](Seconds part, Seconds total) { return total.value() > 0 ? 100 * part.value() / total.value() : 0; };
  for (const Part& p : kParts) {
    const Seconds a = busy.*p.field, b = step.*p.field;
    ChartSeries s;
    s.label = p.name;
    s.y = {share(a, busy.total), share(b, step.total)};
    c.series.push_back(s);
    t.rows.push_back({p.name, HtmlCell(fmt::format("{:.4f} s", a.value()), a.value()),
                      HtmlCell(fmt::format("{:.1f}%", share(a, busy.total)), share(a, busy.total)),
                      HtmlCell(fmt::format("{:.3f} ms", b.value() * 1e3), b.value()),
                      HtmlCell(fmt::format("{:.1f}%", share(b, step.total)), share(b, step.total))});
  }
  t.rows.push_back({"total", HtmlCell(fmt::format("{:.4f} s", busy.total.value()), busy.total.value()), "100%",
                    HtmlCell(fmt::format("{:.3f} ms", step.total.value() * 1e3), step.total.value()), "100%"});
  page.add_chart(c);
  page.add_table(t);
  page.add_paragraph(fmt::format("MFU {:.1f}%, MBU {:.1f}%, KV cache peak {:.1f}%, {} preemption(s).",
                                 o.summary.mfu * 100, o.summary.mbu * 100, o.summary.kv_cache_peak_fraction * 100,
                                 o.summary.preemptions));
}

void add_power_cost(HtmlPage& page, const SimulationOutcome& o) {
  const Summary& s = o.summary;
  page.add_section("Power and cost");
  std::optional<double> kwh;
  if (s.energy_j_per_output_token) kwh = *s.energy_j_per_output_token * 1e6 / 3.6e6;
  page.add_key_values({
      {"average power", opt_num(s.avg_power_w, "{:.0f} W (facility, PUE applied)")},
      {"per chip", opt_num(s.chip_power_w, "{:.0f} W average")},
      {"PUE", fmt::format("{:.2f}", s.pue)},
      {"energy per output token", opt_num(s.energy_j_per_output_token, "{:.4f} J")},
      {"energy per million output tokens", opt_num(kwh, "{:.3f} kWh")},
      {"price", opt_num(s.cost_usd_per_hour, "${:.2f} per hour", "unknown (no public price)")},
      {"cost per million output tokens", opt_num(s.cost_usd_per_million_output_tokens, "${:.3f}")},
  });
  if (o.assumptions.empty()) return;
  HtmlTable t;
  t.caption = "Every power and price figure used, with its provenance";
  t.columns = {"figure", "value", "kind", "from"};
  for (const Assumption& a : o.assumptions)
    t.rows.push_back({a.figure, a.value, a.user ? "user" : std::string(provenance_label(a.kind)), a.from});
  page.add_table(t);
}

}  // namespace

std::string report_footer(const std::string& version) {
  return fmt::format("Generated by tessera {}. Charts drawn by Chart.js (MIT licence), inlined from Debian's "
                     "libjs-chart.js: this file needs no network access.",
                     version);
}

HtmlPage simulation_report_page(const SimulationOutcome& o, const ReportCollector& rc, const std::string& version) {
  const DeploymentSpec& d = o.deployment;
  HtmlPage page(fmt::format("{} on {}", o.model.name, o.system.name),
                fmt::format("tessera simulate: {} chips, tp={} pp={} dp={}, workload {}", o.summary.chips, d.tp, d.pp,
                            d.dp, o.workload.text));
  add_headline(page, o);
  add_latency(page, o, rc);
  add_timeline(page, rc);
  add_breakdown(page, o);
  add_power_cost(page, o);
  add_inputs(page, o);
  if (!o.warnings.empty()) {
    page.add_section("Warnings");
    page.add_list(o.warnings, "warnings");
  }
  return page;
}

Result<std::string> simulation_report_html(const SimulationOutcome& o, const ReportCollector& rc,
                                           const std::string& version) {
  return simulation_report_page(o, rc, version).render(chartjs_source(), report_footer(version));
}

}  // namespace tessera

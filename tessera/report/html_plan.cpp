#include "tessera/report/html_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "tessera/planner/capacity_search.h"
#include "tessera/report/chartjs_data.h"
#include "tessera/report/html_simulate.h"

namespace tessera {

namespace {

std::optional<double> kwh_per_million(const CapacityResult& r) {
  if (!r.at_max.energy_j_per_output_token) return std::nullopt;
  return *r.at_max.energy_j_per_output_token * 1e6 / 3.6e6;
}

HtmlCell opt_cell(const std::optional<double>& v, const char* f) {
  return v ? HtmlCell(fmt::format(fmt::runtime(f), *v), *v) : HtmlCell("unknown");
}

// Cost (or, with no price anywhere, energy) against p99 E2E, one series per hardware.
ChartSpec pareto_chart(const PlanReport& r) {
  bool priced = false;
  for (const auto& x : r.results) priced |= x.feasible && cost_per_million(x).has_value();
  auto y_of = [&](const CapacityResult& x) { return priced ? cost_per_million(x) : kwh_per_million(x); };
  ChartSpec c;
  c.kind = ChartKind::Scatter;
  c.title = priced ? "Cost against latency (each point: a deployment at its SLO-bound load)"
                   : "Energy against latency (no deployment has a known price)";
  c.x_label = "p99 E2E latency (s)";
  c.y_label = priced ? "$ per million output tokens" : "kWh per million output tokens";
  std::map<std::string, ChartSeries> by_hw;
  std::vector<std::string> order;
  for (const auto& x : r.results) {
    const auto y = y_of(x);
    if (!x.feasible || !y) continue;
    auto [it, fresh] = by_hw.try_emplace(x.request.hardware);
    if (fresh) {
      it->second.label = x.request.hardware;
      order.push_back(x.request.hardware);
    }
    it->second.x.push_back(x.at_max.e2e.p99);
    it->second.y.push_back(*y);
    it->second.point_labels.push_back(describe(x.request));
  }
  for (const auto& h : order) c.series.push_back(by_hw[h]);
  if (priced && !r.pareto.empty()) {
    ChartSeries front;
    front.label = "Pareto front";
    front.dashed = true;
    for (size_t i : r.pareto) {
      front.x.push_back(r.results[i].at_max.e2e.p99);
      front.y.push_back(*cost_per_million(r.results[i]));
      front.point_labels.push_back(describe(r.results[i].request));
    }
    c.series.push_back(front);
  }
  return c;
}

// One bar per deployment, one colour (series) per system: each bar is stacked from
// its own system's series alone (the others contribute 0).
ChartSpec per_chip_chart(const PlanReport& r, size_t n) {
  ChartSpec c;
  c.kind = ChartKind::StackedBarH;
  c.title = "Output tokens per second per chip, cheapest first";
  c.x_label = "output tokens/s per chip";
  std::vector<std::string> systems;
  for (size_t k = 0; k < n; ++k) {
    const std::string& hw = r.results[r.cheapest[k]].request.hardware;
    if (std::find(systems.begin(), systems.end(), hw) == systems.end()) systems.push_back(hw);
  }
  for (const std::string& hw : systems) {
    ChartSeries s;
    s.label = hw;
    s.y.assign(n, 0.0);
    c.series.push_back(std::move(s));
  }
  for (size_t k = 0; k < n; ++k) {
    const CapacityResult& x = r.results[r.cheapest[k]];
    c.categories.push_back(describe(x.request));
    const size_t at = static_cast<size_t>(std::find(systems.begin(), systems.end(), x.request.hardware) -
                                          systems.begin());
    c.series[at].y[k] = tokens_per_s_per_chip(x);
  }
  return c;
}

HtmlTable results_table(const PlanReport& r, const std::vector<size_t>& which, size_t n, std::string caption) {
  HtmlTable t;
  t.caption = std::move(caption);
  t.sortable = true;
  t.columns = {"deployment", "chips", "output tokens/s", "tokens/s per chip", "TTFT p99", "TPOT p99", "E2E p99",
               "$ per M output tokens", "kWh per M output tokens"};
  for (size_t k = 0; k < std::min(n, which.size()); ++k) {
    const CapacityResult& x = r.results[which[k]];
    const Summary& s = x.at_max;
    t.rows.push_back({describe(x.request), HtmlCell(fmt::format("{}", s.chips), s.chips),
                      HtmlCell(fmt::format("{:.1f}", s.output_tokens_per_s), s.output_tokens_per_s),
                      HtmlCell(fmt::format("{:.2f}", tokens_per_s_per_chip(x)), tokens_per_s_per_chip(x)),
                      HtmlCell(fmt::format("{:.3f} s", s.ttft.p99), s.ttft.p99),
                      HtmlCell(fmt::format("{:.1f} ms", s.tpot.p99 * 1e3), s.tpot.p99),
                      HtmlCell(fmt::format("{:.2f} s", s.e2e.p99), s.e2e.p99),
                      opt_cell(s.cost_usd_per_million_output_tokens, "${:.3f}"),
                      opt_cell(kwh_per_million(x), "{:.3f} kWh")});
  }
  return t;
}

void add_comparison(HtmlPage& page, const Comparison& c) {
  page.add_section("Hardware comparison");
  HtmlTable t;
  t.caption = "The best deployment of each system meeting the SLO; ratios to the first";
  t.columns = {"hardware", "best deployment", "chosen by", "tokens/s per chip", "$ per M tokens", "cost ratio",
               "kWh per M tokens", "energy ratio", "break-even $/h"};
  for (const CompareEntry& e : c.entries) {
    if (!e.best) {
      t.rows.push_back({e.hardware, e.reason, "", "", "", "", "", "", ""});
      continue;
    }
    t.rows.push_back({e.hardware, describe(e.best->request), e.chosen_by,
                      HtmlCell(fmt::format("{:.2f}", tokens_per_s_per_chip(*e.best)), tokens_per_s_per_chip(*e.best)),
                      opt_cell(e.usd_per_million, "${:.3f}"), opt_cell(e.cost_ratio, "{:.2f}x"),
                      opt_cell(e.kwh_per_million, "{:.3f} kWh"), opt_cell(e.energy_ratio, "{:.2f}x"),
                      e.break_even_usd_per_hour
                          ? HtmlCell(fmt::format("${:.2f} (vs {})", *e.break_even_usd_per_hour, e.break_even_vs),
                                     *e.break_even_usd_per_hour)
                          : HtmlCell("")});
  }
  page.add_table(t);
}

void add_fleet(HtmlPage& page, const PlanReport& r) {
  const FleetPlan& f = *r.fleet;
  page.add_section("Fleet");
  page.add_key_values({
      {"deployment", fmt::format("{} (chosen by {})", describe(r.results[*r.fleet_choice].request),
                                 r.fleet_chosen_by)},
      {"limited by", f.limited_by},
      {"headroom", fmt::format("{:.0f}% (each unit runs at {:.0f}% of its SLO-bound maximum load)", f.headroom * 100,
                               (1 - f.headroom) * 100)},
      {"chips", fmt::format("{} ({} systems, {} replicas)", f.chips, f.systems, f.replicas)},
      {"power", f.power_w ? fmt::format("{:.4g} MW", *f.power_w / 1e6) : "unknown"},
      {"output tokens per day", fmt::format("{:.4g}", f.tokens_per_day)},
      {"cost per day", f.usd_per_day ? fmt::format("${:.4g}", *f.usd_per_day) : "unknown (no price)"},
  });
}

void add_assumptions(HtmlPage& page, const std::vector<Assumption>& as) {
  if (as.empty()) return;
  page.add_section("Assumptions");
  HtmlTable t;
  t.caption = "Every power and price figure used, with its provenance";
  t.columns = {"figure", "value", "kind", "from"};
  for (const Assumption& a : as)
    t.rows.push_back({a.figure, a.value, a.user ? "user" : std::string(provenance_label(a.kind)), a.from});
  page.add_table(t);
}

}  // namespace

HtmlPage plan_report_page(const PlanReport& r, const std::string& version) {
  HtmlPage page(fmt::format("Capacity plan: {}", r.model),
                fmt::format("tessera plan: {} deployments searched, {} meet the SLO", r.searched, r.feasible));
  page.add_section("Inputs");
  page.add_key_values({{"model", r.model}, {"workload", r.workload}, {"SLO", slo_text(r.slo)},
                       {"prices", r.price_basis},
                       {"figures", "each deployment at the highest load that meets the SLO"}});
  page.add_section("Cost, latency and throughput");
  if (r.feasible == 0) {
    page.add_paragraph("No deployment searched meets the SLO.");
  } else {
    const size_t n = std::min<size_t>(r.cheapest.size(), static_cast<size_t>(std::max(r.top, 1)));
    std::vector<ChartSpec> charts;
    if (ChartSpec p = pareto_chart(r); !p.series.empty()) charts.push_back(std::move(p));
    charts.push_back(per_chip_chart(r, n));
    page.add_chart_grid(charts);
    page.add_table(results_table(r, r.cheapest, n, "Cheapest deployments (click a header to sort)"));
    if (!r.pareto.empty())
      page.add_table(results_table(r, r.pareto, r.pareto.size(),
                                   "Pareto front: no other deployment is both cheaper and faster at p99"));
  }
  if (r.comparison) add_comparison(page, *r.comparison);
  if (r.fleet) add_fleet(page, r);
  if (r.comparison) add_assumptions(page, r.comparison->assumptions);
  else if (r.fleet) add_assumptions(page, r.results[*r.fleet_choice].assumptions);
  else if (!r.cheapest.empty()) add_assumptions(page, r.results[r.cheapest.front()].assumptions);
  return page;
}

Result<std::string> plan_report_html(const PlanReport& r, const std::string& version) {
  return plan_report_page(r, version).render(chartjs_source(), report_footer(version));
}

}  // namespace tessera

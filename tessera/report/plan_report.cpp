#include "tessera/report/plan_report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "tessera/planner/capacity_search.h"

namespace tessera {

namespace {

using ojson = nlohmann::ordered_json;

template <class T>
ojson opt(const std::optional<T>& v) {
  return v ? ojson(*v) : ojson(nullptr);
}

// The verdict at the sustainable load and the probe lengths behind it.
ojson steady_json(const CapacityResult& r) {
  const SteadyState& st = r.steady;
  return ojson{{"verdict", stability_name(st.verdict)},
               {"probe_requests_per_replica", r.probe_requests},
               {"confirm_requests_per_replica", r.confirm_requests},
               {"window_s", st.window_end_s - st.window_start_s},
               {"window_requests", st.window_requests},
               {"backlog_mean", st.backlog_mean},
               {"backlog_growth_per_s", st.backlog_growth_per_s},
               {"ttft_p99_s", st.ttft_p99_s},
               {"tpot_p99_s", st.tpot_p99_s}};
}

ojson result_json(const CapacityResult& r) {
  const Summary& s = r.at_max;
  const DeploymentSpec& d = r.request.deployment;
  std::optional<double> kwh;
  if (s.energy_j_per_output_token) kwh = *s.energy_j_per_output_token * 1e6 / 3.6e6;
  return ojson{{"hardware", r.request.hardware},
               {"tp", d.tp}, {"pp", d.pp}, {"dp", d.dp},
               {"scheduler", d.scheduler}, {"max_batch", d.max_batch},
               {"chips", s.chips}, {"systems", s.systems},
               {"workload", r.request.workload},
               {"load_scale", r.load_scale},
               {"requests_per_s", r.requests_per_s},
               {"output_tokens_per_s", s.output_tokens_per_s},
               {"output_tokens_per_s_per_chip", tokens_per_s_per_chip(r)},
               {"ttft_p99_s", s.ttft.p99}, {"tpot_p99_s", s.tpot.p99}, {"e2e_p99_s", s.e2e.p99},
               {"avg_power_w", opt(s.avg_power_w)},
               {"energy_j_per_output_token", opt(s.energy_j_per_output_token)},
               {"kwh_per_million_output_tokens", opt(kwh)},
               {"cost_usd_per_hour", opt(s.cost_usd_per_hour)},
               {"cost_usd_per_million_output_tokens", opt(s.cost_usd_per_million_output_tokens)},
               {"probes", r.probes},
               {"steady_state", steady_json(r)}};
}

ojson assumptions_json(const std::vector<Assumption>& as) {
  ojson out = ojson::array();
  for (const Assumption& a : as)
    out.push_back({{"figure", a.figure}, {"value", a.value}, {"kind", a.user ? "user" : provenance_label(a.kind)},
                   {"from", a.from}});
  return out;
}

ojson fleet_json(const PlanReport& r) {
  const FleetPlan& f = *r.fleet;
  static const char* kKinds[] = {"chips", "power_w", "tokens_per_day"};
  ojson target{{kKinds[static_cast<int>(f.target.kind)], f.target.value}};
  if (r.fleet_requests_per_s) {
    target["requests_per_s"] = *r.fleet_requests_per_s;
    target["output_tokens_per_request"] = opt(r.fleet_output_tokens_per_request);
  }
  return ojson{{"target", target},
               {"deployment", result_json(r.results[*r.fleet_choice])},
               {"chosen_by", r.fleet_chosen_by},
               {"headroom", f.headroom},
               {"unit", {{"chips", f.unit.chips}, {"systems", f.unit.systems}, {"replicas", f.unit.replicas},
                         {"output_tokens_per_s", f.unit.output_tokens_per_s}, {"power_w", opt(f.unit.facility_w)},
                         {"cost_usd_per_hour", opt(f.unit.usd_per_hour)}}},
               {"units", f.units}, {"chips", f.chips}, {"systems", f.systems}, {"replicas", f.replicas},
               {"power_w", opt(f.power_w)}, {"tokens_per_day", f.tokens_per_day},
               {"cost_usd_per_day", opt(f.usd_per_day)}, {"limited_by", f.limited_by},
               {"assumptions", assumptions_json(r.results[*r.fleet_choice].assumptions)}};
}

ojson comparison_json(const Comparison& c) {
  ojson entries = ojson::array();
  for (const CompareEntry& e : c.entries) {
    ojson j{{"hardware", e.hardware},
            {"deployment", e.best ? result_json(*e.best) : ojson(nullptr)},
            {"chosen_by", e.chosen_by},
            {"cost_usd_per_million_output_tokens", opt(e.usd_per_million)},
            {"kwh_per_million_output_tokens", opt(e.kwh_per_million)},
            {"cost_ratio", opt(e.cost_ratio)}, {"energy_ratio", opt(e.energy_ratio)},
            {"break_even_usd_per_system_hour", opt(e.break_even_usd_per_hour)},
            {"break_even_vs", e.break_even_vs}};
    if (!e.best) j["reason"] = e.reason;
    entries.push_back(std::move(j));
  }
  return ojson{{"entries", entries}, {"assumptions", assumptions_json(c.assumptions)}};
}

std::string money(const std::optional<double>& v, const char* fmtstr = "${:.3f}") {
  return v ? fmt::format(fmt::runtime(fmtstr), *v) : std::string("unknown");
}

// The figures of a row (everything after the deployment column).
std::string figures(const CapacityResult& r) {
  const Summary& s = r.at_max;
  std::optional<double> kwh;
  if (s.energy_j_per_output_token) kwh = *s.energy_j_per_output_token * 1e6 / 3.6e6;
  return fmt::format(" {:>5} {:>8.2f} {:>10.1f} {:>9.1f} {:>8.3f} {:>8.3f} {:>8} {:>9}\n", s.chips, r.requests_per_s,
                     s.output_tokens_per_s, tokens_per_s_per_chip(r), s.ttft.p99, s.tpot.p99,
                     money(s.cost_usd_per_million_output_tokens), kwh ? fmt::format("{:.3f}", *kwh) : "unknown");
}

constexpr const char* kHeader = "  {:<52} {:>5} {:>8} {:>10} {:>9} {:>8} {:>8} {:>8} {:>9}\n";

std::string table_header() {
  return fmt::format(kHeader, "deployment", "chips", "req/s", "out tok/s", "tok/s/chip", "TTFT99 s", "TPOT99 s",
                     "$/M tok", "kWh/M tok");
}

// Rows in order, at most `limit`. Deployments that differ only in the batch cap and
// have the same figures (the cap never bound) share one row listing every cap, so
// the table does not repeat itself.
std::string rows_text(const PlanReport& r, const std::vector<size_t>& order, size_t limit) {
  struct Group {
    std::string key, figures;
    std::vector<int> caps;
  };
  std::vector<Group> groups;
  for (size_t i : order) {
    const CapacityResult& x = r.results[i];
    const DeploymentSpec& d = x.request.deployment;
    std::string key = fmt::format("{} tp={} pp={} dp={} {}", x.request.hardware, d.tp, d.pp, d.dp, d.scheduler);
    std::string fig = figures(x);
    if (!groups.empty() && groups.back().key == key && groups.back().figures == fig) {
      groups.back().caps.push_back(d.max_batch);
      continue;
    }
    if (groups.size() == limit) break;
    groups.push_back({std::move(key), std::move(fig), {d.max_batch}});
  }
  std::string out;
  for (const Group& g : groups)
    out += fmt::format("  {:<52}{}", fmt::format("{} max-batch={}", g.key, fmt::join(g.caps, "|")), g.figures);
  return out;
}

void append_assumptions(std::string& out, const std::vector<Assumption>& as) {
  out += "assumptions:\n";
  for (const Assumption& a : as) {
    const std::string kind = a.user ? "user" : std::string(provenance_label(a.kind));
    out += fmt::format("  {:<34} {:<28} [{}]{}\n", a.figure, a.value, kind,
                       a.from.empty() || a.user ? "" : " " + a.from);
  }
}

void append_comparison(std::string& out, const Comparison& c) {
  out += fmt::format("  {:<22} {:<40} {:>9} {:>8} {:>9} {:>8} {:>9}\n", "hardware", "best deployment (by)",
                     "tok/s/ch", "$/Mtok", "x first", "kWh/Mtok", "x first");
  for (const CompareEntry& e : c.entries) {
    if (!e.best) {
      out += fmt::format("  {:<22} {}\n", e.hardware, e.reason);
      continue;
    }
    const DeploymentSpec& d = e.best->request.deployment;
    const std::string dep = fmt::format("tp={} pp={} dp={} {} mb={} ({})", d.tp, d.pp, d.dp, d.scheduler,
                                        d.max_batch, e.chosen_by);
    auto num = [](const std::optional<double>& v, const char* f) {
      return v ? fmt::format(fmt::runtime(f), *v) : std::string("unknown");
    };
    out += fmt::format("  {:<22} {:<40} {:>9.1f} {:>8} {:>9} {:>8} {:>9}\n", e.hardware, dep,
                       tokens_per_s_per_chip(*e.best), num(e.usd_per_million, "${:.3f}"),
                       num(e.cost_ratio, "{:.2f}x"), num(e.kwh_per_million, "{:.3f}"), num(e.energy_ratio, "{:.2f}x"));
  }
  for (const CompareEntry& e : c.entries)
    if (e.break_even_usd_per_hour)
      out += fmt::format("  {} has no known price: at ${:.2f} per system-hour it would match {}'s cost per token\n",
                         e.hardware, *e.break_even_usd_per_hour, e.break_even_vs);
  append_assumptions(out, c.assumptions);
}

void append_fleet(std::string& out, const PlanReport& r) {
  const FleetPlan& f = *r.fleet;
  const CapacityResult& c = r.results[*r.fleet_choice];
  out += fmt::format("fleet ({}; chosen by {}):\n", f.limited_by, r.fleet_chosen_by);
  if (r.fleet_requests_per_s && r.fleet_output_tokens_per_request)
    out += fmt::format("  target       {:.4g} requests/s x {:.1f} output tokens per request = {:.4g} output tokens/day\n",
                       *r.fleet_requests_per_s, *r.fleet_output_tokens_per_request, f.target.value);
  out += fmt::format("  deployment   {} ({} chips per unit, {} replicas per unit)\n", describe(c.request), f.unit.chips,
                     f.unit.replicas);
  out += fmt::format("  headroom     {:.0f}% (each unit runs at {:.0f}% of its SLO-bound maximum load)\n",
                     f.headroom * 100, (1 - f.headroom) * 100);
  out += fmt::format("  chips        {}  ({} systems, {} replicas)\n", f.chips, f.systems, f.replicas);
  out += fmt::format("  power        {}\n", f.power_w ? fmt::format("{:.4g} MW", *f.power_w / 1e6) : "unknown");
  out += fmt::format("  tokens/day   {:.4g}\n", f.tokens_per_day);
  out += fmt::format("  $/day        {}\n", f.usd_per_day ? fmt::format("${:.4g}", *f.usd_per_day)
                                                         : "unknown (no price; pass --price-per-hour)");
  append_assumptions(out, c.assumptions);
}

}  // namespace

nlohmann::ordered_json plan_json(const PlanReport& r, const std::string& version) {
  ojson j{{"tessera_version", version},
          {"inputs", {{"model", r.model}, {"workload", r.workload},
                      {"slo", {{"ttft_p99_s", opt(r.slo.ttft_p99_s)}, {"tpot_p99_s", opt(r.slo.tpot_p99_s)}}},
                      {"price_basis", r.price_basis}}},
          {"searched", r.searched}, {"feasible", r.feasible}};
  ojson cheapest = ojson::array(), pareto = ojson::array();
  for (size_t i : r.cheapest) cheapest.push_back(result_json(r.results[i]));
  for (size_t i : r.pareto) pareto.push_back(result_json(r.results[i]));
  j["cheapest"] = cheapest;
  j["pareto"] = pareto;
  if (r.fleet) j["fleet"] = fleet_json(r);
  if (r.comparison) j["comparison"] = comparison_json(*r.comparison);
  return j;
}

std::string plan_text(const PlanReport& r) {
  std::string out = fmt::format("{} on {}, SLO {} -- {} deployments searched, {} meet the SLO ({:.1f} s)\n", r.model,
                                r.workload, slo_text(r.slo), r.searched, r.feasible, r.elapsed_s);
  out += "Figures at each deployment's maximum steady load meeting the SLO (verdict and percentiles from the second "
         "half of each probe); prices: " + r.price_basis + ".\n";
  if (!r.cheapest.empty()) {
    const CapacityResult& c = r.results[r.cheapest.front()];
    out += fmt::format("steady state of the cheapest: {} over a {:.0f} s window; probes of {} requests per replica, "
                       "confirmed with {}\n",
                       stability_name(c.steady.verdict), c.steady.window_end_s - c.steady.window_start_s,
                       c.probe_requests, c.confirm_requests);
  }
  if (r.comparison || r.fleet) {
    if (r.comparison) append_comparison(out, *r.comparison);
    if (r.fleet) append_fleet(out, r);
    return out;
  }
  out += "cheapest:\n" + table_header();
  out += rows_text(r, r.cheapest, static_cast<size_t>(std::max(0, r.top)));
  if (r.cheapest.empty()) out += "  (none meets the SLO)\n";
  out += "pareto front (cost per million output tokens vs p99 e2e latency):\n" + table_header();
  out += rows_text(r, r.pareto, r.pareto.size());
  if (r.pareto.empty()) out += "  (no priced deployment meets the SLO; pass --price-per-hour)\n";
  if (!r.cheapest.empty()) append_assumptions(out, r.results[r.cheapest.front()].assumptions);
  return out;
}

}  // namespace tessera

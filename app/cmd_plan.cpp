// tessera plan: SLO-bound capacity search over deployments, the cheapest and the
// Pareto front; --fleet sizes a fleet; --compare sets hardware side by side.
#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "app/cli.h"
#include "app/power_cost_flags.h"
#include "tessera/core/did_you_mean.h"
#include "tessera/planner/capacity_search.h"
#include "tessera/planner/compare.h"
#include "tessera/planner/fleet.h"
#include "tessera/report/html_plan.h"
#include "tessera/report/plan_report.h"
#include "tessera/specs/io/slo_parse.h"
#include "tessera/specs/io/units.h"

namespace tessera::app {

namespace {

struct PlanArgs {
  SimulationRequest base;
  std::string slo, fleet, out, report;
  std::vector<std::string> hardware, compare;
  SearchSpace space;
  PowerCostArgs power_cost;
  std::string weights_dtype = "bf16", kv_dtype = "bf16";
  double headroom = 0.2;
  int64_t probe_requests = 400;
  double tolerance = 0.05;
  int threads = 0;
  int top = 10;
  bool json = false;
};

Status check_args(PlanArgs& a) {
  auto w = parse_dtype(a.weights_dtype);
  if (!w) return bad_input(fmt::format("--weights-dtype: unknown dtype '{}'", a.weights_dtype));
  auto kv = parse_dtype(a.kv_dtype);
  if (!kv) return bad_input(fmt::format("--kv-dtype: unknown dtype '{}'", a.kv_dtype));
  a.base.deployment.weight_dtype = *w;
  a.base.deployment.kv_dtype = *kv;
  if (!(a.headroom >= 0 && a.headroom < 1))
    return bad_input(fmt::format("--headroom: '{}' must be in [0, 1)", a.headroom));
  if (a.probe_requests < 20 || a.probe_requests > 1'000'000)
    return bad_input(fmt::format("--probe-requests: '{}' must be in [20, 1000000]", a.probe_requests));
  if (!(a.tolerance >= 0.001 && a.tolerance <= 1))
    return bad_input(fmt::format("--tolerance: '{}' must be in [0.001, 1]", a.tolerance));
  if (!a.compare.empty() && !a.hardware.empty())
    return bad_input("--compare: give the hardware to compare here, not also in --hardware");
  static const std::vector<std::string> kSched{"vllm", "sarathi"};
  for (const std::string& s : a.space.schedulers)
    if (s != "vllm" && s != "sarathi")
      return bad_input(fmt::format("--schedulers: unknown '{}'{}", s, did_you_mean(s, kSched)));
  return {};
}

// The fleet's deployment: most tokens per chip for a chip budget, least energy per
// token for a power budget, cheapest (else least energy) for a token target.
std::optional<size_t> fleet_choice(const std::vector<CapacityResult>& rs, FleetTarget::Kind kind, std::string& by) {
  std::optional<size_t> best;
  auto energy = [](const CapacityResult& r) { return r.at_max.energy_j_per_output_token; };
  for (size_t i = 0; i < rs.size(); ++i) {
    if (!rs[i].feasible) continue;
    if (!best) { best = i; continue; }
    const CapacityResult &a = rs[i], &b = rs[*best];
    bool better = false;
    if (kind == FleetTarget::Kind::Chips) {
      better = tokens_per_s_per_chip(a) > tokens_per_s_per_chip(b);
    } else if (kind == FleetTarget::Kind::Power || !cost_per_million(a) || !cost_per_million(b)) {
      better = energy(a) && (!energy(b) || *energy(a) < *energy(b));
    } else {
      better = *cost_per_million(a) < *cost_per_million(b);
    }
    if (better) best = i;
  }
  if (!best) return best;
  const bool priced = cost_per_million(rs[*best]).has_value();
  by = kind == FleetTarget::Kind::Chips   ? "most output tokens per chip"
       : kind == FleetTarget::Kind::Power ? "least energy per output token"
       : priced                           ? "lowest cost per million output tokens"
                                          : "least energy per output token (no price)";
  return best;
}

Status add_fleet(PlanArgs& a, const CapacityOptions& copt, PlanReport& rep) {
  auto target = parse_fleet_target(a.fleet);
  if (!target) return target.error();
  auto choice = fleet_choice(rep.results, target->kind, rep.fleet_chosen_by);
  if (!choice) return infeasible("--fleet: no deployment searched meets the SLO");
  auto at = run_at_fraction(rep.results[*choice], 1.0 - a.headroom, copt);
  if (!at) return at.error();
  auto plan = size_fleet(fleet_unit(*at), *target, a.headroom);
  if (!plan) return plan.error();
  rep.fleet = *plan;
  rep.fleet_choice = choice;
  return {};
}

int run(PlanArgs& a) {
  const auto start = std::chrono::steady_clock::now();
  if (Status s = check_args(a); !s) return report_error(s.error());
  auto slo = parse_slo(a.slo);
  if (!slo) return report_error(slo.error());
  CapacityOptions copt;
  copt.slo = *slo;
  copt.probe_requests = a.probe_requests;
  copt.tolerance = a.tolerance;
  a.space.hardware = a.compare.empty() ? a.hardware : a.compare;
  if (Status s = apply_power_cost_flags(a.power_cost, a.base); !s) return report_error(s.error());
  if (auto probe = scaled_workload(a.base.workload, 1.0, a.probe_requests); !probe) return report_error(probe.error());
  auto grid = enumerate_deployments(a.base, a.space);
  if (!grid) return report_error(grid.error());
  for (SimulationRequest& r : *grid)
    if (Status s = apply_power_cost_flags(a.power_cost, r); !s) return report_error(s.error());
  const int threads = a.threads > 0 ? a.threads : std::max(1u, std::thread::hardware_concurrency());
  auto results = search_capacity(*grid, copt, threads);
  if (!results) return report_error(results.error());

  PlanReport rep;
  rep.model = a.base.model;
  rep.workload = a.base.workload;
  rep.slo = *slo;
  rep.price_basis = a.power_cost.price_per_hour.empty() ? a.power_cost.price_basis : "user --price-per-hour";
  rep.top = a.top;
  rep.results = std::move(*results);
  rep.searched = static_cast<int>(rep.results.size());
  for (const auto& r : rep.results) rep.feasible += r.feasible ? 1 : 0;
  rep.cheapest = rank_by_cost(rep.results);
  rep.pareto = pareto_front(rep.results);
  if (!a.fleet.empty())
    if (Status s = add_fleet(a, copt, rep); !s) return report_error(s.error());
  if (!a.compare.empty()) rep.comparison = compare_hardware(a.compare, rep.results);
  rep.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const std::string json = plan_json(rep, version()).dump(2) + "\n";
  std::string html;
  if (!a.report.empty()) {
    auto h = plan_report_html(rep, version());
    if (!h) return report_error(h.error());
    html = std::move(*h);
  }
  if (!a.out.empty())
    if (Status s = write_file_atomic(a.out, json); !s) return report_error(s.error());
  if (!a.report.empty())
    if (Status s = write_file_atomic(a.report, html, "--report"); !s) return report_error(s.error());
  std::cout << (a.json ? json : plan_text(rep));
  if (rep.feasible == 0 && !a.json) std::cerr << "tessera: no deployment searched meets the SLO\n";
  return rep.feasible == 0 ? kInfeasible : kOk;
}

}  // namespace

Command add_plan(CLI::App& root) {
  auto args = std::make_shared<PlanArgs>();
  CLI::App* c = root.add_subcommand("plan", "Search deployments for the cheapest that meet an SLO; size fleets");
  c->add_option("--model", args->base.model, "catalog model name or path to a Hugging Face config.json")->required();
  c->add_option("--workload", args->base.workload, "poisson:... or trace:PATH[,rate-scale=X] (the load is searched)")
      ->required();
  c->add_option("--slo", args->slo, "SLO targets, e.g. ttft_p99=2s,tpot_p99=100ms")->required();
  c->add_option("--hardware", args->hardware, "systems to search (comma-separated; default: all)")->delimiter(',');
  c->add_option("--compare", args->compare, "systems to set side by side (comma-separated)")->delimiter(',');
  c->add_option("--fleet", args->fleet, "size a fleet: chips=N | power=2GW | tokens-per-day=N");
  c->add_option("--headroom", args->headroom, "fleet: spare fraction of each unit's maximum load")
      ->capture_default_str();
  c->add_option("--tp", args->space.tp, "TP degrees to search (default: powers of two)")->delimiter(',');
  c->add_option("--pp", args->space.pp, "PP degrees to search")->delimiter(',')->capture_default_str();
  c->add_option("--schedulers", args->space.schedulers, "schedulers to search")->delimiter(',');
  c->add_option("--max-batch", args->space.max_batch, "batch caps to search")->delimiter(',');
  c->add_option("--weights-dtype", args->weights_dtype, "bf16|fp16|fp8|int8|mxfp8|mxfp4")->capture_default_str();
  c->add_option("--kv-dtype", args->kv_dtype, "bf16|fp8")->capture_default_str();
  c->add_option("--probe-requests", args->probe_requests, "requests per load probe")->capture_default_str();
  c->add_option("--tolerance", args->tolerance, "relative precision of the load bisection")->capture_default_str();
  c->add_option("--threads", args->threads, "worker threads (default: all cores)");
  c->add_option("--top", args->top, "cheapest deployments to list")->capture_default_str();
  c->add_option("--seed", args->base.seed, "random seed")->capture_default_str();
  c->add_option("--out", args->out, "write the plan JSON to this file");
  c->add_option("--report", args->report, "write a self-contained HTML report (Pareto chart, cheapest deployments)");
  c->add_flag("--json", args->json, "print the plan JSON instead of the tables");
  add_power_cost_flags(c, args->power_cost);
  return {c, [args] { return run(*args); }};
}

}  // namespace tessera::app

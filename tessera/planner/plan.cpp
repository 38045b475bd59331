#include "tessera/planner/plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <chrono>
#include <thread>

#include "tessera/core/did_you_mean.h"
#include "tessera/plan/graph_layout.h"
#include "tessera/specs/dtype.h"
#include "tessera/specs/io/slo_parse.h"

namespace tessera {

namespace {

constexpr std::string_view kRequestsKey = "requests-per-second=";

// "requests-per-second=N": sized as a token target, N x the workload's mean output
// tokens per request (what the chosen deployment's run completed) per second. The
// workload fixes that mean, so every deployment would convert it alike.
Result<std::optional<double>> requests_target(const std::string& fleet) {
  if (fleet.rfind(kRequestsKey, 0) != 0) return std::optional<double>{};
  const std::string val = fleet.substr(kRequestsKey.size());
  char* end = nullptr;
  const double n = std::strtod(val.c_str(), &end);
  if (val.empty() || end != val.c_str() + val.size() || !(n > 0) || !std::isfinite(n))
    return bad_input(fmt::format("--fleet: key 'requests-per-second': '{}' must be a positive number", val));
  return std::optional<double>{n};
}

Status check_request(const PlanRequest& a) {
  if (!(a.headroom >= 0 && a.headroom < 1))
    return bad_input(fmt::format("--headroom: '{}' must be in [0, 1)", a.headroom));
  if (a.probe_requests < 20 || a.probe_requests > 1'000'000)
    return bad_input(fmt::format("--probe-requests: '{}' must be in [20, 1000000]", a.probe_requests));
  if (!(a.tolerance >= 0.001 && a.tolerance <= 1))
    return bad_input(fmt::format("--tolerance: '{}' must be in [0.001, 1]", a.tolerance));
  if (a.top < 0) return bad_input(fmt::format("--top: '{}' must be >= 0", a.top));
  if (!a.fleet.empty()) {  // before the search, which may take minutes
    auto rps = requests_target(a.fleet);
    if (!rps) return rps.error();
    if (!*rps)
      if (auto t = parse_fleet_target(a.fleet); !t) return t.error();
  }
  if (!a.compare.empty() && !a.hardware.empty())
    return bad_input("--compare: give the hardware to compare here, not also in --hardware");
  // Degrees and caps divide the deployment: 0 would divide by zero in the grid.
  for (const auto& [flag, values] : {std::pair{"--tp", &a.space.tp}, std::pair{"--pp", &a.space.pp},
                                     std::pair{"--max-batch", &a.space.max_batch}})
    for (int v : *values)
      if (v < 1) return bad_input(fmt::format("{}: '{}' must be >= 1", flag, v));
  if (a.threads < 0) return bad_input(fmt::format("--threads: '{}' must be >= 0 (0: all cores)", a.threads));
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
    if (!best) {
      best = i;
      continue;
    }
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

Status add_fleet(const PlanRequest& a, const CapacityOptions& copt, PlanReport& rep) {
  auto rps = requests_target(a.fleet);
  if (!rps) return rps.error();
  auto target = *rps ? Result<FleetTarget>(FleetTarget{FleetTarget::Kind::TokensPerDay, 1}) : parse_fleet_target(a.fleet);
  if (!target) return target.error();
  auto choice = fleet_choice(rep.results, target->kind, rep.fleet_chosen_by);
  if (!choice) return infeasible("--fleet: no deployment searched meets the SLO");
  auto at = run_at_fraction(rep.results[*choice], 1.0 - a.headroom, copt);
  if (!at) return at.error();
  if (*rps) {
    const Summary& s = at->at_max;
    if (s.completed <= 0) return infeasible("--fleet: the chosen deployment completed no request to size from");
    const double per_request = static_cast<double>(s.output_tokens) / static_cast<double>(s.completed);
    target->value = **rps * per_request * 86400.0;
    rep.fleet_requests_per_s = **rps;
    rep.fleet_output_tokens_per_request = per_request;
  }
  auto plan = size_fleet(fleet_unit(*at), *target, a.headroom);
  if (!plan) return plan.error();
  rep.fleet = *plan;
  rep.fleet_choice = choice;
  return {};
}

}  // namespace

Result<PlanReport> run_plan(const PlanRequest& a) {
  const auto start = std::chrono::steady_clock::now();
  SimulationRequest base = a.base;
  auto w = dtype_option("--weights-dtype", a.weights_dtype);
  if (!w) return w.error();
  auto kv = dtype_option("--kv-dtype", a.kv_dtype);
  if (!kv) return kv.error();
  base.deployment.weight_dtype = *w;
  base.deployment.kv_dtype = *kv;
  TESSERA_TRY(check_request(a));
  auto slo = parse_slo(a.slo);
  if (!slo) return slo.error();
  // Without a target every load "meets" the SLO and the bisection runs to its cap.
  if (!slo->ttft_p99_s && !slo->tpot_p99_s)
    return bad_input(fmt::format("--slo: '{}' sets no target (e.g. 'ttft_p99=2s,tpot_p99=100ms')", a.slo));
  CapacityOptions copt;
  copt.slo = *slo;
  copt.probe_requests = a.probe_requests;
  copt.tolerance = a.tolerance;
  copt.strict = !a.space.tp.empty();  // a TP the user named must fit the model
  SearchSpace space = a.space;
  space.hardware = a.compare.empty() ? a.hardware : a.compare;
  // Checked once up front so that a bad option fails before the grid is built.
  TESSERA_TRY(apply_power_cost_options(a.power_cost, base));
  // The model, its graph and the workload, resolved once: a name or file that is wrong
  // fails here with simulate's message, not as a grid where nothing fits.
  TESSERA_TRY(resolve_request(base));
  if (auto probe = scaled_workload(*base.workload_spec, 1.0, a.probe_requests); !probe) return probe.error();
  auto model = base.catalog->model(base.model);
  if (!model) return model.error();
  TESSERA_TRY(check_graph_lowering(*(*model)->graph));
  auto grid = enumerate_deployments(base, space);
  if (!grid) return grid.error();
  // Per deployment: a per-system price list applies to each grid point's own hardware.
  for (SimulationRequest& r : *grid) TESSERA_TRY(apply_power_cost_options(a.power_cost, r));
  const int threads = a.threads > 0 ? a.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto results = search_capacity(*grid, copt, threads);
  if (!results) return results.error();

  PlanReport rep;
  rep.model = base.model;
  rep.workload = base.workload;
  rep.slo = *slo;
  rep.price_basis = a.power_cost.price_per_hour.empty() ? a.power_cost.price_basis : "user --price-per-hour";
  rep.top = a.top;
  rep.results = std::move(*results);
  rep.searched = static_cast<int>(rep.results.size());
  for (const auto& r : rep.results) rep.feasible += r.feasible ? 1 : 0;
  rep.cheapest = rank_by_cost(rep.results);
  rep.pareto = pareto_front(rep.results);
  if (!a.fleet.empty()) TESSERA_TRY(add_fleet(a, copt, rep));
  if (!a.compare.empty()) rep.comparison = compare_hardware(a.compare, rep.results);
  rep.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return rep;
}

}  // namespace tessera

#include "tessera/planner/capacity.h"

#include <fmt/format.h>

#include <atomic>
#include <cmath>
#include <mutex>
#include <optional>
#include <thread>

#include "tessera/specs/io/catalog.h"
#include "tessera/specs/io/power_io.h"
#include "tessera/specs/io/workload_parse.h"

namespace tessera {

namespace {

std::vector<std::string> split_items(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (true) {
    const size_t end = s.find(',', pos);
    out.push_back(s.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return out;
}

std::string number_text(double x) { return fmt::format("{:.9g}", x); }

}  // namespace

std::string with_workload_key(const std::string& spec, std::string_view key, const std::string& value) {
  const size_t colon = spec.find(':');
  if (colon == std::string::npos) return spec;
  const std::string kind = spec.substr(0, colon);
  std::vector<std::string> items = split_items(spec.substr(colon + 1));
  const size_t first = kind == "trace" ? 1 : 0;  // a trace's first item is its path
  const std::string prefix = std::string(key) + "=";
  bool done = false;
  for (size_t i = first; i < items.size(); ++i) {
    if (items[i].rfind(prefix, 0) == 0) {
      items[i] = prefix + value;
      done = true;
    }
  }
  if (!done) items.push_back(prefix + value);
  std::string out = kind + ":";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i];
  return out;
}

Result<std::string> scaled_workload(const std::string& spec, double scale, int64_t requests) {
  auto w = parse_workload(spec);
  if (!w) return w.error();
  switch (w->kind) {
    case WorkloadKind::Poisson:
      return with_workload_key(with_workload_key(spec, "rate", number_text(w->rate * scale)), "n",
                               std::to_string(requests));
    case WorkloadKind::Trace: {
      const int64_t limit = w->limit > 0 ? std::min(w->limit, requests) : requests;
      return with_workload_key(with_workload_key(spec, "rate-scale", number_text(w->rate_scale * scale)), "limit",
                               std::to_string(limit));
    }
    case WorkloadKind::Batch:
    case WorkloadKind::Closed: break;
  }
  return bad_input(fmt::format("--workload: '{}' has no arrival rate to search over; plan needs "
                               "'poisson:rate=...' or 'trace:PATH'", spec));
}

bool meets_slo(const Summary& s, const SloTargets& slo) {
  if (s.completed <= 0 || s.rejected > 0 || s.completed < s.requests) return false;
  if (slo.ttft_p99_s && s.ttft.p99 > *slo.ttft_p99_s) return false;
  if (slo.tpot_p99_s && s.tpot.p99 > *slo.tpot_p99_s) return false;
  return true;
}

namespace {

struct Probe {
  bool pass = false;
  std::optional<SimulationOutcome> outcome;
};

class Bisection {
 public:
  Bisection(const SimulationRequest& base, const CapacityOptions& o) : base_(base), o_(o) {}

  // nullopt: the deployment itself fails (infeasible); error: bad input.
  Result<Probe> probe(double scale) {
    SimulationRequest req = base_;
    auto w = scaled_workload(base_.workload, scale, o_.probe_requests);
    if (!w) return w.error();
    req.workload = *w;
    req.slo = {};  // meets_slo reads the percentiles; no per-request records needed
    ++probes_;
    auto out = run_simulation(req);
    if (!out) return out.error();
    Probe p;
    p.pass = meets_slo(out->summary, o_.slo);
    p.outcome = std::move(*out);
    return p;
  }
  int probes() const { return probes_; }

 private:
  const SimulationRequest& base_;
  const CapacityOptions& o_;
  int probes_ = 0;
};

// The deployment's replicas are independent and identical, so the search runs one
// replica at 1/dp of the load and scales: throughput x dp, latencies as simulated,
// power and cost recomputed for all chips and systems at the same per-chip utilization.
Status fill_result(CapacityResult& r, const SimulationOutcome& one, double scale_one, const CapacityOptions& opt) {
  const int dp = std::max(1, r.request.deployment.dp);
  r.feasible = true;
  r.load_scale = scale_one * dp;
  Summary s = one.summary;
  s.output_tokens_per_s *= dp;
  s.input_tokens_per_s *= dp;
  s.requests_per_s *= dp;
  if (s.goodput_requests_per_s) *s.goodput_requests_per_s *= dp;
  s.chips = r.chips_per_replica * r.replicas;
  s.systems = r.systems;
  r.requests_per_s = one.summary.duration_s > 0 ? dp * one.summary.requests / one.summary.duration_s : 0;
  PowerParams params;
  if (r.request.power_params) {
    params = *r.request.power_params;
  } else {
    const auto dir = r.request.data_dir.empty() ? Catalog::default_data_dir() : r.request.data_dir;
    auto p = load_power_params(power_params_path(dir));
    if (!p) return p.error();
    params = std::move(*p);
  }
  const Utilization u{s.mfu, s.mbu, s.link_utilization};
  const PowerEstimate pw = estimate_power(one.system, s.chips, s.systems, u, params, r.request.power);
  s.avg_power_w.reset();
  s.energy_j_per_output_token.reset();
  if (pw.facility) {
    s.avg_power_w = pw.facility->value();
    if (s.output_tokens_per_s > 0) s.energy_j_per_output_token = *s.avg_power_w / s.output_tokens_per_s;
  }
  const CostEstimate cost = estimate_cost(one.system, s.systems, s.output_tokens_per_s, r.request.cost, pw.facility);
  s.cost_usd_per_hour.reset();
  s.cost_usd_per_million_output_tokens = cost.usd_per_million_output;
  if (cost.per_hour) s.cost_usd_per_hour = cost.per_hour->value();
  r.at_max = s;
  r.assumptions = pw.assumptions;
  r.assumptions.insert(r.assumptions.end(), cost.assumptions.begin(), cost.assumptions.end());
  r.warnings = one.warnings;
  auto w = scaled_workload(r.request.workload, r.load_scale, opt.probe_requests * dp);
  if (w) r.request.workload = *w;
  return {};
}

}  // namespace

Result<CapacityResult> max_sustainable_load(const SimulationRequest& base, const CapacityOptions& opt) {
  CapacityResult r;
  r.request = base;
  r.base_workload = base.workload;
  auto compiled = compile_deployment(base);
  if (!compiled) {
    if (compiled.error().kind == ErrorKind::Infeasible || compiled.error().kind == ErrorKind::BadInput) {
      // A deployment that cannot be placed is a point of the grid that does not exist.
      r.reason = compiled.error().message;
      return r;
    }
    return compiled.error();
  }
  r.chips_per_replica = compiled->placement.chips_per_replica;
  r.replicas = compiled->placement.replicas;
  r.systems = compiled->placement.systems;
  r.system_chips = compiled->system->chips;
  compiled = Error{};  // release the compiled models before the probes

  SimulationRequest one = base;
  one.deployment.dp = 1;
  Bisection b(one, opt);
  const double start = 1.0 / std::max(1, base.deployment.dp);
  auto first = b.probe(start);
  if (!first) return first.error();
  double lo = 0, hi = 0;
  std::optional<SimulationOutcome> best;
  if (first->pass) {
    lo = start;
    best = std::move(first->outcome);
    for (int i = 0; i < opt.max_doublings; ++i) {
      auto p = b.probe(lo * 2);
      if (!p) return p.error();
      if (!p->pass) { hi = lo * 2; break; }
      lo *= 2;
      best = std::move(p->outcome);
    }
    if (hi == 0) hi = lo;  // passes everywhere searched: report the top of the range, with a warning
  } else {
    hi = start;
    for (int i = 0; i < opt.max_doublings && !best; ++i) {
      auto p = b.probe(hi / 2);
      if (!p) return p.error();
      if (p->pass) { lo = hi / 2; best = std::move(p->outcome); } else { hi /= 2; }
    }
    if (!best) {
      r.reason = fmt::format("misses the SLO even at 1/{:g} of the workload's load",
                             std::pow(2.0, opt.max_doublings));
      r.probes = b.probes();
      return r;
    }
  }
  while (hi / lo - 1 > opt.tolerance) {
    const double mid = std::sqrt(lo * hi);
    auto p = b.probe(mid);
    if (!p) return p.error();
    if (p->pass) { lo = mid; best = std::move(p->outcome); } else { hi = mid; }
  }
  TESSERA_TRY(fill_result(r, *best, lo, opt));
  if (hi == lo)
    r.warnings.push_back(fmt::format("the SLO held at every load probed (up to {:g}x): {} requests per probe are too "
                                     "few to saturate this deployment; raise --probe-requests",
                                     r.load_scale, opt.probe_requests));
  r.probes = b.probes();
  return r;
}

Result<std::vector<CapacityResult>> search_capacity(const std::vector<SimulationRequest>& requests,
                                                    const CapacityOptions& options, int threads) {
  std::vector<std::optional<Result<CapacityResult>>> slots(requests.size());
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto worker = [&] {
    for (size_t i = next++; i < requests.size() && !failed; i = next++) {
      slots[i].emplace(max_sustainable_load(requests[i], options));
      if (!slots[i]->ok()) failed = true;
    }
  };
  const int n = std::max(1, std::min<int>(threads, static_cast<int>(requests.size())));
  std::vector<std::thread> pool;
  for (int t = 1; t < n; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  std::vector<CapacityResult> out;
  out.reserve(requests.size());
  for (auto& s : slots) {  // the first error in grid order, so that the message is deterministic
    if (!s) continue;
    if (!s->ok()) return s->error();
  }
  for (auto& s : slots) out.push_back(std::move(s->value()));
  return out;
}

Result<CapacityResult> run_at_fraction(const CapacityResult& r, double fraction, const CapacityOptions& opt) {
  if (!r.feasible) return internal_error("run_at_fraction: the deployment has no sustainable load");
  SimulationRequest one = r.request;
  one.workload = r.base_workload;
  one.deployment.dp = 1;
  const double scale_one = fraction * r.load_scale / std::max(1, r.request.deployment.dp);
  auto w = scaled_workload(r.base_workload, scale_one, opt.probe_requests);
  if (!w) return w.error();
  one.workload = *w;
  auto out = run_simulation(one);
  if (!out) return out.error();
  CapacityResult at = r;
  at.request.workload = r.base_workload;
  TESSERA_TRY(fill_result(at, *out, scale_one, opt));
  at.feasible = meets_slo(out->summary, opt.slo);
  return at;
}

}  // namespace tessera

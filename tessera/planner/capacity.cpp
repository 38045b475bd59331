#include "tessera/planner/capacity.h"

#include <fmt/format.h>

#include <atomic>
#include <cmath>
#include <optional>
#include <thread>

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

Result<WorkloadSpec> scaled_workload(const WorkloadSpec& w, double scale, int64_t requests) {
  WorkloadSpec s = w;
  switch (w.kind) {
    case WorkloadKind::Poisson:
      s.rate = w.rate * scale;
      s.n = requests;
      s.text = with_workload_key(with_workload_key(w.text, "rate", number_text(s.rate)), "n", std::to_string(s.n));
      return s;
    case WorkloadKind::Trace:
      s.rate_scale = w.rate_scale * scale;
      s.limit = w.limit > 0 ? std::min(w.limit, requests) : requests;
      s.text = with_workload_key(with_workload_key(w.text, "rate-scale", number_text(s.rate_scale)), "limit",
                                 std::to_string(s.limit));
      return s;
    case WorkloadKind::Batch:
    case WorkloadKind::Closed: break;
  }
  return bad_input(fmt::format("--workload: '{}' has no arrival rate to search over; plan needs "
                               "'poisson:rate=...' or 'trace:PATH'", w.text));
}

Result<std::string> scaled_workload(const std::string& spec, double scale, int64_t requests) {
  auto w = parse_workload(spec);
  if (!w) return w.error();
  w->text = spec;
  auto s = scaled_workload(*w, scale, requests);
  if (!s) return s.error();
  return s->text;
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
  SteadyState steady;
  SimulationOutcome outcome;
  int64_t requests = 0;
};

// The probes of one deployment: one replica, compiled once, its iteration costs
// memoized across probes.
class Search {
 public:
  Search(CompiledDeployment compiled, SimulationRequest one, WorkloadSpec base, PowerParams params,
         const CapacityOptions& o)
      : compiled_(std::move(compiled)), one_(std::move(one)), base_(std::move(base)), params_(std::move(params)),
        o_(o), requests_(o.probe_requests) {
    one_.slo = {};                     // the verdict reads the records directly
    one_.keep_request_records = true;
  }

  // A probe at `scale`, lengthened until its arrivals span probe_e2e_multiple mean
  // end-to-end latencies. A short probe's warm-up looks like overload (the backlog
  // is still filling), so an overloaded verdict is believed only once the probe is
  // long enough or kMaxOverloadGrowth times the current probe length (an overloaded
  // run's latency grows with its length, so it may never be "long enough").
  Result<Probe> probe(double scale) {
    constexpr int64_t kMaxOverloadGrowth = 4;
    int64_t n = requests_;
    while (true) {
      auto p = run(scale, n);
      if (!p) return p.error();
      const double span = 2 * (p->steady.window_end_s - p->steady.window_start_s);
      const double wanted = o_.probe_e2e_multiple * p->steady.e2e_mean_s;
      const bool exhausted = p->requests < n;  // a trace shorter than the probe
      const bool believed_overload =
          p->steady.verdict == Stability::Overloaded && n >= kMaxOverloadGrowth * requests_;
      if (span >= wanted || exhausted || n >= o_.max_probe_requests || believed_overload) {
        if (p->steady.verdict != Stability::Overloaded) requests_ = std::max(requests_, n);
        return p;
      }
      double grow = span > 0 ? wanted / span * 1.25 : 2.0;
      if (p->steady.verdict == Stability::Overloaded) grow = std::min<double>(grow, kMaxOverloadGrowth);
      n = std::min<int64_t>(o_.max_probe_requests, static_cast<int64_t>(std::ceil(static_cast<double>(n) * grow)));
      if (p->steady.verdict == Stability::Overloaded) n = std::min(n, kMaxOverloadGrowth * requests_);
    }
  }

  // One run of `requests` requests at `scale`.
  Result<Probe> run(double scale, int64_t requests) {
    auto w = scaled_workload(base_, scale, requests);
    if (!w) return w.error();
    ++probes_;
    one_.workload = w->text;
    auto out = run_compiled(compiled_, one_, *w, params_);
    if (!out) return out.error();
    Probe p;
    p.requests = out->serve.requests;
    p.steady = assess_steady_state(out->serve.records, o_.stability);
    out->serve.records.clear();
    out->serve.records.shrink_to_fit();
    const Summary& s = out->summary;
    p.pass = p.steady.verdict == Stability::Stable && s.completed > 0 && s.rejected == 0 &&
             s.completed == s.requests && (!o_.slo.ttft_p99_s || p.steady.ttft_p99_s <= *o_.slo.ttft_p99_s) &&
             (!o_.slo.tpot_p99_s || p.steady.tpot_p99_s <= *o_.slo.tpot_p99_s);
    p.outcome = std::move(*out);
    return p;
  }

  int probes() const { return probes_; }
  const PowerParams& params() const { return params_; }
  const WorkloadSpec& base() const { return base_; }
  int64_t probe_requests() const { return requests_; }

 private:
  CompiledDeployment compiled_;
  SimulationRequest one_;
  WorkloadSpec base_;
  PowerParams params_;
  const CapacityOptions& o_;
  int64_t requests_;
  int probes_ = 0;
};

// The search of one replica of `base` (resolved), its workload text `text`.
Result<std::unique_ptr<Search>> one_replica_search(const SimulationRequest& base, const std::string& text,
                                                   const CapacityOptions& opt) {
  SimulationRequest one = base;
  one.deployment.dp = 1;
  auto compiled = compile_deployment(one);
  if (!compiled) return compiled.error();
  auto params = request_power_params(base);
  if (!params) return params.error();
  WorkloadSpec workload = *base.workload_spec;
  workload.text = text;
  return std::make_unique<Search>(std::move(*compiled), one, std::move(workload), std::move(*params), opt);
}

// The deployment's replicas are independent and identical, so the search runs one
// replica at 1/dp of the load and scales: throughput x dp, latencies as simulated,
// power and cost for all chips at the same per-chip utilization.
void fill_result(CapacityResult& r, const Probe& one, double scale_one, const PowerParams& params,
                 const WorkloadSpec& base) {
  const int dp = std::max(1, r.request.deployment.dp);
  const SimulationOutcome& o = one.outcome;
  r.feasible = true;
  r.load_scale = scale_one * dp;
  r.steady = one.steady;
  Summary s = o.summary;
  s.output_tokens_per_s *= dp;
  s.input_tokens_per_s *= dp;
  s.requests_per_s *= dp;
  if (s.goodput_requests_per_s) *s.goodput_requests_per_s *= dp;
  s.chips = r.chips_per_replica * r.replicas;
  s.systems = r.systems;
  r.requests_per_s = o.summary.duration_s > 0 ? dp * o.summary.requests / o.summary.duration_s : 0;
  const ChipPool pool{&o.system, gemm_math_dtype(o.system.chip, o.deployment), s.chips, s.systems, r.replicas};
  r.assumptions.clear();
  r.warnings = o.warnings;
  add_power_and_cost(s, {pool}, params, r.request.power, r.request.cost, r.assumptions, r.warnings);
  r.at_max = s;
  auto w = scaled_workload(base, r.load_scale, one.requests * dp);
  if (w) {
    r.request.workload = w->text;
    r.request.workload_spec = *w;
  }
}

// Grid points that cannot exist (do not fit, or a made-up TP the model does not take).
bool skipped_point(const Error& e, const CapacityOptions& o) {
  return e.kind == ErrorKind::Infeasible || (e.kind == ErrorKind::BadInput && !o.strict);
}

}  // namespace

Result<CapacityResult> max_sustainable_load(const SimulationRequest& base_in, const CapacityOptions& opt) {
  SimulationRequest base = base_in;
  TESSERA_TRY(resolve_request(base));
  CapacityResult r;
  r.request = base;
  r.base_workload = base.workload;
  {
    auto whole = compile_deployment(base);
    if (!whole) {
      if (!skipped_point(whole.error(), opt)) return whole.error();
      r.reason = whole.error().message;  // a point of the grid that does not exist
      return r;
    }
    r.chips_per_replica = whole->placement.chips_per_replica;
    r.replicas = whole->placement.replicas;
    r.systems = whole->placement.systems;
    r.system_chips = whole->system->chips;
  }
  auto search = one_replica_search(base, base.workload, opt);
  if (!search) return search.error();
  Search& b = **search;

  const double start = 1.0 / std::max(1, base.deployment.dp);
  auto first = b.probe(start);
  if (!first) return first.error();
  double lo = 0, hi = 0;
  if (first->pass) {
    lo = start;
    for (int i = 0; i < opt.max_doublings; ++i) {
      auto p = b.probe(lo * 2);
      if (!p) return p.error();
      if (!p->pass) { hi = lo * 2; break; }
      lo *= 2;
    }
    if (hi == 0) hi = lo;  // passes everywhere searched: report the top of the range, with a warning
  } else {
    hi = start;
    for (int i = 0; i < opt.max_doublings && lo == 0; ++i) {
      auto p = b.probe(hi / 2);
      if (!p) return p.error();
      if (p->pass) lo = hi / 2; else hi /= 2;
    }
    if (lo == 0) {
      r.reason = fmt::format("misses the SLO or does not reach a steady state even at 1/{:g} of the workload's load",
                             std::pow(2.0, opt.max_doublings));
      r.probes = b.probes();
      r.probe_requests = b.probe_requests();
      return r;
    }
  }
  while (hi / lo - 1 > opt.tolerance) {
    const double mid = std::sqrt(lo * hi);
    auto p = b.probe(mid);
    if (!p) return p.error();
    if (p->pass) lo = mid; else hi = mid;
  }
  const bool capped = hi == lo;
  // Confirmation: a probe confirm_factor times longer must pass too; step down by the
  // tolerance until it does.
  const int64_t confirm = std::min(opt.max_probe_requests * opt.confirm_factor, b.probe_requests() * opt.confirm_factor);
  std::optional<Probe> confirmed;
  for (int i = 0; i < 16 && !confirmed; ++i) {
    auto p = b.run(lo, confirm);
    if (!p) return p.error();
    if (p->pass) confirmed = std::move(*p); else lo /= 1 + std::max(opt.tolerance, 0.01);
  }
  r.probes = b.probes();
  r.probe_requests = b.probe_requests();
  r.confirm_requests = confirm;
  if (!confirmed) {
    r.reason = "no load passed the confirmation probe";
    return r;
  }
  fill_result(r, *confirmed, lo, b.params(), b.base());
  if (capped)
    r.warnings.push_back(fmt::format("the SLO held at every load probed (up to {:g}x the workload's load)",
                                     r.load_scale));
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
  SimulationRequest base = r.request;
  base.workload = r.base_workload;
  base.workload_spec.reset();
  TESSERA_TRY(resolve_request(base));
  auto search = one_replica_search(base, r.base_workload, opt);
  if (!search) return search.error();
  Search& b = **search;
  const double scale_one = fraction * r.load_scale / std::max(1, r.request.deployment.dp);
  auto p = b.run(scale_one, std::max<int64_t>(r.confirm_requests, opt.probe_requests));
  if (!p) return p.error();
  CapacityResult at = r;
  fill_result(at, *p, scale_one, b.params(), b.base());
  at.feasible = p->pass;
  return at;
}

}  // namespace tessera

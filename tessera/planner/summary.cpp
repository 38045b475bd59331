#include "tessera/planner/summary.h"

#include <fmt/format.h>

#include <algorithm>

namespace tessera {

Summary summarize_run(const ServeResult& r, const std::vector<ChipPool>& pools, const SloTargets& slo,
                      std::vector<std::string>& warnings) {
  Summary s;
  s.requests = r.requests;
  s.completed = r.completed;
  s.rejected = r.rejected;
  s.duration_s = r.duration_s;
  s.input_tokens = r.input_tokens;
  s.output_tokens = r.output_tokens;
  if (r.duration_s > 0) {
    s.output_tokens_per_s = static_cast<double>(r.output_tokens) / r.duration_s;
    s.input_tokens_per_s = static_cast<double>(r.input_tokens) / r.duration_s;
    s.requests_per_s = static_cast<double>(r.completed) / r.duration_s;
  }
  s.ttft = r.ttft;
  s.tpot = r.tpot;
  s.itl = r.itl;
  s.e2e = r.e2e;
  s.queue = r.queue;
  s.preemptions = r.preemptions;
  s.kv_cache_peak_fraction = r.kv_cache_peak_fraction;
  s.prefix_cache_hit_rate = r.prefix_cache_hit_rate;
  s.kv_transfer_share = r.kv_transfer_share;
  s.spec_acceptance = r.spec_acceptance;

  // Utilization against the peak of all pools' chips over the run's wall time.
  double peak = 0, bw = 0;
  int replicas = 0;
  for (const ChipPool& p : pools) {
    s.chips += p.chips;
    s.systems += p.systems;
    replicas += p.replicas;
    peak += p.system->chip.peak(p.math_dtype).value() * p.chips;
    bw += p.system->chip.hbm_bandwidth.value() * p.chips;
  }
  // Two pools in one system (disaggregated on one box) occupy that system once.
  if (pools.size() == 2 && pools[0].system->name == pools[1].system->name && pools[0].systems == 1 &&
      pools[1].systems == 1 && s.chips <= pools[0].system->chips)
    s.systems = 1;
  if (r.duration_s > 0 && peak > 0 && bw > 0) {
    s.mfu = r.busy_breakdown.flops.value() / (peak * r.duration_s);
    s.mbu = r.busy_breakdown.hbm_bytes.value() / (bw * r.duration_s);
  }
  for (const auto& [name, v] : {std::pair{"MFU", s.mfu}, std::pair{"MBU", s.mbu}})
    if (v > 1.0)
      warnings.push_back(fmt::format("{} is {:.1f}%, over the chips' peak: the cost model undercounts time (a bug; "
                                     "please report it)", name, v * 100));
  // Fabric activity: the fraction of each replica's wall time spent in collectives.
  if (r.duration_s > 0)
    s.link_utilization = r.busy_breakdown.collective.value() / (std::max(1, replicas) * r.duration_s);

  if (slo.ttft_p99_s || slo.tpot_p99_s) {
    int64_t ok = 0;
    for (const RequestRecord& q : r.records) {
      const double ttft = q.first_token_s - q.arrival_s;
      const double tpot = q.output_tokens > 1 ? (q.completion_s - q.first_token_s) / (q.output_tokens - 1) : 0.0;
      if ((!slo.ttft_p99_s || ttft <= *slo.ttft_p99_s) && (!slo.tpot_p99_s || tpot <= *slo.tpot_p99_s)) ++ok;
    }
    const int64_t total = r.completed + r.rejected;
    s.slo_attained_fraction = total > 0 ? static_cast<double>(ok) / total : 0.0;
    s.goodput_requests_per_s = r.duration_s > 0 ? ok / r.duration_s : 0.0;
  }
  return s;
}

void add_power_and_cost(Summary& s, const std::vector<ChipPool>& pools, const PowerParams& params,
                        const PowerOverrides& power, const CostOptions& cost, std::vector<Assumption>& assumptions,
                        std::vector<std::string>& warnings) {
  const Utilization u{s.mfu, s.mbu, s.link_utilization};
  double facility = 0, chip_w = 0, usd_per_hour = 0;
  bool power_known = true, cost_known = true;
  s.avg_power_w.reset();
  s.chip_power_w.reset();
  s.energy_j_per_output_token.reset();
  s.cost_usd_per_hour.reset();
  s.cost_usd_per_million_output_tokens.reset();
  for (const ChipPool& p : pools) {
    const std::string pool = pools.size() > 1 ? fmt::format(" ({} pool)", &p == &pools.front() ? "prefill" : "decode")
                                              : "";
    const PowerEstimate pw = estimate_power(*p.system, p.chips, u, params, power);
    s.pue = pw.pue;
    assumptions.insert(assumptions.end(), pw.assumptions.begin(), pw.assumptions.end());
    if (pw.facility) {
      facility += pw.facility->value();
      chip_w += pw.chip->value() * p.chips;
    } else {
      power_known = false;
      warnings.push_back("power" + pool + ": " + pw.missing);
    }
    const CostEstimate c = estimate_cost(*p.system, p.chips, s.output_tokens_per_s, cost, pw.facility);
    assumptions.insert(assumptions.end(), c.assumptions.begin(), c.assumptions.end());
    if (c.per_hour) {
      usd_per_hour += c.per_hour->value();
    } else {
      cost_known = false;
      warnings.push_back("cost" + pool + ": " + c.missing);
    }
  }
  if (power_known && s.chips > 0) {
    s.avg_power_w = facility;
    s.chip_power_w = chip_w / s.chips;
    if (s.output_tokens_per_s > 0) s.energy_j_per_output_token = facility / s.output_tokens_per_s;
  }
  if (cost_known) {
    s.cost_usd_per_hour = usd_per_hour;
    if (s.output_tokens_per_s > 0)
      s.cost_usd_per_million_output_tokens = usd_per_hour / (s.output_tokens_per_s * 3600.0) * 1e6;
  }
}

}  // namespace tessera

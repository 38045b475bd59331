// The summary of a run: counts, rates, latencies, utilization, SLO attainment, power
// and cost. Computed here only: run_simulation (co-located or disaggregated) and the
// capacity search (one replica scaled to all) describe the chips a run occupies as
// pools and call these functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tessera/power/power_model.h"
#include "tessera/serve/simulator.h"
#include "tessera/specs/deployment.h"
#include "tessera/specs/hardware.h"
#include "tessera/specs/slo.h"

namespace tessera {

struct Summary {
  int64_t requests = 0, completed = 0, rejected = 0;
  double duration_s = 0;
  double output_tokens_per_s = 0, input_tokens_per_s = 0, requests_per_s = 0;
  LatencyStats ttft, tpot, itl, e2e, queue;
  std::optional<double> slo_attained_fraction, goodput_requests_per_s;
  int chips = 0;
  int systems = 0;
  std::optional<double> avg_power_w, energy_j_per_output_token;
  std::optional<double> cost_usd_per_hour, cost_usd_per_million_output_tokens;
  // Over the run's wall time, against the peak of the dtype the GEMMs run in; not
  // clamped (a value over 1 is a model bug, surfaced as a warning).
  double mfu = 0, mbu = 0;
  double kv_cache_peak_fraction = 0;
  int64_t preemptions = 0;
  int64_t output_tokens = 0, input_tokens = 0;
  // Power detail: average per used chip, fabric activity, PUE applied to avg_power_w.
  std::optional<double> chip_power_w;
  double link_utilization = 0;
  double pue = 1.0;
  // Null when the feature is off (serve/simulator.h defines them).
  std::optional<double> prefix_cache_hit_rate, kv_transfer_share, spec_acceptance;
};

// Chips a run occupies on one kind of system: a co-located run has one pool, a
// disaggregated run two (prefill, decode).
struct ChipPool {
  const SystemSpec* system = nullptr;
  DType math_dtype = DType::BF16;  // the GEMMs' dtype (compile.h gemm_math_dtype)
  int chips = 0;                   // chips used
  int systems = 0;                 // systems spanned
  int replicas = 0;
};

// Counts, rates, latencies, utilization and SLO attainment of `r` run on `pools`.
// Warnings: utilization over 100%.
Summary summarize_run(const ServeResult& r, const std::vector<ChipPool>& pools, const SloTargets& slo,
                      std::vector<std::string>& warnings);

// Power and cost of `pools` at s's utilization and output rate, into `s` (and the
// figures used into `assumptions`; what is unknown into `warnings`).
void add_power_and_cost(Summary& s, const std::vector<ChipPool>& pools, const PowerParams& params,
                        const PowerOverrides& power, const CostOptions& cost, std::vector<Assumption>& assumptions,
                        std::vector<std::string>& warnings);

}  // namespace tessera

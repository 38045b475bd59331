// Side-by-side comparison of hardware at the same model, workload and SLO: each
// hardware's best deployment from the capacity search (lowest cost per million
// output tokens where its price is known, else lowest energy per token, else most
// tokens per chip), its cost and energy per million output tokens, the ratios to
// the first entry, and every power/price figure behind them with its provenance.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tessera/planner/capacity.h"

namespace tessera {

struct CompareEntry {
  std::string hardware;
  std::optional<CapacityResult> best;   // empty when no deployment meets the SLO
  std::string chosen_by;                // "cost", "energy" or "tokens per chip"
  std::string reason;                   // why there is none
  std::optional<double> usd_per_million, kwh_per_million;
  std::optional<double> cost_ratio, energy_ratio;  // to the first entry
  // Where the price is unknown: the $/h per system at which this entry would match
  // the cost per million output tokens of the first priced entry (`break_even_vs`).
  std::optional<double> break_even_usd_per_hour;
  std::string break_even_vs;
};

struct Comparison {
  std::vector<CompareEntry> entries;    // in the order asked
  std::vector<Assumption> assumptions;  // distinct figures, first-seen order
};

// `results` from search_capacity over deployments of all `hardware` (any order).
Comparison compare_hardware(const std::vector<std::string>& hardware, const std::vector<CapacityResult>& results);

}  // namespace tessera

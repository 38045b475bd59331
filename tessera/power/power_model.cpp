#include "tessera/power/power_model.h"

#include <algorithm>

namespace tessera {

PowerEstimate estimate_power(const SystemSpec& s, int chips, int systems, const Utilization& u) {
  PowerEstimate p;
  if (!s.chip.tdp) {
    p.missing = "TDP of " + s.chip.name + " is not public (catalog: unknown)";
    return p;
  }
  if (!s.chip.idle_power) {
    p.missing = "idle power of " + s.chip.name + " is not in the catalog (unknown)";
    return p;
  }
  const double activity = std::clamp(std::max(u.compute, u.memory), 0.0, 1.0);
  const Watts idle = *s.chip.idle_power, tdp = *s.chip.tdp;
  p.chip = idle + (tdp - idle) * activity;
  if (!s.host_power) {
    p.missing = "host power of " + s.name + " is not in the catalog (unknown)";
    return p;
  }
  p.system_total = *p.chip * chips + *s.host_power * systems;
  return p;
}

CostEstimate estimate_cost(const SystemSpec& s, int systems, double output_tokens_per_s) {
  CostEstimate c;
  if (!s.price_on_demand) {
    c.missing = "no public on-demand price for " + s.name + " (catalog: unknown)";
    return c;
  }
  c.per_hour = *s.price_on_demand * systems;
  if (output_tokens_per_s > 0)
    c.usd_per_million_output = c.per_hour->value() / (output_tokens_per_s * 3600.0) * 1e6;
  return c;
}

}  // namespace tessera

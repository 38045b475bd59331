#include "tessera/planner/compare.h"

#include <set>

#include "tessera/planner/capacity_search.h"

namespace tessera {

namespace {

std::optional<double> kwh_per_million(const CapacityResult& r) {
  if (!r.at_max.energy_j_per_output_token) return std::nullopt;
  return *r.at_max.energy_j_per_output_token * 1e6 / 3.6e6;
}

// True when a is the better pick; `by` says which key decided.
bool better(const CapacityResult& a, const CapacityResult& b) {
  const auto ca = cost_per_million(a), cb = cost_per_million(b);
  if (ca && cb && *ca != *cb) return *ca < *cb;
  if (ca.has_value() != cb.has_value()) return ca.has_value();
  const auto ea = kwh_per_million(a), eb = kwh_per_million(b);
  if (ea && eb && *ea != *eb) return *ea < *eb;
  if (ea.has_value() != eb.has_value()) return ea.has_value();
  return tokens_per_s_per_chip(a) > tokens_per_s_per_chip(b);
}

CompareEntry best_of(const std::string& hw, const std::vector<CapacityResult>& results) {
  CompareEntry e;
  e.hardware = hw;
  const CapacityResult* best = nullptr;
  std::string first_reason;
  for (const CapacityResult& r : results) {
    if (r.request.hardware != hw) continue;
    if (!r.feasible) {
      if (first_reason.empty()) first_reason = r.reason;
      continue;
    }
    if (!best || better(r, *best)) best = &r;
  }
  if (!best) {
    e.reason = first_reason.empty() ? "no deployment searched" : "no deployment meets the SLO: " + first_reason;
    return e;
  }
  e.best = *best;
  e.usd_per_million = cost_per_million(*best);
  e.kwh_per_million = kwh_per_million(*best);
  e.chosen_by = e.usd_per_million ? "cost" : e.kwh_per_million ? "energy" : "tokens per chip";
  return e;
}

}  // namespace

Comparison compare_hardware(const std::vector<std::string>& hardware, const std::vector<CapacityResult>& results) {
  Comparison c;
  for (const std::string& hw : hardware) c.entries.push_back(best_of(hw, results));
  const CompareEntry& first = c.entries.front();
  for (CompareEntry& e : c.entries) {
    if (e.usd_per_million && first.usd_per_million) e.cost_ratio = *e.usd_per_million / *first.usd_per_million;
    if (e.kwh_per_million && first.kwh_per_million) e.energy_ratio = *e.kwh_per_million / *first.kwh_per_million;
  }
  const CompareEntry* priced = nullptr;
  for (const CompareEntry& e : c.entries)
    if (e.usd_per_million && !priced) priced = &e;
  for (CompareEntry& e : c.entries) {
    if (!priced || e.usd_per_million || !e.best || e.best->at_max.systems <= 0) continue;
    e.break_even_usd_per_hour = *priced->usd_per_million * e.best->at_max.output_tokens_per_s * 3600.0 / 1e6 /
                                e.best->at_max.systems;
    e.break_even_vs = priced->hardware;
  }
  std::set<std::string> seen;
  for (const CompareEntry& e : c.entries) {
    if (!e.best) continue;
    for (const Assumption& a : e.best->assumptions)
      if (seen.insert(a.figure).second) c.assumptions.push_back(a);
  }
  return c;
}

}  // namespace tessera

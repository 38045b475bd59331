#include "tessera/planner/steady_state.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "tessera/serve/stats.h"

namespace tessera {

std::string_view stability_name(Stability s) {
  switch (s) {
    case Stability::Stable: return "stable";
    case Stability::Backlogged: return "backlogged";
    case Stability::Overloaded: return "overloaded";
  }
  return "stable";
}

namespace {

double p99(std::vector<double>& v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return percentile_sorted(v, 0.99);
}

}  // namespace

SteadyState assess_steady_state(const std::vector<RequestRecord>& records, const StabilityLimits& limits) {
  SteadyState st;
  std::vector<double> arrivals, completions;
  arrivals.reserve(records.size());
  completions.reserve(records.size());
  for (const RequestRecord& r : records) {
    arrivals.push_back(r.arrival_s);
    // A rejected request never leaves: it is backlog the run could not serve.
    completions.push_back(r.rejected || r.completion_s < 0 ? std::numeric_limits<double>::infinity() : r.completion_s);
  }
  std::sort(arrivals.begin(), arrivals.end());
  std::sort(completions.begin(), completions.end());
  if (arrivals.empty()) {
    st.verdict = Stability::Backlogged;
    return st;
  }
  st.window_start_s = (arrivals.front() + arrivals.back()) / 2;
  st.window_end_s = arrivals.back();

  // Backlog at each arrival of the window (the arrival itself included), and its trend.
  double sum_t = 0, sum_n = 0, sum_tt = 0, sum_tn = 0;
  size_t done = 0;
  int64_t n = 0;
  for (size_t i = 0; i < arrivals.size(); ++i) {
    const double t = arrivals[i];
    while (done < completions.size() && completions[done] <= t) ++done;
    if (t < st.window_start_s) continue;
    const double backlog = static_cast<double>(i + 1) - static_cast<double>(done);
    sum_t += t;
    sum_n += backlog;
    sum_tt += t * t;
    sum_tn += t * backlog;
    ++n;
  }
  st.window_requests = n;
  const double span = st.window_end_s - st.window_start_s;
  if (n < 8 || !(span > 0)) {
    st.verdict = Stability::Backlogged;
    return st;
  }
  const double mean_t = sum_t / n;
  st.backlog_mean = sum_n / n;
  const double var_t = sum_tt / n - mean_t * mean_t;
  st.backlog_growth_per_s = var_t > 0 ? (sum_tn / n - mean_t * st.backlog_mean) / var_t : 0;
  st.offered_per_s = static_cast<double>(n) / span;

  const double growth = st.backlog_growth_per_s * span;
  if (st.backlog_growth_per_s > limits.overload_fraction * st.offered_per_s) {
    st.verdict = Stability::Overloaded;
  } else if (growth > limits.backlog_growth * st.backlog_mean && growth > 2 * std::sqrt(st.backlog_mean)) {
    st.verdict = Stability::Backlogged;
  }

  // Steady-state latencies: the requests that arrived in the window.
  std::vector<double> ttft, tpot;
  double e2e = 0;
  int64_t served = 0;
  for (const RequestRecord& r : records) {
    if (r.arrival_s < st.window_start_s || r.rejected || r.completion_s < 0) continue;
    ttft.push_back(r.first_token_s - r.arrival_s);
    if (r.output_tokens > 1) tpot.push_back((r.completion_s - r.first_token_s) / (r.output_tokens - 1));
    e2e += r.completion_s - r.arrival_s;
    ++served;
  }
  st.ttft_p99_s = p99(ttft);
  st.tpot_p99_s = p99(tpot);
  st.e2e_mean_s = served > 0 ? e2e / served : 0;
  return st;
}

}  // namespace tessera

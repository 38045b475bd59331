// Is a run in steady state? A capacity probe starts empty, so its first requests see
// a short queue; a load above capacity only shows as latency once the backlog has
// had time to build. The verdict therefore comes from the backlog's trend over the
// second half of the probe's arrivals (the first half is warm-up):
//
//   backlog N(t) = requests arrived by t and not yet completed, sampled at every
//   arrival of the window and fitted with a least-squares line of slope g (req/s);
//   overloaded:  g > overload_fraction x the offered rate (the service rate falls
//                short of the arrival rate by more than that fraction);
//   backlogged:  not overloaded, but the backlog grew over the window by more than
//                backlog_growth x its mean and more than 2 sqrt(mean) (its Poisson
//                fluctuation): it has not settled;
//   stable:      otherwise.
//
// The window's latency percentiles are the steady-state ones the SLO is checked on.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "tessera/serve/sink.h"

namespace tessera {

enum class Stability { Stable, Backlogged, Overloaded };
std::string_view stability_name(Stability s);

struct StabilityLimits {
  double overload_fraction = 0.05;
  double backlog_growth = 0.10;
};

struct SteadyState {
  Stability verdict = Stability::Stable;
  double window_start_s = 0, window_end_s = 0;  // arrivals measured: the probe's second half
  int64_t window_requests = 0;
  double offered_per_s = 0;                     // arrivals per second in the window
  double backlog_mean = 0;                      // requests in the system, mean over the window
  double backlog_growth_per_s = 0;              // the fitted trend
  double ttft_p99_s = 0, tpot_p99_s = 0;        // of the window's requests
  double e2e_mean_s = 0;
};

// `records`: every request of the run (serve keeps them with keep_request_records),
// in any order; rejected ones count as never served. Fewer than 8 requests in the
// window is not enough to judge: the verdict is Backlogged.
SteadyState assess_steady_state(const std::vector<RequestRecord>& records, const StabilityLimits& limits = {});

}  // namespace tessera

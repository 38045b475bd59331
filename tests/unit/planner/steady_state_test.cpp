// The stability verdict of a probe (planner/steady_state.h) on hand-built request
// records whose backlog is known in closed form.
#include <gtest/gtest.h>

#include "tessera/planner/steady_state.h"

namespace tessera {
namespace {

// n requests arriving every second (request i at t = i), TTFT 0.5 s, completing at
// completion(i); 11 output tokens.
template <class F>
std::vector<RequestRecord> records(int n, F completion) {
  std::vector<RequestRecord> out;
  for (int i = 0; i < n; ++i) {
    RequestRecord r;
    r.id = i;
    r.arrival_s = i;
    r.first_token_s = i + 0.5;
    r.completion_s = completion(i);
    r.output_tokens = 11;
    out.push_back(r);
  }
  return out;
}

TEST(SteadyState, ConstantLatencyIsStableWithTheWindowsPercentiles) {
  // Every request takes 10 s: from t = 10 on the backlog is flat at 10. Window: arrivals in [499.5, 999], 500 requests.
  const SteadyState st = assess_steady_state(records(1000, [](int i) { return i + 10.0; }));
  EXPECT_EQ(st.verdict, Stability::Stable);
  EXPECT_DOUBLE_EQ(st.window_start_s, 499.5);
  EXPECT_EQ(st.window_requests, 500);
  EXPECT_NEAR(st.backlog_mean, 10, 1e-9);  // at t = i: i + 1 arrivals, i - 9 completions (0..i-10)
  EXPECT_NEAR(st.backlog_growth_per_s, 0, 1e-12);
  EXPECT_NEAR(st.offered_per_s, 500 / 499.5, 1e-12);
  EXPECT_NEAR(st.ttft_p99_s, 0.5, 1e-12);
  EXPECT_NEAR(st.tpot_p99_s, 9.5 / 10, 1e-12);  // (completion - first token) / (11 - 1)
  EXPECT_NEAR(st.e2e_mean_s, 10, 1e-12);
}

TEST(SteadyState, ServiceAtHalfTheArrivalRateIsOverloaded) {
  // Completions every 2 s: the backlog grows by 0.5 request/s, half the offered rate.
  const SteadyState st = assess_steady_state(records(1000, [](int i) { return 2.0 * i + 1; }));
  EXPECT_EQ(st.verdict, Stability::Overloaded);
  EXPECT_NEAR(st.backlog_growth_per_s, 0.5, 0.01);
}

TEST(SteadyState, SlowGrowthUnderTheOverloadFractionIsBacklogged) {
  // Completions every 1.03 s after a 5 s latency: the backlog grows by ~0.029/s
  // (under 5% of the 1/s offered), 14.5 requests over the 500 s window against a
  // mean of ~27: more than 10% of it and more than 2 sqrt(27) = 10.4.
  const SteadyState st = assess_steady_state(records(1000, [](int i) { return 1.03 * i + 5; }));
  EXPECT_EQ(st.verdict, Stability::Backlogged);
  EXPECT_NEAR(st.backlog_growth_per_s, 0.03 / 1.03, 0.002);
}

TEST(SteadyState, TooFewRequestsCannotBeJudgedStable) {
  EXPECT_EQ(assess_steady_state(records(10, [](int i) { return i + 1.0; })).verdict, Stability::Backlogged);
  EXPECT_EQ(assess_steady_state({}).verdict, Stability::Backlogged);
}

}  // namespace
}  // namespace tessera

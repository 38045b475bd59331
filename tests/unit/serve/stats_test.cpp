#include "tessera/serve/stats.h"

#include <gtest/gtest.h>

namespace tessera {
namespace {

TEST(Stats, LinearInterpolationPercentilesOnKnownVector) {
  std::vector<double> v = {10, 3, 7, 1, 9, 2, 8, 4, 6, 5};  // 1..10, unsorted
  const LatencyStats s = summarize(v);
  EXPECT_EQ(s.count, 10);
  EXPECT_DOUBLE_EQ(s.mean, 5.5);
  EXPECT_DOUBLE_EQ(s.p50, 5.5);   // h = 9 * 0.5 = 4.5 -> 5 + 0.5 * (6 - 5)
  EXPECT_DOUBLE_EQ(s.p90, 9.1);   // h = 8.1 -> 9 + 0.1
  EXPECT_DOUBLE_EQ(s.p99, 9.91);  // h = 8.91 -> 9 + 0.91
  EXPECT_DOUBLE_EQ(s.max, 10);
}

TEST(Stats, SingleValueAndEmpty) {
  std::vector<double> one = {0.25};
  const LatencyStats s = summarize(one);
  EXPECT_EQ(s.count, 1);
  EXPECT_DOUBLE_EQ(s.p50, 0.25);
  EXPECT_DOUBLE_EQ(s.p99, 0.25);
  std::vector<double> none;
  EXPECT_EQ(summarize(none).count, 0);
  EXPECT_DOUBLE_EQ(summarize(none).p99, 0);
}

TEST(Stats, PercentileEndpoints) {
  const std::vector<double> v = {1, 2, 4};
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 0.0), 1);
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 1.0), 4);
  EXPECT_DOUBLE_EQ(percentile_sorted(v, 0.75), 3);  // h = 1.5
}

TEST(Stats, GapRunsMatchTheExpandedVector) {
  serve::GapRecorder g;
  // Runs out of order and repeated: {3, 1, 1, 1, 2, 3, 1} -> sorted {1,1,1,1,2,3,3}
  for (double x : {3.0, 1.0, 1.0, 1.0, 2.0, 3.0, 1.0}) g.add(x);
  EXPECT_EQ(g.runs().size(), 5u);  // 3 | 1 1 1 | 2 | 3 | 1
  const LatencyStats s = g.summarize();
  EXPECT_EQ(s.count, 7);
  EXPECT_DOUBLE_EQ(s.mean, 12.0 / 7.0);
  EXPECT_DOUBLE_EQ(s.p50, 1);    // h = 3
  EXPECT_DOUBLE_EQ(s.p90, 3);    // h = 5.4 -> 3 + 0.4 * 0
  EXPECT_DOUBLE_EQ(s.max, 3);
  std::vector<double> expanded = {3, 1, 1, 1, 2, 3, 1};
  const LatencyStats e = summarize(expanded);
  EXPECT_DOUBLE_EQ(s.p99, e.p99);
  EXPECT_DOUBLE_EQ(s.p90, e.p90);
  serve::GapRecorder h;
  for (double x : {1.0, 1.0, 2.0, 4.0}) h.add(x);
  EXPECT_DOUBLE_EQ(h.summarize().p90, 3.4);  // h = 2.7 -> 2 + 0.7 * 2
}

}  // namespace
}  // namespace tessera

namespace tessera {
namespace {

TEST(Stats, GapCompactionKeepsPercentilesExact) {
  // 300k gaps cycling over 1000 distinct values crosses the compaction threshold
  // several times; the result must equal the plain sorted-vector statistics.
  serve::GapRecorder g;
  std::vector<double> all;
  for (int64_t i = 0; i < 300000; ++i) {
    const double x = 1e-3 * static_cast<double>((i * 7919) % 1000);
    g.add(x);
    all.push_back(x);
  }
  EXPECT_LE(g.runs().size(), 70000u);  // compacted at 65536 runs
  const LatencyStats s = g.summarize();
  const LatencyStats e = summarize(all);
  EXPECT_EQ(g.runs().size(), 1000u);
  EXPECT_EQ(s.count, e.count);
  EXPECT_DOUBLE_EQ(s.p50, e.p50);
  EXPECT_DOUBLE_EQ(s.p90, e.p90);
  EXPECT_DOUBLE_EQ(s.p99, e.p99);
  EXPECT_DOUBLE_EQ(s.max, e.max);
  EXPECT_NEAR(s.mean, e.mean, 1e-12);
}

}  // namespace
}  // namespace tessera

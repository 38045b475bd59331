#include "tessera/network/ring_model.h"

#include <gtest/gtest.h>

namespace tessera {

TEST(Ring, AllReduceIsTwoNMinusOneSteps) {
  RingModel r({us(10), GBps(100), 1.0});
  const auto c = r.cost(CollectiveKind::AllReduce, MiB(8), {8, 1});
  const double step_bytes = 8.0 * 1024 * 1024 / 8;
  EXPECT_DOUBLE_EQ(c.time.value(), 14 * (10e-6 + step_bytes / 100e9));
  EXPECT_DOUBLE_EQ(c.latency_part.value(), 14 * 10e-6);
}

TEST(Ring, RanksSharingAChipShareItsBandwidth) {
  RingModel r({Seconds(0), GBps(100), 1.0});
  const auto one = r.cost(CollectiveKind::AllGather, MiB(1), {4, 1});
  const auto two = r.cost(CollectiveKind::AllGather, MiB(1), {4, 2});
  EXPECT_DOUBLE_EQ(two.time.value(), 2 * one.time.value());
}

TEST(Ring, SingleRankCostsNothing) {
  RingModel r({us(10), GBps(100), 1.0});
  EXPECT_EQ(r.cost(CollectiveKind::AllReduce, MiB(1), {1, 1}).time.value(), 0);
}

}  // namespace tessera

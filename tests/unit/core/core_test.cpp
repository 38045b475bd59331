#include <gtest/gtest.h>

#include "tessera/core/did_you_mean.h"
#include "tessera/core/rng.h"
#include "tessera/core/units.h"

namespace tessera {

TEST(Units, DivisionGivesTime) {
  EXPECT_DOUBLE_EQ((GB(1) / GBps(100)).value(), 0.01);
  EXPECT_DOUBLE_EQ((Flops(2e12) / TFLOPS(1)).value(), 2.0);
  EXPECT_DOUBLE_EQ((Watts(700) * Seconds(2)).value(), 1400.0);
  EXPECT_DOUBLE_EQ((UsdPerHour(36) * Seconds(100)).value(), 1.0);
  EXPECT_DOUBLE_EQ(GiB(1).value(), 1073741824.0);
}

TEST(DidYouMean, SuggestsCloseNamesOnly) {
  const std::vector<std::string> names{"trn1.32xlarge", "p5.48xlarge", "gb200-nvl72"};
  EXPECT_EQ(closest_match("trn1.32xlarg", names), "trn1.32xlarge");
  EXPECT_EQ(closest_match("p5.48xl", names), "");  // too far: 4 edits on 7 chars
  EXPECT_EQ(did_you_mean("gb200-nvl27", names), " (did you mean 'gb200-nvl72'?)");
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3);
}

TEST(Rng, SameSeedSameStream) {
  Rng a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.next_u64(), b.next_u64());
  EXPECT_NE(Rng(42).next_u64(), c.next_u64());
}

TEST(Rng, ExponentialMeanIsInverseRate) {
  Rng r(1);
  double sum = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) sum += r.exponential(4.0);
  EXPECT_NEAR(sum / n, 0.25, 0.005);
}

TEST(Rng, LognormalHasRequestedMean) {
  Rng r(3);
  double sum = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) sum += r.lognormal_mean_sd(1000, 500);
  EXPECT_NEAR(sum / n, 1000, 15);
}

}  // namespace tessera

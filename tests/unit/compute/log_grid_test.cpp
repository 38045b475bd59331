// LogGrid: log-log multilinear interpolation, exact at grid points, hull and nearest-point
// rules, on a 2x2 grid whose values are hand-computable powers of two.
#include "tessera/compute/log_grid.h"

#include <cmath>

#include <gtest/gtest.h>

namespace tessera {
namespace {

// x in {1, 4}, y in {1, 16}; v = 2, 8 (y = 1) and 4, 64 (y = 16).
LogGrid square(bool with_far_corner = true) {
  LogGrid g(2);
  g.add({1, 1}, 2);
  g.add({4, 1}, 8);
  g.add({1, 16}, 4);
  if (with_far_corner) g.add({4, 16}, 64);
  g.build();
  return g;
}

TEST(LogGrid, GridPointsReturnStoredValues) {
  const LogGrid g = square();
  EXPECT_EQ(*g.at({1, 1}), 2.0);
  EXPECT_EQ(*g.at({4, 1}), 8.0);
  EXPECT_EQ(*g.at({1, 16}), 4.0);
  EXPECT_EQ(*g.at({4, 16}), 64.0);
}

TEST(LogGrid, InterpolatesLogLinearlyByHand) {
  const LogGrid g = square();
  // (2, 1): weight ln2/ln4 = 1/2 in x on the y = 1 edge -> sqrt(2 * 8) = 4.
  EXPECT_NEAR(*g.at({2, 1}), 4.0, 1e-12);
  // (2, 4): weights 1/2, 1/2 -> (2 * 8 * 4 * 64)^(1/4) = 4096^(1/4) = 8.
  EXPECT_NEAR(*g.at({2, 4}), 8.0, 1e-12);
  // (1, 2): weight ln2/ln16 = 1/4 in y -> 2^(3/4) * 4^(1/4) = 2^(5/4).
  EXPECT_NEAR(*g.at({1, 2}), std::pow(2.0, 1.25), 1e-12);
}

TEST(LogGrid, MonotoneBetweenPoints) {
  const LogGrid g = square();
  double prev = 0;
  for (double x = 1; x <= 4; x += 0.25) {
    const double v = *g.at({x, 3});
    EXPECT_GT(v, prev) << "x=" << x;
    prev = v;
  }
}

TEST(LogGrid, OutsideTheHullIsEmpty) {
  const LogGrid g = square();
  EXPECT_FALSE(g.at({0.5, 1}));
  EXPECT_FALSE(g.at({4, 17}));
  const LogGrid ragged = square(false);
  EXPECT_FALSE(ragged.at({2, 4}));              // the cell lacks (4, 16)
  EXPECT_NEAR(*ragged.at({2, 1}), 4.0, 1e-12);  // its y = 1 edge is complete
}

TEST(LogGrid, NearestClampsIntoTheHullElseTakesTheNearestGridPoint) {
  const LogGrid g = square();
  EXPECT_EQ(g.nearest({100, 2}), (std::vector<double>{4, 2}));
  EXPECT_EQ(g.nearest({2, 3}), (std::vector<double>{2, 3}));
  const LogGrid ragged = square(false);
  // (3, 8) is in the incomplete cell. Squared log distances: to (1, 1) ln3^2 + ln8^2 = 5.53,
  // to (4, 1) ln(4/3)^2 + ln8^2 = 4.41, to (1, 16) ln3^2 + ln2^2 = 1.69.
  EXPECT_EQ(ragged.nearest({3, 8}), (std::vector<double>{1, 16}));
  // (100, 2) clamps to (4, 2), whose edge lacks (4, 16): nearest point (4, 1).
  EXPECT_EQ(ragged.nearest({100, 2}), (std::vector<double>{4, 1}));
}

}  // namespace
}  // namespace tessera

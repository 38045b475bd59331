#include "tessera/serve/arrivals.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tessera::serve {
namespace {

TEST(Arrivals, ConstantUsesNoRandomness) {
  Rng a(1), b(1);
  LengthDist d;
  d.a = 512;
  EXPECT_EQ(draw_length(d, a), 512);
  EXPECT_EQ(a.next_u64(), b.next_u64());
}

TEST(Arrivals, UniformCoversInclusiveRange) {
  LengthDist d;
  d.kind = LengthDist::Kind::Uniform;
  d.min = 3;
  d.max = 5;
  Rng rng(7);
  int seen[6] = {};
  for (int i = 0; i < 3000; ++i) {
    const int64_t x = draw_length(d, rng);
    ASSERT_GE(x, 3);
    ASSERT_LE(x, 5);
    ++seen[x];
  }
  for (int v = 3; v <= 5; ++v) EXPECT_GT(seen[v], 900);  // ~1000 each
}

TEST(Arrivals, LognormalMeanAndClamp) {
  LengthDist d;
  d.kind = LengthDist::Kind::Lognormal;
  d.a = 1000;
  d.b = 300;
  Rng rng(3);
  double sum = 0;
  const int n = 40000;
  for (int i = 0; i < n; ++i) sum += static_cast<double>(draw_length(d, rng));
  EXPECT_NEAR(sum / n, 1000, 10);  // standard error 300 / 200 = 1.5
  d.max = 800;
  for (int i = 0; i < 1000; ++i) ASSERT_LE(draw_length(d, rng), 800);
}

TEST(Arrivals, PoissonMeanRate) {
  WorkloadSpec w;
  w.kind = WorkloadKind::Poisson;
  w.rate = 5;
  w.n = 20000;
  w.input.a = 10;
  w.output.a = 2;
  PoissonSource src(w, 42);
  double first = -1, last = 0, prev = 0;
  int64_t count = 0;
  while (auto a = src.next()) {
    ASSERT_GE(a->arrival_s, prev);
    prev = a->arrival_s;
    if (first < 0) first = a->arrival_s;
    last = a->arrival_s;
    ++count;
    EXPECT_EQ(a->input_tokens, 10);
  }
  EXPECT_EQ(count, 20000);
  // Relative standard error of the rate estimate is 1/sqrt(n) = 0.7%.
  EXPECT_NEAR(static_cast<double>(count - 1) / (last - first), 5.0, 0.15);
}

}  // namespace
}  // namespace tessera::serve

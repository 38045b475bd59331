#include <gtest/gtest.h>

#include "tessera/planner/validation.h"

namespace tessera {

TEST(CalibrationFit, RecoversExactNonNegativeParameters) {
  // y = A x with x = (2, 0, 0.5, 1): the fit must return x exactly.
  const std::vector<OverheadRow> A{{1, 80, 160, 0}, {1, 80, 160, 1}, {1, 32, 64, 0},
                                   {1, 32, 0, 1},   {2, 10, 5, 0},    {0, 1, 1, 3}};
  const OverheadRow x{2, 0, 0.5, 1};
  std::vector<double> b;
  for (const auto& r : A) b.push_back(r[0] * x[0] + r[1] * x[1] + r[2] * x[2] + r[3] * x[3]);
  const auto fit = nnls_l1(A, b);
  for (int j = 0; j < kOverheadParams; ++j) EXPECT_NEAR(fit[j], x[j], 1e-6) << j;
}

TEST(CalibrationFit, NeverReturnsNegativeCosts) {
  // The unconstrained solution would be x0 = -1: the constraint pins it at 0.
  const std::vector<OverheadRow> A{{1, 0, 0, 0}, {1, 0, 0, 0}};
  const auto fit = nnls_l1(A, {-1.0, -1.0});
  EXPECT_EQ(fit[0], 0.0);
}

TEST(CalibrationFit, OneOutlierDoesNotMoveTheL1Fit) {
  // Five rows say x0 = 1, one outlier says 10: least absolute error keeps 1.
  const std::vector<OverheadRow> A(6, OverheadRow{1, 0, 0, 0});
  const auto fit = nnls_l1(A, {1, 1, 1, 1, 1, 10});
  EXPECT_NEAR(fit[0], 1.0, 1e-3);
}

}  // namespace tessera

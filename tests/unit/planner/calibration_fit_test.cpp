#include <gtest/gtest.h>

#include "tessera/planner/validation.h"

namespace tessera {

TEST(CalibrationFit, RecoversExactNonNegativeParameters) {
  // y = A x with x = (2, 0, 0.5, 1, 0.25): the fit must return x exactly.
  const std::vector<OverheadRow> A{{1, 80, 160, 0, 1}, {1, 80, 160, 1, 8}, {1, 32, 64, 0, 2},
                                   {1, 32, 0, 1, 4},   {2, 10, 5, 0, 16},   {0, 1, 1, 3, 1},
                                   {1, 0, 0, 0, 32}};
  const OverheadRow x{2, 0, 0.5, 1, 0.25};
  std::vector<double> b;
  for (const auto& r : A) {
    double y = 0;
    for (int j = 0; j < kOverheadParams; ++j) y += r[j] * x[j];
    b.push_back(y);
  }
  const auto fit = nnls_l1(A, b);
  for (int j = 0; j < kOverheadParams; ++j) EXPECT_NEAR(fit[j], x[j], 1e-6) << j;
}

TEST(CalibrationFit, NeverReturnsNegativeCosts) {
  // The unconstrained solution would be x0 = -1: the constraint pins it at 0.
  const std::vector<OverheadRow> A{{1, 0, 0, 0, 0}, {1, 0, 0, 0, 0}};
  const auto fit = nnls_l1(A, {-1.0, -1.0});
  EXPECT_EQ(fit[0], 0.0);
}

TEST(CalibrationFit, OneOutlierDoesNotMoveTheL1Fit) {
  // Five rows say x0 = 1, one outlier says 10: least absolute error keeps 1.
  const std::vector<OverheadRow> A(6, OverheadRow{1, 0, 0, 0, 0});
  const auto fit = nnls_l1(A, {1, 1, 1, 1, 1, 10});
  EXPECT_NEAR(fit[0], 1.0, 1e-3);
}

}  // namespace tessera

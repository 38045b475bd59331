// The run summary (planner/summary.h): MFU against the peak of the dtype the GEMMs
// run in, not clamped, and power and cost charged for the chips used.
#include <gtest/gtest.h>

#include "tessera/planner/compile.h"
#include "tessera/planner/summary.h"

namespace tessera {
namespace {

SystemSpec box() {
  SystemSpec s;
  s.name = "box";
  s.chips = 8;
  s.chip.name = "gpu";
  s.chip.peak_dense[DType::BF16] = FlopsPerSecond(1e15);
  s.chip.peak_dense[DType::FP8] = FlopsPerSecond(2e15);
  s.chip.hbm_bandwidth = BytesPerSecond(4e12);
  s.chip.tdp = Watts(700);
  s.host_power = Watts(4000);
  s.price_on_demand = UsdPerHour(80);
  return s;
}

TEST(GemmMathDtype, Fp8WeightsRunInFp8WhereTheChipHasTheRate) {
  DeploymentSpec d;
  const SystemSpec s = box();
  d.weight_dtype = DType::FP8;
  EXPECT_EQ(gemm_math_dtype(s.chip, d), DType::FP8);
  d.weight_dtype = DType::INT8;  // weight-only: dequantized to BF16
  EXPECT_EQ(gemm_math_dtype(s.chip, d), DType::BF16);
  d.weight_dtype = DType::BF16;
  EXPECT_EQ(gemm_math_dtype(s.chip, d), DType::BF16);
}

TEST(Summary, MfuIsAgainstTheMathDtypesPeakAndNotClamped) {
  const SystemSpec s = box();
  ServeResult r;
  r.duration_s = 10;
  r.busy_breakdown.flops = Flops(2 * 8 * 1.5e15 * 10);  // 1.5x the FP8 peak of 2 chips... of 8 chips x 2
  r.busy_breakdown.hbm_bytes = Bytes(0.5 * 4e12 * 2 * 10);
  std::vector<std::string> warnings;
  // 2 chips at FP8: peak 2 x 2e15 over 10 s.
  const Summary fp8 = summarize_run(r, {ChipPool{&s, DType::FP8, 2, 1, 1}}, {}, warnings);
  EXPECT_DOUBLE_EQ(fp8.mfu, 2 * 8 * 1.5e15 * 10 / (2 * 2e15 * 10));  // 6: over 100%, kept
  EXPECT_DOUBLE_EQ(fp8.mbu, 0.5);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("MFU is 600.0%"), std::string::npos) << warnings[0];
  warnings.clear();
  const Summary bf16 = summarize_run(r, {ChipPool{&s, DType::BF16, 2, 1, 1}}, {}, warnings);
  EXPECT_DOUBLE_EQ(bf16.mfu, 2 * fp8.mfu);
}

TEST(Summary, PowerAndCostOfTwoChipsOfABox) {
  const SystemSpec s = box();
  ServeResult r;
  r.duration_s = 100;
  r.output_tokens = 100000;
  std::vector<std::string> warnings;
  const std::vector<ChipPool> pools{ChipPool{&s, DType::BF16, 2, 1, 1}};
  Summary sum = summarize_run(r, pools, {}, warnings);
  PowerParams p;
  p.idle_fraction_of_tdp = 0.2;
  std::vector<Assumption> as;
  add_power_and_cost(sum, pools, p, {}, {}, as, warnings);
  // Idle (no work): 2 x 0.2 x 700 W + 2/8 of the 4 kW host = 280 + 1000 W.
  ASSERT_TRUE(sum.avg_power_w);
  EXPECT_DOUBLE_EQ(*sum.avg_power_w, 1280);
  EXPECT_DOUBLE_EQ(*sum.energy_j_per_output_token, 1280 / 1000.0);
  // 2/8 of $80/h = $20/h for 1000 output tokens/s.
  EXPECT_DOUBLE_EQ(*sum.cost_usd_per_hour, 20);
  EXPECT_DOUBLE_EQ(*sum.cost_usd_per_million_output_tokens, 20 / 3.6);
}

}  // namespace
}  // namespace tessera

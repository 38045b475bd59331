// Power and cost model against hand calculations (docs/models/power-cost.md).
#include <gtest/gtest.h>

#include "tessera/power/power_model.h"

namespace tessera {
namespace {

SystemSpec h100_box() {
  SystemSpec s;
  s.name = "box";
  s.chips = 8;
  s.chip.name = "gpu";
  s.chip.tdp = Watts(700);
  s.chip.hbm_bandwidth = BytesPerSecond(3.35e12);
  s.chip.chip_to_chip_bandwidth = BytesPerSecond(450e9);
  s.host_power = Watts(4600);
  s.price_on_demand = UsdPerHour(55.04);
  return s;
}

PowerParams params() {
  PowerParams p;
  p.idle_fraction_of_tdp = 0.15;
  p.hbm_pj_per_bit = 8;
  p.link_pj_per_bit = 5;
  p.host_overhead_fraction = 0.5;
  p.file = "power/model.yaml";
  return p;
}

TEST(PowerModel, ChipPowerIsIdlePlusComputeMemoryAndLinkParts) {
  PowerOverrides o;
  o.pue = 1.2;
  const PowerEstimate p = estimate_power(h100_box(), 8, Utilization{0.5, 0.25, 0.1}, params(), o);
  ASSERT_TRUE(p.chip);
  // idle 0.15 x 700 = 105; compute 595 x 0.5 = 297.5; HBM 0.25 x 3.35e12 B/s x 64e-12 J/B = 53.6;
  // link 0.1 x 450e9 x 40e-12 = 1.8.
  EXPECT_NEAR(p.chip->value(), 105 + 297.5 + 53.6 + 1.8, 1e-9);
  EXPECT_NEAR(p.it_total->value(), 8 * 457.9 + 4600, 1e-9);
  EXPECT_NEAR(p.facility->value(), (8 * 457.9 + 4600) * 1.2, 1e-9);
  EXPECT_TRUE(p.missing.empty());
}

TEST(PowerModel, ChipPowerIsCappedAtTdp) {
  const PowerEstimate p = estimate_power(h100_box(), 8, Utilization{1, 1, 1}, params(), {});
  EXPECT_DOUBLE_EQ(p.chip->value(), 700);
}

TEST(PowerModel, PartOfASystemPaysItsChipsAndItsShareOfTheHost) {
  const PowerEstimate p = estimate_power(h100_box(), 4, Utilization{}, params(), {});
  EXPECT_DOUBLE_EQ(p.chip->value(), 105);
  EXPECT_DOUBLE_EQ(p.it_total->value(), 4 * 105 + 4600 * 4 / 8.0);  // 4 idle chips + half the host
  bool stated = false;
  for (const Assumption& a : p.assumptions) stated |= a.figure == "box share charged" && a.value.find("4 of 8") == 0;
  EXPECT_TRUE(stated);
}

TEST(PowerModel, OneGpuOfAnNvl72RackIsNotChargedTheRack) {
  // GB200 NVL72-like: 72 chips of 1200 W TDP, host from the 0.5 x TDP fraction:
  // 0.5 x 72 x 1200 = 43.2 kW for the rack, 600 W for one GPU's share.
  SystemSpec s = h100_box();
  s.chips = 72;
  s.chip.tdp = Watts(1200);
  s.host_power.reset();
  const PowerEstimate p = estimate_power(s, 1, Utilization{}, params(), {});
  EXPECT_DOUBLE_EQ(p.it_total->value(), 0.15 * 1200 + 0.5 * 1200);
  const CostEstimate c = estimate_cost(s, 1, 1000, {}, p.facility);
  EXPECT_NEAR(c.per_hour->value(), 55.04 / 72, 1e-12);
}

TEST(PowerModel, UnknownTdpIsUnknownPowerNamingTheFlag) {
  SystemSpec s = h100_box();
  s.chip.tdp.reset();
  const PowerEstimate p = estimate_power(s, 8, Utilization{0.5, 0.5, 0}, params(), {});
  EXPECT_FALSE(p.chip);
  EXPECT_FALSE(p.facility);
  EXPECT_NE(p.missing.find("--chip-tdp"), std::string::npos);
  PowerOverrides o;
  o.chip_tdp = Watts(500);
  o.chip_idle = Watts(100);
  const PowerEstimate q = estimate_power(s, 8, Utilization{}, params(), o);
  ASSERT_TRUE(q.chip);
  EXPECT_DOUBLE_EQ(q.chip->value(), 100);
  bool user_tdp = false;
  for (const Assumption& a : q.assumptions) user_tdp |= a.user && a.figure == "gpu TDP";
  EXPECT_TRUE(user_tdp);
}

TEST(PowerModel, HostPowerFallsBackToTheEstimatedFraction) {
  SystemSpec s = h100_box();
  s.host_power.reset();
  const PowerEstimate p = estimate_power(s, 16, Utilization{}, params(), {});
  // 16 chips idle over two systems + 2 hosts of 0.5 x 8 x 700.
  EXPECT_DOUBLE_EQ(p.it_total->value(), 16 * 105 + 2 * 2800);
  bool estimate = false;
  for (const Assumption& a : p.assumptions) estimate |= a.figure == "box host power";
  EXPECT_TRUE(estimate);
}

TEST(Cost, OnDemandPerMillionOutputTokens) {
  const CostEstimate c = estimate_cost(h100_box(), 16, 1000, {}, std::nullopt);
  ASSERT_TRUE(c.per_hour);
  EXPECT_DOUBLE_EQ(c.per_hour->value(), 110.08);
  EXPECT_NEAR(*c.usd_per_million_output, 110.08 / 3.6, 1e-9);  // $/h / (1000 tok/s x 3600 s) x 1e6
}

TEST(Cost, UnknownPriceSaysSoAndUserPriceOverrides) {
  SystemSpec s = h100_box();
  s.price_on_demand.reset();
  const CostEstimate c = estimate_cost(s, 8, 1000, {}, std::nullopt);
  EXPECT_FALSE(c.per_hour);
  EXPECT_NE(c.missing.find("--price-per-hour"), std::string::npos);
  CostOptions o;
  o.price_per_hour = UsdPerHour(10);
  const CostEstimate d = estimate_cost(s, 24, 1000, o, std::nullopt);
  EXPECT_DOUBLE_EQ(d.per_hour->value(), 30);
}

TEST(Cost, ReservedAndCapacityBlockRates) {
  SystemSpec s = h100_box();
  s.price_capacity_block = UsdPerHour(39.33);
  CostOptions o;
  o.basis = PriceBasis::CapacityBlock;
  EXPECT_DOUBLE_EQ(estimate_cost(s, 8, 1, o, std::nullopt).per_hour->value(), 39.33);
  o.basis = PriceBasis::Reserved;
  const CostEstimate r = estimate_cost(s, 8, 1, o, std::nullopt);
  EXPECT_FALSE(r.per_hour);
  EXPECT_NE(r.missing.find("reserved"), std::string::npos);
}

TEST(Cost, TcoAmortizesCapexAndPaysForEnergy) {
  CostOptions o;
  o.basis = PriceBasis::Tco;
  const CostEstimate missing = estimate_cost(h100_box(), 8, 1000, o, Watts(10000));
  EXPECT_FALSE(missing.per_hour);
  EXPECT_NE(missing.missing.find("--capex-per-system"), std::string::npos);
  o.tco = {300000.0, 4.0, 0.1};
  const CostEstimate c = estimate_cost(h100_box(), 8, 1000, o, Watts(10000));
  ASSERT_TRUE(c.per_hour);
  EXPECT_NEAR(c.per_hour->value(), 300000.0 / (4 * 8766.0) + 10.0 * 0.1, 1e-9);
}

TEST(Cost, PriceBasisNamesRoundTrip) {
  for (PriceBasis b : {PriceBasis::OnDemand, PriceBasis::Reserved, PriceBasis::CapacityBlock, PriceBasis::Tco})
    EXPECT_EQ(parse_price_basis(price_basis_name(b)), b);
  EXPECT_FALSE(parse_price_basis("spot"));
}

}  // namespace
}  // namespace tessera

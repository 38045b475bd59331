// Capacity search, fleet sizing and rankings: string handling and arithmetic by
// hand, and properties on real (fast) simulations of a small model.
#include <gtest/gtest.h>

#include "tessera/planner/capacity.h"
#include "tessera/planner/capacity_search.h"
#include "tessera/planner/compare.h"
#include "tessera/planner/fleet.h"

namespace tessera {
namespace {

TEST(Workload, KeysAreReplacedOrAppendedAndTracePathsKept) {
  EXPECT_EQ(with_workload_key("poisson:rate=2,input=128,output=64,n=10", "rate", "4"),
            "poisson:rate=4,input=128,output=64,n=10");
  EXPECT_EQ(with_workload_key("trace:/a/rate=1.csv", "rate-scale", "2"), "trace:/a/rate=1.csv,rate-scale=2");
  EXPECT_EQ(with_workload_key("trace:x.csv,rate-scale=3,limit=5", "limit", "9"), "trace:x.csv,rate-scale=3,limit=9");
}

TEST(Workload, ScaledWorkloadNeedsARate) {
  auto p = scaled_workload("poisson:rate=2,input=128,output=64,n=10", 1.5, 300);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, "poisson:rate=3,input=128,output=64,n=300");
  auto b = scaled_workload("batch:size=4,input=128,output=64", 2, 100);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().kind, ErrorKind::BadInput);
}

TEST(Slo, MeetsSloChecksBothPercentilesAndRejections) {
  Summary s;
  s.requests = s.completed = 10;
  s.ttft.p99 = 1.0;
  s.tpot.p99 = 0.05;
  SloTargets slo{2.0, 0.1};
  EXPECT_TRUE(meets_slo(s, slo));
  s.tpot.p99 = 0.2;
  EXPECT_FALSE(meets_slo(s, slo));
  s.tpot.p99 = 0.05;
  s.rejected = 1;
  EXPECT_FALSE(meets_slo(s, slo));
}

FleetUnit unit() {
  FleetUnit u;
  u.chips = 16;
  u.systems = 1;
  u.replicas = 4;
  u.output_tokens_per_s = 1000;
  u.facility_w = 8000;
  u.usd_per_hour = 20;
  return u;
}

TEST(Fleet, ChipsPowerAndTokensTargets) {
  auto chips = size_fleet(unit(), {FleetTarget::Kind::Chips, 1600}, 0.2);
  ASSERT_TRUE(chips.ok());
  EXPECT_EQ(chips->units, 100);
  EXPECT_EQ(chips->replicas, 400);
  EXPECT_DOUBLE_EQ(chips->tokens_per_day, 100 * 1000 * 86400.0);
  EXPECT_DOUBLE_EQ(*chips->power_w, 800000);
  EXPECT_DOUBLE_EQ(*chips->usd_per_day, 100 * 20 * 24.0);
  auto power = size_fleet(unit(), {FleetTarget::Kind::Power, 2e9}, 0.2);
  EXPECT_EQ(power->units, 250000);  // 2 GW / 8 kW
  auto tokens = size_fleet(unit(), {FleetTarget::Kind::TokensPerDay, 1e12}, 0.2);
  EXPECT_EQ(tokens->units, 11575);  // ceil(1e12 / 8.64e7)
  FleetUnit dark = unit();
  dark.facility_w.reset();
  EXPECT_FALSE(size_fleet(dark, {FleetTarget::Kind::Power, 1e6}, 0).ok());
}

TEST(Fleet, TwiceTheChipsTwiceTheTokensPerDay) {
  for (double n : {1600.0, 16000.0, 1e6}) {
    auto a = size_fleet(unit(), {FleetTarget::Kind::Chips, n}, 0.2);
    auto b = size_fleet(unit(), {FleetTarget::Kind::Chips, 2 * n}, 0.2);
    EXPECT_DOUBLE_EQ(b->tokens_per_day, 2 * a->tokens_per_day);
  }
}

TEST(Fleet, ParsesTargets) {
  EXPECT_EQ(parse_fleet_target("chips=1000000")->value, 1e6);
  EXPECT_EQ(parse_fleet_target("power=2GW")->value, 2e9);
  EXPECT_EQ(parse_fleet_target("tokens-per-day=1e12")->kind, FleetTarget::Kind::TokensPerDay);
  EXPECT_FALSE(parse_fleet_target("gpus=4").ok());
  EXPECT_FALSE(parse_fleet_target("power=2").ok());
  EXPECT_FALSE(parse_fleet_target("chips=-1").ok());
}

CapacityResult point(const char* hw, std::optional<double> cost, double e2e, double tok) {
  CapacityResult r;
  r.feasible = true;
  r.request.hardware = hw;
  r.at_max.cost_usd_per_million_output_tokens = cost;
  r.at_max.e2e.p99 = e2e;
  r.at_max.output_tokens_per_s = tok;
  r.at_max.chips = 1;
  return r;
}

TEST(Rankings, CheapestFirstAndParetoFront) {
  std::vector<CapacityResult> rs{point("a", 5, 10, 1), point("b", 4, 20, 1), point("c", 6, 5, 1),
                                 point("d", 7, 8, 1), point("e", std::nullopt, 1, 9)};
  rs.push_back(point("f", 1, 1, 1));
  rs.back().feasible = false;
  EXPECT_EQ(rank_by_cost(rs), (std::vector<size_t>{1, 0, 2, 3, 4}));
  // d (7, 8) is dominated by c (6, 5); e has no price.
  EXPECT_EQ(pareto_front(rs), (std::vector<size_t>{1, 0, 2}));
}

TEST(Compare, RatiosToTheFirstAndBreakEvenPrice) {
  std::vector<CapacityResult> rs{point("x", 2, 1, 1000), point("y", 4, 1, 1000), point("z", std::nullopt, 1, 2000)};
  rs[2].at_max.systems = 2;
  const Comparison c = compare_hardware({"y", "x", "z"}, rs);
  ASSERT_EQ(c.entries.size(), 3u);
  EXPECT_DOUBLE_EQ(*c.entries[1].cost_ratio, 0.5);
  // z matches y's $4/M at 2000 tok/s: $4 x 2000 x 3600 / 1e6 = $28.8/h over 2 systems.
  EXPECT_DOUBLE_EQ(*c.entries[2].break_even_usd_per_hour, 14.4);
  EXPECT_EQ(c.entries[2].break_even_vs, "y");
}

// Real simulations: llama-3.1-8b on one H100 box, Poisson arrivals.
SimulationRequest small() {
  SimulationRequest r;
  r.model = "llama-3.1-8b";
  r.hardware = "p5.48xlarge";
  r.deployment.tp = 8;
  r.workload = "poisson:rate=20,input=512,output=128,n=100";
  return r;
}

SimulationRequest one_gpu() {
  SimulationRequest r = small();
  r.deployment.tp = 1;
  r.workload = "poisson:rate=5,input=1024,output=256,n=100";
  return r;
}

CapacityOptions opts(double tpot) {
  CapacityOptions o;
  o.slo.ttft_p99_s = 1.0;
  o.slo.tpot_p99_s = tpot;
  o.probe_requests = 150;
  o.tolerance = 0.05;
  return o;
}

TEST(CapacityProperty, TighterSloNeverLowersTheMinimumCost) {
  CapacityOptions lo = opts(0.1), hi = opts(0.03);
  lo.probe_requests = hi.probe_requests = 300;
  auto loose = max_sustainable_load(one_gpu(), lo);
  auto tight = max_sustainable_load(one_gpu(), hi);
  ASSERT_TRUE(loose.ok() && tight.ok());
  ASSERT_TRUE(loose->feasible);
  ASSERT_LT(loose->load_scale, 1000) << "the probe must saturate the deployment";
  if (!tight->feasible) return;  // an unattainable SLO has no cost at all
  EXPECT_LE(tight->load_scale, loose->load_scale);
  EXPECT_GE(*tight->at_max.cost_usd_per_million_output_tokens,
            *loose->at_max.cost_usd_per_million_output_tokens);
}

TEST(CapacityProperty, EnergyPerTokenFallsAsUtilizationRises) {
  SimulationRequest one = one_gpu();
  CapacityOptions o = opts(0.1);
  o.probe_requests = 300;
  auto r = max_sustainable_load(one, o);
  ASSERT_TRUE(r.ok() && r->feasible);
  ASSERT_LT(r->load_scale, 1000) << "the probe must saturate the deployment";
  double last = 1e300;
  for (double f : {0.1, 0.3, 0.6, 1.0}) {
    auto at = run_at_fraction(*r, f, o);
    ASSERT_TRUE(at.ok());
    ASSERT_TRUE(at->at_max.energy_j_per_output_token);
    EXPECT_LT(*at->at_max.energy_j_per_output_token, last) << "fraction " << f;
    last = *at->at_max.energy_j_per_output_token;
  }
}

TEST(CapacitySearch, ThreadsDoNotChangeResults) {
  SimulationRequest base = small();
  SearchSpace space;
  space.hardware = {"p5.48xlarge"};
  space.tp = {2, 8};
  space.pp = {1};
  space.max_batch = {64};
  auto grid = enumerate_deployments(base, space);
  ASSERT_TRUE(grid.ok());
  ASSERT_EQ(grid->size(), 4u);  // 2 TP x 1 PP x 2 schedulers x 1 batch cap
  EXPECT_EQ((*grid)[0].deployment.dp, 4);  // tp=2 fills the 8-GPU box with 4 replicas
  auto one = search_capacity(*grid, opts(0.1), 1);
  auto two = search_capacity(*grid, opts(0.1), 2);
  ASSERT_TRUE(one.ok() && two.ok());
  for (size_t i = 0; i < one->size(); ++i) {
    EXPECT_EQ((*one)[i].load_scale, (*two)[i].load_scale);
    EXPECT_EQ((*one)[i].at_max.output_tokens_per_s, (*two)[i].at_max.output_tokens_per_s);
  }
}

TEST(CapacitySearch, ReplicasScaleThroughputLinearly) {
  SimulationRequest a = small(), b = small();
  a.deployment.tp = 4;
  a.deployment.dp = 1;
  b.deployment.tp = 4;
  b.deployment.dp = 2;
  auto ra = max_sustainable_load(a, opts(0.1));
  auto rb = max_sustainable_load(b, opts(0.1));
  ASSERT_TRUE(ra.ok() && rb.ok() && ra->feasible && rb->feasible);
  EXPECT_NEAR(rb->at_max.output_tokens_per_s, 2 * ra->at_max.output_tokens_per_s,
              1e-9 * ra->at_max.output_tokens_per_s);
}

}  // namespace
}  // namespace tessera

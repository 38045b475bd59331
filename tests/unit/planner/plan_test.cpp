// run_plan, the library call behind `tessera plan` and `tessera.plan`: option checks
// (bad input naming the flag), the size and order of the grid on a small real
// search, the all-infeasible report, and the power/cost options it applies.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tessera/planner/plan.h"
#include "tessera/planner/power_cost_options.h"

namespace tessera {
namespace {

// Two deployments of a small model on one system, short probes: about a second.
PlanRequest small() {
  PlanRequest r;
  r.base.model = "llama-3.1-8b";
  r.base.workload = "poisson:rate=50,input=1024,output=256,n=100";
  r.slo = "ttft_p99=2s,tpot_p99=100ms";
  r.hardware = {"p5.48xlarge"};
  r.space.tp = {1, 2};
  r.space.pp = {1};
  r.space.schedulers = {"vllm"};
  r.space.max_batch = {256};
  r.probe_requests = 40;
  r.threads = 1;
  return r;
}

void expect_bad_input(const PlanRequest& r, const std::string& fragment) {
  auto rep = run_plan(r);
  ASSERT_FALSE(rep.ok()) << fragment;
  EXPECT_EQ(rep.error().kind, ErrorKind::BadInput);
  EXPECT_NE(rep.error().message.find(fragment), std::string::npos) << rep.error().message;
}

TEST(RunPlan, BadOptionsNameTheFlag) {
  PlanRequest r = small();
  r.slo = "ttft_p9=2s";
  expect_bad_input(r, "--slo: unknown key 'ttft_p9' (did you mean 'ttft_p99'?)");
  r.slo = "";
  expect_bad_input(r, "--slo: '' sets no target");
  r = small();
  r.weights_dtype = "bf61";
  expect_bad_input(r, "--weights-dtype: unknown dtype 'bf61'");
  r = small();
  r.space.schedulers = {"vlm"};
  expect_bad_input(r, "--schedulers: unknown 'vlm' (did you mean 'vllm'?)");
  r = small();
  r.compare = {"p4d.24xlarge"};
  expect_bad_input(r, "--compare:");
  r = small();
  r.headroom = 1;
  expect_bad_input(r, "--headroom: '1'");
  r = small();
  r.power_cost.price_basis = "on-demnd";
  expect_bad_input(r, "--price-basis: unknown 'on-demnd' (did you mean 'on-demand'?)");
  r = small();
  r.base.workload = "batch:size=4,input=128,output=64";
  expect_bad_input(r, "--workload:");
}

TEST(RunPlan, ZeroDegreesAreBadInputNotADivisionByZero) {
  PlanRequest r = small();
  r.space.tp = {0};
  expect_bad_input(r, "--tp: '0' must be >= 1");
  r = small();
  r.space.pp = {0};
  expect_bad_input(r, "--pp: '0' must be >= 1");
  r = small();
  r.space.max_batch = {0};
  expect_bad_input(r, "--max-batch: '0' must be >= 1");
}

// Errors of the request itself fail the plan with simulate's message instead of a
// grid where "0 meet the SLO".
TEST(RunPlan, WhatSimulateRejectsPlanRejects) {
  PlanRequest r = small();
  r.base.model = "llama-3.1-8c";
  expect_bad_input(r, "unknown model 'llama-3.1-8c'");
  r = small();
  r.space.tp = {3};  // 32 heads, 8 KV heads
  expect_bad_input(r, "--tp: '3' does not divide the 32 attention heads");
  r = small();
  const auto header_only = std::filesystem::temp_directory_path() / "tessera_plan_header_only.csv";
  {
    std::ofstream f(header_only);
    f << "TIMESTAMP,ContextTokens,GeneratedTokens\n";
  }
  r.base.workload = "trace:" + header_only.string();
  expect_bad_input(r, "has no request rows");
  std::filesystem::remove(header_only);
}

TEST(RunPlan, SearchesTheGridInOrder) {
  PlanRequest r = small();
  auto rep = run_plan(r);
  ASSERT_TRUE(rep.ok()) << rep.error().message;
  EXPECT_EQ(rep->searched, 2);
  ASSERT_EQ(rep->results.size(), 2u);
  EXPECT_EQ(rep->results[0].request.deployment.tp, 1);
  EXPECT_EQ(rep->results[1].request.deployment.tp, 2);
  int feasible = 0;
  for (const auto& c : rep->results) feasible += c.feasible ? 1 : 0;
  EXPECT_EQ(rep->feasible, feasible);
  EXPECT_EQ(rep->cheapest.size(), static_cast<size_t>(feasible));
  EXPECT_EQ(rep->model, "llama-3.1-8b");
  EXPECT_EQ(rep->price_basis, "on-demand");
  EXPECT_FALSE(rep->fleet);
  EXPECT_FALSE(rep->comparison);
}

TEST(RunPlan, NothingFeasibleIsAReportButAFleetIsInfeasible) {
  PlanRequest r = small();
  r.slo = "tpot_p99=1us";
  auto rep = run_plan(r);
  ASSERT_TRUE(rep.ok()) << rep.error().message;
  EXPECT_EQ(rep->searched, 2);
  EXPECT_EQ(rep->feasible, 0);
  EXPECT_TRUE(rep->cheapest.empty());
  r.fleet = "chips=64";
  auto fleet = run_plan(r);
  ASSERT_FALSE(fleet.ok());
  EXPECT_EQ(fleet.error().kind, ErrorKind::Infeasible);
}

TEST(PowerCostOptions, PerSystemPriceAppliesToItsSystemOnly) {
  PowerCostOptions o;
  o.price_per_hour = "trn2.48xlarge=40,p5.48xlarge=55";
  SimulationRequest trn, a100;
  trn.hardware = "trn2.48xlarge";
  a100.hardware = "p4d.24xlarge";
  ASSERT_TRUE(apply_power_cost_options(o, trn).ok());
  ASSERT_TRUE(apply_power_cost_options(o, a100).ok());
  ASSERT_TRUE(trn.cost.price_per_hour);
  EXPECT_DOUBLE_EQ(trn.cost.price_per_hour->value(), 40);
  EXPECT_FALSE(a100.cost.price_per_hour);
  o.chip_tdp = "100W";
  o.chip_idle = "200W";
  auto s = apply_power_cost_options(o, trn);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("--chip-idle: '200W' exceeds --chip-tdp '100W'"), std::string::npos);
}

}  // namespace
}  // namespace tessera

#include "tessera/plan/memory.h"

#include <gtest/gtest.h>

#include "plan_test_util.h"
#include "tessera/plan/params.h"

namespace tessera {

TEST(Memory, WeightsShardOverTpAndKvFillsTheRest) {
  const ModelSpec m = testing::llama2_70b();
  const SystemSpec s = testing::toy_gpu_system();
  DeploymentSpec d;
  d.tp = 8;
  d.max_tokens = 1024;
  d.max_batch = 16;
  auto p = place(m, s, d);
  ASSERT_TRUE(p.ok());
  auto mp = plan_memory(m, s, d, *p);
  ASSERT_TRUE(mp.ok()) << mp.error().message;
  // BF16 weights: every parameter / 8 ranks (embedding and LM head vocab-sharded),
  // except the RMSNorm weights, which every rank holds whole.
  const double norms = 80 * 2 * 8192.0 + 8192;
  EXPECT_DOUBLE_EQ(mp->weights.value(), (count_params(m).total - norms) * 2 / 8 + norms * 2);
  // KV per token per rank: 1 KV head x 128 x 2 (K,V) x 2 bytes x 80 layers.
  EXPECT_DOUBLE_EQ(mp->kv_bytes_per_token.value(), 1 * 128 * 2 * 2 * 80.0);
  const double usable = 80e9 * 0.9;
  EXPECT_NEAR(mp->kv_cache.value(), usable - mp->weights.value() - mp->activations.value() - mp->workspace.value(), 1);
  EXPECT_EQ(mp->kv_blocks, static_cast<int64_t>(mp->kv_cache.value() / (40960.0 * 16)));
}

// TensorRT-LLM sizes its KV pool as a fraction of the memory left after weights and
// activations (free_gpu_memory_fraction); vLLM as a fraction of the whole device.
TEST(Memory, FractionOfFreeTakesItsShareOfWhatWeightsLeave) {
  const ModelSpec m = testing::llama2_70b();
  const SystemSpec s = testing::toy_gpu_system();
  DeploymentSpec d;
  d.tp = 8;
  d.max_tokens = 1024;
  d.max_batch = 16;
  d.memory_utilization = 0.9;
  d.kv_pool_rule = KvPoolRule::FractionOfFree;
  auto p = place(m, s, d);
  ASSERT_TRUE(p.ok());
  auto mp = plan_memory(m, s, d, *p);
  ASSERT_TRUE(mp.ok()) << mp.error().message;
  const double used = mp->weights.value() + mp->activations.value() + mp->workspace.value();
  EXPECT_NEAR(mp->kv_cache.value(), 0.9 * (80e9 - used), 1);
  EXPECT_NEAR(mp->reserve.value(), 0.1 * (80e9 - used), 1);
  d.kv_pool_rule = KvPoolRule::FractionOfTotal;
  auto total = plan_memory(m, s, d, *p);
  ASSERT_TRUE(total.ok());
  EXPECT_NEAR(total->kv_cache.value(), 0.9 * 80e9 - used, 1);
  EXPECT_GT(mp->kv_cache.value(), total->kv_cache.value());  // 0.1 of the free part < 0.1 of all
}

TEST(Memory, DoesNotFitIsInfeasibleWithShortfall) {
  const ModelSpec m = testing::llama2_70b();
  const SystemSpec s = testing::toy_gpu_system();
  DeploymentSpec d;
  d.tp = 1;
  auto p = place(m, s, d);
  ASSERT_TRUE(p.ok());
  auto mp = plan_memory(m, s, d, *p);
  ASSERT_FALSE(mp.ok());
  EXPECT_EQ(mp.error().kind, ErrorKind::Infeasible);
  EXPECT_NE(mp.error().message.find("short by"), std::string::npos);
}

TEST(Placement, TpMustDivideHeads) {
  DeploymentSpec d;
  d.tp = 3;
  auto p = place(testing::llama2_70b(), testing::toy_gpu_system(), d);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().kind, ErrorKind::BadInput);
  EXPECT_NE(p.error().message.find("--tp"), std::string::npos);
}

TEST(Placement, NeuronRanksShareChips) {
  SystemSpec s = testing::toy_gpu_system(16);
  s.chip.cores = 2;
  s.chip.neuron_core = NeuronCoreSpec{};
  s.chip.neuron_core->version = "v2";
  DeploymentSpec d;
  d.tp = 32;
  auto p = place(testing::llama2_70b(), s, d);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->ranks_per_chip, 2);
  EXPECT_EQ(p->chips_per_replica, 16);
  EXPECT_DOUBLE_EQ(p->rank.chip_fraction, 0.5);
  d.lnc = 2;
  auto bad = place(testing::llama2_70b(), s, d);
  ASSERT_FALSE(bad.ok());  // LNC=2 does not exist on NeuronCore-v2
}

}  // namespace tessera

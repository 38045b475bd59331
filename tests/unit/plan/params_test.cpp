#include "tessera/plan/params.h"

#include <gtest/gtest.h>

#include "plan_test_util.h"

namespace tessera {

TEST(Params, Llama2_70bMatchesHandCount) {
  const ModelSpec m = testing::llama2_70b();
  // Per layer: q 8192*8192 + k,v 2*8192*1024 + o 8192*8192 + MLP 3*8192*28672 + 2 norms.
  const double layer = 8192.0 * 8192 * 2 + 2.0 * 8192 * 1024 + 3.0 * 8192 * 28672 + 2 * 8192;
  const double expected = 80 * layer + 2.0 * 32000 * 8192 + 8192;
  const ParamCount pc = count_params(m);
  EXPECT_DOUBLE_EQ(pc.total, expected);
  EXPECT_NEAR(pc.total / 1e9, 68.98, 0.01);  // the published "70B" is 68.98e9
  // Active = total minus the input embedding table (a row gather, not a matmul).
  EXPECT_DOUBLE_EQ(pc.active, expected - 32000.0 * 8192);
}

TEST(Params, KvElementsPerTokenIsTwoTimesKvHeadsTimesHeadDim) {
  EXPECT_DOUBLE_EQ(kv_elements_per_token_per_layer(testing::llama2_70b()), 2.0 * 8 * 128);
}

TEST(Params, MoeCountsOnlyChosenExpertsAsActive) {
  ModelSpec m = testing::llama2_70b();
  m.layers = 2;
  m.moe = MoeSpec{};
  m.moe->num_experts = 8;
  m.moe->experts_per_token = 2;
  m.moe->expert_intermediate = 1000;
  const ParamCount pc = count_params(m);
  const double expert = 3.0 * 8192 * 1000;
  EXPECT_DOUBLE_EQ(pc.total - pc.active, 2 * 6 * expert + 32000.0 * 8192);
  EXPECT_EQ(pc.moe_layers, 2);
}

}  // namespace tessera

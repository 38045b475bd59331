#include "tessera/compute/roofline_model.h"

#include <gtest/gtest.h>

namespace tessera {

namespace {
ChipSpec toy() {
  ChipSpec c;
  c.name = "toy";
  c.peak_dense[DType::BF16] = TFLOPS(1000);
  c.peak_dense[DType::FP8] = TFLOPS(2000);
  c.peak_dense[DType::FP32] = TFLOPS(50);
  c.hbm_bandwidth = TBps(2);
  return c;
}
}  // namespace

TEST(Roofline, GemmTakesTheLargerOfComputeAndMemory) {
  const ChipSpec c = toy();
  RooflineModel m({&c, 1, 1.0}, RooflineParams{us(2), 1.0, 1.0});
  GemmOp g;
  g.m = 1;
  g.n = 8192;
  g.k = 8192;
  const OpCost small = m.gemm(g);
  // Bytes: 8192*8192*2 (W) + 8192*2 (X) + 8192*2 (Y) at 2 TB/s, plus 2 us.
  const double bytes = 8192.0 * 8192 * 2 + 2 * 8192 * 2;
  EXPECT_DOUBLE_EQ(small.memory.value(), bytes / 2e12);
  EXPECT_DOUBLE_EQ(small.time.value(), bytes / 2e12 + 2e-6);
  g.m = 8192;
  const OpCost big = m.gemm(g);
  EXPECT_DOUBLE_EQ(big.compute.value(), 2.0 * 8192 * 8192 * 8192 / 1e15);
  EXPECT_DOUBLE_EQ(big.time.value(), big.compute.value() + 2e-6);
}

TEST(Roofline, Fp8WeightsUseTheFp8RateAndHalfTheBytes) {
  const ChipSpec c = toy();
  RooflineModel m({&c, 1, 1.0}, {});
  GemmOp g;
  g.m = 4096;
  g.n = 4096;
  g.k = 4096;
  g.weight_dtype = DType::FP8;
  g.act_dtype = DType::FP8;
  EXPECT_DOUBLE_EQ(m.gemm(g).compute.value(), 2.0 * 4096 * 4096 * 4096 / 2e15);
}

TEST(Roofline, RankShareScalesPeakAndBandwidth) {
  const ChipSpec c = toy();
  RooflineModel half({&c, 1, 0.5}, {});
  RooflineModel full({&c, 1, 1.0}, {});
  GemmOp g;
  g.m = 1;
  g.n = 4096;
  g.k = 4096;
  EXPECT_DOUBLE_EQ(half.gemm(g).time.value(), 2 * full.gemm(g).time.value());
}

TEST(Roofline, DecodeAttentionReadsTheKvCache) {
  const ChipSpec c = toy();
  RooflineModel m({&c, 1, 1.0}, {});
  AttentionOp a;
  a.decode = true;
  a.seqs = 1;
  a.q_tokens = 1;
  a.kv_tokens = 1000;
  a.pairs = 1000;
  a.heads = 8;
  a.kv_heads = 1;
  a.kv_bytes_per_token = 512;
  const OpCost o = m.attention(a);
  EXPECT_DOUBLE_EQ(o.hbm_bytes.value(), 1000 * 512 + 2 * 8 * 128 * 2);
  EXPECT_DOUBLE_EQ(o.flops.value(), 2.0 * 1000 * 8 * 256);
}

}  // namespace tessera

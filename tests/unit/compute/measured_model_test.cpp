// The measured model on a made-up chip and made-up tables: table values at grid points,
// hand-computed log-linear interpolation between them, and the out-of-hull rule
// time = fitted(op) x measured(ref) / fitted(ref) at the nearest table point.
#include "tessera/compute/measured_model.h"

#include <cmath>

#include <gtest/gtest.h>

namespace tessera {
namespace {

// A round-number chip: 1 PFLOP/s BF16 and 2 PFLOP/s FP8 over 100 SMs, 1 TB/s HBM.
ChipSpec toy_chip() {
  ChipSpec c;
  c.name = "toy";
  c.peak_dense[DType::BF16] = TFLOPS(1000);
  c.peak_dense[DType::FP8] = TFLOPS(2000);
  c.hbm_bandwidth = TBps(1);
  return c;
}

NvidiaComputeFit toy_fit() {
  NvidiaComputeFit f;
  f.sms = 100;
  f.gemm[DType::BF16] = GemmFit{};
  f.prefill[DType::BF16] = PrefillAttentionFit{};
  f.decode[DType::BF16] = DecodeAttentionFit{};
  return f;
}

// BF16 GEMM at m in {1, 16}, n and k in {1024, 4096}: 10, 20, 40, 80 us in the (m, n) corners
// at k = 1024 and twice that at k = 4096.
// Prefill (8 heads, 1 KV head, d 128, BF16): (batch, isl) in {1, 4} x {128, 1024}, plus
// (16, 128) without (16, 1024) — a ragged edge as in the real tables.
// Decode (same heads, BF16 KV): (batch, KV length) in {1, 64} x {1024, 8192}.
NvidiaKernelTables toy_tables() {
  NvidiaKernelTables t;
  t.chip = "toy";
  for (int64_t k : {1024, 4096}) {
    const double s = k == 1024 ? 1 : 2;
    t.gemm.push_back({DType::BF16, 1, 1024, k, us(10 * s)});
    t.gemm.push_back({DType::BF16, 16, 1024, k, us(20 * s)});
    t.gemm.push_back({DType::BF16, 1, 4096, k, us(40 * s)});
    t.gemm.push_back({DType::BF16, 16, 4096, k, us(80 * s)});
  }
  auto pre = [&](int64_t b, int64_t s, double v) {
    t.prefill.push_back({8, 1, 128, DType::BF16, DType::BF16, b, s, us(v)});
  };
  pre(1, 128, 20), pre(1, 1024, 100), pre(4, 128, 50), pre(4, 1024, 400), pre(16, 128, 150);
  auto dec = [&](int64_t b, int64_t l, double v) { t.decode.push_back({8, 1, 128, DType::BF16, b, l, us(v)}); };
  dec(1, 1024, 10), dec(1, 8192, 20), dec(64, 1024, 40), dec(64, 8192, 160);
  return t;
}

class ToyMeasured : public ::testing::Test {
 protected:
  const ChipSpec chip_ = toy_chip();
  const MeasuredModel model_{{&chip_, 1, 1.0}, toy_fit(), toy_tables()};
  const NvidiaModel& fitted_ = model_.fitted();

  static GemmOp gemm(int64_t m, int64_t n, int64_t k, int64_t count = 1) {
    return {.m = m, .n = n, .k = k, .count = count};
  }
  static AttentionOp prefill(int64_t b, int64_t s, int heads = 8) {
    return {.seqs = b, .q_tokens = b * s, .kv_tokens = b * s, .pairs = b * s * (s + 1) / 2.0, .heads = heads,
            .kv_heads = 1, .kv_bytes_per_token = 512};
  }
  static AttentionOp decode(int64_t b, int64_t l) {
    return {.decode = true, .seqs = b, .q_tokens = b, .kv_tokens = b * l, .pairs = double(b * l), .heads = 8,
            .kv_heads = 1, .kv_bytes_per_token = 512};
  }
  double t(const GemmOp& op) const { return model_.gemm(op).time.value(); }
  double t(const AttentionOp& op) const { return model_.attention(op).time.value(); }
  double fit(const GemmOp& op) const { return fitted_.gemm(op).time.value(); }
  double fit(const AttentionOp& op) const { return fitted_.attention(op).time.value(); }
};

TEST_F(ToyMeasured, GridPointsAreTheTableValues) {
  // Bit-equal to the stored latencies (tessera::us computes them as v * 1e-6).
  EXPECT_EQ(t(gemm(1, 1024, 1024)), 10 * 1e-6);
  EXPECT_EQ(t(gemm(16, 4096, 4096)), 160 * 1e-6);
  EXPECT_EQ(t(prefill(4, 1024)), 400 * 1e-6);
  EXPECT_EQ(t(decode(64, 8192)), 160 * 1e-6);
}

TEST_F(ToyMeasured, InterpolatesLogLinearlyByHand) {
  // m = 4, n = 2048: weights ln4/ln16 = ln2/ln4 = 1/2 -> (10 20 40 80)^(1/4) us = sqrt(800) us.
  EXPECT_NEAR(t(gemm(4, 2048, 1024)), std::sqrt(800.0) * 1e-6, 1e-15);
  // k = 2048 as well: k weight 1/2, the k = 4096 corners doubled -> sqrt(800) * sqrt(2) us.
  EXPECT_NEAR(t(gemm(4, 2048, 2048)), std::sqrt(1600.0) * 1e-6, 1e-15);
  // Prefill batch 2, isl 128: weight 1/2 between 20 and 50 us -> sqrt(1000) us.
  EXPECT_NEAR(t(prefill(2, 128)), std::sqrt(1000.0) * 1e-6, 1e-15);
  // Decode batch 8 (weight ln8/ln64 = 1/2), KV 2048 (weight ln2/ln8 = 1/3):
  // exp(1/2 (2/3 ln10 + 1/3 ln20) + 1/2 (2/3 ln40 + 1/3 ln160)) us.
  const double e = 0.5 * (2.0 / 3 * std::log(10) + 1.0 / 3 * std::log(20)) +
                   0.5 * (2.0 / 3 * std::log(40) + 1.0 / 3 * std::log(160));
  EXPECT_NEAR(t(decode(8, 2048)), std::exp(e) * 1e-6, 1e-15);
}

TEST_F(ToyMeasured, MonotoneBetweenGridPoints) {
  double prev = 0;
  for (int64_t m = 1; m <= 16; ++m) {
    EXPECT_GT(t(gemm(m, 3000, 1500)), prev) << "m=" << m;
    prev = t(gemm(m, 3000, 1500));
  }
  prev = 0;
  for (int64_t l = 1024; l <= 8192; l += 512) {
    EXPECT_GT(t(decode(16, l)), prev) << "L=" << l;
    prev = t(decode(16, l));
  }
}

TEST_F(ToyMeasured, OutsideTheHullScalesTheFitByTheRatioAtTheNearestPoint) {
  // m = 64 clamps to m = 16 (n, k inside): fitted(64) x 20 us / fitted(16).
  EXPECT_NEAR(t(gemm(64, 1024, 1024)), fit(gemm(64, 1024, 1024)) * 20e-6 / fit(gemm(16, 1024, 1024)), 1e-15);
  // n = 8192 and k = 512 clamp to 4096 and 1024; m = 4 stays: the reference is interpolated.
  const double ref = t(gemm(4, 4096, 1024));
  EXPECT_NEAR(t(gemm(4, 8192, 512)), fit(gemm(4, 8192, 512)) * ref / fit(gemm(4, 4096, 1024)), 1e-15);
  // Decode past the longest KV length: the ratio at (64, 8192).
  EXPECT_NEAR(t(decode(64, 32768)), fit(decode(64, 32768)) * 160e-6 / fit(decode(64, 8192)), 1e-15);
  // Prefill (8, 512) lies in the cell that lacks (16, 1024); its nearest grid point in log
  // distance is (4, 1024) (ln2^2 + ln2^2, against ln2^2 + ln4^2 for (4, 128) and (16, 128)).
  EXPECT_NEAR(t(prefill(8, 512)), fit(prefill(8, 512)) * 400e-6 / fit(prefill(4, 1024)), 1e-15);
}

TEST_F(ToyMeasured, ShapesTheTablesLackFollowTheRule) {
  // Two weight sets: the fitted batched GEMM times the single GEMM's measured/fitted ratio.
  EXPECT_NEAR(t(gemm(16, 1024, 1024, 2)), fit(gemm(16, 1024, 1024, 2)) * 20e-6 / fit(gemm(16, 1024, 1024)), 1e-15);
  // A 1024-token chunk over a 3072-token cached prefix: ratio of the full 4096 prompt, which
  // clamps to the table's longest, (1, 1024).
  AttentionOp chunk = prefill(1, 1024);
  chunk.kv_tokens = 4096;
  chunk.pairs = 1024.0 * 3072 + 1024.0 * 1025 / 2;
  EXPECT_NEAR(t(chunk), fit(chunk) * 100e-6 / fit(prefill(1, 1024)), 1e-15);
  // No comparable rows: plain fitted (FP8 GEMM, mixed dtypes, 16 heads, MLA head dims).
  const GemmOp fp8{.m = 16, .n = 1024, .k = 1024, .act_dtype = DType::FP8, .weight_dtype = DType::FP8};
  EXPECT_EQ(t(fp8), fit(fp8));
  const GemmOp w8{.m = 16, .n = 1024, .k = 1024, .act_dtype = DType::BF16, .weight_dtype = DType::FP8};
  EXPECT_EQ(t(w8), fit(w8));
  EXPECT_EQ(t(prefill(4, 1024, 16)), fit(prefill(4, 1024, 16)));
  AttentionOp mla = decode(64, 1024);
  mla.head_dim_qk = 192;
  EXPECT_EQ(t(mla), fit(mla));
}

TEST_F(ToyMeasured, ElementwiseAndBreakdownFollowTheFit) {
  const ElementwiseOp e{.elements = 1000000, .bytes = Bytes(4e6)};
  EXPECT_EQ(model_.elementwise(e).time.value(), fitted_.elementwise(e).time.value());
  // Compute, memory and overhead scale with the time; FLOPs and bytes stay physical.
  const OpCost m = model_.gemm(gemm(16, 4096, 4096)), f = fitted_.gemm(gemm(16, 4096, 4096));
  const double s = m.time.value() / f.time.value();
  EXPECT_NEAR(m.memory.value(), f.memory.value() * s, 1e-18);
  EXPECT_NEAR(m.compute.value(), f.compute.value() * s, 1e-18);
  EXPECT_EQ(m.flops.value(), f.flops.value());
  EXPECT_EQ(m.hbm_bytes.value(), f.hbm_bytes.value());
}

}  // namespace
}  // namespace tessera

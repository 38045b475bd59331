#include "tessera/plan/iteration_model.h"

#include <gtest/gtest.h>

#include "plan_test_util.h"
#include "tessera/compute/roofline_model.h"
#include "tessera/network/ring_model.h"

namespace tessera {

using testing::bucket_ladder;
using testing::decode_batch;
using testing::prefill_batch;

namespace {
struct Fixture {
  ModelSpec m = testing::llama2_70b();
  SystemSpec s = testing::toy_gpu_system();
  DeploymentSpec d;
  Placement p;
  MemoryPlan mp;
  std::unique_ptr<IterationModel> it;
  explicit Fixture(int tp, PlatformOverheads o = {}) {
    d.tp = tp;
    d.max_tokens = 2048;
    p = *place(m, s, d);
    mp = *plan_memory(m, s, d, p);
    auto dev = std::make_shared<RooflineModel>(p.rank, RooflineParams{});
    auto net = std::make_shared<RingModel>(ring_params_for(s));
    it = std::make_unique<IterationModel>(m, d, p, mp, dev, net, o);
  }
};
}  // namespace

TEST(IterationModel, SingleDecodeIsWeightReadBound) {
  Fixture f(8);
  BatchShape b;
  b.decode_seqs = 1;
  b.decode_kv_tokens = 1000;
  const IterationCost c = f.it->cost(b);
  // Reading the rank's share of the layer weights at 2 TB/s dominates.
  const double layer_w = (8192.0 * 8192 * 2 + 2.0 * 8192 * 1024 + 3.0 * 8192 * 28672) * 2 / 8;
  const double lm_head = 32000.0 * 8192 * 2 / 8;
  const double expected_weights = (80 * layer_w + lm_head) / 2e12;
  EXPECT_NEAR(c.weight_read.value(), expected_weights, expected_weights * 0.01);
  EXPECT_EQ(c.gemm_compute.value(), 0);
  // Components sum to the total.
  const Seconds sum = c.weight_read + c.gemm_compute + c.kv_read + c.attention_compute + c.elementwise +
                      c.collective + c.overhead;
  EXPECT_DOUBLE_EQ(sum.value(), c.total.value());
}

TEST(IterationModel, TpAllReducesFollowTheRingFormula) {
  Fixture f(8);
  BatchShape b;
  b.decode_seqs = 4;
  b.decode_kv_tokens = 4000;
  const IterationCost c = f.it->cost(b);
  // 2 all-reduces per layer of 4 tokens x 8192 x 2 bytes, ring over 8 GPUs:
  // 2(n-1) steps x (5 us + (bytes/8)/400 GB/s).
  const double bytes = 4 * 8192 * 2.0;
  const double one = 14 * (5e-6 + bytes / 8 / 400e9);
  EXPECT_NEAR(c.collective.value(), 160 * one, 1e-9);
}

TEST(IterationModel, OverheadsAddPerIterationAndPerLayer) {
  PlatformOverheads o;
  o.per_iteration = us(100);
  o.per_layer = us(10);
  o.per_collective = us(1);
  Fixture with(8, o), without(8);
  BatchShape b;
  b.decode_seqs = 2;
  b.decode_kv_tokens = 100;
  const double diff = with.it->cost(b).total.value() - without.it->cost(b).total.value();
  EXPECT_NEAR(diff, 100e-6 + 80 * 10e-6 + 160 * 1e-6, 1e-12);
}

// Host work per running sequence (PlatformOverheads::per_sequence) counts every
// sequence of the step, prefilling or decoding; the memo keys on that count.
TEST(IterationModel, PerSequenceOverheadScalesWithTheSequencesInTheStep) {
  PlatformOverheads o;
  o.per_sequence = us(30);
  Fixture with(8, o), without(8);
  BatchShape b;
  b.decode_seqs = 5;
  b.decode_kv_tokens = 500;
  b.prefill_seqs = 2;
  b.prefill_tokens = 64;
  b.prefill_pairs = causal_pairs(0, 32) * 2;
  EXPECT_NEAR(with.it->cost(b).total.value() - without.it->cost(b).total.value(), 7 * 30e-6, 1e-12);
  EXPECT_NEAR(with.it->overhead(b).value(), 7 * 30e-6, 1e-15);
  BatchShape c = b;  // same tokens, one sequence fewer: not the same memo entry
  c.decode_seqs = 4;
  c.prefill_tokens = 65;
  EXPECT_NEAR(with.it->cost(c).total.value() - without.it->cost(c).total.value(), 6 * 30e-6, 1e-12);
}

TEST(IterationModel, MemoizesTokenBoundPartOnTokenCount) {
  Fixture f(8);
  BatchShape a, b;
  a.decode_seqs = b.decode_seqs = 8;
  a.decode_kv_tokens = 800;
  b.decode_kv_tokens = 8000;
  const IterationCost ca = f.it->cost(a), cb = f.it->cost(b);
  EXPECT_EQ(f.it->memo_size(), 1u);
  EXPECT_GT(cb.total, ca.total);  // more KV to read
  EXPECT_DOUBLE_EQ(ca.weight_read.value(), cb.weight_read.value());
}

TEST(IterationModel, PrefillBecomesComputeBound) {
  Fixture f(8);
  BatchShape b;
  b.prefill_seqs = 1;
  b.prefill_tokens = 2048;
  b.prefill_pairs = causal_pairs(0, 2048);
  const IterationCost c = f.it->cost(b);
  EXPECT_GT(c.gemm_compute.value(), c.weight_read.value());
  // 2 x params x tokens / (8 ranks x 1000 TFLOPS) is the GEMM compute floor.
  const double flops = 2.0 * 2048 * (80 * (8192.0 * 8192 * 2 + 2.0 * 8192 * 1024 + 3.0 * 8192 * 28672));
  EXPECT_GT(c.gemm_compute.value(), flops / 8e15 * 0.99);
}

TEST(IterationModel, ExplainedOpsSumToTheIterationCost) {
  PlatformOverheads o;
  o.per_iteration = ms(1);
  o.per_collective = us(20);
  o.per_prefill_iteration = ms(2);
  Fixture f(8, o);
  BatchShape b;
  b.decode_seqs = 4;
  b.decode_kv_tokens = 4000;
  b.prefill_seqs = 1;
  b.prefill_tokens = 300;
  b.prefill_pairs = causal_pairs(0, 300);
  const std::vector<CostedOp> ops = f.it->explain(b);
  double sum = f.it->overhead(b).value();
  int allreduces = 0;
  for (const CostedOp& c : ops) {
    sum += c.time().value() * c.op.repeat;
    if (std::holds_alternative<CollectiveCall>(c.op.op)) {
      allreduces += static_cast<int>(c.op.repeat);
      EXPECT_DOUBLE_EQ(c.fixed.value(), 20e-6);  // the platform's per-call cost
    }
  }
  EXPECT_EQ(allreduces, 160);  // inserted by the plan: 2 per layer at TP 8
  EXPECT_DOUBLE_EQ(f.it->overhead(b).value(), 3e-3);
  EXPECT_NEAR(sum, f.it->cost(b).total.value(), 1e-12);
}


TEST(IterationModel, IterationCostsThePaddedShapeWithTheRealBatchOverheads) {
  PlatformOverheads bucketed;
  bucketed.buckets = bucket_ladder();
  bucketed.per_iteration = us(100);
  PlatformOverheads plain;
  plain.per_iteration = us(100);
  Fixture fb(8, bucketed), fp(8, plain);
  // A 300-token prompt costs what a 512-token one costs unbucketed.
  EXPECT_DOUBLE_EQ(fb.it->cost(prefill_batch(1, 300)).total.value(),
                   fp.it->cost(prefill_batch(1, 512)).total.value());
  // Three decodes at mean KV 200 cost four at KV 256.
  EXPECT_DOUBLE_EQ(fb.it->cost(decode_batch(3, 600)).total.value(),
                   fp.it->cost(decode_batch(4, 1024)).total.value());
  EXPECT_LT(fp.it->cost(decode_batch(3, 600)).total.value(), fp.it->cost(decode_batch(4, 1024)).total.value());
}

namespace {
double explained_elements(const std::vector<CostedOp>& ops, std::string_view name) {
  for (const CostedOp& c : ops)
    if (c.op.name == name) return static_cast<double>(std::get<ElementwiseOp>(c.op.op).elements);
  return -1;
}
int count_collectives(const std::vector<CostedOp>& ops, CollectiveKind kind, double bytes) {
  int n = 0;
  for (const CostedOp& c : ops)
    if (const auto* call = std::get_if<CollectiveCall>(&c.op.op); call && call->kind == kind) {
      EXPECT_DOUBLE_EQ(call->bytes.value(), bytes) << c.op.name;
      ++n;
    }
  return n;
}
}  // namespace

TEST(IterationModel, SequenceParallelPrefillShardsNormsAndSplitsAllReduces) {
  PlatformOverheads sp;
  sp.sequence_parallel = true;
  Fixture fs(8, sp), fp(8);
  const BatchShape b = prefill_batch(1, 1024);
  const auto with = fs.it->explain(b);
  const auto without = fp.it->explain(b);
  // Norms hold 1024 / 8 = 128 rows of 8192 per rank instead of 1024.
  bool saw_norm = false;
  for (const CostedOp& c : without) {
    if (!std::holds_alternative<ElementwiseOp>(c.op.op)) continue;
    const double e = explained_elements(with, c.op.name);
    const bool per_token = std::get<ElementwiseOp>(c.op.op).elements == 1024 * 8192;
    if (c.op.name.find("norm") != std::string_view::npos && per_token) {
      EXPECT_DOUBLE_EQ(e, 128.0 * 8192) << c.op.name;
      saw_norm = true;
    }
  }
  EXPECT_TRUE(saw_norm);
  // Each all-reduce of 1024 x 8192 x 2 bytes becomes a reduce-scatter and an all-gather of the same buffer.
  const double bytes = 1024.0 * 8192 * 2;
  const int ar = count_collectives(without, CollectiveKind::AllReduce, bytes);
  EXPECT_GT(ar, 0);
  EXPECT_EQ(count_collectives(with, CollectiveKind::AllReduce, bytes), 0);
  EXPECT_EQ(count_collectives(with, CollectiveKind::ReduceScatter, bytes), ar);
  EXPECT_EQ(count_collectives(with, CollectiveKind::AllGather, bytes), ar);
  // Decode steps stay tensor-parallel.
  const auto dec = fs.it->explain(decode_batch(4, 4000));
  EXPECT_GT(count_collectives(dec, CollectiveKind::AllReduce, 4 * 8192 * 2.0), 0);
}

}  // namespace tessera

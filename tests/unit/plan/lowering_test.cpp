#include "tessera/plan/lowering.h"

#include <gtest/gtest.h>

#include <map>

#include "plan_test_util.h"
#include "tessera/specs/model_graph.h"

namespace tessera {

namespace {

const AttentionOp* find_attention(const std::vector<PlannedOp>& ops, std::string_view name) {
  for (const auto& p : ops)
    if (p.name == name) return std::get_if<AttentionOp>(&p.op);
  return nullptr;
}
const PlannedOp* find(const std::vector<PlannedOp>& ops, std::string_view name) {
  for (const auto& p : ops)
    if (p.name == name) return &p;
  return nullptr;
}

ModelSpec deepseek_like() {
  ModelSpec m = testing::llama2_70b();
  m.name = "mla-moe";
  m.hidden = 7168;
  m.layers = 61;
  m.heads = 128;
  m.kv_heads = 128;
  m.head_dim = 128;
  m.intermediate = 18432;
  m.mla = MlaSpec{1536, 512, 128, 64, 128};
  m.moe = MoeSpec{};
  m.moe->num_experts = 256;
  m.moe->experts_per_token = 8;
  m.moe->expert_intermediate = 2048;
  m.moe->shared_experts = 1;
  m.moe->shared_intermediate = 2048;
  m.moe->first_dense_layers = 3;
  return m;
}

}  // namespace

TEST(Lowering, DenseDecodeHasTwoAllReducesPerLayer) {
  const ModelSpec m = testing::llama2_70b();
  DeploymentSpec d;
  d.tp = 8;
  auto p = place(m, testing::toy_gpu_system(), d);
  ASSERT_TRUE(p.ok());
  Lowering l(m, d, *p);
  BatchShape b;
  b.decode_seqs = 4;
  b.decode_kv_tokens = 4000;
  std::vector<PlannedOp> ops;
  l.lower(b, OpSet::All, ops);
  const PlannedOp* ar = find(ops, "tp_allreduce_mlp");
  ASSERT_NE(ar, nullptr);
  EXPECT_EQ(ar->repeat, 80);
  EXPECT_DOUBLE_EQ(std::get<CollectiveCall>(ar->op).bytes.value(), 4 * 8192 * 2.0);
  const PlannedOp* qkv = find(ops, "qkv_proj");
  // 8 query heads + 2 x 1 KV head per rank, 128 dims each.
  EXPECT_EQ(std::get<GemmOp>(qkv->op).n, (8 + 2) * 128);
  double collectives = 0;  // two all-reduces in each of the 80 layers
  for (const PlannedOp& op : ops)
    if (std::holds_alternative<CollectiveCall>(op.op)) collectives += op.repeat;
  EXPECT_EQ(collectives, 160);
}

// The ops of `b` for deepseek_like() at TP 8 on the toy GPU. Op names may point into the
// model's graph, so the model (and the graph it shares with the lowering) outlives them.
std::vector<PlannedOp> lower_mla_tp8(const BatchShape& b, OpSet set) {
  static const ModelSpec m = [] {
    ModelSpec s = deepseek_like();
    s.graph = std::make_shared<const Graph>(graph_from_model(s).value());
    return s;
  }();
  DeploymentSpec d;
  d.tp = 8;
  auto p = place(m, testing::toy_gpu_system(), d);
  EXPECT_TRUE(p.ok()) << p.error().message;
  std::vector<PlannedOp> ops;
  if (p.ok()) Lowering(m, d, *p).lower(b, set, ops);
  return ops;
}

TEST(Lowering, MlaDecodeIsAbsorbedMultiQueryOverTheLatent) {
  BatchShape b;
  b.decode_seqs = 2;
  b.decode_kv_tokens = 2000;
  std::vector<PlannedOp> ops = lower_mla_tp8(b, OpSet::Attention);
  const AttentionOp* a = find_attention(ops, "attn_decode");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->kv_heads, 1);
  EXPECT_EQ(a->heads, 16);
  EXPECT_EQ(a->head_dim_qk, 512 + 64);
  EXPECT_EQ(a->head_dim_v, 512);
  EXPECT_EQ(a->kv_bytes_per_token, (512 + 64) * 2);  // the latent, BF16, replicated per rank
  ASSERT_NE(find(ops, "q_absorb"), nullptr);
  EXPECT_EQ(std::get<GemmOp>(find(ops, "q_absorb")->op).count, 16);
  // The low-rank down-projections run whole on every rank; q_up is split by heads.
  ops = lower_mla_tp8(b, OpSet::TokenBound);
  EXPECT_EQ(std::get<GemmOp>(find(ops, "q_down")->op).n, 1536);
  EXPECT_EQ(std::get<GemmOp>(find(ops, "kv_down")->op).n, 512 + 64);
  EXPECT_EQ(std::get<GemmOp>(find(ops, "q_up")->op).n, 16 * (128 + 64));
  EXPECT_EQ(std::get<GemmOp>(find(ops, "o_proj")->op).k, 16 * 128);
  EXPECT_EQ(std::get<ElementwiseOp>(find(ops, "kv_norm")->op).elements, 2 * (512 + 64));
}

TEST(Lowering, MlaPrefillExpandsTheLatentUnabsorbed) {
  BatchShape b;
  b.prefill_seqs = 1;
  b.prefill_tokens = 1000;
  b.prefill_pairs = causal_pairs(0, 1000);
  const std::vector<PlannedOp> ops = lower_mla_tp8(b, OpSet::Attention);
  // kv_b: 1000 cached latents x (16 heads x (128 nope + 128 v)) x 512.
  const GemmOp& up = std::get<GemmOp>(find(ops, "kv_up")->op);
  EXPECT_EQ(up.m, 1000);
  EXPECT_EQ(up.n, 16 * (128 + 128));
  EXPECT_EQ(up.k, 512);
  const AttentionOp* a = find_attention(ops, "attn_prefill");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->kv_heads, 16);
  EXPECT_EQ(a->head_dim_qk, 192);
  EXPECT_EQ(a->kv_bytes_per_token, 16 * (192 + 128) * 2);
}

TEST(Lowering, DepSplitsTheBatchAcrossAttentionGroups) {
  const ModelSpec m = deepseek_like();
  DeploymentSpec d;
  d.tp = 1;
  d.ep = 8;
  auto p = place(m, testing::toy_gpu_system(), d);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->attention_dp, 8);
  EXPECT_EQ(p->ranks_per_replica, 8);
  Lowering l(m, d, *p);
  BatchShape b;
  b.decode_seqs = 64;
  b.decode_kv_tokens = 64000;
  std::vector<PlannedOp> ops;
  l.lower(b, OpSet::All, ops);
  // Each attention group sees 64 / 8 sequences.
  EXPECT_EQ(find_attention(ops, "attn_decode")->seqs, 8);
  const PlannedOp* dispatch = find(ops, "ep_dispatch");
  ASSERT_NE(dispatch, nullptr);
  // 8 tokens x top-8 copies x 7168 x 2 bytes per rank.
  EXPECT_DOUBLE_EQ(std::get<CollectiveCall>(dispatch->op).bytes.value(), 8.0 * 8 * 7168 * 2);
  EXPECT_EQ(dispatch->repeat, 58);  // 61 layers, the first 3 dense
}

TEST(Lowering, SlidingWindowCapsDecodeKvReads) {
  ModelSpec m = testing::llama2_70b();
  m.sliding_window = 128;
  m.layer_is_sliding.assign(80, false);
  for (int i = 0; i < 80; i += 2) m.layer_is_sliding[i] = true;
  DeploymentSpec d;
  d.tp = 8;
  auto p = place(m, testing::toy_gpu_system(), d);
  ASSERT_TRUE(p.ok());
  Lowering l(m, d, *p);
  BatchShape b;
  b.decode_seqs = 4;
  b.decode_kv_tokens = 4000;
  std::vector<PlannedOp> ops;
  l.lower(b, OpSet::Attention, ops);
  ASSERT_EQ(ops.size(), 2u);  // 80 alternating layers fold into one op per kind
  std::map<int64_t, double> repeat_by_kv;
  for (const PlannedOp& op : ops) repeat_by_kv[std::get<AttentionOp>(op.op).kv_tokens] += op.repeat;
  EXPECT_EQ(repeat_by_kv, (std::map<int64_t, double>{{4 * 128, 40}, {4000, 40}}));  // sliding, full
}

}  // namespace tessera

#include "tessera/plan/lowering.h"

#include <algorithm>
#include <cmath>

#include "tessera/plan/params.h"

namespace tessera {

Lowering::Lowering(const ModelSpec& model, const DeploymentSpec& dep, const Placement& placement)
    : model_(model), dep_(dep), placement_(placement) {
  tp_group_.ranks = dep.tp;
  tp_group_.ranks_per_chip = std::min(dep.tp, placement.ranks_per_chip);
  for (int i = 0; i < model.layers; ++i) (is_moe_layer(model, i) ? moe_layers_ : dense_layers_)++;
  q_heads_ = heads_per_rank(model, dep.tp);
  kv_heads_ = kv_heads_per_rank(model, dep.tp);
  const double kv_elems = model.mla ? kv_elements_per_token_per_layer(model) : 2.0 * kv_heads_ * model.head_dim;
  kv_bytes_per_token_layer_ = static_cast<int64_t>(std::ceil(kv_elems * dtype_bytes(dep.kv_dtype)));
}

static ElementwiseOp eltwise(double elements, double flops_per_elem, double bytes, DType dt,
                             ElementwiseEngine engine = ElementwiseEngine::Vector) {
  ElementwiseOp e;
  e.elements = static_cast<int64_t>(elements);
  e.flops_per_element = flops_per_elem;
  e.bytes = Bytes(bytes);
  e.dtype = dt;
  e.engine = engine;
  return e;
}

static GemmOp gemm(int64_t m, int64_t n, int64_t k, const DeploymentSpec& d, int64_t count = 1) {
  GemmOp g;
  g.m = m;
  g.n = n;
  g.k = k;
  g.count = count;
  g.act_dtype = d.act_dtype;
  g.weight_dtype = d.weight_dtype;
  return g;
}

void Lowering::lower_layer_token_ops(int64_t t, double repeat, bool moe, std::vector<PlannedOp>& out) const {
  const ModelSpec& m = model_;
  const int tp = dep_.tp;
  const double ab = dtype_bytes(dep_.act_dtype);
  const double h = static_cast<double>(m.hidden);
  const double td = static_cast<double>(t);
  const int64_t qkv_n = static_cast<int64_t>(q_heads_ + 2 * kv_heads_) * m.head_dim;
  const int64_t attn_out = static_cast<int64_t>(q_heads_) * m.head_dim;

  // RMSNorm reads and writes the residual stream (~4 FLOP/element: square, sum, scale, weight).
  out.push_back({"input_norm", eltwise(td * h, 4, 2 * td * h * ab, dep_.act_dtype), repeat});
  out.push_back({"qkv_proj", gemm(t, qkv_n, m.hidden, dep_), repeat});
  out.push_back({"rotary", eltwise(td * static_cast<double>(q_heads_ + kv_heads_) * m.head_dim, 3,
                                   2 * td * static_cast<double>(q_heads_ + kv_heads_) * m.head_dim * ab,
                                   dep_.act_dtype), repeat});
  out.push_back({"kv_write", eltwise(td * kv_bytes_per_token_layer_ / ab, 0,
                                     td * static_cast<double>(kv_bytes_per_token_layer_), dep_.kv_dtype), repeat});
  out.push_back({"o_proj", gemm(t, m.hidden, attn_out, dep_), repeat});
  if (tp > 1)
    out.push_back({"tp_allreduce_attn", CollectiveCall{CollectiveKind::AllReduce, Bytes(td * h * ab), tp_group_}, repeat});
  // Residual add fused with the post-attention norm: read two streams, write two.
  out.push_back({"residual_norm", eltwise(td * h, 5, 4 * td * h * ab, dep_.act_dtype), repeat});

  const bool gated = m.mlp == MlpKind::Gated;
  if (moe) {
    const MoeSpec& e = *m.moe;
    out.push_back({"moe_router", gemm(t, e.num_experts, m.hidden, dep_), repeat});
    // Expected distinct experts hit by t tokens choosing k of E uniformly; the
    // rank holds E/ep of them and each of its experts is TP-sharded.
    const double E = e.num_experts, k = e.experts_per_token;
    const double touched = E * (1.0 - std::pow(1.0 - k / E, td));
    const double local = std::max(1.0, touched / dep_.ep);
    const double tokens_per_expert = td * k / touched;
    const int64_t inter = e.expert_intermediate / tp;
    const int64_t mexp = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(tokens_per_expert)));
    const int64_t cnt = static_cast<int64_t>(std::ceil(local));
    if (dep_.ep > 1) {
      const Bytes a2a(td * k * h * ab / dep_.ep);
      const CollectiveGroup ep_group{dep_.ep, std::min(dep_.ep, placement_.ranks_per_chip)};
      out.push_back({"ep_dispatch", CollectiveCall{CollectiveKind::AllToAll, a2a, ep_group}, repeat});
      out.push_back({"ep_combine", CollectiveCall{CollectiveKind::AllToAll, a2a, ep_group}, repeat});
    }
    out.push_back({"expert_up", gemm(mexp, (gated ? 2 : 1) * inter, m.hidden, dep_, cnt), repeat});
    out.push_back({"expert_act", eltwise(td * k * inter, 5, 3 * td * k * inter * ab, dep_.act_dtype,
                                         ElementwiseEngine::Scalar), repeat});
    out.push_back({"expert_down", gemm(mexp, m.hidden, inter, dep_, cnt), repeat});
    if (e.shared_experts > 0) {
      const int64_t sh = e.shared_intermediate / tp;
      out.push_back({"shared_up", gemm(t, (gated ? 2 : 1) * sh, m.hidden, dep_), repeat});
      out.push_back({"shared_down", gemm(t, m.hidden, sh, dep_), repeat});
    }
  } else {
    const int64_t inter = m.intermediate / tp;
    out.push_back({"mlp_up", gemm(t, (gated ? 2 : 1) * inter, m.hidden, dep_), repeat});
    // SiLU(gate) * up on the activation engine: read gate and up, write one.
    out.push_back({"mlp_act", eltwise(td * inter, 5, 3 * td * inter * ab, dep_.act_dtype,
                                      ElementwiseEngine::Scalar), repeat});
    out.push_back({"mlp_down", gemm(t, m.hidden, inter, dep_), repeat});
  }
  if (tp > 1)
    out.push_back({"tp_allreduce_mlp", CollectiveCall{CollectiveKind::AllReduce, Bytes(td * h * ab), tp_group_}, repeat});
  out.push_back({"residual_add", eltwise(td * h, 1, 3 * td * h * ab, dep_.act_dtype), repeat});
}

void Lowering::lower_attention(const BatchShape& b, double repeat, std::vector<PlannedOp>& out) const {
  auto base = [&] {
    AttentionOp a;
    a.heads = q_heads_;
    a.kv_heads = kv_heads_;
    a.head_dim_qk = model_.mla ? model_.mla->qk_nope_head_dim + model_.mla->qk_rope_head_dim : model_.head_dim;
    a.head_dim_v = model_.mla ? model_.mla->v_head_dim : model_.head_dim;
    a.kv_bytes_per_token = kv_bytes_per_token_layer_;
    a.compute_dtype = dep_.act_dtype;
    a.kv_dtype = dep_.kv_dtype;
    return a;
  };
  if (b.prefill_tokens > 0) {
    AttentionOp a = base();
    a.decode = false;
    a.seqs = b.prefill_seqs;
    a.q_tokens = b.prefill_tokens;
    a.kv_tokens = b.prefill_context + b.prefill_tokens;
    a.pairs = b.prefill_pairs;
    out.push_back({"attn_prefill", a, repeat});
  }
  if (b.decode_seqs > 0) {
    AttentionOp a = base();
    a.decode = true;
    a.seqs = b.decode_seqs;
    a.q_tokens = b.decode_seqs;
    a.kv_tokens = b.decode_kv_tokens;
    a.pairs = static_cast<double>(b.decode_kv_tokens);
    out.push_back({"attn_decode", a, repeat});
  }
}

void Lowering::lower_head_tail(const BatchShape& b, std::vector<PlannedOp>& out) const {
  const double ab = dtype_bytes(dep_.act_dtype);
  const double t = static_cast<double>(b.tokens());
  const double h = static_cast<double>(model_.hidden);
  const int64_t sampled = b.prefill_seqs + b.decode_seqs;
  const int64_t vocab_shard = (model_.vocab + dep_.tp - 1) / dep_.tp;
  out.push_back({"embedding", eltwise(t * h, 0, 2 * t * h * ab, dep_.act_dtype), 1});
  out.push_back({"final_norm", eltwise(static_cast<double>(sampled) * h, 4, 2 * sampled * h * ab, dep_.act_dtype), 1});
  out.push_back({"lm_head", gemm(sampled, vocab_shard, model_.hidden, dep_), 1});
  // Sampling reads the FP32 logits of each sampled sequence once.
  out.push_back({"sampling", eltwise(static_cast<double>(sampled * vocab_shard), 2,
                                     static_cast<double>(sampled * vocab_shard) * 4.0, DType::FP32), 1});
  if (dep_.pp > 1) {
    const CollectiveGroup pair{2, 1};
    out.push_back({"pp_send", CollectiveCall{CollectiveKind::SendRecv, Bytes(t * h * ab), pair},
                   static_cast<double>(dep_.pp - 1)});
  }
}

void Lowering::lower(const BatchShape& b, OpSet set, std::vector<PlannedOp>& out) const {
  out.clear();
  if (set != OpSet::Attention) {
    if (dense_layers_ > 0) lower_layer_token_ops(b.tokens(), dense_layers_, false, out);
    if (moe_layers_ > 0) lower_layer_token_ops(b.tokens(), moe_layers_, true, out);
    lower_head_tail(b, out);
  }
  if (set != OpSet::TokenBound) lower_attention(b, model_.layers, out);
}

int Lowering::collectives_per_iteration(const BatchShape& b) const {
  int n = 0;
  if (dep_.tp > 1) n += 2 * model_.layers;
  if (dep_.ep > 1) n += 2 * moe_layers_;
  if (dep_.pp > 1) n += dep_.pp - 1;
  return n;
}

}  // namespace tessera

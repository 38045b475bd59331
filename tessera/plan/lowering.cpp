#include "tessera/plan/lowering.h"

#include <algorithm>
#include <cmath>

#include "tessera/plan/params.h"

namespace tessera {

Lowering::Lowering(const ModelSpec& model, const DeploymentSpec& dep, const Placement& placement,
                   bool fused_elementwise)
    : model_(model), dep_(dep), placement_(placement), adp_(placement.attention_dp), fused_(fused_elementwise) {
  tp_group_.ranks = dep.tp;
  tp_group_.ranks_per_chip = std::min(dep.tp, placement.ranks_per_chip);
  ep_group_.ranks = dep.ep;
  ep_group_.ranks_per_chip = std::min(dep.ep, placement.ranks_per_chip);
  for (int i = 0; i < model.layers; ++i) (is_moe_layer(model, i) ? moe_layers_ : dense_layers_)++;
  if (model.sliding_window > 0) {
    if (model.layer_is_sliding.empty()) {
      sliding_layers_ = model.layers;
    } else {
      sliding_layers_ = static_cast<int>(std::count(model.layer_is_sliding.begin(), model.layer_is_sliding.end(), true));
    }
  }
  q_heads_ = heads_per_rank(model, dep.tp);
  kv_heads_ = kv_heads_per_rank(model, dep.tp);
  // FP8/MX/FP4 checkpoints run W8A8 / MX x MX where the chip has the rate:
  // activations are quantized on the fly (TensorRT-LLM FP8, NC-v4 MX mode).
  // INT8 stays weight-only (dequantized to the activation type), as the Neuron
  // SDK's int8 weight storage and most GPU int8 paths run it.
  const DType w = dep.weight_dtype;
  const bool quantized_math = w == DType::FP8 || w == DType::MXFP8 || w == DType::MXFP4 || w == DType::FP4;
  if (quantized_math && placement.rank.chip != nullptr) {
    DType used = w;
    placement.rank.chip->peak(w, &used);
    if (used == w) gemm_act_dtype_ = w == DType::MXFP4 ? DType::MXFP8 : w;
  }
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

static GemmOp gemm_op(int64_t m, int64_t n, int64_t k, const DeploymentSpec& d, DType act, int64_t count = 1) {
  GemmOp g;
  g.m = m;
  g.n = n;
  g.k = k;
  g.count = count;
  g.act_dtype = act;
  g.weight_dtype = d.weight_dtype;
  return g;
}

GemmOp Lowering::make_gemm(int64_t m, int64_t n, int64_t k, const DeploymentSpec& d, int64_t count) const {
  return gemm_op(m, n, k, d, gemm_act_dtype_, count);
}

static int64_t as_rows(double t) { return static_cast<int64_t>(std::ceil(t)); }

void Lowering::lower_attention_projections(double t, double repeat, std::vector<PlannedOp>& out) const {
  const ModelSpec& m = model_;
  const double ab = dtype_bytes(dep_.act_dtype);
  const int64_t rows = as_rows(t);
  if (m.mla) {
    // MLA: the down-projections (q_a, kv_a) are small and replicated on every TP
    // rank; the per-head up-projection q_b and o are TP-sharded. K/V expansion
    // (kv_b) and the absorbed decode projections depend on the prefill/decode
    // split and are lowered with attention.
    const MlaSpec& a = *m.mla;
    const int64_t qk = a.qk_nope_head_dim + a.qk_rope_head_dim;
    if (a.q_lora_rank > 0) {
      out.push_back({"q_down", make_gemm(rows, a.q_lora_rank, m.hidden, dep_), repeat});
      out.push_back({"q_up", make_gemm(rows, q_heads_ * qk, a.q_lora_rank, dep_), repeat});
    } else {
      out.push_back({"q_proj", make_gemm(rows, q_heads_ * qk, m.hidden, dep_), repeat});
    }
    out.push_back({"kv_down", make_gemm(rows, a.kv_lora_rank + a.qk_rope_head_dim, m.hidden, dep_), repeat});
    if (!fused_) {
      out.push_back({"rotary", eltwise(t * (q_heads_ + 1) * a.qk_rope_head_dim, 3,
                                       2 * t * (q_heads_ + 1) * a.qk_rope_head_dim * ab, dep_.act_dtype), repeat});
      out.push_back({"kv_write", eltwise(t * kv_bytes_per_token_layer_ / ab, 0, t * kv_bytes_per_token_layer_,
                                         dep_.kv_dtype), repeat});
    }
    out.push_back({"o_proj", make_gemm(rows, m.hidden, static_cast<int64_t>(q_heads_) * a.v_head_dim, dep_), repeat});
    return;
  }
  const int64_t qkv_n = static_cast<int64_t>(q_heads_ + 2 * kv_heads_) * m.head_dim;
  out.push_back({"qkv_proj", make_gemm(rows, qkv_n, m.hidden, dep_), repeat});
  if (!fused_) {
    const double rot = t * static_cast<double>(q_heads_ + kv_heads_) * m.head_dim;
    out.push_back({"rotary", eltwise(rot, 3, 2 * rot * ab, dep_.act_dtype), repeat});
    out.push_back({"kv_write", eltwise(t * kv_bytes_per_token_layer_ / ab, 0, t * kv_bytes_per_token_layer_,
                                       dep_.kv_dtype), repeat});
  }
  out.push_back({"o_proj", make_gemm(rows, m.hidden, static_cast<int64_t>(q_heads_) * m.head_dim, dep_), repeat});
}

// t: tokens this rank's attention group processes; t_replica: tokens of the whole
// replica (what the experts of an EP group see).
void Lowering::lower_mlp(double t, double t_replica, bool moe, double repeat, std::vector<PlannedOp>& out) const {
  const ModelSpec& m = model_;
  const int tp = dep_.tp;
  const double ab = dtype_bytes(dep_.act_dtype);
  const bool gated = m.mlp == MlpKind::Gated;
  const int64_t rows = as_rows(t);
  if (!moe) {
    const int64_t inter = m.intermediate / tp;
    out.push_back({"mlp_up", make_gemm(rows, (gated ? 2 : 1) * inter, m.hidden, dep_), repeat});
    // SiLU(gate) * up on the activation engine: read gate and up, write one.
    if (!fused_)
      out.push_back({"mlp_act", eltwise(t * inter, 5, 3 * t * inter * ab, dep_.act_dtype, ElementwiseEngine::Scalar),
                     repeat});
    out.push_back({"mlp_down", make_gemm(rows, m.hidden, inter, dep_), repeat});
    return;
  }
  const MoeSpec& e = *m.moe;
  const double h = static_cast<double>(m.hidden);
  const double E = e.num_experts, k = e.experts_per_token;
  out.push_back({"moe_router", make_gemm(rows, e.num_experts, m.hidden, dep_), repeat});
  // Experts: E/ep per EP group, each sharded over tp/ep ranks when ep < tp. A
  // group receives t_replica*k/ep (token, expert) pairs, times the imbalance of
  // its busiest expert; of its E/ep experts, the expected number any of the
  // t_replica tokens selects is (E/ep)(1 - (1 - k/E)^t_replica).
  const int ep = dep_.ep;
  const int shard = std::max(1, tp / ep);
  const double local = std::ceil(E / ep);
  const double touched = std::max(1.0, local * (1.0 - std::pow(1.0 - k / E, t_replica)));
  const double pairs = t_replica * k / ep;
  const int64_t per_expert = std::max<int64_t>(1, as_rows(pairs / touched * dep_.expert_imbalance));
  const int64_t inter = e.expert_intermediate / shard;
  const int64_t cnt = as_rows(touched);
  if (ep > tp) {
    // Dispatch and combine: each rank sends k copies of its tokens' hidden states.
    const Bytes a2a(t * k * h * ab);
    out.push_back({"ep_dispatch", CollectiveCall{CollectiveKind::AllToAll, a2a, ep_group_}, repeat});
    out.push_back({"ep_combine", CollectiveCall{CollectiveKind::AllToAll, a2a, ep_group_}, repeat});
  }
  out.push_back({"expert_up", make_gemm(per_expert, (gated ? 2 : 1) * inter, m.hidden, dep_, cnt), repeat});
  if (!fused_)
    out.push_back({"expert_act", eltwise(pairs * inter, 5, 3 * pairs * inter * ab, dep_.act_dtype,
                                         ElementwiseEngine::Scalar), repeat});
  out.push_back({"expert_down", make_gemm(per_expert, m.hidden, inter, dep_, cnt), repeat});
  if (e.shared_experts > 0) {
    const int64_t sh = e.shared_intermediate / tp;
    out.push_back({"shared_up", make_gemm(rows, (gated ? 2 : 1) * sh, m.hidden, dep_), repeat});
    out.push_back({"shared_down", make_gemm(rows, m.hidden, sh, dep_), repeat});
  }
}

void Lowering::lower_layer_token_ops(int64_t tokens, double repeat, bool moe, std::vector<PlannedOp>& out) const {
  const double ab = dtype_bytes(dep_.act_dtype);
  const double h = static_cast<double>(model_.hidden);
  const double t = static_cast<double>(rank_share(tokens));
  // RMSNorm reads and writes the residual stream (~4 FLOP/element: square, sum, scale, weight).
  out.push_back({"input_norm", eltwise(t * h, 4, 2 * t * h * ab, dep_.act_dtype), repeat});
  lower_attention_projections(t, repeat, out);
  if (dep_.tp > 1)
    out.push_back({"tp_allreduce_attn", CollectiveCall{CollectiveKind::AllReduce, Bytes(t * h * ab), tp_group_}, repeat});
  // Residual add fused with the post-attention norm: read two streams, write two.
  out.push_back({"residual_norm", eltwise(t * h, 5, 4 * t * h * ab, dep_.act_dtype), repeat});
  lower_mlp(t, static_cast<double>(tokens), moe, repeat, out);
  if (dep_.tp > 1)
    out.push_back({"tp_allreduce_mlp", CollectiveCall{CollectiveKind::AllReduce, Bytes(t * h * ab), tp_group_}, repeat});
  // Fused stacks fold this add into the next layer's input norm.
  if (!fused_) out.push_back({"residual_add", eltwise(t * h, 1, 3 * t * h * ab, dep_.act_dtype), repeat});
}

// Attention for the layers of one kind: full (window 0) or sliding-window.
// With a window W a decode reads at most W keys per sequence and a prefill token
// attends to at most W; from the batch's sums this is applied as a cap (exact
// when every sequence is past the window or none is).
void Lowering::lower_attention_kind(const BatchShape& b, int window, double repeat, std::vector<PlannedOp>& out) const {
  const ModelSpec& m = model_;
  const double ab = dtype_bytes(dep_.act_dtype);
  auto base = [&] {
    AttentionOp a;
    a.heads = q_heads_;
    a.kv_heads = kv_heads_;
    a.head_dim_qk = m.head_dim;
    a.head_dim_v = m.head_dim;
    a.kv_bytes_per_token = kv_bytes_per_token_layer_;
    a.compute_dtype = dep_.act_dtype;
    a.kv_dtype = dep_.kv_dtype;
    return a;
  };
  if (b.prefill_tokens > 0) {
    AttentionOp a = base();
    a.seqs = rank_share(b.prefill_seqs);
    a.q_tokens = rank_share(b.prefill_tokens);
    a.kv_tokens = rank_share(b.prefill_context + b.prefill_tokens);
    a.pairs = b.prefill_pairs / adp_;
    if (window > 0) {
      a.pairs = std::min(a.pairs, static_cast<double>(a.q_tokens) * window);
      a.kv_tokens = std::min<int64_t>(a.kv_tokens, a.q_tokens + static_cast<int64_t>(a.seqs) * window);
    }
    if (m.mla) {
      // Prefill runs MLA unabsorbed: kv_b expands the cached latent of the
      // chunk and its context into per-head K (nope) and V, read back by attention.
      const MlaSpec& l = *m.mla;
      out.push_back({"kv_up", make_gemm(a.kv_tokens, static_cast<int64_t>(q_heads_) * (l.qk_nope_head_dim + l.v_head_dim),
                                   l.kv_lora_rank, dep_), repeat});
      a.kv_heads = q_heads_;
      a.head_dim_qk = l.qk_nope_head_dim + l.qk_rope_head_dim;
      a.head_dim_v = l.v_head_dim;
      a.kv_bytes_per_token = static_cast<int64_t>(q_heads_ * (a.head_dim_qk + a.head_dim_v) * ab);
    }
    out.push_back({"attn_prefill", a, repeat});
  }
  if (b.decode_seqs > 0) {
    AttentionOp a = base();
    a.decode = true;
    a.seqs = rank_share(b.decode_seqs);
    a.q_tokens = a.seqs;
    a.kv_tokens = rank_share(b.decode_kv_tokens);
    if (window > 0) a.kv_tokens = std::min<int64_t>(a.kv_tokens, a.seqs * static_cast<int64_t>(window));
    a.pairs = static_cast<double>(a.kv_tokens);
    if (m.mla) {
      // Decode runs MLA absorbed (DeepSeek-V2 §2.1.2): W_UK folds into the query
      // and W_UV into the output, so attention is multi-query over the latent.
      const MlaSpec& l = *m.mla;
      out.push_back({"q_absorb", make_gemm(a.seqs, l.kv_lora_rank, l.qk_nope_head_dim, dep_, q_heads_), repeat});
      a.kv_heads = 1;
      a.head_dim_qk = l.kv_lora_rank + l.qk_rope_head_dim;
      a.head_dim_v = l.kv_lora_rank;
      out.push_back({"attn_decode", a, repeat});
      out.push_back({"v_absorb", make_gemm(a.seqs, l.v_head_dim, l.kv_lora_rank, dep_, q_heads_), repeat});
      return;
    }
    out.push_back({"attn_decode", a, repeat});
  }
}

void Lowering::lower_attention(const BatchShape& b, std::vector<PlannedOp>& out) const {
  const int full = model_.layers - sliding_layers_;
  if (full > 0) lower_attention_kind(b, 0, full, out);
  if (sliding_layers_ > 0) lower_attention_kind(b, model_.sliding_window, sliding_layers_, out);
}

void Lowering::lower_head_tail(const BatchShape& b, std::vector<PlannedOp>& out) const {
  const double ab = dtype_bytes(dep_.act_dtype);
  const double t = static_cast<double>(rank_share(b.tokens()));
  const double h = static_cast<double>(model_.hidden);
  const int64_t sampled = rank_share(b.prefill_seqs + b.decode_seqs);
  const int64_t vocab_shard = (model_.vocab + dep_.tp - 1) / dep_.tp;
  out.push_back({"embedding", eltwise(t * h, 0, 2 * t * h * ab, dep_.act_dtype), 1});
  out.push_back({"final_norm", eltwise(static_cast<double>(sampled) * h, 4, 2 * sampled * h * ab, dep_.act_dtype), 1});
  out.push_back({"lm_head", make_gemm(sampled, vocab_shard, model_.hidden, dep_), 1});
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
  if (set != OpSet::TokenBound) lower_attention(b, out);
}

int Lowering::collectives_per_iteration() const {
  int n = 0;
  if (dep_.tp > 1) n += 2 * model_.layers;
  if (dep_.ep > dep_.tp) n += 2 * moe_layers_;
  if (dep_.pp > 1) n += dep_.pp - 1;
  return n;
}

}  // namespace tessera

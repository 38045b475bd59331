#include "tessera/plan/lowering.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <stdexcept>
#include <tuple>

#include "tessera/specs/model_graph.h"

namespace tessera {
namespace {

ElementwiseOp eltwise(double elements, double flops_per_elem, double bytes, DType dt,
                      ElementwiseEngine engine = ElementwiseEngine::Vector) {
  ElementwiseOp e;
  e.elements = static_cast<int64_t>(elements);
  e.flops_per_element = flops_per_elem;
  e.bytes = Bytes(bytes);
  e.dtype = dt;
  e.engine = engine;
  return e;
}

int64_t as_rows(double t) { return static_cast<int64_t>(std::ceil(t)); }

// KV-cache bytes one token adds per layer on this rank: K and V of its kv heads, or
// with latent attention the latent and the shared rotary key (replicated).
int64_t kv_cache_bytes(const GraphOp& a, int kv_heads_rank, DType kv) {
  const double elems = a.mla() ? static_cast<double>(a.latent_dim + a.rope_dim)
                               : 2.0 * kv_heads_rank * a.head_dim;
  return static_cast<int64_t>(std::ceil(elems * dtype_bytes(kv)));
}

std::shared_ptr<const Graph> graph_or_throw(const ModelSpec& m) {
  auto g = graph_from_model(m);
  if (!g) throw std::invalid_argument(g.error().message);
  return std::make_shared<const Graph>(std::move(*g));
}

// Steps that lower to the same ops (a model whose layers alternate between kinds lists
// each run of layers as its own block) fold into one with the repeats summed, so each
// batch lowers one op per distinct layer op rather than one per block.
using StepKey = std::tuple<int, std::string_view, bool, int64_t, int64_t, double, int, std::array<int64_t, 9>>;

std::array<int64_t, 9> op_content(const LayoutStep& s) {
  if (!s.op) return {};
  const GraphOp& o = *s.op;
  switch (s.role) {
    case StepRole::Attention:
    case StepRole::KvWrite:
      return {o.heads, o.kv_heads, o.head_dim, o.window, o.latent_dim, o.rope_dim, o.value_dim(), o.rope, 0};
    case StepRole::Moe:
      return {o.dim, o.experts, o.top_k, o.expert_intermediate, o.shared_experts, o.shared_intermediate, o.gated,
              0, 0};
    default:
      return {};  // element-wise steps keep `op` for layout only
  }
}

void coalesce(std::vector<LayoutStep>& steps) {
  std::map<StepKey, size_t> first;
  std::vector<LayoutStep> out;
  out.reserve(steps.size());
  for (const LayoutStep& s : steps) {
    const StepKey key{static_cast<int>(s.role), s.name, s.sampled, s.n, s.k, s.flops, s.inputs, op_content(s)};
    auto [it, fresh] = first.try_emplace(key, out.size());
    if (fresh) {
      out.push_back(s);
    } else {
      out[it->second].repeat += s.repeat;
    }
  }
  steps = std::move(out);
}

}  // namespace

DType gemm_act_dtype(const ChipSpec* chip, DType weights) {
  // FP8/MX/FP4 checkpoints run W8A8 / MX x MX / NVFP4 x NVFP4 where the chip has the
  // weight format's rate: activations are quantized on the fly to the same format
  // (TensorRT-LLM FP8 and NVFP4, Blackwell MXFP4 x MXFP4 at the FP4 rate, NC-v4 MX
  // mode). A chip without the rate runs the weights dequantized. INT8 stays weight-only
  // (dequantized to the activation type), as the Neuron SDK's int8 weight storage and
  // most GPU int8 paths run it.
  const DType w = weights;
  const bool quantized_math = w == DType::FP8 || w == DType::MXFP8 || w == DType::MXFP4 || w == DType::FP4;
  if (quantized_math && chip != nullptr) {
    DType used = w;
    chip->peak(w, &used);
    if (used == w) return w;
  }
  return DType::BF16;
}

Lowering::Lowering(const ModelSpec& model, const DeploymentSpec& dep, const Placement& placement,
                   bool fused_elementwise, bool sequence_parallel)
    : graph_(model.graph ? model.graph : graph_or_throw(model)), dep_(dep), adp_(placement.attention_dp),
      layers_(model.layers), fused_(fused_elementwise), sequence_parallel_(sequence_parallel && dep.tp > 1),
      hidden_(model.hidden) {
  tp_group_.ranks = dep.tp;
  tp_group_.ranks_per_chip = std::min(dep.tp, placement.ranks_per_chip);
  ep_group_.ranks = dep.ep;
  ep_group_.ranks_per_chip = std::min(dep.ep, placement.ranks_per_chip);
  gemm_act_dtype_ = gemm_act_dtype(placement.rank.chip, dep.weight_dtype);
  (void)layout_graph(*graph_, dep.tp, fused_, steps_);  // checked by check_graph_lowering
  coalesce(steps_);
  if (dep.pp > 1)
    steps_.push_back(LayoutStep{StepRole::PpSend, "pp_send", false, static_cast<double>(dep.pp - 1), hidden_});
}

GemmOp Lowering::gemm(int64_t m, int64_t n, int64_t k, int64_t count) const {
  GemmOp g;
  g.m = m;
  g.n = n;
  g.k = k;
  g.count = count;
  g.act_dtype = gemm_act_dtype_;
  g.weight_dtype = dep_.weight_dtype;
  return g;
}

void Lowering::lower_step(const LayoutStep& s, const BatchShape& b, std::vector<PlannedOp>& out) const {
  const double ab = dtype_bytes(dep_.act_dtype);
  const DType act = dep_.act_dtype;
  const int64_t tokens = rank_share(b.tokens());
  const int64_t sampled = rank_share(b.prefill_seqs + b.decode_seqs);
  const double r = static_cast<double>(s.sampled ? sampled : tokens);
  const double w = static_cast<double>(s.n);
  // Sequence parallelism (prefill-only steps): norms, residual adds and the embedding
  // output hold tokens/tp rows per rank; the rest of the layer is tensor-parallel.
  const bool sp = sequence_parallel_ && b.decode_seqs == 0 && b.prefill_tokens > 0;
  const double rs = sp && !s.sampled ? std::ceil(r / dep_.tp) : r;
  // Element-wise traffic: each kernel reads its inputs and writes its output once.
  // RMSNorm ~4 FLOP/element (square, sum, scale, weight); a residual add fused with
  // the next norm reads two streams and writes two (the sum and the normalized).
  switch (s.role) {
    case StepRole::Gemm: out.push_back({s.name, gemm(as_rows(r), s.n, s.k), s.repeat}); return;
    case StepRole::Norm: out.push_back({s.name, eltwise(rs * w, 4, 2 * rs * w * ab, act), s.repeat}); return;
    case StepRole::ResidualNorm:
      out.push_back({s.name, eltwise(rs * w, 5, 4 * rs * w * ab, act), s.repeat});
      return;
    case StepRole::Add: out.push_back({s.name, eltwise(rs * w, 1, 3 * rs * w * ab, act), s.repeat}); return;
    case StepRole::Embedding:
      out.push_back({s.name, eltwise(rs * w, 0, 2 * rs * w * ab, act), s.repeat});
      return;
    case StepRole::Rotary: {
      const double rot = r * w * static_cast<double>(s.k);
      out.push_back({s.name, eltwise(rot, 3, 2 * rot * ab, act), s.repeat});
      return;
    }
    case StepRole::KvWrite: {
      const int64_t kvb = kv_cache_bytes(*s.op, static_cast<int>(s.k), dep_.kv_dtype);
      out.push_back({s.name, eltwise(r * kvb / ab, 0, r * kvb, dep_.kv_dtype), s.repeat});
      return;
    }
    case StepRole::Activation:
      // fn(gate) * up on the activation engine: read gate and up, write one.
      out.push_back({s.name, eltwise(r * s.n, 5, 3 * r * s.n * ab, act, ElementwiseEngine::Scalar), s.repeat});
      return;
    case StepRole::Elementwise:
      out.push_back({s.name, eltwise(r * w, s.flops, (s.inputs + 1) * r * w * ab, act), s.repeat});
      return;
    case StepRole::Sampling: {
      // Sampling reads the FP32 logits of each sampled sequence once.
      const auto e = static_cast<double>(sampled * s.n);
      out.push_back({s.name, eltwise(e, 2, e * 4.0, DType::FP32), s.repeat});
      return;
    }
    case StepRole::AllReduce:
      if (sp) {
        lower_sp_allreduce(s, r * w * ab, out);
        return;
      }
      out.push_back({s.name, CollectiveCall{CollectiveKind::AllReduce, Bytes(r * w * ab), tp_group_}, s.repeat});
      return;
    case StepRole::PpSend:
      out.push_back({s.name, CollectiveCall{CollectiveKind::SendRecv, Bytes(r * w * ab), CollectiveGroup{2, 1}},
                     s.repeat});
      return;
    case StepRole::Moe: lower_moe(s, r, b.tokens(), out); return;
    case StepRole::Attention: lower_attention(s, b, out); return;
  }
}

// Under sequence parallelism a TP all-reduce of `bytes` becomes a reduce-scatter
// into the sequence-sharded norm and an all-gather of its output, each of the
// whole buffer (the same bytes on the wire as the all-reduce's two ring phases).
void Lowering::lower_sp_allreduce(const LayoutStep& s, double bytes, std::vector<PlannedOp>& out) const {
  out.push_back({"sp_reduce_scatter", CollectiveCall{CollectiveKind::ReduceScatter, Bytes(bytes), tp_group_},
                 s.repeat});
  out.push_back({"sp_all_gather", CollectiveCall{CollectiveKind::AllGather, Bytes(bytes), tp_group_}, s.repeat});
}

// Router, top-k dispatch, experts, combine (t: this rank's tokens; tokens: the replica's,
// which is what the experts of an EP group see). Experts: E/ep per EP group, each sharded
// over tp/ep ranks when ep < tp. A group receives tokens*k/ep (token, expert) pairs, times
// the imbalance of its busiest expert; of its E/ep experts, the expected number any of the
// tokens selects is (E/ep)(1 - (1 - k/E)^tokens).
void Lowering::lower_moe(const LayoutStep& s, double t, int64_t tokens, std::vector<PlannedOp>& out) const {
  const GraphOp& e = *s.op;
  const double ab = dtype_bytes(dep_.act_dtype);
  const double h = static_cast<double>(e.dim), t_replica = static_cast<double>(tokens);
  const double E = e.experts, k = e.top_k;
  const int64_t rows = as_rows(t);
  const int tp = dep_.tp, ep = dep_.ep;
  out.push_back({"moe_router", gemm(rows, e.experts, e.dim), s.repeat});
  const int shard = std::max(1, tp / ep);
  const double local = std::ceil(E / ep);
  const double touched = std::max(1.0, local * (1.0 - std::pow(1.0 - k / E, t_replica)));
  const double pairs = t_replica * k / ep;
  const int64_t per_expert = std::max<int64_t>(1, as_rows(pairs / touched * dep_.expert_imbalance));
  const int64_t inter = e.expert_intermediate / shard;
  const int64_t cnt = as_rows(touched);
  if (ep > tp) {
    const Bytes a2a(t * k * h * ab);
    out.push_back({"ep_dispatch", CollectiveCall{CollectiveKind::AllToAll, a2a, ep_group_}, s.repeat});
    out.push_back({"ep_combine", CollectiveCall{CollectiveKind::AllToAll, a2a, ep_group_}, s.repeat});
  }
  out.push_back({"expert_up", gemm(per_expert, (e.gated ? 2 : 1) * inter, e.dim, cnt), s.repeat});
  if (!fused_)
    out.push_back({"expert_act", eltwise(pairs * inter, 5, 3 * pairs * inter * ab, dep_.act_dtype,
                                         ElementwiseEngine::Scalar), s.repeat});
  out.push_back({"expert_down", gemm(per_expert, e.dim, inter, cnt), s.repeat});
  if (e.shared_experts > 0) {
    const int64_t sh = e.shared_intermediate / tp;
    out.push_back({"shared_up", gemm(rows, (e.gated ? 2 : 1) * sh, e.dim), s.repeat});
    out.push_back({"shared_down", gemm(rows, e.dim, sh), s.repeat});
  }
}

// Attention of one op for the batch's prefill and decode parts. With a window W a decode
// reads at most W keys per sequence and a prefill token attends to at most W; from the
// batch's sums this is applied as a cap (exact when every sequence is past the window or
// none is).
void Lowering::lower_attention(const LayoutStep& s, const BatchShape& b, std::vector<PlannedOp>& out) const {
  const GraphOp& op = *s.op;
  const int window = op.window;
  const int qh = static_cast<int>(s.n);
  AttentionOp base;
  base.heads = qh;
  base.kv_heads = static_cast<int>(s.k);
  base.head_dim_qk = op.head_dim;
  base.head_dim_v = op.value_dim();
  base.kv_bytes_per_token = kv_cache_bytes(op, base.kv_heads, dep_.kv_dtype);
  base.compute_dtype = dep_.act_dtype;
  base.kv_dtype = dep_.kv_dtype;
  if (b.prefill_tokens > 0) {
    AttentionOp a = base;
    a.seqs = rank_share(b.prefill_seqs);
    a.q_tokens = rank_share(b.prefill_tokens);
    a.kv_tokens = rank_share(b.prefill_context + b.prefill_tokens);
    a.pairs = b.prefill_pairs / adp_;
    if (window > 0) {
      a.pairs = std::min(a.pairs, static_cast<double>(a.q_tokens) * window);
      a.kv_tokens = std::min<int64_t>(a.kv_tokens, a.q_tokens + static_cast<int64_t>(a.seqs) * window);
    }
    if (op.mla()) {
      // Prefill runs latent attention unabsorbed: the up-projection expands the cached
      // latent of the chunk and its context into per-head K (nope part) and V, which
      // attention reads back at activation precision.
      const int64_t nope = op.head_dim - op.rope_dim;
      out.push_back({"kv_up", gemm(a.kv_tokens, static_cast<int64_t>(qh) * (nope + op.value_dim()), op.latent_dim),
                     s.repeat});
      a.kv_heads = qh;
      a.kv_bytes_per_token = static_cast<int64_t>(qh * (op.head_dim + op.value_dim()) * dtype_bytes(dep_.act_dtype));
    }
    out.push_back({"attn_prefill", a, s.repeat});
  }
  if (b.decode_seqs > 0) {
    AttentionOp a = base;
    a.decode = true;
    a.seqs = rank_share(b.decode_seqs);
    a.q_tokens = a.seqs;
    a.kv_tokens = rank_share(b.decode_kv_tokens);
    if (window > 0) a.kv_tokens = std::min<int64_t>(a.kv_tokens, a.seqs * static_cast<int64_t>(window));
    a.pairs = static_cast<double>(a.kv_tokens);
    if (op.mla()) {
      // Decode runs absorbed (DeepSeek-V2 §2.1.2): W_UK folds into the query and W_UV into
      // the output, so attention is multi-query over the latent plus the rotary key.
      const int64_t nope = op.head_dim - op.rope_dim;
      out.push_back({"q_absorb", gemm(a.seqs, op.latent_dim, nope, qh), s.repeat});
      a.kv_heads = 1;
      a.head_dim_qk = op.latent_dim + op.rope_dim;
      a.head_dim_v = op.latent_dim;
      out.push_back({"attn_decode", a, s.repeat});
      out.push_back({"v_absorb", gemm(a.seqs, op.value_dim(), op.latent_dim, qh), s.repeat});
      return;
    }
    out.push_back({"attn_decode", a, s.repeat});
  }
}

void Lowering::lower(const BatchShape& b, OpSet set, std::vector<PlannedOp>& out) const {
  out.clear();
  if (set != OpSet::Attention)
    for (const LayoutStep& s : steps_)
      if (s.role != StepRole::Attention) lower_step(s, b, out);
  if (set != OpSet::TokenBound)
    for (const LayoutStep& s : steps_)
      if (s.role == StepRole::Attention) lower_step(s, b, out);
}

}  // namespace tessera

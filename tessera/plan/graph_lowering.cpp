#include "tessera/plan/graph_lowering.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace tessera {
namespace {

using Role = GraphLowering::Role;
using Step = GraphLowering::Step;

// What the plan knows of a tensor: sharded over TP or replicated, and its width on one rank.
struct Tensor {
  bool sharded = false;
  int64_t width = 0;
  const GraphOp* op = nullptr;  // producer (nullptr: the block input)
};

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
int q_heads_rank(const GraphOp& a, int tp) { return static_cast<int>(ceil_div(a.heads, tp)); }
int kv_heads_rank(const GraphOp& a, int tp) { return a.kv_heads >= tp ? static_cast<int>(ceil_div(a.kv_heads, tp)) : 1; }

// Walks the graph once, deciding the TP layout and the fused steps. With `tp` > 1 any
// layout error is reported; the constructor runs it on valid graphs only.
class Planner {
 public:
  Planner(int tp, bool fused) : tp_(tp), fused_(fused) {}

  Status run(const Graph& g, std::vector<Step>& out) {
    int64_t width = 0;
    for (const GraphBlock& b : g.blocks) {
      TESSERA_TRY(block(b, width, g.source, out));
      width = tensors_.at(b.ops.back().name).width;
    }
    const GraphBlock& last = g.blocks.back();
    if (last.ops.back().kind == GraphOpKind::Linear) {
      Step s{Role::Sampling, "sampling", last.sampled, 1};
      s.n = tensors_.at(last.ops.back().name).width;
      out.push_back(s);
    }
    return {};
  }

 private:
  Status block(const GraphBlock& b, int64_t in_width, const std::string& file, std::vector<Step>& out) {
    tensors_.clear();
    tensors_["@in"] = Tensor{false, in_width, nullptr};
    std::map<std::string, std::vector<const GraphOp*>> consumers;
    for (const GraphOp& op : b.ops)
      for (const auto& in : op.inputs) consumers[in].push_back(&op);
    std::map<std::string, size_t> column_gemm;  // input tensor -> its fused column GEMM step
    const double rep = b.repeat;
    for (const GraphOp& op : b.ops) {
      const std::string at = fmt::format("{}: block '{}' op '{}'", file, b.name, op.name);
      auto input = [&](size_t i) { return tensors_.at(op.inputs[i]); };
      auto same_layout = [&]() -> Status {
        for (size_t i = 1; i < op.inputs.size(); ++i)
          if (tp_ > 1 && input(i).sharded != input(0).sharded)
            return bad_input(fmt::format("{}: key 'inputs': '{}' and '{}' are not both TP-sharded or both "
                                         "replicated", at, op.inputs[0], op.inputs[i]));
        return {};
      };
      Step s{Role::Elementwise, op.name, b.sampled, rep};
      Tensor result{false, op.dim, &op};
      switch (op.kind) {
        case GraphOpKind::Embedding:
          s.role = Role::Embedding;
          s.name = "embedding";
          s.n = op.dim;
          out.push_back(s);
          break;
        case GraphOpKind::Norm:
          if (tp_ > 1 && input(0).sharded)
            return bad_input(fmt::format("{}: a norm over a TP-sharded tensor ('{}') needs a collective Tessera does "
                                         "not insert", at, op.inputs[0]));
          s.n = input(0).width;
          if (!out.empty() && out.back().role == Role::Add && out.back().op == input(0).op && input(0).op) {
            out.back().role = Role::ResidualNorm;  // the add's kernel also normalizes its sum
            out.back().name = "residual_norm";
            break;
          }
          s.role = Role::Norm;
          s.name = b.sampled ? "final_norm" : op.inputs[0] == "@in" ? "input_norm" : std::string_view(op.name);
          out.push_back(s);
          break;
        case GraphOpKind::Add:
        case GraphOpKind::Elementwise:
        case GraphOpKind::Activation:
          TESSERA_TRY(same_layout());
          result.sharded = input(0).sharded;
          result.width = input(0).width;
          s.n = result.width;
          s.op = &op;
          s.role = op.kind == GraphOpKind::Add ? Role::Add : op.kind == GraphOpKind::Activation ? Role::Activation
                                                                                                : Role::Elementwise;
          if (s.role == Role::Add) s.name = "residual_add";
          if (s.role == Role::Activation) s.name = "mlp_act";
          s.flops = op.flops_per_element;
          s.inputs = static_cast<int>(op.inputs.size());
          if (s.role == Role::Add || !fused_) out.push_back(s);  // an add may fuse with the next norm
          break;
        case GraphOpKind::Linear:
          TESSERA_TRY(linear(b, op, consumers[op.name], column_gemm, result, out, at));
          break;
        case GraphOpKind::Attention:
          TESSERA_TRY(attention(b, op, out, at));
          result = Tensor{true, static_cast<int64_t>(q_heads_rank(op, tp_)) * op.head_dim, &op};
          break;
        case GraphOpKind::Moe:
          if (tp_ > 1 && input(0).sharded)
            return bad_input(fmt::format("{}: the MoE input '{}' must be replicated over TP", at, op.inputs[0]));
          s.role = Role::Moe;
          s.name = "moe";
          s.op = &op;
          out.push_back(s);
          if (tp_ > 1) out.push_back(Step{Role::AllReduce, "tp_allreduce_mlp", b.sampled, rep, op.dim});
          break;
      }
      tensors_[op.name] = result;
    }
    // Adds that no norm absorbed are separate kernels only in an unfused stack.
    if (fused_)
      out.erase(std::remove_if(out.begin(), out.end(), [](const Step& s) { return s.role == Role::Add; }), out.end());
    return {};
  }

  Status linear(const GraphBlock& b, const GraphOp& op, const std::vector<const GraphOp*>& users,
                std::map<std::string, size_t>& column_gemm, Tensor& result, std::vector<Step>& out,
                const std::string& at) {
    const Tensor in = tensors_.at(op.inputs[0]);
    const double rep = b.repeat;
    if (tp_ > 1 && in.sharded) {
      // Row-parallel: each rank holds its slice of in_features; partial sums are all-reduced.
      const bool after_attn = in.op && in.op->kind == GraphOpKind::Attention;
      const bool after_act = in.op && in.op->kind == GraphOpKind::Activation;
      Step s{Role::Gemm, after_attn ? "o_proj" : after_act ? "mlp_down" : std::string_view(op.name), b.sampled, rep,
             op.out_features, in.width};
      out.push_back(s);
      out.push_back(Step{Role::AllReduce, after_attn ? "tp_allreduce_attn" : "tp_allreduce_mlp", b.sampled, rep,
                         op.out_features});
      result = Tensor{false, op.out_features, &op};
      return {};
    }
    if (tp_ == 1 && in.sharded) {  // same roles, no collective
      const bool after_attn = in.op && in.op->kind == GraphOpKind::Attention;
      const bool after_act = in.op && in.op->kind == GraphOpKind::Activation;
      out.push_back(Step{Role::Gemm, after_attn ? "o_proj" : after_act ? "mlp_down" : std::string_view(op.name),
                         b.sampled, rep, op.out_features, in.width});
      result = Tensor{false, op.out_features, &op};
      return {};
    }
    // Column-parallel: shard out_features (by heads where the output feeds attention).
    int64_t width = ceil_div(op.out_features, tp_);
    std::string_view name = op.name;
    for (const GraphOp* u : users) {
      if (u->kind == GraphOpKind::Attention) {
        const bool is_q = u->inputs[0] == op.name;
        width = static_cast<int64_t>(is_q ? q_heads_rank(*u, tp_) : kv_heads_rank(*u, tp_)) * u->head_dim;
        name = "qkv_proj";
      } else if (u->kind == GraphOpKind::Activation) {
        name = "mlp_up";
      }
    }
    if (b.sampled) name = "lm_head";
    result = Tensor{true, width, &op};
    if (auto it = column_gemm.find(op.inputs[0]); it != column_gemm.end()) {
      out[it->second].n += width;  // reads the same tensor: one GEMM with the outputs side by side
      return {};
    }
    column_gemm[op.inputs[0]] = out.size();
    out.push_back(Step{Role::Gemm, name, b.sampled, rep, width, in.width});
    return {};
  }

  Status attention(const GraphBlock& b, const GraphOp& op, std::vector<Step>& out, const std::string& at) {
    for (const auto& name : op.inputs) {
      const Tensor& t = tensors_.at(name);
      if (!t.op || t.op->kind != GraphOpKind::Linear)
        return bad_input(fmt::format("{}: key 'inputs': '{}' is not a linear projection; attention reads q, k and v "
                                     "straight from their projections (fold RoPE into the attention op)", at, name));
      if (tp_ > 1 && !t.sharded)
        return bad_input(fmt::format("{}: key 'inputs': '{}' is not sharded by heads", at, name));
    }
    const double rep = b.repeat;
    const int qh = q_heads_rank(op, tp_), kvh = kv_heads_rank(op, tp_);
    if (!fused_) {
      if (op.rope) out.push_back(Step{Role::Rotary, "rotary", b.sampled, rep, qh + kvh, op.head_dim});
      out.push_back(Step{Role::KvWrite, "kv_write", b.sampled, rep, qh, kvh, 0, 1, &op});
    }
    out.push_back(Step{Role::Attention, op.name, b.sampled, rep, qh, kvh, 0, 1, &op});
    return {};
  }

  int tp_;
  bool fused_;
  std::map<std::string, Tensor> tensors_;
};

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

}  // namespace

Status check_graph_lowering(const Graph& g) {
  std::vector<Step> steps;
  return Planner(2, false).run(g, steps);
}

GraphLowering::GraphLowering(const ModelSpec& model, const DeploymentSpec& dep, const Placement& placement,
                             bool fused_elementwise)
    : graph_(model.graph), dep_(dep), adp_(placement.attention_dp), fused_(fused_elementwise), hidden_(model.hidden) {
  tp_group_.ranks = dep.tp;
  tp_group_.ranks_per_chip = std::min(dep.tp, placement.ranks_per_chip);
  ep_group_.ranks = dep.ep;
  ep_group_.ranks_per_chip = std::min(dep.ep, placement.ranks_per_chip);
  // As Lowering: FP8/MX checkpoints run quantized math where the chip has the rate.
  const DType w = dep.weight_dtype;
  const bool quantized_math = w == DType::FP8 || w == DType::MXFP8 || w == DType::MXFP4 || w == DType::FP4;
  if (quantized_math && placement.rank.chip != nullptr) {
    DType used = w;
    placement.rank.chip->peak(w, &used);
    if (used == w) gemm_act_dtype_ = w == DType::MXFP4 ? DType::MXFP8 : w;
  }
  if (graph_) (void)Planner(dep.tp, fused_).run(*graph_, steps_);  // checked by check_graph_lowering
  if (dep.pp > 1) steps_.push_back(Step{Role::PpSend, "pp_send", false, static_cast<double>(dep.pp - 1), hidden_});
}

GemmOp GraphLowering::gemm(int64_t m, int64_t n, int64_t k, int64_t count) const {
  GemmOp g;
  g.m = m;
  g.n = n;
  g.k = k;
  g.count = count;
  g.act_dtype = gemm_act_dtype_;
  g.weight_dtype = dep_.weight_dtype;
  return g;
}

void GraphLowering::lower_step(const Step& s, const BatchShape& b, std::vector<PlannedOp>& out) const {
  const double ab = dtype_bytes(dep_.act_dtype);
  const DType act = dep_.act_dtype;
  const int64_t tokens = rank_share(b.tokens());
  const int64_t sampled = rank_share(b.prefill_seqs + b.decode_seqs);
  const double r = static_cast<double>(s.sampled ? sampled : tokens);
  const double w = static_cast<double>(s.n);
  switch (s.role) {
    case Role::Gemm: out.push_back({s.name, gemm(as_rows(r), s.n, s.k), s.repeat}); return;
    case Role::Norm: out.push_back({s.name, eltwise(r * w, 4, 2 * r * w * ab, act), s.repeat}); return;
    case Role::ResidualNorm: out.push_back({s.name, eltwise(r * w, 5, 4 * r * w * ab, act), s.repeat}); return;
    case Role::Add: out.push_back({s.name, eltwise(r * w, 1, 3 * r * w * ab, act), s.repeat}); return;
    case Role::Embedding: out.push_back({s.name, eltwise(r * w, 0, 2 * r * w * ab, act), s.repeat}); return;
    case Role::Rotary: {
      const double rot = r * w * static_cast<double>(s.k);
      out.push_back({s.name, eltwise(rot, 3, 2 * rot * ab, act), s.repeat});
      return;
    }
    case Role::KvWrite: {
      const auto kvb = static_cast<int64_t>(std::ceil(2.0 * s.k * s.op->head_dim * dtype_bytes(dep_.kv_dtype)));
      out.push_back({s.name, eltwise(r * kvb / ab, 0, r * kvb, dep_.kv_dtype), s.repeat});
      return;
    }
    case Role::Activation:
      // As Lowering: fn(gate) * up on the activation engine, read two, write one.
      out.push_back({s.name, eltwise(r * s.n, 5, 3 * r * s.n * ab, act, ElementwiseEngine::Scalar), s.repeat});
      return;
    case Role::Elementwise:
      out.push_back({s.name, eltwise(r * w, s.flops, (s.inputs + 1) * r * w * ab, act), s.repeat});
      return;
    case Role::Sampling: {
      // Sampling reads the FP32 logits of each sampled sequence once.
      const auto e = static_cast<double>(sampled * s.n);
      out.push_back({s.name, eltwise(e, 2, e * 4.0, DType::FP32), s.repeat});
      return;
    }
    case Role::AllReduce:
      out.push_back({s.name, CollectiveCall{CollectiveKind::AllReduce, Bytes(r * w * ab), tp_group_}, s.repeat});
      return;
    case Role::PpSend:
      out.push_back({s.name, CollectiveCall{CollectiveKind::SendRecv, Bytes(r * w * ab), CollectiveGroup{2, 1}},
                     s.repeat});
      return;
    case Role::Moe: lower_moe(s, r, b.tokens(), out); return;
    case Role::Attention: lower_attention(s, b, out); return;
  }
}

// The MoE formulas of Lowering::lower_mlp (t: this rank's tokens; tokens: the replica's).
void GraphLowering::lower_moe(const Step& s, double t, int64_t tokens, std::vector<PlannedOp>& out) const {
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

// As Lowering::lower_attention_kind for standard (non-MLA) attention.
void GraphLowering::lower_attention(const Step& s, const BatchShape& b, std::vector<PlannedOp>& out) const {
  const GraphOp& op = *s.op;
  const int window = op.window;
  AttentionOp base;
  base.heads = static_cast<int>(s.n);
  base.kv_heads = static_cast<int>(s.k);
  base.head_dim_qk = op.head_dim;
  base.head_dim_v = op.head_dim;
  base.kv_bytes_per_token = static_cast<int64_t>(std::ceil(2.0 * s.k * op.head_dim * dtype_bytes(dep_.kv_dtype)));
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
    out.push_back({"attn_decode", a, s.repeat});
  }
}

void GraphLowering::lower(const BatchShape& b, OpSet set, std::vector<PlannedOp>& out) const {
  out.clear();
  if (set != OpSet::Attention)
    for (const Step& s : steps_)
      if (s.role != Role::Attention) lower_step(s, b, out);
  if (set != OpSet::TokenBound)
    for (const Step& s : steps_)
      if (s.role == Role::Attention) lower_step(s, b, out);
}

}  // namespace tessera

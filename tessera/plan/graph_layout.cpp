#include "tessera/plan/graph_layout.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>

namespace tessera {
namespace {

// What the plan knows of a tensor: sharded over TP or replicated, and its width on one rank.
struct Tensor {
  bool sharded = false;
  int64_t width = 0;
  const GraphOp* op = nullptr;  // producer (nullptr: the block input)
};

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Walks the graph once, deciding the TP layout and the fused steps. With `tp` > 1 any
// layout error is reported.
class Layout {
 public:
  Layout(int tp, bool fused) : tp_(tp), fused_(fused) {}

  Status run(const Graph& g, std::vector<LayoutStep>& out) {
    int64_t width = 0;
    for (const GraphBlock& b : g.blocks) {
      TESSERA_TRY(block(b, width, g.source, out));
      width = tensors_.at(b.ops.back().name).width;
    }
    const GraphBlock& last = g.blocks.back();
    if (last.ops.back().kind == GraphOpKind::Linear) {
      LayoutStep s{StepRole::Sampling, "sampling", last.sampled, 1};
      s.n = tensors_.at(last.ops.back().name).width;
      out.push_back(s);
    }
    return {};
  }

 private:
  Status block(const GraphBlock& b, int64_t in_width, const std::string& file, std::vector<LayoutStep>& out) {
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
      LayoutStep s{StepRole::Elementwise, op.name, b.sampled, rep};
      Tensor result{false, op.dim, &op};
      switch (op.kind) {
        case GraphOpKind::Embedding:
          s.role = StepRole::Embedding;
          s.name = "embedding";
          s.n = op.dim;
          out.push_back(s);
          break;
        case GraphOpKind::Norm:
          if (tp_ > 1 && input(0).sharded)
            return bad_input(fmt::format("{}: a norm over a TP-sharded tensor ('{}') needs a collective Tessera does "
                                         "not insert", at, op.inputs[0]));
          s.n = input(0).width;
          if (!out.empty() && out.back().role == StepRole::Add && out.back().op == input(0).op && input(0).op) {
            out.back().role = StepRole::ResidualNorm;  // the add's kernel also normalizes its sum
            out.back().name = "residual_norm";
            break;
          }
          s.role = StepRole::Norm;
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
          s.role = op.kind == GraphOpKind::Add          ? StepRole::Add
                   : op.kind == GraphOpKind::Activation ? StepRole::Activation
                                                        : StepRole::Elementwise;
          if (s.role == StepRole::Add) s.name = "residual_add";
          if (s.role == StepRole::Activation) s.name = "mlp_act";
          s.flops = op.flops_per_element;
          s.inputs = static_cast<int>(op.inputs.size());
          if (s.role == StepRole::Add || !fused_) out.push_back(s);  // an add may fuse with the next norm
          break;
        case GraphOpKind::Linear:
          TESSERA_TRY(linear(b, op, consumers[op.name], column_gemm, result, out, at));
          break;
        case GraphOpKind::Attention:
          TESSERA_TRY(attention(b, op, out, at));
          result = Tensor{true, static_cast<int64_t>(q_heads_per_rank(op, tp_)) * op.value_dim(), &op};
          break;
        case GraphOpKind::Moe:
          if (tp_ > 1 && input(0).sharded)
            return bad_input(fmt::format("{}: the MoE input '{}' must be replicated over TP", at, op.inputs[0]));
          s.role = StepRole::Moe;
          s.name = "moe";
          s.op = &op;
          out.push_back(s);
          if (tp_ > 1) out.push_back(LayoutStep{StepRole::AllReduce, "tp_allreduce_mlp", b.sampled, rep, op.dim});
          break;
      }
      tensors_[op.name] = result;
    }
    // Adds that no norm absorbed are separate kernels only in an unfused stack.
    if (fused_)
      out.erase(std::remove_if(out.begin(), out.end(), [](const LayoutStep& s) { return s.role == StepRole::Add; }),
                out.end());
    return {};
  }

  Status linear(const GraphBlock& b, const GraphOp& op, const std::vector<const GraphOp*>& users,
                std::map<std::string, size_t>& column_gemm, Tensor& result, std::vector<LayoutStep>& out,
                const std::string& at) {
    const Tensor in = tensors_.at(op.inputs[0]);
    const double rep = b.repeat;
    if (in.sharded) {
      // Row-parallel: each rank holds its slice of in_features; partial sums are
      // all-reduced (at TP 1 "sharded" tensors are whole and nothing is reduced).
      const bool after_attn = in.op && in.op->kind == GraphOpKind::Attention;
      const bool after_act = in.op && in.op->kind == GraphOpKind::Activation;
      const std::string_view name = after_attn ? "o_proj" : after_act ? "mlp_down" : std::string_view(op.name);
      out.push_back(LayoutStep{StepRole::Gemm, name, b.sampled, rep, op.out_features, in.width});
      if (tp_ > 1)
        out.push_back(LayoutStep{StepRole::AllReduce, after_attn ? "tp_allreduce_attn" : "tp_allreduce_mlp",
                                 b.sampled, rep, op.out_features});
      result = Tensor{false, op.out_features, &op};
      return {};
    }
    // Replicated: a linear whose output a norm reads whole, or the latent of latent
    // attention, runs unsharded on every rank (MLA's small down-projections).
    const bool replicate = std::any_of(users.begin(), users.end(), [&](const GraphOp* u) {
      return u->kind == GraphOpKind::Norm || (u->kind == GraphOpKind::Attention && u->mla() && u->inputs[1] == op.name);
    });
    if (replicate) {
      out.push_back(LayoutStep{StepRole::Gemm, op.name, b.sampled, rep, op.out_features, in.width});
      result = Tensor{false, op.out_features, &op};
      return {};
    }
    // Column-parallel: shard out_features (by heads where the output feeds attention).
    int64_t width = ceil_div(op.out_features, tp_);
    std::string_view name = op.name;
    for (const GraphOp* u : users) {
      if (u->kind == GraphOpKind::Attention) {
        const bool is_q = u->inputs[0] == op.name;
        width = static_cast<int64_t>(is_q ? q_heads_per_rank(*u, tp_) : kv_heads_per_rank(*u, tp_)) * u->head_dim;
        if (!u->mla()) name = "qkv_proj";  // latent attention keeps q_up / q_proj apart
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
    out.push_back(LayoutStep{StepRole::Gemm, name, b.sampled, rep, width, in.width});
    return {};
  }

  Status attention(const GraphBlock& b, const GraphOp& op, std::vector<LayoutStep>& out, const std::string& at) {
    for (size_t i = 0; i < op.inputs.size(); ++i) {
      const std::string& name = op.inputs[i];
      const Tensor& t = tensors_.at(name);
      // Latent attention reads its latent through the latent's norm.
      const bool latent = op.mla() && i == 1;
      const GraphOp* producer = t.op;
      if (latent && producer && producer->kind == GraphOpKind::Norm && producer->inputs[0] != "@in")
        producer = tensors_.at(producer->inputs[0]).op;
      if (!producer || producer->kind != GraphOpKind::Linear)
        return bad_input(fmt::format("{}: key 'inputs': '{}' is not a linear projection; attention reads q, k and v "
                                     "straight from their projections (fold RoPE into the attention op)", at, name));
      if (tp_ > 1 && !latent && !t.sharded)
        return bad_input(fmt::format("{}: key 'inputs': '{}' is not sharded by heads", at, name));
      if (tp_ > 1 && latent && t.sharded)
        return bad_input(fmt::format("{}: key 'inputs': the latent '{}' must be replicated over TP", at, name));
    }
    const double rep = b.repeat;
    const int qh = q_heads_per_rank(op, tp_), kvh = kv_heads_per_rank(op, tp_);
    if (!fused_) {
      // Rotary: every q and k head, or with latent attention every q head and the one shared key.
      if (op.mla()) {
        out.push_back(LayoutStep{StepRole::Rotary, "rotary", b.sampled, rep, qh + 1, op.rope_dim});
      } else if (op.rope) {
        out.push_back(LayoutStep{StepRole::Rotary, "rotary", b.sampled, rep, qh + kvh, op.head_dim});
      }
      out.push_back(LayoutStep{StepRole::KvWrite, "kv_write", b.sampled, rep, qh, kvh, 0, 1, &op});
    }
    out.push_back(LayoutStep{StepRole::Attention, op.name, b.sampled, rep, qh, kvh, 0, 1, &op});
    return {};
  }

  int tp_;
  bool fused_;
  std::map<std::string, Tensor> tensors_;
};


}  // namespace

int q_heads_per_rank(const GraphOp& a, int tp) { return static_cast<int>(ceil_div(a.heads, tp)); }
int kv_heads_per_rank(const GraphOp& a, int tp) {
  return a.kv_heads >= tp ? static_cast<int>(ceil_div(a.kv_heads, tp)) : 1;
}

Status layout_graph(const Graph& g, int tp, bool fused_elementwise, std::vector<LayoutStep>& out) {
  out.clear();
  return Layout(tp, fused_elementwise).run(g, out);
}

Status check_graph_lowering(const Graph& g) {
  std::vector<LayoutStep> steps;
  return layout_graph(g, 2, false, steps);
}

}  // namespace tessera

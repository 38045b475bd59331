#include "tessera/specs/graph.h"

#include <fmt/format.h>

#include <map>

namespace tessera {

std::string_view graph_op_kind_name(GraphOpKind k) {
  switch (k) {
    case GraphOpKind::Embedding: return "embedding";
    case GraphOpKind::Linear: return "linear";
    case GraphOpKind::Attention: return "attention";
    case GraphOpKind::Norm: return "norm";
    case GraphOpKind::Activation: return "activation";
    case GraphOpKind::Add: return "add";
    case GraphOpKind::Elementwise: return "elementwise";
    case GraphOpKind::Moe: return "moe";
  }
  return "?";
}

namespace {

// Output width per token (elements) of an op.
int64_t output_width(const GraphOp& op) {
  switch (op.kind) {
    case GraphOpKind::Linear: return op.out_features;
    case GraphOpKind::Attention: return static_cast<int64_t>(op.heads) * op.value_dim();
    default: return op.dim;
  }
}

struct Arity {
  size_t min, max;
};

Arity arity(const GraphOp& op) {
  switch (op.kind) {
    case GraphOpKind::Embedding: return {0, 1};
    case GraphOpKind::Attention: return op.mla() ? Arity{2, 2} : Arity{3, 3};
    case GraphOpKind::Add: return {2, 2};
    case GraphOpKind::Activation: return op.gated ? Arity{2, 2} : Arity{1, 1};
    case GraphOpKind::Elementwise: return {1, 8};
    default: return {1, 1};
  }
}

Status check_sizes(const GraphOp& op, const std::string& at) {
  auto bad = [&](std::string_view key, auto v) {
    return bad_input(fmt::format("{}: key '{}': {} must be >= 1", at, key, v));
  };
  switch (op.kind) {
    case GraphOpKind::Linear:
      if (op.in_features < 1) return bad("in_features", op.in_features);
      if (op.out_features < 1) return bad("out_features", op.out_features);
      return {};
    case GraphOpKind::Embedding:
      if (op.vocab < 1) return bad("vocab", op.vocab);
      break;
    case GraphOpKind::Attention:
      if (op.heads < 1) return bad("heads", op.heads);
      if (op.kv_heads < 1) return bad("kv_heads", op.kv_heads);
      if (op.head_dim < 1) return bad("head_dim", op.head_dim);
      if (op.heads % op.kv_heads != 0)
        return bad_input(fmt::format("{}: key 'kv_heads': {} does not divide heads {}", at, op.kv_heads, op.heads));
      if (op.window < 0) return bad_input(fmt::format("{}: key 'window': {} must be >= 0", at, op.window));
      if (op.latent_dim < 0) return bad("latent_dim", op.latent_dim);
      if (op.v_head_dim < 0) return bad("v_head_dim", op.v_head_dim);
      if (op.mla()) {
        if (op.kv_heads != op.heads)
          return bad_input(fmt::format("{}: key 'kv_heads': {} must equal heads {} with latent attention", at,
                                       op.kv_heads, op.heads));
        if (op.rope_dim < 1 || op.rope_dim >= op.head_dim)
          return bad_input(fmt::format("{}: key 'rope_dim': {} must be in [1, head_dim {})", at, op.rope_dim,
                                       op.head_dim));
      } else if (op.rope_dim != 0) {
        return bad_input(fmt::format("{}: key 'rope_dim': {} applies to latent attention only (set latent_dim)", at,
                                     op.rope_dim));
      }
      return {};
    case GraphOpKind::Moe:
      if (op.experts < 1) return bad("experts", op.experts);
      if (op.top_k < 1 || op.top_k > op.experts)
        return bad_input(fmt::format("{}: key 'top_k': {} is outside [1, experts {}]", at, op.top_k, op.experts));
      if (op.expert_intermediate < 1) return bad("expert_intermediate", op.expert_intermediate);
      break;
    default:
      break;
  }
  if (op.dim < 1) return bad("dim", op.dim);
  return {};
}

// Inputs name earlier ops of the block (or "@in"), with the widths the op expects.
Status check_inputs(const GraphOp& op, const std::map<std::string, const GraphOp*>& seen, int64_t in_width,
                    const std::string& at) {
  const Arity a = arity(op);
  if (op.inputs.size() < a.min || op.inputs.size() > a.max)
    return bad_input(fmt::format("{}: key 'inputs': a {} op takes {}{} inputs, got {}", at, graph_op_kind_name(op.kind),
                                 a.min, a.max == a.min ? "" : fmt::format(" to {}", a.max), op.inputs.size()));
  std::vector<int64_t> widths;
  for (const std::string& in : op.inputs) {
    if (in == "@in") {
      widths.push_back(in_width);
      continue;
    }
    auto it = seen.find(in);
    if (it == seen.end())
      return bad_input(fmt::format("{}: key 'inputs': '{}' is not an earlier op of this block (or \"@in\")", at, in));
    widths.push_back(output_width(*it->second));
  }
  auto mismatch = [&](size_t i, int64_t want) -> Status {
    if (widths[i] <= 0 || widths[i] == want) return {};  // 0: unknown (token ids)
    return bad_input(fmt::format("{}: key 'inputs': '{}' is {} wide, the op expects {}", at, op.inputs[i], widths[i],
                                 want));
  };
  switch (op.kind) {
    case GraphOpKind::Linear: return mismatch(0, op.in_features);
    case GraphOpKind::Attention:
      TESSERA_TRY(mismatch(0, static_cast<int64_t>(op.heads) * op.head_dim));
      if (op.mla()) return mismatch(1, static_cast<int64_t>(op.latent_dim) + op.rope_dim);
      TESSERA_TRY(mismatch(1, static_cast<int64_t>(op.kv_heads) * op.head_dim));
      return mismatch(2, static_cast<int64_t>(op.kv_heads) * op.value_dim());
    case GraphOpKind::Embedding: return {};
    default:
      for (size_t i = 0; i < widths.size(); ++i) TESSERA_TRY(mismatch(i, op.dim));
      return {};
  }
}

}  // namespace

Status validate_graph(const Graph& g, const std::string& where) {
  if (g.blocks.empty()) return bad_input(fmt::format("{}: key 'blocks': the graph has no blocks", where));
  int64_t width = 0;  // the first block's input: token ids
  for (const GraphBlock& b : g.blocks) {
    const std::string bat = fmt::format("{}: block '{}'", where, b.name);
    if (b.repeat < 1) return bad_input(fmt::format("{}: key 'repeat': {} must be >= 1", bat, b.repeat));
    if (b.ops.empty()) return bad_input(fmt::format("{}: key 'ops': the block has no ops", bat));
    std::map<std::string, const GraphOp*> seen;
    for (const GraphOp& op : b.ops) {
      const std::string at = fmt::format("{} op '{}'", bat, op.name);
      if (op.name.empty() || op.name == "@in")
        return bad_input(fmt::format("{}: key 'name': '{}' is not a usable op name", bat, op.name));
      if (seen.count(op.name)) return bad_input(fmt::format("{}: key 'name': '{}' appears twice", bat, op.name));
      TESSERA_TRY(check_sizes(op, at));
      TESSERA_TRY(check_inputs(op, seen, width, at));
      seen[op.name] = &op;
    }
    const int64_t out = output_width(b.ops.back());
    // A repeated block feeds itself: its output must be as wide as its input.
    if (b.repeat > 1 && width > 0 && out != width)
      return bad_input(fmt::format("{}: key 'repeat': the block's output ({} wide) does not match its input ({})",
                                   bat, out, width));
    width = out;
  }
  return {};
}

}  // namespace tessera

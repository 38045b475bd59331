#include "tessera/specs/model_graph.h"

#include <fmt/format.h>

#include <algorithm>

namespace tessera {
namespace {

const GraphOp* find_op(const GraphBlock& b, const std::string& name) {
  for (const GraphOp& op : b.ops)
    if (op.name == name) return &op;
  return nullptr;
}

// Facts of one block, as the ModelSpec summary counts them.
struct BlockFacts {
  int attention = 0;
  const GraphOp* first_attention = nullptr;
  const GraphOp* moe = nullptr;
  const GraphOp* activation = nullptr;
  bool sliding = false;
};

BlockFacts facts_of(const GraphBlock& b) {
  BlockFacts f;
  for (const GraphOp& op : b.ops) {
    if (op.kind == GraphOpKind::Attention) {
      if (!f.first_attention) f.first_attention = &op;
      ++f.attention;
      f.sliding = f.sliding || op.window > 0;
    }
    if (op.kind == GraphOpKind::Moe && !f.moe) f.moe = &op;
    if (op.kind == GraphOpKind::Activation && !f.activation) f.activation = &op;
  }
  return f;
}

}  // namespace

Result<ModelSpec> model_from_graph(const Graph& g, std::string name) {
  const std::string& file = g.source.empty() ? name : g.source;
  ModelSpec m;
  m.name = std::move(name);
  m.architecture = "tessera-graph";
  m.native_dtype = g.dtype;
  m.max_position = g.max_position;
  m.source = g.source;
  const GraphOp* attn = nullptr;
  int64_t q_in = 0;  // MLA: in_features of the query projection (the q rank when compressed)
  const GraphOp* act = nullptr;
  const GraphOp* moe = nullptr;
  std::vector<bool> sliding, is_moe;
  for (const GraphBlock& b : g.blocks) {
    for (const GraphOp& op : b.ops) {
      if (op.kind == GraphOpKind::Embedding && m.hidden == 0) {
        m.hidden = op.dim;
        m.vocab = op.vocab;
      }
      if (op.kind == GraphOpKind::Linear && op.tied) m.tied_embeddings = true;
      if (b.sampled && op.kind == GraphOpKind::Linear && m.vocab == 0) m.vocab = op.out_features;
    }
    const BlockFacts f = facts_of(b);
    if (f.attention == 0) continue;
    const GraphOp& a = *f.first_attention;
    if (!attn) {
      attn = &a;
      if (const GraphOp* q = find_op(b, a.inputs[0]); q && q->kind == GraphOpKind::Linear) {
        m.attention_bias = q->bias;
        if (m.hidden == 0 && !a.mla()) m.hidden = q->in_features;
        if (a.mla()) q_in = q->in_features;
      }
    }
    for (const GraphOp& op : b.ops) {
      if (op.kind != GraphOpKind::Attention) continue;
      if (op.heads != attn->heads || op.kv_heads != attn->kv_heads || op.head_dim != attn->head_dim ||
          op.latent_dim != attn->latent_dim || op.rope_dim != attn->rope_dim || op.value_dim() != attn->value_dim())
        return bad_input(fmt::format("{}: block '{}' op '{}': heads {}/{}x{} differ from '{}' ({}/{}x{}); one head "
                                     "shape per model is supported",
                                     file, b.name, op.name, op.heads, op.kv_heads, op.head_dim, attn->name,
                                     attn->heads, attn->kv_heads, attn->head_dim));
      if (!op.causal)
        return bad_input(fmt::format("{}: block '{}' op '{}': key 'causal': false; Tessera serves autoregressive "
                                     "decoders and lowers causal attention only",
                                     file, b.name, op.name));
      if (op.window > 0) m.sliding_window = op.window;
    }
    if (f.activation && !act) act = f.activation;
    if (f.moe && !moe) moe = f.moe;
    for (int r = 0; r < b.repeat; ++r)
      for (int i = 0; i < f.attention; ++i) {
        sliding.push_back(f.sliding);
        is_moe.push_back(f.moe != nullptr);
      }
  }
  if (!attn)
    return bad_input(fmt::format("{}: the graph has no attention op; Tessera serves autoregressive decoders", file));
  m.layers = static_cast<int>(sliding.size());
  m.heads = attn->heads;
  m.kv_heads = attn->kv_heads;
  m.head_dim = attn->head_dim;
  m.rotary_dim = attn->rope ? attn->head_dim : 0;
  if (attn->mla()) {
    MlaSpec l;
    l.q_lora_rank = q_in > 0 && q_in != m.hidden ? static_cast<int>(q_in) : 0;
    l.kv_lora_rank = attn->latent_dim;
    l.qk_rope_head_dim = attn->rope_dim;
    l.qk_nope_head_dim = attn->head_dim - attn->rope_dim;
    l.v_head_dim = attn->value_dim();
    m.mla = l;
    m.rotary_dim = attn->rope_dim;
  }
  if (act) {
    m.intermediate = act->dim;
    m.mlp = act->gated ? MlpKind::Gated : MlpKind::Plain;
  }
  if (m.sliding_window > 0 && std::find(sliding.begin(), sliding.end(), false) != sliding.end())
    m.layer_is_sliding = sliding;
  if (moe) {
    MoeSpec e;
    e.num_experts = moe->experts;
    e.experts_per_token = moe->top_k;
    e.expert_intermediate = moe->expert_intermediate;
    e.shared_experts = moe->shared_experts;
    e.shared_intermediate = moe->shared_intermediate;
    e.layer_is_moe = is_moe;
    m.moe = e;
    if (!act) {
      m.mlp = moe->gated ? MlpKind::Gated : MlpKind::Plain;
      m.intermediate = moe->expert_intermediate;  // activation sizing reads it
    }
  }
  m.graph = std::make_shared<const Graph>(g);
  return m;
}

namespace {

GraphOp make(std::string name, GraphOpKind kind, std::vector<std::string> inputs) {
  GraphOp op;
  op.name = std::move(name);
  op.kind = kind;
  op.inputs = std::move(inputs);
  return op;
}

GraphOp linear(std::string name, int64_t in, int64_t out, std::string input, bool bias = false) {
  GraphOp op = make(std::move(name), GraphOpKind::Linear, {std::move(input)});
  op.in_features = in;
  op.out_features = out;
  op.bias = bias;
  return op;
}

GraphOp sized(std::string name, GraphOpKind kind, int64_t dim, std::vector<std::string> inputs) {
  GraphOp op = make(std::move(name), kind, std::move(inputs));
  op.dim = dim;
  return op;
}

// DeepSeek-V2/V3 attention (HF DeepseekV3Attention): low-rank q (q_a, its norm, q_b) or
// a full q_proj, and kv_a producing the latent plus the shared rotary key, normalized
// (the norm covers the latent only; the 64-wide rotary slice is costed with it).
void add_latent_attention(const ModelSpec& m, std::vector<GraphOp>& ops) {
  const MlaSpec& l = *m.mla;
  const int64_t h = m.hidden, qk = l.qk_nope_head_dim + l.qk_rope_head_dim;
  const int64_t latent = static_cast<int64_t>(l.kv_lora_rank) + l.qk_rope_head_dim;
  std::string q = "q_proj";
  if (l.q_lora_rank > 0) {
    ops.push_back(linear("q_down", h, l.q_lora_rank, "input_norm"));
    ops.push_back(sized("q_norm", GraphOpKind::Norm, l.q_lora_rank, {"q_down"}));
    ops.push_back(linear("q_up", l.q_lora_rank, m.heads * qk, "q_norm"));
    q = "q_up";
  } else {
    ops.push_back(linear("q_proj", h, m.heads * qk, "input_norm"));
  }
  ops.push_back(linear("kv_down", h, latent, "input_norm"));
  ops.push_back(sized("kv_norm", GraphOpKind::Norm, latent, {"kv_down"}));
  GraphOp a = make("attn", GraphOpKind::Attention, {q, "kv_norm"});
  a.heads = m.heads;
  a.kv_heads = m.heads;
  a.head_dim = static_cast<int>(qk);
  a.rope = true;
  a.latent_dim = l.kv_lora_rank;
  a.rope_dim = l.qk_rope_head_dim;
  a.v_head_dim = l.v_head_dim;
  ops.push_back(a);
  ops.push_back(linear("o_proj", static_cast<int64_t>(m.heads) * l.v_head_dim, h, "attn"));
}

GraphBlock decoder_layer(const ModelSpec& m, bool moe, bool sliding, int repeat) {
  GraphBlock b;
  b.name = fmt::format("layers{}{}", moe ? "_moe" : "", sliding ? "_sliding" : "");
  b.repeat = repeat;
  const int64_t h = m.hidden, q = static_cast<int64_t>(m.heads) * m.head_dim,
                kv = static_cast<int64_t>(m.kv_heads) * m.head_dim;
  auto& ops = b.ops;
  ops.push_back(sized("input_norm", GraphOpKind::Norm, h, {"@in"}));
  if (m.mla) {
    add_latent_attention(m, ops);
  } else {
    ops.push_back(linear("q_proj", h, q, "input_norm", m.attention_bias));
    ops.push_back(linear("k_proj", h, kv, "input_norm", m.attention_bias));
    ops.push_back(linear("v_proj", h, kv, "input_norm", m.attention_bias));
    GraphOp a = make("attn", GraphOpKind::Attention, {"q_proj", "k_proj", "v_proj"});
    a.heads = m.heads;
    a.kv_heads = m.kv_heads;
    a.head_dim = m.head_dim;
    a.rope = m.rotary_dim > 0;
    a.window = sliding ? m.sliding_window : 0;
    ops.push_back(a);
    ops.push_back(linear("o_proj", q, h, "attn", m.attention_bias));
  }
  ops.push_back(sized("residual_attn", GraphOpKind::Add, h, {"@in", "o_proj"}));
  ops.push_back(sized("post_norm", GraphOpKind::Norm, h, {"residual_attn"}));
  const bool gated = m.mlp == MlpKind::Gated;
  std::string mlp_out;
  if (moe) {
    GraphOp e = sized("moe", GraphOpKind::Moe, h, {"post_norm"});
    e.experts = m.moe->num_experts;
    e.top_k = m.moe->experts_per_token;
    e.expert_intermediate = m.moe->expert_intermediate;
    e.shared_experts = m.moe->shared_experts;
    e.shared_intermediate = m.moe->shared_intermediate;
    e.gated = gated;
    ops.push_back(e);
    mlp_out = "moe";
  } else {
    if (gated) ops.push_back(linear("gate_proj", h, m.intermediate, "post_norm"));
    ops.push_back(linear("up_proj", h, m.intermediate, "post_norm"));
    GraphOp act = sized("act", GraphOpKind::Activation, m.intermediate,
                        gated ? std::vector<std::string>{"gate_proj", "up_proj"} : std::vector<std::string>{"up_proj"});
    act.gated = gated;
    act.fn = gated ? "silu" : "gelu";
    ops.push_back(act);
    ops.push_back(linear("down_proj", m.intermediate, h, "act"));
    mlp_out = "down_proj";
  }
  ops.push_back(sized("residual_mlp", GraphOpKind::Add, h, {"residual_attn", mlp_out}));
  return b;
}

bool layer_moe(const ModelSpec& m, int i) {
  if (!m.moe || m.moe->num_experts == 0) return false;
  if (!m.moe->layer_is_moe.empty()) return i < static_cast<int>(m.moe->layer_is_moe.size()) && m.moe->layer_is_moe[i];
  if (i < m.moe->first_dense_layers) return false;
  const int freq = std::max(1, m.moe->layer_frequency);
  return freq == 1 || (i + 1) % freq == 0;
}

bool layer_sliding(const ModelSpec& m, int i) {
  if (m.sliding_window <= 0) return false;
  return m.layer_is_sliding.empty() || (i < static_cast<int>(m.layer_is_sliding.size()) && m.layer_is_sliding[i]);
}

}  // namespace

Result<Graph> graph_from_model(const ModelSpec& m) {
  Graph g;
  g.name = m.name;
  g.dtype = m.native_dtype;
  g.max_position = m.max_position;
  g.source = m.source;
  GraphBlock embed;
  embed.name = "embed";
  GraphOp e = sized("embed_tokens", GraphOpKind::Embedding, m.hidden, {});
  e.vocab = m.vocab;
  embed.ops.push_back(e);
  g.blocks.push_back(embed);
  // Consecutive layers of one kind (dense/MoE x full/sliding) share a block.
  for (int i = 0; i < m.layers;) {
    const bool moe = layer_moe(m, i), sl = layer_sliding(m, i);
    int j = i + 1;
    while (j < m.layers && layer_moe(m, j) == moe && layer_sliding(m, j) == sl) ++j;
    g.blocks.push_back(decoder_layer(m, moe, sl, j - i));
    i = j;
  }
  GraphBlock head;
  head.name = "head";
  head.sampled = true;
  head.ops.push_back(sized("final_norm", GraphOpKind::Norm, m.hidden, {"@in"}));
  GraphOp lm = linear("lm_head", m.hidden, m.vocab, "final_norm");
  lm.tied = m.tied_embeddings;
  head.ops.push_back(lm);
  g.blocks.push_back(head);
  TESSERA_TRY(validate_graph(g, "model '" + m.name + "'"));
  return g;
}

}  // namespace tessera

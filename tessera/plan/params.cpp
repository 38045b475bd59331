#include "tessera/plan/params.h"

namespace tessera {

bool is_moe_layer(const ModelSpec& m, int layer) {
  if (!m.moe || m.moe->num_experts == 0) return false;
  if (!m.moe->layer_is_moe.empty())
    return layer >= 0 && layer < static_cast<int>(m.moe->layer_is_moe.size()) && m.moe->layer_is_moe[layer];
  if (layer < m.moe->first_dense_layers) return false;
  const int freq = m.moe->layer_frequency > 0 ? m.moe->layer_frequency : 1;
  return (layer + 1) % freq == 0 || freq == 1;
}

static double mlp_params(const ModelSpec& m, double width) {
  const double h = static_cast<double>(m.hidden);
  return (m.mlp == MlpKind::Gated ? 3.0 : 2.0) * h * width;
}

LayerParams layer_params(const ModelSpec& m) {
  LayerParams p;
  const double h = static_cast<double>(m.hidden);
  const double heads = m.heads, kvh = m.kv_heads, d = m.head_dim;
  if (m.mla) {
    const MlaSpec& a = *m.mla;
    const double qk = a.qk_nope_head_dim + a.qk_rope_head_dim;
    const double q = a.q_lora_rank > 0 ? h * a.q_lora_rank + a.q_lora_rank * heads * qk + a.q_lora_rank
                                       : h * heads * qk;
    const double kv = h * (a.kv_lora_rank + a.qk_rope_head_dim) + a.kv_lora_rank +
                      a.kv_lora_rank * heads * (a.qk_nope_head_dim + a.v_head_dim);
    p.attention = q + kv + heads * a.v_head_dim * h;
  } else {
    p.attention = h * heads * d + 2.0 * h * kvh * d + heads * d * h;
    if (m.attention_bias) p.attention += heads * d + 2.0 * kvh * d + h;
  }
  p.mlp_dense = mlp_params(m, static_cast<double>(m.intermediate));
  if (m.moe && m.moe->num_experts > 0) {
    p.moe_router = h * m.moe->num_experts;
    p.moe_expert = mlp_params(m, static_cast<double>(m.moe->expert_intermediate));
    p.moe_shared = m.moe->shared_experts > 0 ? mlp_params(m, static_cast<double>(m.moe->shared_intermediate)) : 0;
  }
  p.norms = 2.0 * h;
  return p;
}

ParamCount count_params(const ModelSpec& m) {
  ParamCount c;
  const LayerParams lp = layer_params(m);
  const double h = static_cast<double>(m.hidden);
  c.embedding = static_cast<double>(m.vocab) * h;
  c.lm_head = m.tied_embeddings ? 0.0 : c.embedding;
  double total = c.embedding + c.lm_head + h;  // + final norm
  double active = (m.tied_embeddings ? c.embedding : c.lm_head) + h;
  for (int i = 0; i < m.layers; ++i) {
    double common = lp.attention + lp.norms;
    total += common;
    active += common;
    if (is_moe_layer(m, i)) {
      ++c.moe_layers;
      total += lp.moe_router + lp.moe_expert * m.moe->num_experts + lp.moe_shared;
      active += lp.moe_router + lp.moe_expert * m.moe->experts_per_token + lp.moe_shared;
    } else {
      ++c.dense_layers;
      total += lp.mlp_dense;
      active += lp.mlp_dense;
    }
  }
  c.total = total;
  c.active = active;
  c.active_with_embeddings = active + (m.tied_embeddings ? 0.0 : c.embedding);
  return c;
}

double kv_elements_per_token_per_layer(const ModelSpec& m) {
  if (m.mla) return static_cast<double>(m.mla->kv_lora_rank + m.mla->qk_rope_head_dim);
  return 2.0 * m.kv_heads * m.head_dim;
}

}  // namespace tessera

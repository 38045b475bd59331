#include "tessera/plan/memory.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "tessera/plan/params.h"

namespace tessera {

std::string format_bytes(Bytes b) {
  const double v = b.value();
  if (std::abs(v) >= 1024.0 * 1024 * 1024) return fmt::format("{:.2f} GiB", v / (1024.0 * 1024 * 1024));
  if (std::abs(v) >= 1024.0 * 1024) return fmt::format("{:.2f} MiB", v / (1024.0 * 1024));
  if (std::abs(v) >= 1024.0) return fmt::format("{:.2f} KiB", v / 1024.0);
  return fmt::format("{:.0f} B", v);
}

// Weights of the heaviest pipeline stage on one rank. Attention and MLP shard
// over TP (replicated KV heads are stored on every rank that uses them); experts
// shard over EP then TP; embedding and LM head are vocab-parallel over TP on the
// first and last stage.
static Bytes stage_weights(const ModelSpec& m, const DeploymentSpec& d) {
  const LayerParams lp = layer_params(m);
  const ParamCount pc = count_params(m);
  const double wb = dtype_bytes(d.weight_dtype);
  const double h = static_cast<double>(m.hidden);
  const int kvh = kv_heads_per_rank(m, d.tp);
  // Per-rank projections from the per-rank head counts: this covers KV heads
  // replicated over TP and heads padded to a multiple of TP.
  const double qh = heads_per_rank(m, d.tp);
  double attn = m.mla ? lp.attention / d.tp : 2.0 * h * qh * m.head_dim + 2.0 * h * kvh * m.head_dim;
  const int layers_per_stage = (m.layers + d.pp - 1) / d.pp;
  double worst = 0;
  for (int s = 0; s < d.pp; ++s) {
    double w = 0;
    const int first = s * layers_per_stage, last = std::min(m.layers, first + layers_per_stage);
    for (int i = first; i < last; ++i) {
      w += attn + lp.norms;
      if (is_moe_layer(m, i)) {
        // E/ep experts per EP group, each sharded over the tp/ep ranks of the
        // group when ep < tp: E x P / max(tp, ep) per rank either way.
        const double experts_per_group = std::ceil(static_cast<double>(m.moe->num_experts) / d.ep);
        w += lp.moe_router + lp.moe_expert * experts_per_group / std::max(1, d.tp / d.ep) + lp.moe_shared / d.tp;
      } else {
        w += lp.mlp_dense / d.tp;
      }
    }
    if (s == 0) w += pc.embedding / d.tp;
    if (s == d.pp - 1) w += (m.tied_embeddings && d.pp == 1 ? 0.0 : pc.embedding / d.tp) + h;
    worst = std::max(worst, w);
  }
  return Bytes(worst * wb);
}

// Peak live activations of a decoder layer for `tokens` tokens on one rank:
// the residual stream and its normed copy, q/k/v, attention output and the
// widest MLP intermediate (gate and up together when gated).
static Bytes layer_activations(const ModelSpec& m, const DeploymentSpec& d, int64_t tokens) {
  const double t = static_cast<double>(tokens);
  const double ab = dtype_bytes(d.act_dtype);
  const double h = static_cast<double>(m.hidden);
  const double qkv = static_cast<double>(heads_per_rank(m, d.tp) + 2 * kv_heads_per_rank(m, d.tp)) * m.head_dim;
  double inter = static_cast<double>(m.intermediate) / d.tp;
  if (m.moe && m.moe->num_experts > 0)
    inter = std::max(inter, static_cast<double>(m.moe->expert_intermediate) * m.moe->experts_per_token / d.tp);
  const double mlp = (m.mlp == MlpKind::Gated ? 2.0 : 1.0) * inter;
  return Bytes(t * ab * (2.0 * h + std::max(qkv + h, mlp)));
}

Result<MemoryPlan> plan_memory(const ModelSpec& m, const SystemSpec& s, const DeploymentSpec& dep,
                               const Placement& p) {
  const DeploymentSpec d = with_serving_defaults(dep);
  MemoryPlan mp;
  mp.capacity = s.chip.hbm_capacity / static_cast<double>(p.ranks_per_chip);
  // fraction_of_total (vLLM): the engine may use fraction x capacity in all.
  // fraction_of_free (TensorRT-LLM): weights and activations first, then fraction x
  // what is left goes to the KV pool; the reserve is the rest.
  mp.reserve = mp.capacity * (1.0 - d.memory_utilization);
  mp.weights = stage_weights(m, d);
  const int64_t rank_tokens = (d.max_tokens + p.attention_dp - 1) / p.attention_dp;
  mp.activations = layer_activations(m, d, rank_tokens);
  // Logits in FP32 for every sequence that samples, vocab-parallel over TP.
  const double logits = static_cast<double>(d.max_batch) * static_cast<double>(m.vocab) / d.tp * 4.0;
  mp.workspace = Bytes(logits);
  const int layers_per_stage = (m.layers + d.pp - 1) / d.pp;
  const double kv_elems = m.mla ? kv_elements_per_token_per_layer(m)
                                : 2.0 * kv_heads_per_rank(m, d.tp) * m.head_dim;
  mp.kv_bytes_per_token = Bytes(kv_elems * dtype_bytes(d.kv_dtype) * layers_per_stage);
  const Bytes needed = mp.weights + mp.activations + mp.workspace;
  if (d.kv_pool_rule == KvPoolRule::FractionOfFree && needed < mp.capacity)
    mp.reserve = (mp.capacity - needed) * (1.0 - d.memory_utilization);
  const Bytes usable = mp.capacity - mp.reserve;
  if (needed > usable) {
    return infeasible(fmt::format(
        "{} does not fit on {} with tp={} pp={}: each rank needs {} (weights {}, activations {}, workspace {}) "
        "but has {} usable of {} (short by {})",
        m.name, s.name, d.tp, d.pp, format_bytes(needed), format_bytes(mp.weights), format_bytes(mp.activations),
        format_bytes(mp.workspace), format_bytes(usable), format_bytes(mp.capacity), format_bytes(needed - usable)));
  }
  mp.kv_cache = usable - needed;
  const double block_bytes = mp.kv_bytes_per_token.value() * d.block_tokens;
  // Attention data-parallel groups each hold the KV of their own sequences.
  mp.kv_blocks = static_cast<int64_t>(std::floor(mp.kv_cache.value() / block_bytes)) * p.attention_dp;
  mp.kv_tokens = mp.kv_blocks * d.block_tokens;
  if (mp.kv_blocks < 1) {
    return infeasible(fmt::format("{} on {} with tp={}: no room for a single KV block of {} ({} left per rank)",
                                  m.name, s.name, d.tp, format_bytes(Bytes(block_bytes)), format_bytes(mp.kv_cache)));
  }
  return mp;
}

}  // namespace tessera

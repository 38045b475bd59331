// Scaled dot-product attention on one NeuronCore rank (docs/models/neuron.md
// §Attention): a flash-style loop per (sequence, KV-head group) over query tiles of
// 128 rows and KV tiles of one PSUM bank (512 keys).
#include <algorithm>
#include <cmath>
#include <utility>

#include "tessera/compute/neuron_core_model.h"

namespace tessera::neuron {

namespace {

// The shape of one work item: one sequence and one KV head with its query heads.
// Tiles are fixed-size (128 query rows, 512 keys = one PSUM bank) with a partial
// last tile, as the NKI kernels tile them.
struct AttnShape {
  double rows = 0;        // query rows: query tokens x query heads sharing the KV head
  double kv_eff = 0;      // mean keys one query sees (pairs / query tokens)
  double keys = 0;        // KV entries the item reads
  double d_qk = 128, d_v = 128;
  double q_tiles = 0, rows_full = 0, rows_last = 0;
  double kv_tiles = 0, n_full = 0, n_last = 0;
  double bytes_per_key = 0;   // K and V of one KV head, one token
  double act_bytes = 2;
  double rate = 1;
};

// TensorE cycles for `blocks` (query tile, KV tile) blocks of `rows` x `n`:
// S = Q K^T, the P transposes (matmuls against an identity, P as stationary),
// and O += P V.
void add_block_tensor(EngineLoad& l, const CoreParams& p, const AttnShape& a, double rows,
                      double n, double blocks) {
  if (blocks <= 0) return;
  const double k_rows = p.pe_rows * std::max(1.0, a.rate);
  const double scale = a.rate < 1 ? 1.0 / a.rate : 1.0;
  const double qk_tiles = std::ceil(a.d_qk / k_rows);  // head_dim < 128 under-fills the rows
  add_matmuls(l, p, n, blocks * qk_tiles, scale);
  add_stationary_loads(l, rows, blocks * qk_tiles, scale, std::max(n, p.min_ii) * scale);

  const double tr = std::ceil(n / p.pe_cols);
  add_matmuls(l, p, rows, blocks * tr, 1.0);
  add_stationary_loads(l, n / tr, blocks * tr, 1.0, std::max(rows, p.min_ii));

  // PV contracts over keys: V stationary (moving P^T, free size = rows) or P^T
  // stationary (moving V, free size = d_v); the cheaper per key sub-block.
  const double sub = std::ceil(n / k_rows);
  const double dv_tiles = std::ceil(a.d_v / p.pe_cols);
  const double dv_chunks = std::ceil(a.d_v / p.moving_chunk);
  const double v_mm = std::max(rows, p.min_ii);
  const double p_mm = dv_chunks * std::max(a.d_v / dv_chunks, p.min_ii);
  const double v_stat = dv_tiles * std::max(v_mm, stationary_load_cycles(a.d_v / dv_tiles, 1));
  const double p_stat = std::max(p_mm, stationary_load_cycles(rows, 1));
  if (v_stat <= p_stat) {
    add_matmuls(l, p, rows, blocks * sub * dv_tiles, scale);
    add_stationary_loads(l, a.d_v / dv_tiles, blocks * sub * dv_tiles, scale, v_mm * scale);
  } else {
    add_matmuls(l, p, a.d_v / dv_chunks, blocks * sub * dv_chunks, scale);
    add_stationary_loads(l, rows, blocks * sub, scale, p_mm * scale);
  }
}

// Online softmax per block: row max (VectorE, reads PSUM), exp with row sum
// (ScalarE), the P^T copy out of PSUM (ScalarE: estimate, the compiler gives the
// copy to the engine without the reduction so the two stay balanced) and the O
// update (VectorE). Returns the VectorE and ScalarE cycles of one block.
std::pair<double, double> add_block_softmax(EngineLoad& l, const CoreParams& p,
                                            const AttnShape& a, double rows, double n,
                                            double blocks) {
  const double tr = std::ceil(n / p.pe_cols);
  const double v = add_vector(l, p, n, blocks, true) + add_vector(l, p, a.d_v, blocks, true);
  const double s = add_scalar(l, p, n, blocks) + add_scalar(l, p, tr * rows, blocks);
  return {v, s};
}

// `q_full` full and `q_last` partial query tiles of one item, every KV tile each.
// After the first KV tile also the max and sum merges (VectorE) and the correction
// exp (ScalarE); per query tile the reciprocal and final scale (VectorE). Every
// instruction pays the static overhead.
void add_item_compute(EngineLoad& l, const CoreParams& p, const AttnShape& a, double q_full,
                      double q_last) {
  const double kv_full = a.kv_tiles - 1;
  const double q_counts[] = {q_full, q_last};
  const double q_rows[] = {a.rows_full, a.rows_last};
  for (int i = 0; i < 2; ++i) {
    if (q_counts[i] <= 0) continue;
    add_block_tensor(l, p, a, q_rows[i], a.n_full, q_counts[i] * kv_full);
    add_block_tensor(l, p, a, q_rows[i], a.n_last, q_counts[i]);
    add_block_softmax(l, p, a, q_rows[i], a.n_full, q_counts[i] * kv_full);
    add_block_softmax(l, p, a, q_rows[i], a.n_last, q_counts[i]);
  }
  const double q_tiles = q_full + q_last;
  add_vector(l, p, 1, 2 * q_tiles * kv_full, true);
  add_scalar(l, p, 1, q_tiles * kv_full);
  add_vector(l, p, 1, q_tiles, true);
  add_vector(l, p, a.d_v, q_tiles, true);

  // Pipeline tiles: one full block.
  EngineLoad one;
  add_block_tensor(one, p, a, a.rows_full, a.n_full, 1);
  const auto [v, s] = add_block_softmax(one, p, a, a.rows_full, a.n_full, 1);
  l.tensor_tile_cycles = std::max(l.tensor_tile_cycles, one.tensor_cycles);
  l.vector_tile_cycles = std::max(l.vector_tile_cycles, v);
  l.scalar_tile_cycles = std::max(l.scalar_tile_cycles, s);
}

// DMA for one item's `q_full` + `q_last` query tiles. K/V are read once when they
// fit the SBUF budget, else once per query tile (only the keys it sees).
void add_item_traffic(EngineLoad& l, const CoreParams& p, const AttnShape& a, double q_full,
                      double q_last) {
  const double q_tiles = q_full + q_last;
  const double kv = a.keys * a.bytes_per_key;
  const double streamed = q_tiles * a.kv_eff * a.bytes_per_key;
  const double reread =
      kv > p.sbuf.value() * kSbufResidentFraction ? std::max(0.0, streamed - kv) : 0.0;
  const double rows = q_full * a.rows_full + q_last * a.rows_last;
  add_dma(l, p, kv * a.d_qk / (a.d_qk + a.d_v));  // K
  add_dma(l, p, kv * a.d_v / (a.d_qk + a.d_v));   // V
  add_dma(l, p, rows * a.d_qk * a.act_bytes);     // Q
  add_dma(l, p, rows * a.d_v * a.act_bytes);      // O
  add_dma(l, p, reread);
  l.reread_bytes += reread;
  l.dma_tile_bytes =
      std::max(l.dma_tile_bytes,
               a.rows_full * (a.d_qk + a.d_v) * a.act_bytes + a.n_full * a.bytes_per_key);
}

EngineLoad item_load(const CoreParams& p, const AttnShape& a, double q_full, double q_last) {
  EngineLoad l;
  if (q_full + q_last <= 0) return l;
  add_item_compute(l, p, a, q_full, q_last);
  add_item_traffic(l, p, a, q_full, q_last);
  return l;
}

AttnShape make_shape(const CoreParams& p, const AttentionOp& op) {
  AttnShape a;
  const double heads = op.heads;
  const double kv_heads = op.kv_heads > 0 ? std::min<double>(op.kv_heads, heads) : heads;
  const double seqs = static_cast<double>(op.seqs);
  const double q_per_seq = static_cast<double>(op.q_tokens) / seqs;
  a.rows = q_per_seq * std::ceil(heads / kv_heads);
  a.kv_eff = op.pairs > 0 ? op.pairs / static_cast<double>(op.q_tokens)
                          : static_cast<double>(op.kv_tokens) / seqs;
  // Causal pairs q*c + q(q+1)/2 after c cached keys => the item spans c + q keys.
  a.keys = std::max(a.kv_eff + (q_per_seq - 1) / 2, static_cast<double>(op.kv_tokens) / seqs);
  a.d_qk = op.head_dim_qk;
  a.d_v = op.head_dim_v;
  a.q_tiles = std::ceil(a.rows / p.pe_cols);
  a.rows_full = std::min<double>(a.rows, p.pe_cols);
  a.rows_last = a.rows - (a.q_tiles - 1) * p.pe_cols;
  a.kv_tiles = std::ceil(a.kv_eff / p.moving_chunk);
  a.n_full = std::min(a.kv_eff, p.moving_chunk);
  a.n_last = a.kv_eff - (a.kv_tiles - 1) * p.moving_chunk;
  a.bytes_per_key = op.kv_bytes_per_token > 0
                        ? static_cast<double>(op.kv_bytes_per_token) / kv_heads
                        : (a.d_qk + a.d_v) * dtype_bytes(op.kv_dtype);
  a.act_bytes = dtype_bytes(op.compute_dtype);
  a.rate = matmul_rate(p, op.compute_dtype);
  return a;
}

}  // namespace

NeuronBreakdown cost_attention(const CoreParams& p, const AttentionOp& op) {
  if (op.seqs <= 0 || op.q_tokens <= 0 || op.heads <= 0 || (op.pairs <= 0 && op.kv_tokens <= 0))
    return finish(p, EngineLoad{}, 1, Bytes(0), Bytes(0), Flops(0));
  const AttnShape a = make_shape(p, op);
  const double kv_heads = op.kv_heads > 0 ? std::min(op.kv_heads, op.heads) : op.heads;
  const double items = static_cast<double>(op.seqs) * kv_heads;
  const Flops flops(2.0 * op.pairs * op.heads * (a.d_qk + a.d_v));

  // Cores take whole items; with fewer items than cores they split query tiles
  // and each reads the item's K/V.
  const double cores = p.cores;
  EngineLoad core;
  EngineLoad rank;
  int active = 1;
  if (items >= cores || a.q_tiles < 2) {
    const EngineLoad one = item_load(p, a, a.q_tiles - 1, 1);
    core = one.scaled(std::ceil(items / cores));
    rank = one.scaled(items);
    active = static_cast<int>(std::min(items, cores));
  } else {
    // The first core takes ceil(q_tiles / 2) full tiles, the other the rest.
    const double mine = std::ceil(a.q_tiles / cores);
    core = item_load(p, a, mine, 0).scaled(items);
    rank = core;
    rank += item_load(p, a, a.q_tiles - mine - 1, 1).scaled(items);
    active = static_cast<int>(cores);
  }
  return finish(p, core, active, Bytes(rank.dma_bytes), Bytes(rank.reread_bytes), flops);
}

}  // namespace tessera::neuron

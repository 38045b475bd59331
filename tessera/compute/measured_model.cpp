#include "tessera/compute/measured_model.h"

#include <cmath>
#include <optional>

namespace tessera {
namespace {

// The fitted op's cost with its time replaced: compute, memory and overhead scale with it,
// so the op stays compute- or memory-bound as the fitted model judged it; FLOPs and bytes are
// physical quantities and stay as they are.
OpCost with_time(OpCost c, double time) {
  const double s = c.time.value() > 0 ? time / c.time.value() : 1.0;
  c.compute = c.compute * s;
  c.memory = c.memory * s;
  c.overhead = c.overhead * s;
  c.time = Seconds(time);
  return c;
}

// The out-of-hull rule: the fitted time times measured/fitted at the reference point (the
// reference is always a table point, so `measured` is present unless the grid is empty).
OpCost corrected(const OpCost& fitted, std::optional<double> measured_ref, const OpCost& fitted_ref) {
  if (!measured_ref || !(fitted_ref.time.value() > 0)) return fitted;
  return with_time(fitted, fitted.time.value() * (*measured_ref / fitted_ref.time.value()));
}

// The attention head shape is in the tables only with equal QK and V head dims.
int head_dim(const AttentionOp& op) { return op.head_dim_qk == op.head_dim_v ? op.head_dim_qk : -1; }

AttentionOp prefill_op(const AttentionOp& like, double batch, double isl) {
  AttentionOp a = like;
  a.seqs = std::llround(batch);
  a.q_tokens = a.kv_tokens = std::llround(batch * isl);
  a.pairs = batch * isl * (isl + 1) / 2;
  return a;
}

AttentionOp decode_op(const AttentionOp& like, double batch, double kv_len) {
  AttentionOp a = like;
  a.seqs = a.q_tokens = std::llround(batch);
  a.kv_tokens = std::llround(batch * kv_len);
  a.pairs = static_cast<double>(a.kv_tokens);
  return a;
}

}  // namespace

MeasuredModel::MeasuredModel(const RankResources& rank, const NvidiaComputeFit& fit, const NvidiaKernelTables& t)
    : fitted_(rank, fit) {
  for (const GemmTableRow& r : t.gemm)
    gemm_.try_emplace(r.dtype, 3).first->second.add(
        {static_cast<double>(r.m), static_cast<double>(r.n), static_cast<double>(r.k)}, r.latency.value());
  for (const PrefillTableRow& r : t.prefill)
    prefill_.try_emplace(HeadKey{r.heads, r.kv_heads, r.head_dim, r.compute_dtype, r.kv_dtype}, 2)
        .first->second.add({static_cast<double>(r.batch), static_cast<double>(r.isl)}, r.latency.value());
  for (const DecodeTableRow& r : t.decode)
    decode_.try_emplace(HeadKey{r.heads, r.kv_heads, r.head_dim, DType::BF16, r.kv_dtype}, 2)
        .first->second.add({static_cast<double>(r.batch), static_cast<double>(r.kv_len)}, r.latency.value());
  for (auto* grids : {&prefill_, &decode_})
    for (auto& [key, g] : *grids) g.build();
  for (auto& [d, g] : gemm_) g.build();
}

// GEMM: the table of its dtype at (m, n, k) when activations and weights share a measured
// dtype; a batched GEMM (count > 1, e.g. experts) or a point outside the hull takes the
// fitted time corrected by measured/fitted of the single GEMM at the nearest table point.
OpCost MeasuredModel::gemm(const GemmOp& op) const {
  const OpCost fitted = fitted_.gemm(op);
  if (op.m <= 0 || op.n <= 0 || op.k <= 0 || op.count <= 0 || op.act_dtype != op.weight_dtype) return fitted;
  const auto it = gemm_.find(op.act_dtype);
  if (it == gemm_.end()) return fitted;
  const LogGrid& g = it->second;
  const std::vector<double> x{static_cast<double>(op.m), static_cast<double>(op.n), static_cast<double>(op.k)};
  if (op.count == 1)
    if (auto t = g.at(x)) return with_time(fitted, *t);
  const std::vector<double> ref = g.nearest(x);
  GemmOp ref_op = op;
  ref_op.m = std::llround(ref[0]);
  ref_op.n = std::llround(ref[1]);
  ref_op.k = std::llround(ref[2]);
  ref_op.count = 1;
  return corrected(fitted, g.at(ref), fitted_.gemm(ref_op));
}

OpCost MeasuredModel::attention(const AttentionOp& op) const {
  if (op.seqs <= 0 || op.q_tokens <= 0 || op.heads <= 0) return fitted_.attention(op);
  return op.decode ? decode(op) : prefill(op);
}

// Prefill: the table of the head shape at (sequences, prompt length) when the op is what the
// table measured — full causal prompts of equal length, no cached prefix. A chunk over a
// cached prefix, ragged lengths, a sliding window or a point outside the hull take the fitted
// time corrected at the nearest table point to (sequences, KV length per sequence).
OpCost MeasuredModel::prefill(const AttentionOp& op) const {
  const OpCost fitted = fitted_.attention(op);
  const auto it = prefill_.find(HeadKey{op.heads, op.kv_heads, head_dim(op), op.compute_dtype, op.kv_dtype});
  if (it == prefill_.end()) return fitted;
  const LogGrid& g = it->second;
  const double seqs = static_cast<double>(op.seqs);
  const double isl = static_cast<double>(op.kv_tokens) / seqs;
  const double causal = seqs * isl * (isl + 1) / 2;
  const bool as_measured = op.kv_tokens == op.q_tokens && std::abs(op.pairs / causal - 1) <= 1e-9;
  if (as_measured)
    if (auto t = g.at({seqs, isl})) return with_time(fitted, *t);
  const std::vector<double> ref = g.nearest({seqs, isl});
  return corrected(fitted, g.at(ref), fitted_.attention(prefill_op(op, ref[0], ref[1])));
}

// Decode: the table of the head shape and KV dtype at (sequences, mean KV length) for one
// query token per sequence; more query tokens per sequence (speculative verification) or a
// point outside the hull take the fitted time corrected at the nearest table point.
OpCost MeasuredModel::decode(const AttentionOp& op) const {
  const OpCost fitted = fitted_.attention(op);
  const auto it = decode_.find(HeadKey{op.heads, op.kv_heads, head_dim(op), DType::BF16, op.kv_dtype});
  if (it == decode_.end()) return fitted;
  const LogGrid& g = it->second;
  const double seqs = static_cast<double>(op.seqs);
  const double kv_len = static_cast<double>(op.kv_tokens) / seqs;
  if (op.q_tokens == op.seqs)
    if (auto t = g.at({seqs, kv_len})) return with_time(fitted, *t);
  const std::vector<double> ref = g.nearest({seqs, kv_len});
  return corrected(fitted, g.at(ref), fitted_.attention(decode_op(op, ref[0], ref[1])));
}

}  // namespace tessera

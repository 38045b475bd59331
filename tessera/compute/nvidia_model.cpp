#include "tessera/compute/nvidia_model.h"

#include <algorithm>
#include <cmath>

namespace tessera {
namespace {

// CTA tiles (rows of X x columns of W) the GEMM library picks from; the model takes the
// fastest, as the library heuristics aim to. Same list as tools/calibrate/nvidia_forms.py.
constexpr std::array<std::array<double, 2>, 4> kGemmTiles{{{64, 128}, {64, 256}, {128, 128}, {128, 256}}};
// Flash-decoding splits one sequence's KV into chunks of this many tokens.
constexpr double kDecodeKvChunk = 1024;

// The next wider format a missing fit or peak falls back to (as ChipSpec::peak).
DType wider(DType d) {
  switch (d) {
    case DType::FP4: return DType::MXFP4;
    case DType::MXFP4: return DType::MXFP8;
    case DType::MXFP8: return DType::FP8;
    case DType::INT8: return DType::FP8;
    default: return DType::BF16;
  }
}

template <class Fit>
Fit pick(const std::map<DType, Fit>& fits, DType d) {
  for (int i = 0; i < 6; ++i) {
    if (auto it = fits.find(d); it != fits.end()) return it->second;
    if (d == DType::BF16) break;
    d = wider(d);
  }
  auto it = fits.find(DType::BF16);
  return it != fits.end() ? it->second : Fit{};
}

double soft_max(double a, double b, double p) {
  if (a <= 0) return b;
  if (b <= 0) return a;
  const double hi = std::max(a, b);
  return hi * std::pow(std::pow(a / hi, p) + std::pow(b / hi, p), 1.0 / p);
}

// A narrow weight is dequantised into the activation format; both narrow -> narrow math.
DType gemm_compute_dtype(const GemmOp& op) {
  return dtype_bits(op.weight_dtype) > dtype_bits(op.act_dtype) ? op.weight_dtype : op.act_dtype;
}

// Keys the longest query row sees: the KV length for causal attention, the window when a
// sliding window cuts the pairs below the causal count (same as nvidia_forms.prefill_span).
double prefill_span(const AttentionOp& op) {
  const double seqs = static_cast<double>(op.seqs);
  const double sq = static_cast<double>(op.q_tokens) / seqs;
  const double skv = static_cast<double>(op.kv_tokens) / seqs;
  const double causal = seqs * (sq * (skv - sq) + sq * (sq + 1) / 2);
  return op.pairs < 0.99 * causal ? op.pairs / static_cast<double>(op.q_tokens) : skv;
}

}  // namespace

NvidiaModel::NvidiaModel(const RankResources& rank, const NvidiaComputeFit& fit)
    : elementwise_(fit.elementwise) {
  const ChipSpec& chip = *rank.chip;
  const double share = rank.chip_fraction;
  bw_ = chip.hbm_bandwidth.value() * share;
  sms_ = std::max(1.0, fit.sms_for(chip.name) * share);
  if (auto it = chip.peak_dense.find(DType::FP32); it != chip.peak_dense.end()) fp32_peak_ = it->second.value() * share;
  for (int i = 0; i < kDTypes; ++i) {
    const auto d = static_cast<DType>(i);
    DType used = DType::BF16;
    peak_[i] = chip.peak(d, &used).value() * share;
    peak_dtype_[i] = used;
    // Parameters follow the dtype whose peak is used: FP8 on a chip without FP8 runs as BF16.
    gemm_[i] = pick(fit.gemm, used);
    prefill_[i] = pick(fit.prefill, used);
    decode_[i] = pick(fit.decode, d);
  }
}

OpCost NvidiaModel::gemm(const GemmOp& op) const {
  OpCost c;
  if (op.m <= 0 || op.n <= 0 || op.k <= 0 || op.count <= 0) return c;
  const int di = index(gemm_compute_dtype(op));
  const GemmFit& f = gemm_[di];
  const double m = static_cast<double>(op.m), n = static_cast<double>(op.n), k = static_cast<double>(op.k);
  const double count = static_cast<double>(op.count);
  const double sm_rate = peak_[di] / sms_ * f.compute_efficiency;
  double tc = INFINITY;
  for (const auto& [tm, tn] : kGemmTiles) {
    const double ctas = std::ceil(m / tm) * std::ceil(n / tn) * count;
    const double split = std::max(1.0, std::min(std::floor(sms_ / ctas), std::floor(k / f.split_k_min)));
    const double waves = std::ceil(ctas * split / sms_);
    tc = std::min(tc, waves * 2.0 * tm * tn * (k / split + f.tile_overhead_k) / sm_rate);
  }
  const double a_bytes = dtype_bytes(op.act_dtype);
  const double bytes = count * (dtype_bytes(op.weight_dtype) * k * n + a_bytes * (m * k + m * n));
  const double tmem = bytes / (bw_ * f.memory_efficiency);
  const double quant = f.act_quant_bytes * count * m * k / bw_;
  c.compute = Seconds(tc);
  c.memory = Seconds(tmem);
  c.overhead = f.launch + Seconds(quant);
  c.time = Seconds(soft_max(tc, tmem, f.blend)) + c.overhead;
  c.flops = Flops(2.0 * m * n * k * count);
  c.hbm_bytes = Bytes(bytes);
  return c;
}

OpCost NvidiaModel::attention(const AttentionOp& op) const {
  if (op.seqs <= 0 || op.q_tokens <= 0 || op.heads <= 0) return {};
  return op.decode ? decode(op) : prefill(op);
}

OpCost NvidiaModel::prefill(const AttentionOp& op) const {
  const int di = index(op.compute_dtype);
  const PrefillAttentionFit& f = prefill_[di];
  const double heads = op.heads, dsum = op.head_dim_qk + op.head_dim_v;
  const double span = std::max(1.0, prefill_span(op));
  const double tc = heads * op.pairs * (2.0 * dsum + f.softmax_flops_per_score) / (peak_[di] * f.compute_efficiency) *
                    (1.0 + f.kv_fill_tokens / span);
  const double q_bytes = dtype_bytes(op.compute_dtype);
  const double bytes = static_cast<double>(op.q_tokens) * heads * dsum * q_bytes +
                       static_cast<double>(op.kv_tokens) * static_cast<double>(op.kv_bytes_per_token);
  const double tmem = bytes / (bw_ * f.memory_efficiency);
  OpCost c;
  c.compute = Seconds(tc);
  c.memory = Seconds(tmem);
  c.overhead = f.launch + f.seq_head_per_sm * (static_cast<double>(op.seqs) * heads / sms_);
  c.time = c.compute + c.memory + c.overhead;  // the fit found the terms additive (blend exponent 1)
  c.flops = Flops(2.0 * heads * op.pairs * dsum);
  c.hbm_bytes = Bytes(bytes);
  return c;
}

OpCost NvidiaModel::decode(const AttentionOp& op) const {
  const DecodeAttentionFit& f = decode_[index(op.kv_dtype)];
  const int ci = index(op.compute_dtype);
  const double seqs = static_cast<double>(op.seqs), heads = op.heads, kv_heads = std::max(1, op.kv_heads);
  const double dsum = op.head_dim_qk + op.head_dim_v;
  const double span = std::max(1.0, static_cast<double>(op.kv_tokens) / seqs);
  const double bytes = static_cast<double>(op.kv_tokens) * static_cast<double>(op.kv_bytes_per_token) +
                       seqs * heads * dsum * 2.0;  // q in, o out in bf16
  const double units = seqs * kv_heads * std::ceil(span / kDecodeKvChunk);
  const double tmem = bytes / (bw_ * f.memory_efficiency) / std::min(1.0, units / (sms_ * f.ctas_per_sm));
  const double tc = heads * op.pairs * 2.0 * dsum / (peak_[ci] * f.compute_efficiency);
  OpCost c;
  c.compute = Seconds(tc);
  c.memory = Seconds(tmem);
  c.overhead = f.launch + f.seq_kv_head_per_sm * (seqs * kv_heads / sms_) + f.seq_q_head_per_sm * (seqs * heads / sms_);
  c.time = Seconds(std::max(tc, tmem)) + c.overhead;
  c.flops = Flops(2.0 * heads * op.pairs * dsum);
  c.hbm_bytes = Bytes(bytes);
  return c;
}

OpCost NvidiaModel::elementwise(const ElementwiseOp& op) const {
  OpCost c;
  c.flops = Flops(static_cast<double>(op.elements) * op.flops_per_element);
  c.hbm_bytes = op.bytes;
  c.compute = fp32_peak_ > 0 ? Seconds(c.flops.value() / fp32_peak_) : Seconds(0);
  c.memory = Seconds(op.bytes.value() / (bw_ * elementwise_.memory_efficiency));
  // Fused into a neighbour (no HBM traffic of its own): no launch of its own either.
  c.overhead = op.bytes.value() > 0 ? elementwise_.launch : Seconds(0);
  c.time = max(c.compute, c.memory) + c.overhead;
  return c;
}

}  // namespace tessera

// GEMM Y[m,n] = X[m,k] . W[k,n] on TensorE (docs/models/neuron.md §GEMM).
#include <algorithm>
#include <cmath>

#include "tessera/compute/neuron_core_model.h"

namespace tessera::neuron {

namespace {

struct GemmShape {
  double m = 0, n = 0, k = 0, count = 0;
  bool empty() const { return m <= 0 || n <= 0 || k <= 0 || count <= 0; }
};

struct CoreEval {
  EngineLoad load;
  bool weights_stationary = true;
  CriticalPath path;
};

DType wider(DType a, DType b) { return dtype_bits(b) > dtype_bits(a) ? b : a; }

// Matmul instructions, LoadStationary and PSUM evacuation for one mapping. With W
// stationary, W tiles [k_rows x 128] sit in the array and X^T streams as the moving
// operand (free size m); otherwise the roles swap.
void add_tensor_work(EngineLoad& l, const CoreParams& p, const GemmShape& s, bool ws,
                     double rate) {
  const double k_rows = p.pe_rows * std::max(1.0, rate);  // FP8 double-row / MX: K=256/512
  const double scale = rate < 1 ? 1.0 / rate : 1.0;       // FP32: ~4x slower
  const double stat = ws ? s.n : s.m;
  const double mov = ws ? s.m : s.n;
  const double k_tiles = std::ceil(s.k / k_rows);
  const double stat_tiles = std::ceil(stat / p.pe_cols);
  const double chunks = std::ceil(mov / p.moving_chunk);
  const double last = mov - (chunks - 1) * p.moving_chunk;
  // Each moving chunk accumulates over K in its own PSUM bank, so one stationary
  // load serves at most psum_banks chunks.
  const double groups = std::ceil(chunks / p.psum_banks);
  const double tiles = k_tiles * stat_tiles * s.count;
  const double mm_before = l.tensor_cycles;
  add_matmuls(l, p, p.moving_chunk, tiles * (chunks - 1), scale);
  add_matmuls(l, p, last, tiles, scale);
  // Each load hides behind the matmuls of the group it serves.
  const double hidden = (l.tensor_cycles - mm_before) / (tiles * groups);
  add_stationary_loads(l, stat / stat_tiles, tiles * groups, scale, hidden);
  // PSUM -> SBUF: one VectorE copy per output tile (a full moving chunk, or the last
  // partial one), reading FP32 accumulators.
  const double first_n = std::min(mov, p.moving_chunk);
  const double evac = add_vector(l, p, first_n, stat_tiles * (chunks - 1) * s.count, true);
  add_vector(l, p, last, stat_tiles * s.count, true);

  l.tensor_tile_cycles =
      stationary_load_cycles(std::min(stat, double(p.pe_cols)), scale) + std::max(first_n, p.min_ii) * scale;
  l.vector_tile_cycles = std::max(l.vector_tile_cycles, evac);
}

// Weights in a format TensorE cannot read are converted in SBUF, split between
// VectorE and ScalarE in proportion to their rates (estimate: the compiler balances them).
void add_dequant(EngineLoad& l, const CoreParams& p, const GemmShape& s, DType w) {
  const double elements = s.k * s.n * s.count;
  const double rv = p.vector_elems_per_cycle * p.vector_clock.value();
  const double rs = p.scalar_elems_per_cycle * p.scalar_clock.value();
  const double fv = rv / (rv + rs);
  const double tile_free = kElementwiseTileBytesPerPartition / dtype_bytes(w);
  add_elementwise(l, p, ElementwiseEngine::Vector, elements * fv, tile_free, 1, false);
  add_elementwise(l, p, ElementwiseEngine::Scalar, elements * (1 - fv), tile_free, 1, false);
}

// HBM traffic. If neither operand fits the SBUF budget, one is kept resident in
// panels and the other is re-read once per panel (the cheaper way round).
void add_traffic(EngineLoad& l, const CoreParams& p, const GemmShape& s, const GemmOp& op,
                 bool ws, double rate) {
  const double ab = dtype_bytes(op.act_dtype);
  const double wb = dtype_bytes(op.weight_dtype);
  const double x = s.m * s.k * ab;
  const double w = s.k * s.n * wb;
  const double y = s.m * s.n * ab;
  const double budget = p.sbuf.value() * kSbufResidentFraction;
  double reread = 0;
  if (std::min(x, w) > budget) {
    const double keep_x = w * (std::ceil(x / budget) - 1);  // X in panels, W re-read per panel
    const double keep_w = x * (std::ceil(w / budget) - 1);
    reread = std::min(keep_x, keep_w);
  }
  const double c = s.count;
  l.dma_bytes += c * (x + w + y + reread);
  l.reread_bytes += c * reread;
  l.dma_transfers += std::llround(c * static_cast<double>(dma_transfers(p, x) + dma_transfers(p, w) +
                                                          dma_transfers(p, y) +
                                                          dma_transfers(p, reread)));
  const double k_rows = p.pe_rows * std::max(1.0, rate);
  const double stat = std::min(ws ? s.n : s.m, double(p.pe_cols));
  const double mov = std::min(ws ? s.m : s.n, p.moving_chunk);
  l.dma_tile_bytes = k_rows * (stat * (ws ? wb : ab) + mov * (ws ? ab : wb)) + stat * mov * ab;
}

EngineLoad core_load(const CoreParams& p, const GemmShape& s, const GemmOp& op, bool ws) {
  EngineLoad l;
  if (s.empty()) return l;
  const DType compute = wider(op.act_dtype, op.weight_dtype);
  const double rate = matmul_rate(p, compute);
  add_tensor_work(l, p, s, ws, rate);
  if (!tensor_native(p, op.weight_dtype) && dtype_bits(op.weight_dtype) < dtype_bits(compute))
    add_dequant(l, p, s, op.weight_dtype);
  add_traffic(l, p, s, op, ws, rate);
  return l;
}

// The mapping with the shorter critical path, as the compiler's cost model picks the
// stationary operand per GEMM shape. Small-batch decode: W stationary streams a 128x128
// weight tile per max(m, II floor) cycles with its load hidden (256 weights/cycle at
// m <= 64), X stationary streams W as the moving operand at 128 weights/cycle; both
// outrun HBM on every generation, so decode is bound by weight streaming.
CoreEval eval_core(const CoreParams& p, const GemmShape& s, const GemmOp& op, int active) {
  CoreEval ws{core_load(p, s, op, true), true, {}};
  ws.path = critical_path(p, ws.load, active);
  if (s.empty()) return ws;
  CoreEval as{core_load(p, s, op, false), false, {}};
  as.path = critical_path(p, as.load, active);
  return as.path.time < ws.path.time ? as : ws;
}

struct Split {
  GemmShape core[2];
};

NeuronBreakdown eval_split(const CoreParams& p, const Split& sp, const GemmOp& op, Flops flops) {
  const int active = (sp.core[0].empty() ? 0 : 1) + (sp.core[1].empty() ? 0 : 1);
  const CoreEval a = eval_core(p, sp.core[0], op, std::max(active, 1));
  const CoreEval b = eval_core(p, sp.core[1], op, std::max(active, 1));
  const CoreEval& slow = b.path.time > a.path.time ? b : a;
  NeuronBreakdown r = finish(p, slow.load, std::max(active, 1),
                             Bytes(a.load.dma_bytes + b.load.dma_bytes),
                             Bytes(a.load.reread_bytes + b.load.reread_bytes), flops);
  r.weights_stationary = slow.weights_stationary;
  return r;
}

}  // namespace

NeuronBreakdown cost_gemm(const CoreParams& p, const GemmOp& op) {
  const GemmShape s{double(op.m), double(op.n), double(op.k), double(op.count)};
  const Flops flops(s.empty() ? 0.0 : 2.0 * s.m * s.n * s.k * s.count);
  if (s.empty()) return finish(p, EngineLoad{}, 1, Bytes(0), Bytes(0), flops);
  if (p.cores == 1) return eval_split(p, Split{{s, GemmShape{}}}, op, flops);
  // LNC=2: the two physical cores split N, M or the repeats; the compiler's best.
  auto halves = [](double v) { return std::pair{std::ceil(v / 2), v - std::ceil(v / 2)}; };
  const auto [n0, n1] = halves(s.n);
  const auto [m0, m1] = halves(s.m);
  const auto [c0, c1] = halves(s.count);
  const Split splits[] = {
      {{{s.m, n0, s.k, s.count}, {s.m, n1, s.k, s.count}}},
      {{{m0, s.n, s.k, s.count}, {m1, s.n, s.k, s.count}}},
      {{{s.m, s.n, s.k, c0}, {s.m, s.n, s.k, c1}}},
  };
  NeuronBreakdown best = eval_split(p, splits[0], op, flops);
  for (int i = 1; i < 3; ++i) {
    if (i == 2 && s.count < 2) break;
    NeuronBreakdown b = eval_split(p, splits[i], op, flops);
    if (b.cost.time < best.cost.time) best = b;
  }
  return best;
}

}  // namespace tessera::neuron

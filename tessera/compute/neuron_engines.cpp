#include "tessera/compute/neuron_engines.h"

#include <algorithm>
#include <cmath>

namespace tessera::neuron {

namespace {

// PSUM bank width in FP32 accumulators per partition ([N1]: one bank = 2 KiB =
// 512 FP32 per partition). Falls back to moving_free_max when PSUM is unknown.
double psum_bank_fp32(const NeuronCoreSpec& nc) {
  if (nc.psum.value() <= 0 || nc.psum_banks <= 0 || nc.pe_rows <= 0) return nc.moving_free_max;
  return nc.psum.value() / nc.pe_rows / nc.psum_banks / 4.0;
}

// Per-partition throughput of an element-wise engine, elements per cycle.
double per_partition_rate(const CoreParams& p, double elems_per_cycle) {
  return std::max(elems_per_cycle, 1.0) / p.pe_rows;
}

}  // namespace

CoreParams make_core_params(const NeuronCoreSpec& nc, const ChipSpec& chip, int physical_cores,
                            double chip_fraction) {
  CoreParams p;
  p.pe_rows = nc.pe_rows;
  p.pe_cols = nc.pe_cols;
  p.moving_chunk = std::min<double>(nc.moving_free_max, psum_bank_fp32(nc));
  p.min_ii = nc.min_initiation_cycles;
  p.psum_banks = std::max(1, nc.psum_banks);
  for (const auto& [d, r] : nc.macs_per_pe_cycle) p.macs[dtype_index(d)] = r;
  p.tensor_clock = nc.tensor_clock;
  p.vector_clock = nc.vector_clock;
  p.scalar_clock = nc.scalar_clock;
  p.vector_elems_per_cycle = nc.vector_elems_per_cycle;
  p.scalar_elems_per_cycle = nc.scalar_elems_per_cycle;
  p.instruction_overhead = nc.instruction_overhead_cycles;
  p.sbuf = nc.sbuf;
  p.dma_queues = std::max(1, nc.dma_engines);
  p.dma_bandwidth_per_queue = nc.dma_bandwidth_per_engine;
  p.dma_fixed = nc.dma_fixed_cost;
  p.hbm_share = chip.hbm_bandwidth * chip_fraction;
  p.cores = std::max(1, physical_cores);
  return p;
}

double matmul_rate(const CoreParams& p, DType d, DType* used) {
  // Same fallback chain as ChipSpec::peak: a narrow format the array lacks is
  // computed in the next wider one it has.
  DType cur = d;
  for (int i = 0; i < kDTypeCount; ++i) {
    if (double r = p.macs[dtype_index(cur)]; r > 0) {
      if (used) *used = cur;
      return r;
    }
    switch (cur) {
      case DType::FP4: cur = DType::MXFP4; continue;
      case DType::MXFP4: cur = DType::MXFP8; continue;
      case DType::MXFP8: cur = DType::FP8; continue;
      case DType::INT8: cur = DType::FP8; continue;
      case DType::FP8: case DType::FP16: case DType::TF32: cur = DType::BF16; continue;
      case DType::FP32: {
        const double bf16 = p.macs[dtype_index(DType::BF16)];
        if (used) *used = DType::FP32;
        return kFp32MatmulRate * (bf16 > 0 ? bf16 : 1.0);
      }
      case DType::BF16: break;
    }
    break;
  }
  if (used) *used = DType::BF16;
  return 1.0;
}

EngineLoad& EngineLoad::operator+=(const EngineLoad& o) {
  tensor_cycles += o.tensor_cycles;
  tensor_fixed_cycles += o.tensor_fixed_cycles;
  vector_cycles += o.vector_cycles;
  vector_fixed_cycles += o.vector_fixed_cycles;
  scalar_cycles += o.scalar_cycles;
  scalar_fixed_cycles += o.scalar_fixed_cycles;
  matmuls += o.matmuls;
  stationary_loads += o.stationary_loads;
  vector_instructions += o.vector_instructions;
  scalar_instructions += o.scalar_instructions;
  dma_bytes += o.dma_bytes;
  dma_transfers += o.dma_transfers;
  reread_bytes += o.reread_bytes;
  tensor_tile_cycles = std::max(tensor_tile_cycles, o.tensor_tile_cycles);
  vector_tile_cycles = std::max(vector_tile_cycles, o.vector_tile_cycles);
  scalar_tile_cycles = std::max(scalar_tile_cycles, o.scalar_tile_cycles);
  dma_tile_bytes = std::max(dma_tile_bytes, o.dma_tile_bytes);
  return *this;
}

EngineLoad EngineLoad::scaled(double s) const {
  EngineLoad r = *this;
  r.tensor_cycles *= s;
  r.tensor_fixed_cycles *= s;
  r.vector_cycles *= s;
  r.vector_fixed_cycles *= s;
  r.scalar_cycles *= s;
  r.scalar_fixed_cycles *= s;
  r.matmuls = std::llround(static_cast<double>(matmuls) * s);
  r.stationary_loads = std::llround(static_cast<double>(stationary_loads) * s);
  r.vector_instructions = std::llround(static_cast<double>(vector_instructions) * s);
  r.scalar_instructions = std::llround(static_cast<double>(scalar_instructions) * s);
  r.dma_bytes *= s;
  r.dma_transfers = std::llround(static_cast<double>(dma_transfers) * s);
  r.reread_bytes *= s;
  return r;
}

void add_matmuls(EngineLoad& l, const CoreParams& p, double n, double count, double cycle_scale) {
  if (count <= 0) return;
  const double ii = std::max(n, p.min_ii);
  l.tensor_cycles += count * ii * cycle_scale;
  l.tensor_fixed_cycles += count * (ii - n) * cycle_scale;
  l.matmuls += std::llround(count);
}

void add_stationary_loads(EngineLoad& l, double cols, double count, double cycle_scale, double hidden) {
  if (count <= 0) return;
  const double exposed = std::max(0.0, stationary_load_cycles(cols, cycle_scale) - hidden);
  l.tensor_cycles += count * exposed;
  l.tensor_fixed_cycles += count * exposed;
  l.stationary_loads += std::llround(count);
}

double add_vector(EngineLoad& l, const CoreParams& p, double free_elems, double count,
                  bool wide32) {
  const double epc = wide32 ? std::min(p.vector_elems_per_cycle, kVector32BitElemsPerCycle)
                            : p.vector_elems_per_cycle;
  const double one = p.instruction_overhead + free_elems / per_partition_rate(p, epc);
  if (count <= 0) return one;
  l.vector_cycles += count * one;
  l.vector_fixed_cycles += count * p.instruction_overhead;
  l.vector_instructions += std::llround(count);
  return one;
}

double add_scalar(EngineLoad& l, const CoreParams& p, double free_elems, double count) {
  const double one =
      p.instruction_overhead + free_elems / per_partition_rate(p, p.scalar_elems_per_cycle);
  if (count <= 0) return one;
  l.scalar_cycles += count * one;
  l.scalar_fixed_cycles += count * p.instruction_overhead;
  l.scalar_instructions += std::llround(count);
  return one;
}

int64_t add_elementwise(EngineLoad& l, const CoreParams& p, ElementwiseEngine e, double elements,
                        double tile_free, double passes, bool wide32) {
  if (elements <= 0 || passes <= 0) return 0;
  const double instr = std::ceil(elements / (static_cast<double>(p.pe_rows) * tile_free));
  // Elements spread over all partitions; instructions share them evenly.
  const double free_per_instr = elements / p.pe_rows / instr;
  if (e == ElementwiseEngine::Vector) {
    const double one = add_vector(l, p, free_per_instr, instr * passes, wide32);
    l.vector_tile_cycles = std::max(l.vector_tile_cycles, one * passes);
  } else {
    const double one = add_scalar(l, p, free_per_instr, instr * passes);
    l.scalar_tile_cycles = std::max(l.scalar_tile_cycles, one * passes);
  }
  return std::llround(instr * passes);
}

int64_t dma_transfers(const CoreParams& p, double bytes) {
  if (bytes <= 0) return 0;
  // Spread over the queues in pieces of at least kDmaMinTransferBytes; no piece
  // above 4 KiB per partition (see the constants).
  const double min_t = kDmaMinTransferBytes;
  const double max_t = kDmaMaxBytesPerPartition * p.pe_rows;
  const double by_max = std::ceil(bytes / max_t);
  const double spread = std::min<double>(p.dma_queues, std::ceil(bytes / min_t));
  return std::llround(std::max({1.0, by_max, spread}));
}

void add_dma(EngineLoad& l, const CoreParams& p, double bytes) {
  if (bytes <= 0) return;
  l.dma_bytes += bytes;
  l.dma_transfers += dma_transfers(p, bytes);
}

CriticalPath critical_path(const CoreParams& p, const EngineLoad& c, int active_cores) {
  CriticalPath r;
  r.tensor = cycles(c.tensor_cycles, p.tensor_clock);
  r.vector = cycles(c.vector_cycles, p.vector_clock);
  r.scalar = cycles(c.scalar_cycles, p.scalar_clock);

  Seconds dma_tile{0};
  Seconds dma_fixed{0};
  if (c.dma_bytes > 0) {
    // The queues serve a transfer's partition rows in parallel, so all of them
    // stream any operand; the transfer count only sets how many syncs overlap.
    const double queues = std::clamp<double>(static_cast<double>(c.dma_transfers), 1.0, p.dma_queues);
    BytesPerSecond bw = p.dma_bandwidth_per_queue * static_cast<double>(p.dma_queues);
    if (p.hbm_share.value() > 0) {
      const BytesPerSecond hbm = p.hbm_share / std::max(1, active_cores);
      if (hbm < bw) bw = hbm;
    }
    // Fixed costs of transfers on different queues overlap ("amortised over queues").
    dma_fixed = p.dma_fixed * (static_cast<double>(c.dma_transfers) / queues);
    r.dma = dma_fixed + Bytes(c.dma_bytes) / bw;
    // One transfer's latency: its sync plus its bytes. (The output write's sync
    // overlaps the next op's operand stream in a compiled graph, so it is not added.)
    dma_tile = p.dma_fixed + Bytes(c.dma_tile_bytes) / bw;
  }

  const Seconds tiles[] = {cycles(c.tensor_tile_cycles, p.tensor_clock),
                           cycles(c.vector_tile_cycles, p.vector_clock),
                           cycles(c.scalar_tile_cycles, p.scalar_clock), dma_tile};
  const Seconds busy[] = {r.tensor, r.vector, r.scalar, r.dma};
  const Seconds fixed[] = {cycles(c.tensor_fixed_cycles, p.tensor_clock),
                           cycles(c.vector_fixed_cycles, p.vector_clock),
                           cycles(c.scalar_fixed_cycles, p.scalar_clock), dma_fixed};
  // A pipeline of stages: the op ends when the slowest engine has done all its
  // work AND every other engine has filled or drained one tile around it. Taking
  // the max of (busy_e + other tiles) keeps the time continuous when the critical
  // engine changes.
  Seconds all_tiles{0};
  for (int i = 0; i < 4; ++i)
    if (busy[i].value() > 0) all_tiles += tiles[i];
  int crit = 0;
  Seconds best{-1};
  for (int i = 0; i < 4; ++i) {
    if (busy[i].value() <= 0) continue;
    const Seconds t = busy[i] + all_tiles - tiles[i];
    if (t > best) {
      best = t;
      crit = i;
    }
  }
  if (best.value() < 0) return r;  // no work at all
  r.critical = static_cast<Engine>(crit);
  r.fill_drain = all_tiles - tiles[crit];
  r.fixed = fixed[crit];
  r.time = best;
  return r;
}

}  // namespace tessera::neuron

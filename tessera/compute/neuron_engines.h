// Engine-level building blocks of the NeuronCore cost model: the per-core
// parameters (from NeuronCoreSpec), the per-engine work ledger an operator
// fills, and the critical-path reduction that turns a ledger into a time.
// Equations and citations: docs/models/neuron.md. Internal to compute/.
#pragma once

#include <array>
#include <cstdint>

#include "tessera/compute/op.h"
#include "tessera/core/units.h"
#include "tessera/specs/dtype.h"
#include "tessera/specs/hardware.h"

namespace tessera::neuron {

inline constexpr int kDTypeCount = 9;  // entries of enum class DType
inline constexpr int dtype_index(DType d) { return static_cast<int>(d); }

// Named constants that are not in NeuronCoreSpec. Each is a datasheet figure with
// its source key (shared/reference/hardware.md) or an `estimate:` with the reasoning.

// [N1]: FP32 matmul inputs run the array about 4x slower than BF16.
inline constexpr double kFp32MatmulRate = 0.25;
// DMA transfer sizing. [N4]: a transfer saturates a queue at >= 4 KiB per partition,
// so the compiler has no reason to make one larger than 128 x 4 KiB (a bigger one
// only delays its first consumer). hardware.md §1 example: 32 KiB HBM->SBUF on one
// queue takes 1,416 ns, i.e. already runs at the large-payload rate (23 B/ns on
// NC-v3), so an operand is spread over the queues in pieces down to 32 KiB.
inline constexpr double kDmaMaxBytesPerPartition = 4096;
inline constexpr double kDmaMinTransferBytes = 32 * 1024;
// estimate: element-wise tiles are sized like the DMA transfers that feed them
// (4 KiB per partition, [N4]); larger tiles add no bandwidth and delay the first op.
inline constexpr double kElementwiseTileBytesPerPartition = 4096;
// [N2]: NC-v3 VectorE moves 512 BF16/FP16 but only 256 "other" (32-bit) elements
// per cycle; we apply that 32-bit ceiling to every generation (NC-v2 is 128 anyway).
inline constexpr double kVector32BitElemsPerCycle = 256;
// estimate: VectorE instructions fuse two ALU ops per element (tensor_scalar's
// op0/op1, tensor_tensor_scan), so an op of f FLOP/element needs ceil(f/2) passes.
inline constexpr double kVectorFlopsPerPass = 2;
// estimate: a ScalarE activation evaluates func(x * scale + bias) in one pass, so
// one instruction per tile whatever the FLOP count of the function.
inline constexpr double kScalarPassesPerOp = 1;
// estimate: half the SBUF holds the operand kept resident for reuse; the other
// half double-buffers the streamed operand and the outputs.
inline constexpr double kSbufResidentFraction = 0.5;

// One physical NeuronCore's resources, precomputed from NeuronCoreSpec so that
// costing an op does no map lookups or allocation.
struct CoreParams {
  int pe_rows = 128;
  int pe_cols = 128;
  double moving_chunk = 512;           // moving free size per matmul: min(moving_free_max, PSUM bank)
  double min_ii = 64;                  // MultiplyMoving floor, TensorE cycles
  int psum_banks = 8;
  std::array<double, kDTypeCount> macs{};   // MACs/PE/cycle by dtype; 0 = not native
  Hertz tensor_clock{0};
  Hertz vector_clock{0};
  Hertz scalar_clock{0};
  double vector_elems_per_cycle = 0;   // BF16 rate, all partitions
  double scalar_elems_per_cycle = 0;
  double instruction_overhead = 100;   // cycles per Vector/Scalar instruction
  Bytes sbuf{0};
  int dma_queues = 16;
  BytesPerSecond dma_bandwidth_per_queue{0};
  Seconds dma_fixed{0};
  BytesPerSecond hbm_share{0};         // the rank's share of chip HBM bandwidth (0 = unknown)
  int cores = 1;                       // physical cores in the rank
};

CoreParams make_core_params(const NeuronCoreSpec& nc, const ChipSpec& chip, int physical_cores,
                            double chip_fraction);

// The TensorE rate for a dtype, following the ChipSpec::peak fallback chain when the
// core has no native entry. `used` receives the dtype whose rate applies.
double matmul_rate(const CoreParams& p, DType d, DType* used = nullptr);
inline bool tensor_native(const CoreParams& p, DType d) { return p.macs[dtype_index(d)] > 0; }

enum class Engine { Tensor, Vector, Scalar, Dma };

// Work charged to the engines of ONE physical core, in engine cycles and bytes.
struct EngineLoad {
  double tensor_cycles = 0;
  double tensor_fixed_cycles = 0;   // LoadStationary + II-floor padding
  double vector_cycles = 0;
  double vector_fixed_cycles = 0;   // static instruction overheads
  double scalar_cycles = 0;
  double scalar_fixed_cycles = 0;
  int64_t matmuls = 0;
  int64_t stationary_loads = 0;
  int64_t vector_instructions = 0;
  int64_t scalar_instructions = 0;
  double dma_bytes = 0;
  int64_t dma_transfers = 0;
  double reread_bytes = 0;          // part of dma_bytes caused by SBUF overflow
  // One tile's latency per stage: what the pipeline fill/drain adds to the critical path.
  double tensor_tile_cycles = 0;
  double vector_tile_cycles = 0;
  double scalar_tile_cycles = 0;
  double dma_tile_bytes = 0;

  EngineLoad& operator+=(const EngineLoad& o);
  EngineLoad scaled(double s) const;   // the same work repeated s times (tiles unchanged)
};

// `count` MultiplyMoving instructions with moving free size n; cycle_scale > 1 for FP32.
void add_matmuls(EngineLoad& l, const CoreParams& p, double n, double count, double cycle_scale);
// `count` LoadStationary of a stationary tile `cols` wide. A load runs in the
// background while the previous tile's MultiplyMoving instructions stream, and "fast
// LoadStationary" is up to 4x faster than a matmul of the same free size
// (neuron-engine-facts.md §2, [N1][N5]: short-moving case LS_II ~ 128/4 = 32 cycles
// beside MM_II ~ 64). So a load costs cols / kFastLoadStationary cycles, and TensorE
// pays only what exceeds the `hidden` matmul cycles it overlaps (per load).
inline constexpr double kFastLoadStationary = 4;
void add_stationary_loads(EngineLoad& l, double cols, double count, double cycle_scale, double hidden);
// Cycles of one LoadStationary of `cols` columns.
inline double stationary_load_cycles(double cols, double cycle_scale) {
  return cols / kFastLoadStationary * cycle_scale;
}
// `count` VectorE/ScalarE instructions, each over `free_elems` elements per partition
// (all partitions work in parallel). `wide32`: 32-bit data (e.g. PSUM FP32 reads).
// Returns the cycles of one such instruction.
double add_vector(EngineLoad& l, const CoreParams& p, double free_elems, double count,
                  bool wide32);
double add_scalar(EngineLoad& l, const CoreParams& p, double free_elems, double count);
// `elements` of streaming element-wise work in tiles of 128 partitions x tile_free,
// `passes` times over, on VectorE or ScalarE. Returns the instruction count.
int64_t add_elementwise(EngineLoad& l, const CoreParams& p, ElementwiseEngine e,
                        double elements, double tile_free, double passes, bool wide32);
// One operand of `bytes` moved HBM<->SBUF, split into transfers as [N4] advises.
void add_dma(EngineLoad& l, const CoreParams& p, double bytes);
int64_t dma_transfers(const CoreParams& p, double bytes);

// Engine busy times of the most loaded core and the resulting critical path.
struct CriticalPath {
  Seconds tensor{0};
  Seconds vector{0};
  Seconds scalar{0};
  Seconds dma{0};
  Seconds fill_drain{0};
  Seconds fixed{0};      // fixed costs inside the critical engine's busy time
  Seconds time{0};
  Engine critical = Engine::Dma;
};

// `active_cores` of the rank work in parallel and share its HBM bandwidth.
CriticalPath critical_path(const CoreParams& p, const EngineLoad& core, int active_cores);

}  // namespace tessera::neuron

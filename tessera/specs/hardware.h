// Hardware specifications: one accelerator chip and one system (instance,
// UltraServer or rack) built from several chips. Plain values, filled by
// specs/io from data/chips/*.yaml and data/systems/*.yaml. A std::nullopt means
// "no public figure" (the catalog says `unknown`), never zero.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tessera/core/units.h"
#include "tessera/specs/dtype.h"

namespace tessera {

enum class Vendor { Aws, Nvidia, Amd, Other };

// Where a power or price figure comes from: a published source, an `estimate`
// (with its reasoning), or nothing (`unknown`). Planner output lists these beneath
// its tables so that every estimate and unknown is visible.
struct Provenance {
  enum class Kind { Unknown, Source, Estimate } kind = Kind::Unknown;
  std::string text;  // the source or the estimate's reasoning (may be empty for a bare value)
};

// Engine-level description of one physical NeuronCore (NC-v2/v3/v4).
// Facts from the NKI architecture guides (shared/reference/hardware.md §1).
struct NeuronCoreSpec {
  std::string version;                 // "v2", "v3", "v4"
  // TensorE: a pe_rows x pe_cols systolic array.
  int pe_rows = 128;
  int pe_cols = 128;
  Hertz tensor_clock{0};
  int moving_free_max = 512;           // max moving free size N per MultiplyMoving
  int min_initiation_cycles = 64;      // II = max(N, 64) TensorE cycles
  // Multiply-accumulates per PE per cycle by dtype (FP8 double-row = 2, MX = 4, FP32 = 0.25).
  std::map<DType, double> macs_per_pe_cycle;
  // Element-wise engines: clock and elements per cycle (BF16 rate).
  Hertz vector_clock{0};
  double vector_elems_per_cycle = 0;
  Hertz scalar_clock{0};
  double scalar_elems_per_cycle = 0;
  Hertz gpsimd_clock{0};
  double gpsimd_elems_per_cycle = 0;
  double instruction_overhead_cycles = 100;   // static cost of a Vector/Scalar instruction
  // On-chip memories (per core).
  Bytes sbuf{0};
  Bytes psum{0};
  int psum_banks = 8;
  // DMA: queues per core, bandwidth per queue for large transfers, fixed cost per transfer.
  int dma_engines = 16;
  BytesPerSecond dma_bandwidth_per_engine{0};
  Seconds dma_fixed_cost{0};
};

struct ChipSpec {
  std::string name;                    // catalog key, e.g. "trainium2", "h100-sxm"
  std::string display_name;
  Vendor vendor = Vendor::Other;
  // The software platform the chip runs (its runtimes, fits and kernel tables):
  // "neuron" | "nvidia" | "amd". From the chip file's `platform:` key, never inferred
  // from another platform ("not Neuron" does not mean NVIDIA).
  std::string platform;
  int cores = 1;                       // NeuronCores per chip; 1 for a GPU
  std::map<DType, FlopsPerSecond> peak_dense;   // per chip, dense (no sparsity)
  Bytes hbm_capacity{0};
  BytesPerSecond hbm_bandwidth{0};
  Bytes sram{0};                       // SBUF total (Neuron) or L2 (GPU)
  int links = 0;                       // chip-to-chip links
  BytesPerSecond chip_to_chip_bandwidth{0};  // per chip, all links, one direction summed as vendors quote
  std::optional<Watts> tdp;            // unknown for Trainium/Inferentia
  std::optional<Watts> idle_power;
  Provenance tdp_from, idle_power_from;
  std::optional<NeuronCoreSpec> neuron_core;   // set for AWS Neuron chips
  std::string source;                  // where the figures come from

  // Peak for dtype, falling back to the closest supported wider type (FP4 -> FP8 -> BF16).
  // Returns the dtype actually used through `used`.
  FlopsPerSecond peak(DType d, DType* used = nullptr) const;
};

enum class TopologyKind { Single, Ring, Torus2D, Torus2DRings, Switch, TwoLevelSwitch };

// One protocol of a collective runtime: NCCL has LL, LL128 and Simple (low latency
// vs full bandwidth); the Neuron runtime is described by one. Filled from
// data/fabrics/*.yaml (the file a system's `collective_runtime:` names).
struct CollectiveProtocol {
  std::string name;                       // "ll", "ll128", "simple", ...
  Seconds base_latency{0};                // per call: launch and synchronisation
  std::optional<Seconds> step_latency;    // per algorithm step and fabric hop; default: the system's link_latency
  double efficiency = 1.0;                // achieved fraction of link bandwidth
};

// How a system's collective runtime (NCCL, Neuron collectives) drives its fabric.
// An empty spec means: every algorithm, one protocol at link_latency and full bandwidth.
struct CollectiveRuntimeSpec {
  std::string name;                       // file stem, e.g. "nccl-h100-sxm"
  std::vector<std::string> algorithms;    // the runtime's algorithms; automatic choice picks among them
  std::vector<CollectiveProtocol> protocols;
  std::optional<CollectiveProtocol> switch_reduction;  // in-switch reduction (NVLink SHARP, NCCL "NVLS")
  Seconds onchip_latency{0};              // one intra-chip step between ranks sharing a chip
  std::string source;
};

struct SystemSpec {
  std::string name;                    // catalog key, e.g. "trn1.32xlarge"
  std::string chip_name;
  ChipSpec chip;                       // resolved from chip_name
  int chips = 1;
  TopologyKind topology = TopologyKind::Single;
  std::vector<int> topology_dims;      // e.g. {4, 4} for a 4x4 torus
  BytesPerSecond link_bandwidth{0};    // per link, per direction
  Seconds link_latency{0};             // per hop (estimate where no public figure)
  // Fabric tiers beyond the first (link_bandwidth), innermost first: the Trn2 UltraServer's
  // inter-instance ring; Trn3 Gen2's inter-server and inter-rack switch ports. Per chip (all
  // links of that tier together), per direction. Empty for a single-tier fabric.
  std::vector<BytesPerSecond> outer_tier_bandwidth;
  BytesPerSecond scaleout_bandwidth{0};  // EFA/IB per system; 0 where the catalog says `unknown`
  Seconds scaleout_latency{0};           // one EFA/IB message between systems (estimate)
  CollectiveRuntimeSpec collective_runtime;
  int default_lnc = 1;                 // logical NeuronCore config (Trainium2/3 default 2)
  std::optional<UsdPerHour> price_on_demand;
  std::optional<Watts> host_power;     // CPUs, NICs, fans per system
  // Other published rates where the catalog has them (reserved-instance effective
  // rate, Capacity Block rate), each with its provenance (date/source or estimate).
  std::optional<UsdPerHour> price_reserved, price_capacity_block;
  Provenance price_on_demand_from, price_reserved_from, price_capacity_block_from, host_power_from;
  std::string source;
};

}  // namespace tessera

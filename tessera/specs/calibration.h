// Fitted parameters of the calibrated NVIDIA compute model (compute/nvidia_model.h).
// Plain values, filled by specs/io/calibration_io from data/calibration/nvidia/<chip>.yaml,
// which tools/calibrate/fit_nvidia.py writes. The forms the parameters enter are in
// docs/models/nvidia.md; efficiencies are fractions of the chip's datasheet peak or HBM
// bandwidth, and the *_per_sm costs are times of one SM (the model divides by the SM count,
// so the same parameter transfers to a chip with more or fewer SMs).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "tessera/core/units.h"
#include "tessera/specs/dtype.h"

namespace tessera {

// |predicted/measured - 1| over the rows of one fitted table (absent for generic parameters).
struct FitQuality {
  double median = 0;
  double p90 = 0;
  double max = 0;
  long long rows = 0;
  std::optional<double> median_m_ge_64;  // GEMM only: rows with m >= 64
};

// GEMM: compute over CTA tiles and waves, blended with HBM streaming, plus fixed costs.
struct GemmFit {
  double compute_efficiency = 0.8;   // of peak, inside a busy tile
  double tile_overhead_k = 64;       // per-tile prologue/epilogue, in equivalent k elements
  double memory_efficiency = 0.8;    // of HBM bandwidth
  Seconds launch{2e-6};
  double blend = 3;                  // p of the soft maximum (t_c^p + t_m^p)^(1/p)
  double act_quant_bytes = 0;        // HBM bytes per activation element of a separate quantisation pass
  int split_k_min = 1024;            // least k per split when splitting k to fill the SMs
  std::string source_dtype;          // table dtype the fit came from ("bfloat16", "fp8_block", ...)
  std::optional<FitQuality> quality;
};

// Prefill (FlashAttention-style) attention.
struct PrefillAttentionFit {
  double compute_efficiency = 0.9;
  double softmax_flops_per_score = 300;  // exp/max/sum work per score, in tensor-FLOP equivalents
  double kv_fill_tokens = 800;           // K/V pipeline fill: time x (1 + fill / span)
  double memory_efficiency = 0.8;
  Seconds launch{15e-6};
  Seconds seq_head_per_sm{2.5e-6};       // per (sequence, query head) on one SM
  std::string source_dtype;
  std::optional<FitQuality> quality;
};

// Decode attention: KV streaming limited by occupancy, plus fixed costs.
struct DecodeAttentionFit {
  double memory_efficiency = 0.85;
  double ctas_per_sm = 0.3;              // (sequence, kv head, KV chunk) units per SM to saturate HBM
  Seconds launch{9e-6};
  Seconds seq_kv_head_per_sm{0.8e-6};    // per (sequence, kv head) on one SM
  Seconds seq_q_head_per_sm{0.2e-6};     // per (sequence, query head) on one SM
  double compute_efficiency = 0.05;      // of the tensor peak (decode runs GEMV-shaped on CUDA cores)
  std::string source_dtype;
  std::optional<FitQuality> quality;
};

struct ElementwiseFit {
  double memory_efficiency = 0.85;
  Seconds launch{2e-6};
};

struct NvidiaComputeFit {
  std::string chip;                      // catalog chip name, or "generic"
  std::string produced_by;               // the exact command that wrote the file
  std::string source;
  int sms = 132;                         // streaming multiprocessors of the chip
  std::map<std::string, int> sm_counts;  // generic file only: SMs of chips without tables
  std::map<DType, GemmFit> gemm;                 // by compute dtype: bf16, fp8, mxfp8, fp4
  std::map<DType, PrefillAttentionFit> prefill;  // by attention compute dtype: bf16, fp8
  std::map<DType, DecodeAttentionFit> decode;    // by KV-cache dtype: bf16, fp8
  ElementwiseFit elementwise;

  // SM count for `chip_name`: sm_counts entry, else `sms`.
  int sms_for(const std::string& chip_name) const;
};

}  // namespace tessera

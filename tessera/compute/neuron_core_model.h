// The engine-level NeuronCore cost model (NC-v2 trn1/inf2, NC-v3 trn2, NC-v4 trn3).
// An op's time is the critical path over TensorE, VectorE, ScalarE and DMA, each
// engine's busy time built from instruction counts and the fixed costs of
// shared/reference/hardware.md §1, plus one tile's pipeline fill/drain.
// Equations and citations: docs/models/neuron.md.
#pragma once

#include <cstdint>
#include <string_view>

#include "tessera/compute/device_model.h"
#include "tessera/compute/neuron_engines.h"
#include "tessera/core/status.h"

namespace tessera {

enum class NeuronEngine { Tensor, Vector, Scalar, Dma };

// How an op's cost arises: per-engine busy times and instruction counts on the
// most loaded physical core of the rank; bytes are for the whole rank.
struct NeuronBreakdown {
  Seconds tensor{0};
  Seconds vector{0};
  Seconds scalar{0};
  Seconds dma{0};                 // includes per-transfer fixed costs
  Seconds fill_drain{0};          // one tile's latency on each non-critical engine
  NeuronEngine critical = NeuronEngine::Dma;
  int64_t matmuls = 0;            // MultiplyMoving instructions
  int64_t stationary_loads = 0;   // LoadStationary instructions
  int64_t vector_instructions = 0;
  int64_t scalar_instructions = 0;
  int64_t dma_transfers = 0;
  Bytes reread_bytes{0};          // extra HBM reads because operands overflow SBUF (rank)
  bool weights_stationary = true; // GEMM: W is the stationary operand (else X is)
  OpCost cost;
};

// Checks that `r` describes a rank the model can cost; messages name the field and value.
Status validate_neuron_rank(const RankResources& r);

class NeuronCoreModel final : public DeviceModel {
 public:
  // Validates `r` (see validate_neuron_rank); the chip must outlive the model.
  static Result<NeuronCoreModel> create(const RankResources& r);
  // Precondition: validate_neuron_rank(r).ok().
  explicit NeuronCoreModel(const RankResources& r);

  std::string_view name() const override { return "neuron-core"; }
  OpCost gemm(const GemmOp& op) const override { return gemm_detail(op).cost; }
  OpCost attention(const AttentionOp& op) const override { return attention_detail(op).cost; }
  OpCost elementwise(const ElementwiseOp& op) const override {
    return elementwise_detail(op).cost;
  }

  NeuronBreakdown gemm_detail(const GemmOp& op) const;
  NeuronBreakdown attention_detail(const AttentionOp& op) const;
  NeuronBreakdown elementwise_detail(const ElementwiseOp& op) const;

  const neuron::CoreParams& params() const { return p_; }

 private:
  neuron::CoreParams p_;
};

namespace neuron {

// Shared by the op files: reduce one core's load to a breakdown. `rank_bytes` are
// the HBM bytes of all cores, `active_cores` those that work in parallel.
NeuronBreakdown finish(const CoreParams& p, const EngineLoad& core, int active_cores,
                       Bytes rank_bytes, Bytes rank_reread, Flops flops);

// Per-op costing, one file each (neuron_gemm.cpp, neuron_attention.cpp, neuron_elementwise.cpp).
NeuronBreakdown cost_gemm(const CoreParams& p, const GemmOp& op);
NeuronBreakdown cost_attention(const CoreParams& p, const AttentionOp& op);
NeuronBreakdown cost_elementwise(const CoreParams& p, const ElementwiseOp& op);

}  // namespace neuron

}  // namespace tessera

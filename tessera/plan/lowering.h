// The compiler's front half: model graph + deployment + batch shape -> the operators
// one rank executes in one iteration. Every model lowers through its operator graph
// (specs/graph.h): the graph of a .graph.json file or PyTorch export as given, or the
// one the Hugging Face front end builds (graph_from_model). The TP layout is decided
// once per deployment (graph_layout.h); each batch then fills in the rows.
#pragma once

#include <memory>
#include <vector>

#include "tessera/plan/batch.h"
#include "tessera/plan/graph_layout.h"
#include "tessera/plan/placement.h"
#include "tessera/plan/planned_op.h"

namespace tessera {

// The activations' dtype as the GEMMs read them for `weights` on `chip` (BF16 unless
// the chip runs the weights' narrow format natively).
DType gemm_act_dtype(const ChipSpec* chip, DType weights);

class Lowering {
 public:
  // Lowers model.graph, or the graph built from the config when it is unset (a
  // ModelSpec from the Hugging Face front end always has one; std::invalid_argument
  // for a spec no graph can describe). The graph must pass check_graph_lowering.
  // fused_elementwise: the serving stack fuses norms' neighbours, RoPE, the KV write
  // and the MLP activation into neighbouring kernels (no separate HBM round trip).
  // sequence_parallel: in a prefill-only step (a context-encoding graph) norms and
  // residual adds run on tokens/tp per rank between a reduce-scatter and an all-gather
  // that replace each TP all-reduce (NxD Inference `sequence_parallel_enabled`).
  Lowering(const ModelSpec& model, const DeploymentSpec& dep, const Placement& placement,
           bool fused_elementwise = false, bool sequence_parallel = false);
  // Appends the ops of one iteration to `out` (cleared first). Op names may point into
  // the graph: it must outlive the ops (share model.graph, as a ModelSpec from a front end does).
  void lower(const BatchShape& batch, OpSet set, std::vector<PlannedOp>& out) const;
  const std::vector<LayoutStep>& steps() const { return steps_; }
  int layers() const { return layers_; }

 private:
  void lower_step(const LayoutStep& s, const BatchShape& b, std::vector<PlannedOp>& out) const;
  void lower_sp_allreduce(const LayoutStep& s, double bytes, std::vector<PlannedOp>& out) const;
  void lower_moe(const LayoutStep& s, double t, int64_t tokens, std::vector<PlannedOp>& out) const;
  void lower_attention(const LayoutStep& s, const BatchShape& b, std::vector<PlannedOp>& out) const;
  int64_t rank_share(int64_t n) const { return (n + adp_ - 1) / adp_; }
  GemmOp gemm(int64_t m, int64_t n, int64_t k, int64_t count = 1) const;

  std::shared_ptr<const Graph> graph_;  // owns what steps_ point into
  DeploymentSpec dep_;
  CollectiveGroup tp_group_, ep_group_;
  int adp_ = 1;            // attention data-parallel groups (DEP)
  int layers_ = 0;
  bool fused_ = false;
  bool sequence_parallel_ = false;
  DType gemm_act_dtype_ = DType::BF16;  // activations as the GEMMs read them
  int64_t hidden_ = 0;
  std::vector<LayoutStep> steps_;
};

}  // namespace tessera

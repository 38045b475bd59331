// Lowers an operator graph (specs/graph.h) to the PlannedOp list of one rank, as
// Lowering does for a Hugging Face config. The plan decides the tensor-parallel
// layout from the data flow, Megatron style: a linear reading a replicated tensor is
// column-parallel (output sharded; by heads where it feeds attention), a linear reading
// a sharded tensor is row-parallel and is followed by the all-reduce the plan inserts.
// Column linears reading the same tensor fuse into one GEMM (QKV, gate+up); an add
// followed by the norm of its sum fuses into one residual+norm kernel.
#pragma once

#include <string>
#include <vector>

#include "tessera/core/status.h"
#include "tessera/plan/lowering.h"

namespace tessera {

// Checks that the graph has a tensor-parallel layout (no norm over a sharded tensor,
// attention fed by projections, ...); bad input naming the block and op otherwise.
Status check_graph_lowering(const Graph& g);

class GraphLowering {
 public:
  // model.graph must be set and pass check_graph_lowering.
  GraphLowering(const ModelSpec& model, const DeploymentSpec& dep, const Placement& placement,
                bool fused_elementwise = false);
  void lower(const BatchShape& batch, OpSet set, std::vector<PlannedOp>& out) const;

  // One lowered graph op, before the batch fills in the rows.
  enum class Role { Gemm, Norm, ResidualNorm, Add, Embedding, Rotary, KvWrite, Activation, Elementwise,
                    Sampling, AllReduce, Moe, Attention, PpSend };
  struct Step {
    Role role = Role::Gemm;
    std::string_view name;      // static role name or a graph op name (owned by graph_)
    bool sampled = false;       // rows are sampled sequences, not tokens
    double repeat = 1;
    int64_t n = 0, k = 0;       // Gemm; n is also the per-rank width of element-wise steps
    double flops = 0;           // Elementwise: per element
    int inputs = 1;             // Elementwise: tensors read
    const GraphOp* op = nullptr;  // Attention, Moe
  };
  const std::vector<Step>& steps() const { return steps_; }

 private:
  void lower_step(const Step& s, const BatchShape& b, std::vector<PlannedOp>& out) const;
  void lower_moe(const Step& s, double t, int64_t tokens, std::vector<PlannedOp>& out) const;
  void lower_attention(const Step& s, const BatchShape& b, std::vector<PlannedOp>& out) const;
  int64_t rank_share(int64_t n) const { return (n + adp_ - 1) / adp_; }
  GemmOp gemm(int64_t m, int64_t n, int64_t k, int64_t count = 1) const;

  std::shared_ptr<const Graph> graph_;
  DeploymentSpec dep_;
  CollectiveGroup tp_group_, ep_group_;
  int adp_ = 1;
  bool fused_ = false;
  DType gemm_act_dtype_ = DType::BF16;
  int64_t hidden_ = 0;
  int64_t kv_bytes_per_token_layer_ = 0;
  std::vector<Step> steps_;
};

}  // namespace tessera

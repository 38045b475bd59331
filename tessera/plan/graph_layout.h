// The tensor-parallel layout of an operator graph (specs/graph.h), decided once per
// deployment from the data flow, Megatron style: a linear reading a replicated tensor is
// column-parallel (output sharded; by heads where it feeds attention), a linear reading a
// sharded tensor is row-parallel and is followed by the all-reduce the plan inserts. A
// linear whose output a norm or the latent of latent attention reads whole stays
// replicated. Column linears reading the same tensor fuse into one GEMM (QKV, gate+up);
// an add followed by the norm of its sum fuses into one residual+norm kernel.
#pragma once

#include <string_view>
#include <vector>

#include "tessera/core/status.h"
#include "tessera/specs/graph.h"

namespace tessera {

// One laid-out op of one rank, before a batch fills in the rows.
enum class StepRole { Gemm, Norm, ResidualNorm, Add, Embedding, Rotary, KvWrite, Activation, Elementwise,
                      Sampling, AllReduce, Moe, Attention, PpSend };

struct LayoutStep {
  StepRole role = StepRole::Gemm;
  std::string_view name;      // static role name or a graph op name (owned by the graph)
  bool sampled = false;       // rows are sampled sequences, not tokens
  double repeat = 1;
  int64_t n = 0, k = 0;       // Gemm; n is the per-rank width of element-wise steps;
                              // Rotary: heads x head width; Attention/KvWrite: q and kv heads per rank
  double flops = 0;           // Elementwise: per element
  int inputs = 1;             // Elementwise: tensors read
  const GraphOp* op = nullptr;  // Attention, KvWrite, Moe
};

// The steps of one rank at tensor-parallel degree `tp`; bad input naming the block and
// op where the graph has no layout (a norm over a sharded tensor, attention not fed by
// projections, ...). The steps point into `g`, which must outlive them.
Status layout_graph(const Graph& g, int tp, bool fused_elementwise, std::vector<LayoutStep>& out);

// The layout checks of layout_graph at any TP degree > 1 (what every deployment needs).
Status check_graph_lowering(const Graph& g);

// Attention heads of one rank: query heads split over TP; KV heads split, or replicated
// once there are fewer than ranks.
int q_heads_per_rank(const GraphOp& attention, int tp);
int kv_heads_per_rank(const GraphOp& attention, int tp);

}  // namespace tessera

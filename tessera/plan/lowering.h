// The compiler's front half: model + deployment + batch shape -> the operators
// one rank executes in one iteration. Layers of the same kind are identical, so
// each op carries how many times it repeats per iteration instead of being
// listed per layer.
#pragma once

#include <string_view>
#include <variant>
#include <vector>

#include "tessera/compute/op.h"
#include "tessera/network/collective.h"
#include "tessera/plan/batch.h"
#include "tessera/plan/placement.h"

namespace tessera {

struct CollectiveCall {
  CollectiveKind kind = CollectiveKind::AllReduce;
  Bytes bytes{0};
  CollectiveGroup group;
};

struct PlannedOp {
  std::string_view name;   // static string: "qkv_proj", "attn_decode", "tp_allreduce", ...
  std::variant<GemmOp, AttentionOp, ElementwiseOp, CollectiveCall> op;
  double repeat = 1;       // times per iteration on this rank's critical path (all PP stages)
};

// Which part of the op list to produce: ops whose cost depends only on the token
// count (GEMMs, element-wise, collectives), or the attention ops that depend on
// the KV lengths. The split lets plan/ memoize the first part.
enum class OpSet { TokenBound, Attention, All };

class Lowering {
 public:
  Lowering(const ModelSpec& model, const DeploymentSpec& dep, const Placement& placement);
  // Appends the ops of one iteration to `out` (cleared first).
  void lower(const BatchShape& batch, OpSet set, std::vector<PlannedOp>& out) const;
  int collectives_per_iteration(const BatchShape& batch) const;
  const ModelSpec& model() const { return model_; }

 private:
  void lower_layer_token_ops(int64_t tokens, double repeat, bool moe, std::vector<PlannedOp>& out) const;
  void lower_attention(const BatchShape& batch, double repeat, std::vector<PlannedOp>& out) const;
  void lower_head_tail(const BatchShape& batch, std::vector<PlannedOp>& out) const;

  ModelSpec model_;  // a copy: the lowering outlives the caller's spec
  DeploymentSpec dep_;
  Placement placement_;
  CollectiveGroup tp_group_;
  int dense_layers_ = 0;
  int moe_layers_ = 0;
  int q_heads_ = 0;        // per rank
  int kv_heads_ = 0;       // per rank
  int64_t kv_bytes_per_token_layer_ = 0;  // per rank, one layer
};

}  // namespace tessera

// What lowering produces: the operators one rank executes in one iteration. Layers
// of the same kind are identical, so each op carries how many times it repeats per
// iteration instead of being listed per layer.
#pragma once

#include <string_view>
#include <variant>

#include "tessera/compute/op.h"
#include "tessera/network/collective.h"

namespace tessera {

struct CollectiveCall {
  CollectiveKind kind = CollectiveKind::AllReduce;
  Bytes bytes{0};
  CollectiveGroup group;
};

struct PlannedOp {
  std::string_view name;   // static or graph-owned string: "qkv_proj", "attn_decode", "tp_allreduce_attn", ...
  std::variant<GemmOp, AttentionOp, ElementwiseOp, CollectiveCall> op;
  double repeat = 1;       // times per iteration on this rank's critical path (all PP stages)
};

// Which part of the op list to produce: ops whose cost depends only on the token
// and sampled-sequence counts (projections, MLP/MoE, element-wise, collectives),
// or the attention ops that depend on the prefill/decode split and KV lengths.
// The split lets plan/ memoize the first part.
enum class OpSet { TokenBound, Attention, All };

}  // namespace tessera

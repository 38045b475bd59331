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
// and sampled-sequence counts (projections, MLP/MoE, element-wise, collectives),
// or the attention ops that depend on the prefill/decode split and KV lengths.
// The split lets plan/ memoize the first part.
enum class OpSet { TokenBound, Attention, All };

class Lowering {
 public:
  // fused_elementwise: the serving stack fuses norms, RoPE, the KV write and the
  // MLP activation into neighbouring kernels (no separate HBM round trip).
  Lowering(const ModelSpec& model, const DeploymentSpec& dep, const Placement& placement,
           bool fused_elementwise = false);
  // Appends the ops of one iteration to `out` (cleared first).
  void lower(const BatchShape& batch, OpSet set, std::vector<PlannedOp>& out) const;
  int collectives_per_iteration() const;
  const ModelSpec& model() const { return model_; }

 private:
  void lower_attention_projections(double t, double repeat, std::vector<PlannedOp>& out) const;
  void lower_mlp(double t, double t_replica, bool moe, double repeat, std::vector<PlannedOp>& out) const;
  void lower_layer_token_ops(int64_t tokens, double repeat, bool moe, std::vector<PlannedOp>& out) const;
  void lower_attention(const BatchShape& batch, std::vector<PlannedOp>& out) const;
  void lower_attention_kind(const BatchShape& b, int window, double repeat, std::vector<PlannedOp>& out) const;
  void lower_head_tail(const BatchShape& batch, std::vector<PlannedOp>& out) const;
  int64_t rank_share(int64_t n) const { return (n + adp_ - 1) / adp_; }
  GemmOp make_gemm(int64_t m, int64_t n, int64_t k, const DeploymentSpec& d, int64_t count = 1) const;

  ModelSpec model_;  // a copy: the lowering outlives the caller's spec
  DeploymentSpec dep_;
  Placement placement_;
  CollectiveGroup tp_group_;
  CollectiveGroup ep_group_;
  int adp_ = 1;            // attention data-parallel groups (DEP)
  DType gemm_act_dtype_ = DType::BF16;  // activations as the GEMMs read them
  bool fused_ = false;
  int dense_layers_ = 0;
  int moe_layers_ = 0;
  int sliding_layers_ = 0; // layers with a sliding window (the rest attend fully)
  int q_heads_ = 0;        // per rank
  int kv_heads_ = 0;       // per rank
  int64_t kv_bytes_per_token_layer_ = 0;  // per rank, one layer, in the KV cache
};

}  // namespace tessera

// An operator graph: the plan's model input (docs/graph-format.md, format version 1).
// Shapes are per token: the token count is the one dimension the plan fills in for
// each batch, so a graph traced once with example inputs lowers for every batch.
// Ops are grouped in blocks; a block with repeat N stands for N identical layers.
// Front ends build graphs: the Hugging Face config (specs/io), a graph JSON file
// (specs/io/graph_io.h) and the PyTorch exporter (python/tessera/torch.py).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tessera/core/status.h"
#include "tessera/specs/dtype.h"

namespace tessera {

// Version 2 added multi-head latent attention (latent_dim, rope_dim, v_head_dim);
// version-1 files still read.
inline constexpr int kGraphFormatVersion = 2;
inline constexpr int kGraphFormatMinVersion = 1;

enum class GraphOpKind {
  Embedding,    // token ids -> rows of a [vocab, dim] table
  Linear,       // [t, in] x [in, out]
  Attention,    // scaled dot-product over (q, k, v) inputs; causal, GQA, RoPE, sliding window
  Norm,         // RMSNorm / LayerNorm over dim
  Activation,   // fn(x) or, gated, fn(gate) * up
  Add,          // element-wise sum of two tensors (residual)
  Elementwise,  // any other element-wise op: flops_per_element over dim elements per token
  Moe,          // mixture-of-experts MLP: router, top-k dispatch, experts, combine
};

struct GraphOp {
  std::string name;                 // unique within its block
  GraphOpKind kind = GraphOpKind::Elementwise;
  // Producers: names of earlier ops of the same block, or "@in" (the block's input:
  // the previous block's last op). Attention takes (q, k, v); Add and gated Activation two.
  std::vector<std::string> inputs;
  std::optional<DType> dtype;       // the tensor dtype where the front end knew it (informational)
  std::string source;               // provenance, e.g. the torch module path
  int64_t dim = 0;                  // per-token width: Embedding/Norm/Activation/Add/Elementwise
  int64_t in_features = 0, out_features = 0;  // Linear
  bool bias = false;                // Linear
  bool tied = false;                // Linear sharing the embedding's table (no extra weights)
  int64_t vocab = 0;                // Embedding
  int heads = 0, kv_heads = 0, head_dim = 0;  // Attention
  bool causal = true, rope = false;
  int window = 0;                   // sliding window in tokens (0 = full)
  // Multi-head latent attention (DeepSeek-V2/V3) when latent_dim > 0: inputs are (q, kv),
  // q per head head_dim wide (rope_dim of it rotary), kv the cached latent plus the shared
  // rotary key (latent_dim + rope_dim wide, replicated over TP). The op owns the latent
  // up-projection to per-head K (head_dim - rope_dim) and V (v_head_dim): applied to the
  // cache in prefill, absorbed into the query and output in decode.
  int latent_dim = 0, rope_dim = 0, v_head_dim = 0;
  bool mla() const { return latent_dim > 0; }
  int value_dim() const { return v_head_dim > 0 ? v_head_dim : head_dim; }
  std::string norm = "rms";         // Norm: rms | layer
  std::string fn = "silu";          // Activation: silu | gelu | relu | ...
  bool gated = false;               // Activation: fn(inputs[0]) * inputs[1]
  double flops_per_element = 1;     // Elementwise
  int experts = 0, top_k = 0, shared_experts = 0;  // Moe
  int64_t expert_intermediate = 0, shared_intermediate = 0;
};

struct GraphBlock {
  std::string name;
  int repeat = 1;
  // At inference only the last position of each sequence goes on to the logits:
  // the ops of a `sampled` block run on one row per sequence, not per token.
  bool sampled = false;
  std::vector<GraphOp> ops;
};

struct Graph {
  int version = kGraphFormatVersion;
  std::string name;
  DType dtype = DType::BF16;        // checkpoint dtype
  int64_t max_position = 0;
  std::vector<GraphBlock> blocks;
  std::string source;               // file it came from
};

std::string_view graph_op_kind_name(GraphOpKind k);

// Structural checks every consumer relies on (inputs name earlier ops, arities, positive
// sizes, linears chained with matching widths). `where` prefixes messages (the file).
Status validate_graph(const Graph& g, const std::string& where);

}  // namespace tessera

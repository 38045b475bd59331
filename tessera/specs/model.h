// A transformer model's architecture, as read from a Hugging Face config.json.
// Dense, MoE (Mixtral/Qwen3-MoE/DeepSeek/GPT-OSS) and MLA fields are all here so
// that plan/ can lower each family; fields a config lacks keep their defaults.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tessera/specs/dtype.h"
#include "tessera/specs/graph.h"

namespace tessera {

enum class MlpKind { Gated, Plain };  // Gated: SwiGLU/GeGLU (3 matrices); Plain: up+down (2)

struct MoeSpec {
  int num_experts = 0;             // routed experts (0 = dense model)
  int experts_per_token = 0;       // top-k
  int64_t expert_intermediate = 0; // FFN width of one routed expert
  int shared_experts = 0;
  int64_t shared_intermediate = 0; // total FFN width of the shared experts
  int first_dense_layers = 0;      // DeepSeek first_k_dense_replace
  int layer_frequency = 1;         // every n-th layer is MoE
  // Per layer: true where the layer's MLP is the routed MoE. Authoritative where set (the
  // HF loader always sets it): the families place sparse layers differently (DeepSeek:
  // i >= first_k_dense_replace && i % moe_layer_freq == 0; Qwen-MoE: (i+1) % decoder_sparse_step
  // == 0 and i not in mlp_only_layers), which the two counts above cannot express exactly.
  std::vector<bool> layer_is_moe;
};

struct MlaSpec {                   // DeepSeek multi-head latent attention
  int q_lora_rank = 0;             // 0 = no q compression
  int kv_lora_rank = 0;
  int qk_nope_head_dim = 0;
  int qk_rope_head_dim = 0;
  int v_head_dim = 0;
};

struct ModelSpec {
  std::string name;                // catalog key or file stem
  std::string architecture;        // e.g. "LlamaForCausalLM"
  int64_t hidden = 0;
  int layers = 0;
  int heads = 0;
  int kv_heads = 0;
  int head_dim = 0;
  int64_t intermediate = 0;
  int64_t vocab = 0;
  int64_t max_position = 0;
  bool tied_embeddings = false;
  MlpKind mlp = MlpKind::Gated;
  bool attention_bias = false;
  std::optional<MoeSpec> moe;
  std::optional<MlaSpec> mla;
  int sliding_window = 0;          // 0 = full attention
  std::vector<bool> layer_is_sliding;  // per layer, when the config alternates (GPT-OSS)
  DType native_dtype = DType::BF16;  // torch_dtype of the checkpoint
  // quantization_config.quant_method where the checkpoint ships quantized linear weights
  // (DeepSeek-V3 fp8 blocks; GPT-OSS mxfp4 experts). Empty for an unquantized checkpoint.
  std::optional<DType> quantized_dtype;
  int rotary_dim = 0;              // per-head dims that get RoPE (GPT-J rotary_dim, phi-2 0.4 x head_dim)
  std::string source;              // file it came from
  // The operator graph plan/ lowers. Every front end sets it: a .graph.json file or the
  // PyTorch exporter (the fields above are then its summary for memory and parameter
  // accounting, model_from_graph), or the Hugging Face config (graph_from_model). A spec
  // built in code without it gets the config's graph when lowered.
  std::shared_ptr<const Graph> graph;
};

}  // namespace tessera

#include "tessera/specs/io/hf_config.h"

#include <algorithm>
#include <fstream>

#include <gtest/gtest.h>

namespace tessera {
namespace {

namespace fs = std::filesystem;

const fs::path kModels = fs::path(TESSERA_SOURCE_DIR) / "data" / "models";

ModelSpec load(std::string_view stem) {
  auto r = load_hf_config(kModels / (std::string(stem) + ".json"), std::string(stem));
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? r.value() : ModelSpec{};
}

template <class R>
std::string error_of(const R& r) {
  return r.ok() ? std::string("<ok>") : r.error().message;
}

TEST(HfConfig, Llama2_70b) {
  const ModelSpec m = load("llama-2-70b");
  EXPECT_EQ(m.name, "llama-2-70b");
  EXPECT_EQ(m.architecture, "LlamaForCausalLM");
  EXPECT_EQ(m.hidden, 8192);
  EXPECT_EQ(m.layers, 80);
  EXPECT_EQ(m.heads, 64);
  EXPECT_EQ(m.kv_heads, 8);
  EXPECT_EQ(m.head_dim, 128);  // 8192 / 64
  EXPECT_EQ(m.intermediate, 28672);
  EXPECT_EQ(m.vocab, 32000);
  EXPECT_EQ(m.max_position, 4096);
  EXPECT_EQ(m.mlp, MlpKind::Gated);
  EXPECT_FALSE(m.tied_embeddings);
  EXPECT_FALSE(m.attention_bias);
  EXPECT_FALSE(m.moe.has_value());
  EXPECT_FALSE(m.mla.has_value());
  EXPECT_EQ(m.sliding_window, 0);
  EXPECT_EQ(m.native_dtype, DType::FP16);  // torch_dtype float16
  EXPECT_FALSE(m.quantized_dtype.has_value());
  EXPECT_EQ(m.rotary_dim, 128);
}

TEST(HfConfig, TiedEmbeddingsAndExplicitHeadDim) {
  const ModelSpec small = load("llama-3.2-1b");
  EXPECT_TRUE(small.tied_embeddings);
  EXPECT_EQ(small.head_dim, 64);
  EXPECT_EQ(small.native_dtype, DType::BF16);
  // Qwen3-MoE: head_dim 128 although hidden / heads = 2048 / 32 = 64.
  const ModelSpec qwen = load("qwen3-30b-a3b");
  EXPECT_EQ(qwen.head_dim, 128);
  EXPECT_EQ(qwen.kv_heads, 4);
}

TEST(HfConfig, Mixtral) {
  const ModelSpec m = load("mixtral-8x7b");
  ASSERT_TRUE(m.moe.has_value());
  EXPECT_EQ(m.moe->num_experts, 8);
  EXPECT_EQ(m.moe->experts_per_token, 2);
  EXPECT_EQ(m.moe->expert_intermediate, 14336);
  EXPECT_EQ(m.moe->shared_experts, 0);
  EXPECT_EQ(m.moe->first_dense_layers, 0);
  ASSERT_EQ(m.moe->layer_is_moe.size(), 32u);
  EXPECT_TRUE(std::all_of(m.moe->layer_is_moe.begin(), m.moe->layer_is_moe.end(), [](bool b) { return b; }));
  EXPECT_EQ(m.sliding_window, 0);  // "sliding_window": null
  EXPECT_EQ(m.kv_heads, 8);
}

TEST(HfConfig, DeepSeekV3MoeAndMla) {
  const ModelSpec m = load("deepseek-v3");
  EXPECT_EQ(m.hidden, 7168);
  EXPECT_EQ(m.layers, 61);
  EXPECT_EQ(m.heads, 128);
  EXPECT_EQ(m.intermediate, 18432);  // the dense layers' FFN
  ASSERT_TRUE(m.moe.has_value());
  EXPECT_EQ(m.moe->num_experts, 256);
  EXPECT_EQ(m.moe->experts_per_token, 8);
  EXPECT_EQ(m.moe->expert_intermediate, 2048);
  EXPECT_EQ(m.moe->shared_experts, 1);
  EXPECT_EQ(m.moe->shared_intermediate, 2048);
  EXPECT_EQ(m.moe->first_dense_layers, 3);
  EXPECT_EQ(m.moe->layer_frequency, 1);
  ASSERT_EQ(m.moe->layer_is_moe.size(), 61u);
  EXPECT_FALSE(m.moe->layer_is_moe[2]);
  EXPECT_TRUE(m.moe->layer_is_moe[3]);
  EXPECT_EQ(std::count(m.moe->layer_is_moe.begin(), m.moe->layer_is_moe.end(), true), 58);
  ASSERT_TRUE(m.mla.has_value());
  EXPECT_EQ(m.mla->q_lora_rank, 1536);
  EXPECT_EQ(m.mla->kv_lora_rank, 512);
  EXPECT_EQ(m.mla->qk_nope_head_dim, 128);
  EXPECT_EQ(m.mla->qk_rope_head_dim, 64);
  EXPECT_EQ(m.mla->v_head_dim, 128);
  EXPECT_EQ(m.head_dim, 192);  // nope + rope
  EXPECT_EQ(m.rotary_dim, 64);
  EXPECT_EQ(m.native_dtype, DType::BF16);
  EXPECT_EQ(m.quantized_dtype, DType::FP8);  // quantization_config fp8 blocks
}

TEST(HfConfig, Qwen3MoeLayers) {
  const ModelSpec m = load("qwen3-235b-a22b");
  ASSERT_TRUE(m.moe.has_value());
  EXPECT_EQ(m.moe->num_experts, 128);
  EXPECT_EQ(m.moe->experts_per_token, 8);
  EXPECT_EQ(m.moe->expert_intermediate, 1536);
  EXPECT_EQ(m.moe->layer_is_moe.size(), static_cast<size_t>(m.layers));
  // decoder_sparse_step 2 and mlp_only_layers [1]: MoE at layers 1, 3, 5, ... except 1.
  const std::string cfg = R"({"model_type": "qwen3_moe", "hidden_size": 64, "num_hidden_layers": 6,
    "num_attention_heads": 4, "vocab_size": 100, "intermediate_size": 128, "num_experts": 8,
    "num_experts_per_tok": 2, "moe_intermediate_size": 32, "decoder_sparse_step": 2,
    "mlp_only_layers": [1]})";
  auto r = parse_hf_config(cfg, "inline", "tiny");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->moe->layer_is_moe, (std::vector<bool>{false, false, false, true, false, true}));
  EXPECT_EQ(r->moe->first_dense_layers, 3);
}

TEST(HfConfig, GptOssSlidingLayersAndMxfp4) {
  const ModelSpec m = load("gpt-oss-20b");
  ASSERT_TRUE(m.moe.has_value());
  EXPECT_EQ(m.moe->num_experts, 32);
  EXPECT_EQ(m.moe->experts_per_token, 4);
  EXPECT_EQ(m.moe->expert_intermediate, 2880);
  EXPECT_EQ(m.sliding_window, 128);
  ASSERT_EQ(m.layer_is_sliding.size(), 24u);
  EXPECT_TRUE(m.layer_is_sliding[0]);
  EXPECT_FALSE(m.layer_is_sliding[1]);
  EXPECT_TRUE(m.attention_bias);
  EXPECT_EQ(m.head_dim, 64);
  EXPECT_EQ(m.quantized_dtype, DType::MXFP4);
  EXPECT_EQ(m.native_dtype, DType::BF16);  // no torch_dtype in the file: default
}

TEST(HfConfig, PlainMlpFamilies) {
  const ModelSpec gptj = load("gpt-j-6b");
  EXPECT_EQ(gptj.mlp, MlpKind::Plain);
  EXPECT_EQ(gptj.hidden, 4096);
  EXPECT_EQ(gptj.layers, 28);
  EXPECT_EQ(gptj.heads, 16);
  EXPECT_EQ(gptj.kv_heads, 16);
  EXPECT_EQ(gptj.intermediate, 16384);  // n_inner null -> 4 x n_embd
  EXPECT_EQ(gptj.max_position, 2048);
  EXPECT_EQ(gptj.rotary_dim, 64);
  EXPECT_EQ(gptj.architecture, "GPTJForCausalLM");
  const ModelSpec phi = load("phi-2");
  EXPECT_EQ(phi.mlp, MlpKind::Plain);
  EXPECT_EQ(phi.head_dim, 80);
  EXPECT_EQ(phi.rotary_dim, 32);  // 0.4 x 80
  EXPECT_EQ(phi.intermediate, 10240);
  EXPECT_TRUE(phi.attention_bias);
}

TEST(HfConfig, SlidingWindowOnlyWhenUsed) {
  EXPECT_EQ(load("mistral-7b-v0.1").sliding_window, 4096);
  EXPECT_TRUE(load("mistral-7b-v0.1").layer_is_sliding.empty());  // every layer
  const ModelSpec qwen = load("qwen2.5-7b");
  EXPECT_EQ(qwen.sliding_window, 0);  // use_sliding_window: false
  EXPECT_TRUE(qwen.attention_bias);   // Qwen2 q/k/v biases
  EXPECT_EQ(qwen.kv_heads, 4);
}

TEST(HfConfig, EveryShippedConfigLoads) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(kModels)) {
    if (e.path().extension() != ".json") continue;
    auto r = load_hf_config(e.path(), e.path().stem().string());
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_GT(r->hidden, 0);
    EXPECT_EQ(r->heads % r->kv_heads, 0);
    ++n;
  }
  EXPECT_EQ(n, 21);
}

TEST(HfConfig, Errors) {
  EXPECT_EQ(error_of(parse_hf_config(R"({"num_hidden_layers": 2, "num_attention_heads": 2, "vocab_size": 10})",
                                     "cfg.json", "x")),
            "cfg.json: missing required key 'hidden_size'");
  EXPECT_EQ(error_of(parse_hf_config(R"({"hidden_size": "8192"})", "cfg.json", "x")),
            "cfg.json: key 'hidden_size': expected an integer, got string \"8192\"");
  EXPECT_EQ(error_of(parse_hf_config(R"({"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
    "num_key_value_heads": 3, "vocab_size": 10, "intermediate_size": 8})", "cfg.json", "x")),
            "cfg.json: key 'num_key_value_heads': 3 does not divide num_attention_heads 4");
  EXPECT_EQ(error_of(parse_hf_config(R"({"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
    "vocab_size": 10})", "cfg.json", "x")),
            "cfg.json: missing required key 'intermediate_size'");
  EXPECT_EQ(error_of(parse_hf_config(R"({"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
    "vocab_size": 10, "intermediate_size": 8, "tie_word_embeddings": 1})", "cfg.json", "x")),
            "cfg.json: key 'tie_word_embeddings': expected true or false, got number 1");
  EXPECT_EQ(error_of(parse_hf_config(R"({"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
    "vocab_size": 10, "intermediate_size": 8, "torch_dtype": "bfloat61"})", "cfg.json", "x")),
            "cfg.json: key 'torch_dtype': unknown dtype 'bfloat61' (did you mean 'bfloat16'?)");
  EXPECT_EQ(error_of(parse_hf_config(R"({"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
    "vocab_size": 10, "intermediate_size": 8, "num_local_experts": 4})", "cfg.json", "x")),
            "cfg.json: missing required key 'num_experts_per_tok'");
  EXPECT_EQ(error_of(parse_hf_config(R"({"hidden_size": 0})", "cfg.json", "x")),
            "cfg.json: key 'hidden_size': must be at least 1, got 0");
  EXPECT_EQ(error_of(parse_hf_config("[1, 2]", "cfg.json", "x")), "cfg.json: expected a JSON object of config keys");
  const std::string bad = error_of(parse_hf_config("{\"hidden_size\": 1,", "cfg.json", "x"));
  EXPECT_EQ(bad.rfind("cfg.json: invalid JSON: ", 0), 0u) << bad;
  // Fuzz regression: a number too large for a double threw json::out_of_range (not a
  // parse_error) past the catch, terminating the process.
  const std::string huge = error_of(parse_hf_config(R"({"rms_norm_eps": 1e7777})", "cfg.json", "x"));
  EXPECT_EQ(huge.rfind("cfg.json: invalid JSON: number overflow parsing '1e7777'", 0), 0u) << huge;
}

TEST(HfConfig, FileErrors) {
  EXPECT_EQ(error_of(load_hf_config("/no/such.json", "x")), "model config '/no/such.json' does not exist");
  EXPECT_EQ(error_of(load_hf_config(kModels, "x")),
            "model config '" + kModels.string() + "' is a directory, not a config.json");
  const fs::path empty = fs::temp_directory_path() / "tessera_hf_config_test_empty.json";
  { std::ofstream(empty) << "  \n"; }
  EXPECT_EQ(error_of(load_hf_config(empty, "x")), "model config '" + empty.string() + "' is empty");
  fs::remove(empty);
}

}  // namespace
}  // namespace tessera

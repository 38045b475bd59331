#include "tessera/specs/io/hf_config.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tessera/core/did_you_mean.h"
#include "tessera/specs/model_graph.h"

namespace tessera {
namespace {

using nlohmann::json;

// Typed access to one config object; every error names the file and the key.
class JsonReader {
 public:
  JsonReader(const json& j, const std::string& file) : j_(j), file_(file) {}

  Error error(std::string_view key, std::string_view msg) const {
    return bad_input(fmt::format("{}: key '{}': {}", file_, key, msg));
  }

  // The first of `keys` present with a non-null value, or nullptr.
  const json* find(std::initializer_list<std::string_view> keys, std::string_view* which) const {
    for (auto k : keys) {
      auto it = j_.find(std::string(k));
      if (it != j_.end() && !it->is_null()) {
        *which = k;
        return &*it;
      }
    }
    return nullptr;
  }

  Result<std::optional<long long>> opt_int(std::initializer_list<std::string_view> keys) const {
    std::string_view key;
    const json* v = find(keys, &key);
    if (v == nullptr) return std::optional<long long>{};
    if (!v->is_number_integer())
      return error(key, fmt::format("expected an integer, got {} {}", v->type_name(), v->dump()));
    return std::optional<long long>(v->get<long long>());
  }

  // A required integer >= 1 under one of `keys` (the first is named when all are missing).
  Result<long long> req_positive(std::initializer_list<std::string_view> keys) const {
    auto v = opt_int(keys);
    if (!v.ok()) return v.error();
    if (!v->has_value())
      return bad_input(fmt::format("{}: missing required key '{}'", file_, *keys.begin()));
    return positive(keys, **v);
  }

  Result<long long> positive(std::initializer_list<std::string_view> keys, long long x) const {
    std::string_view key = *keys.begin();
    find(keys, &key);
    if (x < 1) return error(key, fmt::format("must be at least 1, got {}", x));
    if (x > (1LL << 40)) return error(key, fmt::format("'{}' is out of range", x));
    return x;
  }

  Result<long long> int_or(std::string_view key, long long fallback) const {
    auto v = opt_int({key});
    if (!v.ok()) return v.error();
    if (v->has_value() && **v < 0) return error(key, fmt::format("must not be negative, got {}", **v));
    return v->value_or(fallback);
  }

  Result<std::optional<bool>> opt_bool(std::string_view key) const {
    std::string_view k;
    const json* v = find({key}, &k);
    if (v == nullptr) return std::optional<bool>{};
    if (!v->is_boolean())
      return error(key, fmt::format("expected true or false, got {} {}", v->type_name(), v->dump()));
    return std::optional<bool>(v->get<bool>());
  }

  Result<std::optional<double>> opt_number(std::string_view key) const {
    std::string_view k;
    const json* v = find({key}, &k);
    if (v == nullptr) return std::optional<double>{};
    if (!v->is_number())
      return error(key, fmt::format("expected a number, got {} {}", v->type_name(), v->dump()));
    return std::optional<double>(v->get<double>());
  }

  Result<std::optional<std::string>> opt_string(std::initializer_list<std::string_view> keys) const {
    std::string_view key;
    const json* v = find(keys, &key);
    if (v == nullptr) return std::optional<std::string>{};
    if (!v->is_string())
      return error(key, fmt::format("expected a string, got {} {}", v->type_name(), v->dump()));
    return std::optional<std::string>(v->get<std::string>());
  }

  const json* raw(std::string_view key) const {
    std::string_view k;
    return find({key}, &k);
  }
  const std::string& file() const { return file_; }

 private:
  const json& j_;
  const std::string& file_;
};

// Families whose MLP is up -> activation -> down (no gate matrix).
bool has_plain_mlp(std::string_view model_type) {
  for (std::string_view t : {"gptj", "gpt2", "gpt_neox", "gpt_bigcode", "phi", "opt", "bloom",
                             "falcon", "starcoder2"})
    if (t == model_type) return true;
  return false;
}

// Attention q/k/v biases that the family has without a config key saying so.
bool family_attention_bias(std::string_view model_type) {
  for (std::string_view t : {"qwen2", "qwen2_moe", "phi", "gpt2", "gpt_neox", "gpt_bigcode",
                             "bloom", "starcoder2"})
    if (t == model_type) return true;
  return false;
}

Status read_identity(const JsonReader& r, ModelSpec& m, std::string& model_type) {
  auto mt = r.opt_string({"model_type"});
  if (!mt.ok()) return mt.error();
  model_type = mt->value_or("");
  m.architecture = model_type;
  if (const json* a = r.raw("architectures")) {
    if (!a->is_array() || (!a->empty() && !(*a)[0].is_string()))
      return r.error("architectures", fmt::format("expected a list of strings, got {}", a->dump()));
    if (!a->empty()) m.architecture = (*a)[0].get<std::string>();
  }
  return {};
}

Status read_dims(const JsonReader& r, std::string_view model_type, ModelSpec& m) {
  auto hidden = r.req_positive({"hidden_size", "n_embd", "d_model"});
  if (!hidden.ok()) return hidden.error();
  auto layers = r.req_positive({"num_hidden_layers", "n_layer", "num_layers"});
  if (!layers.ok()) return layers.error();
  auto heads = r.req_positive({"num_attention_heads", "n_head"});
  if (!heads.ok()) return heads.error();
  auto vocab = r.req_positive({"vocab_size"});
  if (!vocab.ok()) return vocab.error();
  m.hidden = hidden.value();
  m.layers = static_cast<int>(layers.value());
  m.heads = static_cast<int>(heads.value());
  m.vocab = vocab.value();

  auto kv = r.opt_int({"num_key_value_heads"});
  if (!kv.ok()) return kv.error();
  auto kv_heads = r.positive({"num_key_value_heads"}, kv->value_or(m.heads));
  if (!kv_heads.ok()) return kv_heads.error();
  m.kv_heads = static_cast<int>(kv_heads.value());
  if (m.heads % m.kv_heads != 0)
    return r.error("num_key_value_heads", fmt::format("{} does not divide num_attention_heads {}",
                                                      m.kv_heads, m.heads));

  auto hd = r.opt_int({"head_dim"});
  if (!hd.ok()) return hd.error();
  if (hd->has_value()) {
    auto checked = r.positive({"head_dim"}, **hd);
    if (!checked.ok()) return checked.error();
    m.head_dim = static_cast<int>(checked.value());
  } else if (m.hidden % m.heads != 0) {
    return r.error("num_attention_heads", fmt::format("{} does not divide the hidden size {} "
                                                      "and there is no head_dim", m.heads, m.hidden));
  } else {
    m.head_dim = static_cast<int>(m.hidden / m.heads);
  }

  auto ffn = r.opt_int({"intermediate_size", "n_inner", "ffn_dim"});
  if (!ffn.ok()) return ffn.error();
  if (ffn->has_value()) {
    auto checked = r.positive({"intermediate_size", "n_inner", "ffn_dim"}, **ffn);
    if (!checked.ok()) return checked.error();
    m.intermediate = checked.value();
  } else if (has_plain_mlp(model_type)) {
    m.intermediate = 4 * m.hidden;  // GPT-J/GPT-2: n_inner null means 4 x n_embd
  } else {
    return bad_input(fmt::format("{}: missing required key 'intermediate_size'", r.file()));
  }

  auto max_pos = r.opt_int({"max_position_embeddings", "n_positions", "n_ctx"});
  if (!max_pos.ok()) return max_pos.error();
  m.max_position = max_pos->value_or(0);
  return {};
}

Status read_flags(const JsonReader& r, std::string_view model_type, ModelSpec& m) {
  auto tied = r.opt_bool("tie_word_embeddings");
  if (!tied.ok()) return tied.error();
  m.tied_embeddings = tied->value_or(false);
  m.mlp = has_plain_mlp(model_type) ? MlpKind::Plain : MlpKind::Gated;
  auto bias = r.opt_bool("attention_bias");
  if (!bias.ok()) return bias.error();
  m.attention_bias = bias->value_or(family_attention_bias(model_type));

  m.rotary_dim = m.head_dim;
  auto rot = r.opt_int({"rotary_dim"});
  if (!rot.ok()) return rot.error();
  auto partial = r.opt_number("partial_rotary_factor");
  if (!partial.ok()) return partial.error();
  if (rot->has_value()) {
    if (**rot < 1 || **rot > m.head_dim)
      return r.error("rotary_dim", fmt::format("{} is outside [1, head_dim {}]", **rot, m.head_dim));
    m.rotary_dim = static_cast<int>(**rot);
  } else if (partial->has_value()) {
    if (!(**partial > 0 && **partial <= 1))
      return r.error("partial_rotary_factor", fmt::format("{} is outside (0, 1]", **partial));
    m.rotary_dim = static_cast<int>(std::lround(**partial * m.head_dim));
  }
  return {};
}

Status read_dtype(const JsonReader& r, ModelSpec& m) {
  auto dt = r.opt_string({"torch_dtype", "dtype"});
  if (!dt.ok()) return dt.error();
  if (dt->has_value()) {
    auto d = parse_dtype(**dt);
    if (!d) {
      static const std::vector<std::string> kNames{"float32", "bfloat16", "float16"};
      return r.error("torch_dtype", fmt::format("unknown dtype '{}'{}", **dt, did_you_mean(**dt, kNames)));
    }
    m.native_dtype = *d;
  }
  if (const json* q = r.raw("quantization_config")) {
    if (!q->is_object())
      return r.error("quantization_config", fmt::format("expected an object, got {}", q->type_name()));
    auto method = q->find("quant_method");
    if (method != q->end() && method->is_string()) {
      const auto s = method->get<std::string>();
      // Only the formats Tessera can cost; others (gptq, awq, ...) leave the field empty.
      if (s == "fp8" || s == "fbgemm_fp8") m.quantized_dtype = DType::FP8;
      if (s == "mxfp4") m.quantized_dtype = DType::MXFP4;
    }
  }
  return {};
}

Result<std::vector<long long>> int_list(const JsonReader& r, std::string_view key) {
  std::vector<long long> out;
  const json* v = r.raw(key);
  if (v == nullptr) return out;
  if (!v->is_array()) return r.error(key, fmt::format("expected a list of integers, got {}", v->dump()));
  for (const auto& e : *v) {
    if (!e.is_number_integer()) return r.error(key, fmt::format("expected integers, got {}", e.dump()));
    out.push_back(e.get<long long>());
  }
  return out;
}

Status check_top_k(const JsonReader& r, std::string_view key, const MoeSpec& moe) {
  if (moe.experts_per_token < 1 || moe.experts_per_token > moe.num_experts)
    return r.error(key, fmt::format("{} experts per token is outside [1, {}]",
                                    moe.experts_per_token, moe.num_experts));
  return {};
}

// DeepSeek-V2/V3: n_routed_experts, shared experts, first_k_dense_replace, moe_layer_freq.
Result<MoeSpec> read_deepseek_moe(const JsonReader& r, int layers) {
  MoeSpec moe;
  auto n = r.req_positive({"n_routed_experts"});
  auto k = r.req_positive({"num_experts_per_tok"});
  auto inter = r.req_positive({"moe_intermediate_size"});
  auto shared = r.int_or("n_shared_experts", 0);
  auto first = r.int_or("first_k_dense_replace", 0);
  auto freq = r.int_or("moe_layer_freq", 1);
  for (const auto* x : {&n, &k, &inter, &shared, &first, &freq})
    if (!x->ok()) return x->error();
  if (freq.value() < 1) return r.error("moe_layer_freq", "must be at least 1");
  moe.num_experts = static_cast<int>(n.value());
  moe.experts_per_token = static_cast<int>(k.value());
  moe.expert_intermediate = inter.value();
  moe.shared_experts = static_cast<int>(shared.value());
  moe.shared_intermediate = shared.value() * inter.value();
  moe.first_dense_layers = static_cast<int>(first.value());
  moe.layer_frequency = static_cast<int>(freq.value());
  TESSERA_TRY(check_top_k(r, "num_experts_per_tok", moe));
  for (int i = 0; i < layers; ++i)
    moe.layer_is_moe.push_back(i >= moe.first_dense_layers && i % moe.layer_frequency == 0);
  return moe;
}

// Mixtral / GPT-OSS: every layer routed; the expert width is intermediate_size.
Result<MoeSpec> read_local_experts_moe(const JsonReader& r, const ModelSpec& m) {
  MoeSpec moe;
  auto n = r.req_positive({"num_local_experts"});
  if (!n.ok()) return n.error();
  auto k = r.req_positive({"num_experts_per_tok", "experts_per_token"});
  if (!k.ok()) return k.error();
  moe.num_experts = static_cast<int>(n.value());
  moe.experts_per_token = static_cast<int>(k.value());
  moe.expert_intermediate = m.intermediate;
  TESSERA_TRY(check_top_k(r, "num_experts_per_tok", moe));
  moe.layer_is_moe.assign(static_cast<size_t>(m.layers), true);
  return moe;
}

// Qwen2-MoE / Qwen3-MoE: num_experts, decoder_sparse_step, mlp_only_layers.
Result<MoeSpec> read_qwen_moe(const JsonReader& r, int layers) {
  MoeSpec moe;
  auto n = r.req_positive({"num_experts"});
  auto k = r.req_positive({"num_experts_per_tok"});
  auto inter = r.req_positive({"moe_intermediate_size"});
  auto step = r.int_or("decoder_sparse_step", 1);
  auto shared_inter = r.int_or("shared_expert_intermediate_size", 0);
  for (const auto* x : {&n, &k, &inter, &step, &shared_inter})
    if (!x->ok()) return x->error();
  if (step.value() < 1) return r.error("decoder_sparse_step", "must be at least 1");
  auto dense_only = int_list(r, "mlp_only_layers");
  if (!dense_only.ok()) return dense_only.error();
  moe.num_experts = static_cast<int>(n.value());
  moe.experts_per_token = static_cast<int>(k.value());
  moe.expert_intermediate = inter.value();
  moe.layer_frequency = static_cast<int>(step.value());
  moe.shared_experts = shared_inter.value() > 0 ? 1 : 0;
  moe.shared_intermediate = shared_inter.value();
  TESSERA_TRY(check_top_k(r, "num_experts_per_tok", moe));
  const auto& d = dense_only.value();
  for (int i = 0; i < layers; ++i)
    moe.layer_is_moe.push_back(std::find(d.begin(), d.end(), i) == d.end() &&
                               (i + 1) % moe.layer_frequency == 0);
  while (moe.first_dense_layers < layers && !moe.layer_is_moe[static_cast<size_t>(moe.first_dense_layers)])
    ++moe.first_dense_layers;
  return moe;
}

Status read_moe(const JsonReader& r, ModelSpec& m) {
  Result<MoeSpec> moe = internal_error("no MoE family matched");
  if (r.raw("n_routed_experts")) {
    moe = read_deepseek_moe(r, m.layers);
  } else if (r.raw("num_local_experts")) {
    moe = read_local_experts_moe(r, m);
  } else if (r.raw("num_experts")) {
    auto n = r.opt_int({"num_experts"});
    if (!n.ok()) return n.error();
    if (n->value_or(0) == 0) return {};  // num_experts 0 marks a dense model
    moe = read_qwen_moe(r, m.layers);
  } else {
    return {};
  }
  if (!moe.ok()) return moe.error();
  m.moe = std::move(moe.value());
  return {};
}

Status read_mla(const JsonReader& r, ModelSpec& m) {
  if (!r.raw("kv_lora_rank")) return {};
  MlaSpec mla;
  auto q = r.int_or("q_lora_rank", 0);  // null in DeepSeek-V2-Lite: no q compression
  auto kv = r.req_positive({"kv_lora_rank"});
  auto nope = r.req_positive({"qk_nope_head_dim"});
  auto rope = r.req_positive({"qk_rope_head_dim"});
  auto v = r.req_positive({"v_head_dim"});
  for (const auto* x : {&q, &kv, &nope, &rope, &v})
    if (!x->ok()) return x->error();
  mla.q_lora_rank = static_cast<int>(q.value());
  mla.kv_lora_rank = static_cast<int>(kv.value());
  mla.qk_nope_head_dim = static_cast<int>(nope.value());
  mla.qk_rope_head_dim = static_cast<int>(rope.value());
  mla.v_head_dim = static_cast<int>(v.value());
  m.mla = mla;
  // q/k heads are nope + rope wide; only the rope part is rotated.
  m.head_dim = mla.qk_nope_head_dim + mla.qk_rope_head_dim;
  m.rotary_dim = mla.qk_rope_head_dim;
  return {};
}

Status read_layer_types(const JsonReader& r, ModelSpec& m) {
  const json* lt = r.raw("layer_types");
  if (lt == nullptr) return {};
  if (!lt->is_array() || static_cast<int>(lt->size()) != m.layers)
    return r.error("layer_types", fmt::format("expected a list of {} layer types (num_hidden_layers)",
                                              m.layers));
  std::vector<bool> sliding;
  for (const auto& e : *lt) {
    const std::string s = e.is_string() ? e.get<std::string>() : e.dump();
    if (s != "sliding_attention" && s != "full_attention") {
      static const std::vector<std::string> kTypes{"sliding_attention", "full_attention"};
      return r.error("layer_types", fmt::format("unknown layer type '{}'{}", s, did_you_mean(s, kTypes)));
    }
    sliding.push_back(s == "sliding_attention");
  }
  const auto n_sliding = std::count(sliding.begin(), sliding.end(), true);
  if (n_sliding > 0 && m.sliding_window == 0)
    return r.error("layer_types", "has sliding_attention layers but sliding_window is not set");
  if (n_sliding == 0) m.sliding_window = 0;
  else if (n_sliding < m.layers) m.layer_is_sliding = std::move(sliding);
  return {};
}

Status read_attention_window(const JsonReader& r, ModelSpec& m) {
  auto use = r.opt_bool("use_sliding_window");
  if (!use.ok()) return use.error();
  auto window = r.opt_int({"sliding_window"});
  if (!window.ok()) return window.error();
  // Qwen2/3 carry a sliding_window value that is off unless use_sliding_window is true.
  if (use->value_or(true) && window->has_value()) {
    if (**window < 1) return r.error("sliding_window", fmt::format("must be at least 1, got {}", **window));
    m.sliding_window = static_cast<int>(**window);
  }
  if (r.raw("layer_types")) return read_layer_types(r, m);
  auto max_window_layers = r.opt_int({"max_window_layers"});
  if (!max_window_layers.ok()) return max_window_layers.error();
  // Qwen2: layers from max_window_layers on use the window, the ones before attend fully.
  if (m.sliding_window > 0 && use->value_or(false) && max_window_layers->has_value() &&
      **max_window_layers > 0 && **max_window_layers < m.layers) {
    for (int i = 0; i < m.layers; ++i) m.layer_is_sliding.push_back(i >= **max_window_layers);
  } else if (m.sliding_window > 0 && use->value_or(false) && max_window_layers->value_or(0) >= m.layers) {
    m.sliding_window = 0;  // no layer reaches max_window_layers
  }
  return {};
}

}  // namespace

Result<ModelSpec> parse_hf_config(std::string_view json_text, const std::string& file,
                                  std::string name) {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number like 1e999 (found by fuzzing)
    std::string what = e.what();
    if (auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    return bad_input(fmt::format("{}: invalid JSON: {}", file, what));
  }
  if (!j.is_object()) return bad_input(fmt::format("{}: expected a JSON object of config keys", file));
  const JsonReader r(j, file);
  ModelSpec m;
  m.name = std::move(name);
  m.source = file;
  std::string model_type;
  TESSERA_TRY(read_identity(r, m, model_type));
  TESSERA_TRY(read_dims(r, model_type, m));
  TESSERA_TRY(read_flags(r, model_type, m));
  TESSERA_TRY(read_dtype(r, m));
  TESSERA_TRY(read_moe(r, m));
  TESSERA_TRY(read_mla(r, m));
  TESSERA_TRY(read_attention_window(r, m));
  // The config front end ends in the operator graph the plan lowers, as every front end does.
  auto g = graph_from_model(m);
  if (!g) return g.error();
  m.graph = std::make_shared<const Graph>(std::move(*g));
  return m;
}

Result<ModelSpec> load_hf_config(const std::filesystem::path& path, std::string name) {
  const std::string file = path.string();
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(st))
    return bad_input(fmt::format("model config '{}' does not exist", file));
  if (std::filesystem::is_directory(st))
    return bad_input(fmt::format("model config '{}' is a directory, not a config.json", file));
  std::ifstream in(path, std::ios::binary);
  if (!in) return bad_input(fmt::format("model config '{}' cannot be read", file));
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    return bad_input(fmt::format("model config '{}' is empty", file));
  return parse_hf_config(text, file, std::move(name));
}

}  // namespace tessera

#include "tessera/specs/io/graph_io.h"

#include <fmt/format.h>

#include <algorithm>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "tessera/core/did_you_mean.h"

namespace tessera {
namespace {

using nlohmann::ordered_json;

const std::vector<std::string> kKinds{"embedding", "linear", "attention", "norm",
                                      "activation", "add", "elementwise", "moe"};

// Keys each op kind accepts beyond name/op/inputs/dtype/source.
std::vector<std::string> op_keys(GraphOpKind k) {
  std::vector<std::string> keys{"name", "op", "inputs", "dtype", "source"};
  auto add = [&](std::initializer_list<const char*> more) { keys.insert(keys.end(), more.begin(), more.end()); };
  switch (k) {
    case GraphOpKind::Embedding: add({"vocab", "dim"}); break;
    case GraphOpKind::Linear: add({"in_features", "out_features", "bias", "tied"}); break;
    case GraphOpKind::Attention:
      add({"heads", "kv_heads", "head_dim", "causal", "rope", "window", "latent_dim", "rope_dim", "v_head_dim"});
      break;
    case GraphOpKind::Norm: add({"dim", "norm"}); break;
    case GraphOpKind::Activation: add({"dim", "fn", "gated"}); break;
    case GraphOpKind::Add: add({"dim"}); break;
    case GraphOpKind::Elementwise: add({"dim", "fn", "flops_per_element"}); break;
    case GraphOpKind::Moe:
      add({"dim", "experts", "top_k", "expert_intermediate", "shared_experts", "shared_intermediate", "fn", "gated"});
      break;
  }
  return keys;
}

// Typed access to one JSON object; errors name `at` and the key.
class Obj {
 public:
  Obj(const ordered_json& j, std::string at) : j_(j), at_(std::move(at)) {}
  Error error(std::string_view key, std::string_view msg) const {
    return bad_input(fmt::format("{}: key '{}': {}", at_, key, msg));
  }
  Status only(const std::vector<std::string>& allowed) const {
    for (auto it = j_.begin(); it != j_.end(); ++it)
      if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end())
        return error(it.key(), fmt::format("unknown key{}", did_you_mean(it.key(), allowed)));
    return {};
  }
  const ordered_json* get(const char* key) const {
    auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }
  template <class T>
  Status integer(const char* key, T& out, bool required = false) const {
    const ordered_json* v = get(key);
    if (!v) return required ? error(key, "missing required key") : Status{};
    if (!v->is_number_integer()) return error(key, fmt::format("expected an integer, got {}", v->dump()));
    out = v->get<T>();
    return {};
  }
  Status number(const char* key, double& out) const {
    const ordered_json* v = get(key);
    if (!v) return {};
    if (!v->is_number()) return error(key, fmt::format("expected a number, got {}", v->dump()));
    out = v->get<double>();
    return {};
  }
  Status boolean(const char* key, bool& out) const {
    const ordered_json* v = get(key);
    if (!v) return {};
    if (!v->is_boolean()) return error(key, fmt::format("expected true or false, got {}", v->dump()));
    out = v->get<bool>();
    return {};
  }
  Status string(const char* key, std::string& out, bool required = false) const {
    const ordered_json* v = get(key);
    if (!v) return required ? error(key, "missing required key") : Status{};
    if (!v->is_string()) return error(key, fmt::format("expected a string, got {}", v->dump()));
    out = v->get<std::string>();
    return {};
  }
  Status dtype(const char* key, std::optional<DType>& out) const {
    std::string s;
    TESSERA_TRY(string(key, s));
    if (s.empty()) return {};
    out = parse_dtype(s);
    if (!out) return error(key, fmt::format("unknown dtype '{}'", s));
    return {};
  }
  const std::string& at() const { return at_; }

 private:
  const ordered_json& j_;
  std::string at_;
};

Result<GraphOp> parse_op(const ordered_json& j, const std::string& at_block, size_t index) {
  if (!j.is_object()) return bad_input(fmt::format("{}: ops[{}]: expected an object", at_block, index));
  GraphOp op;
  Obj o(j, fmt::format("{} ops[{}]", at_block, index));
  TESSERA_TRY(o.string("name", op.name, true));
  Obj r(j, fmt::format("{} op '{}'", at_block, op.name));
  std::string kind;
  TESSERA_TRY(r.string("op", kind, true));
  auto k = std::find(kKinds.begin(), kKinds.end(), kind);
  if (k == kKinds.end()) return r.error("op", fmt::format("unknown op '{}'{}", kind, did_you_mean(kind, kKinds)));
  op.kind = static_cast<GraphOpKind>(k - kKinds.begin());
  TESSERA_TRY(r.only(op_keys(op.kind)));
  if (const ordered_json* in = r.get("inputs")) {
    if (!in->is_array()) return r.error("inputs", fmt::format("expected a list of op names, got {}", in->dump()));
    for (const auto& x : *in) {
      if (!x.is_string()) return r.error("inputs", fmt::format("expected op names, got {}", x.dump()));
      op.inputs.push_back(x.get<std::string>());
    }
  }
  TESSERA_TRY(r.dtype("dtype", op.dtype));
  TESSERA_TRY(r.string("source", op.source));
  TESSERA_TRY(r.integer("dim", op.dim));
  TESSERA_TRY(r.integer("vocab", op.vocab));
  TESSERA_TRY(r.integer("in_features", op.in_features));
  TESSERA_TRY(r.integer("out_features", op.out_features));
  TESSERA_TRY(r.boolean("bias", op.bias));
  TESSERA_TRY(r.boolean("tied", op.tied));
  TESSERA_TRY(r.integer("heads", op.heads));
  TESSERA_TRY(r.integer("kv_heads", op.kv_heads));
  TESSERA_TRY(r.integer("head_dim", op.head_dim));
  TESSERA_TRY(r.boolean("causal", op.causal));
  TESSERA_TRY(r.boolean("rope", op.rope));
  TESSERA_TRY(r.integer("window", op.window));
  TESSERA_TRY(r.integer("latent_dim", op.latent_dim));
  TESSERA_TRY(r.integer("rope_dim", op.rope_dim));
  TESSERA_TRY(r.integer("v_head_dim", op.v_head_dim));
  TESSERA_TRY(r.string("norm", op.norm));
  if (op.norm != "rms" && op.norm != "layer") return r.error("norm", fmt::format("'{}' is not rms or layer", op.norm));
  TESSERA_TRY(r.string("fn", op.fn));
  TESSERA_TRY(r.boolean("gated", op.gated));
  TESSERA_TRY(r.number("flops_per_element", op.flops_per_element));
  if (op.flops_per_element < 0) return r.error("flops_per_element", "must be >= 0");
  TESSERA_TRY(r.integer("experts", op.experts));
  TESSERA_TRY(r.integer("top_k", op.top_k));
  TESSERA_TRY(r.integer("shared_experts", op.shared_experts));
  TESSERA_TRY(r.integer("expert_intermediate", op.expert_intermediate));
  TESSERA_TRY(r.integer("shared_intermediate", op.shared_intermediate));
  if (op.kind == GraphOpKind::Attention && op.kv_heads == 0) op.kv_heads = op.heads;  // plain MHA
  return op;
}

Result<GraphBlock> parse_block(const ordered_json& j, const std::string& file, size_t index) {
  if (!j.is_object()) return bad_input(fmt::format("{}: blocks[{}]: expected an object", file, index));
  GraphBlock b;
  Obj o(j, fmt::format("{}: blocks[{}]", file, index));
  TESSERA_TRY(o.string("name", b.name, true));
  Obj r(j, fmt::format("{}: block '{}'", file, b.name));
  TESSERA_TRY(r.only({"name", "repeat", "sampled", "ops"}));
  TESSERA_TRY(r.integer("repeat", b.repeat));
  TESSERA_TRY(r.boolean("sampled", b.sampled));
  const ordered_json* ops = r.get("ops");
  if (!ops || !ops->is_array()) return r.error("ops", "expected a list of ops");
  for (size_t i = 0; i < ops->size(); ++i) {
    auto op = parse_op((*ops)[i], r.at(), i);
    if (!op) return op.error();
    b.ops.push_back(std::move(*op));
  }
  return b;
}

}  // namespace

bool looks_like_graph_path(std::string_view s) {
  constexpr std::string_view kSuffix = ".graph.json";
  return s.size() > kSuffix.size() && s.substr(s.size() - kSuffix.size()) == kSuffix;
}

Result<Graph> parse_graph(std::string_view text, const std::string& file) {
  ordered_json j;
  try {
    j = ordered_json::parse(text);
  } catch (const std::exception& e) {
    return bad_input(fmt::format("{}: not valid JSON: {}", file, e.what()));
  }
  if (!j.is_object()) return bad_input(fmt::format("{}: expected a JSON object", file));
  Obj r(j, file);
  TESSERA_TRY(r.only({"format", "version", "name", "dtype", "max_position", "blocks"}));
  std::string format;
  TESSERA_TRY(r.string("format", format, true));
  if (format != "tessera-graph") return r.error("format", fmt::format("'{}' is not \"tessera-graph\"", format));
  Graph g;
  TESSERA_TRY(r.integer("version", g.version, true));
  if (g.version < kGraphFormatMinVersion || g.version > kGraphFormatVersion)
    return r.error("version", fmt::format("{} is not supported (this build reads versions {} to {})", g.version,
                                          kGraphFormatMinVersion, kGraphFormatVersion));
  TESSERA_TRY(r.string("name", g.name));
  std::optional<DType> dt;
  TESSERA_TRY(r.dtype("dtype", dt));
  if (dt) g.dtype = *dt;
  TESSERA_TRY(r.integer("max_position", g.max_position));
  const ordered_json* blocks = r.get("blocks");
  if (!blocks || !blocks->is_array()) return r.error("blocks", "expected a list of blocks");
  for (size_t i = 0; i < blocks->size(); ++i) {
    auto b = parse_block((*blocks)[i], file, i);
    if (!b) return b.error();
    g.blocks.push_back(std::move(*b));
  }
  if (g.version < 2)
    for (const GraphBlock& b : g.blocks)
      for (const GraphOp& op : b.ops)
        if (op.mla())
          return bad_input(fmt::format("{}: block '{}' op '{}': key 'latent_dim': latent attention needs format "
                                       "version 2 (the file says version {})", file, b.name, op.name, g.version));
  TESSERA_TRY(validate_graph(g, file));
  g.source = file;
  return g;
}

Result<Graph> load_graph(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return bad_input(fmt::format("{}: cannot open graph file", path.string()));
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_graph(ss.str(), path.string());
}

std::string graph_to_json(const Graph& g) {
  ordered_json j;
  j["format"] = "tessera-graph";
  j["version"] = g.version;
  j["name"] = g.name;
  j["dtype"] = std::string(dtype_name(g.dtype));
  if (g.max_position > 0) j["max_position"] = g.max_position;
  j["blocks"] = ordered_json::array();
  for (const GraphBlock& b : g.blocks) {
    ordered_json jb;
    jb["name"] = b.name;
    jb["repeat"] = b.repeat;
    if (b.sampled) jb["sampled"] = true;
    jb["ops"] = ordered_json::array();
    for (const GraphOp& op : b.ops) {
      ordered_json o;
      o["name"] = op.name;
      o["op"] = std::string(graph_op_kind_name(op.kind));
      o["inputs"] = op.inputs;
      switch (op.kind) {
        case GraphOpKind::Embedding: o["vocab"] = op.vocab; o["dim"] = op.dim; break;
        case GraphOpKind::Linear:
          o["in_features"] = op.in_features;
          o["out_features"] = op.out_features;
          if (op.bias) o["bias"] = true;
          if (op.tied) o["tied"] = true;
          break;
        case GraphOpKind::Attention:
          o["heads"] = op.heads; o["kv_heads"] = op.kv_heads; o["head_dim"] = op.head_dim;
          o["causal"] = op.causal; o["rope"] = op.rope;
          if (op.window > 0) o["window"] = op.window;
          if (op.mla()) {
            o["latent_dim"] = op.latent_dim;
            o["rope_dim"] = op.rope_dim;
            if (op.v_head_dim > 0) o["v_head_dim"] = op.v_head_dim;
          }
          break;
        case GraphOpKind::Norm: o["dim"] = op.dim; o["norm"] = op.norm; break;
        case GraphOpKind::Activation: o["dim"] = op.dim; o["fn"] = op.fn; o["gated"] = op.gated; break;
        case GraphOpKind::Add: o["dim"] = op.dim; break;
        case GraphOpKind::Elementwise: o["dim"] = op.dim; o["fn"] = op.fn; o["flops_per_element"] = op.flops_per_element; break;
        case GraphOpKind::Moe:
          o["dim"] = op.dim; o["experts"] = op.experts; o["top_k"] = op.top_k;
          o["expert_intermediate"] = op.expert_intermediate; o["gated"] = op.gated; o["fn"] = op.fn;
          if (op.shared_experts > 0) {
            o["shared_experts"] = op.shared_experts;
            o["shared_intermediate"] = op.shared_intermediate;
          }
          break;
      }
      if (op.dtype) o["dtype"] = std::string(dtype_name(*op.dtype));
      if (!op.source.empty()) o["source"] = op.source;
      jb["ops"].push_back(std::move(o));
    }
    j["blocks"].push_back(std::move(jb));
  }
  return j.dump(2) + "\n";
}

}  // namespace tessera

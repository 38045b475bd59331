#include "tessera/specs/io/runtime_io.h"

#include <fmt/format.h>

#include <algorithm>
#include <system_error>

#include "tessera/core/did_you_mean.h"
#include "tessera/specs/io/units.h"
#include "tessera/specs/io/yaml_util.h"

namespace tessera {

namespace fs = std::filesystem;
using yaml::MapReader;

namespace {

constexpr long long kSchemaVersion = 1;

// One profile value: {value: V, source: "..."} or {value: V, estimate: "..."}. A profile
// is read by people deciding which engine to model, so every value says where it is from.
struct Leaf {
  YAML::Node value;
  std::string provenance;  // "source: ..." | "estimate: ..."
};

Result<Leaf> leaf(const MapReader& m, std::string_view key) {
  const YAML::Node n = m.node(key);
  if (!n.IsMap())
    return m.error(key, "expected {value: ..., source: ...} or {value: ..., estimate: ...}: every runtime value "
                        "names its source");
  auto sub = MapReader::make(m.file(), n, std::string(key) + ".");
  if (!sub.ok()) return sub.error();
  TESSERA_TRY(sub->check_keys({"value", "source", "estimate", "note"}));
  if (!sub->has("value")) return sub->missing("value");
  Leaf l;
  l.value = n["value"];
  if (sub->has("source"))
    l.provenance = "source: " + n["source"].as<std::string>("");
  else if (sub->has("estimate"))
    l.provenance = "estimate: " + n["estimate"].as<std::string>("");
  else
    return m.error(key, "has no 'source' or 'estimate': every runtime value names where it comes from");
  return l;
}

Result<std::string> one_of(const MapReader& m, std::string_view key, const YAML::Node& v,
                           const std::vector<std::string>& names) {
  const std::string s = v.IsScalar() ? v.Scalar() : std::string();
  if (std::find(names.begin(), names.end(), s) == names.end()) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    return m.error(key, fmt::format("'{}' is not one of {}{}", s, list, did_you_mean(s, names)));
  }
  return s;
}

Result<long long> positive_count(const MapReader& m, std::string_view key, const YAML::Node& v, long long lo) {
  auto n = parse_count(v.IsScalar() ? v.Scalar() : std::string());
  if (!n.ok()) return m.error(key, n.error().message);
  if (n.value() < lo) return m.error(key, fmt::format("'{}' must be at least {}", n.value(), lo));
  return n.value();
}

Result<std::vector<int64_t>> ladder(const MapReader& m, std::string_view key, const YAML::Node& v) {
  if (!v.IsSequence()) return m.error(key, "expected a list of ascending positive integers");
  std::vector<int64_t> out;
  for (const auto& e : v) {
    auto n = parse_count(e.IsScalar() ? e.Scalar() : std::string());
    if (!n.ok() || n.value() < 1) return m.error(key, fmt::format("'{}' is not a positive integer", e.Scalar()));
    if (!out.empty() && n.value() <= out.back())
      return m.error(key, fmt::format("'{}' after '{}': buckets must ascend", n.value(), out.back()));
    out.push_back(n.value());
  }
  return out;
}

Result<bool> boolean(const MapReader& m, std::string_view key, const YAML::Node& v) {
  const std::string s = v.IsScalar() ? v.Scalar() : std::string();
  if (s == "true") return true;
  if (s == "false") return false;
  return m.error(key, fmt::format("'{}' must be true or false", s));
}

Status read_serving(const MapReader& root, RuntimeProfile& p) {
  if (!root.has("serving")) return root.missing("serving");
  auto m = MapReader::make(root.file(), root.node("serving"), "serving.");
  if (!m.ok()) return m.error();
  TESSERA_TRY(m->check_keys({"scheduler", "max_tokens", "chunk_tokens", "max_batch", "block_tokens", "admission",
                             "preemption", "kv_pool_rule", "kv_pool_fraction"}));
  for (const char* key : {"scheduler", "max_tokens", "max_batch", "block_tokens", "admission", "preemption",
                          "kv_pool_rule", "kv_pool_fraction"})
    if (!m->has(key)) return m->missing(key);
  auto get = [&](const char* key) { return leaf(*m, key); };
#define TESSERA_LEAF(var, key)     \
  auto var = get(key);             \
  if (!var.ok()) return var.error(); \
  p.sources[std::string("serving.") + key] = var->provenance;
  TESSERA_LEAF(sched, "scheduler")
  auto s = one_of(*m, "scheduler", sched->value, {"sarathi", "vllm"});
  if (!s.ok()) return s.error();
  p.scheduler = s.value();
  TESSERA_LEAF(tokens, "max_tokens")
  auto t = positive_count(*m, "max_tokens", tokens->value, 1);
  if (!t.ok()) return t.error();
  p.max_tokens = t.value();
  if (m->has("chunk_tokens")) {
    TESSERA_LEAF(chunk, "chunk_tokens")
    auto c = positive_count(*m, "chunk_tokens", chunk->value, 0);
    if (!c.ok()) return c.error();
    p.chunk_tokens = c.value();
  }
  TESSERA_LEAF(batch, "max_batch")
  auto b = positive_count(*m, "max_batch", batch->value, 1);
  if (!b.ok()) return b.error();
  p.max_batch = static_cast<int>(b.value());
  TESSERA_LEAF(block, "block_tokens")
  auto bt = positive_count(*m, "block_tokens", block->value, 1);
  if (!bt.ok()) return bt.error();
  p.block_tokens = static_cast<int>(bt.value());
  TESSERA_LEAF(adm, "admission")
  auto a = one_of(*m, "admission", adm->value, {"guaranteed", "optimistic"});
  if (!a.ok()) return a.error();
  p.admission = a.value();
  TESSERA_LEAF(pre, "preemption")
  auto pr = one_of(*m, "preemption", pre->value, {"none", "recompute", "swap"});
  if (!pr.ok()) return pr.error();
  p.preemption = pr.value();
  TESSERA_LEAF(rule, "kv_pool_rule")
  auto r = one_of(*m, "kv_pool_rule", rule->value, {"fraction_of_free", "fraction_of_total"});
  if (!r.ok()) return r.error();
  p.kv_pool_rule = r.value() == "fraction_of_free" ? KvPoolRule::FractionOfFree : KvPoolRule::FractionOfTotal;
  TESSERA_LEAF(frac, "kv_pool_fraction")
  auto f = parse_number(frac->value.IsScalar() ? frac->value.Scalar() : std::string());
  if (!f.ok() || !(f.value() > 0 && f.value() <= 1))
    return m->error("kv_pool_fraction", fmt::format("'{}' must be in (0, 1]", frac->value.Scalar()));
  p.kv_pool_fraction = f.value();
#undef TESSERA_LEAF
  return {};
}

Status read_kernels(const MapReader& root, RuntimeProfile& p) {
  if (!root.has("kernels")) return {};
  auto m = MapReader::make(root.file(), root.node("kernels"), "kernels.");
  if (!m.ok()) return m.error();
  TESSERA_TRY(m->check_keys({"fp8_gemm"}));
  if (m->has("fp8_gemm")) {
    auto l = leaf(*m, "fp8_gemm");
    if (!l.ok()) return l.error();
    auto k = one_of(*m, "fp8_gemm", l->value, {"autotuned", "block-scaled", "per-tensor"});
    if (!k.ok()) return k.error();
    p.fp8_gemm = k.value();
    p.sources["kernels.fp8_gemm"] = l->provenance;
  }
  return {};
}

Status read_duration_leaf(const MapReader& m, std::string_view key, Seconds& out, RuntimeProfile& p) {
  if (!m.has(key)) return {};
  auto l = leaf(m, key);
  if (!l.ok()) return l.error();
  auto d = parse_duration(l->value.IsScalar() ? l->value.Scalar() : std::string());
  if (!d.ok()) return m.error(key, d.error().message);
  if (d.value().value() < 0) return m.error(key, "must not be negative");
  out = d.value();
  p.sources["costs." + std::string(key)] = l->provenance;
  return {};
}

Status read_costs(const MapReader& root, RuntimeProfile& p) {
  if (!root.has("costs")) return root.missing("costs");
  auto m = MapReader::make(root.file(), root.node("costs"), "costs.");
  if (!m.ok()) return m.error();
  TESSERA_TRY(m->check_keys({"per_iteration", "per_sequence", "per_layer", "per_collective", "per_prefill_iteration",
                             "tensor_efficiency", "fused_elementwise", "sequence_parallel"}));
  PlatformOverheads& c = p.costs;
  TESSERA_TRY(read_duration_leaf(*m, "per_iteration", c.per_iteration, p));
  TESSERA_TRY(read_duration_leaf(*m, "per_sequence", c.per_sequence, p));
  TESSERA_TRY(read_duration_leaf(*m, "per_layer", c.per_layer, p));
  TESSERA_TRY(read_duration_leaf(*m, "per_collective", c.per_collective, p));
  TESSERA_TRY(read_duration_leaf(*m, "per_prefill_iteration", c.per_prefill_iteration, p));
  if (m->has("tensor_efficiency")) {
    auto l = leaf(*m, "tensor_efficiency");
    if (!l.ok()) return l.error();
    auto v = parse_number(l->value.IsScalar() ? l->value.Scalar() : std::string());
    if (!v.ok() || !(v.value() > 0 && v.value() <= 1))
      return m->error("tensor_efficiency", fmt::format("'{}' must be in (0, 1]", l->value.Scalar()));
    c.tensor_efficiency = v.value();
    p.sources["costs.tensor_efficiency"] = l->provenance;
  }
  for (const char* key : {"fused_elementwise", "sequence_parallel"}) {
    if (!m->has(key)) continue;
    auto l = leaf(*m, key);
    if (!l.ok()) return l.error();
    auto b = boolean(*m, key, l->value);
    if (!b.ok()) return b.error();
    (std::string_view(key) == "fused_elementwise" ? c.fused_elementwise : c.sequence_parallel) = b.value();
    p.sources[std::string("costs.") + key] = l->provenance;
  }
  return {};
}

Status read_buckets(const MapReader& root, RuntimeProfile& p) {
  if (!root.has("buckets")) return {};
  auto m = MapReader::make(root.file(), root.node("buckets"), "buckets.");
  if (!m.ok()) return m.error();
  TESSERA_TRY(m->check_keys({"context_tokens", "decode_batch", "decode_kv"}));
  CompiledBuckets& b = p.costs.buckets;
  for (auto [key, out] : {std::pair<const char*, std::vector<int64_t>*>{"context_tokens", &b.context_tokens},
                          {"decode_batch", &b.decode_batch},
                          {"decode_kv", &b.decode_kv}}) {
    if (!m->has(key)) continue;
    auto l = leaf(*m, key);
    if (!l.ok()) return l.error();
    auto v = ladder(*m, key, l->value);
    if (!v.ok()) return v.error();
    *out = std::move(v.value());
    p.sources[std::string("buckets.") + key] = l->provenance;
  }
  return {};
}

Result<std::vector<std::string>> name_list(const MapReader& m, std::string_view key,
                                           const std::vector<std::string>& allowed) {
  std::vector<std::string> out;
  if (!m.has(key)) return out;
  const YAML::Node n = m.node(key);
  if (!n.IsSequence()) return m.error(key, "expected a list");
  for (const auto& e : n) {
    auto s = one_of(m, key, e, allowed);
    if (!s.ok()) return s.error();
    out.push_back(s.value());
  }
  return out;
}

}  // namespace

Result<RuntimeProfile> load_runtime_profile(const fs::path& profile_file, const fs::path& data_dir) {
  auto doc = yaml::load_file(profile_file, "runtime profile");
  if (!doc.ok()) return doc.error();
  auto made = MapReader::make(doc->file, doc->root);
  if (!made.ok()) return made.error();
  const MapReader& m = made.value();
  TESSERA_TRY(m.check_keys({"schema_version", "name", "display_name", "platforms", "default_for", "source",
                            "serving", "kernels", "costs", "buckets"}));
  TESSERA_TRY(m.schema_version(kSchemaVersion));
  RuntimeProfile p;
  auto name = m.string("name");
  if (!name.ok()) return name.error();
  if (name.value() != profile_file.stem().string())
    return m.error("name", fmt::format("'{}' differs from the file name '{}'", name.value(),
                                       profile_file.stem().string()));
  p.name = name.value();
  p.display_name = m.string_or("display_name", p.name);
  auto source = m.string("source");
  if (!source.ok()) return source.error();
  p.source = source.value();
  static const std::vector<std::string> kPlatforms{"amd", "neuron", "nvidia"};
  if (!m.has("platforms")) return m.missing("platforms");
  auto platforms = name_list(m, "platforms", kPlatforms);
  if (!platforms.ok()) return platforms.error();
  p.platforms = std::move(platforms.value());
  auto defaults = name_list(m, "default_for", kPlatforms);
  if (!defaults.ok()) return defaults.error();
  p.default_for = std::move(defaults.value());
  TESSERA_TRY(read_serving(m, p));
  TESSERA_TRY(read_kernels(m, p));
  TESSERA_TRY(read_costs(m, p));
  TESSERA_TRY(read_buckets(m, p));
  p.costs.platform = p.name;
  p.costs.source = "profile " + doc->file + " (not fitted)";
  bool fitted = false;
  TESSERA_TRY(load_fitted_costs(data_dir, p.name, p.costs, fitted));
  if (fitted) {
    const std::string fit = "fit: " + fitted_costs_file(data_dir, p.name).string();
    for (const char* key : {"per_iteration", "per_sequence", "per_layer", "per_collective", "per_prefill_iteration",
                            "tensor_efficiency"})
      p.sources[std::string("costs.") + key] = fit;
  }
  p.fitted = fitted;
  return p;
}

Result<std::vector<std::string>> runtime_names(const fs::path& data_dir) {
  std::vector<std::string> out;
  const fs::path dir = data_dir / "runtimes";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".yaml") out.push_back(e.path().stem().string());
  if (ec) return bad_input(fmt::format("cannot list '{}': {}", dir.string(), ec.message()));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace tessera

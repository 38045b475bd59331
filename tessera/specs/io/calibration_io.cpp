#include "tessera/specs/io/calibration_io.h"

#include <string>
#include <vector>

#include <fmt/format.h>

#include "tessera/core/did_you_mean.h"
#include "tessera/specs/io/yaml_util.h"

namespace tessera {
namespace {

using yaml::MapReader;

Result<MapReader> sub_map(const MapReader& parent, std::string_view key, const std::string& prefix) {
  return MapReader::make(parent.file(), parent.node(key), prefix + std::string(key) + ".");
}

// Reads `key` as a plain number into *out, or a duration ("2.4 us") into a Seconds.
Status read(const MapReader& r, std::string_view key, double* out) {
  auto v = r.number(key);
  if (!v.ok()) return v.error();
  *out = v.value();
  return {};
}

Status read(const MapReader& r, std::string_view key, Seconds* out) {
  auto v = r.quantity(key, parse_duration);
  if (!v.ok()) return v.error();
  *out = v.value();
  return {};
}

Status read_positive(const MapReader& r, std::string_view key, double* out) {
  TESSERA_TRY(read(r, key, out));
  if (!(*out > 0)) return r.error(key, fmt::format("must be greater than 0, got {}", *out));
  return {};
}

Result<FitQuality> read_quality(const MapReader& parent, const std::string& prefix) {
  auto r = sub_map(parent, "quality", prefix);
  if (!r.ok()) return r.error();
  TESSERA_TRY(r->check_keys({"median", "p90", "max", "rows", "median_m_ge_64"}));
  FitQuality q;
  TESSERA_TRY(read(*r, "median", &q.median));
  TESSERA_TRY(read(*r, "p90", &q.p90));
  TESSERA_TRY(read(*r, "max", &q.max));
  auto rows = r->count("rows");
  if (!rows.ok()) return rows.error();
  q.rows = rows.value();
  if (r->has("median_m_ge_64")) {
    double v = 0;
    TESSERA_TRY(read(*r, "median_m_ge_64", &v));
    q.median_m_ge_64 = v;
  }
  return q;
}

template <class Fit>
Status read_common(const MapReader& r, const std::string& prefix, Fit* f) {
  f->source_dtype = r.string_or("source_dtype", "");
  if (r.has("quality")) {
    auto q = read_quality(r, prefix);
    if (!q.ok()) return q.error();
    f->quality = q.value();
  }
  return {};
}

Result<GemmFit> read_gemm(const MapReader& r, const std::string& prefix) {
  TESSERA_TRY(r.check_keys({"source_dtype", "compute_efficiency", "tile_overhead_k", "memory_efficiency",
                            "launch", "blend", "act_quant_bytes", "split_k_min", "quality"}));
  GemmFit f;
  TESSERA_TRY(read_positive(r, "compute_efficiency", &f.compute_efficiency));
  TESSERA_TRY(read(r, "tile_overhead_k", &f.tile_overhead_k));
  TESSERA_TRY(read_positive(r, "memory_efficiency", &f.memory_efficiency));
  TESSERA_TRY(read(r, "launch", &f.launch));
  TESSERA_TRY(read_positive(r, "blend", &f.blend));
  TESSERA_TRY(read(r, "act_quant_bytes", &f.act_quant_bytes));
  auto ks = r.count("split_k_min");
  if (!ks.ok()) return ks.error();
  if (ks.value() < 1) return r.error("split_k_min", "must be at least 1");
  f.split_k_min = static_cast<int>(ks.value());
  TESSERA_TRY(read_common(r, prefix, &f));
  return f;
}

Result<PrefillAttentionFit> read_prefill(const MapReader& r, const std::string& prefix) {
  TESSERA_TRY(r.check_keys({"source_dtype", "compute_efficiency", "softmax_flops_per_score", "kv_fill_tokens",
                            "memory_efficiency", "launch", "seq_head_per_sm", "quality"}));
  PrefillAttentionFit f;
  TESSERA_TRY(read_positive(r, "compute_efficiency", &f.compute_efficiency));
  TESSERA_TRY(read(r, "softmax_flops_per_score", &f.softmax_flops_per_score));
  TESSERA_TRY(read(r, "kv_fill_tokens", &f.kv_fill_tokens));
  TESSERA_TRY(read_positive(r, "memory_efficiency", &f.memory_efficiency));
  TESSERA_TRY(read(r, "launch", &f.launch));
  TESSERA_TRY(read(r, "seq_head_per_sm", &f.seq_head_per_sm));
  TESSERA_TRY(read_common(r, prefix, &f));
  return f;
}

Result<DecodeAttentionFit> read_decode(const MapReader& r, const std::string& prefix) {
  TESSERA_TRY(r.check_keys({"source_dtype", "memory_efficiency", "ctas_per_sm", "launch", "seq_kv_head_per_sm",
                            "seq_q_head_per_sm", "compute_efficiency", "quality"}));
  DecodeAttentionFit f;
  TESSERA_TRY(read_positive(r, "memory_efficiency", &f.memory_efficiency));
  TESSERA_TRY(read_positive(r, "ctas_per_sm", &f.ctas_per_sm));
  TESSERA_TRY(read(r, "launch", &f.launch));
  TESSERA_TRY(read(r, "seq_kv_head_per_sm", &f.seq_kv_head_per_sm));
  TESSERA_TRY(read(r, "seq_q_head_per_sm", &f.seq_q_head_per_sm));
  TESSERA_TRY(read_positive(r, "compute_efficiency", &f.compute_efficiency));
  TESSERA_TRY(read_common(r, prefix, &f));
  return f;
}

// A map of dtype name -> parameters, each read by `read_one`.
template <class Fit, class ReadOne>
Status read_by_dtype(const MapReader& top, std::string_view key, ReadOne read_one, std::map<DType, Fit>* out) {
  auto r = sub_map(top, key, "");
  if (!r.ok()) return r.error();
  const YAML::Node n = top.node(key);
  static const std::vector<std::string> kNames{"bf16", "fp16", "fp8", "int8", "mxfp8", "mxfp4", "fp4"};
  for (auto it = n.begin(); it != n.end(); ++it) {
    const std::string name = it->first.Scalar();
    auto dt = parse_dtype(name);
    if (!dt)
      return yaml::error_at(top.file(), it->first, fmt::format("key '{}.{}': unknown dtype '{}'{}", key, name,
                                                               name, did_you_mean(name, kNames)));
    const std::string prefix = std::string(key) + "." + name + ".";
    auto m = MapReader::make(top.file(), it->second, prefix);
    if (!m.ok()) return m.error();
    auto f = read_one(*m, prefix);
    if (!f.ok()) return f.error();
    (*out)[*dt] = std::move(f.value());
  }
  if (out->find(DType::BF16) == out->end())
    return top.error(key, "needs a 'bf16' entry (the fallback for every other dtype)");
  return {};
}

Status read_sm_counts(const MapReader& top, NvidiaComputeFit* fit) {
  auto r = sub_map(top, "sm_counts", "");
  if (!r.ok()) return r.error();
  const YAML::Node n = top.node("sm_counts");
  for (auto it = n.begin(); it != n.end(); ++it) {
    const std::string chip = it->first.Scalar();
    auto c = r->count(chip);
    if (!c.ok()) return c.error();
    if (c.value() < 1) return r->error(chip, "must be at least 1");
    fit->sm_counts[chip] = static_cast<int>(c.value());
  }
  return {};
}

Status read_elementwise(const MapReader& top, NvidiaComputeFit* fit) {
  auto r = sub_map(top, "elementwise", "");
  if (!r.ok()) return r.error();
  TESSERA_TRY(r->check_keys({"memory_efficiency", "launch", "derivation"}));
  TESSERA_TRY(read_positive(*r, "memory_efficiency", &fit->elementwise.memory_efficiency));
  TESSERA_TRY(read(*r, "launch", &fit->elementwise.launch));
  return {};
}

}  // namespace

Result<NvidiaComputeFit> load_nvidia_fit(const std::filesystem::path& file) {
  auto doc = yaml::load_file(file, "NVIDIA calibration file");
  if (!doc.ok()) return doc.error();
  auto top = MapReader::make(doc->file, doc->root);
  if (!top.ok()) return top.error();
  TESSERA_TRY(top->check_keys({"chip", "produced_by", "source", "sms", "sms_source", "sm_counts", "gemm",
                               "prefill_attention", "decode_attention", "elementwise"}));
  NvidiaComputeFit fit;
  auto chip = top->string("chip");
  if (!chip.ok()) return chip.error();
  fit.chip = chip.value();
  fit.produced_by = top->string_or("produced_by", "");
  fit.source = top->string_or("source", "");
  auto sms = top->count("sms");
  if (!sms.ok()) return sms.error();
  if (sms.value() < 1) return top->error("sms", "must be at least 1");
  fit.sms = static_cast<int>(sms.value());
  if (top->has("sm_counts")) TESSERA_TRY(read_sm_counts(*top, &fit));
  TESSERA_TRY(read_by_dtype(*top, "gemm", read_gemm, &fit.gemm));
  TESSERA_TRY(read_by_dtype(*top, "prefill_attention", read_prefill, &fit.prefill));
  TESSERA_TRY(read_by_dtype(*top, "decode_attention", read_decode, &fit.decode));
  if (!top->has("elementwise")) return top->missing("elementwise");
  TESSERA_TRY(read_elementwise(*top, &fit));
  return fit;
}

std::filesystem::path nvidia_fit_path(const std::filesystem::path& data_dir, std::string_view chip_name) {
  const auto dir = data_dir / "calibration" / "nvidia";
  auto own = dir / (std::string(chip_name) + ".yaml");
  std::error_code ec;
  if (!chip_name.empty() && std::filesystem::is_regular_file(own, ec)) return own;
  return dir / "generic.yaml";
}

}  // namespace tessera

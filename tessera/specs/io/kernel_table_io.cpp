#include "tessera/specs/io/kernel_table_io.h"

#include <array>
#include <fstream>
#include <initializer_list>
#include <map>
#include <optional>
#include <sstream>
#include <utility>

#include <fmt/format.h>

#include "tessera/specs/io/units.h"

namespace tessera {

namespace fs = std::filesystem;

namespace {

// Catalog chip -> AIConfigurator system directory (the names fit_nvidia.py's CHIPS table uses).
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kSystems{{
    {"h100-sxm", "h100_sxm"}, {"h200-sxm", "h200_sxm"}, {"b200", "b200_sxm"}, {"gb200", "gb200"}}};

// AIConfigurator dtype names -> Tessera dtypes (fp8_block is DeepSeek-style block-scaled FP8,
// the nearest Tessera dtype being MXFP8; the same mapping the fit uses).
std::optional<DType> table_dtype(std::string_view s) {
  if (s == "bfloat16") return DType::BF16;
  if (s == "fp8") return DType::FP8;
  if (s == "fp8_block") return DType::MXFP8;
  if (s == "nvfp4") return DType::FP4;
  return std::nullopt;
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> f;
  std::stringstream ss(line);
  for (std::string cell; std::getline(ss, cell, ',');) f.push_back(cell);
  return f;
}

// A CSV with a header; `row` receives the fields by column name and returns an error message
// ("" when the row is accepted) which is reported as "file:line: message".
class CsvReader {
 public:
  static Result<CsvReader> open(const fs::path& path, std::initializer_list<const char*> needed) {
    CsvReader r;
    r.path_ = path;
    r.in_.open(path);
    if (!r.in_) return bad_input(fmt::format("{}: cannot read the measured kernel table", path.string()));
    std::string line;
    if (!std::getline(r.in_, line)) return bad_input(fmt::format("{}: empty file", path.string()));
    r.header_ = split(line);
    for (size_t i = 0; i < r.header_.size(); ++i) r.col_[r.header_[i]] = i;
    for (const char* c : needed)
      if (!r.col_.count(c)) return bad_input(fmt::format("{}: missing column '{}'", path.string(), c));
    return r;
  }

  // Next data row; false at the end. Sets `error` for a row with the wrong field count.
  bool next(Status* error) {
    std::string line;
    while (std::getline(in_, line)) {
      ++line_;
      if (line.empty()) continue;
      fields_ = split(line);
      if (fields_.size() != header_.size())
        *error = bad_input(fmt::format("{}:{}: expected {} fields, got {}", path_.string(), line_ + 1,
                                       header_.size(), fields_.size()));
      return true;
    }
    return false;
  }

  const std::string& field(const char* name) const { return fields_[col_.at(name)]; }

  Error error(const char* key, std::string_view why) const {
    return bad_input(fmt::format("{}:{}: key '{}': '{}' {}", path_.string(), line_ + 1, key, field(key), why));
  }

  Result<int64_t> count(const char* key) const {
    auto v = parse_count(field(key));
    if (!v || v.value() < 0) return error(key, "is not a non-negative integer");
    return static_cast<int64_t>(v.value());
  }

  Result<DType> dtype(const char* key) const {
    auto d = table_dtype(field(key));
    if (!d) return error(key, "is not bfloat16, fp8, fp8_block or nvfp4");
    return *d;
  }

  // Table latencies are milliseconds per call.
  Result<Seconds> latency() const {
    auto v = parse_number(field("latency"));
    if (!v || !(v.value() > 0)) return error("latency", "is not a positive number of milliseconds");
    return Seconds(v.value() * 1e-3);
  }

 private:
  fs::path path_;
  std::ifstream in_;
  std::vector<std::string> header_, fields_;
  std::map<std::string, size_t> col_;
  int line_ = 0;  // data lines read; the file line is line_ + 1 (header)
};

#define TESSERA_ASSIGN(lhs, expr)        \
  do {                                   \
    auto tessera_a_ = (expr);            \
    if (!tessera_a_) return tessera_a_.error(); \
    lhs = tessera_a_.value();            \
  } while (0)

Status read_gemm(const fs::path& path, std::vector<GemmTableRow>* out) {
  auto r = CsvReader::open(path, {"gemm_dtype", "m", "n", "k", "latency"});
  if (!r) return r.error();
  for (Status bad; r->next(&bad);) {
    if (!bad) return bad;
    GemmTableRow row;
    TESSERA_ASSIGN(row.dtype, r->dtype("gemm_dtype"));
    TESSERA_ASSIGN(row.m, r->count("m"));
    TESSERA_ASSIGN(row.n, r->count("n"));
    TESSERA_ASSIGN(row.k, r->count("k"));
    TESSERA_ASSIGN(row.latency, r->latency());
    out->push_back(row);
  }
  return {};
}

// The head shape of an attention row into `row`; false for a sliding-window row.
template <typename Row>
Result<bool> read_head_shape(CsvReader& r, Row& row) {
  int64_t v = 0;
  TESSERA_ASSIGN(v, r.count("window_size"));
  if (v > 0) return false;
  TESSERA_ASSIGN(v, r.count("num_heads"));
  row.heads = static_cast<int>(v);
  TESSERA_ASSIGN(v, r.count("num_key_value_heads"));
  row.kv_heads = static_cast<int>(v);
  TESSERA_ASSIGN(v, r.count("head_dim"));
  row.head_dim = static_cast<int>(v);
  return true;
}

// Rows of both attention tables: sliding-window rows (window_size > 0) are skipped, because
// the interpolation grids are for full causal attention.
Status read_prefill(const fs::path& path, std::vector<PrefillTableRow>* out) {
  auto r = CsvReader::open(path, {"batch_size", "isl", "num_heads", "num_key_value_heads", "head_dim",
                                  "window_size", "attn_dtype", "kv_cache_dtype", "latency"});
  if (!r) return r.error();
  for (Status bad; r->next(&bad);) {
    if (!bad) return bad;
    PrefillTableRow row;
    bool full = false;
    TESSERA_ASSIGN(full, read_head_shape(*r, row));
    if (!full) continue;
    TESSERA_ASSIGN(row.compute_dtype, r->dtype("attn_dtype"));
    TESSERA_ASSIGN(row.kv_dtype, r->dtype("kv_cache_dtype"));
    TESSERA_ASSIGN(row.batch, r->count("batch_size"));
    TESSERA_ASSIGN(row.isl, r->count("isl"));
    TESSERA_ASSIGN(row.latency, r->latency());
    out->push_back(row);
  }
  return {};
}

Status read_decode(const fs::path& path, std::vector<DecodeTableRow>* out) {
  auto r = CsvReader::open(path, {"batch_size", "num_heads", "num_key_value_heads", "head_dim", "window_size",
                                  "kv_cache_dtype", "step", "latency"});
  if (!r) return r.error();
  for (Status bad; r->next(&bad);) {
    if (!bad) return bad;
    DecodeTableRow row;
    bool full = false;
    TESSERA_ASSIGN(full, read_head_shape(*r, row));
    if (!full) continue;
    int64_t v = 0;
    TESSERA_ASSIGN(row.kv_dtype, r->dtype("kv_cache_dtype"));
    TESSERA_ASSIGN(row.batch, r->count("batch_size"));
    TESSERA_ASSIGN(v, r->count("step"));
    row.kv_len = v + 1;  // `step` tokens were cached before this one
    TESSERA_ASSIGN(row.latency, r->latency());
    out->push_back(row);
  }
  return {};
}

#undef TESSERA_ASSIGN

}  // namespace

std::vector<std::string> chips_with_kernel_tables() {
  std::vector<std::string> out;
  for (auto [chip, system] : kSystems) out.emplace_back(chip);
  return out;
}

Result<NvidiaKernelTables> load_nvidia_kernel_tables(const fs::path& data_dir, std::string_view chip_name) {
  std::string_view system;
  for (auto [chip, sys] : kSystems)
    if (chip == chip_name) system = sys;
  if (system.empty())
    return bad_input(fmt::format("--fidelity: 'measured' interpolates measured NVIDIA kernel tables and chip '{}' has "
                                 "none (chips with tables: {}); use another --fidelity",
                                 chip_name, fmt::join(chips_with_kernel_tables(), ", ")));
  NvidiaKernelTables t;
  t.chip = std::string(chip_name);
  const fs::path dir = data_dir / "calibration" / "nvidia" / "subsets" / std::string(system);
  t.source = dir.string();
  TESSERA_TRY(read_gemm(dir / "gemm.csv", &t.gemm));
  TESSERA_TRY(read_prefill(dir / "context_attention.csv", &t.prefill));
  TESSERA_TRY(read_decode(dir / "generation_attention.csv", &t.decode));
  return t;
}

}  // namespace tessera

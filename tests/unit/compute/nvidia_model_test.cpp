// The calibrated NVIDIA model: hand calculations on a made-up chip, monotonicity, and the
// committed H100 fit reproducing rows of the committed measured subsets within its stated error.
#include "tessera/compute/nvidia_model.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace tessera {
namespace {

// A round-number chip: 1 PFLOP/s BF16 over 100 SMs, 1 TB/s HBM.
ChipSpec toy_chip() {
  ChipSpec c;
  c.name = "toy";
  c.peak_dense[DType::BF16] = TFLOPS(1000);
  c.hbm_bandwidth = TBps(1);
  return c;
}

NvidiaComputeFit toy_fit() {
  NvidiaComputeFit f;
  f.sms = 100;
  GemmFit g;
  g.compute_efficiency = 0.5;
  g.tile_overhead_k = 0;
  g.memory_efficiency = 0.8;
  g.launch = us(2);
  g.blend = 40;  // close to a hard maximum
  g.split_k_min = 1024;
  f.gemm[DType::BF16] = g;
  f.prefill[DType::BF16] = PrefillAttentionFit{};
  f.decode[DType::BF16] = DecodeAttentionFit{};
  return f;
}

TEST(NvidiaModel, MemoryBoundGemmByHand) {
  const ChipSpec chip = toy_chip();
  const NvidiaModel model({&chip, 1, 1.0}, toy_fit());
  const OpCost c = model.gemm({.m = 1, .n = 4096, .k = 4096});
  // Bytes: W 2*4096*4096 + X 2*4096 + Y 2*4096 = 33,570,816 at 0.8 TB/s = 41.9635 us.
  EXPECT_NEAR(c.memory.value(), 33570816.0 / 0.8e12, 1e-12);
  // Fastest tile 64x128: 32 CTAs, split-K min(floor(100/32), 4096/1024) = 3 -> one wave of
  // 2*64*128*(4096/3) FLOP at 1e15/100*0.5 FLOP/s per SM = 4.4739 us.
  EXPECT_NEAR(c.compute.value(), 2.0 * 64 * 128 * (4096.0 / 3) / 5e12, 1e-12);
  EXPECT_NEAR(c.time.value(), 33570816.0 / 0.8e12 + 2e-6, 1e-9);
  EXPECT_DOUBLE_EQ(c.flops.value(), 2.0 * 4096 * 4096);
}

TEST(NvidiaModel, ComputeBoundGemmByHand) {
  const ChipSpec chip = toy_chip();
  const NvidiaModel model({&chip, 1, 1.0}, toy_fit());
  const OpCost c = model.gemm({.m = 8192, .n = 8192, .k = 8192});
  // 128x128 tiles: 4096 CTAs in 41 waves of 100; each tile 2*128*128*8192 FLOP at 5e12 per SM.
  const double tc = 41 * 2.0 * 128 * 128 * 8192 / 5e12;  // 2201.2 us (ideal 2199.0 us)
  EXPECT_NEAR(c.compute.value(), tc, 1e-12);
  EXPECT_NEAR(c.memory.value(), 3 * 2.0 * 8192 * 8192 / 0.8e12, 1e-12);
  EXPECT_NEAR(c.time.value(), tc + 2e-6, 1e-9);
}

TEST(NvidiaModel, ElementwiseIsMemoryBoundWithLaunch) {
  const ChipSpec chip = toy_chip();
  NvidiaComputeFit fit = toy_fit();
  fit.elementwise = {0.5, us(3)};
  const NvidiaModel model({&chip, 1, 1.0}, fit);
  const OpCost c = model.elementwise({.elements = 1000000, .bytes = Bytes(4e6)});
  EXPECT_NEAR(c.time.value(), 4e6 / 0.5e12 + 3e-6, 1e-12);
  EXPECT_DOUBLE_EQ(model.elementwise({.elements = 10, .bytes = Bytes(0)}).time.value(), 0.0);
}

// ---- the committed H100 fit --------------------------------------------------------------

// The fit files are flat two-space-indented YAML written by fit_nvidia.py; this test reads
// the few values it needs without a YAML library (compute/ does not link specs/io).
std::map<std::string, std::string> read_flat_yaml(const std::string& path) {
  std::ifstream in(path);
  std::map<std::string, std::string> out;
  std::vector<std::string> stack;
  std::string line;
  while (std::getline(in, line)) {
    const auto p = line.find_first_not_of(' ');
    if (p == std::string::npos || line[p] == '#') continue;
    const auto colon = line.find(':', p);
    if (colon == std::string::npos) continue;
    stack.resize(p / 2);
    const std::string key = line.substr(p, colon - p);
    std::string value = colon + 1 < line.size() ? line.substr(colon + 2) : "";
    stack.push_back(key);
    std::string path_key;
    for (const auto& s : stack) path_key += (path_key.empty() ? "" : ".") + s;
    out[path_key] = value;
  }
  return out;
}

double num(const std::map<std::string, std::string>& y, const std::string& key) {
  auto it = y.find(key);
  EXPECT_NE(it, y.end()) << key;
  return it == y.end() ? 0 : std::stod(it->second);  // "2.37 us" -> 2.37
}

// Stated quality "{median: 0.0622, p90: 0.213, max: 1.17, ...}" -> the named figure.
double stated(const std::map<std::string, std::string>& y, const std::string& key, const std::string& what) {
  const std::string& q = y.at(key);
  const auto p = q.find(what + ": ");
  return std::stod(q.substr(p + what.size() + 2));
}

NvidiaComputeFit h100_fit(const std::map<std::string, std::string>& y) {
  NvidiaComputeFit f;
  f.sms = static_cast<int>(num(y, "sms"));
  for (auto [d, name] : {std::pair{DType::BF16, "bf16"}, std::pair{DType::FP8, "fp8"}}) {
    const std::string g = std::string("gemm.") + name + ".";
    f.gemm[d] = GemmFit{num(y, g + "compute_efficiency"), num(y, g + "tile_overhead_k"),
                        num(y, g + "memory_efficiency"), us(num(y, g + "launch")), num(y, g + "blend"),
                        num(y, g + "act_quant_bytes"), static_cast<int>(num(y, g + "split_k_min")), "", {}};
    const std::string p = std::string("prefill_attention.") + name + ".";
    f.prefill[d] = PrefillAttentionFit{num(y, p + "compute_efficiency"), num(y, p + "softmax_flops_per_score"),
                                       num(y, p + "kv_fill_tokens"), num(y, p + "memory_efficiency"),
                                       us(num(y, p + "launch")), us(num(y, p + "seq_head_per_sm")), "", {}};
    const std::string k = std::string("decode_attention.") + name + ".";
    f.decode[d] = DecodeAttentionFit{num(y, k + "memory_efficiency"), num(y, k + "ctas_per_sm"),
                                     us(num(y, k + "launch")), us(num(y, k + "seq_kv_head_per_sm")),
                                     us(num(y, k + "seq_q_head_per_sm")), num(y, k + "compute_efficiency"), "", {}};
  }
  return f;
}

ChipSpec h100() {  // hardware.md §3 [V1]
  ChipSpec c;
  c.name = "h100-sxm";
  c.peak_dense[DType::BF16] = TFLOPS(989.5);
  c.peak_dense[DType::FP8] = TFLOPS(1979);
  c.hbm_bandwidth = TBps(3.35);
  return c;
}

std::vector<std::map<std::string, std::string>> read_csv(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> cols;
  std::stringstream hs(line);
  for (std::string c; std::getline(hs, c, ',');) cols.push_back(c);
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    std::stringstream ls(line);
    std::map<std::string, std::string> r;
    std::string v;
    for (size_t i = 0; i < cols.size() && std::getline(ls, v, ','); ++i) r[cols[i]] = v;
    rows.push_back(std::move(r));
  }
  return rows;
}

DType table_dtype(const std::string& s) { return s == "fp8" ? DType::FP8 : DType::BF16; }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

class H100Fit : public ::testing::Test {
 protected:
  const std::string dir_ = std::string(TESSERA_SOURCE_DIR) + "/data/calibration/nvidia/";
  const std::map<std::string, std::string> yaml_ = read_flat_yaml(dir_ + "h100-sxm.yaml");
  const ChipSpec chip_ = h100();
  const NvidiaModel model_{{&chip_, 1, 1.0}, h100_fit(yaml_)};
};

TEST_F(H100Fit, MoreWorkTakesMoreTime) {
  for (DType d : {DType::BF16, DType::FP8}) {
    double prev = 0;
    for (int64_t m : {1, 16, 64, 128, 256, 512, 1024, 4096, 16384}) {
      const double t = model_.gemm({.m = m, .n = 4096, .k = 4096, .act_dtype = d, .weight_dtype = d}).time.value();
      EXPECT_GE(t, prev) << "m=" << m;
      prev = t;
    }
    prev = 0;
    for (int64_t k : {256, 1024, 4096, 16384, 65536}) {
      const double t = model_.gemm({.m = 2048, .n = 8192, .k = k, .act_dtype = d, .weight_dtype = d}).time.value();
      EXPECT_GT(t, prev) << "k=" << k;
      prev = t;
    }
  }
  double prev = 0;
  for (int64_t L : {128, 1024, 8192, 65536}) {
    AttentionOp a{.decode = true, .seqs = 64, .q_tokens = 64, .kv_tokens = 64 * L, .pairs = 64.0 * L, .heads = 8,
                  .kv_heads = 1, .kv_bytes_per_token = 512};
    EXPECT_GT(model_.attention(a).time.value(), prev) << "L=" << L;
    prev = model_.attention(a).time.value();
  }
}

TEST_F(H100Fit, ReproducesCommittedGemmRows) {
  std::vector<double> errs;
  for (const auto& r : read_csv(dir_ + "subsets/h100_sxm/gemm.csv")) {
    // h100_fit() reads the bf16 and fp8 parameters only; fp8_block rows are mxfp8's.
    if (r.at("gemm_dtype") != "bfloat16" && r.at("gemm_dtype") != "fp8") continue;
    const DType d = table_dtype(r.at("gemm_dtype"));
    const GemmOp op{.m = std::stoll(r.at("m")), .n = std::stoll(r.at("n")), .k = std::stoll(r.at("k")),
                    .act_dtype = d, .weight_dtype = d};
    const double err = std::abs(model_.gemm(op).time.value() / (std::stod(r.at("latency")) * 1e-3) - 1);
    const std::string key = d == DType::FP8 ? "gemm.fp8.quality" : "gemm.bf16.quality";
    EXPECT_LE(err, stated(yaml_, key, "max")) << op.m << "x" << op.n << "x" << op.k;
    if (op.m >= 64) errs.push_back(err);
  }
  ASSERT_GT(errs.size(), 100u);
  EXPECT_LE(median(errs), 0.10);  // the acceptance threshold of the fit
}

TEST_F(H100Fit, ReproducesCommittedAttentionRows) {
  std::vector<double> pre, dec;
  for (const auto& r : read_csv(dir_ + "subsets/h100_sxm/context_attention.csv")) {
    const int64_t b = std::stoll(r.at("batch_size")), s = std::stoll(r.at("isl"));
    const int h = std::stoi(r.at("num_heads")), kvh = std::stoi(r.at("num_key_value_heads"));
    const DType d = table_dtype(r.at("attn_dtype")), kv = table_dtype(r.at("kv_cache_dtype"));
    const AttentionOp op{.seqs = b, .q_tokens = b * s, .kv_tokens = b * s, .pairs = b * s * (s + 1) / 2.0,
                         .heads = h, .kv_heads = kvh, .kv_bytes_per_token = kvh * 128 * 2 * (kv == DType::FP8 ? 1 : 2),
                         .compute_dtype = d, .kv_dtype = kv};
    const double err = std::abs(model_.attention(op).time.value() / (std::stod(r.at("latency")) * 1e-3) - 1);
    EXPECT_LE(err, stated(yaml_, d == DType::FP8 ? "prefill_attention.fp8.quality" : "prefill_attention.bf16.quality",
                          "max"));
    pre.push_back(err);
  }
  for (const auto& r : read_csv(dir_ + "subsets/h100_sxm/generation_attention.csv")) {
    const int64_t b = std::stoll(r.at("batch_size")), L = std::stoll(r.at("step")) + 1;
    const int h = std::stoi(r.at("num_heads")), kvh = std::stoi(r.at("num_key_value_heads"));
    const DType kv = table_dtype(r.at("kv_cache_dtype"));
    const AttentionOp op{.decode = true, .seqs = b, .q_tokens = b, .kv_tokens = b * L, .pairs = double(b * L),
                         .heads = h, .kv_heads = kvh, .kv_bytes_per_token = kvh * 128 * 2 * (kv == DType::FP8 ? 1 : 2),
                         .kv_dtype = kv};
    const double err = std::abs(model_.attention(op).time.value() / (std::stod(r.at("latency")) * 1e-3) - 1);
    EXPECT_LE(err, stated(yaml_, kv == DType::FP8 ? "decode_attention.fp8.quality" : "decode_attention.bf16.quality",
                          "max"));
    dec.push_back(err);
  }
  ASSERT_GT(pre.size(), 100u);
  ASSERT_GT(dec.size(), 100u);
  // Subset medians stay within the whole-table p90 the fit states.
  EXPECT_LE(median(pre), stated(yaml_, "prefill_attention.bf16.quality", "p90"));
  EXPECT_LE(median(dec), stated(yaml_, "decode_attention.bf16.quality", "p90"));
}

}  // namespace
}  // namespace tessera

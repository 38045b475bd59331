#include "tessera/specs/io/calibration_io.h"

#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace tessera {
namespace {

namespace fs = std::filesystem;

const fs::path kRepoData = fs::path(TESSERA_SOURCE_DIR) / "data";

template <class R>
std::string error_of(const R& r) {
  return r.ok() ? std::string("<ok>") : r.error().message;
}

// A minimal valid file; `extra` is spliced into the gemm.bf16 block.
std::string minimal(const std::string& gemm_extra = "", const std::string& top_extra = "") {
  return "chip: test\n"
         "sms: 100\n" + top_extra +
         "gemm:\n"
         "  bf16:\n"
         "    compute_efficiency: 0.8\n"
         "    tile_overhead_k: 100\n"
         "    memory_efficiency: 0.75\n"
         "    launch: 2.5 us\n"
         "    blend: 3\n"
         "    act_quant_bytes: 0\n"
         "    split_k_min: 1024\n" + gemm_extra +
         "prefill_attention:\n"
         "  bf16: {compute_efficiency: 0.9, softmax_flops_per_score: 300, kv_fill_tokens: 800,"
         " memory_efficiency: 0.9, launch: 15 us, seq_head_per_sm: 2.5 us}\n"
         "decode_attention:\n"
         "  bf16: {memory_efficiency: 0.85, ctas_per_sm: 0.3, launch: 9 us, seq_kv_head_per_sm: 0.8 us,"
         " seq_q_head_per_sm: 0.2 us, compute_efficiency: 0.05}\n"
         "elementwise: {memory_efficiency: 0.85, launch: 2 us}\n";
}

fs::path write_tmp(const std::string& name, const std::string& text) {
  const fs::path dir = fs::temp_directory_path() / "tessera_calibration_io_test";
  fs::create_directories(dir);
  const fs::path p = dir / name;
  std::ofstream(p) << text;
  return p;
}

TEST(CalibrationIo, ReadsMinimalFileWithUnits) {
  auto r = load_nvidia_fit(write_tmp("ok.yaml", minimal()));
  ASSERT_TRUE(r.ok()) << error_of(r);
  EXPECT_EQ(r->chip, "test");
  EXPECT_EQ(r->sms, 100);
  const GemmFit& g = r->gemm.at(DType::BF16);
  EXPECT_DOUBLE_EQ(g.compute_efficiency, 0.8);
  EXPECT_DOUBLE_EQ(g.launch.value(), 2.5e-6);
  EXPECT_EQ(g.split_k_min, 1024);
  EXPECT_FALSE(g.quality.has_value());
  EXPECT_DOUBLE_EQ(r->prefill.at(DType::BF16).seq_head_per_sm.value(), 2.5e-6);
  EXPECT_DOUBLE_EQ(r->decode.at(DType::BF16).seq_q_head_per_sm.value(), 0.2e-6);
  EXPECT_DOUBLE_EQ(r->elementwise.launch.value(), 2e-6);
}

TEST(CalibrationIo, RejectsUnknownKeyWithLineAndSuggestion) {
  auto r = load_nvidia_fit(write_tmp("typo.yaml", minimal("    blnd: 2\n")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::BadInput);
  EXPECT_NE(error_of(r).find("typo.yaml:12:"), std::string::npos) << error_of(r);
  EXPECT_NE(error_of(r).find("unknown key 'gemm.bf16.blnd'"), std::string::npos) << error_of(r);
  EXPECT_NE(error_of(r).find("did you mean 'blend'"), std::string::npos) << error_of(r);
  EXPECT_EQ(error_of(r).find('\n'), std::string::npos);
}

TEST(CalibrationIo, RejectsUnknownDtypeAndBadValues) {
  auto r = load_nvidia_fit(write_tmp("dtype.yaml", minimal("  bf61:\n    blend: 1\n")));
  EXPECT_NE(error_of(r).find("unknown dtype 'bf61' (did you mean 'bf16'?)"), std::string::npos) << error_of(r);
  std::string bad = minimal();
  bad.replace(bad.find("launch: 2.5 us"), 14, "launch: 2.5 GB");
  r = load_nvidia_fit(write_tmp("unit.yaml", bad));
  EXPECT_NE(error_of(r).find("key 'gemm.bf16.launch'"), std::string::npos) << error_of(r);
  bad = minimal();
  bad.replace(bad.find("memory_efficiency: 0.75"), 23, "memory_efficiency: 0");
  r = load_nvidia_fit(write_tmp("zero.yaml", bad));
  EXPECT_NE(error_of(r).find("key 'gemm.bf16.memory_efficiency': must be greater than 0"), std::string::npos)
      << error_of(r);
  bad = minimal();
  bad.erase(bad.find("    blend: 3\n"), 13);
  r = load_nvidia_fit(write_tmp("missing.yaml", bad));
  EXPECT_NE(error_of(r).find("missing required key 'gemm.bf16.blend'"), std::string::npos) << error_of(r);
}

TEST(CalibrationIo, ReadsCommittedChipFileWithQuality) {
  auto r = load_nvidia_fit(kRepoData / "calibration/nvidia/h100-sxm.yaml");
  ASSERT_TRUE(r.ok()) << error_of(r);
  EXPECT_EQ(r->chip, "h100-sxm");
  EXPECT_EQ(r->sms, 132);
  EXPECT_NE(r->produced_by.find("fit_nvidia.py"), std::string::npos);
  for (DType d : {DType::BF16, DType::FP8, DType::MXFP8}) {
    ASSERT_TRUE(r->gemm.count(d)) << dtype_name(d);
    const GemmFit& g = r->gemm.at(d);
    EXPECT_GT(g.compute_efficiency, 0.3);
    EXPECT_LE(g.compute_efficiency, 1.0);
    ASSERT_TRUE(g.quality && g.quality->median_m_ge_64);
  }
  // The acceptance of the fit: GEMM median |error| for m >= 64 within 10%.
  EXPECT_LE(*r->gemm.at(DType::BF16).quality->median_m_ge_64, 0.10);
  EXPECT_LE(*r->gemm.at(DType::FP8).quality->median_m_ge_64, 0.10);
  EXPECT_TRUE(r->prefill.count(DType::FP8));
  EXPECT_TRUE(r->decode.count(DType::FP8));
}

TEST(CalibrationIo, EveryCommittedFileLoads) {
  for (const char* chip : {"h100-sxm", "h200-sxm", "b200", "gb200", "generic"}) {
    auto r = load_nvidia_fit(kRepoData / "calibration/nvidia" / (std::string(chip) + ".yaml"));
    EXPECT_TRUE(r.ok()) << chip << ": " << error_of(r);
  }
  auto b200 = load_nvidia_fit(kRepoData / "calibration/nvidia/b200.yaml");
  ASSERT_TRUE(b200.ok());
  EXPECT_EQ(b200->sms, 148);
  EXPECT_TRUE(b200->gemm.count(DType::FP4));
}

TEST(CalibrationIo, GenericCarriesSmCountsOfChipsWithoutTables) {
  auto r = load_nvidia_fit(kRepoData / "calibration/nvidia/generic.yaml");
  ASSERT_TRUE(r.ok()) << error_of(r);
  EXPECT_EQ(r->sms_for("a100-sxm"), 108);
  EXPECT_EQ(r->sms_for("some-future-gpu"), r->sms);
}

TEST(CalibrationIo, FitPathFallsBackToGeneric) {
  EXPECT_EQ(nvidia_fit_path(kRepoData, "h100-sxm"), kRepoData / "calibration/nvidia/h100-sxm.yaml");
  EXPECT_EQ(nvidia_fit_path(kRepoData, "a100-sxm"), kRepoData / "calibration/nvidia/generic.yaml");
  EXPECT_EQ(nvidia_fit_path(kRepoData, ""), kRepoData / "calibration/nvidia/generic.yaml");
}

TEST(CalibrationIo, MissingFileIsBadInput) {
  auto r = load_nvidia_fit(kRepoData / "calibration/nvidia/no-such-chip.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::BadInput);
  EXPECT_NE(error_of(r).find("no-such-chip.yaml"), std::string::npos);
}

}  // namespace
}  // namespace tessera

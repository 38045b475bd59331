// The measured-kernel-table loader: the committed subsets load with units converted, chips
// without tables and malformed rows are one-line BadInput errors naming file, key and value.
#include "tessera/specs/io/kernel_table_io.h"

#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace tessera {
namespace {

namespace fs = std::filesystem;

const fs::path kRepoData = fs::path(TESSERA_SOURCE_DIR) / "data";

TEST(KernelTableIo, LoadsTheCommittedH100Subsets) {
  auto t = load_nvidia_kernel_tables(kRepoData, "h100-sxm");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->chip, "h100-sxm");
  ASSERT_FALSE(t->gemm.empty());
  ASSERT_FALSE(t->prefill.empty());
  ASSERT_FALSE(t->decode.empty());
  // First rows of the files: "bfloat16,1,1024,1024,0.004049067" (ms) and decode step 1 -> 2
  // cached tokens including the new one.
  EXPECT_EQ(t->gemm[0].dtype, DType::BF16);
  EXPECT_EQ(t->gemm[0].m, 1);
  EXPECT_EQ(t->gemm[0].n, 1024);
  EXPECT_EQ(t->gemm[0].k, 1024);
  EXPECT_DOUBLE_EQ(t->gemm[0].latency.value(), 0.004049067e-3);
  EXPECT_EQ(t->decode[0].kv_len, 2);
  EXPECT_EQ(t->decode[0].head_dim, 128);
}

TEST(KernelTableIo, ChipWithoutTablesNamesTheChipsThatHaveThem) {
  auto t = load_nvidia_kernel_tables(kRepoData, "trainium");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().kind, ErrorKind::BadInput);
  EXPECT_NE(t.error().message.find("'trainium'"), std::string::npos) << t.error().message;
  EXPECT_NE(t.error().message.find("h100-sxm, h200-sxm, b200, gb200"), std::string::npos) << t.error().message;
}

TEST(KernelTableIo, MalformedRowNamesFileLineKeyAndValue) {
  const fs::path data = fs::temp_directory_path() / "tessera_kernel_table_io_test";
  const fs::path dir = data / "calibration" / "nvidia" / "subsets" / "h100_sxm";
  fs::create_directories(dir);
  for (const char* f : {"context_attention.csv", "generation_attention.csv"})
    fs::copy_file(kRepoData / "calibration/nvidia/subsets/h100_sxm" / f, dir / f,
                  fs::copy_options::overwrite_existing);
  std::ofstream(dir / "gemm.csv") << "gemm_dtype,m,n,k,latency\nbfloat16,1,1024,1024,0.004\nbf61,1,1024,2048,0.005\n";
  auto t = load_nvidia_kernel_tables(data, "h100-sxm");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().kind, ErrorKind::BadInput);
  EXPECT_NE(t.error().message.find("gemm.csv:3: key 'gemm_dtype': 'bf61'"), std::string::npos) << t.error().message;
  std::ofstream(dir / "gemm.csv") << "gemm_dtype,m,n,k,latency\nbfloat16,1,1024,1024,-1\n";
  t = load_nvidia_kernel_tables(data, "h100-sxm");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("gemm.csv:2: key 'latency': '-1'"), std::string::npos) << t.error().message;
  std::ofstream(dir / "gemm.csv") << "gemm_dtype,m,n,latency\n";
  t = load_nvidia_kernel_tables(data, "h100-sxm");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("missing column 'k'"), std::string::npos) << t.error().message;
}

}  // namespace
}  // namespace tessera

// data/fabrics/*.yaml through a system's `collective_runtime:` key.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tessera/specs/io/catalog.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;

Catalog shipped() {
  auto c = Catalog::open(fs::path(TESSERA_SOURCE_DIR) / "data");
  EXPECT_TRUE(c.ok());
  return std::move(c.value());
}

TEST(CollectiveRuntime, NcclFitAndNeuronEstimatesLoad) {
  const Catalog cat = shipped();
  auto p5 = cat.system("p5.48xlarge");
  ASSERT_TRUE(p5.ok()) << p5.error().message;
  EXPECT_EQ(p5->collective_runtime.name, "nccl-h100-sxm");
  ASSERT_EQ(p5->collective_runtime.protocols.size(), 3u);
  EXPECT_EQ(p5->collective_runtime.protocols[0].name, "ll");
  ASSERT_TRUE(p5->collective_runtime.switch_reduction.has_value());
  EXPECT_GT(p5->scaleout_latency.value(), 0);
  auto trn1 = cat.system("trn1.32xlarge");
  ASSERT_TRUE(trn1.ok()) << trn1.error().message;
  EXPECT_EQ(trn1->collective_runtime.name, "neuron-cc");
  EXPECT_DOUBLE_EQ(trn1->collective_runtime.onchip_latency.value(), 1.3e-6);
  EXPECT_FALSE(trn1->collective_runtime.protocols[0].step_latency.has_value());  // the system's link_latency
  auto p4d = cat.system("p4d.24xlarge");
  ASSERT_TRUE(p4d.ok()) << p4d.error().message;
  EXPECT_FALSE(p4d->collective_runtime.switch_reduction.has_value());  // NVSwitch gen 2: no SHARP
}

TEST(CollectiveRuntime, BadFilesAreOneLineErrorsNamingTheKey) {
  const fs::path dir = fs::temp_directory_path() / "tessera_collective_runtime_test";
  fs::create_directories(dir);
  const fs::path sys_src = fs::path(TESSERA_SOURCE_DIR) / "data" / "systems" / "p5.48xlarge.yaml";
  std::ifstream in(sys_src);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string chip_path = (fs::path(TESSERA_SOURCE_DIR) / "data" / "chips" / "h100-sxm.yaml").string();
  text.replace(text.find("chip: h100-sxm"), 14, "chip: " + chip_path);
  const std::string ref = "../fabrics/nccl-h100-sxm.yaml";
  text.replace(text.find(ref), ref.size(), "rt.yaml");
  std::ofstream(dir / "sys.yaml") << text;
  std::ofstream(dir / "rt.yaml") << "schema_version: 1\nname: rt\nruntime: nccl\nsource: test\nalgorithms: [rign]\n"
                                     "protocols:\n  - {name: simple, base_latency: 1 us, efficiency: 0.5}\n";
  const Catalog cat = shipped();
  auto s = cat.system((dir / "sys.yaml").string());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("rign"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("did you mean"), std::string::npos) << s.error().message;
  std::ofstream(dir / "rt.yaml") << "schema_version: 1\nname: rt\nruntime: nccl\nsource: test\nalgorithms: [ring]\n"
                                     "protocols:\n  - {name: simple, base_latency: 1 us, efficiency: 1.5}\n";
  s = cat.system((dir / "sys.yaml").string());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("efficiency"), std::string::npos) << s.error().message;
  std::ofstream(dir / "rt.yaml") << "schema_version: 1\nname: rt\nruntime: nccl\nsource: test\nalgorithms: [ring]\n"
                                     "protocols:\n  - {name: simple, base_latency: 1 us, efficiency: 0.5}\n";
  s = cat.system((dir / "sys.yaml").string());
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_DOUBLE_EQ(s->collective_runtime.protocols[0].efficiency, 0.5);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tessera

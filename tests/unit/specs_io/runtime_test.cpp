// Runtime profiles: every shipped profile loads with a source for every value, each
// platform has exactly one default, fitted costs replace the profile's, and a bad
// profile names the file, the key and the value.
#include "tessera/specs/io/runtime_io.h"

#include <fstream>

#include <gtest/gtest.h>

#include "tessera/specs/io/catalog.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;
const fs::path kRepoData = fs::path(TESSERA_SOURCE_DIR) / "data";

const Catalog& repo() {
  static const Catalog c = [] {
    auto r = Catalog::open(kRepoData);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.value();
  }();
  return c;
}

ChipSpec chip_of(std::string_view system) {
  auto s = repo().system(system);
  EXPECT_TRUE(s.ok()) << s.error().message;
  return s->chip;
}

// Writes a profile into a fresh data dir and loads it.
Result<RuntimeProfile> load_text(const std::string& name, const std::string& text) {
  const fs::path dir = fs::temp_directory_path() / ("tessera_runtime_test_" + name);
  fs::create_directories(dir / "runtimes");
  const fs::path file = dir / "runtimes" / (name + ".yaml");
  std::string named = text;
  named.replace(named.find("name: good"), 10, "name: " + name);
  std::ofstream(file) << named;
  return load_runtime_profile(file, dir);
}

const std::string kGood = R"(schema_version: 1
name: good
platforms: [nvidia]
source: "test"
serving:
  scheduler: {value: sarathi, source: "doc"}
  max_tokens: {value: 4096, source: "doc"}
  max_batch: {value: 64, source: "doc"}
  block_tokens: {value: 32, source: "doc"}
  admission: {value: guaranteed, source: "doc"}
  preemption: {value: none, source: "doc"}
  kv_pool_rule: {value: fraction_of_free, source: "doc"}
  kv_pool_fraction: {value: 0.8, source: "doc"}
costs:
  per_iteration: {value: 2 ms, estimate: "reason"}
buckets:
  context_tokens: {value: [128, 256, 512], source: "doc"}
)";

TEST(RuntimeProfile, EveryShippedProfileLoadsAndNamesItsSources) {
  const auto names = repo().runtime_names();
  EXPECT_EQ(names, (std::vector<std::string>{"nim", "nxdi", "optimum-neuron", "optimum-neuron-vllm", "sglang", "tgi-neuron", "tnx", "trtllm",
                                              "vllm", "vllm-neuron"}));
  for (const auto& n : names) {
    auto p = repo().runtime(n);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_FALSE(p->platforms.empty()) << n;
    for (const auto& [key, src] : p->sources) EXPECT_FALSE(src.empty()) << n << " " << key;
    EXPECT_TRUE(p->sources.count("serving.scheduler")) << n;
  }
}

TEST(RuntimeProfile, OneDefaultPerPlatform) {
  EXPECT_EQ(repo().runtime_for("", chip_of("p5.48xlarge"))->name, "trtllm");
  EXPECT_EQ(repo().runtime_for("", chip_of("trn2.48xlarge"))->name, "nxdi");
  EXPECT_EQ(repo().runtime_for("", chip_of("trn1.32xlarge"))->name, "nxdi");
}

TEST(RuntimeProfile, RuntimeOnTheWrongPlatformIsBadInput) {
  auto r = repo().runtime_for("tnx", chip_of("p5.48xlarge"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::BadInput);
  EXPECT_NE(r.error().message.find("'tnx' does not run on h100-sxm"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("trtllm"), std::string::npos);
  auto typo = repo().runtime("vlm");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message.find("did you mean 'vllm'"), std::string::npos) << typo.error().message;
}

TEST(RuntimeProfile, FittedCostsReplaceTheProfilesAndSayFromWhere) {
  auto tnx = repo().runtime("tnx");
  ASSERT_TRUE(tnx.ok());
  EXPECT_TRUE(tnx->fitted);
  EXPECT_NE(tnx->sources.at("costs.per_iteration").find("calibration/runtime/tnx.yaml"), std::string::npos);
  auto vllm = repo().runtime("vllm");
  ASSERT_TRUE(vllm.ok());
  EXPECT_FALSE(vllm->fitted);
  EXPECT_EQ(vllm->kv_pool_rule, KvPoolRule::FractionOfTotal);
  EXPECT_EQ(repo().runtime("trtllm")->kv_pool_rule, KvPoolRule::FractionOfFree);
}

TEST(RuntimeProfile, ParsesEveryField) {
  auto p = load_text("good", kGood);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->scheduler, "sarathi");
  EXPECT_EQ(p->max_tokens, 4096);
  EXPECT_EQ(p->max_batch, 64);
  EXPECT_EQ(p->block_tokens, 32);
  EXPECT_EQ(p->admission, "guaranteed");
  EXPECT_EQ(p->kv_pool_rule, KvPoolRule::FractionOfFree);
  EXPECT_DOUBLE_EQ(p->kv_pool_fraction, 0.8);
  EXPECT_DOUBLE_EQ(p->costs.per_iteration.value(), 2e-3);
  EXPECT_EQ(p->costs.buckets.context_tokens, (std::vector<int64_t>{128, 256, 512}));
  EXPECT_EQ(CompiledBuckets::pad(p->costs.buckets.context_tokens, 200), 256);
  EXPECT_EQ(CompiledBuckets::pad(p->costs.buckets.context_tokens, 513), 513);
  EXPECT_EQ(p->sources.at("costs.per_iteration"), "estimate: reason");
}

TEST(RuntimeProfile, BadProfilesNameFileKeyAndValue) {
  auto bare = load_text("bare", [] {
    std::string t = kGood;
    t.replace(t.find("{value: 64, source: \"doc\"}"), 26, "64");
    return t;
  }());
  ASSERT_FALSE(bare.ok());
  EXPECT_NE(bare.error().message.find("serving.max_batch"), std::string::npos) << bare.error().message;
  EXPECT_NE(bare.error().message.find("names its source"), std::string::npos);

  auto typo = load_text("typo", [] {
    std::string t = kGood;
    t.replace(t.find("value: sarathi"), 14, "value: sarathy");
    return t;
  }());
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message.find("'sarathy'"), std::string::npos) << typo.error().message;
  EXPECT_NE(typo.error().message.find("did you mean 'sarathi'"), std::string::npos);

  auto order = load_text("order", [] {
    std::string t = kGood;
    t.replace(t.find("[128, 256, 512]"), 15, "[256, 128]");
    return t;
  }());
  ASSERT_FALSE(order.ok());
  EXPECT_NE(order.error().message.find("ascend"), std::string::npos) << order.error().message;
}

TEST(RuntimeProfile, DefaultsApplyOnlyToUnsetFields) {
  RuntimeProfile p = *load_text("good", kGood);
  DeploymentSpec d;
  d.max_batch = 8;  // the user's
  apply_runtime_defaults(d, p);
  EXPECT_EQ(d.runtime, "good");
  EXPECT_EQ(d.max_batch, 8);
  EXPECT_EQ(d.max_tokens, 4096);
  EXPECT_EQ(d.scheduler, "sarathi");
  EXPECT_EQ(d.admission, "guaranteed");
  EXPECT_DOUBLE_EQ(d.memory_utilization, 0.8);
  EXPECT_EQ(d.kv_pool_rule, KvPoolRule::FractionOfFree);
}

}  // namespace
}  // namespace tessera

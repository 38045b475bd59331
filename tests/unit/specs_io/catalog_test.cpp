#include "tessera/specs/io/catalog.h"

#include <cstdlib>

#include <gtest/gtest.h>

namespace tessera {
namespace {

namespace fs = std::filesystem;

const fs::path kRepoData = fs::path(TESSERA_SOURCE_DIR) / "data";
const fs::path kFixtures = fs::path(TESSERA_TEST_DATA_DIR) / "catalog";
constexpr double kGi = 1024.0 * 1024.0 * 1024.0;

const Catalog& repo() {
  static const Catalog c = [] {
    auto r = Catalog::open(kRepoData);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.value();
  }();
  return c;
}

const Catalog& fixtures() {
  static const Catalog c = [] {
    auto r = Catalog::open(kFixtures / "data");
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.value();
  }();
  return c;
}

template <class R>
std::string error_of(const R& r) {
  return r.ok() ? std::string("<ok>") : r.error().message;
}

TEST(Catalog, ListsShippedEntriesSorted) {
  EXPECT_EQ(repo().chip_names(),
            (std::vector<std::string>{"a100-sxm-40gb", "a100-sxm-80gb", "b200", "b300", "gb200", "gb300",
                                      "h100-sxm", "h200-sxm", "inferentia2", "mi300x", "mi325x", "mi355x",
                                      "trainium", "trainium2", "trainium3"}));
  EXPECT_EQ(repo().system_names(),
            (std::vector<std::string>{"gb200-nvl72", "gb300-nvl72", "inf2.48xlarge", "mi300x-platform",
                                      "mi325x-platform", "mi355x-platform", "p4d.24xlarge", "p5.48xlarge",
                                      "p5en.48xlarge", "p6-b200.48xlarge", "p6-b300.48xlarge", "trn1.32xlarge",
                                      "trn2-ultraserver", "trn2.48xlarge", "trn3-ultraserver-144",
                                      "trn3-ultraserver-64"}));
  EXPECT_EQ(repo().model_names().size(), 21u);
}

TEST(Catalog, EveryShippedEntryLoads) {
  for (const auto& name : repo().chip_names()) {
    auto c = repo().chip(name);
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->name, name);
    EXPECT_GT(c->peak(DType::BF16).value(), 0) << name;
    EXPECT_FALSE(c->source.empty()) << name;
    // Neuron chips carry the engine model, GPUs do not.
    EXPECT_EQ(c->neuron_core.has_value(), c->vendor == Vendor::Aws) << name;
  }
  for (const auto& name : repo().system_names()) {
    auto s = repo().system(name);
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(s->name, name);
    EXPECT_GT(s->link_bandwidth.value(), 0) << name;
    EXPECT_GT(s->link_latency.value(), 0) << name;
  }
  Status all = repo().check_all();
  EXPECT_TRUE(all.ok()) << (all.ok() ? "" : all.error().message);
}

TEST(Catalog, Trn1HasSixteenTwoCoreChipsOf32GiB) {
  auto s = repo().system("trn1.32xlarge");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->chips, 16);
  EXPECT_EQ(s->chip_name, "trainium");
  EXPECT_EQ(s->chip.cores, 2);
  EXPECT_DOUBLE_EQ(s->chip.hbm_capacity.value(), 32 * kGi);
  EXPECT_DOUBLE_EQ(s->chip.hbm_bandwidth.value(), 820 * kGi);
  EXPECT_EQ(s->topology, TopologyKind::Torus2D);
  EXPECT_EQ(s->topology_dims, (std::vector<int>{4, 4}));
  EXPECT_DOUBLE_EQ(s->link_bandwidth.value(), 96 * kGi);  // 384 GiB/s / 4 links
  EXPECT_DOUBLE_EQ(s->scaleout_bandwidth.value(), 1e11);  // 800 Gbps
  ASSERT_TRUE(s->price_on_demand.has_value());
  EXPECT_DOUBLE_EQ(s->price_on_demand->value(), 21.50);
  // No public Trainium TDP: the catalog carries an estimate that says how it was derived.
  ASSERT_TRUE(s->chip.tdp.has_value());
  EXPECT_EQ(s->chip.tdp_from.kind, Provenance::Kind::Estimate);
  EXPECT_NE(s->chip.tdp_from.text.find("estimate_chip_power.py"), std::string::npos);
  EXPECT_FALSE(s->host_power.has_value());
  EXPECT_EQ(s->host_power_from.kind, Provenance::Kind::Unknown);
  ASSERT_TRUE(s->price_reserved.has_value());
  EXPECT_DOUBLE_EQ(s->price_reserved->value(), 8.197);
  EXPECT_EQ(s->price_on_demand_from.kind, Provenance::Kind::Source);
  EXPECT_EQ(s->default_lnc, 1);
  // Peak = 92 TFLOPS per core x 2 cores.
  EXPECT_DOUBLE_EQ(s->chip.peak(DType::BF16).value(), 184e12);
  ASSERT_TRUE(s->chip.neuron_core.has_value());
  const NeuronCoreSpec& nc = *s->chip.neuron_core;
  EXPECT_EQ(nc.version, "v2");
  EXPECT_DOUBLE_EQ(nc.tensor_clock.value(), 2.8e9);
  EXPECT_DOUBLE_EQ(nc.sbuf.value(), 24 * 1024.0 * 1024.0);
  EXPECT_DOUBLE_EQ(nc.dma_bandwidth_per_engine.value(), 17e9);
  EXPECT_DOUBLE_EQ(nc.dma_fixed_cost.value(), 1.3e-6);
  EXPECT_DOUBLE_EQ(nc.macs_per_pe_cycle.at(DType::FP32), 0.25);
  // Engine arithmetic agrees with the chip peak: 128*128 PEs * 2 FLOP * 2.8 GHz * 2 cores ~ 184 TFLOPS.
  EXPECT_NEAR(nc.pe_rows * nc.pe_cols * 2.0 * nc.tensor_clock.value() * 2, 184e12, 0.01 * 184e12);
}

TEST(Catalog, Trainium2AndTrainium3) {
  auto trn2 = repo().system("trn2.48xlarge");
  ASSERT_TRUE(trn2.ok()) << trn2.error().message;
  EXPECT_EQ(trn2->default_lnc, 2);
  EXPECT_EQ(trn2->chip.cores, 8);
  EXPECT_DOUBLE_EQ(trn2->chip.peak(DType::BF16).value(), 632e12);
  EXPECT_DOUBLE_EQ(trn2->chip.peak(DType::FP8).value(), 1264e12);
  EXPECT_FALSE(trn2->price_on_demand.has_value());
  EXPECT_DOUBLE_EQ(trn2->chip.neuron_core->macs_per_pe_cycle.at(DType::FP8), 2);

  auto ultra = repo().system("trn2-ultraserver");
  ASSERT_TRUE(ultra.ok()) << ultra.error().message;
  EXPECT_EQ(ultra->chips, 64);
  EXPECT_EQ(ultra->topology, TopologyKind::Torus2DRings);
  ASSERT_EQ(ultra->outer_tier_bandwidth.size(), 1u);
  EXPECT_DOUBLE_EQ(ultra->outer_tier_bandwidth[0].value(), 256e9);

  auto gen2 = repo().system("trn3-ultraserver-144");
  ASSERT_TRUE(gen2.ok()) << gen2.error().message;
  EXPECT_EQ(gen2->topology, TopologyKind::TwoLevelSwitch);
  EXPECT_EQ(gen2->topology_dims, (std::vector<int>{4, 18, 2}));  // servers per rack x racks: estimate
  ASSERT_EQ(gen2->outer_tier_bandwidth.size(), 2u);
  // Same chip and NeuronSwitch as the 64-chip UltraServer: every tier at the chip's
  // NeuronLink-v4 2.56 TB/s (data/chips/trainium3.yaml, docs/models/trainium3.md).
  EXPECT_DOUBLE_EQ(gen2->link_bandwidth.value(), 2.56e12);
  EXPECT_DOUBLE_EQ(gen2->outer_tier_bandwidth[1].value(), 2.56e12);
  EXPECT_DOUBLE_EQ(gen2->chip.peak(DType::MXFP4).value(), 2520e12);
  EXPECT_DOUBLE_EQ(gen2->chip.hbm_capacity.value(), 144 * kGi);
}

TEST(Catalog, NvidiaSystems) {
  auto p5 = repo().system("p5.48xlarge");
  ASSERT_TRUE(p5.ok()) << p5.error().message;
  EXPECT_EQ(p5->topology, TopologyKind::Switch);
  EXPECT_EQ(p5->chips, 8);
  EXPECT_DOUBLE_EQ(p5->link_bandwidth.value(), 450e9);  // 900 GB/s bidirectional / 2
  EXPECT_DOUBLE_EQ(p5->chip.hbm_bandwidth.value(), 3.35e12);
  ASSERT_TRUE(p5->chip.tdp.has_value());
  EXPECT_DOUBLE_EQ(p5->chip.tdp->value(), 700);
  EXPECT_FALSE(p5->chip.idle_power.has_value());
  EXPECT_DOUBLE_EQ(p5->chip.peak(DType::FP8).value(), 1979e12);
  EXPECT_DOUBLE_EQ(p5->chip.peak(DType::FP16).value(), 989.5e12);  // falls back to bf16

  auto nvl = repo().system("gb200-nvl72");
  ASSERT_TRUE(nvl.ok()) << nvl.error().message;
  EXPECT_EQ(nvl->chips, 72);
  EXPECT_DOUBLE_EQ(nvl->scaleout_bandwidth.value(), 0);  // unknown
  EXPECT_FALSE(nvl->price_on_demand.has_value());
  EXPECT_DOUBLE_EQ(nvl->chip.tdp->value(), 1200);

  auto p4d = repo().system("p4d.24xlarge");
  ASSERT_TRUE(p4d.ok()) << p4d.error().message;
  EXPECT_EQ(p4d->chip_name, "a100-sxm-40gb");
  EXPECT_DOUBLE_EQ(p4d->chip.hbm_capacity.value(), 40e9);
}

TEST(Catalog, SystemSourceTextIsTheFile) {
  auto text = repo().system_source_text("trn1.32xlarge");
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("name: trn1.32xlarge"), std::string::npos);
  EXPECT_NE(text->find("[A8]"), std::string::npos);
  EXPECT_EQ(error_of(repo().system_source_text("trn1")).rfind("unknown hardware 'trn1' (known: gb200-nvl72, ", 0), 0u);
  auto chip_text = repo().chip_source_text("trainium");
  ASSERT_TRUE(chip_text.ok());
  EXPECT_NE(chip_text->find("tensor_clock: 2.8 GHz"), std::string::npos);
}

TEST(Catalog, UnknownNamesSuggestTheClosest) {
  EXPECT_EQ(error_of(repo().system("trn1.32xlarg")),
            "unknown hardware 'trn1.32xlarg' (did you mean 'trn1.32xlarge'?)");
  EXPECT_EQ(error_of(repo().chip("trainum")), "unknown chip 'trainum' (did you mean 'trainium'?)");
  EXPECT_EQ(error_of(repo().model("llama-2-70")), "unknown model 'llama-2-70' (did you mean 'llama-2-70b'?)");
  // Nothing close: list what exists.
  EXPECT_EQ(error_of(fixtures().system("zzzzzzzzzzzzzz")).rfind("unknown hardware 'zzzzzzzzzzzzzz' (known: ", 0), 0u);
}

TEST(Catalog, ModelsByNameAndPath) {
  auto byname = repo().model("llama-2-70b");
  ASSERT_TRUE(byname.ok()) << byname.error().message;
  EXPECT_EQ(byname->name, "llama-2-70b");
  EXPECT_EQ(byname->layers, 80);
  const std::string path = (kRepoData / "models" / "mixtral-8x7b.json").string();
  auto bypath = repo().model(path);
  ASSERT_TRUE(bypath.ok()) << bypath.error().message;
  EXPECT_EQ(bypath->name, "mixtral-8x7b");
  EXPECT_EQ(error_of(repo().model("/no/such/config.json")), "model config '/no/such/config.json' does not exist");
}

TEST(Catalog, FixtureEntriesLoad) {
  auto chip = fixtures().chip("good");
  ASSERT_TRUE(chip.ok()) << chip.error().message;
  EXPECT_EQ(chip->vendor, Vendor::Other);
  EXPECT_DOUBLE_EQ(chip->peak(DType::FP8).value(), 200e12);
  EXPECT_DOUBLE_EQ(chip->hbm_bandwidth.value(), 1e12);
  EXPECT_FALSE(chip->idle_power.has_value());
  auto sys = fixtures().system("good-system");
  ASSERT_TRUE(sys.ok()) << sys.error().message;
  EXPECT_EQ(sys->topology, TopologyKind::Ring);
  EXPECT_EQ(sys->topology_dims, std::vector<int>{4});  // defaults to [chips]
  EXPECT_DOUBLE_EQ(sys->link_latency.value(), 2e-6);
  EXPECT_DOUBLE_EQ(sys->host_power->value(), 1200);
  EXPECT_DOUBLE_EQ(sys->price_on_demand->value(), 10.5);
  // A system file given by path; its chip given by a path relative to the file.
  auto by_path = fixtures().system((kFixtures / "data" / "systems" / "chip-by-path.yaml").string());
  ASSERT_TRUE(by_path.ok()) << by_path.error().message;
  EXPECT_EQ(by_path->chip_name, "good");
  EXPECT_EQ(by_path->chips, 1);
}

std::string chip_file(std::string_view stem) {
  return (kFixtures / "data" / "chips" / (std::string(stem) + ".yaml")).string();
}
std::string system_file(std::string_view stem) {
  return (kFixtures / "data" / "systems" / (std::string(stem) + ".yaml")).string();
}

TEST(Catalog, UnknownKeyNamesFileLineAndSuggestion) {
  EXPECT_EQ(error_of(fixtures().chip("typo-key")),
            chip_file("typo-key") + ":12: unknown key 'hbm_bandwith' (did you mean 'hbm_bandwidth'?)");
  EXPECT_EQ(error_of(fixtures().chip("bad-dtype")),
            chip_file("bad-dtype") + ":8: unknown key 'peak_dense.bf61' (did you mean 'bf16'?)");
}

TEST(Catalog, MalformedUnitNamesKeyAndValue) {
  EXPECT_EQ(error_of(fixtures().chip("bad-unit")),
            chip_file("bad-unit") + ":9: key 'hbm_bandwidth': '820 GB' is not a bandwidth (e.g. '820 GB/s')");
  EXPECT_EQ(error_of(fixtures().system("wrong-kind")),
            system_file("wrong-kind") + ":8: key 'price_on_demand': '10 W' is not a price per hour (e.g. '10 USD/h')");
  EXPECT_EQ(error_of(fixtures().system("unknown-latency")),
            system_file("unknown-latency") +
                ":7: key 'link_latency': 'unknown' is not allowed here; this field needs a figure");
}

TEST(Catalog, MissingFieldAndProvenance) {
  EXPECT_EQ(error_of(fixtures().chip("missing-field")),
            chip_file("missing-field") + ":1: missing required key 'hbm_capacity'");
  EXPECT_EQ(error_of(fixtures().chip("no-provenance")),
            chip_file("no-provenance") +
                ":8: key 'hbm_capacity': a value map needs 'source' or 'estimate' (else write the value alone)");
}

TEST(Catalog, FileLevelProblems) {
  EXPECT_EQ(error_of(fixtures().chip("empty")), "chip file '" + chip_file("empty") + "' is empty");
  EXPECT_EQ(error_of(fixtures().chip("wrong-name")),
            chip_file("wrong-name") + ":2: key 'name': 'another-name' does not match the file name 'wrong-name'");
  EXPECT_EQ(error_of(fixtures().chip("future-schema")),
            chip_file("future-schema") + ":1: key 'schema_version': unsupported version '2' (this build reads 1)");
  const std::string syntax = error_of(fixtures().chip("syntax-error"));
  EXPECT_EQ(syntax.rfind(chip_file("syntax-error") + ":", 0), 0u) << syntax;
  EXPECT_NE(syntax.find("YAML syntax error"), std::string::npos) << syntax;
  const std::string missing = (kFixtures / "nope.yaml").string();
  EXPECT_EQ(error_of(fixtures().system(missing)), "hardware file '" + missing + "' does not exist");
  const std::string dir = (kFixtures / "a-directory.yaml").string();
  EXPECT_EQ(error_of(fixtures().system(dir)), "hardware file '" + dir + "' is a directory, not a YAML file");
}

TEST(Catalog, SystemErrors) {
  EXPECT_EQ(error_of(fixtures().system("unknown-chip")),
            system_file("unknown-chip") + ":3: key 'chip': unknown chip 'goood' (did you mean 'good'?)");
  EXPECT_EQ(error_of(fixtures().system("bad-topology")),
            system_file("bad-topology") +
                ":5: key 'topology': 'torus2' is not one of single, ring, torus2d, torus2d-rings, switch, "
                "two-level-switch (did you mean 'torus2d'?)");
  EXPECT_EQ(error_of(fixtures().system("dims-mismatch")),
            system_file("dims-mismatch") + ":6: key 'topology_dims': [4, 4] holds 16 chips but 'chips' is 12");
}

TEST(Catalog, OpenErrors) {
  EXPECT_EQ(error_of(Catalog::open("/no/such/dir")),
            "data directory '/no/such/dir' does not exist (set TESSERA_DATA_DIR)");
  const fs::path file = kFixtures / "README.md";
  EXPECT_EQ(error_of(Catalog::open(file)), "data directory '" + file.string() + "' is not a directory");
  EXPECT_EQ(error_of(Catalog::open(kFixtures)),
            "data directory '" + kFixtures.string() + "' has no chips/ folder");
}

TEST(Catalog, DefaultDataDirHonoursEnvironment) {
  ::setenv("TESSERA_DATA_DIR", "/tmp/somewhere", 1);
  EXPECT_EQ(Catalog::default_data_dir(), fs::path("/tmp/somewhere"));
  ::unsetenv("TESSERA_DATA_DIR");
  // The compiled-in default is the repo's data/ folder.
  EXPECT_EQ(fs::weakly_canonical(Catalog::default_data_dir()), fs::weakly_canonical(kRepoData));
}

}  // namespace
}  // namespace tessera

// `--fidelity measured` on the committed H100 tables and fit, through the real loaders:
// at every table row the measured model returns the measurement (error ~0), where the fitted
// model has its stated error; and a simulation selects it, while a chip without tables is a
// bad-input error.
#include <algorithm>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "tessera/compute/measured_model.h"
#include "tessera/planner/simulation.h"
#include "tessera/specs/io/calibration_io.h"
#include "tessera/specs/io/catalog.h"
#include "tessera/specs/io/kernel_table_io.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;

const fs::path kRepoData = fs::path(TESSERA_SOURCE_DIR) / "data";

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

TEST(MeasuredFidelity, ReproducesEveryCommittedH100RowWhereTheFitDoesNot) {
  auto catalog = Catalog::open(kRepoData);
  ASSERT_TRUE(catalog.ok()) << catalog.error().message;
  auto system = catalog->system("p5.48xlarge");
  ASSERT_TRUE(system.ok()) << system.error().message;
  const ChipSpec& chip = system->chip;
  ASSERT_EQ(chip.name, "h100-sxm");
  auto fit = load_nvidia_fit(nvidia_fit_path(kRepoData, chip.name));
  ASSERT_TRUE(fit.ok()) << fit.error().message;
  auto tables = load_nvidia_kernel_tables(kRepoData, chip.name);
  ASSERT_TRUE(tables.ok()) << tables.error().message;
  const MeasuredModel model({&chip, 1, 1.0}, *fit, *tables);

  std::vector<double> measured, fitted;
  auto record = [&](const OpCost& m, const OpCost& f, Seconds truth) {
    measured.push_back(std::abs(m.time.value() / truth.value() - 1));
    fitted.push_back(std::abs(f.time.value() / truth.value() - 1));
  };
  for (const GemmTableRow& r : tables->gemm) {
    const GemmOp op{.m = r.m, .n = r.n, .k = r.k, .act_dtype = r.dtype, .weight_dtype = r.dtype};
    record(model.gemm(op), model.fitted().gemm(op), r.latency);
  }
  const size_t gemm_rows = measured.size();
  for (const PrefillTableRow& r : tables->prefill) {
    const int64_t tokens = r.batch * r.isl;
    const AttentionOp op{.seqs = r.batch, .q_tokens = tokens, .kv_tokens = tokens,
                         .pairs = r.batch * r.isl * (r.isl + 1) / 2.0, .heads = r.heads, .kv_heads = r.kv_heads,
                         .head_dim_qk = r.head_dim, .head_dim_v = r.head_dim,
                         .kv_bytes_per_token = static_cast<int64_t>(2 * r.kv_heads * r.head_dim * dtype_bytes(r.kv_dtype)),
                         .compute_dtype = r.compute_dtype, .kv_dtype = r.kv_dtype};
    record(model.attention(op), model.fitted().attention(op), r.latency);
  }
  for (const DecodeTableRow& r : tables->decode) {
    const AttentionOp op{.decode = true, .seqs = r.batch, .q_tokens = r.batch, .kv_tokens = r.batch * r.kv_len,
                         .pairs = static_cast<double>(r.batch * r.kv_len), .heads = r.heads, .kv_heads = r.kv_heads,
                         .head_dim_qk = r.head_dim, .head_dim_v = r.head_dim,
                         .kv_bytes_per_token = static_cast<int64_t>(2 * r.kv_heads * r.head_dim * dtype_bytes(r.kv_dtype)),
                         .kv_dtype = r.kv_dtype};
    record(model.attention(op), model.fitted().attention(op), r.latency);
  }
  ASSERT_GT(gemm_rows, 1000u);
  ASSERT_GT(measured.size(), gemm_rows + 2000);
  // At the grid points the measured fidelity is the measurement.
  EXPECT_LE(*std::max_element(measured.begin(), measured.end()), 1e-12);
  // The fit is a few parameters per table: its median error on the same rows is several %.
  EXPECT_GT(median(fitted), 0.03);
}

TEST(MeasuredFidelity, SimulationSelectsItAndChipsWithoutTablesAreBadInput) {
  SimulationRequest req;
  req.data_dir = kRepoData;
  req.model = "llama-3.1-8b";
  req.hardware = "p5.48xlarge";
  req.fidelity = Fidelity::Measured;
  auto c = compile_deployment(req);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->fidelity, Fidelity::Measured);
  req.hardware = "trn1.32xlarge";
  req.deployment.tp = 32;
  auto bad = compile_deployment(req);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::BadInput);
  EXPECT_NE(bad.error().message.find("'trainium'"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("h100-sxm"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace tessera

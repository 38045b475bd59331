// Sweeps: grid parsing and expansion order, result columns and rows, the SQLite
// store (resume keys, schema growth, order), the row encoding MPI ranks exchange,
// and determinism of real runs across thread counts.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tessera/planner/sweep.h"

namespace tessera {
namespace {

const std::vector<std::string> kAllowed{"model", "hardware", "tp", "dp", "workload", "scheduler", "chunk-tokens",
                                        "seed", "max-batch"};
const std::vector<std::string> kReserved{"trace", "out"};

GridSpec grid_of(const std::string& text) {
  auto g = parse_grid("grid.yaml", text, kAllowed, kReserved);
  EXPECT_TRUE(g.ok()) << (g.ok() ? "" : g.error().message);
  return g.ok() ? *g : GridSpec{};
}

std::string error_of(const std::string& text) {
  auto g = parse_grid("grid.yaml", text, kAllowed, kReserved);
  return g.ok() ? "" : g.error().message;
}

TEST(Grid, ProductIsRowMajorWithTheLastKeyFastest) {
  const GridSpec g = grid_of("model: m\ntp: [1, 2, 4]\nseed: [7, 8]\n");
  ASSERT_EQ(g.size(), 6);
  EXPECT_EQ(g.keys(), (std::vector<std::string>{"model", "tp", "seed"}));
  EXPECT_EQ(g.at(0), (GridPoint{{"model", "m"}, {"tp", "1"}, {"seed", "7"}}));
  EXPECT_EQ(g.at(1), (GridPoint{{"model", "m"}, {"tp", "1"}, {"seed", "8"}}));
  EXPECT_EQ(g.at(5), (GridPoint{{"model", "m"}, {"tp", "4"}, {"seed", "8"}}));
}

TEST(Grid, ExplicitPointsAreOutermostAndCrossTheProduct) {
  const GridSpec g = grid_of(
      "tp: [1, 2]\npoints:\n  - {scheduler: vllm}\n  - {scheduler: sarathi, chunk-tokens: 512}\n");
  ASSERT_EQ(g.size(), 4);  // 2 points x 2 tp
  EXPECT_EQ(g.keys(), (std::vector<std::string>{"scheduler", "chunk-tokens", "tp"}));
  EXPECT_EQ(g.at(1), (GridPoint{{"scheduler", "vllm"}, {"tp", "2"}}));
  EXPECT_EQ(g.at(2), (GridPoint{{"scheduler", "sarathi"}, {"chunk-tokens", "512"}, {"tp", "1"}}));
}

TEST(Grid, ErrorsNameTheFileLineAndKey) {
  EXPECT_EQ(error_of("model: m\ntpp: [1]\n"), "grid.yaml:2: key 'tpp': not a simulate option (did you mean 'tp'?)");
  EXPECT_EQ(error_of("trace: x.json\n"), "grid.yaml:1: key 'trace': an output option of simulate, not sweepable");
  EXPECT_EQ(error_of("tp: []\n"), "grid.yaml:1: key 'tp': the list is empty");
  EXPECT_EQ(error_of("tp: {a: 1}\n"), "grid.yaml:1: key 'tp': expected a value or a list of values");
  EXPECT_EQ(error_of("tp: 1\npoints:\n  - {tp: 2}\n"),
            "grid.yaml: key 'tp': given both at the top level and in 'points'");
  EXPECT_EQ(error_of("- 1\n"), "grid.yaml:1: expected a map of 'option: value' or 'option: [values]' lines");
  EXPECT_NE(error_of("tp: [1, 2\n").find("YAML syntax error"), std::string::npos);
}

TEST(Grid, CanonicalKeyIgnoresKeyOrder) {
  EXPECT_EQ(canonical_key({{"tp", "2"}, {"model", "m|x"}}), "model=m\\|x|tp=2");
  EXPECT_EQ(canonical_key({{"model", "m"}, {"tp", "2"}}), canonical_key({{"tp", "2"}, {"model", "m"}}));
}

TEST(SweepRows, InputColumnsAreTypedByTheirValues) {
  const GridSpec g = grid_of("model: m\ntp: [1, 2]\nmax-batch: [8, 0.5]\nseed: 3\n");
  const auto cols = sweep_columns(g);
  ASSERT_GE(cols.size(), 9u);
  EXPECT_EQ(cols[0].name, "grid_index");
  EXPECT_EQ(cols[1].name, "key");
  EXPECT_EQ(cols[2].name, "model");
  EXPECT_EQ(cols[2].type, ColumnType::Text);
  EXPECT_EQ(cols[3].type, ColumnType::Integer);
  EXPECT_EQ(cols[4].name, "max_batch");
  EXPECT_EQ(cols[4].type, ColumnType::Real);
  EXPECT_EQ(cols[6].name, "status");
  EXPECT_EQ(cols.size(), 9 + sweep_metric_names().size());
}

TEST(SweepRows, AFailedRunIsARowWithItsStatusAndMessage) {
  const GridSpec g = grid_of("model: m\ntp: [1, 2]\n");
  const ResultRow row = sweep_row(g, 1, Result<SimulationOutcome>(infeasible("does not fit by 3 GiB")));
  const auto cols = sweep_columns(g);
  ASSERT_EQ(row.size(), cols.size());
  EXPECT_EQ(std::get<int64_t>(row[0]), 1);
  EXPECT_EQ(std::get<std::string>(row[1]), "model=m|tp=2");
  EXPECT_EQ(std::get<int64_t>(row[3]), 2);
  EXPECT_EQ(std::get<std::string>(row[4]), "infeasible");
  EXPECT_EQ(std::get<std::string>(row[5]), "does not fit by 3 GiB");
  for (size_t i = 6; i < row.size(); ++i) EXPECT_TRUE(std::holds_alternative<std::monostate>(row[i])) << cols[i].name;
}

TEST(RunSweep, RowsComeBackSortedWhateverTheThreadCount) {
  const GridSpec g = grid_of("model: m\ntp: [1, 2, 3, 4, 5, 6, 7]\nseed: [1, 2, 3]\n");
  std::vector<int64_t> todo;
  for (int64_t i = 0; i < g.size(); ++i) todo.push_back(i);
  // A builder that fails every point: the sweep still yields one row per point.
  RequestBuilder fail = [](const GridPoint& p) -> Result<SimulationRequest> {
    return bad_input("--tp: '" + p[1].second + "' rejected");
  };
  auto one = run_sweep_rows(g, todo, fail, 1);
  auto four = run_sweep_rows(g, todo, fail, 4);
  ASSERT_TRUE(one.ok() && four.ok());
  ASSERT_EQ(one->size(), 21u);
  EXPECT_EQ(*one, *four);
  EXPECT_EQ(std::get<int64_t>((*one)[20][0]), 20);
  EXPECT_EQ(std::get<std::string>((*one)[4][5]), "bad_input");
  EXPECT_EQ(std::get<std::string>((*one)[4][6]), "--tp: '2' rejected");
}

TEST(RunSweep, ASinkErrorStopsTheSweep) {
  const GridSpec g = grid_of("tp: [1, 2, 3, 4, 5, 6, 7, 8]\n");
  std::vector<int64_t> todo{0, 1, 2, 3, 4, 5, 6, 7};
  RequestBuilder fail = [](const GridPoint&) -> Result<SimulationRequest> { return bad_input("x"); };
  int seen = 0;
  SweepRunOptions opts;
  opts.jobs = 1;
  Status s = run_sweep(
      g, todo, fail, [&](int64_t, ResultRow&&) -> Status { return ++seen == 2 ? Status(bad_input("disk full")) : Status{}; },
      opts);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "disk full");
  EXPECT_GE(seen, 2);
}

// Real simulations (a tiny model, a few requests): 1 and 3 threads agree exactly.
TEST(RunSweep, RealRunsAreIdenticalOnOneOrSeveralThreads) {
  const GridSpec g = grid_of(
      "model: llama-3.2-1b\nhardware: p5.48xlarge\ntp: [1, 2, 4]\n"
      "workload: [\"batch:size=2,input=32,output=4\", \"poisson:rate=50,input=16,output=8,n=12\"]\n");
  RequestBuilder build = [](const GridPoint& p) -> Result<SimulationRequest> {
    SimulationRequest r;
    for (const auto& [k, v] : p) {
      if (k == "model") r.model = v;
      if (k == "hardware") r.hardware = v;
      if (k == "tp") r.deployment.tp = std::stoi(v);
      if (k == "workload") r.workload = v;
    }
    return r;
  };
  std::vector<int64_t> todo{0, 1, 2, 3, 4, 5};
  auto one = run_sweep_rows(g, todo, build, 1);
  auto three = run_sweep_rows(g, todo, build, 3);
  ASSERT_TRUE(one.ok() && three.ok());
  EXPECT_EQ(*one, *three);
  const auto cols = sweep_columns(g);
  const auto col = [&](const char* name) {
    return static_cast<size_t>(std::find_if(cols.begin(), cols.end(), [&](auto& c) { return c.name == name; }) -
                               cols.begin());
  };
  for (const ResultRow& r : *one) {
    EXPECT_EQ(std::get<std::string>(r[col("status")]), "ok") << cell_text(r[col("error")]);
  }
  EXPECT_EQ(std::get<int64_t>((*one)[0][col("completed")]), 2);
  EXPECT_EQ(std::get<int64_t>((*one)[1][col("output_tokens")]), 12 * 8);
  EXPECT_EQ(std::get<int64_t>((*one)[4][col("chips")]), 4);
}

class Store : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tessera-sweep-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

const std::vector<ResultColumn> kCols{{"grid_index", ColumnType::Integer}, {"key", ColumnType::Text},
                                      {"tp", ColumnType::Integer}, {"ttft", ColumnType::Real}};

TEST_F(Store, RowsRoundTripInGridOrderAndKeysResume) {
  const auto path = dir_ / "r.sqlite";
  {
    auto s = ResultsStore::open(path, kCols);
    ASSERT_TRUE(s.ok()) << s.error().message;
    ASSERT_TRUE((*s)->append({{int64_t{2}, std::string("tp=4"), int64_t{4}, 0.25},
                              {int64_t{0}, std::string("tp=1"), int64_t{1}, Cell{}}}).ok());
  }
  auto s = ResultsStore::open(path, kCols);
  ASSERT_TRUE(s.ok());
  auto keys = (*s)->keys();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 2u);
  EXPECT_TRUE(keys->count("tp=4"));
  auto rows = (*s)->rows();
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ(std::get<int64_t>((*rows)[0][0]), 0);
  EXPECT_TRUE(std::holds_alternative<std::monostate>((*rows)[0][3]));
  EXPECT_EQ(std::get<double>((*rows)[1][3]), 0.25);
  // The same key replaces its row instead of duplicating it.
  ASSERT_TRUE((*s)->append({{int64_t{2}, std::string("tp=4"), int64_t{4}, 0.5}}).ok());
  EXPECT_EQ((*s)->rows()->size(), 2u);
}

TEST_F(Store, NewColumnsAreAddedToAnExistingTable) {
  const auto path = dir_ / "r.sqlite";
  ASSERT_TRUE(ResultsStore::open(path, kCols).ok());
  auto more = kCols;
  more.push_back({"seed", ColumnType::Integer});
  auto s = ResultsStore::open(path, more);
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_TRUE((*s)->append({{int64_t{0}, std::string("k"), int64_t{1}, 1.0, int64_t{9}}}).ok());
  EXPECT_EQ(std::get<int64_t>((*(*s)->rows())[0][4]), 9);
}

TEST_F(Store, ANonSweepFileIsRefusedWithItsName) {
  const auto path = dir_ / "junk.sqlite";
  std::ofstream(path) << "this is not a database, just text that is long enough to look like a header......";
  auto s = ResultsStore::open(path, kCols);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::BadInput);
  EXPECT_NE(s.error().message.find("--out: '" + path.string() + "'"), std::string::npos) << s.error().message;
}

TEST(RowText, CsvQuotesAndShortestRoundTripReals) {
  const std::string csv = csv_text(kCols, {{int64_t{0}, std::string("a,\"b\""), Cell{}, 0.1}});
  EXPECT_EQ(csv, "grid_index,key,tp,ttft\n0,\"a,\"\"b\"\"\",,0.1\n");
  EXPECT_EQ(cell_text(Cell{1e-300}), "1e-300");
}

TEST(RowText, EncodingIsLossless) {
  const std::vector<ResultRow> rows{{int64_t{-5}, std::string("x\ny;z:"), Cell{}, 0.1 + 0.2},
                                    {std::string(""), 1.0 / 3.0}};
  auto back = decode_rows(encode_rows(rows));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, rows);
  EXPECT_FALSE(decode_rows("2;i5").ok());
}

}  // namespace
}  // namespace tessera

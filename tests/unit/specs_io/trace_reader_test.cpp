#include "tessera/specs/io/trace_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace tessera {
namespace {

const std::filesystem::path kData = std::filesystem::path(TESSERA_TEST_DATA_DIR) / "traces";
const std::filesystem::path kShared = std::filesystem::path(TESSERA_SOURCE_DIR) / ".." / "shared" / "traces";

std::vector<RequestArrival> read_all(RequestSource& s) {
  std::vector<RequestArrival> out;
  while (auto a = s.next()) out.push_back(*a);
  return out;
}

std::unique_ptr<RequestSource> open_ok(const std::filesystem::path& p, double scale = 1.0, int64_t limit = 0) {
  auto r = open_trace(p, scale, limit);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(*r) : nullptr;
}

TEST(TraceReader, AzureTimestampsKeepSubSecondDigitsAcrossMidnight) {
  auto src = open_ok(kData / "azure_small.csv");
  ASSERT_TRUE(src);
  const auto rows = read_all(*src);
  EXPECT_EQ(src->error(), "");
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].arrival_s, 0.0);
  EXPECT_NEAR(rows[1].arrival_s, 4.314579, 1e-12);  // 50.9951690 - 46.6805900
  EXPECT_EQ(rows[2].arrival_s, rows[1].arrival_s);
  // 23:59:59.9999999 - 18:15:46.6805900 = 5 h 44 min 13.3194099 s
  EXPECT_NEAR(rows[3].arrival_s, 20653.3194099, 1e-9);
  EXPECT_NEAR(rows[4].arrival_s - rows[3].arrival_s, 2e-7, 1e-9);
  EXPECT_EQ(rows[0].input_tokens, 374);
  EXPECT_EQ(rows[0].output_tokens, 44);
  EXPECT_EQ(rows[2].output_tokens, 1);  // 0 generated tokens read as 1
}

TEST(TraceReader, RateScaleDividesArrivalsAndLimitStops) {
  auto src = open_ok(kData / "azure_small.csv", 2.0, 2);
  ASSERT_TRUE(src);
  const auto rows = read_all(*src);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_NEAR(rows[1].arrival_s, 4.314579 / 2, 1e-12);
  EXPECT_EQ(src->error(), "");
}

TEST(TraceReader, MooncakeJsonl) {
  auto src = open_ok(kData / "mooncake_small.jsonl");
  ASSERT_TRUE(src);
  const auto rows = read_all(*src);
  EXPECT_EQ(src->error(), "");
  ASSERT_EQ(rows.size(), 4u);  // the blank line is skipped
  EXPECT_EQ(rows[0].arrival_s, 0.0);
  EXPECT_DOUBLE_EQ(rows[1].arrival_s, 1.5);
  EXPECT_DOUBLE_EQ(rows[3].arrival_s, 3.001);
  EXPECT_EQ(rows[0].input_tokens, 6758);
  EXPECT_EQ(rows[0].output_tokens, 500);
  EXPECT_EQ(rows[0].prefix_hashes, (std::vector<uint64_t>{0, 1, 2, 3}));
  EXPECT_EQ(rows[1].prefix_hashes, (std::vector<uint64_t>{0, 14}));
  EXPECT_TRUE(rows[2].prefix_hashes.empty());
  EXPECT_EQ(rows[2].output_tokens, 1);
}

TEST(TraceReader, GenericCsvIsRelativeToFirstRow) {
  auto src = open_ok(kData / "generic_small.csv");
  ASSERT_TRUE(src);
  const auto rows = read_all(*src);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].arrival_s, 0.0);
  EXPECT_DOUBLE_EQ(rows[1].arrival_s, 0.25);
  EXPECT_DOUBLE_EQ(rows[2].arrival_s, 1.5);
  EXPECT_EQ(rows[2].input_tokens, 300);
  EXPECT_EQ(rows[2].output_tokens, 30);
}

TEST(TraceReader, BadRowStopsTheStreamWithFileRowColumnValue) {
  const auto path = kData / "azure_bad_int.csv";
  auto src = open_ok(path);
  ASSERT_TRUE(src);
  const auto rows = read_all(*src);
  EXPECT_EQ(rows.size(), 1u);
  EXPECT_EQ(src->error(), path.string() + ":row 3: column 'ContextTokens': 'abc' is not an integer");
  EXPECT_FALSE(src->next().has_value());  // stays stopped
}

TEST(TraceReader, OutOfOrderRowIsAnError) {
  const auto path = kData / "generic_unsorted.csv";
  auto src = open_ok(path);
  ASSERT_TRUE(src);
  EXPECT_EQ(read_all(*src).size(), 1u);
  EXPECT_EQ(src->error(), path.string() +
                              ":row 3: column 'arrival_s': '0.5' is earlier than the previous row (rows must be in "
                              "time order)");
}

class TempFile {
 public:
  explicit TempFile(const std::string& text)
      : path_(std::filesystem::temp_directory_path() /
              ("tessera_trace_" + std::to_string(reinterpret_cast<uintptr_t>(this)) + ".txt")) {
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(TraceReader, RowErrors) {
  struct Case {
    std::string text, expected_suffix;
  };
  const std::vector<Case> cases = {
      {"TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:1x:46.68,1,1\n",
       ":row 2: column 'TIMESTAMP': '2023-11-16 18:1x:46.68' is not a timestamp like 2023-11-16 18:15:46.6805900"},
      {"TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.68,1,-4\n",
       ":row 2: column 'GeneratedTokens': '-4' must be >= 0"},
      {"arrival_s,input_tokens,output_tokens\n1,2\n",
       ":row 2: expected 3 columns (arrival_s,input_tokens,output_tokens), got '1,2'"},
      {"{\"timestamp\": 0, \"input_length\": 5}\n", ":row 1: key 'output_length': '' is missing"},
      {"{\"timestamp\": 0, \"input_length\": \"5\", \"output_length\": 1}\n",
       ":row 1: key 'input_length': '\"5\"' is not an integer"},
      {"{\"timestamp\": 0, \"input_length\": 5, \"output_length\": 1}\n{oops\n", ":row 2: not a JSON object: '{oops'"},
      // Fuzz regressions: times whose int64_t ticks would overflow (signed overflow before the fix).
      {"TIMESTAMP,ContextTokens,GeneratedTokens\n2823-11-16 18:15:50.99,1,1\n",
       ":row 2: column 'TIMESTAMP': '2823-11-16 18:15:50.99' is not a timestamp like 2023-11-16 18:15:46.6805900"},
      {"arrival_s,input_tokens,output_tokens\n1e300,1,1\n",
       ":row 2: column 'arrival_s': '1e300' is too large (at most 9e9 s)"},
      {"{\"timestamp\": 18446744073709551615, \"input_length\": 5, \"output_length\": 1}\n",
       ":row 1: key 'timestamp': '18446744073709551615' is too large (at most 9e12 ms)"},
  };
  for (const Case& c : cases) {
    TempFile f(c.text);
    auto src = open_ok(f.path());
    ASSERT_TRUE(src);
    read_all(*src);
    EXPECT_EQ(src->error(), f.path().string() + c.expected_suffix) << c.text;
  }
}

TEST(TraceReader, OpenErrors) {
  auto missing = open_trace(kData / "nope.csv");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::BadInput);
  EXPECT_NE(missing.error().message.find("nope.csv' cannot be opened"), std::string::npos);

  TempFile header("time,in,out\n1,2,3\n");
  auto bad = open_trace(header.path());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find(":row 1: unrecognised trace header 'time,in,out'"), std::string::npos);

  TempFile empty("");
  EXPECT_FALSE(open_trace(empty.path()).ok());
  auto dir = open_trace(kData);  // a directory opens as an empty stream; say what it is
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.error().message.find("' is a directory, not a trace file"), std::string::npos) << dir.error().message;
  EXPECT_FALSE(open_trace(kData / "azure_small.csv", 0.0).ok());
  EXPECT_FALSE(open_trace(kData / "azure_small.csv", 1.0, -1).ok());
}

TEST(TraceReader, DetectsFormats) {
  EXPECT_EQ(*detect_trace_format("\xEF\xBB\xBFTIMESTAMP, ContextTokens, GeneratedTokens\r", "f"),
            TraceFormat::AzureCsv);
  EXPECT_EQ(*detect_trace_format("arrival_s,input_tokens,output_tokens", "f"), TraceFormat::GenericCsv);
  EXPECT_EQ(*detect_trace_format("{\"timestamp\": 0}", "f"), TraceFormat::MooncakeJsonl);
  EXPECT_EQ(trace_format_name(TraceFormat::MooncakeJsonl), "mooncake-jsonl");
}

struct FullTrace {
  const char* file;
  int64_t rows, input_sum, output_sum;
  double last_arrival_s;
};

TEST(TraceReader, StreamsTheFullPublicTraces) {
  const std::vector<FullTrace> traces = {
      // Sums computed independently with Python's csv/json modules.
      {"azure_llm_2023/AzureLLMInferenceTrace_conv.csv", 19366, 22361870, 4088665, 3501.721937},
      {"azure_llm_2023/AzureLLMInferenceTrace_code.csv", 8819, 18059974, 245896, 3435.948056},
      {"mooncake_fast25/conversation_trace.jsonl", 12031, 144793823, 4122048, 3536.999},
  };
  if (!std::filesystem::exists(kShared / traces[0].file)) GTEST_SKIP() << "no " << kShared;
  for (const FullTrace& t : traces) {
    auto src = open_ok(kShared / t.file);
    ASSERT_TRUE(src);
    int64_t rows = 0, in = 0, out = 0;
    double last = 0;
    while (auto a = src->next()) {
      ++rows;
      in += a->input_tokens;
      out += a->output_tokens;
      last = a->arrival_s;
    }
    EXPECT_EQ(src->error(), "") << t.file;
    EXPECT_EQ(rows, t.rows) << t.file;
    EXPECT_EQ(in, t.input_sum) << t.file;
    EXPECT_EQ(out, t.output_sum) << t.file;
    EXPECT_NEAR(last, t.last_arrival_s, 1e-6) << t.file;
  }
}

}  // namespace
}  // namespace tessera

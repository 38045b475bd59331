#include "tessera/specs/io/trace_reader.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

namespace tessera {
namespace {

constexpr std::string_view kAzureHeader = "TIMESTAMP,ContextTokens,GeneratedTokens";
constexpr std::string_view kGenericHeader = "arrival_s,input_tokens,output_tokens";
// Arrivals beyond this would overflow the int64_t nanosecond ticks (9.2e18 ns).
constexpr double kMaxTraceSeconds = 9e9;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Drops a UTF-8 byte-order mark, which spreadsheet exports put before the header.
std::string_view strip_bom(std::string_view s) {
  return s.substr(0, 3) == "\xEF\xBB\xBF" ? s.substr(3) : s;
}

bool parse_digits(std::string_view s, int64_t& out) {
  if (s.empty()) return false;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// "2023-11-16 18:15:46.6805900" -> nanoseconds since the epoch (fraction kept to 1 ns;
// digits beyond the ninth are dropped).
bool parse_timestamp_ns(std::string_view s, int64_t& ns) {
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' ||
      s[16] != ':') {
    return false;
  }
  int64_t y, mo, d, h, mi, sec;
  if (!parse_digits(s.substr(0, 4), y) || !parse_digits(s.substr(5, 2), mo) || !parse_digits(s.substr(8, 2), d) ||
      !parse_digits(s.substr(11, 2), h) || !parse_digits(s.substr(14, 2), mi) || !parse_digits(s.substr(17, 2), sec)) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return false;
  // Nanoseconds since 1970 fit int64_t until 2262-04-11; later years would overflow
  // (found by fuzz_trace_csv), and differences of two in-range times never do.
  if (y < 1970 || y > 2261) return false;
  int64_t frac = 0;
  if (s.size() > 19) {
    if (s[19] != '.' || s.size() == 20) return false;
    int64_t scale = 100'000'000;
    for (char c : s.substr(20)) {
      if (c < '0' || c > '9') return false;
      frac += (c - '0') * scale;
      scale /= 10;
    }
  }
  ns = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) * 1'000'000'000) + frac;
  return true;
}

class TraceReader final : public RequestSource {
 public:
  TraceReader(std::ifstream in, std::string file, TraceFormat format, std::string first_line, double rate_scale,
              int64_t limit)
      : in_(std::move(in)), file_(std::move(file)), format_(format), line_(std::move(first_line)),
        rate_scale_(rate_scale), limit_(limit) {
    // JSONL has no header: the first line is already a row, held in line_.
    pending_line_ = format_ == TraceFormat::MooncakeJsonl;
  }

  std::optional<RequestArrival> next() override {
    if (done_) return std::nullopt;
    if (limit_ > 0 && rows_ >= limit_) return finish();
    for (;;) {
      if (!pending_line_) {
        if (!std::getline(in_, line_)) {
          // A header and no rows would "run" zero requests and print a table of zeros.
          if (rows_ == 0 && error_.empty()) error_ = file_ + ": trace has no request rows after its header";
          return finish();
        }
        ++line_no_;
      }
      pending_line_ = false;
      const std::string_view row = trim(line_);
      if (row.empty()) continue;
      RequestArrival a;
      const bool ok = format_ == TraceFormat::MooncakeJsonl ? parse_json_row(row, a) : parse_csv_row(row, a);
      if (!ok) return finish();
      ++rows_;
      return a;
    }
  }

  const std::string& error() const override { return error_; }

 private:
  std::nullopt_t finish() {
    done_ = true;
    return std::nullopt;
  }

  bool fail(std::string_view kind, std::string_view column, std::string_view value, std::string_view why) {
    error_ = file_ + ":row " + std::to_string(line_no_) + ": " + std::string(kind) + " '" + std::string(column) +
             "': '" + std::string(value) + "' " + std::string(why);
    return false;
  }

  // Token counts: integers >= 0, with 0 read as 1.
  bool tokens(std::string_view kind, std::string_view column, std::string_view v, int64_t& out) {
    if (!parse_digits(v, out)) return fail(kind, column, v, "is not an integer");
    if (out < 0) return fail(kind, column, v, "must be >= 0");
    out = out == 0 ? 1 : out;
    return true;
  }

  // Converts a time in ticks since the epoch of the file to seconds since row one,
  // checking order. Ticks keep integer timestamps exact before the subtraction.
  bool set_arrival(int64_t ticks, double tick_s, std::string_view kind, std::string_view column,
                   std::string_view raw, RequestArrival& a) {
    if (rows_ == 0) first_ticks_ = ticks;
    if (rows_ > 0 && ticks < prev_ticks_) {
      return fail(kind, column, raw, "is earlier than the previous row (rows must be in time order)");
    }
    prev_ticks_ = ticks;
    a.arrival_s = static_cast<double>(ticks - first_ticks_) * tick_s / rate_scale_;
    return true;
  }

  bool parse_csv_row(std::string_view row, RequestArrival& a) {
    const bool azure = format_ == TraceFormat::AzureCsv;
    const std::string_view c0 = azure ? "TIMESTAMP" : "arrival_s";
    const std::string_view c1 = azure ? "ContextTokens" : "input_tokens";
    const std::string_view c2 = azure ? "GeneratedTokens" : "output_tokens";
    std::string_view f[3];
    size_t start = 0;
    for (int i = 0; i < 3; ++i) {
      const size_t comma = row.find(',', start);
      if ((i < 2) == (comma == std::string_view::npos)) {
        error_ = file_ + ":row " + std::to_string(line_no_) + ": expected 3 columns (" +
                 std::string(azure ? kAzureHeader : kGenericHeader) + "), got '" + std::string(row) + "'";
        return false;
      }
      f[i] = trim(row.substr(start, i < 2 ? comma - start : std::string_view::npos));
      start = comma + 1;
    }
    if (azure) {
      int64_t ns = 0;
      if (!parse_timestamp_ns(f[0], ns)) {
        return fail("column", c0, f[0], "is not a timestamp like 2023-11-16 18:15:46.6805900");
      }
      if (!set_arrival(ns, 1e-9, "column", c0, f[0], a)) return false;
    } else {
      double t = 0;
      const auto [p, ec] = std::from_chars(f[0].data(), f[0].data() + f[0].size(), t);
      if (f[0].empty() || ec != std::errc() || p != f[0].data() + f[0].size() || !std::isfinite(t)) {
        return fail("column", c0, f[0], "is not a number");
      }
      if (t < 0) return fail("column", c0, f[0], "must be >= 0");
      // Nanosecond ticks must fit int64_t (9.2e18 ns, 292 years).
      if (t > kMaxTraceSeconds) return fail("column", c0, f[0], "is too large (at most 9e9 s)");
      // Seconds are not integer ticks; keep them as given (nanosecond ticks would
      // round sub-ns digits, which no trace has).
      if (!set_arrival(std::llround(t * 1e9), 1e-9, "column", c0, f[0], a)) return false;
    }
    return tokens("column", c1, f[1], a.input_tokens) && tokens("column", c2, f[2], a.output_tokens);
  }

  bool json_int(const nlohmann::json& row, const char* key, int64_t& out) {
    const auto it = row.find(key);
    if (it == row.end()) return fail("key", key, "", "is missing");
    if (!it->is_number_integer()) return fail("key", key, it->dump(), "is not an integer");
    const int64_t v = it->get<int64_t>();
    return tokens("key", key, std::to_string(v), out);
  }

  bool parse_json_row(std::string_view row, RequestArrival& a) {
    const auto j = nlohmann::json::parse(row, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
      error_ = file_ + ":row " + std::to_string(line_no_) + ": not a JSON object: '" +
               std::string(row.substr(0, 80)) + "'";
      return false;
    }
    const auto ts = j.find("timestamp");
    if (ts == j.end()) return fail("key", "timestamp", "", "is missing");
    if (!ts->is_number() || !std::isfinite(ts->get<double>()) || ts->get<double>() < 0) {
      return fail("key", "timestamp", ts->dump(), "is not a number of milliseconds >= 0");
    }
    // Microsecond ticks must fit int64_t.
    if (ts->get<double>() > kMaxTraceSeconds * 1e3) {
      return fail("key", "timestamp", ts->dump(), "is too large (at most 9e12 ms)");
    }
    // Integer milliseconds stay exact; fractional ones go through microsecond ticks.
    const int64_t ticks = ts->is_number_integer() ? ts->get<int64_t>() * 1000 : std::llround(ts->get<double>() * 1e3);
    if (!set_arrival(ticks, 1e-6, "key", "timestamp", ts->dump(), a)) return false;
    if (!json_int(j, "input_length", a.input_tokens) || !json_int(j, "output_length", a.output_tokens)) return false;
    const auto h = j.find("hash_ids");
    if (h == j.end()) return true;
    if (!h->is_array()) return fail("key", "hash_ids", h->dump().substr(0, 40), "is not an array");
    a.prefix_hashes.reserve(h->size());
    for (const auto& id : *h) {
      if (!id.is_number_unsigned()) return fail("key", "hash_ids", id.dump(), "is not an integer >= 0");
      a.prefix_hashes.push_back(id.get<uint64_t>());
    }
    return true;
  }

  std::ifstream in_;
  std::string file_;
  TraceFormat format_;
  std::string line_;
  double rate_scale_;
  int64_t limit_;
  bool pending_line_ = false;
  bool done_ = false;
  int64_t line_no_ = 1;  // the first line was read by open_trace
  int64_t rows_ = 0;
  int64_t first_ticks_ = 0;
  int64_t prev_ticks_ = 0;
  std::string error_;
};

}  // namespace

std::string_view trace_format_name(TraceFormat f) {
  switch (f) {
    case TraceFormat::AzureCsv: return "azure-csv";
    case TraceFormat::GenericCsv: return "generic-csv";
    case TraceFormat::MooncakeJsonl: return "mooncake-jsonl";
  }
  return "?";
}

Result<TraceFormat> detect_trace_format(std::string_view first_line, std::string_view file) {
  const std::string_view line = trim(strip_bom(first_line));
  if (!line.empty() && line.front() == '{') return TraceFormat::MooncakeJsonl;
  // Header cells may carry spaces after the commas.
  std::string compact;
  for (char c : line) {
    if (c != ' ' && c != '\t') compact.push_back(c);
  }
  if (compact == kAzureHeader) return TraceFormat::AzureCsv;
  if (compact == kGenericHeader) return TraceFormat::GenericCsv;
  return bad_input(std::string(file) + ":row 1: unrecognised trace header '" + std::string(line.substr(0, 80)) +
                   "'; expected '" + std::string(kAzureHeader) + "' (Azure LLM), '" + std::string(kGenericHeader) +
                   "' (generic CSV) or JSON lines (Mooncake)");
}

Result<std::unique_ptr<RequestSource>> open_trace(const std::filesystem::path& path, double rate_scale,
                                                  int64_t limit) {
  const std::string file = path.string();
  if (!(rate_scale > 0) || !std::isfinite(rate_scale)) {
    return bad_input("--workload: key 'rate-scale': '" + std::to_string(rate_scale) + "' must be > 0");
  }
  if (limit < 0) return bad_input("--workload: key 'limit': '" + std::to_string(limit) + "' must be >= 0");
  // A directory opens as a stream that reads nothing: say what it is, not "empty".
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return bad_input("--workload: trace '" + file + "' is a directory, not a trace file");
  }
  std::ifstream in(path);
  if (!in) return bad_input("--workload: trace '" + file + "' cannot be opened");
  std::string first;
  if (!std::getline(in, first)) return bad_input(file + ": trace is empty");
  auto format = detect_trace_format(first, file);
  if (!format) return format.error();
  return std::unique_ptr<RequestSource>(
      std::make_unique<TraceReader>(std::move(in), file, *format, std::string(strip_bom(first)), rate_scale, limit));
}

}  // namespace tessera

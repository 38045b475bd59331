#include "tessera/specs/io/workload_parse.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tessera/core/did_you_mean.h"

namespace tessera {
namespace {

const std::string kFlag = "--workload";

Error value_error(std::string_view key, std::string_view value, std::string_view why) {
  return bad_input(kFlag + ": key '" + std::string(key) + "': '" + std::string(value) + "' " +
                   std::string(why));
}

Result<int64_t> parse_int(std::string_view key, std::string_view v, int64_t min_allowed) {
  int64_t x = 0;
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size()) {
    return value_error(key, v, "is not an integer");
  }
  if (x < min_allowed) {
    return value_error(key, v, min_allowed == 1 ? "must be > 0" : "must be >= " + std::to_string(min_allowed));
  }
  return x;
}

// `strictly_positive` false means >= 0.
Result<double> parse_real(std::string_view key, std::string_view v, bool strictly_positive) {
  double x = 0;
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size() || !std::isfinite(x)) {
    return value_error(key, v, "is not a finite number");
  }
  if (strictly_positive ? !(x > 0) : !(x >= 0)) {
    return value_error(key, v, strictly_positive ? "must be > 0" : "must be >= 0");
  }
  return x;
}

bool is_dist_param(std::string_view key) {
  return key == "mean" || key == "sd" || key == "min" || key == "max";
}

// A distribution being read: its parameters arrive one item at a time.
struct OpenDist {
  std::string key;  // "input" or "output"
  LengthDist* dist = nullptr;
  bool has_mean = false, has_sd = false, has_min = false, has_max = false;
};

Status set_dist_param(OpenDist& d, std::string_view param, std::string_view value) {
  const std::string name = d.key + "." + std::string(param);
  const bool lognormal = d.dist->kind == LengthDist::Kind::Lognormal;
  if (!lognormal && (param == "mean" || param == "sd")) {
    return bad_input(kFlag + ": key '" + name + "': uniform takes only min and max");
  }
  bool& seen = param == "mean" ? d.has_mean : param == "sd" ? d.has_sd : param == "min" ? d.has_min : d.has_max;
  if (seen) return bad_input(kFlag + ": key '" + name + "' given twice");
  seen = true;
  if (param == "mean" || param == "sd") {
    auto x = parse_real(name, value, param == "mean");
    if (!x) return x.error();
    (param == "mean" ? d.dist->a : d.dist->b) = *x;
    return {};
  }
  auto x = parse_int(name, value, 1);
  if (!x) return x.error();
  (param == "min" ? d.dist->min : d.dist->max) = *x;
  return {};
}

Status close_dist(OpenDist& d) {
  if (d.dist == nullptr) return {};
  LengthDist& L = *d.dist;
  const bool lognormal = L.kind == LengthDist::Kind::Lognormal;
  const char* need = nullptr;
  if (lognormal && !d.has_mean) need = "mean";
  else if (lognormal && !d.has_sd) need = "sd";
  else if (!lognormal && !d.has_min) need = "min";
  else if (!lognormal && !d.has_max) need = "max";
  if (need != nullptr) {
    return bad_input(kFlag + ": key '" + d.key + "': " + (lognormal ? "lognormal" : "uniform") +
                     " needs '" + need + "'");
  }
  if (L.max < L.min) {
    return bad_input(kFlag + ": key '" + d.key + ".max': '" + std::to_string(L.max) + "' must be >= min (" +
                     std::to_string(L.min) + ")");
  }
  if (!lognormal) {
    L.a = static_cast<double>(L.min);
    L.b = static_cast<double>(L.max);
  }
  d = OpenDist{};
  return {};
}

// input=/output= value: a constant or `kind:p=v[;p=v...]` opening a distribution.
Status parse_length(std::string_view key, std::string_view value, LengthDist& out, OpenDist& open) {
  const size_t colon = value.find(':');
  if (colon == std::string_view::npos) {
    auto x = parse_int(key, value, 1);
    if (!x) return x.error();
    out = LengthDist{};
    out.kind = LengthDist::Kind::Constant;
    out.a = static_cast<double>(*x);
    return {};
  }
  const std::string kind(value.substr(0, colon));
  static const std::vector<std::string> kinds = {"lognormal", "uniform"};
  if (kind != "lognormal" && kind != "uniform") {
    return bad_input(kFlag + ": key '" + std::string(key) + "': unknown distribution '" + kind + "'" +
                     did_you_mean(kind, kinds));
  }
  out = LengthDist{};
  out.kind = kind == "lognormal" ? LengthDist::Kind::Lognormal : LengthDist::Kind::Uniform;
  open = OpenDist{std::string(key), &out};
  std::string_view rest = value.substr(colon + 1);
  while (!rest.empty()) {
    const size_t semi = rest.find(';');
    const std::string_view item = rest.substr(0, semi);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos || !is_dist_param(item.substr(0, eq))) {
      return bad_input(kFlag + ": key '" + std::string(key) + "': '" + std::string(item) +
                       "' is not one of mean=, sd=, min=, max=");
    }
    TESSERA_TRY(set_dist_param(open, item.substr(0, eq), item.substr(eq + 1)));
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
  }
  return {};
}

struct KindInfo {
  WorkloadKind kind;
  std::vector<std::string> keys;      // allowed
  std::vector<std::string> required;
};

const KindInfo* kind_info(std::string_view name) {
  static const std::vector<std::pair<std::string, KindInfo>> table = {
      {"batch",
       {WorkloadKind::Batch, {"size", "input", "output", "rounds", "shared-prefix", "range-ratio"},
        {"size", "input", "output"}}},
      {"poisson",
       {WorkloadKind::Poisson, {"rate", "input", "output", "n", "shared-prefix", "range-ratio", "warmup"},
        {"rate", "input", "output", "n"}}},
      {"closed",
       {WorkloadKind::Closed, {"concurrency", "input", "output", "n", "shared-prefix", "range-ratio", "warmup"},
        {"concurrency", "input", "output", "n"}}},
      {"trace", {WorkloadKind::Trace, {"rate-scale", "limit"}, {}}},
      // Offline throughput harnesses (trtllm-bench throughput, MLPerf Offline): every
      // request queued at t = 0; the engine's max batch bounds what runs at once.
      {"offline",
       {WorkloadKind::Batch, {"n", "input", "output", "shared-prefix", "range-ratio"}, {"n", "input", "output"}}},
  };
  for (const auto& [n, info] : table) {
    if (n == name) return &info;
  }
  return nullptr;
}

Status set_key(WorkloadSpec& w, const std::string& key, std::string_view value, OpenDist& open) {
  if (key == "input") return parse_length(key, value, w.input, open);
  if (key == "output") return parse_length(key, value, w.output, open);
  if (key == "rate") {
    auto x = parse_real(key, value, true);
    if (!x) return x.error();
    w.rate = *x;
    return {};
  }
  if (key == "range-ratio") {
    auto x = parse_real(key, value, false);
    if (!x) return x.error();
    if (!(*x < 1)) return bad_input(kFlag + ": key 'range-ratio': '" + std::string(value) + "' must be in [0, 1)");
    w.range_ratio = *x;
    return {};
  }
  if (key == "warmup") {
    auto x = parse_int(key, value, 0);
    if (!x) return x.error();
    w.warmup = *x;
    return {};
  }
  if (key == "rate-scale") {
    auto x = parse_real(key, value, true);
    if (!x) return x.error();
    w.rate_scale = *x;
    return {};
  }
  auto x = parse_int(key, value, 1);
  if (!x) return x.error();
  if (key == "size") w.size = *x;
  else if (key == "rounds") w.rounds = *x;
  else if (key == "n") w.n = *x;
  else if (key == "concurrency") w.concurrency = *x;
  else if (key == "limit") w.limit = *x;
  else if (key == "shared-prefix") w.shared_prefix = *x;
  return {};
}

// The simulator keeps one record per request it has seen (exact latency statistics)
// and a batch holds every request of a round at once, so a typed count is bounded:
// kMaxWorkloadRequests at about 230 bytes each (measured: a 200,000-request batch peaks
// 41 MB above a 20,000-request one) stays near 2.3 GB. A trace streams;
// its `limit` is a cap, not an allocation.
Status check_request_count(const WorkloadSpec& w) {
  auto over = [](const char* key, int64_t v, const std::string& what) {
    return bad_input(fmt::format("{}: key '{}': '{}' is over the limit of {} {}", kFlag, key, v,
                                 kMaxWorkloadRequests, what));
  };
  switch (w.kind) {
    case WorkloadKind::Batch:
      if (w.size > kMaxWorkloadRequests) return over("size", w.size, "requests");
      if (w.rounds > kMaxWorkloadRequests / w.size) return over("rounds", w.rounds, "requests (size x rounds)");
      return {};
    case WorkloadKind::Poisson:
    case WorkloadKind::Closed:
      if (w.n > kMaxWorkloadRequests) return over("n", w.n, "requests");
      if (w.concurrency > kMaxWorkloadRequests) return over("concurrency", w.concurrency, "clients");
      return {};
    case WorkloadKind::Trace: return {};
  }
  return {};
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    const size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (p == std::string_view::npos) return out;
    start = p + 1;
  }
}

}  // namespace

Result<WorkloadSpec> parse_workload(std::string_view spec) {
  if (spec.empty()) return bad_input(kFlag + ": empty SPEC (e.g. 'poisson:rate=5,input=512,output=128,n=200')");
  const size_t colon = spec.find(':');
  const std::string kind_name(spec.substr(0, colon));
  const KindInfo* info = kind_info(kind_name);
  if (info == nullptr) {
    static const std::vector<std::string> kinds = {"batch", "poisson", "closed", "offline", "trace"};
    return bad_input(kFlag + ": unknown kind '" + kind_name + "'" + did_you_mean(kind_name, kinds) +
                     "; expected batch, poisson, closed, offline or trace");
  }
  WorkloadSpec w;
  w.kind = info->kind;
  w.text = std::string(spec);
  std::string_view rest = colon == std::string_view::npos ? std::string_view{} : spec.substr(colon + 1);

  if (w.kind == WorkloadKind::Trace) {
    // The path runs to the first ','; paths containing ',' are not supported.
    const size_t comma = rest.find(',');
    w.trace_path = std::string(rest.substr(0, comma));
    if (w.trace_path.empty()) return bad_input(kFlag + ": trace needs a path, e.g. 'trace:conv.csv'");
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (comma != std::string_view::npos && rest.empty()) return bad_input(kFlag + ": empty item after ','");
  }

  std::vector<std::string> seen;
  OpenDist open;
  if (!rest.empty()) {
    for (std::string_view item : split(rest, ',')) {
      const size_t eq = item.find('=');
      if (item.empty()) return bad_input(kFlag + ": empty item in '" + std::string(spec) + "'");
      if (eq == std::string_view::npos) {
        return bad_input(kFlag + ": item '" + std::string(item) + "' is not key=value");
      }
      const std::string key(item.substr(0, eq));
      const std::string_view value = item.substr(eq + 1);
      if (is_dist_param(key) && open.dist != nullptr) {
        TESSERA_TRY(set_dist_param(open, key, value));
        continue;
      }
      TESSERA_TRY(close_dist(open));
      if (std::find(info->keys.begin(), info->keys.end(), key) == info->keys.end()) {
        return bad_input(kFlag + ": unknown key '" + key + "' for " + kind_name + did_you_mean(key, info->keys));
      }
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
        return bad_input(kFlag + ": key '" + key + "' given twice");
      }
      seen.push_back(key);
      TESSERA_TRY(set_key(w, key, value, open));
    }
  }
  TESSERA_TRY(close_dist(open));
  for (const auto& key : info->required) {
    if (std::find(seen.begin(), seen.end(), key) == seen.end()) {
      return bad_input(kFlag + ": " + kind_name + " needs key '" + key + "'");
    }
  }
  if (kind_name == "offline") w.size = w.n;  // one round of n requests at t = 0
  if (w.warmup > 0 && w.warmup >= w.n)
    return bad_input(kFlag + ": key 'warmup': '" + std::to_string(w.warmup) + "' must be below n=" +
                     std::to_string(w.n) + " (warm-up requests are left out of the metrics)");
  // vLLM benchmark_serving --random-range-ratio r: each length uniform in
  // [L(1 - r), L(1 + r)] (benchmarks/benchmark_dataset.py RandomDataset).
  if (w.range_ratio > 0) {
    for (LengthDist* d : {&w.input, &w.output}) {
      if (d->kind != LengthDist::Kind::Constant) continue;
      const double l = d->a;
      d->kind = LengthDist::Kind::Uniform;
      d->min = std::max<int64_t>(1, std::llround(l * (1 - w.range_ratio)));
      d->max = std::max<int64_t>(d->min, std::llround(l * (1 + w.range_ratio)));
    }
  }
  TESSERA_TRY(check_request_count(w));
  return w;
}

}  // namespace tessera

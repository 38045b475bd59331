#include "tessera/planner/sweep.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

namespace tessera {

namespace {

using Outcome = SimulationOutcome;

struct Metric {
  std::string name;
  ColumnType type;
  std::function<Cell(const Outcome&)> get;
};

Cell opt(const std::optional<double>& v) { return v ? Cell{*v} : Cell{}; }

void add_latency(std::vector<Metric>& m, const std::string& base, LatencyStats Summary::*field) {
  const std::pair<const char*, double LatencyStats::*> stats[] = {{"mean", &LatencyStats::mean},
                                                                   {"p50", &LatencyStats::p50},
                                                                   {"p90", &LatencyStats::p90},
                                                                   {"p99", &LatencyStats::p99},
                                                                   {"max", &LatencyStats::max}};
  for (const auto& [stat, f] : stats)
    m.push_back({base + "_" + stat + "_s", ColumnType::Real,
                 [field, f = f](const Outcome& o) {
                   // No measured request (nothing completed): NULL, never a latency of zero.
                   const LatencyStats& l = o.summary.*field;
                   return l.count > 0 ? Cell{l.*f} : Cell{};
                 }});
}

// The summary metrics, in column order (the names follow the result JSON's keys).
const std::vector<Metric>& metrics() {
  static const std::vector<Metric> kMetrics = [] {
    using I = ColumnType;
    std::vector<Metric> m{
        {"requests", I::Integer, [](const Outcome& o) { return Cell{o.summary.requests}; }},
        {"completed", I::Integer, [](const Outcome& o) { return Cell{o.summary.completed}; }},
        {"rejected", I::Integer, [](const Outcome& o) { return Cell{o.summary.rejected}; }},
        {"duration_s", I::Real, [](const Outcome& o) { return Cell{o.summary.duration_s}; }},
        {"output_tokens_per_s", I::Real, [](const Outcome& o) { return Cell{o.summary.output_tokens_per_s}; }},
        {"input_tokens_per_s", I::Real, [](const Outcome& o) { return Cell{o.summary.input_tokens_per_s}; }},
        {"requests_per_s", I::Real, [](const Outcome& o) { return Cell{o.summary.requests_per_s}; }},
    };
    add_latency(m, "ttft", &Summary::ttft);
    add_latency(m, "tpot", &Summary::tpot);
    add_latency(m, "itl", &Summary::itl);
    add_latency(m, "e2e", &Summary::e2e);
    add_latency(m, "queue", &Summary::queue);
    std::vector<Metric> rest{
        {"slo_attained_fraction", I::Real, [](const Outcome& o) { return opt(o.summary.slo_attained_fraction); }},
        {"goodput_requests_per_s", I::Real, [](const Outcome& o) { return opt(o.summary.goodput_requests_per_s); }},
        {"chips", I::Integer, [](const Outcome& o) { return Cell{int64_t{o.summary.chips}}; }},
        {"systems", I::Integer, [](const Outcome& o) { return Cell{int64_t{o.summary.systems}}; }},
        {"replicas", I::Integer, [](const Outcome& o) { return Cell{int64_t{o.placement.replicas}}; }},
        {"lnc", I::Integer, [](const Outcome& o) { return Cell{int64_t{o.deployment.lnc}}; }},
        {"device_model", I::Text, [](const Outcome& o) { return Cell{o.device_model}; }},
        {"avg_power_w", I::Real, [](const Outcome& o) { return opt(o.summary.avg_power_w); }},
        {"energy_j_per_output_token", I::Real,
         [](const Outcome& o) { return opt(o.summary.energy_j_per_output_token); }},
        {"cost_usd_per_hour", I::Real, [](const Outcome& o) { return opt(o.summary.cost_usd_per_hour); }},
        {"cost_usd_per_million_output_tokens", I::Real,
         [](const Outcome& o) { return opt(o.summary.cost_usd_per_million_output_tokens); }},
        {"mfu", I::Real, [](const Outcome& o) { return Cell{o.summary.mfu}; }},
        {"mbu", I::Real, [](const Outcome& o) { return Cell{o.summary.mbu}; }},
        {"kv_cache_peak_fraction", I::Real, [](const Outcome& o) { return Cell{o.summary.kv_cache_peak_fraction}; }},
        {"preemptions", I::Integer, [](const Outcome& o) { return Cell{o.summary.preemptions}; }},
        {"input_tokens", I::Integer, [](const Outcome& o) { return Cell{o.summary.input_tokens}; }},
        {"output_tokens", I::Integer, [](const Outcome& o) { return Cell{o.summary.output_tokens}; }},
        {"link_utilization", I::Real, [](const Outcome& o) { return Cell{o.summary.link_utilization}; }},
        {"prefix_cache_hit_rate", I::Real, [](const Outcome& o) { return opt(o.summary.prefix_cache_hit_rate); }},
        {"kv_transfer_share", I::Real, [](const Outcome& o) { return opt(o.summary.kv_transfer_share); }},
        {"spec_acceptance", I::Real, [](const Outcome& o) { return opt(o.summary.spec_acceptance); }},
    };
    for (auto& r : rest) m.push_back(std::move(r));
    return m;
  }();
  return kMetrics;
}

bool is_integer(const std::string& s) {
  int64_t v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

bool is_real(const std::string& s) {
  double v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

// Every value the grid gives `key`.
std::vector<std::string> values_of(const GridSpec& grid, const std::string& key) {
  for (const GridAxis& a : grid.axes)
    if (a.key == key) return a.values;
  std::vector<std::string> out;
  for (const GridPoint& p : grid.points)
    for (const auto& [k, v] : p)
      if (k == key) out.push_back(v);
  return out;
}

ColumnType input_type(const GridSpec& grid, const std::string& key) {
  const auto values = values_of(grid, key);
  if (std::all_of(values.begin(), values.end(), is_integer)) return ColumnType::Integer;
  if (std::all_of(values.begin(), values.end(), is_real)) return ColumnType::Real;
  return ColumnType::Text;
}

Cell input_cell(ColumnType type, const std::string& text) {
  if (type == ColumnType::Integer) {
    int64_t v = 0;
    std::from_chars(text.data(), text.data() + text.size(), v);
    return v;
  }
  if (type == ColumnType::Real) {
    double v = 0;
    std::from_chars(text.data(), text.data() + text.size(), v);
    return v;
  }
  return text;
}

const char* status_name(ErrorKind k) {
  switch (k) {
    case ErrorKind::BadInput: return "bad_input";
    case ErrorKind::Infeasible: return "infeasible";
    case ErrorKind::Internal: return "internal";
  }
  return "internal";
}

std::string column_name(std::string key) {
  std::replace(key.begin(), key.end(), '-', '_');
  return key;
}

}  // namespace

std::vector<std::string> sweep_metric_names() {
  std::vector<std::string> out;
  for (const Metric& m : metrics()) out.push_back(m.name);
  return out;
}

std::vector<ResultColumn> sweep_columns(const GridSpec& grid) {
  std::vector<ResultColumn> cols{{ResultsStore::kIndexColumn, ColumnType::Integer},
                                 {ResultsStore::kKeyColumn, ColumnType::Text}};
  for (const std::string& k : grid.keys()) cols.push_back({column_name(k), input_type(grid, k)});
  cols.push_back({"status", ColumnType::Text});
  cols.push_back({"error", ColumnType::Text});
  cols.push_back({"warnings", ColumnType::Text});
  for (const Metric& m : metrics()) cols.push_back({m.name, m.type});
  return cols;
}

ResultRow sweep_row(const GridSpec& grid, int64_t index, const Result<SimulationOutcome>& outcome) {
  const GridPoint point = grid.at(index);
  const std::vector<std::string> keys = grid.keys();
  ResultRow row;
  row.reserve(keys.size() + 5 + metrics().size());
  row.emplace_back(index);
  row.emplace_back(canonical_key(point));
  for (const std::string& k : keys) {
    const auto it = std::find_if(point.begin(), point.end(), [&](const auto& kv) { return kv.first == k; });
    row.push_back(it == point.end() ? Cell{} : input_cell(input_type(grid, k), it->second));
  }
  if (!outcome) {
    row.emplace_back(std::string(status_name(outcome.error().kind)));
    row.emplace_back(outcome.error().message);
    row.emplace_back();
    row.resize(row.size() + metrics().size());
    return row;
  }
  row.emplace_back(std::string("ok"));
  row.emplace_back();
  std::string warnings;
  for (const std::string& w : outcome->warnings) warnings += (warnings.empty() ? "" : "; ") + w;
  row.push_back(warnings.empty() ? Cell{} : Cell{warnings});
  for (const Metric& m : metrics()) row.push_back(m.get(*outcome));
  return row;
}

namespace {

// Finished rows, handed from the workers to the calling thread.
struct Mailbox {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<int64_t, ResultRow>> rows;
  int running = 0;
};

ResultRow run_one(const GridSpec& grid, int64_t index, const RequestBuilder& build) {
  try {
    auto req = build(grid.at(index));
    if (!req) return sweep_row(grid, index, req.error());
    return sweep_row(grid, index, run_simulation(*req));
  } catch (const std::exception& e) {
    return sweep_row(grid, index, internal_error(std::string("sweep: ") + e.what()));
  }
}

}  // namespace

Status run_sweep(const GridSpec& grid, std::span<const int64_t> todo, const RequestBuilder& build,
                 const RowSink& sink, const SweepRunOptions& opts) {
  Mailbox box;
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  const int jobs = static_cast<int>(std::clamp<size_t>(static_cast<size_t>(std::max(1, opts.jobs)), 1,
                                                        std::max<size_t>(1, todo.size())));
  auto worker = [&] {
    for (size_t i; !stop.load() && (i = next.fetch_add(1)) < todo.size();) {
      ResultRow row = run_one(grid, todo[i], build);
      std::lock_guard lock(box.mu);
      box.rows.emplace_back(todo[i], std::move(row));
      box.cv.notify_one();
    }
    std::lock_guard lock(box.mu);
    --box.running;
    box.cv.notify_one();
  };
  box.running = todo.empty() ? 0 : jobs;
  std::vector<std::jthread> threads;
  if (!todo.empty())
    for (int t = 0; t < jobs; ++t) threads.emplace_back(worker);

  std::optional<Error> failed;
  std::vector<std::pair<int64_t, ResultRow>> ready;
  for (bool done = false; !done;) {
    {
      std::unique_lock lock(box.mu);
      box.cv.wait_for(lock, std::chrono::milliseconds(opts.poll_ms),
                      [&] { return !box.rows.empty() || box.running == 0; });
      ready.swap(box.rows);
      done = box.running == 0 && ready.empty();
    }
    for (auto& [index, row] : ready) {
      if (failed) break;
      if (Status s = sink(index, std::move(row)); !s) failed = s.error();
    }
    ready.clear();
    if (!failed && opts.poll)
      if (Status s = opts.poll(); !s) failed = s.error();
    if (failed) stop = true;
  }
  threads.clear();  // joins
  if (failed) return *failed;
  return {};
}

Result<std::vector<ResultRow>> run_sweep_rows(const GridSpec& grid, std::span<const int64_t> todo,
                                              const RequestBuilder& build, int jobs) {
  std::vector<std::pair<int64_t, ResultRow>> rows;
  SweepRunOptions opts;
  opts.jobs = jobs;
  TESSERA_TRY(run_sweep(
      grid, todo, build,
      [&](int64_t index, ResultRow&& row) {
        rows.emplace_back(index, std::move(row));
        return Status{};
      },
      opts));
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<ResultRow> out;
  out.reserve(rows.size());
  for (auto& [_, row] : rows) out.push_back(std::move(row));
  return out;
}

}  // namespace tessera

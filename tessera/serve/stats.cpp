#include "tessera/serve/stats.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace tessera {

double percentile_sorted(std::span<const double> sorted, double p) {
  assert(!sorted.empty());
  const double h = static_cast<double>(sorted.size() - 1) * p;
  const auto lo = static_cast<size_t>(std::floor(h));
  if (lo + 1 >= sorted.size()) return sorted.back();
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[lo + 1] - sorted[lo]);
}

LatencyStats summarize(std::vector<double>& values) {
  LatencyStats s;
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  double sum = 0;
  for (double v : values) sum += v;
  s.count = static_cast<int64_t>(values.size());
  s.mean = sum / static_cast<double>(values.size());
  s.p50 = percentile_sorted(values, 0.50);
  s.p90 = percentile_sorted(values, 0.90);
  s.p99 = percentile_sorted(values, 0.99);
  s.max = values.back();
  return s;
}

namespace serve {
namespace {

// The value at 0-based rank k of the expanded, sorted runs.
double value_at_rank(const std::vector<GapRun>& runs, int64_t k) {
  for (const GapRun& r : runs) {
    if (k < r.count) return r.gap_s;
    k -= r.count;
  }
  return runs.back().gap_s;
}

double run_percentile(const std::vector<GapRun>& runs, int64_t n, double p) {
  const double h = static_cast<double>(n - 1) * p;
  const auto lo = static_cast<int64_t>(std::floor(h));
  const double a = value_at_rank(runs, lo);
  if (lo + 1 >= n) return a;
  return a + (h - static_cast<double>(lo)) * (value_at_rank(runs, lo + 1) - a);
}

}  // namespace

int64_t GapRecorder::count() const {
  int64_t n = 0;
  for (const GapRun& r : runs_) n += r.count;
  return n;
}

void GapRecorder::compact() {
  if (runs_.empty()) return;
  const auto by_gap = [](const GapRun& a, const GapRun& b) { return a.gap_s < b.gap_s; };
  const auto head = runs_.begin() + static_cast<std::ptrdiff_t>(sorted_);
  std::sort(head, runs_.end(), by_gap);
  std::inplace_merge(runs_.begin(), head, runs_.end(), by_gap);
  size_t w = 0;
  for (size_t i = 1; i < runs_.size(); ++i) {
    if (runs_[i].gap_s == runs_[w].gap_s) {
      runs_[w].count += runs_[i].count;
    } else {
      runs_[++w] = runs_[i];
    }
  }
  runs_.resize(w + 1);
  sorted_ = runs_.size();
  compact_at_ = std::max(kMinCompact, 2 * runs_.size());
}

LatencyStats GapRecorder::summarize() {
  LatencyStats s;
  if (runs_.empty()) return s;
  compact();  // sorted, equal gaps merged: the rank scans below walk distinct values
  double sum = 0;
  for (const GapRun& r : runs_) sum += r.gap_s * static_cast<double>(r.count);
  s.count = count();
  s.mean = sum / static_cast<double>(s.count);
  s.p50 = run_percentile(runs_, s.count, 0.50);
  s.p90 = run_percentile(runs_, s.count, 0.90);
  s.p99 = run_percentile(runs_, s.count, 0.99);
  s.max = runs_.back().gap_s;
  return s;
}

}  // namespace serve
}  // namespace tessera
